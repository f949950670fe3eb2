"""Throughput and accuracy-per-cost of the finite-volume Fokker–Planck solver (sgmverify.pde._fokker_planck).

Problem: OU, ∂ρ = Δρ + ∇·(xρ) (drift f = -x, D = 1) on [-8, 8]^d from N(1, 0.25) per coordinate, T = 1; exact
Gaussian marginals give the error.

* throughput — cells x steps per second (median of ``--repeats`` runs) for
  - 1-D, time-dependent path (drift re-evaluated and LAPACK ``gtsv`` every step), and ``autonomous=True``
    (one ``gttrf`` factorisation, ``gttrs`` per step);
  - baseline in the same run: the same Crank–Nicolson step written the textbook way, assembling the banded
    matrix and calling ``scipy.linalg.solve_banded`` every step (central flux, so it is the cheapest honest
    banded CN); ratio = ours / baseline;
  - 2-D Peaceman–Rachford ADI, time-dependent and autonomous.
* accuracy — the coarsest grid (n doubled from 50, n_steps = n/4, so dt ∝ dx) whose L² error meets each
  target, with the observed order between the last two grids and the wall time of that solve.

Target (issue 6): a 1-D solve on 4000 cells in well under a second.

Run:  python benchmarks/bench_fokker_planck.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from _timing import median_time  # noqa: E402
from scipy.linalg import solve_banded  # noqa: E402

from sgmverify.pde import Grid1D, Grid2D, solve_fokker_planck  # noqa: E402

M0, V0, T = 1.0, 0.25, 1.0


def gauss(x: np.ndarray, m: float, v: float) -> np.ndarray:
    return np.exp(-((x - m) ** 2) / (2 * v)) / np.sqrt(2 * np.pi * v)


def exact_1d(x: np.ndarray) -> np.ndarray:
    return gauss(x, M0 * math.exp(-T), V0 * math.exp(-2 * T) - math.expm1(-2 * T))


def drift_1d(x: np.ndarray, t: float) -> np.ndarray:
    return -x


def drift_2d(x: np.ndarray, y: np.ndarray, t: float) -> tuple[np.ndarray, np.ndarray]:
    return -x, -y


def baseline_banded_cn(grid: Grid1D, rho0: np.ndarray, n_steps: int) -> np.ndarray:
    """Textbook CN: assemble the central-flux banded matrix and call solve_banded every step."""
    h, dt, n = grid.dx, T / n_steps, grid.n
    rho = rho0.copy()
    for k in range(n_steps):
        f = drift_1d(grid.faces, (k + 1) * dt)
        a, b = 0.5 * f + 1.0 / h, 1.0 / h - 0.5 * f
        lower, upper = a / h, b / h
        diag = -(np.concatenate([[0.0], b]) + np.concatenate([a, [0.0]])) / h
        ab = np.zeros((3, n))
        ab[0, 1:] = -0.5 * dt * upper
        ab[1] = 1.0 - 0.5 * dt * diag
        ab[2, :-1] = -0.5 * dt * lower
        rhs = rho + 0.5 * dt * diag * rho
        rhs[1:] += 0.5 * dt * lower * rho[:-1]
        rhs[:-1] += 0.5 * dt * upper * rho[1:]
        rho = solve_banded((1, 1), ab, rhs)
    return rho


def throughput(quick: bool, repeats: int) -> None:
    print("\n## Throughput (cells x steps per second, median of", repeats, "runs)\n")
    print(f"{'case':<34}{'cells':>9}{'steps':>7}{'time s':>10}{'Mcell-steps/s':>15}{'vs baseline':>13}")
    sizes, steps = ((1000, 4000) if quick else (1000, 4000, 16000)), 1000
    for n in sizes:
        g = Grid1D(-8, 8, n)
        r0 = gauss(g.x, M0, V0)
        tb, _ = median_time(lambda g=g, r0=r0: baseline_banded_cn(g, r0, steps), repeats)
        td, _ = median_time(
            lambda g=g, r0=r0: solve_fokker_planck(g, r0, drift_1d, 1.0, 0.0, T, steps), repeats
        )
        ta, _ = median_time(
            lambda g=g, r0=r0: solve_fokker_planck(g, r0, drift_1d, 1.0, 0.0, T, steps, autonomous=True),
            repeats,
        )
        for name, t in (
            ("1-D baseline solve_banded CN", tb),
            ("1-D time-dependent (gtsv)", td),
            ("1-D autonomous (gttrf)", ta),
        ):
            print(f"{name:<34}{n:>9}{steps:>7}{t:>10.3f}{n * steps / t / 1e6:>15.2f}{tb / t:>13.2f}")
        if n == 4000:
            verdict = "MET" if td < 0.5 else "MISSED"
            print(
                f"  target: 4000 cells x 1000 steps, time-dependent, well under 1 s: {td:.3f} s ({verdict})"
            )
    sizes2, steps = ((100, 200) if quick else (100, 200, 400)), 100
    for n in sizes2:
        g = Grid2D((-8, -8), (8, 8), (n, n))
        r0 = gauss(g.X, M0, V0) * gauss(g.Y, M0, V0)
        td, _ = median_time(
            lambda g=g, r0=r0: solve_fokker_planck(g, r0, drift_2d, 1.0, 0.0, T, steps), repeats
        )
        ta, _ = median_time(
            lambda g=g, r0=r0: solve_fokker_planck(g, r0, drift_2d, 1.0, 0.0, T, steps, autonomous=True),
            repeats,
        )
        for name, t in (("2-D ADI time-dependent", td), ("2-D ADI autonomous", ta)):
            print(f"{name:<34}{n * n:>9}{steps:>7}{t:>10.3f}{n * n * steps / t / 1e6:>15.2f}{'':>13}")


def _ou_error(dim: int, n: int) -> tuple[float, float]:
    """L2 error and wall time of the autonomous solve on n cells per axis, n/4 steps."""
    if dim == 1:
        g: Grid1D | Grid2D = Grid1D(-8, 8, n)
        r0, ex, drift = gauss(g.x, M0, V0), exact_1d(g.x), drift_1d
    else:
        g = Grid2D((-8, -8), (8, 8), (n, n))
        r0 = gauss(g.X, M0, V0) * gauss(g.Y, M0, V0)
        ex, drift = exact_1d(g.X) * exact_1d(g.Y), drift_2d
    t0 = time.perf_counter()
    sol = solve_fokker_planck(g, r0, drift, 1.0, 0.0, T, max(n // 4, 1), autonomous=True)
    el = time.perf_counter() - t0
    return float(np.sqrt(np.sum((sol.final - ex) ** 2) * g.cell_volume)), el


def accuracy(quick: bool) -> None:
    print("\n## Grid needed for a target L2 error (OU, T = 1, n_steps = n/4, autonomous)\n")
    print(f"{'dim':<5}{'target':>9}{'n per axis':>12}{'steps':>7}{'L2 error':>12}{'order':>8}{'time s':>9}")
    plans = {1: ((1e-3, 1e-4, 1e-5, 1e-6), 12800), 2: ((1e-3, 1e-4, 3e-5), 200 if quick else 400)}
    for dim, (targets, n_max) in plans.items():
        ladder, n = [], 50
        while n <= n_max:
            ladder.append((n, *_ou_error(dim, n)))
            n *= 2
        for target in targets:
            k = next((i for i, (_, e, _) in enumerate(ladder) if e <= target), None)
            if k is None:
                print(f"{dim:<5}{target:>9.0e}{'> ' + str(n_max):>12}{'':>7}{ladder[-1][1]:>12.2e}")
                continue
            n, err, el = ladder[k]
            order = math.log2(ladder[k - 1][1] / err) if k > 0 else float("nan")
            print(f"{dim:<5}{target:>9.0e}{n:>12}{n // 4:>7}{err:>12.2e}{order:>8.2f}{el:>9.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    repeats = args.repeats or (3 if args.quick else 5)
    print("# bench_fokker_planck", "(quick)" if args.quick else "")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores (one-core medians; they scale with load)")
    throughput(args.quick, repeats)
    accuracy(args.quick)


if __name__ == "__main__":
    main()
