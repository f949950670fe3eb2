"""The Scarvelis–Solomon suite: structure, provenance, and a few cheap checks run end to end.

The heavy checks run in ``sgmverify run --suite scarvelis_solomon_2025``; here: every theorem is well formed
and tagged (no derived statement presented as the paper's), cheap quick checks hold, the negative controls
are caught, and a figure renders.
"""

from __future__ import annotations

import numpy as np
import pytest

from sgmverify.run import run_check
from sgmverify.theory import Provenance, Verdict


@pytest.fixture(scope="module")
def suite():
    from proofs_checks.scarvelis_solomon_2025 import SUITE

    return SUITE


def _theorem(suite, tid):
    return next(t for t in suite.theorems if t.id == tid)


def test_structure_and_provenance(suite):
    ids = [t.id for t in suite.theorems]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("sens.") for i in ids)
    for th in suite.theorems:
        prov = th.reference.provenance
        if th.is_negative_control:
            assert prov is Provenance.TEXTBOOK
        else:
            # nothing here is the paper's verified statement: Thm 3.1 / Eqs. (2)-(4) were not read
            assert prov in (Provenance.DERIVED, Provenance.RECONSTRUCTED), th.id
            assert "NOT read" in th.reference.where or prov is Provenance.RECONSTRUCTED
        assert th.scenarios, th.id
    controls = {t.id for t in suite.theorems if t.is_negative_control}
    assert controls == {"sens.control_sign_error", "sens.control_no_density_ratio"}
    assert any(c.theorem.is_negative_control for c in suite.checks("quick"))
    assert {f.id for f in suite.figures} >= {"sens.arrows", "sens.validity_map"}


@pytest.mark.parametrize(
    "tid",
    ["sens.complex_step", "sens.finite_eps_exact", "sens.invariance", "sens.first_order_relative_error"],
)
def test_quick_score_checks_hold(suite, tid):
    th = _theorem(suite, tid)
    sc = next(s for s in th.scenarios if s.name == "d3-signed-t0.3")
    res = run_check(next(c for c in th.checks("full") if c.scenario is sc))
    assert res.verdict is Verdict.HOLDS, res


def test_negative_controls_are_caught(suite):
    for tid in ("sens.control_sign_error", "sens.control_no_density_ratio"):
        th = _theorem(suite, tid)
        res = run_check(th.checks("quick")[0])
        assert res.verdict is Verdict.VIOLATED, tid
        assert res.as_expected


def test_validity_figure_renders(suite):
    spec = next(f for f in suite.figures if f.id == "sens.validity_map")
    out = spec.make("quick", np.random.default_rng(0))
    rows = {row["t"]: row for row in out.table}
    # memorisation regime: near the added point at t = 1e-3 first order is off by far more than 100%
    assert rows[1e-3]["median eps r near new point"] > 10
    assert rows[1.0]["first order trustworthy near point"]
