r"""Fast exact W2 of EM / EI samplers on Gaussian data given by a spectrum, and the minimal step count.

:mod:`sgmverify.samplers._gaussian_exact` computes a sampler's exact output law step by step in the data's
eigenbasis.  Sweeps over the step count K (e.g. "the smallest K with :math:`W_2 \le \varepsilon`") need
many such laws at large K, so this module gives a vectorised path for the two schemes with one score call
per step (``"em"``, ``"ei"``):

* the data enter only through their spectrum: distinct covariance eigenvalues :math:`\lambda_j` with
  multiplicities :math:`n_j`, and the mean (and a constant score error) in eigen-coordinates.  An isotropic
  :math:`N(0, s_0^2 I_d)` is one eigenvalue with multiplicity d, so its cost does not grow with d;
* the marginal variance on the grid is accumulated from the per-step exponential-integrator integrals,
  :math:`\sigma^2(t_k) = m(t_k)^2 \big(\sigma^2(t_{\min})/m(t_{\min})^2 + \sum_{j \ge k}
  \int_{t_{j+1}}^{t_j} g^2/m^2\big)` (a sum of positive terms: no cancellation, and no per-point
  quadrature for processes whose closed-form variance is unstable in float64);
* the affine recursion :math:`M_{k+1} = A_k M_k + B_k`, :math:`V_{k+1} = A_k^2 V_k + N_k` is summed with
  suffix products, :math:`M_K = M_0 \prod_k A_k + \sum_k B_k \prod_{j>k} A_j` (chunked).

The step coefficients are those of :mod:`sgmverify.samplers._gaussian_exact` (reference: Gao–Nguyen–Zhu
notes ``docs/papers/gao_nguyen_zhu_2023.md`` §7 C6,
C7): EM :math:`A = 1 - h(a + g^2 P)`, :math:`B = h g^2 q`, :math:`N = g^2 h`; EI :math:`A = \rho - \kappa P`,
:math:`B = \kappa q`, :math:`N = v` with :math:`(\rho, \kappa, v)` = ``process.transition``, and
:math:`P = 1/(m^2\lambda + \sigma^2)`, :math:`q = P m \nu + \beta`.

:func:`minimal_steps` finds the smallest K with ``w2(K) <= eps`` by doubling then bisection.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError, UnknownNameError

from ._checks import finite_real, real_array
from ._grids import check_grid, uniform_grid
from ._integrate import broadcast_coefficient

__all__ = [
    "SpectralLaw",
    "StepSearch",
    "grid_moments",
    "marginal_var",
    "minimal_steps",
    "spectral_law",
    "spectral_w2",
]

_STEP_CHUNK = 50_000  # steps per block (each step expands to 12 quadrature nodes)


@dataclass(frozen=True)
class SpectralLaw:
    """Output law per distinct eigen-direction: means ``mean``, variances ``var``; reference law
    ``ref_mean``, ``ref_var``; ``mult`` the multiplicities (all arrays of shape ``(n_distinct,)``)."""

    mean: np.ndarray
    var: np.ndarray
    ref_mean: np.ndarray
    ref_var: np.ndarray
    mult: np.ndarray

    def w2_squared(self) -> float:
        r""":math:`\sum_j n_j[(M_j - \nu_j)^2 + (\sqrt{V_j} - \sqrt{\lambda_j})^2]` (difference of square
        roots as :math:`(V - \lambda)/(\sqrt V + \sqrt\lambda)`)."""
        with np.errstate(invalid="ignore", over="ignore"):
            den = np.sqrt(self.var) + np.sqrt(self.ref_var)
            diff = np.divide(self.var - self.ref_var, den, out=np.zeros_like(den), where=den > 0)
            val = float(np.sum(self.mult * ((self.mean - self.ref_mean) ** 2 + diff**2)))
        return val if math.isfinite(val) else math.inf


_GL_X, _GL_W = np.polynomial.legendre.leggauss(12)


def _gl_nodes(process: Any, lo: np.ndarray, hi: np.ndarray):
    r"""12-point Gauss–Legendre nodes on each interval ``[lo_i, hi_i]``: the half-lengths ``(n,)``, and
    :math:`g^2` and :math:`\log m` of ``process`` at the nodes ``(n, 12)`` (weights: :data:`_GL_W`)."""
    half = 0.5 * (hi - lo)
    u = (0.5 * (lo + hi))[:, None] + half[:, None] * _GL_X
    g2 = broadcast_coefficient(process.diffusion(u), u.shape) ** 2
    return half, g2, broadcast_coefficient(process.log_mean_coeff(u), u.shape)


def _ei_integrals(process: Any, t0: np.ndarray, t1: np.ndarray, log_m1: np.ndarray):
    r"""EI integrals of the steps :math:`t_0 \to t_1 < t_0` by 12-point Gauss–Legendre:
    :math:`\kappa = \int_{t_1}^{t_0} g(u)^2 e^{\ell(t_1) - \ell(u)}du`,
    :math:`v = \int_{t_1}^{t_0} g(u)^2 e^{2(\ell(t_1) - \ell(u))}du`, :math:`\ell = \log m` (as in
    :meth:`LinearSDE.transition`, which uses 48 nodes; 12 are exact to round-off for the smooth
    coefficients of the presets at the step sizes of a sweep — tested against ``transition``)."""
    half, g2, log_m = _gl_nodes(process, t1, t0)
    e = log_m1[:, None] - log_m
    with np.errstate(over="ignore"):  # a step too long for the schedule: inf coefficients, inf W2
        return half * ((g2 * np.exp(e)) @ _GL_W), half * ((g2 * np.exp(2 * e)) @ _GL_W)


def marginal_var(process: Any, t: Any) -> np.ndarray:
    r""":math:`\sigma^2(t) = m(t)^2 \int_0^t g(u)^2/m(u)^2\,du` at the times ``t`` (any shape, >= 0), by
    12-point Gauss–Legendre between consecutive sorted times and a cumulative sum of positive terms (fast and
    free of cancellation, also for processes whose closed-form variance is evaluated by per-point
    quadrature)."""
    tt = np.asarray(t, dtype=float)
    u = np.unique(np.concatenate([[0.0], tt.ravel()]))
    if u[0] < 0:
        raise InvalidParameterError(f"times must be >= 0, got {u[0]}.")
    half, g2, lmx = _gl_nodes(process, u[:-1], u[1:])
    shift = lmx.min(axis=1)  # factor e^{-2 min log m} out of each interval's integral (no overflow)
    with np.errstate(divide="ignore"):
        log_inc = np.log(half * ((g2 * np.exp(-2.0 * (lmx - shift[:, None]))) @ _GL_W)) - 2.0 * shift
    log_S = np.logaddexp.accumulate(np.concatenate([[-np.inf], log_inc]))
    val = np.exp(2.0 * broadcast_coefficient(process.log_mean_coeff(u), u.shape) + log_S)
    return val[np.searchsorted(u, tt)]


def grid_moments(process: Any, grid: np.ndarray) -> dict[str, np.ndarray]:
    r"""Per-step coefficients on a decreasing ``grid`` (K + 1 times): ``m``, ``var`` at every grid time,
    and at the left ends ``t_k``: ``a`` (drift coefficient), ``g2`` (:math:`g^2`), EI ``ratio``, ``kappa``,
    ``nvar`` (:func:`_ei_integrals`).  ``var`` by the positive cumulative sum of the module docstring.
    """
    g = check_grid(grid, process)
    t0, t1 = g[:-1], g[1:]
    log_m = broadcast_coefficient(process.log_mean_coeff(g), g.shape)
    with np.errstate(over="ignore"):
        ratio = np.exp(log_m[1:] - log_m[:-1])
    kappa, nvar = np.empty(t0.size), np.empty(t0.size)
    for i in range(0, t0.size, _STEP_CHUNK):
        sl = slice(i, i + _STEP_CHUNK)
        kappa[sl], nvar[sl] = _ei_integrals(process, t0[sl], t1[sl], log_m[1:][sl])
    m = np.exp(log_m)
    v_end = float(process.var(float(g[-1]))) if g[-1] > 0 else 0.0
    # S(t) = var(t) / m(t)^2 = S(t_min) + sum_{j >= k} nvar_j / m(t_{j+1})^2, accumulated in log space
    with np.errstate(divide="ignore"):
        log_inc = np.concatenate([np.log(nvar[::-1]) - 2.0 * log_m[1:][::-1], [-np.inf]])
        log_s0 = math.log(v_end) - 2.0 * log_m[-1] if v_end > 0 else -np.inf
    log_S = np.logaddexp.accumulate(np.concatenate([[log_s0], log_inc[:-1]]))[::-1]
    return {
        "m": m,
        "var": np.exp(2.0 * log_m + log_S),
        "a": broadcast_coefficient(process.drift_coeff(t0), t0.shape).copy(),
        "g2": broadcast_coefficient(process.diffusion(t0), t0.shape) ** 2,
        "ratio": ratio,
        "kappa": kappa,
        "nvar": nvar,
        "h": t0 - t1,
    }


def _check_spectrum(eigvals: Any, mult: Any, mean: Any, bias: Any) -> tuple[np.ndarray, ...]:
    lam = np.atleast_1d(np.asarray(eigvals, dtype=float))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam < 0):
        raise InvalidParameterError(
            f"eigvals must be a non-empty 1-D array of finite values >= 0, got {eigvals!r}."
        )
    out = []
    for name, val, default in (("multiplicity", mult, 1.0), ("mean", mean, 0.0), ("score_bias", bias, 0.0)):
        arr = np.full(lam.shape, default) if val is None else np.asarray(val, dtype=float)
        arr = np.broadcast_to(arr, lam.shape) if arr.ndim == 0 else arr
        if arr.shape != lam.shape:
            raise ShapeError(f"{name} must have the shape {lam.shape} of eigvals, got {arr.shape}.")
        if not np.all(np.isfinite(arr)):
            raise InvalidParameterError(f"{name} contains NaN or inf.")
        out.append(np.array(arr, dtype=float))
    if np.any(out[0] < 0):
        raise InvalidParameterError("multiplicity must be >= 0.")
    return (lam, *out)


def _affine_steps(mom: dict, scheme: str, lam: np.ndarray, nu: np.ndarray, beta: np.ndarray, sl: slice):
    m, var = mom["m"][:-1][sl, None], mom["var"][:-1][sl, None]
    den = m**2 * lam + var
    if np.any(den <= 0):
        raise InvalidParameterError(
            "the score is infinite on the grid (singular data and t = 0); use t_min > 0."
        )
    P = 1.0 / den
    q = P * m * nu + beta
    if scheme == "ei":
        kap = mom["kappa"][sl, None]
        return mom["ratio"][sl, None] - kap * P, kap * q, np.broadcast_to(mom["nvar"][sl, None], P.shape)
    h, g2 = mom["h"][sl, None], mom["g2"][sl, None]
    return 1.0 - h * (mom["a"][sl, None] + g2 * P), h * g2 * q, np.broadcast_to(h * g2, P.shape)


def _run(M: np.ndarray, V: np.ndarray, A: np.ndarray, B: np.ndarray, N: np.ndarray):
    """Apply the steps of one block: suffix products of A (exact algebra, no Python loop over steps)."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        suf = np.ones_like(A)
        if A.shape[0] > 1:
            suf[:-1] = np.cumprod(A[:0:-1], axis=0)[::-1]
        total = suf[0] * A[0]
        M = total * M + np.sum(B * suf, axis=0)
        V = total**2 * V + np.sum(N * suf**2, axis=0)
    return M, V


def spectral_law(
    process: Any,
    eigvals: Any,
    T: float,
    steps: int,
    scheme: str,
    *,
    multiplicity: Any = None,
    mean: Any = None,
    score_bias: Any = None,
    t_min: float = 0.0,
    init: Literal["prior", "exact"] = "prior",
    target: Literal["data", "marginal"] = "data",
    moments: dict | None = None,
) -> SpectralLaw:
    r"""Exact output law of EM / EI on data :math:`N(\nu, \mathrm{diag}(\lambda))` (eigen-coordinates).

    Parameters
    ----------
    process : LinearSDE
    eigvals : array, shape (n,)
        Distinct covariance eigenvalues :math:`\lambda_j \ge 0`.
    T, steps, t_min
        Uniform grid of ``steps`` steps from ``T`` down to ``t_min``.
    scheme : {"em", "ei"}
    multiplicity, mean, score_bias : array, shape (n,), optional
        Multiplicities :math:`n_j` (default 1), data mean :math:`\nu_j` and constant score error
        :math:`\beta_j` per direction (default 0); directions sharing an eigenvalue share them.
    init : {"prior", "exact"}
        Start from :math:`N(0, \sigma_T^2 I)` or from the true :math:`p_T`.
    target : {"data", "marginal"}
        Reference law: the data or the forward marginal at ``t_min``.
    moments : dict, optional
        Precomputed :func:`grid_moments` of the same grid (reused across spectra).
    """
    if scheme not in ("em", "ei"):
        raise UnknownNameError(
            f"spectral_law supports schemes 'em' and 'ei', got {scheme!r}; use gaussian_exact."
        )
    if init not in ("prior", "exact"):
        raise UnknownNameError(f"unknown init {init!r}; choose 'prior' or 'exact'.")
    if target not in ("data", "marginal"):
        raise UnknownNameError(f"unknown target {target!r}; choose 'data' or 'marginal'.")
    lam, mult, nu, beta = _check_spectrum(eigvals, multiplicity, mean, score_bias)
    mom = moments if moments is not None else grid_moments(process, uniform_grid(T, steps, t_min))
    if mom["h"].size != steps:
        raise InvalidParameterError(f"moments were computed for {mom['h'].size} steps, not {steps}.")
    mT, vT = mom["m"][0], mom["var"][0]
    M = mT * nu if init == "exact" else np.zeros_like(nu)
    V = mT**2 * lam + vT if init == "exact" else np.full_like(lam, vT)
    for s in range(0, steps, _STEP_CHUNK):
        A, B, N = _affine_steps(mom, scheme, lam, nu, beta, slice(s, s + _STEP_CHUNK))
        M, V = _run(M, V, A, B, N)
    if target == "data":
        return SpectralLaw(M, V, nu, lam, mult)
    m0, v0 = mom["m"][-1], mom["var"][-1]
    return SpectralLaw(M, V, m0 * nu, m0**2 * lam + v0, mult)


def spectral_w2(process: Any, eigvals: Any, T: float, steps: int, scheme: str, **kw: Any) -> float:
    """W2 (not squared) of :func:`spectral_law`'s output to its reference law (``inf`` if it diverged)."""
    return math.sqrt(max(spectral_law(process, eigvals, T, steps, scheme, **kw).w2_squared(), 0.0))


@dataclass(frozen=True)
class StepSearch:
    """Result of :func:`minimal_steps`: ``steps`` (None if not reached within ``k_max``), its ``w2``, the
    number of W2 ``evaluations``, and ``w2_below`` = W2 at ``steps - 1`` (> eps: the minimality witness)."""

    steps: int | None
    w2: float
    evaluations: int
    w2_below: float

    @property
    def reached(self) -> bool:
        return self.steps is not None


def minimal_steps(
    w2_of_steps: Callable[[int], float], eps: float, *, k_max: int, k_start: int = 1, rtol: float = 0.0
) -> StepSearch:
    r"""Smallest K in ``[1, k_max]`` with ``w2_of_steps(K) <= eps`` (doubling, then bisection).

    With ``rtol > 0`` the bisection stops once the bracket ``(lo, hi]`` is narrower than ``rtol * hi``: the
    returned ``steps = hi`` reaches ``eps`` and the minimal K lies in ``(lo, hi]`` (``w2_below`` is then
    W2 at ``lo``).

    Bisection assumes :math:`W_2(K) \le \varepsilon` is monotone in K on the bracket it finds (true in the
    asymptotic regime, where the discretisation error decreases with the step); the result records
    ``w2_below`` = :math:`W_2(K-1) > \varepsilon`, so the returned K is minimal at least locally.
    """
    if not callable(w2_of_steps):
        raise InvalidParameterError(
            f"w2_of_steps must be a callable K -> W2, got {type(w2_of_steps).__name__}."
        )
    if not finite_real(eps, "eps") > 0:
        raise InvalidParameterError(f"eps must be a finite number > 0, got {eps!r}.")
    for name, v in (("k_max", k_max), ("k_start", k_start)):
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v < 1:
            raise InvalidParameterError(f"k_max and k_start must be integers >= 1, got {name}={v!r:.60}.")
    if not finite_real(rtol, "rtol") >= 0:
        raise InvalidParameterError(f"rtol must be a finite number >= 0, got {rtol!r}.")
    cache: dict[int, float] = {}

    def w(k: int) -> float:
        if k not in cache:
            value = real_array(w2_of_steps(k), f"w2_of_steps({k})")
            if value.ndim != 0 or np.isnan(value):
                raise InvalidParameterError(
                    f"w2_of_steps({k}) must return one real number (not NaN), got {value}."
                )
            cache[k] = float(value)
        return cache[k]

    k = min(int(k_start), int(k_max))
    if w(k) <= eps:  # search downward for a failing K
        hi = k
        lo = k // 2
        while lo >= 1 and w(lo) <= eps:
            hi, lo = lo, lo // 2
        if lo < 1:
            return StepSearch(hi, w(hi), len(cache), math.inf)
    else:
        lo = k
        hi = min(2 * k, int(k_max))
        while w(hi) > eps:
            if hi >= k_max:
                return StepSearch(None, w(hi), len(cache), w(hi))
            lo, hi = hi, min(2 * hi, int(k_max))
    while hi - lo > max(1.0, rtol * hi):  # invariant: w(lo) > eps >= w(hi)
        mid = (lo + hi) // 2
        if w(mid) <= eps:
            hi = mid
        else:
            lo = mid
    return StepSearch(hi, w(hi), len(cache), w(lo) if lo >= 1 else math.inf)
