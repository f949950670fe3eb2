"""docs/own_model.md: its runnable example runs and gives the verdicts the doc states for a network with a
known error (the exact eps-network scaled by 1 + a, a = 0.2)."""

import re
import runpy
from pathlib import Path

DOC = (Path(__file__).resolve().parents[2] / "docs" / "own_model.md").read_text()


BLOCKS = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


def test_own_model_example_runs(tmp_path, capsys, monkeypatch):
    (block,) = [b for b in BLOCKS if "tempfile" in b]
    script = tmp_path / "own_model_example.py"  # torch.jit.script needs the class's source in a file
    script.write_text(block)
    ns = runpy.run_path(str(script), run_name="own_model_example")
    out = capsys.readouterr().out
    lines = dict(ln.split(None, 2)[:2] for ln in out.splitlines() if ln.startswith("model."))
    assert len(lines) == 6, out
    # relative score error is exactly a^2 = 0.04 at every t (score = (1 + a) x exact): rel_tol 0.01 fails
    # whatever the seed (the ratio is a^2 in every sample, its CI has width ~ float32 round-off)
    assert lines["model.score_error[t0.01]"] == "VIOLATED" and lines["model.score_error[t0.5]"] == "VIOLATED"
    # every Jacobian norm is (1 + a) = 1.2 x the exact constant > (1 + lip_slack) = 1.1 x: caught
    assert lines["model.lipschitz[t0.01]"] == "VIOLATED" and lines["model.lipschitz[t0.5]"] == "VIOLATED"
    # the coupling bound has slack: b_lo ~ 0.74 (K10), 0.50 (K20) against measured W2 upper ends ~ 0.09,
    # 0.07 (fixed scenario seed 0; over seeds 0-19 the largest upper end / b_lo was < 0.25)
    assert lines["model.coupling_w2[K10]"] == "HOLDS" and lines["model.coupling_w2[K20]"] == "HOLDS"
    for check in ("score_error[t0.01]", "lipschitz[t0.01]", "coupling_w2[K10]"):
        assert f"model.{check}" in DOC  # the doc names the verdicts it promises
    # the loading snippet of section 1 runs too, on the example's network saved as net.pt
    (snippet,) = [b for b in BLOCKS if 'load_score_model("net.pt"' in b]
    import numpy as np
    import torch

    torch.jit.save(torch.jit.script(ns["ScaledEps"]()), str(tmp_path / "net.pt"))
    monkeypatch.chdir(tmp_path)
    env = {"x": np.ones((3, 2)), "xt": torch.ones(3, 2, dtype=torch.float64)}
    exec(compile(snippet, "own_model.md section 1", "exec"), env)
    assert env["model"].score(env["x"], 0.1).shape == (3, 2)


def test_cli_flags_in_the_doc_exist():
    from sgmverify.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices["model"]
    known = {o for a in sub._actions for o in a.option_strings}
    for flag in set(re.findall(r"(--[a-z][a-z-]+)", DOC)) - {"--mixture"}:  # that one is `assumptions`'s
        assert flag in known, flag
