"""Timings of kl_divergence, hellinger_distance and tv_distance (sgmverify.metrics) between Gaussian laws.

Settings (fixed seed): p = N(m, diag(v1)), q = N(0, diag(v2)) with v1 ~ U(0.5, 2),
v2 = v1 (1 + U(-0.3, 0.3)/sqrt d), m ~ N(0, 0.25/d) — laws at a distance of order one whatever d.

* shared — both as ``EigenGaussian`` in one basis (``basis=None``): the O(d) coordinate path, d up to 10^5.
* dense  — the same laws as dense ``Gaussian`` after a common random rotation (Cholesky/eigh path),
  d <= 1000.

Each cell is the median wall time of ``--repeats`` calls (one core); the TV column also reports the error
bound of its ``Estimate`` and the number of trapezoid nodes (both tails together).  Target: kl and hellinger
well under 1 s at d = 10^5 (shared path).

Run:  python benchmarks/bench_divergences.py [--quick] [--repeats N]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402

from sgmverify.laws import EigenGaussian  # noqa: E402
from sgmverify.metrics import hellinger_distance, kl_divergence, tv_distance  # noqa: E402


def _laws(d: int, seed: int = 0) -> tuple[EigenGaussian, EigenGaussian]:
    rng = np.random.default_rng(seed)
    v1 = rng.uniform(0.5, 2.0, d)
    v2 = v1 * (1 + rng.uniform(-0.3, 0.3, d) / math.sqrt(d))
    return EigenGaussian(rng.normal(size=d) * 0.5 / math.sqrt(d), v1), EigenGaussian(np.zeros(d), v2)


def _rotated(p: EigenGaussian, q: EigenGaussian, seed: int = 1):
    d = p.dim
    Q, R = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    U = Q * np.sign(np.diag(R))
    return EigenGaussian(p.mean, p.var, U).to_gaussian(), EigenGaussian(q.mean, q.var, U).to_gaussian()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="d up to 10^4 only")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    dims = [10, 100, 1000, 10_000] + ([] if args.quick else [100_000])
    cols = ("kl [s]", "hell [s]", "tv [s]")
    head = (
        f"{'path':7} {'d':>7} "
        + " ".join(f"{c:>9}" for c in cols)
        + f" {'tv':>12} {'tv err':>9} {'nodes':>6}"
    )
    print(head)
    print("-" * len(head))
    for path in ("shared", "dense"):
        for d in dims:
            if path == "dense" and d > 1000:
                continue
            p, q = _laws(d)
            if path == "dense":
                p, q = _rotated(p, q)
            t_kl, _ = median_time(kl_divergence, args.repeats, p, q)
            t_h, _ = median_time(hellinger_distance, args.repeats, p, q)
            t_tv, tv = median_time(tv_distance, args.repeats, p, q)
            err = tv.extra.get("error", 0.0)
            nodes = tv.extra.get("nodes", 0)
            print(
                f"{path:7} {d:>7} {t_kl:9.4f} {t_h:9.4f} {t_tv:9.4f} {tv.value:12.9f} {err:9.2e} {nodes:>6}"
            )


if __name__ == "__main__":
    main()
