"""Reverse-time solvers (one Butcher tableau for the RK schemes, EM/EI, eta-family, grids), exact
Gaussian sampler laws, step search, complexity orders.
"""

from ._complexity import (
    D_SYMBOL as D_SYMBOL,
)
from ._complexity import (
    EPS_SYMBOL as EPS_SYMBOL,
)
from ._complexity import (
    ETA_DISCRETISATION as ETA_DISCRETISATION,
)
from ._complexity import (
    ETA_SYMBOL as ETA_SYMBOL,
)
from ._complexity import (
    ComplexityDerivation as ComplexityDerivation,
)
from ._complexity import (
    Growth as Growth,
)
from ._complexity import (
    Order as Order,
)
from ._complexity import (
    contraction_rate_expr as contraction_rate_expr,
)
from ._complexity import (
    damping_closed_form as damping_closed_form,
)
from ._complexity import (
    damping_expr as damping_expr,
)
from ._complexity import (
    derive_complexity as derive_complexity,
)
from ._complexity import (
    derive_step_order as derive_step_order,
)
from ._complexity import (
    dominance_excess as dominance_excess,
)
from ._complexity import (
    leading_growth as leading_growth,
)
from ._complexity import (
    log_of_order as log_of_order,
)
from ._complexity import (
    order_gap as order_gap,
)
from ._complexity import (
    order_of as order_of,
)
from ._complexity import (
    propagated_convexity as propagated_convexity,
)
from ._complexity import (
    propagated_smoothness as propagated_smoothness,
)
from ._gaussian_exact import (
    EXACT_SCHEMES as EXACT_SCHEMES,
)
from ._gaussian_exact import (
    EigenLaw as EigenLaw,
)
from ._gaussian_exact import (
    sampler_law as sampler_law,
)
from ._gaussian_exact import (
    sampler_law_eigen as sampler_law_eigen,
)
from ._gaussian_exact import (
    sampler_w2 as sampler_w2,
)
from ._samplers import (
    SCHEMES as SCHEMES,
)
from ._samplers import (
    SamplerResult as SamplerResult,
)
from ._samplers import (
    Scheme as Scheme,
)
from ._samplers import (
    Status as Status,
)
from ._samplers import (
    Tableau as Tableau,
)
from ._samplers import (
    broadcast_coefficient as broadcast_coefficient,
)
from ._samplers import (
    check_grid as check_grid,
)
from ._samplers import (
    coarsen_noise as coarsen_noise,
)
from ._samplers import (
    draw_noise as draw_noise,
)
from ._samplers import (
    eta_reverse_drift as eta_reverse_drift,
)
from ._samplers import (
    get_scheme as get_scheme,
)
from ._samplers import (
    karras_grid as karras_grid,
)
from ._samplers import (
    quadratic_grid as quadratic_grid,
)
from ._samplers import (
    sample as sample,
)
from ._samplers import (
    sample_eta as sample_eta,
)
from ._samplers import (
    time_grid as time_grid,
)
from ._samplers import (
    uniform_grid as uniform_grid,
)
from ._step_search import (
    SpectralLaw as SpectralLaw,
)
from ._step_search import (
    StepSearch as StepSearch,
)
from ._step_search import (
    grid_moments as grid_moments,
)
from ._step_search import (
    marginal_var as marginal_var,
)
from ._step_search import (
    minimal_steps as minimal_steps,
)
from ._step_search import (
    spectral_law as spectral_law,
)
from ._step_search import (
    spectral_w2 as spectral_w2,
)

__all__ = [
    "D_SYMBOL",
    "EPS_SYMBOL",
    "ETA_DISCRETISATION",
    "ETA_SYMBOL",
    "EXACT_SCHEMES",
    "SCHEMES",
    "ComplexityDerivation",
    "EigenLaw",
    "Growth",
    "Order",
    "SamplerResult",
    "Scheme",
    "SpectralLaw",
    "Status",
    "StepSearch",
    "Tableau",
    "broadcast_coefficient",
    "check_grid",
    "coarsen_noise",
    "contraction_rate_expr",
    "damping_closed_form",
    "damping_expr",
    "derive_complexity",
    "derive_step_order",
    "dominance_excess",
    "draw_noise",
    "eta_reverse_drift",
    "get_scheme",
    "grid_moments",
    "karras_grid",
    "leading_growth",
    "log_of_order",
    "marginal_var",
    "minimal_steps",
    "order_gap",
    "order_of",
    "propagated_convexity",
    "propagated_smoothness",
    "quadratic_grid",
    "sample",
    "sample_eta",
    "sampler_law",
    "sampler_law_eigen",
    "sampler_w2",
    "spectral_law",
    "spectral_w2",
    "time_grid",
    "uniform_grid",
]
