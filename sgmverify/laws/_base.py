r"""The base class of the data laws, and the validation helpers every law uses.

Every law of :mod:`sgmverify.laws` has ``.dim``, ``sample(n, rng)``, ``log_prob(x)``, ``score(x)``,
``score_jacobian(x)``, ``score_hessian(x)`` (third derivatives of :math:`\log p`) and
``noised(process, t)``, the law of

.. math::

    X_t = m(t)\, X_0 + \sigma(t)\, Z, \qquad Z \sim N(0, I),

where only ``process.mean_coeff(t)`` :math:`= m(t)` and ``process.var(t)`` :math:`= \sigma^2(t)` are used
(see ``docs/CONTRACTS.md``).  Closed forms: a Gaussian stays Gaussian,
:math:`N(m\mu, m^2\Sigma + \sigma^2 I)`, a mixture stays a mixture, a product stays a product.  A 1-D
density from a sympy log-density (:class:`Density1D`, in :mod:`sgmverify.laws._density1d`) is noised by
quadrature.  The laws live in their own modules: :mod:`sgmverify.laws._gaussian`,
:mod:`sgmverify.laws._mixture`, :mod:`sgmverify.laws._product`, :mod:`sgmverify.laws._density1d`,
:mod:`sgmverify.laws._singular`.

Points ``x`` are ``(n, d)`` arrays; a single point of shape ``(d,)`` is accepted too and gives outputs
without the leading axis (a scalar log-density, a ``(d,)`` score, ...).  For ``d = 1`` an array of shape
``(n,)`` with ``n > 1`` is ambiguous and raises :class:`~sgmverify.errors.ShapeError`: pass ``(n, 1)``.

References
----------
.. [1] Y. Song et al., "Score-based generative modeling through stochastic differential equations",
       ICLR 2021, eq. (29) (perturbation kernels of linear SDEs).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from sgmverify.errors import (
    InvalidParameterError,
    InvalidTypeError,
    NotPSDError,
    ShapeError,
    TimeDomainError,
    WeightsError,
)

from ._scores import Derivatives

__all__ = [
    "Distribution",
    "as_float_array",
    "check_dense_size",
    "check_sample_args",
    "noise_coeffs",
    "real_scalar",
]

#: tolerance on |sum(weights) - 1|
WEIGHTS_TOL = 1e-9


# ---------------------------------------------------------------------------------------------------
# validation helpers (shared by every law of sgmverify.laws)
# ---------------------------------------------------------------------------------------------------


#: Largest dense array a law allocates from a small input (a scalar covariance times the identity, a
#: mixture's stacked eigenvectors, a batch of samples): 4 GiB, i.e. a dense covariance up to d = 23170 (whose
#: eigendecomposition already takes many minutes) or 5e8 sample coordinates.
MAX_DENSE_BYTES = 2**32
#: largest magnitude of a covariance entry: sums over d entries (the symmetrisation, the eigenvalues, the
#: noised m^2 Sigma + sigma^2 I) then stay finite in float64
MAX_COV_ENTRY = 1e300


def _bytes(n: int) -> str:
    """``n`` bytes in words (``"7.3 TiB"``)."""
    if n >= 10**15 * 1024**5:
        return "more than 10^15 PiB"
    x = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if x < 1024 or unit == "PiB":
            break
        x /= 1024
    return f"{x:.3g} {unit}"


def check_dense_size(shape: tuple[int, ...], what: str) -> None:
    """InvalidParameterError (before allocating) when a float64 array of ``shape`` exceeds MAX_DENSE_BYTES."""
    need = 8 * math.prod(int(s) for s in shape)  # exact integers: no overflow for absurd shapes
    if need > MAX_DENSE_BYTES:
        raise InvalidParameterError(
            f"{what} of shape {tuple(shape)} would need {_bytes(need)} of memory (limit "
            f"{_bytes(MAX_DENSE_BYTES)}); use a smaller dimension or batch (a dense d x d covariance allows "
            f"d <= {math.isqrt(MAX_DENSE_BYTES // 8)})"
        )


def _real_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array (a copy); InvalidTypeError for None, strings, dicts, booleans, complex
    numbers and other non-real entries; ShapeError for ragged nested lists."""
    if value is None or isinstance(value, str | bytes | dict | set | frozenset):
        raise InvalidTypeError(
            f"{name} must be a real number or an array of real numbers, "
            f"got {type(value).__name__} {value!r:.60}"
        )
    try:
        arr = np.asarray(value)
    except ValueError as exc:  # ragged nested sequences
        raise ShapeError(f"{name} must be a rectangular array of real numbers: {exc}") from None
    except TypeError as exc:
        raise InvalidTypeError(f"{name} must be an array of real numbers: {exc}") from None
    if arr.dtype == object:
        bad = [
            v
            for v in arr.flat
            if v is None or isinstance(v, str | bytes | bool | complex | np.complexfloating)
        ]
        if bad:
            raise InvalidTypeError(f"{name} must contain real numbers only, got {bad[0]!r}")
    elif arr.dtype.kind not in "iuf":
        raise InvalidTypeError(f"{name} must be an array of real numbers, got entries of type {arr.dtype}")
    try:
        return np.array(arr, dtype=float)
    except OverflowError:
        raise InvalidParameterError(f"{name} has entries too large for float64") from None
    except (TypeError, ValueError) as exc:
        raise InvalidTypeError(f"{name} must be an array of real numbers: {exc}") from None


def real_scalar(value, name: str) -> float:
    """``value`` as a float: a real number (Python, numpy, 0-d array); InvalidTypeError for strings, None,
    booleans, complex numbers (NaN and inf are returned: the caller checks the range)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    junk = value is None or isinstance(value, str | bytes | bool | np.bool_ | complex | np.complexfloating)
    if not junk and not isinstance(value, numbers.Real | np.ndarray | list | tuple | dict):
        try:  # sympy numbers (sp.oo, sp.Rational), mpmath mpf, Fraction, ...
            return float(value)
        except OverflowError:
            raise InvalidParameterError(f"{name} = {value!r:.60} is too large for float64") from None
        except (TypeError, ValueError):
            junk = True
    if junk or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a real number, got {type(value).__name__} {value!r:.60}")
    try:
        return float(value)
    except OverflowError:
        raise InvalidParameterError(f"{name} = {value!r:.60} is too large for float64") from None


def as_float_array(value, name: str) -> np.ndarray:
    """``value`` as a float64 array; NaN or infinite entries raise InvalidParameterError, non-numbers
    (None, strings, dicts, complex numbers) InvalidTypeError."""
    arr = _real_array(value, name)
    if not np.all(np.isfinite(arr)):
        raise InvalidParameterError(f"{name} contains NaN or infinite entries; pass finite values")
    return arr


def as_points(x, dim: int) -> tuple[np.ndarray, bool]:
    """Points as an (n, dim) float array, and whether a single point of shape (dim,) was passed."""
    arr = _real_array(x, "x")
    single = (arr.ndim == 1 and arr.shape[0] == dim) or (arr.ndim == 0 and dim == 1)
    if single:
        arr = arr.reshape(1, dim)
    if arr.ndim != 2 or arr.shape[1] != dim:
        hint = " (for a 1-D law pass x of shape (n, 1))" if dim == 1 else ""
        raise ShapeError(f"x must have shape (n, {dim}) or ({dim},); got {np.shape(x)}{hint}")
    if np.isnan(arr).any() or np.isinf(arr).any():
        raise InvalidParameterError("x contains NaN or infinite entries; pass finite points")
    return arr, single


def check_sample_args(n, rng, dim: int | None = None) -> int:
    """Validate ``n`` (a non-negative int) and ``rng`` (a ``numpy.random.Generator``); with ``dim``, refuse
    an (n, dim) batch beyond ``MAX_DENSE_BYTES`` before drawing it."""
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameterError(
            f"rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(seed)); "
            f"got {type(rng).__name__}"
        )
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise InvalidParameterError(f"n must be a non-negative integer, got {n!r}")
    if dim is not None:
        check_dense_size((int(n), int(dim)), "a batch of samples")
    return int(n)


#: highest order served by ``log_density_derivative``
MAX_DERIVATIVE_ORDER = 4


def check_order(k) -> int:
    """``k`` as an int in 0..MAX_DERIVATIVE_ORDER; InvalidParameterError otherwise."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise InvalidParameterError(f"k must be an integer 0..{MAX_DERIVATIVE_ORDER}, got {k!r}")
    if not 0 <= k <= MAX_DERIVATIVE_ORDER:
        raise InvalidParameterError(
            f"k = {k} is out of range: derivatives of log p_t are available for k = 0..{MAX_DERIVATIVE_ORDER}"
        )
    return int(k)


def noise_coeffs(process, t) -> tuple[float, float, float]:
    r"""``(t, m(t), sigma^2(t))`` from ``process``; TimeDomainError outside :math:`[0, t_{\max})`."""
    t = real_scalar(t, "t")
    if isinstance(process, type):
        raise InvalidTypeError(
            f"process must be a forward process instance, got the class {process.__name__}; "
            f"instantiate it, e.g. {process.__name__}(...) (sgmverify.VP(0.1, 20.0), sgmverify.OU())"
        )
    if not (callable(getattr(process, "mean_coeff", None)) and callable(getattr(process, "var", None))):
        raise InvalidTypeError(
            f"process must be a forward process with mean_coeff(t) and var(t) (e.g. sgmverify.sde.VP), "
            f"got {type(process).__name__}"
        )
    if math.isnan(t):
        raise InvalidParameterError("t is NaN; pass a time in the process's domain")
    t_max = float(getattr(process, "t_max", math.inf))
    if not 0.0 <= t < t_max:
        raise TimeDomainError(f"t = {t} is outside the process's time domain [0, {t_max}); pass t in it")
    m, v = float(process.mean_coeff(t)), float(process.var(t))
    if not (math.isfinite(m) and math.isfinite(v)) or m <= 0.0 or v < 0.0:
        raise TimeDomainError(f"at t = {t} the process gives m(t) = {m}, sigma^2(t) = {v}; pick a smaller t")
    return t, m, v


def validated_cov(cov, dim: int, name: str = "cov") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric PSD check of a (dim, dim) covariance; returns (cov, eigvals ascending, eigvecs)."""
    cov = as_float_array(cov, name)
    if cov.ndim == 0:
        if cov < 0:
            raise NotPSDError(f"{name} = {float(cov)} is a negative variance; pass a variance >= 0")
        check_dense_size((dim, dim), f"the dense covariance {float(cov)} * I")
        cov = float(cov) * np.eye(dim)
    if cov.shape != (dim, dim):
        raise ShapeError(f"{name} must have shape ({dim}, {dim}) to match the mean; got {cov.shape}")
    scale = float(np.max(np.abs(cov))) if cov.size else 0.0
    if scale > MAX_COV_ENTRY:
        raise InvalidParameterError(
            f"{name} has an entry of magnitude {scale:.3g}: its eigenvalues (and every variance built from "
            f"them) would overflow float64; pass entries of magnitude <= {MAX_COV_ENTRY:g}"
        )
    asym = float(np.max(np.abs(cov - cov.T))) if cov.size else 0.0
    if asym > 1e-10 * max(scale, 1e-300):
        raise NotPSDError(f"{name} is not symmetric (max |C - C^T| = {asym:.3g}); pass (C + C.T) / 2")
    cov = 0.5 * (cov + cov.T)
    eigvals, eigvecs = _isotropic_eigh(cov) or np.linalg.eigh(cov)
    if eigvals[0] < -psd_tol(eigvals):
        raise NotPSDError(
            f"{name} is not positive semi-definite: smallest eigenvalue {eigvals[0]:.6g} "
            f"(largest {eigvals[-1]:.6g}); pass a PSD matrix, e.g. A @ A.T"
        )
    return cov, np.clip(eigvals, 0.0, None), eigvecs


def _isotropic_eigh(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """``(c·1, I)`` when ``cov = c·I`` exactly (what ``eigh`` returns for it, without its O(d^3) cost)."""
    c = cov[0, 0]
    if not (np.all(np.diagonal(cov) == c) and np.count_nonzero(cov) == (cov.shape[0] if c != 0 else 0)):
        return None
    return np.full(cov.shape[0], c), np.eye(cov.shape[0])


def psd_tol(eigvals: np.ndarray) -> float:
    """Eigenvalues within this of zero count as zero: ``max(d, 10) * eps * max |lambda|``."""
    return max(len(eigvals), 10) * np.finfo(float).eps * float(np.max(np.abs(eigvals), initial=0.0))


# ---------------------------------------------------------------------------------------------------
# base class
# ---------------------------------------------------------------------------------------------------


class Distribution:
    """Base class: shape handling around ``_derivs(x, order) -> Derivatives`` (``x`` of shape (n, d))."""

    dim: int

    def _derivs(self, x: np.ndarray, order: int) -> Derivatives:  # pragma: no cover - abstract
        raise NotImplementedError

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def noised(self, process, t: float) -> Distribution:
        """Law of ``m(t) X + sigma(t) Z``; subclasses with a closed form or quadrature override this."""
        raise InvalidParameterError(f"{type(self).__name__} has no noised law; noise the data law instead")

    def _eval(self, x, order: int) -> np.ndarray:
        pts, single = as_points(x, self.dim)
        out = self._derivs(pts, order)[order]
        return out[0] if single else out

    def log_prob(self, x) -> np.ndarray:
        r""":math:`\log p(x)`: (n, d) -> (n,), or (d,) -> scalar."""
        return self._eval(x, 0)

    def score(self, x) -> np.ndarray:
        r""":math:`\nabla \log p(x)`: (n, d) -> (n, d)."""
        return self._eval(x, 1)

    def score_jacobian(self, x) -> np.ndarray:
        r""":math:`\nabla^2 \log p(x)`, the Jacobian of the score: (n, d) -> (n, d, d)."""
        return self._eval(x, 2)

    def score_hessian(self, x) -> np.ndarray:
        r""":math:`\partial_a \partial_b \partial_c \log p(x)`: (n, d) -> (n, d, d, d)."""
        return self._eval(x, 3)

    def log_density_derivative(self, x, k: int) -> np.ndarray:
        r""":math:`\nabla^k \log p(x)` for ``k`` = 0..4.

        ``x`` of shape (n, d) gives an array of shape (n,) + (d,)*k (``k = 0``: :math:`\log p`, 1: the score,
        2: the Hessian, ...); a single point (d,) gives (d,)*k.  How each order is computed (closed form,
        float64 or mpmath) is documented on each law.
        """
        k = check_order(k)
        pts, single = as_points(x, self.dim)
        out = self._dk(pts, k)
        return out[0] if single else out

    def _dk(self, x: np.ndarray, k: int) -> np.ndarray:
        """The k-th derivative at (n, d) points; laws serving k = 4 override this."""
        if k <= 3:
            return self._derivs(x, k)[k]
        raise InvalidParameterError(f"{type(self).__name__} does not provide derivatives of order {k}")

    def derivatives(self, x, order: int = 3) -> Derivatives:
        """log p and its derivatives up to ``order`` (0 to 3) in one pass; always with the leading axis n."""
        if order not in (0, 1, 2, 3):
            raise InvalidParameterError(f"order must be 0, 1, 2 or 3, got {order!r}")
        pts, _ = as_points(x, self.dim)
        return self._derivs(pts, order)


def _validated_weights(weights) -> np.ndarray:
    """Mixture weights as a (K,) float array: finite, >= 0, summing to 1 within ``WEIGHTS_TOL``
    (then renormalised exactly); WeightsError / ShapeError otherwise."""
    w = _real_array(weights, "weights")
    if w.ndim != 1 or w.size == 0:
        raise ShapeError(f"weights must be a non-empty 1-D array of shape (K,); got shape {w.shape}")
    if not np.all(np.isfinite(w)):
        raise WeightsError(f"weights contain NaN or infinite entries: {w}; pass finite probabilities")
    if np.any(w < 0):
        raise WeightsError(f"weights must be >= 0; got min {w.min():.6g}")
    if abs(w.sum() - 1.0) > WEIGHTS_TOL:
        raise WeightsError(f"weights must sum to 1 (tolerance {WEIGHTS_TOL}); they sum to {w.sum():.12g}")
    return w / w.sum()
