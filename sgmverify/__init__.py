"""sgmverify: check the theory of score-based generative models against exact laws and measurements.

The public API is flat (``from sgmverify import VP, Gaussian, Theorem, run_checks``) but loaded lazily
(PEP 562): importing ``sgmverify`` itself is cheap, because the pytest plugin is imported in every pytest
session of an environment where sgmverify is installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import *  # noqa: F403  (exceptions are light and always available)
from .errors import __all__ as _errors_all

__version__ = "0.1.0"

#: public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    # forward processes
    **dict.fromkeys(
        ["LinearSDE", "OU", "VP", "SubVP", "VE", "Cosine", "TimeChangedOU", "get_process", "PROCESSES"],
        "processes",
    ),
    # data laws and scores
    **dict.fromkeys(
        ["Distribution", "Gaussian", "GaussianMixture", "Density1D", "NoisedDensity1D", "Product"],
        "distributions",
    ),
    **dict.fromkeys(["Derivatives", "mixture_derivatives", "noised_1d_derivatives", "working_dps"], "scores"),
    # samplers and exact laws
    **dict.fromkeys(
        [
            "SCHEMES",
            "Scheme",
            "SamplerResult",
            "get_scheme",
            "time_grid",
            "draw_noise",
            "check_grid",
            "eta_reverse_drift",
            "sample_eta",
        ],
        "samplers",
    ),
    "run_sampler": "samplers:sample",
    "SamplerStatus": "samplers:Status",
    **dict.fromkeys(
        ["EXACT_SCHEMES", "EigenLaw", "sampler_law", "sampler_law_eigen", "sampler_w2"], "gaussian_exact"
    ),
    # metrics and estimates
    **dict.fromkeys(
        [
            "w2_gaussian",
            "w2_squared_gaussian",
            "w2_gaussian_commuting",
            "kl_gaussian",
        ],
        "metrics",
    ),
    **dict.fromkeys(["w2_empirical", "w2_1d_quantile", "sliced_w2"], "empirical"),
    **dict.fromkeys(["Estimate", "mean_ci", "bootstrap_ci", "percentile_estimate"], "estimates"),
    # the theory model and the engine
    **dict.fromkeys(
        [
            "Assumption",
            "AssumptionResult",
            "Bound",
            "Check",
            "Direction",
            "Provenance",
            "Reference",
            "Result",
            "Scenario",
            "SearchSpace",
            "Suite",
            "Theorem",
            "Verdict",
            "decide",
        ],
        "claims",
    ),
    **dict.fromkeys(["collect_suite", "discover_suites", "load_suite"], "suites"),
    **dict.fromkeys(["FigureOutput", "FigureSpec", "load_figures", "render_figures"], "figures"),
    **dict.fromkeys(["Atoms", "UniformBox", "UniformCircle", "HolderCusp", "NoisedLaw"], "laws"),
    **dict.fromkeys(
        ["sup_over_x", "scan_sup", "ScanConfig", "SupResult", "Landmarks", "landmarks"], "suprema"
    ),
    "RateClaim": "rate_claims",
    **dict.fromkeys(
        ["NetworkConfig", "TrainedScoreNetwork", "torch_threads", "train_score_network"], "networks"
    ),
    **dict.fromkeys(["score_error", "integrated_score_error", "sup_score_error"], "score_error"),
    **dict.fromkeys(["LipschitzInterval", "lipschitz_interval"], "lipschitz"),
    **dict.fromkeys(
        ["Perturbation", "first_order_validity", "mixture_callables", "perturbed_score", "score_derivative"],
        "sensitivity",
    ),
    **dict.fromkeys(
        [
            "MixtureScoreModel",
            "SensitivityResult",
            "TorchScoreModel",
            "likelihood_log_density",
            "sample_sensitivity",
            "sde_sample_sensitivity",
        ],
        "sample_sensitivity",
    ),
    **dict.fromkeys(
        ["log_density_derivative", "mixture_fourth_derivative", "noised_1d_derivative"], "scores"
    ),
    **dict.fromkeys(
        ["derive_complexity", "Order", "propagated_convexity", "propagated_smoothness"], "complexity"
    ),
    **dict.fromkeys(["spectral_law", "spectral_w2", "minimal_steps"], "step_search"),
    **dict.fromkeys(
        ["Grid1D", "Grid2D", "FPSolution", "solve_fokker_planck", "transport_density"], "fokker_planck"
    ),
    **dict.fromkeys(
        [
            "l2_squared_particles",
            "l2_particles",
            "grid_l2",
            "grid_l1",
            "grid_tv",
            "w1_grid_1d",
            "w1_samples_1d",
            "w1_samples_grid_1d",
            "w1_grid_2d",
            "w1_samples_grid_2d",
            "sliced_w1",
        ],
        "density_metrics",
    ),
    **dict.fromkeys(["ResultsStore", "check_hash"], "store"),
    **dict.fromkeys(["run_checks", "run_one", "RunOutcome", "versions"], "runner"),
    **dict.fromkeys(["compare_results", "Comparison", "VerdictFlip", "RatioDrift"], "compare"),
    **dict.fromkeys(["write_reports", "load_results"], "report"),
    **dict.fromkeys(["Certificate", "certify"], "certify"),
    **dict.fromkeys(["falsify", "falsify_suite", "FalsifyOutcome"], "falsify"),
    **dict.fromkeys(
        ["GNZ_PROCESSES", "CIFAR10_SCHEDULES", "SchedulePreset"],
        "schedules",
    ),
    **dict.fromkeys(
        [
            "ConsistencyResult",
            "check_marginal_consistency",
            "check_process_consistency",
            "marginal_consistency_assumption",
        ],
        "consistency",
    ),
    "CheckResult": "evidence",
    "check_assumption": "assumptions",
}

__all__ = [*_errors_all, *_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'sgmverify' has no attribute {name!r}")
    module, _, attr = target.partition(":")
    value = getattr(importlib.import_module(f".{module}", __name__), attr or name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
