"""Serving the dashboard with uvicorn on a socket bound beforehand."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from needfinder.web.app import create_app
from needfinder.web.context import WebContext

_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class DashboardServer(uvicorn.Server):
    """uvicorn whose SIGTERM/SIGINT only stop serving.

    Plain uvicorn raises the signal again once it has shut down, which kills the process
    before the command closes its database; here ``serve`` simply returns. A second signal
    forces the exit without waiting for open connections.
    """

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        """Stop on SIGTERM/SIGINT while serving (only the main thread receives signals)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = asyncio.get_running_loop()
        for sig in _STOP_SIGNALS:
            loop.add_signal_handler(sig, self._stop)
        try:
            yield
        finally:
            for sig in _STOP_SIGNALS:
                loop.remove_signal_handler(sig)

    def _stop(self) -> None:
        if self.should_exit:
            self.force_exit = True
        self.should_exit = True


def bind_socket(host: str, port: int) -> socket.socket:
    """Return a listening TCP socket on ``host``:``port`` (port 0: any free one; OSError)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def server_config(web: WebContext) -> uvicorn.Config:
    """Return uvicorn's configuration for the dashboard (our JSON logs, no access log)."""
    return uvicorn.Config(
        create_app(web),
        log_config=None,
        # Request lines would carry login tokens (in paths) and search words (in query strings).
        access_log=False,
        server_header=False,
        lifespan="off",
    )


async def serve(web: WebContext, sock: socket.socket) -> None:
    """Serve the dashboard on ``sock`` until SIGTERM or SIGINT."""
    await DashboardServer(server_config(web)).serve(sockets=[sock])
