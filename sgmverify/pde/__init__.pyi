"""Ground-truth densities: finite-volume Fokker-Planck on 1-D/2-D grids and transport along
characteristics.
"""

from ._characteristics import (
    fd_divergence as fd_divergence,
    transport_density as transport_density,
)
from ._fokker_planck import (
    FPSolution as FPSolution,
    solve_fokker_planck as solve_fokker_planck,
)
from ._grids import (
    Grid1D as Grid1D,
    Grid2D as Grid2D,
)

__all__ = [
    "FPSolution",
    "Grid1D",
    "Grid2D",
    "fd_divergence",
    "solve_fokker_planck",
    "transport_density",
]
