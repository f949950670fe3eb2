"""Sensitivity of the score and of the samples to the data distribution."""

from ._samples import (
    MixtureScoreModel as MixtureScoreModel,
)
from ._samples import (
    ScoreEval as ScoreEval,
)
from ._samples import (
    SensitivityResult as SensitivityResult,
)
from ._samples import (
    TorchScoreModel as TorchScoreModel,
)
from ._samples import (
    likelihood_log_density as likelihood_log_density,
)
from ._samples import (
    sample_sensitivity as sample_sensitivity,
)
from ._samples import (
    sde_sample_sensitivity as sde_sample_sensitivity,
)
from ._score import (
    NoisedCombination as NoisedCombination,
)
from ._score import (
    Perturbation as Perturbation,
)
from ._score import (
    check_time as check_time,
)
from ._score import (
    first_order_validity as first_order_validity,
)
from ._score import (
    mixture_callables as mixture_callables,
)
from ._score import (
    perturbed_score as perturbed_score,
)
from ._score import (
    score_derivative as score_derivative,
)

__all__ = [
    "MixtureScoreModel",
    "NoisedCombination",
    "Perturbation",
    "ScoreEval",
    "SensitivityResult",
    "TorchScoreModel",
    "check_time",
    "first_order_validity",
    "likelihood_log_density",
    "mixture_callables",
    "perturbed_score",
    "sample_sensitivity",
    "score_derivative",
    "sde_sample_sensitivity",
]
