"""A real uvicorn serving the dashboard on an ephemeral loopback port, in a thread."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Callable
from types import TracebackType

from uvicorn import Config

from needfinder.web.context import WebContext
from needfinder.web.server import DashboardServer, bind_socket, server_config
from storage.database import Database


class _SignallingServer(DashboardServer):
    """Sets an event once it accepts connections (no polling or sleeping to find out)."""

    def __init__(self, config: Config, ready: threading.Event) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class LiveServer:
    """Runs the dashboard until the ``with`` block ends; ``url`` is where it listens.

    The server thread opens its own Database: async engines belong to the event loop that
    made their connections, and this loop is not the test's.
    """

    def __init__(self, database_url: str, make_context: Callable[[Database], WebContext]) -> None:
        self.database_url = database_url
        self.make_context = make_context
        self.sock = bind_socket("127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.ready = threading.Event()
        self.server: _SignallingServer | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="dashboard", daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        if not self.ready.wait(timeout=30):
            raise RuntimeError(f"dashboard did not start: {self.error!r}")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()
        assert not self.thread.is_alive(), "dashboard did not stop"

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported by __enter__ if startup never happened
            self.error = error
            self.ready.set()
            raise

    async def _serve(self) -> None:
        database = Database(self.database_url)
        try:
            self.server = _SignallingServer(server_config(self.make_context(database)), self.ready)
            await self.server.serve(sockets=[self.sock])
        finally:
            await database.dispose()
