"""One running bot per database: a lease in ``meta`` that the bot holds and renews.

Two ``needfinder run`` processes on one database (a second terminal, a service started
twice) would both handle the inbox and both drain the outbox, answering customers twice.
The bot therefore takes a lease at start and renews it every few seconds. A second bot is
refused while the lease is fresh; a lease left behind by a crash is taken over once it is
stale, or at once when its process is gone from this host.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.database import Database
from storage.unit_of_work import UnitOfWork

LEASE_KEY = "bot_lease"
#: How often the holder renews, and after how long without renewal a lease is stale.
RENEW_EVERY = timedelta(seconds=5)
STALE_AFTER = timedelta(seconds=30)


class LeaseHeld(Exception):
    """Another bot holds the lease; the message is one line for the operator."""


class LeaseLost(Exception):
    """Another bot took the lease over (this one was stalled); stop at once."""


@dataclass(frozen=True)
class Holder:
    """Who holds the lease."""

    instance: str
    host: str
    pid: int
    renewed_at: datetime

    def to_json(self) -> str:
        """The stored form."""
        return json.dumps(
            {
                "instance": self.instance,
                "host": self.host,
                "pid": self.pid,
                "renewed_at": self.renewed_at.isoformat(),
            }
        )

    def stale(self, now: datetime) -> bool:
        """Whether the holder has not renewed for too long (crashed or stalled)."""
        return now - self.renewed_at >= STALE_AFTER

    @classmethod
    def from_json(cls, value: str) -> Holder | None:
        """Read the stored form (None: unreadable, treated as no lease)."""
        try:
            data = json.loads(value)
            return cls(
                str(data["instance"]),
                str(data["host"]),
                int(data["pid"]),
                datetime.fromisoformat(data["renewed_at"]),
            )
        except (ValueError, KeyError, TypeError):
            return None


async def current_holder(uow: UnitOfWork) -> Holder | None:
    """Who holds the lease according to the database (None: nobody, or unreadable)."""
    stored = await uow.meta.get(LEASE_KEY)
    return Holder.from_json(stored) if stored else None


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


class BotLease:
    """This process's claim to be the one bot on a database."""

    def __init__(
        self,
        database: Database,
        *,
        host: str | None = None,
        pid: int | None = None,
        alive: Callable[[int], bool] = process_alive,
    ) -> None:
        self.database = database
        self.me = Holder(
            uuid.uuid4().hex, host or socket.gethostname(), pid or os.getpid(), datetime.min
        )
        self.alive = alive

    async def acquire(self, now: datetime) -> None:
        """Take the lease, or raise LeaseHeld naming the bot that has it."""
        async with self.database.write() as uow:
            await uow.meta.serialise(LEASE_KEY)
            holder = await current_holder(uow)
            if holder is not None and self._held_by_another(holder, now):
                seconds = max(0, int((now - holder.renewed_at).total_seconds()))
                raise LeaseHeld(
                    f"another needfinder run (process {holder.pid} on {holder.host}, "
                    f"active {seconds} s ago) is using this database; stop it first, "
                    f"or wait {int(STALE_AFTER.total_seconds())} s if it has crashed"
                )
            await uow.meta.set(LEASE_KEY, self._renewed(now))

    async def renew(self, now: datetime) -> None:
        """Renew the lease; raise LeaseLost if another bot has taken it over."""
        async with self.database.write() as uow:
            await uow.meta.serialise(LEASE_KEY)
            holder = await current_holder(uow)
            if holder is not None and holder.instance != self.me.instance:
                raise LeaseLost(
                    f"process {holder.pid} on {holder.host} took over this database while "
                    "this bot was not responding"
                )
            await uow.meta.set(LEASE_KEY, self._renewed(now))

    async def release(self) -> None:
        """Give the lease up (only if it is still ours), so the next start need not wait."""
        async with self.database.write() as uow:
            await uow.meta.serialise(LEASE_KEY)
            holder = await current_holder(uow)
            if holder is not None and holder.instance == self.me.instance:
                await uow.meta.delete(LEASE_KEY)

    def _held_by_another(self, holder: Holder, now: datetime) -> bool:
        if holder.instance == self.me.instance or holder.stale(now):
            return False
        # A crashed bot on this host (kill -9, power cut of a container) can be replaced at
        # once; on another host only time can tell.
        if holder.host != self.me.host:
            return True
        # Our own pid under another instance id is an earlier run in this very process.
        return holder.pid != self.me.pid and self.alive(holder.pid)

    def _renewed(self, now: datetime) -> str:
        return Holder(self.me.instance, self.me.host, self.me.pid, now).to_json()
