"""Tests of sgmverify.laws.NoisedScore1D against independent references.

* Gaussian q: closed-form noised score -(x - m mu)/(m^2 s^2 + v) and scipy's normal quantile.
* Non-Gaussian q: NoisedDensity1D.score (adaptive scipy quadrature per point, sgmverify.laws._scores).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from proofs_checks.gao_nguyen_zhu_2023._schedules import gnz_vp_linear
from sgmverify.errors import InvalidParameterError
from sgmverify.laws import Density1D, NoisedScore1D

MU, S = 0.7, 0.8


@pytest.fixture(scope="module")
def gauss():
    return NoisedScore1D(lambda z: -((z - MU) ** 2) / (2 * S * S), -20.0, 20.0)


@pytest.mark.parametrize("m, v", [(1.0, 0.05), (0.6, 0.64), (0.05, 0.9975)])
def test_gaussian_closed_form(gauss, m, v):
    x = np.linspace(-4, 4, 41)
    exact = -(x - m * MU) / (m * m * S * S + v)
    # trapezoid on a Gaussian integrand with >= 3 nodes per posterior std: spectrally accurate
    np.testing.assert_allclose(gauss.score(x, m, v, table_size=0), exact, atol=1e-11)


def test_quantile_gaussian(gauss):
    u = np.array([1e-4, 0.01, 0.3, 0.5, 0.9, 0.9999])
    # CDF by the trapezoid rule on 20001 points (h = 2e-3) and linear inversion: error ~ h^2 |f'/f| / 8,
    # below 1e-5 up to the 1e-4 tails (three orders below the W2 values the suite measures)
    np.testing.assert_allclose(gauss.quantile(u), stats.norm.ppf(u, MU, S), atol=1e-5)


def test_matches_adaptive_quadrature():
    dens = Density1D("-x**2/2 - 2*log(1 + exp(x))", (-math.inf, math.inf))
    tab = NoisedScore1D(lambda z: dens.log_prob(z[:, None]), -30.0, 30.0)
    proc = gnz_vp_linear(a=1.0, b=0.1)
    x = np.linspace(-3, 3, 7)
    for t in (0.05, 0.5, 2.0):
        ref = dens.noised(proc, t).score(x[:, None]).ravel()  # scipy quad_vec per point
        got = tab.score(x, proc.mean_coeff(t), proc.var(t), table_size=0)
        np.testing.assert_allclose(got, ref, atol=1e-9)


def test_table_interpolation(gauss):
    x = np.random.default_rng(0).normal(MU, 1.5 * S, 5000)  # within the nodes' range (docstring)
    direct = gauss.score(x, 0.9, 0.2, table_size=0)
    tab = gauss.score(x, 0.9, 0.2, table_size=512)
    # the Gaussian score is affine, so linear interpolation is exact up to round-off
    np.testing.assert_allclose(tab, direct, atol=1e-9)
    same = gauss.score(np.full(600, 0.3), 0.9, 0.2)
    assert np.allclose(same, same[0])


def test_bad_input(gauss):
    with pytest.raises(InvalidParameterError):
        gauss.score(np.zeros(3), 1.0, 1e-6)  # posterior narrower than the nodes
    with pytest.raises(InvalidParameterError):
        gauss.score(np.zeros(3), 1.0, 0.0)
    with pytest.raises(InvalidParameterError):
        NoisedScore1D(lambda z: -(z**2), 1.0, -1.0)
    with pytest.raises(InvalidParameterError):
        NoisedScore1D(lambda z: np.full_like(z, -np.inf), -1.0, 1.0)
