"""The data laws of ``sgmverify.laws._singular`` and the derivatives of their noised log-densities (k = 0..4).

Independent references (none calls the code under test):

* the noised log-density by mpmath quadrature, ``log int q(y) N(x; m y, v) dy`` (k = 0);
* the noised log-density in closed form written here in mpmath (a sum of Gaussians, normal CDFs, ``besseli``,
  ``hyp1f1``; the closed form itself is checked against the quadrature) and differentiated by ``mpmath.diff``
  at 60 + 2 log10(1/v) digits (k = 1..4) -- the code uses posterior cumulants instead of differentiating;
* exact values from the Stéphanovitch digest (R2, R7, R8, R9, R11);
* the generic posterior-cumulant path of :class:`~sgmverify.laws.Density1D` (closed form vs generic).
"""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, WeightsError
from sgmverify.laws import (
    Atoms,
    Density1D,
    HolderCusp,
    Product,
    UniformBox,
    UniformCircle,
    log_density_derivative,
)


class OUStandIn:
    """OU: m(t) = e^{-t}, sigma^2(t) = 1 - e^{-2t}."""

    t_max = math.inf

    def mean_coeff(self, t):
        return math.exp(-t)

    def var(self, t):
        return -math.expm1(-2.0 * t)


class VEStandIn:
    """VE with m = 1, sigma^2(t) = t (so v = t exactly, as in the digest's VE tables)."""

    t_max = math.inf

    def mean_coeff(self, t):
        return 1.0

    def var(self, t):
        return float(t)


OU, VE = OUStandIn(), VEStandIn()
TIMES = [0.5, 1e-2, 1e-4]


def ref_dps(v):
    # mpmath.diff's finite differences lose ~k log10(1/s) digits and the forms cancel ~log10(1/v) more
    return 40 + math.ceil(2 * math.log10(1 / v))


# ---------------------------------------------------------------------------------------------------
# independent closed forms of log p_t (mpmath), one per law
# ---------------------------------------------------------------------------------------------------


def logp_atoms(points, weights, m, v):
    def f(*x):
        tot = 0
        for y, w in zip(points, weights):
            sq = sum((xi - m * mpmath.mpf(yi)) ** 2 for xi, yi in zip(x, y))
            tot += w * mpmath.exp(-sq / (2 * v))
        return mpmath.log(tot) - len(x) * mpmath.log(2 * mpmath.pi * v) / 2

    return f


def logp_interval(lo, hi, m, v):
    def f(x):
        s = mpmath.sqrt(v)
        al, be = (m * lo - x) / s, (m * hi - x) / s
        # Phi(be) - Phi(al) = Phi(-al) - Phi(-be): take the form whose terms are not both near 1
        diff = mpmath.ncdf(be) - mpmath.ncdf(al) if al + be <= 0 else mpmath.ncdf(-al) - mpmath.ncdf(-be)
        return mpmath.log(diff / (m * (hi - lo)))

    return f


def logp_circle(radius, m, v):
    def f(a, b):
        r = mpmath.sqrt(a * a + b * b)
        return (
            -mpmath.log(2 * mpmath.pi * v)
            - (r * r + (m * radius) ** 2) / (2 * v)
            + mpmath.log(mpmath.besseli(0, m * radius * r / v))
        )

    return f


def logp_cusp(beta, a, m, v):
    # digest §5: p_t = phi_S(x) (1 + a V^{b/2} c_b 1F1(-b/2; 1/2; -mu^2/(2V))) / (1 + a c_b), S = m^2 + v
    def f(x):
        b = mpmath.mpf(beta)
        S = mpmath.mpf(m) ** 2 + v
        V, mu = v / S, m * x / S
        cb = 2 ** (b / 2) * mpmath.gamma((b + 1) / 2) / mpmath.sqrt(mpmath.pi)
        fac = 1 + a * cb * V ** (b / 2) * mpmath.hyp1f1(-b / 2, 0.5, -(mu**2) / (2 * V))
        return mpmath.log(mpmath.npdf(x, 0, mpmath.sqrt(S)) * fac / (1 + a * cb))

    return f


def mp_tensor(f, x, k, dps):
    """k-th derivative tensor of f at the point x (tuple), by mpmath.diff at ``dps`` digits."""
    d = len(x)
    out = np.zeros((d,) * k)
    cache = {}
    with mpmath.workdps(dps):
        xm = tuple(mpmath.mpf(float(z)) for z in x)
        for idx in itertools.product(range(d), repeat=k):
            orders = tuple(idx.count(j) for j in range(d))
            if orders not in cache:
                cache[orders] = float(mpmath.diff(f, xm, orders) if d > 1 else mpmath.diff(f, xm[0], k))
            out[idx] = cache[orders]
    return out


def check_against(law, f, pts, ks=(0, 1, 2, 3, 4), rtol=1e-8):
    """Compare log_density_derivative with mpmath.diff of f at pts (rows).

    Tolerance: 1e-8 relative to each value (the contract), plus 1e-11 times the largest value of that order
    over the points: values that vanish (odd orders at centres of symmetry, derivatives deep inside a box
    where
    they are ~e^{-1000}) are zero to that absolute accuracy.
    """
    dps = ref_dps(law.v)
    for k in ks:
        got = law.log_density_derivative(np.asarray(pts, dtype=float), k)
        ref = np.stack([mp_tensor(f, p, k, dps) for p in pts])
        scale = float(np.abs(ref).max())
        err = np.abs(got - ref)
        bad = err > rtol * np.abs(ref) + 1e-11 * scale
        assert not bad.any(), (k, law, np.asarray(pts)[np.any(bad.reshape(len(pts), -1), axis=1)], got, ref)


# ---------------------------------------------------------------------------------------------------
# cumulant identities against direct high-precision differentiation, per law
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", TIMES)
def test_two_point_law_all_orders(t):
    law = Atoms.two_point(1.0).noised(OU, t)
    m, v = law.m, law.v
    s = math.sqrt(v)
    # midpoint, near the midpoint, exactly on an atom, a noise scale off it, far tail
    pts = [[0.0], [0.7 * s], [m], [m + s], [m + 40 * s], [-3.0]]
    check_against(law, logp_atoms([[-1.0], [1.0]], [0.5, 0.5], m, v), pts)


@pytest.mark.parametrize("t", [0.3, 1e-3])
def test_atoms_in_2d_all_orders(t):
    points = np.array([[0.0, 0.0], [1.0, 0.5], [-0.5, 1.0]])
    weights = [0.2, 0.5, 0.3]
    law = Atoms(points, weights).noised(OU, t)
    m, v = law.m, law.v
    mid = m * (points[0] + points[1]) / 2
    pts = [tuple(m * points[1]), tuple(mid), tuple(mid + np.array([0.3 * math.sqrt(v), 0.0])), (2.0, -1.0)]
    check_against(law, logp_atoms(points, weights, m, v), pts)


@pytest.mark.parametrize("t", TIMES)
def test_uniform_interval_all_orders(t):
    law = UniformBox(-1.0, 2.0).noised(OU, t)
    m, v = law.m, law.v
    s = math.sqrt(v)
    # centre, inside near the edge, exactly on the edge, just outside, 30 s outside, far out
    pts = [[0.5 * m], [2 * m - 0.5 * s], [2 * m], [2 * m + s], [-m - 30 * s], [6.0]]
    check_against(law, logp_interval(-1.0, 2.0, m, v), pts)


@pytest.mark.parametrize("t", TIMES)
def test_uniform_circle_all_orders(t):
    law = UniformCircle(1.5).noised(OU, t)
    m, v = law.m, law.v
    s = math.sqrt(v)
    R = 1.5 * m
    # centre, tiny radius (series branch), on the circle, s off it (normal and oblique), outside
    pts = [(0.0, 0.0), (1e-9, -2e-9), (R * 0.6, R * 0.8), (-(R + s), 0.0), (0.3, 0.4), (2.0, -3.0)]
    check_against(law, logp_circle(1.5, m, v), pts)


@pytest.mark.parametrize("beta", [0.5, 1.0, 1.5])
@pytest.mark.parametrize("t", TIMES)
def test_holder_cusp_all_orders(beta, t):
    law = HolderCusp(beta, a=1.0).noised(OU, t)
    m, v = law.m, law.v
    s = math.sqrt(v)
    pts = [[0.0], [0.3 * s], [-s], [1.1 * s], [0.7], [-4.0]]
    check_against(law, logp_cusp(beta, 1.0, m, v), pts)


def test_closed_forms_of_log_pt_match_quadrature():
    # the test's own closed forms (used as references above) against log int q(y) N(x; m y, v) dy
    t = 1e-2
    m, v = OU.mean_coeff(t), OU.var(t)
    with mpmath.workdps(30):
        M, V = mpmath.mpf(m), mpmath.mpf(v)

        def kern(x, y):
            return mpmath.exp(-((x - M * y) ** 2) / (2 * V)) / mpmath.sqrt(2 * mpmath.pi * V)

        for x in (0.0, 0.95, 1.3):
            X = mpmath.mpf(x)
            box = mpmath.quad(lambda y, X=X: kern(X, y) / 2, [-1, X / M, 1])
            assert abs(mpmath.log(box) - logp_interval(-1, 1, M, V)(X)) < 1e-20
            for beta in (0.5, 1.5):
                cb = (
                    2 ** (mpmath.mpf(beta) / 2)
                    * mpmath.gamma(mpmath.mpf(beta + 1) / 2)
                    / mpmath.sqrt(mpmath.pi)
                )

                def q(y, beta=beta, cb=cb):
                    return (1 + abs(y) ** beta) * mpmath.npdf(y) / (1 + cb)

                w = mpmath.sqrt(V) / M
                pts = [-mpmath.inf, 0, X / M - 10 * w, X / M, X / M + 10 * w, mpmath.inf]
                cusp = mpmath.quad(lambda y, X=X, q=q: q(y) * kern(X, y), sorted(set(pts)))
                assert abs(mpmath.log(cusp) - logp_cusp(beta, 1.0, M, V)(X)) < 1e-18
        # the circle: average over the angle
        for xy in ((0.3, 0.4), (0.0, 0.99)):
            X2 = [mpmath.mpf(z) for z in xy]
            circ = (
                mpmath.quad(
                    lambda th, X2=X2: mpmath.exp(
                        -((X2[0] - M * mpmath.cos(th)) ** 2 + (X2[1] - M * mpmath.sin(th)) ** 2) / (2 * V)
                    ),
                    mpmath.linspace(0, 2 * mpmath.pi, 9),
                )
                / (2 * mpmath.pi)
                / (2 * mpmath.pi * V)
            )
            assert abs(mpmath.log(circ) - logp_circle(1, M, V)(*X2)) < 1e-20


def fd_directional(logp, x0, e, h):
    """d^k/dl^k logp(x0 + l e) at l = 0, k = 1..4, by central differences on 5 points (error O(h^2))."""
    f = {j: logp(*[a + j * h * b for a, b in zip(x0, e)]) for j in (-2, -1, 0, 1, 2)}
    return [
        (f[1] - f[-1]) / (2 * h),
        (f[1] - 2 * f[0] + f[-1]) / h**2,
        (f[2] - 2 * f[1] + 2 * f[-1] - f[-2]) / (2 * h**3),
        (f[2] - 4 * f[1] + 6 * f[0] - 4 * f[-1] + f[-2]) / h**4,
    ]


def quad_logp(law, M, V):
    """log p_t by quadrature of int q(y) N(x; M y, V) dy (mpmath), per law, with breakpoints at the kinks
    and at the posterior bulk (the finite sum for atoms)."""
    w = mpmath.sqrt(V) / M
    two_pi_v = 2 * mpmath.pi * V
    if isinstance(law, Atoms):
        return logp_atoms(law.points, law.weights, M, V)
    if isinstance(law, UniformBox):
        lo, hi = (mpmath.mpf(float(z)) for z in (law.low[0], law.high[0]))

        def f(x):
            c = x / M
            pts = sorted({lo, hi} | {p for p in (c - 12 * w, c, c + 12 * w) if lo < p < hi})
            val = mpmath.quad(lambda y: mpmath.exp(-((x - M * y) ** 2) / (2 * V)), pts)
            return mpmath.log(val / (hi - lo) / mpmath.sqrt(two_pi_v))

        return f
    if isinstance(law, UniformCircle):
        rad = mpmath.mpf(law.radius)

        def f(a, b):
            th0 = mpmath.atan2(b, a)
            dth = 12 * w / rad
            pts = [th0 - mpmath.pi, th0 - dth, th0, th0 + dth, th0 + mpmath.pi]
            val = mpmath.quad(
                lambda th: mpmath.exp(
                    -((a - M * rad * mpmath.cos(th)) ** 2 + (b - M * rad * mpmath.sin(th)) ** 2) / (2 * V)
                ),
                pts,
            )
            return mpmath.log(val / (2 * mpmath.pi) / two_pi_v)

        return f
    beta = mpmath.mpf(law.beta)
    cb = 2 ** (beta / 2) * mpmath.gamma((beta + 1) / 2) / mpmath.sqrt(mpmath.pi)

    def f(x):
        c = x / M
        pts = sorted({-mpmath.inf, mpmath.mpf(0), c - 12 * w, c, c + 12 * w, mpmath.inf})
        val = mpmath.quad(
            lambda y: (
                (1 + law.a * abs(y) ** beta) * mpmath.npdf(y) * mpmath.exp(-((x - M * y) ** 2) / (2 * V))
            ),
            pts,
        )
        return mpmath.log(val / (1 + law.a * cb) / mpmath.sqrt(two_pi_v))

    return f


QUAD_CASES = {
    "atoms2d": (Atoms([[0.0, 0.0], [1.0, 0.5], [-0.5, 1.0]], [0.2, 0.5, 0.3]), (0.5, 0.25)),  # a midpoint
    "interval": (UniformBox(-1.0, 1.0), (0.98,)),
    "circle": (UniformCircle(1.0), (0.55, 0.8)),
    "cusp": (HolderCusp(0.5), (0.8,)),
}


@pytest.mark.parametrize("t", [1e-2, 1e-4])
@pytest.mark.parametrize("name", sorted(QUAD_CASES))
def test_cumulant_identities_against_differentiated_quadrature(name, t):
    # the direct route of digest §1.4: differentiate log int q(y) N(x; m y, v) dy itself (quadrature at 40
    # digits, 5-point central differences with step h = 1e-8 s along a direction e), against the
    # posterior-cumulant / closed-form values contracted with e
    data, xs = QUAD_CASES[name]
    law = data.noised(OU, t)
    s = math.sqrt(law.v)
    x0 = [z * law.m if name != "cusp" else z * s for z in xs]  # near the atoms / edge / circle / cusp
    e = np.ones(len(x0)) / math.sqrt(len(x0))
    got = []
    for k in (1, 2, 3, 4):
        tens = law.log_density_derivative(np.array([x0]), k)[0]
        for _ in range(k):
            tens = tens @ e
        got.append(float(tens))
    with mpmath.workdps(40):
        M, V = mpmath.mpf(law.m), mpmath.mpf(law.v)
        # step well below the length scale of p_t (v for atoms: logits ~ x.y / v; s for densities)
        h = mpmath.mpf(1e-6) * V if name == "atoms2d" else mpmath.mpf(1e-5) * mpmath.sqrt(V)
        ref = fd_directional(quad_logp(data, M, V), [mpmath.mpf(z) for z in x0], e, h)
        ref = [float(r) for r in ref]
    # truncation (h / scale)^2 <= 1e-10; round-off ~10^-38 (quadrature) / (h / scale)^4 <= 1e-18 of the
    # order's scale; so 1e-7 relative plus 1e-9 of the scale s^-k for values near zero is safe
    for k, (g, r) in enumerate(zip(got, ref), start=1):
        assert abs(g - r) <= 1e-7 * abs(r) + 1e-9 * s ** (-k), (k, g, r)


# ---------------------------------------------------------------------------------------------------
# closed forms vs the generic posterior-cumulant path (Density1D, Product)
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0.3, 1e-3])
def test_uniform_box_matches_generic_density1d_product(t):
    y = sp.Symbol("y")
    generic = Product([Density1D(sp.S(0), (-1, 1)), Density1D(sp.S(0), (0, 2))]).noised(OU, t)
    closed = UniformBox([-1, 0], [1, 2]).noised(OU, t)
    m = closed.m
    pts = np.array([[0.0, 1.0 * m], [0.98 * m, 2.0 * m], [1.2, -0.1]])
    del y
    for k in range(5):
        a, b = generic.log_density_derivative(pts, k), closed.log_density_derivative(pts, k)
        # float quadrature (t = 0.3) ~1e-10, mpmath (t = 1e-3) ~1e-14; zeros off the diagonal on both sides
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9 * np.abs(b).max())


@pytest.mark.parametrize("beta", [0.5, 1.5])
def test_holder_cusp_matches_generic_density1d(beta):
    y = sp.Symbol("y")
    dens = Density1D(sp.log(1 + sp.Abs(y) ** sp.nsimplify(beta)) - y**2 / 2, (-math.inf, math.inf))
    t = 0.3  # float quadrature on the generic side (fast); smaller t is covered by the mpmath.diff tests
    generic, closed = dens.noised(OU, t), HolderCusp(beta).noised(OU, t)
    pts = np.array([[0.05], [0.4], [2.5]])
    for k in range(5):
        a, b = generic.log_density_derivative(pts, k), closed.log_density_derivative(pts, k)
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)


# ---------------------------------------------------------------------------------------------------
# exact values from the digest
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("v, expected", [(0.25, 12.0), (0.01, 9900.0), (1e-4, 99_990_000.0)])
def test_two_point_midpoint_hessian_digest_r2(v, expected):
    law = Atoms.two_point(1.0).noised(VE, v)
    # responsibilities from logits of size 1/(2v): relative error ~ eps / (2v) <= 1e-12
    assert law.log_density_derivative([[0.0]], 2)[0, 0, 0] == pytest.approx(expected, rel=1e-11)


@pytest.mark.parametrize("v", [0.1, 1e-3, 1e-6])
def test_two_point_higher_orders_digest_r11(v):
    # d^k log p_t = (a/v)^k tanh^{(k-1)}(a x / v), a = 1 (VE)
    law = Atoms.two_point(1.0).noised(VE, v)
    xs = np.array([0.0, 0.2, 0.5, 1.0, 3.0]) * v
    with mpmath.workdps(50):
        ref = {k: [float(mpmath.diff(mpmath.tanh, x / v, k - 1) / v**k) for x in xs] for k in (3, 4)}
    for k in (3, 4):
        got = law.log_density_derivative(xs[:, None], k).ravel()
        np.testing.assert_allclose(got, ref[k], rtol=1e-9, atol=1e-12 * max(abs(r) for r in ref[k]))


@pytest.mark.parametrize("tau, centre", [(0.1, 40.0), (0.01, 4900.0), (0.001, 499000.0)])
def test_circle_centre_and_normal_eigenvalue_digest_r7(tau, centre):
    law = UniformCircle().noised(VE, tau)
    h = law.log_density_derivative([[0.0, 0.0]], 2)[0]
    np.testing.assert_allclose(h, centre * np.eye(2), rtol=1e-12)
    # the radial eigenvalue on the circle times tau: -0.947, -0.99498, -0.9995 (3-5 digits quoted)
    rad = law.log_density_derivative([[0.6, 0.8]], 2)[0]
    quoted = {0.1: -0.947, 0.01: -0.99498, 0.001: -0.9995}[tau]
    lam = float(np.array([0.6, 0.8]) @ rad @ np.array([0.6, 0.8]))
    assert tau * lam == pytest.approx(quoted, abs=6e-4)


def test_uniform_boundary_constant_digest_r8():
    # s^2 |d^2 log p_t| at 25 s outside the edge of [-1, 1] is -(log Phi)''(-25), the same for every s; the
    # digest quotes 0.99844 at "(x - 1)/s ~ 25" (the value at exactly 25 is 0.998415, at 25.2 it is 0.99844)
    with mpmath.workdps(40):
        ref = -float(mpmath.diff(lambda u: mpmath.log(mpmath.ncdf(u)), -25, 2))
    assert ref == pytest.approx(0.99844, abs=5e-5)
    for s in (0.1, 1e-3, 1e-5):
        law = UniformBox(-1, 1).noised(VE, s * s)
        val = law.log_density_derivative([[1 + 25 * s]], 2)[0, 0, 0]
        # 1 + 25 s is not exact in binary: relative shift of u by ~eps/s, i.e. <= 1e-10 at s = 1e-5
        assert -val * s * s == pytest.approx(ref, rel=1e-9)
    # log-concave: lambda_max <= 0 on a grid through the boundary layer
    law = UniformBox(-1, 1).noised(VE, 1e-6)
    xs = 1 + 1e-3 * np.linspace(-40, 40, 161)
    assert np.all(law.log_density_derivative(xs[:, None], 2) <= 0)


@pytest.mark.parametrize("beta", [0.5, 1.5])
@pytest.mark.parametrize("s", [1e-1, 1e-3, 1e-6])
def test_cusp_hessian_at_zero_digest_r9(beta, s):
    cb = 2 ** (beta / 2) * math.gamma((beta + 1) / 2) / math.sqrt(math.pi)
    ref = -1 / (1 + s * s) + beta * cb * s ** (beta - 2) * (1 + s * s) ** (-beta / 2 - 1) / (
        1 + cb * s**beta * (1 + s * s) ** (-beta / 2)
    )
    got = HolderCusp(beta).noised(VE, s * s).log_density_derivative([[0.0]], 2)[0, 0, 0]
    assert got == pytest.approx(ref, rel=1e-11)


def test_cusp_third_order_constant_digest_r10():
    # sup_x |d^3 log p_t| s^{3 - beta} ~ 0.342 (beta = 0.5) and 0.4333 (beta = 1.5), quoted to ~3 digits
    s = 1e-4
    for beta, c in ((0.5, 0.342), (1.5, 0.4333)):
        law = HolderCusp(beta).noised(VE, s * s)
        xs = s * np.linspace(0.02, 3.0, 150)
        sup = np.abs(law.log_density_derivative(xs[:, None], 3)).max() * s ** (3 - beta)
        assert sup == pytest.approx(c, rel=5e-3)


# ---------------------------------------------------------------------------------------------------
# edge cases
# ---------------------------------------------------------------------------------------------------


def test_far_tail_and_tiny_t_are_finite_and_right():
    t = 1e-9
    atoms = Atoms.two_point(1.0).noised(OU, t)
    v = atoms.v
    # far out: the posterior is one atom, d^2 = -1/v to the last digit; on the atom likewise
    for x in (1e3, atoms.m):
        assert atoms.log_density_derivative([[x]], 2)[0, 0, 0] == pytest.approx(-1 / v, rel=1e-12)
    for k in (3, 4):
        assert np.isfinite(atoms.log_density_derivative([[1e3]], k)).all()
    box = UniformBox(-1, 1).noised(OU, t)
    # 1e4 noise scales outside: log Phi'' -> -1 with relative correction 1/u^2 = 1e-8
    x = box.m + 1e4 * math.sqrt(v)
    val = box.log_density_derivative([[x]], 2)[0, 0, 0] * v
    assert val == pytest.approx(-1 + 1e-8, rel=1e-12)
    score = box.log_density_derivative([[x]], 1)[0, 0] * math.sqrt(v)
    with mpmath.workdps(40):
        ref = -float(mpmath.npdf(-1e4) / mpmath.ncdf(-1e4))  # d/du log Phi(-u) at u = 1e4
    assert score == pytest.approx(ref, rel=1e-12)


def test_absurdly_far_points_give_the_limits_without_warnings():
    # |x| = 1e200: the posterior is one atom / one edge; log p_t overflows to -inf, d^2 = -1/v exactly
    for data in (Atoms.two_point(), UniformBox(-1, 1), UniformCircle(), HolderCusp(0.5)):
        law = data.noised(OU, 1e-3)
        x = np.full((1, data.dim), 1e200)
        assert law.log_density_derivative(x, 0)[0] == -np.inf
        hess = law.log_density_derivative(x, 2)[0]
        lam = np.linalg.eigvalsh(hess.reshape(data.dim, data.dim))
        # -1/v for the compact laws; -1/(m^2 + v) for the cusp (its Gaussian tail)
        ref = -1 / (law.m**2 + law.v) if isinstance(data, HolderCusp) else -1 / law.v
        if isinstance(data, UniformCircle):
            lam = lam[:1]  # the tangential eigenvalue -1/v + m/(v |x|) equals it to rounding too
        np.testing.assert_allclose(lam, ref, rtol=1e-12)
        assert np.all(np.isfinite(law.log_density_derivative(x, 4)))


def test_single_point_shape_and_free_function_alias():
    law = UniformCircle().noised(OU, 0.1)
    x = np.array([0.3, -0.2])
    for k in range(5):
        a = law.log_density_derivative(x, k)
        assert a.shape == (2,) * k
        np.testing.assert_array_equal(log_density_derivative(law, x[None], k)[0], a)
    # the old API agrees with the new one
    np.testing.assert_array_equal(law.score(x[None]), law.log_density_derivative(x[None], 1))
    np.testing.assert_array_equal(law.score_hessian(x[None]), law.log_density_derivative(x[None], 3))


def test_sampling_moments():
    rng = np.random.default_rng(0)
    n = 200_000
    beta = 0.5
    law = HolderCusp(beta)
    y = law.sample(n, rng)[:, 0]
    cb2 = 2 ** ((beta + 2) / 2) * math.gamma((beta + 3) / 2) / math.sqrt(math.pi)
    ey2 = (1 + cb2) / (1 + law.c_beta)  # E y^2 = (1 + a E|N|^{beta+2}) / Z
    assert abs(np.mean(y * y) - ey2) < 5 * np.std(y * y) / math.sqrt(n)
    pts = Atoms([[0.0, 1.0], [2.0, 0.0]], [0.25, 0.75]).sample(n, rng)
    assert abs(np.mean(pts[:, 0] == 2.0) - 0.75) < 5 * math.sqrt(0.75 * 0.25 / n)
    c = UniformCircle(2.0).sample(10, rng)
    np.testing.assert_allclose(np.linalg.norm(c, axis=1), 2.0)
    b = UniformBox([0, -1], [1, 1]).sample(n, rng)
    assert b.min() >= -1 and np.all(b[:, 0] >= 0) and np.all(b.max(axis=0) <= 1)
    noised = UniformBox(-1, 1).noised(OU, 0.5)
    z = noised.sample(n, rng)[:, 0]
    var = noised.m**2 / 3 + noised.v
    assert abs(np.var(z) - var) < 5 * var * math.sqrt(2 / n)


def test_data_law_log_prob():
    box = UniformBox([0, 0], [2, 0.5])
    np.testing.assert_allclose(box.log_prob([[1.0, 0.1], [3.0, 0.1]]), [0.0, -np.inf])
    cusp = HolderCusp(1.0, a=2.0)
    with mpmath.workdps(30):
        tot = mpmath.quad(lambda y: mpmath.exp(float(cusp.log_prob([[float(y)]])[0])), [-12, 0, 12])
    assert float(tot) == pytest.approx(1.0, abs=1e-9)


# ---------------------------------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------------------------------


def test_bad_input_raises_specific_errors():
    law = UniformCircle().noised(OU, 0.1)
    for k in (5, -1):
        with pytest.raises(InvalidParameterError, match="k = "):
            law.log_density_derivative([[0.1, 0.2]], k)
    for k in (1.5, True, "2"):
        with pytest.raises(InvalidParameterError, match="integer"):
            law.log_density_derivative([[0.1, 0.2]], k)
    with pytest.raises(ShapeError, match=r"\(n, 2\)"):
        law.log_density_derivative(np.zeros((3, 3)), 1)
    with pytest.raises(WeightsError, match="> 0"):
        Atoms([[0.0], [1.0]], [1.0, 0.0])
    with pytest.raises(WeightsError, match="sum to 1"):
        Atoms([[0.0], [1.0]], [0.5, 0.6])
    with pytest.raises(ShapeError, match="one per point"):
        Atoms([[0.0], [1.0]], [1.0])
    with pytest.raises(InvalidParameterError, match="low must be < high"):
        UniformBox([0, 1], [1, 1])
    with pytest.raises(ShapeError):
        UniformBox([0, 0], [1, 1, 1])
    for beta in (0.0, 2.0, -1.0, float("nan")):
        with pytest.raises(InvalidParameterError, match="beta"):
            HolderCusp(beta)
    with pytest.raises(InvalidParameterError, match="a = "):
        HolderCusp(0.5, a=-0.1)
    with pytest.raises(InvalidParameterError, match="radius"):
        UniformCircle(0.0)
    for t in (0.0, -1.0):
        with pytest.raises(TimeDomainError, match="t > 0"):
            HolderCusp(0.5).noised(OU, t)
    with pytest.raises(InvalidParameterError, match="no density"):
        Atoms.two_point().log_prob([[0.0]])
    with pytest.raises(InvalidParameterError, match="not differentiable"):
        HolderCusp(0.5).score([[0.1]])
    with pytest.raises(InvalidParameterError):
        log_density_derivative(object(), [[0.0]], 1)


def test_product_of_new_laws_is_block_diagonal():
    a, b = HolderCusp(0.5), UniformBox(-1.0, 1.0)
    prod = Product([a, b]).noised(OU, 1e-3)
    x = np.array([[0.01, 0.999], [-0.3, 2.0]])
    for k in (2, 4):
        got = prod.log_density_derivative(x, k)
        np.testing.assert_array_equal(
            got[(slice(None),) + (0,) * k], a.noised(OU, 1e-3)._dk(x[:, :1], k).reshape(-1)
        )
        np.testing.assert_array_equal(
            got[(slice(None),) + (1,) * k], b.noised(OU, 1e-3)._dk(x[:, 1:], k).reshape(-1)
        )
        assert np.count_nonzero(got) <= 2 * len(x)
