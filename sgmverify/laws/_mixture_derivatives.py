r"""Derivatives of the log-density of a Gaussian mixture :math:`p = \sum_k w_k N(\mu_k, \Sigma_k)`, k = 0..4:
float64 closed forms with an error estimate, and the same formulas in mpmath where float64 cancels.

Notation: component log-densities :math:`\ell_k = \log w_k + \log N(x; \mu_k, \Sigma_k)`, responsibilities
:math:`r_k = e^{\ell_k - \operatorname{lse}_j \ell_j}`, component scores :math:`g_k = -P_k(x - \mu_k)`
(:math:`P_k = \Sigma_k^{-1}`), the score :math:`s = \sum_k r_k g_k`, the centred scores
:math:`\delta_k = g_k - s` and centred precisions :math:`\tilde P_k = P_k - \bar P`, :math:`\bar P =
\sum_k r_k P_k`.  The derivatives of :math:`\log p` are cumulants under :math:`r`, written with centred
quantities only (:math:`\mathbb E_r \delta = 0`, :math:`\mathbb E_r \tilde P = 0`), so that no O(1) terms
cancel: in a tail or for a nearly Gaussian mixture the result is small and so are all its terms.

Where the terms still cancel (and the responsibilities or :math:`\delta` carry rounding from large
:math:`|x|`), ``cond`` bounds the error amplification (relative error about ``cond * eps``), and orders 3
and 4 are recomputed in mpmath, point by point, where ``cond * eps > FLOAT_TOL``
(:func:`refine_mixture_derivative`; the eigendecompositions :math:`\Sigma_k = V_k\Lambda_k V_k^\top` are taken
as exact), at ``30 + ceil(log10(cond))`` digits, raised when the mpmath ``cond`` asks for more — as the laws
of :mod:`sgmverify.laws._singular` do.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
from scipy.special import logsumexp

from ._scores import LOG_2PI, Derivatives, gaussian_precision, quadratic_form, raise_overflow

__all__ = ["mixture_derivatives", "mixture_fourth_derivative", "refine_mixture_derivative"]

#: keep a float64 value when cond * eps is at most this (as the laws of ``_singular``)
FLOAT_TOL = 1e-9
#: at most this many mpmath digits
MAX_DPS = 400
EPS = float(np.finfo(float).eps)
#: safety factor on the propagated error bound (measured: the bound exceeds the true error 10-1000 times)
SAFETY = 2.0


def _pieces(x, log_weights, means, eigvals, eigvecs):
    """y (n, K, d), component log-densities (n, K) and the size of their terms, log p, r, g, s."""
    d = means.shape[1]
    y = np.einsum("nkd,kde->nke", x[:, None, :] - means[None], eigvecs)
    logdets = np.sum(np.log(eigvals), axis=1)
    with np.errstate(over="ignore"):
        quad = np.sum(y * y / eigvals[None], axis=2)
    if np.any(np.isinf(quad) & np.isfinite(log_weights)[None, :]):  # a weighted component overflows
        quadratic_form(x, y, eigvals[None])  # raises, naming the point
    comp = log_weights[None, :] - 0.5 * (quad + logdets[None] + d * LOG_2PI)
    log_p = logsumexp(comp, axis=1)
    resp = np.exp(comp - log_p[:, None])
    with np.errstate(over="ignore"):
        g = -np.einsum("nke,kde->nkd", y / eigvals[None], eigvecs)
    if np.any(np.isinf(g) & np.isfinite(log_weights)[None, :, None]):
        raise_overflow(x, g, "the component scores -Sigma_k^{-1}(x - mu_k)")
    size = np.abs(np.where(np.isfinite(log_weights), log_weights, 0.0))[None, :]
    size = size + 0.5 * (quad + np.abs(logdets)[None] + d * LOG_2PI)
    return y, comp, size, log_p, resp, g


def mixture_derivatives(
    x: np.ndarray,
    log_weights: np.ndarray,
    means: np.ndarray,
    eigvals: np.ndarray,
    eigvecs: np.ndarray,
    order: int = 1,
) -> Derivatives:
    r"""Log-density of a Gaussian mixture and its derivatives up to ``order`` (0 to 3), float64.

    .. math::

        \log p = \operatorname{logsumexp}_k \ell_k, \qquad s = \sum_k r_k g_k, \qquad
        \nabla s = -\bar P + \sum_k r_k \delta_k \delta_k^\top,

        \partial_a \partial_b \partial_c \log p = \sum_k r_k\, \delta_{k,a}\delta_{k,b}\delta_{k,c}
        - \sum_k r_k \big(\tilde P_{k,ab}\,\delta_{k,c} + \tilde P_{k,ac}\,\delta_{k,b}
        + \tilde P_{k,bc}\,\delta_{k,a}\big)

    (module docstring for the notation).  These are the cumulant identities of
    :math:`\log \sum_k e^{\ell_k}`: the third derivative is the third cumulant of :math:`\partial \ell`
    minus the three covariances :math:`\mathrm{Cov}_r(P, \partial\ell)`; :math:`\sum_k r_k \bar P\delta_k = 0`
    lets the centred :math:`\tilde P` replace :math:`P`, which avoids O(1) cancellation.  The
    responsibilities never overflow, so points many standard deviations out give finite values.

    Parameters
    ----------
    x : (n, d) array
    log_weights : (K,) array, ``-inf`` allowed for zero weights
    means : (K, d) array
    eigvals, eigvecs : (K, d) and (K, d, d) arrays, the eigendecompositions of the (positive-definite)
        component covariances.
    order : int
        0: log-density only; 1: + score; 2: + Jacobian of the score; 3: + third derivatives.
    """
    _, _, _, log_p, resp, g = _pieces(x, log_weights, means, eigvals, eigvecs)
    if order == 0:
        return Derivatives(log_p)
    score = np.einsum("nk,nkd->nd", resp, g)
    if order == 1:
        return Derivatives(log_p, score)
    prec = gaussian_precision(eigvals, eigvecs)
    pbar = np.einsum("nk,kab->nab", resp, prec)
    delta = g - score[:, None, :]
    jac = -pbar + np.einsum("nk,nka,nkb->nab", resp, delta, delta)
    if order == 2:
        return Derivatives(log_p, score, jac)
    ptil = prec[None] - pbar[:, None]
    hess = np.einsum("nk,nka,nkb,nkc->nabc", resp, delta, delta, delta)
    hess -= np.einsum("nk,nkab,nkc->nabc", resp, ptil, delta)
    hess -= np.einsum("nk,nkac,nkb->nabc", resp, ptil, delta)
    hess -= np.einsum("nk,nkbc,nka->nabc", resp, ptil, delta)
    return Derivatives(log_p, score, jac, hess)


def mixture_fourth_derivative(
    x: np.ndarray, log_weights: np.ndarray, means: np.ndarray, eigvals: np.ndarray, eigvecs: np.ndarray
) -> np.ndarray:
    r"""Fourth derivatives :math:`\partial_a\partial_b\partial_c\partial_d \log p` of a Gaussian mixture,
    (n, d, d, d, d), float64.

    :math:`\log p(x + h) - \log p(x) - s\cdot h = \log \mathbb E_r[\exp(\delta\cdot h - \tfrac12 h^\top P h)]`
    exactly (each component log-density is quadratic), and :math:`\mathbb E_r \delta = 0`.  Expanding to
    fourth order, :math:`\partial^4 \log p = \mathbb E_r[\delta^{\otimes 4} - \sum_6 P\delta\delta + \sum_3
    PP] - \sum_3 JJ` with :math:`J = \nabla^2 \log p = M - \bar P`, :math:`M = \mathbb E_r[\delta
    \delta^\top]`; the :math:`\bar P` parts cancel, leaving the centred form

    .. math::

        \partial^4_{abcd} \log p = \mathbb E_r\big[\delta_a\delta_b\delta_c\delta_d
        - \textstyle\sum_{6} \tilde P_{ab}\delta_c\delta_d + \sum_{3} \tilde P_{ab}\tilde P_{cd}\big]
        - \textstyle\sum_3 M_{ab} M_{cd},

    where :math:`\sum_6` runs over the six ways to split :math:`\{a,b,c,d\}` into a pair for
    :math:`\tilde P` and the remaining pair, :math:`\sum_3` over the three pairings.
    """
    _, _, _, _, resp, g = _pieces(x, log_weights, means, eigvals, eigvecs)
    dl = g - np.einsum("nk,nkd->nd", resp, g)[:, None, :]
    prec = gaussian_precision(eigvals, eigvecs)
    ptil = prec[None] - np.einsum("nk,kab->nab", resp, prec)[:, None]
    mom = np.einsum("nk,nka,nkb->nab", resp, dl, dl)
    out = np.einsum("nk,nka,nkb,nkc,nkd->nabcd", resp, dl, dl, dl, dl)
    for p in ("ab", "ac", "ad", "bc", "bd", "cd"):
        q = "".join(c for c in "abcd" if c not in p)
        out -= np.einsum(f"nk,nk{p},nk{q[0]},nk{q[1]}->nabcd", resp, ptil, dl, dl)
    for p, q in (("ab", "cd"), ("ac", "bd"), ("ad", "bc")):
        out += np.einsum(f"nk,nk{p},nk{q}->nabcd", resp, ptil, ptil)
        out -= np.einsum(f"n{p},n{q}->nabcd", mom, mom)
    return out


def mixture_cond(x, log_weights, means, eigvals, eigvecs, k: int, val: np.ndarray) -> np.ndarray:
    r"""Error amplification ``cond`` (n,) of the float64 order-``k`` (3 or 4) derivative ``val``.

    Rounding, in units of eps: :math:`R_k = 1 + C_k + \max_j C_j` relative in :math:`r_k` (:math:`C_k` the
    size of the terms of :math:`\ell_k`), :math:`E_k` absolute in :math:`\delta_k` (from :math:`g_k`,
    :math:`s` and the responsibilities), :math:`|P_k|` absolute in :math:`\tilde P_k` (from the rounding of
    :math:`P_k`; that of :math:`\bar P` is common to every k and cancels, :math:`\sum_k r_k \delta_k = 0`,
    and so does that of equal :math:`P_k`).  With
    :math:`D_k = \|\delta_k\|_\infty`, :math:`Q_k = \max|\tilde P_k|`, each term of the formula is weighted by
    its relative error and each factor's error by the term's derivative; ``cond = SAFETY * mag /
    max|val|``.
    """
    n, d = x.shape
    _, _, size, _, resp, g = _pieces(x, log_weights, means, eigvals, eigvecs)
    size = np.where(np.isfinite(size), size, 0.0)
    score = np.einsum("nk,nkd->nd", resp, g)
    prec = gaussian_precision(eigvals, eigvecs)
    ptil = prec[None] - np.einsum("nk,kab->nab", resp, prec)[:, None]
    D = np.max(np.abs(g - score[:, None, :]), axis=2)
    Q = np.max(np.abs(ptil).reshape(n, len(eigvals), -1), axis=2)
    # rounding of the P_k themselves: common to all k (and cancelling) only when they are the same floats
    same = bool(np.all(prec == prec[:1]))
    Perr = Q if same else Q + np.max(np.abs(prec).reshape(len(eigvals), -1), axis=1)[None, :]
    R = 1.0 + size + np.max(size, axis=1, keepdims=True)
    gnorm = np.max(np.abs(g), axis=2)
    xr = np.max(np.abs(x[:, None, :] - means[None]), axis=2) * math.sqrt(d) / np.min(eigvals, axis=1)[None, :]
    es = np.sum(resp * (gnorm * R + xr), axis=1, keepdims=True)
    E = xr + es + gnorm + np.max(np.abs(score), axis=1, keepdims=True)
    if k == 3:
        F, dF, dP = D**3 + 3 * Q * D, 3 * D * D + 3 * Q, 3 * D
        mag = np.sum(resp * (F * R + dF * E + dP * Perr), axis=1)
    else:
        F, dF, dP = D**4 + 6 * Q * D * D + 3 * Q * Q, 4 * D**3 + 12 * Q * D, 6 * D * D + 6 * Q
        mag = np.sum(resp * (F * R + dF * E + dP * Perr), axis=1)
        M = np.sum(resp * D * D, axis=1)
        mag += 3 * M * M * (1 + np.max(R, axis=1)) + 12 * M * np.sum(resp * D * E, axis=1)
    top = np.max(np.abs(val.reshape(n, -1)), axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(top > 0, SAFETY * mag / np.where(top > 0, top, 1.0), np.where(mag > 0, np.inf, 1.0))


def mixture_dk_mp(xi, log_weights, means, eigvals, eigvecs, k: int):
    """The order-``k`` (3 or 4) derivative at one point ``xi`` (d,) in mpmath at the caller's working
    precision, by the centred formulas, and its ``cond`` (sum of the absolute terms over the largest
    entry)."""
    d = means.shape[1]
    X = [mpmath.mpf(float(z)) for z in xi]
    comp, grads, precs = [], [], []
    for j in np.flatnonzero(np.isfinite(log_weights)):
        lam = [mpmath.mpf(float(z)) for z in eigvals[j]]
        V = [[mpmath.mpf(float(z)) for z in row] for row in eigvecs[j]]
        diff = [X[a] - mpmath.mpf(float(means[j][a])) for a in range(d)]
        y = [mpmath.fsum(diff[a] * V[a][e] for a in range(d)) for e in range(d)]
        quad = mpmath.fsum(y[e] ** 2 / lam[e] for e in range(d))
        logdet = mpmath.fsum(mpmath.log(v) for v in lam)
        comp.append(mpmath.mpf(float(log_weights[j])) - (quad + logdet + d * mpmath.log(2 * mpmath.pi)) / 2)
        grads.append([-mpmath.fsum(V[a][e] * y[e] / lam[e] for e in range(d)) for a in range(d)])
        precs.append(
            [[mpmath.fsum(V[a][e] * V[b][e] / lam[e] for e in range(d)) for b in range(d)] for a in range(d)]
        )
    top = max(comp)
    ex = [mpmath.exp(c - top) for c in comp]
    tot = mpmath.fsum(ex)
    r = [e / tot for e in ex]
    K = len(r)
    s = [mpmath.fsum(r[j] * grads[j][a] for j in range(K)) for a in range(d)]
    dl = [[grads[j][a] - s[a] for a in range(d)] for j in range(K)]
    pbar = [[mpmath.fsum(r[j] * precs[j][a][b] for j in range(K)) for b in range(d)] for a in range(d)]
    pt = [[[precs[j][a][b] - pbar[a][b] for b in range(d)] for a in range(d)] for j in range(K)]
    mom = [[mpmath.fsum(r[j] * dl[j][a] * dl[j][b] for j in range(K)) for b in range(d)] for a in range(d)]
    out = np.empty((d,) * k, dtype=object)
    mags = []
    for idx in itertools.combinations_with_replacement(range(d), k):
        terms = []
        for j in range(K):
            q, P = dl[j], pt[j]
            terms.append(r[j] * mpmath.fprod(q[i] for i in idx))
            for pair in itertools.combinations(range(k), 2):
                rest = [idx[i] for i in range(k) if i not in pair]
                terms.append(-r[j] * P[idx[pair[0]]][idx[pair[1]]] * mpmath.fprod(q[i] for i in rest))
        if k == 4:
            a, b, c, e = idx
            for (p1, p2), (p3, p4) in (((a, b), (c, e)), ((a, c), (b, e)), ((a, e), (b, c))):
                terms += [r[j] * pt[j][p1][p2] * pt[j][p3][p4] for j in range(K)]
                terms.append(-mom[p1][p2] * mom[p3][p4])
        value = mpmath.fsum(terms)
        mags.append(mpmath.fsum(abs(t) for t in terms))
        for perm in set(itertools.permutations(idx)):
            out[perm] = value
    biggest, mag = max(abs(z) for z in out.flat), max(mags)
    cond = mpmath.mpf(1) if mag == 0 else (mpmath.inf if biggest == 0 else mag / biggest)
    return out, cond


def refine_mixture_derivative(x, val, log_weights, means, eigvals, eigvecs, k: int) -> np.ndarray:
    """``val``, the float64 order-``k`` derivatives (k = 3 or 4) at the rows of ``x``, with the points whose
    estimated relative error ``cond * eps`` exceeds ``FLOAT_TOL`` recomputed in mpmath."""
    n = x.shape[0]
    if n == 0:
        return val
    with np.errstate(all="ignore"):
        cond = mixture_cond(x, log_weights, means, eigvals, eigvecs, k, val)
    finite = np.all(np.isfinite(val.reshape(n, -1)), axis=1)
    bad = ~finite | ~np.isfinite(cond) | (cond * EPS > FLOAT_TOL)
    if not bad.any():
        return val
    val = np.array(val, dtype=float)
    for i in np.flatnonzero(bad):
        extra = math.ceil(math.log10(cond[i])) if math.isfinite(cond[i]) and cond[i] > 1 else 20
        dps = min(30 + max(extra, 0), MAX_DPS)
        for _attempt in range(3):
            with mpmath.workdps(dps):
                out, c = mixture_dk_mp(x[i], log_weights, means, eigvals, eigvecs, k)
                res = np.array([float(z) for z in out.flat]).reshape(out.shape)
                digits = float(mpmath.log10(c)) if mpmath.isfinite(c) and c > 0 else math.inf
            if digits > dps - 10 or digits + 15 <= dps or dps >= MAX_DPS:
                break  # accurate, or zero at this precision (below 10^-(dps-10) of its terms)
            dps = min(math.ceil(digits) + 25, MAX_DPS)
        val[i] = res
    return val
