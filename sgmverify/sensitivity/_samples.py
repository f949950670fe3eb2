r"""Sample sensitivities: how probability-flow (and reverse-SDE) samples move when the data law moves.

Along the probability-flow ODE (time runs from ``T`` down to ``t_min``, :math:`x(T) = x_T` fixed)

.. math::

    x' &= v_t(x) = a(t)\,x - \tfrac12 g(t)^2 s_t^\rho(x), \\
    \ell' &= -\nabla\cdot v_t(x) = -d\,a(t) + \tfrac12 g(t)^2\,\nabla\cdot s_t^\rho(x),
        \qquad \ell(T) = \log p_T^\rho(x_T), \\
    y' &= \big[a(t) I - \tfrac12 g(t)^2 \nabla s_t^\rho(x)\big] y - \tfrac12 g(t)^2\, \delta_\chi s_t(x),
        \qquad y(T) = 0,

with :math:`\delta_\chi s_t = \sum_j w_j e^{L_j - \ell}(g_j - s_t^\rho)` (:mod:`sgmverify.sensitivity._score`;
:math:`= r_t(s^\chi_t - s^\rho_t)` for :math:`\chi \ge 0`).  Then :math:`\ell(t) = \log p_t^\rho(x(t))`
(instantaneous change of variables) and :math:`y(t_{\min}) = \partial_\varepsilon x^\varepsilon(t_{\min})`.
One pass costs one sampling pass plus a Jacobian-vector product and a divergence per score evaluation
(docs/papers/scarvelis_solomon_2025.md §3, derived [D]).  All three are integrated *jointly* by the same
explicit RK4 stages as the
``rk4_ode`` sampler, so ``y`` is exactly the derivative of the discrete RK4 map (when :math:`r` uses the
exact density).

Reverse SDE (docs/papers/scarvelis_solomon_2025.md §3, derived [D]), :math:`\tau = T - t`:
:math:`d\log p_{T-\tau}(Y) = [d\,a + \tfrac12 g^2|s|^2]d\tau + g\,s\cdot d\bar B` (no divergence) and
:math:`dy = [-a y + g^2(\nabla s\, y + \delta_\chi s)]d\tau`; Euler–Maruyama on both.

Divergences: closed form for Gaussian mixtures; by torch autodiff for a torch score, exact
(:math:`d` Jacobian-vector products) or Hutchinson with Rademacher probes, whose per-step sample variance is
accumulated into a standard error of :math:`\ell`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.samplers import RK4, check_grid, rk_step

from ._score import Perturbation, check_time

__all__ = [
    "MixtureScoreModel",
    "ScoreEval",
    "SensitivityResult",
    "TorchScoreModel",
    "likelihood_log_density",
    "sample_sensitivity",
    "sde_sample_sensitivity",
]


@dataclass(frozen=True)
class ScoreEval:
    """Score, Jacobian-vector product :math:`\\nabla s\\, v`, divergence and its estimator variance."""

    score: np.ndarray
    jvp: np.ndarray | None = None
    div: np.ndarray | None = None
    div_var: np.ndarray | None = None


def _check_out(arr: np.ndarray, shape: tuple[int, ...], what: str, t: float) -> np.ndarray:
    if arr.shape != shape:
        raise ShapeError(f"the score model's {what} has shape {arr.shape}, expected {shape}")
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"the score model returned NaN/inf ({what}) at t = {t:.6g}")
    return arr


class MixtureScoreModel:
    r"""Closed-form score, JVP and divergence of a noised Gaussian mixture.

    With responsibilities :math:`r_k`, component scores :math:`g_k`, :math:`\delta_k = g_k - s` and
    precisions :math:`P_k`: :math:`\nabla s\,v = -\sum_k r_k P_k v + \sum_k r_k \delta_k(\delta_k\cdot v)`,
    :math:`\nabla\cdot s = -\sum_k r_k \operatorname{tr}P_k + \sum_k r_k|\delta_k|^2`.
    """

    def __init__(self, dist, process) -> None:
        if isinstance(dist, Gaussian):
            dist = GaussianMixture([1.0], dist.mean[None], dist.cov[None])
        if not isinstance(dist, GaussianMixture):
            raise InvalidParameterError(
                f"MixtureScoreModel needs a Gaussian (mixture), got {type(dist).__name__}"
            )
        self.dist, self.process, self.dim = dist, process, dist.dim
        self._comb = Perturbation.from_distribution(dist)

    def log_density(self, x: np.ndarray, t: float) -> np.ndarray:
        """Exact :math:`\\log p_t^\\rho(x)` (log-sum-exp)."""
        return self._comb.noised(self.process, t).log_abs_density(x)[0]

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        return self.evaluate(x, t).score

    def evaluate(self, x, t, tangent=None, divergence=False, rng=None) -> ScoreEval:
        nc = self._comb.noised(self.process, t)
        L, g = nc.terms(x)
        with np.errstate(divide="ignore"):
            lw = np.log(nc.weights)[None, :] + L
        lw -= np.max(lw, axis=1, keepdims=True)
        resp = np.exp(lw)
        resp /= resp.sum(axis=1, keepdims=True)
        s = np.einsum("nk,nkd->nd", resp, g)
        if tangent is None and not divergence:
            return ScoreEval(s)
        delta = g - s[:, None, :]
        jv = div = None
        if tangent is not None:
            pv = np.einsum(
                "kde,nke->nkd", nc.eigvecs, np.einsum("kde,nd->nke", nc.eigvecs, tangent) / nc.eigvals
            )
            dv = np.einsum("nkd,nd->nk", delta, tangent)
            jv = -np.einsum("nk,nkd->nd", resp, pv) + np.einsum("nk,nkd->nd", resp * dv, delta)
        if divergence:
            tr = np.sum(1.0 / nc.eigvals, axis=1)
            div = -resp @ tr + np.einsum("nk,nk->n", resp, np.sum(delta * delta, axis=2))
        return ScoreEval(s, jv, div, None if div is None else np.zeros_like(div))


class TorchScoreModel:
    r"""A black-box torch score ``fn(x: Tensor (n, d), t: float) -> Tensor (n, d)`` (float64 in and out).

    Products by forward-mode AD (:func:`_forward_products`: ``torch.func.jvp`` of :math:`x\mapsto s(x, t)`
    at the fixed time, batched over the tangent and the probes with ``torch.func.vmap``); a score that
    cannot run under these transforms (it reads tensor data, say) falls back, once and for all, to reverse
    mode (:func:`_reverse_products`: one forward pass, a backward pass with a graph, a double-backward JVP).
    The divergence exactly (``d`` probes :math:`e_i`, for small ``d``) or by Hutchinson:
    :math:`\widehat{\nabla\cdot s} = \frac1m\sum_{i=1}^m z_i^\top \nabla s\, z_i` with Rademacher
    :math:`z_i`, unbiased with variance :math:`\frac1{2m}\sum_{a\ne b}(A_{ab}+A_{ba})^2`,
    :math:`A = \nabla s`; the sample variance of the ``m >= 2`` probes over ``m`` is reported as ``div_var``.
    """

    def __init__(self, fn: Callable, dim: int, divergence: str = "exact", probes: int = 2) -> None:
        if divergence not in ("exact", "hutchinson"):
            raise InvalidParameterError(f"divergence must be 'exact' or 'hutchinson', got {divergence!r}")
        if divergence == "hutchinson" and probes < 2:
            raise InvalidParameterError("Hutchinson needs probes >= 2 to report its variance; pass probes=2")
        self.fn, self.dim, self.mode, self.probes = fn, int(dim), divergence, int(probes)
        self.forward_mode = True  # set to False when the score fails under torch.func transforms

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        import torch

        with torch.no_grad():
            out = self.fn(torch.as_tensor(x, dtype=torch.float64), float(t))
        return _check_out(out.detach().numpy(), x.shape, "score", t)

    def evaluate(self, x, t, tangent=None, divergence=False, rng=None) -> ScoreEval:
        import torch

        if tangent is None and not divergence:
            return ScoreEval(self.score(x, t))
        n, d = x.shape
        X = torch.as_tensor(x, dtype=torch.float64)
        probes = np.zeros((0, n, d))
        if divergence:
            if self.mode == "exact":
                probes = np.repeat(np.eye(d)[:, None, :], n, axis=1)
            else:
                if rng is None:
                    raise InvalidParameterError("Hutchinson divergence needs rng=numpy.random.Generator")
                probes = rng.choice([-1.0, 1.0], size=(self.probes, n, d))
        Y = None if tangent is None else torch.as_tensor(tangent, dtype=torch.float64)
        U = torch.as_tensor(probes, dtype=torch.float64)
        if self.forward_mode:
            try:
                s, jy, est = _forward_products(self.fn, X, float(t), Y, U)
            except RuntimeError:  # e.g. .numpy() / .item() inside the score: not transformable
                self.forward_mode = False
        if not self.forward_mode:
            s, jy, est = _reverse_products(self.fn, X, float(t), Y, U)
        s = _check_out(s, (n, d), "score", t)
        jv = None if jy is None else _check_out(jy, (n, d), "Jacobian-vector product", t)
        div = var = None
        if divergence:
            _check_out(est, (probes.shape[0], n), "divergence probes", t)
            if self.mode == "exact":
                div, var = est.sum(axis=0), np.zeros(n)  # sum_i e_i^T J e_i
            else:
                div, var = est.mean(axis=0), est.var(axis=0, ddof=1) / self.probes
        return ScoreEval(s, jv, div, var)


def _forward_products(fn, X, t: float, Y, U):
    r"""Score, :math:`J y` and :math:`u_i^\top J u_i` by forward-mode AD, all tangents in one pass.

    The tangents ``[y, u_1, ..., u_m]`` (``U`` of shape (m, n, d)) are stacked and pushed through
    ``torch.func.jvp`` of :math:`x \mapsto s(x, t)` under ``torch.func.vmap``: the primal is evaluated
    once, the tangents as one batched pass, so the cost is about ``1 + (number of tangents)`` forward
    passes with no graph kept (reverse mode needs a graph and a double backward).
    """
    import torch
    from torch.func import jvp, vmap

    tangents = ([] if Y is None else [Y]) + list(U.unbind(0))
    if not tangents:
        with torch.no_grad():
            out = fn(X, t)
        _check_rows(out, X)
        return out.detach().numpy(), None, None

    def push(v):
        return jvp(lambda x: fn(x, t), (X,), (v,))

    with torch.no_grad(), warnings.catch_warnings():
        # torch's jvp decompositions are built with torch.jit.script on first use (a DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*torch.jit.script.*", category=DeprecationWarning)
        out, jv = vmap(push, out_dims=(None, 0))(torch.stack(tangents))
    _check_rows(out, X)
    jy = None if Y is None else jv[0].detach().numpy()
    ju = jv[0 if Y is None else 1 :]
    est = (ju * U).sum(dim=2).detach().numpy() if U.shape[0] else None
    return out.detach().numpy(), jy, est


def _check_rows(out, X) -> None:
    if tuple(out.shape) != tuple(X.shape):
        got, want = tuple(out.shape), tuple(X.shape)
        raise ShapeError(f"the torch score returned shape {got} for x of shape {want}; return one row per x")


def _reverse_products(fn, X, t: float, Y, U):
    r"""Score, :math:`J y` and :math:`u_i^\top J u_i` by reverse-mode AD on one batched forward pass.

    The rows of ``X`` are repeated once per probe ``u_i`` (``U`` of shape (m, n, d), m >= 0); one
    backward pass with a graph gives :math:`g = J^\top u` (linear in u), hence :math:`u^\top J u = g\cdot u`,
    and a second backward of :math:`g\cdot y` with respect to u gives :math:`J y` (the double-backward JVP).
    Cheaper than forward-mode dual numbers for small MLPs in PyTorch (``benchmarks/bench_sensitivity.py``).
    """
    import torch

    n, d = X.shape
    m = max(U.shape[0], 1)
    with torch.enable_grad():
        Xr = X.repeat(m, 1).requires_grad_(True)
        out = fn(Xr, t)
        if tuple(out.shape) != tuple(Xr.shape):
            got, want = tuple(out.shape), tuple(Xr.shape)
            raise ShapeError(
                f"the torch score returned shape {got} for x of shape {want}; return one row per x"
            )
        Uf = U.reshape(-1, d) if U.shape[0] else torch.zeros_like(Xr)
        u = Uf.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(out, Xr, u, create_graph=Y is not None, allow_unused=True)
        if g is None:  # fn does not depend on x
            g = torch.zeros_like(Xr)
        est = (g * Uf).sum(dim=1).reshape(m, n).detach().numpy() if U.shape[0] else None
        jy = None
        if Y is not None:
            Yf = torch.zeros_like(Xr)
            Yf[:n] = Y
            (jy,) = torch.autograd.grad(g, u, Yf, allow_unused=True) if g.requires_grad else (None,)
            jy = np.zeros((n, d)) if jy is None else jy[:n].detach().numpy()
    return out[:n].detach().numpy(), jy, est


@dataclass(frozen=True)
class SensitivityResult:
    """Outcome of :func:`sample_sensitivity` / :func:`sde_sample_sensitivity`.

    ``x`` (n, d): samples at ``t_min``; ``log_p`` (n,): :math:`\\ell(t_{\\min})`; ``log_p_se`` (n,):
    standard error of ``log_p`` from a Hutchinson divergence (0 when exact); ``y`` (n, d):
    :math:`\\partial_\\varepsilon x`;
    ``times`` (K+1,); ``log_p_path`` (K+1, n); ``x_path``, ``y_path`` (K+1, n, d) when ``keep_path``.
    """

    x: np.ndarray
    log_p: np.ndarray
    log_p_se: np.ndarray
    y: np.ndarray
    times: np.ndarray
    log_p_path: np.ndarray
    x_path: np.ndarray | None = None
    y_path: np.ndarray | None = None
    nfe: int = 0

    def log_p_ci(self, z: float = 1.96) -> tuple[np.ndarray, np.ndarray]:
        """Normal-approximation interval :math:`\\ell \\pm z\\,\\mathrm{se}` (a point when exact)."""
        return self.log_p - z * self.log_p_se, self.log_p + z * self.log_p_se


Forcing = Callable[[np.ndarray, float, np.ndarray, np.ndarray], np.ndarray]


def _delta(chi: Perturbation, process, x: np.ndarray, t: float, ref: np.ndarray, s: np.ndarray) -> np.ndarray:
    nc = chi.noised(process, t)
    L, g = nc.terms(x)
    return np.einsum("nk,nkd->nd", nc.scaled_weights(L, ref), g - s[:, None, :])


def _setup(process, model, chi, x_T, grid, log_p_T):
    g = check_grid(grid, process)
    check_time(process, g[-1])
    x = np.array(x_T, dtype=float)
    if x.ndim != 2 or x.shape[1] != model.dim or chi.dim != model.dim:
        raise ShapeError(f"x_T must have shape (n, {model.dim}) and chi dimension {model.dim}; got {x.shape}")
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError("x_T contains NaN or inf")
    lp = np.array(log_p_T, dtype=float).reshape(-1)
    if lp.shape != (x.shape[0],) or not np.all(np.isfinite(lp)):
        raise ShapeError(f"log_p_T must be a finite array of shape ({x.shape[0]},); got {np.shape(log_p_T)}")
    return g, x, lp


def sample_sensitivity(
    process,
    model,
    chi: Perturbation,
    x_T,
    grid,
    log_p_T,
    *,
    log_density: Callable[[np.ndarray, float], np.ndarray] | None = None,
    forcing: Forcing | None = None,
    rng: np.random.Generator | None = None,
    keep_path: bool = False,
) -> SensitivityResult:
    r"""Probability-flow ODE + log-density + forward sensitivity, one RK4 pass (module docstring).

    Parameters
    ----------
    process : LinearSDE
    model : MixtureScoreModel or TorchScoreModel (anything with ``dim`` and ``evaluate``)
    chi : Perturbation
        Direction of the data perturbation :math:`\rho \to \rho + \varepsilon\chi`.
    x_T : (n, d) starting points at ``grid[0]``
    grid : decreasing times ``T ... t_min`` with ``t_min > 0``
    log_p_T : (n,) :math:`\log p_T^\rho(x_T)` (exact, or the prior's: then ``y`` is scaled by
        :math:`p_T^\rho/\text{prior}` per path, docs/papers/scarvelis_solomon_2025.md §4)
    log_density : optional callable ``(x, t) -> (n,)``
        Exact :math:`\log p_t^\rho` used in :math:`r_t` instead of the integrated :math:`\ell`.
    forcing : optional callable ``(x, t, log_p, score) -> (n, d)``
        Replaces :math:`\delta_\chi s_t` (for experiments and negative controls).
    rng : numpy Generator, needed by a Hutchinson divergence
    keep_path : store ``x`` and ``y`` at every grid time
    """
    g, x, ell = _setup(process, model, chi, x_T, grid, log_p_T)
    n, d = x.shape
    y = np.zeros_like(x)
    var = np.zeros(n)
    lp_path = [ell.copy()]
    xs, ys = ([x.copy()], [y.copy()]) if keep_path else (None, None)
    nfe = 0

    stage_vars: list[np.ndarray] = []  # per stage: variance of the divergence estimate, scaled by (g^2/2)^2

    def stage(ti, state):
        """Forward-time derivatives (x', l', y') at stage time ``ti``; records the stage's variance."""
        xi, li, yi = state
        ev = model.evaluate(xi, ti, tangent=yi, divergence=True, rng=rng)
        s = _check_out(np.asarray(ev.score), (n, d), "score", ti)
        a = float(process.drift_coeff(ti))
        g2 = float(process.diffusion(ti)) ** 2
        ref = li if log_density is None else log_density(xi, ti)
        f = _delta(chi, process, xi, ti, ref, s) if forcing is None else forcing(xi, ti, ref, s)
        stage_vars.append((0.5 * g2) ** 2 * ev.div_var)
        dx = a * xi - 0.5 * g2 * s
        dl = -d * a + 0.5 * g2 * ev.div
        dy = a * yi - 0.5 * g2 * (ev.jvp + f)
        return dx, dl, dy

    with np.errstate(over="ignore"):
        for k in range(g.size - 1):
            t0, t1 = float(g[k]), float(g[k + 1])
            h = t0 - t1
            stage_vars.clear()
            # RK4 backward in time: step t1 - t0 < 0, the last stage landing exactly on t1
            x, ell, y = rk_step(stage, t0, (x, ell, y), t1 - t0, RK4, t_next=t1)
            for b_i, v_i in zip(RK4.b, stage_vars, strict=True):
                var = var + (h * b_i) ** 2 * v_i
            nfe += RK4.stages
            lp_path.append(ell.copy())
            if keep_path:
                xs.append(x.copy())
                ys.append(y.copy())
    return SensitivityResult(
        x,
        ell,
        np.sqrt(var),
        y,
        g,
        np.stack(lp_path),
        None if xs is None else np.stack(xs),
        None if ys is None else np.stack(ys),
        nfe,
    )


def sde_sample_sensitivity(
    process,
    model,
    chi: Perturbation,
    x_T,
    grid,
    log_p_T,
    noise,
    *,
    log_density: Callable[[np.ndarray, float], np.ndarray] | None = None,
    keep_path: bool = False,
) -> SensitivityResult:
    r"""Euler–Maruyama on the reverse SDE with the log-density and sensitivity tracked (no divergence).

    .. math::
        Y' &= Y + h(-aY + g^2 s) + g\sqrt h\,z, \qquad
        \ell' = \ell + h(d\,a + \tfrac12 g^2|s|^2) + g\sqrt h\, s\cdot z, \\
        y' &= y + h\big(-a y + g^2(\nabla s\,y + \delta_\chi s)\big),

    coefficients at the left end :math:`t_k` of each step; ``noise`` (K, n, d) standard normals
    (:func:`sgmverify.samplers.draw_noise`), the same as ``sample(..., "em", noise=noise)`` uses.
    Strong order 1/2 for :math:`\ell` (its noise is multiplicative).  ``log_density`` (optional, exact
    :math:`\log p_t^\rho`) replaces the tracked :math:`\ell` in :math:`r_t`.
    """
    g, x, ell = _setup(process, model, chi, x_T, grid, log_p_T)
    n, d = x.shape
    z = np.asarray(noise, dtype=float)
    if z.shape != (g.size - 1, n, d):
        raise ShapeError(f"noise must have shape {(g.size - 1, n, d)}, got {z.shape}")
    y = np.zeros_like(x)
    lp_path = [ell.copy()]
    xs, ys = ([x.copy()], [y.copy()]) if keep_path else (None, None)
    for k in range(g.size - 1):
        t0 = float(g[k])
        h = t0 - float(g[k + 1])
        ev = model.evaluate(x, t0, tangent=y)
        s = _check_out(np.asarray(ev.score), (n, d), "score", t0)
        a, gg = float(process.drift_coeff(t0)), float(process.diffusion(t0))
        dB = math.sqrt(h) * z[k]
        f = _delta(chi, process, x, t0, ell if log_density is None else log_density(x, t0), s)
        ell = ell + h * (d * a + 0.5 * gg**2 * np.sum(s * s, axis=1)) + gg * np.sum(s * dB, axis=1)
        y = y + h * (-a * y + gg**2 * (ev.jvp + f))
        x = x + h * (-a * x + gg**2 * s) + gg * dB
        lp_path.append(ell.copy())
        if keep_path:
            xs.append(x.copy())
            ys.append(y.copy())
    return SensitivityResult(
        x,
        ell,
        np.zeros(n),
        y,
        g,
        np.stack(lp_path),
        None if xs is None else np.stack(xs),
        None if ys is None else np.stack(ys),
        g.size - 1,
    )


def likelihood_log_density(
    model,
    process,
    T: float,
    log_prior: Callable[[np.ndarray], np.ndarray],
    steps: int = 200,
    rng: np.random.Generator | None = None,
) -> Callable[[np.ndarray, float], np.ndarray]:
    r"""``log_density(x, t)`` of a black-box score by the likelihood ODE (instantaneous change of variables).

    Integrates :math:`x' = v_\tau(x)` forward from ``t`` to ``T`` with RK4 (``steps`` uniform steps) and
    returns :math:`\log p_t(x) = \log\text{prior}(x(T)) + \int_t^T \nabla\cdot v_\tau(x(\tau))\,d\tau`,
    :math:`\nabla\cdot v = d\,a - \tfrac12 g^2 \nabla\cdot s`.  Exact up to RK4 error when ``log_prior`` is
    the true :math:`\log p_T`.
    """

    def log_density(x: np.ndarray, t: float) -> np.ndarray:
        check_time(process, t)
        xx = np.array(x, dtype=float)
        n, d = xx.shape
        acc = np.zeros(n)
        ts = np.linspace(float(t), float(T), steps + 1)

        def f(ti, state):  # (x', accumulated divergence') along the forward flow
            xi = state[0]
            ev = model.evaluate(xi, ti, divergence=True, rng=rng)
            a, g2 = float(process.drift_coeff(ti)), float(process.diffusion(ti)) ** 2
            return a * xi - 0.5 * g2 * ev.score, d * a - 0.5 * g2 * ev.div

        for k in range(steps):
            xx, acc = rk_step(f, ts[k], (xx, acc), ts[k + 1] - ts[k], RK4, t_next=ts[k + 1])
        return log_prior(xx) + acc

    return log_density
