"""Which database a setting names, and how to show a PostgreSQL URL without its password."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(database: str | Path) -> bool:
    """Whether ``database`` is a ``postgresql://`` (or ``postgres://``) URL, not a file path."""
    if isinstance(database, Path):
        return False
    scheme, sep, _ = database.partition("://")
    return bool(sep) and scheme.lower() in POSTGRES_SCHEMES


def url_scheme(text: str) -> str | None:
    """The ``scheme`` of ``scheme://...``, or None for what is a plain path."""
    scheme, sep, _ = text.partition("://")
    return scheme.lower() if sep and scheme.isidentifier() else None


def redact_url(url: str) -> str:
    """The URL with its password (in the authority or a ``password=`` parameter) as ``***``."""
    try:
        parts = urlsplit(url)
        user, at, host = parts.netloc.rpartition("@")
        if at and ":" in user:
            user = user.split(":", 1)[0] + ":***"
        query = urlencode(
            [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query, True)],
            safe="/:",
        )
        return urlunsplit(parts._replace(netloc=f"{user}{at}{host}", query=query))
    except ValueError:  # not even a URL: show only its scheme
        return f"{url_scheme(url) or 'database'}://(unreadable URL)"


def secrets_in(url: str) -> set[str]:
    """The password a URL carries, as written and decoded (to scrub from a driver's error text)."""
    try:
        parts = urlsplit(url)
        found = {v for k, v in parse_qsl(parts.query, True) if k == "password"}
        if parts.password:
            found.add(parts.password)
    except ValueError:
        return set()
    return {s for s in found | {unquote(s) for s in found} if s}
