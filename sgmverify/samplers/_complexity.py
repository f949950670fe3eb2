r"""Iteration complexity of a forward process, derived symbolically from two requirements.

For the forward SDE :math:`dX = a(t)X\,dt + g(t)\,dW` (``LinearSDE``) the horizon :math:`T(d,\varepsilon)` is
fixed by an *initialisation requirement* and the iteration count is :math:`K = T/\eta`:

* variance-exploding (:math:`a \equiv 0`): the initialisation term is of order
  :math:`\sqrt d/(1 + m_0\sigma_T^2)`, so :math:`\sigma_T^2 = \int_0^T g^2 \asymp \sqrt d/\varepsilon`;
* otherwise (OU / VP): it is of order :math:`\sqrt d\,e^{-\int_0^T f}` with :math:`f = -a`, so
  :math:`\int_0^T f \asymp \log(\sqrt d/\varepsilon) \asymp \log(d/\varepsilon)`;
* the step size :math:`\eta` comes from a *discretisation requirement* of the scheme under study, which the
  caller states: :func:`derive_step_order` solves ``requirement(η) ≍ target`` (e.g. a discretisation term
  :math:`\sqrt{d\eta} \le \varepsilon` gives :math:`\eta \asymp \varepsilon^2/d`) and
  :func:`derive_complexity` takes the resulting :class:`~sgmverify.samplers.Order` as ``eta``.  The engine has
  no default requirement: each scheme, and each paper, brings its own.

The horizon is inverted in general (:func:`~sgmverify.samplers.leading_growth`): the growth function
:math:`F(T) = \int_0^T h` (:math:`h = g^2` or :math:`-a`) is classified from the leading behaviour of
:math:`h(s)` as :math:`s\to\infty` and :math:`F(T) \asymp` target is solved for the leading order of
:math:`T`.  Exponents may be symbolic (sympy assumptions on their symbols decide signs).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy as sp

from sgmverify.errors import DerivationError, InvalidParameterError
from sgmverify.expressions import parse_expression

from ._orders import D_SYMBOL, EPS_SYMBOL, Growth, Order, exact_expr, leading_growth, order_of

__all__ = ["ETA_SYMBOL", "ComplexityDerivation", "derive_complexity", "derive_step_order"]

_S = sp.Symbol("s", positive=True)  # integration / asymptotic variable (the same symbol as in ._orders)

#: Step-size symbol of :func:`derive_step_order` (the requirement is written in it).
ETA_SYMBOL = sp.Symbol("eta", positive=True)


def derive_step_order(discretisation: sp.Expr, target: sp.Expr | None = None) -> Order:
    r"""Step-size order from a discretisation requirement :math:`D(\eta, d, \varepsilon) \asymp
    E(d, \varepsilon)`, solved for :math:`\eta` by sympy and read as an :class:`Order` (constants dropped).

    Parameters
    ----------
    discretisation : sympy expression
        The discretisation term :math:`D` in :data:`ETA_SYMBOL`, :data:`D_SYMBOL`, :data:`EPS_SYMBOL` (e.g.
        ``sqrt(d*eta)`` gives :math:`\eta \asymp \varepsilon^2/d`, ``sqrt(d)*eta`` gives
        :math:`\varepsilon/\sqrt d`).  There is no default: the requirement belongs to the scheme and the
        analysis under study.
    target : sympy expression, optional
        The accuracy :math:`E` the term must not exceed (default :math:`\varepsilon`).

    Raises
    ------
    DerivationError
        :math:`D` does not depend on :math:`\eta`, there is no unique positive solution for :math:`\eta`, or
        the solution is not a product of powers (:func:`~sgmverify.samplers.order_of`).
    """
    names = {"eta": ETA_SYMBOL, "d": D_SYMBOL, "epsilon": EPS_SYMBOL, "eps": EPS_SYMBOL}
    lhs = parse_expression(discretisation, names, auto_symbols=True, what="discretisation term")
    rhs = EPS_SYMBOL if target is None else parse_expression(target, names, auto_symbols=True, what="target")
    if ETA_SYMBOL not in lhs.free_symbols:
        raise DerivationError(f"the discretisation term {lhs} does not depend on the step symbol eta.")
    try:
        sols = [x for x in sp.solve(sp.Eq(lhs, rhs), ETA_SYMBOL) if x.is_positive is not False]
    except NotImplementedError as exc:
        raise DerivationError(f"sympy cannot solve {lhs} = {rhs} for eta: {exc}") from exc
    if len(sols) != 1:
        raise DerivationError(f"{lhs} = {rhs} has {len(sols)} positive solutions for eta ({sols}); need one.")
    return order_of(sols[0])


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
    rep = {s: exact_expr(process.params[s.name]) for s in syms if s.name in names}
    return process.a_expr.xreplace(rep), process.g_expr.xreplace(rep)


def derive_complexity(
    process,
    *,
    eta: Order,
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
        Step-size order of the scheme, required (no default): typically :func:`derive_step_order` of the
        scheme's discretisation requirement.  The iteration order is ``horizon / eta``.
    family : "auto", "VE" or "VP"
        Initialisation requirement; "auto": VE iff :math:`a \equiv 0`.
    assume : sympy boolean, optional
        Extra assumptions for ``sympy.ask`` when deciding signs of symbolic exponents.

    Raises
    ------
    DerivationError
        The growth cannot be inverted into a polynomial-log order (see :func:`leading_growth`).
    """
    if not isinstance(eta, Order):
        raise InvalidParameterError(
            f"eta must be an Order (e.g. derive_step_order(<discretisation requirement>)), got {eta!r}."
        )
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
