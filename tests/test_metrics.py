"""Tests of sgmverify.metrics._gaussian (Gaussian closed forms) against independent references.

References used: the 1-D and commuting closed forms of W2 between Gaussians, POT's Bures function
(``ot.gaussian.bures_wasserstein_distance``), the trace formula with ``scipy.linalg.sqrtm``, the rank-one
closed form, the 1-D KL closed form and a Monte Carlo KL.  The sample-based distances are tested in
``test_empirical.py``.
"""

from __future__ import annotations

import math

import numpy as np
import ot
import pytest
import scipy.linalg
from scipy import stats

from sgmverify.errors import InvalidParameterError, NotPSDError, SgmverifyError, ShapeError
from sgmverify.metrics import (
    kl_gaussian,
    w2_gaussian,
    w2_gaussian_commuting,
    w2_squared_gaussian,
    w2_squared_gaussian_commuting,
)


def random_spd(rng: np.random.Generator, d: int, floor: float = 0.1) -> np.ndarray:
    A = rng.normal(size=(d, d))
    return A @ A.T + floor * np.eye(d)


def random_rotation(rng: np.random.Generator, d: int) -> np.ndarray:
    Q, R = np.linalg.qr(rng.normal(size=(d, d)))
    return Q * np.sign(np.diag(R))


# ---------------------------------------------------------------------------------------------------
# W2 between Gaussians
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m1", "s1", "m2", "s2"),
    [(0.0, 1.0, 1.0, 2.0), (-3.0, 0.5, 2.0, 0.1), (1.0, 1e-4, 1.0, 3.0), (0, 0, 2, 0)],
)
def test_w2_gaussian_1d_formula(m1: float, s1: float, m2: float, s2: float) -> None:
    expected_sq = (m1 - m2) ** 2 + (s1 - s2) ** 2
    # scalars (variances), shape (1,) and shape (1, 1) are all accepted for d = 1
    assert w2_squared_gaussian(m1, s1**2, m2, s2**2) == pytest.approx(expected_sq, rel=1e-13, abs=1e-15)
    assert w2_gaussian([m1], [s1**2], np.array([m2]), np.array([[s2**2]])) == pytest.approx(
        math.sqrt(expected_sq), rel=1e-13, abs=1e-15
    )


def test_w2_gaussian_diagonal_matches_commuting_formula() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.01, 5.0, size=4), rng.uniform(0.01, 5.0, size=4)
    m1, m2 = rng.normal(size=4), rng.normal(size=4)
    expected_sq = np.sum((m1 - m2) ** 2) + np.sum((np.sqrt(a) - np.sqrt(b)) ** 2)
    assert w2_squared_gaussian(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(expected_sq, rel=1e-13)
    assert w2_squared_gaussian_commuting(m1, a, m2, b) == pytest.approx(expected_sq, rel=1e-13)
    # A common rotation makes the matrices non-diagonal but still commuting: the general (Procrustes)
    # path must give the same number, and so must the commuting path given matrices.
    Q = random_rotation(rng, 4)
    S1, S2 = Q @ np.diag(a) @ Q.T, Q @ np.diag(b) @ Q.T
    S1, S2 = (S1 + S1.T) / 2, (S2 + S2.T) / 2
    assert w2_squared_gaussian(m1, S1, m2, S2) == pytest.approx(expected_sq, rel=1e-11)
    assert w2_squared_gaussian_commuting(m1, S1, m2, S2) == pytest.approx(expected_sq, rel=1e-11)
    assert w2_gaussian_commuting(m1, np.diag(a), m2, b) == pytest.approx(math.sqrt(expected_sq), rel=1e-13)


@pytest.mark.parametrize("d", [2, 3, 7, 20])
def test_w2_gaussian_matches_pot_and_trace_formula(d: int) -> None:
    rng = np.random.default_rng(d)
    S1, S2 = random_spd(rng, d), random_spd(rng, d)
    m1, m2 = rng.normal(size=d), rng.normal(size=d)
    ours = w2_gaussian(m1, S1, m2, S2)
    pot = float(ot.gaussian.bures_wasserstein_distance(m1, m2, S1, S2))
    assert ours == pytest.approx(pot, rel=1e-10)
    R1 = scipy.linalg.sqrtm(S1).real
    trace_sq = (
        np.sum((m1 - m2) ** 2)
        + np.trace(S1)
        + np.trace(S2)
        - 2 * np.trace(scipy.linalg.sqrtm(R1 @ S2 @ R1)).real
    )
    assert w2_squared_gaussian(m1, S1, m2, S2) == pytest.approx(trace_sq, rel=1e-10)
    assert ours == pytest.approx(math.sqrt(w2_squared_gaussian(m1, S1, m2, S2)), rel=1e-15)


def test_w2_gaussian_is_a_metric() -> None:
    rng = np.random.default_rng(7)
    for _ in range(20):
        laws = [(rng.normal(size=3), random_spd(rng, 3, floor=0.0)) for _ in range(3)]
        (ma, Sa), (mb, Sb), (mc, Sc) = laws
        ab, ba = w2_gaussian(ma, Sa, mb, Sb), w2_gaussian(mb, Sb, ma, Sa)
        assert ab == pytest.approx(ba, rel=1e-10)
        assert ab <= w2_gaussian(ma, Sa, mc, Sc) + w2_gaussian(mc, Sc, mb, Sb) + 1e-12
        # the mean enters only through |m1 - m2|^2, added to the centred (Bures) part
        assert w2_squared_gaussian(ma, Sa, mb, Sb) == pytest.approx(
            np.sum((ma - mb) ** 2) + w2_squared_gaussian(np.zeros(3), Sa, np.zeros(3), Sb), rel=1e-10
        )


def test_w2_gaussian_rank_one_closed_form() -> None:
    # S1 = v v^T, S2 = u u^T: S1^{1/2} = v v^T / |v|, tr(S1^{1/2} S2 S1^{1/2})^{1/2} = |v . u|
    rng = np.random.default_rng(3)
    for _ in range(5):
        v, u = rng.normal(size=3), rng.normal(size=3)
        expected_sq = v @ v + u @ u - 2 * abs(v @ u)
        got = w2_squared_gaussian(np.zeros(3), np.outer(v, v), np.zeros(3), np.outer(u, u))
        assert got == pytest.approx(expected_sq, rel=1e-7, abs=1e-7)


def test_w2_gaussian_nearly_singular_is_finite_and_nonnegative() -> None:
    rng = np.random.default_rng(4)
    Q = random_rotation(rng, 3)
    # eigenvalues at, just above and just below (round-off) zero
    for eigs in ([1.0, 1e-14, 0.0], [2.0, 1e-300, 1e-16], [1.0, 0.5, -1e-17]):
        S = Q @ np.diag(eigs) @ Q.T
        for other in (S, random_spd(rng, 3), np.zeros((3, 3)), np.diag([1.0, 1e-15, 1e-15])):
            val = w2_squared_gaussian(np.ones(3), S, np.ones(3), other)
            assert np.isfinite(val) and val >= 0.0
            assert kl_gaussian(np.ones(3), random_spd(rng, 3), np.ones(3), random_spd(rng, 3)) >= 0.0
    # Dirac masses: W2 is the distance between the points
    assert w2_gaussian([0.0, 0.0], np.zeros((2, 2)), [3.0, 4.0], np.zeros((2, 2))) == pytest.approx(5.0)


def test_w2_gaussian_identical_inputs_give_zero() -> None:
    rng = np.random.default_rng(5)
    for d in (1, 2, 6, 30):
        S, m = random_spd(rng, d), rng.normal(size=d)
        # the spec asks for <= 1e-7 (sqrt of round-off in the trace formula); the Procrustes form is
        # free of that cancellation and does much better
        assert w2_gaussian(m, S, m.copy(), S.copy()) <= 1e-10
        assert w2_squared_gaussian(m, S, m, S) >= 0.0
        assert w2_gaussian_commuting(m, S, m, S) == 0.0


def test_w2_gaussian_accepts_round_off_asymmetry_and_negative_eigenvalues() -> None:
    rng = np.random.default_rng(6)
    S = random_spd(rng, 4)
    noisy = S + 1e-14 * rng.normal(size=(4, 4))  # asymmetric only by round-off
    assert w2_gaussian(np.zeros(4), noisy, np.zeros(4), S) < 1e-6
    # an explicit rtol loosens / tightens the check
    with pytest.raises(NotPSDError):
        w2_gaussian(np.zeros(4), noisy, np.zeros(4), S, rtol=0.0)


# ---------------------------------------------------------------------------------------------------
# Gaussian error paths
# ---------------------------------------------------------------------------------------------------


def test_not_symmetric_raises_not_psd_with_advice() -> None:
    S = np.array([[1.0, 0.5], [0.0, 1.0]])
    with pytest.raises(NotPSDError, match="symmetrise") as info:
        w2_gaussian(np.zeros(2), S, np.zeros(2), np.eye(2))
    assert isinstance(info.value, SgmverifyError) and isinstance(info.value, ValueError)
    with pytest.raises(NotPSDError, match="S2"):
        kl_gaussian(np.zeros(2), np.eye(2), np.zeros(2), S)


def test_not_psd_raises_with_smallest_eigenvalue() -> None:
    S = np.array([[1.0, 2.0], [2.0, 1.0]])  # eigenvalues -1, 3
    for f in (w2_gaussian, w2_squared_gaussian, kl_gaussian, w2_gaussian_commuting):
        with pytest.raises(NotPSDError, match=r"smallest eigenvalue -1\b.*symmetrise"):
            f(np.zeros(2), S, np.zeros(2), np.eye(2))
    with pytest.raises(NotPSDError, match="negative"):
        w2_gaussian_commuting(np.zeros(2), [1.0, -0.5], np.zeros(2), [1.0, 1.0])
    with pytest.raises(NotPSDError):
        w2_gaussian(0.0, -1.0, 0.0, 1.0)


@pytest.mark.parametrize(
    ("m1", "S1", "m2", "S2"),
    [
        (np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)),  # different dimensions
        (np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)),  # mean / covariance disagree
        (np.zeros(2), np.ones((2, 3)), np.zeros(2), np.eye(2)),  # non-square
        (np.zeros(3), np.ones(3), np.zeros(3), np.eye(3)),  # ambiguous 1-D covariance
        (np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)),  # 2-D mean
        (np.zeros(2), np.ones((2, 2, 2)), np.zeros(2), np.eye(2)),  # 3-D covariance
    ],
)
def test_shape_errors(m1: np.ndarray, S1: np.ndarray, m2: np.ndarray, S2: np.ndarray) -> None:
    for f in (w2_gaussian, w2_squared_gaussian, kl_gaussian):
        with pytest.raises(ShapeError):
            f(m1, S1, m2, S2)


def test_commuting_errors() -> None:
    with pytest.raises(ShapeError):
        w2_gaussian_commuting(np.zeros(2), np.ones(3), np.zeros(2), np.ones(2))
    with pytest.raises(ShapeError):
        w2_gaussian_commuting(np.zeros(2), np.eye(3), np.zeros(2), np.ones(2))
    with pytest.raises(ShapeError):
        w2_gaussian_commuting(np.zeros(2), np.eye(2), np.zeros(3), np.ones(3))
    S1 = np.array([[2.0, 1.0], [1.0, 2.0]])
    with pytest.raises(InvalidParameterError, match="do not commute"):
        w2_gaussian_commuting(np.zeros(2), S1, np.zeros(2), [1.0, 3.0])


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_raises_invalid_parameter(bad: float) -> None:
    S_bad = np.array([[1.0, bad], [bad, 1.0]])
    for f in (w2_gaussian, w2_squared_gaussian, kl_gaussian, w2_gaussian_commuting):
        with pytest.raises(InvalidParameterError, match="NaN or inf") as info:
            f(np.zeros(2), S_bad, np.zeros(2), np.eye(2))
        assert not isinstance(info.value, NotPSDError)
        with pytest.raises(InvalidParameterError, match="NaN or inf"):
            f(np.array([0.0, bad]), np.eye(2), np.zeros(2), np.eye(2))


def test_invalid_rtol() -> None:
    with pytest.raises(InvalidParameterError, match="rtol"):
        w2_gaussian(0.0, 1.0, 0.0, 1.0, rtol=-1.0)


# ---------------------------------------------------------------------------------------------------
# KL between Gaussians
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("m1", "s1", "m2", "s2"), [(0.0, 1.0, 1.0, 2.0), (2.0, 0.3, -1.0, 1.5), (0, 1, 0, 1)]
)
def test_kl_gaussian_1d_closed_form(m1: float, s1: float, m2: float, s2: float) -> None:
    expected = math.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    assert kl_gaussian(m1, s1**2, m2, s2**2) == pytest.approx(expected, rel=1e-13, abs=1e-15)


def test_kl_gaussian_diagonal_is_sum_of_1d() -> None:
    rng = np.random.default_rng(8)
    a, b = rng.uniform(0.1, 3, size=5), rng.uniform(0.1, 3, size=5)
    m1, m2 = rng.normal(size=5), rng.normal(size=5)
    parts = [kl_gaussian(m1[i], a[i], m2[i], b[i]) for i in range(5)]
    assert kl_gaussian(m1, np.diag(a), m2, np.diag(b)) == pytest.approx(sum(parts), rel=1e-12)


def test_kl_gaussian_against_monte_carlo() -> None:
    rng = np.random.default_rng(9)
    d, n = 3, 200_000
    S1, S2 = random_spd(rng, d, floor=0.5), random_spd(rng, d, floor=0.5)
    m1, m2 = rng.normal(size=d), rng.normal(size=d)
    x = rng.multivariate_normal(m1, S1, size=n)
    log_ratio = stats.multivariate_normal(m1, S1).logpdf(x) - stats.multivariate_normal(m2, S2).logpdf(x)
    mc, se = log_ratio.mean(), log_ratio.std(ddof=1) / math.sqrt(n)
    assert abs(kl_gaussian(m1, S1, m2, S2) - mc) < 5 * se


def test_kl_gaussian_properties_and_singular_cases() -> None:
    rng = np.random.default_rng(10)
    S1, S2 = random_spd(rng, 3), random_spd(rng, 3)
    m = rng.normal(size=3)
    assert kl_gaussian(m, S1, m, S1) == pytest.approx(0.0, abs=1e-12)
    assert kl_gaussian(m, S1, np.zeros(3), S2) > 0
    assert kl_gaussian(m, S1, np.zeros(3), S2) != pytest.approx(kl_gaussian(np.zeros(3), S2, m, S1))
    singular = np.diag([1.0, 1.0, 0.0])
    assert kl_gaussian(m, singular, m, S1) == math.inf
    assert kl_gaussian(m, S1, m, singular) == math.inf
    with pytest.raises(InvalidParameterError, match="both covariances are singular"):
        kl_gaussian(m, singular, m, singular)


# ---------------------------------------------------------------------------------------------------
# junk input (found by tests/test_fuzz.py): sgmverify errors only, never a bare numpy/Python error
# ---------------------------------------------------------------------------------------------------


JUNK = [
    "-x**2/2 + __import__('os').getpid()",
    "1.0",
    None,
    {},
    1j,
    np.array([1j, 2.0]),
    10**400,
    [[1.0], [2.0, 3.0]],
]


@pytest.mark.parametrize("junk", JUNK)
@pytest.mark.parametrize("fn", [w2_gaussian, w2_squared_gaussian, kl_gaussian, w2_gaussian_commuting])
def test_junk_means_and_covariances_raise_sgmverify_errors(fn, junk) -> None:
    import sympy as sp

    for args in ((junk, np.eye(2), np.zeros(2), np.eye(2)), (np.zeros(2), junk, np.zeros(2), np.eye(2))):
        with pytest.raises(InvalidParameterError):  # InvalidTypeError / ShapeError are subclasses
            fn(*args)
    with pytest.raises(InvalidParameterError):
        fn(np.zeros(1), sp.Symbol("x"), np.zeros(1), np.eye(1))
    with pytest.raises(InvalidParameterError, match="rtol"):
        fn(np.zeros(1), np.eye(1), np.zeros(1), np.eye(1), rtol="0.1")


@pytest.mark.parametrize("fn", [w2_gaussian, w2_squared_gaussian, kl_gaussian, w2_gaussian_commuting])
def test_overflow_raises_instead_of_returning_inf(fn) -> None:
    with pytest.raises(InvalidParameterError, match=r"overflow|too large"):
        fn(np.array([1e308]), np.eye(1), np.array([-1e308]), np.eye(1))
