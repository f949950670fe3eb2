"""Test-session defaults: the full default run uses two pytest-xdist workers (issue 18).

Only a plain ``pytest`` (the test paths of ``pyproject.toml``, no files named on the command line) gets
``-n 2 --dist loadfile`` (a file's module-scoped fixtures are built once, on one worker); naming files or
folders runs them in this process as before.  ``-n N`` (``-n 0``: none) overrides it, and
``pytest -p no:xdist`` runs everything serially.  Failures are reported exactly as without workers.
"""

from __future__ import annotations

import os

import pytest

DEFAULT_WORKERS = 2


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Set ``-n 2 --dist loadfile`` for the default run when xdist is active and ``-n`` was not given."""
    if not config.pluginmanager.hasplugin("xdist") or os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if config.args_source is not pytest.Config.ArgsSource.TESTPATHS:
        return  # files or folders named: run them here, as asked
    if getattr(config.option, "numprocesses", None) is not None or config.getoption("collectonly"):
        return
    config.option.numprocesses = DEFAULT_WORKERS
    if getattr(config.option, "dist", "no") == "no":
        config.option.dist = "loadfile"
