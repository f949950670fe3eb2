"""Issue 18's table, before and after: the CLI and engine timings measured in one run, side by side.

"before" is a git worktree of the base commit (``git worktree add /tmp/sgm-base cc10e80``, made here when
missing) run with ``PYTHONPATH=/tmp/sgm-base`` from that folder; "after" is this working tree.  Both use
the same ``SGMVERIFY_CACHE_DIR`` (a warm derivation / network / plot cache, as in the issue: each command
is run once to warm it before the timed repeats), one worker process per core, ``MPLBACKEND=Agg``.

Rows (median of ``--repeats`` unless said otherwise):

* ``list``, ``bound basics.coupling_w2 m=.. second_moment=.. sigma=.. d=..`` — wall time of the command;
* ``run --quick`` cold — one run into an empty output folder (all suites, or ``-k``); wall time;
* ``run --quick`` again — the same command on the same folder, every result reused (figures too, after);
* ``report results.jsonl`` — re-render the reports of that store;
* ``sampler_w2`` fresh ``OU()`` / reused — ratio of the two (d = 100, K = 1000, ``"ei"``), in-process;
* sample sensitivity / plain sampling — an untrained torch MLP score (d = 10, width 64, depth 3, float64,
  n = 1000, K = 20 RK4 steps), exact and Hutchinson (2 probes) divergences (``bench_sensitivity.py``);
* ``pytest`` (default selection) — only with ``--pytest`` (minutes; one run each).

Run:  python benchmarks/bench_cli.py [--repeats 3] [--skip-run] [-k FILTER] [--pytest]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
AFTER = HERE.parent
BASE_COMMIT = "cc10e80"
BASE = Path("/tmp/sgm-base")
BOUND = ["bound", "basics.coupling_w2", "m=0.5", "second_moment=2", "sigma=0.8", "d=3"]

SAMPLER_SNIPPET = """
import time, statistics, numpy as np
from sgmverify.laws import Gaussian
from sgmverify.samplers import sampler_w2
from sgmverify.sde import OU
d = 100
data = Gaussian(np.zeros(d), np.diag(np.linspace(0.5, 2.0, d)))
shared = OU()
def timed(make):
    out = []
    for _ in range(9):
        t0 = time.perf_counter()
        sampler_w2(make(), data, 5.0, 1000, "ei", t_min=1e-3)
        out.append(time.perf_counter() - t0)
    return statistics.median(out)
timed(OU)  # first instance: derivations and stable forms (cached from then on)
print(timed(OU), timed(lambda: shared))
"""

SENS_SNIPPET = """
import sys; sys.path.insert(0, {bench!r})
import bench_sensitivity as B
rows = B.run([("mlp-exact", 10, 1000), ("mlp-hutch", 10, 1000)], 20, {repeats})
print(" ".join(str(r["ratio"]) for r in rows))
"""


def _env(root: Path, cache: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(root), MPLBACKEND="Agg", SGMVERIFY_CACHE_DIR=cache)
    env.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", CI="true")
    return env


def _timed(cmd: list[str], root: Path, cache: str, check: bool = False) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=_env(root, cache), capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if check and proc.returncode not in (0, 1):  # 1: a check not as expected, still a complete run
        raise SystemExit(f"{' '.join(cmd)} failed in {root} ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def _median(cmd: list[str], root: Path, cache: str, repeats: int) -> float:
    _timed(cmd, root, cache)  # warm the caches (derivations, plots) and the OS file cache
    return statistics.median(_timed(cmd, root, cache)[0] for _ in range(repeats))


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "sgmverify.cli", *args]


def measure(root: Path, cache: str, args: argparse.Namespace, out: Path) -> dict[str, float]:
    """Every row of the table for the tree at ``root``."""
    rows: dict[str, float] = {}
    r = args.repeats
    rows["list"] = _median(_cli("list"), root, cache, r)
    rows["bound"] = _median(_cli(*BOUND), root, cache, r)
    if not args.skip_run:
        run = _cli("run", "--quick", "--out", str(out), "--no-progress", *(["-k", args.k] if args.k else []))
        shutil.rmtree(out, ignore_errors=True)
        rows["run_cold"] = _timed(run, root, cache, check=True)[0]
        rows["run_again"] = statistics.median(_timed(run, root, cache, check=True)[0] for _ in range(r))
        rows["report"] = _median(_cli("report", str(out / "results.jsonl")), root, cache, r)
    fresh, shared = map(float, _timed([sys.executable, "-c", SAMPLER_SNIPPET], root, cache, True)[1].split())
    rows["sampler_fresh_ms"], rows["sampler_reused_ms"] = 1e3 * fresh, 1e3 * shared
    rows["sampler_ratio"] = fresh / shared
    code = SENS_SNIPPET.format(bench=str(root / "benchmarks"), repeats=max(r, 2))
    exact, hutch = map(float, _timed([sys.executable, "-c", code], root, cache, True)[1].split())
    rows["sens_exact"], rows["sens_hutch"] = exact, hutch
    if args.pytest:
        rows["pytest"] = _timed(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], root, cache
        )[0]
    return rows


TABLE = [  # key, label, unit, target
    ("list", "sgmverify list", "s", "< 1 s"),
    ("bound", "sgmverify bound basics.coupling_w2 ...", "s", "< 1.5 s"),
    ("run_again", "run --quick again, every result reused", "s", "< 5 s"),
    ("report", "report results.jsonl", "s", "< 3 s"),
    ("sampler_ratio", "sampler_w2 fresh OU() / reused (d=100, K=1000)", "x", "< 1.5x"),
    ("sampler_fresh_ms", "  sampler_w2 with a fresh OU()", "ms", ""),
    ("run_cold", "quick run of all suites, cold (wall)", "s", "<= 40 s"),
    ("sens_exact", "sensitivity / sampling, MLP d=10, exact div", "x", "<= 3x"),
    ("sens_hutch", "sensitivity / sampling, MLP d=10, Hutchinson", "x", "<= 3x"),
    ("pytest", "pytest (default selection)", "s", "<= 90 s"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--skip-run", action="store_true", help="no quick runs (and so no report row)")
    ap.add_argument("-k", help="only checks matching this filter in the quick runs (a partial measurement)")
    ap.add_argument("--pytest", action="store_true", help="also time the default pytest run (minutes)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    if not BASE.is_dir():
        subprocess.run(["git", "worktree", "add", str(BASE), BASE_COMMIT], cwd=AFTER, check=True)
    cache = os.environ.get("SGMVERIFY_CACHE_DIR") or str(AFTER / ".sgmverify-cache")
    with tempfile.TemporaryDirectory(prefix="bench_cli_") as tmp:
        before = measure(BASE, cache, args, Path(tmp) / "before")
        after = measure(AFTER, cache, args, Path(tmp) / "after")
    print(f"{'operation':<48} {'before':>10} {'after':>10} {'ratio':>7}  target")
    for key, label, unit, target in TABLE:
        if key not in after:
            continue
        b, a = before[key], after[key]
        fmt = ".2f" if unit != "ms" else ".1f"
        print(f"{label:<48} {b:>9{fmt}}{unit[0]} {a:>9{fmt}}{unit[0]} {b / a:>6.1f}x  {target}")
    if args.k:
        print(f"(quick runs restricted to -k {args.k!r})")
    if args.json:
        Path(args.json).write_text(json.dumps({"before": before, "after": after}, indent=1))


if __name__ == "__main__":
    main()
