r"""Claim 2 of the notes (§6): every member of the η-family shares the marginals :math:`p_{T-\tau}`.

Notes §2.2 [BACKGROUND]: with the exact score, :math:`dY = [Y + (1+\eta^2)\nabla\log p_{T-\tau}]d\tau +
\eta\sqrt2\,dB` has the law :math:`p_{T-\tau}` for every η ≥ 0 (η = 0 probability-flow ODE, η = 1 reverse
SDE).

``eop.eta.marginals_converge``  density level: the L² error at t_min against the closed form of
                                :math:`p_{t_{\min}}` converges under refinement (observed order ≥ 1) — Laplace
                                (quick), two-uniform and a Gaussian mixture (full).  The error values are in
                                the measurement's method string.
``eop.eta.marginals_particles`` particle level (``sgmverify.samplers.sample_eta``, stochastic Heun): the
                                probability-integral transform U = F_{t_min}(Y) is uniform, so
                                :math:`E(2U-1)^2 = 1/3` (a scale check; blind to a shift to first order).
``eop.eta.pit_mean``            the same outputs: :math:`E U = 1/2` (a location check: a shift c moves it by
                                ≈ c∫p_{t_min}² ≈ c/4).  Both use Student-t CIs and tolerance 3e-3
                                (see ``_PIT_NOTES``), for η ∈ {0, 0.5, 1, 1.5}, n = 2.5e5 (quick).
``eop.neg.shifted_sampler``     negative control: the same sampler with outputs shifted by 0.2 (E U ≈ 0.55).
"""

from __future__ import annotations

import functools

import numpy as np

from sgmverify import Estimate, mean_ci
from sgmverify.samplers import quadratic_grid, sample_eta
from sgmverify.sde import OU
from sgmverify.theory import Bound, Scenario, Theorem

from . import _eta as E
from ._laws import ou_coeffs
from ._numerics import NEGATIVE, background_ref, observed_order

SECTION = "η-family marginals (claim 2)"
T_END = 2.0
TMIN = {"laplace": 0.02, "two-uniform": 0.05, "gauss-mix": 0.05}
REF2 = background_ref(
    "η-family Fokker–Planck identity (checked with sympy in the notes)", "notes §2.2, §6 claim 2"
)


def measure_order(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Observed order log2(e_coarse/e_fine) of the L² error (cells and steps doubled)."""
    p = sc.params
    return observed_order(*E.eta_pair(p["law"], p["eta"], 0.0, 1.0, T_END, TMIN[p["law"]], p["res"], 0))


MARGINALS = Theorem(
    id="eop.eta.marginals_converge",
    title="Exact score: every η reproduces p_{t_min} (the L² error converges to 0 under refinement)",
    reference=REF2,
    bound=Bound("1", "lower", "observed order of ‖q̂ − p_{t_min}‖₂ under refinement", rtol=0.0),
    measure=measure_order,
    scenarios=[
        Scenario(
            f"{law}-eta{eta:g}-{res}",
            params={"law": law, "eta": eta, "res": res},
            sweep=("eta",),
            quick=res == "quick",
        )
        for law, res in (
            ("laplace", "quick"),
            ("laplace", "full"),
            ("two-uniform", "full"),
            ("gauss-mix", "full"),
        )
        for eta in (0.0, 0.5, 1.0, 1.5)
    ],
    section=SECTION,
    notes="η > 0: Fokker–Planck solver (second order); η = 0: characteristics (RK4, fourth order). "
    "Domain [−16, 16] (on [−10, 10] the Laplace tails leave a non-vanishing floor).",
)

_PROCESS = OU()
_LAPLACE = E.LAWS["laplace"]
_BATCH = 100_000  # noise of one batch: steps × batch floats (80 MB at 100 steps)


# shared across checks: eta.marginals_particles and eta.pit_mean run on the same scenarios (one sampler run)
@functools.lru_cache(maxsize=16)
def _pit(eta: float, n: int, steps: int, shift: float, seed: int) -> np.ndarray:
    """U = F_{t_min}(Y + shift) for n η-sampler outputs Y (Laplace data), drawn in batches of ≤ 100 000 from
    ``default_rng(seed)`` — the generator a Check passes, so caching shares one run between the checks."""
    rng = np.random.default_rng(seed)
    t_min = TMIN["laplace"]
    m, s = ou_coeffs(T_END)
    grid = quadratic_grid(T_END, steps, t_min)
    cdf = E._cdf("laplace", t_min)
    out = []
    for b in range(0, n, _BATCH):
        k = min(_BATCH, n - b)
        x0 = m * rng.laplace(size=(k, 1)) + s * rng.standard_normal((k, 1))  # exact draws of p_T
        y = sample_eta(_PROCESS, lambda x, t: _LAPLACE.score(x, t), x0, grid, eta, method="heun", rng=rng)
        out.append(cdf(y.x[:, 0] + shift))
    return np.concatenate(out)


def _u(sc: Scenario) -> np.ndarray:
    p = sc.params
    return _pit(p["eta"], p["n"], p["steps"], p.get("shift", 0.0), sc.seed)


def measure_pit(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Mean of (2F_{t_min}(Y) − 1)² over η-sampler outputs Y, Student-t CI."""
    return mean_ci((2.0 * _u(sc) - 1.0) ** 2)


def measure_pit_mean(sc: Scenario, rng: np.random.Generator) -> Estimate:
    """Mean of F_{t_min}(Y) over η-sampler outputs Y, Student-t CI."""
    return mean_ci(_u(sc))


def _pit_scenarios(ns: tuple[int, int], shift: float = 0.0) -> list[Scenario]:
    return [
        Scenario(
            f"laplace-eta{eta:g}-n{n}" + (f"-shift{shift:g}" if shift else ""),
            params={"eta": eta, "n": n, "steps": 100, "shift": shift},
            sweep=("eta",),
            seed=11,
            quick=n == ns[0],
        )
        for n in ns
        for eta in (0.0, 0.5, 1.0, 1.5)
    ]


_PIT_NOTES = (
    "Stochastic Heun on a quadratic time grid (100 steps, T = 2 → t_min = 0.02), p_T drawn exactly. "
    "Tolerance 3e-3 = a time-discretisation bias budget of 1e-3 (measured: |E U − 1/2| ≤ 4e-4 and "
    "|E(2U − 1)² − 1/3| ≤ 5e-4 at n = 1e6, all η, within their ±6e-4 CIs) plus the 95% half-width (sd of U "
    "1/√12 = 0.289, of (2U − 1)² √(4/45) = 0.298: ±1.2e-3 at n = 2.5e5) plus 0.8e-3 slack. A location error "
    "c moves E U by ≈ c∫p_{t_min}² ≈ c/4 (0.05 = 17 tolerances at c = 0.2) but E(2U − 1)² only by O(c²) "
    "(0.0066 at c = 0.2), hence both checks."
)

PARTICLES = Theorem(
    id="eop.eta.marginals_particles",
    title="Exact score, particle level: η-sampler outputs have the scale of p_{t_min} (PIT moment 1/3)",
    reference=REF2,
    bound=Bound("1/3", "equal", "E(2F_{t_min}(Y) − 1)², Y = η-sampler output (Laplace data)", atol=3e-3),
    measure=measure_pit,
    scenarios=_pit_scenarios((250_000, 1_000_000)),
    section=SECTION,
    notes=_PIT_NOTES,
)

PIT_MEAN = Theorem(
    id="eop.eta.pit_mean",
    title="Exact score, particle level: η-sampler outputs have the location of p_{t_min} (PIT mean 1/2)",
    reference=REF2,
    bound=Bound("1/2", "equal", "E F_{t_min}(Y), Y = η-sampler output (Laplace data)", atol=3e-3),
    measure=measure_pit_mean,
    scenarios=_pit_scenarios((250_000, 1_000_000)),
    section=SECTION,
    notes=_PIT_NOTES,
)

SHIFTED = Theorem(
    id="eop.neg.shifted_sampler",
    title="Negative control: η-sampler outputs shifted by 0.2 still have PIT mean 1/2",
    reference=NEGATIVE,
    bound=Bound("1/2", "equal", "E F_{t_min}(Y + 0.2) (Laplace data)", atol=3e-3),
    measure=measure_pit_mean,
    scenarios=[s for s in _pit_scenarios((20_000, 100_000), shift=0.2) if s.params["eta"] == 1.0],
    section=SECTION,
    expect="violated",
    notes="E F(Y + 0.2) ≈ 1/2 + 0.2·∫p² ≈ 0.55: the location check must catch it.",
)

THEOREMS = [MARGINALS, PARTICLES, PIT_MEAN, SHIFTED]
