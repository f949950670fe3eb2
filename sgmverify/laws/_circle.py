r"""Numerics of the uniform law on a circle (:class:`sgmverify.laws.UniformCircle`): :math:`\nabla^k \log p_t`
for k = 0..4, from the derivatives of :math:`\log I_0` assembled into radial tensors.

Same conventions as :mod:`sgmverify.laws._derivatives` (float64 routine returning ``(value, cond)``, mpmath
routine for one point at the caller's working precision).
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
from scipy.special import ive

from ._derivatives import _mp_ratio, _ratio, cumulant

#: log I0(z) = sum_n LOGI0_SERIES[n-1] z^(2n) + O(z^10); used for z < SMALL_Z (the centre of the circle)
LOGI0_SERIES = (1 / 4, -1 / 64, 1 / 576, -11 / 49152)
SMALL_Z = 1e-3


def _logi0_asym_coeffs(n: int) -> tuple[float, ...]:
    r"""b_1..b_n with :math:`\log I_0(z) = z - \tfrac12\log(2\pi z) + \sum_n b_n z^{-n}` (asymptotic, z ->
    inf):
    the logarithm of Hankel's series :math:`\sum_k a_k z^{-k}`, :math:`a_k = ((2k-1)!!)^2/(k!\,8^k)`."""
    a = [1.0]
    for k in range(1, n + 1):
        a.append(a[-1] * (2 * k - 1) ** 2 / (8 * k))
    b = [0.0] * (n + 1)
    for m in range(1, n + 1):
        b[m] = a[m] - sum(j * b[j] * a[m - j] for j in range(1, m)) / m
    return tuple(b[1:])


#: 20 terms of the asymptotic series of log I0: relative error of its derivatives (orders 1-4) <= 5e-15 for
#: z >= ASYM_Z (checked against mpmath.besseli), where the von Mises moments would cancel
LOGI0_ASYM = _logi0_asym_coeffs(20)
ASYM_Z = 30.0


def logi0_derivatives_asym(z, j):
    """(log I0)^{(j)}(z), j = 1..4, from the asymptotic series (no cancellation), and the sum of |terms|."""
    base = {1: 1 - 1 / (2 * z), 2: 1 / (2 * z**2), 3: -1 / z**3, 4: 3 / z**4}[j]
    val, mag = base, abs(base)
    for n, bn in enumerate(LOGI0_ASYM, 1):
        rising = math.prod(range(n, n + j))
        term = (-1) ** j * bn * rising * z ** (-n - j)
        val, mag = val + term, mag + abs(term)
    return val, mag


# ---------------------------------------------------------------------------------------------------
# uniform on a circle: von Mises posterior, radial tensors
# ---------------------------------------------------------------------------------------------------

#: radial combinations per order: value of T in the frame (e_r, e_theta) -> index patterns
_SERIES = {  # coefficient of c_n kappa^(2n) r^(2n - p) for each combination, and p
    "g1": (lambda n: 2 * n, 1),
    "g1/r": (lambda n: 2 * n, 2),
    "g2": (lambda n: 2 * n * (2 * n - 1), 2),
    "g3": (lambda n: 2 * n * (2 * n - 1) * (2 * n - 2), 3),
    "c12": (lambda n: 2 * n * (2 * n - 2), 3),
    "g4": (lambda n: 2 * n * (2 * n - 1) * (2 * n - 2) * (2 * n - 3), 4),
    "c22": (lambda n: 2 * n * ((2 * n - 1) * (2 * n - 4) + 2), 4),
    "c04": (lambda n: 6 * n * (2 * n - 2), 4),
}
_COMBOS = {1: ("g1",), 2: ("g2", "g1/r"), 3: ("g3", "c12"), 4: ("g4", "c22", "c04")}


def _combos_exact(g, r, k):
    """Radial combinations from g_j = d^j/dr^j h(kappa r), and the same with absolute values (error sizes)."""
    g1, g2, g3, g4 = [*g, 0, 0, 0][:4]
    table = {
        "g1": (g1,),
        "g1/r": (g1 / r,),
        "g2": (g2,),
        "g3": (g3,),
        "c12": (g2 / r, -g1 / r**2),
        "g4": (g4,),
        "c22": (g3 / r, -2 * g2 / r**2, 2 * g1 / r**3),
        "c04": (3 * g2 / r**2, -3 * g1 / r**3),
    }
    return [sum(table[c]) for c in _COMBOS[k]], [sum(abs(t) for t in table[c]) for c in _COMBOS[k]]


def _combos_series(r, kappa, k):
    """Small-z form of the radial combinations from the Taylor series of log I0 (no cancellation)."""
    out = []
    for c in _COMBOS[k]:
        coef, p = _SERIES[c]
        terms = [(cn * coef(n), n) for n, cn in enumerate(LOGI0_SERIES, 1) if coef(n) != 0]
        out.append(sum(cf * kappa ** (2 * n) * r ** (2 * n - p) for cf, n in terms))
    return out, [abs(z) for z in out]


def radial_tensor(combos, k):
    """Derivative tensor of a radial function at (r, 0): entries in the frame (e_r, e_theta), shape (...,
    2^k)."""
    shape = np.shape(combos[0])
    out = np.zeros(shape + (2,) * k, dtype=np.result_type(*[np.asarray(c) for c in combos]))
    for idx in itertools.product(range(2), repeat=k):
        nt = sum(idx)
        if nt % 2:
            continue
        if k == 1 or nt == 0:
            val = combos[0]
        elif k == 2 or k == 3 or nt == 2:
            val = combos[1]
        else:
            val = combos[2]
        out[(..., *idx)] = val
    return out


def rotate(T, e, k):
    """Entries in the frame (e, e_perp) -> Cartesian: T_{ab..} = Q_{ai} Q_{bj} .. T'_{ij..}, Q = [e,
    e_perp]."""
    Q = np.stack([e, np.stack([-e[..., 1], e[..., 0]], axis=-1)], axis=-1)  # (..., 2, 2) columns e, e_perp
    letters = "abcd"[:k]
    inner = "ijkl"[:k]
    spec = ",".join(f"n{o}{i}" for o, i in zip(letters, inner))
    return np.einsum(f"{spec},n{inner}->n{letters}", *([Q] * k), T) if k else T


def circle_float(x, radius, m, v, k):
    r"""Uniform on the circle of radius R in :math:`\mathbb R^2`:
    :math:`p_t(x) = (2\pi v)^{-1} e^{-(|x|^2 + m^2R^2)/(2v)} I_0(\kappa|x|)`, :math:`\kappa = mR/v`.

    :math:`\log I_0(z)` is the cumulant generating function of :math:`\cos\theta` (θ uniform), so
    :math:`h_j = (\log I_0)^{(j)}(z)` are the cumulants of :math:`\cos\theta` under von Mises(z), from the
    moments
    :math:`E\cos\theta = A_1`, :math:`E\cos^2 = (1 + A_2)/2`, :math:`E\cos^3 = (3A_1 + A_3)/4`,
    :math:`E\cos^4 = (3 + 4A_2 + A_4)/8`, :math:`A_n = I_n/I_0` (``ive`` ratios).  With
    :math:`g_j = \kappa^j h_j(\kappa r)`, the tensor of :math:`h(\kappa|x|)` at :math:`x = r e` in the frame
    :math:`(e, e_\perp)` has entries :math:`g_1`; :math:`g_2, g_1/r`; :math:`g_3, g_2/r - g_1/r^2`;
    :math:`g_4, g_3/r - 2g_2/r^2 + 2g_1/r^3, 3g_2/r^2 - 3g_1/r^3` (odd tangential counts vanish), plus the
    Gaussian part :math:`-x/v`, :math:`-I/v`.  For :math:`\kappa r <` ``SMALL_Z`` the combinations come
    from the
    Taylor series of :math:`\log I_0` (exact at the centre), and for :math:`\kappa r \ge` ``ASYM_Z`` the
    :math:`h_j` from the asymptotic (Hankel) series of :math:`\log I_0`, where the moments would cancel.
    ``x`` is (n, 2).
    """
    n = x.shape[0]
    r = np.linalg.norm(x, axis=1)
    kap = m * radius / v
    z = kap * r
    small = z < SMALL_Z
    zs = np.where(small, 1.0, z)
    if k == 0:
        lg = np.log(ive(0, z))
        val = -math.log(2 * math.pi * v) - (r - m * radius) ** 2 / (2 * v) + lg
        mag = abs(math.log(2 * math.pi * v)) + (r * r + (m * radius) ** 2) / (2 * v) + np.abs(lg)
        return val, _ratio(mag, val)
    A = [np.ones(n)] + [ive(j, zs) / ive(0, zs) for j in range(1, 5)]
    mom = [1.0, A[1], (1 + A[2]) / 2, (3 * A[1] + A[3]) / 4, (3 + 4 * A[2] + A[4]) / 8]
    asym = z >= ASYM_Z
    za = np.where(asym, z, ASYM_Z)
    g, gmag = [], []
    for j in range(1, k + 1):
        h, hmag = cumulant(mom, j)
        ha, hamag = logi0_derivatives_asym(za, j)
        h = np.where(asym, ha, h)
        hmag = np.where(asym, hamag, hmag * 64)  # ive: within 32 eps of mpmath (measured on [1e-4, 1e6])
        g.append(kap**j * h)
        gmag.append(kap**j * hmag)
    rs = np.where(small, 1.0, r)
    combos, cmag = _combos_exact(g, rs, k)
    ser, _ = _combos_series(r, kap, k)
    combos = [np.where(small, s_, c_) for s_, c_ in zip(ser, combos)]
    _, emag = _combos_exact(gmag, rs, k)
    cmag = [np.where(small, np.abs(s_), c_) for s_, c_ in zip(ser, emag)]
    T, Tm = radial_tensor(combos, k), radial_tensor(cmag, k)
    if k == 1:
        T[:, 0] -= r / v
        Tm[:, 0] += r / v
    if k == 2:
        T[:, 0, 0] -= 1 / v
        T[:, 1, 1] -= 1 / v
        Tm[:, 0, 0] += 1 / v
        Tm[:, 1, 1] += 1 / v
    e = np.where(r[:, None] > 0, x / np.where(r > 0, r, 1.0)[:, None], np.array([1.0, 0.0]))
    val = rotate(T, e, k)
    return val, 2 * _ratio(
        np.max(np.abs(Tm.reshape(n, -1)), axis=1), np.max(np.abs(val.reshape(n, -1)), axis=1)
    )


def circle_mp(x, radius, m, v, k):
    """:func:`circle_float` at one point in mpmath (``besseli`` ratios; series for small z)."""
    X = [mpmath.mpf(float(z)) for z in x]
    M, V, Rad = mpmath.mpf(m), mpmath.mpf(v), mpmath.mpf(radius)
    r = mpmath.sqrt(X[0] ** 2 + X[1] ** 2)
    kap = M * Rad / V
    z = kap * r
    if k == 0:
        val = (
            -mpmath.log(2 * mpmath.pi * V)
            - (r * r + (M * Rad) ** 2) / (2 * V)
            + mpmath.log(mpmath.besseli(0, z))
        )
        return np.array(val), _mp_ratio(
            (r * r + (M * Rad) ** 2) / (2 * V) + abs(mpmath.log(2 * mpmath.pi * V)), val
        )
    if z < SMALL_Z:
        combos, cmag = _combos_series(r, kap, k)
    else:
        i0 = mpmath.besseli(0, z)
        A = [1] + [mpmath.besseli(j, z) / i0 for j in range(1, 5)]
        mom = [1, A[1], (1 + A[2]) / 2, (3 * A[1] + A[3]) / 4, (3 + 4 * A[2] + A[4]) / 8]
        g, gmag = [], []
        for j in range(1, k + 1):
            h, hmag = cumulant(mom, j)
            g.append(kap**j * h)
            gmag.append(kap**j * hmag)
        combos, _ = _combos_exact(g, r, k)
        _, cmag = _combos_exact(gmag, r, k)
    T = radial_tensor(combos, k).astype(object)
    Tm = radial_tensor(cmag, k).astype(object)
    if k == 1:
        T[0] -= r / V
        Tm[0] += r / V
    if k == 2:
        for i in (0, 1):
            T[i, i] -= 1 / V
            Tm[i, i] += 1 / V
    e = (
        np.array([X[0] / r, X[1] / r], dtype=object)
        if r > 0
        else np.array([mpmath.mpf(1), mpmath.mpf(0)], dtype=object)
    )
    val = rotate(T[None], e[None], k)[0]
    return val, _mp_ratio(max(abs(t) for t in Tm.flat), max(abs(t) for t in val.flat))
