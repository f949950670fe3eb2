"""EigenLaw's laws (output / reference / as_eigen_gaussian), the choice of the diagonal or full path, start
laws against closed forms, and the refusals of bad start laws and score errors.

References: the Gaussian KL closed form written out densely here, metrics.w2_gaussian (Bures, SVD), and the
linearity of the law in the start covariance (VP: N(0, I) versus N(0, sigma_T^2 I)).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError, UnknownNameError
from sgmverify.laws import EigenGaussian, Gaussian, GaussianMixture
from sgmverify.metrics import kl_divergence, w2_gaussian
from sgmverify.samplers import (
    EXACT_SCHEMES,
    EigenLaw,
    _gaussian_exact as ge,
    sampler_law,
    sampler_law_eigen,
    sampler_w2,
)
from sgmverify.sde import VP

sys.path.insert(0, str(Path(__file__).parent))
from _gaussian_data import DATA, E_MAT, FULL_COV, LAM, MU, SIGMA, D, U

FULL_START = Gaussian([0.1, 0.2, -0.3], FULL_COV)
VPP = VP(0.1, 20.0)


def _law(scheme="heun_ode", **kw) -> EigenLaw:
    return sampler_law_eigen(VPP, DATA, 1.0, 8, scheme, 1e-2, **kw)


def dense_kl(p: Gaussian, q: Gaussian) -> float:
    """KL(p || q) = (tr(Sq^-1 Sp) + (mq - mp)^T Sq^-1 (mq - mp) - d + log det Sq - log det Sp) / 2."""
    iq = np.linalg.inv(q.cov)
    dm = q.mean - p.mean
    ld = np.linalg.slogdet(q.cov)[1] - np.linalg.slogdet(p.cov)[1]
    return 0.5 * (np.trace(iq @ p.cov) + dm @ iq @ dm - len(dm) + ld)


# ------------------------------------------------------------------------------------------ which path
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"init": "exact"},
        {"init": Gaussian(np.zeros(D), np.eye(D))},
        {"init": EigenGaussian(np.ones(D), [0.5, 1.0, 2.0], U)},
        {"init": EigenGaussian(np.ones(D), np.full(D, 0.7))},  # isotropic in the standard basis
        {"score_matrix": -0.2},
        {"score_matrix": np.array([0.1, -0.2, 0.05])},
        {"score_matrix": (U * np.array([0.1, -0.2, 0.05])) @ U.T},  # a matrix diagonal in U
        {"score_matrix": lambda t: 0.1 * t, "score_bias": lambda t: np.full(D, t)},
    ],
)
def test_diagonal_path_is_kept(kw):
    law = _law(**kw)
    assert law.is_diagonal and law.cov is None
    assert isinstance(law.output(), EigenGaussian) and np.array_equal(law.output().basis, law.eigvecs)


@pytest.mark.parametrize(
    "kw",
    [
        {"init": FULL_START},
        {"init": EigenGaussian(np.ones(D), [0.5, 1.0, 2.0])},  # diagonal in the standard basis, not in U
        {"score_matrix": E_MAT},
        {"score_matrix": lambda t: E_MAT if t > 0.5 else 0.0},
    ],
)
def test_full_path_gives_a_dense_output(kw):
    law = _law(**kw)
    assert not law.is_diagonal and law.cov.shape == (D, D)
    assert np.array_equal(law.var, np.diag(law.cov))
    out = law.output()
    assert isinstance(out, Gaussian) and np.allclose(out.cov, U @ law.cov @ U.T, rtol=1e-13, atol=1e-15)
    assert law.as_eigen_gaussian().cov.shape == (D, D)


def test_eigen_diagonal_matrix_equals_its_vector():
    # E = U diag(e) U^T given as a matrix is recognised as diagonal (to DIAG_RTOL) and matches the vector.
    e = np.array([0.1, -0.2, 0.05])
    for scheme in EXACT_SCHEMES:
        a, b = _law(scheme, score_matrix=e), _law(scheme, score_matrix=(U * e) @ U.T)
        assert np.allclose(a.mean, b.mean, rtol=1e-13) and np.allclose(a.var, b.var, rtol=1e-13)


def test_start_law_forms_agree():
    # The same start law as a Gaussian, as an EigenGaussian in U and in the standard basis.
    v = np.array([0.5, 1.0, 2.0])
    as_eigen = EigenGaussian(U.T @ MU, v, U)
    for scheme in EXACT_SCHEMES:
        a = _law(scheme, init=Gaussian(MU, (U * v) @ U.T)).to_gaussian()
        b = _law(scheme, init=as_eigen).to_gaussian()
        assert np.allclose(a.mean, b.mean, rtol=1e-12) and np.allclose(a.cov, b.cov, rtol=1e-12, atol=1e-14)
        c = _law(scheme, init=EigenGaussian(MU, v)).to_gaussian()
        d = _law(scheme, init=Gaussian(MU, np.diag(v))).to_gaussian()
        assert np.allclose(c.mean, d.mean, rtol=1e-12) and np.allclose(c.cov, d.cov, rtol=1e-12, atol=1e-14)


def test_exact_init_equals_p_T_as_a_law():
    # init="exact" and p_T passed as an EigenGaussian in U take the same diagonal loop: identical bits.
    m, v = VPP.mean_coeff(1.0), VPP.var(1.0)
    p_T = EigenGaussian(m * (U.T @ MU), m * m * LAM + v, U)
    for scheme in EXACT_SCHEMES:
        a, b = _law(scheme, init="exact"), _law(scheme, init=p_T)
        assert np.array_equal(a.mean, b.mean) and np.array_equal(a.var, b.var)


# ------------------------------------------------------------------------------------------ VP start laws
@pytest.mark.parametrize("scheme", EXACT_SCHEMES)
def test_standard_normal_start_versus_prior_vp(scheme):
    # The law is affine in the start covariance c I: V(c) = Phi^2 c + V(0), so
    # V(I) - V(prior) = (V(2I) - V(I)) (1 - sigma_T^2), and 1 - sigma_T^2 = m_T^2 for VP -> 0 as T grows.
    # T <= 0.3 keeps the difference large (>= 0.01) so that it is not lost to cancellation; measured
    # relative deviation <= 2e-15.
    gaps = []
    for T in (0.1, 0.2, 0.3):
        law = {
            c: sampler_law_eigen(VPP, DATA, T, 8, scheme, 1e-2, init=Gaussian(np.zeros(D), c * np.eye(D)))
            for c in (1.0, 2.0)
        }
        prior = sampler_law_eigen(VPP, DATA, T, 8, scheme, 1e-2)
        m2 = VPP.mean_coeff(T) ** 2
        assert 1.0 - VPP.var(T) == pytest.approx(m2, rel=1e-10)
        np.testing.assert_allclose(law[1.0].var - prior.var, (law[2.0].var - law[1.0].var) * m2, rtol=1e-10)
        assert np.array_equal(law[1.0].mean, prior.mean)  # both start at mean 0
        gaps.append(float(np.max(law[1.0].var - prior.var)))
    assert gaps[0] > gaps[1] > gaps[2] > 0
    # at T = 1 (m_T^2 = 4e-5) the two starts give W2 to the data within 1e-4 of each other
    w_std = sampler_w2(VPP, DATA, 1.0, 8, scheme, 1e-2, init=Gaussian(np.zeros(D), np.eye(D)))
    assert w_std == pytest.approx(sampler_w2(VPP, DATA, 1.0, 8, scheme, 1e-2), abs=1e-4)


# ------------------------------------------------------------------------------------------ laws, metrics
@pytest.mark.parametrize("kw", [{}, {"init": FULL_START, "score_matrix": E_MAT}])
@pytest.mark.parametrize("target", ["data", "marginal"])
def test_reference_and_divergences(kw, target):
    law = _law(target=target, score_bias=np.array([0.1, 0.0, -0.1]), **kw)
    ref = law.reference()
    assert isinstance(ref, EigenGaussian) and np.array_equal(ref.basis, law.eigvecs)
    m, v = (1.0, 0.0) if target == "data" else (VPP.mean_coeff(1e-2), VPP.var(1e-2))
    dense_ref = Gaussian(m * MU, m * m * SIGMA + v * np.eye(D))
    assert np.allclose(ref.to_gaussian().cov, dense_ref.cov, rtol=1e-13)
    out = law.to_gaussian()
    assert kl_divergence(law, ref) == pytest.approx(dense_kl(out, dense_ref), rel=1e-9)
    assert kl_divergence(law, law.reference()) == pytest.approx(kl_divergence(out, dense_ref), rel=1e-9)
    # W2 in eigen-coordinates (diagonal formula, or Bures on the full C) against Bures on the dense laws
    w2 = np.sqrt(law.w2_squared())
    assert w2 == pytest.approx(w2_gaussian(out.mean, out.cov, dense_ref.mean, dense_ref.cov), rel=1e-9)


def test_chunked_full_recursion_equals_unchunked(monkeypatch):
    kw = {"init": FULL_START, "score_matrix": lambda t: E_MAT * t, "score_bias": np.ones(D)}
    whole = sampler_law_eigen(VPP, DATA, 1.0, 30, "rk4_ode", 1e-2, **kw)
    monkeypatch.setattr(ge, "_CHUNK", 20)  # 2 steps of d^2 = 9 per block
    chunked = sampler_law_eigen(VPP, DATA, 1.0, 30, "rk4_ode", 1e-2, **kw)
    assert np.allclose(whole.cov, chunked.cov, rtol=1e-14) and np.allclose(
        whole.mean, chunked.mean, rtol=1e-14
    )
    monkeypatch.setattr(ge, "_CHUNK", 7)  # diagonal steps from a full start, 2 steps per block
    a = sampler_law_eigen(VPP, DATA, 1.0, 30, "em", 1e-2, init=FULL_START)
    monkeypatch.undo()
    b = sampler_law_eigen(VPP, DATA, 1.0, 30, "em", 1e-2, init=FULL_START)
    assert np.allclose(a.cov, b.cov, rtol=1e-13) and np.allclose(a.mean, b.mean, rtol=1e-14)


def test_full_path_overflow_names_the_step():
    # |A| ~ 1e100 per step: C ~ A C A^T overflows float64 at the second step
    with pytest.raises(InvalidParameterError, match="overflows float64 at step 2 "):
        sampler_law(VPP, DATA, 1.0, 3, "em", 1e-3, init=FULL_START, score_matrix=1e100 * E_MAT)


# ------------------------------------------------------------------------------------------ bad input
BAD = [
    ({"init": Gaussian(np.zeros(2), np.eye(2))}, ShapeError, "dimension 2"),
    ({"init": EigenGaussian(np.zeros(4), np.ones(4))}, ShapeError, "dimension 4"),
    ({"init": GaussianMixture([0.5, 0.5], np.zeros((2, D)), np.eye(D))}, InvalidTypeError, "init must be"),
    ({"init": np.eye(D)}, InvalidTypeError, "init must be"),
    ({"init": "standard"}, UnknownNameError, "Gaussian"),
    ({"score_matrix": np.ones((2, 2))}, ShapeError, r"\(3, 3\)"),
    ({"score_matrix": np.ones(4)}, ShapeError, "score_matrix"),
    ({"score_matrix": "diag"}, InvalidTypeError, "score_matrix"),
    ({"score_matrix": np.full((D, D), np.nan)}, InvalidParameterError, "NaN"),
    ({"score_matrix": lambda t: np.ones(2)}, ShapeError, "score_matrix\\(t\\)"),
    ({"score_matrix": lambda t: None}, InvalidTypeError, "score_matrix\\(t\\)"),
    ({"score_bias": lambda t: np.ones(2)}, ShapeError, "score_bias\\(t\\)"),
    ({"score_bias": lambda t: np.full(D, np.inf)}, InvalidParameterError, "NaN or inf"),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_bad_start_law_or_score_error_raises_with_a_fix(k):
    kw, exc, match = BAD[k]
    with pytest.raises(exc, match=match):
        _law("em", **kw)
