"""Telegram's sending limits, as schedules the sender waits on (pure: time is passed in).

Telegram asks for about 30 messages per second overall, no more than about one per second in a
private chat (short bursts are tolerated) and 20 per minute in a group or channel. The overall
limit is kept by spacing messages evenly, which also keeps every sliding one-second window under
the limit; chats get token buckets.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Spacing:
    """Evenly spaced slots: at most ``rate`` per second, handed out in order."""

    rate: float
    next_slot: float = 0.0

    def reserve(self, now: float) -> float:
        """Take the next free slot at or after ``now`` and return its time."""
        slot = max(now, self.next_slot)
        self.next_slot = slot + 1.0 / self.rate
        return slot


@dataclass
class TokenBucket:
    """``rate`` sends per second with up to ``burst`` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = 0.0
    blocked_until: float = 0.0

    def ready_at(self, now: float) -> float:
        """Return when the next send may happen (``now`` if at once)."""
        self._refill(now)
        ready = now if self.tokens >= 1.0 else now + (1.0 - self.tokens) / self.rate
        return max(ready, self.blocked_until)

    def take(self, now: float) -> None:
        """Use one send at ``now``."""
        self._refill(now)
        self.tokens -= 1.0

    def hold(self, until: float) -> None:
        """Allow nothing before ``until`` (Telegram answered 429 with retry_after)."""
        self.blocked_until = until
        self.tokens, self.stamp = 1.0, until

    def idle(self, now: float) -> bool:
        """Return whether the bucket is full (it can be forgotten)."""
        self._refill(now)
        return self.tokens >= self.burst and now >= self.blocked_until

    def _refill(self, now: float) -> None:
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
            return
        if now > self.stamp:
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now


@dataclass
class SendLimits:
    """The overall spacing plus one bucket per chat."""

    per_second: float = 29.0
    private_rate: float = 1.0
    private_burst: float = 3.0
    group_rate: float = 20 / 62  # a little under 20 per minute
    group_burst: float = 1.0
    overall: Spacing = field(init=False)
    chats: dict[str, TokenBucket] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.overall = Spacing(self.per_second)

    def chat(self, chat_id: str) -> TokenBucket:
        """Return the bucket of a chat (groups and channels have negative ids)."""
        bucket = self.chats.get(chat_id)
        if bucket is None:
            bucket = self.chats[chat_id] = self.new_bucket(chat_id)
        return bucket

    def new_bucket(self, chat_id: str) -> TokenBucket:
        """A full bucket for a chat, not yet remembered."""
        group = chat_id.startswith("-")
        return TokenBucket(
            self.group_rate if group else self.private_rate,
            self.group_burst if group else self.private_burst,
        )

    def forget_idle(self, now: float) -> None:
        """Drop buckets that are full again, so memory stays small."""
        for chat_id in [c for c, b in self.chats.items() if b.idle(now)]:
            del self.chats[chat_id]
