"""Hardening of the mathematics wings (theory, estimates, laws, sde): one test per reproducer of a fuzz run,
and a property test feeding junk to the public constructors (only sgmverify errors may come out, and what
is accepted must give finite numbers)."""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings, strategies as st

import sgmverify.sde._derivation as derivation
import sgmverify.theory._model as model
from sgmverify.errors import (
    ExpressionError,
    InvalidParameterError,
    InvalidTypeError,
    SgmverifyError,
    ShapeError,
    TimeDomainError,
)
from sgmverify.estimates import Estimate, percentile_estimate
from sgmverify.laws import (
    Atoms,
    Density1D,
    Distribution,
    Gaussian,
    GaussianMixture,
    HolderCusp,
    Product,
    UniformBox,
    UniformCircle,
)
from sgmverify.samplers import sampler_law
from sgmverify.sde import OU, VE, VP, Cosine, LinearSDE, SubVP, TimeChangedOU, check_process_consistency
from sgmverify.sde._consistency import _residual, _trig_zero
from sgmverify.theory import Bound, Scenario, Verdict, decide

INF, NAN = math.inf, math.nan
VP_SDE = VP(0.1, 20.0)


def test_invalid_type_error_is_both_a_type_and_a_value_error():
    assert issubclass(InvalidTypeError, TypeError) and issubclass(InvalidTypeError, InvalidParameterError)
    assert issubclass(InvalidTypeError, ValueError) and issubclass(InvalidTypeError, SgmverifyError)


# ------------------------------------------------------------------------------------------- theory
@pytest.mark.parametrize(
    ("kw", "exc", "fragment"),
    [
        ({"rtol": INF}, InvalidParameterError, "rtol"),
        ({"rtol": NAN}, InvalidParameterError, "rtol"),
        ({"rtol": 1.0}, InvalidParameterError, "[0, 1)"),
        ({"rtol": -1e-9}, InvalidParameterError, "rtol"),
        ({"atol": INF}, InvalidParameterError, "atol"),
        ({"atol": NAN}, InvalidParameterError, "atol"),
        ({"atol": -1.0}, InvalidParameterError, "atol"),
        ({"rtol": "1e-9"}, InvalidTypeError, "rtol"),
        ({"atol": None}, InvalidTypeError, "atol"),
        ({"rtol": 10**400}, InvalidParameterError, "rtol"),
    ],
)
def test_bound_rejects_tolerances_outside_the_unit_interval(kw, exc, fragment):
    """rtol = inf made every exact check HOLD; tolerances must be real, not NaN, rtol in [0, 1)."""
    with pytest.raises(exc) as info:
        Bound("q", "upper", "q", **kw)
    assert fragment in str(info.value)


def test_bound_accepts_sensible_tolerances_and_decide_refuses_infinite_ones():
    b = Bound("q", "upper", "q", rtol=0.5, atol=2.0)  # atol is absolute, in the quantity's units
    assert (b.rtol, b.atol) == (0.5, 2.0)
    with pytest.raises(InvalidParameterError, match="tolerance"):
        decide(1.0, Estimate.exact_value(1e300), "upper", INF)
    with pytest.raises(InvalidParameterError, match="tolerance"):
        decide(1.0, Estimate.exact_value(1.0), "upper", NAN)
    with pytest.raises(InvalidTypeError, match="Estimate"):
        decide(1.0, 1.0, "upper", 0.0)
    # a trivial bound oo keeps working (its tolerance rtol * |oo| is infinite)
    trivial = Bound("oo", "upper", "q")
    assert decide(INF, Estimate.exact_value(5.0), "upper", trivial.tolerance(INF))[0] is Verdict.HOLDS


def test_bound_of_a_non_expression_is_an_expression_error(monkeypatch):
    for expr in ("None", None, "True", {}):
        with pytest.raises(ExpressionError):
            Bound(expr, "upper", "q")
    # whatever the parser returns, the theory side accepts only a sympy Expr
    monkeypatch.setattr(model, "parse_expr", lambda expr, local: sp.Tuple(1, 2))
    with pytest.raises(ExpressionError, match="must be an expression"):
        Bound("1", "upper", "q")


@pytest.mark.parametrize(
    "kw", [{"quantity": 3}, {"params": "d"}, {"params": [1]}, {"params": {"d": 1}}], ids=str
)
def test_bound_wrong_types(kw):
    args = {"expr": "1", "direction": "upper", "quantity": "q", **kw}
    with pytest.raises(InvalidTypeError):
        Bound(**args)


@pytest.mark.parametrize(
    "kw", [{"name": ""}, {"name": 3}, {"params": [1]}, {"seed": -1}, {"seed": 1.5}, {"sweep": "t"}], ids=str
)
def test_scenario_wrong_types(kw):
    with pytest.raises(InvalidTypeError):
        Scenario(**{"name": "s", **kw})


# ------------------------------------------------------------------------------------------ estimates
def test_percentile_estimate_empty_replicates_and_bad_level():
    with pytest.raises(ShapeError, match="non-empty"):
        percentile_estimate(0.0, [])
    with pytest.raises(InvalidParameterError, match="level"):
        percentile_estimate(0.0, [1.0, 2.0], level=NAN)
    with pytest.raises(InvalidTypeError, match="level"):
        percentile_estimate(0.0, [1.0, 2.0], level="0.95")
    with pytest.raises(InvalidTypeError, match="replicates"):
        percentile_estimate(0.0, ["a", "b"])
    with pytest.raises(InvalidTypeError, match="point"):
        percentile_estimate("0", [1.0, 2.0])


def test_percentile_estimate_nan_never_holds():
    """A NaN replicate gives a NaN interval (INCONCLUSIVE); a NaN point a failed measurement (ERROR)."""
    est = percentile_estimate(1.0, [0.5, NAN, 1.5])
    assert math.isnan(est.ci_low) and math.isnan(est.ci_high)
    assert decide(10.0, est, "upper", 0.0)[0] is Verdict.INCONCLUSIVE
    failed = percentile_estimate(NAN, [0.5, 1.5])
    assert decide(10.0, failed, "upper", 0.0)[0] is Verdict.ERROR


def test_estimate_level_and_fields_are_validated():
    with pytest.raises(InvalidTypeError, match="level"):
        Estimate(1.0, 0.0, 2.0, level="x")
    for level in (2.0, 0.0, 1.0, NAN, -0.5):
        with pytest.raises(InvalidParameterError, match="level"):
            Estimate(1.0, 0.0, 2.0, level=level)
    with pytest.raises(InvalidTypeError, match="value"):
        Estimate("1", 0.0, 2.0)
    with pytest.raises(InvalidTypeError, match="ci_low"):
        Estimate(1.0, None, 2.0)
    with pytest.raises(InvalidTypeError, match="n "):
        Estimate(1.0, 0.0, 2.0, n="10")
    with pytest.raises(InvalidParameterError, match="n "):
        Estimate(1.0, 0.0, 2.0, n=-1)
    with pytest.raises(InvalidTypeError, match="exact"):
        Estimate(1.0, 1.0, 1.0, exact="yes")
    assert "95%" in decide(3.0, Estimate(1.0, 0.0, 2.0, level=0.95), "upper", 0.0)[1]
    assert Estimate(1.0, 0.0, 2.0, level=None).level is None


# ------------------------------------------------------------------------------------------------ sde
def test_marginal_prob_shape_mismatch_names_both_shapes():
    with pytest.raises(ShapeError) as info:
        VP_SDE.marginal_prob(np.ones((4, 1)), np.full(5, 0.5))
    assert "(5,)" in str(info.value) and "(4, 1)" in str(info.value)
    with pytest.raises(ShapeError, match=r"\(5,\).*\(4, 1\)"):
        VP_SDE.drift(np.ones((4, 1)), np.full(5, 0.5))


def test_drift_and_marginal_prob_accept_array_likes():
    x = np.array([[1.0], [2.0]])
    np.testing.assert_array_equal(VP_SDE.drift([[1.0], [2.0]], 0.5), VP_SDE.drift(x, 0.5))
    mean, std = VP_SDE.marginal_prob([[1.0], [2.0]], [0.1, 0.5])
    ref_mean, ref_std = VP_SDE.marginal_prob(x, np.array([0.1, 0.5]))
    np.testing.assert_array_equal(mean, ref_mean)
    np.testing.assert_array_equal(std, ref_std)
    with pytest.raises(InvalidTypeError):
        VP_SDE.drift("x", 0.5)
    with pytest.raises(InvalidTypeError):
        VP_SDE.mean_coeff("0.5")


def test_transition_overflow_says_what_overflowed():
    with pytest.raises(TimeDomainError) as info:
        VP_SDE.transition(40.0, 1.0)
    msg = str(info.value)
    assert re.search(r"m\(t_to\)/m\(t_from\) = exp", msg), msg
    assert "float64" in msg and "smaller T" in msg and "more steps" in msg


def test_sampler_law_overflow_does_not_blame_the_data():
    with pytest.raises(TimeDomainError) as info:
        sampler_law(VP_SDE, Gaussian([0.0], [[1.0]]), 40.0, 2, "ei", 1e-3)
    assert "NaN or infinite" not in str(info.value) and "overflows float64" in str(info.value)
    # short steps: each coefficient is finite, but the scheme itself blows up at this step size
    with pytest.raises(InvalidParameterError) as info:
        sampler_law(VP_SDE, Gaussian([0.0], [[1.0]]), 40.0, 2000, "ei", 1e-3)
    assert "unstable" in str(info.value) and "more steps" in str(info.value)


def test_cosine_offset_is_validated():
    with pytest.raises(InvalidParameterError, match="offset"):
        Cosine(4e16)
    with pytest.raises(InvalidParameterError, match="s "):
        Cosine(INF)
    assert math.isfinite(Cosine(1e3).mean_coeff(0.5))


def test_cosine_consistency_is_proved_cheaply():
    """The cosine schedule's residual is a trigonometric identity: proved by the reduction modulo
    sin^2 + cos^2 = 1 (milliseconds) instead of sympy's simplify, which ran into its 10 s limit."""
    res = check_process_consistency(Cosine())
    assert (res.status, res.evidence, res.symbolic) == ("holds", "symbolic", "holds")
    proc = Cosine()
    residual, _ = _residual(proc.a_expr, proc.g_expr, proc.var_expr, proc.t)
    assert _trig_zero(residual)
    t = sp.Symbol("t", positive=True)
    assert _trig_zero(sp.sin(t) ** 2 + sp.cos(t) ** 2 - 1)
    assert _trig_zero(sp.sin(2 * t) - 2 * sp.sin(t) * sp.cos(t))
    assert _trig_zero(sp.tan(t / 3) * (1 + sp.cos(2 * t / 3)) - sp.sin(2 * t / 3))
    assert not _trig_zero(sp.sin(t) ** 2 + sp.cos(t) ** 2 - 1 + sp.sin(t) / 1000)
    assert not _trig_zero(t**2 - t * t + sp.exp(t))  # no trigonometry: undecided, left to simplify


def test_non_elementary_variance_falls_back_to_quadrature_quickly():
    """sympy's integrate never finishes on sin(s)^2 e^{2 cos s}; its limit (10 s before) is now 3 s."""
    assert derivation.SYMPY_TIME_LIMIT <= 3.0
    proc = LinearSDE("sin(t)", "sin(t)")
    assert proc.var_expr is None
    from scipy.integrate import quad

    t = 0.7
    ref, _ = quad(
        lambda s: math.sin(s) ** 2 * math.exp(2 * (math.cos(s) - math.cos(t))), 0.0, t, epsrel=1e-13
    )
    assert abs(proc.var(t) / ref - 1) < 1e-10


# ----------------------------------------------------------------------------------------------- laws
EMPTY_LAWS = {
    "gaussian": lambda: Gaussian([0.0, 1.0], np.eye(2)),
    "mixture": lambda: GaussianMixture([0.5, 0.5], [[0.0], [1.0]], [[1.0]]).noised(VP_SDE, 0.5),
    "product": lambda: Product([Gaussian([0.0], [[1.0]]), UniformBox(0.0, 1.0).noised(VP_SDE, 0.5)]),
    "density1d": lambda: Density1D("-x**2/2", (-INF, INF)).noised(VP_SDE, 0.5),
    "box": lambda: UniformBox(0.0, 1.0),
    "box_noised": lambda: UniformBox(0.0, 1.0).noised(VP_SDE, 0.5),
    "atoms_noised": lambda: Atoms([[-1.0], [1.0]]).noised(VP_SDE, 0.5),
    "circle_noised": lambda: UniformCircle().noised(VP_SDE, 0.5),
    "cusp_noised": lambda: HolderCusp(0.5).noised(VP_SDE, 0.5),
}


@pytest.mark.parametrize("name", EMPTY_LAWS)
def test_empty_batches_give_empty_results(name):
    law = EMPTY_LAWS[name]()
    d = law.dim
    x = np.zeros((0, d))
    assert law.log_prob(x).shape == (0,)
    assert law.score(x).shape == (0, d)
    assert law.score_jacobian(x).shape == (0, d, d)
    for k in range(5):
        assert law.log_density_derivative(x, k).shape == (0,) + (d,) * k


def test_uniform_box_fourth_derivative_and_laws_without_derivatives():
    box = UniformBox(0.0, 1.0)
    assert box.log_density_derivative([[0.5]], 4).shape == (1, 1, 1, 1, 1)
    for law in (Atoms.two_point(), UniformCircle()):
        with pytest.raises(InvalidParameterError, match="no density"):
            law.log_density_derivative(np.zeros((1, law.dim)), 4)
    with pytest.raises(InvalidParameterError, match="not differentiable"):
        HolderCusp(0.5).log_density_derivative([[0.1]], 4)


def test_gaussian_without_coordinates_is_a_shape_error():
    with pytest.raises(ShapeError, match="d >= 1"):
        Gaussian([], 0.01)


def test_absurd_sizes_are_refused_before_allocating():
    with pytest.raises(InvalidParameterError, match="TiB"):
        Gaussian(np.zeros(10**6), 1.0)
    with pytest.raises(InvalidParameterError, match="memory"):
        VP_SDE.prior(1.0, 10**6)
    with pytest.raises(InvalidParameterError, match="memory"):
        Gaussian([0.0], [[1.0]]).sample(10**12, np.random.default_rng(0))


def test_atoms_at_tiny_t_give_the_value_or_say_t_is_too_small():
    law = Atoms([[-1.0], [1.0]]).noised(VP_SDE, 1e-100)
    # at x = 1.5 the posterior sits on one atom: kappa_4 ~ e^{-3e101}, so (m/v)^4 kappa_4 underflows to 0
    assert law.log_density_derivative(np.array([[1.5]]), 4)[0, 0, 0, 0, 0] == 0.0
    for k in range(4):
        assert np.all(np.isfinite(law.log_density_derivative(np.array([[1.5]]), k)))
    # at x = 0 the exact value is -2 (m/v)^4 = -2e404: beyond float64, and the message gives the smallest t
    with pytest.raises(TimeDomainError) as info:
        law.log_density_derivative(np.array([[0.0]]), 4)
    msg = str(info.value)
    assert "too small for float64" in msg and "smallest t" in msg
    t_min = float(msg.split("is about ")[1].split(";")[0])
    v = VP_SDE.var(t_min)
    assert 1e299 < (VP_SDE.mean_coeff(t_min) / v) ** 4 < 1e301
    assert np.isfinite(
        Atoms([[-1.0], [1.0]]).noised(VP_SDE, 2 * t_min).log_density_derivative([[0.0]], 4)
    ).all()


@pytest.mark.parametrize(
    ("expr", "support"),
    [
        ("1/x", (-1.0, 1.0)),
        ("1/x", (0.0, 1.0)),
        ("1/(x - 0.123456789)", (-1.0, 1.0)),
        ("-log(x)", (0.0, 1.0)),
    ],
)
def test_density1d_with_a_non_integrable_singularity_is_an_expression_error(expr, support):
    with pytest.raises(ExpressionError, match="not integrable"):
        Density1D(expr, support)


def test_density1d_integrable_singularities_are_kept():
    arcsine = Density1D("-log(x)/2 - log(1 - x)/2", (0.0, 1.0))
    assert abs(arcsine.log_norm - math.log(math.pi)) < 1e-9
    log_cusp = Density1D("-log(Abs(x))/2", (-1.0, 1.0))
    assert abs(log_cusp.log_norm - math.log(4.0)) < 1e-9


def _mixture_reference(law, x, idx):
    """d^k log p / dx_idx at x from the closed-form mixture density (the law's own weights, means and
    eigendecompositions), by mpmath.diff at 80 digits."""
    with mpmath.workdps(80):
        w = [mpmath.mpf(float(v)) for v in law.weights]
        mu = [[mpmath.mpf(float(v)) for v in row] for row in law.means]
        lam = [[mpmath.mpf(float(v)) for v in row] for row in law._eigvals]
        vec = [[[mpmath.mpf(float(v)) for v in row] for row in m] for m in law._eigvecs]
        d = law.dim

        def logp(*z):
            tot = 0
            for k in range(len(w)):
                y = [sum((z[a] - mu[k][a]) * vec[k][a][e] for a in range(d)) for e in range(d)]
                quad = sum(y[e] ** 2 / lam[k][e] for e in range(d))
                det = mpmath.fprod(lam[k])
                tot += w[k] * mpmath.exp(-quad / 2) / mpmath.sqrt((2 * mpmath.pi) ** d * det)
            return mpmath.log(tot)

        order = [idx.count(a) for a in range(d)]
        return float(mpmath.diff(logp, [mpmath.mpf(float(v)) for v in x], order))


@pytest.mark.parametrize(
    ("weights", "means", "var", "x"),
    [
        ([0.5, 0.5], [-1e-3, 1e-3], [1.0, 1.0], 5.0),  # nearly Gaussian: float64 lost 3e-4 relative
        ([0.5, 0.5], [0.0, 0.0], [1.0, 1.0 + 1e-6], 20.0),  # nearly Gaussian, far out: lost 5e-2
        ([0.3, 0.7], [-1.0, 2.0], [0.5, 1.5], 5.0),  # a tail dominated by one component
    ],
)
@pytest.mark.parametrize("k", [3, 4])
def test_mixture_third_and_fourth_derivatives_survive_cancellation(weights, means, var, x, k):
    law = GaussianMixture(weights, np.array(means)[:, None], np.array(var)[:, None, None])
    got = float(law.log_density_derivative(np.array([[x]]), k).ravel()[0])
    ref = _mixture_reference(law, [x], (0,) * k)
    assert abs(got - ref) <= 1e-8 * abs(ref), (got, ref)
    if k == 3:  # the same value through the Derivatives path
        assert float(law.derivatives([[x]], 3).hessian.ravel()[0]) == got


def test_mixture_derivatives_in_a_far_tail_and_in_two_dimensions():
    tail = GaussianMixture([0.3, 0.7], [[-1.0], [2.0]], [[[0.5]], [[1.5]]])
    # value ~1e-139, the difference of O(1) terms in the non-centred formulas; reference at 400 digits
    with mpmath.workdps(400):
        w, mu, var = [mpmath.mpf("0.3"), mpmath.mpf("0.7")], [-1, 2], [mpmath.mpf("0.5"), mpmath.mpf("1.5")]

        def logp(z):
            return mpmath.log(sum(w[i] * mpmath.npdf(z, mu[i], mpmath.sqrt(var[i])) for i in range(2)))

        ref = float(mpmath.diff(logp, mpmath.mpf(20), 4))
    got = float(tail.log_density_derivative([[20.0]], 4).ravel()[0])
    assert abs(got - ref) <= 1e-8 * abs(ref), (got, ref)
    # 2-D, nearly Gaussian after noising: a few entries against mpmath
    law = GaussianMixture([0.4, 0.6], [[0.0, 0.01], [0.02, -0.01]], [np.eye(2), np.diag([1.0, 1.0 + 1e-5])])
    law = law.noised(OU(), 0.3)
    x = np.array([3.0, -2.0])
    for k, idx in ((3, (0, 0, 1)), (4, (0, 1, 1, 1)), (4, (0, 0, 0, 0))):
        got = law.log_density_derivative(x[None], k)[(0, *idx)]
        ref = _mixture_reference(law, x, idx)
        assert abs(got - ref) <= 1e-8 * abs(ref), (k, idx, got, ref)


# ------------------------------------------------------------------------------------ wrong types
JUNK = [None, "abc", "1.5", {}, {"a": 1}, 1 + 2j, [1 + 0j], object(), [[1, 2], [3]], 10**400, b"x"]

CONSTRUCTORS = {
    "Gaussian.mean": lambda j: Gaussian(j, 1.0),
    "Gaussian.cov": lambda j: Gaussian([0.0], j),
    "GaussianMixture.weights": lambda j: GaussianMixture(j, [[0.0], [1.0]], [[1.0]]),
    "GaussianMixture.means": lambda j: GaussianMixture([0.5, 0.5], j, [[1.0]]),
    "GaussianMixture.covs": lambda j: GaussianMixture([0.5, 0.5], [[0.0], [1.0]], j),
    "Product": lambda j: Product(j),
    "Density1D.expr": lambda j: Density1D(j, (-INF, INF)),
    "Density1D.support": lambda j: Density1D("-x**2/2", j),
    "Density1D.params": lambda j: Density1D("-x**2/2", (-1.0, 1.0), params=j),
    "Density1D.breakpoints": lambda j: Density1D("-x**2/2", (-1.0, 1.0), breakpoints=j),
    "Atoms.points": lambda j: Atoms(j),
    "Atoms.weights": lambda j: Atoms([[0.0], [1.0]], j),
    "Atoms.two_point": lambda j: Atoms.two_point(j),
    "UniformBox.low": lambda j: UniformBox(j, 1.0),
    "UniformCircle": lambda j: UniformCircle(j),
    "HolderCusp.beta": lambda j: HolderCusp(j),
    "HolderCusp.a": lambda j: HolderCusp(0.5, j),
    "VP": lambda j: VP(j, 20.0),
    "SubVP": lambda j: SubVP(0.1, j),
    "VE": lambda j: VE(j, 50.0),
    "VE.convention": lambda j: VE(0.01, 50.0, j),
    "Cosine": lambda j: Cosine(j),
    "TimeChangedOU.lam": lambda j: TimeChangedOU(j, "1", 1.0),
    "TimeChangedOU.gamma_params": lambda j: TimeChangedOU(1.0, "1", 1.0, j),
    "LinearSDE.a": lambda j: LinearSDE(j, "1"),
    "LinearSDE.params": lambda j: LinearSDE("-1", "1", j),
    "LinearSDE.t_max": lambda j: LinearSDE("-1", "1", t_max=j),
    "Bound.expr": lambda j: Bound(j, "upper", "q"),
    "Bound.direction": lambda j: Bound("1", j, "q"),
    "Bound.rtol": lambda j: Bound("1", "upper", "q", rtol=j),
    "Scenario.params": lambda j: Scenario("s", params=j),
    "Estimate.value": lambda j: Estimate(j, 0.0, 1.0),
    "Estimate.level": lambda j: Estimate(0.5, 0.0, 1.0, level=j),
    "noised.t": lambda j: Gaussian([0.0], 1.0).noised(VP_SDE, j),
    "noised.process": lambda j: Atoms.two_point().noised(j, 0.5),
    "score.x": lambda j: Gaussian([0.0], 1.0).score(j),
}


@pytest.mark.parametrize("name", CONSTRUCTORS)
def test_wrong_types_raise_sgmverify_errors(name):
    for junk in JUNK:
        try:
            CONSTRUCTORS[name](junk)
        except SgmverifyError:
            continue
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"{name}({junk!r:.40}) raised {type(exc).__name__}: {exc}")


JUNK_VALUES = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.booleans(),
    st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.dictionaries(st.text(max_size=2), st.integers(-3, 3), max_size=2),
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=3),
    st.lists(st.lists(st.floats(-5, 5), min_size=1, max_size=2), min_size=1, max_size=3),
    st.sampled_from([object(), sp.Symbol("x"), [[1.0, 2.0], [3.0]], np.array([1.0, np.nan]), (), b"x"]),
)
#: fast constructors only (a valid Density1D or a new process costs quadratures / sympy)
FAST = {k: v for k, v in CONSTRUCTORS.items() if not k.startswith(("Density1D", "LinearSDE", "TimeChanged"))}


def _finite_outputs(obj) -> None:
    """What was accepted must give finite numbers (or a clear sgmverify error, e.g. a singular covariance)."""
    try:
        if isinstance(obj, Distribution):
            x = obj.sample(3, np.random.default_rng(0))
            assert np.all(np.isfinite(x))
            if not isinstance(obj, Atoms | UniformCircle):
                assert np.all(np.isfinite(obj.log_prob(x)))
        elif isinstance(obj, VP | SubVP | VE | Cosine):
            t = 0.5 * min(1.0, obj.t_max)
            assert math.isfinite(obj.mean_coeff(t)) and math.isfinite(obj.var(t))
        elif isinstance(obj, Estimate):
            assert isinstance(obj.value, float) and (obj.level is None or 0 < obj.level < 1)
        elif isinstance(obj, Bound):
            assert isinstance(obj.expr, sp.Expr) and 0 <= obj.rtol < 1 and math.isfinite(obj.atol)
        elif isinstance(obj, np.ndarray):
            assert np.all(np.isfinite(obj))
    except SgmverifyError:
        pass


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(FAST)), junk=JUNK_VALUES)
def test_property_junk_arguments_give_only_sgmverify_errors(name, junk):
    try:
        out = FAST[name](junk)
    except SgmverifyError:
        return
    _finite_outputs(out)


# ---------------------------------------------------------------------------------------------------
# regressions of the fuzz's known defects (tests/test_fuzz.py KNOWN ids), one test each
# ---------------------------------------------------------------------------------------------------


def _strict(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with every warning an error (a RuntimeWarning is a defect here)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return fn(*args, **kwargs)


def test_known_bound_evaluate_type():
    from sgmverify.theory import Bound

    for junk in (1.0, None, "C=1", [("C", 1.0)]):
        with pytest.raises(InvalidTypeError, match="mapping"):
            Bound("C*h", "upper", "W2").evaluate(junk)
    with pytest.raises(model.BoundEvaluationError, match=r"too large|could not evaluate"):
        Bound("C*h", "upper", "W2").evaluate({"C": 10**400, "h": 1.0})
    assert Bound("C*h", "upper", "W2").evaluate({"C": 2.0, "h": 0.5}) == 1.0


def test_known_bound_evaluation_error_builtin():
    from sgmverify.errors import BoundEvaluationError
    from sgmverify.theory import Bound

    assert issubclass(BoundEvaluationError, ValueError)
    with pytest.raises(ValueError, match=r"needs values for \['h'\]"):
        Bound("C*h", "upper", "W2").evaluate({"C": 1.0})


def test_known_theorem_scenarios_str():
    from sgmverify.theory import Bound, Reference, Scenario, Theorem

    ref, bound = Reference("A. Author", provenance="derived"), Bound("C*h", "upper", "W2")
    for junk in ("s1", 3, {"s": 1}, ["s1"], [None]):
        with pytest.raises(InvalidTypeError, match="scenarios"):
            Theorem("fuzz.t", "A title", ref, bound, lambda s, r: 0.0, scenarios=junk)
    ok = Theorem("fuzz.t", "T", ref, bound, lambda s, r: 0.0, scenarios=[Scenario("a"), Scenario("b")])
    assert [c.id for c in ok.checks("full")] == ["fuzz.t[a]", "fuzz.t[b]"]


def test_known_noise_coeffs_process_class():
    from sgmverify import log_density_derivative

    for cls in (VP, OU):
        with pytest.raises(InvalidTypeError, match="instan"):
            HolderCusp(0.5).noised(cls, 0.3)
        with pytest.raises(InvalidTypeError, match="instan"):
            Gaussian([0.0], [[1.0]]).noised(cls, 0.3)
    with pytest.raises(InvalidTypeError, match="class Gaussian"):
        log_density_derivative(Gaussian, np.zeros((1, 1)), 1)


def test_known_mean_ci_str_and_complex():
    from sgmverify.estimates import loglog_slope, mean_ci

    for junk in ("abc", ["1", "2"], [1j, 2.0, 3.0], np.array([1j, 2.0, 3.0]), None, {"a": 1}):
        with pytest.raises(InvalidTypeError):
            _strict(mean_ci, junk)
    with pytest.raises(InvalidTypeError):
        _strict(loglog_slope, np.complex128(1j), [1.0, 2.0])
    assert mean_ci([1.0, 2.0, 3.0]).value == 2.0  # valid input unchanged


def test_known_bootstrap_ci_statistic():
    from sgmverify.estimates import bootstrap_ci

    rng = np.random.default_rng(0)
    for stat in (lambda idx: np.ones(3), lambda idx: "x", lambda idx: None, lambda idx: 1j):
        with pytest.raises(InvalidTypeError, match="statistic"):
            bootstrap_ci(stat, 10, rng, n_boot=20)
    with pytest.raises(InvalidTypeError, match="n must be an integer"):
        bootstrap_ci(lambda idx: 1.0, "10", rng)
    with pytest.raises(InvalidParameterError, match="n must be >= 1"):
        bootstrap_ci(lambda idx: 1.0, 0, rng)
    est = bootstrap_ci(lambda idx: float(np.mean(idx)), 10, np.random.default_rng(0), n_boot=20)
    assert est.value == 4.5 and est.ci_low <= 4.5 <= est.ci_high


def test_known_loglog_slope_huge_int():
    from sgmverify.estimates import loglog_slope

    with pytest.raises(InvalidParameterError, match="too large"):
        loglog_slope([10**400, 1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(InvalidParameterError, match="too large"):
        loglog_slope([1.0, 2.0, 4.0], [1.0, 2.0, 3.0], y_lo=[10**400, 1.0, 1.0], y_hi=[2.0, 3.0, 4.0])


def test_known_sampler_law_input_types():
    law, vp = Gaussian([0.0], [[1.0]]), VP(0.1, 20.0)
    with pytest.raises(InvalidTypeError, match="score_bias"):
        sampler_law(vp, law, 1.0, 5, "em", score_bias="x")
    with pytest.raises(InvalidTypeError, match="process"):
        sampler_law(None, law, 0.5, 5, "euler_ode")
    with pytest.raises(InvalidTypeError, match="init"):
        sampler_law(vp, law, 1.0, 5, "em", init=np.array([]))
    with pytest.raises(InvalidTypeError, match="scheme"):
        sampler_law(vp, law, 1.0, 5, np.array([]))
    from sgmverify.samplers import sampler_w2

    with pytest.raises(InvalidTypeError, match="target"):
        sampler_w2(vp, law, 1.0, 5, "em", target=np.array([]))


def test_known_sampler_law_huge_T():
    with pytest.raises(InvalidParameterError, match="overflows float64 at step 1"):
        _strict(sampler_law, OU(), Gaussian([0.0], [[0.1]]), 1e308, 9, "em", 0.001)


def test_known_sde_nonfinite_refused():
    vp = VP(0.1, 20.0)
    for bad in (np.array([[np.nan]]), [[np.inf]], np.array([1.0, -np.inf])):
        with pytest.raises(InvalidParameterError, match="NaN or inf"):
            vp.drift(bad, 0.5)
        with pytest.raises(InvalidParameterError, match="NaN or inf"):
            vp.marginal_prob(bad, 0.5)
    # reverse_drift passes NaN through on purpose: the samplers turn it into Status.NAN
    out = vp.reverse_drift(np.ones((2, 1)), 0.5, lambda x, t: np.full_like(x, np.nan))
    assert np.all(np.isnan(out))
    np.testing.assert_array_equal(vp.drift(np.ones((2, 1)), 0.5), vp.drift_coeff(0.5) * np.ones((2, 1)))


def test_known_sde_coefficient_overflow():
    ve = VE(0.01, 10.0)
    for method, t in (("var", 6.9e16), ("std", 6.9e16), ("diffusion", 280.0), ("var", [0.5, 6.9e16])):
        with pytest.raises(TimeDomainError, match="overflows float64"):
            _strict(getattr(ve, method), t)
    with pytest.raises(TimeDomainError, match="overflows float64"):
        _strict(ve.marginal_prob, [[1.0]], 6.9e16)
    with pytest.raises(TimeDomainError, match=r"m\(t\)"):
        _strict(LinearSDE(1, 1).mean_coeff, 800.0)
    assert _strict(ve.var, 1.0) == pytest.approx(1e-4 * (1e6 - 1.0))
    assert _strict(VP(0.1, 20.0).mean_coeff, 1e200) == 0.0  # m(t) -> 0 is a limit, not an overflow


def test_known_sde_prior_T_array():
    with pytest.raises(ShapeError, match="single time"):
        VP(0.1, 20.0).prior(range(3), 1)
    with pytest.raises(ShapeError, match="single time"):
        VP(0.1, 20.0).prior(np.array([0.5]), 1)
    assert VP(0.1, 20.0).prior(np.float64(0.5), 2).cov[1, 1] == VP(0.1, 20.0).var(0.5)


def test_known_sde_transition_arrays():
    vp = VP(0.1, 20.0)
    with pytest.raises(ShapeError, match="t_from has shape"):
        vp.transition(np.full((2, 2), 1.0), np.array([]))
    with pytest.raises(TimeDomainError, match="overflows float64"):
        _strict(vp.transition, np.full((2, 2), 1e308), np.full((2, 2), 1e308))
    r, c, v = vp.transition(np.array([0.5, 0.3]), np.array([0.4, 0.2]))
    assert r.shape == c.shape == v.shape == (2,) and np.all(np.isfinite(v))


def test_known_sde_extreme_params():
    for lo, hi in ((0.01, 1.7e308), (1e-300, 1e300), (5e-324, 1.0), (1.0, 1e200)):
        with pytest.raises(InvalidParameterError, match="VE"):
            VE(lo, hi)
    assert math.isfinite(_strict(VE(0.01, 50.0).var, 0.3))


def test_known_sde_prior_large_dim_is_fast():
    import time

    start = time.perf_counter()
    prior = VP(0.1, 20.0).prior(0.5, 2637)
    assert time.perf_counter() - start < 5.0  # was ~23 s (a dense eigh of sigma^2 I)
    lam, vecs = prior.eigh()
    assert np.all(lam == VP(0.1, 20.0).var(0.5)) and vecs[0, 0] == 1.0 and vecs[0, 1] == 0.0


def test_isotropic_covariance_eigh_matches_lapack():
    for d, c in ((1, 0.7), (3, 0.0), (4, 2.5)):
        lam, vecs = Gaussian(np.zeros(d), c * np.eye(d)).eigh()
        ref = np.linalg.eigh(c * np.eye(d))
        np.testing.assert_array_equal(lam, ref[0])
        np.testing.assert_array_equal(vecs, ref[1])


def test_known_gmm_huge_cov():
    with pytest.raises(InvalidParameterError, match="overflow"):
        _strict(GaussianMixture, [1.0], [[0.5, 0.0]], [[[1e308, 1e308], [1e308, 1e308]]])
    with pytest.raises(InvalidParameterError, match="overflow"):
        _strict(Gaussian, [0.0], [[1e308]])


def test_known_laws_huge_x_overflow():
    vp = VP(0.1, 20.0)
    laws = (
        Gaussian([0.3], [[0.7]]).noised(vp, 0.3),
        GaussianMixture([0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[2.0]]]),
        GaussianMixture([0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[2.0]]]).noised(vp, 0.3),
    )
    for law in laws:
        for method in ("log_prob", "score"):
            with pytest.raises(InvalidParameterError, match="overflows float64 at x"):
                _strict(getattr(law, method), [[3e277]])
        assert np.all(np.isfinite(_strict(law.log_prob, [[3.0], [1e3]])))


def test_known_density1d_far_x_is_fast():
    import time

    law = Density1D("-x**4/4 - x**2/2", (-np.inf, np.inf)).noised(OU(), 0.5)
    start = time.perf_counter()
    s = law.score(np.array([[5000.0], [-5000.0], [5e5]]))
    assert time.perf_counter() - start < 5.0  # was ~22 s per point (noisy integrand)
    assert s[0, 0] == pytest.approx(-s[1, 0], rel=1e-12) and np.all(np.isfinite(s))
    # the posterior mode c solves c^3 + c = m (x - m c) / v; the score is (m c - x) / v to leading order
    m, v = math.exp(-0.5), 1 - math.exp(-1.0)
    c = float(np.roots([1.0, 0.0, 1.0 + m * m / v, -m * 5000.0 / v]).real.max())
    assert s[0, 0] == pytest.approx((m * c - 5000.0) / v, rel=1e-3)
    with pytest.raises(InvalidParameterError, match="too far out"):
        law.score(np.array([[1e8]]))


def test_fuzz_found_sde_and_bound_defects():
    """The last four fuzz findings: huge sigma, drift overflow, NaN scores by contract, mixed bound keys."""
    import warnings

    from sgmverify.errors import BoundEvaluationError, InvalidParameterError as IPE

    with pytest.raises(IPE, match="sigma"):
        TimeChangedOU(1.0, "1 + t", 1e300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(IPE, match="overflows float64"):
            VP(0.1, 20.0).drift([[1e308, -1e308]], [1.0])
        # reverse_drift passes non-finite scores through by contract: the samplers report Status.NAN
        out = VP(0.1, 20.0).reverse_drift(np.zeros((1, 1)), 0.5, lambda x, t: np.full(x.shape, np.nan))
        assert np.isnan(out).all()
    bound = Bound("C*h", "upper", "W2")
    assert bound.evaluate({sp.Symbol("C"): 2.0, "h": 0.5}) == pytest.approx(1.0)
    with pytest.raises(BoundEvaluationError, match="needs values"):
        bound.evaluate({sp.Symbol("x"): 1.0, "y": 2.0})


def test_quadrature_variance_overflow_is_a_time_domain_error():
    """The slow fuzz's last bare error: sigma^2 by quadrature (math.exp) overflowing for a growing drift."""
    with pytest.raises(TimeDomainError, match="overflows float64"):
        LinearSDE("a", "1", params={"a": 1186.0}).var(0.3)
