r"""Orders of growth as :math:`d \to \infty`, :math:`\varepsilon \to 0`; the leading growth of an integral.

:class:`Order` is :math:`d^{\,p_d}\,\varepsilon^{-p_\varepsilon}\,\log(d/\varepsilon)^{p_l}\,
(\log\log(d/\varepsilon))^{p_{ll}}` with constants dropped; exponents are sympy expressions (numbers or
symbolic, whose signs sympy decides from the symbols' assumptions), so orders multiply, divide, raise to
powers and compare exactly (:func:`order_gap`, :func:`dominance_excess`).  :func:`order_of` reads an order
off a sympy product, :func:`log_of_order` takes its logarithm.

:class:`Growth` classifies :math:`F(T) = \int_0^T h` from the leading behaviour of :math:`h(s)` as
:math:`s\to\infty` (:func:`leading_growth`): a power :math:`h \sim C s^p` gives
:math:`F \sim C T^{p+1}/(p+1)`, an exponential-type :math:`\log h \sim \lambda s^r` gives
:math:`\log F \sim \lambda T^r`; either is inverted for the leading order of :math:`T` solving
:math:`F(T) \asymp` target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp

from sgmverify.errors import DerivationError, InvalidParameterError
from sgmverify.expressions import parse_expression

__all__ = [
    "D_SYMBOL",
    "EPS_SYMBOL",
    "Growth",
    "Order",
    "dominance_excess",
    "exact_expr",
    "leading_growth",
    "log_of_order",
    "order_gap",
    "order_of",
]

D_SYMBOL = sp.Symbol("d", positive=True)
EPS_SYMBOL = sp.Symbol("epsilon", positive=True)
_S = sp.Symbol("s", positive=True)  # integration / asymptotic variable


def _parse(x) -> sp.Expr:
    """A user expression in d, epsilon (and other names, as symbols): the whitelist parser, never eval."""
    names = {"d": D_SYMBOL, "epsilon": EPS_SYMBOL, "eps": EPS_SYMBOL}
    return parse_expression(x, names, auto_symbols=True, what="order expression")


def exact_expr(x) -> sp.Expr:
    """Parse (whitelist, never evaluated), turning floats into rationals so that orders compare exactly."""
    e = _parse(x)
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
                object.__setattr__(self, name, exact_expr(getattr(self, name)))
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
        return Order(*(a * exact_expr(k) for a in self.exponents))

    def subs(self, values: Mapping) -> Order:
        """Substitute values for symbolic exponents (keys: symbols or their names)."""
        by_name = {str(k): v for k, v in values.items()}
        syms = {s for e in self.exponents for s in e.free_symbols}
        rep = {s: exact_expr(by_name[s.name]) for s in syms if s.name in by_name}
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
    h = exact_expr(h.subs(s, _S))
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
    e = sp.powsimp(sp.powdenest(_parse(expr), force=True), force=True)
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
