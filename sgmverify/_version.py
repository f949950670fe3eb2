"""The package version (one place; ``sgmverify.__version__`` and the results store read it)."""

__version__ = "0.1.0"
