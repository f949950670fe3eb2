r"""Bring your own network: load a score model from a file, a factory or memory, as a checkable score.

:func:`load_score_model` reads a network (a TorchScript file; ``"path/to/file.py:factory"`` or
``"package.module:factory"`` returning an ``nn.Module``, optionally with a state-dict file ``weights=``
read by ``torch.load(weights_only=True)`` — never pickled code; or an ``nn.Module``/callable in memory,
a module being deep-copied so that the caller's object is never changed),
declares what it outputs and what time input it takes (:mod:`sgmverify.nets._parameterization`), and
returns a :class:`LoadedScoreModel`: ``.score(x, t)`` in numpy (batched, at most ``max_batch`` rows per
network call) for :func:`sgmverify.samplers.sample` and :func:`sgmverify.nets.score_error`, and the
differentiable ``.torch_score(x, t)`` for autograd (Jacobians,
:class:`sgmverify.sensitivity.TorchScoreModel`).

Nothing is trusted: the network is probed at load time on a few points and times, and a wrong output shape,
NaN/inf outputs, a parameterisation that does not fit the process, a missing file or device raise a
:class:`~sgmverify.errors.SgmverifyError` saying what to fix.
"""

from __future__ import annotations

import copy
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.theory import describe_object

from ._checks import checked_points, nonfinite_rows
from ._parameterization import Parameterization, checked_times, discrete_schedule

__all__ = ["LoadedScoreModel", "load_score_model"]

#: Default largest number of rows per network call in ``.score`` (memory cap).
MAX_BATCH = 65536


def _device(device: Any) -> torch.device:
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise InvalidParameterError(
            f"unknown device {device!r}; use 'cpu', 'cuda', 'cuda:N' or 'auto'."
        ) from exc
    if dev.type == "cuda":
        if not torch.cuda.is_available():
            raise InvalidParameterError(
                f"device {device!r} was asked for but no CUDA GPU is available; use device='cpu' or 'auto'."
            )
        if dev.index is not None and dev.index >= torch.cuda.device_count():
            raise InvalidParameterError(
                f"device {device!r}: only {torch.cuda.device_count()} CUDA device(s) are available."
            )
    elif dev.type == "mps" and not (hasattr(torch.backends, "mps") and torch.backends.mps.is_available()):
        raise InvalidParameterError(f"device {device!r} is not available on this machine; use 'cpu'.")
    elif dev.type not in ("cpu", "cuda", "mps"):
        raise InvalidParameterError(f"device {device!r} is not supported; use 'cpu', 'cuda' or 'auto'.")
    return dev


def _import_factory(spec: str) -> Callable:
    """``"file.py:name"`` or ``"package.module:name"`` -> the callable ``name``."""
    where, _, name = spec.rpartition(":")
    if where.endswith(".py") or "/" in where or "\\" in where:
        path = Path(where)
        if not path.is_file():
            raise InvalidParameterError(f"the factory file {path} does not exist (from {spec!r}).")
        mod_name = "_sgmverify_user_model_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
        ispec = importlib.util.spec_from_file_location(mod_name, path)
        if ispec is None or ispec.loader is None:
            raise InvalidParameterError(f"cannot import {path} as a Python module (from {spec!r}).")
        module = importlib.util.module_from_spec(ispec)
        sys.modules[mod_name] = module
        try:
            ispec.loader.exec_module(module)
        except Exception as exc:
            sys.modules.pop(mod_name, None)
            raise InvalidParameterError(f"importing {path} failed: {type(exc).__name__}: {exc}") from exc
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise InvalidParameterError(f"cannot import module {where!r} (from {spec!r}): {exc}") from exc
    fn = getattr(module, name, None)
    if not callable(fn):
        raise InvalidParameterError(f"{where!r} has no callable {name!r} (from {spec!r}).")
    return fn


def _is_factory_spec(source: str) -> bool:
    where, sep, name = source.rpartition(":")
    return bool(sep) and name.isidentifier() and bool(where) and not (len(where) == 1 and where.isalpha())


def _load_weights(module: Any, weights: Any) -> None:
    path = Path(weights)
    if not path.is_file():
        raise InvalidParameterError(f"the weights file {path} does not exist.")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise InvalidParameterError(
            f"cannot read {path} as a state dict with torch.load(weights_only=True) ({type(exc).__name__}: "
            f"{str(exc)[:200]}); save it with torch.save(module.state_dict(), path)."
        ) from exc
    if isinstance(state, Mapping) and "state_dict" in state and isinstance(state["state_dict"], Mapping):
        state = state["state_dict"]
    if not (isinstance(state, Mapping) and all(isinstance(v, torch.Tensor) for v in state.values())):
        raise InvalidParameterError(f"{path} does not hold a state dict (a mapping of names to tensors).")
    if not hasattr(module, "load_state_dict"):
        raise InvalidTypeError(
            "weights= needs an nn.Module to load them into; the source is a plain callable."
        )
    try:
        module.load_state_dict(state, strict=True)
    except (RuntimeError, KeyError) as exc:
        raise InvalidParameterError(
            f"the weights in {path} do not fit the network: {str(exc)[:400]}"
        ) from exc


def _private_copy(module: nn.Module) -> nn.Module:
    """A deep copy of the user's module, so that casting it (``.to(device, dtype)``), ``.eval()`` and
    ``weights=`` never change the object the caller holds."""
    try:
        return copy.deepcopy(module)
    except Exception as exc:
        raise InvalidParameterError(
            f"cannot copy the {type(module).__name__} ({type(exc).__name__}: {str(exc)[:160]}); the loader "
            "works on a copy so that your module keeps its device, dtype and training flag. Save it "
            "(TorchScript, or a factory with weights=) and load it from the file instead."
        ) from exc


def _resolve(source: Any, weights: Any, factory_kwargs: Mapping | None) -> tuple[Any, str]:
    """The network callable and a description of where it came from."""
    if isinstance(source, nn.Module):
        module, origin = _private_copy(source), f"in-memory {type(source).__name__}"
    elif callable(source) and not isinstance(source, str | Path):
        module, origin = source, f"in-memory {type(source).__name__}"
    elif isinstance(source, str | Path):
        text = str(source)
        if isinstance(source, str) and _is_factory_spec(text) and not Path(text).is_file():
            factory = _import_factory(text)
            try:
                module = factory(**dict(factory_kwargs or {}))
            except Exception as exc:
                raise InvalidParameterError(
                    f"the factory {text!r} raised {type(exc).__name__}: {exc}"
                ) from exc
            if not isinstance(module, nn.Module):
                raise InvalidTypeError(
                    f"the factory {text!r} returned {type(module).__name__}, not a torch.nn.Module."
                )
            origin = f"factory {text}"
        else:
            path = Path(text)
            if not path.is_file():
                raise InvalidParameterError(
                    f"the model file {path} does not exist; pass a TorchScript file, 'file.py:factory' or "
                    "'package.module:factory'."
                )
            try:
                module = torch.jit.load(str(path), map_location="cpu")
            except Exception as exc:
                raise InvalidParameterError(
                    f"{path} is not a TorchScript file ({type(exc).__name__}: "
                    f"{str(exc).splitlines()[0][:160]}). "
                    "Save one with torch.jit.save(torch.jit.script(net), path), or pass "
                    "'file.py:factory' with weights=STATE_DICT_FILE."
                ) from exc
            origin = f"TorchScript {path}"
    else:
        raise InvalidTypeError(
            f"source must be a file path, 'module:factory', an nn.Module or a callable; got "
            f"{type(source).__name__}."
        )
    if weights is not None:
        _load_weights(module, weights)
        origin += f" + weights {weights}"
    return module, origin


def _fingerprint(module: Any, param: Parameterization, process: Any, dim: int) -> str:
    h = hashlib.sha256()
    h.update(repr((param, describe_object(process), dim)).encode())
    if hasattr(module, "state_dict"):
        for k, v in module.state_dict().items():
            h.update(k.encode())
            h.update(str(v.dtype).encode())  # raw bytes, so any dtype (bfloat16: numpy has none)
            h.update(v.detach().cpu().contiguous().reshape(-1).view(torch.uint8).numpy().tobytes())
    else:
        h.update(repr(describe_object(module)).encode())
    return h.hexdigest()[:16]


class LoadedScoreModel:
    r"""A user's network read as a score :math:`s_\theta(x, t)` of the forward ``process``.

    Attributes
    ----------
    module : nn.Module or callable
        The network; called as ``module(x_in, time)`` (or ``module(cat[x, t])`` for ``time_input="concat"``).
    parameterization : Parameterization
    process : LinearSDE
    dim : int
    device, dtype : torch.device, torch.dtype
        Where and in which precision the network runs (the conversions run in float64).
    max_batch : int
        Most rows per network call in :meth:`score`.
    info : dict
        ``source`` (where it came from) and ``fingerprint`` (hash of weights, parameterisation, process).
    """

    def __init__(
        self,
        module: Any,
        parameterization: Parameterization,
        process: Any,
        dim: int,
        device: torch.device,
        dtype: torch.dtype,
        max_batch: int = MAX_BATCH,
        info: dict | None = None,
    ) -> None:
        self.module, self.parameterization, self.process = module, parameterization, process
        self.dim, self.device, self.dtype, self.max_batch = int(dim), device, dtype, int(max_batch)
        self.info = dict(info or {})

    def coefficients(self, t: Any, n: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """``(m(t), sigma(t)^2)`` as float64 CPU tensors of shape (n,) (``t``: a float or n floats)."""
        tt = torch.from_numpy(checked_times(t, n, self.process.t_max))
        return self.process.mean_coeff(tt) * torch.ones_like(tt), self.process.var(tt) * torch.ones_like(tt)

    def _forward(self, x: torch.Tensor, t: np.ndarray) -> torch.Tensor:
        """Score (float64, on the model's device) at x (float64 on the device), times t (n,)."""
        tt = torch.from_numpy(t)
        m = (self.process.mean_coeff(tt) * torch.ones_like(tt)).to(self.device)
        var = (self.process.var(tt) * torch.ones_like(tt)).to(self.device)
        args = self.parameterization.network_inputs(x, tt.to(self.device), m, var, self.dtype)
        try:
            out = self.module(*args)
        except (RuntimeError, TypeError, ValueError, IndexError) as exc:
            raise InvalidParameterError(
                f"calling the network failed ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); check "
                f"dim (= {self.dim}) and time_input (= {self.parameterization.time_input!r}: the network is "
                "called as net(x, time), or net(cat[x, t]) for 'concat')."
            ) from exc
        if not isinstance(out, torch.Tensor) or tuple(out.shape) != tuple(x.shape):
            got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
            raise ShapeError(
                f"the network returned {got} for {x.shape[0]} points in d = {self.dim}; a "
                f"{self.parameterization.kind!r} network must return one row of {self.dim} numbers per point."
            )
        return self.parameterization.to_score(out.to(torch.float64), x, m, var)

    def torch_score(self, x: torch.Tensor, t: Any) -> torch.Tensor:
        """Differentiable :math:`s_\\theta(x, t)`: ``x`` (n, d) tensor, ``t`` float or (n,) -> (n, d) float64
        on ``x``'s device."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ShapeError(f"x must have shape (n, {self.dim}); got {tuple(x.shape)}.")
        t_arr = checked_times(t, x.shape[0], self.process.t_max)
        return self._forward(x.to(self.device, torch.float64), t_arr).to(x.device)

    def score(self, x: np.ndarray, t: float | np.ndarray) -> np.ndarray:
        """:math:`s_\\theta(x, t)` in numpy: ``x`` (n, d), ``t`` float or (n,) -> (n, d) float64.

        Raises
        ------
        ShapeError, TimeDomainError, InvalidParameterError
            Wrong shapes, ``t`` outside (0, t_max), NaN input, or a network that outputs NaN/inf.
        """
        x = checked_points(x, self.dim, "score model")
        t_arr = checked_times(t, x.shape[0], self.process.t_max)
        out = np.empty_like(x)
        with torch.no_grad():
            for a in range(0, x.shape[0], self.max_batch):
                b = min(a + self.max_batch, x.shape[0])
                xb = torch.from_numpy(x[a:b]).to(self.device)
                out[a:b] = self._forward(xb, t_arr[a:b]).cpu().numpy()
        bad = nonfinite_rows(out)
        if bad:
            raise InvalidParameterError(
                f"the network output NaN/inf at {bad} of {x.shape[0]} points (t in [{t_arr.min():.4g}, "
                f"{t_arr.max():.4g}]); check its weights and that the parameterization and time input match "
                "how it was trained."
            )
        return out

    __call__ = score

    def __repr__(self) -> str:
        p = self.parameterization
        return (
            f"LoadedScoreModel({self.info.get('source', '?')}, {p.kind!r}, time_input={p.time_input!r}, "
            f"process={getattr(self.process, 'name', self.process)}, dim={self.dim}, device={self.device})"
        )


def _infer_dim(module: Any, time_input: str) -> int | None:
    d = getattr(module, "dim", None)
    if isinstance(d, int | np.integer) and not isinstance(d, bool) and d >= 1:
        return int(d)
    if isinstance(module, nn.Module) and time_input == "concat":
        first = next((m for m in module.modules() if isinstance(m, nn.Linear)), None)
        if first is not None and first.in_features >= 2:
            return first.in_features - 1
    return None


def _probe(model: LoadedScoreModel) -> None:
    """Evaluate at 5 points and 3 times; wrong shapes and NaN/inf outputs raise here, not in a check."""
    t_max = model.process.t_max
    times = [t for t in (1e-3, 0.1, 0.5) if t < t_max] or [0.5 * t_max]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, model.dim))
    for t in times:
        model.score(float(model.process.std(t)) * x, t)


def load_score_model(
    source: Any,
    parameterization: str,
    process: Any,
    dim: int | None = None,
    device: str = "cpu",
    dtype: torch.dtype = torch.float32,
    time_input: str | None = None,
    *,
    weights: str | Path | None = None,
    factory_kwargs: Mapping[str, Any] | None = None,
    schedule: Any = None,
    num_steps: int | None = None,
    T: float = 1.0,
    v_convention: str = "vp",
    max_batch: int = MAX_BATCH,
    validate: bool = True,
) -> LoadedScoreModel:
    r"""Load a network and read it as the score of ``process``.

    Parameters
    ----------
    source : str, Path, nn.Module or callable
        A TorchScript file; ``"path/to/file.py:factory"`` or ``"package.module:factory"`` (the factory is
        called with ``factory_kwargs`` and must return an ``nn.Module``); or a module/callable in memory.
        An ``nn.Module`` in memory is deep-copied first: the loader casts, moves and ``.eval()``\ s (and
        loads ``weights`` into) its own copy, so the caller's module keeps its dtype, device, training flag
        and weights (a module that cannot be copied raises; memory for the weights is doubled).
    parameterization : {"score", "eps", "x0", "v", "edm"}
        What the network outputs (conversions in :mod:`sgmverify.nets._parameterization`).
    process : LinearSDE
        The forward process the network was trained for (:mod:`sgmverify.sde`).
    dim : int, optional
        Data dimension; default: the module's ``dim`` attribute (or, for ``time_input="concat"``, the first
        ``nn.Linear``'s input size minus one).
    device : str
        ``"cpu"`` (default), ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (a GPU when present).  Asking for a
        device that is not there raises.
    dtype : torch.dtype
        Precision the network runs in (its parameters are cast when it is an ``nn.Module``).
    time_input : {"t", "sigma", "log_sigma_over_4", "index", "concat"}, optional
        What the network receives as time; default ``"sigma"`` for edm, ``"t"`` otherwise.
    weights : path, optional
        A state-dict file loaded into the module (``torch.load(weights_only=True)``, ``strict=True``).
    schedule, num_steps, T
        For ``time_input="index"``: the times of the discrete steps, or ``num_steps`` N (times
        ``T (i+1)/N``).
    v_convention : {"vp", "general"}
        For ``"v"``: ``"vp"`` requires :math:`m^2+\sigma^2=1`; ``"general"`` uses
        :math:`\varepsilon = (\sigma x + m v)/(m^2+\sigma^2)` on any process.
    max_batch : int
        Most rows per network call (memory cap of :meth:`LoadedScoreModel.score`).
    validate : bool
        Probe the network at load time (shape and finiteness).

    Returns
    -------
    LoadedScoreModel
    """
    for name in ("mean_coeff", "var", "std", "t_max"):
        if not hasattr(process, name):
            raise InvalidTypeError(f"process must be a sgmverify.sde.LinearSDE; it has no {name!r}.")
    if dtype not in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        raise InvalidParameterError(f"dtype must be a torch floating dtype, got {dtype!r}.")
    if isinstance(max_batch, bool) or not isinstance(max_batch, int | np.integer) or max_batch < 1:
        raise InvalidParameterError(f"max_batch must be an integer >= 1, got {max_batch!r}.")
    if time_input is None:
        time_input = "sigma" if parameterization == "edm" else "t"
    sched = discrete_schedule(schedule, num_steps, T)
    param = Parameterization(
        parameterization, time_input, None if sched is None else tuple(float(s) for s in sched), v_convention
    )
    param.check_process(process)
    dev = _device(device)
    module, origin = _resolve(source, weights, factory_kwargs)
    if isinstance(module, nn.Module):
        module = module.to(device=dev, dtype=dtype).eval()
    dim = _infer_dim(module, time_input) if dim is None else dim
    if dim is None:
        raise InvalidParameterError(
            "cannot tell the data dimension of this network; pass dim= (the number of coordinates of x)."
        )
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer) or dim < 1:
        raise InvalidParameterError(f"dim must be an integer >= 1, got {dim!r}.")
    info = {"source": origin, "fingerprint": _fingerprint(module, param, process, int(dim))}
    model = LoadedScoreModel(module, param, process, int(dim), dev, dtype, int(max_batch), info)
    if validate:
        _probe(model)
    return model
