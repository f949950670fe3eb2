r"""A template for score-regularity claims of the form :math:`C(d, \beta, \dots)\, s_t^{-a}`.

Papers on the regularity of the score state bounds like

.. math::

    \sup_x \|\nabla^k \log p_t(x)\| \le C(d, \beta, \dots)\, s_t^{-a}
    \qquad\text{or}\qquad \sup_x \lambda_{\max}\big(\nabla^2 \log p_t(x)\big) \le C\, s_t^{-a},

with :math:`s_t = \sqrt{v_t}` the noise level of :math:`X_t = m_t X_0 + \sqrt{v_t} Z`, for every law of
a class (compact support, :math:`\beta`-Hölder density, ...).  :class:`RateClaim` states such a bound once
(sympy constant and exponent, a class hypothesis, scenarios) and :meth:`RateClaim.theorems` turns it into
:class:`~sgmverify.theory.Theorem`\ s that a suite checks:

``<id>``
    the bound against the measured supremum (:func:`sgmverify.regularity.sup_over_x`, an honest scan with
    boundary layers and far field) on every scenario; laws outside the class get ASSUMPTIONS_FAIL;
``<id>.floor``
    (two-sided, :math:`k = 2`; on the scenarios whose law has compact support) the *necessary
    condition*: a two-sided bound over
    all of :math:`\mathbb R^d` must be :math:`\ge 1/v_t`, because :math:`\nabla^2\log p_t(re) \to -I/v_t` as
    :math:`r \to \infty` (notes ``docs/papers/stephanovitch_2025.md`` §3.2 R3, §6 claim 4); measured: the
    claimed bound's value, compared with :math:`1/v_t`;
``<id>.exponent``
    the *necessary condition* :math:`a \ge k - \beta` on scenarios whose law has a smoothness ``beta``: the
    Hölder-:math:`\beta` cusp law :math:`(1 + |y|^\beta)\varphi` has
    :math:`\sup_x|\partial^k \log p_t| \asymp s_t^{\beta - k}` (R9, R10; claim 9), so a smaller exponent
    cannot hold on it.

``<id>.rate``
    (only with ``rate_times``) the claim as an *order*, through :class:`sgmverify.theory.Rate`: over the
    sweep :math:`t \in` ``rate_times`` the least-squares log-log slope of the measured supremum against
    :math:`s_t` must be :math:`\ge -a` (a bound :math:`C s^{-a}` caps the growth as :math:`s \to 0`; a
    necessary condition in that limit, so sweep small times), one check per distinct law.

Both necessary conditions are exact mathematics (provenance ``derived``), whatever the paper says: a claim
that fails them is false as stated.  The bound itself keeps the provenance you give it.

Example
-------
A bound that is true (R1 + R2: :math:`|\nabla^2\log p_t| \le \max(1/v, m^2D^2/(4v^2))`, and
:math:`m \le 1`, :math:`s \le 1`), stated for laws supported in a set of diameter :math:`D`:

>>> from sgmverify.theory import Reference, Provenance, Scenario
>>> from sgmverify.laws import Atoms
>>> from sgmverify.sde import OU
>>> from sgmverify.regularity import ScanConfig
>>> claim = RateClaim(
...     id="demo.diameter",
...     title="sup‖∇² log p_t‖ ≤ max(1, D²/4) s_t⁻⁴ for support of diameter D",
...     reference=Reference("derived here", "R1 + R2", provenance=Provenance.DERIVED),
...     constant="Max(1, D**2/4)",
...     exponent="4",
...     k=2,
...     law_params=lambda law: {"D": 2.0},
...     scenarios=[Scenario("two-point-t0.01", data=Atoms.two_point(1.0), process=OU(), params={"t": 0.01})],
...     config=ScanConfig.coarse(),
... )
>>> [th.id for th in claim.theorems()]
['demo.diameter', 'demo.diameter.floor']
>>> th = claim.theorems()[0]
>>> from sgmverify.run import run_check
>>> run_check(th.checks()[0]).verdict.value
'HOLDS'
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from sgmverify.errors import ExpressionError, InvalidParameterError
from sgmverify.estimates import Estimate
from sgmverify.expressions import DEFAULT_FUNCTIONS, parse_expression
from sgmverify.theory import (
    Assumption,
    AssumptionResult,
    Bound,
    Provenance,
    Rate,
    Reference,
    Scenario,
    Theorem,
    content_key,
)

from ._landmarks import ScanConfig
from ._scan import sup_over_x

__all__ = ["NECESSARY", "RateClaim", "is_compact_support", "noise_params"]

#: provenance of the necessary conditions (exact mathematics,
#: docs/papers/stephanovitch_2025.md §3.2 R3, R9; §6 claims 4, 9)
NECESSARY = Reference(
    "derived here",
    "necessary conditions on score-regularity bounds (docs/papers/stephanovitch_2025.md R3, R9)",
    where="§3.2 R3, R9; §6 claims 4 and 9",
    provenance=Provenance.DERIVED,
)

_COMPACT_TYPES = ("Atoms", "UniformBox", "UniformCircle")


def is_compact_support(law) -> bool | None:
    """True for laws with bounded support (atoms, boxes, the circle, 1-D densities on a finite interval),
    False for Gaussians, mixtures and full-support densities, None when unknown."""
    name = type(law).__name__
    if name in _COMPACT_TYPES:
        return True
    if name in ("Gaussian", "GaussianMixture", "HolderCusp"):
        return False
    support = getattr(law, "support", None)
    if support is not None and len(support) == 2:
        return bool(all(math.isfinite(float(z)) for z in support))
    if name == "Product":
        parts = [is_compact_support(c) for c in law.components]
        return None if None in parts else all(parts)
    return None


def noise_params(sc: Scenario) -> dict[str, float]:
    """``t, m, v, s = sqrt(v), tau = v/m^2`` of the scenario's process at ``sc.params["t"]``."""
    from sgmverify.laws import noise_coeffs

    t, m, v = noise_coeffs(sc.process, sc.params["t"])
    return {"t": t, "m": m, "v": v, "s": math.sqrt(v), "tau": v / (m * m)}


def _compact(sc: Scenario) -> AssumptionResult:
    ok = is_compact_support(sc.data)
    status = {True: "holds", False: "fails", None: "unknown"}[ok]
    return AssumptionResult("compact support", status, f"{type(sc.data).__name__}", "by construction")


COMPACT = Assumption("compact support", "the data law has bounded support", _compact)


@dataclass
class RateClaim:
    r"""A bound :math:`Q(p_t) \le C\, s_t^{-a}` for a class of laws (module docstring).

    Parameters
    ----------
    id, title : str
        Theorem id (and prefix of the generated necessary-condition checks) and one-line title.
    reference : Reference
        Where the bound comes from, with its provenance (``verified`` only if quoted from the paper).
    constant, exponent : sympy expression or str
        :math:`C` and :math:`a`, in the law's parameters (names given by ``law_params``, e.g. ``d``,
        ``beta``, ``D``) and optionally ``t``, ``m``, ``v``.
    k : int
        Order of the derivative of :math:`\log p_t` (2: the Jacobian of the score).
    side : {"two_sided", "one_sided"}
        ``two_sided``: :math:`\sup_x\|\nabla^k\log p_t\|` (operator norm for k = 2, Frobenius above);
        ``one_sided``: :math:`\sup_x\lambda_{\max}(\nabla^2\log p_t)` (k = 2).
    hypotheses : list of Assumption
        The class of laws (scenarios outside it give ASSUMPTIONS_FAIL).
    law_params : callable
        ``law_params(law) -> dict`` of the values of the symbols in ``constant`` and ``exponent``; include
        ``beta`` for laws with a smoothness (enables the exponent check).
    scenarios : list of Scenario
        Each with ``data`` (the law), ``process`` and ``params["t"]``.
    config : ScanConfig or callable, optional
        Scan resolution, or ``config(law) -> ScanConfig``.
    rtol : float
        Tolerance of the bound comparison (numerical accuracy of the measured supremum).
    expect : {"holds", "violated"}
        ``"violated"`` makes every generated theorem a negative control (a claim known to be false).
    rate_times : sequence of float, optional
        Times of the ``<id>.rate`` sweep (at least 3; small, where the order shows); None: no rate check.
    """

    id: str
    title: str
    reference: Reference
    constant: sp.Expr | str | float
    exponent: sp.Expr | str | float
    k: int = 2
    side: str = "two_sided"
    hypotheses: list[Assumption] = field(default_factory=list)
    law_params: Callable[[object], Mapping[str, float]] = lambda law: {}
    scenarios: list[Scenario] = field(default_factory=list)
    config: ScanConfig | Callable[[object], ScanConfig] | None = None
    rtol: float = 1e-8
    notes: str = ""
    expect: str = "holds"
    rate_times: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if self.side not in ("two_sided", "one_sided"):
            raise InvalidParameterError(f"side must be 'two_sided' or 'one_sided', got {self.side!r}.")
        if self.side == "one_sided" and self.k != 2:
            raise InvalidParameterError("a one-sided (lambda_max) claim needs k = 2.")
        if not (isinstance(self.k, int) and 1 <= self.k <= 4):
            raise InvalidParameterError(f"k must be an integer in 1..4, got {self.k!r}.")
        try:
            self._c, self._a = _parse(self.constant), _parse(self.exponent)
        except (sp.SympifyError, TypeError, SyntaxError) as exc:
            raise ExpressionError(f"constant / exponent of {self.id} could not be parsed: {exc}") from exc
        if "s" in {str(z) for z in self._c.free_symbols | self._a.free_symbols}:
            raise ExpressionError(
                f"{self.id}: 's' is the noise level; do not use it in the constant or exponent."
            )

    # ---------------------------------------------------------------------------------------------
    @property
    def bound_expr(self) -> sp.Expr:
        return self._c * sp.Symbol("s", real=True) ** (-self._a)

    def _values(self, sc: Scenario) -> dict[str, float]:
        return {**noise_params(sc), **{k: float(v) for k, v in self.law_params(sc.data).items()}}

    def _config(self, law) -> ScanConfig | None:
        return self.config(law) if callable(self.config) else self.config

    def measure(self, sc: Scenario, rng: np.random.Generator) -> Estimate:
        """The measured supremum (an exact estimate whose method string is the scan's evidence)."""
        side = "max" if self.side == "one_sided" else None
        res = sup_over_x(sc.data, sc.process, sc.params["t"], self.k, side=side, config=self._config(sc.data))
        return res.estimate()

    def claimed(self, sc: Scenario, rng: np.random.Generator) -> Estimate:
        """The claimed bound's value at the scenario (what the floor condition checks)."""
        vals = self._values(sc)
        fn = sp.lambdify(sorted(self.bound_expr.free_symbols, key=str), self.bound_expr, "numpy")
        args = [vals[str(z)] for z in sorted(self.bound_expr.free_symbols, key=str)]
        return Estimate.exact_value(float(fn(*args)), method=f"claimed bound {self.bound_expr}")

    def claimed_exponent(self, sc: Scenario, rng: np.random.Generator) -> Estimate:
        vals = self._values(sc)
        return Estimate.exact_value(float(self._a.subs({sp.Symbol(k): v for k, v in vals.items()}).evalf()))

    def theorems(self) -> list[Theorem]:
        """The bound check and the applicable necessary-condition checks."""
        names = sorted({str(z) for z in self.bound_expr.free_symbols})
        q = "sup_x λ_max(∇² log p_t)" if self.side == "one_sided" else f"sup_x ‖∇^{self.k} log p_t‖"
        out = [
            Theorem(
                id=self.id,
                title=self.title,
                reference=self.reference,
                bound=Bound(self.bound_expr, "upper", q, params=names, rtol=self.rtol),
                measure=self.measure,
                assumptions=list(self.hypotheses),
                scenarios=list(self.scenarios),
                bound_params=self._values,
                notes=self.notes,
                expect=self.expect,
            )
        ]
        # a false claim's generated conditions keep the claim's own reference (not "derived here")
        necessary = NECESSARY if self.expect == "holds" else self.reference
        compact = [sc for sc in self.scenarios if is_compact_support(sc.data)]
        if self.side == "two_sided" and self.k == 2 and compact:
            out.append(
                Theorem(
                    id=f"{self.id}.floor",
                    title=f"Necessary for {self.id}: a two-sided bound over ℝ^d is ≥ 1/v_t (compact support)",
                    reference=necessary,
                    bound=Bound("1/v", "lower", f"claimed bound {self.bound_expr}", params=["v"], rtol=1e-12),
                    measure=self.claimed,
                    assumptions=[COMPACT, *[h for h in self.hypotheses if h.name != COMPACT.name]],
                    scenarios=compact,
                    bound_params=self._values,
                    expect=self.expect,
                )
            )
        smooth = [sc for sc in self.scenarios if "beta" in self.law_params(sc.data)]
        if smooth:
            out.append(
                Theorem(
                    id=f"{self.id}.exponent",
                    title=f"Necessary for {self.id}: exponent a ≥ k − β (β-Hölder cusp law, R9/R10)",
                    reference=necessary,
                    bound=Bound(
                        f"{self.k} - beta", "lower", f"claimed exponent a = {self._a}", params=["beta"]
                    ),
                    measure=self.claimed_exponent,
                    assumptions=list(self.hypotheses),
                    scenarios=smooth,
                    bound_params=self._values,
                    expect=self.expect,
                )
            )
        if self.rate_times is not None:
            out.append(self.rate_theorem(q))
        return out

    def rate_theorem(self, quantity: str) -> Theorem:
        r"""``<id>.rate``: the fitted exponent of the measured supremum in :math:`s_t` is :math:`\ge -a`."""
        laws: dict[str, Scenario] = {}
        for sc in self.scenarios:
            laws.setdefault(content_key(sc.data), sc)
        rate = Rate(
            self.measure,
            "t",
            list(self.rate_times or ()),
            -self._a,
            "lower",
            what=quantity,
            abscissa=_noise_level,
            tol=1e-9,
        )
        return rate.theorem(
            f"{self.id}.rate",
            f"{self.title} — as an order: exponent in s_t ≥ −a over t ∈ {list(self.rate_times or ())}",
            self.reference,
            scenarios=[dataclasses.replace(sc, name=f"{sc.name}-sweep") for sc in laws.values()],
            assumptions=list(self.hypotheses),
            bound_params=self._values,
            expect=self.expect,
            notes=self.notes,
        )


def _noise_level(sc: Scenario) -> float:
    r"""The noise level :math:`s_t = \sqrt{v_t}` of a scenario (the rate check's abscissa)."""
    return noise_params(sc)["s"]


#: functions a constant / exponent string may call, beyond the parser's defaults; every other name is a symbol
_FUNCTIONS = {**DEFAULT_FUNCTIONS, "Rational": sp.Rational, "factorial": sp.factorial}


def _parse(expr: sp.Expr | str | float) -> sp.Expr:
    """A constant or exponent, by the whitelist parser (never evaluated); other names become symbols."""
    return parse_expression(expr, {}, functions=_FUNCTIONS, auto_symbols=True, what="rate-claim expression")


def claims_theorems(claims: Sequence[RateClaim]) -> list[Theorem]:
    """All theorems of several claims (convenience for a suite module's ``THEOREMS``)."""
    return [th for c in claims for th in c.theorems()]
