"""Secrets out of the logs: interaction and webhook tokens are cut from every log record.

discord.py's DEBUG output dumps gateway events (each interaction carries a token that lets
whoever holds it answer as the bot for 15 minutes) and request URLs (``/interactions/<id>/<token>/
callback``, ``/webhooks/<app>/<token>``). A record factory rewrites the message once, where the
record is made, so every handler (files, the console, test capture) sees it redacted.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
_PATTERNS = (
    # "token": "..." in a dumped payload (JSON or a Python dict's repr).
    re.compile(r"""(["']token["']\s*:\s*["'])[^"']+"""),
    re.compile(r"(/interactions/\d+/)[^/\s'\"]+"),
    re.compile(r"(/webhooks/\d+/)[^/\s?'\"]+"),
)
_installed = False


def redact(text: str) -> str:
    """``text`` with interaction and webhook tokens replaced."""
    for pattern in _PATTERNS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


def install() -> None:
    """Redact every log record made from now on in this process (once; later calls do nothing)."""
    global _installed
    if _installed:
        return
    _installed = True
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: leave it for the handler to report
            return record
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(factory)
