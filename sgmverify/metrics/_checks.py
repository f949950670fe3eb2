"""Input checks shared by the metrics: arrays of real numbers, real scalars, levels, counts, generators.

Every check raises a specific :mod:`sgmverify.errors` class (never a bare numpy/Python error):
:class:`~sgmverify.errors.InvalidTypeError` for a value of the wrong kind (a string, dict, None, a complex
or boolean number where a real number is expected), :class:`~sgmverify.errors.ShapeError` for a ragged
nested list, :class:`~sgmverify.errors.InvalidParameterError` for a value out of range (NaN, inf, a
number beyond float64).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from sgmverify._validate import real_array
from sgmverify.errors import InvalidParameterError, InvalidTypeError

__all__ = [
    "MAX_DENSE_BYTES",
    "as_rng",
    "check_count",
    "check_dense",
    "check_level",
    "finite_array",
    "finite_number",
    "finite_result",
    "real_array",
    "real_number",
]

#: Largest dense float64 array a metric allocates from a small input (2 GiB).
MAX_DENSE_BYTES = 2**31


def finite_array(value: object, name: str) -> np.ndarray:
    """``value`` as a float64 array of finite real numbers (see the module docstring for the errors)."""
    arr = real_array(value, name)
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} contains NaN or inf; pass finite values.")
    return arr


def real_number(value: object, name: str) -> float:
    """``value`` as a float: a real number (Python, numpy, 0-d array); NaN and inf are returned (the caller
    checks the range), non-numbers raise InvalidTypeError, numbers beyond float64 InvalidParameterError."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a real number, got {type(value).__name__} {value!r:.60}.")
    try:
        return float(value)
    except OverflowError:
        raise InvalidParameterError(f"{name} = {value!r:.60} is beyond the float64 range.") from None


def check_level(level: object) -> float:
    """A confidence level in (0, 1)."""
    lv = real_number(level, "level")
    if not 0 < lv < 1:
        raise InvalidParameterError(f"level must lie in (0, 1), got {level!r}.")
    return lv


def check_count(value: object, name: str, minimum: int = 1) -> int:
    """An integer (Python or numpy, not a bool) >= ``minimum``."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidParameterError(f"{name} must be an integer >= {minimum}, got {value!r:.60}.")
    return int(value)


def check_dense(n_values: float, what: str) -> None:
    """InvalidParameterError (before allocating) when ``n_values`` float64 numbers exceed MAX_DENSE_BYTES."""
    if 8.0 * float(n_values) > MAX_DENSE_BYTES:
        raise InvalidParameterError(
            f"{what} would need {8.0 * float(n_values) / 2**30:.3g} GiB of memory (limit "
            f"{MAX_DENSE_BYTES / 2**30:g} GiB); use fewer samples or directions."
        )


def as_rng(rng: object, what: str) -> np.random.Generator:
    """A numpy Generator from ``rng``: a Generator, a BitGenerator / SeedSequence, or an integer seed >= 0."""
    if rng is None:
        raise InvalidParameterError(
            f"{what} is random: pass rng (a numpy Generator or an integer seed) so the run is reproducible."
        )
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, np.random.BitGenerator | np.random.SeedSequence):
        return np.random.default_rng(rng)
    if isinstance(rng, bool | np.bool_) or not isinstance(rng, numbers.Integral) or rng < 0:
        raise InvalidTypeError(
            f"rng for {what} must be a numpy Generator or an integer seed >= 0, got {type(rng).__name__} "
            f"{rng!r:.60}."
        )
    return np.random.default_rng(int(rng))


def finite_number(value: object, name: str) -> float:
    """A finite real number."""
    v = real_number(value, name)
    if not math.isfinite(v):
        raise InvalidParameterError(f"{name} must be finite, got {value!r}.")
    return v


def finite_result(value: float, what: str) -> float:
    """``value`` if finite; InvalidParameterError when the inputs were so large that float64 overflowed."""
    if not math.isfinite(value):
        raise InvalidParameterError(
            f"{what} overflows float64 (got {value}): the inputs are too large; rescale them."
        )
    return value
