"""The descriptor table is grown at start, so that opening sockets under load never waits."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from bot.descriptors import RESERVED
from tests.helpers import fresh

# Run by a process that subprocess started with close_fds=True: its table starts at 64 slots.
CHILD = """
import json, os, resource, sys
from bot.descriptors import reserve_descriptors

def table():
    for line in open("/proc/self/status"):
        if line.startswith("FDSize:"):
            return int(line.split()[1])

soft = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_NOFILE, (soft, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
before, open_before = table(), sorted(os.listdir("/proc/self/fd"))
reserve_descriptors()
after, open_after = table(), sorted(os.listdir("/proc/self/fd"))
print(json.dumps({"before": before, "after": after, "same_fds": open_before == open_after}))
"""


def _grown(soft: int) -> dict[str, int]:
    """Start a fresh interpreter through a middle one, as multiprocessing's spawn does."""
    middle = (
        "import subprocess, sys;"
        f"sys.exit(subprocess.run([sys.executable, '-c', {CHILD!r}, '{soft}']).returncode)"
    )
    found, _ = fresh(middle)
    assert isinstance(found, dict)
    return found


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_the_table_grows_to_the_reserve_and_no_descriptor_stays_open() -> None:
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < RESERVED:
        pytest.skip("the hard open-files limit is below the reserve")
    found = _grown(RESERVED)
    assert found["after"] >= RESERVED > found["before"]
    assert found["same_fds"]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_the_open_files_limit_bounds_the_reserve() -> None:
    found = _grown(512)
    assert 512 <= found["after"] < RESERVED
    assert found["same_fds"]


# The bot's own start: build_app grows the table before anything else.
APP = """
import asyncio, json, sys, tempfile
from pathlib import Path
from bot.app import build_app

def table():
    for line in open("/proc/self/status"):
        if line.startswith("FDSize:"):
            return int(line.split()[1])

from tests.helpers import own_config_file


async def main():
    before = table()
    with tempfile.TemporaryDirectory() as folder:
        app = await build_app(own_config_file(), Path(folder) / "bot.db")
        after = table()
        await app.store.close()
    print(json.dumps({"before": before, "after": after}))

asyncio.run(main())
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_building_the_app_makes_the_room() -> None:
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    middle = (
        "import subprocess, sys;"
        f"sys.exit(subprocess.run([sys.executable, '-c', {APP!r}]).returncode)"
    )
    found, _ = fresh(middle)
    assert isinstance(found, dict)
    assert found["after"] >= min(RESERVED, soft) > found["before"]
