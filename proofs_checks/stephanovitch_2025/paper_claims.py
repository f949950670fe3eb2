"""Paper claims of the form C(d, β, …)·s_t^{−a}, written with ``sgmverify.regularity.RateClaim``.

The paper's own statements were not available ([NF], ref. §3.1).  A user who has them adds each one here
as a :class:`~sgmverify.regularity.RateClaim` (constant and exponent in sympy, the class of laws as
assumptions, the provenance ``verified``), and the suite checks it against the measured suprema and against
the necessary conditions every correct bound satisfies (≥ 1/v_t over ℝ^d for compact support, R3; a ≥ k − β
for β-smooth laws, R9/R10).

Shipped examples:

``steph.claim.diameter``
    A true bound in the template's form (DERIVED from R1 + R2, not the paper's): for data supported in a set
    of diameter D, sup_x ‖∇² log p_t‖_op ≤ max(1, D²/4)·s_t^{−4} whenever m_t ≤ 1 and s_t ≤ 1, because
    −1/v ≤ λ(∇² log p_t) ≤ −1/v + m²D²/(4v²).  It must HOLD on the compact laws (and pass the floor).
``steph.neg.claim_cusp``
    A hypothetical user claim (negative control, not from any paper): "for Hölder-β data,
    sup_x ‖∇² log p_t‖ ≤ s_t^{−1}".  On the β = 0.5 cusp both the bound (the truth is ≍ s_t^{−1.5}) and
    its exponent (1 < 2 − β) must be VIOLATED.
"""

from __future__ import annotations

from sgmverify.regularity import RateClaim, is_compact_support
from sgmverify.theory import Assumption, AssumptionResult, Provenance, Reference, Scenario

from ._common import COMPACT, CUSP, OU1, derived, diameter, law, note_out_of_class, scan_config

SECTION = "Paper-claim template (C·s_t^{−a})"


def _small_noise(sc: Scenario) -> AssumptionResult:
    t = sc.params["t"]
    m, v = sc.process.mean_coeff(t), sc.process.var(t)
    ok = m <= 1 and v <= 1
    return AssumptionResult(
        "m_t ≤ 1, s_t ≤ 1", "holds" if ok else "fails", f"m = {m:.4g}, v = {v:.4g}", "numeric"
    )


SMALL_NOISE = Assumption(
    "m_t ≤ 1 and s_t ≤ 1", "the noise level is at most 1 and the mean contracts", _small_noise
)


def _diameter_params(data) -> dict:
    return {"D": diameter(data)} if is_compact_support(data) else {}


def _config(data):
    name = next(
        n for n in ("two_point", "atoms3", "uniform", "circle", "cusp0.5", "gauss1") if law(n) is data
    )
    return scan_config(name)


def _scen(names, times) -> list[Scenario]:
    return [
        Scenario(f"{n}-t{t:g}", data=law(n), process=OU1, params={"t": t, "law": n}, quick=t == times[0])
        for n in names
        for t in times
    ]


DIAMETER_CLAIM = RateClaim(
    id="steph.claim.diameter",
    title="Example claim (derived): sup‖∇² log p_t‖ ≤ max(1, D²/4)·s_t^{−4} for support of diameter D",
    reference=derived("§3.2 R1 + R2; written with the paper-claim template"),
    constant="Max(1, D**2/4)",
    exponent="4",
    k=2,
    hypotheses=[COMPACT, SMALL_NOISE],
    law_params=_diameter_params,
    scenarios=_scen(("two_point", "atoms3", "uniform", "circle", "gauss1"), (1e-3, 0.1, 1e-5)),
    config=_config,
    notes="Template example: a two-sided bound over ℝ^d, so the floor 1/v_t (R3) applies; a = 4 ≥ 2 − β.",
)

HYPOTHETICAL = Reference(
    "hypothetical user claim",
    "negative control for the template (not from the paper)",
    provenance=Provenance.RECONSTRUCTED,
)

BAD_CUSP_CLAIM = RateClaim(
    id="steph.neg.claim_cusp",
    title="Negative control: a hypothetical claim sup‖∇² log p_t‖ ≤ s_t^{−1} for Hölder-β data (β = 0.5)",
    reference=HYPOTHETICAL,
    constant="1",
    exponent="1",
    k=2,
    hypotheses=[CUSP],
    law_params=lambda data: {"beta": data.beta},
    scenarios=_scen(("cusp0.5",), (5e-7, 5e-5)),
    config=_config,
    expect="violated",
)

THEOREMS = [*DIAMETER_CLAIM.theorems(), *BAD_CUSP_CLAIM.theorems()]
note_out_of_class(THEOREMS)
