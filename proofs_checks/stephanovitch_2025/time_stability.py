"""Time integrability of the one-sided constant and ODE stability (ref. §3.2, §4; claims 11-12).

``steph.c11.integrable``
    Λ⁺(t) = max(0, sup_x λ_max(∇² log p_t)) is what an ODE stability proof integrates (ref. §4).  For the
    Hölder-β cusp Λ⁺ ≍ t^{(β−2)/2} (R9), so ∫_0 Λ⁺ dt < ∞ iff the t-exponent is > −1.  Measured: the
    least-squares t-exponent of the measured Λ⁺ on t ∈ [5e−9, 5e−5] (quick) or [5e−13, 5e−5] (full), with the
    95% regression interval of the fit (exact suprema: the interval reflects departure from a power law, not
    sampling noise); bound: > −1.  Atoms (exponent −2) are outside the hypothesis (ASSUMPTIONS_FAIL there).
``steph.neg.c11_atoms``
    Negative control: the same statement offered, without a hypothesis, to the two-point law (exponent −2,
    Λ⁺ not integrable): must be VIOLATED by the measurement.
``steph.c11.inverse_variance`` / ``.atom_rate`` / ``.cusp_integral``
    OU time integrals (ref. §3.2 "Time integrals"): ∫_ε^1 dt/v_t = ½ log((e²−1)/(e^{2ε}−1))
    = 7.488474459767652
    at ε = 1e−6 (log-divergent: the two-sided 1/v_t rate of R3 is not integrable); ε∫_ε^1 v_t^{−2} dt → 1/4
    (0.25000716 at ε = 1e−6; the atom rate diverges like 1/(4ε)); ∫_0^1 v_t^{(β−2)/2} dt = 2.771088395,
    1.657454454, 1.236637429 for β = 0.5, 1, 1.5.  Measured by mpmath quadrature of the engine's float64 v_t.
``steph.c12.gronwall``
    Backward ODE (η = 0 in the reference's family (2)) on Gaussian data with a constant score error δ: the
    drift error is e = γσ²δ and |Y_T − Ŷ_T| ≤ ∫_0^T exp(∫_τ^T Λ) |e| dτ with Λ = γ(λ + σ² sup λ_max(∇²log p)).
    Measured: the exact sensitivity (the difference ODE is linear; solved per covariance eigen-direction by
    scipy ``solve_ivp``, rtol 1e-12); the bound by quadrature.  In d = 1 with δ ≠ 0 it is an equality.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import sympy as sp
from scipy.integrate import quad, solve_ivp
from sympy.codegen.cfunctions import expm1

from sgmverify import Estimate, InvalidParameterError, loglog_slope
from sgmverify.theory import Bound, Scenario, Theorem

from ._common import (
    CUSP,
    GAUSSIAN,
    GENERAL,
    NEGATIVE,
    OU1,
    derived,
    exact,
    gamma_rate,
    law,
    note_out_of_class,
    sup,
)

SECTION = "Time integrability and ODE stability (claims 11–12)"

_T_GRID = {"quick": np.geomspace(5e-9, 5e-5, 5), "full": np.geomspace(5e-13, 5e-5, 9)}


def t_exponent(ts, vals) -> Estimate:
    """The t-exponent of Λ⁺(t) = max(0, sup_x λ_max) on the grid ``ts`` from its values ``vals``.

    * every value > 0: the OLS slope of log Λ⁺ against log t with its 95% regression interval of the fit
      (slope ± t_{0.975, n−2}·stderr).  The values are exact suprema, so the interval measures how far the
      grid departs from a pure power law, not sampling noise;
    * every value ≤ 0: Λ⁺ ≡ 0 on the grid, integrable trivially — reported as exponent +∞ (exact);
    * mixed signs: Λ⁺ is no power law on this grid (it vanishes at some t), so no exponent is decided — the
      slope over the positive values is shown with an unbounded interval, which makes the verdict
      INCONCLUSIVE.  Fewer than two positive values: nothing to fit, :class:`InvalidParameterError`.
    """
    ts, vals = np.asarray(ts, dtype=float), np.asarray(vals, dtype=float)
    if ts.shape != vals.shape or ts.size < 3 or np.any(ts <= 0) or not np.all(np.isfinite(vals)):
        raise InvalidParameterError(
            f"need >= 3 positive times with finite values of the same length, got {ts.size} times and "
            f"{vals.size} values; pass a grid t_1 < ... < t_n (n >= 3) and the measured Λ⁺(t_i)"
        )
    span = f"t in [{ts[0]:.0e}, {ts[-1]:.0e}]"
    pos = vals > 0
    if not pos.any():
        return exact(math.inf, f"Λ⁺ = 0 at all {ts.size} grid times ({span}): integrable trivially")
    if not pos.all():
        if pos.sum() < 2:
            raise InvalidParameterError(
                f"Λ⁺ is positive at only {int(pos.sum())} of {ts.size} grid times ({span}): no t-exponent "
                "can be fitted; use a grid of smaller t where the one-sided constant is positive"
            )
        return loglog_slope(
            ts[pos],
            vals[pos],
            level=None,
            n=ts.size,
            method=(
                f"undecided: Λ⁺ vanishes at {int((~pos).sum())} of {ts.size} grid times ({span}), so it is "
                f"no power law there; OLS slope over the {int(pos.sum())} positive values shown, interval "
                "unbounded"
            ),
        )
    return loglog_slope(
        ts,
        vals,
        n=ts.size,
        method=(
            f"OLS t-exponent of sup_x λ_max over {span}, 95% regression interval of the fit "
            "(exact suprema: a fit interval, not a sampling interval)"
        ),
    )


def measure_t_exponent(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Λ⁺(t) = max(0, sup_x λ_max(∇² log p_t)) on the mode's t-grid (OU), then :func:`t_exponent`."""
    mode = "full" if sc.params["full"] else "quick"
    ts = _T_GRID[mode]
    vals = []
    for t in ts:
        sc_t = Scenario(sc.name, data=sc.data, process=OU1, params={"t": float(t), "law": sc.params["law"]})
        vals.append(max(sup(sc_t, 2, side="max").value, 0.0))
    return t_exponent(ts, vals)


def _c11_scenarios(names) -> list[Scenario]:
    return [
        Scenario(
            f"{name}-{mode}",
            data=law(name),
            process=OU1,
            params={"law": name, "full": mode == "full"},
            quick=mode == "quick",
        )
        for name in names
        for mode in ("quick", "full")
    ]


INTEGRABLE = Theorem(
    id="steph.c11.integrable",
    title="Claim 11: for the Hölder-β cusp, Λ⁺(t) = sup_x λ_max⁺ has t-exponent (β−2)/2 > −1 (∫_0 Λ⁺ dt < ∞)",
    reference=derived("§3.2 R9 + time integrals, §4, claim 11"),
    bound=Bound("-1", "lower", "fitted t-exponent of sup_x λ_max(∇² log p_t)⁺"),
    measure=measure_t_exponent,
    assumptions=[CUSP],
    scenarios=_c11_scenarios(("cusp0.5", "cusp1", "cusp1.5", "two_point")),
    notes=(
        "A fitted exponent > −1 is evidence of integrability at 0, not a proof (finitely many t).  The "
        "interval is the 95% regression interval of the OLS fit of exact suprema (curvature of the grid), "
        "not a sampling interval."
    ),
)

ATOMS_INTEGRABLE = Theorem(
    id="steph.neg.c11_atoms",
    title="Negative control: Λ⁺(t) for the two-point law ±1 has t-exponent > −1 (true: −2, ∫_0 Λ⁺ dt = ∞)",
    reference=NEGATIVE,
    bound=Bound("-1", "lower", "fitted t-exponent of sup_x λ_max(∇² log p_t)⁺"),
    measure=measure_t_exponent,
    scenarios=_c11_scenarios(("two_point",)),
    notes=(
        "Claim 11's statement offered to a law without a density: sup_x λ_max = m_t²/v_t² − 1/v_t ≍ 1/(4t²) "
        "(R2 sharp, at x = 0), so the measured exponent is −2 and the check must be VIOLATED by the "
        "measurement (no hypothesis is attached, so it cannot be routed to ASSUMPTIONS_FAIL)."
    ),
    expect="violated",
)


# --------------------------------------------------------------------------------------------- OU integrals
def _v_mp(t):
    """The engine's float64 v_t (its expm1 form; the engine's mpmath form is 1 − e^{−2t}, which is 0 at the
    tanh-sinh nodes next to t = 0 — ref. §1.3 warns about exactly this)."""
    return mpmath.mpf(OU1.var(float(t)))


def measure_inverse_variance(sc: Scenario, rng):
    eps = sc.params["eps"]
    with mpmath.workdps(30):
        val = mpmath.quad(lambda t: 1 / _v_mp(t), [eps, 10 * eps, 1e-3, 1])
    return exact(float(val), "mpmath quadrature of 1/v_t (engine's v_t) at 30 digits")


def measure_atom_rate(sc: Scenario, rng):
    eps = sc.params["eps"]
    with mpmath.workdps(30):
        val = eps * mpmath.quad(lambda t: 1 / _v_mp(t) ** 2, [eps, 10 * eps, 1e-3, 1])
    return exact(float(val), "ε × mpmath quadrature of v_t^{-2}")


def measure_cusp_integral(sc: Scenario, rng):
    beta = sc.params["beta"]
    with mpmath.workdps(30):
        val = mpmath.quad(lambda t: _v_mp(t) ** ((beta - 2) / 2), [0, 1e-6, 1e-3, 1])
    return exact(float(val), "mpmath tanh-sinh quadrature of v_t^{(β−2)/2} on (0, 1]")


_EPS = sp.Symbol("eps", real=True)
INV_VAR = Theorem(
    id="steph.c11.inverse_variance",
    title="∫_ε^1 dt/v_t = ½ log((e²−1)/(e^{2ε}−1)) (OU): the 1/v_t rate diverges like ½ log(1/ε)",
    reference=derived("§3.2 time integrals"),
    # expm1: e^{2ε} − 1 cancels in float64 at ε = 1e−9 (relative 1e−7), which rtol 1e−10 would catch
    bound=Bound(
        sp.log(expm1(2) / expm1(2 * _EPS)) / 2, "equal", "∫_ε^1 dt / v_t", params=["eps"], rtol=1e-10
    ),
    measure=measure_inverse_variance,
    scenarios=[
        Scenario(f"eps{e:g}", process=OU1, params={"eps": e}, quick=e == 1e-6) for e in (1e-3, 1e-6, 1e-9)
    ],
)
ATOM_RATE = Theorem(
    id="steph.c11.atom_rate",
    title="ε ∫_ε^1 v_t^{−2} dt = 0.25000716 at ε = 1e−6 (OU): the atom rate diverges like 1/(4ε)",
    reference=derived("§3.2 time integrals"),
    bound=Bound("0.25000716", "equal", "ε ∫_ε^1 v_t^{−2} dt", rtol=4e-8),
    measure=measure_atom_rate,
    scenarios=[Scenario("eps1e-06", process=OU1, params={"eps": 1e-6})],
    notes="The reference quotes 8 digits, hence rtol 4e-8.",
)
_CUSP_REF = {0.5: 2.771088395, 1.0: 1.657454454, 1.5: 1.236637429}
CUSP_INTEGRAL = Theorem(
    id="steph.c11.cusp_integral",
    title="∫_0^1 v_t^{(β−2)/2} dt is finite: 2.771088395, 1.657454454, 1.236637429 (β = 0.5, 1, 1.5; OU)",
    reference=derived("§3.2 time integrals"),
    bound=Bound("ref", "equal", "∫_0^1 v_t^{(β−2)/2} dt", params=["ref"], rtol=2e-9),
    measure=measure_cusp_integral,
    scenarios=[
        Scenario(f"beta{b:g}", process=OU1, params={"beta": b, "ref": r}, quick=b == 0.5)
        for b, r in _CUSP_REF.items()
    ],
    notes="The reference quotes 10 digits, hence rtol 2e-9.",
)


# --------------------------------------------------------------------------------------------- Grönwall
def _rates(sc: Scenario, t: float) -> np.ndarray:
    """Per eigen-direction a_i(t) = γ_t(λ − σ²/(m_t²ℓ_i + v_t)) of the linear backward ODE."""
    proc = sc.process
    lam = sc.data.eigh()[0]
    m, v = proc.mean_coeff(t), proc.var(t)
    return gamma_rate(proc, t) * (proc.lam - proc.sigma_coeff**2 / (m * m * lam + v))


def measure_sensitivity(sc: Scenario, rng):
    """|Ŷ − Y| at t_min: D' = A(t) D + γσ²δ in reverse time r = T − t, D(0) = 0, per eigen-direction."""
    p, proc = sc.params, sc.process
    delta = np.asarray(p["delta"], dtype=float) @ sc.data.eigh()[1]  # δ in the eigenbasis
    T, t_min = p["T"], p["t_min"]

    def rhs(r, D):
        t = T - r
        return _rates(sc, t) * D + gamma_rate(proc, t) * proc.sigma_coeff**2 * delta

    sol = solve_ivp(rhs, (0.0, T - t_min), np.zeros_like(delta), method="DOP853", rtol=1e-12, atol=1e-14)
    return exact(float(np.linalg.norm(sol.y[:, -1])), "exact sensitivity: solve_ivp (DOP853, rtol 1e-12)")


def _gronwall_params(sc: Scenario) -> dict:
    """∫_0^R exp(∫_ρ^R Λ) |e(ρ)| dρ with Λ(r) = max_i a_i(T − r) (R6: sup λ_max = −1/(m²ℓ_max + v))."""
    p, proc = sc.params, sc.process
    T, t_min = p["T"], p["t_min"]
    R = T - t_min
    err = float(np.linalg.norm(p["delta"])) * proc.sigma_coeff**2

    def big_lambda(r):
        return float(np.max(_rates(sc, T - r)))

    def inner(rho):
        val, _ = quad(big_lambda, rho, R, epsabs=0, epsrel=1e-12, limit=200)
        return val

    total, _ = quad(
        lambda rho: math.exp(inner(rho)) * gamma_rate(proc, T - rho) * err,
        0.0,
        R,
        epsabs=0,
        epsrel=1e-11,
        limit=200,
    )
    return {"gronwall": total}


_G_SCEN = [
    Scenario(
        f"{name}-{pname}-d{law(name).dim}",
        data=law(name),
        process=proc,
        params={"T": 1.0, "t_min": 1e-3, "delta": delta, "law": name},
        quick=pname == "OU",
    )
    for name, delta in (("gauss1", [0.7]), ("gauss3", [0.3, -0.5, 0.8]))
    for pname, proc in (("OU", OU1), ("general", GENERAL))
]
GRONWALL = Theorem(
    id="steph.c12.gronwall",
    title="Claim 12: backward-ODE sensitivity ≤ ∫ exp(∫Λ)|e| (Grönwall; equality in d = 1), Gaussian data",
    reference=derived("§4, claim 12"),
    bound=Bound(
        "gronwall", "upper", "|Y_T − Ŷ_T| for a constant score error δ", params=["gronwall"], rtol=1e-8
    ),
    measure=measure_sensitivity,
    assumptions=[GAUSSIAN],
    scenarios=_G_SCEN,
    bound_params=_gronwall_params,
    notes="rtol 1e-8: ODE solved to 1e-12, nested quadrature to 1e-11.",
)

THEOREMS = [INTEGRABLE, ATOMS_INTEGRABLE, INV_VAR, ATOM_RATE, CUSP_INTEGRAL, GRONWALL]
note_out_of_class(THEOREMS)
