"""Input checks of the samplers: forward processes (and the shared real-array / real-scalar primitives).

Non-numbers (strings, dicts, None, complex or boolean values) raise
:class:`~sgmverify.errors.InvalidTypeError`, ragged nested lists :class:`~sgmverify.errors.ShapeError`, and
numbers outside float64 (an integer beyond 1.8e308) :class:`~sgmverify.errors.InvalidParameterError`, never a
bare numpy or Python error.
"""

from __future__ import annotations

import numbers

from sgmverify._validate import finite_real, real_array
from sgmverify.errors import InvalidTypeError

__all__ = ["check_process", "finite_real", "real_array"]

#: what a sampler uses of a forward process (the contract of :class:`sgmverify.sde.LinearSDE`)
PROCESS_API = ("t_max", "mean_coeff", "var", "std", "diffusion", "reverse_drift", "transition")


def check_process(process: object, needs: tuple[str, ...] = PROCESS_API) -> object:
    """``process`` if it has the attributes ``needs`` (methods callable, ``t_max`` a real number > 0);
    InvalidTypeError otherwise (a string, None, a class instead of an instance, ...)."""
    missing = [
        n for n in needs if not hasattr(process, n) or (n != "t_max" and not callable(getattr(process, n)))
    ]
    t_max = getattr(process, "t_max", None) if "t_max" in needs else 1.0
    if missing or isinstance(t_max, bool) or not isinstance(t_max, numbers.Real) or not t_max > 0:
        raise InvalidTypeError(
            f"process must be a forward process such as sgmverify.sde.VP(0.1, 20) (with {', '.join(needs)}), "
            f"got {type(process).__name__} {process!r:.60}"
            + (f" (missing {', '.join(missing)})" if missing else "")
        )
    return process
