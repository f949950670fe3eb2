"""Cost of one sample-sensitivity pass against plain probability-flow sampling of the same paths.

Setting: VP(beta_min=0.1, beta_max=20), T = 1, t_min = 1e-3, quadratic grid of K RK4 steps, x_T ~ p_T^ρ.

* plain — ``samplers.sample(process, score, x_T, grid, "rk4_ode")`` (4 score evaluations per step).
* sens  — ``sample_sensitivity(process, model, chi, x_T, grid, log_p_T)``: the same RK4 stages on the
  augmented state (x, log p, y): per stage one score, one Jacobian-vector product, one divergence and the
  closed-form χ terms.

Score models, the same for both columns:

* ``mixture`` — ρ a Gaussian mixture, closed-form score / JVP / divergence (:class:`MixtureScoreModel`;
  its ``score`` is the plain sampler's callable), χ = N(z, 0.3 I).
* ``mlp-exact`` / ``mlp-hutch`` — an untrained torch MLP s(x, t) (width 64, depth 3, float64) through
  :class:`TorchScoreModel` (forward-mode AD: ``torch.func.jvp`` under ``vmap``, one primal pass and the
  tangent y plus the divergence probes as one batched tangent pass) with the divergence exact (d probes)
  or by Hutchinson (2 Rademacher probes); plain sampling calls the MLP under ``torch.no_grad``.
  ``--reverse`` times the reverse-mode products instead (the earlier implementation).

A forward-mode pass pushes 1 + (number of tangents) copies of every layer's input through its matmul, so
the MLP rows cost at least 1 + 1 + probes plain forwards per stage (4 for Hutchinson with 2 probes,
d + 2 = 12 for the exact divergence at d = 10): the ratio of these rows is bounded below by that count
(times the share of the MLP in a plain step), whatever the AD implementation.

Reported: median wall time of ``--repeats`` runs and the ratio sens / plain.  Target (issue 7): ratio ≤ 3
("runtime comparable to sampling plus log-likelihoods").

Run:  python benchmarks/bench_sensitivity.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _timing import median_time  # noqa: E402

from sgmverify.laws import GaussianMixture  # noqa: E402
from sgmverify.samplers import sample, time_grid  # noqa: E402
from sgmverify.sde import VP  # noqa: E402
from sgmverify.sensitivity import (  # noqa: E402
    MixtureScoreModel,
    Perturbation,
    TorchScoreModel,
    sample_sensitivity,
)

torch.set_num_threads(1)
PROC = VP(0.1, 20.0)


def _mixture(d: int) -> GaussianMixture:
    rng = np.random.default_rng(d)
    return GaussianMixture(
        np.full(4, 0.25), 2.0 * rng.standard_normal((4, d)) / np.sqrt(d) * 2, 0.5 * np.eye(d)
    )


def _mlp(d: int):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(d + 1, 64),
        torch.nn.SiLU(),
        torch.nn.Linear(64, 64),
        torch.nn.SiLU(),
        torch.nn.Linear(64, 64),
        torch.nn.SiLU(),
        torch.nn.Linear(64, d),
    ).double()

    def fn(x: torch.Tensor, t: float) -> torch.Tensor:
        tt = torch.full((x.shape[0], 1), t, dtype=x.dtype)
        return net(torch.cat([x, tt], dim=1)) - x

    return fn


def _plain_torch(fn):
    def score(x: np.ndarray, t: float) -> np.ndarray:
        with torch.no_grad():
            return fn(torch.from_numpy(x), t).numpy()

    return score


def run(cases, K: int, repeats: int, reverse: bool = False) -> list[dict]:
    rows = []
    grid = time_grid("quadratic", 1.0, K, 1e-3)
    for kind, d, n in cases:
        rho = _mixture(d)
        z = np.zeros(d)
        z[0] = 2.5
        chi = Perturbation([1.0], z[None], 0.3 * np.eye(d))
        mm = MixtureScoreModel(rho, PROC)
        x_T = rho.noised(PROC, 1.0).sample(n, np.random.default_rng(1))
        lp = mm.log_density(x_T, 1.0)
        if kind == "mixture":
            model, plain_score = mm, mm.score
        else:
            fn = _mlp(d)
            model = TorchScoreModel(fn, d, "exact" if kind == "mlp-exact" else "hutchinson", probes=2)
            model.forward_mode = not reverse
            plain_score = _plain_torch(fn)
        rng = np.random.default_rng(2)
        plain = functools.partial(sample, PROC, plain_score, x_T, grid, "rk4_ode")
        sens = functools.partial(sample_sensitivity, PROC, model, chi, x_T, grid, lp, rng=rng)
        sens()  # warm-up: the first forward-mode pass imports torch's decompositions (~2 s, once)
        t_plain = median_time(plain, repeats)[0]
        t_sens = median_time(sens, repeats)[0]
        rows.append(
            {
                "model": kind,
                "d": d,
                "n": n,
                "K": K,
                "plain_s": t_plain,
                "sens_s": t_sens,
                "ratio": t_sens / t_plain,
            }
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer cases, fewer steps")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--reverse", action="store_true", help="reverse-mode products (the earlier method)")
    args = ap.parse_args()
    if args.quick:
        cases = [("mixture", 2, 200), ("mixture", 10, 200), ("mlp-hutch", 10, 200)]
        K, repeats = 50, 3
    else:
        cases = [
            ("mixture", 2, 1000),
            ("mixture", 10, 1000),
            ("mixture", 100, 200),
            ("mlp-exact", 2, 1000),
            ("mlp-exact", 10, 1000),
            ("mlp-hutch", 10, 1000),
            ("mlp-hutch", 100, 200),
        ]
        K, repeats = 50, args.repeats
    rows = run(cases, K, repeats, args.reverse)
    head = f"{'model':<10} {'d':>4} {'n':>5} {'K':>4} {'plain [s]':>10} {'sens [s]':>10} {'ratio':>6}"
    print(head + "  target <= 3")
    for r in rows:
        flag = "ok" if r["ratio"] <= 3 else "OVER"
        cols = f"{r['model']:<10} {r['d']:>4} {r['n']:>5} {r['K']:>4} {r['plain_s']:>10.3f}"
        print(f"{cols} {r['sens_s']:>10.3f} {r['ratio']:>6.2f}  {flag}")


if __name__ == "__main__":
    main()
