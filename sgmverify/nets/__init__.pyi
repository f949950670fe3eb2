"""Score networks: DSM-trained small nets (cached), score error with CIs, Lipschitz intervals."""

from ._cache import (
    FORMAT as FORMAT,
)
from ._cache import (
    Checkpointer as Checkpointer,
)
from ._cache import (
    NetworkCacheWarning as NetworkCacheWarning,
)
from ._cache import (
    cache_dir as cache_dir,
)
from ._cache import (
    load as load,
)
from ._cache import (
    network_key as network_key,
)
from ._cache import (
    save as save,
)
from ._lipschitz import (
    SLOPES as SLOPES,
)
from ._lipschitz import (
    LipschitzInterval as LipschitzInterval,
)
from ._lipschitz import (
    exact_score_lipschitz as exact_score_lipschitz,
)
from ._lipschitz import (
    lipschitz_interval as lipschitz_interval,
)
from ._lipschitz import (
    lipschitz_lower as lipschitz_lower,
)
from ._lipschitz import (
    lipschitz_profile as lipschitz_profile,
)
from ._lipschitz import (
    lipschitz_upper as lipschitz_upper,
)
from ._networks import (
    ACTIVATIONS as ACTIVATIONS,
)
from ._networks import (
    WEIGHTINGS as WEIGHTINGS,
)
from ._networks import (
    NetworkConfig as NetworkConfig,
)
from ._networks import (
    ScoreMLP as ScoreMLP,
)
from ._networks import (
    TrainedScoreNetwork as TrainedScoreNetwork,
)
from ._networks import (
    torch_threads as torch_threads,
)
from ._networks import (
    train_score_network as train_score_network,
)
from ._score_error import (
    integrated_score_error as integrated_score_error,
)
from ._score_error import (
    noised_points as noised_points,
)
from ._score_error import (
    score_error as score_error,
)
from ._score_error import (
    score_error_profile as score_error_profile,
)
from ._score_error import (
    sup_score_error as sup_score_error,
)

__all__ = [
    "ACTIVATIONS",
    "FORMAT",
    "SLOPES",
    "WEIGHTINGS",
    "Checkpointer",
    "LipschitzInterval",
    "NetworkCacheWarning",
    "NetworkConfig",
    "ScoreMLP",
    "TrainedScoreNetwork",
    "cache_dir",
    "exact_score_lipschitz",
    "integrated_score_error",
    "lipschitz_interval",
    "lipschitz_lower",
    "lipschitz_profile",
    "lipschitz_upper",
    "load",
    "network_key",
    "noised_points",
    "save",
    "score_error",
    "score_error_profile",
    "sup_score_error",
    "torch_threads",
    "train_score_network",
]
