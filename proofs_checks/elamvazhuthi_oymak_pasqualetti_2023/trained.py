r"""Elamvazhuthi–Oymak–Pasqualetti against a trained score network: the weighted-error bridge.

The L² stability estimate (reference §4.1b [DERIVED]) is driven by the density-weighted drift error
:math:`\|\rho_t\delta_t\|_2^2`; the link to score matching (same section) is

.. math:: \|\rho\,\delta\|_2^2 = \int \rho^2\delta^2\,dx \;\le\; \|\rho\|_\infty \int\rho\,\delta^2\,dx
          = \|\rho\|_\infty\,\mathbb E_\rho|\delta|^2 ,

a sup-density factor times the DSM-type error.  Here :math:`\rho = p_t` (1-D Gaussian mixture through OU)
and :math:`\delta = s_\theta - \nabla\log p_t` with :math:`s_\theta` a DSM-trained network (the same tiny
configuration as the Stéphanovitch trained checks, so one cached network serves both).  The left side is
computed by quadrature (trapezoid on 8001 points of [−8, 8]); :math:`\mathbb E_\rho|\delta|^2` on the right
is what a score-matching run can report: a Monte Carlo mean over draws of :math:`X_t` with a Student-t CI,
whose upper end is used.  The ratio shows how loose the bridge is for a real network error profile.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import trapezoid

from sgmverify import Estimate
from sgmverify.laws import GaussianMixture
from sgmverify.nets import NetworkConfig, score_error, torch_threads, train_score_network
from sgmverify.run import FigureOutput, FigureSpec
from sgmverify.sde import OU
from sgmverify.theory import Bound, Provenance, Reference, Scenario, Theorem

SECTION = "Trained networks"

REF = Reference(
    "K. Elamvazhuthi, S. Oymak, F. Pasqualetti",
    "Noise in the reverse process improves the approximation capabilities of diffusion models",
    "2312.07851",
    "§4.1b link to score matching (notes) [DERIVED]",
    Provenance.DERIVED,
)

#: Same configuration and data as the Stéphanovitch trained module: the cached network is shared.
NET = NetworkConfig(
    width=32, depth=2, steps=1500, batch_size=256, lr=3e-3, t_min=5e-3, t_max=1.0, t_sampling="log", seed=0
)
PROC = OU()
MIX = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[0.25]], [[0.25]]])
_X = np.linspace(-8.0, 8.0, 8001)
_NET: list = []  # the trained network, shared across checks: both theorems' scenarios and the figure


def network():
    if not _NET:
        _NET.append(train_score_network(MIX, PROC, NET))
    return _NET[0]


def _profiles(t: float) -> tuple[np.ndarray, np.ndarray]:
    """(rho, delta) on the quadrature grid at time t."""
    pt = MIX.noised(PROC, t)
    rho = np.exp(pt.log_prob(_X[:, None]))
    delta = network().score(_X[:, None], t)[:, 0] - pt.score(_X[:, None])[:, 0]
    return rho, delta


def weighted_error(t: float) -> float:
    r""":math:`\|\rho_t\delta_t\|_2^2` by the trapezoid rule."""
    rho, delta = _profiles(t)
    return float(trapezoid((rho * delta) ** 2, _X))


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def measure_weighted(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Left side, by quadrature (deterministic: an exact value up to quadrature error ~1e-10 relative)."""
    return Estimate.exact_value(weighted_error(sc.params["t"]), method="trapezoid, 8001 points on [-8, 8]")


@torch_threads(1)  # tiny networks: one thread (see networks.torch_threads)
def bridge_params(sc: Scenario) -> dict:
    t = sc.params["t"]
    rho, delta = _profiles(t)
    mc = score_error(network(), MIX, PROC, t, n=4000, rng=np.random.default_rng(sc.seed))
    return {
        "rho_sup": float(np.max(rho)),
        # lower 95% end of E_rho |delta|^2 (Monte Carlo): the bound is then the smallest the data allow, so a
        # HOLDS is certain; a VIOLATED close to the margin would need more samples to confirm
        "dsm_error": max(mc.ci_low, 0.0),
        "dsm_error_quadrature": float(trapezoid(rho * delta**2, _X)),
    }


_SCEN = [Scenario(f"mixture-t{t:g}", params={"t": t}, sweep=("t",), seed=11) for t in (0.02, 0.1, 0.5, 1.0)]

BRIDGE = Theorem(
    id="eop.trained.weighted_error_bridge",
    title="[D] ‖p_t δ‖₂² ≤ ‖p_t‖_∞ E_{p_t}|δ|² for a trained network's score error δ",
    reference=REF,
    bound=Bound(
        "rho_sup*dsm_error", "upper", "||p_t (s_theta - score)||_2^2", params=["rho_sup", "dsm_error"]
    ),
    measure=measure_weighted,
    scenarios=_SCEN,
    bound_params=bridge_params,
    notes=(
        "Hölder on a trained network's actual error profile. E|delta|^2 is the Monte Carlo DSM-type estimate "
        "(4000 draws of X_t; upper 95% end); the left side is a quadrature. The ratio measured/bound is the "
        "bridge's slack."
    ),
)

TIGHT_CONTROL = Theorem(
    id="eop.trained.bridge_equality_control",
    title="Negative control: the bridge is an equality, ‖p_t δ‖₂² ≥ ‖p_t‖_∞ E|δ|² (quadrature on both sides)",
    reference=Reference(
        "negative control", "tightness of the weighted-error bridge", provenance=Provenance.TEXTBOOK
    ),
    bound=Bound(
        "rho_sup*dsm_error_quadrature",
        "lower",
        "||p_t delta||_2^2",
        params=["rho_sup", "dsm_error_quadrature"],
        rtol=1e-6,  # both sides by the same trapezoid rule: equality would hold to round-off
    ),
    measure=measure_weighted,
    scenarios=_SCEN[1:3],
    bound_params=bridge_params,
    expect="violated",
)


def make_bridge_figure(mode: str, rng: np.random.Generator) -> FigureOutput:
    import matplotlib.pyplot as plt

    times = np.geomspace(0.01, 1.0, 8 if mode == "quick" else 16)
    rows = []
    for t in times:
        p = bridge_params(Scenario("fig", params={"t": float(t)}, seed=int(rng.integers(1 << 30))))
        lhs = weighted_error(float(t))
        rows.append(
            {
                "t": float(t),
                "weighted_error": lhs,
                "bound": p["rho_sup"] * p["dsm_error"],
                "rho_sup": p["rho_sup"],
                "dsm_error_ci_high": p["dsm_error"],
                "ratio": lhs / (p["rho_sup"] * p["dsm_error"]),
            }
        )
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(times, [r["weighted_error"] for r in rows], "o-", label="‖p_t δ‖² (quadrature)")
    ax.plot(times, [r["bound"] for r in rows], "s--", label="‖p_t‖∞ · E|δ|² (MC, upper CI)")
    ax.set(xscale="log", yscale="log", xlabel="t (OU)", ylabel="weighted score error")
    ax.legend(fontsize=8)
    notes = (
        "Trained MLP (32x2, 1500 DSM steps) on a 1-D two-component mixture through OU. The gap between the "
        "curves is the sup-density slack of the bridge from DSM error to the L2 stability estimate."
    )
    return FigureOutput(fig, rows, notes)


THEOREMS = [BRIDGE, TIGHT_CONTROL]
FIGURES = [
    FigureSpec(
        "eop.trained.weighted_error_bridge",
        "Weighted L2 score error of a trained network vs its DSM-type bound",
        make_bridge_figure,
        caption="‖p_t δ‖² and ‖p_t‖∞ E|δ|² along t for a trained network.",
    )
]
