"""The text of the files ``sgmverify new NAME`` writes: a ready suite ``NAME.py`` and its pytest test
``test_NAME.py``.  every ``{name}`` is replaced by NAME (nothing else is substituted).
"""

from __future__ import annotations

__all__ = ["SUITE_TEMPLATE", "TEST_TEMPLATE", "render"]

SUITE_TEMPLATE = '''"""{name}: a starter sgmverify suite, written by ``sgmverify new {name}`` (edit it).

The claim is a textbook identity, so the suite is green out of the box: for data N(mu, Sigma) noised by
the Ornstein-Uhlenbeck process, X_t = m X_0 + sigma Z with m = e^(-t), sigma^2 = 1 - e^(-2t), and this
synchronous coupling gives

    W2(p_t, p_0)^2 <= E|X_t - X_0|^2 = (1 - m)^2 E|X_0|^2 + sigma^2 d.

The measure is the exact W2 distance between the two Gaussians (the Bures formula).  The negative control
claims half of that bound, which is false on these scenarios, and must be caught (VIOLATED).

    sgmverify list --suite {name}.py       # what the suite claims
    sgmverify run --suite {name}.py        # run it (reports in reports/)
    pytest test_{name}.py                  # the same checks as a pytest test
"""

from __future__ import annotations

import numpy as np
from sgmverify import (
    OU,
    Assumption,
    AssumptionResult,
    Bound,
    Gaussian,
    Provenance,
    Reference,
    Scenario,
    Suite,
    Theorem,
    w2_gaussian,
)

REF = Reference(
    "textbook", "synchronous coupling of the Ornstein-Uhlenbeck process", provenance=Provenance.TEXTBOOK
)
NEG = Reference("negative control", "half the coupling bound (false)", provenance=Provenance.TEXTBOOK)


def gaussian_data(scenario: Scenario) -> AssumptionResult:
    """The hypothesis: the data law is a Gaussian with a positive definite covariance."""
    data = scenario.data
    ok = isinstance(data, Gaussian) and bool(np.all(np.linalg.eigvalsh(data.cov) > 0))
    status = "holds" if ok else "fails"
    return AssumptionResult("gaussian data", status, "N(mu, Sigma), Sigma > 0", "by construction")


GAUSSIAN = Assumption("gaussian data", "the data law is N(mu, Sigma), Sigma > 0", gaussian_data)


def coupling_params(scenario: Scenario) -> dict:
    """The bound's parameters: m = e^(-t), sigma = sqrt(1 - e^(-2t)), d and E|X_0|^2 = |mu|^2 + tr Sigma."""
    t, data = scenario.params["t"], scenario.data
    return {
        "m": float(np.exp(-t)),
        "sigma": float(np.sqrt(-np.expm1(-2.0 * t))),
        "d": data.dim,
        "second_moment": float(data.mean @ data.mean + np.trace(data.cov)),
    }


def measure_w2(scenario: Scenario, rng: np.random.Generator) -> float:
    """Exact W2(p_t, p_0) between the data N(mu, Sigma) and its OU-noised law (a float: exact)."""
    p0 = scenario.data
    pt = p0.noised(scenario.process, scenario.params["t"])
    return w2_gaussian(pt.mean, pt.cov, p0.mean, p0.cov)


SCENARIOS = [
    Scenario(
        f"d{d}-t{t:g}",
        data=Gaussian(np.ones(d), np.diag(np.linspace(2.0, 4.0, d))),
        process=OU(),
        params={"t": t},
        quick=t != 0.1,
    )
    for d in (1, 2)
    for t in (0.1, 0.5, 1.0)
]

COUPLING = Theorem(
    id="{name}.coupling_w2",
    title="W2(p_t, p_0) <= sqrt((1-m)^2 E|X_0|^2 + sigma^2 d) (synchronous coupling)",
    reference=REF,
    bound=Bound("sqrt((1 - m)**2*second_moment + sigma**2*d)", "upper", "W2(p_t, p_0)"),
    measure=measure_w2,
    assumptions=[GAUSSIAN],
    scenarios=SCENARIOS,
    bound_params=coupling_params,
)

COUPLING_HALF = Theorem(
    id="{name}.neg.coupling_half",
    title="Negative control: W2(p_t, p_0) <= half the coupling bound (false; must be VIOLATED)",
    reference=NEG,
    bound=Bound("sqrt((1 - m)**2*second_moment + sigma**2*d)/2", "upper", "W2(p_t, p_0)"),
    measure=measure_w2,
    assumptions=[GAUSSIAN],
    scenarios=[s for s in SCENARIOS if s.params["t"] == 1.0],
    bound_params=coupling_params,
    expect="violated",
)

SUITE = Suite("{name}", "{name}: starter suite (OU coupling bound)", [COUPLING, COUPLING_HALF])
'''

TEST_TEMPLATE = '''"""pytest test of the {name} suite, with sgmverify's pytest plugin (``sgm_check``).

    pytest test_{name}.py

Each claim must hold and the negative control must be caught; ``sgm_check`` fails the test otherwise.  To
collect every check as its own test item instead: ``pytest --sgmverify --sgm-no-discover --sgm-suite
{name}.py``.
"""

from __future__ import annotations

import pytest

import {name}  # {name}.py beside this file (pytest puts this folder on sys.path)


@pytest.mark.parametrize("theorem", {name}.SUITE.theorems, ids=lambda t: t.id)
def test_{name}(sgm_check, theorem):
    results = sgm_check(theorem)  # every quick scenario; raises if a check is not as expected
    assert results and all(r.as_expected for r in results)
'''


def render(template: str, name: str) -> str:
    """``template`` with every ``{name}`` replaced by ``name``."""
    return template.replace("{name}", name)
