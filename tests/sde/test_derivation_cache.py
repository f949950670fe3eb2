"""The derivation cache stores JSON expression trees: exact round trips, and nothing in a cache file runs."""

from __future__ import annotations

import json
import pickle

import pytest
import sympy as sp

from sgmverify.errors import DerivationCacheWarning
from sgmverify.sde import _derivation as D
from sgmverify.sde._derivation_cache import from_tree, read_entry, to_tree, write_entry

t, b0, b1 = sp.Symbol("t", positive=True), sp.Symbol("beta_min", positive=True), sp.Symbol("b1")
EXPRESSIONS = [
    -b0 * t / 2 - (b1 - b0) * t**2 / 4,
    1 - sp.exp(-b0 * t - (b1 - b0) * t**2 / 2),
    sp.log(sp.cos(sp.pi * (t + sp.Rational(1, 125)) / 2)) - sp.Float("0.1234567890123456789", 30),
    sp.Piecewise((t**2, t < 1), (sp.sqrt(t), True)),
    sp.erf(t) * sp.Abs(b1) + sp.Max(t, b0) ** sp.Rational(-3, 2) + sp.I * sp.atan(t),
]


@pytest.mark.parametrize("expr", EXPRESSIONS, ids=range(len(EXPRESSIONS)))
def test_tree_round_trip_is_exact(expr):
    back = from_tree(json.loads(json.dumps(to_tree(expr))))
    assert back == expr
    # the same symbols with the same assumptions (srepr may spell them differently: sympy caches symbols)
    assert {(s.name, tuple(sorted(s.assumptions0.items()))) for s in back.free_symbols} == {
        (s.name, tuple(sorted(s.assumptions0.items()))) for s in expr.free_symbols
    }


def test_entry_round_trip_and_key_check(tmp_path):
    path = tmp_path / "k.json"
    assert write_entry(path, "k", EXPRESSIONS[0], None)
    assert read_entry(path, "k") == (EXPRESSIONS[0], None)
    with pytest.warns(DerivationCacheWarning, match="not a derivation of this key"):
        assert read_entry(path, "other") is None
    assert not write_entry(tmp_path / "d.json", "d", sp.Dummy("s") + t, None)  # dummies are not stored


@pytest.mark.parametrize(
    "content",
    [
        "garbage",
        "",
        "null",
        json.dumps({"format": 1, "key": "k", "log_m": {"f": "__import__", "args": []}, "var": None}),
        json.dumps({"format": 1, "key": "k", "log_m": {"f": "eval", "args": [{"i": "1"}]}, "var": None}),
        json.dumps({"format": 1, "key": "k", "log_m": {"s": "x", "a": {"real": "yes"}}, "var": None}),
        json.dumps({"format": 1, "key": "k", "log_m": {"c": "os"}, "var": None}),
        json.dumps({"format": 1, "key": "k", "log_m": [1, 2], "var": None}),
    ],
)
def test_corrupt_or_foreign_entries_are_ignored_with_a_warning(tmp_path, content):
    path = tmp_path / "k.json"
    path.write_text(content)
    with pytest.warns(DerivationCacheWarning):
        assert read_entry(path, "k") is None


def test_cached_derivation_is_reused_and_a_planted_pickle_never_loads(tmp_path, monkeypatch):
    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(tmp_path))
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    a, g = -t / 2, sp.Integer(1)
    D.derive_marginals.cache_clear()
    fresh = D.derive_marginals(a, g, t)
    (entry,) = (tmp_path / "derivations").glob("*.json")
    entry.with_suffix(".pkl").write_bytes(pickle.dumps(Evil()))  # the old cache format: never read again
    D.derive_marginals.cache_clear()
    monkeypatch.setattr(D, "_derive_uncached", lambda *args: pytest.fail("should come from the cache"))
    assert D.derive_marginals(a, g, t) == fresh
    assert not marker.exists()
    D.derive_marginals.cache_clear()


def test_stable_entry_round_trip_keeps_expm1_log1p_and_the_error(tmp_path):
    from sympy.codegen.cfunctions import expm1, log1p

    from sgmverify.sde._derivation_cache import read_stable_entry, write_stable_entry

    form = -expm1(-2 * t) * sp.Float("0.5", 60) + log1p(t**2)
    for err in (3.5e-17, float("inf")):
        path = tmp_path / "s.json"
        assert write_stable_entry(path, "s", form, err)
        assert read_stable_entry(path, "s") == (form, err)
    path.write_text(json.dumps({"format": 1, "key": "s", "stable": {"f": "exec", "args": []}, "err": 0.0}))
    with pytest.warns(DerivationCacheWarning):
        assert read_stable_entry(path, "s") is None
    path.write_text(json.dumps({"format": 1, "key": "s", "stable": {"i": "1"}, "err": True}))
    with pytest.warns(DerivationCacheWarning):
        assert read_stable_entry(path, "s") is None


def test_stable_forms_are_shared_by_new_instances_and_kept_on_disk(tmp_path, monkeypatch):
    import numpy as np

    from sgmverify import symbolic
    from sgmverify.sde import VP

    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(D, "_STABLE_SEEN", {})
    monkeypatch.setattr(symbolic, "_STABLE_MEMO", {})
    ts = np.array([1e-9, 1e-4, 0.3, 0.9])
    first = VP(0.1, 20.0)
    ref = (first.var(ts), first.log_mean_coeff(ts))
    assert list((tmp_path / "derivations").glob("stable-*.json")), "stable forms are stored with derivations"

    def no_search(*args):
        pytest.fail("the stable form must come from a cache")

    monkeypatch.setattr(symbolic, "_stable_form_uncached", no_search)
    second = VP(0.1, 20.0)  # a new instance: the in-memory memo
    np.testing.assert_array_equal(second.var(ts), ref[0])
    monkeypatch.setattr(D, "_STABLE_SEEN", {})  # a new process: only the disk is left
    monkeypatch.setattr(symbolic, "_STABLE_MEMO", {})
    third = VP(0.1, 20.0)
    np.testing.assert_array_equal(third.var(ts), ref[0])
    np.testing.assert_array_equal(third.log_mean_coeff(ts), ref[1])
    # other parameters are other expressions: searched again (and agree with the closed form 1 - e^{-B})
    monkeypatch.undo()
    vp = VP(0.2, 10.0)
    big_b = 0.2 * ts + (10.0 - 0.2) * ts**2 / 2
    np.testing.assert_allclose(vp.var(ts), -np.expm1(-big_b), rtol=1e-13)  # float64 expm1: a few ulp
