"""The Stéphanovitch suite (proofs_checks/stephanovitch_2025): structure, provenance, cheap verdicts.

The verdicts asserted here are the reference's exact values (docs/papers/stephanovitch.md): R2's VE numbers
12 / 9900 / 99 990 000, R8's c_3 = sup|(log Phi)'''| = 0.2957188, R11's 4/(3 sqrt 3) and 2, the OU time
integrals (7.488474459767652, 0.25000716), the ladder exponents -2k / -k / beta - k; negative controls must be
VIOLATED.  Expensive checks (1-D quadrature densities, full-mode ladders) are marked slow.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from proofs_checks.stephanovitch_2025 import forward, ladder, paper_claims, regularity, time_stability
from sgmverify.claims import Provenance, Verdict

MODULES = (forward, ladder, paper_claims, regularity, time_stability)
THEOREMS = [th for mod in MODULES for th in mod.THEOREMS]


def _run(theorem, name: str):
    (check,) = [c for c in theorem.checks("full") if c.scenario.name == name]
    return check.run()


def test_ids_sections_and_provenance():
    ids = [th.id for th in THEOREMS]
    assert len(ids) == len(set(ids)) and all(i.startswith("steph.") for i in ids)
    for th in THEOREMS:
        assert th.checks("quick"), f"{th.id} has no quick scenario"
        # nothing here is the paper's theorem: derived mathematics, or a negative control / hypothetical claim
        assert th.reference.provenance is not Provenance.VERIFIED, th.id
        if th.expect == "holds":
            assert th.reference.provenance is Provenance.DERIVED, th.id
    for mod in MODULES:
        assert isinstance(mod.SECTION, str) and mod.SECTION


@pytest.mark.parametrize(("t", "value"), [(0.25, 12.0), (0.01, 9900.0), (1e-4, 99_990_000.0)])
def test_r2_sharp_reference_values(t, value):
    res = _run(regularity.DIAMETER_SHARP, f"VE-two_point-t{t:g}")
    assert res.verdict is Verdict.HOLDS
    assert res.measured.value == pytest.approx(value, rel=1e-9)  # the reference's VE numbers (a = 1)


def test_boundary_constant_and_r8():
    assert regularity.boundary_constant(3) == pytest.approx(0.2957188191931, rel=1e-10)
    res = _run(regularity.BOUNDARY, "k3-uniform-t5e-05")
    assert res.verdict is Verdict.HOLDS and res.measured.value == pytest.approx(0.2957188, rel=1e-6)
    res = _run(regularity.BOUNDARY, "k2-uniform-t5e-05")
    assert res.verdict is Verdict.HOLDS and "limit" in res.measured.method  # c_2 = 1 is never attained


def test_hypotheses_route_laws():
    assert _run(regularity.LIP_FLOOR, "gauss1-t0.001").verdict is Verdict.ASSUMPTIONS_FAIL
    assert _run(regularity.LIP_FLOOR, "uniform-t0.001").verdict is Verdict.HOLDS
    assert _run(regularity.CUSP_CLOSED, "two_point-t5e-05").verdict is Verdict.ASSUMPTIONS_FAIL
    assert _run(regularity.CUSP_CLOSED, "cusp0.5-t5e-05").verdict is Verdict.HOLDS
    res = _run(regularity.TWO_POINT_HIGHER, "k3-two_point-t0.005")
    t = 0.005
    m, v = math.exp(-t), -math.expm1(-2 * t)
    assert res.measured.value == pytest.approx((m / v) ** 3 * 4 / (3 * math.sqrt(3)), rel=1e-9)


def test_time_integrals_and_gronwall_equality_in_1d():
    res = _run(time_stability.INV_VAR, "eps1e-06")
    assert res.verdict is Verdict.HOLDS and res.measured.value == pytest.approx(7.488474459767652, rel=1e-10)
    assert _run(time_stability.ATOM_RATE, "eps1e-06").verdict is Verdict.HOLDS
    res = _run(time_stability.GRONWALL, "gauss1-OU-d1")
    assert res.verdict is Verdict.HOLDS and res.ratio == pytest.approx(1.0, rel=1e-8)  # d = 1: equality
    res = _run(time_stability.GRONWALL, "gauss3-OU-d3")
    assert res.verdict is Verdict.HOLDS and res.ratio < 0.99  # strict in d = 3


def test_ladder_fit_and_negative_controls():
    assert _run(ladder.LADDER, "two_point-k2-quick").verdict is Verdict.HOLDS
    res = _run(ladder.LADDER, "cusp1.5-k2-quick")
    assert res.verdict is Verdict.HOLDS and res.measured.ci_low < res.measured.value < res.measured.ci_high
    assert _run(ladder.UNIFORM_BOUNDED, "uniform-k2-quick").verdict is Verdict.VIOLATED
    assert _run(ladder.CUSP_WRONG, "cusp0.5-k2-quick").verdict is Verdict.VIOLATED
    # the OLS interval of an exact power law is a point; of a curved one it is not
    slope, lo, hi = ladder.fit_slope([(s, 3.0 * s**-2) for s in (1e-3, 1e-2, 1e-1)])
    assert slope == pytest.approx(-2.0, abs=1e-12) and hi - lo < 1e-9
    slope, lo, hi = ladder.fit_slope([(s, s**-2 + s**-1) for s in np.geomspace(1e-3, 1e-1, 5)])
    assert hi - lo > 1e-3


def test_template_example_and_its_negative_control():
    claim = next(th for th in paper_claims.THEOREMS if th.id == "steph.claim.diameter")
    assert _run(claim, "two_point-t0.001").verdict is Verdict.HOLDS
    assert _run(claim, "gauss1-t0.001").verdict is Verdict.ASSUMPTIONS_FAIL
    neg = [th for th in paper_claims.THEOREMS if th.id.startswith("steph.neg.claim_cusp")]
    assert {th.id for th in neg} == {"steph.neg.claim_cusp", "steph.neg.claim_cusp.exponent"}
    for th in neg:
        assert all(c.run().verdict is Verdict.VIOLATED for c in th.checks("quick"))


def test_forward_identities_quick():
    assert _run(forward.VARIANCE, "general-t0.001").verdict is Verdict.HOLDS
    res = _run(forward.VE_REDUCTION, "uniform-general-t0.05")
    assert res.verdict is Verdict.HOLDS and res.measured.value < 1e-10


@pytest.mark.slow
def test_quadrature_densities_r4_r5():
    assert _run(regularity.LOGCONCAVE_UPPER, "quartic-t0.1").verdict is Verdict.HOLDS
    assert _run(regularity.LOGSMOOTH_FLOOR, "cos-t0.1").verdict is Verdict.HOLDS


@pytest.mark.slow
def test_ladder_full_mode_exponents():
    for name, (_, expected) in ladder.LADDER_LAWS.items():
        for k in (2, 3):
            slope, _, _ = ladder.fit_slope(ladder.ladder_points(name, k, "full"))
            assert abs(slope - expected(k)) < 0.01, (name, k, slope)


def test_gamma_rate_recovers_the_schedule():
    # GENERAL is eq. (1) with γ_t = 0.2 + t² and σ = 1.3: γ read back from g_t = σ√(2γ_t) (round-off only)
    from proofs_checks.stephanovitch_2025._common import GENERAL, OU1, gamma_rate

    for t in (0.0, 0.3, 1.7):
        assert gamma_rate(GENERAL, t) == pytest.approx(0.2 + t * t, rel=1e-13)
    assert gamma_rate(OU1, 0.4) == pytest.approx(1.0, rel=1e-13)
