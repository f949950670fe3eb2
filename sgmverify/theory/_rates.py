r"""Rate claims: "quantity ∝ parameter^a" over a sweep, as a :class:`~sgmverify.theory.Theorem`.

Many theorems state an order, not a constant: :math:`W_2 = O(h^{1/2})` as :math:`h \to 0`, a KL error
:math:`\asymp \varepsilon^2`, a cost :math:`O(d^{2})` as :math:`d \to \infty`.  :class:`Rate` states one: the
quantity (``quantity(scenario, rng)``), the swept parameter and its values, the claimed exponent :math:`a`
and a direction, a claim about the fitted log-log slope :math:`\hat b`:

* ``"upper"``: :math:`\hat b \le a`;
* ``"lower"``: :math:`\hat b \ge a`;
* ``"equal"``: :math:`\hat b = a` within ``tol`` (verdict direction ``rate``).

Which one an :math:`O(\cdot)` claim is depends on where the parameter goes:

* a **small parameter**, :math:`\mathrm{err} = O(h^{a})` as :math:`h \to 0` (a step size, a noise level):
  the error is at most :math:`C h^{a}` for small h, so it must fall *at least as fast* as :math:`h^{a}`
  when h decreases -- direction ``"lower"`` (:math:`\hat b \ge a`; a fitted :math:`h^{1}` satisfies
  :math:`O(h^{1/2})`);
* a **large parameter**, :math:`\mathrm{cost} = O(d^{a})` as :math:`d \to \infty` (a dimension, a number of
  steps): the quantity grows *at most* like :math:`d^{a}` -- direction ``"upper"`` (:math:`\hat b \le a`).

(:math:`\Omega(\cdot)` claims swap the two; ``"equal"`` is :math:`\Theta` with a sharp exponent.)

:meth:`Rate.theorem` turns it into a :class:`~sgmverify.theory.Theorem` whose measurement is the
least-squares log-log slope :math:`\hat b` of the quantity against the parameter
(:func:`sgmverify.estimates.loglog_slope`), with an interval that says what it covers:

* every point **exact** (a float, or an exact :class:`~sgmverify.estimates.Estimate`): the Student-t
  regression interval of the fit; it measures how far the points depart from a pure power law (curvature
  from lower-order terms).  An exact power law gives a point (residual standard error at rounding level,
  :math:`\le 10^{-10}(1 + |\hat b|)`), reported as an exact measurement so the bound's tolerance applies;
* some point **Monte Carlo**: a percentile bootstrap interval of the slope, from ``n_boot`` replicate curves.
  A point given as a 1-D array of i.i.d. replicates (its value is their mean) is resampled with
  replacement; a point given as an :class:`Estimate` with an interval is drawn as a normal variable with
  the interval's half-widths as :math:`z_{(1+\ell)/2}` standard errors (each side separately); exact points
  stay fixed.  Replicate curves with a non-positive value are left out (counted in the estimate's
  ``extra["dropped_replicates"]``);
* some point a **deterministic enclosure** (an :class:`Estimate` with ``level=None`` that is not exact: a
  numerical bound such as :func:`sgmverify.metrics.tv_distance`'s error interval, not a confidence
  interval): the slope is linear in :math:`\log y`, so the enclosures move it by at most the extreme
  curves' slopes (each such value at the end of its interval with the sign of :math:`c_i = \log x_i -
  \overline{\log x}`, as in :func:`sgmverify.estimates.loglog_slope`).  When that whole range is at most
  ``tol`` the enclosed points are used as exact points at their values; otherwise the fit (regression or
  bootstrap interval, the enclosed points at their values) is widened by the range on each side, a
  conservative (Minkowski-sum) enclosure.  If every other point is exact and the centre values follow an
  exact power law the result is the deterministic enclosure itself (``level=None``).  An enclosure
  reaching 0 has no logarithm: the slope's interval is then unbounded.

The verdict is :func:`~sgmverify.theory.decide`'s, as for every theorem.  The fitted points travel in the
estimate's ``extra`` (``parameter``, ``x``, ``y``, ``y_low``, ``y_high``) for reports.

Examples
--------
>>> from sgmverify.theory import Provenance, Reference
>>> def err(sc, rng):
...     return 3.0 * sc.params["h"] ** 0.5
>>> th = rate_theorem("demo.rate", "error = O(h^1/2)", Reference("demo", provenance=Provenance.DERIVED),
...                   err, "h", [0.01, 0.02, 0.04, 0.08], exponent="1/2", direction="equal", what="error")
>>> from sgmverify.run import run_check
>>> run_check(th.checks()[0]).verdict.value
'HOLDS'

A small parameter: an error :math:`2h` is :math:`O(h^{1/2})` as :math:`h \to 0`, a ``"lower"`` claim (fitted
1 >= 1/2); a large one: a cost :math:`5d` is :math:`O(d^{2})` as :math:`d \to \infty`, an ``"upper"`` claim:

>>> def small(sc, rng):
...     return 2.0 * sc.params["h"]
>>> ref = Reference("demo", provenance=Provenance.DERIVED)
>>> th = rate_theorem("demo.small", "error = O(h^1/2), h -> 0", ref,
...                   small, "h", [0.01, 0.02, 0.04], exponent="1/2", direction="lower")
>>> run_check(th.checks()[0]).verdict.value
'HOLDS'
>>> def cost(sc, rng):
...     return 5.0 * sc.params["d"]
>>> th = rate_theorem("demo.large", "cost = O(d^2), d -> oo", ref,
...                   cost, "d", [10, 100, 1000], exponent=2, direction="upper")
>>> run_check(th.checks()[0]).verdict.value
'HOLDS'
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from scipy import stats

from sgmverify.errors import InvalidParameterError, InvalidTypeError
from sgmverify.estimates import Estimate, loglog_slope

from ._model import Assumption, Bound, Theorem
from ._reference import Reference
from ._scenario import Scenario

__all__ = ["RATE_DIRECTIONS", "Rate", "rate_theorem"]

#: The directions of a rate claim (``"equal"`` is decided as the verdict direction ``"rate"``).
RATE_DIRECTIONS = ("upper", "lower", "equal")
_EXACT_FIT = 1e-10  # residual standard error (relative) below which a fit of exact values is a power law


@dataclass
class Rate:
    r"""The claim "``quantity`` ∝ ``parameter``\ :sup:`exponent`" over the sweep ``values``.

    Parameters
    ----------
    quantity : callable
        ``quantity(scenario, rng) -> float | Estimate | 1-D array of replicates``, called once per value
        with a copy of the check's scenario whose ``params[parameter]`` is that value, and an independent
        generator (spawned from the check's).  Module-level, so checks can run in other processes.
    parameter : str
        The swept parameter's name.
    values : sequence of float
        At least 3 finite positive values, not all equal.
    exponent : number, str or sympy expression
        The claimed exponent :math:`a` (may use the scenario's params, e.g. ``"-d/2"``).
    direction : {"upper", "lower", "equal"}
        Fitted exponent ≤ a, ≥ a, or = a within ``tol``.
    what : str
        The quantity in words (e.g. ``"W2(EM output, data)"``).
    tol : float
        Absolute tolerance on the exponent (``equal``; and for an exact power law, the rounding allowance).
    level : float
        Confidence level of the slope's interval.
    n_boot : int
        Bootstrap replicate curves (Monte Carlo points), >= 10.
    abscissa : callable, optional
        ``abscissa(scenario) -> float``: the regression's x at a sweep point when it is not the parameter's
        value itself (e.g. the noise level :math:`s_t` of a sweep over ``t``).
    """

    quantity: Callable[[Scenario, np.random.Generator], Any]
    parameter: str
    values: Sequence[float]
    exponent: sp.Expr | str | float
    direction: str = "equal"
    what: str = ""
    tol: float = 1e-9
    level: float = 0.95
    n_boot: int = 2000
    abscissa: Callable[[Scenario], float] | None = None

    def __post_init__(self) -> None:
        if not callable(self.quantity):
            raise InvalidTypeError(
                f"quantity must be a callable (scenario, rng) -> value, got {self.quantity!r}."
            )
        if not (isinstance(self.parameter, str) and self.parameter.isidentifier()):
            raise InvalidTypeError(f"parameter must be a name such as 'h', got {self.parameter!r}.")
        if isinstance(self.values, str | bytes) or not isinstance(self.values, Sequence | np.ndarray):
            raise InvalidTypeError(f"values must be a sequence of numbers, got {self.values!r:.80}.")
        vals = [float(v) for v in self.values]
        if len(vals) < 3 or not all(math.isfinite(v) and v > 0 for v in vals) or len(set(vals)) < 2:
            raise InvalidParameterError(
                f"values must be at least 3 finite positive numbers, not all equal (a log-log fit with an "
                f"interval), got {vals}."
            )
        self.values = vals
        if self.direction not in RATE_DIRECTIONS:
            raise InvalidParameterError(
                f"direction must be one of {RATE_DIRECTIONS}, got {self.direction!r}."
            )
        if isinstance(self.n_boot, bool) or not isinstance(self.n_boot, numbers.Integral) or self.n_boot < 10:
            raise InvalidParameterError(f"n_boot must be an integer >= 10, got {self.n_boot!r}.")
        if self.abscissa is not None and not callable(self.abscissa):
            raise InvalidTypeError(f"abscissa must be a callable scenario -> float, got {self.abscissa!r}.")
        self.bound()  # validates exponent, tol (and level, below)
        if isinstance(self.level, bool) or not isinstance(self.level, numbers.Real) or not 0 < self.level < 1:
            raise InvalidParameterError(f"level must lie in (0, 1), e.g. 0.95; got {self.level!r}.")

    def bound(self) -> Bound:
        """The conclusion: the fitted exponent against the claimed one."""
        what = self.what or "the quantity"
        return Bound(
            self.exponent,
            "rate" if self.direction == "equal" else self.direction,
            f"log-log exponent of {what} in {self.parameter}",
            rtol=0.0,
            atol=self.tol,
        )

    def points(self, sc: Scenario, rng: np.random.Generator) -> list[tuple[float, Any]]:
        """``(x, quantity)`` at each sweep value (the quantity as returned)."""
        rngs = rng.spawn(len(self.values))
        out = []
        for v, r in zip(self.values, rngs, strict=True):
            point = dataclasses.replace(sc, params={**sc.params, self.parameter: v})
            x = float(self.abscissa(point)) if self.abscissa is not None else v
            out.append((x, self.quantity(point, r)))
        return out

    def measure(self, sc: Scenario, rng: np.random.Generator) -> Estimate:
        """The fitted exponent with its interval (module docstring)."""
        boot_rng, pts_rng = rng.spawn(2)
        pts = self.points(sc, pts_rng)
        x = np.array([p[0] for p in pts])
        y, lo, hi, rows, enclosed = [], [], [], [], []
        for _, q in pts:
            value, low, high, row = _point(q, self.n_boot, boot_rng, self.level)
            enclosed.append(isinstance(q, Estimate) and not q.exact and q.level is None and high > low)
            y.append(value)
            lo.append(low)
            hi.append(high)
            rows.append(row)
        info = {"parameter": self.parameter, "x": x.tolist(), "y": y, "y_low": lo, "y_high": hi}
        below, above = _enclosure_shift(x, y, lo, hi, enclosed)
        if below + above <= self.tol:  # the enclosures cannot move the slope by more than tol
            below = above = 0.0
        widen = below + above > 0
        if widen:
            info["enclosure_shift"] = [below, above]
        if all(r is None for r in rows):
            est = loglog_slope(x, y, level=self.level, extra=info)
            if est.extra["stderr"] <= _EXACT_FIT * (1 + abs(est.value)):
                if widen:
                    method = (
                        f"least-squares log-log slope over {len(y)} points (an exact power law through the "
                        "values), deterministic enclosure: extreme slopes over the points' numerical bounds"
                    )
                    b = est.value
                    return Estimate(b, b - below, b + above, None, False, None, method, est.extra)
                method = f"least-squares log-log slope over {len(y)} exact points (an exact power law)"
                return Estimate(est.value, est.value, est.value, None, True, None, method, est.extra)
        else:
            boot = np.array(
                [np.full(self.n_boot, v) if r is None else r for v, r in zip(y, rows, strict=True)]
            )
            est = loglog_slope(x, y, level=self.level, y_boot=boot, drop_invalid_replicates=True, extra=info)
        if not widen:
            return est
        method = est.method + "; widened by the extreme slopes over the points' numerical bounds (level=None)"
        return dataclasses.replace(est, ci_low=est.ci_low - below, ci_high=est.ci_high + above, method=method)

    def theorem(
        self,
        id: str,
        title: str,
        reference: Reference,
        *,
        scenarios: Sequence[Scenario] | None = None,
        assumptions: Sequence[Assumption] = (),
        bound_params: Callable[[Scenario], dict] | None = None,
        expect: str = "holds",
        notes: str = "",
        section: str = "",
        beyond_hypotheses: bool = False,
    ) -> Theorem:
        """The :class:`Theorem` checking this rate on each scenario (default: ``"<parameter>-sweep"``)."""
        return Theorem(
            id=id,
            title=title,
            reference=reference,
            bound=self.bound(),
            measure=self.measure,
            assumptions=list(assumptions),
            scenarios=list(scenarios) if scenarios is not None else [Scenario(f"{self.parameter}-sweep")],
            bound_params=bound_params,
            expect=expect,
            notes=notes,
            section=section,
            beyond_hypotheses=beyond_hypotheses,
        )


def _point(
    q: Any, n_boot: int, rng: np.random.Generator, level: float
) -> tuple[float, float, float, np.ndarray | None]:
    """``(value, low, high, bootstrap row or None)`` of one sweep point: None for an exact value and for a
    deterministic enclosure (``level=None``, propagated by :func:`_enclosure_shift`, never bootstrapped)."""
    if isinstance(q, Estimate):
        if q.exact:
            return q.value, q.value, q.value, None
        if q.level is None:
            if not q.ci_low <= q.value <= q.ci_high:
                raise InvalidParameterError(
                    f"a sweep point's numerical bound [{q.ci_low!r}, {q.ci_high!r}] must contain its value "
                    f"{q.value!r}."
                )
            return q.value, q.ci_low, q.ci_high, None
        z = float(stats.norm.ppf(0.5 + (q.level or 0.95) / 2))
        draws = rng.standard_normal(n_boot)
        se_hi, se_lo = (q.ci_high - q.value) / z, (q.value - q.ci_low) / z
        return q.value, q.ci_low, q.ci_high, q.value + np.where(draws > 0, draws * se_hi, draws * se_lo)
    if isinstance(q, np.ndarray | list | tuple):
        reps = np.asarray(q, dtype=float).ravel()
        if reps.size < 2 or not np.all(np.isfinite(reps)):
            raise InvalidParameterError(
                f"a sweep point's replicates must be at least 2 finite numbers, got {reps.size} values."
            )
        idx = rng.integers(0, reps.size, size=(n_boot, reps.size))
        means = reps[idx].mean(axis=1)
        value = float(reps.mean())
        lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2])
        return value, float(min(lo, value)), float(max(hi, value)), means
    if isinstance(q, bool) or not isinstance(q, numbers.Real):
        raise InvalidTypeError(
            f"quantity must return a float, an Estimate or an array of replicates, got {type(q).__name__}."
        )
    return float(q), float(q), float(q), None


def _enclosure_shift(
    x: np.ndarray, y: list[float], lo: list[float], hi: list[float], enclosed: list[bool]
) -> tuple[float, float]:
    r"""How far the deterministic enclosures can move the least-squares log-log slope, ``(down, up)``.

    With :math:`c_i = \log x_i - \overline{\log x}` the slope :math:`\sum_i c_i\log y_i / \sum_i c_i^2` is
    linear in :math:`\log y`, so over the box of the enclosed points (the others at their values) its extremes
    put each enclosed value at the end of its interval with the sign of :math:`c_i` (the extreme curves of
    :func:`sgmverify.estimates.loglog_slope`).  An enclosure reaching 0 (or a non-positive value) gives an
    unbounded shift."""
    if not any(enclosed):
        return 0.0, 0.0
    mask = np.asarray(enclosed)
    y_a, lo_a, hi_a = np.asarray(y, float), np.asarray(lo, float), np.asarray(hi, float)
    if np.any(lo_a[mask] <= 0) or np.any(y_a[mask] <= 0) or not np.all(np.isfinite(hi_a[mask])):
        return math.inf, math.inf
    c = np.log(np.asarray(x, float))
    c = (c - c.mean()) / float((c - c.mean()) @ (c - c.mean()))
    eta = np.log(y_a[mask])
    d_lo, d_hi = np.log(lo_a[mask]) - eta, np.log(hi_a[mask]) - eta  # <= 0, >= 0
    cm = c[mask]
    up = float(cm @ np.where(cm > 0, d_hi, d_lo))
    down = -float(cm @ np.where(cm > 0, d_lo, d_hi))
    return max(down, 0.0), max(up, 0.0)


def rate_theorem(
    id: str,
    title: str,
    reference: Reference,
    quantity: Callable[[Scenario, np.random.Generator], Any],
    parameter: str,
    values: Sequence[float],
    exponent: sp.Expr | str | float,
    direction: str = "equal",
    *,
    what: str = "",
    tol: float = 1e-9,
    level: float = 0.95,
    n_boot: int = 2000,
    abscissa: Callable[[Scenario], float] | None = None,
    **theorem_options: Any,
) -> Theorem:
    """``Rate(quantity, parameter, values, exponent, direction, ...).theorem(id, title, reference, ...)``.

    ``theorem_options`` go to :meth:`Rate.theorem` (``scenarios``, ``assumptions``, ``bound_params``,
    ``expect``, ``notes``, ``section``, ``beyond_hypotheses``).
    """
    rate = Rate(quantity, parameter, values, exponent, direction, what, tol, level, n_boot, abscissa)
    return rate.theorem(id, title, reference, **theorem_options)
