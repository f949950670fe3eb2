r"""GNZ complexity table: every K and η entry against a symbolic derivation (reference §4.1 [V], §4.3 [D]).

What is checked, per row of the authors' table (entries *verified*, transcribed in :mod:`._rows`):

``gnz.table.K.<row>``
    The table's K equals :math:`T(d,\varepsilon)/\eta` in order, where :math:`T` is *derived* by
    :func:`sgmverify.samplers.derive_complexity` from the initialisation requirement (VE:
    :math:`\sigma_T^2 \asymp \sqrt d/\varepsilon`; VP/OU: :math:`\int_0^T f \asymp \log(d/\varepsilon)`) and
    :math:`\eta` is the row's own η entry.  This is the reference's statement "every row satisfies
    :math:`K \asymp T/\eta` with T the horizon needed by the initialisation term" (§1.4, §4.3).  Measured:
    the largest absolute exponent difference (powers of d, 1/ε, log(d/ε), log log(d/ε)), exact; it must be 0.
    Exponents c, ρ stay symbolic (the difference is simplified to 0 by sympy), and are also substituted at
    values the table lists implicitly (c = 1/2, 2; ρ = 2, 5 as in the CIFAR-10 configs).
``gnz.table.eta.<row>``
    The table's η is admissible for the discretisation sketch :math:`\sqrt{d\eta} \le \varepsilon`, i.e.
    :math:`\eta_{table} = O(\varepsilon^2/d)`, where :math:`\varepsilon^2/d` is *derived*: sympy solves
    :math:`\sqrt{d\eta} = \varepsilon` for η (:func:`sgmverify.samplers.derive_step_order`; the step
    order ``_rows.ETA_DISCRETISATION`` passed to ``derive_complexity``); it is not a second hand-typed copy of
    the table's cell.
    Measured: :func:`~sgmverify.samplers.dominance_excess`, exact; it must be 0.  Seven rows match
    exactly; the VE-constant row's η is smaller by a factor
    :math:`\log(d/\varepsilon)` (the reference notes this exception; the paper's discretisation term that
    produces it is [NF]) — the measurement's method text shows every gap, so the tightness is visible.
``gnz.table.M``
    The M column cannot be derived from the available text (the score-error term of the main theorem is
    [NF]; the naive sketch disagrees with two rows, §4.3).  Its assumption fails by construction, so the
    verdict is ASSUMPTIONS_FAIL, never HOLDS; its measurement raises ``DerivationError`` (it is never a K
    gap in disguise).
Negative controls: a too-good K (VE constant with K = O(d/ε)) and a too-large η (VE exponential with
η = ε/d) must come out VIOLATED.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from sgmverify import DerivationError, Estimate
from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.samplers import Order, dominance_excess
from sgmverify.theory import Assumption, AssumptionResult, Bound, Provenance, Reference, Scenario, Theorem

from ._rows import EXPONENT_PARAMS, ROWS, TABLE, derived, table_entry

SECTION = "Complexity table"

_AUTH = "Gao, Nguyen, Zhu"
_TITLE = "Wasserstein convergence guarantees for a general class of score-based generative models"
_ARXIV = "2311.11003"
_NEG = Reference("negative control", "deliberately too-good table entry", provenance=Provenance.TEXTBOOK)

#: Extra scenarios per exponent row: (label, value) — values at which the symbolic entry is also compared.
_EXPONENT_VALUES = {"ve_poly": ((0.5, "c=1/2"), (2.0, "c=2")), "vp_poly": ((2.0, "rho=2"), (5.0, "rho=5"))}


def _scenarios(short: str) -> list[Scenario]:
    name = EXPONENT_PARAMS.get(short)
    out = [Scenario(f"{short}" + (f"-{name}-symbolic" if name else ""), params={"row": short})]
    for value, label in _EXPONENT_VALUES.get(short, ()):
        out.append(Scenario(f"{short}-{label}", params={"row": short, "exponent": value}))
    return out


def _max_abs(diffs: tuple[sp.Expr, ...], short: str) -> tuple[float, str]:
    """Max |exponent difference|: 0 when sympy proves every difference zero, else at the sample exponent."""
    if all(x.is_zero for x in diffs):
        return 0.0, "identically zero (sympy)"
    row = ROWS[short]
    sub = {k: v for k, v in row.params}
    vals = [abs(float(x.subs({s: sub[s.name] for s in x.free_symbols}))) for x in diffs]
    return max(vals), f"at the sample exponent {sub}" if any(x.free_symbols for x in diffs) else "exact"


def _k_gap(short: str, exponent: float | None, claimed: Order) -> Estimate:
    dv = derived(short, exponent)
    eta = table_entry(short, "eta", exponent)
    k_derived = dv.horizon / eta
    value, how = _max_abs(k_derived.difference(claimed), short)
    method = (
        f"T derived ({dv.requirement}): T ≍ {dv.horizon}; K = T/η_table = {k_derived}; claimed K = "
        f"{claimed}; "
        f"fully derived T/(ε²/d) = {dv.iterations}; max |exponent difference| {how}"
    )
    return Estimate.exact_value(value, method=method)


def measure_k(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Max |exponent difference| between the table's K and T_derived/η_table (exact)."""
    short, exponent = sc.params["row"], sc.params.get("exponent")
    return _k_gap(short, exponent, table_entry(short, "K", exponent))


def measure_k_too_good(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Negative control: the same measurement against the too-good claim K = O(d/ε)."""
    return _k_gap(sc.params["row"], None, Order(d=1, inv_eps=1))


def _eta_excess(short: str, exponent: float | None, claimed: Order) -> Estimate:
    dv = derived(short, exponent)
    ratio = claimed / dv.eta
    excess = dominance_excess(claimed, dv.eta)
    if excess > 0:
        verdict = "table η larger than the sketch allows"
    elif ratio.equals(Order()):
        verdict = "exact match"
    else:
        verdict = f"admissible; table η smaller by the factor {ratio} (conservative, not tight)"
    method = (
        f"table η = {claimed}; sketch η = {dv.eta} (sympy solution of √(dη) = ε, derive_step_order); "
        f"table/sketch = {ratio}: {verdict}"
    )
    return Estimate.exact_value(excess, method=method)


def measure_eta(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Excess of the table's η over the sketch's ε²/d (0 iff η_table = O(ε²/d)), exact."""
    short, exponent = sc.params["row"], sc.params.get("exponent")
    return _eta_excess(short, exponent, table_entry(short, "eta", exponent))


def measure_eta_too_large(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Negative control: excess of the too-large claim η = ε/d over ε²/d."""
    return _eta_excess(sc.params["row"], None, Order(d=-1, inv_eps=-1))


def measure_m_not_derivable(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """The M column has no measurement: raises, so a K gap can never be reported as an M verdict."""
    raise DerivationError("the M column is not derivable from the available text")


def _m_not_derivable(sc: Scenario) -> AssumptionResult:
    row = ROWS[sc.params["row"]]
    return AssumptionResult(
        "score-error term of the main theorem known",
        "fails",
        f"M column {row.M} for {row.label}: not derivable from available text — the paper's score-error "
        f"term is "
        "[NF]; the naive sketch M·∫g²·(damping) ≤ ε gives ε/log(d/ε) for the VE-constant and VE-√(2at) rows, "
        "where the table has ε/√log(d/ε) and ε^{3/2} (reference §4.3).",
        "by construction",
    )


_BOUND_K = Bound(
    0,
    "equal",
    "max |exponent difference| between the table's K and T(d,ε)/η (T derived)",
    params=[],
    atol=1e-12,
)
_BOUND_ETA = Bound(
    0, "upper", "order excess of the table's η over ε²/d (0 iff η_table = O(ε²/d))", params=[], atol=1e-12
)


def _k_theorem(short: str) -> Theorem:
    row = ROWS[short]
    return Theorem(
        id=f"gnz.table.K.{short}",
        title=f"Table K for {row.label}: {row.K_text} = T/η, T derived from the initialisation requirement",
        reference=Reference(
            _AUTH,
            _TITLE,
            _ARXIV,
            "consistency of the [V] K cell (§4.1 of the reference) with the §4.3 [D] reconstruction",
            provenance=Provenance.DERIVED,
        ),
        bound=_BOUND_K,
        measure=measure_k,
        scenarios=_scenarios(short),
        notes=(
            "Table entry [V] (authors' README table). T(d,ε) is derived here [D] by asymptotic inversion of "
            "σ²(T) (VE) or ∫f (VP/OU); η is the row's own η entry, so this checks K ≍ T/η (reference §1.4, "
            "§4.3). The fully derived K with the sketch's η ≍ ε²/d is in the measurement's method text."
        ),
    )


def _eta_theorem(short: str) -> Theorem:
    row = ROWS[short]
    return Theorem(
        id=f"gnz.table.eta.{short}",
        title=f"Table η for {row.label}: {row.eta_text} is admissible for √(dη) ≤ ε, i.e. O(ε²/d)",
        reference=Reference(
            _AUTH,
            _TITLE,
            _ARXIV,
            "consistency of the [V] η cell (§4.1 of the reference) with the §4.3 [D] reconstruction",
            provenance=Provenance.DERIVED,
        ),
        bound=_BOUND_ETA,
        measure=measure_eta,
        scenarios=_scenarios(short),
        notes=(
            "Table entry [V]; the discretisation sketch √(dη) ≤ ε is the reference's derivation [D], and "
            "η ≍ ε²/d is solved from it by sympy (sgmverify.samplers.derive_step_order). "
            "Excess 0 means the table's step is no larger than the sketch allows; the method text says "
            "whether "
            "it matches exactly (7 rows) or is smaller (VE constant: by log(d/ε), produced by the paper's "
            "[NF] discretisation term, not by the sketch)."
        ),
    )


THEOREMS: list[Theorem] = [_k_theorem(r.short) for r in TABLE] + [_eta_theorem(r.short) for r in TABLE]

THEOREMS.append(
    Theorem(
        id="gnz.table.M",
        title="Table M column (allowed score error): not derivable from available text",
        reference=Reference(
            _AUTH,
            _TITLE,
            _ARXIV,
            "M column (§4.1) [V]; score-error term of the theorem [NF]",
            provenance=Provenance.NOT_FOUND,
        ),
        bound=Bound(0, "equal", "M order (not derivable)", params=[]),
        measure=measure_m_not_derivable,  # never reached (the assumption fails); raises if it were
        assumptions=[
            Assumption(
                "score-error term of the main theorem known",
                "the W2 bound's score-error term (needed to derive M) is available",
                _m_not_derivable,
            )
        ],
        scenarios=[Scenario(r.short, params={"row": r.short}) for r in TABLE],
        notes=(
            "Reported as ASSUMPTIONS_FAIL on purpose: the M entries are verified table cells, but the "
            "theorem's "
            "score-error term is not found, so no derivation can confirm or refute them (reference §4.3)."
        ),
    )
)

THEOREMS += [
    Theorem(
        id="gnz.neg.K_too_good",
        title="Negative control: VE g = a with K = O(d/ε) (too-good exponents) against T/η",
        reference=_NEG,
        bound=_BOUND_K,
        measure=measure_k_too_good,
        scenarios=[Scenario("ve_const-K=d/eps", params={"row": "ve_const"})],
        expect="violated",
        notes="The derived T/η is d^{3/2} log(d/ε)/ε³; a claim of d/ε must be caught (gap 2 in the ε power).",
    ),
    Theorem(
        id="gnz.neg.eta_too_large",
        title="Negative control: VE g = a e^{bt} with η = O(ε/d) (step too large for √(dη) ≤ ε)",
        reference=_NEG,
        bound=_BOUND_ETA,
        measure=measure_eta_too_large,
        scenarios=[Scenario("ve_exp-eta=eps/d", params={"row": "ve_exp"})],
        expect="violated",
        notes="ε/d exceeds ε²/d by one power of 1/ε; the η check must catch it.",
    ),
]


# ----------------------------------------------------------------------------- figure
def make_orders(mode: str, rng: np.random.Generator) -> FigureOutput:
    """K(ε) at d = 100 and K(d) at ε = 1e-2 for the eight rows (derived T, table η, illustrative
    constants)."""
    import matplotlib.pyplot as plt

    eps = np.geomspace(1e-4, 1e-1, 40)
    dims = np.geomspace(1.0, 1e4, 40)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    table = []
    for row in TABLE:
        params = dict(row.params)
        exponent = params.get(EXPONENT_PARAMS.get(row.short, ""))
        dv = derived(row.short, exponent)
        eta_tab = table_entry(row.short, "eta", exponent)
        eta_fn = sp.lambdify(
            (sp.Symbol("d", positive=True), sp.Symbol("epsilon", positive=True)), eta_tab.expr
        )

        def k_of(d, e, dv=dv, params=params, eta_fn=eta_fn):
            return dv.horizon_value(d, e, params) / eta_fn(d, e)

        style = "-" if row.short.startswith("ve") else "--"
        label = f"{row.label} ({', '.join(f'{k}={v:g}' for k, v in row.params)})"
        # relative growth: only the slopes (the table's exponents) mean anything, the constants are
        # illustrative, so each curve is divided by its value at the first grid point
        k_eps, k_d = k_of(100.0, eps), k_of(dims, 1e-2)
        axes[0].loglog(eps, k_eps / k_eps[-1], style, label=label)
        axes[1].loglog(dims, k_d / k_d[0], style, label=label)
        table.append(
            {
                "row": row.label,
                "params": ", ".join(f"{k}={v:g}" for k, v in row.params),
                "T derived": str(dv.horizon),
                "eta (table)": str(eta_tab),
                "K = T/eta (derived)": str(dv.horizon / eta_tab),
                "K (table)": row.K_text,
                "K = T/(eps^2/d) (sketch eta)": str(dv.iterations),
                "K(eps=1e-2, d=100) / K(eps=0.1, d=100)": float(k_of(100.0, 1e-2) / k_of(100.0, 1e-1)),
            }
        )
    axes[0].set(xlabel="ε", ylabel="K(ε) / K(ε = 0.1)", title="relative growth of derived K as ε ↓ (d = 100)")
    axes[1].set(xlabel="d", ylabel="K(d) / K(d = 1)", title="relative growth of derived K in d (ε = 1e-2)")
    axes[0].invert_xaxis()
    axes[1].legend(fontsize=7, loc="upper left")
    fig.suptitle(
        "Derived orders (not the paper's constants): K = T(d,ε)/η, T from the initialisation requirement"
    )
    fig.tight_layout()
    notes = (
        "Derived orders, constants illustrative. T(d,ε) is the leading-order solution of σ²(T) = √d/ε (VE) "
        "or "
        "∫₀ᵀ f = log(√d/ε) (VP/OU) at the listed parameter values (derived by sympy, reference §4.3 [D]); η "
        "is "
        "the table's η column with constant 1. Solid: VE rows; dashed: VP/OU rows. Each curve is divided "
        "by its value at ε = 0.1 (left) or d = 1 (right): only relative growth is plotted, because the "
        "absolute K depends on illustrative constants and means nothing; the slopes are the table's "
        "exponents."
    )
    return FigureOutput(figure=fig, table=table, notes=notes)


FIGURES = [
    FigureSpec(
        id="gnz.table.orders",
        title="Iteration complexity K of the eight forward processes (derived orders)",
        make=make_orders,
        caption=(
            "Relative growth of K = T/η (normalised to 1 at ε = 0.1, resp. d = 1; absolute values depend "
            "on illustrative constants), T derived from the initialisation requirement and η from the "
            "table: the message of the GNZ table (VP schedules reach d/ε² up to logs; simple VE choices "
            "are "
            "far worse). Orders derived here [D]; table entries [V]."
        ),
        quick=True,
    )
]
