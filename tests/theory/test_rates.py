"""Rate claims (`sgmverify.theory.Rate`, `rate_theorem`): the fitted log-log exponent decided by `decide`.

References: exact power laws c·x^b (the least-squares slope of exact log-values is b to rounding, ~1e-15);
Monte Carlo points x^b·(1 + 0.1 Z) averaged over n draws, whose log-log slope has standard error about
0.1/sqrt(n)/sd(log x) -- so a 95 % interval should cover b in about 95 % of seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from sgmverify.errors import InvalidParameterError, InvalidTypeError
from sgmverify.estimates import Estimate, mean_ci
from sgmverify.run import run_check
from sgmverify.theory import Direction, Provenance, Rate, Reference, Scenario, Verdict, rate_theorem

REF = Reference("rate tests", provenance=Provenance.DERIVED)
H = [0.01, 0.02, 0.04, 0.08, 0.16]


def power(sc, rng):
    """3 h^(p) exactly, p from the scenario (default 1/2)."""
    return 3.0 * sc.params["h"] ** sc.params.get("p", 0.5)


def power_estimate(sc, rng):
    return Estimate.exact_value(power(sc, rng))


def curved(sc, rng):
    """h^(1/2) + h: an exact curve that is not a power law (local slope between 1/2 and 1)."""
    return sc.params["h"] ** 0.5 + sc.params["h"]


def noisy_replicates(sc, rng):
    return sc.params["h"] ** 0.5 * (1 + 0.1 * rng.standard_normal(400))


def noisy_estimate(sc, rng):
    return mean_ci(sc.params["h"] ** 0.5 * (1 + 0.1 * rng.standard_normal(400)))


def very_noisy(sc, rng):
    return mean_ci(sc.params["h"] ** 0.5 * np.exp(rng.standard_normal(20)))


def _run(th, scenario=None):
    return run_check(th.checks()[0] if scenario is None else type(th.checks()[0])(th, scenario))


@pytest.mark.parametrize("measure", [power, power_estimate])
@pytest.mark.parametrize(
    ("claimed", "direction"), [(0.5, "equal"), ("1/2", "upper"), (0.5, "lower"), (1, "upper")]
)
def test_exact_power_law_slope_recovered_and_holds(measure, claimed, direction):
    res = _run(rate_theorem("r", "t", REF, measure, "h", H, claimed, direction, what="err"))
    assert res.verdict is Verdict.HOLDS, res.reason
    assert res.measured.exact and abs(res.measured.value - 0.5) < 1e-12  # rounding of 5 logs
    assert res.measured.extra["x"] == H and len(res.measured.extra["y"]) == len(H)


@pytest.mark.parametrize(("claimed", "direction"), [(1.0, "equal"), (0.4, "upper"), (0.6, "lower")])
def test_wrong_exponent_is_violated(claimed, direction):
    """Negative controls: a claimed exponent the exact data contradict."""
    th = rate_theorem("r", "t", REF, power, "h", H, claimed, direction, expect="violated")
    res = _run(th)
    assert res.verdict is Verdict.VIOLATED and res.as_expected, res.reason


def test_exponent_from_the_scenario_and_bound_direction():
    th = rate_theorem(
        "r", "t", REF, power, "h", H, "p", "equal", scenarios=[Scenario("p2", params={"p": 2.0})]
    )
    assert th.bound.direction is Direction.RATE and th.bound.symbols == ["p"]
    res = _run(th)
    assert res.verdict is Verdict.HOLDS and abs(res.measured.value - 2.0) < 1e-12


def test_curved_exact_data_get_a_regression_interval():
    res = _run(rate_theorem("r", "t", REF, curved, "h", H, 0.5, "equal", tol=0.01))
    assert not res.measured.exact and res.measured.method.count("Student-t")
    assert 0.5 < res.measured.value < 1.0 and res.measured.half_width > 0
    assert res.verdict is Verdict.VIOLATED  # the fit over [0.01, 0.16] is far from 1/2 ± 0.01
    loose = _run(rate_theorem("r", "t", REF, curved, "h", H, 1.0, "upper"))
    assert loose.verdict is Verdict.HOLDS


@pytest.mark.parametrize("measure", [noisy_replicates, noisy_estimate])
def test_monte_carlo_interval_covers_the_true_slope_in_most_seeds(measure):
    covered, n = 0, 40
    for seed in range(n):
        th = rate_theorem("r", "t", REF, measure, "h", H, 0.5, "equal", tol=0.1, n_boot=400)
        res = _run(th, Scenario(f"s{seed}", seed=seed))
        assert res.measured.method.count("replicate slopes") and not res.measured.exact
        covered += res.measured.ci_low <= 0.5 <= res.measured.ci_high
        assert res.verdict is Verdict.HOLDS, res.reason  # CI half-width ~0.01 << tol 0.1
    # nominal 95 %: P(Binomial(40, 0.95) < 33) < 1e-3; allow bootstrap undercoverage down to ~82 %
    assert covered >= 33, covered


def test_monte_carlo_noise_that_cannot_decide_is_inconclusive():
    res = _run(
        rate_theorem("r", "t", REF, very_noisy, "h", [0.5, 0.6, 0.7], 0.5, "equal", tol=0.05, n_boot=400)
    )
    assert res.verdict is Verdict.INCONCLUSIVE, res.reason
    assert res.measured.ci_high - res.measured.ci_low > 0.1


def test_rate_object_and_bad_input():
    rate = Rate(power, "h", H, 0.5, "upper", what="err")
    assert rate.bound().quantity == "log-log exponent of err in h"
    assert [x for x, _ in rate.points(Scenario("s"), np.random.default_rng(0))] == H
    with pytest.raises(InvalidParameterError, match="at least 3"):
        Rate(power, "h", [0.1, 0.2], 0.5)
    with pytest.raises(InvalidParameterError, match="at least 3"):
        Rate(power, "h", [0.1, -0.2, 0.3], 0.5)
    with pytest.raises(InvalidParameterError, match="direction"):
        Rate(power, "h", H, 0.5, "rate")
    with pytest.raises(InvalidTypeError, match="callable"):
        Rate(1.0, "h", H, 0.5)
    with pytest.raises(InvalidParameterError, match="n_boot"):
        Rate(power, "h", H, 0.5, n_boot=3)


def bad_output(sc, rng):
    return "0.5"


def test_a_bad_quantity_is_an_error_not_a_verdict():
    res = _run(rate_theorem("r", "t", REF, bad_output, "h", H, 0.5))
    assert res.verdict is Verdict.ERROR and "quantity must return" in res.reason


# ------------------------------------------------------------------ deterministic enclosures (level=None)
REL = 1e-3  # relative half-width of the numerical bounds below


def enclosed_power(sc, rng):
    """3 h^(1/2) inside a deterministic bound [v(1 - REL), v(1 + REL)] (level=None, not a CI)."""
    v = power(sc, rng)
    return Estimate(v, v * (1 - REL), v * (1 + REL), level=None, method="numerical bound")


def tight_enclosed_power(sc, rng):
    v = power(sc, rng)
    return Estimate(v, v * (1 - 1e-13), v * (1 + 1e-13), level=None, method="numerical bound")


def enclosure_to_zero(sc, rng):
    v = power(sc, rng)
    return Estimate(v, 0.0, 2 * v, level=None, method="numerical bound clipped at 0")


def test_a_numerical_bound_is_an_enclosure_not_a_confidence_interval():
    """An exact power law through level=None bounds: the slope's interval is the extreme curves' slopes,
    deterministic (level=None, no bootstrap), and reproducible across seeds.  Reference: the slope is
    sum c_i log y_i / sum c_i^2, so its maximum over the box puts log y_i + log(1 + REL) where c_i > 0 and
    log y_i + log(1 - REL) where c_i < 0 (the minimum the other way round)."""
    rate = Rate(enclosed_power, "h", H, 0.5, "equal", tol=1e-9)
    est = rate.measure(Scenario("s"), np.random.default_rng(0))
    c = np.log(H) - np.mean(np.log(H))
    up = (np.log1p(REL) * c[c > 0].sum() + np.log1p(-REL) * c[c < 0].sum()) / (c @ c)
    down = -(np.log1p(-REL) * c[c > 0].sum() + np.log1p(REL) * c[c < 0].sum()) / (c @ c)
    assert est.level is None and not est.exact
    assert est.value == pytest.approx(0.5, abs=1e-12)
    assert est.ci_high - est.value == pytest.approx(up, rel=1e-9)
    assert est.value - est.ci_low == pytest.approx(down, rel=1e-9)
    assert rate.measure(Scenario("s"), np.random.default_rng(1)) == est  # no random draws
    # the same check through the verdict: 0.5 is inside the enclosure (an "equal" claim with tol 0.01 holds)
    res = _run(rate_theorem("r", "t", REF, enclosed_power, "h", H, 0.5, "equal", tol=0.01))
    assert res.verdict is Verdict.HOLDS, res.reason
    res = _run(rate_theorem("r", "t", REF, enclosed_power, "h", H, 0.4, "upper"))
    assert res.verdict is Verdict.VIOLATED, res.reason


def test_an_enclosure_narrower_than_tol_is_an_exact_point():
    est = Rate(tight_enclosed_power, "h", H, 0.5, "equal", tol=1e-9).measure(
        Scenario("s"), np.random.default_rng(0)
    )
    assert est.exact and est.value == pytest.approx(0.5, abs=1e-12)


def test_an_enclosure_widens_a_monte_carlo_fit():
    """Mixed points: the bootstrap interval (enclosed point at its value) widened by the enclosure's shift."""

    def mixed(sc, rng):
        return enclosed_power(sc, rng) if sc.params["h"] == H[0] else noisy_estimate(sc, rng)

    plain = Rate(noisy_estimate, "h", H, 0.5, n_boot=400).measure(Scenario("s"), np.random.default_rng(3))
    est = Rate(mixed, "h", H, 0.5, n_boot=400).measure(Scenario("s"), np.random.default_rng(3))
    lo_shift, hi_shift = est.extra["enclosure_shift"]
    assert lo_shift > 0 and hi_shift > 0 and est.level == 0.95
    assert est.ci_high - est.ci_low > hi_shift + lo_shift
    assert plain.ci_high - plain.ci_low > 0


def test_an_enclosure_reaching_zero_gives_an_unbounded_slope():
    est = Rate(enclosure_to_zero, "h", H, 0.5).measure(Scenario("s"), np.random.default_rng(0))
    assert est.ci_low == -np.inf and est.ci_high == np.inf
    res = _run(rate_theorem("r", "t", REF, enclosure_to_zero, "h", H, 0.5, "equal", tol=0.01))
    assert res.verdict is Verdict.INCONCLUSIVE, res.reason


@pytest.mark.parametrize(
    ("values", "claimed", "direction", "fitted"),
    [
        ([0.01, 0.02, 0.04], 0.5, "lower", 1.0),  # err = O(h^{1/2}) as h -> 0; fitted h^1 is faster: holds
        (
            [10.0, 100.0, 1000.0],
            2.0,
            "upper",
            1.0,
        ),  # cost = O(d^2), d -> oo; fitted d^1 is slower: holds
    ],
)
def test_the_two_big_o_regimes(values, claimed, direction, fitted):
    def q(sc, rng):
        return 2.0 * sc.params["h"] ** fitted

    assert _run(rate_theorem("r", "t", REF, q, "h", values, claimed, direction)).verdict is Verdict.HOLDS
    wrong = "upper" if direction == "lower" else "lower"
    assert _run(rate_theorem("r", "t", REF, q, "h", values, claimed, wrong)).verdict is Verdict.VIOLATED
