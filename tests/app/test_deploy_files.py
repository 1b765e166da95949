"""The deployment files, read as a reviewer would: Dockerfile, .dockerignore, compose.yaml,
.env.example, the systemd unit, LICENSE and CHANGELOG. No test here needs docker or systemd."""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath

import yaml

from bot.config import load_config
from tests.helpers import ROOT

# How the bot reads a variable: os.environ.get("X"), environ["X"], os.getenv("X").
_READ = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]*)["']""")
COMPOSE_ONLY = "# --- compose.yaml only"


def bot_reads() -> set[str]:
    """Every environment variable named in the bot's code."""
    names: set[str] = set()
    for path in (ROOT / "bot").rglob("*.py"):
        names.update(_READ.findall(path.read_text(encoding="utf-8")))
    return names


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n\s*", " ", "\n".join(lines))
    out = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def args(instruction: str) -> list[str]:
    """An instruction's arguments, from exec (JSON) or shell form."""
    if instruction.startswith("["):
        return list(yaml.safe_load(instruction))
    return shlex.split(instruction)


def env_example() -> tuple[set[str], set[str]]:
    """Names in .env.example (set or commented out): those for the bot, those for compose."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    bot_part, _, compose_part = text.partition(COMPOSE_ONLY)
    pattern = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.M)
    return set(pattern.findall(bot_part)), set(pattern.findall(compose_part))


def test_the_environment_names_are_ones_the_bot_reads() -> None:
    """The variables the bot reads are the ones .env.example lists for it, and the rest of
    .env.example is only what compose.yaml interpolates."""
    reads = bot_reads()
    assert {"DISCORD_TOKEN", "DATABASE_URL", "ARTICLE_BOT_CONFIG"} <= reads
    for_bot, for_compose = env_example()
    assert for_bot == reads
    compose_text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", compose_text))
    assert for_compose and for_compose <= interpolated and not for_compose & reads
    assert interpolated <= for_bot | for_compose


def test_the_image_runs_as_a_user_with_a_healthcheck() -> None:
    """python:3.11-slim, installed with pip (not editable), a non-root USER before the command,
    a HEALTHCHECK running `article-bot health`, /data a volume, SIGTERM to stop."""
    steps = dockerfile()
    keywords = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    installs = [rest for k, rest in steps if k == "RUN" and "pip install" in rest]
    assert installs and not any(re.search(r"\s(-e|--editable)\s", f" {i} ") for i in installs)
    users = [rest for k, rest in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0", "0:0")
    assert any("useradd" in r and r.split()[-1] == users[-1] for k, r in steps if k == "RUN")
    assert keywords.index("CMD") > len(keywords) - 1 - keywords[::-1].index("USER")
    assert args(dict(steps)["CMD"])[:2] == ["article-bot", "run"]
    health = dict(steps)["HEALTHCHECK"]
    assert args(health.split(" CMD ", 1)[1])[:2] == ["article-bot", "health"]
    assert "/data" in args(dict(steps)["VOLUME"])
    assert dict(steps).get("STOPSIGNAL", "SIGTERM") == "SIGTERM"


def test_the_image_config_points_at_what_the_image_holds() -> None:
    """ARTICLE_BOT_CONFIG names the copied deploy/config.docker.yaml; its database lives on the
    /data volume; its sections and intents are copied beside it; it answers as config.yaml."""
    steps = dockerfile()
    workdir = PurePosixPath(dict(steps)["WORKDIR"])
    copies: dict[PurePosixPath, str] = {}
    for keyword, rest in steps:
        if keyword == "COPY":
            *sources, dest = [a for a in args(rest) if not a.startswith("--")]
            for source in sources:
                assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
                copies[workdir / dest] = source
    image_config = PurePosixPath(dict(steps)["ENV"].partition("ARTICLE_BOT_CONFIG=")[2].split()[0])
    assert copies[image_config] == "deploy/config.docker.yaml"
    config = load_config(ROOT / "deploy" / "config.docker.yaml", environ={})
    assert config.database == Path("/data/article-bot.db")
    assert config.intent_cache is not None and config.intent_cache.parent == Path("/data")
    for path in (config.sections.resolve(), config.intents.resolve()):
        in_image = workdir / path.relative_to(ROOT).as_posix()
        assert any(in_image.is_relative_to(dest) for dest in copies), f"{in_image} not copied"
    shipped = load_config(ROOT / "config.yaml", environ={})
    assert (config.matching, config.dialogue, config.discord) == (
        shipped.matching,
        shipped.dialogue,
        shipped.discord,
    )


def test_dockerignore_keeps_secrets_and_state_out_but_not_what_is_copied() -> None:
    """.env, the virtualenv, the git history and databases stay out of the build context; the
    files the Dockerfile copies do not."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(name: str) -> bool:
        return any(fnmatch.fnmatch(name, p) for p in patterns)

    for name in (".env", ".venv", ".git", "data", "bot.db", "x.db-wal", "tests"):
        assert ignored(name), name
    for name in ("pyproject.toml", "README.md", "bot", "seeds", "intents", "deploy"):
        assert not ignored(name), name


def test_compose_runs_the_bot_beside_a_healthy_postgres() -> None:
    """Two services: the bot built here, with its token from .env and a DATABASE_URL naming the
    postgres service, started once postgres is healthy; postgres 15 on a named volume with a
    health check of its own."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    bot, postgres = compose["services"]["bot"], compose["services"]["postgres"]
    assert bot["build"] == "."
    env = bot["environment"]
    assert set(env) <= bot_reads() and {"DISCORD_TOKEN", "DATABASE_URL"} <= set(env)
    assert env["DISCORD_TOKEN"].startswith("${DISCORD_TOKEN:?")
    url = re.fullmatch(r"postgresql://(\w+):\$\{\w+[^}]*\}@(\w+):5432/(\w+)", env["DATABASE_URL"])
    assert url, env["DATABASE_URL"]
    pg_env = postgres["environment"]
    assert (url[1], url[2], url[3]) == (pg_env["POSTGRES_USER"], "postgres", pg_env["POSTGRES_DB"])
    assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert any(str(v).endswith(":/data") for v in bot["volumes"])
    assert int(bot["stop_grace_period"].rstrip("s")) > 10  # the bot stops within 10 s
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]


def systemd_unit() -> dict[str, list[tuple[str, str]]]:
    """The unit's sections, each a list of (key, value) (keys may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = ""
    for line in (ROOT / "deploy" / "article-bot.service").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = []
        else:
            key, _, value = line.partition("=")
            sections[current].append((key.strip(), value.strip()))
    return sections


def test_the_systemd_unit_runs_the_bot_as_its_own_user_hardened() -> None:
    """ExecStart is `article-bot run`, as a dedicated user, restarted on failure, stopped by
    SIGTERM with time to drain, the system read-only but for the folders the bot writes."""
    unit = systemd_unit()
    service = dict(unit["Service"])
    exec_start = shlex.split(service["ExecStart"])
    assert Path(exec_start[0]).is_absolute() and exec_start[0].endswith("/article-bot")
    assert exec_start[1] == "run"
    assert service["User"] not in ("root", "0") and service["EnvironmentFile"]
    assert service["Restart"] == "on-failure" and service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 10
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert dict(unit["Install"])["WantedBy"] == "multi-user.target"
    # The checkout is the working directory and its config.yaml the config: what that config
    # writes (database, heartbeat beside it, snapshot, moderators' intents) must be writable.
    workdir = Path(service["WorkingDirectory"])
    assert exec_start[exec_start.index("--config") + 1] == str(workdir / "config.yaml")
    writable = [Path(p) for p in service["ReadWritePaths"].split()]
    config = load_config(ROOT / "config.yaml", environ={})
    assert config.intent_cache is not None and isinstance(config.database, Path)
    for written in (config.database.parent, config.intent_cache.parent, config.intents):
        there = workdir / written.relative_to(ROOT)
        assert any(there.is_relative_to(w) for w in writable), f"{there} is read-only"


def test_license_and_changelog() -> None:
    """MIT licence with the contributors' copyright; the changelog has an Unreleased section and
    one for the version pyproject.toml declares."""
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License\n")
    assert "Copyright (c) 2026 article-bot contributors" in licence
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    headings = re.findall(r"^## \[([^\]]+)\]", changelog, re.M)
    assert headings[:2] == ["Unreleased", version]
    assert re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
