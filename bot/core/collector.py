"""When the garbage collector runs: the one policy, for loading, serving and worker processes.

The bot makes millions of long-lived objects when it loads (the article, intents, the matcher's
index) and almost no garbage cycles while it serves. Collections that walk what was just loaded
free nothing and, on the event loop, stall replies (benchmarks/README.md). So:

* while something is loaded, automatic collection is paused (``paused``, ``loading``); pauses
  do not nest: a pause inside a pause leaves the outer one in charge;
* what a load built is frozen once it is in force (``loading`` on success, ``freeze_loaded``
  at start and once connected), so later collections never walk it again;
* worker processes that parse intent files never collect (``worker_started``).
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_depth = 0
_restore = False


class _Pause:
    """No automatic collection inside; with ``freeze``, what is alive at a clean exit of the
    outermost pause is frozen.

    Its state is the module's (how deep, whether to switch collection back on), so the two
    instances below are shared and entering one allocates nothing: a collection due at the
    very first allocation would otherwise run just before the pause or just after it.
    """

    def __init__(self, *, freeze: bool) -> None:
        self._freeze = freeze

    def __enter__(self) -> None:
        global _depth, _restore
        with _lock:
            if _depth == 0:
                _restore = gc.isenabled()
                gc.disable()
            _depth += 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        global _depth
        with _lock:
            _depth -= 1
            outermost = _depth == 0
        if outermost and self._freeze and kind is None:
            gc.freeze()
        if outermost and _restore:
            gc.enable()


_PAUSED = _Pause(freeze=False)
_LOADING = _Pause(freeze=True)


def paused() -> _Pause:
    """No automatic collection inside. Only the outermost pause pauses and restores: a pause
    inside one (a load inside a start) changes nothing."""
    return _PAUSED


def loading() -> _Pause:
    """Paused while loading; what was loaded is frozen when the outermost pause ends cleanly
    (a failed load freezes nothing: its traceback and half-built objects must stay
    collectable)."""
    return _LOADING


def freeze_loaded() -> None:
    """Collect once, then move everything alive out of the collector's sight for good."""
    gc.collect()
    gc.freeze()


def worker_started() -> None:
    """In a worker process that lives for one batch of files: no collection at all (its results
    are pickled and dropped, with no garbage cycles among them)."""
    gc.disable()
