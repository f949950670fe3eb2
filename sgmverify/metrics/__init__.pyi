"""Distances and divergences: closed-form Gaussian W2/KL, KL / Hellinger / total variation between Gaussian
laws (TV via a generalised chi-square CDF with an error bound), empirical W2 (POT), sliced W2, density L2/W1
on grids.
"""

from ._density import (
    grid_interpolator as grid_interpolator,
    grid_l1 as grid_l1,
    grid_l2 as grid_l2,
    grid_norm_l2_squared as grid_norm_l2_squared,
    grid_tv as grid_tv,
    l2_particles as l2_particles,
    l2_squared_particles as l2_squared_particles,
    sliced_w1 as sliced_w1,
    w1_grid_1d as w1_grid_1d,
    w1_grid_2d as w1_grid_2d,
    w1_samples_1d as w1_samples_1d,
    w1_samples_grid_1d as w1_samples_grid_1d,
    w1_samples_grid_2d as w1_samples_grid_2d,
)
from ._divergences import (
    hellinger_distance as hellinger_distance,
    kl_divergence as kl_divergence,
    tv_distance as tv_distance,
)
from ._empirical import (
    sliced_w2 as sliced_w2,
    w2_1d_quantile as w2_1d_quantile,
    w2_empirical as w2_empirical,
)
from ._gaussian import (
    kl_gaussian as kl_gaussian,
    w2_gaussian as w2_gaussian,
    w2_gaussian_commuting as w2_gaussian_commuting,
    w2_squared_gaussian as w2_squared_gaussian,
    w2_squared_gaussian_commuting as w2_squared_gaussian_commuting,
)
from ._generalized_chi2 import generalized_chi2_cdf as generalized_chi2_cdf

__all__ = [
    "generalized_chi2_cdf",
    "grid_interpolator",
    "grid_l1",
    "grid_l2",
    "grid_norm_l2_squared",
    "grid_tv",
    "hellinger_distance",
    "kl_divergence",
    "kl_gaussian",
    "l2_particles",
    "l2_squared_particles",
    "sliced_w1",
    "sliced_w2",
    "tv_distance",
    "w1_grid_1d",
    "w1_grid_2d",
    "w1_samples_1d",
    "w1_samples_grid_1d",
    "w1_samples_grid_2d",
    "w2_1d_quantile",
    "w2_empirical",
    "w2_gaussian",
    "w2_gaussian_commuting",
    "w2_squared_gaussian",
    "w2_squared_gaussian_commuting",
]
