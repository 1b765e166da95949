"""Typed, frozen configuration: defaults in code, overrides from config.yaml and the environment."""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.core.loading.checks import Checker
from bot.core.loading.lined import LineDict, LineList
from bot.core.loading.yamlsrc import YamlSyntaxError, read_yaml
from bot.core.matching.types import MatchSettings
from bot.core.replies import DialogueSettings
from bot.errors import ConfigError, Problem
from bot.store.url import is_postgres_url, redact_url, url_scheme

# A PostgreSQL server's URL, as ``database:`` or DATABASE_URL give it (a str: a Path would fold
# its "//").
DatabaseUrl = typing.NewType("DatabaseUrl", str)

# A Discord role id. Never a role name: anyone who may create roles on a server can name one
# "Moderator".
RoleId = typing.NewType("RoleId", int)
_ROLE_NAME_REFUSED = (
    "role names are not accepted (anyone who can create roles could name one so): use the "
    "role's id (Server Settings > Roles > right-click > Copy Role ID)"
)


@dataclass(frozen=True)
class DiscordSettings:
    """The Discord adapter's settings (``discord`` in config.yaml)."""

    channels: tuple[str, ...] = ()
    guilds: tuple[str, ...] = ()
    moderator_roles: tuple[RoleId, ...] = ()
    cooldown_seconds: float = 3.0
    cooldown_burst: int = 3
    log_channel: str | None = None
    api_base: str | None = None
    gateway_url: str | None = None
    login_timeout: float = 30.0
    shard_count: int | None = None
    shard_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Config:
    """Everything the composition root needs to build the bot.

    ``database`` is a SQLite file (the embedded default; a relative path is taken from
    config.yaml's folder) or a ``postgresql://user:password@host:port/name`` URL, for a bot run
    by more than one process or machine. Which one is used, first found wins: the command
    line's ``--db`` (a SQLite file), the environment's ``DATABASE_URL`` (a PostgreSQL URL:
    keeps the password out of config.yaml), ``database:`` in config.yaml, then the default
    ``data/article-bot.db``.
    """

    sections: Path = Path("seeds/sections.yaml")
    intents: Path = Path("intents")
    database: Path | DatabaseUrl = Path("data/article-bot.db")
    # What loading the intents built, read back on the next start (None: not kept).
    intent_cache: Path | None = Path("data/intent-snapshot.msgpack")
    reload_seconds: float = 2.0
    # How often a process polls the database for intents other processes added or removed: the
    # fall-back when LISTEN/NOTIFY cannot tell it (SQLite; PostgreSQL's connection lost).
    shared_intents_seconds: float = 1.0
    # How often the running bot touches ``<database folder>/heartbeat`` (bot.heartbeat); the
    # health check calls it stale after three missed beats.
    heartbeat_seconds: float = 10.0
    # Turns (which hold readers' own words) older than this are deleted in the background, with
    # their votes and delivery failures (None: kept for ever).
    retention_days: float | None = 90.0
    matching: MatchSettings = field(default_factory=MatchSettings)
    dialogue: DialogueSettings = field(default_factory=DialogueSettings)
    discord: DiscordSettings = field(default_factory=DiscordSettings)


def load_config(path: Path, environ: Mapping[str, str] | None = None) -> Config:
    """Load ``config.yaml`` (paths in it are relative to its folder; keys left out: defaults).

    Raises ConfigError naming the file, line and key of every bad setting, and naming the file
    when there is none: a mistyped ``--config`` must never fall back to the shipped article.
    """
    check = Checker(str(path))
    data: LineDict | None = None
    if not path.is_file():
        check.add(0, "config", "no such file" if not path.exists() else "not a file")
        raise ConfigError(check.problems)
    if path.exists():
        try:
            raw = read_yaml(path)
        except YamlSyntaxError as exc:
            check.add(exc.line, "yaml", exc.message)
            raise ConfigError(check.problems) from exc
        if raw is not None:
            data = check.mapping(raw, 1, "config")
            if data is None:
                raise ConfigError(check.problems)
    values = _build(Config, data, "", check) if data is not None else {}
    for key in ("heartbeat_seconds", "shared_intents_seconds"):
        if data is not None and values.get(key, 1.0) <= 0:
            check.add(data.line_of(key), key, "must be above 0")
    keep = values.get("retention_days")
    if data is not None and keep is not None and keep <= 0:
        check.add(data.line_of("retention_days"), "retention_days", "must be above 0 (or null)")
    if check.problems:
        raise ConfigError(check.problems)
    config = Config(**values)
    base = path.parent
    config = dataclasses.replace(
        config,
        sections=base / config.sections,
        intents=base / config.intents,
        database=base / config.database if isinstance(config.database, Path) else config.database,
        intent_cache=None if config.intent_cache is None else base / config.intent_cache,
    )
    return _apply_environment(config, os.environ if environ is None else environ)


def _apply_environment(config: Config, environ: Mapping[str, str]) -> Config:
    """The environment wins over config.yaml for the database and the REST and gateway URLs."""
    url = environ.get("DATABASE_URL", "").strip()
    if url:
        if not is_postgres_url(url):
            why = f"expected a postgresql:// URL, got {redact_url(url)!r}"
            raise ConfigError([Problem("environment", 0, "DATABASE_URL", why)])
        config = dataclasses.replace(config, database=DatabaseUrl(url))
    api_base = environ.get("DISCORD_API_BASE") or config.discord.api_base
    gateway_url = environ.get("DISCORD_GATEWAY_URL") or config.discord.gateway_url
    discord = dataclasses.replace(config.discord, api_base=api_base, gateway_url=gateway_url)
    return dataclasses.replace(config, discord=discord)


def _build(cls: type[Any], data: LineDict, where: str, check: Checker) -> dict[str, Any]:
    """Turn a mapping into keyword arguments for dataclass ``cls``, checking every key's type."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    check.keys(data, where, names, set())
    values: dict[str, Any] = {}
    for name in names & set(data):
        key = f"{where}.{name}" if where else name
        value = _coerce(hints[name], data[name], key, data.line_of(name), check)
        if value is not _BAD:
            values[name] = value
    return values


_BAD = object()


def _coerce(hint: Any, value: Any, key: str, line: int, check: Checker) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and DatabaseUrl in args:
        return _database(value, key, line, check)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        hint = next(a for a in args if a is not type(None))
        return _coerce(hint, value, key, line, check)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        nested = check.mapping(value, line, key)
        return _BAD if nested is None else hint(**_build(hint, nested, key, check))
    if origin is tuple:
        items = value if isinstance(value, LineList) else [value] if value is not None else []
        coerced = [
            _coerce(args[0], item, f"{key}[{n}]", line, check) for n, item in enumerate(items)
        ]
        return _BAD if any(c is _BAD for c in coerced) else tuple(coerced)
    return _scalar(hint, value, key, line, check)


def _scalar(hint: Any, value: Any, key: str, line: int, check: Checker) -> Any:
    if hint is RoleId:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            check.add(line, key, f"{value!r}: {_ROLE_NAME_REFUSED}")
            return _BAD
        return RoleId(value)
    if hint is bool:
        ok = isinstance(value, bool)
    elif hint is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif hint is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif hint is str:
        ok = isinstance(value, str | int) and not isinstance(value, bool)
        value = str(value) if ok else value
    elif hint is Path:
        ok = isinstance(value, str) and bool(value.strip())
        value = Path(value) if ok else value
    else:
        ok = False
    if not ok:
        check.add(line, key, f"expected {getattr(hint, '__name__', hint)}, got {value!r}")
        return _BAD
    return value


def _database(value: Any, key: str, line: int, check: Checker) -> Any:
    """A PostgreSQL URL as given, anything else with no ``scheme://`` as a SQLite file's path."""
    if not isinstance(value, str) or not value.strip():
        check.add(line, key, f"expected a file path or a postgresql:// URL, got {value!r}")
        return _BAD
    if is_postgres_url(value.strip()):
        return DatabaseUrl(value.strip())
    scheme = url_scheme(value.strip())
    if scheme is not None:
        why = f"{scheme}:// is not supported: use a file path (SQLite) or a postgresql:// URL"
        check.add(line, key, why)
        return _BAD
    return Path(value)


def read_token(environ: Mapping[str, str], dotenv: Path) -> str | None:
    """Return DISCORD_TOKEN from the environment, else from ``.env``; the environment wins."""
    token = environ.get("DISCORD_TOKEN", "").strip()
    if token:
        return token
    if not dotenv.is_file():
        return None
    for line in dotenv.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name.strip().removeprefix("export ").strip() == "DISCORD_TOKEN":
            return value.strip().strip("\"'") or None
    return None
