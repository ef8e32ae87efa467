"""The process-wide deadline thread: deadlines fire, and ended ones do not pile up."""

from __future__ import annotations

import threading

from sqlgate.core.watchdog import _COMPACT_AFTER, Watchdog


def test_a_deadline_fires_and_a_disarmed_one_does_not():
    dog = Watchdog()
    fired, spared = threading.Event(), threading.Event()
    with dog.deadline(0.05, fired.set):
        assert fired.wait(5)
    with dog.deadline(0.05, spared.set):
        pass
    assert not spared.wait(0.3)


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
