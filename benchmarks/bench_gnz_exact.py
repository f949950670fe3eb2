"""K·d per second of the exact Gaussian-law paths against the Monte Carlo path (GNZ exact-law sweeps).

Setting: GNZ VP row beta = b + a t (a = 1, b = 0.1), T = 3, t_min = 0.01, uniform grid, EI scheme, prior init
N(0, sigma_T^2 I), exact score; data N(0, diag(lambda)) with lambda geometrically spaced in [0.1, 0.8]
(all eigenvalues distinct, so no multiplicity shortcut).  For d in {10, 100, 1000} and K in {100, 1000}:

* spectral — ``step_search.spectral_w2`` (vectorised suffix products, one call of the grid coefficients);
* loop     — ``gaussian_exact.sampler_w2`` on the same data (step loop in the eigenbasis; baseline);
* MC       — ``samplers.sample(..., "ei")`` with n samples (exact affine score in the eigenbasis), W2 by the
  1-D quantile formula per coordinate against the exact marginal quantiles (coordinates are independent
  here); its value is reported with its error against the exact W2 (the statistical cost of MC).

Each cell: median wall time of ``--repeats`` runs (MC: ``--mc-repeats``) and K·d / time.  Ratios are
against the loop baseline measured in the same run.  One core (BLAS threads pinned to 1).

Run:  python benchmarks/bench_gnz_exact.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import functools  # noqa: E402

import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402
from scipy import stats  # noqa: E402

from proofs_checks.gao_nguyen_zhu_2023._schedules import gnz_vp_linear  # noqa: E402
from sgmverify.laws import Gaussian  # noqa: E402
from sgmverify.samplers import (  # noqa: E402
    sample,
    sampler_w2,
    spectral_w2,
    uniform_grid,
)

T, T_MIN = 3.0, 0.01
PROC = gnz_vp_linear(a=1.0, b=0.1)


def mc_w2(lam: np.ndarray, K: int, n: int, seed: int) -> float:
    """EI Monte Carlo in the eigenbasis, W2 by the quantile formula per (independent) coordinate."""
    rng = np.random.default_rng(seed)
    d = lam.size
    x = np.sqrt(PROC.var(T)) * rng.standard_normal((n, d))

    def score(y: np.ndarray, t: float) -> np.ndarray:
        return -y / (PROC.mean_coeff(t) ** 2 * lam + PROC.var(t))

    out = sample(PROC, score, x, uniform_grid(T, K, T_MIN), "ei", rng=rng).x
    q = stats.norm.ppf((np.arange(n) + 0.5) / n)
    return float(np.sqrt(np.sum(np.mean((np.sort(out, axis=0) - q[:, None] * np.sqrt(lam)) ** 2, axis=0))))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="d in {10, 100}, K = 100 only")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--mc-repeats", type=int, default=2)
    ap.add_argument("--n", type=int, default=2000, help="Monte Carlo samples")
    args = ap.parse_args()
    dims = (10, 100) if args.quick else (10, 100, 1000)
    steps = (100,) if args.quick else (100, 1000)
    spectral_w2(PROC, [0.5], T, 10, "ei", t_min=T_MIN)  # build the process's numeric forms once
    head = (
        f"{'d':>5} {'K':>5} | {'path':>8} {'time s':>9} {'K*d/s':>10} {'vs loop':>8} | W2 (exact / MC ± err)"
    )
    print(head)
    print("-" * len(head))
    for d in dims:
        lam = np.geomspace(0.1, 0.8, d)
        data = Gaussian(np.zeros(d), np.diag(lam))
        data.eigh()
        for K in steps:
            t_s, w_s = median_time(
                functools.partial(spectral_w2, PROC, lam, T, K, "ei", t_min=T_MIN), args.repeats
            )
            t_l, w_l = median_time(
                functools.partial(sampler_w2, PROC, data, T, K, "ei", t_min=T_MIN), args.repeats
            )
            reps = [mc_w2(lam, K, args.n, s) for s in range(args.mc_repeats)]
            t_m, _ = median_time(functools.partial(mc_w2, lam, K, args.n, 99), 1)
            kd = K * d
            mc_text = f"{np.mean(reps):.4g} (err {np.mean(reps) - w_s:+.3g}, n={args.n})"
            for name, t, w in (
                ("spectral", t_s, f"{w_s:.6g}"),
                ("loop", t_l, f"{w_l:.6g}"),
                ("MC", t_m, mc_text),
            ):
                print(f"{d:>5} {K:>5} | {name:>8} {t:>9.4f} {kd / t:>10.3g} {t_l / t:>7.1f}x | {w}")
            assert abs(w_s - w_l) <= 1e-9 * w_l, "spectral and loop paths disagree"


if __name__ == "__main__":
    main()
