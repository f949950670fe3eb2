"""Time limits: one for a single sympy call in the main thread, one for a whole check in any thread.

:func:`time_limited` arms ``ITIMER_REAL`` for one call (a sympy integration that may run away);
:class:`TimeLimit` bounds a whole check with a watchdog thread and does not use the interval timer, so the two
nest without cancelling each other.
"""

from __future__ import annotations

import ctypes
import signal
import threading
from collections.abc import Callable
from typing import Any

from sgmverify.errors import CheckTimeoutError

__all__ = ["TimeLimit", "time_limited"]


def time_limited(fn: Callable[[], Any], seconds: float) -> Any:
    """Run ``fn()``; raise TimeoutError after ``seconds`` (enforced only in the main thread, via SIGALRM)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return fn()

    def _raise(signum, frame):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


class TimeLimit:
    """Context manager raising :class:`CheckTimeoutError` in the calling thread after ``seconds``.

    A watchdog thread waits for the deadline, then interrupts the thread that entered, and again every
    0.5 s until the block exits (so a timeout swallowed by a broad ``except`` in user code still ends
    the check).  In the main thread it sends ``SIGALRM`` with :func:`signal.pthread_kill` (which also
    interrupts ``time.sleep`` and blocking waits); it does not use ``setitimer``, so code that arms its
    own ``ITIMER_REAL`` (e.g. :func:`time_limited`) cannot cancel it.  In any other
    thread (e.g. a Dask worker thread) it injects the exception asynchronously, which takes effect at
    the next Python bytecode.  ``fired`` tells whether the deadline passed.
    """

    exception = CheckTimeoutError

    def __init__(self, seconds: float | None) -> None:
        self.seconds = float(seconds) if seconds else 0.0
        self.fired = False
        self._armed = False
        self._thread: threading.Thread | None = None

    def _handler(self, signum: int, frame: Any) -> None:
        if self._armed and self.fired:
            raise CheckTimeoutError(f"timed out after {self.seconds:g} s")
        if callable(self._old):  # someone else's SIGALRM (e.g. their own setitimer): pass it on
            self._old(signum, frame)

    def _interrupt(self) -> None:
        if self._main:
            signal.pthread_kill(self._tid, signal.SIGALRM)
        else:
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(self._tid), ctypes.py_object(CheckTimeoutError)
            )

    def _watch(self) -> None:
        if self._stop.wait(self.seconds):
            return
        self.fired = True
        while self._armed:
            self._interrupt()
            if self._stop.wait(0.5):
                return

    def __enter__(self) -> TimeLimit:
        if self.seconds <= 0:
            return self
        self._tid = threading.get_ident()
        self._main = threading.current_thread() is threading.main_thread() and hasattr(signal, "pthread_kill")
        if self._main:
            self._old = signal.signal(signal.SIGALRM, self._handler)
        self._stop = threading.Event()
        self._armed = True
        self._thread = threading.Thread(target=self._watch, name="sgmverify-timeout", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._thread is None:
            return
        while True:  # a last interrupt may land while disarming: disarm again
            try:
                self._armed = False
                self._stop.set()
                self._thread.join()
                if self._main:
                    signal.signal(signal.SIGALRM, self._old if self._old is not None else signal.SIG_DFL)
                else:  # drop an exception injected but not yet raised
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._tid), None)
                break
            except CheckTimeoutError:
                continue
        self._thread = None
