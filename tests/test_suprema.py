"""Suprema over x of derivatives of log p_t (`sgmverify.regularity._scan`), against laws with known
suprema.

References (math reference docs/papers/stephanovitch_2025.md, §3.2):
* Gaussian N(mu, Sigma): the Hessian is the constant -(m^2 Sigma + v I)^{-1} (R6), so every supremum is an
  eigenvalue formula, exact to round-off.
* Two-point law +-a, here as a mixture of N(+-a, eps) (then exactly V = v + m^2 eps plays the role of v):
  log p_t = log cosh(m a x / V) - x^2/(2V) + const, so d2 = (ma/V)^2 sech^2 - 1/V (max at x = 0, R2) and
  d3 = (ma/V)^3 tanh'' with sup|tanh''| = 4/(3 sqrt 3) (R11).
* Uniform on [-1, 1] in the VE convention (m = 1): p = [Phi((1-x)/s) - Phi((-1-x)/s)]/2, written here in
  mpmath at 40 digits; inf lambda_min = -1/v is a limit as |x| -> infinity (R1, R3), and
  s^3 sup|d3| = sup|(log Phi)'''| (R8) up to an exp(-2/s^2) coupling of the two edges.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.regularity import Landmarks, ScanConfig, scan_sup, sup_over_x
from sgmverify.sde import OU


class _UniformVE:
    """Uniform[-1, 1] noised in the VE convention (m = 1, variance v), derivatives k = 0..3 in mpmath."""

    dim = 1

    def __init__(self, v: float) -> None:
        self.s = mpmath.sqrt(mpmath.mpf(v))

    def _one(self, x: float, k: int) -> float:
        with mpmath.workdps(40):
            s = self.s
            a, b = (-1 - mpmath.mpf(x)) / s, (1 - mpmath.mpf(x)) / s
            z = mpmath.ncdf(b) - mpmath.ncdf(a) if x > 0 else mpmath.ncdf(-a) - mpmath.ncdf(-b)
            pa, pb = mpmath.npdf(a), mpmath.npdf(b)
            # derivatives in x of Z = Phi(b) - Phi(a), with a' = b' = -1/s and phi'(u) = -u phi(u)
            z1 = -(pb - pa) / s
            z2 = -(b * pb - a * pa) / s**2
            z3 = -((b * b - 1) * pb - (a * a - 1) * pa) / s**3
            r1, r2, r3 = z1 / z, z2 / z, z3 / z
            vals = [mpmath.log(z / 2), r1, r2 - r1**2, r3 - 3 * r2 * r1 + 2 * r1**3]
            return float(vals[k])

    def log_density_derivative(self, x: np.ndarray, k: int) -> np.ndarray:
        x = np.asarray(x, dtype=float).reshape(-1)
        return np.array([self._one(float(xi), k) for xi in x]).reshape((len(x),) + (1,) * k)


def test_uniform_reference_is_right():
    """The test law's derivatives agree with mpmath.diff of its log-density (independent check)."""
    law = _UniformVE(0.01)
    for x in (-1.3, 0.2, 0.95):
        with mpmath.workdps(40):
            f = lambda y: mpmath.log((mpmath.ncdf((1 - y) / law.s) - mpmath.ncdf((-1 - y) / law.s)) / 2)  # noqa: E731
            for k in (1, 2, 3):
                ref = float(mpmath.diff(f, mpmath.mpf(x), k))
                got = float(law.log_density_derivative(np.array([[x]]), k)[0].item())
                assert got == pytest.approx(ref, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("d", [1, 3])
def test_gaussian_suprema_exact(d):
    rng = np.random.default_rng(d)
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    lam = np.geomspace(0.1, 2.0, d) if d > 1 else np.array([0.3])
    law = Gaussian(np.linspace(-1, 1, d), (q * lam) @ q.T)
    t = 0.2
    m, v = math.exp(-t), -math.expm1(-2 * t)
    cfg = ScanConfig.coarse()
    lip = sup_over_x(law, OU(), t, 2, config=cfg)
    assert lip.value == pytest.approx(1 / (m * m * lam.min() + v), rel=1e-12)
    assert lip.kind == "attained"
    top = sup_over_x(law, OU(), t, 2, side="max", config=cfg)
    assert top.value == pytest.approx(-1 / (m * m * lam.max() + v), rel=1e-12)
    low = sup_over_x(law, OU(), t, 2, side="min", config=cfg)
    assert low.value == pytest.approx(-1 / (m * m * lam.min() + v), rel=1e-12)


@pytest.mark.parametrize("t", [0.3, 0.01, 1e-4])
def test_two_point_diameter_sharp_and_order3(t):
    a, eps = 1.0, 1e-9
    law = GaussianMixture([0.5, 0.5], [[-a], [a]], [[[eps]], [[eps]]])
    m, v = math.exp(-t), -math.expm1(-2 * t)
    big_v = v + m * m * eps
    top = sup_over_x(law, OU(), t, 2, side="max")
    assert top.value == pytest.approx(m * m * a * a / big_v**2 - 1 / big_v, rel=1e-9)
    assert abs(top.location[0]) < 1e-6 * math.sqrt(big_v)  # at the midpoint (the medial set)
    k3 = sup_over_x(law, OU(), t, 3)
    # |tanh''| peaks at artanh(1/sqrt 3) off the midpoint: the refinement must find the exact value
    assert k3.value == pytest.approx((m * a / big_v) ** 3 * 4 / (3 * math.sqrt(3)), rel=1e-9)
    assert k3.kind == "attained"


@pytest.mark.parametrize("v", [1e-2, 1e-4])
def test_uniform_floor_is_a_limit_and_boundary_constant(v):
    law = _UniformVE(v)
    marks = Landmarks(np.array([[-1.0], [0.0], [1.0]]), compact=True, pairs=((0, 1), (1, 2)))
    cfg = ScanConfig(layer=6.0, layer_step=0.1, far=1e5, far_per_decade=3, bulk=20, n_refine=2)
    low = scan_sup(law, 2, 1.0, v, marks, side="min", config=cfg)
    assert low.kind == "limit"
    # far field at |u| = 1e5: H + 1/v = 1/x^2, relative (s/x)^2 ~ 1e-10
    assert low.value == pytest.approx(-1 / v, rel=1e-9)
    assert low.value >= -1 / v * (1 + 1e-12)  # never below the floor R1
    assert low.far_field_gap < 1e-8 / v
    top = scan_sup(law, 2, 1.0, v, marks, side="max", config=cfg)
    assert top.value <= 0.0  # log-concave: lambda_max <= 0 (R4 with alpha = 0, R8)
    k3 = scan_sup(law, 3, 1.0, v, marks, config=cfg)
    c3 = _log_phi_d3_sup()
    assert k3.value * v**1.5 == pytest.approx(float(c3), rel=1e-8)
    assert k3.kind == "attained"


def _log_phi_d3_sup() -> float:
    """sup |(log Phi)^(3)|: with r = phi/Phi, (log Phi)^(3) = -r + r (u + r)(u + 2r); extremum by mpmath."""
    with mpmath.workdps(50):

        def d3(u):
            r = mpmath.npdf(u) / mpmath.ncdf(u)
            return -r + r * (u + r) * (u + 2 * r)

        u_star = mpmath.findroot(lambda u: mpmath.diff(d3, u), 1.0)  # max near u = 1
        return float(abs(d3(u_star)))


def test_estimate_carries_evidence():
    law = Gaussian([0.0], [[1.0]])
    r = sup_over_x(law, OU(), 0.1, 2, config=ScanConfig.coarse())
    est = r.estimate()
    assert est.exact and est.value == r.value
    assert "evaluations" in est.method and "attained" in est.method


def test_bad_input():
    law = Gaussian([0.0], [[1.0]])
    with pytest.raises(InvalidParameterError, match="k must"):
        sup_over_x(law, OU(), 0.1, 5)
    with pytest.raises(InvalidParameterError, match="k = 2"):
        sup_over_x(law, OU(), 0.1, 3, side="max")
    with pytest.raises(InvalidParameterError, match="side"):
        sup_over_x(law, OU(), 0.1, 2, side="up")
    pt = law.noised(OU(), 0.1)
    with pytest.raises(ShapeError, match="landmarks"):
        scan_sup(pt, 2, 0.9, 0.1, Landmarks(np.zeros((2, 3))))
    with pytest.raises(InvalidParameterError, match="m > 0"):
        scan_sup(pt, 2, 0.9, 0.0, Landmarks(np.zeros((1, 1))))
    with pytest.raises(InvalidParameterError, match="layer"):
        ScanConfig(layer=1.0, layer_step=2.0)


def test_laws_module_atoms_and_box():
    """The suite's laws (sgmverify.laws): two-point sup lambda_max = m^2/v^2 - 1/v at 0 (R2, exact), and the
    box's inf lambda_min = -1/v reached only in the far field (R1/R3)."""
    laws = pytest.importorskip("sgmverify.laws._singular")
    t = 1e-4
    m, v = math.exp(-t), -math.expm1(-2 * t)
    top = sup_over_x(laws.Atoms.two_point(1.0), OU(), t, 2, side="max")
    assert top.value == pytest.approx(m * m / v**2 - 1 / v, rel=1e-9)
    assert top.kind == "attained" and abs(top.location[0]) < 1e-3 * math.sqrt(v)
    low = sup_over_x(laws.UniformBox(-1.0, 1.0), OU(), t, 2, side="min")
    assert low.kind == "limit" and low.value == pytest.approx(-1 / v, rel=1e-12)


def test_unbounded_derivative_at_small_t_is_a_limit() -> None:
    """Regression (tests/test_fuzz.py): no interior maximum, only far-field ends, used to be an IndexError."""
    r = sup_over_x(Gaussian([0.3], [[0.7]]), OU(), 0.05, 1)
    assert r.kind == "limit" and math.isfinite(r.value)


def test_junk_input_raises_sgmverify_errors() -> None:
    """Found by tests/test_fuzz.py: strings for config fields, a string law, a junk config or side."""
    from sgmverify.errors import InvalidTypeError

    with pytest.raises(InvalidParameterError, match="bulk"):
        ScanConfig(bulk="x = __import__('os')")
    with pytest.raises(InvalidParameterError, match="far"):
        ScanConfig(far=10**400)
    with pytest.raises(InvalidParameterError, match="layer_step"):
        ScanConfig(layer_step=1e-300)
    law = Gaussian([0.0], [[1.0]])
    with pytest.raises(InvalidTypeError, match="law"):
        sup_over_x("`__import__('os')`", OU(), 0.5, 1)
    with pytest.raises(InvalidTypeError, match="config"):
        sup_over_x(law, OU(), 0.5, 1, config=object())
    with pytest.raises(InvalidParameterError, match="side"):
        sup_over_x(law, OU(), 0.5, 2, side=np.array(["max"]))
    with pytest.raises(InvalidParameterError, match="k must"):
        sup_over_x(law, OU(), 0.5, True)
    with pytest.raises(InvalidParameterError):
        scan_sup(law.noised(OU(), 0.5), 1, "0.6", 0.6, Landmarks(np.zeros((1, 1))))
