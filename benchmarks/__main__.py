"""``python -m benchmarks [NAME [options]]``: run one benchmark, or all of them in turn."""

from __future__ import annotations

import importlib
import subprocess
import sys

NAMES = ("match", "turn", "e2e", "startup", "store")


def main(argv: list[str]) -> int:
    """Run the named benchmark with its options, or every benchmark with defaults."""
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks:", ", ".join(NAMES), "(each takes --help)")
        return 0
    if argv and argv[0] not in NAMES:
        print(f"unknown benchmark {argv[0]!r}; choose from {', '.join(NAMES)}", file=sys.stderr)
        return 2
    if argv:
        importlib.import_module(f"benchmarks.{argv[0]}").main(argv[1:])
        return 0
    # Each in a fresh process: one's heap would slow the next one's garbage collection.
    for name in NAMES:
        subprocess.run([sys.executable, "-m", "benchmarks", name], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
