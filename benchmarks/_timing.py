"""Shared timing helper of the benchmark scripts (run as `python benchmarks/<script>.py`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any


def median_time(fn: Callable[..., Any], repeats: int, *args: Any) -> tuple[float, Any]:
    """Median wall time (s) of ``fn(*args)`` over ``repeats`` calls, and the last call's value."""
    times, value = [], None
    for _ in range(max(int(repeats), 1)):
        start = time.perf_counter()
        value = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), value
