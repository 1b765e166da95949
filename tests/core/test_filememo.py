"""Listing a folder of intent files: which files, in what order, and how their paths are spelt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.loading.filememo import list_files

SUFFIXES = (".yaml", ".yml")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with intent files, a hidden one, a swap file and an unrelated one."""
    for name in ("b.yaml", "a.yaml", "c.yml", ".hidden.yaml", "a.yaml.swp", "notes.txt"):
        (tmp_path / name).write_text("version: 1\n", encoding="utf-8")
    return tmp_path


def test_files_come_by_suffix_then_name_and_hidden_ones_are_left_out(folder: Path) -> None:
    listed = list_files(folder, SUFFIXES)
    assert [Path(path).name for path, _ in listed] == ["a.yaml", "b.yaml", "c.yml"]
    info = (folder / "a.yaml").stat()
    assert listed[0][1] == (info.st_mtime_ns, info.st_size, info.st_ino)


@pytest.mark.parametrize("spelling", ["absolute", "relative", "dot", "trailing slash"])
def test_paths_are_spelt_as_pathlib_joins_them(
    folder: Path, spelling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(folder.parent)
    directory = {
        "absolute": folder,
        "relative": Path(folder.name),
        "dot": Path("."),
        "trailing slash": Path(folder.name + os.sep),
    }[spelling]
    if spelling == "dot":
        monkeypatch.chdir(folder)
    paths = [path for path, _ in list_files(directory, SUFFIXES)]
    assert paths == [str(directory / name) for name in ("a.yaml", "b.yaml", "c.yml")]
