"""Data distributions: construction, validation, log-densities, sampling moments, noised laws.

References are independent of the code under test: scipy.stats densities, analytic moments, and the
analytic noised law N(m mu, m^2 Sigma + sigma^2 I).  Monte Carlo checks use a fixed seed and 5-standard-
error bands (two-sided normal tail 5.7e-7 per comparison, so a correct implementation essentially never
fails, while a wrong variance or mean of a few percent is caught at these sample sizes).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from scipy import stats

from sgmverify.errors import (
    ExpressionError,
    InvalidParameterError,
    NotPSDError,
    ShapeError,
    TimeDomainError,
    WeightsError,
)
from sgmverify.laws import Density1D, Gaussian, GaussianMixture, NoisedDensity1D, Product


class OUStandIn:
    """Duck-typed OU process: m(t) = e^{-t}, sigma^2(t) = 1 - e^{-2t}."""

    def __init__(self, t_max: float = math.inf):
        self.t_max = t_max

    def mean_coeff(self, t):
        return math.exp(-t)

    def var(self, t):
        return -math.expm1(-2.0 * t)


OU = OUStandIn()
X = sp.Symbol("x")
Z5 = 5.0  # width of the Monte Carlo bands, in standard errors


def assert_mean_in_band(samples: np.ndarray, mean: np.ndarray, cov: np.ndarray) -> None:
    se = np.sqrt(np.diag(cov) / len(samples))
    assert np.all(np.abs(samples.mean(axis=0) - mean) <= Z5 * se), (samples.mean(axis=0), mean)


def assert_cov_in_band(samples: np.ndarray, cov: np.ndarray) -> None:
    # Var of the sample covariance entry (i, j) of a Gaussian: (S_ii S_jj + S_ij^2) / n.  For a
    # non-Gaussian law we use the empirical fourth moments instead (computed from the samples).
    n = len(samples)
    c = samples - samples.mean(axis=0)
    prod = c[:, :, None] * c[:, None, :]
    se = prod.std(axis=0) / math.sqrt(n)
    assert np.all(np.abs(prod.mean(axis=0) - cov) <= Z5 * se + 1e-12), (prod.mean(axis=0), cov)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# ---------------------------------------------------------------------------------------------------
# Gaussian
# ---------------------------------------------------------------------------------------------------

COV3 = np.array([[2.0, 0.6, -0.3], [0.6, 1.0, 0.2], [-0.3, 0.2, 0.5]])
MEAN3 = np.array([1.0, -2.0, 0.5])


def test_gaussian_log_prob_and_score_match_scipy():
    g = Gaussian(MEAN3, COV3)
    pts = np.random.default_rng(0).standard_normal((7, 3)) * 2
    ref = stats.multivariate_normal(MEAN3, COV3).logpdf(pts)
    np.testing.assert_allclose(g.log_prob(pts), ref, rtol=1e-13)
    np.testing.assert_allclose(g.score(pts), -np.linalg.solve(COV3, (pts - MEAN3).T).T, rtol=1e-12)
    # a single point of shape (d,) gives outputs without the leading axis
    assert np.ndim(g.log_prob(pts[0])) == 0
    assert g.score(pts[0]).shape == (3,) and g.score_jacobian(pts[0]).shape == (3, 3)
    assert g.score_hessian(pts).shape == (7, 3, 3, 3)


def test_gaussian_eigh_is_ascending_cached_and_reconstructs_cov():
    g = Gaussian(MEAN3, COV3)
    vals, vecs = g.eigh()
    assert np.all(np.diff(vals) >= 0)
    assert g.eigh()[0] is vals and g.eigh()[1] is vecs
    np.testing.assert_allclose((vecs * vals) @ vecs.T, COV3, atol=1e-14)


def test_gaussian_scalar_cov_and_1d():
    g = Gaussian([0.0, 0.0], 2.0)
    np.testing.assert_allclose(g.cov, 2.0 * np.eye(2))
    g1 = Gaussian([1.0], [[4.0]])
    assert g1.dim == 1
    np.testing.assert_allclose(g1.log_prob([[3.0]]), stats.norm(1.0, 2.0).logpdf([3.0]), rtol=1e-14)


@pytest.mark.parametrize("t", [0.0, 1e-4, 0.3, 2.0])
def test_gaussian_noised_matches_analytic_law(t):
    g = Gaussian(MEAN3, COV3)
    m, v = math.exp(-t), -math.expm1(-2 * t)
    gt = g.noised(OU, t)
    cov_t = m * m * COV3 + v * np.eye(3)
    np.testing.assert_allclose(gt.mean, m * MEAN3, rtol=1e-15)
    np.testing.assert_allclose(gt.cov, cov_t, rtol=1e-13, atol=1e-15)
    pts = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_allclose(
        gt.log_prob(pts), stats.multivariate_normal(m * MEAN3, cov_t).logpdf(pts), rtol=1e-12
    )


def test_gaussian_sampling_moments(rng):
    g = Gaussian(MEAN3, COV3)
    s = g.sample(100_000, rng)
    assert s.shape == (100_000, 3)
    assert_mean_in_band(s, MEAN3, COV3)
    assert_cov_in_band(s, COV3)


def test_gaussian_singular_cov_samples_but_no_density(rng):
    a = np.array([[1.0, 0.0], [1.0, 0.0]])  # rank one: mass on the line x1 = x2
    g = Gaussian([0.0, 1.0], a @ a.T)
    s = g.sample(1000, rng)
    np.testing.assert_allclose(s[:, 1] - s[:, 0], 1.0, atol=1e-12)
    with pytest.raises(NotPSDError, match="singular"):
        g.log_prob(s)
    with pytest.raises(NotPSDError, match="singular"):
        g.score(s)
    # noising makes it positive definite
    assert np.all(np.isfinite(g.noised(OU, 0.1).score(s)))


def test_gaussian_validation_errors():
    with pytest.raises(NotPSDError, match="symmetric"):
        Gaussian([0.0, 0.0], [[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(NotPSDError, match=r"smallest eigenvalue -1"):
        Gaussian([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]])  # eigenvalues 3 and -1
    with pytest.raises(InvalidParameterError, match="NaN"):
        Gaussian([0.0, np.nan], np.eye(2))
    with pytest.raises(InvalidParameterError, match="NaN"):
        Gaussian([0.0, 0.0], [[1.0, np.nan], [np.nan, 1.0]])
    with pytest.raises(ShapeError):
        Gaussian([0.0, 0.0], np.eye(3))
    with pytest.raises(ShapeError):
        Gaussian(np.zeros((2, 2)), np.eye(2))
    g = Gaussian([0.0, 0.0], np.eye(2))
    with pytest.raises(ShapeError):
        g.log_prob(np.zeros((4, 3)))
    with pytest.raises(InvalidParameterError, match="NaN"):
        g.score([[0.0, np.nan]])
    with pytest.raises(InvalidParameterError, match="Generator"):
        g.sample(3, 0)
    with pytest.raises(InvalidParameterError):
        g.sample(-1, np.random.default_rng(0))


def test_derivatives_order_validation():
    g = Gaussian([0.0], [[1.0]])
    assert g.derivatives([[0.5]], 2).jacobian.shape == (1, 1, 1)
    with pytest.raises(InvalidParameterError, match="order"):
        g.derivatives([[0.5]], 4)


def test_time_domain_errors():
    g = Gaussian([0.0], [[1.0]])
    with pytest.raises(TimeDomainError):
        g.noised(OU, -0.1)
    with pytest.raises(TimeDomainError):
        g.noised(OUStandIn(t_max=1.0), 1.0)
    with pytest.raises(InvalidParameterError):
        g.noised(OU, float("nan"))


def test_real_processes_work_when_available():
    processes = pytest.importorskip("sgmverify.sde")
    g = Gaussian(MEAN3, COV3)
    for proc in (processes.OU(), processes.VP(0.1, 20.0)):
        t = 0.2
        m, v = float(proc.mean_coeff(t)), float(proc.var(t))
        np.testing.assert_allclose(g.noised(proc, t).cov, m * m * COV3 + v * np.eye(3), rtol=1e-12)
    with pytest.raises(TimeDomainError):
        g.noised(processes.Cosine(), 1.0)


# ---------------------------------------------------------------------------------------------------
# Gaussian mixture
# ---------------------------------------------------------------------------------------------------

W = np.array([0.2, 0.5, 0.3])
MEANS = np.array([[0.0, 0.0], [3.0, 1.0], [-2.0, 2.5]])
COVS = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.4, 0.0], [0.0, 0.9]], [[0.7, -0.2], [-0.2, 0.3]]])


def mixture_moments(w, means, covs):
    mean = w @ means
    second = sum(wk * (ck + np.outer(mk, mk)) for wk, mk, ck in zip(w, means, covs))
    return mean, second - np.outer(mean, mean)


def test_mixture_log_prob_matches_scipy():
    mix = GaussianMixture(W, MEANS, COVS)
    pts = np.random.default_rng(2).standard_normal((6, 2)) * 2
    dens = sum(wk * stats.multivariate_normal(mk, ck).pdf(pts) for wk, mk, ck in zip(W, MEANS, COVS))
    np.testing.assert_allclose(mix.log_prob(pts), np.log(dens), rtol=1e-12)


def test_mixture_sampling_moments(rng):
    mix = GaussianMixture(W, MEANS, COVS)
    s = mix.sample(100_000, rng)
    mean, cov = mixture_moments(W, MEANS, COVS)
    assert_mean_in_band(s, mean, cov)
    assert_cov_in_band(s, cov)
    np.testing.assert_allclose(mix.mean, mean)
    np.testing.assert_allclose(mix.cov, cov)


def test_mixture_noised_is_mixture_of_noised_components():
    t = 0.4
    m, v = math.exp(-t), -math.expm1(-2 * t)
    mt = GaussianMixture(W, MEANS, COVS).noised(OU, t)
    assert isinstance(mt, GaussianMixture)
    np.testing.assert_array_equal(mt.weights, W)
    np.testing.assert_allclose(mt.means, m * MEANS, rtol=1e-15)
    np.testing.assert_allclose(mt.covs, m * m * COVS + v * np.eye(2), rtol=1e-13)


def test_mixture_shared_cov_and_zero_weight():
    mix = GaussianMixture([0.0, 1.0], MEANS[:2], COVS[0])
    pts = np.array([[0.5, 0.5], [3.0, 1.0]])
    ref = stats.multivariate_normal(MEANS[1], COVS[0]).logpdf(pts)
    np.testing.assert_allclose(mix.log_prob(pts), ref, rtol=1e-13)
    assert np.all(np.isfinite(mix.score_hessian(pts)))


@pytest.mark.parametrize(
    "weights, match",
    [
        ([0.5, 0.6, -0.1], ">= 0"),
        ([0.2, 0.5, np.nan], "NaN"),
        ([0.2, 0.5, 0.2], "sum to 1"),
        ([0.2, 0.5, 0.3 + 1e-8], "sum"),
    ],
)
def test_mixture_weights_errors(weights, match):
    with pytest.raises(WeightsError, match=match):
        GaussianMixture(weights, MEANS, COVS)


def test_mixture_weights_within_tolerance_are_accepted():
    mix = GaussianMixture([0.2, 0.5, 0.3 + 5e-10], MEANS, COVS)
    assert abs(mix.weights.sum() - 1.0) < 1e-15


def test_mixture_shape_and_psd_errors():
    with pytest.raises(ShapeError):
        GaussianMixture(W, MEANS[:2], COVS)
    with pytest.raises(ShapeError):
        GaussianMixture(W, MEANS, COVS[:, :1, :1])
    with pytest.raises(InvalidParameterError, match="NaN"):
        GaussianMixture(W, [[0, 0], [np.nan, 1], [2, 2]], COVS)
    bad = COVS.copy()
    bad[1] = [[1.0, 2.0], [2.0, 1.0]]
    with pytest.raises(NotPSDError, match="smallest eigenvalue"):
        GaussianMixture(W, MEANS, bad)


# ---------------------------------------------------------------------------------------------------
# Density1D
# ---------------------------------------------------------------------------------------------------


def test_density1d_laplace_normalisation():
    lap = Density1D(-sp.Abs(X), (-math.inf, math.inf))
    # quad per panel at epsrel 1e-11: the normaliser log 2 to ~1e-12
    assert abs(lap.log_norm - math.log(2.0)) < 1e-12
    pts = np.array([[-3.0], [0.0], [0.25], [7.0]])
    np.testing.assert_allclose(lap.log_prob(pts), stats.laplace.logpdf(pts[:, 0]), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lap.score(pts)[:, 0], -np.sign(pts[:, 0]))


def test_density1d_beta_with_params_and_support():
    a, b = sp.symbols("a b")
    beta = Density1D(
        (a - 1) * sp.log(X) + (b - 1) * sp.log(1 - X), (0.0, 1.0), variable="x", params={"a": 2.5, b: 5}
    )
    pts = np.array([[0.01], [0.3], [0.99]])
    np.testing.assert_allclose(beta.log_prob(pts), stats.beta(2.5, 5).logpdf(pts[:, 0]), rtol=1e-11)
    z = pts[:, 0]
    np.testing.assert_allclose(beta.score(pts)[:, 0], 1.5 / z - 4.0 / (1 - z), rtol=1e-13)
    np.testing.assert_allclose(
        beta.score_jacobian(pts)[:, 0, 0], -1.5 / z**2 - 4.0 / (1 - z) ** 2, rtol=1e-13
    )
    np.testing.assert_allclose(
        beta.score_hessian(pts)[:, 0, 0, 0], 3.0 / z**3 - 8.0 / (1 - z) ** 3, rtol=1e-13
    )
    out = beta.log_prob([[-0.5], [1.5]])
    assert np.all(out == -np.inf)
    assert np.all(np.isnan(beta.score([[-0.5], [1.5]])))


def test_density1d_heavy_tail_and_string_expression():
    cauchy = Density1D("-log(1 + x**2)", (-np.inf, np.inf))
    assert abs(cauchy.log_norm - math.log(math.pi)) < 1e-10
    np.testing.assert_allclose(cauchy.log_prob([[2.0]]), stats.cauchy.logpdf([2.0]), rtol=1e-11)


def test_density1d_sampling_moments(rng):
    lap = Density1D(-sp.Abs(X), (-math.inf, math.inf))
    s = lap.sample(100_000, rng)
    assert s.shape == (100_000, 1)
    assert_mean_in_band(s, np.zeros(1), np.array([[2.0]]))
    assert_cov_in_band(s, np.array([[2.0]]))  # Laplace(0, 1): variance 2
    beta = Density1D(sp.log(X) + 4 * sp.log(1 - X), (0.0, 1.0))
    s = beta.sample(100_000, rng)
    var = 2 * 5 / (7**2 * 8)
    assert_mean_in_band(s, np.array([2 / 7]), np.array([[var]]))
    assert_cov_in_band(s, np.array([[var]]))
    assert s.min() >= 0.0 and s.max() <= 1.0
    # the tabulated inverse CDF reproduces the CDF: Kolmogorov-Smirnov against scipy's Beta(2, 5)
    assert stats.kstest(s[:, 0], stats.beta(2, 5).cdf).pvalue > 1e-4


def test_noised_density1d_sampling_moments(rng):
    lap = Density1D(-sp.Abs(X), (-math.inf, math.inf))
    t = 0.5
    m, v = math.exp(-t), -math.expm1(-2 * t)
    nd = lap.noised(OU, t)
    assert isinstance(nd, NoisedDensity1D)
    s = nd.sample(100_000, rng)
    var = m * m * 2.0 + v
    assert_mean_in_band(s, np.zeros(1), np.array([[var]]))
    assert_cov_in_band(s, np.array([[var]]))


def test_density1d_noised_at_time_zero():
    lap = Density1D(-sp.Abs(X), (-math.inf, math.inf))
    assert lap.noised(OU, 0.0) is lap  # whole line: p_0 = q
    beta = Density1D(sp.log(X) + sp.log(1 - X), (0.0, 1.0))
    with pytest.raises(TimeDomainError, match="t > 0"):
        beta.noised(OU, 0.0)
    with pytest.raises(TimeDomainError):
        beta.noised(OU, -1.0)


def test_density1d_expression_errors():
    mu = sp.Symbol("mu")
    with pytest.raises(ExpressionError, match="mu"):
        Density1D(-((X - mu) ** 2), (-np.inf, np.inf), variable=X)
    with pytest.raises(ExpressionError, match="free symbols"):
        Density1D(-((X - mu) ** 2), (-np.inf, np.inf))
    with pytest.raises(ExpressionError, match="parse"):
        Density1D("-(x**2", (-np.inf, np.inf))
    with pytest.raises(ExpressionError, match="integrable"):
        Density1D(sp.Integer(0) * X, (-np.inf, np.inf))
    with pytest.raises(InvalidParameterError, match="finite real"):
        Density1D(-((X - mu) ** 2), (-np.inf, np.inf), params={"mu": float("nan")})
    # declared params are fine
    d = Density1D(-((X - mu) ** 2) / 2, (-np.inf, np.inf), params={"mu": 1.5})
    np.testing.assert_allclose(d.log_prob([[1.0]]), stats.norm(1.5, 1.0).logpdf([1.0]), rtol=1e-12)


def test_density1d_support_and_shape_errors():
    with pytest.raises(InvalidParameterError, match="a < b"):
        Density1D(-X, (1.0, 0.0))
    with pytest.raises(InvalidParameterError, match="NaN"):
        Density1D(-X, (0.0, float("nan")))
    with pytest.raises(ShapeError):
        Density1D(-X, (0.0,))
    lap = Density1D(-sp.Abs(X), (-np.inf, np.inf))
    with pytest.raises(ShapeError, match=r"\(n, 1\)"):
        lap.log_prob(np.zeros(5))
    assert np.ndim(lap.log_prob(0.3)) == 0  # a scalar is one point of a 1-D law


# ---------------------------------------------------------------------------------------------------
# Product
# ---------------------------------------------------------------------------------------------------


def test_product_of_density1d_and_gaussian(rng):
    lap = Density1D(-sp.Abs(X), (-np.inf, np.inf))
    g = Gaussian([1.0, -1.0], [[1.0, 0.4], [0.4, 2.0]])
    prod = Product([lap, g])
    assert prod.dim == 3
    pts = np.random.default_rng(3).standard_normal((5, 3))
    ref = stats.laplace.logpdf(pts[:, 0]) + stats.multivariate_normal(g.mean, g.cov).logpdf(pts[:, 1:])
    np.testing.assert_allclose(prod.log_prob(pts), ref, rtol=1e-12)
    jac = prod.score_jacobian(pts)
    assert np.all(jac[:, 0, 1:] == 0) and np.all(jac[:, 1:, 0] == 0)
    np.testing.assert_allclose(jac[:, 1:, 1:], np.broadcast_to(-np.linalg.inv(g.cov), (5, 2, 2)), rtol=1e-13)
    np.testing.assert_allclose(prod.score(pts)[:, 0], -np.sign(pts[:, 0]))
    s = prod.sample(50_000, rng)
    cov = np.zeros((3, 3))
    cov[0, 0], cov[1:, 1:] = 2.0, g.cov
    assert_mean_in_band(s, np.array([0.0, 1.0, -1.0]), cov)
    assert_cov_in_band(s, cov)


def test_product_noised_is_product_of_noised():
    t = 0.2
    g1, g2 = Gaussian([0.5], [[2.0]]), Gaussian([-1.0], [[0.5]])
    pn = Product([g1, g2]).noised(OU, t)
    m, v = math.exp(-t), -math.expm1(-2 * t)
    pts = np.array([[0.1, 0.2], [1.0, -2.0]])
    ref = stats.norm(0.5 * m, math.sqrt(2 * m * m + v)).logpdf(pts[:, 0])
    ref += stats.norm(-m, math.sqrt(0.5 * m * m + v)).logpdf(pts[:, 1])
    np.testing.assert_allclose(pn.log_prob(pts), ref, rtol=1e-13)
    assert pn.score_hessian(pts).shape == (2, 2, 2, 2)


def test_product_errors():
    with pytest.raises(InvalidParameterError):
        Product([])
    with pytest.raises(InvalidParameterError, match="not an sgmverify distribution"):
        Product([Gaussian([0.0], [[1.0]]), "laplace"])


# ---------------------------------------------------------------------------------------------------
# log_density_derivative(x, k), k = 0..4 (the same API on every law)
# ---------------------------------------------------------------------------------------------------


def test_log_density_derivative_agrees_with_the_named_methods():
    rng = np.random.default_rng(3)
    mix = GaussianMixture([0.4, 0.6], [[0.0, 1.0], [2.0, -1.0]], [np.eye(2), 0.5 * np.eye(2)]).noised(OU, 0.2)
    x = rng.standard_normal((4, 2))
    for k, named in enumerate((mix.log_prob, mix.score, mix.score_jacobian, mix.score_hessian)):
        np.testing.assert_array_equal(mix.log_density_derivative(x, k), named(x))
    assert mix.log_density_derivative(x, 4).shape == (4, 2, 2, 2, 2)
    assert mix.log_density_derivative(x[0], 4).shape == (2, 2, 2, 2)


def test_gaussian_fourth_derivative_is_zero_and_hessian_exact():
    g = Gaussian([1.0, -1.0], [[2.0, 0.3], [0.3, 1.0]]).noised(OU, 1e-6)
    x = np.array([[0.0, 0.0], [5.0, -3.0]])
    np.testing.assert_array_equal(g.log_density_derivative(x, 4), 0.0)
    # digest R6: Hessian = -(m^2 Sigma + v I)^{-1} at every x (float64 closed form, no cancellation)
    ref = -np.linalg.inv(g.cov)
    np.testing.assert_allclose(g.log_density_derivative(x, 2), np.stack([ref, ref]), rtol=1e-13)


def test_product_fourth_derivative_is_block_diagonal():
    a = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[0.2]], [[0.2]]])
    b = Gaussian([0.0, 0.0], np.eye(2))
    prod = Product([a, b]).noised(OU, 0.1)
    x = np.array([[0.3, 0.1, -0.2]])
    d4 = prod.log_density_derivative(x, 4)
    np.testing.assert_array_equal(
        d4[0, 0, 0, 0, 0], a.noised(OU, 0.1).log_density_derivative(x[:, :1], 4)[0, 0, 0, 0, 0]
    )
    mask = np.zeros((3,) * 4, dtype=bool)
    mask[0, 0, 0, 0] = True
    assert np.all(d4[0][~mask] == 0.0)
    np.testing.assert_allclose(
        prod.log_density_derivative(x, 0),
        a.noised(OU, 0.1).log_prob(x[:, :1]) + b.noised(OU, 0.1).log_prob(x[:, 1:]),
        rtol=1e-14,
    )


def test_density1d_fourth_derivative_of_data_law():
    d = Density1D(-(X**4) / 4 - X**2 / 2, (-math.inf, math.inf))
    x = np.array([[0.5], [-1.0]])
    np.testing.assert_allclose(d.log_density_derivative(x, 4).ravel(), [-6.0, -6.0])
    np.testing.assert_allclose(d.log_density_derivative(x, 3).ravel(), [-3.0, 6.0])


def test_log_density_derivative_order_errors():
    g = Gaussian([0.0], [[1.0]])
    for k in (5, -1):
        with pytest.raises(InvalidParameterError, match="out of range"):
            g.log_density_derivative([[0.0]], k)
    for k in (2.0, None, False):
        with pytest.raises(InvalidParameterError, match="integer"):
            g.log_density_derivative([[0.0]], k)
    with pytest.raises(ShapeError):
        g.log_density_derivative(np.zeros((2, 2)), 1)
