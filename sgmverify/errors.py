"""Exceptions raised by sgmverify.

Every error the toolkit raises on bad input is a subclass of :class:`SgmverifyError`, and its message
says what is wrong *and* what to do about it.  The specific subclasses also inherit from the matching
built-in exception (``ValueError``, ``LookupError``, ...) so that generic ``except ValueError`` code keeps
working.
"""

from __future__ import annotations

__all__ = [
    "BoundEvaluationError",
    "CheckTimeoutError",
    "DerivationCacheWarning",
    "DerivationError",
    "ExpressionError",
    "InvalidParameterError",
    "InvalidTypeError",
    "NotPSDError",
    "ResultsFormatError",
    "SgmverifyError",
    "ShapeError",
    "StoreError",
    "StoreWarning",
    "SuiteError",
    "TimeDomainError",
    "UnknownNameError",
    "WeightsError",
    "require_positive",
]


class SgmverifyError(Exception):
    """Base class of every exception raised by sgmverify."""


class InvalidParameterError(SgmverifyError, ValueError):
    """A parameter has an invalid value (NaN, negative scale, ...)."""


class InvalidTypeError(InvalidParameterError, TypeError):
    """A parameter has the wrong type (a string, dict or None where a number or an array is expected).

    Both a ``TypeError`` (the built-in for a wrong type) and an :class:`InvalidParameterError` (so code that
    catches bad parameters as ``ValueError`` keeps working), like numpy's ``AxisError``.
    """


class NotPSDError(InvalidParameterError):
    """A covariance matrix is not symmetric positive (semi-)definite."""


class WeightsError(InvalidParameterError):
    """Mixture weights are negative, NaN, or do not sum to one."""


class ShapeError(InvalidParameterError):
    """Arrays have shapes that do not fit together."""


class TimeDomainError(InvalidParameterError):
    """A time lies outside the domain on which a formula is defined (e.g. t <= 0 where it is singular)."""


class ExpressionError(InvalidParameterError):
    """A user-supplied sympy expression is malformed or has free symbols that are not declared parameters."""


class UnknownNameError(SgmverifyError, LookupError):
    """A name (process preset, scheme, suite, theorem, ...) is not known."""


class DerivationError(SgmverifyError):
    """A symbolic derivation could not be carried out and no numeric fall-back applies."""


class SuiteError(SgmverifyError):
    """A suite of checks failed to import or is malformed."""


class BoundEvaluationError(SgmverifyError, ValueError):
    """A theorem's bound could not be evaluated (unknown symbols, non-finite value, ...).

    Also a ``ValueError``: the values it was evaluated at do not give a number.
    """


class StoreError(SgmverifyError, OSError):
    """The results store or a report could not be written or read."""


class ResultsFormatError(StoreError, ValueError):
    """A results store, report.json or baseline holds no readable results (corrupt, truncated, empty,
    binary, not written by sgmverify, or of a newer schema): bad input, not a disk fault."""


class CheckTimeoutError(SgmverifyError, TimeoutError):
    """A check ran past its time limit."""


class DerivationCacheWarning(UserWarning):
    """A derivation cache entry was corrupt or foreign; it was ignored and the derivation was redone."""


class StoreWarning(UserWarning):
    """A results-store line could not be read (e.g. the torn last line of a killed run) and was skipped."""


def require_positive(**values: object) -> None:
    """Raise :class:`InvalidParameterError` unless every keyword value is a finite real number > 0.

    >>> require_positive(beta_min=0.1, beta_max=20.0)
    """
    import math
    import numbers

    for name, v in values.items():
        ok = isinstance(v, numbers.Real) and not isinstance(v, bool)
        ok = ok and not (isinstance(v, numbers.Integral) and abs(v) > 2**1000)  # float(v) would overflow
        if not (ok and math.isfinite(float(v)) and float(v) > 0):
            raise InvalidParameterError(f"{name} must be a finite number > 0, got {v!r}.")
