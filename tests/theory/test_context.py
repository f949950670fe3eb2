"""The per-check context (``Scenario.shared`` / ``check_context``) and the content-hash primitive."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from sgmverify.theory import Scenario, check_context, content_key, describe_object


class Counter:
    def __init__(self, value=42):
        self.calls, self.value = 0, value

    def __call__(self):
        self.calls += 1
        return self.value


def test_outside_a_check_compute_runs_every_time():
    sc, f = Scenario("s"), Counter()
    assert sc.shared("k", f) == 42 and sc.shared("k", f) == 42
    assert f.calls == 2


def test_inside_a_check_the_value_is_computed_once():
    sc, f, g = Scenario("s"), Counter(1), Counter(2)
    with check_context():
        assert [sc.shared("a", f) for _ in range(3)] == [1, 1, 1]
        assert sc.shared("b", g) == 2 and sc.shared(("a",), g) == 2  # other keys: their own values
        assert Scenario("another").shared("a", g) == 1  # one cache per check, keyed by key only
    assert (f.calls, g.calls) == (1, 2)


def test_nothing_leaks_between_checks():
    sc, f = Scenario("s"), Counter()
    for _ in range(2):
        with check_context():
            sc.shared("k", f)
            sc.shared("k", f)
    assert f.calls == 2
    sc.shared("k", f)  # after the checks: uncached again
    assert f.calls == 3


def test_nested_contexts_are_separate_and_the_outer_one_comes_back():
    sc = Scenario("s")
    with check_context():
        assert sc.shared("k", lambda: "outer") == "outer"
        with check_context():
            assert sc.shared("k", lambda: "inner") == "inner"
        assert sc.shared("k", lambda: "again") == "outer"


def test_an_exception_in_compute_is_not_cached():
    sc, calls = Scenario("s"), []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first try fails")
        return "ok"

    with check_context():
        with pytest.raises(RuntimeError, match="first try"):
            sc.shared("k", flaky)
        assert sc.shared("k", flaky) == "ok" and sc.shared("k", flaky) == "ok"
    assert len(calls) == 2


def test_the_context_belongs_to_its_thread():
    sc, f, seen = Scenario("s"), Counter(), []
    with check_context():
        sc.shared("k", f)
        t = threading.Thread(target=lambda: seen.append(sc.shared("k", f)))
        t.start()
        t.join()
    assert seen == [42] and f.calls == 2  # the other thread runs no check: it computes


def test_a_context_closes_even_when_the_block_raises():
    sc, f = Scenario("s"), Counter()
    with pytest.raises(ValueError), check_context():
        sc.shared("k", f)
        raise ValueError("check failed")
    sc.shared("k", f)
    assert f.calls == 2


# ------------------------------------------------------------------------------------------- content_key
def _closure(a):
    def f(x):
        return a * x

    return f


class Slotted:
    __slots__ = ()


def test_content_key_is_the_sha256_of_the_description():
    k = content_key({"a": 1.0, "b": np.array([1, 2])})
    assert len(k) == 64 and int(k, 16) >= 0
    assert k == content_key({"b": [1, 2], "a": np.float64(1.0)})  # same description, same key
    assert k != content_key({"a": 1.0, "b": [1, 3]})
    assert content_key(_closure(2.0)) != content_key(_closure(3.0))  # captured values count
    assert content_key(_closure(2.0)) == content_key(_closure(2.0))
    assert describe_object(Slotted()).startswith("<") and " at 0x" in describe_object(Slotted())
    assert content_key(Slotted()) == content_key(Slotted())  # object addresses are left out
