"""The quick checks of every suite, serially and on a Dask LocalCluster of 2 workers: the speed-up.

Both runs go through :func:`sgmverify.run.run_checks` without a store (nothing reused), with the same
suites and ``-k`` selection: ``jobs=1`` (in this process, one BLAS/torch thread) against
``dask_executor("local", 2)`` (two single-threaded worker processes).  Target (issue 18): speed-up
≥ 1.7× on 2 cores.

Beside the wall times it prints where a shortfall comes from (the profile of the run):

* ``sum of checks`` — the checks' own times (``Result.timings["total_s"]``) in the serial run;
* ``longest check`` — a lower bound on any schedule's wall time (no check is split between workers);
* ``ideal 2-worker wall`` — max(sum / 2, longest): the best any 2-worker schedule can do;
* ``overhead`` — the Dask run's wall time minus that ideal (cluster start, suite import in each worker,
  scheduling, transfers), and the slowest checks.

Run:  python benchmarks/bench_dask.py [-k FILTER] [--workers 2]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core per process
    os.environ[_var] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")

import argparse  # noqa: E402
import time  # noqa: E402

from sgmverify.run import dask_executor, discover_suites, run_checks  # noqa: E402


def _run(suites, k, executor=None):
    t0 = time.perf_counter()
    kw = dict(mode="quick", filter=k, progress=False, resume=False)
    outcome = (
        run_checks(suites, jobs=1, **kw) if executor is None else run_checks(suites, executor=executor, **kw)
    )
    return time.perf_counter() - t0, outcome.results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", help="only checks matching this filter (a partial measurement)")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    suites = discover_suites()
    t_import = time.perf_counter() - t0
    serial, results = _run(suites, args.k)
    t1 = time.perf_counter()
    with dask_executor("local", args.workers) as ex:
        t_cluster = time.perf_counter() - t1
        dask_wall, dask_results = _run(suites, args.k, ex)
    dask_total = time.perf_counter() - t1
    times = sorted(((float(r.timings.get("total_s", 0.0) or 0.0), r.check_id) for r in results), reverse=True)
    total = sum(t for t, _ in times)
    longest = times[0][0] if times else 0.0
    ideal = max(total / args.workers, longest)
    same = sorted((r.check_id, r.verdict.value) for r in results) == sorted(
        (r.check_id, r.verdict.value) for r in dask_results
    )
    print(f"checks: {len(results)} (suite import {t_import:.1f} s)   verdicts identical: {same}")
    print(f"serial (jobs=1)              {serial:8.1f} s")
    print(f"dask LocalCluster x{args.workers}        {dask_wall:8.1f} s  (+ {t_cluster:.1f} s cluster start; "
          f"{dask_total:.1f} s with start and shutdown)")  # fmt: skip
    print(f"speed-up                     {serial / dask_wall:8.2f}x  "
          f"(with cluster start: {serial / dask_total:.2f}x; target >= 1.7x)")  # fmt: skip
    print(f"sum of checks {total:.1f} s, longest check {longest:.1f} s -> ideal {args.workers}-worker wall "
          f"{ideal:.1f} s (best possible speed-up {serial / ideal:.2f}x); Dask overhead "
          f"{dask_wall - ideal:+.1f} s")  # fmt: skip
    print("slowest checks: " + ", ".join(f"{c} {t:.1f} s" for t, c in times[:8]))


if __name__ == "__main__":
    main()
