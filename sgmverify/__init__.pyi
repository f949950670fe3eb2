"""sgmverify: check the theory of score-based generative models against exact laws and measurements.

The public names, static for IDEs and type checkers; at run time they load on first use (``__init__.py``).
"""

from . import (
    hypotheses,
    laws,
    metrics,
    nets,
    pde,
    regularity,
    report,
    run,
    samplers,
    sde,
    sensitivity,
    theory,
)
from .errors import (
    BoundEvaluationError as BoundEvaluationError,
)
from .errors import (
    CheckTimeoutError as CheckTimeoutError,
)
from .errors import (
    DerivationError as DerivationError,
)
from .errors import (
    ExpressionError as ExpressionError,
)
from .errors import (
    InvalidParameterError as InvalidParameterError,
)
from .errors import (
    NotPSDError as NotPSDError,
)
from .errors import (
    SgmverifyError as SgmverifyError,
)
from .errors import (
    ShapeError as ShapeError,
)
from .errors import (
    StoreError as StoreError,
)
from .errors import (
    StoreWarning as StoreWarning,
)
from .errors import (
    SuiteError as SuiteError,
)
from .errors import (
    TimeDomainError as TimeDomainError,
)
from .errors import (
    UnknownNameError as UnknownNameError,
)
from .errors import (
    WeightsError as WeightsError,
)
from .errors import (
    require_positive as require_positive,
)
from .estimates import (
    Estimate as Estimate,
)
from .estimates import (
    bootstrap_ci as bootstrap_ci,
)
from .estimates import (
    mean_ci as mean_ci,
)
from .estimates import (
    percentile_estimate as percentile_estimate,
)
from .hypotheses import (
    Certificate as Certificate,
)
from .hypotheses import (
    CheckResult as CheckResult,
)
from .hypotheses import (
    certify as certify,
)
from .hypotheses import (
    check_assumption as check_assumption,
)
from .laws import (
    Atoms as Atoms,
)
from .laws import (
    Density1D as Density1D,
)
from .laws import (
    Derivatives as Derivatives,
)
from .laws import (
    Distribution as Distribution,
)
from .laws import (
    Gaussian as Gaussian,
)
from .laws import (
    GaussianMixture as GaussianMixture,
)
from .laws import (
    HolderCusp as HolderCusp,
)
from .laws import (
    NoisedDensity1D as NoisedDensity1D,
)
from .laws import (
    NoisedLaw as NoisedLaw,
)
from .laws import (
    Product as Product,
)
from .laws import (
    UniformBox as UniformBox,
)
from .laws import (
    UniformCircle as UniformCircle,
)
from .laws import (
    log_density_derivative as log_density_derivative,
)
from .laws import (
    mixture_derivatives as mixture_derivatives,
)
from .laws import (
    mixture_fourth_derivative as mixture_fourth_derivative,
)
from .laws import (
    noised_1d_derivative as noised_1d_derivative,
)
from .laws import (
    noised_1d_derivatives as noised_1d_derivatives,
)
from .laws import (
    working_dps as working_dps,
)
from .metrics import (
    grid_l1 as grid_l1,
)
from .metrics import (
    grid_l2 as grid_l2,
)
from .metrics import (
    grid_tv as grid_tv,
)
from .metrics import (
    kl_gaussian as kl_gaussian,
)
from .metrics import (
    l2_particles as l2_particles,
)
from .metrics import (
    l2_squared_particles as l2_squared_particles,
)
from .metrics import (
    sliced_w1 as sliced_w1,
)
from .metrics import (
    sliced_w2 as sliced_w2,
)
from .metrics import (
    w1_grid_1d as w1_grid_1d,
)
from .metrics import (
    w1_grid_2d as w1_grid_2d,
)
from .metrics import (
    w1_samples_1d as w1_samples_1d,
)
from .metrics import (
    w1_samples_grid_1d as w1_samples_grid_1d,
)
from .metrics import (
    w1_samples_grid_2d as w1_samples_grid_2d,
)
from .metrics import (
    w2_1d_quantile as w2_1d_quantile,
)
from .metrics import (
    w2_empirical as w2_empirical,
)
from .metrics import (
    w2_gaussian as w2_gaussian,
)
from .metrics import (
    w2_gaussian_commuting as w2_gaussian_commuting,
)
from .metrics import (
    w2_squared_gaussian as w2_squared_gaussian,
)
from .nets import (
    LipschitzInterval as LipschitzInterval,
)
from .nets import (
    NetworkConfig as NetworkConfig,
)
from .nets import (
    TrainedScoreNetwork as TrainedScoreNetwork,
)
from .nets import (
    integrated_score_error as integrated_score_error,
)
from .nets import (
    lipschitz_interval as lipschitz_interval,
)
from .nets import (
    score_error as score_error,
)
from .nets import (
    sup_score_error as sup_score_error,
)
from .nets import (
    torch_threads as torch_threads,
)
from .nets import (
    train_score_network as train_score_network,
)
from .pde import (
    FPSolution as FPSolution,
)
from .pde import (
    Grid1D as Grid1D,
)
from .pde import (
    Grid2D as Grid2D,
)
from .pde import (
    solve_fokker_planck as solve_fokker_planck,
)
from .pde import (
    transport_density as transport_density,
)
from .regularity import (
    Landmarks as Landmarks,
)
from .regularity import (
    RateClaim as RateClaim,
)
from .regularity import (
    ScanConfig as ScanConfig,
)
from .regularity import (
    SupResult as SupResult,
)
from .regularity import (
    landmarks as landmarks,
)
from .regularity import (
    scan_sup as scan_sup,
)
from .regularity import (
    sup_over_x as sup_over_x,
)
from .report import (
    load_results as load_results,
)
from .report import (
    write_reports as write_reports,
)
from .run import (
    Comparison as Comparison,
)
from .run import (
    FalsifyOutcome as FalsifyOutcome,
)
from .run import (
    FigureOutput as FigureOutput,
)
from .run import (
    FigureSpec as FigureSpec,
)
from .run import (
    RatioDrift as RatioDrift,
)
from .run import (
    ResultsStore as ResultsStore,
)
from .run import (
    RunOutcome as RunOutcome,
)
from .run import (
    VerdictFlip as VerdictFlip,
)
from .run import (
    check_hash as check_hash,
)
from .run import (
    collect_suite as collect_suite,
)
from .run import (
    compare_results as compare_results,
)
from .run import (
    discover_suites as discover_suites,
)
from .run import (
    falsify as falsify,
)
from .run import (
    falsify_suite as falsify_suite,
)
from .run import (
    load_figures as load_figures,
)
from .run import (
    load_suite as load_suite,
)
from .run import (
    render_figures as render_figures,
)
from .run import (
    run_checks as run_checks,
)
from .run import (
    run_one as run_one,
)
from .run import (
    versions as versions,
)
from .samplers import (
    EXACT_SCHEMES as EXACT_SCHEMES,
)
from .samplers import (
    SCHEMES as SCHEMES,
)
from .samplers import (
    EigenLaw as EigenLaw,
)
from .samplers import (
    Order as Order,
)
from .samplers import (
    SamplerResult as SamplerResult,
)
from .samplers import (
    Scheme as Scheme,
)
from .samplers import (
    check_grid as check_grid,
)
from .samplers import (
    derive_complexity as derive_complexity,
)
from .samplers import (
    draw_noise as draw_noise,
)
from .samplers import (
    eta_reverse_drift as eta_reverse_drift,
)
from .samplers import (
    get_scheme as get_scheme,
)
from .samplers import (
    minimal_steps as minimal_steps,
)
from .samplers import (
    propagated_convexity as propagated_convexity,
)
from .samplers import (
    propagated_smoothness as propagated_smoothness,
)
from .samplers import (
    sample_eta as sample_eta,
)
from .samplers import (
    sampler_law as sampler_law,
)
from .samplers import (
    sampler_law_eigen as sampler_law_eigen,
)
from .samplers import (
    sampler_w2 as sampler_w2,
)
from .samplers import (
    spectral_law as spectral_law,
)
from .samplers import (
    spectral_w2 as spectral_w2,
)
from .samplers import (
    time_grid as time_grid,
)
from .sde import (
    OU as OU,
)
from .sde import (
    PROCESSES as PROCESSES,
)
from .sde import (
    VE as VE,
)
from .sde import (
    VP as VP,
)
from .sde import (
    ConsistencyResult as ConsistencyResult,
)
from .sde import (
    Cosine as Cosine,
)
from .sde import (
    LinearSDE as LinearSDE,
)
from .sde import (
    SubVP as SubVP,
)
from .sde import (
    TimeChangedOU as TimeChangedOU,
)
from .sde import (
    check_marginal_consistency as check_marginal_consistency,
)
from .sde import (
    check_process_consistency as check_process_consistency,
)
from .sde import (
    get_process as get_process,
)
from .sde import (
    marginal_consistency_assumption as marginal_consistency_assumption,
)
from .sensitivity import (
    MixtureScoreModel as MixtureScoreModel,
)
from .sensitivity import (
    Perturbation as Perturbation,
)
from .sensitivity import (
    SensitivityResult as SensitivityResult,
)
from .sensitivity import (
    TorchScoreModel as TorchScoreModel,
)
from .sensitivity import (
    first_order_validity as first_order_validity,
)
from .sensitivity import (
    likelihood_log_density as likelihood_log_density,
)
from .sensitivity import (
    mixture_callables as mixture_callables,
)
from .sensitivity import (
    perturbed_score as perturbed_score,
)
from .sensitivity import (
    sample_sensitivity as sample_sensitivity,
)
from .sensitivity import (
    score_derivative as score_derivative,
)
from .sensitivity import (
    sde_sample_sensitivity as sde_sample_sensitivity,
)
from .theory import (
    Assumption as Assumption,
)
from .theory import (
    AssumptionResult as AssumptionResult,
)
from .theory import (
    Bound as Bound,
)
from .theory import (
    Check as Check,
)
from .theory import (
    Direction as Direction,
)
from .theory import (
    Provenance as Provenance,
)
from .theory import (
    Reference as Reference,
)
from .theory import (
    Result as Result,
)
from .theory import (
    Scenario as Scenario,
)
from .theory import (
    SearchSpace as SearchSpace,
)
from .theory import (
    Suite as Suite,
)
from .theory import (
    Theorem as Theorem,
)
from .theory import (
    Verdict as Verdict,
)
from .theory import (
    decide as decide,
)

__version__: str

__all__ = [
    "EXACT_SCHEMES",
    "OU",
    "PROCESSES",
    "SCHEMES",
    "VE",
    "VP",
    "Assumption",
    "AssumptionResult",
    "Atoms",
    "Bound",
    "BoundEvaluationError",
    "Certificate",
    "Check",
    "CheckResult",
    "CheckTimeoutError",
    "Comparison",
    "ConsistencyResult",
    "Cosine",
    "Density1D",
    "DerivationError",
    "Derivatives",
    "Direction",
    "Distribution",
    "EigenLaw",
    "Estimate",
    "ExpressionError",
    "FPSolution",
    "FalsifyOutcome",
    "FigureOutput",
    "FigureSpec",
    "Gaussian",
    "GaussianMixture",
    "Grid1D",
    "Grid2D",
    "HolderCusp",
    "InvalidParameterError",
    "Landmarks",
    "LinearSDE",
    "LipschitzInterval",
    "MixtureScoreModel",
    "NetworkConfig",
    "NoisedDensity1D",
    "NoisedLaw",
    "NotPSDError",
    "Order",
    "Perturbation",
    "Product",
    "Provenance",
    "RateClaim",
    "RatioDrift",
    "Reference",
    "Result",
    "ResultsStore",
    "RunOutcome",
    "SamplerResult",
    "ScanConfig",
    "Scenario",
    "Scheme",
    "SearchSpace",
    "SensitivityResult",
    "SgmverifyError",
    "ShapeError",
    "StoreError",
    "StoreWarning",
    "SubVP",
    "Suite",
    "SuiteError",
    "SupResult",
    "Theorem",
    "TimeChangedOU",
    "TimeDomainError",
    "TorchScoreModel",
    "TrainedScoreNetwork",
    "UniformBox",
    "UniformCircle",
    "UnknownNameError",
    "Verdict",
    "VerdictFlip",
    "WeightsError",
    "__version__",
    "bootstrap_ci",
    "certify",
    "check_assumption",
    "check_grid",
    "check_hash",
    "check_marginal_consistency",
    "check_process_consistency",
    "collect_suite",
    "compare_results",
    "decide",
    "derive_complexity",
    "discover_suites",
    "draw_noise",
    "eta_reverse_drift",
    "falsify",
    "falsify_suite",
    "first_order_validity",
    "get_process",
    "get_scheme",
    "grid_l1",
    "grid_l2",
    "grid_tv",
    "hypotheses",
    "integrated_score_error",
    "kl_gaussian",
    "l2_particles",
    "l2_squared_particles",
    "landmarks",
    "laws",
    "likelihood_log_density",
    "lipschitz_interval",
    "load_figures",
    "load_results",
    "load_suite",
    "log_density_derivative",
    "marginal_consistency_assumption",
    "mean_ci",
    "metrics",
    "minimal_steps",
    "mixture_callables",
    "mixture_derivatives",
    "mixture_fourth_derivative",
    "nets",
    "noised_1d_derivative",
    "noised_1d_derivatives",
    "pde",
    "percentile_estimate",
    "perturbed_score",
    "propagated_convexity",
    "propagated_smoothness",
    "regularity",
    "render_figures",
    "report",
    "require_positive",
    "run",
    "run_checks",
    "run_one",
    "sample_eta",
    "sample_sensitivity",
    "sampler_law",
    "sampler_law_eigen",
    "sampler_w2",
    "samplers",
    "scan_sup",
    "score_derivative",
    "score_error",
    "sde",
    "sde_sample_sensitivity",
    "sensitivity",
    "sliced_w1",
    "sliced_w2",
    "solve_fokker_planck",
    "spectral_law",
    "spectral_w2",
    "sup_over_x",
    "sup_score_error",
    "theory",
    "time_grid",
    "torch_threads",
    "train_score_network",
    "transport_density",
    "versions",
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
    "working_dps",
    "write_reports",
]
