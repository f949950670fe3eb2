"""The check pipeline: one :class:`~sgmverify.theory.Check` in, one :class:`~sgmverify.theory.Result` out.

:func:`run_check` is the only place a check is run (the runner, the falsifier and the pytest plugin all call
it).  Its stages, in order:

1. the theorem's assumptions on the scenario — any ``"fails"`` gives ASSUMPTIONS_FAIL (after the bound's
   parameters are recorded);
2. ``bound_params(scenario)`` (default: the scenario's ``params``) and the bound's value there;
3. ``measure(scenario, rng)`` with ``rng = np.random.default_rng(scenario.seed)`` (a float is an exact
   measurement);
4. the verdict, :func:`~sgmverify.theory.decide`; a VIOLATED verdict under assumptions that could not be
   verified becomes INCONCLUSIVE, and a HOLDS under such assumptions says so in its reason ("(assumption X
   could not be verified)"; :attr:`Result.holds_unverified <sgmverify.theory.Result.holds_unverified>`).

A theorem built with ``beyond_hypotheses=True`` whose assumptions fail on the scenario still goes through
stages 2-4; the verdict stays ASSUMPTIONS_FAIL and the comparison is stored in
:attr:`Result.outside <sgmverify.theory.Result.outside>` (a fault there is an ``"ERROR"`` inside
``outside``, never the check's verdict).

The stages run in a fresh per-check context (:func:`~sgmverify.theory.check_context`), so
``bound_params`` and ``measure`` can share values through :meth:`Scenario.shared
<sgmverify.theory.Scenario.shared>`; the context is closed when the check ends.
"""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Mapping

import numpy as np

from sgmverify.estimates import Estimate
from sgmverify.theory import Check, Result, Verdict, check_context, decide, describe_object

__all__ = ["run_check"]


def run_check(check: Check, versions: Mapping[str, str] | None = None) -> Result:
    """Check assumptions, evaluate the bound, measure, decide.  Never raises: faults become ERROR.

    Parameters
    ----------
    check : Check
        The theorem and the scenario.
    versions : mapping, optional
        Library versions recorded in the result (see :func:`sgmverify.run.versions`).

    Returns
    -------
    Result
        With ``timings`` ``bound_s``, ``measure_s`` (when those stages ran) and ``total_s``; an exception
        raised by any stage gives verdict ERROR, its first line as ``reason`` and its ``traceback``.
    """
    t0 = time.perf_counter()
    th, sc = check.theorem, check.scenario
    res = Result.empty(check)
    res.versions = dict(versions or {})
    try:
        with check_context():
            res.assumptions = [a.evaluate(sc) for a in th.assumptions]
            failed = [a for a in res.assumptions if a.status == "fails"]
            values = dict(th.bound_params(sc) if th.bound_params else sc.params)
            res.bound_params = {k: describe_object(v) for k, v in values.items()}
            if failed:
                res.verdict = Verdict.ASSUMPTIONS_FAIL
                res.reason = "; ".join(f"{a.name}: {a.detail}" for a in failed)
                if getattr(th, "beyond_hypotheses", False):
                    res.outside = _outside(check, values, res.timings)
                return res
            _compare(check, values, res)
            unknown = res.unverified_assumptions
            if unknown and res.verdict is Verdict.VIOLATED:
                res.verdict = Verdict.INCONCLUSIVE
                res.reason = (
                    f"measured beyond the bound, but assumptions {unknown} could not be "
                    f"verified ({res.reason})"
                )
            elif unknown and res.verdict is Verdict.HOLDS:
                names = ", ".join(unknown)
                which = f"assumption {names}" if len(unknown) == 1 else f"assumptions {names}"
                res.reason = f"{res.reason} ({which} could not be verified)"
    except Exception as exc:  # noqa: BLE001  (one check's fault must not stop a run)
        res.verdict = Verdict.ERROR
        res.reason = _first_line(exc)
        res.traceback = traceback.format_exc()
    finally:
        res.timings["total_s"] = time.perf_counter() - t0
    return res


def _compare(check: Check, values: Mapping[str, object], res: Result) -> None:
    """Stages 2-4 into ``res``: the bound's value, the measurement, the verdict and the ratio."""
    th, sc = check.theorem, check.scenario
    t1 = time.perf_counter()
    res.bound_value = th.bound.evaluate(values)
    res.timings["bound_s"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    m = th.measure(sc, np.random.default_rng(sc.seed))
    res.timings["measure_s"] = time.perf_counter() - t1
    res.measured = m if isinstance(m, Estimate) else Estimate.exact_value(float(m))
    tol = th.bound.tolerance(res.bound_value)
    res.verdict, res.reason = decide(res.bound_value, res.measured, th.bound.direction, tol)
    if res.bound_value != 0 and math.isfinite(res.bound_value):
        res.ratio = res.measured.value / res.bound_value


def _outside(check: Check, values: Mapping[str, object], timings: dict) -> dict:
    """The comparison run beyond the hypotheses, as :attr:`Result.outside` (a fault becomes "ERROR")."""
    probe = Result.empty(check)
    try:
        _compare(check, values, probe)
    except Exception as exc:  # noqa: BLE001  (a fault beyond the hypotheses is recorded, not raised)
        probe.verdict, probe.reason = Verdict.ERROR, _first_line(exc)
    timings.update(probe.timings)
    return {
        "verdict": probe.verdict.value,
        "reason": probe.reason,
        "bound_value": probe.bound_value,
        "measured": probe.measured.to_dict() if probe.measured is not None else None,
    }


def _first_line(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
