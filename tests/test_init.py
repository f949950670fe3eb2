"""The flat public namespace: every exported name resolves, and importing sgmverify stays cheap."""

import subprocess
import sys

import pytest

import sgmverify


@pytest.mark.parametrize("name", sorted(sgmverify.__all__))
def test_every_export_resolves(name):
    assert getattr(sgmverify, name) is not None


def test_unknown_attribute_raises():
    with pytest.raises(AttributeError, match="no attribute"):
        sgmverify.not_a_name  # noqa: B018


def test_import_is_cheap():
    heavy = "('numpy', 'sympy', 'torch')"
    code = f"import sys, sgmverify; print(','.join(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
