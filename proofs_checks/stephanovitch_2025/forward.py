"""The paper's forward process (eq. 1, [V]) and its exact reductions (ref. §1.3-§1.4, [D]).

``steph.forward.variance`` / ``.mean``
    For dX = −λγ_t X dt + √(2γ_t) σ dB the engine's sympy-derived marginals equal the closed forms
    m_t = e^{−λΓ_t}, v_t = (σ²/λ)(1 − e^{−2λΓ_t}) (λ → 0: v_t = 2σ²Γ_t), with Γ_t = ∫_0^t γ computed here by
    scipy quadrature of the schedule (independent of the derivation).  Tolerance 1e-9: quadrature to 1e-13,
    the float64 closed forms to ~1e-15.
``steph.forward.time_change``
    p_t depends on t only through Γ_t: every derivative of log p_t for the schedule γ_t at time t equals the
    one for the constant schedule γ ≡ 1 at time Γ_t.
``steph.forward.ve_reduction``
    ∇^k log p_t(x) = m_t^{−k} (∇^k log q_τ)(x/m_t), q_τ = p * N(0, τI), τ_t = v_t/m_t² (ref. §1.4, claim 2),
    for k = 1..4.
Both identities are measured as the largest discrepancy over a grid of x (landmarks ± up to 3 s_t) and
k = 1..4, relative to the largest |∇^k log p_t| on the grid; tolerance 1e-8, the accuracy the derivative
code promises (float64 with mpmath where it cancels).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from scipy.integrate import quad

from sgmverify.claims import Bound, Scenario, Theorem
from sgmverify.processes import TimeChangedOU
from sgmverify.suprema import landmarks

from ._common import FORWARD, GENERAL, OU1, VE_UNIT, VPLIKE, derived, exact, gamma_rate, law

SECTION = "Forward process (eq. 1) and reductions"

_PROCESSES = {"OU": OU1, "VP-like": VPLIKE, "general": GENERAL}


def _big_gamma(proc: TimeChangedOU, t: float) -> float:
    """Γ_t = ∫_0^t γ by scipy quadrature of the schedule γ = g²/(2σ²) (g: the process's diffusion)."""
    val, _ = quad(lambda u: gamma_rate(proc, u), 0.0, t, epsabs=0.0, epsrel=1e-13, limit=200)
    return val


def _marg_params(sc: Scenario) -> dict:
    proc = sc.process
    return {"lam": proc.lam, "sigma": proc.sigma_coeff, "Gamma": _big_gamma(proc, sc.params["t"])}


def measure_var(sc: Scenario, rng: np.random.Generator):
    return exact(sc.process.var(sc.params["t"]), "engine: sympy-derived sigma^2(t) of the preset")


def measure_mean(sc: Scenario, rng: np.random.Generator):
    return exact(sc.process.mean_coeff(sc.params["t"]), "engine: sympy-derived m(t) of the preset")


_MARG = [
    Scenario(f"{pname}-t{t:g}", process=proc, params={"t": t}, quick=t == 1e-6, sweep=("t",))
    for pname, proc in _PROCESSES.items()
    for t in (1e-6, 1e-3, 0.5, 1.0)
]
_VE = [Scenario(f"VE-t{t:g}", process=VE_UNIT, params={"t": t}, quick=t == 0.5) for t in (1e-6, 0.5, 3.0)]

VARIANCE = Theorem(
    id="steph.forward.variance",
    title="Eq. (1) marginal variance v_t = (σ²/λ)(1 − e^{−2λΓ_t})",
    reference=derived("§1.3, from the verified eq. (1)"),
    bound=Bound("sigma**2/lam*(1 - exp(-2*lam*Gamma))", "equal", "v_t (engine)", rtol=1e-9),
    measure=measure_var,
    scenarios=_MARG,
    bound_params=_marg_params,
    notes=f"The process itself is the paper's eq. (1): {FORWARD.cite()}.",
)
VE_LIMIT = Theorem(
    id="steph.forward.ve_variance",
    title="Eq. (1) with λ = 0 (VE): v_t = 2σ²Γ_t, m_t = 1",
    reference=derived("§1.3"),
    bound=Bound("2*sigma**2*Gamma", "equal", "v_t (engine)", rtol=1e-9),
    measure=measure_var,
    scenarios=_VE,
    bound_params=_marg_params,
)
MEAN = Theorem(
    id="steph.forward.mean",
    title="Eq. (1) mean coefficient m_t = e^{−λΓ_t}",
    reference=derived("§1.3, from the verified eq. (1)"),
    bound=Bound("exp(-lam*Gamma)", "equal", "m_t (engine)", rtol=1e-9),
    measure=measure_mean,
    scenarios=_MARG,
    bound_params=_marg_params,
)


# --------------------------------------------------------------------------------------------- identities
def _grid(name: str, m: float, s: float) -> np.ndarray:
    pts = landmarks(law(name)).points
    u = np.linspace(-3.0, 3.0, 7)
    d = pts.shape[1]
    return np.vstack([m * p + s * np.outer(u, np.ones(d) / math.sqrt(d)) for p in pts])


def _discrepancy(lhs_law, rhs, x: np.ndarray) -> float:
    worst = 0.0
    for k in (1, 2, 3, 4):
        a = np.asarray(lhs_law.log_density_derivative(x, k))
        b = rhs(k)
        scale = float(np.max(np.abs(a)))
        worst = max(worst, float(np.max(np.abs(a - b))) / scale if scale > 0 else float(np.max(np.abs(b))))
    return worst


@functools.cache
def _constant_schedule(lam: float, sigma: float) -> TimeChangedOU:
    return TimeChangedOU(lam, "1", sigma)


def measure_time_change(sc: Scenario, rng: np.random.Generator):
    """Γ-reparametrisation: schedule γ at t vs the constant schedule at Γ_t (same λ, σ)."""
    proc, t, name = sc.process, sc.params["t"], sc.params["law"]
    const = _constant_schedule(proc.lam, proc.sigma_coeff)
    g = _big_gamma(proc, t)
    pt, qt = law(name).noised(proc, t), law(name).noised(const, g)
    x = _grid(name, proc.mean_coeff(t), math.sqrt(proc.var(t)))
    return exact(
        _discrepancy(pt, lambda k: qt.log_density_derivative(x, k), x),
        f"max relative discrepancy, k = 1..4, {len(x)} points",
    )


def measure_ve_reduction(sc: Scenario, rng: np.random.Generator):
    """∇^k log p_t(x) against m^{−k} ∇^k log q_τ(x/m), q_τ from the VE member at time τ (v = t there)."""
    proc, t, name = sc.process, sc.params["t"], sc.params["law"]
    m, v = proc.mean_coeff(t), proc.var(t)
    tau = v / (m * m)
    pt, q = law(name).noised(proc, t), law(name).noised(VE_UNIT, tau)
    x = _grid(name, m, math.sqrt(v))
    return exact(
        _discrepancy(pt, lambda k: m ** (-k) * q.log_density_derivative(x / m, k), x),
        f"max relative discrepancy, k = 1..4, {len(x)} points, tau = {tau:.3g}",
    )


_ID_LAWS = ("mixture", "two_point", "uniform", "circle", "cusp0.5")
_ID_SCEN = [
    Scenario(
        f"{name}-{pname}-t{t:g}",
        process=proc,
        params={"t": t, "law": name},
        quick=(pname == "general" and t == 0.05),
    )
    for name in _ID_LAWS
    for pname, proc in (("general", GENERAL), ("VP-like", VPLIKE))
    for t in (0.05, 0.5)
]
for _sc in _ID_SCEN:
    _sc.data = law(_sc.params["law"])

TIME_CHANGE = Theorem(
    id="steph.forward.time_change",
    title="p_t depends on t only through Γ_t (time change): derivatives k = 1..4 agree",
    reference=derived("§1.3"),
    bound=Bound("0", "equal", "relative discrepancy of ∇^k log p_t, k = 1..4", atol=1e-8),
    measure=measure_time_change,
    scenarios=_ID_SCEN,
)
VE_REDUCTION = Theorem(
    id="steph.forward.ve_reduction",
    title="∇^k log p_t(x) = m_t^{−k} (∇^k log q_τ)(x/m_t), τ = v_t/m_t², k = 1..4",
    reference=derived("§1.4, claim 2"),
    bound=Bound("0", "equal", "relative discrepancy of ∇^k log p_t, k = 1..4", atol=1e-8),
    measure=measure_ve_reduction,
    scenarios=_ID_SCEN,
)

THEOREMS = [VARIANCE, VE_LIMIT, MEAN, TIME_CHANGE, VE_REDUCTION]
