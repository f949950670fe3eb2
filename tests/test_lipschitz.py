"""Tests of sgmverify.nets._lipschitz: slope constants, soundness of both ends, verdict rule."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import optimize, special, stats

from sgmverify.errors import InvalidParameterError
from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.nets import NetworkConfig, torch_threads, train_score_network
from sgmverify.nets._lipschitz import (
    SLOPES,
    LipschitzInterval,
    _float64,
    exact_score_lipschitz,
    lipschitz_interval,
    lipschitz_lower,
    lipschitz_upper,
)
from sgmverify.sde import OU, VP
from sgmverify.theory import Verdict, decide

DATA = Gaussian([0.2, -0.1], [[0.8, 0.1], [0.1, 0.4]])
PROC = VP(0.1, 20.0)


@pytest.fixture(autouse=True)
def _one_thread():
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def net():
    cfg = NetworkConfig(width=16, depth=2, steps=150, batch_size=64, lr=5e-3, t_min=0.02)
    return train_score_network(DATA, PROC, cfg, cache=False, num_threads=1)


def _silu_slope(x):
    s = special.expit(x)
    return s * (1 + x * (1 - s))


def _gelu_slope(x):
    return stats.norm.cdf(x) + x * stats.norm.pdf(x)


@pytest.mark.parametrize(
    "name, slope, second_root",
    [
        # roots of phi'': SiLU: 2 + x(1 - 2 s(x)) = 0; GELU: phi(x)(2 - x^2) = 0
        ("silu", _silu_slope, lambda x: 2 + x * (1 - 2 * special.expit(x))),
        ("gelu", _gelu_slope, lambda x: 2 - x**2),
    ],
)
def test_slope_constants_by_root_finding(name, slope, second_root):
    r = optimize.brentq(second_root, 0.5, 5.0, xtol=1e-14)
    hi, lo = slope(r), slope(-r)
    a, b = SLOPES[name]
    assert a <= lo and hi <= b  # rounded outwards: a valid bound
    assert lo - a < 1e-4 and b - hi < 1e-4  # and tight to 1e-4 (brief: [-0.0998, 1.0998] for SiLU)
    grid = np.linspace(-30, 30, 600001)  # a dense scan agrees with the root (no other extremum)
    assert np.max(slope(grid)) == pytest.approx(hi, abs=1e-9) and np.min(slope(grid)) == pytest.approx(
        lo, abs=1e-9
    )


def test_tanh_softplus_slopes():
    x = np.linspace(-20, 20, 100001)
    assert (
        np.min(1 - np.tanh(x) ** 2) >= SLOPES["tanh"][0] and np.max(1 - np.tanh(x) ** 2) <= SLOPES["tanh"][1]
    )
    assert np.max(special.expit(x)) <= SLOPES["softplus"][1]


def _fd_jacobian_norm(net, x, t, h=1e-5):
    """Central differences on a float64 copy of the network (error ~ h^2 |s'''| + 1e-16/h, about 1e-10)."""
    net = _float64(net)
    d = x.size
    cols = [
        (net.score((x + h * e)[None], t)[0] - net.score((x - h * e)[None], t)[0]) / (2 * h) for e in np.eye(d)
    ]
    return np.linalg.norm(np.stack(cols, axis=1), 2)


def test_upper_end_bounds_every_finite_difference_jacobian(net):
    rng = np.random.default_rng(0)
    for t in (0.02, 0.2, 0.9):
        up = lipschitz_upper(net, t)
        pts = rng.normal(scale=3.0, size=(200, 2))
        fd = max(_fd_jacobian_norm(net, p, t) for p in pts)
        assert fd <= up * (1 + 1e-8)


def test_lower_end_is_an_attained_jacobian_norm(net):
    t = 0.2
    pts = np.random.default_rng(1).normal(size=(64, 2))
    lo, arg = lipschitz_lower(net, t, pts, ascent_steps=0)
    fd = _fd_jacobian_norm(net, np.array(arg), t)
    assert lo == pytest.approx(fd, rel=1e-7)  # both in float64; FD error ~1e-10
    lo_ascent, _ = lipschitz_lower(net, t, pts, ascent_steps=20)
    assert lo_ascent >= lo  # ascent only ever adds candidates
    assert lo_ascent <= lipschitz_upper(net, t)


def test_interval_collapses_when_the_mlp_is_switched_off():
    # with the output layer zeroed, s_theta(x, t) = -c_in(t)^2 x: Lip = c_in^2 exactly, both ends
    cfg = NetworkConfig(width=8, depth=2, steps=2, batch_size=16, t_min=0.02)
    net = train_score_network(DATA, PROC, cfg, cache=False)
    with torch.no_grad():
        net.module.out.weight.zero_()
    t = 0.3
    c_in = float(net.scales(t)[0][0])
    iv = lipschitz_interval(net, t, points=np.random.default_rng(0).normal(size=(16, 2)), ascent_steps=3)
    assert iv.lower == pytest.approx(c_in**2, rel=1e-12)
    assert iv.upper == pytest.approx(c_in**2, rel=1e-9)


def test_exact_score_lipschitz_gaussian_and_mixture():
    t = 0.1
    val, kind = exact_score_lipschitz(DATA, PROC, t)
    m, v = float(PROC.mean_coeff(t)), float(PROC.var(t))
    assert kind == "closed form"
    assert val == pytest.approx(1 / (m**2 * np.linalg.eigvalsh(DATA.cov)[0] + v), rel=1e-12)
    mix = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[0.25]], [[0.25]]])
    x = np.linspace(-4, 4, 2001)[:, None]
    val, kind = exact_score_lipschitz(mix, OU(), 0.05, x)
    assert kind == "sampled sup"
    # finite differences of the exact score at the argmax region agree (central FD, h = 1e-5: ~1e-8 rel.)
    s = mix.noised(OU(), 0.05).score
    fd = np.max(np.abs((s(x + 1e-5) - s(x - 1e-5)) / 2e-5))
    assert val == pytest.approx(fd, rel=1e-6)


def test_verdict_rule_matches_claims_decide():
    iv = LipschitzInterval(t=0.5, lower=2.0, upper=5.0, exact=1.5, exact_kind="closed form")
    assert iv.decide(6.0) == "holds" and iv.decide(1.0) == "fails" and iv.decide(3.0) == "unknown"
    assert (
        iv.decide(5.0) == "holds" and iv.decide(2.0) == "unknown"
    )  # endpoints: upper <= L holds; lower > L fails
    est = iv.to_estimate()
    assert decide(6.0, est, "upper", 0.0)[0] is Verdict.HOLDS
    assert decide(1.0, est, "upper", 0.0)[0] is Verdict.VIOLATED
    assert decide(3.0, est, "upper", 0.0)[0] is Verdict.INCONCLUSIVE
    a = iv.assumption(3.0)
    assert a.status == "unknown" and "[2, 5]" in a.detail
    assert iv.assumption(6.0).evidence == "certified"
    with pytest.raises(InvalidParameterError):
        iv.decide(float("nan"))


def test_interval_needs_points_or_data(net):
    with pytest.raises(InvalidParameterError):
        lipschitz_interval(net, 0.5)
    iv = lipschitz_interval(net, 0.5, data=DATA, n=64, rng=0, ascent_steps=5)
    assert iv.lower <= iv.upper and iv.extra["consistent"] and iv.exact_kind == "closed form"


def test_junk_input_raises_sgmverify_errors(net) -> None:
    """Found by tests/test_fuzz.py: a None net, string times and points, huge ascent budgets, junk data."""
    from sgmverify.errors import InvalidTypeError, ShapeError, TimeDomainError

    pts = np.zeros((3, 2))
    with pytest.raises(InvalidTypeError, match="net"):
        lipschitz_interval(None, 0.5, points=pts)
    with pytest.raises(InvalidTypeError, match="t must"):
        lipschitz_interval(net, "1.0", points=pts)
    with pytest.raises(TimeDomainError):
        lipschitz_interval(net, 0.0, points=pts)
    with pytest.raises(InvalidTypeError):
        lipschitz_interval(net, 0.5, points="x = __import__('os')")
    with pytest.raises(ShapeError):
        lipschitz_interval(net, 0.5, points=np.zeros((2, 0)))
    with pytest.raises(InvalidParameterError, match="ascent_steps"):
        lipschitz_interval(net, 0.5, points=pts, ascent_steps=2**63)
    with pytest.raises(InvalidParameterError, match="n_starts"):
        lipschitz_interval(net, 0.5, points=pts, n_starts=[])
    with pytest.raises(InvalidTypeError, match="data"):
        lipschitz_interval(net, 0.5, points=pts, data="t + 1")
    with pytest.raises(InvalidParameterError, match="n must"):
        lipschitz_interval(net, 0.5, data=DATA, n=-3217239136)
    with pytest.raises(InvalidTypeError, match="rng"):
        lipschitz_interval(net, 0.5, data=DATA, n=8, rng=VP)
