"""A throwaway PostgreSQL server for the tests (and the store benchmark): initdb into a temporary
folder, pg_ctl on a unix socket there and on 127.0.0.1, a fresh database per test.

No silent skip: without the server binaries the tests that need one fail, saying what to install.
As root, initdb refuses to run, so the cluster then belongs to ``nobody`` (through ``setpriv``)
in a folder made theirs; the tests, still root, reach it through the socket and TCP.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

# The role the bot connects as (over TCP, with a password); the superuser "postgres" has none
# and only the unix socket trusts it.
BOT_ROLE = "articlebot"
BOT_PASSWORD = "s3cret-pg-Pa55"
INSTALL_HINT = (
    "PostgreSQL server binaries (initdb, pg_ctl) not found: install the `postgresql` package "
    "(Debian: apt-get install postgresql; .ci/run does), or set PG_BINDIR to their folder"
)


class PostgresMissing(RuntimeError):
    """No initdb/pg_ctl on this machine."""


def find_bindir() -> Path:
    """The folder holding initdb and pg_ctl: $PG_BINDIR, ``pg_config --bindir``, PATH, Debian's."""
    candidates: list[Path] = []
    if os.environ.get("PG_BINDIR"):
        candidates.append(Path(os.environ["PG_BINDIR"]))
    if shutil.which("pg_config"):
        run = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(run.stdout.strip()))
    if shutil.which("initdb"):
        candidates.append(Path(str(shutil.which("initdb"))).resolve().parent)
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise PostgresMissing(INSTALL_HINT)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgCluster:
    """One temporary cluster; ``start()`` it, ``create_database()`` per test, ``stop()`` it."""

    bindir: Path
    folder: Path
    port: int = 0
    durable: bool = False  # fsync on (the benchmark), or off (tests: nothing here outlives them)
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def socket_dir(self) -> Path:
        """The folder of the server's unix socket."""
        return self.folder / "socket"

    def _as_owner(self, *argv: str | Path) -> list[str]:
        """The command, run as ``nobody`` when we are root (initdb and postgres refuse root)."""
        command = [str(a) for a in argv]
        if os.geteuid() != 0:
            return command
        return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]

    def start(self) -> None:
        """initdb, configure (trust on the socket, passwords over TCP) and start the server."""
        data = self.folder / "data"
        self.socket_dir.mkdir(parents=True)
        if os.geteuid() == 0:
            for path in (self.folder, self.socket_dir):
                shutil.chown(path, "nobody", "nogroup")
        subprocess.run(
            self._as_owner(self.bindir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C", "-N"),
            capture_output=True, check=True, text=True,
        )  # fmt: skip
        (data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n", encoding="utf-8"
        )
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.socket_dir}'",
            "max_connections": "200",
            "fsync": "on" if self.durable else "off",
            "full_page_writes": "on" if self.durable else "off",
            "log_min_messages": "fatal",
        }
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        for _ in range(5):  # another process may take the free port before the server does
            self.port = free_port()
            started = subprocess.run(
                self._as_owner(self.bindir / "pg_ctl", "-D", data, "-l", self.folder / "log",
                               "-o", f"-p {self.port}", "-w", "-t", "30", "start"),
                capture_output=True, check=False, text=True,
            )  # fmt: skip
            if started.returncode == 0:
                break
        else:
            log = (self.folder / "log").read_text(encoding="utf-8", errors="replace")
            raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{log[-2000:]}")
        self.psql(f"CREATE ROLE {BOT_ROLE} LOGIN PASSWORD '{BOT_PASSWORD}'")

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one statement as the superuser over the socket; return its unaligned output."""
        run = subprocess.run(
            [str(self.bindir / "psql"), "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
             "-h", str(self.socket_dir), "-p", str(self.port), "-U", "postgres",
             "-d", database, "-c", sql],
            capture_output=True, check=False, text=True,
        )  # fmt: skip
        if run.returncode != 0:
            raise RuntimeError(f"psql {sql!r}: {run.stderr.strip()}")
        return run.stdout.strip()

    def create_database(self) -> str:
        """A new empty database owned by the bot's role; return its name."""
        name = f"t{next(self._names)}"
        self.psql(f"CREATE DATABASE {name} OWNER {BOT_ROLE} TEMPLATE template0")
        return name

    def url(self, database: str, *, password: str = BOT_PASSWORD, port: int | None = None) -> str:
        """A postgresql:// URL for the bot's role over TCP, as a deployment would write it."""
        where = f"127.0.0.1:{self.port if port is None else port}"
        return f"postgresql://{BOT_ROLE}:{quote(password, safe='')}@{where}/{database}"

    def stop(self) -> None:
        """Stop the server at once and remove its folder."""
        if self.port:
            subprocess.run(
                self._as_owner(self.bindir / "pg_ctl", "-D", self.folder / "data", "-m",
                               "immediate", "-w", "stop"),
                capture_output=True, check=False,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster(*, durable: bool = False) -> PgCluster:
    """Start a cluster in a new temporary folder (raises PostgresMissing without binaries)."""
    bindir = find_bindir()
    # Not under pytest's tmp_path: as root that is closed to the server's user, nobody.
    cluster = PgCluster(bindir, Path(tempfile.mkdtemp(prefix="article-bot-pg-")), durable=durable)
    try:
        cluster.start()
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgCluster]:
    """The session's PostgreSQL server, started on first use; fails (never skips) without it."""
    try:
        cluster = start_cluster()
    except PostgresMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_server: PgCluster) -> str:
    """A URL to a fresh, empty database on the session's server."""
    return pg_server.url(pg_server.create_database())
