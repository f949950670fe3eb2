"""Time per evaluation of a derivative of log p_t: float64 closed form vs mpmath at the required precision.

For each law of ``sgmverify.laws._singular`` (and the generic ``Density1D`` path) at noise variances v
(VE, m = 1)
and orders k in {2, 4}, on points spread over the layer where the derivatives are large (scaled variable
u = (x - x*)/s in [-10, 10] around the atom / edge / circle / cusp, plus far-field points):

* float   -- the vectorised float64 formula alone (``law._dk_float``), microseconds per point;
* mpmath  -- the same formula in mpmath, one point at a time, at ``base_dps(v) + ceil(log10 cond)`` digits
  (what the guard uses when float64 cancels), microseconds per point;
* auto    -- what ``log_density_derivative`` does (float64, then mpmath for the flagged points),
  microseconds per point, and the fraction of points routed to mpmath;
* ratio   -- mpmath / float.

Medians of ``--repeats`` runs.  Run:  python benchmarks/bench_derivatives.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import math  # noqa: E402

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from _timing import median_time  # noqa: E402

from sgmverify import laws_derivatives as ld  # noqa: E402
from sgmverify.laws import Density1D  # noqa: E402
from sgmverify.laws._singular import FLOAT_TOL, Atoms, HolderCusp, UniformBox, UniformCircle  # noqa: E402


class VE:
    """m = 1, sigma^2(t) = t."""

    t_max = math.inf

    def mean_coeff(self, t):
        return 1.0

    def var(self, t):
        return float(t)


def points(name: str, s: float, n: int) -> np.ndarray:
    u = np.linspace(-10, 10, n - 2)
    far = np.array([40.0, 1e3])
    if name == "two-point":
        x = np.concatenate([1 + s * u, 1 + s * far])[:, None]
    elif name in ("interval", "density1d-interval"):
        x = np.concatenate([1 + s * u, 1 + s * far])[:, None]
    elif name == "circle":
        r = np.concatenate([1 + s * u, 1 + s * far])
        th = np.linspace(0, 2 * np.pi, n)
        x = np.stack([r * np.cos(th), r * np.sin(th)], axis=1)
    else:  # cusp
        x = np.concatenate([s * u, s * far])[:, None]
    return x


def laws():
    return {
        "two-point": Atoms.two_point(1.0),
        "interval": UniformBox(-1.0, 1.0),
        "circle": UniformCircle(1.0),
        "cusp b=0.5": HolderCusp(0.5),
        "density1d-interval": Density1D(sp.S(0), (-1.0, 1.0)),
    }


def mp_all(law, pts, k, cond):
    return [law._mp_point(pts[i], k, float(cond[i])) for i in range(len(pts))]


def row(name, v, k, cols) -> str:
    return f"{name:20s} {v:7.0e} {k:2d} " + " ".join(
        f"{c:>10s}" if i != 2 else f"{c:>8s}" for i, c in enumerate(cols)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer points, variances and repeats")
    args = parser.parse_args()
    n = 12 if args.quick else 40
    repeats = 1 if args.quick else 3
    variances = (1e-2, 1e-6) if args.quick else (1e-2, 1e-6, 1e-12)
    print(
        f"float64 kept where cond * eps <= {FLOAT_TOL}; times in microseconds per point (median of {repeats})"
    )
    head = row("law", 0, 0, ["float", "mpmath", "ratio", "auto", "to mp"])
    print(head.replace("  0e+00  0", "       v  k"))
    print("-" * len(head))
    for name, data in laws().items():
        generic = name.startswith("density1d")
        for v in variances:
            if generic and v < 1e-6:
                continue  # one mpmath quadrature per point (~0.2 s): shown at v = 1e-2 and 1e-6 only
            law = data.noised(VE(), v)
            x = points(name.split()[0], math.sqrt(v), 6 if generic else n)
            for k in (2, 4):
                if generic:
                    t_auto = median_time(law.log_density_derivative, 1, x, k)[0] / len(x)
                    print(row(name, v, k, ["-", "-", "-", f"{t_auto * 1e6:.0f}", "quad"]))
                    continue
                t_float = median_time(law._dk_float, repeats, x, k)[0] / len(x)
                _, cond = law._dk_float(x, k)
                flagged = ~np.isfinite(cond) | (cond * ld.EPS > FLOAT_TOL)
                sub = x[: max(4, len(x) // 4)]
                _, csub = law._dk_float(sub, k)
                t_mp = median_time(mp_all, repeats, law, sub, k, csub)[0] / len(sub)
                t_auto = median_time(law.log_density_derivative, repeats, x, k)[0] / len(x)
                cols = [f"{t_float * 1e6:.1f}", f"{t_mp * 1e6:.0f}", f"{t_mp / t_float:.0f}"]
                print(row(name, v, k, [*cols, f"{t_auto * 1e6:.0f}", f"{flagged.mean():.0%}"]))


if __name__ == "__main__":
    main()
