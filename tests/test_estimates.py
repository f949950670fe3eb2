"""Tests of sgmverify.estimates: the Estimate value type, Student-t mean intervals, percentile bootstrap,
log-log slopes."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from sgmverify.errors import InvalidParameterError, SgmverifyError, ShapeError
from sgmverify.estimates import Estimate, bootstrap_ci, loglog_slope, mean_ci

NAN = float("nan")
INF = float("inf")


def same_estimate(a: Estimate, b: Estimate) -> bool:
    """Field-wise equality treating NaN as equal to NaN (dataclass ``==`` does not)."""
    return json.dumps(a.to_dict(), sort_keys=True) == json.dumps(b.to_dict(), sort_keys=True)


# ------------------------------------------------------------------------------------------- Estimate
class TestEstimateValidation:
    @pytest.mark.parametrize(
        ("value", "lo", "hi"),
        [(1.0, 0.0, 2.0), (1.0, 1.0, 1.0), (1.0, 1.0, 2.0), (1.0, 0.0, 1.0), (0.0, -INF, INF), (INF, 0, INF)],
    )
    def test_interval_containing_value_is_accepted(self, value, lo, hi):
        e = Estimate(value, lo, hi)
        assert (e.value, e.ci_low, e.ci_high) == (value, lo, hi)

    @pytest.mark.parametrize(
        ("value", "lo", "hi"),
        [(1.0, 2.0, 3.0), (1.0, -1.0, 0.5), (1.0, 2.0, 0.0), (1.0, math.nextafter(1.0, INF), 2.0)],
    )
    def test_interval_not_containing_value_is_rejected(self, value, lo, hi):
        with pytest.raises(InvalidParameterError, match="does not contain its value"):
            Estimate(value, lo, hi)

    def test_rejection_is_a_value_error_and_a_sgmverify_error(self):
        with pytest.raises(ValueError):
            Estimate(0.0, 1.0, 2.0)
        with pytest.raises(SgmverifyError):
            Estimate(0.0, 1.0, 2.0)

    @pytest.mark.parametrize(("lo", "hi"), [(NAN, NAN), (NAN, 2.0), (0.0, NAN), (5.0, NAN)])
    def test_nan_interval_ends_are_allowed(self, lo, hi):
        e = Estimate(1.0, lo, hi)
        assert e.value == 1.0

    def test_nan_value_is_allowed_with_any_interval(self):
        for lo, hi in [(0.0, 1.0), (NAN, NAN), (3.0, 1.0)]:
            assert math.isnan(Estimate(NAN, lo, hi).value)

    def test_numbers_are_coerced_to_python_floats(self):
        e = Estimate(np.float32(1.5), 1, np.int64(2))
        for v in (e.value, e.ci_low, e.ci_high):
            assert type(v) is float
        assert (e.value, e.ci_low, e.ci_high) == (1.5, 1.0, 2.0)

    def test_is_frozen(self):
        e = Estimate(1.0, 0.0, 2.0)
        with pytest.raises(AttributeError):
            e.value = 3.0  # type: ignore[misc]

    def test_half_width(self):
        assert Estimate(1.0, 0.5, 2.5).half_width == 1.0
        assert Estimate.exact_value(3.0).half_width == 0.0

    def test_map_applies_a_monotone_function_to_all_three_numbers(self):
        e = Estimate(1.0, 0.0, 2.0, level=0.9, n=10, method="student-t").map(math.exp)
        assert (e.value, e.ci_low, e.ci_high) == (math.e, 1.0, math.exp(2.0))
        assert (e.level, e.n, e.method, e.exact) == (0.9, 10, "student-t", False)


class TestExactValue:
    def test_fields(self):
        e = Estimate.exact_value(2.5)
        assert e.exact is True
        assert e.value == e.ci_low == e.ci_high == 2.5
        assert e.level is None
        assert e.n is None
        assert e.method == "exact"

    def test_method_name(self):
        assert Estimate.exact_value(1.0, method="closed form").method == "closed form"

    @pytest.mark.parametrize("v", [INF, -INF, NAN, 0.0, -3.0])
    def test_non_finite_and_signed_values(self, v):
        e = Estimate.exact_value(v)
        assert e.exact
        assert (math.isnan(e.value) and math.isnan(v)) or e.value == v

    def test_equal_exact_values_compare_equal(self):
        assert Estimate.exact_value(1.0) == Estimate.exact_value(1.0)
        assert Estimate.exact_value(1.0) != Estimate.exact_value(1.0, method="closed form")


class TestEstimateDict:
    @pytest.mark.parametrize(
        "e",
        [
            Estimate(1.0, 0.5, 1.5, level=0.9, n=30, method="student-t", extra={"note": "x", "k": [1, 2]}),
            Estimate.exact_value(2.0),
            Estimate(1.0, NAN, NAN),
            Estimate(NAN, NAN, NAN),
            Estimate(INF, 1.0, INF),
        ],
        ids=["ci", "exact", "nan-ci", "nan-value", "inf"],
    )
    def test_json_round_trip(self, e):
        d = e.to_dict()
        back = Estimate.from_dict(json.loads(json.dumps(d)))
        assert same_estimate(back, e)
        assert back.exact is e.exact
        assert back.extra == e.extra

    def test_round_trip_with_nan_free_fields_is_equal(self):
        e = Estimate(1.0, 0.5, 1.5, level=0.9, n=30, method="student-t", extra={"a": 1})
        assert Estimate.from_dict(e.to_dict()) == e

    def test_exact_round_trip_is_equal(self):
        e = Estimate.exact_value(1.0)
        d = e.to_dict()
        assert d["level"] is None and d["exact"] is True
        assert Estimate.from_dict(json.loads(json.dumps(d, allow_nan=False))) == e

    def test_old_nan_level_encoding_of_exact_is_read_as_none(self):
        d = {"value": 1.0, "ci_low": 1.0, "ci_high": 1.0, "level": NAN, "exact": True, "method": "exact"}
        assert Estimate.from_dict(d) == Estimate.exact_value(1.0)

    @pytest.mark.parametrize(
        ("e", "strings"),
        [
            (Estimate(1.0, NAN, NAN), {"ci_low": "nan", "ci_high": "nan"}),
            (Estimate(INF, 0.0, INF), {"value": "inf", "ci_high": "inf"}),
            (Estimate(0.0, -INF, 1.0), {"ci_low": "-inf"}),
            (Estimate.exact_value(NAN), {"value": "nan", "ci_low": "nan", "ci_high": "nan"}),
        ],
    )
    def test_to_dict_is_strict_json(self, e, strings):
        d = e.to_dict()
        for k, v in strings.items():
            assert d[k] == v
        json.dumps(d, allow_nan=False)
        assert same_estimate(Estimate.from_dict(d), e)

    def test_dict_keys(self):
        assert set(Estimate(1.0, 0.0, 2.0).to_dict()) == {
            "value",
            "ci_low",
            "ci_high",
            "level",
            "exact",
            "n",
            "method",
            "extra",
        }

    def test_from_dict_accepts_stringified_non_finite_numbers(self):
        # report.json writes non-finite floats as "nan" / "inf" strings.
        e = Estimate.from_dict({"value": "inf", "ci_low": "nan", "ci_high": "nan", "level": 0.95})
        assert e.value == INF and math.isnan(e.ci_low) and math.isnan(e.ci_high)

    def test_from_dict_does_not_mutate_its_argument(self):
        d = Estimate.exact_value(1.0).to_dict()
        Estimate.from_dict(d)
        assert d["level"] is None


# -------------------------------------------------------------------------------------------- mean_ci
class TestMeanCI:
    def test_formula(self):
        x = np.array([1.0, 2.0, 4.0, 7.0])
        e = mean_ci(x, level=0.9)
        q = stats.t.ppf(0.95, df=3)
        half = q * np.std(x, ddof=1) / 2.0
        assert e.value == pytest.approx(3.5, rel=1e-15)
        assert e.ci_low == pytest.approx(3.5 - half, rel=1e-14)
        assert e.ci_high == pytest.approx(3.5 + half, rel=1e-14)
        assert (e.level, e.n, e.method, e.exact) == (0.9, 4, "student-t", False)

    def test_two_dimensional_input_is_flattened(self):
        x = np.arange(6.0).reshape(2, 3)
        assert same_estimate(mean_ci(x), mean_ci(x.ravel()))

    def test_constant_samples_give_a_zero_width_interval(self):
        e = mean_ci(np.full(5, 2.0))
        assert e.value == e.ci_low == e.ci_high == 2.0

    def test_higher_level_gives_wider_interval(self):
        x = np.random.default_rng(1).normal(size=20)
        assert mean_ci(x, 0.99).half_width > mean_ci(x, 0.95).half_width > mean_ci(x, 0.5).half_width

    @pytest.mark.parametrize("x", [[], [1.0], np.array([[3.0]])])
    def test_fewer_than_two_samples_is_an_error(self, x):
        with pytest.raises(InvalidParameterError, match="at least 2 samples"):
            mean_ci(x)

    @pytest.mark.parametrize("bad", [NAN, INF, -INF])
    def test_non_finite_samples_are_an_error(self, bad):
        with pytest.raises(InvalidParameterError, match="non-finite"):
            mean_ci([1.0, 2.0, bad])

    @pytest.mark.parametrize("n", [4, 30])
    def test_coverage_is_nominal(self, n):
        """Coverage of the true mean over R independent normal data sets.

        For normal data the Student-t interval is exact, so the number of covering intervals is
        Binomial(R, 0.95).  With R = 2000 its standard deviation is sqrt(0.95·0.05/2000) ≈ 0.0049, and we
        allow 4 of them (±0.0195): a correct implementation fails with probability ≈ 6e-5 for *any* seed
        (the seed is fixed, so the test is deterministic).  R = 2000 rather than 400 keeps the band tight
        enough to catch real mistakes: n = 4 with a normal quantile instead of Student's t covers only
        ≈ 0.86, and a missing sqrt(n) or a level mix-up is caught at both n.
        """
        reps, level, mu = 2000, 0.95, 1.7
        rng = np.random.default_rng(20240611)
        data = rng.normal(mu, 2.0, size=(reps, n))
        covered = 0
        for x in data:
            e = mean_ci(x, level)
            covered += e.ci_low <= mu <= e.ci_high
        sd = math.sqrt(level * (1 - level) / reps)
        assert abs(covered / reps - level) < 4 * sd

    @pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5, NAN, "0.95", None])
    def test_level_outside_open_unit_interval_is_an_error(self, level):
        with pytest.raises(InvalidParameterError, match="level"):
            mean_ci([1.0, 2.0, 3.0], level=level)

    def test_level_error_comes_before_sample_errors(self):
        with pytest.raises(InvalidParameterError, match="level"):
            mean_ci([1.0], level=2.0)

    def test_numpy_float32_level_is_accepted(self):
        assert mean_ci([1.0, 2.0, 3.0], level=np.float32(0.9)).level == pytest.approx(0.9)


# --------------------------------------------------------------------------------------- bootstrap_ci
DATA = np.random.default_rng(7).normal(0.3, 1.0, size=50)


def mean_of(idx: np.ndarray) -> float:
    return float(DATA[idx].mean())


class TestBootstrapCI:
    def test_contains_the_point_estimate(self):
        e = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(0))
        assert e.value == pytest.approx(DATA.mean(), rel=1e-14)
        assert e.ci_low <= e.value <= e.ci_high
        assert e.ci_low < e.ci_high
        assert (e.level, e.n, e.method, e.exact) == (0.95, 50, "bootstrap-percentile", False)

    def test_given_point_outside_the_percentiles_is_included(self):
        far = DATA.mean() + 10.0
        e = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(0), point=far)
        assert e.value == far == e.ci_high
        low = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(0), point=-far)
        assert low.value == -far == low.ci_low

    def test_reproducible_with_a_seeded_generator(self):
        a = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(123), n_boot=50)
        b = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(123), n_boot=50)
        c = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(124), n_boot=50)
        assert a == b
        assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)

    def test_statistic_receives_index_arrays(self):
        calls: list[np.ndarray] = []

        def stat(idx):
            calls.append(idx)
            return float(idx.mean())

        bootstrap_ci(stat, 17, np.random.default_rng(0), n_boot=12)
        assert len(calls) == 13  # point estimate + n_boot replicates
        np.testing.assert_array_equal(calls[0], np.arange(17))
        for idx in calls:
            assert idx.shape == (17,)
            assert np.issubdtype(idx.dtype, np.integer)
            assert idx.min() >= 0 and idx.max() < 17

    def test_given_point_skips_the_point_evaluation(self):
        calls = []

        def stat(idx):
            calls.append(1)
            return float(idx.mean())

        bootstrap_ci(stat, 5, np.random.default_rng(0), n_boot=10, point=2.0)
        assert len(calls) == 10

    def test_width_is_comparable_to_the_t_interval(self):
        boot = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(3), n_boot=400)
        t = mean_ci(DATA)
        assert 0.7 < boot.half_width / t.half_width < 1.3

    def test_level_recorded_and_narrower_at_lower_level(self):
        wide = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(5), n_boot=200, level=0.99)
        narrow = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(5), n_boot=200, level=0.5)
        assert (wide.level, narrow.level) == (0.99, 0.5)
        assert narrow.half_width < wide.half_width

    @pytest.mark.parametrize("n_boot", [0, 1, 9, -5])
    def test_too_few_replicates_is_an_error(self, n_boot):
        with pytest.raises(InvalidParameterError, match="n_boot"):
            bootstrap_ci(mean_of, DATA.size, np.random.default_rng(0), n_boot=n_boot)

    def test_ten_replicates_is_enough(self):
        e = bootstrap_ci(mean_of, DATA.size, np.random.default_rng(0), n_boot=10)
        assert e.ci_low <= e.value <= e.ci_high

    @pytest.mark.parametrize("level", [0.0, 1.0, -0.1, 1.5, NAN])
    def test_level_outside_open_unit_interval_is_an_error(self, level):
        with pytest.raises(InvalidParameterError, match="level"):
            bootstrap_ci(mean_of, DATA.size, np.random.default_rng(0), level=level)


def test_exact_estimate_cannot_carry_an_interval():
    with pytest.raises(InvalidParameterError, match="exact"):
        Estimate(1.0, 0.5, 1.5, exact=True)


def test_map_keeps_extra():
    e = Estimate(1.0, 0.5, 2.0, extra={"k": 1}).map(lambda v: 2 * v)
    assert e.extra == {"k": 1} and (e.value, e.ci_low, e.ci_high) == (2.0, 1.0, 4.0)


def test_percentile_estimate_from_replicates():
    from sgmverify.estimates import percentile_estimate

    # the interval is the 2.5/97.5% quantile of the replicates, widened to contain the point
    reps = np.arange(1.0, 101.0)
    est = percentile_estimate(50.0, reps, method="test", n=100)
    assert (est.ci_low, est.ci_high) == pytest.approx((np.quantile(reps, 0.025), np.quantile(reps, 0.975)))
    assert est.level == 0.95 and est.n == 100 and est.method == "test"
    assert percentile_estimate(200.0, reps, method="test", n=100).ci_high == 200.0
    assert percentile_estimate(50.0, reps, level=0.5).ci_low == pytest.approx(np.quantile(reps, 0.25))


# ------------------------------------------------------------------------------------------- loglog_slope
def _binomial_tol(level: float, m: int) -> float:
    """Four binomial standard deviations of an observed coverage over ``m`` seeded repetitions."""
    return 4.0 * math.sqrt(level * (1 - level) / m)


class TestLoglogSlope:
    X = np.geomspace(1e-3, 1e-1, 6)

    def test_exact_power_law_gives_its_exponent_and_a_point_interval(self):
        y = 0.7 * self.X**-1.5
        est = loglog_slope(self.X, y)
        assert est.value == pytest.approx(-1.5, abs=1e-12)
        assert est.half_width == pytest.approx(0.0, abs=1e-12)
        assert est.extra["intercept"] == pytest.approx(math.log(0.7), abs=1e-12)
        assert not est.exact and est.level == 0.95 and est.extra["n_points"] == 6

    @pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
    def test_regression_interval_matches_scipy_linregress(self, level):
        rng = np.random.default_rng(3)
        x = np.sort(rng.uniform(0.1, 50.0, 7))
        y = 2.0 * x**0.8 * np.exp(0.1 * rng.standard_normal(7))
        ref = stats.linregress(np.log(x), np.log(y))
        half = stats.t.ppf(0.5 + level / 2, 5) * ref.stderr
        est = loglog_slope(x, y, level=level)
        assert est.value == pytest.approx(ref.slope, rel=1e-12)
        assert est.extra["intercept"] == pytest.approx(ref.intercept, rel=1e-12)
        assert est.extra["stderr"] == pytest.approx(ref.stderr, rel=1e-10)
        assert (est.ci_low, est.ci_high) == pytest.approx((ref.slope - half, ref.slope + half), rel=1e-10)
        assert est.level == level and "Student-t" in est.method

    def test_regression_interval_coverage(self):
        # log y = a + b log x + N(0, 0.2²): the Student-t interval is exact, coverage = level
        rng, b, level, m = np.random.default_rng(2024), 1.5, 0.9, 1000
        hits = 0
        for _ in range(m):
            y = 0.7 * self.X**b * np.exp(0.2 * rng.standard_normal(self.X.size))
            est = loglog_slope(self.X, y, level=level)
            hits += est.ci_low <= b <= est.ci_high
        assert abs(hits / m - level) <= _binomial_tol(level, m)

    def test_intervals_give_the_extreme_slopes_over_the_box(self):
        rng = np.random.default_rng(5)
        x = np.array([1.0, 2.0, 3.0, 5.0, 8.0])
        y = x**-1.0 * np.exp(0.05 * rng.standard_normal(5))
        lo, hi = y * np.exp(-rng.uniform(0, 0.2, 5)), y * np.exp(rng.uniform(0, 0.2, 5))
        est = loglog_slope(x, y, y_lo=lo, y_hi=hi)
        # brute force over the 2^5 corners of the box
        corners = [
            np.polyfit(np.log(x), np.log(np.where(np.array(bits) == 1, hi, lo)), 1)[0]
            for bits in np.ndindex(*(2,) * 5)
        ]
        assert est.value == pytest.approx(np.polyfit(np.log(x), np.log(y), 1)[0], rel=1e-12)
        assert (est.ci_low, est.ci_high) == pytest.approx((min(corners), max(corners)), rel=1e-12)
        assert est.level == 0.95
        assert loglog_slope(x, y, y_lo=lo, y_hi=hi, level=None).level is None

    def test_intervals_cover_at_least_their_simultaneous_level(self):
        # each value within its interval with probability level^(1/n), independently: all at once with
        # probability level, so the slope interval covers the true exponent at least that often
        rng, b, level, m, sig = np.random.default_rng(11), -0.5, 0.9, 500, 0.2
        z = stats.norm.ppf(0.5 + level ** (1 / self.X.size) / 2)
        hits = 0
        for _ in range(m):
            y = 3.0 * self.X**b * np.exp(sig * rng.standard_normal(self.X.size))
            est = loglog_slope(self.X, y, y_lo=y * np.exp(-z * sig), y_hi=y * np.exp(z * sig), level=level)
            hits += est.ci_low <= b <= est.ci_high
        assert hits / m >= level - _binomial_tol(level, m)

    def test_replicates_give_the_percentile_interval_of_their_slopes(self):
        rng = np.random.default_rng(8)
        y = 0.5 * self.X**2.0
        boot = y[:, None] * np.exp(0.1 * rng.standard_normal((self.X.size, 300)))
        est = loglog_slope(self.X, y, y_boot=boot, level=0.9, n=1000)
        slopes = [np.polyfit(np.log(self.X), np.log(boot[:, j]), 1)[0] for j in range(300)]
        assert est.value == pytest.approx(2.0, abs=1e-12)
        lo, hi = np.quantile(slopes, [0.05, 0.95])
        assert (est.ci_low, est.ci_high) == pytest.approx((min(lo, 2.0), max(hi, 2.0)), rel=1e-12)
        assert est.n == 1000 and est.extra["n_replicates"] == 300 and est.extra["dropped_replicates"] == 0

    def test_bootstrap_replicates_cover_the_true_exponent(self):
        # y_i = mean of 50 gamma draws around C x_i^b; y_boot = bootstrap means of the same draws
        rng, b, level, m, k, n_boot = np.random.default_rng(7), 1.5, 0.9, 400, 50, 200
        true = 0.7 * self.X**b
        hits = 0
        for _ in range(m):
            draws = true[:, None] * rng.gamma(4.0, 0.25, (self.X.size, k))
            idx = rng.integers(0, k, (self.X.size, n_boot, k))
            boot = np.take_along_axis(np.broadcast_to(draws[:, None, :], idx.shape), idx, 2).mean(2)
            est = loglog_slope(self.X, draws.mean(1), y_boot=boot, level=level)
            hits += est.ci_low <= b <= est.ci_high
        # the percentile bootstrap undercovers by O(1/k) (about 0.01 here), well inside the tolerance
        assert abs(hits / m - level) <= _binomial_tol(level, m)

    def test_invalid_replicates_raise_unless_dropped_and_counted(self):
        y = self.X**1.0
        boot = np.repeat(y[:, None], 20, axis=1) * np.linspace(0.9, 1.1, 20)
        boot[2, 3], boot[0, 7] = 0.0, np.nan
        with pytest.raises(InvalidParameterError, match="2 of 20 replicates"):
            loglog_slope(self.X, y, y_boot=boot)
        est = loglog_slope(self.X, y, y_boot=boot, drop_invalid_replicates=True)
        assert est.extra["dropped_replicates"] == 2 and est.extra["n_replicates"] == 18
        with pytest.raises(InvalidParameterError, match="at least 10 valid replicates"):
            loglog_slope(self.X, y, y_boot=boot[:, :11], drop_invalid_replicates=True)

    def test_level_none_gives_the_slope_alone(self):
        est = loglog_slope([1.0, 4.0], [2.0, 1.0], level=None)
        assert est.value == pytest.approx(-0.5) and (est.ci_low, est.ci_high) == (-INF, INF)
        assert est.level is None and not est.exact

    def test_method_n_and_extra_are_passed_through(self):
        est = loglog_slope(self.X, self.X**2, method="my fit", n=7, extra={"w2": [1.0]})
        assert est.method == "my fit" and est.n == 7
        assert est.extra["w2"] == [1.0] and est.extra["n_points"] == 6

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"x": [1.0, 2.0], "y": [1.0, 2.0]}, InvalidParameterError, "at least 3 points"),
            ({"x": [1.0], "y": [1.0], "level": None}, InvalidParameterError, "at least 2 points"),
            ({"x": [1.0, 2.0, 3.0], "y": [1.0, 0.0, 2.0]}, InvalidParameterError, "finite and positive"),
            ({"x": [1.0, -2.0, 3.0], "y": [1.0, 1.0, 2.0]}, InvalidParameterError, "finite and positive"),
            ({"x": [1.0, 2.0, NAN], "y": [1.0, 1.0, 2.0]}, InvalidParameterError, "finite and positive"),
            ({"x": [1.0, 2.0, 3.0], "y": [1.0, INF, 2.0]}, InvalidParameterError, "finite and positive"),
            ({"x": [2.0, 2.0, 2.0], "y": [1.0, 1.5, 2.0]}, InvalidParameterError, "all x are equal"),
            ({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0]}, ShapeError, "one value per point"),
            ({"x": [[1.0, 2.0, 3.0]], "y": [1.0, 2.0, 3.0]}, ShapeError, "1-D"),
            ({"x": ["a", "b", "c"], "y": [1.0, 2.0, 3.0]}, InvalidParameterError, "real numbers"),
            ({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0], "level": 1.0}, InvalidParameterError, "level"),
            ({"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0], "level": True}, InvalidParameterError, "level"),
            ({"x": [1.0, 2.0], "y": [1.0, 2.0], "y_lo": [1.0, 2.0]}, InvalidParameterError, "both y_lo"),
            (
                {"x": [1.0, 2.0], "y": [1.0, 2.0], "y_lo": [1.0, 2.5], "y_hi": [1.0, 3.0]},
                InvalidParameterError,
                "y_lo <= y <= y_hi",
            ),
            (
                {
                    "x": [1.0, 2.0],
                    "y": [1.0, 2.0],
                    "y_lo": [1, 2],
                    "y_hi": [1, 2],
                    "y_boot": np.ones((2, 20)),
                },
                InvalidParameterError,
                "not both",
            ),
            ({"x": [1.0, 2.0], "y": [1.0, 2.0], "y_boot": np.ones((3, 20))}, ShapeError, "n_points, B"),
            (
                {"x": [1.0, 2.0], "y": [1.0, 2.0], "y_boot": np.ones((2, 20)), "level": None},
                InvalidParameterError,
                "needs a level",
            ),
            (
                {"x": [1.0, 2.0, 3.0], "y": [1.0, 2.0, 3.0], "drop_invalid_replicates": True},
                InvalidParameterError,
                "pass y_boot",
            ),
        ],
    )
    def test_bad_input_raises_a_clear_error(self, kwargs, error, match):
        with pytest.raises(error, match=match):
            loglog_slope(**kwargs)

    def test_is_public_at_the_top_level(self):
        import sgmverify

        assert sgmverify.loglog_slope is loglog_slope and "loglog_slope" in sgmverify.__all__
