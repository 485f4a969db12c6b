"""A deadline for a whole HTTP exchange, not for each read.

httpx's timeouts apply to each socket operation: a receiver that trickles one
byte every few seconds never trips them and can hold a dispatcher thread for
ever. One watchdog thread keeps the deadlines of the exchanges in flight and
shuts the socket of any that passes its own, which wakes the blocked read.
One thread for all exchanges, rather than a timer per request, because the
dispatcher sends about a thousand requests per second.
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from typing import Any


class Watchdog:
    def __init__(self) -> None:
        self._heap: list[tuple[float, int]] = []
        self._sockets: dict[int, list[Any]] = {}
        self._ids = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float) -> int:
        """Register an exchange ending at `deadline` (monotonic); returns its ticket."""
        with self._cond:
            ticket = next(self._ids)
            self._sockets[ticket] = []
            earliest = not self._heap or deadline < self._heap[0][0]
            heapq.heappush(self._heap, (deadline, ticket))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="webhook-watchdog",
                                                daemon=True)
                self._thread.start()
            if earliest:  # only a new earliest deadline needs the thread to wake sooner
                self._cond.notify()
            return ticket

    def attach(self, ticket: int, stream: Any) -> None:
        """Bind a network stream (httpcore's) to the ticket: this is what gets shut."""
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is None:
            return
        with self._cond:
            if ticket in self._sockets:
                self._sockets[ticket].append(sock)

    def done(self, ticket: int) -> None:
        with self._cond:
            self._sockets.pop(ticket, None)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][1] not in self._sockets:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait(timeout=5)
                    if not self._heap:
                        continue
                deadline, ticket = self._heap[0]
                wait = deadline - time.monotonic()
                if wait > 0:
                    self._cond.wait(timeout=wait)
                    continue
                heapq.heappop(self._heap)
                expired = self._sockets.pop(ticket, [])
            for sock in expired:
                try:  # the base method: an SSLSocket's own would drop its SSL object
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass
