"""Assumption checking: log-concavity, smoothness, Lipschitz, moments; interval certification; the
evidence ladder.
"""

from ._assumptions import (
    EVIDENCE as EVIDENCE,
    KINDS as KINDS,
    TIE_RTOL as TIE_RTOL,
    check_assumption as check_assumption,
)
from ._certify import (
    Certificate as Certificate,
    certify as certify,
)
from ._evidence import (
    CheckResult as CheckResult,
)

__all__ = [
    "EVIDENCE",
    "KINDS",
    "TIE_RTOL",
    "Certificate",
    "CheckResult",
    "certify",
    "check_assumption",
]
