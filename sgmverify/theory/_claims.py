r"""The theory model: theorems as checkable claims.

A :class:`Theorem` is a conclusion (:class:`Bound`: a sympy expression in named parameters, a direction,
and the quantity it bounds) under :class:`Assumption`\ s, with a ``measure`` function that measures the
bounded quantity on a :class:`Scenario` (data distribution × forward process × sampler × parameters).
A :class:`Check` is one theorem on one scenario; running it gives a :class:`Result` whose
:class:`Verdict` comes from one rule, :func:`decide`.

Every statement carries a provenance tag (:class:`Provenance`): whether it is the paper's verified
statement, a secondary source, an exact derivation made here, or a reconstruction — reports show it, so a
derived statement is never presented as the paper's theorem.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import inspect
import math
import time
import traceback
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from sgmverify.errors import BoundEvaluationError, ExpressionError, InvalidParameterError
from sgmverify.estimates import Estimate
from sgmverify.symbolic import parse_expr

__all__ = [
    "Assumption",
    "AssumptionResult",
    "Bound",
    "Check",
    "Direction",
    "Provenance",
    "Reference",
    "Result",
    "Scenario",
    "SearchSpace",
    "Suite",
    "Theorem",
    "Verdict",
    "decide",
]


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


class Provenance(str, enum.Enum):
    """Where a statement comes from (kept in code and reports)."""

    VERIFIED = "verified"  # the paper's statement, checked against the paper's text
    SECONDARY = "secondary"  # from a secondary source (a survey, a talk, a later paper)
    DERIVED = "derived"  # exact mathematics derived here, checked; not the paper's theorem
    RECONSTRUCTED = "reconstructed"  # a plausible reconstruction; constants are ours, not the paper's
    NOT_FOUND = "not found"  # the paper's statement could not be found in the available text
    TEXTBOOK = "textbook"  # standard, exactly true facts (engine smoke tests, negative controls)


@dataclass(frozen=True)
class Reference:
    """Bibliographic reference of a statement."""

    authors: str
    title: str = ""
    arxiv: str = ""
    where: str = ""  # theorem / equation / table number
    provenance: Provenance | str | None = None  # required: no statement is "verified" by default

    def __post_init__(self) -> None:
        if self.provenance is None:
            raise InvalidParameterError(
                f"Reference({self.authors!r}, ...) needs provenance=Provenance.<tag>: VERIFIED only for the "
                "paper's own statement checked against its text; DERIVED, RECONSTRUCTED, SECONDARY, "
                "NOT_FOUND or TEXTBOOK otherwise."
            )
        try:
            object.__setattr__(self, "provenance", Provenance(self.provenance))
        except ValueError as exc:
            raise InvalidParameterError(
                f"unknown provenance {self.provenance!r}; use one of {[p.value for p in Provenance]}."
            ) from exc

    def cite(self) -> str:
        parts = [self.authors]
        if self.title:
            parts.append(f"“{self.title}”")
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts) + f" [{self.provenance.value}]"


@dataclass(frozen=True)
class AssumptionResult:
    """Outcome of an assumption check: ``status`` is ``"holds"``, ``"fails"`` or ``"unknown"``."""

    name: str
    status: str
    detail: str = ""
    evidence: str = "numeric"  # "symbolic", "certified", "numeric", "by construction"

    def __post_init__(self) -> None:
        if self.status not in ("holds", "fails", "unknown"):
            raise InvalidParameterError(
                f"assumption status must be 'holds', 'fails' or 'unknown', got {self.status!r}."
            )


@dataclass(frozen=True)
class Assumption:
    """A hypothesis of a theorem with a checker ``check(scenario) -> AssumptionResult | bool | None``.

    A checker returning ``None`` means "unknown" (never "holds").
    """

    name: str
    description: str
    check: Callable[[Scenario], AssumptionResult | bool | None]

    def evaluate(self, scenario: Scenario) -> AssumptionResult:
        out = self.check(scenario)
        if isinstance(out, AssumptionResult):
            return out
        if out is None:
            return AssumptionResult(self.name, "unknown", "checker could not decide")
        if not isinstance(out, bool | np.bool_):
            raise InvalidParameterError(
                f"assumption checker {self.name!r} returned {out!r}; return True, False, None (unknown) "
                "or an AssumptionResult — other values are never read as 'holds'."
            )
        return AssumptionResult(self.name, "holds" if bool(out) else "fails", self.description)


class Bound:
    r"""A theorem's conclusion: ``quantity  <direction>  expr(params)``.

    Parameters
    ----------
    expr : sympy expression or str
        The bound as a function of named parameters.
    direction : Direction or str
        ``"upper"``, ``"lower"``, ``"equal"`` or ``"rate"``.
    quantity : str
        What is bounded, in words (e.g. ``"W2(law of EM output, data)"``).
    params : sequence of str, optional
        The parameter names the expression may use (default: its free symbols).  Any other free symbol
        raises :class:`ExpressionError`.
    rtol, atol : float
        Tolerance for exact measurements and for ``equal``/``rate``: ``tol = max(atol, rtol·|bound|)``.
    """

    def __init__(
        self,
        expr: sp.Expr | str | float,
        direction: Direction | str,
        quantity: str,
        params: Sequence[str] | None = None,
        rtol: float = 1e-9,
        atol: float = 0.0,
    ) -> None:
        # real (not positive) symbols: positivity would let sympy rewrite Abs(mu) as mu at construction
        local = {p: sp.Symbol(p, real=True) for p in (params or [])}
        self.expr = parse_expr(expr, local)
        names = {s.name for s in self.expr.free_symbols}
        if params is not None and not names <= set(params):
            raise ExpressionError(
                f"bound {self.expr} uses symbols {sorted(names - set(params))} that are not among its "
                f"declared parameters {sorted(params)}; declare them or substitute numbers."
            )
        try:
            self.direction = Direction(direction)
        except ValueError as exc:
            raise InvalidParameterError(
                f"unknown bound direction {direction!r}; use one of {[d.value for d in Direction]}."
            ) from exc
        if not (rtol >= 0 and atol >= 0):
            raise InvalidParameterError(f"rtol and atol must be >= 0, got {rtol}, {atol}.")
        self.quantity = quantity
        self.params = sorted(names) if params is None else list(params)
        self.rtol, self.atol = float(rtol), float(atol)
        self._fn: Callable | None = None

    @property
    def symbols(self) -> list[str]:
        return sorted(s.name for s in self.expr.free_symbols)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The bound's value at ``values`` (extra keys are ignored; missing ones raise)."""
        missing = [s for s in self.symbols if s not in values]
        if missing:
            raise BoundEvaluationError(
                f"bound {self.expr} needs values for {missing}; the scenario provides {sorted(values)}."
            )
        if self._fn is None:
            syms = sorted(self.expr.free_symbols, key=lambda s: s.name)
            self._fn = sp.lambdify(syms, self.expr, modules=["numpy", "scipy"])
        try:
            with np.errstate(all="ignore"):
                val = float(self._fn(*[float(values[s]) for s in self.symbols]))
        except (TypeError, ValueError, ZeroDivisionError) as exc:
            raise BoundEvaluationError(
                f"could not evaluate bound {self.expr} at {dict(values)}: {exc}"
            ) from exc
        if math.isnan(val):
            raise BoundEvaluationError(f"bound {self.expr} is NaN at {dict(values)}; check the parameters.")
        return val

    def tolerance(self, bound_value: float) -> float:
        return max(self.atol, self.rtol * abs(bound_value))

    def latex(self) -> str:
        return sp.latex(self.expr)

    def pretty(self) -> str:
        return sp.pretty(self.expr, use_unicode=True)

    def statement(self) -> str:
        op = {"upper": "≤", "lower": "≥", "equal": "=", "rate": "has order"}[self.direction.value]
        return f"{self.quantity} {op} {self.expr}"

    def to_dict(self) -> dict:
        return {
            "expr": sp.srepr(self.expr),
            "text": str(self.expr),
            "latex": self.latex(),
            "direction": self.direction.value,
            "quantity": self.quantity,
            "rtol": self.rtol,
            "atol": self.atol,
        }


def decide(bound: float, measured: Estimate, direction: Direction | str, tol: float) -> tuple[Verdict, str]:
    """The verdict rule (one function, used everywhere).

    Let ``[lo, hi]`` be the measured confidence interval (a point for an exact measurement) and ``tol`` the
    bound's tolerance (``max(atol, rtol·|bound|)``).

    * upper bound: HOLDS iff ``hi <= bound`` (exact: ``value <= bound + tol``); VIOLATED iff ``lo > bound``
      (exact: ``value > bound + tol``); otherwise INCONCLUSIVE.
    * lower bound: the mirror image.
    * equal / rate: HOLDS iff ``[lo, hi] ⊂ [bound - tol, bound + tol]``; VIOLATED iff the two intervals are
      disjoint; otherwise INCONCLUSIVE (the noise cannot decide).
    """
    try:
        direction = Direction(direction)
    except ValueError as exc:
        raise InvalidParameterError(
            f"unknown bound direction {direction!r}; use one of {[d.value for d in Direction]}."
        ) from exc
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


@dataclass
class Scenario:
    """A concrete setting on which a theorem is tested.

    ``params`` are the numbers the bound is evaluated at (and that the measurement uses); ``sweep`` names
    the params that vary across a theorem's scenarios (the report plots along them).  ``quick`` scenarios
    run in ``--quick`` mode; all run in ``--full``.
    """

    name: str
    data: Any = None
    process: Any = None
    sampler: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    quick: bool = True
    sweep: tuple[str, ...] = ()
    description: str = ""

    def describe(self) -> dict:
        """A JSON-able description (used in results and in the content hash)."""
        return {
            "name": self.name,
            "data": describe_object(self.data),
            "process": describe_object(self.process),
            "sampler": describe_object(self.sampler),
            "params": {k: describe_object(v) for k, v in self.params.items()},
            "seed": self.seed,
            "sweep": list(self.sweep),
        }


def _describe_function(fn: types.FunctionType, depth: int) -> dict:
    """Name, code hash, defaults and closure values: two closures over different values differ."""
    code = fn.__code__
    d: dict[str, Any] = {
        "function": f"{fn.__module__}.{fn.__qualname__}",
        "code": hashlib.sha256(code.co_code + repr(code.co_consts).encode()).hexdigest()[:16],
        "line": code.co_firstlineno,
    }
    if fn.__defaults__:
        d["defaults"] = describe_object(fn.__defaults__, depth + 1)
    if fn.__closure__:
        cells = []
        for cell in fn.__closure__:
            try:
                cells.append(describe_object(cell.cell_contents, depth + 1))
            except ValueError:  # an empty cell
                cells.append(None)
        d["closure"] = cells
    return d


def describe_object(obj: Any, depth: int = 0) -> Any:
    """A deterministic JSON-able description of ``obj`` (numbers exact, arrays in full).

    Functions are described by name, code and captured values; objects by their public attributes.
    """
    if depth > 8:
        return f"<{type(obj).__qualname__}: nested too deep>"
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else str(float(obj))
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        return (
            [describe_object(v, depth + 1) for v in obj.tolist()] if obj.ndim else describe_object(obj.item())
        )
    if isinstance(obj, list | tuple):
        return [describe_object(v, depth + 1) for v in obj]
    if isinstance(obj, Mapping):
        return {str(k): describe_object(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, sp.Basic):
        return sp.srepr(obj)
    if isinstance(obj, functools.partial):
        return {
            "partial": describe_object(obj.func, depth + 1),
            "args": describe_object(obj.args, depth + 1),
            "kwargs": describe_object(obj.keywords, depth + 1),
        }
    if isinstance(obj, types.MethodType):
        return {
            "method": describe_object(obj.__func__, depth + 1),
            "self": describe_object(obj.__self__, depth + 1),
        }
    if isinstance(obj, types.FunctionType):
        return _describe_function(obj, depth)
    if isinstance(obj, np.ufunc):
        return f"numpy.{obj.__name__}"
    if inspect.isroutine(obj) or inspect.isclass(obj):
        return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}"
    if hasattr(obj, "__dict__"):
        state = {k: v for k, v in vars(obj).items() if not k.startswith("_") and not callable(v)}
        items = {k: describe_object(v, depth + 1) for k, v in sorted(state.items())}
        return {"class": type(obj).__qualname__, **items}
    if callable(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return repr(obj)


@dataclass
class Theorem:
    """A checkable claim.

    Parameters
    ----------
    id : str
        Stable identifier, e.g. ``"gnz23.thm5"``.
    title : str
        One line.
    reference : Reference
        Where the statement comes from, with its provenance tag.
    bound : Bound
        The conclusion.
    measure : callable
        ``measure(scenario, rng) -> Estimate`` (or a float, taken as exact): the bounded quantity measured
        on a scenario.  Must be a module-level function so checks can run in other processes.
    assumptions : list of Assumption
        The hypotheses; a scenario failing one gives ASSUMPTIONS_FAIL.
    scenarios : list of Scenario
        Where to check the claim.
    bound_params : callable, optional
        ``bound_params(scenario) -> dict`` of the values the bound is evaluated at (default: the scenario's
        ``params``); use it for constants computed from the data (smoothness, moments, ...).
    expect : str
        ``"holds"`` for a claim, ``"violated"`` for a negative control (a deliberately false statement the
        checker must catch), ``"assumptions_fail"`` for a negative control that the hypothesis checks must
        reject (e.g. a non-log-concave law offered to a log-concave theorem).
    """

    id: str
    title: str
    reference: Reference
    bound: Bound
    measure: Callable[[Scenario, np.random.Generator], Estimate | float]
    assumptions: list[Assumption] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)
    bound_params: Callable[[Scenario], Mapping[str, float]] | None = None
    expect: str = "holds"
    notes: str = ""
    search: SearchSpace | None = None  # scenario space for `sgmverify falsify` (None: not searchable)
    section: str = ""  # report heading grouping related theorems of a suite (e.g. "Trained networks")

    def __post_init__(self) -> None:
        if self.expect not in EXPECTATIONS:
            raise InvalidParameterError(
                f"expect must be one of {list(EXPECTATIONS)} (a claim, or a negative control caught by its "
                f"bound or by its hypotheses), got {self.expect!r}."
            )
        names = [s.name for s in self.scenarios]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InvalidParameterError(
                f"theorem {self.id}: duplicate scenario names {dup}; make them unique."
            )

    @property
    def is_negative_control(self) -> bool:
        return self.expect != "holds"

    def checks(self, mode: str = "quick") -> list[Check]:
        return [Check(self, s) for s in self.scenarios if mode == "full" or s.quick]


@dataclass
class Suite:
    """The claims of one paper (or one topic): what a ``proofs_checks`` module exposes as ``SUITE``."""

    name: str
    title: str
    theorems: list[Theorem]
    reference: str = ""
    source: str = ""  # module name or file path, filled in by discovery
    figures: list = field(default_factory=list)  # sgmverify.run.FigureSpec, made after the checks

    def checks(self, mode: str = "quick") -> list[Check]:
        return [c for t in self.theorems for c in t.checks(mode)]


@dataclass
class Check:
    """One theorem on one scenario."""

    theorem: Theorem
    scenario: Scenario

    @property
    def id(self) -> str:
        return f"{self.theorem.id}[{self.scenario.name}]"

    def run(self, versions: Mapping[str, str] | None = None) -> Result:
        """Check assumptions, evaluate the bound, measure, decide.  Never raises: faults become ERROR."""
        t0 = time.perf_counter()
        th, sc = self.theorem, self.scenario
        res = Result.empty(self)
        res.versions = dict(versions or {})
        try:
            res.assumptions = [a.evaluate(sc) for a in th.assumptions]
            failed = [a for a in res.assumptions if a.status == "fails"]
            unknown = [a for a in res.assumptions if a.status == "unknown"]
            values = dict(th.bound_params(sc) if th.bound_params else sc.params)
            res.bound_params = {k: describe_object(v) for k, v in values.items()}
            if failed:
                res.verdict = Verdict.ASSUMPTIONS_FAIL
                res.reason = "; ".join(f"{a.name}: {a.detail}" for a in failed)
                return res
            t1 = time.perf_counter()
            res.bound_value = th.bound.evaluate(values)
            res.timings["bound_s"] = time.perf_counter() - t1
            t1 = time.perf_counter()
            m = th.measure(sc, np.random.default_rng(sc.seed))
            res.timings["measure_s"] = time.perf_counter() - t1
            res.measured = m if isinstance(m, Estimate) else Estimate.exact_value(float(m))
            tol = th.bound.tolerance(res.bound_value)
            res.verdict, res.reason = decide(res.bound_value, res.measured, th.bound.direction, tol)
            if res.bound_value != 0 and math.isfinite(res.bound_value):
                res.ratio = res.measured.value / res.bound_value
            if unknown and res.verdict is Verdict.VIOLATED:
                res.verdict = Verdict.INCONCLUSIVE
                res.reason = (
                    f"measured beyond the bound, but assumptions {[a.name for a in unknown]} could not be "
                    f"verified ({res.reason})"
                )
        except Exception as exc:  # noqa: BLE001  (one check's fault must not stop a run)
            res.verdict = Verdict.ERROR
            res.reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            res.traceback = traceback.format_exc()
        finally:
            res.timings["total_s"] = time.perf_counter() - t0
        return res


@dataclass
class Result:
    """What a check produced (JSON round-trip via :meth:`to_dict` / :meth:`from_dict`)."""

    check_id: str
    theorem_id: str
    scenario: str
    title: str
    statement: str
    provenance: str
    reference: str
    expect: str
    verdict: Verdict = Verdict.ERROR
    reason: str = ""
    bound_value: float | None = None
    measured: Estimate | None = None
    ratio: float | None = None
    bound: dict = field(default_factory=dict)
    bound_params: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    sweep: list = field(default_factory=list)
    seed: int = 0
    assumptions: list[AssumptionResult] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    suite: str = ""
    section: str = ""
    notes: str = ""
    content_hash: str = ""
    traceback: str = ""

    @classmethod
    def empty(cls, check: Check) -> Result:
        th, sc = check.theorem, check.scenario
        return cls(
            check_id=check.id,
            theorem_id=th.id,
            scenario=sc.name,
            title=th.title,
            statement=th.bound.statement(),
            provenance=th.reference.provenance.value,
            reference=th.reference.cite(),
            expect=th.expect,
            bound=th.bound.to_dict(),
            params={k: describe_object(v) for k, v in sc.params.items()},
            sweep=list(sc.sweep),
            seed=sc.seed,
            section=th.section,
            notes=th.notes,
        )

    @property
    def as_expected(self) -> bool:
        """True when a claim was not violated/errored, or a negative control was detected (VIOLATED)."""
        if self.expect != "holds":
            return self.verdict is expected_verdict(self.expect)
        return self.verdict not in (Verdict.VIOLATED, Verdict.ERROR)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["verdict"] = self.verdict.value
        d["measured"] = self.measured.to_dict() if self.measured else None
        d["assumptions"] = [vars(a).copy() for a in self.assumptions]
        for k in ("bound_value", "ratio"):
            v = d[k]
            if isinstance(v, float) and not math.isfinite(v):
                d[k] = str(v)
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> Result:
        d = dict(d)
        d["verdict"] = Verdict(d["verdict"])
        d["measured"] = Estimate.from_dict(d["measured"]) if d.get("measured") else None
        d["assumptions"] = [AssumptionResult(**a) for a in d.get("assumptions", [])]
        for k in ("bound_value", "ratio"):
            if isinstance(d.get(k), str):
                d[k] = float(d[k])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})


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
