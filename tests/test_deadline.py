"""The per-item deadline: an alarm in the main thread, a cooperative check in any thread."""

from __future__ import annotations

import signal
import threading
import time

import pytest

from bench.deadline import DeadlineExceeded, check_deadline, deadline


def _spin(seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # pure Python, no check: only the alarm can stop it
        pass


def test_the_alarm_stops_pure_python_work_in_the_main_thread() -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"more than 0\.2 s"), deadline(0.2):
        _spin(5)
    assert time.monotonic() - started < 2
    assert signal.getsignal(signal.SIGALRM) == signal.SIG_DFL  # the handler is put back


def test_a_check_stops_work_in_another_thread() -> None:
    found: list[BaseException] = []

    def work() -> None:
        try:
            with deadline(0.1):
                for _ in range(1000):
                    time.sleep(0.01)
                    check_deadline()
        except DeadlineExceeded as error:
            found.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=5)
    assert len(found) == 1 and found[0].seconds == 0.1


def test_work_within_its_deadline_is_untouched_and_leaves_no_alarm() -> None:
    with deadline(5):
        check_deadline()
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    check_deadline()  # no deadline outside the block
    with deadline(None):
        _spin(0.01)


def test_another_alarm_handler_is_left_alone_and_checks_still_work() -> None:
    calls: list[int] = []
    previous = signal.signal(signal.SIGALRM, lambda signum, frame: calls.append(signum))
    try:
        with pytest.raises(DeadlineExceeded), deadline(0.05):
            assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
            time.sleep(0.1)
            check_deadline()
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert calls == []
