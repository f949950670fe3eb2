"""``sgmverify model``: a saved tiny network is checked end to end into the usual report; bad input exits 2
with one error line and writes nothing."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from sgmverify import cli

sys.path.insert(0, str(Path(__file__).parents[1] / "nets"))
from _closed_form import ClosedForm


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    d = tmp_path_factory.mktemp("model")
    torch.jit.save(torch.jit.script(ClosedForm([0.0, 0.0], [1.0, 1.0], "vp", "eps")), str(d / "exact.pt"))
    return d


def _run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_model_command_writes_the_usual_report(saved, tmp_path, capsys):
    out = tmp_path / "rep"
    t0 = time.perf_counter()
    code, stdout, err = _run(
        ["model", str(saved / "exact.pt"), "-p", "eps", "--process", "vp:beta_min=0.1,beta_max=20",
            "--data", "std-normal:d=2", "--out", str(out), "--times", "0.01,0.5", "--steps", "10,20",
            "--n", "512", "--samples", "2000"],
        capsys,
    )  # fmt: skip
    wall = time.perf_counter() - t0
    assert code == 0, err
    assert wall < 60
    for name in ("report.json", "report.md", "report.html", "results.jsonl"):
        assert (out / name).is_file()
    figs = {p.name for p in (out / "figures").glob("*.png")}
    assert figs == {
        "model.score_error_vs_t.png",
        "model.lipschitz_profile.png",
        "model.w2_predicted_vs_measured.png",
    }
    rep = json.loads((out / "report.json").read_text())
    verdicts = {r["check_id"]: r["verdict"] for r in rep["results"]}
    assert verdicts["model.score_error[t0.01]"] == "HOLDS" and verdicts["model.score_error[t0.5]"] == "HOLDS"
    assert verdicts["model.lipschitz[t0.01]"] == "INCONCLUSIVE"
    assert set(verdicts) >= {"model.coupling_w2[K10]", "model.coupling_w2[K20]"}
    assert "model.score_error" in stdout


def test_half_precision_network(saved, tmp_path, capsys):
    """--dtype bfloat16: the network runs in bfloat16 (inputs rounded to 2^-8 relative), the score error
    stays ~ u^2 ~ 1e-5 relative, far below the 0.05 tolerance; the coupling result carries the bound band."""
    code, _, err = _run(
        ["model", str(saved / "exact.pt"), "-p", "eps", "--process", "vp", "--data", "std-normal:d=2",
         "--out", str(tmp_path / "h"), "--times", "0.5", "--steps", "10", "--n", "256", "--samples", "1000",
         "--dtype", "bfloat16", "--no-figures"], capsys)  # fmt: skip
    assert code == 0, err
    rep = json.loads((tmp_path / "h" / "report.json").read_text())
    res = {r["check_id"]: r for r in rep["results"]}
    assert res["model.score_error[t0.5]"]["verdict"] == "HOLDS"
    extra = res["model.coupling_w2[K10]"]["measured"]["extra"]
    assert extra["bound_low"] <= extra["bound_high"]


def test_mixture_spec_and_density(saved, tmp_path, capsys):
    spec = tmp_path / "mix.json"
    spec.write_text(json.dumps({"weights": [0.5, 0.5], "means": [[-1, 0], [1, 0]],
                                "covs": [[[0.3, 0], [0, 0.3]], [[0.3, 0], [0, 0.3]]]}))  # fmt: skip
    code, _, err = _run(
        ["model", str(saved / "exact.pt"), "-p", "eps", "--process", "vp", "--data", f"mixture:{spec}",
         "--out", str(tmp_path / "m"), "--times", "0.5", "--n", "256", "--no-figures"], capsys)  # fmt: skip
    assert code == 0, err
    rep = json.loads((tmp_path / "m" / "report.json").read_text())
    assert len(rep["results"]) == 2  # no coupling theorem for non-Gaussian data


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.pt", "-p", "eps", "--process", "vp", "--data", "std-normal:d=2"], "does not exist"),
        (["SAVED", "-p", "eps", "--process", "warp", "--data", "std-normal:d=2"], "unknown process"),
        (["SAVED", "-p", "eps", "--process", "vp", "--data", "banana"], "unknown --data"),
        (["SAVED", "-p", "eps", "--process", "vp", "--data", "mixture:missing.json"], "cannot read"),
        (["SAVED", "-p", "eps", "--process", "vp", "--data", "std-normal:d=3"], "check dim"),
        (["SAVED", "-p", "v", "--process", "ve", "--data", "std-normal:d=2"], "v_convention"),
        (["SAVED", "-p", "eps", "--process", "vp:beta_min=x", "--data", "std-normal:d=2"], "not a number"),
    ],
)
def test_bad_input_exits_2_with_one_line(saved, tmp_path, capsys, args, message):
    args = [str(saved / "exact.pt") if a == "SAVED" else a for a in args]
    out = tmp_path / "never"
    code, _, err = _run(["model", *args, "--out", str(out)], capsys)
    assert code == 2, err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_not_torchscript(tmp_path, capsys):
    bad = tmp_path / "state.pt"
    torch.save({"w": torch.zeros(2)}, bad)
    code, _, err = _run(["model", str(bad), "-p", "eps", "--process", "vp", "--data", "std-normal:d=2",
                         "--out", str(tmp_path / "o")], capsys)  # fmt: skip
    assert code == 2 and "not a TorchScript file" in err


@pytest.mark.slow
def test_density_data(tmp_path, capsys):
    """A 1-D density (quadrature scores, slower): the exact N(0, 1) eps-network has ~0 score error."""
    torch.jit.save(torch.jit.script(ClosedForm([0.0], [1.0], "vp", "eps")), str(tmp_path / "n1.pt"))
    code, _, err = _run(
        ["model", str(tmp_path / "n1.pt"), "-p", "eps", "--process", "vp", "--data", "density:-x**2/2@-8,8",
         "--out", str(tmp_path / "d"), "--times", "0.5", "--n", "64"], capsys)  # fmt: skip
    assert code == 0, err
    rep = json.loads((tmp_path / "d" / "report.json").read_text())
    assert {r["check_id"]: r["verdict"] for r in rep["results"]}["model.score_error[t0.5]"] == "HOLDS"
    assert not (tmp_path / "d" / "figures" / "model.w2_predicted_vs_measured.png").exists()


def test_data_specs():
    from sgmverify.cli._model import parse_data, parse_process

    g = parse_data("gaussian:d=3,mean=1,var=2", None)
    np.testing.assert_allclose(g.mean, [1, 1, 1])
    np.testing.assert_allclose(g.cov, 2 * np.eye(3))
    assert parse_data("std-normal", 2).dim == 2
    assert parse_process("ve").name == "VE" and parse_process("cosine:s=0.01").t_max == 1.0
