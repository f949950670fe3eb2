r"""Numerics behind :mod:`sgmverify.laws._singular`: :math:`\nabla^k \log p_t` (k = 0..4) for atoms, a
box and the
Hölder cusp (the circle is in :mod:`sgmverify.laws._circle`).

Each law has a vectorised float64 routine returning ``(value, cond)``, where ``cond`` bounds the error
amplification (the relative error of the value is at most about ``cond * eps``), and an mpmath routine for one
point, run at the working precision of the caller (``mpmath.workdps``), returning ``(value, cond)`` with the
same meaning.  :class:`sgmverify.laws.NoisedLaw` keeps the float64 value where ``cond * eps`` is small and
recomputes the other points in mpmath with enough digits (docs/papers/stephanovitch_2025.md §6 item 13).

The one-dimensional laws share one step: if :math:`p_t(x) \propto f(x)` and :math:`R_j = f^{(j)}/f`, then
:math:`(\log f)^{(k)}` is the k-th cumulant written in the moments :math:`R_j`
(:func:`cumulant`).  Notation: :math:`X_t = m X_0 + \sqrt v Z`.
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
from scipy.special import erfcx, hyp1f1, log_ndtr, logsumexp

EPS = float(np.finfo(float).eps)
LOG_2PI = math.log(2.0 * math.pi)
SQRT2 = math.sqrt(2.0)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
#: scipy's hyp1f1 was checked against mpmath to 1e-12 for |w| <= this (a = -beta/2 + j, b = 1/2 + j)
HYP1F1_MAX_ARG = 1e4


def cumulant(R, k: int, Rmag=None):
    r"""k-th cumulant from the moments ``R[1..k]`` (``R[0] = 1``) and the sum of the absolute terms.

    .. math::

        \kappa_2 = R_2 - R_1^2,\quad \kappa_3 = R_3 - 3R_2R_1 + 2R_1^3,\quad
        \kappa_4 = R_4 - 4R_3R_1 - 3R_2^2 + 12R_2R_1^2 - 6R_1^4.

    ``Rmag`` (bounds on the absolute errors / eps of the ``R_j``, or their sizes) gives the magnitude of the
    terms used in the error estimate.  Works on numpy arrays and on mpmath numbers.
    """

    def terms(Q):
        if k == 1:
            return (Q[1],)
        if k == 2:
            return (Q[2], -Q[1] * Q[1])
        if k == 3:
            return (Q[3], -3 * Q[2] * Q[1], 2 * Q[1] ** 3)
        return (Q[4], -4 * Q[3] * Q[1], -3 * Q[2] * Q[2], 12 * Q[2] * Q[1] ** 2, -6 * Q[1] ** 4)

    val = sum(terms(R))
    mag = sum(abs(t) for t in terms(R if Rmag is None else Rmag))
    return val, mag


def _ratio(mag, val):
    """``mag / |val|`` with 0/0 -> 1 and x/0 -> inf (numpy arrays)."""
    mag, val = np.asarray(mag, dtype=float), np.abs(np.asarray(val, dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(val > 0, mag / np.where(val > 0, val, 1.0), np.where(mag > 0, np.inf, 1.0))
    return out


def _mp_ratio(mag, val):
    return mpmath.mpf(1) if mag == 0 else (mpmath.inf if val == 0 else mag / abs(val))


# ---------------------------------------------------------------------------------------------------
# atoms: posterior over the atoms
# ---------------------------------------------------------------------------------------------------


def atoms_float(x, pts, logw, m, v, k):
    r"""Atoms :math:`\sum_i w_i \delta_{y_i}`: :math:`\log p_t = \operatorname{lse}_i(\log w_i + a\,x\cdot y_i
    - \tfrac{ma}2|y_i|^2) - |x|^2/(2v) - \tfrac d2\log 2\pi v` with :math:`a = m/v`; score :math:`(m\bar y
    - x)/v`;
    :math:`\nabla^2 = -I/v + a^2\,\mathrm{Cov}`; :math:`\nabla^k = a^k\kappa_k` (k = 3, 4) of the posterior
    :math:`r_i \propto w_i e^{-|x - m y_i|^2/(2v)}` (central moments, :math:`\kappa_4 = \mu_4 - \sum_3
    \mu_2\mu_2`)."""
    n, d = x.shape
    a = m / v
    sq = np.sum(pts * pts, axis=1)
    logits = logw[None, :] + a * (x @ pts.T) - 0.5 * m * a * sq[None, :]
    # absolute error of the logits / eps: it also sets the relative error of the responsibilities
    xnorm = np.max(np.abs(x), axis=1) * math.sqrt(d)  # a bound on |x| that does not overflow
    big = np.max(np.abs(logw)[None, :] + a * xnorm[:, None] * np.sqrt(sq)[None, :], axis=1)
    big = big + 0.5 * m * a * float(np.max(sq))
    lse = logsumexp(logits, axis=1)
    if k == 0:
        xx, c = np.sum(x * x, axis=1) / (2 * v), 0.5 * d * math.log(2 * math.pi * v)
        val = lse - xx - c
        return val, _ratio(np.abs(lse) + xx + abs(c) + big, val)
    r = np.exp(logits - lse[:, None])
    ybar = r @ pts
    ymax = float(np.max(np.sqrt(sq)))
    if k == 1:
        val = (m * ybar - x) / v
        mag = (m * ymax * (1 + big) + np.max(np.abs(x), axis=1)) / v
        return val, _ratio(mag, np.max(np.abs(val), axis=1))
    dl = pts[None, :, :] - ybar[:, None, :]
    nrm = np.linalg.norm(dl, axis=2)
    A = [np.einsum("nk,nk->n", r, nrm**j) for j in range(k + 1)]
    if k == 2:
        val = a * a * np.einsum("nk,nka,nkb->nab", r, dl, dl) - np.eye(d) / v
        mag = 1 / v + a * a * (A[2] * (1 + big) + 2 * ymax * A[1])
    elif k == 3:
        val = a**3 * np.einsum("nk,nka,nkb,nkc->nabc", r, dl, dl, dl)
        mag = a**3 * (A[3] * (1 + big) + 3 * ymax * A[2])
    else:
        cov = np.einsum("nk,nka,nkb->nab", r, dl, dl)
        val = np.einsum("nk,nka,nkb,nkc,nkd->nabcd", r, dl, dl, dl, dl)
        for p, q in (("ab", "cd"), ("ac", "bd"), ("ad", "bc")):
            val -= np.einsum(f"n{p},n{q}->nabcd", cov, cov)
        val *= a**4
        mag = a**4 * ((A[4] + 3 * A[2] ** 2) * (1 + 2 * big) + 4 * ymax * (A[3] + 3 * A[2] * A[1]))
    return val, _ratio(mag, np.max(np.abs(val.reshape(n, -1)), axis=1))


def atoms_mp(x, pts, w, m, v, k):
    """The same formulas as :func:`atoms_float` at one point, in mpmath (current working precision)."""
    K, d = len(pts), len(x)
    X = [mpmath.mpf(float(z)) for z in x]
    Y = [[mpmath.mpf(float(z)) for z in row] for row in pts]
    M, V = mpmath.mpf(m), mpmath.mpf(v)
    a = M / V
    # expanded logits log w_i + a x.y_i - m a |y_i|^2 / 2: no cancellation of the |x|^2/(2v) terms far out
    logits = [
        mpmath.log(mpmath.mpf(float(w[i])))
        + a * sum(X[j] * Y[i][j] for j in range(d))
        - M * a * sum(z * z for z in Y[i]) / 2
        for i in range(K)
    ]
    top = max(logits)
    e = [mpmath.exp(li - top) for li in logits]
    tot = sum(e)
    if k == 0:
        xx = sum(z * z for z in X) / (2 * V)
        val = top + mpmath.log(tot) - xx - d * mpmath.log(2 * mpmath.pi * V) / 2
        return np.array(val), _mp_ratio(abs(top) + xx + abs(mpmath.log(2 * mpmath.pi * V)) * d, val)
    r = [ei / tot for ei in e]
    ybar = [sum(r[i] * Y[i][j] for i in range(K)) for j in range(d)]
    if k == 1:
        val = np.array([(M * ybar[j] - X[j]) / V for j in range(d)], dtype=object)
        mag = (M * max(abs(z) for z in ybar) + max(abs(z) for z in X)) / V
        return val, _mp_ratio(mag, max(abs(z) for z in val))
    dl = [[Y[i][j] - ybar[j] for j in range(d)] for i in range(K)]

    def mom(idx):
        return sum(r[i] * mpmath.fprod(dl[i][j] for j in idx) for i in range(K))

    out = np.empty((d,) * k, dtype=object)
    for idx in itertools.product(range(d), repeat=k):
        if k == 2:
            val = a * a * mom(idx) - (1 / V if idx[0] == idx[1] else 0)
        elif k == 3:
            val = a**3 * mom(idx)
        else:
            i, j, p, q = idx
            val = a**4 * (
                mom(idx) - mom((i, j)) * mom((p, q)) - mom((i, p)) * mom((j, q)) - mom((i, q)) * mom((j, p))
            )
        out[idx] = val
    A = [sum(r[i] * mpmath.sqrt(sum(z * z for z in dl[i])) ** j for i in range(K)) for j in range(k + 1)]
    mag = a**k * (A[k] + (3 * A[2] ** 2 if k == 4 else 0)) + (1 / V if k == 2 else 0)
    return out, _mp_ratio(mag, max(abs(z) for z in out.flat))


# ---------------------------------------------------------------------------------------------------
# uniform on an interval: log of a difference of normal CDFs
# ---------------------------------------------------------------------------------------------------


def _hermite(j, u):
    """Probabilists' Hermite polynomial He_j(u), j = 0..3."""
    return (1, u, u * u - 1, u**3 - 3 * u)[j]


def _log_ndtr_asym_coeffs(n: int) -> tuple[float, ...]:
    r"""b_1..b_n with :math:`\log\Phi(u) = -u^2/2 - \log(-u) - \tfrac12\log 2\pi + \sum_n b_n u^{-2n}`
    (u -> -inf): the logarithm of the Mills-ratio series :math:`\sum_k (-1)^k (2k-1)!!\, u^{-2k}`."""
    a = [1.0]
    for k in range(1, n + 1):
        a.append(-a[-1] * (2 * k - 1))
    b = [0.0] * (n + 1)
    for m in range(1, n + 1):
        b[m] = a[m] - sum(j * b[j] * a[m - j] for j in range(1, m)) / m
    return tuple(b[1:])


#: 30 terms: the derivatives (orders 1-4) of the series are within 3e-11 of log Phi's for u <= -FAR_U (mpmath)
LOG_NDTR_ASYM = _log_ndtr_asym_coeffs(30)
FAR_U = 9.0


def log_ndtr_derivative_asym(u, j):
    r""":math:`(\log\Phi)^{(j)}(u)` for u <= -FAR_U, j = 1..4, from the asymptotic series,
    with no cancellation, and the sum of the absolute terms."""
    poly = {1: -u, 2: -np.ones_like(u), 3: np.zeros_like(u), 4: np.zeros_like(u)}[j]
    logt = {1: -1 / u, 2: 1 / u**2, 3: -2 / u**3, 4: 6 / u**4}[j]
    val, mag = poly + logt, np.abs(poly) + np.abs(logt)
    for n, bn in enumerate(LOG_NDTR_ASYM, 1):
        fall = math.prod(-2 * n - i for i in range(j))
        term = bn * fall * u ** (-2 * n - j)
        val, mag = val + term, mag + np.abs(term)
    return val, mag


def log_ndtr_derivative_mills(u, k):
    r""":math:`(\log\Phi)^{(k)}(u)`, k = 1..4, by the inverse Mills ratio :math:`h = \varphi/\Phi`
    (``erfcx`` for u < 0, no exponent cancellation) and :math:`c = u + h`:
    :math:`L_1 = h`, :math:`L_2 = -hc`, :math:`L_3 = -L_2c - h(1 + L_2)`,
    :math:`L_4 = -L_3c - 2L_2(1 + L_2) - hL_3`; returns the value and the recursion on absolute
    values."""
    with np.errstate(over="ignore", under="ignore"):
        h = np.where(
            u < 0, SQRT_2_OVER_PI / erfcx(-u / SQRT2), np.exp(-0.5 * u * u - 0.5 * LOG_2PI - log_ndtr(u))
        )
    c, cm = u + h, np.abs(u) + h
    L = [None, h, -h * c]
    M = [None, h, h * cm]
    if k >= 3:
        L.append(-L[2] * c - h * (1 + L[2]))
        M.append(M[2] * cm + h * (1 + M[2]))
    if k >= 4:
        L.append(-L[3] * c - 2 * L[2] * (1 + L[2]) - h * L[3])
        M.append(M[3] * cm + 2 * M[2] * (1 + M[2]) + h * M[3])
    return L[k], M[k]


def interval_float(x, lo, hi, m, v, k):
    r"""Uniform on :math:`[lo, hi]`: :math:`p_t(x) = [\Phi(\beta) - \Phi(\alpha)]/(m(hi - lo))`,
    :math:`\alpha = (m\,lo - x)/s`, :math:`\beta = (m\,hi - x)/s`, :math:`s = \sqrt v`.

    With :math:`G(u) = \Phi(\beta + u) - \Phi(\alpha + u)`, :math:`G^{(j)} = \varphi^{(j-1)}(\beta) -
    \varphi^{(j-1)}(\alpha)` and :math:`\varphi^{(j)} = (-1)^j He_j\,\varphi`, so
    :math:`\partial_x^k \log p_t = (-1/s)^k \kappa_k` with moments :math:`R_j = G^{(j)}/G` (:func:`cumulant`).
    :math:`\log G` by ``log_ndtr`` and ``expm1`` after reflecting so that :math:`\alpha + \beta \le 0`.
    ``x`` is (n,); returns (value (n,), cond (n,)).
    """
    s = math.sqrt(v)
    al, be = (m * lo - x) / s, (m * hi - x) / s
    flip = al + be > 0
    a2, b2 = np.where(flip, -be, al), np.where(flip, -al, be)
    la, lb = log_ndtr(a2), log_ndtr(b2)
    dd = la - lb
    with np.errstate(divide="ignore"):
        log_g = lb + np.log(-np.expm1(dd))
    cond_g = 1 + (np.abs(la) + np.abs(lb)) / np.maximum(np.abs(dd), 1e-300)
    if k == 0:
        c = math.log(m * (hi - lo))
        val = np.where(lb == -np.inf, -np.inf, log_g - c)  # |x| so large that log Phi(beta) overflows
        return val, _ratio(np.abs(log_g) * cond_g + abs(c), val)
    pb = np.exp(-0.5 * b2 * b2 - 0.5 * LOG_2PI - log_g)
    pa = np.exp(-0.5 * a2 * a2 - 0.5 * LOG_2PI - log_g)
    # relative errors / eps of pb, pa: their exponents are differences of terms of size b^2/2 and |log G|
    eb = 1 + 0.5 * b2 * b2 + np.abs(log_g) * cond_g
    ea = 1 + 0.5 * a2 * a2 + np.abs(log_g) * cond_g
    R, Rmag = [1.0], [1.0]
    for j in range(1, k + 1):
        hb, ha = _hermite(j - 1, b2), _hermite(j - 1, a2)
        R.append((-1) ** (j - 1) * (hb * pb - ha * pa))
        Rmag.append(np.abs(hb) * pb * eb + np.abs(ha) * pa * ea)
    kap, mag = cumulant(R, k, Rmag)
    cond = k * _ratio(mag, kap)
    # one edge only (phi(alpha)/phi(beta) < e^-60): log G = log Phi(beta) up to e^-60 relative, and its
    # derivatives come from the inverse Mills ratio (beta > -FAR_U) or the asymptotic series (beta <= -FAR_U),
    # where the moment route cancels like beta^(2k)
    # a2^2 - b2^2 = (a2 - b2)(a2 + b2), with a2 - b2 = -m (hi - lo)/s exactly (no overflow, no cancellation)
    one = -(m * (hi - lo) / s) * (a2 + b2) > 120.0
    if one.any():
        ub = np.where(one, b2, 0.0)
        far = one & (b2 <= -FAR_U)
        mval, mmag = log_ndtr_derivative_mills(np.where(far, 0.0, ub), k)
        fval, fmag = log_ndtr_derivative_asym(np.where(far, ub, -FAR_U), k)
        val1, mag1 = np.where(far, fval, mval), np.where(far, fmag, 8 * mmag)  # erfcx: a few eps
        kap = np.where(one, val1, kap)
        cond = np.where(one, 4 * _ratio(mag1, val1), cond)
    sign = np.where(flip, 1.0, (-1.0) ** k)
    return sign * kap / s**k, cond


def interval_mp(x, lo, hi, m, v, k):
    """:func:`interval_float` at one point in mpmath (no reflection needed beyond the same symmetry)."""
    X, M, V = mpmath.mpf(float(x)), mpmath.mpf(m), mpmath.mpf(v)
    s = mpmath.sqrt(V)
    al, be = (M * mpmath.mpf(lo) - X) / s, (M * mpmath.mpf(hi) - X) / s
    flip = al + be > 0
    if flip:
        al, be = -be, -al
    g = mpmath.ncdf(be) - mpmath.ncdf(al)
    if k == 0:
        c = mpmath.log(M * (mpmath.mpf(hi) - mpmath.mpf(lo)))
        val = mpmath.log(g) - c
        return np.array(val), _mp_ratio(abs(mpmath.log(g)) + abs(c), val)
    pb, pa = mpmath.npdf(be) / g, mpmath.npdf(al) / g
    R, Rmag = [1], [1]
    for j in range(1, k + 1):
        hb, ha = _hermite(j - 1, be), _hermite(j - 1, al)
        R.append((-1) ** (j - 1) * (hb * pb - ha * pa))
        Rmag.append(abs(hb) * pb + abs(ha) * pa)
    kap, mag = cumulant(R, k, Rmag)
    sign = 1 if flip else (-1) ** k
    return np.array(sign * kap / s**k), _mp_ratio(mag, kap)


# ---------------------------------------------------------------------------------------------------
# Hölder cusp (1 + a|y|^beta) phi(y): Kummer's function
# ---------------------------------------------------------------------------------------------------


def cusp_parts(m, v, beta, a):
    r"""Constants of the cusp's noised law: :math:`S = m^2 + v`, :math:`A = a c_\beta V^{\beta/2}` with
    :math:`V = v/S`, :math:`c_\beta = 2^{\beta/2}\Gamma((\beta+1)/2)/\sqrt\pi`, and :math:`c = -m^2/(vS)`
    (:math:`w(x) = c x^2/2`)."""
    S = m * m + v
    c_beta = 2 ** (beta / 2) * math.gamma((beta + 1) / 2) / math.sqrt(math.pi)
    return S, a * c_beta * (v / S) ** (beta / 2), -m * m / (v * S), c_beta


def _cusp_F(G, w1, c, k):
    """Derivatives F^(j), j = 1..k, of F(x) = 1 + A M(w(x)) given A G_j (G_j = d^j M/dw^j), w' = w1, w'' =
    c."""
    G = list(G) + [0] * (5 - len(G))
    return [
        G[1] * w1,
        G[2] * w1 * w1 + G[1] * c,
        G[3] * w1**3 + 3 * G[2] * w1 * c,
        G[4] * w1**4 + 6 * G[3] * w1 * w1 * c + 3 * G[2] * c * c,
    ][:k]


def _cusp_Fmag(G, w1, c, k):
    G = list(G) + [0] * (5 - len(G))
    return [
        abs(G[1] * w1),
        abs(G[2] * w1 * w1) + abs(G[1] * c),
        abs(G[3] * w1**3) + 3 * abs(G[2] * w1 * c),
        abs(G[4] * w1**4) + 6 * abs(G[3] * w1 * w1 * c) + 3 * abs(G[2] * c * c),
    ][:k]


def cusp_float(x, m, v, beta, a, log_z, k):
    r"""Hölder cusp :math:`q(y) = (1 + a|y|^\beta)\varphi(y)/Z`, :math:`Z = 1 + a c_\beta`.  The posterior
    of the
    Gaussian part is :math:`N(mx/S, V)`, and :math:`E|N(\mu, V)|^\beta = c_\beta V^{\beta/2}
    {}_1F_1(-\beta/2; 1/2; -\mu^2/(2V))`, so

    .. math::

        \log p_t(x) = -\frac{x^2}{2S} - \tfrac12\log 2\pi S - \log Z + \log F(x),\qquad
        F = 1 + A\,M(-\tfrac\beta2, \tfrac12, w),\ w = -\frac{m^2x^2}{2vS},

    with :math:`M^{(j)}(a, b, w) = \frac{(a)_j}{(b)_j} M(a + j, b + j, w)`, the chain rule for the quadratic
    :math:`w` (:math:`w' = cx`, :math:`w'' = c`), :math:`R_j = F^{(j)}/F`, :math:`\kappa_k` from
    :func:`cumulant`,
    and the Gaussian part :math:`-x/S`, :math:`-1/S` added at k = 1, 2.  scipy's ``hyp1f1`` (valid to 1e-12
    for
    :math:`|w| \le` ``HYP1F1_MAX_ARG``; beyond, cond = inf sends the point to mpmath).  ``x`` is (n,).
    """
    S, A, c, _ = cusp_parts(m, v, beta, a)
    w = 0.5 * c * x * x
    ok = np.abs(w) <= HYP1F1_MAX_ARG
    ws = np.where(ok, w, 0.0)
    G, poch = [], 1.0
    for j in range(k + 1):
        G.append(A * poch * hyp1f1(-beta / 2 + j, 0.5 + j, ws))
        poch *= (-beta / 2 + j) / (0.5 + j)
    F = 1 + G[0]
    if k == 0:
        gpart = -x * x / (2 * S) - 0.5 * math.log(2 * math.pi * S) - log_z
        lf = np.log(F)
        val = gpart + lf
        mag = np.abs(lf) + x * x / (2 * S) + abs(0.5 * math.log(2 * math.pi * S)) + abs(log_z)
        return val, np.where(ok, _ratio(mag, val), np.inf)
    w1 = c * x
    R = [1.0] + [f / F for f in _cusp_F(G, w1, c, k)]
    Rmag = [1.0] + [f / F for f in _cusp_Fmag(G, w1, c, k)]
    kap, mag = cumulant(R, k, Rmag)
    if k == 1:
        kap, mag = kap - x / S, mag + np.abs(x) / S
    if k == 2:
        kap, mag = kap - 1 / S, mag + 1 / S
    return kap, np.where(ok, 64 * _ratio(mag, kap), np.inf)  # hyp1f1: within ~10-300 eps (measured)


def cusp_mp(x, m, v, beta, a, log_z, k):
    """:func:`cusp_float` at one point in mpmath (``mpmath.hyp1f1``)."""
    X, M, Vv, B, Aa = (mpmath.mpf(float(z)) for z in (x, m, v, beta, a))
    S = M * M + Vv
    c_beta = 2 ** (B / 2) * mpmath.gamma((B + 1) / 2) / mpmath.sqrt(mpmath.pi)
    A = Aa * c_beta * (Vv / S) ** (B / 2)
    c = -M * M / (Vv * S)
    w = c * X * X / 2
    G, poch = [], mpmath.mpf(1)
    for j in range(k + 1):
        G.append(A * poch * mpmath.hyp1f1(-B / 2 + j, mpmath.mpf(1) / 2 + j, w))
        poch *= (-B / 2 + j) / (mpmath.mpf(1) / 2 + j)
    F = 1 + G[0]
    if k == 0:
        lz = mpmath.log(1 + Aa * c_beta)
        val = -X * X / (2 * S) - mpmath.log(2 * mpmath.pi * S) / 2 - lz + mpmath.log(F)
        return np.array(val), _mp_ratio(
            X * X / (2 * S) + abs(mpmath.log(2 * mpmath.pi * S)) + abs(lz) + 1, val
        )
    w1 = c * X
    R = [1] + [f / F for f in _cusp_F(G, w1, c, k)]
    Rmag = [1] + [f / F for f in _cusp_Fmag(G, w1, c, k)]
    kap, mag = cumulant(R, k, Rmag)
    if k == 1:
        kap, mag = kap - X / S, mag + abs(X) / S
    if k == 2:
        kap, mag = kap - 1 / S, mag + 1 / S
    return np.array(kap), _mp_ratio(mag, kap)
