r"""Iteration complexity of a forward process, derived symbolically, and the contraction of its reverse SDE.

**Horizon, step and iteration orders.**  For the forward SDE :math:`dX = a(t)X\,dt + g(t)\,dW` (``LinearSDE``)
the horizon :math:`T(d,\varepsilon)` is fixed by an *initialisation requirement* and the iteration count is
:math:`K = T/\eta`:

* variance-exploding (:math:`a \equiv 0`): the initialisation term is of order
  :math:`\sqrt d/(1 + m_0\sigma_T^2)`, so :math:`\sigma_T^2 = \int_0^T g^2 \asymp \sqrt d/\varepsilon`;
* otherwise (OU / VP): it is of order :math:`\sqrt d\,e^{-\int_0^T f}` with :math:`f = -a`, so
  :math:`\int_0^T f \asymp \log(\sqrt d/\varepsilon) \asymp \log(d/\varepsilon)`;
* the discretisation term :math:`\sqrt{d\eta} \le \varepsilon` gives :math:`\eta \asymp \varepsilon^2/d`,
  solved for :math:`\eta` by sympy in :func:`derive_step_order` (the default of :func:`derive_complexity`;
  pass another :class:`Order`, or derive one from another requirement, for another scheme).

This is the reconstruction of the complexity logic in the GNZ math reference (``gao_nguyen_zhu.md`` §4.3,
tag [D]).  The inversion is general: the growth function :math:`F(T) = \int_0^T h` (:math:`h = g^2` or
:math:`-a`) is classified from the leading behaviour of :math:`h(s)` as :math:`s\to\infty` — a power
:math:`h \sim C s^p` gives :math:`F \sim C T^{p+1}/(p+1)`, an exponential-type :math:`\log h \sim \lambda
s^r` gives :math:`\log F \sim \lambda T^r` — and :math:`F(T) \asymp` target is solved for the leading order
of :math:`T`.  Exponents may be symbolic (sympy assumptions on their symbols decide signs).  Orders are
:class:`Order` objects: powers of :math:`d`, :math:`1/\varepsilon`, :math:`\log(d/\varepsilon)` and
:math:`\log\log(d/\varepsilon)`, compared exactly.

**Propagated convexity and contraction** (reference §2, §3 [D]).  If :math:`m_0 I \preceq
-\nabla^2\log p_0 \preceq L_0 I` then (Brascamp–Lieb / Cramér–Rao on the posterior of :math:`X_0` given
:math:`X_t`, equality for Gaussian data) :math:`-\nabla^2\log p_t \succeq 1/(\mu_t^2/m_0 + \sigma_t^2)` and
:math:`\preceq 1/(\mu_t^2/L_0 + \sigma_t^2)`, with :math:`\mu_t = m(t)` the mean coefficient.  Two
synchronously coupled reverse SDEs contract at rate :math:`c(t) = m(t)g(t)^2 - f(t)`, and because
:math:`D = \mu^2/m_0 + \sigma^2` solves :math:`D' = -2fD + g^2`,

.. math:: \exp\Big(-\int_0^T c\Big) = \frac{\mu_T}{\mu_T^2 + m_0\sigma_T^2}

(VE: :math:`1/(1+m_0\sigma_T^2)`; VP: :math:`e^{B/2}/(m_0e^B + 1 - m_0)`, reference C4).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from sgmverify.errors import DerivationError, InvalidParameterError

__all__ = [
    "D_SYMBOL",
    "EPS_SYMBOL",
    "ETA_DISCRETISATION",
    "ETA_SYMBOL",
    "ComplexityDerivation",
    "Growth",
    "Order",
    "contraction_rate_expr",
    "damping_closed_form",
    "damping_expr",
    "derive_complexity",
    "derive_step_order",
    "dominance_excess",
    "leading_growth",
    "log_of_order",
    "order_gap",
    "order_of",
    "propagated_convexity",
    "propagated_smoothness",
]

D_SYMBOL = sp.Symbol("d", positive=True)
EPS_SYMBOL = sp.Symbol("epsilon", positive=True)
_S = sp.Symbol("s", positive=True)  # integration / asymptotic variable
_NAMES = ("d", "1/ε", "log(d/ε)", "log log(d/ε)")


def _exact(x) -> sp.Expr:
    """Sympify, turning floats into rationals so that orders compare exactly."""
    e = sp.sympify(x)
    if e.atoms(sp.Float):
        e = e.xreplace({f: sp.nsimplify(f, rational=True) for f in e.atoms(sp.Float)})
    return sp.simplify(e)


@dataclass(frozen=True)
class Order:
    r"""The order :math:`d^{\,p_d}\,\varepsilon^{-p_\varepsilon}\,\log(d/\varepsilon)^{p_l}\,
    (\log\log(d/\varepsilon))^{p_{ll}}` (constants dropped), for :math:`d\to\infty`, :math:`\varepsilon\to0`.

    Exponents are sympy expressions (numbers or symbolic, e.g. ``1/(rho+1)``).
    """

    d: sp.Expr | int = 0
    inv_eps: sp.Expr | int = 0
    log: sp.Expr | int = 0
    loglog: sp.Expr | int = 0

    def __post_init__(self) -> None:
        for name in ("d", "inv_eps", "log", "loglog"):
            try:
                object.__setattr__(self, name, _exact(getattr(self, name)))
            except (sp.SympifyError, TypeError) as exc:
                raise InvalidParameterError(f"Order exponent {name}={getattr(self, name)!r}: {exc}") from exc

    @property
    def exponents(self) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
        return (self.d, self.inv_eps, self.log, self.loglog)

    @property
    def expr(self) -> sp.Expr:
        """The order as a sympy expression in ``d`` and ``epsilon`` (constant 1)."""
        L = sp.log(D_SYMBOL / EPS_SYMBOL)
        return D_SYMBOL**self.d * EPS_SYMBOL ** (-self.inv_eps) * L**self.log * sp.log(L) ** self.loglog

    def __mul__(self, other: Order) -> Order:
        return Order(*(a + b for a, b in zip(self.exponents, other.exponents, strict=True)))

    def __truediv__(self, other: Order) -> Order:
        return Order(*(a - b for a, b in zip(self.exponents, other.exponents, strict=True)))

    def __pow__(self, k) -> Order:
        return Order(*(a * _exact(k) for a in self.exponents))

    def subs(self, values: Mapping) -> Order:
        """Substitute values for symbolic exponents (keys: symbols or their names)."""
        by_name = {str(k): v for k, v in values.items()}
        syms = {s for e in self.exponents for s in e.free_symbols}
        rep = {s: _exact(by_name[s.name]) for s in syms if s.name in by_name}
        return Order(*(e.xreplace(rep) for e in self.exponents))

    def difference(self, other: Order) -> tuple[sp.Expr, ...]:
        """Simplified exponent differences ``self - other``."""
        return tuple(sp.simplify(a - b) for a, b in zip(self.exponents, other.exponents, strict=True))

    def equals(self, other: Order) -> bool | None:
        """True / False when sympy decides; None when a symbolic difference has undecided sign."""
        diffs = self.difference(other)
        zero = [x.is_zero for x in diffs]
        if all(z is True for z in zero):
            return True
        if any(z is False for z in zero):
            return False
        return None

    def pretty(self) -> str:
        """E.g. ``d^(3/2) · ε^(-3) · log(d/ε)``."""
        parts = []
        for base, e, sign in (("d", self.d, 1), ("ε", self.inv_eps, -1), ("log(d/ε)", self.log, 1)):
            e = sp.simplify(sign * e)
            if e != 0:
                parts.append(base if e == 1 else f"{base}^{e}" if e.is_Integer else f"{base}^({sp.sstr(e)})")
        if self.loglog != 0:
            parts.append("log(log(d/ε))" + ("" if self.loglog == 1 else f"^({sp.sstr(self.loglog)})"))
        return " · ".join(parts) or "1"

    __str__ = pretty


def _numeric_diffs(a: Order, b: Order) -> np.ndarray:
    diffs = a.difference(b)
    try:
        return np.array([float(x) for x in diffs])
    except TypeError as exc:
        raise DerivationError(
            f"orders {a} and {b} differ by symbolic exponents {diffs}; substitute values (Order.subs)."
        ) from exc


def order_gap(a: Order, b: Order) -> float:
    """Largest absolute exponent difference between two orders (0 iff they are the same order)."""
    return float(np.max(np.abs(_numeric_diffs(a, b))))


def dominance_excess(a: Order, b: Order) -> float:
    r"""How far :math:`a` exceeds :math:`b`: 0 iff :math:`a = O(b)` as :math:`d\to\infty`,
    :math:`\varepsilon\to0`.

    With :math:`\Delta = a/b` exponents, the ratio is bounded iff along :math:`d\to\infty` the tuple
    :math:`(\Delta_d, \Delta_{\log}, \Delta_{\log\log})` and along :math:`\varepsilon\to0` the tuple
    :math:`(\Delta_{1/\varepsilon}, \Delta_{\log}, \Delta_{\log\log})` are lexicographically :math:`\le 0`
    (mixed paths follow: a power beats any log).  The excess is the largest first non-zero entry that is
    positive (e.g. 2 for :math:`d^{3/2}\varepsilon^{-3}\log` against :math:`d\varepsilon^{-1}`).
    """
    dd, de, dl, dll = _numeric_diffs(a, b)
    excess = 0.0
    for lead in (dd, de):
        first = next((x for x in (lead, dl, dll) if abs(x) > 1e-12), 0.0)
        excess = max(excess, first)
    return float(excess)


def log_of_order(o: Order) -> Order:
    r"""Order of :math:`\log(o)`: :math:`\log(d/\varepsilon)` when both power exponents are positive,
    :math:`\log\log(d/\varepsilon)` for a pure positive power of :math:`\log(d/\varepsilon)`."""
    if o.d.is_positive and o.inv_eps.is_positive:
        return Order(log=1)
    if o.d.is_zero and o.inv_eps.is_zero and o.log.is_positive:
        return Order(loglog=1)
    raise DerivationError(
        f"log({o}) has no order in d^p ε^-q log(d/ε)^r loglog(d/ε)^s form (both powers of d and 1/ε must be "
        "positive, or the order must be a positive power of log(d/ε))."
    )


def _limit(expr: sp.Expr, what: str) -> sp.Expr:
    try:
        out = sp.limit(expr, _S, sp.oo)
    except Exception as exc:
        raise DerivationError(f"sympy could not take the limit of {what} = {expr} as s -> oo: {exc}") from exc
    if out.has(sp.nan, sp.AccumBounds, sp.Limit):
        raise DerivationError(f"the limit of {what} = {expr} as s -> oo does not exist or is not found.")
    return out


def _is_positive(x: sp.Expr, assume, what: str) -> bool:
    ok = sp.ask(sp.Q.positive(x), assume) if assume is not True else x.is_positive
    if ok is None:
        raise DerivationError(
            f"cannot decide whether {what} = {x} is positive; declare assumptions on its symbols "
            "(e.g. sympy.Symbol('c', positive=True)) or pass assume=sympy.Q.gt(c, -1/2)."
        )
    return bool(ok)


@dataclass(frozen=True)
class Growth:
    r"""Leading growth of :math:`F(T) = \int_0^T h` as :math:`T\to\infty`.

    ``kind="power"``: :math:`F \sim` ``coeff`` :math:`\cdot T^{\text{exponent}}`.
    ``kind="exp"``: :math:`\log F \sim` ``coeff`` :math:`\cdot T^{\text{exponent}}`.
    """

    kind: str
    exponent: sp.Expr
    coeff: sp.Expr
    integrand: sp.Expr

    def invert(self, target: sp.Expr) -> sp.Expr:
        """Leading-order solution T of F(T) = target (target a sympy expression)."""
        if self.kind == "power":
            return (target / self.coeff) ** (1 / self.exponent)
        return (sp.log(target) / self.coeff) ** (1 / self.exponent)

    def invert_order(self, target: Order) -> Order:
        if self.kind == "power":
            return target ** (1 / self.exponent)
        return log_of_order(target) ** (1 / self.exponent)


def leading_growth(h: sp.Expr, s: sp.Symbol, assume=True) -> Growth:
    r"""Classify :math:`F(T) = \int_0^T h(s)\,ds` by the leading behaviour of :math:`h` at infinity.

    Power: the elasticity :math:`p = \lim s h'/h` is finite and :math:`C = \lim h/s^p \in (0,\infty)`; then
    :math:`F \sim C T^{p+1}/(p+1)`, needing :math:`p + 1 > 0` (else F grows like log T or stays bounded).
    Exponential type: :math:`p = \infty`; :math:`H = \log h` has finite elasticity :math:`r > 0` and
    :math:`\lambda = \lim H/s^r \in (0,\infty)`; then :math:`\log F \sim \lambda T^r`.

    Raises
    ------
    DerivationError
        When the growth is logarithmic, bounded, super-exponential, has log factors, or sympy cannot decide.
    """
    h = _exact(h.subs(s, _S))
    if h.is_zero:
        raise DerivationError(
            "the growth integrand is identically 0: the initialisation requirement is never met."
        )
    p = _limit(sp.simplify(_S * sp.diff(h, _S) / h), "the elasticity s h'/h")
    if p.is_finite:
        C = _limit(sp.simplify(h / _S**p), "h/s^p")
        if C.is_finite and C.is_nonzero and C.is_negative:
            raise DerivationError(
                f"h(s) = {h} is eventually negative (h ~ {C} s^({p})): the growth function F decreases, so "
                "the initialisation requirement is never met (for a drift, f = -a must be eventually > 0)."
            )
        if not (C.is_finite and _is_positive(C, assume, "the leading coefficient")):
            raise DerivationError(
                f"h(s) = {h} is not asymptotic to C s^p with 0 < C < oo (C = {C}): log factors in the growth "
                "are not supported."
            )
        q = sp.simplify(p + 1)
        if not _is_positive(q, assume, "p + 1 (growth exponent of F)"):
            raise DerivationError(
                f"F(T) = ∫ h with h ~ {C} s^({p}) stays bounded (p + 1 < 0) or grows like log T (p + 1 = 0; "
                f"here p + 1 = {q}): the requirement is never met or T is exponential in d/ε, so no "
                "polynomial-log order exists."
            )
        return Growth("power", q, sp.simplify(C / q), h)
    if p is not sp.oo:
        raise DerivationError(f"h(s) = {h} decays or oscillates at infinity (elasticity {p}).")
    H = sp.expand_log(sp.log(h), force=True)
    r = _limit(sp.simplify(_S * sp.diff(H, _S) / H), "the elasticity of log h")
    if not (r.is_finite and _is_positive(r, assume, "the exponential rate exponent r")):
        raise DerivationError(
            f"log h(s) = {H} grows faster than any power (elasticity {r}): super-exponential."
        )
    lam = _limit(sp.simplify(H / _S**r), "log(h)/s^r")
    if not (lam.is_finite and _is_positive(lam, assume, "the exponential rate")):
        raise DerivationError(f"log h(s) = {H} is not asymptotic to λ s^r with 0 < λ < oo (λ = {lam}).")
    return Growth("exp", r, lam, h)


#: Step-size symbol of :func:`derive_step_order` (the requirement is written in it).
ETA_SYMBOL = sp.Symbol("eta", positive=True)


def order_of(expr: sp.Expr) -> Order:
    r"""The :class:`Order` of a product of powers of :math:`d`, :math:`\varepsilon`,
    :math:`\log(d/\varepsilon)` and :math:`\log\log(d/\varepsilon)` (positive constant factors dropped).

    Raises
    ------
    DerivationError
        When ``expr`` has another factor (a sum, another function, the step symbol, a non-positive constant).
    """
    L = sp.log(D_SYMBOL / EPS_SYMBOL)
    x, xx = sp.Symbol("_L", positive=True), sp.Symbol("_LL", positive=True)
    e = sp.powsimp(sp.powdenest(sp.sympify(expr), force=True), force=True)
    e = e.subs(sp.log(L), xx).subs(L, x)
    e = sp.expand_power_base(e, force=True)
    exps = {"d": 0, "inv_eps": 0, "log": 0, "loglog": 0}
    names = {
        D_SYMBOL: ("d", 1),
        EPS_SYMBOL: ("inv_eps", -1),
        x: ("log", 1),
        xx: ("loglog", 1),
    }
    for base, power in e.as_powers_dict().items():
        if base in names:
            key, sign = names[base]
            exps[key] += sign * power
        elif not (base.is_number and base.is_positive and power.is_real) and base != 1:
            raise DerivationError(
                f"cannot read an order d^p ε^-q log(d/ε)^r loglog(d/ε)^s off {expr}: factor {base}^{power}."
            )
    return Order(**exps)


def derive_step_order(discretisation: sp.Expr | None = None, target: sp.Expr | None = None) -> Order:
    r"""Step-size order from a discretisation requirement ``discretisation(η) ≍ target``, solved by sympy.

    The default is the discretisation term :math:`\sqrt{d\eta} \asymp \varepsilon` of the reference (§4.3
    [D]), whose solution is :math:`\eta = \varepsilon^2/d`.  ``discretisation`` is a sympy expression in
    :data:`ETA_SYMBOL`, :data:`D_SYMBOL`, :data:`EPS_SYMBOL` (e.g. ``sqrt(d)*eta`` for a first-order term).

    Raises
    ------
    DerivationError
        No unique positive solution for η, or the solution is not a product of powers (:func:`order_of`).
    """
    lhs = sp.sqrt(D_SYMBOL * ETA_SYMBOL) if discretisation is None else sp.sympify(discretisation)
    rhs = EPS_SYMBOL if target is None else sp.sympify(target)
    if ETA_SYMBOL not in lhs.free_symbols:
        raise DerivationError(f"the discretisation term {lhs} does not depend on the step symbol eta.")
    try:
        sols = [x for x in sp.solve(sp.Eq(lhs, rhs), ETA_SYMBOL) if x.is_positive is not False]
    except NotImplementedError as exc:
        raise DerivationError(f"sympy cannot solve {lhs} = {rhs} for eta: {exc}") from exc
    if len(sols) != 1:
        raise DerivationError(f"{lhs} = {rhs} has {len(sols)} positive solutions for eta ({sols}); need one.")
    return order_of(sols[0])


#: Step-size order derived (:func:`derive_step_order`) from the discretisation term sqrt(d η) ≍ ε
#: (reference §4.3 [D]): ε²/d.
ETA_DISCRETISATION = derive_step_order()


@dataclass(frozen=True)
class ComplexityDerivation:
    """Result of :func:`derive_complexity` (orders and the leading-order horizon with its constants)."""

    family: str  # "VE" or "VP"
    requirement: str
    growth_expr: sp.Expr  # F(T): sigma^2(T) (VE) or int_0^T f (VP), sympy, time symbol T
    growth: Growth
    target_expr: sp.Expr  # the F(T) target as a function of d, epsilon
    target: Order
    horizon: Order
    eta: Order
    iterations: Order
    horizon_expr: sp.Expr  # leading-order T(d, epsilon) (parameter symbols kept)
    T: sp.Symbol

    def horizon_value(self, d: float, eps: float, params: Mapping[str, float]) -> float:
        """Numeric leading-order T(d, ε) at parameter values ``params``."""
        return _lambdified(self.horizon_expr, tuple(sorted(params)))(
            d, eps, *[params[k] for k in sorted(params)]
        )

    def table_row(self) -> dict:
        return {
            "family": self.family,
            "T": self.horizon.pretty(),
            "eta": self.eta.pretty(),
            "K": self.iterations.pretty(),
        }


@functools.lru_cache(maxsize=128)
def _lambdified(expr: sp.Expr, names: tuple[str, ...]):
    syms = {s.name: s for s in expr.free_symbols}
    args = [D_SYMBOL, EPS_SYMBOL, *[syms.get(n, sp.Symbol(n)) for n in names]]
    return sp.lambdify(args, expr, modules=["numpy"])


def _substituted(process, substitute: Iterable[str] | str) -> tuple[sp.Expr, sp.Expr]:
    names = set(process.params) if substitute == "all" else set(substitute)
    unknown = names - set(process.params)
    if unknown:
        raise InvalidParameterError(
            f"cannot substitute {sorted(unknown)}: the process's parameters are {sorted(process.params)}."
        )
    syms = process.a_expr.free_symbols | process.g_expr.free_symbols
    rep = {s: _exact(process.params[s.name]) for s in syms if s.name in names}
    return process.a_expr.xreplace(rep), process.g_expr.xreplace(rep)


def derive_complexity(
    process,
    *,
    eta: Order = ETA_DISCRETISATION,
    substitute: Iterable[str] | str = (),
    family: str = "auto",
    assume=True,
) -> ComplexityDerivation:
    r"""Derive horizon, step and iteration orders of ``process`` (a ``LinearSDE``) — see the module docstring.

    Parameters
    ----------
    process : LinearSDE
        Its symbolic ``a_expr``, ``g_expr`` are used; parameter symbols stay symbolic unless named in
        ``substitute`` (``"all"`` substitutes every numeric value of ``process.params``).
    eta : Order
        Step-size order (default :data:`ETA_DISCRETISATION`, :math:`\varepsilon^2/d`, derived by
        :func:`derive_step_order` from :math:`\sqrt{d\eta} \asymp \varepsilon`).
    family : "auto", "VE" or "VP"
        Initialisation requirement; "auto": VE iff :math:`a \equiv 0`.
    assume : sympy boolean, optional
        Extra assumptions for ``sympy.ask`` when deciding signs of symbolic exponents.

    Raises
    ------
    DerivationError
        The growth cannot be inverted into a polynomial-log order (see :func:`leading_growth`).
    """
    a, g = _substituted(process, substitute)
    return _derive_cached(a, g, process.t, eta, family, assume)


@functools.lru_cache(maxsize=256)
def _derive_cached(
    a: sp.Expr, g: sp.Expr, t: sp.Symbol, eta: Order, family: str, assume
) -> ComplexityDerivation:
    """:func:`derive_complexity` on expressions (cached: the same a, g are derived once per process)."""
    fam = ("VE" if sp.simplify(a) == 0 else "VP") if family == "auto" else family
    T = sp.Symbol("T", positive=True)
    if fam == "VE":
        h = g**2
        target_expr, target = sp.sqrt(D_SYMBOL) / EPS_SYMBOL, Order(d=sp.Rational(1, 2), inv_eps=1)
        requirement = "sigma_T^2 = int_0^T g^2 ≍ sqrt(d)/ε  (damping 1/(1 + m0 sigma_T^2))"
    elif fam == "VP":
        h = -a
        target_expr, target = sp.log(sp.sqrt(D_SYMBOL) / EPS_SYMBOL), Order(log=1)
        requirement = "int_0^T f ≍ log(sqrt(d)/ε) ≍ log(d/ε)  (damping ≍ exp(-int f))"
    else:
        raise InvalidParameterError(f"family must be 'auto', 'VE' or 'VP', got {family!r}.")
    growth = leading_growth(h.subs(t, _S), _S, assume)
    growth_expr = sp.integrate(h.subs(t, _S), (_S, 0, T), conds="none")
    horizon = growth.invert_order(target)
    return ComplexityDerivation(
        family=fam,
        requirement=requirement,
        growth_expr=growth_expr,
        growth=growth,
        target_expr=target_expr,
        target=target,
        horizon=horizon,
        eta=eta,
        iterations=horizon / eta,
        horizon_expr=growth.invert(target_expr),
        T=T,
    )


# ----------------------------------------------------------------------- propagated convexity, contraction
def propagated_convexity(process, m0: float, t) -> np.ndarray | float:
    r"""Lower bound :math:`1/(\mu_t^2/m_0 + \sigma_t^2)` on :math:`\lambda_{\min}(-\nabla^2\log p_t)` (§2
    [D])."""
    if not m0 > 0:
        raise InvalidParameterError(f"m0 must be > 0 (strong log-concavity constant), got {m0}.")
    mu = process.mean_coeff(t)
    return 1.0 / (mu * mu / m0 + process.var(t))


def propagated_smoothness(process, L0: float, t) -> np.ndarray | float:
    r"""Upper bound :math:`1/(\mu_t^2/L_0 + \sigma_t^2)` on :math:`\lambda_{\max}(-\nabla^2\log p_t)` (§2
    [D]).

    ``L0 = inf`` (no smoothness at time 0) gives the Cramér–Rao bound :math:`1/\sigma_t^2`.
    """
    if not L0 > 0:
        raise InvalidParameterError(f"L0 must be > 0, got {L0}.")
    mu = process.mean_coeff(t)
    inv = 0.0 if math.isinf(L0) else 1.0 / L0
    return 1.0 / (mu * mu * inv + process.var(t))


def contraction_rate_expr(process, m0: sp.Expr) -> sp.Expr:
    r"""Sympy :math:`c(t) = m(t)g(t)^2 - f(t) = g^2/(\mu^2/m_0 + \sigma^2) + a(t)` (reference §3 [D])."""
    if process.var_expr is None:
        raise DerivationError(
            f"{process.name}: sigma^2(t) has no closed form; the contraction rate needs one."
        )
    return process.g_expr**2 / (process.m_expr**2 / m0 + process.var_expr) + process.a_expr


def damping_expr(process, m0: sp.Expr) -> sp.Expr:
    r"""Sympy closed form :math:`\exp(-\int_0^t c) = \mu_t/(\mu_t^2 + m_0\sigma_t^2)` (time symbol
    ``process.t``)."""
    if process.var_expr is None:
        raise DerivationError(f"{process.name}: sigma^2(t) has no closed form; the damping needs one.")
    return process.m_expr / (process.m_expr**2 + m0 * process.var_expr)


def damping_closed_form(process, m0: float, T) -> np.ndarray | float:
    r"""Numeric :math:`\mu_T/(\mu_T^2 + m_0\sigma_T^2)` (reference C4 in general form [D])."""
    if not m0 > 0:
        raise InvalidParameterError(f"m0 must be > 0, got {m0}.")
    mu = process.mean_coeff(T)
    return mu / (mu * mu + m0 * process.var(T))
