"""Score networks: DSM-trained small nets (cached), score error with CIs, Lipschitz intervals."""

from ._cache import (
    NetworkCacheWarning as NetworkCacheWarning,
)
from ._lipschitz import (
    SLOPES as SLOPES,
    LipschitzInterval as LipschitzInterval,
    exact_score_lipschitz as exact_score_lipschitz,
    lipschitz_interval as lipschitz_interval,
    lipschitz_lower as lipschitz_lower,
    lipschitz_profile as lipschitz_profile,
    lipschitz_upper as lipschitz_upper,
)
from ._loading import (
    LoadedScoreModel as LoadedScoreModel,
    load_score_model as load_score_model,
)
from ._model_checks import (
    ModelSampling as ModelSampling,
    coupling_w2_bound as coupling_w2_bound,
    model_lipschitz_interval as model_lipschitz_interval,
    model_sampler_w2 as model_sampler_w2,
)
from ._model_suite import (
    model_suite as model_suite,
)
from ._networks import (
    ACTIVATIONS as ACTIVATIONS,
    WEIGHTINGS as WEIGHTINGS,
    NetworkConfig as NetworkConfig,
    ScoreMLP as ScoreMLP,
    TrainedScoreNetwork as TrainedScoreNetwork,
    torch_threads as torch_threads,
    train_score_network as train_score_network,
)
from ._parameterization import (
    PARAMETERIZATIONS as PARAMETERIZATIONS,
    TIME_INPUTS as TIME_INPUTS,
    Parameterization as Parameterization,
)
from ._score_error import (
    integrated_score_error as integrated_score_error,
    noised_points as noised_points,
    score_error as score_error,
    score_error_profile as score_error_profile,
    sup_score_error as sup_score_error,
)

__all__ = [
    "ACTIVATIONS",
    "PARAMETERIZATIONS",
    "SLOPES",
    "TIME_INPUTS",
    "WEIGHTINGS",
    "LipschitzInterval",
    "LoadedScoreModel",
    "ModelSampling",
    "NetworkCacheWarning",
    "NetworkConfig",
    "Parameterization",
    "ScoreMLP",
    "TrainedScoreNetwork",
    "coupling_w2_bound",
    "exact_score_lipschitz",
    "integrated_score_error",
    "lipschitz_interval",
    "lipschitz_lower",
    "lipschitz_profile",
    "lipschitz_upper",
    "load_score_model",
    "model_lipschitz_interval",
    "model_sampler_w2",
    "model_suite",
    "noised_points",
    "score_error",
    "score_error_profile",
    "sup_score_error",
    "torch_threads",
    "train_score_network",
]
