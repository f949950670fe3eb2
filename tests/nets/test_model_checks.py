"""Checks on a loaded model: exact networks reproduce the exact-score sampler's W2 and the exact Lipschitz
constant; the toolkit's own trained nets saved and reloaded give the same score-error numbers; the model
suite runs through the normal pipeline."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.nets import (
    ModelSampling,
    NetworkConfig,
    coupling_w2_bound,
    lipschitz_upper,
    load_score_model,
    model_lipschitz_interval,
    model_sampler_w2,
    model_suite,
    score_error,
    train_score_network,
)
from sgmverify.sde import VE, VP

sys.path.insert(0, str(Path(__file__).parent))
from _closed_form import DATA, MU, VAR, ClosedForm

VP_ = VP(0.1, 20.0)


@pytest.fixture(scope="module")
def exact_model():
    return load_score_model(ClosedForm(MU, VAR, "vp", "eps"), "eps", VP_)


@pytest.mark.parametrize("scheme", ["ei", "em", "heun_ode"])
def test_exact_network_sampler_reproduces_exact_law_w2(exact_model, scheme):
    """The network is the exact score (to float32), so the sampler's output law is the exact-score sampler's
    law, a Gaussian; the Bures distance of the sample's moments estimates its W2 to the data, and the
    bootstrap CI must contain the exact W2 of samplers.sampler_w2 (nominal 95%: fixed seed, so this is a
    deterministic test; the seed is not tuned)."""
    out = model_sampler_w2(exact_model, DATA, ModelSampling(scheme, 1.0, 20, 1e-3, 8000), rng=0)
    m = out["measured"]
    assert m.ci_low <= out["exact_w2"] <= m.ci_high, (m, out["exact_w2"])
    assert out["kl"] >= 0


def test_exact_network_lipschitz_is_the_closed_form(exact_model):
    """Gaussian data: the score is affine with Jacobian -(m^2 Sigma + sigma^2 I)^{-1}; every point's Jacobian
    norm equals the exact constant (float32 network output: rtol 1e-5)."""
    for t in (1e-3, 0.1, 0.7):
        iv = model_lipschitz_interval(exact_model, t, data=DATA, n=64, rng=0)
        assert iv.exact_kind == "closed form"
        assert iv.lower == pytest.approx(iv.exact, rel=1e-5)
        assert (
            iv.upper == np.inf
            and iv.decide(2 * iv.exact) == "unknown"
            and iv.decide(0.5 * iv.exact) == "fails"
        )


def test_coupling_bound_of_exact_network_is_the_exact_w2():
    """Score term ~ 0 for the exact network, so the bound is the exact-score EI W2; the bracketing measured
    interval (1-D) contains it."""
    data = Gaussian([0.5], [[0.5]])
    model = load_score_model(ClosedForm([0.5], [0.5], "vp", "eps"), "eps", VP_)
    ch = coupling_w2_bound(model, data, ModelSampling("ei", 1.0, 20, 1e-2, 8000), rng=1)
    assert ch["score_term"] < 1e-4 * ch["w2_exact"]
    assert ch["bound"] <= ch["bound_high"] < ch["bound"] + 1e-4 * ch["w2_exact"]  # eps ~ float32 round-off
    assert ch["measured"].ci_low <= ch["bound"] <= ch["measured"].ci_high


@pytest.mark.parametrize(
    ("ci", "verdict"),
    [
        ((0.10, 0.20, 0.29), "HOLDS"),  # W2_hi <= b_lo
        ((0.10, 0.20, 0.31), "INCONCLUSIVE"),  # straddles b_lo
        ((0.305, 0.33, 0.34), "INCONCLUSIVE"),  # above b_lo but not above b_hi: may be the bound's noise
        ((0.33, 0.34, 0.35), "VIOLATED"),  # W2_lo > b_hi
    ],
)
def test_coupling_verdict_is_honest_both_ways(ci, verdict):
    """Bound band [b_lo, b_hi] = [0.3, 0.32]: with the bound value b_lo and the measured lower end widened by
    b_hi - b_lo, the upper-bound rule gives HOLDS iff W2_hi <= b_lo and VIOLATED iff W2_lo > b_hi."""
    from sgmverify.estimates import Estimate, mean_ci
    from sgmverify.nets._model_checks import coupling_verdict_estimate
    from sgmverify.theory import decide

    lo, value, hi = ci
    chain = {"measured": Estimate(value, lo, hi, 0.95, n=100), "bound": 0.3, "bound_high": 0.32,
             "w2_exact": 0.2, "score_term": 0.1, "eps": [mean_ci(np.array([0.01, 0.02]))]}  # fmt: skip
    est = coupling_verdict_estimate(chain)
    assert est.ci_low == pytest.approx(max(lo - 0.02, 0.0)) and est.ci_high == hi and est.value == value
    assert est.extra["bound_low"] == 0.3 and est.extra["bound_high"] == 0.32
    assert est.extra["measured_ci_low"] == lo
    assert decide(chain["bound"], est, "upper", 0.0)[0].value == verdict


def test_coupling_bound_band_of_a_perturbed_network():
    """Exact eps scaled by 1 + a (a = 0.2): score error exactly a * |score|, so eps_k^2 has a CI of relative
    width ~ 2 * 1.96 * sqrt(2 / (n d)) ~ 6% (|score|^2 ~ chi^2_2 / scale, n = 2000): b_lo < b_hi, band a few
    % of the score term; the output's W2 lies well below b_lo (the bound has slack)."""

    class Scaled(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner, self.dim = ClosedForm([0.0, 0.0], [0.5, 0.5], "vp", "eps"), 2

        def forward(self, x, t):
            return 1.2 * self.inner(x, t)

    model = load_score_model(Scaled(), "eps", VP_)
    data = Gaussian([0.0, 0.0], 0.5 * np.eye(2))
    ch = coupling_w2_bound(model, data, ModelSampling("ei", 1.0, 10, 1e-3, 2000), rng=0)
    width = ch["bound_high"] - ch["bound"]
    assert 0 < width < 0.1 * ch["score_term"]
    assert ch["score_term_high"] - ch["score_term"] == pytest.approx(width)
    assert ch["measured"].ci_high < 0.5 * ch["bound"]


def test_trained_network_saved_and_reloaded_gives_same_score_error(tmp_path):
    """The toolkit's own DSM net, saved as factory + state dict, reloaded: the same score-error numbers
    (float32 network; t reaches it as float32, a relative change of ~1e-8 in the coefficients: rtol 1e-5)."""
    data = Gaussian([0.5], [[0.5]])
    cfg = NetworkConfig(width=16, depth=2, steps=60, batch_size=64, t_min=1e-2, seed=3)  # any weights do
    net = train_score_network(data, VP_, cfg, cache=False, num_threads=1)
    torch.save(net.module.state_dict(), tmp_path / "w.pt")
    src = tmp_path / "wrap.py"
    src.write_text(
        "import torch\n"
        "from sgmverify.nets import NetworkConfig, ScoreMLP, TrainedScoreNetwork\n"
        "from sgmverify.sde import VP\n"
        "class Wrapped(torch.nn.Module):\n"
        "    def __init__(self, cfg, data_ms):\n"
        "        super().__init__()\n"
        "        self.dim = 1\n"
        "        self.mlp = ScoreMLP(1, cfg.width, cfg.depth, cfg.activation, 2 * cfg.n_freq + 1)\n"
        "        self.cfg, self.data_ms = cfg, data_ms\n"
        "    def forward(self, x, t):\n"
        "        net = TrainedScoreNetwork(self.mlp, VP(0.1, 20.0), self.cfg, 1, self.data_ms)\n"
        "        return net.torch_score(x, t)\n"
        f"def make():\n    return Wrapped(NetworkConfig(**{cfg.__dict__!r}), {net.data_ms!r})\n"
    )
    # the wrapper's state dict is the MLP's under the prefix "mlp."
    sd = {f"mlp.{k}": v for k, v in torch.load(tmp_path / "w.pt", weights_only=True).items()}
    torch.save(sd, tmp_path / "w2.pt")
    model = load_score_model(f"{src}:make", "score", VP_, weights=tmp_path / "w2.pt")
    for t in (1e-2, 0.1, 0.5):
        a = score_error(net.score, data, VP_, t, 2048, rng=5)
        b = score_error(model.score, data, VP_, t, 2048, rng=5)
        assert b.value == pytest.approx(a.value, rel=1e-5) and b.ci_high == pytest.approx(a.ci_high, rel=1e-5)
    # the reloaded black box's attained Jacobian norm lies below the trained net's certified upper end
    lower = model_lipschitz_interval(model, 0.1, data=data, n=32, rng=0).lower
    assert 0 < lower <= lipschitz_upper(net, 0.1) * (1 + 1e-6)


def test_model_suite_runs_through_the_pipeline(exact_model):
    from sgmverify.run import run_checks

    suite = model_suite(exact_model, DATA, times=(1e-2, 0.5), steps=(10,), n=512,
                        sampling=ModelSampling("ei", 1.0, 10, 1e-3, 2000))  # fmt: skip
    res = run_checks([suite], jobs=1, progress=False).results
    verdicts = {r.check_id: r.verdict.value for r in res}
    assert verdicts["model.score_error[t0.01]"] == "HOLDS"
    assert verdicts["model.lipschitz[t0.5]"] == "INCONCLUSIVE"  # black box: never certified
    assert verdicts["model.coupling_w2[K10]"] in ("HOLDS", "INCONCLUSIVE")
    assert len(res) == 5
    (cpl,) = [r for r in res if r.check_id == "model.coupling_w2[K10]"]
    ex = cpl.measured.extra
    assert cpl.bound_value == pytest.approx(ex["bound_low"]) and ex["bound_low"] <= ex["bound_high"]
    assert cpl.measured.ci_low == pytest.approx(
        max(ex["measured_ci_low"] - (ex["bound_high"] - ex["bound_low"]), 0)
    )


def test_mixture_data_and_ve(tmp_path):
    """Non-Gaussian data: score error and Lipschitz checks only (no coupling theorem)."""
    mix = GaussianMixture([0.5, 0.5], [[-1.0, 0.0], [1.0, 0.0]], [np.eye(2) * 0.2, np.eye(2) * 0.2])
    model = load_score_model(lambda x, t: torch.zeros_like(x), "eps", VE(0.01, 50.0), dim=2)
    suite = model_suite(model, mix, times=(0.1,), n=256)
    assert [t.id for t in suite.theorems] == ["model.score_error", "model.lipschitz"]
