"""The flat public namespace: every exported name resolves, and importing sgmverify stays cheap."""

import subprocess
import sys

import pytest

import sgmverify


@pytest.mark.parametrize("name", sorted(sgmverify.__all__))
def test_every_export_resolves(name):
    assert getattr(sgmverify, name) is not None


def test_unknown_attribute_raises():
    with pytest.raises(AttributeError, match="not_a_name"):
        sgmverify.not_a_name  # noqa: B018


def test_import_is_cheap():
    heavy = "('numpy', 'sympy', 'torch')"
    code = f"import sys, sgmverify; print(','.join(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


WINGS = ["theory", "run", "report", "sde", "laws", "samplers", "metrics", "hypotheses", "regularity"]
WINGS += ["sensitivity", "pde", "nets"]


@pytest.mark.parametrize("wing", WINGS)
def test_every_wing_export_resolves(wing):
    import importlib

    module = importlib.import_module(f"sgmverify.{wing}")
    assert module.__all__, f"sgmverify.{wing} exports nothing"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"sgmverify.{wing}.{name}"


def test_no_public_name_is_shadowed_by_a_module():
    """After every submodule is imported, each public function/class is still itself (no module shadows)."""
    import importlib
    import pkgutil
    import types

    before = {name: getattr(sgmverify, name) for name in sgmverify.__all__}
    for info in pkgutil.walk_packages(sgmverify.__path__, "sgmverify."):
        importlib.import_module(info.name)
    for name, value in before.items():
        after = getattr(sgmverify, name)
        assert after is value, f"sgmverify.{name} changed after importing the submodules"
        if name not in WINGS:
            assert not isinstance(after, types.ModuleType), f"sgmverify.{name} is a module"
