r"""The theory model: theorems as checkable claims.

A :class:`Theorem` is a conclusion (:class:`Bound`: a sympy expression in named parameters, a direction,
and the quantity it bounds) under :class:`Assumption`\ s, with a ``measure`` function that measures the
bounded quantity on a :class:`~sgmverify.theory.Scenario` (data distribution × forward process × sampler ×
parameters).  A :class:`Check` is one theorem on one scenario (plain data: running it is the run wing's
job, :func:`sgmverify.run.run_check`, which gives a :class:`~sgmverify.theory.Result` whose verdict comes
from the one rule, :func:`~sgmverify.theory.decide`).  A :class:`Suite` is the theorems of one paper.

``Check`` lives here, next to :class:`Theorem` (whose :meth:`Theorem.checks` makes them), so the model has
no import cycle with the result module.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import sympy as sp

from sgmverify.errors import BoundEvaluationError, ExpressionError, InvalidParameterError, InvalidTypeError
from sgmverify.estimates import Estimate
from sgmverify.expressions import parse_latex_expression
from sgmverify.symbolic import parse_expr

from ._display import latex_symbol_names, latex_text, math_text, relation, theorem_html
from ._reference import Reference
from ._scenario import Scenario
from ._verdict import EXPECTATIONS, Direction

if TYPE_CHECKING:
    from ._search import SearchSpace

__all__ = ["Assumption", "AssumptionResult", "Bound", "Check", "Suite", "Theorem"]


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
        ``rtol`` must lie in [0, 1) (a relative tolerance of 100 % or more would let any exact measurement of
        the right sign pass); ``atol`` must be finite and >= 0 (it is in the units of the quantity).  NaN or
        infinite tolerances raise :class:`~sgmverify.errors.InvalidParameterError`: with ``rtol = inf`` every
        exact check would hold.
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
        params = _param_names(params)
        if not isinstance(quantity, str):
            raise InvalidTypeError(
                f"quantity must be a string saying what is bounded, got {type(quantity).__name__} "
                f"{quantity!r}."
            )
        self.rtol, self.atol = (
            _tolerance(rtol, "rtol", relative=True),
            _tolerance(atol, "atol", relative=False),
        )
        # real (not positive) symbols: positivity would let sympy rewrite Abs(mu) as mu at construction
        local = {p: sp.Symbol(p, real=True) for p in (params or [])}
        parsed = parse_expr(expr, local)
        if not isinstance(parsed, sp.Expr):
            raise ExpressionError(
                f"the bound must be an expression (a number or a formula in the parameters), got the "
                f"{type(parsed).__name__} {parsed!r}; pass e.g. '2*sqrt(d)*eta'."
            )
        self.expr = parsed
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
        self.quantity = quantity
        self.params = sorted(names) if params is None else list(params)
        self.latex_source: str | None = None
        self._fn: Callable | None = None

    @classmethod
    def from_latex(
        cls,
        latex: str,
        direction: Direction | str,
        quantity: str,
        params: Sequence[str] | None = None,
        rtol: float = 1e-9,
        atol: float = 0.0,
    ) -> Bound:
        r"""A bound written in LaTeX, e.g. ``Bound.from_latex(r"\sqrt{d h}\,L + \epsilon \sqrt{T}", "upper",
        "W2")``.

        The text is parsed by sympy's LaTeX parser (lark backend) and the result goes through the same
        whitelist as every user expression (:func:`sgmverify.expressions.parse_latex_expression`: no eval,
        only the whitelisted functions).  Macros map to names: ``\epsilon``/``\varepsilon`` → ``epsilon``,
        ``\lambda`` → ``lamda``, ``\sigma_{0}`` → ``sigma_0``, ``L_{0}`` → ``L_0``; ``\,`` and spaces
        between factors are products.  The other arguments are as for :class:`Bound`; ``params`` names the
        parameters after this mapping.  The LaTeX is kept as :attr:`latex_source` (and in :meth:`to_dict`).

        Raises
        ------
        ExpressionError
            LaTeX that does not parse (the message gives the position), or a function / name outside the
            whitelist.
        """
        names = _param_names(params)
        local = {p: sp.Symbol(p, real=True) for p in (names or [])}
        expr = parse_latex_expression(latex, local, auto_symbols=True, allow_infinite=True, what="bound")
        out = cls(expr, direction, quantity, params=names, rtol=rtol, atol=atol)
        out.latex_source = latex
        return out

    @property
    def symbols(self) -> list[str]:
        return sorted(s.name for s in self.expr.free_symbols)

    def evaluate(self, values: Mapping[str, float]) -> float:
        """The bound's value at ``values`` (extra keys are ignored; missing ones raise).

        ``values`` must be a mapping from parameter names to real numbers; anything else raises
        :class:`~sgmverify.errors.InvalidTypeError`, a value that is not a real number (or is too large for
        float64) :class:`~sgmverify.errors.BoundEvaluationError`.
        """
        if not isinstance(values, Mapping):
            raise InvalidTypeError(
                f"bound values must be a mapping from parameter names to numbers, got "
                f"{type(values).__name__} {values!r:.80}; pass e.g. {{'h': 0.1}}."
            )
        values = {(k.name if isinstance(k, sp.Symbol) else str(k)): v for k, v in values.items()}
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
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise BoundEvaluationError(
                f"could not evaluate bound {self.expr} at {dict(values)}: {exc}"
            ) from exc
        if math.isnan(val):
            raise BoundEvaluationError(f"bound {self.expr} is NaN at {dict(values)}; check the parameters.")
        return val

    def tolerance(self, bound_value: float) -> float:
        return max(self.atol, self.rtol * abs(bound_value))

    def latex(self) -> str:
        """The bound in LaTeX; multi-letter names stay whole (:func:`latex_symbol_names`)."""
        names = latex_symbol_names(self.expr)
        return sp.latex(self.expr, symbol_names=names) if names else sp.latex(self.expr)

    def pretty(self) -> str:
        return sp.pretty(self.expr, use_unicode=True)

    def statement(self) -> str:
        op = {"upper": "≤", "lower": "≥", "equal": "=", "rate": "has order"}[self.direction.value]
        return f"{self.quantity} {op} {self.expr}"

    def __repr__(self) -> str:
        return f"Bound({self.quantity} {relation(self.direction.value)} {math_text(self.expr)})"

    def _repr_latex_(self) -> str:
        return latex_text(self)

    def to_dict(self) -> dict:
        """JSON-able description; ``"latex_source"`` only for a bound built by :meth:`from_latex` (so the
        content hash of every other bound is what it was)."""
        src = {"latex_source": self.latex_source} if self.latex_source is not None else {}
        return {
            **src,
            "expr": sp.srepr(self.expr),
            "text": str(self.expr),
            "latex": self.latex(),
            "direction": self.direction.value,
            "quantity": self.quantity,
            "rtol": self.rtol,
            "atol": self.atol,
        }


def _param_names(params: object) -> list[str] | None:
    """``params`` as a list of names (None stays None); InvalidTypeError unless a sequence of strings."""
    if params is None:
        return None
    if isinstance(params, str | bytes | Mapping) or not isinstance(params, Iterable):
        raise InvalidTypeError(
            f"params must be a list of parameter names, got {type(params).__name__} {params!r}; "
            "e.g. params=['d', 'eta']."
        )
    bad = [p for p in params if not (isinstance(p, str) and p.isidentifier())]
    if bad:
        raise InvalidTypeError(f"params must be names (identifiers such as 'eta'), got {bad!r}.")
    return list(params)


def _tolerance(value: object, name: str, *, relative: bool) -> float:
    """A verdict tolerance as a float: a real number, not NaN, >= 0, and < 1 when ``relative``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}.")
    v = math.inf if isinstance(value, numbers.Integral) and abs(value) > 2**1000 else float(value)
    if relative and not 0.0 <= v < 1.0:
        raise InvalidParameterError(
            f"{name} = {v} is outside [0, 1): a relative tolerance of 100 % or more (or NaN) would let any "
            f"exact measurement pass; pass e.g. {name}=1e-9."
        )
    if not relative and not (math.isfinite(v) and v >= 0.0):
        raise InvalidParameterError(
            f"{name} = {v} must be finite and >= 0 (NaN or inf would decide every check); pass e.g. "
            f"{name}=0.0."
        )
    return v


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
    beyond_hypotheses : bool
        When True, a scenario whose assumptions fail is still measured: the verdict stays ASSUMPTIONS_FAIL
        (never counted as HOLDS or VIOLATED) and the comparison is kept in :attr:`Result.outside
        <sgmverify.theory.Result.outside>` -- does the bound survive outside its hypotheses?
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
    beyond_hypotheses: bool = False  # measure (into Result.outside) where the assumptions fail

    def __post_init__(self) -> None:
        if not isinstance(self.beyond_hypotheses, bool | np.bool_):
            raise InvalidTypeError(
                f"theorem {self.id}: beyond_hypotheses must be True or False, got {self.beyond_hypotheses!r}."
            )
        self.beyond_hypotheses = bool(self.beyond_hypotheses)
        if self.expect not in EXPECTATIONS:
            raise InvalidParameterError(
                f"expect must be one of {list(EXPECTATIONS)} (a claim, or a negative control caught by its "
                f"bound or by its hypotheses), got {self.expect!r}."
            )
        if isinstance(self.scenarios, str | bytes | Mapping) or not isinstance(self.scenarios, Iterable):
            raise InvalidTypeError(
                f"theorem {self.id}: scenarios must be a list of Scenario, got "
                f"{type(self.scenarios).__name__} {self.scenarios!r:.80}."
            )
        bad = [s for s in self.scenarios if not isinstance(s, Scenario)]
        if bad:
            raise InvalidTypeError(
                f"theorem {self.id}: scenarios must be Scenario objects, got {bad[0]!r:.80} "
                f"({type(bad[0]).__name__}); build them with sgmverify.Scenario(...)."
            )
        names = [s.name for s in self.scenarios]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise InvalidParameterError(
                f"theorem {self.id}: duplicate scenario names {dup}; make them unique."
            )

    def __repr__(self) -> str:
        return (
            f"Theorem({self.id!r}, {self.title!r}, {self.bound!r}, "
            f"provenance={self.reference.provenance.value!r})"
        )

    def _repr_html_(self) -> str:
        return theorem_html(self)

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
    """One theorem on one scenario, as data (run it with :func:`sgmverify.run.run_check`)."""

    theorem: Theorem
    scenario: Scenario

    @property
    def id(self) -> str:
        """``"<theorem id>[<scenario name>]"``."""
        return f"{self.theorem.id}[{self.scenario.name}]"
