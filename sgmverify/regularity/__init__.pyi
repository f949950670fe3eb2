"""Honest suprema over x of score derivatives, and regularity rate claims."""

from ._rate_claims import (
    NECESSARY as NECESSARY,
)
from ._rate_claims import (
    RateClaim as RateClaim,
)
from ._rate_claims import (
    is_compact_support as is_compact_support,
)
from ._rate_claims import (
    noise_params as noise_params,
)
from ._suprema import (
    Landmarks as Landmarks,
)
from ._suprema import (
    ScanConfig as ScanConfig,
)
from ._suprema import (
    SupResult as SupResult,
)
from ._suprema import (
    derivative as derivative,
)
from ._suprema import (
    landmarks as landmarks,
)
from ._suprema import (
    scan_sup as scan_sup,
)
from ._suprema import (
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
