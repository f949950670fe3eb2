r"""KL divergence, Hellinger and total-variation distances between Gaussian laws.

The laws may be dense :class:`~sgmverify.laws.Gaussian`, :class:`~sgmverify.laws.EigenGaussian`, or any
object with a method ``as_eigen_gaussian()`` returning one of those (the exact sampler laws).

Reduction to a diagonal pair
    All three quantities are invariant under a common invertible affine map, so every pair is first
    written as :math:`p = \bigotimes_i N(\delta_i, s_i)`, :math:`q = \bigotimes_i N(0, t_i)`, keeping the
    differences :math:`s_i - t_i` exactly where they are available:

    * two :class:`EigenGaussian` with the same basis (``shares_basis``): the eigen-coordinates
      themselves, :math:`O(d)`, no :math:`d \times d` matrix; a variance is zero only when it is ``0.0``;
    * otherwise (dense): both covariances positive definite (no eigenvalue 0; nothing else is asked of the
      condition number) — whitening by the Cholesky factor :math:`S_2 = LL^\top` and the
      eigendecomposition of :math:`L^{-1}(S_1 - S_2)L^{-\top} = W\operatorname{diag}(e)W^\top` give
      :math:`t_i = 1`, :math:`s_i = 1 + e_i` (computed from :math:`S_1 - S_2`, so nearly equal laws keep
      their digits; where :math:`s_i < 1/2` the Rayleigh quotient :math:`w_i^\top L^{-1}S_1L^{-\top}w_i`
      instead, so a small :math:`s_i` keeps its relative digits); a singular covariance (an eigenvalue 0,
      or Cholesky failing) — whitening by :math:`\bar S = (S_1+S_2)/2` on its range gives
      :math:`s_i = 1 + e_i/2`, :math:`t_i = 1 - e_i/2` (Rayleigh quotients below 1/2), and a mean
      difference outside the range of :math:`\bar S` makes the laws mutually singular.  A variance along a
      direction :math:`v_i` of the whitening map below the round-off level :math:`\max(d,10)\,\varepsilon
      \lVert S\rVert\,\lVert v_i\rVert^2` of its float64 matrix (none for diagonal matrices, which hold
      their variances exactly) is not determined by the input: it is counted as 0, and the TV result says
      so and is not exact (an interval :math:`[1 - \sqrt2\,r^{1/4}, 1]` for mutual singularity decided at
      a variance ratio :math:`r`, from :math:`\mathrm{TV} \ge H^2`).

Per coordinate (with :math:`x_i = (s_i - t_i)/t_i`, evaluated with ``log1p``)

.. math::
    \mathrm{KL}(p\Vert q) = \tfrac12 \sum_i \Big[x_i - \log(1 + x_i) + \frac{\delta_i^2}{t_i}\Big],
    \qquad
    \log \mathrm{BC}(p, q) = -\sum_i \Big[\tfrac12 \log\cosh\big(\tfrac12 \log(1 + x_i)\big)
        + \frac{\delta_i^2}{4(s_i + t_i)}\Big],

the Bhattacharyya coefficient :math:`\mathrm{BC} = \int\sqrt{pq}` (Gaussian forms: Kullback, *Information
Theory and Statistics*, 1959, Ch. 9 for KL; Kailath, *The divergence and Bhattacharyya distance measures in
signal selection*, IEEE Trans. Commun. Technol. 15 (1967) 52–60, for BC), and
:math:`H^2 = 1 - \mathrm{BC} = -\operatorname{expm1}(\log\mathrm{BC})`.  A coordinate where one variance
is zero and the other is not (or both are zero with different means) makes the laws mutually singular:
KL is ``inf``, H = 1, TV = 1.

Total variation: the log-density ratio :math:`\ell = \log p - \log q` is a quadratic form, so
:math:`\mathrm{TV} = P_p(\ell > 0) - P_q(\ell > 0)` and each probability is a generalised chi-square
tail, computed by :mod:`sgmverify.metrics._generalized_chi2` (Imhof 1961, Davies 1973/1980) with an
error bound.  Closed forms: equal covariances, :math:`\mathrm{TV} = 2\Phi(\Delta/2) - 1 =
\operatorname{erf}(\Delta/(2\sqrt2))` with :math:`\Delta` the Mahalanobis distance of the means (Devroye,
Mehrabian & Reddad, *The total variation distance between high-dimensional Gaussians*, 2018, Sect. 1); one
coordinate differing in variance, the mean possibly differing in that same coordinate (all others
equal): the crossing points of the two densities (roots of a quadratic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import linalg

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.estimates import Estimate
from sgmverify.laws import EigenGaussian, Gaussian

from ._checks import MAX_DENSE_BYTES, real_number
from ._generalized_chi2 import tail_probability

__all__ = ["hellinger_distance", "kl_divergence", "tv_distance"]

_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class _Pair:
    """p = prod N(dm_i, s_i), q = prod N(0, t_i), ds = s - t; ``apart``: mutually singular by the means.

    ``bc_bound``: an upper bound on the Bhattacharyya coefficient when mutual singularity was decided at the
    round-off level of a dense input (0.0 when it is exact); ``round_off``: a note on every decision taken at
    that level ("" when none).
    """

    dm: np.ndarray
    s: np.ndarray
    t: np.ndarray
    ds: np.ndarray
    apart: bool = False
    bc_bound: float = 0.0
    round_off: str = ""


def _as_law(x: object, name: str) -> Gaussian | EigenGaussian:
    if isinstance(x, Gaussian | EigenGaussian):
        return x
    conv = getattr(x, "as_eigen_gaussian", None)
    if callable(conv):
        law = conv()
        if isinstance(law, Gaussian | EigenGaussian):
            return law
        raise InvalidTypeError(
            f"{name}.as_eigen_gaussian() returned {type(law).__name__}; expected EigenGaussian or Gaussian."
        )
    raise InvalidTypeError(
        f"{name} must be a Gaussian, an EigenGaussian or have an as_eigen_gaussian() method, "
        f"got {type(x).__name__}."
    )


def _dense(law: Gaussian | EigenGaussian) -> Gaussian:
    if isinstance(law, Gaussian):
        return law
    if 4.0 * law.dim * law.dim * 8 > MAX_DENSE_BYTES:
        raise InvalidParameterError(
            f"these laws do not share an eigenbasis and d = {law.dim} is too large for the dense path "
            "(d x d matrices); give both as EigenGaussian in one basis."
        )
    return law.to_gaussian()


def _pair(p: object, q: object) -> _Pair:
    lp, lq = _as_law(p, "p"), _as_law(q, "q")
    if lp.dim != lq.dim:
        raise ShapeError(f"p and q live in different dimensions ({lp.dim} and {lq.dim}); they must agree.")
    if isinstance(lp, EigenGaussian) and isinstance(lq, EigenGaussian) and lp.shares_basis(lq):
        return _Pair(lp.mean - lq.mean, lp.var, lq.var, lp.var - lq.var)
    return _dense_pair(_dense(lp), _dense(lq))


def _zero_below(v: np.ndarray, lvl: np.ndarray) -> tuple[np.ndarray, float]:
    r"""Zero the entries of ``v`` at or below their round-off level ``lvl`` (ratio to the other law's
    variance); return them and the bound :math:`\sqrt2\,r^{1/4}` on that coordinate's Bhattacharyya
    coefficient (:math:`\mathrm{BC} = \sqrt{2\sqrt r/(1+r)}` for a variance ratio :math:`r \le` ``lvl``),
    minimised over the zeroed nonzero entries (1.0 when none)."""
    low = v <= lvl
    fuzzy = low & (v != 0.0)
    bound = float(np.min(np.sqrt(2.0) * np.maximum(lvl[fuzzy], 0.0) ** 0.25, initial=1.0))
    return np.where(low, 0.0, v), min(1.0, bound)


def _dense_pair(g1: Gaussian, g2: Gaussian) -> _Pair:
    r"""Simultaneous diagonalisation (see the module docstring).

    The round-off level of a variance of the pair along the direction :math:`v_i` (the column of the
    whitening map) is :math:`c\,\varepsilon\,\lVert S\rVert\,\lVert v_i\rVert^2` with :math:`c =
    \max(d, 10)` (the rule of :meth:`Gaussian.is_positive_definite`): the float64 entries of :math:`S`
    themselves do not determine a variance below it.
    """
    m1, S1 = np.asarray(g1.mean, float), np.asarray(g1.cov, float)
    m2, S2 = np.asarray(g2.mean, float), np.asarray(g2.cov, float)
    d = m1.size
    D = S1 - S2
    D = 0.5 * (D + D.T)
    dmean = m1 - m2
    w1, w2 = g1.eigh()[0], g2.eigh()[0]  # validated PSD (negative round-off only), clipped at 0
    # diagonal matrices hold their variances exactly: no round-off level
    diagonal = not (np.any(S1 - np.diag(np.diagonal(S1))) or np.any(S2 - np.diag(np.diagonal(S2))))
    c = 0.0 if diagonal else max(d, 10) * _EPS
    n1, n2 = float(w1[-1]), float(w2[-1])
    # Cholesky whatever the condition number; a covariance with an eigenvalue 0 (clipped round-off
    # negatives included), or whose whitening direction is below its round-off level, takes the range path
    if w1[0] > 0.0 and w2[0] > 0.0:
        try:
            L = np.linalg.cholesky(S2)
        except np.linalg.LinAlgError:
            L = None
        if L is not None and np.all(np.diagonal(L) > 0.0):
            X = linalg.solve_triangular(L, D, lower=True)
            E = linalg.solve_triangular(L, X.T, lower=True)
            e, W = np.linalg.eigh(0.5 * (E + E.T))
            V = linalg.solve_triangular(L.T, W, lower=False)  # directions: V' S2 V = I, V' S1 V = diag(1+e)
            vn2 = np.sum(V * V, axis=0)
            if c * n2 * float(np.max(vn2)) >= 0.5:  # S2 is singular at round-off along some direction
                L = None
        if L is not None:
            dm = W.T @ linalg.solve_triangular(L, dmean, lower=True)
            # s = 1 + e keeps the digits of nearly equal laws; where s < 1/2 the Rayleigh quotient
            # w' L^-1 S1 L^-T w keeps the relative digits of a small s (no cancellation in 1 + e)
            s = 1.0 + e
            small = s < 0.5
            if np.any(small):
                Y = linalg.solve_triangular(L, S1, lower=True)
                F = linalg.solve_triangular(L, Y.T, lower=True)
                Ws = W[:, small]
                s[small] = np.einsum("ij,ij->j", Ws, 0.5 * (F + F.T) @ Ws)
                e = np.where(small, s - 1.0, e)
            s, bound = _zero_below(s, c * n1 * vn2)
            note = ""
            if bound < 1.0:
                note = "a variance of p below the round-off level of its float64 covariance counted as 0"
            t = np.ones_like(s)
            return _Pair(dm, s, t, np.where(s == 0.0, -1.0, e), bc_bound=bound, round_off=note)
    Sb = 0.5 * (S1 + S2)
    wb, Vb = np.linalg.eigh(0.5 * (Sb + Sb.T))
    top = float(wb[-1])
    if top <= 0.0:  # two point masses
        apart = bool(np.any(dmean != 0.0))
        z = np.zeros(0)
        return _Pair(z, z, z, z, apart)
    tol_b = c * top
    keep = wb > tol_b
    notes = []
    if np.any(~keep & (wb != 0.0)):
        notes.append("directions where both variances are below round-off (undetermined) dropped")
    Vk, wk = Vb[:, keep], wb[keep]
    coef = Vk.T @ dmean
    resid = dmean - Vk @ coef
    r2 = float(resid @ resid)
    dropped = wb[~keep]
    if dropped.size and r2 > (max(d, 10) * _EPS) ** 2 * float(dmean @ dmean):  # beyond projection round-off
        # Mahalanobis distance^2 >= r2 / tol_b along the dropped directions: BC <= exp(-r2 / (8 tol_b))
        exact = not np.any(dropped != 0.0)
        if exact or r2 >= 320.0 * tol_b:
            z = np.zeros(0)
            bound = 0.0 if exact else math.exp(-r2 / (8.0 * tol_b))
            note = "" if exact else "a mean difference along directions of round-off variance"
            return _Pair(z, z, z, z, True, bc_bound=bound, round_off=note)
        notes.append(f"a mean difference {math.sqrt(r2):.3g} along directions of round-off variance ignored")
    A = Vk.T / np.sqrt(wk)[:, None]
    E = A @ D @ A.T
    e, Q = np.linalg.eigh(0.5 * (E + E.T))
    dm = Q.T @ (coef / np.sqrt(wk))
    vn2 = np.sum((A.T @ Q) ** 2, axis=0)
    s0, t0 = 1.0 + 0.5 * e, 1.0 - 0.5 * e
    if np.any((s0 < 0.5) | (t0 < 0.5)):  # Rayleigh quotients keep the relative digits of small variances
        B = A.T @ Q
        s0 = np.where(s0 < 0.5, np.einsum("ij,ij->j", B, S1 @ B), s0)
        t0 = np.where(t0 < 0.5, np.einsum("ij,ij->j", B, S2 @ B), t0)
    s, b1 = _zero_below(s0, c * n1 * vn2)
    t, b2 = _zero_below(t0, c * n2 * vn2)
    if min(b1, b2) < 1.0:
        notes.append("a variance below the round-off level of its float64 covariance counted as 0")
    both_big = (s0 >= 0.5) & (t0 >= 0.5)
    ds = np.where(both_big, e, s - t)
    # exact zeros (a variance 0.0 where the other is positive) give bound 0
    exact_apart = ((s == 0.0) ^ (t == 0.0)) & ((s0 == 0.0) | (t0 == 0.0))
    bound = 0.0 if np.any(exact_apart) else min(b1, b2)
    return _Pair(dm, s, t, ds, bc_bound=bound, round_off="; ".join(notes))


def _singular_mask(pr: _Pair) -> tuple[np.ndarray, bool]:
    """(coordinates where both variances vanish: dropped, whether the laws are mutually singular)."""
    zs, zt = pr.s == 0.0, pr.t == 0.0
    both = zs & zt
    apart = pr.apart or bool(np.any(zs ^ zt)) or bool(np.any(both & (pr.dm != 0.0)))
    return both, apart


def _x_minus_log1p(x: np.ndarray) -> np.ndarray:
    r""":math:`x - \log(1+x)` for :math:`x > -1` without cancellation (series for :math:`|x| < 0.1`)."""
    out = x - np.log1p(x)
    small = np.abs(x) < 0.1
    if np.any(small):
        xs = x[small]
        acc = np.zeros_like(xs)
        for k in range(17, 1, -1):  # sum_{k>=2} (-1)^k x^k / k, truncation < 0.1^16 relative
            acc = acc * xs + (-1.0) ** k / k
        out[small] = acc * xs * xs
    return out


def _log_ratio(s: np.ndarray, t: np.ndarray, ds: np.ndarray) -> np.ndarray:
    r""":math:`\log(s/t)`: ``log1p(ds / t)`` for nearly equal variances (keeps the digits of ``ds``),
    ``log(s / t)`` when :math:`s < t/2` (where ``ds / t`` may round to -1)."""
    far = s < 0.5 * t
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(far, np.log(s / t), np.log1p(np.where(far, 0.0, ds / t)))


def _log_cosh(y: np.ndarray) -> np.ndarray:
    a = np.abs(y)
    with np.errstate(over="ignore"):
        small = 2.0 * np.sinh(0.5 * np.minimum(a, 1.0)) ** 2
    return np.where(a < 1.0, np.log1p(small), a + np.log1p(np.exp(-2.0 * a)) - math.log(2.0))


def kl_divergence(p: object, q: object) -> float:
    r"""Kullback–Leibler divergence :math:`\mathrm{KL}(p \Vert q)` between two Gaussian laws, in nats.

    .. math:: \mathrm{KL} = \tfrac12\Big[\operatorname{tr}(S_q^{-1}S_p) - d + (m_q - m_p)^\top S_q^{-1}
              (m_q - m_p) + \log\frac{\det S_q}{\det S_p}\Big]
              = \tfrac12 \sum_i \Big[x_i - \log(1+x_i) + \frac{\delta_i^2}{t_i}\Big]

    in the diagonal pair of the module docstring (:math:`x_i = (s_i - t_i)/t_i`; :math:`x - \log(1+x)` by a
    series for small :math:`x`, so nearly equal laws keep their relative accuracy).  O(d) when both laws are
    :class:`~sgmverify.laws.EigenGaussian` in one basis; a dense eigen/Cholesky path otherwise.

    Parameters
    ----------
    p, q : Gaussian, EigenGaussian, or an object with ``as_eigen_gaussian()``

    Returns
    -------
    float
        In :math:`[0, \infty]`; ``inf`` when :math:`p` is not absolutely continuous with respect to
        :math:`q` (their supports differ: a variance zero in one law only, or degenerate directions with
        different means).  Two laws degenerate on the same affine subspace get the KL of their restrictions.

    Raises
    ------
    InvalidTypeError
        ``p`` or ``q`` is not a Gaussian law.
    ShapeError
        Different dimensions.
    InvalidParameterError
        A dense path would need too large a matrix.
    """
    pr = _pair(p, q)
    both, apart = _singular_mask(pr)
    if apart:
        return math.inf
    ok = ~both
    t, ds, dm = pr.t[ok], pr.ds[ok], pr.dm[ok]
    x = ds / t
    with np.errstate(over="ignore", divide="ignore"):
        xl = np.where(pr.s[ok] < 0.5 * t, x - _log_ratio(pr.s[ok], t, ds), _x_minus_log1p(x))
        terms = xl + dm * dm / t
    kl = 0.5 * float(np.sum(terms))
    return max(0.0, kl) if not math.isnan(kl) else math.inf


def _log_bc(pr: _Pair) -> float:
    both, apart = _singular_mask(pr)
    if apart:
        return -math.inf
    ok = ~both
    s, t, ds, dm = pr.s[ok], pr.t[ok], pr.ds[ok], pr.dm[ok]
    half_log_ratio = 0.5 * _log_ratio(s, t, ds)
    with np.errstate(over="ignore"):
        terms = 0.5 * _log_cosh(half_log_ratio) + dm * dm / (4.0 * (s + t))
    return -float(np.sum(terms))


def hellinger_distance(p: object, q: object) -> float:
    r"""Hellinger distance :math:`H(p, q) = \sqrt{1 - \mathrm{BC}(p, q)}`, in [0, 1].

    .. math:: \mathrm{BC} = \frac{\det(S_p)^{1/4}\det(S_q)^{1/4}}{\det(\bar S)^{1/2}}
              \exp\Big(-\tfrac18 (m_p - m_q)^\top \bar S^{-1}(m_p - m_q)\Big), \quad
              \bar S = \tfrac{S_p + S_q}{2},

    evaluated as :math:`\log\mathrm{BC}` in the diagonal pair (module docstring, the determinant part as
    :math:`-\frac12\sum\log\cosh(\frac12\log(s_i/t_i))`) and :math:`H^2 = -\operatorname{expm1}(\log
    \mathrm{BC})`.  Mutually singular laws give 1.  Parameters and errors as in :func:`kl_divergence`.
    """
    h2 = -math.expm1(_log_bc(_pair(p, q)))
    return math.sqrt(min(1.0, max(0.0, h2)))


def _closed(value: float, method: str, round_off: str) -> Estimate:
    """A closed-form TV: exact, unless the reduction took a decision at round-off (then said, not exact)."""
    if not round_off:
        return Estimate.exact_value(value, method=method)
    return Estimate(
        value,
        value,
        value,
        level=None,
        exact=False,
        n=None,
        method=f"{method}; NOT exact: {round_off}",
        extra={"error": 0.0, "certified": False, "reached": True, "round_off": round_off},
    )


def tv_distance(p: object, q: object, *, atol: float = 1e-8) -> Estimate:
    r"""Total-variation distance :math:`\mathrm{TV}(p, q) = \sup_A |p(A) - q(A)| = P_p(\ell>0) - P_q(\ell>0)`.

    :math:`\ell = \log p - \log q` is a quadratic form; in the diagonal pair (module docstring) with
    :math:`a_i = (s_i - t_i)/(2s_it_i)`, under :math:`q` (:math:`x_i = \sqrt{t_i} z_i`) and :math:`p`
    (:math:`x_i = \delta_i + \sqrt{s_i} z_i`)

    .. math::
        \ell \overset{q}{=} \sum_i \Big[\frac{s_i - t_i}{2s_i} z_i^2 + \frac{\sqrt{t_i}\delta_i}{s_i} z_i
              - \frac{\delta_i^2}{2s_i} - \frac12\log\frac{s_i}{t_i}\Big], \qquad
        \ell \overset{p}{=} \sum_i \Big[\frac{s_i - t_i}{2t_i} z_i^2 + \frac{\sqrt{s_i}\delta_i}{t_i} z_i
              + \frac{\delta_i^2}{2t_i} - \frac12\log\frac{s_i}{t_i}\Big],

    two generalised chi-square tails (see :mod:`sgmverify.metrics._generalized_chi2`), each computed to
    ``atol / 2``.  Closed forms: identical laws (0), mutually singular laws (1), equal covariances
    (:math:`\operatorname{erf}(\Delta/(2\sqrt2))`), one coordinate differing in variance, the mean
    possibly differing in that same coordinate (crossing points).  A reduction that took a decision at the
    round-off level of a dense input (module docstring) is never labelled exact.

    Parameters
    ----------
    p, q : Gaussian, EigenGaussian, or an object with ``as_eigen_gaussian()``
    atol : float
        Target absolute error, in (0, 0.1].

    Returns
    -------
    Estimate
        Exact (``Estimate.exact_value``) for the closed forms; otherwise ``value`` with ``[ci_low, ci_high] =
        value -+ error`` clipped to [0, 1], ``level=None`` (a numerical bound, not a confidence interval),
        ``extra = {"error", "certified", "reached", ...}``.  The interval is never narrower than the bound
        of the method; when ``atol`` is not reached (node budget exhausted, e.g. variances of very different
        scales) it is wider, intersected with Le Cam's closed-form bounds :math:`H^2 \le \mathrm{TV} \le
        H\sqrt{2 - H^2}` (Le Cam, *Asymptotic Methods in Statistical Decision Theory*, 1986, Ch. 4), and
        ``method`` says "NOT reached".

    Raises
    ------
    InvalidTypeError, ShapeError, InvalidParameterError
        As in :func:`kl_divergence`; a bad ``atol``.
    """
    tol = real_number(atol, "atol")
    if not (0 < tol <= 0.1):
        raise InvalidParameterError(f"atol must lie in (0, 0.1], got {atol}.")
    pr = _pair(p, q)
    both, apart = _singular_mask(pr)
    if apart:
        if not pr.round_off:
            return Estimate.exact_value(1.0, method="mutually singular laws")
        # decided at round-off: TV >= H^2 = 1 - BC >= 1 - bc_bound (Le Cam), not an exact value
        return Estimate(
            1.0,
            max(0.0, 1.0 - pr.bc_bound),
            1.0,
            level=None,
            exact=False,
            n=None,
            method=f"mutually singular up to round-off ({pr.round_off}): TV in [1 - {pr.bc_bound:.3g}, 1]",
            extra={"error": pr.bc_bound, "certified": True, "reached": True, "round_off": pr.round_off},
        )
    keep = ~both & ((pr.ds != 0.0) | (pr.dm != 0.0))
    s, t, ds, dm = pr.s[keep], pr.t[keep], pr.ds[keep], pr.dm[keep]
    if s.size == 0:
        return _closed(0.0, "identical laws", pr.round_off)
    if not np.any(ds != 0.0):
        delta = math.sqrt(float(np.sum(dm * dm / t)))
        return _closed(math.erf(delta / (2.0 * math.sqrt(2.0))), "equal covariances: erf", pr.round_off)
    half_log = 0.5 * _log_ratio(s, t, ds)
    res_q = tail_probability(
        ds / (2.0 * s), np.sqrt(t) * dm / s, float(-np.sum(dm * dm / (2.0 * s) + half_log)), tol / 2
    )
    res_p = tail_probability(
        ds / (2.0 * t), np.sqrt(s) * dm / t, float(np.sum(dm * dm / (2.0 * t) - half_log)), tol / 2
    )
    value = min(1.0, max(0.0, res_p.value - res_q.value))
    err = res_p.error + res_q.error
    method = res_p.method if res_p.method == res_q.method else f"P_p: {res_p.method}; P_q: {res_q.method}"
    if err == 0.0:
        return _closed(value, "closed form (crossing points)", pr.round_off)
    reached = res_p.reached and res_q.reached
    lo, hi = max(0.0, value - err), min(1.0, value + err)
    if not reached:
        if "NOT reached" not in method:
            method += f"; requested accuracy {tol:.3g} NOT reached: interval widened to {err:.3g}"
        # Le Cam's H^2 <= TV <= H sqrt(2 - H^2), in closed form (slack for their round-off)
        h2 = -math.expm1(_log_bc(pr))
        lo = max(lo, h2 - 1e-12)
        hi = min(hi, math.sqrt(max(0.0, h2 * (2.0 - h2))) + 1e-12)
        if lo > hi:  # cannot happen in exact arithmetic; keep the wider, certified interval
            lo, hi = max(0.0, value - err), min(1.0, value + err)
        value = min(max(value, lo), hi)
        method += f"; intersected with Le Cam's bounds [H^2, H sqrt(2 - H^2)]: [{lo:.6g}, {hi:.6g}]"
    return Estimate(
        value,
        lo,
        hi,
        level=None,
        exact=False,
        n=None,
        method="TV = P_p(l>0) - P_q(l>0), " + method + (f"; round-off: {pr.round_off}" * bool(pr.round_off)),
        extra={
            "round_off": pr.round_off,
            "error": err,
            "certified": res_p.certified and res_q.certified,
            "reached": reached,
            "nodes": res_p.nodes + res_q.nodes,
        },
    )
