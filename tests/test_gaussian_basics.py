"""The engine's smoke-test suite: every claim comes out as expected in quick mode, and the negative
controls are really caught (each is VIOLATED, not merely 'not HOLDS')."""

import pytest

from proofs_checks.gaussian_basics import SUITE
from sgmverify.run import run_check
from sgmverify.theory import Verdict

CHECKS = SUITE.checks("quick")


@pytest.mark.parametrize("check", CHECKS, ids=[c.id for c in CHECKS])
def test_quick_check_as_expected(check):
    res = run_check(check)
    assert res.verdict is not Verdict.ERROR, res.traceback
    if check.theorem.is_negative_control:
        assert res.verdict is Verdict.VIOLATED, res.reason
    else:
        assert res.verdict is Verdict.HOLDS, res.reason


def test_suite_has_negative_controls_for_every_kind_of_measurement():
    controls = [t for t in SUITE.theorems if t.is_negative_control]
    assert len(controls) >= 4
    directions = {t.bound.direction.value for t in controls}
    assert {"equal", "upper", "rate"} <= directions
