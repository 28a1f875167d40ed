"""Telegram-like flood limits for the fake Bot API (opt-in).

Telegram documents "about 30 messages per second" overall, "avoid more than one message per
second" in a single chat (short bursts are tolerated) and "no more than 20 messages per minute"
in a group. The fake models the overall and group limits as sliding windows (the documented
wording) and the private chat limit as a token bucket (rate plus burst).
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

__all__ = ["FloodControl", "RateLimits"]


@dataclass(frozen=True)
class RateLimits:
    """Limits enforced when rate limiting is on (defaults follow Telegram's documentation)."""

    global_per_second: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: int = 20


class _SlidingWindow:
    """At most ``limit`` events in any ``window`` seconds."""

    __slots__ = ("events", "limit", "window")

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self.events: deque[float] = deque()

    def wait_time(self, now: float) -> float:
        while self.events and self.events[0] <= now - self.window:
            self.events.popleft()
        if len(self.events) < self.limit:
            return 0.0
        return self.events[len(self.events) - self.limit] + self.window - now

    def take(self, now: float) -> None:
        self.events.append(now)


class _TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = now

    def wait_time(self, now: float) -> float:
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1.0


@dataclass
class FloodControl:
    """Per-bot flood state; ``check`` answers how many seconds to wait (0 = allowed)."""

    limits: RateLimits = field(default_factory=RateLimits)
    _global: _SlidingWindow | None = None
    _private: dict[int, _TokenBucket] = field(default_factory=dict)
    _groups: dict[int, _SlidingWindow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._global = _SlidingWindow(self.limits.global_per_second, 1.0)

    def acquire(self, chat_id: int, private: bool, now: float) -> int:
        """Take a send slot; return 0 if allowed, else ``retry_after`` seconds (integer ≥ 1)."""
        assert self._global is not None
        waits = [self._global.wait_time(now)]
        if private:
            bucket = self._private.get(chat_id)
            if bucket is None:
                bucket = self._private[chat_id] = _TokenBucket(
                    self.limits.private_per_second, self.limits.private_burst, now
                )
            waits.append(bucket.wait_time(now))
            chat_limiter: _SlidingWindow | _TokenBucket = bucket
        else:
            window = self._groups.get(chat_id)
            if window is None:
                window = self._groups[chat_id] = _SlidingWindow(self.limits.group_per_minute, 60.0)
            waits.append(window.wait_time(now))
            chat_limiter = window
        wait = max(waits)
        if wait > 0:
            # Telegram's retry_after is a whole number of seconds, never 0.
            return max(1, math.ceil(wait))
        self._global.take(now)
        chat_limiter.take(now)
        return 0
