r"""Symbolic derivation of the marginals of a linear SDE :math:`dX_t = a(t) X_t\,dt + g(t)\,dW_t`.

.. math::

    \log m(t) = \int_0^t a(s)\,ds,\qquad
    \sigma^2(t) = e^{2\log m(t)}\int_0^t g(s)^2 e^{-2\log m(s)}\,ds

(Särkkä & Solin 2019, *Applied SDEs*, eq. 6.3), integrated by sympy: ``manualintegrate`` first, then the
general ``integrate`` under the time limit :data:`SYMPY_TIME_LIMIT`.  When no antiderivative of
:math:`g^2/m^2` is found, :math:`\sigma^2` is ``None`` and :class:`~sgmverify.sde.LinearSDE` integrates it
numerically.  Results are cached in memory and on disk (``cache_dir("derivations")``, keyed by sympy's
version and the exact expressions; JSON expression trees, see :mod:`sgmverify.sde._derivation_cache`); a
derivation cut off by the time limit is never written to disk.  The float64-stable forms chosen by
:func:`sgmverify.symbolic.stable_form` (~70 ms each) are kept the same way (:func:`stable_form_cached`),
so a new instance of a preset costs well under a millisecond once one has been evaluated.
"""

from __future__ import annotations

import functools
import hashlib

import sympy as sp

from sgmverify._cachedir import cache_dir
from sgmverify._timelimit import time_limited
from sgmverify.errors import DerivationError
from sgmverify.symbolic import pow_to_exp, stable_form

from ._derivation_cache import read_entry, read_stable_entry, write_entry, write_stable_entry

__all__ = ["SYMPY_TIME_LIMIT", "derive_marginals", "stable_form_cached"]

#: Seconds sympy's general integrator may spend before the derivation falls back to quadrature.  Every
#: antiderivative it finds for the presets, the GNZ schedules and the tests takes under 1 s (the slowest,
#: VE's, 0.84 s on a loaded machine); a non-elementary integrand such as ``sin(s)**2 exp(2 cos s)`` never
#: finishes, and a cut-off derivation is not cached on disk, so this limit is paid on every construction of
#: such a process (it was 10 s).
SYMPY_TIME_LIMIT = 3.0


def _antiderivative(expr: sp.Expr, s: sp.Symbol) -> sp.Expr | None:
    """An antiderivative of ``expr`` in ``s``, or None when sympy finds none in time.

    ``manualintegrate`` first (fast, and gives ``log(cos)`` rather than ``log|cos|``), on the expression
    and on its expansion, then sympy's general ``integrate`` under :data:`SYMPY_TIME_LIMIT`.
    """
    from sympy.integrals.manualintegrate import manualintegrate

    def no_tan(e: sp.Expr) -> sp.Expr:
        return e.replace(sp.tan, lambda x: sp.sin(x) / sp.cos(x))

    for attempt in (
        lambda: manualintegrate(expr, s),
        lambda: manualintegrate(sp.expand(expr), s),
        lambda: manualintegrate(no_tan(expr), s),
        lambda: time_limited(lambda: sp.integrate(expr, s, conds="none"), SYMPY_TIME_LIMIT),
    ):
        try:
            F = attempt()
        except TimeoutError:
            _TIMEOUTS[0] += 1  # a load-dependent failure: the derivation must not be cached on disk
            continue
        except Exception:  # noqa: BLE001  (sympy raises many types; a failure means "not found")
            continue
        if not F.has(sp.Integral):
            return F
    return None


#: Count of sympy integrations cut off by the time limit (so that such results are not cached on disk).
_TIMEOUTS = [0]


def _definite(expr: sp.Expr, s: sp.Symbol, t: sp.Symbol) -> sp.Expr | None:
    F = _antiderivative(expr, s)
    if F is None:
        return None
    lower = F.subs(s, 0)
    if lower.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        lower = sp.limit(F, s, 0, "+")
    return F.subs(s, t) - lower


@functools.lru_cache(maxsize=256)
def derive_marginals(a: sp.Expr, g: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr | None]:
    """:func:`_derive_uncached` behind an in-memory and an on-disk cache (keyed by the exact expressions)."""
    key = hashlib.sha256(f"{sp.__version__}|{sp.srepr(a)}|{sp.srepr(g)}|{sp.srepr(t)}".encode()).hexdigest()
    path = cache_dir("derivations") / f"{key}.json"
    cached = read_entry(path, key)
    if cached is not None:
        return cached
    timeouts_before = _TIMEOUTS[0]
    result = _derive_uncached(a, g, t)
    if _TIMEOUTS[0] == timeouts_before:  # one cut off by the time limit may succeed later: don't persist it
        write_entry(path, key, *result)
    return result


_STABLE_SEEN: dict[tuple, tuple[sp.Expr, float]] = {}


def stable_form_cached(expr: sp.Expr, var: sp.Symbol, probes) -> tuple[sp.Expr, float]:
    """:func:`sgmverify.symbolic.stable_form` behind an in-memory and an on-disk cache.

    The choice among candidate forms is deterministic in ``(expr, var, probes)`` (float64 values against
    50-digit mpmath), so it is stored beside the derivations, keyed by sympy's version and the exact
    expressions (``srepr``: a Float's precision is part of the key), as a whitelisted JSON tree.
    """
    probes = tuple(float(p) for p in probes)
    mkey = (expr, var, probes)
    hit = _STABLE_SEEN.get(mkey)
    if hit is not None:
        return hit
    text = f"stable|{sp.__version__}|{sp.srepr(expr)}|{sp.srepr(var)}|{probes!r}"
    key = hashlib.sha256(text.encode()).hexdigest()
    path = cache_dir("derivations") / f"stable-{key}.json"
    hit = read_stable_entry(path, key)
    if hit is None:
        hit = stable_form(expr, var, probes)
        write_stable_entry(path, key, *hit)
    if len(_STABLE_SEEN) > 4096:
        _STABLE_SEEN.clear()
    _STABLE_SEEN[mkey] = hit
    return hit


def _derive_uncached(a: sp.Expr, g: sp.Expr, t: sp.Symbol) -> tuple[sp.Expr, sp.Expr | None]:
    """Derive ``(log m(t), sigma^2(t))`` symbolically; ``sigma^2`` is None when sympy cannot integrate.

    .. math::
        \\log m(t) = \\int_0^t a,\\qquad
        \\sigma^2(t) = e^{2\\log m(t)}\\int_0^t g(s)^2 e^{-2\\log m(s)} ds
    """
    s = sp.Dummy("s", positive=True)
    log_m = _definite(pow_to_exp(a.subs(t, s), s), s, t)
    if log_m is None:
        raise DerivationError(
            f"sympy could not integrate the drift coefficient a(t) = {a}; pass an a(t) with an elementary "
            "antiderivative (the mean coefficient m(t) = exp(int a) is needed in closed form)."
        )
    log_m = sp.simplify(log_m)
    integrand = sp.simplify(pow_to_exp(g.subs(t, s) ** 2 * sp.exp(-2 * log_m.subs(t, s)), s))
    inner = _definite(integrand, s, t)
    if inner is None:
        return log_m, None
    var = sp.simplify(sp.exp(2 * log_m) * inner)
    return log_m, var
