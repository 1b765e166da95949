"""The command line, run as a user would: a real subprocess, real files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import ROOT, cli


def test_chat_json_lines(tmp_path: Path) -> None:
    """chat --json answers one JSON object per question line, with every documented field."""
    db = str(tmp_path / "t.db")
    run = cli("chat", "--json", "--db", db, stdin="turky coup\nhello\nbanana bread recipe\n")
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    assert [r["kind"] for r in rows] == ["answer", "smalltalk", "off_topic"]
    answer = rows[0]
    assert answer["answered"] is True and answer["intent"] == "turkey-coup"
    assert answer["section"] == "turkey-coup" and answer["paragraphs"] == [5]
    assert answer["quote"] in (ROOT / "seeds" / "article.txt").read_text(encoding="utf-8")
    assert answer["quote"] and answer["quote"] in answer["reply"].replace("> ", "")
    assert {"score", "suggestions", "reply"} <= answer.keys()
    assert rows[2]["answered"] is False and rows[2]["quote"] == ""


def test_two_runs_continue_one_conversation(tmp_path: Path) -> None:
    """State lives in --db, so a second run with the same user continues the first."""
    db = str(tmp_path / "t.db")
    first = json.loads(
        cli("ask", "what does russia gain", "--json", "--db", db, "--user", "u1").stdout
    )
    more = json.loads(cli("ask", "more", "--json", "--db", db, "--user", "u1").stdout)
    other = json.loads(cli("ask", "more", "--json", "--db", db, "--user", "u2").stdout)
    assert first["answered"] and more["answered"] and more["continued"]
    assert more["quote"] != first["quote"]
    assert not other["answered"]


def test_check_passes_on_shipped_files() -> None:
    """check validates the shipped config, sections and intents."""
    run = cli("check")
    assert run.returncode == 0 and run.stdout.startswith("ok:"), run.stderr


def test_check_fails_on_a_broken_intent(tmp_path: Path) -> None:
    """check exits non-zero and prints file:line: key: message for a broken intent file."""
    (tmp_path / "intents").mkdir()
    bad = tmp_path / "intents" / "bad.yaml"
    bad.write_text(
        "version: 1\nintents:\n  - id: x\n    section: nowhere\n    examples: [a]\n",
        encoding="utf-8",
    )
    (tmp_path / "config.yaml").write_text(
        f"sections: {ROOT / 'seeds' / 'sections.yaml'}\nintents: intents\n", encoding="utf-8"
    )
    run = cli("check", "--config", str(tmp_path / "config.yaml"))
    assert run.returncode == 1
    assert f"{bad}:4: x.section: unknown section 'nowhere'" in run.stderr
    assert f"{bad}:5: x.examples: needs at least 5 examples" in run.stderr


def test_summary_and_sections() -> None:
    """summary prints curated sentences citing paragraphs; sections lists every section id."""
    summary = cli("summary")
    assert summary.returncode == 0 and "(¶" in summary.stdout
    section = cli("summary", "turkey-coup")
    assert "¶5" in section.stdout
    missing = cli("summary", "nope")
    assert missing.returncode == 1 and "no section called" in missing.stderr
    outline = cli("sections").stdout
    assert "`turkey-coup`" in outline and "`about`" in outline


def test_eval_json_reports_metrics(tmp_path: Path) -> None:
    """eval reports accuracy, rejection, ambiguity, confusions and per-threshold rows."""
    golden = tmp_path / "g.yaml"
    golden.write_text(
        "version: 1\nquestions:\n  - q: turky coup\n    expect: turkey-coup\n"
        "  - q: banana bread\n    expect: reject\n",
        encoding="utf-8",
    )
    report = json.loads(cli("eval", str(golden), "--json").stdout)
    assert report["top1_accuracy"] == 1.0 and report["off_topic_rejection"] == 1.0
    assert report["per_threshold"] and report["confusions"] == []


def test_run_without_token_opens_the_terminal_chat(tmp_path: Path) -> None:
    """run with no DISCORD_TOKEN says so in one line and chats on stdin."""
    run = cli(
        "run",
        "--db",
        str(tmp_path / "t.db"),
        stdin="aleppo\n/quit\n",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].startswith("No DISCORD_TOKEN set")
    assert "Aleppo" in run.stdout
