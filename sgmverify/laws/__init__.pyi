"""Data laws and their noised scores: Gaussian, mixtures, products, 1-D densities, atoms, box, circle,
cusp; derivatives of log p_t.
"""

from ._base import (
    Distribution as Distribution,
    as_float_array as as_float_array,
    check_dense_size as check_dense_size,
    check_sample_args as check_sample_args,
    noise_coeffs as noise_coeffs,
    real_scalar as real_scalar,
)
from ._density1d import (
    Density1D as Density1D,
    NoisedDensity1D as NoisedDensity1D,
    validated_support as validated_support,
)
from ._eigen_gaussian import (
    EigenGaussian as EigenGaussian,
)
from ._gaussian import (
    Gaussian as Gaussian,
)
from ._mixture import (
    GaussianMixture as GaussianMixture,
)
from ._mixture_derivatives import (
    mixture_derivatives as mixture_derivatives,
    mixture_fourth_derivative as mixture_fourth_derivative,
)
from ._product import (
    Product as Product,
)
from ._score_table import (
    NoisedScore1D as NoisedScore1D,
)
from ._scores import (
    Derivatives as Derivatives,
    Prior1D as Prior1D,
    gaussian_log_prob as gaussian_log_prob,
    gaussian_precision as gaussian_precision,
    gaussian_score as gaussian_score,
    log_density_derivative as log_density_derivative,
    noised_1d_derivative as noised_1d_derivative,
    noised_1d_derivatives as noised_1d_derivatives,
    posterior_window as posterior_window,
    working_dps as working_dps,
)
from ._singular import (
    Atoms as Atoms,
    HolderCusp as HolderCusp,
    NoisedLaw as NoisedLaw,
    UniformBox as UniformBox,
    UniformCircle as UniformCircle,
)

__all__ = [
    "Atoms",
    "Density1D",
    "Derivatives",
    "Distribution",
    "EigenGaussian",
    "Gaussian",
    "GaussianMixture",
    "HolderCusp",
    "NoisedDensity1D",
    "NoisedLaw",
    "NoisedScore1D",
    "Prior1D",
    "Product",
    "UniformBox",
    "UniformCircle",
    "as_float_array",
    "check_dense_size",
    "check_sample_args",
    "gaussian_log_prob",
    "gaussian_precision",
    "gaussian_score",
    "log_density_derivative",
    "mixture_derivatives",
    "mixture_fourth_derivative",
    "noise_coeffs",
    "noised_1d_derivative",
    "noised_1d_derivatives",
    "posterior_window",
    "real_scalar",
    "validated_support",
    "working_dps",
]
