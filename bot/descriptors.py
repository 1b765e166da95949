"""Room for many sockets in the process's descriptor table, made before the bot gets busy.

Linux grows a process's table of file descriptors by doubling it (64, 128, 256, ...) when a new
descriptor does not fit. In a process with more than one thread, growing it waits for an RCU
grace period inside the system call that wanted the descriptor: ``socket()`` or ``accept()``, on
the event loop's thread, and on a small VM each wait is long (``benchmarks/README.md``),
and a bot answering 100 users at once opens over a hundred connections, crossing 64 and 128.
Grown once at start the table costs a few kB and no wait (none at all while the process still
has one thread). A process started by a shell inherits a 256-slot table; one started by
``subprocess`` with its default ``close_fds=True``, or by a service manager, starts with 64.
"""

from __future__ import annotations

import os
import sys

# Slots to make room for (bounded by RLIMIT_NOFILE): a bot's connections, database and files.
RESERVED = 4096


def reserve_descriptors(count: int = RESERVED) -> None:
    """Grow this process's descriptor table to ``count`` slots, within the open-files limit.

    Opens one descriptor at the highest slot wanted and closes it again: the table keeps its
    size. Where that cannot be done (no ``fcntl``, no descriptor to spare) it does nothing;
    the table then grows on demand, as it would have anyway.
    """
    if sys.platform == "win32":
        return
    import fcntl
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = count if soft == resource.RLIM_INFINITY else min(count, soft)
    try:
        probe = os.open(os.devnull, os.O_RDONLY)
    except OSError:
        return
    try:
        # F_DUPFD takes the lowest free slot at or above the one asked: it never replaces a
        # descriptor in use, as dup2 would.
        os.close(fcntl.fcntl(probe, fcntl.F_DUPFD, top - 1))
    except OSError:
        pass
    finally:
        os.close(probe)
