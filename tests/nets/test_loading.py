"""load_score_model: every parameterisation and time input, from TorchScript, factory + state dict and memory,
against the closed-form score of Gaussian data; and the refusals (bad input -> a clear SgmverifyError)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sgmverify.errors import (
    InvalidParameterError,
    InvalidTypeError,
    SgmverifyError,
    ShapeError,
    TimeDomainError,
)
from sgmverify.nets import PARAMETERIZATIONS, TIME_INPUTS, load_score_model
from sgmverify.sde import VE, VP, Cosine, SubVP

sys.path.insert(0, str(Path(__file__).parent))
from _closed_form import B0, B1, COS_S, DATA, MU, SMAX, SMIN, VAR, ClosedForm, Concat

PROCESSES = {"vp": VP(B0, B1), "subvp": SubVP(B0, B1), "ve": VE(SMIN, SMAX), "cosine": Cosine(COS_S)}
TIMES = [1e-3, 1e-2, 0.1, 0.5, 0.9]
EPS32 = float(np.finfo(np.float32).eps)


def _points(process, t: float, n: int = 64) -> np.ndarray:
    rng = np.random.default_rng(1)
    x0 = DATA.sample(n, rng)
    return float(process.mean_coeff(t)) * x0 + float(process.std(t)) * rng.standard_normal((n, 2))


def _check(model, process, unit: float = EPS32) -> float:
    """Largest error over t in [1e-3, 0.9] in units of ``unit`` (float32's eps by default) round-off of the
    conversion.

    The network sees x and t rounded to float32 and returns float32; the conversions amplify an absolute
    output error delta by 1/sigma (eps), m/sigma^2 (x0), m/(sigma (m^2+sigma^2)) (v), m/sigma^2 (edm).  So
    |s_hat - s| <~ eps32 * (|s| + (|x| + m|mu|)/sigma^2) per point: the scale used here.  A relative error
    of 64 eps32 (~ 8e-6) against that scale is float32 accuracy with room for a few rounding steps.
    """
    worst = 0.0
    for t in TIMES:
        x = _points(process, t)
        exact = DATA.noised(process, t).score(x)
        m, s2 = float(process.mean_coeff(t)), float(process.var(t))
        scale = np.linalg.norm(exact, axis=1) + (np.linalg.norm(x, axis=1) + m * np.linalg.norm(MU)) / s2
        err = np.linalg.norm(model.score(x, t) - exact, axis=1) / (unit * scale)
        worst = max(worst, float(np.max(err)))
    return worst


KINDS = [("score", "t"), ("eps", "t"), ("x0", "t"), ("v", "t"), ("edm", "sigma"), ("edm", "log_sigma_over_4")]


@pytest.mark.parametrize("pname", sorted(PROCESSES))
@pytest.mark.parametrize(("kind", "time"), KINDS)
def test_torchscript_matches_closed_form(tmp_path, pname, kind, time):
    process = PROCESSES[pname]
    path = tmp_path / "net.pt"
    torch.jit.save(torch.jit.script(ClosedForm(MU, VAR, pname, kind, time)), str(path))
    vconv = "general" if (kind == "v" and pname in ("ve", "subvp")) else "vp"
    model = load_score_model(str(path), kind, process, dim=2, time_input=time, v_convention=vconv)
    assert _check(model, process) < 64


@pytest.mark.parametrize("pname", ["vp", "ve"])
@pytest.mark.parametrize("kind", ["score", "eps", "x0", "v", "edm"])
def test_factory_with_state_dict(tmp_path, pname, kind):
    """'file.py:factory' + weights=: the factory builds wrong buffers, the state dict fixes them."""
    process = PROCESSES[pname]
    weights = tmp_path / "w.pt"
    torch.save(ClosedForm(MU, VAR, pname, kind, "sigma" if kind == "edm" else "t").state_dict(), weights)
    src = tmp_path / "mynet.py"
    src.write_text(
        f"import sys\nsys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from _closed_form import ClosedForm\n"
        f"def make():\n    return ClosedForm([0.0, 0.0], [1.0, 1.0], {pname!r}, {kind!r}, "
        f"{'sigma' if kind == 'edm' else 't'!r})\n"
    )
    vconv = "general" if (kind == "v" and pname == "ve") else "vp"
    model = load_score_model(f"{src}:make", kind, process, weights=weights, v_convention=vconv)
    assert model.dim == 2
    assert _check(model, process) < 64


def test_package_factory_and_in_memory_and_concat():
    process = PROCESSES["vp"]
    model = load_score_model("_closed_form:factory", "eps", process)  # importable module (tests/nets on path)
    assert _check(model, process) < 64
    model = load_score_model(Concat(MU, VAR, "vp"), "score", process, time_input="concat")
    assert model.dim == 2 and _check(model, process) < 64
    exact = ClosedForm(MU, VAR, "vp", "score")
    plain = load_score_model(lambda x, t: exact(x, t), "score", process, dim=2)  # a plain callable
    assert _check(plain, process) < 64


class _LowPrecision(torch.nn.Module):
    """The closed-form network whose output is rounded to the precision of its input (as a half-precision
    network's output would be)."""

    def __init__(self, inner: torch.nn.Module) -> None:
        super().__init__()
        self.inner, self.dim = inner, inner.dim

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.inner(x, t).to(x.dtype)


@pytest.mark.parametrize(("dtype", "unit"), [(torch.bfloat16, 2.0**-8), (torch.float16, 2.0**-11)])
@pytest.mark.parametrize("pname", ["vp", "ve"])
@pytest.mark.parametrize(("kind", "time"), KINDS)
def test_half_precision_networks_load_and_score(dtype, unit, pname, kind, time):
    """bfloat16 / float16 networks load (the fingerprint hashes raw bytes: numpy has no bfloat16) and score.

    Reference: the float64 closed form.  The network sees x, its time input and its buffers (mu, var)
    rounded to ``dtype`` and returns an output rounded to ``dtype``: four roundings of relative size <= u
    (unit roundoff 2^-8 for bfloat16, 2^-11 for float16), each moving the score by <~ u x the conversion's
    scale of ``_check``; 16 u is that with room (measured worst: ~4 u, bfloat16 VE score).
    """
    process = PROCESSES[pname]
    model = load_score_model(
        _LowPrecision(ClosedForm(MU, VAR, pname, kind, time)), kind, process, time_input=time,
        v_convention="general" if (kind == "v" and pname == "ve") else "vp", dtype=dtype,
    )  # fmt: skip
    assert model.dtype is dtype and _check(model, process, unit) < 16
    x = _points(process, 0.3, 8)
    np.testing.assert_allclose(model.torch_score(torch.from_numpy(x), 0.3).numpy(), model.score(x, 0.3))


def test_fingerprint_tells_precisions_apart():
    process = PROCESSES["vp"]
    prints = {
        dt: load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", process, dtype=dt).info["fingerprint"]
        for dt in (torch.float32, torch.bfloat16, torch.float16)
    }
    assert len(set(prints.values())) == 3
    again = load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", process, dtype=torch.bfloat16)
    assert again.info["fingerprint"] == prints[torch.bfloat16]


def test_the_callers_module_is_not_changed(tmp_path):
    """The loader casts, moves, .eval()s and loads weights into its own deep copy, never the caller's."""
    user = torch.nn.Sequential(torch.nn.Linear(2, 2, dtype=torch.float64))
    user.dim = 2
    user.train()
    before = {k: v.clone() for k, v in user.state_dict().items()}
    weights = tmp_path / "w.pt"
    torch.save({k: torch.zeros_like(v) for k, v in before.items()}, weights)

    model = load_score_model(user, "score", PROCESSES["vp"], weights=weights, dtype=torch.bfloat16,
                             time_input="concat", validate=False)  # fmt: skip
    assert model.module is not user
    assert all(p.dtype == torch.bfloat16 for p in model.module.parameters()) and not model.module.training
    assert float(model.module[0].weight.detach().abs().sum()) == 0.0  # the weights went into the copy
    assert user.training and all(
        p.dtype == torch.float64 and p.device.type == "cpu" for p in user.parameters()
    )
    for k, v in user.state_dict().items():
        assert torch.equal(v, before[k]), k


def test_index_time_input_uses_the_schedule():
    """A discrete-step network: it gets the index i of the nearest schedule time T (i+1)/N."""
    process = PROCESSES["vp"]
    N = 1000
    inner = ClosedForm(MU, VAR, "vp", "eps")
    seen = []

    def net(x, i):
        seen.append(i.clone())
        return inner(x, (i.to(torch.float64) + 1) / N)

    model = load_score_model(net, "eps", process, dim=2, time_input="index", num_steps=N)
    x = _points(process, 0.25)
    np.testing.assert_allclose(
        model.score(x, 0.25), DATA.noised(process, 0.25).score(x), rtol=1e-5, atol=1e-5
    )
    assert seen[-1].dtype == torch.int64 and int(seen[-1][0]) == 249
    with pytest.raises(InvalidParameterError, match="schedule"):
        load_score_model(net, "eps", process, dim=2, time_input="index")


def test_torch_score_is_differentiable_and_matches_score():
    process = PROCESSES["vp"]
    model = load_score_model(ClosedForm(MU, VAR, "vp", "x0"), "x0", process, dtype=torch.float64)
    x = torch.tensor(_points(process, 0.3, 4), requires_grad=True)
    s = model.torch_score(x, 0.3)
    (g,) = torch.autograd.grad(s[:, 0].sum(), x)
    # exact Jacobian of the Gaussian score: -diag(1/(m^2 v + sigma^2)); the closed form returns float32
    m, s2 = float(process.mean_coeff(0.3)), float(process.var(0.3))
    np.testing.assert_allclose(g[:, 0].numpy(), -1 / (m**2 * VAR[0] + s2), rtol=1e-6)  # float32 output
    np.testing.assert_allclose(s.detach().numpy(), model.score(x.detach().numpy(), 0.3), rtol=1e-6)


def test_batches_are_capped():
    calls = []
    inner = ClosedForm(MU, VAR, "vp", "eps")

    def net(x, t):
        calls.append(x.shape[0])
        return inner(x, t)

    model = load_score_model(net, "eps", PROCESSES["vp"], dim=2, max_batch=100)
    calls.clear()
    out = model.score(np.zeros((250, 2)), 0.5)
    assert calls == [100, 100, 50] and out.shape == (250, 2)


def test_names_are_the_cli_choices():
    from sgmverify.cli import _model

    assert tuple(PARAMETERIZATIONS) == _model.PARAMETERIZATIONS and tuple(TIME_INPUTS) == _model.TIME_INPUTS


# ------------------------------------------------------------------------------------------ refusals
def test_missing_and_non_torchscript_files(tmp_path):
    p = PROCESSES["vp"]
    with pytest.raises(InvalidParameterError, match="does not exist"):
        load_score_model(str(tmp_path / "nope.pt"), "eps", p, dim=2)
    sd = tmp_path / "state.pt"
    torch.save(ClosedForm(MU, VAR, "vp", "eps").state_dict(), sd)
    with pytest.raises(InvalidParameterError, match="not a TorchScript file"):
        load_score_model(str(sd), "eps", p, dim=2)
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"hello")
    with pytest.raises(InvalidParameterError, match="not a TorchScript file"):
        load_score_model(str(junk), "eps", p, dim=2)


def test_bad_factories_and_weights(tmp_path):
    p = PROCESSES["vp"]
    src = tmp_path / "f.py"
    src.write_text("def make():\n    return 3\ndef boom():\n    raise RuntimeError('no')\n")
    with pytest.raises(InvalidTypeError, match=r"not a torch\.nn\.Module"):
        load_score_model(f"{src}:make", "eps", p, dim=2)
    with pytest.raises(InvalidParameterError, match="raised RuntimeError"):
        load_score_model(f"{src}:boom", "eps", p, dim=2)
    with pytest.raises(InvalidParameterError, match="no callable"):
        load_score_model(f"{src}:missing", "eps", p, dim=2)
    with pytest.raises(InvalidParameterError, match="cannot import"):
        load_score_model("no_such_pkg_xyz.mod:make", "eps", p, dim=2)
    bad = tmp_path / "bad.pt"
    torch.save({"mu": torch.zeros(3)}, bad)
    with pytest.raises(InvalidParameterError, match="do not fit"):
        load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", p, weights=bad)
    pickled = tmp_path / "pickled.pt"
    torch.save({"obj": ClosedForm(MU, VAR, "vp", "eps")}, pickled)  # code inside: weights_only refuses
    with pytest.raises(InvalidParameterError, match="weights_only"):
        load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", p, weights=pickled)


def test_wrong_shape_nan_and_bad_calls():
    p = PROCESSES["vp"]
    with pytest.raises(ShapeError, match="one row of 2"):
        load_score_model(lambda x, t: x[:, :1], "eps", p, dim=2)
    with pytest.raises(InvalidParameterError, match="NaN/inf"):
        load_score_model(lambda x, t: x * float("nan"), "eps", p, dim=2)
    with pytest.raises(InvalidParameterError, match="calling the network failed"):
        load_score_model(torch.nn.Linear(3, 3), "eps", p, dim=2)
    with pytest.raises(InvalidParameterError, match="pass dim="):
        load_score_model(lambda x, t: x, "eps", p)
    model = load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", p)
    with pytest.raises(TimeDomainError):
        model.score(np.zeros((2, 2)), 0.0)
    with pytest.raises(ShapeError):
        model.score(np.zeros((2, 3)), 0.5)
    with pytest.raises(InvalidParameterError, match="NaN"):
        model.score(np.full((2, 2), np.nan), 0.5)


def test_parameterisation_that_does_not_fit_the_process():
    with pytest.raises(InvalidParameterError, match="v_convention='general'"):
        load_score_model(ClosedForm(MU, VAR, "ve", "v"), "v", PROCESSES["ve"])
    with pytest.raises(SgmverifyError, match="unknown parameterization"):
        load_score_model(ClosedForm(MU, VAR, "vp", "v"), "velocity", PROCESSES["vp"])
    with pytest.raises(SgmverifyError, match="unknown time_input"):
        load_score_model(ClosedForm(MU, VAR, "vp", "v"), "v", PROCESSES["vp"], time_input="days")


def test_device_not_available():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(InvalidParameterError, match="no CUDA GPU"):
        load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", PROCESSES["vp"], device="cuda")
    with pytest.raises(InvalidParameterError, match="unknown device"):
        load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", PROCESSES["vp"], device="toaster")
    model = load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", PROCESSES["vp"], device="auto")
    assert model.device.type == "cpu" and math.isfinite(float(model.score(np.zeros((1, 2)), 0.5)[0, 0]))
