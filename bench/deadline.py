"""A deadline on one piece of work (scoring one item with one scorer), so that no input can
stall a run: work past its deadline raises :class:`DeadlineExceeded`, which the runner
records as a problem before going on.

Two mechanisms, because a thread cannot be stopped from outside in Python:

- *cooperative*: long loops (sentence splitting chunk by chunk, key facts one by one, ROUGE
  pair by pair) call :func:`check_deadline`, which raises once the deadline has passed; this
  works in any thread and leaves every cache consistent, since it only fires between steps;
- *an alarm*: in the main thread (where the runner scores in-process, and where a scoring
  process scores), ``SIGALRM`` interrupts pure-Python work that has no check, between two
  bytecodes. It is armed only while no other SIGALRM handler is installed.

Neither can interrupt a single call into C code (a regex or a tensor operation): such work is
stopped when it returns to Python, and the runner still records it as over the deadline.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class DeadlineExceeded(Exception):
    """Work ran past its deadline."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took more than {seconds:g} s (the per-item scoring deadline)")
        self.seconds = seconds


class _State(threading.local):
    expires: float | None = None
    seconds: float = 0.0
    alarm: bool = False


_state = _State()


def check_deadline() -> None:
    """Raise :class:`DeadlineExceeded` when this thread's deadline has passed (once)."""
    expires = _state.expires
    if expires is not None and time.monotonic() > expires:
        _state.expires = None
        raise DeadlineExceeded(_state.seconds)


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _state.alarm and _state.expires is not None:
        _state.expires = None
        raise DeadlineExceeded(_state.seconds)


def _can_alarm() -> bool:
    return (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
    )


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the body with a deadline of ``seconds`` (None or 0: none); see the module's notes
    for how it is enforced."""
    if not seconds or seconds <= 0 or _state.expires is not None:
        yield  # no deadline, or one already running (the outer one governs)
        return
    _state.seconds = seconds
    _state.expires = time.monotonic() + seconds
    alarm = _can_alarm()
    previous = None
    if alarm:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        _state.alarm = True
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        _state.alarm = False
        _state.expires = None
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
