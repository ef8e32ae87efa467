"""Deadlines for blocking driver calls: one daemon thread for the whole process.

A driver call that waits on a server which never answers (a stalled process, a port that
accepts and stays silent) would block forever; libpq has no read timeout. A session arms a
deadline around each call; when it passes, the session's ``on_expiry`` runs on a short-lived
thread of its own (so a slow cancel cannot delay other deadlines): typically a protocol
cancel first and, if the call is still blocked after a grace period, closing the socket.

Arming is on every statement's path, so in the steady state it takes no lock and touches
no heap. A deadline is an :class:`Alarm` taken from a pool; arming stores one tuple
(``ticket``: when, what) and reads when the watchdog will next look at that alarm
(``queued``). Only when that is later than the new deadline (a fresh alarm, or one last
armed for a longer time) is the alarm pushed on the heap under the lock. When the watchdog
looks at an alarm early (its deadline moved on since), it queues it again for the current
deadline; when it finds the deadline passed, it fires. A statement's deadline (e.g. 900 s)
outlives its statement (ms): re-arming a pooled alarm for a later time needs no push at all.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import threading
import weakref
from collections.abc import Callable
from time import monotonic
from typing import Any

_log = logging.getLogger("sqlgate.watchdog")
_COMPACT_AFTER = 1024  # stale heap entries tolerated before the heap is rebuilt
_NEVER = float("inf")
_IDLE_WAIT = 60.0

Ticket = tuple[float, Callable[[], None]]


class Alarm:
    """One pooled deadline slot; ``ticket`` is (when, action) while armed, else None.

    The ticket is one object stored and read whole, so the watchdog never pairs one call's
    time with another call's action, even while the slot passes from call to call.
    """

    __slots__ = ("queued", "ticket")

    def __init__(self) -> None:
        self.ticket: Ticket | None = None
        #: when the watchdog will look at this alarm (inf: it will not); written under the lock
        self.queued = _NEVER


class _Armed:
    """``with watchdog.deadline(s, action):`` (also entered and left by hand)."""

    __slots__ = ("_action", "_alarm", "_dog", "_seconds")

    def __init__(self, dog: Watchdog, seconds: float, action: Callable[[], None]) -> None:
        self._dog, self._seconds, self._action = dog, seconds, action
        self._alarm: Alarm | None = None

    def __enter__(self) -> None:
        dog = self._dog
        pool = dog._pool
        alarm = self._alarm = pool.pop() if pool else dog._new_alarm()
        at = monotonic() + self._seconds
        alarm.ticket = (at, self._action)  # the ticket first, then ``queued``: see _pop_due
        if alarm.queued > at:
            dog._queue(alarm, at)

    def __exit__(self, *exc: object) -> None:
        alarm, self._alarm = self._alarm, None
        if alarm is not None:
            alarm.ticket = None
            self._dog._pool.append(alarm)


class _Unarmed:
    """The deadline of a call without a time limit: nothing to do."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


_UNARMED = _Unarmed()


class Watchdog:
    """Runs the action of every armed deadline that is still armed when its time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Alarm]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        #: free alarms; list.pop/append are atomic, so taking one needs no lock
        self._pool: list[Alarm] = []
        self._alarms: list[Alarm] = []  # every alarm made (as many as deadlines ever at once)
        self._stale = 0  # heap entries superseded by an earlier one for the same alarm
        if hasattr(os, "register_at_fork"):  # weakly: a test's watchdog may go away
            forget = weakref.WeakMethod(self._forget_parent)
            os.register_at_fork(after_in_child=lambda: _call_if_alive(forget))

    def deadline(self, seconds: float | None, action: Callable[[], None]) -> Any:
        """A context manager that arms ``action`` to run after ``seconds`` unless the block
        ends first (``None``: no deadline)."""
        if seconds is None:
            return _UNARMED
        return _Armed(self, seconds, action)

    def _new_alarm(self) -> Alarm:
        alarm = Alarm()
        self._alarms.append(alarm)
        return alarm

    def _queue(self, alarm: Alarm, at: float) -> None:
        """Make the watchdog look at ``alarm`` at ``at`` (the slow path of arming)."""
        with self._cond:
            if alarm.queued <= at:
                return  # another thread queued it in time meanwhile
            if alarm.queued != _NEVER:
                self._stale += 1  # its later entry stays in the heap until popped
            alarm.queued = at
            heapq.heappush(self._heap, (at, next(self._counter), alarm))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="sqlgate-watchdog", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is alarm:
                self._cond.notify()
            if self._stale > _COMPACT_AFTER and self._stale * 2 > len(self._heap):
                self._heap = [item for item in self._heap if item[2].queued == item[0]]
                heapq.heapify(self._heap)
                self._stale = 0

    def _pop_due(self, now: float) -> list[Ticket]:
        """Under the lock: the tickets whose time has come; alarms armed since for a later
        time are queued again for it."""
        due: list[Ticket] = []
        heap = self._heap
        while heap and heap[0][0] <= now:
            when, _, alarm = heapq.heappop(heap)
            if alarm.queued != when:
                self._stale = max(0, self._stale - 1)
                continue  # superseded by an earlier entry for the same alarm
            # first ``queued`` (the arming thread reads it after writing its ticket), then the
            # ticket: either this sees the new ticket, or that thread sees ``inf`` and queues
            alarm.queued = _NEVER
            ticket = alarm.ticket
            if ticket is None:
                continue
            if ticket[0] <= now:
                due.append(ticket)
            else:
                alarm.queued = ticket[0]
                heapq.heappush(heap, (ticket[0], next(self._counter), alarm))
        return due

    def _run(self) -> None:
        while True:
            with self._cond:
                now = monotonic()
                due = self._pop_due(now)
                if not due:
                    wait = self._heap[0][0] - now if self._heap else _IDLE_WAIT
                    self._cond.wait(min(wait, _IDLE_WAIT))
                    continue
            for _, action in due:
                threading.Thread(
                    target=_safely, args=(action,), daemon=True, name="sqlgate-deadline"
                ).start()

    def _forget_parent(self) -> None:
        """In a forked child: no watchdog thread runs, and the parent's alarms are not ours."""
        self._cond = threading.Condition(threading.Lock())
        self._thread = None
        self._heap = []
        self._stale = 0
        for alarm in self._alarms:  # a call armed across the fork keeps its alarm: requeue
            alarm.queued = _NEVER


def _call_if_alive(method: weakref.WeakMethod[Callable[[], None]]) -> None:
    bound = method()
    if bound is not None:
        bound()


def _safely(action: Callable[[], None]) -> None:
    try:
        action()
    except Exception:  # the blocked call reports the failure; this is best effort
        _log.debug("deadline action failed", exc_info=True)


WATCHDOG = Watchdog()
