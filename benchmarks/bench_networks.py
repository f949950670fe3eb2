"""Trained score networks: training throughput, Lipschitz-interval time, score-error evaluation time (CPU).

Setting: Gaussian-mixture data (4 components) in d in {1, 8}, VP(0.1, 20), MLP width 32/64, depth 2/3, SiLU,
batch 256, one thread (``torch.set_num_threads(1)``), no cache.  Rows:

* train     — samples/s of DSM training (``steps * batch_size / wall time``), median of ``--repeats``
  runs of ``--steps`` steps; baseline: the same loop with the forward/backward pass only (no data draw, no
  process coefficients), to show the overhead of the engine around torch.
* lip       — ``lipschitz_interval`` at one t (512 cloud points, 8 ascent starts, 40 ascent steps): seconds.
* lip_upper — the certified upper end alone (product of spectral norms): seconds.
* err_t     — ``score_error`` at one t with n = 4096 draws: seconds.
* err_int   — ``integrated_score_error`` (12 + 6 Gauss–Legendre nodes, n = 1024 per node): seconds.

Run:  python benchmarks/bench_networks.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
from functools import partial  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _timing import median_time  # noqa: E402

from sgmverify.laws import GaussianMixture  # noqa: E402
from sgmverify.nets import (  # noqa: E402  # noqa: E402  # noqa: E402
    NetworkConfig,
    integrated_score_error,
    lipschitz_interval,
    lipschitz_upper,
    score_error,
    train_score_network,
)
from sgmverify.sde import VP  # noqa: E402


def _mixture(d: int) -> GaussianMixture:
    means = np.zeros((4, d))
    means[:, 0] = [-1.5, -0.5, 0.5, 1.5]
    return GaussianMixture(np.full(4, 0.25), means, 0.2 * np.eye(d))


def _bare_loop(net, d: int, steps: int, batch: int) -> None:
    """Forward/backward/Adam on random tensors: the torch floor of one training step."""
    opt = torch.optim.Adam(net.module.parameters(), lr=1e-3)
    x, t = torch.randn(batch, d, dtype=torch.float64), torch.full((batch,), 0.5, dtype=torch.float64)
    m, v = net.process.mean_coeff(t), net.process.var(t)
    for _ in range(steps):
        loss = net._apply(x, m, v).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(1)
    steps, repeats = (200, 1) if args.quick else (args.steps, args.repeats)
    proc = VP(0.1, 20.0)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, steps {steps}, repeats {repeats}")
    print(
        f"{'d':>3} {'arch':>6} {'train samp/s':>13} {'bare samp/s':>12} {'ratio':>6} {'lip s':>7} "
        f"{'lip_up s':>9} {'err_t s':>8} {'err_int s':>9}"
    )
    for d, (w, depth) in ((1, (32, 2)), (8, (64, 3))):
        data = _mixture(d)
        cfg = NetworkConfig(width=w, depth=depth, steps=steps, batch_size=256, lr=2e-3, t_min=1e-3)
        holder = {}

        def train(cfg=cfg, data=data, holder=holder):
            holder["net"] = train_score_network(data, proc, cfg, cache=False)

        train()  # warm-up (lambdified process coefficients, torch first-call costs)
        t_train = median_time(train, repeats)[0]
        net = holder["net"]
        t_bare = median_time(lambda net=net, d=d: _bare_loop(net, d, steps, 256), repeats)[0]
        rng = np.random.default_rng(0)
        t_lip = median_time(partial(lipschitz_interval, net, 0.1, data=data, n=512, rng=rng), repeats)[0]
        t_up = median_time(partial(lipschitz_upper, net, 0.1), max(repeats, 5))[0]
        t_err = median_time(partial(score_error, net, data, proc, 0.1, n=4096, rng=rng), repeats)[0]
        t_int = median_time(
            partial(integrated_score_error, net, data, proc, 1e-3, 1.0, "sigma2", rng=rng), repeats
        )[0]
        sps, bare = steps * 256 / t_train, steps * 256 / t_bare
        print(
            f"{d:>3} {w}x{depth:<3} {sps:>13.0f} {bare:>12.0f} {sps / bare:>6.2f} {t_lip:>7.3f} {t_up:>9.4f} "
            f"{t_err:>8.3f} {t_int:>9.3f}"
        )


if __name__ == "__main__":
    main()
