"""Data laws and their noised scores: Gaussian, mixtures, products, 1-D densities, atoms, box, circle,
cusp; derivatives of log p_t.
"""

from ._density1d import (
    Density1D as Density1D,
)
from ._density1d import (
    NoisedDensity1D as NoisedDensity1D,
)
from ._density1d import (
    validated_support as validated_support,
)
from ._distributions import (
    Distribution as Distribution,
)
from ._distributions import (
    Gaussian as Gaussian,
)
from ._distributions import (
    GaussianMixture as GaussianMixture,
)
from ._distributions import (
    Product as Product,
)
from ._distributions import (
    as_float_array as as_float_array,
)
from ._distributions import (
    check_sample_args as check_sample_args,
)
from ._distributions import (
    noise_coeffs as noise_coeffs,
)
from ._score_table import (
    NoisedScore1D as NoisedScore1D,
)
from ._scores import (
    Derivatives as Derivatives,
)
from ._scores import (
    Prior1D as Prior1D,
)
from ._scores import (
    gaussian_log_prob as gaussian_log_prob,
)
from ._scores import (
    gaussian_precision as gaussian_precision,
)
from ._scores import (
    gaussian_score as gaussian_score,
)
from ._scores import (
    log_density_derivative as log_density_derivative,
)
from ._scores import (
    mixture_derivatives as mixture_derivatives,
)
from ._scores import (
    mixture_fourth_derivative as mixture_fourth_derivative,
)
from ._scores import (
    noised_1d_derivative as noised_1d_derivative,
)
from ._scores import (
    noised_1d_derivatives as noised_1d_derivatives,
)
from ._scores import (
    posterior_window as posterior_window,
)
from ._scores import (
    working_dps as working_dps,
)
from ._singular import (
    Atoms as Atoms,
)
from ._singular import (
    HolderCusp as HolderCusp,
)
from ._singular import (
    NoisedLaw as NoisedLaw,
)
from ._singular import (
    UniformBox as UniformBox,
)
from ._singular import (
    UniformCircle as UniformCircle,
)

__all__ = [
    "Atoms",
    "Density1D",
    "Derivatives",
    "Distribution",
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
    "validated_support",
    "working_dps",
]
