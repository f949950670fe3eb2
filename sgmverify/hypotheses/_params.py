"""The keyword options of :func:`sgmverify.hypotheses.check_assumption`, validated: finite reals / integers
in range for the numeric ones (``m``, ``L``, ``k``, ``beta``, ``C``, ``max_seconds``, ``R``, ``n_search``,
``seed``, ``max_boxes``), and the shapes of ``vars``, ``support``, ``log`` and ``box``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from sgmverify.errors import InvalidParameterError

#: numeric options: name -> (integer?, lowest value, whether the lowest value itself is allowed)
_NUMERIC = {
    "m": (False, 0.0, True),
    "L": (False, 0.0, True),
    "k": (False, 0.0, True),
    "beta": (False, 0.0, False),
    "C": (False, 0.0, True),
    "max_seconds": (False, 0.0, False),
    "R": (False, 0.0, False),
    "n_search": (True, 1, True),
    "seed": (True, 0, True),
    "max_boxes": (True, 1, True),
}
#: most random search points of the mixture search (each is a Hessian evaluation)
MAX_SEARCH = 10**6


def _validated_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword options with their numbers checked (finite reals / integers in range) and converted;
    InvalidParameterError for anything else.  Non-numeric options (box, support, vars, ...) pass as given."""
    out = dict(params)
    for name, (integer, low, closed) in _NUMERIC.items():
        v = out.get(name)
        if v is None:
            continue
        if isinstance(v, np.ndarray) and v.ndim == 0:
            v = v[()]
        kind = numbers.Integral if integer else numbers.Real
        if isinstance(v, bool | np.bool_) or not isinstance(v, kind):
            what = "an integer" if integer else "a real number"
            raise InvalidParameterError(f"{name} must be {what}, got {type(v).__name__} {v!r:.60}.")
        try:
            f = int(v) if integer else float(v)
        except OverflowError:
            f = math.inf
        if not (math.isfinite(f) and (f >= low if closed else f > low)) or (
            name == "n_search" and f > MAX_SEARCH
        ):
            bound = f">= {low}" if closed else f"> {low}"
            raise InvalidParameterError(f"{name} must be finite and {bound}, got {v!r:.60}.")
        out[name] = f
    names = out.get("vars")
    if names is not None and not (
        isinstance(names, list | tuple) and all(isinstance(v, str | sp.Symbol) for v in names)
    ):
        raise InvalidParameterError(f"vars must be a list of 2 or 3 variable names, got {names!r:.60}.")
    if isinstance(out.get("support"), tuple | list) and not out["support"]:
        out["support"] = None  # the real line (the default)
    if "log" in out and not isinstance(out["log"], bool | np.bool_):
        raise InvalidParameterError(f"log must be True or False, got {out['log']!r:.60}.")
    box = out.get("box")
    if isinstance(box, Mapping) and out.get("vars") is None:
        raise InvalidParameterError(
            f"box must be a pair (lo, hi) for a 1-D density; a mapping box {box!r:.60} needs vars=[...]."
        )
    if box is not None and not isinstance(box, Mapping):
        try:
            lo, hi = (float(b) for b in box)  # a 1-D box (lo, hi)
        except (TypeError, ValueError, OverflowError):
            raise InvalidParameterError(
                f"box must be a pair (lo, hi) of real numbers, got {box!r:.60}."
            ) from None
        out["box"] = (lo, hi)
    return out
