"""EigenGaussian: validation, conversions to and from a dense Gaussian, shared bases."""

from __future__ import annotations

import numpy as np
import pytest

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.laws import EigenGaussian, Gaussian


def _rotation(d, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def test_diagonal_law_of_any_dimension_without_a_matrix():
    g = EigenGaussian(np.zeros(200_000), np.ones(200_000))
    assert g.dim == 200_000 and g.basis is None
    assert "diagonal" in repr(g)


def test_to_gaussian_is_u_diag_ut():
    U = _rotation(4, 0)
    mean, var = np.array([1.0, -2.0, 0.5, 0.0]), np.array([0.5, 1.0, 2.0, 0.0])
    g = EigenGaussian(mean, var, U).to_gaussian()
    np.testing.assert_allclose(g.mean, U @ mean, rtol=0, atol=1e-15)
    np.testing.assert_allclose(g.cov, U @ np.diag(var) @ U.T, rtol=0, atol=1e-14)
    d = EigenGaussian(mean, var).to_gaussian()
    np.testing.assert_array_equal(d.cov, np.diag(var))


def test_from_gaussian_round_trip():
    rng = np.random.default_rng(1)
    A = rng.normal(size=(5, 5))
    g = Gaussian(rng.normal(size=5), A @ A.T + np.eye(5))
    e = EigenGaussian.from_gaussian(g)
    assert e.basis is not None
    np.testing.assert_allclose(np.sort(e.var), np.linalg.eigvalsh(g.cov), rtol=1e-12)
    back = e.to_gaussian()
    # eigh reconstruction: a few ulps of ||cov|| (~10)
    np.testing.assert_allclose(back.cov, g.cov, rtol=0, atol=1e-12)
    np.testing.assert_allclose(back.mean, g.mean, rtol=0, atol=1e-13)
    assert EigenGaussian.from_gaussian(e) is e
    with pytest.raises(InvalidTypeError):
        EigenGaussian.from_gaussian(np.eye(2))


def test_shares_basis():
    U = _rotation(3, 2)
    a = EigenGaussian(np.zeros(3), np.ones(3), U)
    assert a.shares_basis(EigenGaussian(np.ones(3), np.ones(3), U.copy()))
    assert not a.shares_basis(EigenGaussian(np.zeros(3), np.ones(3)))
    assert not a.shares_basis(EigenGaussian(np.zeros(3), np.ones(3), _rotation(3, 3)))
    assert EigenGaussian([0.0], [1.0]).shares_basis(EigenGaussian([1.0], [2.0]))


def test_validation():
    with pytest.raises(ShapeError):
        EigenGaussian([0.0, 1.0], [1.0])
    with pytest.raises(ShapeError):
        EigenGaussian([], [])
    with pytest.raises(ShapeError):
        EigenGaussian([0.0, 1.0], [1.0, 1.0], np.eye(3))
    with pytest.raises(InvalidParameterError):
        EigenGaussian([0.0, np.nan], [1.0, 1.0])
    with pytest.raises(InvalidParameterError):
        EigenGaussian([0.0], [np.inf])
    with pytest.raises(InvalidParameterError):
        EigenGaussian([0.0], [-1e-3])
    with pytest.raises(InvalidParameterError):
        EigenGaussian(["a"], [1.0])
