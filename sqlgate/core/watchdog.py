"""Deadlines for blocking driver calls: one daemon thread for the whole process.

A driver call that waits on a server which never answers (a stalled process, a port that
accepts and stays silent) would block forever; libpq has no read timeout. A session arms a
deadline around each call; when it passes, the session's ``on_expiry`` runs on a short-lived
thread of its own (so a slow cancel cannot delay other deadlines): typically a protocol
cancel first and, if the call is still blocked after a grace period, closing the socket.

Arming and disarming cost a heap push and a flag: no thread is started per statement.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

_log = logging.getLogger("sqlgate.watchdog")
_COMPACT_AFTER = 1024  # disarmed entries tolerated before the heap is rebuilt


class _Deadline:
    __slots__ = ("action", "active", "at")

    def __init__(self, at: float, action: Callable[[], None]) -> None:
        self.at, self.action, self.active = at, action, True


class Watchdog:
    """Runs ``action`` of every armed deadline that is still armed when its time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._disarmed = 0  # entries in the heap whose block has ended

    @contextmanager
    def deadline(self, seconds: float | None, action: Callable[[], None]) -> Iterator[None]:
        """Arm ``action`` to run after ``seconds`` unless the block ends first."""
        if seconds is None:
            yield
            return
        entry = _Deadline(time.monotonic() + seconds, action)
        with self._cond:
            heapq.heappush(self._heap, (entry.at, next(self._counter), entry))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="sqlgate-watchdog", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is entry:
                self._cond.notify()
        try:
            yield
        finally:
            entry.active = False
            self._forget_disarmed()

    def _forget_disarmed(self) -> None:
        """Drop disarmed entries once they are most of the heap: a statement's deadline
        (e.g. 30 s) outlives its statement (ms), so without this a busy process keeps one
        dead entry per statement until its time would have come."""
        with self._cond:
            self._disarmed += 1
            if self._disarmed > _COMPACT_AFTER and self._disarmed * 2 > len(self._heap):
                self._heap = [item for item in self._heap if item[2].active]
                heapq.heapify(self._heap)
                self._disarmed = 0

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and not self._heap[0][2].active:
                    heapq.heappop(self._heap)  # disarmed: drop without waiting
                    self._disarmed = max(0, self._disarmed - 1)
                wait = self._heap[0][0] - time.monotonic() if self._heap else 60.0
                if wait > 0:
                    self._cond.wait(min(wait, 60.0))
                    continue
                _, _, entry = heapq.heappop(self._heap)
            if entry.active:
                threading.Thread(
                    target=_safely, args=(entry.action,), daemon=True, name="sqlgate-deadline"
                ).start()


def _safely(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception:  # the blocked call reports the failure; this is best effort
        _log.debug("deadline action failed", exc_info=True)


WATCHDOG = Watchdog()
