"""Tests of the GNZ exact / Monte Carlo / reconstructed checks (proofs_checks.gao_nguyen_zhu_2023).

References: the closed forms of the math reference (gao_nguyen_zhu.md C1, C3, C5, C8), the processes'
sympy-derived marginals, and the verdict engine on deliberately broken variants (a check that cannot fail
is not a check).
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from proofs_checks.gao_nguyen_zhu_2023 import _common as C, exact as E, montecarlo as MC, reconstructed as R
from sgmverify.run import run_check
from sgmverify.samplers import grid_moments, spectral_w2, uniform_grid
from sgmverify.theory import Bound, Provenance, Verdict


@pytest.mark.parametrize("row", C.ROWS)
def test_horizon_solves_initialisation_requirement(row):
    d, eps = 10, 0.01
    T = C.horizon(row, d, eps)
    proc = C.process(row)
    if row in C.VE_ROWS:  # sigma_T^2 = sqrt(d)/eps (sigma^2 from the process's sympy derivation)
        assert proc.var(T) == pytest.approx(math.sqrt(d) / eps, rel=1e-10)
    else:  # int_0^T f = -log m(T) = log(d/eps)
        assert -proc.log_mean_coeff(T) == pytest.approx(math.log(d / eps), rel=1e-10)


def test_k_claimed_consistency():
    # reference §4.1 note: the sqrt(2at) row is the c = 1/2 case of (b+at)^c: d^{5/4}/eps^{5/2}
    old = dict(C.ROW_PARAMS["ve_poly"])
    try:
        C.ROW_PARAMS["ve_poly"]["c"] = 0.5
        assert C.k_claimed("ve_poly", 7.0, 0.02) == pytest.approx(
            C.k_claimed("ve_sqrt", 7.0, 0.02), rel=1e-12
        )
    finally:
        C.ROW_PARAMS["ve_poly"].update(old)
    assert C.k_claimed("ou", 10.0, 0.1) == pytest.approx(10 * math.log(100) / 0.01)


@pytest.mark.parametrize("row", ["ve_const", "vp_linear"])
def test_init_propagation_matches_reference_c5(row):
    # reference C5: VE v_out = s0^2 [1 - (s0^2/(s0^2 + sigma_T^2))^2];
    # VP v_out = s0^2 - s0^6/(e^B + s0^2 - 1)^2
    T, d = 1.7, 3
    proc = C.process(row)
    s2, sig2 = C.ISO_VAR, proc.var(T)
    if row == "ve_const":
        v_out = s2 * (1 - (s2 / (s2 + sig2)) ** 2)
    else:
        eB = math.exp(-2 * proc.log_mean_coeff(T))
        v_out = s2 - s2**3 / (eB + s2 - 1) ** 2
    ref = math.sqrt(d) * (math.sqrt(s2) - math.sqrt(v_out))
    assert E.init_propagation_closed_form(row, "iso", d, T) == pytest.approx(ref, rel=1e-12)


def test_init_propagation_is_limit_of_exact_laws():
    # independent of the theorem's Richardson step: a plain K -> infinity sequence approaches the closed form
    row, T = "ou", 2.0
    target = E.init_propagation_closed_form(row, "aniso", 8, T)
    errs = [abs(C.w2_exact(row, "aniso", 8, T, K, "ei", "prior") - target) for K in (1000, 2000, 4000, 8000)]
    assert errs[3] < errs[2] < errs[1] < errs[0] and errs[3] < 0.01 * target


def test_c8_constant_independent():
    # C8: W2 ~ sqrt(d) beta eta/(4 s0) for VP constant beta, EI, T -> infinity (reference, sympy-derived)
    sc = E.C8.scenarios[0]
    got = E.measure_c8(sc, np.random.default_rng(0)).value
    assert got == pytest.approx(sc.params["beta"] / (4 * sc.params["s0"]), rel=2e-3)


def _run(theorem, scenario, **changes):
    th = dataclasses.replace(theorem, **changes) if changes else theorem
    return run_check(th.checks("full")[0].__class__(th, scenario))


def test_quick_exact_checks_hold():
    for th in (E.ORDER_CLAIM, E.ETA_EI, E.SCORE_SLOPE, E.INIT_PROPAGATION):
        sc = next(s for s in th.scenarios if s.quick)
        res = _run(th, sc)
        assert res.verdict is Verdict.HOLDS, (th.id, res.reason)


def test_wrong_variants_are_caught():
    # a slope 2 "lower bound" on the eta-exponent, a score slope off by 5%, an order claim with C/2:
    sc = next(s for s in E.ETA_EI.scenarios if s.quick)
    assert _run(E.ETA_EI, sc, bound=Bound("2", "rate", "slope", atol=0.1)).verdict is Verdict.VIOLATED
    sc = next(s for s in E.SCORE_SLOPE.scenarios if s.quick)
    bp = lambda s: {"slope": 1.05 * E.slope_c10(s.params["row"], s.params["scheme"])}  # noqa: E731
    assert _run(E.SCORE_SLOPE, sc, bound_params=bp).verdict is Verdict.VIOLATED
    sc = next(s for s in E.ORDER_CLAIM.scenarios if s.quick)
    res = _run(E.ORDER_CLAIM, sc, bound=Bound("0.1", "upper", "ratio", rtol=0.02))
    assert res.verdict is Verdict.VIOLATED


def test_reconstructed_bound_parts_are_needed():
    # exact init: the bound is discretisation only; dropping that part must be VIOLATED (non-vacuous check)
    sc = next(s for s in R.RECON_GAUSS.scenarios if s.params["init"] == "exact" and s.params["K"] == 50)
    full = _run(R.RECON_GAUSS, sc)
    assert full.verdict is Verdict.HOLDS
    bp = lambda s: {"bound": R.gaussian_bound_params(s)["bound"] - R.gaussian_bound_params(s)["part_disc"]}  # noqa: E731
    assert _run(R.RECON_GAUSS, sc, bound_params=bp).verdict is Verdict.VIOLATED


def test_reconstructed_bound_monotone_in_score_error():
    p = {"row": "vp_linear", "kind": "iso", "d": 10, "init": "prior", "K": 200, "M": 0.0, "t_min": 0.01}
    sc0 = dataclasses.replace(R.RECON_GAUSS.scenarios[0], params=p)
    sc1 = dataclasses.replace(sc0, params={**p, "M": 0.1})
    b0, b1 = R.gaussian_bound_params(sc0), R.gaussian_bound_params(sc1)
    assert b1["part_score"] > 0 == b0["part_score"]
    assert b1["bound"] == pytest.approx(b0["bound"] + b1["part_score"], rel=1e-12)


def test_mixture_control_is_assumptions_fail():
    res = _run(MC.MC_MIXTURE_CONTROL, MC.MC_MIXTURE_CONTROL.scenarios[0])
    assert res.verdict is Verdict.ASSUMPTIONS_FAIL and res.as_expected, res.reason


def test_w2_estimator_null_and_shift():
    # exact data draws: the debiased estimator is ~0; a shift by c in one coordinate: W2 = c exactly
    n = 20_000
    rng = np.random.default_rng(5)
    x = np.stack([t.quantile(rng.uniform(size=n)) for t in MC.tables()], axis=1)
    w0, _ = MC.w2_boot(x, rng, n_boot=10)
    w1, boots = MC.w2_boot(x + np.array([0.3, 0.0]), rng, n_boot=20)
    assert w0 < 0.02  # sqrt of the floor's fluctuation at n = 2e4
    assert w1 == pytest.approx(0.3, abs=0.01)
    assert boots.min() < 0.3 + 0.01 and boots.max() > 0.3 - 0.01


def test_spectrum_aniso_counts_dimension():
    s = C.spectrum("aniso", 1000)
    assert s["multiplicity"].sum() == 1000 and s["eigvals"].size == 8
    w1 = spectral_w2(C.process("ou"), T=3.0, steps=40, scheme="ei", init="prior", **C.spectrum("aniso", 16))
    lam = np.repeat(s["eigvals"], 2)
    w2 = spectral_w2(C.process("ou"), lam, 3.0, 40, "ei", mean=np.full(16, C.ANISO_MEAN), init="prior")
    assert w1 == pytest.approx(w2, rel=1e-12)


@pytest.mark.slow
def test_quick_mc_claim_holds():
    sc = next(s for s in MC.MC_ETA_ORDER.scenarios if s.quick)
    res = _run(MC.MC_ETA_ORDER, sc)
    assert res.verdict is Verdict.HOLDS, res.reason


@pytest.mark.slow
def test_figures_render():
    import matplotlib

    matplotlib.use("Agg")
    for spec in E.FIGURES:
        out = spec.make("quick", np.random.default_rng(0))
        assert out.table and out.notes


def test_row_params_are_the_table_rows():
    from proofs_checks.gao_nguyen_zhu_2023._rows import TABLE

    assert list(C.ROW_PARAMS) == [r.short for r in TABLE] == list(C.ROWS)
    assert all(C.ROW_PARAMS[r.short] == dict(r.params) for r in TABLE)


def test_spectrum_second_moment():
    # E‖x‖² = tr Σ + ‖ν‖² of the dense law with the same spectrum
    s = C.spectrum("aniso", 11)
    lam = np.repeat(s["eigvals"], s["multiplicity"].astype(int))
    nu = np.repeat(s["mean"], s["multiplicity"].astype(int))
    assert C.spectrum_second_moment(s) == pytest.approx(lam.sum() + nu @ nu, rel=1e-14)


# ------------------------------------------------------------------------------ honesty fixes (review)
def test_order_claim_is_tagged_derived():
    # it tests our derived horizon T(d, eps) against the [V] K cells: a consistency check, not verification
    assert E.ORDER_CLAIM.reference.provenance is Provenance.DERIVED
    assert "§4.3 [D] reconstruction" in E.ORDER_CLAIM.reference.where


def test_numeric_negative_control_is_violated():
    th = E.ETA_EI_SLOPE2_CONTROL
    assert th.expect == "violated"
    results = [run_check(c) for c in th.checks("quick")]
    assert results and all(r.verdict is Verdict.VIOLATED and r.as_expected for r in results)


def _term_scenario(theorem, row, kind, eps_T=1.0):
    return next(
        s
        for s in theorem.scenarios
        if (s.params["row"], s.params["kind"], s.params["eps_T"]) == (row, kind, eps_T)
    )


@pytest.mark.parametrize("row,kind", [("vp_linear", "iso"), ("ve_exp", "aniso")])
def test_score_term_oracle_is_explicit_c10_sum(row, kind):
    # independent of the step engine: S = sum_k (prod_{j>k} A_j) kappa_k beta (C10),
    # A_k = ratio_k - kappa_k/lambda(t_k)
    sc = _term_scenario(R.RECON_SCORE_TERM, row, kind)
    p = sc.params
    s, proc, T, _, bias = R._gauss_setup(p)
    mom = grid_moments(proc, uniform_grid(T, p["K"], p["t_min"]))
    lam_t = mom["m"][:-1, None] ** 2 * s["eigvals"] + mom["var"][:-1, None]
    A = mom["ratio"][:, None] - mom["kappa"][:, None] / lam_t
    S = np.zeros_like(s["eigvals"])
    for k in range(p["K"]):
        S += np.prod(A[k + 1 :], axis=0) * mom["kappa"][k] * bias
    ref = math.sqrt(float(np.sum(s["multiplicity"] * S**2)))
    assert R.measure_score_term(sc, None).value == pytest.approx(ref, rel=1e-10)


def test_term_checks_hold_with_reported_tightness():
    # isotropic data: |A_k| = gamma_k, so the score term is attained (ratio 1 to round-off); anisotropic < 1
    iso = _term_scenario(R.RECON_SCORE_TERM, "vp_linear", "iso")
    r_iso = run_check(next(c for c in R.RECON_SCORE_TERM.checks("full") if c.scenario.name == iso.name))
    assert r_iso.verdict is Verdict.HOLDS
    assert r_iso.measured.extra["tightness_ratio"] == pytest.approx(1.0, abs=1e-12)
    for th, lo, hi in ((R.RECON_INIT_TERM, 0.4, 0.6), (R.RECON_SCORE_TERM, 0.45, 0.7)):
        for c in th.checks("quick"):
            r = run_check(c)
            assert r.verdict is Verdict.HOLDS, (th.id, r.reason)
            assert lo < r.measured.extra["tightness_ratio"] < hi  # measured slack (module docstring)


def test_init_term_oracle_bounds_difference_of_errors():
    # triangle inequality: |W2(prior out, p_tmin) - W2(exact out, p_tmin)|
    # <= the oracle W2(prior out, exact out)
    sc = _term_scenario(R.RECON_INIT_TERM, "ou", "aniso")
    p = sc.params
    lp, le = R._outputs(p, init="prior", biased=False), R._outputs(p, init="exact", biased=False)
    oracle = R.measure_init_term(sc, None).value
    assert abs(math.sqrt(lp.w2_squared()) - math.sqrt(le.w2_squared())) <= oracle * (1 + 1e-12)
    assert oracle == pytest.approx(R._w2_between(le, lp), rel=1e-14) and oracle > 0


def test_reconstructed_negative_controls_are_caught():
    for th in (R.NEG_INIT_TERM, R.NEG_SCORE_TERM, R.NEG_DISC_SCALED):
        assert th.expect == "violated"
        results = [run_check(c) for c in th.checks("full")]
        assert results and all(r.verdict is Verdict.VIOLATED and r.as_expected for r in results), th.id


def test_total_bound_alone_cannot_see_init_and_score_terms():
    # the reviewer's finding, kept as a documented fact: deleting both terms still HOLDS on the total bound
    sc = next(s for s in R.RECON_GAUSS.scenarios if s.params["M"] > 0)
    bp = lambda s: {"bound": R.gaussian_bound_params(s)["part_disc"]}  # noqa: E731
    assert _run(R.RECON_GAUSS, sc, bound_params=bp).verdict is Verdict.HOLDS


def test_floor_bootstrap_includes_floor_uncertainty():
    n = 20_000
    reps = np.asarray(MC.null_replicates(n))
    fb = MC.floor_boot(n)
    assert reps.size == MC.NULL_REPS and fb.size == MC.N_BOOT
    # bootstrap of a mean of 32 replicates: spread ~ sd/sqrt(32) (tolerance: 60 draws, factor 2 either way)
    assert 0.5 < np.std(fb) / (np.std(reps) / math.sqrt(reps.size)) < 2.0
    assert np.mean(fb) == pytest.approx(MC.null_floor(n), rel=0.1)
    # an exact null sample: the replicates move with the floor draws, not only with the output resampling
    rng = np.random.default_rng(9)
    x = np.stack([t.quantile(rng.uniform(size=n)) for t in MC.tables()], axis=1)
    _, boots = MC.w2_boot(x, np.random.default_rng(1))
    assert np.ptp(boots) > 0


# ------------------------------------------------------------------------------ engine primitives
def test_score_slope_computes_c10_once_per_check(monkeypatch):
    # the C10 slope feeds both the bound and the measurement's envelope: one computation per check
    calls = []
    real = E.slope_c10
    monkeypatch.setattr(E, "slope_c10", lambda row, scheme: calls.append((row, scheme)) or real(row, scheme))
    check = next(c for c in E.SCORE_SLOPE.checks("quick"))
    res = run_check(check)
    assert res.verdict is Verdict.HOLDS, res.reason
    assert calls == [(check.scenario.params["row"], check.scenario.params["scheme"])]
    assert res.bound_value == pytest.approx(real(*calls[0]), rel=1e-15)


def test_eta_slope_is_the_least_squares_loglog_fit():
    # the slope and its 95% Student-t interval are those of a plain least-squares fit of log W2 on log eta
    sc = next(s for s in E.ETA_EI.scenarios if s.quick)
    est = E.measure_eta_slope(sc, np.random.default_rng(0))
    x = np.log(C.horizon(sc.params["row"], 1, 0.1) / np.array(E.ETA_STEPS))
    (slope, _), cov = np.polyfit(x, np.log(est.extra["w2"]), 1, cov=True)
    half = 3.182446305284263 * math.sqrt(cov[0, 0])  # t_{3, 0.975}
    assert est.value == pytest.approx(slope, rel=1e-12) and est.level == 0.95
    assert (est.ci_low, est.ci_high) == pytest.approx((slope - half, slope + half), rel=1e-9)
