"""The per-check context: values computed once per check and shared by its stages.

While one check runs, its ``bound_params(scenario)`` and ``measure(scenario, rng)`` often need the same
expensive value (a trained network, a fitted constant, a sample).  :meth:`Scenario.shared
<sgmverify.theory.Scenario.shared>` computes such a value once and caches it in the context of the running
check; the check pipeline (:func:`sgmverify.run.run_check`) opens a fresh context for every check with
:func:`check_context` and closes it when the check ends, so nothing leaks between checks or processes.

The context lives in a :class:`contextvars.ContextVar`: it belongs to the thread (or task) that runs the
check.  Outside a check :func:`shared` simply calls ``compute()``.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

__all__ = ["check_context", "shared"]

T = TypeVar("T")

_CURRENT: contextvars.ContextVar[dict[Hashable, Any] | None] = contextvars.ContextVar(
    "sgmverify_check_context", default=None
)


@contextlib.contextmanager
def check_context() -> Iterator[None]:
    """Open a fresh, empty per-check context for the block; the previous one (if any) comes back after it.

    Used by the check pipeline around one check; contexts nest (a check run inside another check gets its
    own context and does not see the outer one's values).
    """
    token = _CURRENT.set({})
    try:
        yield
    finally:
        _CURRENT.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, cached under ``key`` for the rest of the current check.

    Within one check the first call computes and stores the value; later calls with an equal ``key`` return
    the stored value (``compute`` is not called again).  If ``compute`` raises, nothing is stored and the
    next call computes again.  Outside a check (no :func:`check_context` open) it just returns
    ``compute()``, uncached.
    """
    cache = _CURRENT.get()
    if cache is None:
        return compute()
    if key in cache:
        return cache[key]
    value = compute()
    cache[key] = value
    return value
