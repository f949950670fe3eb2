"""Describing objects by their content: :func:`describe_object` and the one content-hash primitive,
:func:`content_key`.

Two objects with the same description are the same for sgmverify's purposes (results, stores, caches):
numbers exactly, arrays in full, functions by name, code and captured values, other objects by their public
attributes.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import math
import re
import types
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["content_key", "describe_object"]

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")  # object addresses in reprs differ between processes


def _consts_text(consts: tuple) -> str:
    """The constants of a code object, the same in every process: nested code objects by their bytecode
    and constants (their repr carries an address), frozensets sorted (their order follows string hashing,
    which is randomised per process); other constants as ``repr(consts)`` (so their keys are unchanged)."""
    if not any(isinstance(c, types.CodeType | frozenset) for c in consts):
        return repr(consts)
    parts = []
    for c in consts:
        if isinstance(c, types.CodeType):
            parts.append(f"code:{c.co_code.hex()}{_consts_text(c.co_consts)}")
        elif isinstance(c, frozenset):
            parts.append(f"frozenset:{sorted(map(repr, c))}")
        else:
            parts.append(repr(c))
    return "(" + ",".join(parts) + ")"


def _describe_function(fn: types.FunctionType, depth: int) -> dict:
    """Name, code hash, defaults and closure values: two closures over different values differ."""
    code = fn.__code__
    d: dict[str, Any] = {
        "function": f"{fn.__module__}.{fn.__qualname__}",
        "code": hashlib.sha256(code.co_code + _consts_text(code.co_consts).encode()).hexdigest()[:16],
        "line": code.co_firstlineno,
    }
    if fn.__defaults__:
        d["defaults"] = describe_object(fn.__defaults__, depth + 1)
    if fn.__closure__:
        cells = []
        for cell in fn.__closure__:
            try:
                cells.append(describe_object(cell.cell_contents, depth + 1))
            except ValueError:  # an empty cell
                cells.append(None)
        d["closure"] = cells
    return d


def describe_object(obj: Any, depth: int = 0) -> Any:
    """A deterministic JSON-able description of ``obj`` (numbers exact, arrays in full).

    Functions are described by name, code and captured values; objects by their public attributes.
    """
    if depth > 8:
        return f"<{type(obj).__qualname__}: nested too deep>"
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float | np.floating):
        return float(obj) if math.isfinite(obj) else str(float(obj))
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.ndarray):
        return (
            [describe_object(v, depth + 1) for v in obj.tolist()] if obj.ndim else describe_object(obj.item())
        )
    if isinstance(obj, list | tuple):
        return [describe_object(v, depth + 1) for v in obj]
    if isinstance(obj, Mapping):
        return {str(k): describe_object(v, depth + 1) for k, v in obj.items()}
    if isinstance(obj, sp.Basic):
        return sp.srepr(obj)
    if isinstance(obj, functools.partial):
        return {
            "partial": describe_object(obj.func, depth + 1),
            "args": describe_object(obj.args, depth + 1),
            "kwargs": describe_object(obj.keywords, depth + 1),
        }
    if isinstance(obj, types.MethodType):
        return {
            "method": describe_object(obj.__func__, depth + 1),
            "self": describe_object(obj.__self__, depth + 1),
        }
    if isinstance(obj, types.FunctionType):
        return _describe_function(obj, depth)
    if isinstance(obj, np.ufunc):
        return f"numpy.{obj.__name__}"
    if inspect.isroutine(obj) or inspect.isclass(obj):
        return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', repr(obj))}"
    if hasattr(obj, "__dict__"):
        state = {k: v for k, v in vars(obj).items() if not k.startswith("_") and not callable(v)}
        items = {k: describe_object(v, depth + 1) for k, v in sorted(state.items())}
        return {"class": type(obj).__qualname__, **items}
    if callable(obj):
        return getattr(obj, "__qualname__", repr(obj))
    return repr(obj)


def content_key(obj: Any) -> str:
    """The content hash of ``obj``: ``sha256(canonical JSON of describe_object(obj))`` in hex (64 digits).

    Canonical JSON: keys sorted, no spaces, ASCII only.  Object addresses (``" at 0x..."``, which can appear
    in the ``repr`` of objects without public attributes) are removed first, so the key is the same in every
    process.  Equal descriptions give equal keys; use it wherever a value is keyed by what it is (stores,
    caches), instead of hashing by hand.

    >>> content_key({"a": 1.0, "b": [1, 2]}) == content_key({"b": (1, 2), "a": 1.0})
    True
    """
    text = json.dumps(describe_object(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(_ADDRESS.sub("", text).encode()).hexdigest()
