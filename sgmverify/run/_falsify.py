r"""Counterexample search: look for the scenario where a theorem is closest to (or furthest past) failing.

A theorem that declares a :class:`~sgmverify.theory.SearchSpace` (``Theorem.search``) can be searched:
:func:`falsify` maximises a *badness score* over the declared parameter box, running
``run_check(Check(theorem, scenario))`` for every candidate, and reports the worst case found.

Badness score (larger is worse; > 1 means "beyond the bound" at the point estimate):

* upper bound: ``measured / bound`` (``+inf`` if the bound is <= 0 and exceeded);
* lower bound: ``bound / measured`` (the smallest measured/bound ratio is the worst case);
* equal / rate: ``|measured - bound| / tol``.

Candidates whose check ends in ERROR or ASSUMPTIONS_FAIL get score ``-inf``: they are never reported as
counterexamples.  The worst case is run once more to confirm its verdict.

Methods: ``"de"`` (scipy's differential evolution, seeded, ``polish=False``) or ``"random"`` (uniform
random search, then Nelder–Mead from the best few points).  Parameters listed in ``SearchSpace.log`` are
searched in ``log10``; those in ``SearchSpace.integer`` are rounded (each integer gets an equal share of
the box).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError
from sgmverify.theory import Check, Direction, Result, SearchSpace, Suite, Theorem, Verdict

from ._pipeline import run_check

__all__ = [
    "FalsifyOutcome",
    "badness",
    "falsify",
    "falsify_suite",
]

METHODS = ("de", "random")
_PENALTY = 1e12  # finite stand-in for ±inf scores inside the optimisers


@dataclass
class FalsifyOutcome:
    """What a counterexample search found.

    ``worst`` is the confirmed result at the worst case (``None`` only if nothing was evaluated);
    ``history`` lists ``(params, score, verdict)`` for every distinct candidate, in evaluation order.
    """

    theorem_id: str
    expect: str
    method: str
    worst: Result | None
    worst_score: float
    evaluations: int
    history: list[tuple[dict[str, Any], float, str]] = field(default_factory=list)
    message: str = ""

    @property
    def worst_params(self) -> dict[str, Any]:
        return dict(self.worst.params) if self.worst is not None else {}

    @property
    def violated(self) -> bool:
        """A VIOLATED case was found (and confirmed)."""
        return self.worst is not None and self.worst.verdict is Verdict.VIOLATED

    @property
    def as_expected(self) -> bool:
        """A claim was not found violated, or a negative control was; a search whose every candidate
        errored is never "as expected" (nothing was measured)."""
        if self.worst is None or self.worst.verdict is Verdict.ERROR:
            return False
        return self.violated if self.expect == "violated" else not self.violated

    def to_dict(self) -> dict:
        def num(x: float) -> float | str:
            return x if math.isfinite(x) else str(x)

        return {
            "theorem_id": self.theorem_id,
            "expect": self.expect,
            "method": self.method,
            "worst": self.worst.to_dict() if self.worst is not None else None,
            "worst_score": num(self.worst_score),
            "evaluations": self.evaluations,
            "violated": self.violated,
            "as_expected": self.as_expected,
            "history": [{"params": p, "score": num(s), "verdict": v} for p, s, v in self.history],
            "message": self.message,
        }


def badness(result: Result, direction: Direction | str) -> float:
    """The badness score of a check result (see the module docstring); ``-inf`` for unusable results."""
    if result.verdict in (Verdict.ERROR, Verdict.ASSUMPTIONS_FAIL):
        return -math.inf
    if result.measured is None or result.bound_value is None:
        return -math.inf
    m, b = float(result.measured.value), float(result.bound_value)
    if not (math.isfinite(m) and math.isfinite(b)):
        return -math.inf
    direction = Direction(direction)
    tol = max(float(result.bound.get("atol", 0.0)), float(result.bound.get("rtol", 0.0)) * abs(b))
    if direction is Direction.UPPER:
        if b > 0:
            return m / b
        return math.inf if m > b + tol else 0.0
    if direction is Direction.LOWER:
        if b > 0:
            return b / m if m > 0 else math.inf
        return 0.0 if m >= b - tol else math.inf
    dev = abs(m - b)
    if tol > 0:
        return dev / tol
    return 0.0 if dev == 0 else math.inf


class _Space:
    """Maps between the optimiser's box (log10 for log names, widened for integers) and parameters."""

    def __init__(self, space: SearchSpace) -> None:
        self.space = space
        self.names = list(space.ranges)
        lows, highs = [], []
        for k in self.names:
            lo, hi = (float(v) for v in space.ranges[k])
            if k in space.integer:
                lo, hi = math.ceil(lo), math.floor(hi)
                if lo > hi:
                    raise InvalidParameterError(f"integer range of {k!r} {space.ranges[k]} holds no integer.")
                lo, hi = lo - 0.5 + 1e-9, hi + 0.5 - 1e-9
                if k in space.log:
                    lo = max(lo, 1e-12)
            if k in space.log:
                lo, hi = math.log10(lo), math.log10(hi)
            lows.append(lo)
            highs.append(hi)
        self.low, self.high = np.array(lows), np.array(highs)

    def decode(self, u: np.ndarray) -> dict[str, Any]:
        u = np.clip(np.asarray(u, float), self.low, self.high)
        out: dict[str, Any] = {}
        for k, v in zip(self.names, u, strict=True):
            x = 10.0**v if k in self.space.log else float(v)
            if k in self.space.integer:
                lo, hi = (float(r) for r in self.space.ranges[k])
                x = int(min(max(math.floor(x + 0.5), math.ceil(lo)), math.floor(hi)))
            out[k] = x
        return out

    def uniform(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.low + (self.high - self.low) * rng.random((n, len(self.names)))


class _Evaluator:
    """Runs checks for candidates, caches them by decoded parameters, keeps history and the budget."""

    def __init__(
        self,
        theorem: Theorem,
        space: _Space,
        budget: int,
        progress: Callable[[int, float, dict[str, Any]], None] | None,
    ) -> None:
        self.theorem, self.space, self.budget, self.progress = theorem, space, budget, progress
        self.cache: dict[tuple, tuple[float, Result]] = {}
        self.history: list[tuple[dict[str, Any], float, str]] = []
        self.evaluations = 0
        self.best: tuple[float, Result | None, dict[str, Any]] = (-math.inf, None, {})

    @property
    def exhausted(self) -> bool:
        return self.evaluations >= self.budget

    def score(self, u: np.ndarray) -> float:
        params = self.space.decode(u)
        key = tuple(sorted(params.items()))
        if key in self.cache:
            return self.cache[key][0]
        if self.exhausted:
            return -math.inf
        sc = self.space.space.scenario(params)
        res = run_check(Check(self.theorem, sc))
        s = badness(res, self.theorem.bound.direction)
        self.evaluations += 1
        self.cache[key] = (s, res)
        self.history.append((params, s, res.verdict.value))
        if self.best[1] is None or s > self.best[0]:
            self.best = (s, res, params)
        if self.progress is not None:
            self.progress(self.evaluations, self.best[0], self.best[2])
        return s

    def objective(self, u: np.ndarray) -> float:
        """What the optimisers minimise: the negated score, clipped to finite values."""
        return float(np.clip(-self.score(u), -_PENALTY, _PENALTY))


def _run_de(ev: _Evaluator, budget: int, seed: int) -> None:
    from scipy.optimize import differential_evolution

    n = len(ev.space.names)
    popsize = int(min(15, max(3, budget // (8 * n))))  # favour generations over population size
    pop = max(popsize * n, 5)
    maxiter = max(0, budget // pop - 1)
    differential_evolution(
        ev.objective,
        list(zip(ev.space.low, ev.space.high, strict=True)),
        maxiter=maxiter,
        popsize=popsize,
        polish=False,
        seed=seed,
        tol=0.0,
        atol=0.0,
        init="latinhypercube",
        callback=lambda *a, **k: ev.exhausted,
    )


def _run_random(ev: _Evaluator, budget: int, seed: int, n_local: int = 3) -> None:
    from scipy.optimize import minimize

    rng = np.random.default_rng(seed)
    n_random = max(1, math.floor(0.6 * budget + 0.5))
    pts = ev.space.uniform(rng, n_random)
    scores = np.array([ev.score(u) for u in pts])
    finite = np.isfinite(scores) | (scores > 0)  # +inf counts; -inf (unusable) does not
    order = [int(i) for i in np.argsort(-scores, kind="stable") if finite[i]][:n_local]
    if not order:
        return
    width = ev.space.high - ev.space.low
    for i in order:
        left = ev.budget - ev.evaluations
        if left <= 0:
            break
        x0 = pts[i]
        simplex = [x0]
        for j in range(len(x0)):
            step = np.zeros_like(x0)
            step[j] = 0.1 * width[j] if x0[j] + 0.1 * width[j] <= ev.space.high[j] else -0.1 * width[j]
            simplex.append(x0 + step)
        minimize(
            ev.objective,
            x0,
            method="Nelder-Mead",
            bounds=list(zip(ev.space.low, ev.space.high, strict=True)),
            options={
                "initial_simplex": np.array(simplex),
                "maxfev": max(len(x0) + 2, left // max(1, len(order))),
                "xatol": 1e-4,
                "fatol": 1e-9,
            },
        )


def falsify(
    theorem: Theorem,
    budget: int = 200,
    seed: int = 0,
    method: str = "de",
    progress: Callable[[int, float, dict[str, Any]], None] | None = None,
) -> FalsifyOutcome:
    """Search ``theorem.search`` for the worst case of ``theorem`` (see the module docstring).

    Parameters
    ----------
    theorem : Theorem
        Must declare ``search=SearchSpace(...)``.
    budget : int
        Maximum number of checks run by the search (the confirmation run is extra).
    seed : int
        Seed of the optimiser (the scenarios keep their own seeds).
    method : {"de", "random"}
        Differential evolution, or random search + Nelder–Mead refinement.
    progress : callable, optional
        ``progress(evaluations, best_score, best_params)`` after every new check.

    Raises
    ------
    InvalidParameterError
        No search space, an unknown method or a budget < 1.
    """
    if theorem.search is None:
        raise InvalidParameterError(
            f"theorem {theorem.id} declares no search space; add e.g. "
            "`search=SearchSpace(base=Scenario(...), ranges={'t': (1e-3, 1.0)}, log=('t',))` "
            "(from sgmverify.theory) to its Theorem(...) to make it searchable."
        )
    if method not in METHODS:
        raise InvalidParameterError(f"unknown search method {method!r}; use one of {list(METHODS)}.")
    budget = int(budget)
    if budget < 1:
        raise InvalidParameterError(f"budget must be a positive number of checks, got {budget}.")
    ev = _Evaluator(theorem, _Space(theorem.search), budget, progress)
    if method == "de":
        _run_de(ev, budget, seed)
    else:
        _run_random(ev, budget, seed)

    score, found, params = ev.best
    if found is None:
        return FalsifyOutcome(theorem.id, theorem.expect, method, None, -math.inf, 0, [], "nothing evaluated")
    if not score > -math.inf:
        msg = (
            f"no usable candidate in {ev.evaluations} checks: every one ended in ERROR or "
            f"ASSUMPTIONS_FAIL (last reason: {found.reason})"
        )
        return FalsifyOutcome(
            theorem.id, theorem.expect, method, found, score, ev.evaluations, ev.history, msg
        )
    confirmed = run_check(Check(theorem, theorem.search.scenario(params)))
    confirmed_score = badness(confirmed, theorem.bound.direction)
    msg = f"worst case after {ev.evaluations} checks ({method}): score {score:.6g}, {confirmed.verdict.value}"
    if confirmed.verdict is not found.verdict:
        msg += f" on re-run (first run: {found.verdict.value}; the measurement is not reproducible)"
    msg += f" — {confirmed.reason}"
    return FalsifyOutcome(
        theorem.id, theorem.expect, method, confirmed, confirmed_score, ev.evaluations, ev.history, msg
    )


def falsify_suite(suite: Suite, **kwargs: Any) -> dict[str, FalsifyOutcome]:
    """:func:`falsify` every theorem of ``suite`` that declares a search space (keyed by theorem id)."""
    return {t.id: falsify(t, **kwargs) for t in suite.theorems if t.search is not None}
