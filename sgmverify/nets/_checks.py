"""Input and output checks shared by the numpy ``score`` wrappers of trained and loaded score networks.

A numpy score wrapper takes points :math:`x\\in\\mathbb R^{n\\times d}` and returns
:math:`s_\\theta(x, t)\\in\\mathbb R^{n\\times d}`; both must be finite (NaN never passes silently).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError


def checked_points(x: Any, dim: int, what: str) -> np.ndarray:
    """``x`` as an (n, dim) float64 array of finite numbers.

    Raises
    ------
    ShapeError
        ``x`` is not 2-D with ``dim`` columns.
    InvalidParameterError
        ``x`` contains NaN or inf (``what`` names the model in the message, e.g. ``"score network"``).
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != dim:
        raise ShapeError(f"x must have shape (n, {dim}); got {x.shape}. For one point use x[None, :].")
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError(f"x contains NaN or inf; the {what} needs finite inputs.")
    return x


def nonfinite_rows(out: np.ndarray) -> int:
    """Number of rows of the (n, d) array ``out`` holding a NaN or inf (0 when all are finite)."""
    if np.all(np.isfinite(out)):
        return 0
    return int(np.sum(~np.all(np.isfinite(out), axis=1)))
