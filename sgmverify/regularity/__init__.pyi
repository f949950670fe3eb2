"""Honest suprema over x of score derivatives, and regularity rate claims."""

from ._landmarks import (
    Landmarks as Landmarks,
    ScanConfig as ScanConfig,
    landmarks as landmarks,
)
from ._rate_claims import (
    NECESSARY as NECESSARY,
    RateClaim as RateClaim,
    is_compact_support as is_compact_support,
    noise_params as noise_params,
)
from ._scan import (
    SupResult as SupResult,
    derivative as derivative,
    scan_sup as scan_sup,
    sup_over_x as sup_over_x,
)

__all__ = [
    "NECESSARY",
    "Landmarks",
    "RateClaim",
    "ScanConfig",
    "SupResult",
    "derivative",
    "is_compact_support",
    "landmarks",
    "noise_params",
    "scan_sup",
    "sup_over_x",
]
