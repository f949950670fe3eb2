"""Validation of the inputs of :class:`~sgmverify.sde.LinearSDE`: parameters, times, states, broadcasting.

States and times are converted to float arrays; strings, complex numbers, None and other objects raise
:class:`~sgmverify.errors.InvalidTypeError`, NaN or infinite states
:class:`~sgmverify.errors.InvalidParameterError` (:func:`finite_state`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from sgmverify._validate import float_array
from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.symbolic import is_mpmath, is_torch

__all__ = ["col", "finite_state", "param_dict", "state", "times"]


def param_dict(params: Any) -> dict:
    """``params`` as a dict of parameter name -> value; InvalidTypeError unless a mapping with name keys."""
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidTypeError(
            f"params must be a mapping of parameter name -> number (e.g. {{'beta': 2.0}}), got "
            f"{type(params).__name__} {params!r}."
        )
    bad = [k for k in params if not (isinstance(k, str) and k.isidentifier())]
    if bad:
        raise InvalidTypeError(f"parameter names must be identifiers such as 'beta', got {bad!r}.")
    return dict(params)


def col(c: Any, x: Any, what: str) -> Any:
    """Reshape a per-sample coefficient (n,) to (n, 1) so it broadcasts against x of shape (n, d).

    ``c`` has the shape of the times; ShapeError (naming both shapes) when they do not fit ``x``.
    """
    if np.ndim(c) == 1 and np.ndim(x) == 2:
        if len(c) != np.shape(x)[0]:
            raise ShapeError(
                f"{what}: t has shape {tuple(np.shape(c))} but x has shape {tuple(np.shape(x))}; pass "
                f"one time per row of x (t of shape ({np.shape(x)[0]},)) or a scalar t."
            )
        return c[:, None]
    try:
        np.broadcast_shapes(tuple(np.shape(c)), tuple(np.shape(x)))
    except ValueError:
        raise ShapeError(
            f"{what}: t has shape {tuple(np.shape(c))} but x has shape {tuple(np.shape(x))}; pass x of shape "
            "(d,) or (n, d) with a scalar t, or t of shape (n,) with x of shape (n, d)."
        ) from None
    return c


def state(x: Any, name: str) -> Any:
    """``x`` as a float array (array-likes such as nested lists are converted); torch tensors, mpmath
    numbers and float arrays pass unchanged; anything else raises InvalidTypeError."""
    if is_torch(x) or is_mpmath(x) or (isinstance(x, np.ndarray) and x.dtype.kind == "f"):
        return x
    if isinstance(x, float):
        return x
    if x is None or isinstance(x, str | bytes | dict | bool | complex):
        raise InvalidTypeError(f"{name} must be an array of real numbers, got {type(x).__name__} {x!r}.")
    return float_array(x, name)


def times(t: Any) -> np.ndarray:
    """Times as a float array; InvalidTypeError for strings, complex numbers, None or other objects."""
    if t is None or isinstance(t, str | bytes | dict | complex):
        raise InvalidTypeError(
            f"time t must be a real number or an array of them, got {type(t).__name__} {t!r}."
        )
    return float_array(t, "time t", "time t must be a real number or an array of them")


def finite_state(x: Any, name: str) -> Any:
    """:func:`state`, refusing NaN or infinite entries (InvalidParameterError naming ``name``)."""
    x = state(x, name)
    if is_torch(x):
        import torch

        finite = bool(torch.all(torch.isfinite(x)))
    elif is_mpmath(x):
        finite = bool(np.isfinite(complex(x)))
    else:
        finite = bool(np.all(np.isfinite(x)))
    if not finite:
        raise InvalidParameterError(
            f"{name} contains NaN or inf; pass finite values (a sampler that diverged should stop before)."
        )
    return x
