"""The per-user rate limit: a sliding window, and one public note per window."""

from __future__ import annotations

from bot.discord.cooldown import Cooldown


class Clock:
    """A settable clock, so windows can be crossed without sleeping."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_wait_then_allowed_again() -> None:
    """``burst`` questions pass, the next waits until the oldest leaves the window."""
    clock = Clock()
    limit = Cooldown(2, 10.0, clock)
    assert [limit.retry_after("a") for _ in range(2)] == [0.0, 0.0]
    clock.now += 4
    assert limit.retry_after("a") == 6.0
    assert limit.retry_after("b") == 0.0  # another user is not held back
    clock.now += 6
    assert limit.retry_after("a") == 0.0


def test_first_refusal_once_per_window() -> None:
    """The refusal note is due once per window, not once per refused message."""
    clock = Clock()
    limit = Cooldown(1, 10.0, clock)
    assert limit.first_refusal("a") and not limit.first_refusal("a")
    clock.now += 10
    assert limit.first_refusal("a")


def test_zero_window_disables_the_limit() -> None:
    """A window of 0 seconds lets everything through."""
    limit = Cooldown(1, 0.0)
    assert all(limit.retry_after("a") == 0.0 for _ in range(100))
