"""The one explicit Runge–Kutta tableau (`sgmverify._tableau`, public in `sgmverify.samplers`).

References are independent of the code under test: exact solutions of linear ODEs (x' = λx: x(t) = e^{λt};
x' = cos(t) x: x(t) = e^{sin t}), the stability polynomials R(z) = Σ_{k<=p} z^k/k! of the explicit methods
with p = s <= 4 stages, and the same ODE written as a real 2-D system for complex states.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.samplers import EULER, HEUN, RK4, SCHEMES, ButcherTableau, rk_step

TABLEAUX = [EULER, HEUN, RK4]


def _integrate(f, x0, t0, t1, n, tab):
    h = (t1 - t0) / n
    x = x0
    for k in range(n):
        x = rk_step(f, t0 + k * h, x, h, tab)
    return x


def _observed_order(f, x0, exact, tab, ns=(16, 32, 64)):
    errs = [abs(complex(np.ravel(_integrate(f, x0, 0.0, 1.0, n, tab))[0]) - exact) for n in ns]
    return [math.log2(a / b) for a, b in itertools.pairwise(errs)]


@pytest.mark.parametrize("tab", TABLEAUX, ids=lambda t: t.name)
def test_measured_order_on_linear_odes_matches_the_declared_order(tab):
    # autonomous x' = -x and non-autonomous x' = cos(t) x (the nodes c_i matter)
    problems = ((lambda t, x: -x, math.exp(-1.0)), (lambda t, x: math.cos(t) * x, math.exp(math.sin(1.0))))
    for f, exact in problems:
        orders = _observed_order(f, np.array([1.0]), exact, tab)
        assert orders[-1] == pytest.approx(tab.order, abs=0.1), orders


@pytest.mark.parametrize("tab", TABLEAUX, ids=lambda t: t.name)
def test_one_step_is_the_stability_polynomial(tab):
    # for x' = λx one step multiplies by R(hλ) = Σ_{k<=s} (hλ)^k/k! (s = p stages for these methods)
    lam, h = -0.7 + 0.4j, 0.3
    z = h * lam
    R = sum(z**k / math.factorial(k) for k in range(tab.order + 1))
    x1 = rk_step(lambda t, x: lam * x, 0.0, np.array([1.0 + 0.0j]), h, tab)
    assert abs(x1[0] - R) <= 1e-15


@pytest.mark.parametrize("tab", TABLEAUX, ids=lambda t: t.name)
def test_complex_state_equals_the_real_two_dimensional_system(tab):
    lam = -1.0 + 2.0j
    xc = _integrate(lambda t, x: lam * x, np.array([0.5 - 0.2j, 1.0j]), 0.0, 1.0, 40, tab)
    A = np.array([[lam.real, -lam.imag], [lam.imag, lam.real]])
    xr = _integrate(lambda t, y: y @ A.T, np.array([[0.5, -0.2], [0.0, 1.0]]), 0.0, 1.0, 40, tab)
    np.testing.assert_allclose(xc.real, xr[:, 0], rtol=0, atol=1e-14)
    np.testing.assert_allclose(xc.imag, xr[:, 1], rtol=0, atol=1e-14)
    # and the complex run converges at the declared order
    orders = _observed_order(lambda t, x: lam * x, np.array([1.0 + 0.0j]), np.exp(lam), tab, (32, 64, 128))
    assert orders[-1] == pytest.approx(tab.order, abs=0.1)


@pytest.mark.parametrize("tab", TABLEAUX, ids=lambda t: t.name)
def test_torch_tensors_match_numpy_and_carry_gradients(tab):
    def f_np(t, x):
        return np.sin(t) * x - x**3

    def f_torch(t, x):
        return math.sin(t) * x - x**3

    x0 = np.array([0.3, -1.2, 0.8])
    ref = _integrate(f_np, x0, 0.0, 1.0, 20, tab)
    xt = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    out = _integrate(f_torch, xt, 0.0, 1.0, 20, tab)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-15, atol=0)
    # d x(1)/d x0 of the linear ODE x' = λx is R(hλ)^n exactly (the discrete map is linear)
    lam, n = -2.0, 10
    y0 = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
    y1 = _integrate(lambda t, y: lam * y, y0, 0.0, 1.0, n, tab)
    (grad,) = torch.autograd.grad(y1.sum(), y0)
    z = lam / n
    R = sum(z**k / math.factorial(k) for k in range(tab.order + 1))
    assert float(grad[0]) == pytest.approx(R**n, rel=1e-14)
    # a numpy scalar step keeps a torch state a torch tensor
    assert isinstance(rk_step(f_torch, 0.0, xt.detach(), np.float64(0.1), tab), torch.Tensor)


def test_tuple_state_is_stepped_componentwise():
    # augmented state (x, q) with q' = x: q(1) = ∫_0^1 e^{-t} dt = 1 - e^{-1}
    def f(t, s):
        x, _ = s
        return -x, x.copy()

    x, q = _integrate(f, (np.array([1.0]), np.array([0.0])), 0.0, 1.0, 50, RK4)
    assert x[0] == pytest.approx(math.exp(-1.0), rel=1e-8)
    assert q[0] == pytest.approx(1.0 - math.exp(-1.0), rel=1e-8)
    # the x component is stepped exactly as the plain state would be
    np.testing.assert_array_equal(x, _integrate(lambda t, y: -y, np.array([1.0]), 0.0, 1.0, 50, RK4))
    with pytest.raises(ShapeError, match="tuple"):
        rk_step(lambda t, s: s[0], 0.0, (np.ones(1), np.ones(1)), 0.1, RK4)


def test_backward_step_lands_exactly_on_t_next():
    seen = []

    def f(t, x):
        seen.append(t)
        return x

    t0, t1 = 0.7, 0.1  # t0 + (t1 - t0) rounds to 0.09999999999999998, not 0.1
    assert t0 + (t1 - t0) != t1
    rk_step(f, t0, np.ones(2), t1 - t0, RK4, t_next=t1)
    assert seen == [t0, t0 + 0.5 * (t1 - t0), t0 + 0.5 * (t1 - t0), t1]
    seen.clear()
    rk_step(f, t0, np.ones(2), t1 - t0, RK4)
    assert seen[-1] == t0 + (t1 - t0)
    # a negative step integrates backward: x' = x from t = 1 to 0 divides by e
    x = _integrate(lambda t, x: x, np.array([1.0]), 1.0, 0.0, 64, RK4)
    assert x[0] == pytest.approx(math.exp(-1.0), rel=1e-8)


def test_zero_coefficients_are_skipped():
    # RK4's third stage uses only k2 and its fourth only k3: an infinite k1 never reaches them (0 * inf
    # would be NaN there)
    states = []

    def f(t, x):
        states.append(np.array(x))
        return np.full_like(x, np.inf) if len(states) == 1 else np.zeros_like(x)

    rk_step(f, 0.0, np.ones(1), 0.1, RK4)
    assert len(states) == 4
    assert np.isinf(states[1]).all()  # the second stage uses k1
    np.testing.assert_array_equal(states[2], 1.0)
    np.testing.assert_array_equal(states[3], 1.0)


def test_tableaux_declare_their_orders_and_the_schemes_use_them():
    assert [t.order for t in TABLEAUX] == [1, 2, 4]
    assert [t.stages for t in TABLEAUX] == [1, 2, 4]
    for name, tab in (("euler_ode", EULER), ("heun_ode", HEUN), ("rk4_ode", RK4)):
        assert SCHEMES[name].tableau is tab and SCHEMES[name].order == tab.order
    np.testing.assert_array_equal(RK4.matrix, [[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1, 0]])
    # a tableau from lists is normalised to tuples of floats (hashable, frozen)
    t = ButcherTableau(c=[0, 1], a=[[], [1]], b=[0.5, 0.5], order=2, name="heun")
    assert t == HEUN and hash(t) == hash(HEUN)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"c": (0.0, 1.0), "a": ((),), "b": (0.5, 0.5), "order": 2}, "explicit"),
        ({"c": (0.0, 1.0), "a": ((), (1.0, 0.0)), "b": (0.5, 0.5), "order": 2}, "explicit"),
        ({"c": (0.0, 0.5), "a": ((), (1.0,)), "b": (0.5, 0.5), "order": 1}, "row-sum"),
        ({"c": (0.0,), "a": ((),), "b": (1.0,), "order": 2}, "order-2 condition"),
        ({"c": (0.0, 1.0), "a": ((), (1.0,)), "b": (0.6, 0.6), "order": 1}, "order-1 condition"),
        ({"c": (0.0,), "a": ((),), "b": (math.nan,), "order": 1}, "finite"),
        ({"c": (0.0,), "a": ((),), "b": (1.0,), "order": 0}, "positive integer"),
        ({"c": (0.0,), "a": ((),), "b": ("x",), "order": 1}, "real numbers"),
    ],
)
def test_bad_tableaux_raise(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        ButcherTableau(**kwargs)


def test_rk_step_needs_a_tableau():
    with pytest.raises(InvalidParameterError, match="ButcherTableau"):
        rk_step(lambda t, x: x, 0.0, np.ones(1), 0.1, {"c": (0.0,)})  # type: ignore[arg-type]
