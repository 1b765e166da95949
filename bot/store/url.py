"""Which database a setting names, and how to show a PostgreSQL URL without its password."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

POSTGRES_SCHEMES = ("postgresql", "postgres")
# A password given as a query parameter: postgresql://host/db?user=bot&password=...
_QUERY_PASSWORD = re.compile(r"([?&]password=)([^&#]*)")


def is_postgres_url(database: str | Path) -> bool:
    """Whether ``database`` is a ``postgresql://`` (or ``postgres://``) URL, not a file path."""
    if isinstance(database, Path):
        return False
    return url_scheme(database) in POSTGRES_SCHEMES


def url_scheme(text: str) -> str | None:
    """The ``scheme`` of ``scheme://...``, or None for what is a plain path."""
    scheme, sep, _ = text.partition("://")
    return scheme.lower() if sep and scheme.isidentifier() else None


def _parts(url: str) -> tuple[str, str, str | None, str]:
    """``scheme://``, the user, the password (None: none given) and the rest from ``@host`` on.

    By hand rather than urllib's round trip, which rewrites what it does not change (an empty
    host's ``//``, the query's escapes): the URL shown is the URL written, but for the password.
    """
    scheme, sep, rest = url.partition("://")
    ends = [i for i in (rest.find(c) for c in "/?#") if i >= 0]
    authority, tail = rest[: min(ends, default=len(rest))], rest[min(ends, default=len(rest)) :]
    userinfo, at, host = authority.rpartition("@")
    user, colon, password = userinfo.partition(":")
    return scheme + sep, user, password if colon else None, f"{at}{host}{tail}"


def redact_url(url: str) -> str:
    """The URL with its password (in the authority or a ``password=`` parameter) as ``***``."""
    start, user, password, rest = _parts(url)
    shown = f"{start}{user}{'' if password is None else ':***'}{rest}"
    return _QUERY_PASSWORD.sub(r"\1***", shown)


def secrets_in(url: str) -> set[str]:
    """The passwords a URL carries, as written and decoded (to scrub from a driver's error text)."""
    _, _, password, rest = _parts(url)
    found = {m.group(2) for m in _QUERY_PASSWORD.finditer(rest)} | {password or ""}
    return {s for s in found | {unquote(s) for s in found} if s}
