r"""Small time-conditioned score networks trained by denoising score matching (DSM).

The network is a noise predictor with an EDM-style skip term: with :math:`x_t = m(t)x_0 + \sigma(t) z`,

.. math::

    s_\theta(x, t) = -c_{in}(t)^2\,x - c_{out}(t)\,F_\theta\big(c_{in}(t)\,x,\ e(t)\big),\qquad
    c_{in} = \big(m^2 \bar s^2 + \sigma^2\big)^{-1/2},\quad c_{out} = m\bar s\,c_{in}/\sigma,

(the first term is the exact score of :math:`N(0, \bar s^2 I)` data, so :math:`F_\theta` only learns the
rest), where :math:`\bar s^2` is the data's mean square per coordinate (estimated from training samples) and
:math:`e(t)` is a Fourier embedding of :math:`\log\sigma(t)` (Karras et al. 2022, *EDM*, Table 1:
preconditioning :math:`c_{in}`, :math:`c_{noise}`).  Training minimises the DSM objective (Vincent 2011;
Song et al. 2021, eq. 7)

.. math::

    \mathcal L(\theta) = \mathbb E_{t\sim U[t_{\min}, t_{\max}]}\ \lambda(t)\,
    \mathbb E\,\big\|s_\theta(x_t, t) + z/\sigma(t)\big\|^2,\qquad
    \lambda(t) \in \{\sigma(t)^2\ (\texttt{"sigma2"}),\ g(t)^2\ (\texttt{"likelihood"}),
    \ 1\ (\texttt{"none"})\}

(the likelihood weighting :math:`g^2` is Song et al. 2021b, *Maximum likelihood training of score-based
diffusion models*, Thm 1).  At a fixed ``t`` the time embedding is a constant, so
:math:`x\mapsto s_\theta(x,t)` is the linear skip term plus the MLP's x-path scaled by :math:`c_{out}c_{in}`
— what :mod:`sgmverify.nets._lipschitz` bounds.

Training is deterministic given the seed (numpy draws the data, a private ``torch.Generator`` the times and
noise), runs on the CPU (respecting ``torch.set_num_threads``) or a GPU when ``device="auto"`` finds one,
checkpoints so an interrupted run resumes, and caches the trained weights on disk
(:mod:`sgmverify.nets._cache`).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError
from sgmverify.nets import _cache
from sgmverify.sde import CoefficientTable

from ._checks import checked_points, nonfinite_rows

__all__ = ["ACTIVATIONS", "WEIGHTINGS", "NetworkConfig", "ScoreMLP", "TrainedScoreNetwork", "torch_threads"]
__all__ += ["train_score_network"]

#: Activation name -> torch module class.  Their slope bounds live in :data:`sgmverify.nets.SLOPES`.
ACTIVATIONS: dict[str, type[nn.Module]] = {
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "softplus": nn.Softplus,
}
WEIGHTINGS = ("sigma2", "likelihood", "none")
_DTYPES = {"float32": torch.float32, "float64": torch.float64}


@contextlib.contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run a block (or, as a decorator, a function) with ``torch.set_num_threads(n)``; restore afterwards.

    ``None`` leaves torch's setting alone.  Tiny networks are faster on one thread, and on a loaded machine
    two spinning OpenMP threads can make each small matmul 100x slower; suites pass 1 explicitly.
    """
    if n is None:
        yield
        return
    if not (isinstance(n, int) and n >= 1):
        raise InvalidParameterError(f"the number of torch threads must be an integer >= 1, got {n!r}.")
    old = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(old)


@dataclass(frozen=True)
class NetworkConfig:
    """Architecture, optimiser and training schedule of a score network (everything that is hashed).

    Parameters
    ----------
    width, depth : int
        Hidden width and number of hidden layers of the MLP.
    activation : str
        A key of :data:`ACTIVATIONS`.
    n_freq : int
        Number of Fourier frequencies of the time embedding (embedding size ``2 n_freq + 1``).
    steps, batch_size, lr : int, int, float
        Adam steps, batch size and peak learning rate (cosine decay to ``lr/20``; gradient norm clipped at
        ``grad_clip``).
    weighting : str
        ``"sigma2"`` (:math:`\\lambda=\\sigma^2`), ``"likelihood"`` (:math:`g^2`) or ``"none"``.
    t_min, t_max : float
        Training times are drawn uniformly from ``[t_min, t_max]`` (``t_sampling="log"``: log-uniformly).
    seed : int
        Seeds the data draws, the initialisation, the times and the noise.
    dtype : str
        ``"float32"`` (default) or ``"float64"``.
    device : str
        ``"cpu"``, ``"cuda"`` or ``"auto"`` (a GPU when present).  Part of the cache key: a GPU run is not
        bitwise equal to a CPU run.
    checkpoint_every : int
        Steps between checkpoints of an unfinished run (0: none).
    """

    width: int = 64
    depth: int = 3
    activation: str = "silu"
    n_freq: int = 8
    steps: int = 2000
    batch_size: int = 256
    lr: float = 2e-3
    weighting: str = "sigma2"
    t_min: float = 1e-3
    t_max: float = 1.0
    t_sampling: str = "uniform"
    seed: int = 0
    grad_clip: float = 1.0
    dtype: str = "float32"
    device: str = "cpu"
    checkpoint_every: int = 500

    def __post_init__(self) -> None:
        for name in ("width", "depth", "steps", "batch_size"):
            v = getattr(self, name)
            if not (isinstance(v, int | np.integer) and not isinstance(v, bool) and v >= 1):
                raise InvalidParameterError(f"NetworkConfig.{name} must be an integer >= 1, got {v!r}.")
        if not (isinstance(self.n_freq, int) and self.n_freq >= 0):
            raise InvalidParameterError(f"NetworkConfig.n_freq must be an integer >= 0, got {self.n_freq!r}.")
        if self.activation not in ACTIVATIONS:
            raise UnknownNameError(
                f"unknown activation {self.activation!r}; choose one of {sorted(ACTIVATIONS)}."
            )
        if self.weighting not in WEIGHTINGS:
            raise UnknownNameError(f"unknown weighting {self.weighting!r}; choose one of {list(WEIGHTINGS)}.")
        if self.t_sampling not in ("uniform", "log"):
            raise UnknownNameError(f"t_sampling must be 'uniform' or 'log', got {self.t_sampling!r}.")
        if self.dtype not in _DTYPES:
            raise UnknownNameError(f"dtype must be one of {sorted(_DTYPES)}, got {self.dtype!r}.")
        if self.device not in ("cpu", "cuda", "auto"):
            raise UnknownNameError(f"device must be 'cpu', 'cuda' or 'auto', got {self.device!r}.")
        for name in ("lr", "t_min", "t_max", "grad_clip"):
            v = getattr(self, name)
            if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
                raise InvalidParameterError(f"NetworkConfig.{name} must be a finite number > 0, got {v!r}.")
        if not self.t_min < self.t_max:
            raise TimeDomainError(f"need t_min < t_max, got t_min={self.t_min}, t_max={self.t_max}.")
        if not (isinstance(self.checkpoint_every, int) and self.checkpoint_every >= 0):
            raise InvalidParameterError(
                f"checkpoint_every must be an integer >= 0, got {self.checkpoint_every!r}."
            )

    def replace(self, **changes: Any) -> NetworkConfig:
        """A copy with some fields changed."""
        return NetworkConfig(**{**asdict(self), **changes})

    def resolved_device(self) -> str:
        if self.device == "auto":
            return "cuda" if torch.cuda.is_available() else "cpu"
        if self.device == "cuda" and not torch.cuda.is_available():
            raise InvalidParameterError("device='cuda' but no GPU is available; use device='auto' or 'cpu'.")
        return self.device


class ScoreMLP(nn.Module):
    """The bare MLP: ``[x, e] -> width -> ... -> width -> d`` with ``depth`` hidden layers."""

    def __init__(self, dim: int, width: int, depth: int, activation: str, emb_dim: int) -> None:
        super().__init__()
        self.dim, self.emb_dim = dim, emb_dim
        sizes = [dim + emb_dim] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in itertools.pairwise(sizes))
        self.out = nn.Linear(width, dim)
        self.act = ACTIVATIONS[activation]()

    def forward(self, x: torch.Tensor, emb: torch.Tensor) -> torch.Tensor:
        h = torch.cat([x, emb], dim=-1)
        for layer in self.hidden:
            h = self.act(layer(h))
        return self.out(h)

    def x_path_weights(self) -> list[torch.Tensor]:
        """Weight matrices along the x-path: the first layer's x-columns, the hidden layers, the output."""
        first = self.hidden[0].weight[:, : self.dim]
        return [first, *(lay.weight for lay in list(self.hidden)[1:]), self.out.weight]


def _time_embedding(log_sigma: torch.Tensor, n_freq: int) -> torch.Tensor:
    """:math:`[u/4, \\sin(\\omega_k u), \\cos(\\omega_k u)]`, :math:`u = \\log\\sigma(t)`, ω geometric in
    [1/8, 4]."""
    u = log_sigma[:, None]
    if n_freq == 0:
        return u / 4
    omega = torch.logspace(math.log10(0.125), math.log10(4.0), n_freq, dtype=u.dtype, device=u.device)
    return torch.cat([u / 4, torch.sin(u * omega), torch.cos(u * omega)], dim=-1)


@dataclass
class TrainedScoreNetwork:
    """A trained score network :math:`s_\\theta(x, t)` for a data law noised by ``process``.

    Attributes
    ----------
    module : ScoreMLP
    process : LinearSDE
    config : NetworkConfig
    dim : int
    data_ms : float
        Mean square per coordinate of the training data (sets :math:`c_{in}`).
    info : dict
        ``key`` (cache key), ``from_cache``, ``train_seconds``, ``losses`` (loss every 50 steps), ``device``.
    """

    module: ScoreMLP
    process: Any
    config: NetworkConfig
    dim: int
    data_ms: float
    info: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        first = next(self.module.parameters())
        self.device, self.dtype = first.device, first.dtype

    def _check_t(self, t: np.ndarray) -> None:
        if not np.all(np.isfinite(t)) or np.any(t <= 0) or np.any(t >= self.process.t_max):
            raise TimeDomainError(
                f"the score network is defined for t in (0, {self.process.t_max}); got t in "
                f"[{np.min(t):.4g}, {np.max(t):.4g}] (sigma(0) = 0 makes s_theta singular at t = 0)."
            )

    def coefficients(self, t: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
        """``(m(t), sigma(t)^2)`` as float64 CPU tensors of shape (n,); ``t`` must lie in (0, t_max).

        Under a ``torch.func`` transform (``jvp``, ``vmap``: its tensors have no data to read) a float ``t``
        is evaluated in numpy (the same closed forms), so ``torch_score(x, float_t)`` works in forward mode.
        """
        try:
            tt = torch.as_tensor(t, dtype=torch.float64).detach().reshape(-1).cpu()
            self._check_t(tt.numpy())
        except RuntimeError:
            if torch.is_tensor(t):
                raise
            tn = np.asarray(t, dtype=float).reshape(-1)
            self._check_t(tn)
            coeffs = (self.process.mean_coeff(tn), self.process.var(tn))
            return tuple(torch.from_numpy(np.asarray(c, dtype=float) * np.ones_like(tn)) for c in coeffs)
        return self.process.mean_coeff(tt) * torch.ones_like(tt), self.process.var(tt) * torch.ones_like(tt)

    def scales(self, t: torch.Tensor | float) -> tuple[torch.Tensor, torch.Tensor]:
        """``(c_in(t), c_out(t))``: at fixed t, :math:`s_\\theta(x) = -c_{in}^2 x - c_{out} F(c_{in} x)`."""
        m, var = self.coefficients(t)
        return self._scales(m, var)[:2]

    def _scales(self, m: torch.Tensor, var: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        c_in = torch.rsqrt(m**2 * self.data_ms + var)
        c_out = m * math.sqrt(self.data_ms) * c_in / torch.sqrt(var)
        return c_in, c_out, 0.5 * torch.log(var)

    def _apply(self, x: torch.Tensor, m: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        if m.shape[0] not in (1, n):
            raise ShapeError(f"t must be a float or have shape ({n},); got {m.shape[0]} times.")
        c_in, c_out, log_sig = (
            v.expand(n).to(device=self.device, dtype=self.dtype) for v in self._scales(m, var)
        )
        x = x.to(device=self.device, dtype=self.dtype)
        emb = _time_embedding(log_sig, self.config.n_freq)
        return -(c_in**2)[:, None] * x - c_out[:, None] * self.module(c_in[:, None] * x, emb)

    def torch_score(self, x: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
        """Differentiable :math:`s_\\theta(x, t)`: ``x`` (n, d), ``t`` float or (n,) -> (n, d).

        .. math:: s_\\theta(x,t) = -c_{in}^2 x - c_{out}\\,F_\\theta(c_{in}x, e(t)),\\quad
            c_{out} = m\\bar s\\,c_{in}/\\sigma

        (the first term is the exact score of N(0, s̄² I) data; F learns the rest, EDM-style skip).
        """
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ShapeError(f"x must have shape (n, {self.dim}); got {tuple(x.shape)}.")
        m, var = self.coefficients(t)
        return self._apply(x, m, var)

    def score(self, x: np.ndarray, t: float | np.ndarray) -> np.ndarray:
        """:math:`s_\\theta(x, t)` in numpy: ``x`` (n, d) float64, ``t`` float or (n,) -> (n, d) float64.

        Raises
        ------
        ShapeError, TimeDomainError, InvalidParameterError
            Wrong shapes, ``t`` outside (0, t_max), NaN input, or a network that outputs NaN/inf.
        """
        x = checked_points(x, self.dim, "score network")
        with torch.no_grad():
            out = self.torch_score(torch.from_numpy(x), t).to("cpu", torch.float64).numpy()
        bad = nonfinite_rows(out)
        if bad:
            raise InvalidParameterError(
                f"the score network output NaN/inf at {bad} of {x.shape[0]} points (t={t}); its weights are "
                "unusable: retrain with a smaller lr, or delete the cache entry "
                + str(self.info.get("key", ""))
            )
        return out

    __call__ = score


# ----------------------------------------------------------------------------------------------- training
def _weights(var: torch.Tensor, g2: torch.Tensor, weighting: str) -> torch.Tensor:
    return {"sigma2": var, "likelihood": g2}.get(weighting, torch.ones_like(var))


def _check_data(data: Any, process: Any) -> int:
    if not (hasattr(data, "sample") and hasattr(data, "dim")):
        raise InvalidParameterError(
            f"data must be a distributions object with .dim and .sample(n, rng); got {type(data).__name__}."
        )
    for name in ("mean_coeff", "var", "diffusion", "t_max"):
        if not hasattr(process, name):
            raise InvalidParameterError(f"process must be a processes.LinearSDE; it has no {name!r}.")
    return int(data.dim)


def _build(data: Any, process: Any, cfg: NetworkConfig, dim: int, data_ms: float) -> TrainedScoreNetwork:
    with torch.random.fork_rng(devices=[]):  # seed the initialisation without touching the global RNG
        torch.manual_seed(cfg.seed)
        module = ScoreMLP(dim, cfg.width, cfg.depth, cfg.activation, 2 * cfg.n_freq + 1)
    module = module.to(device=cfg.resolved_device(), dtype=_DTYPES[cfg.dtype])
    return TrainedScoreNetwork(module, process, cfg, dim, data_ms)


def _lr(cfg: NetworkConfig, step: int) -> float:
    """Cosine decay from ``lr`` to ``lr/20`` over the run."""
    return cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * step / cfg.steps)))


def _train_loop(
    net: TrainedScoreNetwork,
    data: Any,
    state: dict,
    ckpt: _cache.Checkpointer,
    callback: Callable[[int, float], None] | None,
) -> None:
    cfg, process = net.config, net.process
    params = list(net.module.parameters())
    opt = torch.optim.Adam(params, lr=cfg.lr, foreach=True)
    if state.get("optimizer"):
        opt.load_state_dict(state["optimizer"])
    rng = np.random.default_rng()
    rng.bit_generator.state = state["np_rng"]
    gen = torch.Generator().set_state(state["torch_rng"])
    losses: list[float] = state["losses"]
    span = (cfg.t_min, cfg.t_max)
    coeffs = CoefficientTable(process, *span)  # m, sigma^2, g^2 interpolated to 1e-8 (validated), or exact
    for step in range(state["step"], cfg.steps):
        x0 = torch.from_numpy(
            np.asarray(data.sample(cfg.batch_size, rng), dtype=float).reshape(cfg.batch_size, -1)
        )
        u = torch.rand(cfg.batch_size, generator=gen, dtype=torch.float64)
        if cfg.t_sampling == "log":
            t = torch.exp(math.log(span[0]) + u * math.log(span[1] / span[0]))
        else:
            t = span[0] + u * (span[1] - span[0])
        z = torch.randn(cfg.batch_size, net.dim, generator=gen, dtype=torch.float64)
        m, var, g2 = coeffs(t)
        xt = m[:, None] * x0 + torch.sqrt(var)[:, None] * z
        lam = _weights(var, g2, cfg.weighting)
        # lambda |s + z/sigma|^2 = (lambda/sigma^2) |sigma s + z|^2 = (lambda/sigma^2) |z - eps_hat|^2
        eps_hat = -net._apply(xt, m, var) * torch.sqrt(var).to(net.device, net.dtype)[:, None]
        resid = (eps_hat - z.to(net.device, net.dtype)).pow(2).sum(dim=1)
        loss = ((lam / var).to(net.device, net.dtype) * resid).mean()
        if not torch.isfinite(loss):
            raise InvalidParameterError(
                f"DSM loss became {loss.item()} at step {step} of {cfg.steps}; lower lr (now {cfg.lr}), "
                "raise "
                "t_min, or use weighting='sigma2' (the 'none' weighting has variance ~ 1/sigma^2 at small t)."
            )
        for group in opt.param_groups:
            group["lr"] = _lr(cfg, step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(params, cfg.grad_clip, foreach=True)
        opt.step()
        if step % 50 == 0:
            losses.append(float(loss.item()))
        if callback is not None:
            callback(step, float(loss.item()))
        done = step + 1
        if cfg.checkpoint_every and done % cfg.checkpoint_every == 0 and done < cfg.steps:
            ckpt.save(
                {
                    "step": done,
                    "model": net.module.state_dict(),
                    "optimizer": opt.state_dict(),
                    "np_rng": rng.bit_generator.state,
                    "torch_rng": gen.get_state(),
                    "losses": losses,
                    "data_ms": net.data_ms,
                }
            )


def train_score_network(
    data: Any,
    process: Any,
    config: NetworkConfig | None = None,
    *,
    cache: bool = True,
    callback: Callable[[int, float], None] | None = None,
    num_threads: int | None = None,
) -> TrainedScoreNetwork:
    """Train (or load from the cache) a DSM score network for ``data`` noised by ``process``.

    Parameters
    ----------
    data : distributions object
        Anything with ``.dim`` and ``.sample(n, rng)`` (the exact score is not needed for training).
    process : LinearSDE
        Forward process (``mean_coeff``, ``var``, ``diffusion`` on torch tensors).
    config : NetworkConfig
    cache : bool
        Load/save the weights under ``$SGMVERIFY_CACHE_DIR/networks`` (default ``~/.cache/sgmverify``),
        keyed by a hash of (data, process, config, torch version).  A corrupt or partial file, or one written
        by another torch version, is reported (:class:`~sgmverify.nets.NetworkCacheWarning`) and
        retrained.  An interrupted run resumes from its last checkpoint.
    callback : callable, optional
        ``callback(step, loss)`` after every step (progress, or stopping a run by raising).
    num_threads : int, optional
        Train under ``torch_threads(num_threads)``; default: torch's current setting (respected).

    Returns
    -------
    TrainedScoreNetwork
        With ``.score(x, t)`` (numpy) and ``.torch_score(x, t)`` (differentiable).
    """
    cfg = config or NetworkConfig()
    dim = _check_data(data, process)
    if cfg.t_max >= process.t_max:
        raise TimeDomainError(f"t_max={cfg.t_max} must be < the process's t_max={process.t_max}.")
    device = cfg.resolved_device()
    key = _cache.network_key(data, process, cfg, device)
    if cache:
        stored = _cache.load(key)
        if stored is not None:
            net = _build(data, process, cfg, dim, stored["data_ms"])
            net.module.load_state_dict(stored["model"])
            net.info = {**stored["info"], "key": key, "from_cache": True}
            return net
    ckpt = _cache.Checkpointer(key if cache else None)
    state = ckpt.load()
    if state is None:
        rng = np.random.default_rng(cfg.seed)
        probe = np.asarray(data.sample(4096, np.random.default_rng([cfg.seed, 1])), dtype=float)
        with np.errstate(over="ignore"):
            data_ms = float(np.mean(probe**2))
        if not (np.all(np.isfinite(probe)) and 0 < data_ms < np.inf):
            raise InvalidParameterError(
                f"data.sample returned NaN/inf or a mean square of {data_ms:g}; the law cannot be trained on."
            )
        torch_rng = torch.Generator().manual_seed(cfg.seed).get_state()
        state = {"step": 0, "model": None, "optimizer": None, "np_rng": rng.bit_generator.state}
        state.update(torch_rng=torch_rng, losses=[], data_ms=data_ms)
    net = _build(data, process, cfg, dim, state["data_ms"])
    if state["model"] is not None:
        net.module.load_state_dict(state["model"])
    start = time.perf_counter()
    resumed = state["step"]
    with torch_threads(num_threads):
        _train_loop(net, data, state, ckpt, callback)
    net.info = {
        "key": key,
        "from_cache": False,
        "train_seconds": time.perf_counter() - start,
        "resumed_from_step": resumed,
        "losses": state["losses"],
        "device": device,
    }
    if cache:
        info = {k: v for k, v in net.info.items() if k not in ("key", "from_cache")}
        _cache.save(key, {"model": net.module.state_dict(), "data_ms": net.data_ms, "info": info})
    ckpt.clear()
    return net
