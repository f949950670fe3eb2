"""A :class:`Scenario`: the concrete setting a theorem is checked on (data × process × sampler × params)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from sgmverify.errors import InvalidTypeError

from ._context import shared
from ._hashing import describe_object

__all__ = ["Scenario"]

T = TypeVar("T")


@dataclass
class Scenario:
    """A concrete setting on which a theorem is tested.

    ``params`` are the numbers the bound is evaluated at (and that the measurement uses); ``sweep`` names
    the params that vary across a theorem's scenarios (the report plots along them).  ``quick`` scenarios
    run in ``--quick`` mode; all run in ``--full``.
    """

    name: str
    data: Any = None
    process: Any = None
    sampler: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    quick: bool = True
    sweep: tuple[str, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not (isinstance(self.name, str) and self.name):
            raise InvalidTypeError(f"a scenario's name must be a non-empty string, got {self.name!r}.")
        if not isinstance(self.params, Mapping) or not all(isinstance(k, str) for k in self.params):
            raise InvalidTypeError(
                f"scenario {self.name!r}: params must be a dict of name -> value, got {self.params!r}."
            )
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or self.seed < 0:
            raise InvalidTypeError(
                f"scenario {self.name!r}: seed must be an integer >= 0 (it seeds numpy's Generator), "
                f"got {self.seed!r}."
            )
        if not isinstance(self.quick, bool | np.bool_):
            raise InvalidTypeError(
                f"scenario {self.name!r}: quick must be True or False, got {self.quick!r}."
            )
        if not isinstance(self.sweep, tuple | list) or not all(isinstance(k, str) for k in self.sweep):
            raise InvalidTypeError(
                f"scenario {self.name!r}: sweep must be a tuple of parameter names, e.g. ('t',), "
                f"got {self.sweep!r}."
            )

    def describe(self) -> dict:
        """A JSON-able description (used in results and in the content hash)."""
        return {
            "name": self.name,
            "data": describe_object(self.data),
            "process": describe_object(self.process),
            "sampler": describe_object(self.sampler),
            "params": {k: describe_object(v) for k, v in self.params.items()},
            "seed": self.seed,
            "sweep": list(self.sweep),
        }

    def shared(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, computed once per check and shared by its ``bound_params`` and ``measure``.

        While a check runs (:func:`sgmverify.run.run_check`), the first call with ``key`` computes the value
        and later calls with an equal ``key`` return it; the cache is fresh for every check and dropped when
        the check ends.  A ``compute`` that raises stores nothing.  Outside a running check it just calls
        ``compute()``.  The key must identify the value within the check (e.g. ``("network", width)``).

        Examples
        --------
        >>> sc = Scenario("s", params={"n": 3})
        >>> sc.shared("square", lambda: sc.params["n"] ** 2)  # outside a check: computed, not cached
        9
        """
        return shared(key, compute)
