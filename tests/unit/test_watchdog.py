"""The process-wide deadline thread: deadlines fire on time, ended ones never fire, and
neither ended deadlines nor re-armed pooled alarms pile up in its heap."""

from __future__ import annotations

import os
import threading
import time

import pytest

from sqlgate.core.watchdog import _COMPACT_AFTER, Watchdog


def test_a_deadline_fires_and_a_disarmed_one_does_not():
    dog = Watchdog()
    fired, spared = threading.Event(), threading.Event()
    with dog.deadline(0.05, fired.set):
        assert fired.wait(5)
    with dog.deadline(0.05, spared.set):
        pass
    assert not spared.wait(0.3)


def test_no_deadline_means_no_alarm():
    dog = Watchdog()
    with dog.deadline(None, lambda: None):
        pass
    assert dog._heap == [] and dog._alarms == []


def test_ended_deadlines_do_not_accumulate():
    """A busy process ends thousands of statements a second, each with a 30 s deadline."""
    dog = Watchdog()
    for _ in range(20 * _COMPACT_AFTER):
        with dog.deadline(60, lambda: None):
            pass
    assert len(dog._heap) <= 2 * _COMPACT_AFTER + 2
    live = threading.Event()
    with dog.deadline(0.05, live.set):  # a live deadline survives compaction
        for _ in range(3 * _COMPACT_AFTER):
            with dog.deadline(60, lambda: None):
                pass
        assert live.wait(5)


def test_a_pooled_alarm_rearmed_for_a_shorter_time_still_fires_on_time():
    """The slot was last queued for 60 s; a 0.1 s deadline on it must not wait for that."""
    dog = Watchdog()
    with dog.deadline(60, lambda: None):
        pass
    assert len(dog._alarms) == 1
    fired = threading.Event()
    started = time.monotonic()
    with dog.deadline(0.1, fired.set):
        assert fired.wait(5)
    assert time.monotonic() - started < 3
    assert len(dog._alarms) == 1  # the same slot served both


def test_a_stale_queue_entry_never_fires_the_next_call():
    """A slot armed with a short deadline and released early is taken by a call with a long
    deadline: when the old entry's time comes, the watchdog sees the new ticket and waits."""
    dog = Watchdog()
    wrong = threading.Event()
    with dog.deadline(0.1, wrong.set):
        pass
    right = threading.Event()
    with dog.deadline(30, right.set):
        time.sleep(0.4)  # the 0.1 s entry is popped while the 30 s ticket holds the slot
        assert not wrong.is_set() and not right.is_set()
        assert dog._heap and dog._heap[0][0] > time.monotonic() + 20  # queued again for 30 s


def test_concurrent_deadlines_each_fire_their_own_action():
    """Threads arming at once get slots of their own; every short one fires its own action,
    the long ones none."""
    dog = Watchdog()
    short = [threading.Event() for _ in range(8)]
    long = [threading.Event() for _ in range(8)]
    barrier = threading.Barrier(16)

    def worker(event: threading.Event, seconds: float) -> None:
        barrier.wait(5)
        for _ in range(200):  # churn the pool while the others arm
            with dog.deadline(60, lambda: None):
                pass
        with dog.deadline(seconds, event.set):
            event.wait(seconds + 5 if seconds < 1 else 0.5)

    threads = [threading.Thread(target=worker, args=(e, 0.2)) for e in short]
    threads += [threading.Thread(target=worker, args=(e, 60)) for e in long]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert all(e.is_set() for e in short)
    assert not any(e.is_set() for e in long)
    assert len(dog._alarms) <= 16


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_fires_its_own_deadlines() -> None:
    """The parent's slot was queued for 0.5 s; a 1 s deadline on it in a child would wait for
    a watchdog thread that does not exist there, unless the fork reset the slots."""
    dog = Watchdog()
    with dog.deadline(0.5, lambda: None):
        pass
    pid = os.fork()
    if pid == 0:  # the child: report through the exit status only
        fired = threading.Event()
        with dog.deadline(1.0, fired.set):
            ok = fired.wait(10)
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
