"""Sensitivity of the score and of the samples to the data distribution."""

from ._samples import (
    MixtureScoreModel as MixtureScoreModel,
    ScoreEval as ScoreEval,
    SensitivityResult as SensitivityResult,
    TorchScoreModel as TorchScoreModel,
    likelihood_log_density as likelihood_log_density,
    sample_sensitivity as sample_sensitivity,
    sde_sample_sensitivity as sde_sample_sensitivity,
)
from ._score import (
    NoisedCombination as NoisedCombination,
    Perturbation as Perturbation,
    check_time as check_time,
    first_order_validity as first_order_validity,
    mixture_callables as mixture_callables,
    perturbed_score as perturbed_score,
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
