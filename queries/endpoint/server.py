"""Running the endpoint's app on uvicorn, with a bound on how long a client may take to send its request.

uvicorn (0.54) closes idle keep-alive connections (``timeout_keep_alive``) and bounds a request's headers in
size (h11's 16 KB), but not in time: a client that sends a header byte every few seconds (slowloris) holds its
connection, and a server's worth of them hold every connection the machine can accept. ``ReadTimeout`` is
uvicorn's own h11 protocol with one timer more: from the first byte of a request (or the connection's opening)
to its last byte, at most ``read_timeout`` seconds, or the connection is closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

KEEP_ALIVE = 5  # seconds an idle connection is kept between requests (uvicorn's default)
MAX_CONNECTIONS = 2048  # connections and requests in hand at once; beyond, uvicorn answers 503


class ReadTimeout(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request does not arrive whole within ``read_timeout``."""

    read_timeout = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._read_timer: asyncio.TimerHandle | None = self.loop.call_later(self.read_timeout, self._too_slow)

    def data_received(self, data: bytes) -> None:
        if self._read_timer is None and self._between_requests():  # a new request starts: its clock starts
            self._read_timer = self.loop.call_later(self.read_timeout, self._too_slow)
        super().data_received(data)
        if self._read_timer is not None and self._request_read():
            self._read_timer.cancel()
            self._read_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _request_read(self) -> bool:
        """Whether the current request has arrived whole (headers and body)."""
        return self.cycle is not None and not self.cycle.response_complete and not self.cycle.more_body

    def _too_slow(self) -> None:
        self._read_timer = None
        if not self.transport.is_closing():
            self.logger.info("closed a connection whose request took more than %g s to arrive", self.read_timeout)
            self.transport.close()


def run(app: Starlette, host: str, port: int, read_timeout: float = 10.0, **options: Any) -> None:
    """Serve ``app`` on ``host``:``port`` until interrupted (uvicorn's own loop, signals and shutdown)."""
    protocol = type("ReadTimeout", (ReadTimeout,), {"read_timeout": read_timeout})
    uvicorn.run(app, host=host, port=port, http=protocol, timeout_keep_alive=KEEP_ALIVE,
                limit_concurrency=MAX_CONNECTIONS, **options)
