r"""Stéphanovitch against trained score networks: their Lipschitz interval vs the true score's regularity.

The paper's Lipschitz theorems are [NF] (reference §3.1); what is known exactly about the true score is
derived [D] (reference §3.2): with
:math:`H_t = \nabla^2\log p_t = -I/v_t + (m_t^2/v_t^2)\,\mathrm{Cov}(X_0\mid X_t)`,

* R1 + R2 (support of diameter D): :math:`-I/v \preceq H_t \preceq (-1/v + m^2D^2/(4v^2))I`, so
  :math:`\mathrm{Lip}(s_t) \le L_t = \max(1/v,\ m^2D^2/(4v^2) - 1/v)` — used for the uniform law on [−1, 1];
* the same argument on the *mixing* measure, for a mixture of :math:`N(\mu_i, s_0^2 I)` (derived here [D]):
  the posterior is a mixture of :math:`N(\tilde\mu_i, \tau I)` with :math:`a = m^2s_0^2 + v`,
  :math:`\tau = s_0^2v/a`, :math:`\tilde\mu_i = (v\mu_i + ms_0^2x)/a`, whose means span a set of diameter
  :math:`vD/a` (D = diameter of the :math:`\mu_i`), so
  :math:`-I/a \preceq H_t \preceq (-1/a + m^2D^2/(4a^2))I`
  and :math:`\mathrm{Lip}(s_t) \le L_t = \max(1/a,\ m^2D^2/(4a^2) - 1/a)`.

A network is not obliged to satisfy these bounds; the check asks whether it does, with the interval
verdict of :func:`sgmverify.nets.lipschitz_interval`: HOLDS only if the certified upper end is ≤ L_t, VIOLATED
only if an
attained Jacobian norm exceeds L_t, otherwise INCONCLUSIVE.  Forward process: OU, the paper's eq. (1) with
λ = γ = σ = 1 (reference §1.1 [V]).
"""

from __future__ import annotations

import numpy as np

from sgmverify import Estimate, mean_ci
from sgmverify.laws import GaussianMixture
from sgmverify.nets import (
    NetworkConfig,
    lipschitz_interval,
    lipschitz_upper,
    torch_threads,
    train_score_network,
)
from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.samplers import RK4, rk_step
from sgmverify.sde import OU
from sgmverify.theory import Assumption, AssumptionResult, Bound, Provenance, Reference, Scenario, Theorem

try:  # the uniform law class is added by another engine module; without it only the mixture is checked
    from sgmverify.laws import UniformBox
except ImportError:  # pragma: no cover - depends on the engine version
    UniformBox = None

SECTION = "Trained networks"

_PAPER = ("A. Stéphanovitch", "Regularity of the score function in generative models", "2506.19559")
REF = Reference(
    *_PAPER,
    "§3.1 Lipschitz estimates [NF]; true-score bounds R1, R2 (§3.2) [D]; mixture form derived here",
    Provenance.DERIVED,
)

#: The shared tiny 1-D configuration (also used by the EOP suite's trained module: one cached network).
NET = NetworkConfig(
    width=32, depth=2, steps=1500, batch_size=256, lr=3e-3, t_min=5e-3, t_max=1.0, t_sampling="log", seed=0
)
PROC = OU()
S0_SQ = 0.25
MIX = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[S0_SQ]], [[S0_SQ]]])
LAWS = {"mixture": MIX}
if UniformBox is not None:
    LAWS["uniform"] = UniformBox(-1.0, 1.0)


def true_lip_bound(law: str, t: float) -> tuple[float, float]:
    """``(floor, L_t)``: the true score's Lipschitz constant lies in [floor, L_t] (derivations above)."""
    m, v = float(PROC.mean_coeff(t)), float(PROC.var(t))
    if law == "mixture":
        a, D = m**2 * S0_SQ + v, 2.0
        return 1.0 / a, max(1.0 / a, m**2 * D**2 / (4 * a**2) - 1.0 / a)
    D = 2.0
    return 1.0 / v, max(1.0 / v, m**2 * D**2 / (4 * v**2) - 1.0 / v)


# shared cache: one trained network per law for steph.trained.half_floor_control, both scenarios of
# steph.trained.ode_stability (measure and hypothesis) and the lipschitz_profile figure; LAWS[law], PROC and
# NET are module constants, so the law's name is the whole key (the weights are also cached on disk)
_NETS: dict[str, object] = {}


def network(law: str):
    if law not in _NETS:
        _NETS[law] = train_score_network(LAWS[law], PROC, NET)
    return _NETS[law]


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def measure_lip(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """The network's Lipschitz interval at t (cloud: 512 draws of X_t, 8 ascent starts)."""
    law, t = sc.params["law"], sc.params["t"]
    iv = lipschitz_interval(network(law), t, data=LAWS[law], process=PROC, n=512, rng=rng)
    est = iv.to_estimate()
    extra = {**est.extra, "true_sampled_sup": iv.exact, "true_floor": true_lip_bound(law, t)[0]}
    return Estimate(est.value, est.ci_low, est.ci_high, None, method=est.method, extra=extra)


def lip_params(sc: Scenario) -> dict:
    floor, L = true_lip_bound(sc.params["law"], sc.params["t"])
    return {"L_t": L, "floor": floor}


# ------------------------------------------------------------------ the true score's bound, checked exactly
def measure_true_lip(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """max |d/dx s_t(x)| of the exact score on a grid of [-15, 15] (0 included; closed form / mpmath)."""
    x = np.linspace(-15.0, 15.0, 2001 if sc.params["law"] == "mixture" else 601)[:, None]
    jac = LAWS[sc.params["law"]].noised(PROC, sc.params["t"]).score_jacobian(x)[:, 0, 0]
    return Estimate.exact_value(float(np.max(np.abs(jac))), method="grid scan of the exact score Jacobian")


def _scenarios(times: tuple[float, ...]) -> list[Scenario]:
    return [
        Scenario(
            f"{law}-t{t:g}",
            params={"law": law, "t": t},
            sweep=("t",),
            seed=3,
            quick=law == "mixture" or t in (0.05, 1.0),
        )
        for law in LAWS
        for t in times
    ]


TRUE_LIP = Theorem(
    id="steph.trained.true_score_lip_bound",
    title="[D] Lip(∇log p_t) ≤ L_t = max(1/a, m²D²/(4a²) − 1/a) (mixture; uniform: a = v, R1+R2)",
    reference=REF,
    bound=Bound("L_t", "upper", "sup_x |d/dx s_t(x)| of the exact score", params=["L_t"], rtol=1e-9),
    measure=measure_true_lip,
    scenarios=_scenarios((0.01, 0.05, 0.3, 1.0)),
    bound_params=lip_params,
    notes="The line the trained networks are compared with; the mixture form is derived here (docstring).",
)


# ------------------------------------------------------------------ ODE stability with the network
def network_lip_upper(law: str, t: np.ndarray) -> np.ndarray:
    """The network's certified Lipschitz bound U(t) = c_in^2 + c_out c_in P (P: norms x slopes), any t."""
    return np.array([lipschitz_upper(network(law), float(u)) for u in np.atleast_1d(t)])


def _lip_level(sc: Scenario, t: np.ndarray) -> np.ndarray:
    if sc.params["L"] == "true_bound":
        return np.array([true_lip_bound(sc.params["law"], float(u))[1] for u in t])
    return network_lip_upper(sc.params["law"], t)


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def _lip_assumption(sc: Scenario) -> AssumptionResult:
    """Lip(s_theta(., t)) <= L(t) for t in [t0, T] (the hypothesis of the Gronwall bound)."""
    name = "Lip(s_theta(., t)) <= L(t)"
    if sc.params["L"] == "network_upper":
        return AssumptionResult(
            name, "holds", "L(t) is the network's certified upper end, any t", "certified"
        )
    law, rng = sc.params["law"], np.random.default_rng(sc.seed)
    times = np.geomspace(sc.params["t0"], sc.params["T"], 4)
    ivs = [
        lipschitz_interval(network(law), float(u), data=LAWS[law], process=PROC, n=256, rng=rng)
        for u in times
    ]
    results = [iv.assumption(true_lip_bound(law, iv.t)[1], name) for iv in ivs]
    bad = [r for r in results if r.status == "fails"]
    if bad:
        return AssumptionResult(name, "fails", "; ".join(r.detail for r in bad), "numeric")
    detail = "checked at 4 times only (not a proof for all t): " + "; ".join(r.detail for r in results)
    return AssumptionResult(name, "unknown", detail, "numeric")


LIP_ASSUMPTION = Assumption(
    "Lip(s_theta(., t)) <= L(t)", "the network is L(t)-Lipschitz in x at every t of [t0, T]", _lip_assumption
)


def _rk4(fn, x: np.ndarray, t: float, h: float) -> np.ndarray:
    """One RK4 step of dy/dtau = y + s(y, t) backwards in t (OU probability flow), step h > 0: in forward
    time dy/dt = -(y + s(y, t)), stepped by ``rk_step`` with step -h."""
    return rk_step(lambda u, y: -(y + fn(y, u)), t, x, -h, RK4)


def _ode(sc: Scenario) -> dict:
    """Exact-score and network ODE trajectories from the same x_T ~ p_T down to t0 (RK4, 100 steps);
    computed once per check, shared by its ``bound_params`` (:func:`ode_params`) and ``measure``."""
    return sc.shared("ode", lambda: _solve_ode(sc))


def _solve_ode(sc: Scenario) -> dict:
    law, T, t0, K = sc.params["law"], sc.params["T"], sc.params["t0"], 100
    net, data = network(law), LAWS[law]
    rng = np.random.default_rng(sc.seed)
    y = data.noised(PROC, T).sample(1000, rng)
    yh = y.copy()
    grid = np.linspace(T, t0, K + 1)

    def exact(x: np.ndarray, u: float) -> np.ndarray:
        return data.noised(PROC, u).score(x)

    err = [mean_ci(np.abs(net.score(y, T) - exact(y, T))[:, 0])]
    for k in range(K):
        t, h = float(grid[k]), float(grid[k] - grid[k + 1])
        y, yh = _rk4(exact, y, t, h), _rk4(net.score, yh, t, h)
        u = float(grid[k + 1])
        err.append(mean_ci(np.abs(net.score(y, u) - exact(y, u))[:, 0]))
    return {
        "gap": mean_ci(np.abs(yh - y)[:, 0]),
        "grid": grid,
        # lower 95% ends: the Grönwall bound is the smallest the data allow, so a HOLDS is certain
        "err_lo": np.array([max(e.ci_low, 0.0) for e in err]),
    }


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def ode_params(sc: Scenario) -> dict:
    """Gronwall: E|Y_hat - Y|(t0) <= int_t0^T exp(int_t0^t (1 + L(u)) du) E|e(t, Y_t)| dt (trapezoid)."""
    ode = _ode(sc)
    t = ode["grid"][::-1]  # increasing from t0 to T
    lip = 1.0 + _lip_level(sc, t)
    growth = np.concatenate([[0.0], np.cumsum(0.5 * (lip[1:] + lip[:-1]) * np.diff(t))])
    f = np.exp(growth) * ode["err_lo"][::-1]
    return {"gronwall": float(np.sum(0.5 * (f[1:] + f[:-1]) * np.diff(t)))}


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def measure_ode_gap(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """E|network ODE endpoint - exact ODE endpoint| at t0 (Student-t CI over 1000 starts)."""
    return _ode(sc)["gap"]


ODE_STABILITY = Theorem(
    id="steph.trained.ode_stability",
    title="[D] Probability-flow ODE stability with a trained score, assuming Lip(s_θ(·,t)) ≤ L(t)",
    reference=Reference(
        *_PAPER,
        "§4: Lipschitz bounds support ODE stability [V wording]; Gronwall form [D]",
        Provenance.DERIVED,
    ),
    bound=Bound(
        "gronwall", "upper", "E|network ODE - exact ODE| at t0 (same x_T ~ p_T)", params=["gronwall"]
    ),
    measure=measure_ode_gap,
    assumptions=[LIP_ASSUMPTION],
    scenarios=[
        Scenario(f"mixture-L={lv}", params={"law": "mixture", "L": lv, "t0": 0.05, "T": 1.0}, seed=5)
        for lv in ("true_bound", "network_upper")
    ],
    bound_params=ode_params,
    notes=(
        "Derived (Gronwall; reference §4 [D]): d|D|/dtau <= (1 + Lip(s_theta))|D| + |e(t, Y_t)| along the "
        "exact "
        "trajectory. L = true_bound: the true score's L_t, whose hypothesis on the NETWORK is checked by the "
        "Lipschitz interval (fails only if an attained Jacobian norm exceeds L_t; never 'holds' from 4 "
        "times). "
        "L = network_upper: the network's certified bound, valid at every t. E|e| at upper 95% ends; RK4, "
        "100 steps."
    ),
)


LIP_CONTROL = Theorem(
    id="steph.trained.half_floor_control",
    title="Negative control: the trained network is at most half as steep as the true score's floor 1/a_t",
    reference=Reference(
        "negative control", "half the mixture score's Lipschitz floor", provenance=Provenance.DERIVED
    ),
    bound=Bound("floor/2", "upper", "Lip(s_theta(., t))", params=["floor"]),
    measure=measure_lip,
    scenarios=[Scenario(f"mixture-t{t:g}", params={"law": "mixture", "t": t}, seed=3) for t in (0.3, 1.0)],
    bound_params=lip_params,
    expect="violated",
)


def make_lip_profile(mode: str, rng: np.random.Generator) -> FigureOutput:
    import matplotlib.pyplot as plt

    times = np.geomspace(0.01, 1.0, 6 if mode == "quick" else 12)
    fig, axes = plt.subplots(1, len(LAWS), figsize=(5.5 * len(LAWS), 4), squeeze=False)
    table = []
    for ax, law in zip(axes[0], LAWS, strict=True):
        rows = []
        for t in times:
            iv = lipschitz_interval(network(law), float(t), data=LAWS[law], process=PROC, n=512, rng=rng)
            floor, L = true_lip_bound(law, float(t))
            rows.append((float(t), iv.lower, iv.upper, iv.exact, floor, L))
            table.append(
                {
                    "law": law,
                    "t": float(t),
                    "net_lower": iv.lower,
                    "net_upper": iv.upper,
                    "true_sampled_sup": iv.exact,
                    "true_floor": floor,
                    "true_bound_L_t": L,
                    "verdict_vs_L_t": iv.decide(L),
                }
            )
        r = np.array(rows, dtype=float)
        ax.fill_between(r[:, 0], r[:, 1], r[:, 2], alpha=0.3, label="network [lower, upper]")
        ax.plot(r[:, 0], r[:, 1], "o-", ms=3)
        ax.plot(r[:, 0], r[:, 3], "k^", label="true score: sampled sup")
        ax.plot(r[:, 0], r[:, 5], "r--", label="true score: upper bound L_t [D]")
        ax.plot(r[:, 0], r[:, 4], "g:", label="true score: floor [D]")
        ax.set(xscale="log", yscale="log", xlabel="t (OU)", ylabel="Lipschitz constant of s(·, t)", title=law)
        ax.legend(fontsize=7)
    fig.tight_layout()
    notes = (
        "Lipschitz interval of a DSM-trained MLP (32x2, 1500 steps) at each t: lower = largest Jacobian "
        "spectral "
        "norm over 512 draws of X_t refined by gradient ascent; upper = c_in^2 + c_out c_in prod ||W_k|| "
        "1.09984^depth. "
        "True score: max Jacobian norm over the same cloud, the derived bound L_t and floor."
        + ("" if UniformBox is not None else " (UniformBox unavailable: mixture only.)")
    )
    return FigureOutput(fig, table, notes)


THEOREMS = [TRUE_LIP, ODE_STABILITY, LIP_CONTROL]

from ._common import note_out_of_class  # noqa: E402  (after THEOREMS: it annotates them)

note_out_of_class(THEOREMS)
FIGURES = [
    FigureSpec(
        "steph.trained.lipschitz_profile",
        "Lipschitz interval of trained networks vs t, next to the true score's regularity",
        make_lip_profile,
        caption="Network Lipschitz interval (band), true score's sampled sup, derived bound L_t and floor.",
    )
]
