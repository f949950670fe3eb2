"""Running claims: suite discovery, the runner (serial, process pool, Dask), time limits, the results
store, figures, regression comparison, falsification.
"""

from ._compare import (
    Comparison as Comparison,
)
from ._compare import (
    RatioDrift as RatioDrift,
)
from ._compare import (
    VerdictFlip as VerdictFlip,
)
from ._compare import (
    compare_results as compare_results,
)
from ._falsify import (
    FalsifyOutcome as FalsifyOutcome,
)
from ._falsify import (
    badness as badness,
)
from ._falsify import (
    cmd_falsify as cmd_falsify,
)
from ._falsify import (
    falsify as falsify,
)
from ._falsify import (
    falsify_suite as falsify_suite,
)
from ._falsify import (
    register_cli as register_cli,
)
from ._figures import (
    FigureOutput as FigureOutput,
)
from ._figures import (
    FigureRecord as FigureRecord,
)
from ._figures import (
    FigureSpec as FigureSpec,
)
from ._figures import (
    load_figures as load_figures,
)
from ._figures import (
    render_figures as render_figures,
)
from ._runner import (
    DEFAULT_TIMEOUT as DEFAULT_TIMEOUT,
)
from ._runner import (
    RunOutcome as RunOutcome,
)
from ._runner import (
    compile_filter as compile_filter,
)
from ._runner import (
    dask_executor as dask_executor,
)
from ._runner import (
    run_checks as run_checks,
)
from ._runner import (
    run_one as run_one,
)
from ._runner import (
    versions as versions,
)
from ._store import (
    ResultsStore as ResultsStore,
)
from ._store import (
    check_hash as check_hash,
)
from ._store import (
    code_version as code_version,
)
from ._suites import (
    DEFAULT_PACKAGE as DEFAULT_PACKAGE,
)
from ._suites import (
    ENTRY_POINT_GROUP as ENTRY_POINT_GROUP,
)
from ._suites import (
    collect_suite as collect_suite,
)
from ._suites import (
    discover_suites as discover_suites,
)
from ._suites import (
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
    "VerdictFlip",
    "badness",
    "check_hash",
    "cmd_falsify",
    "code_version",
    "collect_suite",
    "compare_results",
    "compile_filter",
    "dask_executor",
    "discover_suites",
    "falsify",
    "falsify_suite",
    "load_figures",
    "load_suite",
    "register_cli",
    "render_figures",
    "run_checks",
    "run_one",
    "versions",
]
