"""Exact Gaussian sampler laws from any start law, on any grid, with affine score errors.

Independent reference: a dense d x d recursion in the data's own coordinates x (no eigenbasis).  Each scheme
is written out directly from its definition (EM, EI, Euler / Heun / RK4 stages of the probability-flow ODE)
with the perturbed score s_t(x) + E_t x + b_t computed by a dense inverse; the step map x -> A x + B is
affine, so it is read off by applying the step to x = 0 and x = e_j, and the law moves as
m <- A m + B, C <- A C A^T + N I.  Second reference: Monte Carlo through samplers.sample.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

from sgmverify.laws import EigenGaussian, Gaussian
from sgmverify.samplers import (
    EXACT_SCHEMES,
    karras_grid,
    quadratic_grid,
    sample,
    sampler_law,
    sampler_law_eigen as law_eigen,
    uniform_grid,
)
from sgmverify.sde import OU, VP

sys.path.insert(0, str(Path(__file__).parent))
from _gaussian_data import DATA, E_MAT, FULL_COV, MU, SIGMA, D, U

T, K, T_MIN = 1.0, 6, 1e-2

INITS = {
    "prior": "prior",
    "exact": "exact",
    "std_normal": Gaussian(np.zeros(D), np.eye(D)),
    "full_gaussian": Gaussian([0.1, 0.2, -0.3], FULL_COV),
    "eigen_diag_std_basis": EigenGaussian([0.3, 0.0, -0.1], [0.5, 1.0, 2.0]),  # diagonal in e_i, not in U
    "eigen_in_U": EigenGaussian([0.3, 0.0, -0.1], [0.5, 1.0, 2.0], U),
}
ERRORS = {  # (score_bias, score_matrix)
    "none": (None, None),
    "bias": (np.array([0.3, -0.2, 0.1]), None),
    "bias_t": (lambda t: np.array([0.3, -0.2, 0.1]) * (1.0 + t), None),
    "scalar_E": (None, -0.15),
    "eigen_E": (np.array([0.1, 0.0, 0.2]), np.array([0.1, -0.2, 0.05])),
    "matrix_E": (None, E_MAT),
    "E_t_mixed": (lambda t: np.array([0.0, 0.1, 0.0]) * t, lambda t: E_MAT * t if t > 0.5 else 0.1 * t),
}
GRIDS = ["uniform", "quadratic", "karras", "array"]


def _grid(name: str, process) -> np.ndarray:
    if name == "array":
        g = T_MIN + (T - T_MIN) * np.linspace(1.0, 0.0, K + 1) ** 1.5
        g[0], g[-1] = T, T_MIN
        return g
    if name == "karras":
        return karras_grid(process, T, K, T_MIN)
    return {"uniform": uniform_grid, "quadratic": quadratic_grid}[name](T, K, T_MIN)


def _x_matrix(E, t: float) -> np.ndarray:
    """E_t in the data's coordinates: scalar -> e I, (d,) -> U diag(e) U^T, (d, d) as is."""
    e = np.asarray(E(t) if callable(E) else E, dtype=float)
    if e.ndim == 0:
        return float(e) * np.eye(D)
    return (U * e) @ U.T if e.ndim == 1 else e


def dense_score(process, bias, E):
    def score(x: np.ndarray, t: float) -> np.ndarray:
        m, v = process.mean_coeff(t), process.var(t)
        Q = np.linalg.inv(m * m * SIGMA + v * np.eye(D))
        out = -(x - m * MU) @ Q.T
        if E is not None:
            out = out + x @ _x_matrix(E, t).T
        if bias is not None:
            out = out + (bias(t) if callable(bias) else bias)
        return out

    return score


def dense_step(process, scheme: str, s, t0: float, t1: float):
    """(A, B, N) of one step of ``scheme`` written from its definition (rows of x are states)."""
    h = t0 - t1

    def F(x, t):  # backward-time probability-flow drift -f_ODE = -(a x - g^2 s / 2)
        return -(process.drift_coeff(t) * x - 0.5 * process.diffusion(t) ** 2 * s(x, t))

    if scheme == "em":
        g2 = process.diffusion(t0) ** 2
        step, N = (lambda x: x - h * (process.drift_coeff(t0) * x - g2 * s(x, t0))), g2 * h
    elif scheme in ("ei", "ei_ode"):
        rho, kappa, v = (float(c) for c in process.transition(t0, t1))
        if scheme == "ei":
            step, N = (lambda x: rho * x + kappa * s(x, t0)), v
        else:
            step, N = (lambda x: rho * x + 0.5 * kappa * s(x, t0)), 0.0
    elif scheme == "euler_ode":
        step, N = (lambda x: x + h * F(x, t0)), 0.0
    elif scheme == "heun_ode":

        def step(x):
            k1 = F(x, t0)
            return x + 0.5 * h * (k1 + F(x + h * k1, t1))

        N = 0.0
    else:  # classic RK4

        def step(x):
            tm = t0 - 0.5 * h
            k1 = F(x, t0)
            k2 = F(x + 0.5 * h * k1, tm)
            k3 = F(x + 0.5 * h * k2, tm)
            k4 = F(x + h * k3, t1)
            return x + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6

        N = 0.0
    out = step(np.vstack([np.zeros(D), np.eye(D)]))
    B = out[0]
    return (out[1:] - B).T, B, N


def dense_law(process, scheme, grid, init, bias, E):
    if isinstance(init, str):
        m, v = process.mean_coeff(T), process.var(T)
        mean, cov = (
            (m * MU, m * m * SIGMA + v * np.eye(D)) if init == "exact" else (np.zeros(D), v * np.eye(D))
        )
    else:
        g = init.to_gaussian() if isinstance(init, EigenGaussian) else init
        mean, cov = g.mean.copy(), g.cov.copy()
    s = dense_score(process, bias, E)
    for t0, t1 in itertools.pairwise(grid):
        A, B, N = dense_step(process, scheme, s, float(t0), float(t1))
        mean, cov = A @ mean + B, A @ cov @ A.T + N * np.eye(D)
    return mean, cov


PROCESSES = {"vp": VP(0.1, 20.0), "ou": OU()}
_GRIDS = {(p, name): _grid(name, proc) for p, proc in PROCESSES.items() for name in GRIDS}


@pytest.fixture(scope="module")
def process():
    return PROCESSES["vp"]


def _check_against_dense(proc_name: str, scheme: str, init: str, error: str) -> None:
    process = PROCESSES[proc_name]
    bias, E = ERRORS[error]
    for grid_name in GRIDS:
        g = _GRIDS[proc_name, grid_name]
        law = sampler_law(process, DATA, T, K, scheme, T_MIN, INITS[init], bias, g, score_matrix=E)
        mean, cov = dense_law(process, scheme, g, INITS[init], bias, E)
        assert np.linalg.norm(law.mean - mean) <= 1e-12 * max(np.linalg.norm(mean), 1.0), grid_name
        assert np.linalg.norm(law.cov - cov) <= 1e-12 * np.linalg.norm(cov), grid_name


# Tolerance: both sides round at ~1e-16 per operation over K = 6 steps, and the eigenbasis rotation adds
# ~d eps; measured max relative deviation over all cases (both processes): mean 2.6e-15, covariance 5.0e-14
# (Frobenius; ei_ode from the full start, whose output covariance is small).  1e-12 leaves a factor 20 yet
# catches any formula error: replacing E by -E in the reference moves the law by >= 0.36.
@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("scheme", EXACT_SCHEMES)
def test_eigen_path_matches_dense_recursion_vp(scheme, init, error):
    _check_against_dense("vp", scheme, init, error)


@pytest.mark.slow
@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("init", INITS)
@pytest.mark.parametrize("scheme", EXACT_SCHEMES)
def test_eigen_path_matches_dense_recursion_ou(scheme, init, error):
    _check_against_dense("ou", scheme, init, error)


def test_grid_names_equal_arrays(process):
    # grid="karras" etc. and the same grid passed as an array take the same path: identical bits.
    start = INITS["full_gaussian"]
    for name in ("uniform", "quadratic", "karras"):
        g = _GRIDS["vp", name]
        for scheme in EXACT_SCHEMES:
            a = law_eigen(process, DATA, T, K, scheme, T_MIN, start, grid=name, score_matrix=E_MAT)
            b = law_eigen(process, DATA, T, K, scheme, T_MIN, start, grid=g, score_matrix=E_MAT)
            assert np.array_equal(a.cov, b.cov) and np.array_equal(a.mean, b.mean)


# ------------------------------------------------------------------------------------------ Monte Carlo
def max_z(x: np.ndarray, law: Gaussian) -> float:
    """Largest |sample moment - exact moment| / standard error over the d means and d(d+1)/2 covariances
    (Var(mean_i) = C_ii / n; Wishart: Var(S_ij) = (C_ii C_jj + C_ij^2) / (n - 1))."""
    n, c = x.shape[0], law.cov
    z_mean = np.abs(x.mean(axis=0) - law.mean) / np.sqrt(np.diag(c) / n)
    se_cov = np.sqrt((np.outer(np.diag(c), np.diag(c)) + c**2) / (n - 1))
    z_cov = np.abs(np.cov(x.T) - c) / se_cov
    return float(max(z_mean.max(), z_cov[np.triu_indices(len(c))].max()))


# A score error large enough that leaving any part of it out is visible at n = 4000 (see the power test).
MC_ERROR = (ERRORS["E_t_mixed"][0], lambda t: 3.0 * E_MAT * t if t > 0.5 else 0.1 * t)


def _mc(scheme: str, seed: int, n: int = 4000) -> np.ndarray:
    process, start = PROCESSES["vp"], INITS["full_gaussian"]
    score = dense_score(process, *MC_ERROR)
    rng = np.random.default_rng(seed)
    res = sample(process, score, start.sample(n, rng), _GRIDS["vp", "quadratic"], scheme, rng=rng)
    assert res.ok
    return res.x


def _law(scheme: str, start=INITS["full_gaussian"], E=MC_ERROR[1]) -> Gaussian:
    g = _GRIDS["vp", "quadratic"]
    return sampler_law(PROCESSES["vp"], DATA, T, K, scheme, T_MIN, start, MC_ERROR[0], g, score_matrix=E)


# n = 4000, 9 statistics x 6 schemes = 54 comparisons at 4.5 standard errors: two-sided normal tail 6.8e-6
# each, family-wise false alarm ~4e-4 (seeds fixed; measured max z = 1.8).  The start law (full covariance),
# the time-dependent bias and the time-dependent general matrix E_t are all exercised at once.
@pytest.mark.parametrize("scheme", EXACT_SCHEMES)
def test_exact_law_matches_monte_carlo(scheme):
    x = _mc(scheme, seed=10 + EXACT_SCHEMES.index(scheme))
    assert max_z(x, _law(scheme)) < 4.5


def test_monte_carlo_check_has_power():
    # Negative controls on the EI sample: the law without the matrix error, with E_t transposed, and from
    # N(0, I) instead of the full start must all be rejected (measured z = 351, 33, 18).
    x = _mc("ei", seed=11)
    E = MC_ERROR[1]
    wrong = [_law("ei", E=None), _law("ei", E=lambda t: np.transpose(E(t))), _law("ei", INITS["std_normal"])]
    assert all(max_z(x, law) > 10 for law in wrong)
