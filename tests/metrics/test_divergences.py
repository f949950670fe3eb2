"""kl_divergence, hellinger_distance, tv_distance against closed forms, mpmath, quadrature, Monte Carlo."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy import integrate, stats

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.laws import EigenGaussian, Gaussian
from sgmverify.metrics import hellinger_distance, kl_divergence, kl_gaussian, tv_distance


def _rotation(d, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def _random_pair(d, seed, spread=0.5):
    rng = np.random.default_rng(seed)
    v1 = rng.uniform(0.5, 2.0, d)
    v2 = v1 * np.exp(rng.uniform(-spread, spread, d))
    return EigenGaussian(rng.normal(size=d) * 0.4, v1), EigenGaussian(rng.normal(size=d) * 0.4, v2)


def _dense_hellinger(g1, g2):
    sb = 0.5 * (g1.cov + g2.cov)
    dm = g1.mean - g2.mean
    _, l1 = np.linalg.slogdet(g1.cov)
    _, l2 = np.linalg.slogdet(g2.cov)
    _, lb = np.linalg.slogdet(sb)
    log_bc = 0.25 * l1 + 0.25 * l2 - 0.5 * lb - dm @ np.linalg.solve(sb, dm) / 8
    return math.sqrt(1 - math.exp(log_bc))


# -------------------------------------------------------------------------------------------- KL, Hellinger


@pytest.mark.parametrize("d", [1, 3, 6])
def test_kl_and_hellinger_match_dense_formulas(d):
    rng = np.random.default_rng(d)
    A, B = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    g1 = Gaussian(rng.normal(size=d), A @ A.T + 0.5 * np.eye(d))
    g2 = Gaussian(rng.normal(size=d), B @ B.T + 0.5 * np.eye(d))
    # well-conditioned laws far apart: both formulas are accurate to ~1e-13 relative
    assert kl_divergence(g1, g2) == pytest.approx(kl_gaussian(g1.mean, g1.cov, g2.mean, g2.cov), rel=1e-11)
    assert hellinger_distance(g1, g2) == pytest.approx(_dense_hellinger(g1, g2), rel=1e-11)


def _mp_kl_1d(m1, v1, m2, v2):
    m1, v1, m2, v2 = (mpmath.mpf(x) for x in (m1, v1, m2, v2))
    return (v1 / v2 - 1 - mpmath.log(v1 / v2) + (m1 - m2) ** 2 / v2) / 2


def _mp_h_1d(m1, v1, m2, v2):
    m1, v1, m2, v2 = (mpmath.mpf(x) for x in (m1, v1, m2, v2))
    bc = mpmath.sqrt(2 * mpmath.sqrt(v1 * v2) / (v1 + v2)) * mpmath.exp(-((m1 - m2) ** 2) / (4 * (v1 + v2)))
    return mpmath.sqrt(1 - bc)


@pytest.mark.parametrize("eps", [1e-9, -1e-9, 1e-12, 1e-4, 3.0])
def test_nearly_equal_laws_keep_their_digits_against_mpmath(eps):
    mpmath.mp.dps = 50
    v2 = 1.0 + eps  # a float: mpmath gets the same binary number
    p, q = EigenGaussian([0.0], [1.0]), EigenGaussian([0.0], [v2])
    ref_kl = _mp_kl_1d(0, 1, 0, v2)
    ref_h = _mp_h_1d(0, 1, 0, v2)
    # relative 1e-12: the series/log1p forms lose no digits (kl_gaussian's tr - d - logdet form is off by
    # 100% at eps = 1e-9 and by 2e-8 relative at eps = 1e-4, measured)
    assert kl_divergence(p, q) == pytest.approx(float(ref_kl), rel=1e-12)
    assert hellinger_distance(p, q) == pytest.approx(float(ref_h), rel=1e-12)
    # the same laws as dense, rotated 2-D Gaussians: the rounded matrices U diag(v) U' are the input now, so
    # the reference is the dense formula in 60-digit arithmetic on those very matrices
    U = _rotation(2, 0)
    pd = EigenGaussian([0.0, 0.3], [1.0, 2.0], U).to_gaussian()
    qd = EigenGaussian([0.0, 0.3], [v2, 2.0], U).to_gaussian()
    ref_kl_dense, ref_h_dense = _mp_dense(pd, qd)
    assert kl_divergence(pd, qd) == pytest.approx(ref_kl_dense, rel=1e-12)
    assert hellinger_distance(pd, qd) == pytest.approx(ref_h_dense, rel=1e-12)
    # ... and both are close to the eigen-value reference (the rounding of the matrices costs ~1e-16 / eps)
    assert ref_kl_dense == pytest.approx(float(ref_kl), rel=1e-3)


def _mp_dense(g1, g2):
    """(KL, H) by the textbook dense formulas in 60-digit arithmetic."""
    with mpmath.workdps(60):
        S1, S2 = mpmath.matrix(g1.cov.tolist()), mpmath.matrix(g2.cov.tolist())
        dm = mpmath.matrix(g1.mean.tolist()) - mpmath.matrix(g2.mean.tolist())
        S2i, Sb = S2**-1, (S1 + S2) / 2
        d = S1.rows
        tr = sum((S2i * S1)[i, i] for i in range(d))
        kl = (tr - d + mpmath.log(mpmath.det(S2) / mpmath.det(S1)) + (dm.T * S2i * dm)[0]) / 2
        log_bc = mpmath.log(mpmath.det(S1) * mpmath.det(S2)) / 4 - mpmath.log(mpmath.det(Sb)) / 2
        log_bc -= (dm.T * Sb**-1 * dm)[0] / 8
        return float(kl), float(mpmath.sqrt(-mpmath.expm1(log_bc)))


def test_means_against_mpmath():
    mpmath.mp.dps = 50
    p, q = EigenGaussian([0.1, 1e-8], [1.5, 2.0]), EigenGaussian([-0.2, 0.0], [0.7, 2.0])
    ref = _mp_kl_1d(0.1, 1.5, -0.2, 0.7) + _mp_kl_1d(1e-8, 2.0, 0.0, 2.0)
    assert kl_divergence(p, q) == pytest.approx(float(ref), rel=1e-13)
    bc = (1 - _mp_h_1d(0.1, 1.5, -0.2, 0.7) ** 2) * (1 - _mp_h_1d(1e-8, 2.0, 0.0, 2.0) ** 2)
    assert hellinger_distance(p, q) == pytest.approx(float(mpmath.sqrt(1 - bc)), rel=1e-13)


def test_identical_laws():
    p = EigenGaussian([1.0, 2.0], [1.0, 3.0])
    assert kl_divergence(p, p) == 0.0
    assert hellinger_distance(p, p) == 0.0
    tv = tv_distance(p, p)
    assert tv.exact and tv.value == 0.0


# -------------------------------------------------------------------------------------------- invariances


@pytest.mark.parametrize("d", [2, 5, 12])
def test_shared_basis_equals_dense_and_is_rotation_invariant(d):
    p, q = _random_pair(d, seed=d)
    U = _rotation(d, d + 1)
    pr, qr = EigenGaussian(p.mean, p.var, U), EigenGaussian(q.mean, q.var, U)
    pd, qd = pr.to_gaussian(), qr.to_gaussian()
    kl = kl_divergence(p, q)
    h = hellinger_distance(p, q)
    tv = tv_distance(p, q)
    for a, b in [(pr, qr), (pd, qd), (pr, qd)]:
        # the dense path whitens and re-diagonalises: agreement to ~1e-12 (a few ulps times cond = 4)
        assert kl_divergence(a, b) == pytest.approx(kl, rel=1e-11)
        assert hellinger_distance(a, b) == pytest.approx(h, rel=1e-11)
        other = tv_distance(a, b)
        assert abs(other.value - tv.value) <= other.extra["error"] + tv.extra["error"]


def test_symmetry_triangle_and_classical_inequalities():
    laws = [_random_pair(3, seed=s)[k] for s in range(3) for k in range(2)]
    m = len(laws)
    H = np.array([[hellinger_distance(a, b) for b in laws] for a in laws])
    tvs = {(i, j): tv_distance(laws[i], laws[j]) for i in range(m) for j in range(m) if i < j}
    TV = np.zeros((m, m))
    slack = max(t.extra.get("error", 0.0) for t in tvs.values())
    for (i, j), t in tvs.items():
        TV[i, j] = TV[j, i] = t.value
        kl, h = kl_divergence(laws[i], laws[j]), H[i, j]
        # H^2 <= TV <= H sqrt(2 - H^2) (Le Cam's inequalities) and Pinsker TV <= sqrt(KL / 2)
        assert h * h - slack <= t.value <= h * math.sqrt(2 - h * h) + slack
        assert t.value <= math.sqrt(kl / 2) + slack
    assert np.allclose(H, H.T, rtol=1e-13, atol=0)
    assert abs(tv_distance(laws[1], laws[0]).value - TV[0, 1]) <= 2 * slack
    for i, j, k in itertools.permutations(range(m), 3):
        assert H[i, k] <= H[i, j] + H[j, k] + 1e-14
        assert TV[i, k] <= TV[i, j] + TV[j, k] + 3 * slack


class _SamplerLaw:
    def __init__(self, law):
        self.law = law

    def as_eigen_gaussian(self):
        return self.law


def test_objects_with_as_eigen_gaussian():
    p, q = _random_pair(3, seed=4)
    assert kl_divergence(_SamplerLaw(p), _SamplerLaw(q)) == kl_divergence(p, q)
    assert hellinger_distance(_SamplerLaw(p), q) == hellinger_distance(p, q)
    assert tv_distance(p, _SamplerLaw(q.to_gaussian())).value == pytest.approx(
        tv_distance(p, q).value, abs=2e-8
    )


# -------------------------------------------------------------------------------------------- TV references


def _tv_quad_1d(m1, v1, m2, v2):
    f = lambda x: abs(stats.norm.pdf(x, m1, math.sqrt(v1)) - stats.norm.pdf(x, m2, math.sqrt(v2))) / 2  # noqa: E731
    # split at the crossing points so that each piece is smooth: Gauss-Kronrod reaches ~1e-14
    a, b = 1 / v2 - 1 / v1, 2 * (m1 / v1 - m2 / v2)
    c = m2**2 / v2 - m1**2 / v1 + math.log(v2 / v1)
    roots = [-c / b] if a == 0 else [r.real for r in np.roots([a, b, c]) if abs(r.imag) < 1e-12]
    pts = sorted([-60.0, 60.0] + [r for r in roots if abs(r) < 60])
    return sum(
        integrate.quad(f, lo, hi, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
        for lo, hi in itertools.pairwise(pts)
    )


@pytest.mark.parametrize(
    "law",
    [
        (0.0, 1.0, 0.0, 2.0),
        (0.3, 1.0, -0.2, 0.5),
        (1.0, 1.0, 1.0, 1.0001),
        (0.0, 1.0, 3.0, 1.0),
        (0.0, 4.0, 9.0, 0.01),
    ],
)
def test_tv_1d_against_quadrature(law):
    m1, v1, m2, v2 = law
    tv = tv_distance(EigenGaussian([m1], [v1]), EigenGaussian([m2], [v2]))
    assert tv.exact  # crossing points / erf
    assert tv.value == pytest.approx(_tv_quad_1d(*law), abs=1e-12)


def test_tv_equal_covariances_is_erf_of_mahalanobis():
    p = Gaussian([0.0, 0.0], [[2.0, 0.5], [0.5, 1.0]])
    for dm in ([1e-6, 0.0], [0.5, -1.0], [3.0, 2.0]):
        q = Gaussian(dm, p.cov)
        delta = math.sqrt(np.asarray(dm) @ np.linalg.solve(p.cov, dm))
        tv = tv_distance(p, q)
        assert tv.exact
        assert tv.value == pytest.approx(2 * stats.norm.cdf(delta / 2) - 1, rel=1e-9, abs=1e-15)


def _tv_quad_2d(g1, g2):
    """∫∫ |p - q| / 2 by nested Gauss-Kronrod, split where p = q (roots of a quadratic in y for each x, and
    the x where those roots merge), so every piece is smooth and quad reaches ~1e-12."""
    P1, P2 = np.linalg.inv(g1.cov), np.linalg.inv(g2.cov)
    A = P2 - P1  # l(v) = v'Av/2 + b'v + c
    b = P1 @ g1.mean - P2 @ g2.mean
    c = -0.5 * g1.mean @ P1 @ g1.mean + 0.5 * g2.mean @ P2 @ g2.mean
    c += 0.5 * (np.linalg.slogdet(g2.cov)[1] - np.linalg.slogdet(g1.cov)[1])
    n1 = 1 / (2 * math.pi * math.sqrt(np.linalg.det(g1.cov)))
    n2 = 1 / (2 * math.pi * math.sqrt(np.linalg.det(g2.cov)))

    def dens(v, m, P, norm):
        u0, u1 = v[0] - m[0], v[1] - m[1]
        return norm * math.exp(-0.5 * (P[0, 0] * u0 * u0 + 2 * P[0, 1] * u0 * u1 + P[1, 1] * u1 * u1))

    # beyond 11 standard deviations of the wider law the mass is below 1e-26
    L = 11.0 * math.sqrt(max(np.linalg.eigvalsh(g1.cov)[-1], np.linalg.eigvalsh(g2.cov)[-1]))
    L += float(np.max(np.abs(np.concatenate([g1.mean, g2.mean]))))

    def inner(x):
        qa, qb, qc = A[1, 1] / 2, A[0, 1] * x + b[1], A[0, 0] * x * x / 2 + b[0] * x + c
        roots = np.roots([qa, qb, qc]) if qa else np.array([-qc / qb])
        pts = sorted([-L, L] + [float(r.real) for r in roots if abs(r.imag) < 1e-12 and abs(r.real) < L])
        f = lambda y: abs(dens((x, y), g1.mean, P1, n1) - dens((x, y), g2.mean, P2, n2)) / 2  # noqa: E731
        return sum(
            integrate.quad(f, lo, hi, epsabs=1e-14, epsrel=1e-13, limit=200)[0]
            for lo, hi in itertools.pairwise(pts)
        )

    # discriminant of the quadratic in y vanishes at the x where two crossing points merge
    qa = A[1, 1] / 2
    disc = [A[0, 1] ** 2 - 4 * qa * A[0, 0] / 2, 2 * A[0, 1] * b[1] - 4 * qa * b[0], b[1] ** 2 - 4 * qa * c]
    xs = [float(r.real) for r in np.roots(disc) if abs(r.imag) < 1e-12 and abs(r.real) < L]
    pts = sorted([-L, L, *xs])
    return sum(
        integrate.quad(inner, lo, hi, epsabs=1e-12, epsrel=1e-12, limit=200)[0]
        for lo, hi in itertools.pairwise(pts)
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_tv_2d_against_quadrature(seed):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    g1 = Gaussian(rng.normal(size=2) * 0.3, A @ A.T + 0.5 * np.eye(2))
    g2 = Gaussian(rng.normal(size=2) * 0.3, B @ B.T + 0.5 * np.eye(2))
    tv = tv_distance(g1, g2, atol=1e-10)
    ref = _tv_quad_2d(g1, g2)
    # the reference is smooth piecewise Gauss-Kronrod (~1e-11; the mass outside its box is below 1e-26);
    # our own error estimate is below 1e-10: 1e-9 leaves a margin of 10
    assert tv.value == pytest.approx(ref, abs=1e-9)
    assert tv.extra["error"] <= 1e-10


@pytest.mark.parametrize("d", [5, 10, 20])
def test_tv_against_monte_carlo(d):
    p, q = _random_pair(d, seed=100 + d, spread=0.4)
    tv = tv_distance(p, q)
    assert tv.extra["reached"] and tv.half_width <= 1e-8
    rng = np.random.default_rng(d)
    n = 400_000

    def log_ratio(x):
        lp = -0.5 * np.sum((x - p.mean) ** 2 / p.var + np.log(p.var), axis=1)
        lq = -0.5 * np.sum((x - q.mean) ** 2 / q.var + np.log(q.var), axis=1)
        return lp - lq

    xp = p.mean + np.sqrt(p.var) * rng.standard_normal((n, d))
    xq = q.mean + np.sqrt(q.var) * rng.standard_normal((n, d))
    a, b = log_ratio(xp) > 0, log_ratio(xq) > 0
    mc = a.mean() - b.mean()
    se = math.sqrt((a.var() + b.var()) / n)
    assert abs(mc - tv.value) <= 5 * se  # 5 standard errors of the difference of two independent means


def test_tv_of_nearly_equal_laws():
    p, q = EigenGaussian([0.0, 0.0], [1.0, 1.0]), EigenGaussian([1e-7, 0.0], [1.0, 1.0 + 1e-9])
    tv = tv_distance(p, q)
    assert 0 <= tv.ci_low <= tv.value <= tv.ci_high <= 1
    # the mean part alone: erf(1e-7 / (2 sqrt 2)) = 1e-7 phi(0) (to 1e-21); the variance part adds at most
    # sqrt(KL / 2) = 3.6e-10 (Pinsker, KL = (1e-9)^2 / 4)
    assert abs(tv.value - stats.norm.pdf(0) * 1e-7) <= tv.extra["error"] + 4e-10


# -------------------------------------------------------------------------------------------- singular laws


def test_singular_coordinates_in_a_shared_basis():
    p = EigenGaussian([0.0, 1.0], [1.0, 0.0])
    q = EigenGaussian([0.5, 1.0], [2.0, 0.0])
    # both degenerate at the same point in coordinate 2: the divergences are those of coordinate 1
    p1, q1 = EigenGaussian([0.0], [1.0]), EigenGaussian([0.5], [2.0])
    assert kl_divergence(p, q) == kl_divergence(p1, q1)
    assert hellinger_distance(p, q) == hellinger_distance(p1, q1)
    assert tv_distance(p, q).value == tv_distance(p1, q1).value
    moved = EigenGaussian([0.5, 1.1], [2.0, 0.0])
    spread = EigenGaussian([0.5, 1.0], [2.0, 1e-3])
    for other in (moved, spread):
        assert kl_divergence(p, other) == math.inf
        assert hellinger_distance(p, other) == 1.0
        assert tv_distance(p, other).value == 1.0
    assert kl_divergence(spread, p) == math.inf


def test_singular_dense_laws():
    U = _rotation(3, 5)
    p = EigenGaussian([0.0, 0.2, 1.0], [1.0, 2.0, 0.0], U).to_gaussian()
    q = EigenGaussian([0.3, 0.0, 1.0], [1.5, 1.0, 0.0], U).to_gaussian()
    # same affine support: the divergences of the 2-D restrictions
    p2, q2 = EigenGaussian([0.0, 0.2], [1.0, 2.0]), EigenGaussian([0.3, 0.0], [1.5, 1.0])
    assert kl_divergence(p, q) == pytest.approx(kl_divergence(p2, q2), rel=1e-9)
    assert hellinger_distance(p, q) == pytest.approx(hellinger_distance(p2, q2), rel=1e-9)
    assert tv_distance(p, q).value == pytest.approx(tv_distance(p2, q2).value, abs=2e-8)
    off = EigenGaussian([0.3, 0.0, 1.5], [1.5, 1.0, 0.0], U).to_gaussian()
    full = EigenGaussian([0.3, 0.0, 1.0], [1.5, 1.0, 1.0], U).to_gaussian()
    assert kl_divergence(p, off) == math.inf and hellinger_distance(p, off) == 1.0
    assert tv_distance(p, off).value == 1.0
    assert kl_divergence(p, full) == math.inf  # p is not absolutely continuous w.r.t. q
    assert kl_divergence(full, p) == math.inf
    assert hellinger_distance(p, full) == 1.0


# -------------------------------------------------------------------------------------------- large d, errors


def test_large_diagonal_dimension_runs():
    d = 100_000
    rng = np.random.default_rng(0)
    v = rng.uniform(0.5, 2.0, d)
    p = EigenGaussian(rng.normal(size=d) / math.sqrt(d), v)
    q = EigenGaussian(np.zeros(d), v * (1 + rng.uniform(-0.3, 0.3, d) / math.sqrt(d)))
    kl, h, tv = kl_divergence(p, q), hellinger_distance(p, q), tv_distance(p, q)
    assert 0 < kl < 1 and 0 < h < 1
    assert tv.extra["reached"] and tv.half_width <= 1e-8
    slack = tv.extra["error"]
    assert h * h - slack <= tv.value <= math.sqrt(kl / 2) + slack


def test_bad_input():
    p = EigenGaussian([0.0, 0.0], [1.0, 1.0])
    with pytest.raises(ShapeError):
        kl_divergence(p, EigenGaussian([0.0], [1.0]))
    with pytest.raises(ShapeError):
        tv_distance(p, Gaussian([0.0, 0.0, 0.0], np.eye(3)))
    with pytest.raises(InvalidTypeError):
        hellinger_distance(p, np.eye(2))
    with pytest.raises(InvalidTypeError):
        kl_divergence(_SamplerLaw("not a law"), p)
    with pytest.raises(InvalidParameterError):
        tv_distance(p, p, atol=0.0)
    with pytest.raises(InvalidTypeError):
        tv_distance(p, p, atol="1e-8")
    with pytest.raises(InvalidParameterError):
        EigenGaussian([0.0, float("nan")], [1.0, 1.0])
    with pytest.raises(InvalidParameterError):  # not PSD
        Gaussian([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]])


def test_dense_path_refuses_huge_matrices(monkeypatch):
    import sgmverify.metrics._divergences as mod

    monkeypatch.setattr(mod, "MAX_DENSE_BYTES", 1000)  # as if d = 10 were d = 10^5
    p = EigenGaussian(np.zeros(10), np.ones(10))
    q = EigenGaussian(np.zeros(10), np.ones(10), _rotation(10, 0))
    with pytest.raises(InvalidParameterError, match="too large"):
        kl_divergence(p, q)
    assert kl_divergence(p, EigenGaussian(np.ones(10), np.ones(10))) == 5.0  # shared basis: no matrix


def test_tv_interval_when_the_node_budget_is_too_small(monkeypatch):
    import sgmverify.metrics._generalized_chi2 as gchi2

    p, q = _random_pair(3, seed=0)
    ref = tv_distance(p, q)  # ~1e5 nodes, error <= 1e-8
    monkeypatch.setattr(gchi2, "_MAX_NODES", 200)
    tv = tv_distance(p, q)
    assert not tv.extra["reached"] and "NOT reached" in tv.method and "Le Cam" in tv.method
    assert tv.half_width > 1e-8
    h = hellinger_distance(p, q)
    assert h * h - 1e-12 <= tv.ci_low <= ref.value <= tv.ci_high <= h * math.sqrt(2 - h * h) + 1e-12


# -------------------------------------------------------------------------------------------- tiny variances


def _mp_tv_1d_var(v1, v2):
    """TV of N(0, v1) and N(0, v2) in 50-digit arithmetic: the densities cross at x^2 = v1 v2 log(v2/v1)
    / (v2 - v1), TV = |erf(x / sqrt(2 v1)) - erf(x / sqrt(2 v2))|."""
    with mpmath.workdps(50):
        v1, v2 = mpmath.mpf(v1), mpmath.mpf(v2)
        x = mpmath.sqrt(v1 * v2 * mpmath.log(v2 / v1) / (v2 - v1))
        return float(abs(mpmath.erf(x / mpmath.sqrt(2 * v1)) - mpmath.erf(x / mpmath.sqrt(2 * v2))))


# (variances of p, variances of q): the reviewer's cases (a direction of variance 1e-11, eigenvalue ratio
# below the old 1e-10 singularity threshold), both orders; truth TV 0.16606, KL 0.09657, H 0.17034 and
# TV 0.9999868, KL(p||q) 12.164, H 0.99874
_TINY = [((1e-11, 1.0), (2e-11, 1.0)), ((2e-11, 1.0), (1e-11, 1.0)), ((1e-11, 1.0), (1.0, 1.0)),
         ((1.0, 1.0), (1e-11, 1.0))]  # fmt: skip


@pytest.mark.parametrize(("a", "b"), _TINY)
def test_tiny_variance_direction_dense_diagonal(a, b):
    mpmath.mp.dps = 50
    p, q = Gaussian([0.0, 0.0], np.diag(a)), Gaussian([0.0, 0.0], np.diag(b))
    pe, qe = EigenGaussian([0.0, 0.0], a), EigenGaussian([0.0, 0.0], b)
    ref_kl, ref_h, ref_tv = float(_mp_kl_1d(0, a[0], 0, b[0])), float(_mp_h_1d(0, a[0], 0, b[0])), None
    ref_tv = _mp_tv_1d_var(a[0], b[0])
    # diagonal float64 matrices hold their variances exactly and the Rayleigh quotient keeps the relative
    # digits of a small variance: both paths agree with the 50-digit closed forms to ~1e-14 relative
    for x, y in [(p, q), (pe, qe)]:
        assert kl_divergence(x, y) == pytest.approx(ref_kl, rel=1e-12)
        assert hellinger_distance(x, y) == pytest.approx(ref_h, rel=1e-12)
        tv = tv_distance(x, y)
        assert tv.exact and "crossing points" in tv.method
        assert tv.value == pytest.approx(ref_tv, rel=1e-12)
    assert 0.16 < ref_tv < 0.17 or ref_tv > 0.99998  # not the old "identical laws" (0) / "singular" (1)


def _mp_kl_dense(g1, g2):
    """KL by the textbook dense formula in 50-digit arithmetic, on the float64 matrices given."""
    with mpmath.workdps(50):
        S1, S2 = mpmath.matrix(g1.cov.tolist()), mpmath.matrix(g2.cov.tolist())
        dm = mpmath.matrix(g1.mean.tolist()) - mpmath.matrix(g2.mean.tolist())
        S2i, d = S2**-1, S1.rows
        tr = sum((S2i * S1)[i, i] for i in range(d))
        return (tr - d + mpmath.log(mpmath.det(S2) / mpmath.det(S1)) + (dm.T * S2i * dm)[0]) / 2


def _mp_h_dense(g1, g2):
    with mpmath.workdps(50):
        S1, S2 = mpmath.matrix(g1.cov.tolist()), mpmath.matrix(g2.cov.tolist())
        dm = mpmath.matrix(g1.mean.tolist()) - mpmath.matrix(g2.mean.tolist())
        Sb = (S1 + S2) / 2
        log_bc = mpmath.log(mpmath.det(S1) * mpmath.det(S2)) / 4 - mpmath.log(mpmath.det(Sb)) / 2
        log_bc -= (dm.T * Sb**-1 * dm)[0] / 8
        return mpmath.sqrt(-mpmath.expm1(log_bc))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("a", "b"), _TINY)
def test_tiny_variance_direction_dense_rotated_against_mpmath(a, b, seed):
    U = _rotation(2, seed)
    p = EigenGaussian([0.0, 0.3], a, U).to_gaussian()
    q = EigenGaussian([0.0, 0.3], b, U).to_gaussian()
    assert np.count_nonzero(p.cov - np.diag(np.diagonal(p.cov))) == 2  # really dense
    # the matrices are the input; the 50-digit references are evaluated on those very float64 matrices.
    # Cholesky whitening is backward stable, so the computed generalized variances carry a relative error
    # ~ eps * cond <= 2.2e-16 * 1e11 = 2.2e-5 (cond: of either covariance; measured up to 7.7e-6 on KL):
    # 4 eps cond leaves a margin
    cond = max(max(a) / min(a), max(b) / min(b))
    tol = 4 * np.finfo(float).eps * cond
    assert kl_divergence(p, q) == pytest.approx(float(_mp_kl_dense(p, q)), rel=tol)
    assert hellinger_distance(p, q) == pytest.approx(float(_mp_h_dense(p, q)), rel=tol)
    # TV is invariant under the common map x -> U x, so the laws before rounding have the 1-D closed-form
    # TV; rounding the matrices (and the whitening) moves the variance ratio by a relative rho <= tol,
    # which moves TV by at most sqrt(KL/2) <= rho / 2 (Pinsker, KL = rho^2/4 + O(rho^3) per coordinate)
    tv = tv_distance(p, q)
    assert tv.value not in (0.0, 1.0)  # not the old "identical laws" / "mutually singular"
    assert tv.value == pytest.approx(_mp_tv_1d_var(a[0], b[0]), abs=tv.extra["error"] + tol)
    assert 0.1 < tv.value < 0.2 or 0.99998 < tv.value < 1.0


def test_singular_decided_at_round_off_is_an_interval_not_exact():
    # a rotated direction of variance 1e-20: its float64 matrix cannot resolve it (round-off ~ 1e-15)
    U = _rotation(2, 1)
    p = EigenGaussian([0.0, 0.0], [1e-20, 1.0], U).to_gaussian()
    q = EigenGaussian([0.0, 0.0], [1.0, 1.0], U).to_gaussian()
    tv = tv_distance(p, q)
    assert not tv.exact and "round-off" in tv.method
    # TV >= H^2 >= 1 - sqrt(2) r^(1/4) with r the round-off level ~ 10 eps
    assert tv.ci_high == 1.0 and 0.999 < tv.ci_low < 1.0
    # the same laws held exactly (diagonal) are resolved: TV = 1 - O(1e-10)
    tvd = tv_distance(Gaussian([0.0, 0.0], np.diag([1e-20, 1.0])), Gaussian([0.0, 0.0], np.eye(2)))
    assert tvd.exact and tvd.value == pytest.approx(_mp_tv_1d_var(1e-20, 1.0), rel=1e-12)
    assert kl_divergence(Gaussian([0.0, 0.0], np.diag([1e-20, 1.0])), Gaussian([0.0, 0.0], np.eye(2))) == (
        pytest.approx(float(_mp_kl_1d(0, 1e-20, 0, 1.0)), rel=1e-12)
    )
