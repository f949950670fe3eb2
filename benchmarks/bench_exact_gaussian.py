"""Exact W2 of the Euler–Maruyama sampler (gaussian_exact) against a Monte Carlo estimate of the same number.

Setting: VP(beta_min=0.1, beta_max=20), T = 1, t_min = 1e-3, uniform grid, prior init N(0, sigma_T^2 I), exact
score; data N(mu, Sigma) with a random full covariance (fixed seed).  For d in {10, 100, 1000} and
K in {100, 1000}:

* setup  — building the data ``Gaussian`` (its d x d eigendecomposition, cached and shared by both paths:
  the MC path below uses it too), median of ``--repeats`` runs.
* exact  — ``sampler_w2(process, data, T, K, "em", t_min)`` on that data object, median of ``--repeats``
  runs.  The d = 1000, K = 1000 target is also checked cold (setup included).
* MC     — ``samplers.sample(..., "em")`` with n = 2000 samples, then the empirical W2 to n fresh data
  samples by exact optimal transport (``ot.emd2`` on the squared Euclidean cost).  The score callable works
  in the data's eigenbasis and the output is rotated back: the sampler is rotation-equivariant, so this is
  the same law at O(n d) per step instead of O(n d^2), i.e. the cheapest honest Monte Carlo path.
  Median time of ``--mc-repeats`` runs (``--mc-repeats-large`` at d = 1000, where one run takes minutes);
  value = mean over runs, spread = their standard deviation.
* floor  — empirical W2 between two independent n-samples of the data: the bias of the MC estimator when
  the sampler is perfect (it dominates the MC error in high dimension).

Targets: exact at d = 1000, K = 1000 under 1 s on one core; exact >= 100x faster than MC at equal d and K.

Run:  python benchmarks/bench_exact_gaussian.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import ot  # noqa: E402
from _timing import median_time  # noqa: E402

from sgmverify.laws import Gaussian  # noqa: E402
from sgmverify.samplers import (  # noqa: E402
    sample,
    sampler_w2,
    uniform_grid,
)
from sgmverify.sde import VP  # noqa: E402

T, T_MIN, N = 1.0, 1e-3, 2000


def make_data(d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and a random full covariance A A^T / d + 0.1 I (eigenvalues in about [0.1, 4.1])."""
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((d, d))
    return rng.standard_normal(d), a @ a.T / d + 0.1 * np.eye(d)


def empirical_w2(x: np.ndarray, y: np.ndarray) -> float:
    w = np.full(len(x), 1.0 / len(x))
    return float(np.sqrt(ot.emd2(w, w, ot.dist(x, y, metric="sqeuclidean"), numItermax=10_000_000)))


def mc_once(process: VP, data: Gaussian, K: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    lam, U = data.eigh()
    nu = U.T @ data.mean

    def score(y: np.ndarray, t: float) -> np.ndarray:  # exact score in eigen-coordinates y = U^T x
        m = process.mean_coeff(t)
        return -(y - m * nu) / (m * m * lam + process.var(t))

    y0 = np.sqrt(process.var(T)) * rng.standard_normal((N, data.dim))  # prior N(0, sigma_T^2 I), isotropic
    res = sample(process, score, y0, uniform_grid(T, K, T_MIN), "em", rng=rng)
    if not res.ok:
        raise RuntimeError(res.message)
    return empirical_w2(res.x @ U.T, data.sample(N, rng))


def time_mc(process: VP, data: Gaussian, K: int, repeats: int) -> tuple[float, float, float]:
    times, values = [], []
    for r in range(repeats):
        start = time.perf_counter()
        values.append(mc_once(process, data, K, seed=1000 + r))
        times.append(time.perf_counter() - start)
    spread = statistics.stdev(values) if len(values) > 1 else float("nan")
    return statistics.median(times), statistics.fmean(values), spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="d in {10, 100}, one MC run per cell")
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats of the exact path")
    parser.add_argument("--mc-repeats", type=int, default=3, help="Monte Carlo runs per cell (d < 1000)")
    parser.add_argument("--mc-repeats-large", type=int, default=2, help="Monte Carlo runs per cell, d = 1000")
    args = parser.parse_args()
    dims = [10, 100] if args.quick else [10, 100, 1000]
    process = VP(0.1, 20.0)
    sampler_w2(process, Gaussian(*make_data(3)), T, 2, "em", T_MIN)  # warm-up: build the lambdified forms

    head = (
        f"{'d':>5} {'K':>5} | {'setup s':>8} {'exact W2':>10} {'t_exact s':>10} | {'MC W2':>9}"
        f" {'|MC-ex|':>9} {'spread':>8} {'floor':>8} {'t_MC s':>8} | {'ratio':>8}"
    )
    reps = {d: 1 if args.quick else (args.mc_repeats if d < 1000 else args.mc_repeats_large) for d in dims}
    print(f"EM sampler, VP(0.1, 20), T={T}, t_min={T_MIN}, prior init; exact: median of {args.repeats} runs")
    print(f"MC: n={N}, runs per cell " + ", ".join(f"d={d}: {r}" for d, r in reps.items()))
    print(head)
    print("-" * len(head))
    results = {}
    for d in dims:
        mean, cov = make_data(d)
        t_setup, data = median_time(lambda mean=mean, cov=cov: Gaussian(mean, cov), args.repeats)
        floor = empirical_w2(
            data.sample(N, np.random.default_rng(1)), data.sample(N, np.random.default_rng(2))
        )
        for K in (100, 1000):
            t_ex, w_ex = median_time(
                lambda data=data, K=K: sampler_w2(process, data, T, K, "em", T_MIN), args.repeats
            )
            t_mc, w_mc, spread = time_mc(process, data, K, reps[d])
            results[(d, K)] = (t_ex, t_mc)
            print(
                f"{d:>5} {K:>5} | {t_setup:>8.4f} {w_ex:>10.5f} {t_ex:>10.4f} | {w_mc:>9.4f}"
                f" {abs(w_mc - w_ex):>9.4f} {spread:>8.4f} {floor:>8.4f} {t_mc:>8.2f} | {t_mc / t_ex:>8.0f}"
            )
    big = make_data(1000)
    t_big, _ = median_time(lambda: sampler_w2(process, Gaussian(*big), T, 1000, "em", T_MIN), args.repeats)
    ratio_ok = all(t_mc / t_ex >= 100 for t_ex, t_mc in results.values())
    print(
        f"\ntarget exact(d=1000, K=1000) < 1 s, cold (setup included): {t_big:.3f} s -> "
        f"{'PASS' if t_big < 1 else 'FAIL'}"
    )
    print(
        f"target exact >= 100x faster than MC (ratio = t_MC / t_exact) in every cell: "
        f"{'PASS' if ratio_ok else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
