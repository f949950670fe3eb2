"""Reverse-time solvers (one Butcher tableau for the RK schemes, EM/EI, eta-family, grids), exact
Gaussian sampler laws, step search, complexity orders.
"""

from ._complexity import (
    ETA_SYMBOL as ETA_SYMBOL,
    ComplexityDerivation as ComplexityDerivation,
    derive_complexity as derive_complexity,
    derive_step_order as derive_step_order,
)
from ._contraction import (
    contraction_rate_expr as contraction_rate_expr,
    damping_closed_form as damping_closed_form,
    damping_expr as damping_expr,
    propagated_convexity as propagated_convexity,
    propagated_smoothness as propagated_smoothness,
)
from ._eta import (
    eta_reverse_drift as eta_reverse_drift,
    sample_eta as sample_eta,
)
from ._exact_law import EigenLaw as EigenLaw
from ._gaussian_exact import (
    EXACT_SCHEMES as EXACT_SCHEMES,
    sampler_law as sampler_law,
    sampler_law_eigen as sampler_law_eigen,
    sampler_w2 as sampler_w2,
)
from ._grids import (
    check_grid as check_grid,
    karras_grid as karras_grid,
    quadratic_grid as quadratic_grid,
    time_grid as time_grid,
    uniform_grid as uniform_grid,
)
from ._integrate import (
    SamplerResult as SamplerResult,
    Status as Status,
    broadcast_coefficient as broadcast_coefficient,
    coarsen_noise as coarsen_noise,
    draw_noise as draw_noise,
    sample as sample,
)
from ._orders import (
    D_SYMBOL as D_SYMBOL,
    EPS_SYMBOL as EPS_SYMBOL,
    Growth as Growth,
    Order as Order,
    dominance_excess as dominance_excess,
    leading_growth as leading_growth,
    log_of_order as log_of_order,
    order_gap as order_gap,
    order_of as order_of,
)
from ._schemes import (
    SCHEMES as SCHEMES,
    Scheme as Scheme,
    get_scheme as get_scheme,
)
from ._step_search import (
    SpectralLaw as SpectralLaw,
    StepSearch as StepSearch,
    grid_moments as grid_moments,
    marginal_var as marginal_var,
    minimal_steps as minimal_steps,
    spectral_law as spectral_law,
    spectral_w2 as spectral_w2,
)
from ._tableau import (
    EULER as EULER,
    HEUN as HEUN,
    RK4 as RK4,
    ButcherTableau as ButcherTableau,
    rk_step as rk_step,
)

__all__ = [
    "D_SYMBOL",
    "EPS_SYMBOL",
    "ETA_SYMBOL",
    "EULER",
    "EXACT_SCHEMES",
    "HEUN",
    "RK4",
    "SCHEMES",
    "ButcherTableau",
    "ComplexityDerivation",
    "EigenLaw",
    "Growth",
    "Order",
    "SamplerResult",
    "Scheme",
    "SpectralLaw",
    "Status",
    "StepSearch",
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
    "rk_step",
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
