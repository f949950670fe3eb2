"""Scenario spaces for the counterexample search: a :class:`SearchSpace` is a box of scenario parameters
around a base :class:`~sgmverify.theory.Scenario` that ``sgmverify falsify`` searches.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sgmverify.errors import InvalidParameterError

from ._scenario import Scenario

__all__ = ["SearchSpace"]


@dataclass
class SearchSpace:
    """A box of scenario parameters that ``sgmverify falsify`` searches for a counterexample.

    ``ranges`` maps parameter names to ``(low, high)``; names in ``log`` are searched on a log scale (their
    range must be positive), names in ``integer`` are rounded to integers.  A candidate is
    ``dataclasses.replace(base, name=..., params={**base.params, **x})``, or ``build(base, params)`` when
    ``build`` is given (use it when other scenario fields depend on the parameters, e.g. the data's
    dimension).
    """

    base: Scenario
    ranges: dict[str, tuple[float, float]]
    log: tuple[str, ...] = ()
    integer: tuple[str, ...] = ()
    build: Callable[[Scenario, dict[str, Any]], Scenario] | None = None

    def __post_init__(self) -> None:
        if not self.ranges:
            raise InvalidParameterError(
                "a SearchSpace needs at least one range, e.g. ranges={'t': (0.01, 1)}."
            )
        for name, rng in self.ranges.items():
            try:
                lo, hi = (float(v) for v in rng)
            except (TypeError, ValueError) as exc:
                raise InvalidParameterError(
                    f"search range of {name!r} must be a pair (low, high) of numbers, got {rng!r}."
                ) from exc
            if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
                raise InvalidParameterError(
                    f"search range of {name!r} must be finite with low <= high, got {rng!r}."
                )
            if name in self.log and lo <= 0:
                raise InvalidParameterError(
                    f"{name!r} is searched on a log scale, so its range must be positive; got {rng!r}."
                )
        unknown = sorted((set(self.log) | set(self.integer)) - set(self.ranges))
        if unknown:
            raise InvalidParameterError(
                f"log/integer names {unknown} have no range; add them to ranges {sorted(self.ranges)}."
            )

    def scenario(self, values: Mapping[str, Any], name: str | None = None) -> Scenario:
        """The candidate scenario at ``values`` (integers rounded)."""
        x = {k: (math.floor(float(v) + 0.5) if k in self.integer else float(v)) for k, v in values.items()}
        params = {**self.base.params, **x}
        if name is None:
            name = "search[" + ",".join(f"{k}={v:.6g}" for k, v in x.items()) + "]"
        if self.build is not None:
            sc = self.build(self.base, params)
            return dataclasses.replace(sc, name=name, params={**sc.params, **x})
        return dataclasses.replace(self.base, name=name, params=params)
