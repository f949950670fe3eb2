"""Closed-form networks for Gaussian data N(mu, diag(v)) under the VP, sub-VP, VE and cosine presets.

Each module computes m(t) and sigma^2(t) from the textbook formulas (not from sgmverify.sde), then the
exact score s = -(x - m mu)/(m^2 v + sigma^2) and the output of the chosen parameterisation:
eps = -sigma s, x0 = (x + sigma^2 s)/m (Tweedie), v = m eps - sigma x0, and the EDM denoiser
D(x^, s^) = mu + v/(v + s^2) (x^ - mu), which does not depend on the process.  All are TorchScript-able.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from sgmverify.laws import Gaussian

PROCESS_CODES = {"vp": 0, "subvp": 1, "ve": 2, "cosine": 3}
KIND_CODES = {"score": 0, "eps": 1, "x0": 2, "v": 3, "edm": 4}
B0, B1, SMIN, SMAX, COS_S = 0.1, 20.0, 0.01, 50.0, 0.008
MU, VAR = [0.5, -1.0], [0.5, 2.0]  # the data of the nets tests: N(MU, diag(VAR))
DATA = Gaussian(MU, np.diag(VAR))


class ClosedForm(nn.Module):
    def __init__(self, mu: list[float], var: list[float], process: str, kind: str, time: str = "t") -> None:
        super().__init__()
        self.register_buffer("mu", torch.tensor(mu, dtype=torch.float64))
        self.register_buffer("var", torch.tensor(var, dtype=torch.float64))
        self.proc = PROCESS_CODES[process]
        self.kind = KIND_CODES[kind]
        self.time_code = {"t": 0, "sigma": 1, "log_sigma_over_4": 2, "concat": 3}[time]
        self.dim = len(mu)

    def coeffs(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if self.proc <= 1:
            b = 0.1 * t + 19.9 * t * t / 2  # B0 = 0.1, B1 = 20 (TorchScript needs literals)
            m = torch.exp(-b / 2)
            s2 = -torch.expm1(-b) if self.proc == 0 else torch.expm1(-b) ** 2
            return m, s2
        if self.proc == 2:
            return torch.ones_like(t), 1e-4 * torch.expm1(
                2 * t * 8.517193191416238
            )  # SMIN^2 (r^2t - 1), r = 5000
        phi = (t + 0.008) / 1.008 * 1.5707963267948966
        m = torch.cos(phi) / 0.9999222924809749  # cos(phi(0))
        return m, 1 - m * m

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        x = x.to(torch.float64)
        t = t.to(torch.float64)
        mu, var = self.mu.to(x.device), self.var.to(x.device)
        if self.kind == 4:  # EDM: t is sigma^ (or 1/4 log sigma^)
            sh = t if self.time_code == 1 else torch.exp(4 * t)
            return (mu + var / (var + sh[:, None] ** 2) * (x - mu)).to(torch.float32)
        m, s2 = self.coeffs(t)
        m, s2 = m[:, None], s2[:, None]
        s = -(x - m * mu) / (m * m * var + s2)
        if self.kind == 0:
            return s.to(torch.float32)
        eps = -torch.sqrt(s2) * s
        if self.kind == 1:
            return eps.to(torch.float32)
        x0 = (x + s2 * s) / m
        if self.kind == 2:
            return x0.to(torch.float32)
        return (m * eps - torch.sqrt(s2) * x0).to(torch.float32)


class Concat(nn.Module):
    """The exact score network called as net(cat[x, t]) (time_input='concat')."""

    def __init__(self, mu: list[float], var: list[float], process: str) -> None:
        super().__init__()
        self.inner = ClosedForm(mu, var, process, "score")
        self.dim = len(mu)

    def forward(self, xt: torch.Tensor) -> torch.Tensor:
        return self.inner(xt[:, :-1], xt[:, -1])


def factory(mu: list[float] = tuple(MU), var: list[float] = tuple(VAR), process: str = "vp",
            kind: str = "eps") -> nn.Module:  # fmt: skip
    return ClosedForm(list(mu), list(var), process, kind)
