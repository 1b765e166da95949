"""The garbage-collector policy: pauses that do not nest, a freeze only after a load that worked."""

from __future__ import annotations

from tests.helpers import fresh

NESTED = """
import gc, json
from bot.core import collector
seen = []
with collector.paused():
    seen.append(gc.isenabled())
    with collector.loading():
        seen.append(gc.isenabled())
    seen.append(gc.isenabled())  # the inner load ended: still paused, the outer is in charge
seen.append(gc.isenabled())
print(json.dumps({"seen": seen, "frozen": gc.get_freeze_count()}))
"""

FAILED = """
import gc, json
from bot.core import collector
before = gc.get_freeze_count()
keep = [[] for _ in range(1000)]
try:
    with collector.loading():
        more = [[] for _ in range(1000)]
        raise ValueError("a broken intent file")
except ValueError:
    pass
failed = gc.get_freeze_count() - before
with collector.loading():
    built = [[] for _ in range(1000)]
print(json.dumps({"failed": failed, "after_good": gc.get_freeze_count() - before,
                  "enabled": gc.isenabled()}))
"""

DISABLED = """
import gc, json
from bot.core import collector
gc.disable()  # someone else's choice: a pause must not turn collection on at its end
with collector.paused():
    pass
print(json.dumps(gc.isenabled()))
"""


def test_pauses_do_not_nest() -> None:
    """A pause (or load) inside a pause changes nothing: collection comes back only when the
    outermost one ends."""
    result, _ = fresh(NESTED)
    assert isinstance(result, dict)
    assert result["seen"] == [False, False, False, True]


def test_only_a_load_that_worked_is_frozen() -> None:
    """A load that raised freezes nothing (its traceback stays collectable); one that worked
    freezes what it built; collection is back on after both."""
    result, _ = fresh(FAILED)
    assert isinstance(result, dict)
    assert result["failed"] == 0 and result["after_good"] >= 1000 and result["enabled"]


def test_a_pause_restores_what_it_found() -> None:
    """Collection switched off before a pause stays off after it."""
    result, _ = fresh(DISABLED)
    assert result is False
