"""Input validation primitives shared by the wings: arrays of real numbers and finite real scalars.

Non-numbers (strings, dicts, None, complex or boolean values) raise
:class:`~sgmverify.errors.InvalidTypeError`, ragged nested lists :class:`~sgmverify.errors.ShapeError`, and
numbers outside float64 (an integer beyond 1.8e308) :class:`~sgmverify.errors.InvalidParameterError`, never a
bare numpy or Python error.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError

__all__ = ["finite_real", "float_array", "real_array"]

_NOT_NUMBERS = (str, bytes, dict, set, frozenset)


def real_array(value: object, name: str) -> np.ndarray:
    """``value`` as a new float64 array (NaN and inf are kept: the caller checks the range)."""
    if value is None or isinstance(value, _NOT_NUMBERS):
        raise InvalidTypeError(
            f"{name} must be an array of real numbers, got {type(value).__name__} {value!r:.60}."
        )
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:  # ragged nested sequences
        raise ShapeError(f"{name} must be a rectangular array of real numbers: {exc}") from None
    if arr.dtype == object:
        for v in arr.flat:
            if isinstance(v, bool | np.bool_) or not isinstance(v, numbers.Real):
                raise InvalidTypeError(
                    f"{name} must contain real numbers only, got {type(v).__name__} {v!r:.60}."
                )
    elif arr.dtype.kind not in "iuf":
        raise InvalidTypeError(f"{name} must be an array of real numbers, got entries of type {arr.dtype}.")
    try:
        return np.array(arr, dtype=float)
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidParameterError(f"{name} must hold real numbers within float64 range: {exc}") from None


def float_array(value: object, name: str, what: str | None = None) -> np.ndarray:
    """``value`` as a float64 array, the lenient way of the numeric entry points (``sde`` states and times,
    ``estimates`` samples): booleans and object arrays of numbers convert, as numpy converts them.

    The caller refuses the non-numbers it knows of first (strings, ``None``, ...); here entries that are not
    booleans or real numbers raise :class:`~sgmverify.errors.InvalidTypeError` (``what``, default
    "``name`` must be an array of real numbers", then the reason) and numbers beyond float64
    :class:`~sgmverify.errors.InvalidParameterError`.
    """
    what = what or f"{name} must be an array of real numbers"
    try:
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf" and arr.dtype != object:
            raise TypeError(f"its entries are of type {arr.dtype}")
        return np.asarray(arr, dtype=float)
    except OverflowError:
        raise InvalidParameterError(f"{name} has entries too large for float64.") from None
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(f"{what} ({exc}).") from None


def finite_real(
    value: object, name: str, error: type[InvalidParameterError] = InvalidParameterError
) -> float:
    """``value`` as a finite float; InvalidTypeError for non-numbers, ``error`` for NaN, inf or overflow."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(
            f"{name} must be a finite real number, got {type(value).__name__} {value!r:.60}."
        )
    try:
        v = float(value)
    except OverflowError:
        v = math.inf
    if not math.isfinite(v):
        raise error(f"{name} must be a finite real number, got {value!r:.60}.")
    return v
