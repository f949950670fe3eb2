"""Running claims: suite discovery, the runner (serial, process pool, Dask), time limits, the results
store, figures, regression comparison, falsification.
"""

from ._compare import (
    Comparison as Comparison,
    RatioDrift as RatioDrift,
    VerdictFlip as VerdictFlip,
    compare_results as compare_results,
)
from ._executors import (
    dask_executor as dask_executor,
)
from ._falsify import (
    FalsifyOutcome as FalsifyOutcome,
    badness as badness,
    falsify as falsify,
    falsify_suite as falsify_suite,
)
from ._figures import (
    FigureOutput as FigureOutput,
    FigureRecord as FigureRecord,
    FigureSpec as FigureSpec,
    load_figures as load_figures,
    render_figures as render_figures,
)
from ._filter import (
    compile_filter as compile_filter,
)
from ._index import (
    SuiteIndexWarning as SuiteIndexWarning,
    bound_expr as bound_expr,
    index_path as index_path,
    select_suites as select_suites,
    suite_index as suite_index,
)
from ._pipeline import (
    run_check as run_check,
)
from ._runner import (
    DEFAULT_TIMEOUT as DEFAULT_TIMEOUT,
    RunOutcome as RunOutcome,
    run_checks as run_checks,
    run_one as run_one,
    versions as versions,
)
from ._store import (
    ResultsStore as ResultsStore,
    check_hash as check_hash,
    code_version as code_version,
)
from ._suites import (
    DEFAULT_PACKAGE as DEFAULT_PACKAGE,
    ENTRY_POINT_GROUP as ENTRY_POINT_GROUP,
    collect_suite as collect_suite,
    discover_suites as discover_suites,
    load_suite as load_suite,
)

__all__ = [
    "DEFAULT_PACKAGE",
    "DEFAULT_TIMEOUT",
    "ENTRY_POINT_GROUP",
    "Comparison",
    "FalsifyOutcome",
    "FigureOutput",
    "FigureRecord",
    "FigureSpec",
    "RatioDrift",
    "ResultsStore",
    "RunOutcome",
    "SuiteIndexWarning",
    "VerdictFlip",
    "badness",
    "bound_expr",
    "check_hash",
    "code_version",
    "collect_suite",
    "compare_results",
    "compile_filter",
    "dask_executor",
    "discover_suites",
    "falsify",
    "falsify_suite",
    "index_path",
    "load_figures",
    "load_suite",
    "render_figures",
    "run_check",
    "run_checks",
    "run_one",
    "select_suites",
    "suite_index",
    "versions",
]
