"""The one verdict rule: :class:`Verdict`, :class:`Direction`, what a theorem may expect, and :func:`decide`.

Every verdict in sgmverify comes from :func:`decide` — the check pipeline, the falsifier and the reports
all use this one function, so "HOLDS" means the same thing everywhere.
"""

from __future__ import annotations

import enum
import math

from sgmverify.errors import InvalidParameterError, InvalidTypeError
from sgmverify.estimates import Estimate

__all__ = ["EXPECTATIONS", "Direction", "Verdict", "decide", "expected_verdict"]


class Verdict(str, enum.Enum):
    """Outcome of a check."""

    HOLDS = "HOLDS"
    VIOLATED = "VIOLATED"
    INCONCLUSIVE = "INCONCLUSIVE"
    ASSUMPTIONS_FAIL = "ASSUMPTIONS_FAIL"
    ERROR = "ERROR"


#: What a theorem can expect: ``"holds"`` (a claim), ``"violated"`` (a negative control caught by its bound),
#: ``"assumptions_fail"`` (a negative control caught by its hypotheses: e.g. a non-log-concave law offered
#: to a log-concave theorem).
EXPECTATIONS = ("holds", "violated", "assumptions_fail")


def expected_verdict(expect: str) -> Verdict:
    """The verdict that makes a check with this ``expect`` come out as expected (HOLDS for a claim)."""
    return {
        "holds": Verdict.HOLDS,
        "violated": Verdict.VIOLATED,
        "assumptions_fail": Verdict.ASSUMPTIONS_FAIL,
    }[expect]


class Direction(str, enum.Enum):
    """How a measured quantity relates to its bound.

    ``UPPER``: measured <= bound.  ``LOWER``: measured >= bound.  ``EQUAL``: measured = bound within the
    bound's tolerance (also for equalities in a limit, measured at a stated parameter).  ``RATE``: the
    measured quantity is an exponent (a fitted log-log slope) that must equal the bound within tolerance.
    """

    UPPER = "upper"
    LOWER = "lower"
    EQUAL = "equal"
    RATE = "rate"


def decide(bound: float, measured: Estimate, direction: Direction | str, tol: float) -> tuple[Verdict, str]:
    """The verdict rule (one function, used everywhere).

    Let ``[lo, hi]`` be the measured confidence interval (a point for an exact measurement) and ``tol`` the
    bound's tolerance (``max(atol, rtol·|bound|)``).

    * upper bound: HOLDS iff ``hi <= bound`` (exact: ``value <= bound + tol``); VIOLATED iff ``lo > bound``
      (exact: ``value > bound + tol``); otherwise INCONCLUSIVE.
    * lower bound: the mirror image.
    * equal / rate: HOLDS iff ``[lo, hi] ⊂ [bound - tol, bound + tol]``; VIOLATED iff the two intervals are
      disjoint; otherwise INCONCLUSIVE (the noise cannot decide).

    A NaN measured value gives ERROR and a NaN interval end INCONCLUSIVE: NaN never HOLDS.  A NaN, negative
    or (for a finite bound) infinite ``tol`` raises :class:`~sgmverify.errors.InvalidParameterError`.
    """
    try:
        direction = Direction(direction)
    except ValueError as exc:
        raise InvalidParameterError(
            f"unknown bound direction {direction!r}; use one of {[d.value for d in Direction]}."
        ) from exc
    if not isinstance(measured, Estimate):
        raise InvalidTypeError(
            f"measured must be an Estimate, got {type(measured).__name__}; wrap a number as "
            "Estimate.exact_value(x)."
        )
    try:
        bound, tol = float(bound), float(tol)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"bound and tol must be real numbers, got {bound!r} and {tol!r}.") from None
    if math.isnan(tol) or tol < 0 or (math.isinf(tol) and not math.isinf(bound)):
        raise InvalidParameterError(
            f"the tolerance must be finite and >= 0 (infinite only for an infinite bound), got {tol} for the "
            f"bound {bound}; check the bound's rtol and atol."
        )
    if math.isnan(measured.value):
        return Verdict.ERROR, "measured value is NaN"
    lo, hi = (measured.value, measured.value) if measured.exact else (measured.ci_low, measured.ci_high)
    if math.isnan(lo) or math.isnan(hi):
        return Verdict.INCONCLUSIVE, "measurement has no confidence interval"
    level = f"{measured.level:.0%} " if measured.level is not None else ""
    kind = "exact" if measured.exact else f"{level}CI [{lo:.4g}, {hi:.4g}]"
    if direction is Direction.UPPER:
        slack = tol if measured.exact else 0.0
        if hi <= bound + slack:
            return Verdict.HOLDS, f"measured {measured.value:.4g} ({kind}) <= bound {bound:.4g}"
        if lo > bound + slack:
            return Verdict.VIOLATED, f"measured {measured.value:.4g} ({kind}) > bound {bound:.4g}"
        return Verdict.INCONCLUSIVE, f"bound {bound:.4g} lies inside the {kind}"
    if direction is Direction.LOWER:
        slack = tol if measured.exact else 0.0
        if lo >= bound - slack:
            return Verdict.HOLDS, f"measured {measured.value:.4g} ({kind}) >= bound {bound:.4g}"
        if hi < bound - slack:
            return Verdict.VIOLATED, f"measured {measured.value:.4g} ({kind}) < bound {bound:.4g}"
        return Verdict.INCONCLUSIVE, f"bound {bound:.4g} lies inside the {kind}"
    a, b = bound - tol, bound + tol
    if a <= lo and hi <= b:
        return Verdict.HOLDS, f"measured {measured.value:.4g} ({kind}) within ±{tol:.2g} of {bound:.4g}"
    if hi < a or lo > b:
        return (
            Verdict.VIOLATED,
            f"measured {measured.value:.4g} ({kind}) is not within ±{tol:.2g} of {bound:.4g}",
        )
    return Verdict.INCONCLUSIVE, f"{kind} overlaps but is not inside [{a:.4g}, {b:.4g}]"
