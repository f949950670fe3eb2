"""``LoadedScoreModel.score`` throughput against a bare torch loop on the same network (CPU, one thread).

Setting: an eps-network MLP ``[x, t] -> width -> width -> d`` (SiLU), saved as TorchScript and loaded with
:func:`sgmverify.nets.load_score_model` (``"eps"``, VP(0.1, 20), float32).  Both sides evaluate the score at
``n`` points and one time:

* bare  — ``torch.no_grad()``; float32 tensor from numpy, the scripted module, ``-eps / sigma(t)`` with
  ``sigma`` precomputed, back to numpy: the torch floor.
* model — ``model.score(x, t)``: input checks, process coefficients, float64 conversion, finiteness check.

Reported: points/s of each and the ratio model/bare (target >= 0.5), median of ``--repeats`` calls.

Run:  python benchmarks/bench_model_throughput.py [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # one core, before numpy loads
    os.environ[_var] = "1"

import argparse  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from _timing import median_time  # noqa: E402
from torch import nn  # noqa: E402

from sgmverify.nets import load_score_model  # noqa: E402
from sgmverify.sde import VP  # noqa: E402


class EpsMLP(nn.Module):
    def __init__(self, d: int, width: int) -> None:
        super().__init__()
        self.f = nn.Sequential(nn.Linear(d + 1, width), nn.SiLU(), nn.Linear(width, width), nn.SiLU(),
                               nn.Linear(width, d))  # fmt: skip

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.f(torch.cat([x, t[:, None]], dim=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    torch.set_num_threads(1)
    process = VP(0.1, 20.0)
    cases = [(2, 64, 4096), (16, 256, 16384)] if not args.quick else [(2, 64, 4096)]
    print(f"{'d':>3} {'width':>5} {'n':>6} {'bare pts/s':>12} {'model pts/s':>12} {'ratio':>6}")
    for d, width, n in cases:
        torch.manual_seed(0)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "net.pt"
            torch.jit.save(torch.jit.script(EpsMLP(d, width)), str(path))
            scripted = torch.jit.load(str(path))
            model = load_score_model(str(path), "eps", process, dim=d)
        x = np.random.default_rng(0).standard_normal((n, d))
        t = 0.3
        sigma = float(process.std(t))

        def bare(x=x, scripted=scripted, n=n, t=t, sigma=sigma) -> np.ndarray:
            with torch.no_grad():
                xt = torch.from_numpy(x).to(torch.float32)
                out = scripted(xt, torch.full((n,), t, dtype=torch.float32))
                return (-out / sigma).numpy()

        def ours(model=model, x=x, t=t) -> np.ndarray:
            return model.score(x, t)

        tb, vb = median_time(bare, args.repeats)
        tm, vm = median_time(ours, args.repeats)
        assert np.allclose(vb, vm, rtol=1e-5, atol=1e-5)
        print(f"{d:>3} {width:>5} {n:>6} {n / tb:>12.3g} {n / tm:>12.3g} {tb / tm:>6.2f}")


if __name__ == "__main__":
    main()
