"""Shared fixtures: the implementation under test, and a refcount check on debug builds."""

from __future__ import annotations

import gc
import importlib
import os
import sys
from types import ModuleType
from typing import Any

import pytest

# id -> module.  The compiled core is imported directly: a missing build is a
# test failure, never a skip, so a broken build cannot pass CI as "py only".
IMPLEMENTATIONS = {"c": "cylru._lru_c", "py": "cylru._lru_py"}
# The memoizing decorators, same rule (tests/test_memo*.py).
MEMO_IMPLEMENTATIONS = {"c": "cylru._memo_c", "py": "cylru._memo_py"}


@pytest.fixture(params=list(IMPLEMENTATIONS), ids=list(IMPLEMENTATIONS))
def impl(request: pytest.FixtureRequest) -> ModuleType:
    return importlib.import_module(IMPLEMENTATIONS[request.param])


@pytest.fixture(params=list(MEMO_IMPLEMENTATIONS), ids=list(MEMO_IMPLEMENTATIONS))
def memo(request: pytest.FixtureRequest) -> ModuleType:
    """The module with ``lru_cache``, ``cached`` and ``alru_cache`` under test."""
    return importlib.import_module(MEMO_IMPLEMENTATIONS[request.param])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Every `c` case needs the compiled core; a pure install deselects them with
    # `-m "not needs_core"` (CI's pure legs, the pure wheel's tests).
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        if "c" in (params.get("impl"), params.get("memo")):
            item.add_marker(pytest.mark.needs_core)
            if item.path.name in _CYTHON_COROUTINE_TESTS:
                item.add_marker(pytest.mark.no_refcount_check)
    # The churn scripts (marker `leaks`, minutes of work) run only when asked for:
    # `pytest -m leaks` (as .ci/run does) or CYLRU_CHURN=1.  Otherwise they are
    # deselected, not skipped.
    markexpr = config.getoption("-m") or ""
    if "leaks" not in markexpr and not os.environ.get("CYLRU_CHURN"):
        churn = [item for item in items if item.get_closest_marker("leaks")]
        if churn:
            config.hook.pytest_deselected(items=churn)
            items[:] = [item for item in items if not item.get_closest_marker("leaks")]


# The compiled alru_cache returns Cython coroutines.  On the debug interpreter each Cython
# coroutine (any, even `async def f(x): return x`; Cython 3.3.1, CPython 3.11-dbg) moves the
# total refcount by +1 while no object keeps a reference and memory stays flat over
# millions of them, so the total says nothing there.  Their leak checks are the explicit
# per-object ones in tests/test_memo_alru.py (test_no_reference_kept_by_calls).
_CYTHON_COROUTINE_TESTS = {"test_memo_alru.py", "test_readme.py"}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "no_refcount_check: skip the debug-build total-refcount check for this test "
        "(threads, Hypothesis, subprocesses: their own caches make the total drift)",
    )


# A clean test can still move the total on one run (the interpreter's own caches:
# type cache, interned strings, free lists), but not on every run, so a run is clean
# if any of the repeats leaves the total unchanged.  The tolerance is 0: a test that
# does two lookups against a core leaking one reference per hit grows by 2, and a
# tolerance of a few references let exactly that pass (checked with a deliberately
# leaking scratch build; scripts/leaks.sh runs the whole suite this way).
_REFCOUNT_TOLERANCE = 0
_REFCOUNT_REPEATS = 5


def _touches_numpy(item: pytest.Function) -> bool:
    """True for tests in a module that imports numpy.

    numpy's wheels are release builds: on a debug interpreter their inline
    ``Py_INCREF``/``Py_DECREF`` do not update the interpreter's total, so it drifts by
    one per array call without any leak (``np.zeros(8)`` +1, ``memoryview(array)`` -1),
    and the total says nothing about those tests.
    """
    module = getattr(item, "module", None)
    return (
        any(getattr(value, "__name__", None) == "numpy" for value in vars(module).values())
        if module is not None
        else False
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """On a debug CPython, re-run each passing test and demand a stable refcount total.

    The test's own run is the warm-up (lazy imports, interned names, caches).
    Then the test function is called again with the same fixture values - in the
    call phase, so every fixture is still set up (a fixture's monkeypatching still
    applies) - with a ``gc.collect()`` before and after, until one run leaves the
    total unchanged (within the tolerance) or the repeats are used up; then the
    test fails, naming the growth of each repeat.
    """
    result = yield  # raises when the test failed: nothing to check then
    if hasattr(sys, "gettotalrefcount") and isinstance(item, pytest.Function):
        _check_total_refcount(item)
    return result


def _check_total_refcount(item: pytest.Function) -> None:
    if item.get_closest_marker("no_refcount_check") or getattr(
        item.obj, "is_hypothesis_test", False
    ):
        return
    if _touches_numpy(item):
        return
    kwargs = {name: item.funcargs[name] for name in item._fixtureinfo.argnames}
    deltas = []
    for _ in range(_REFCOUNT_REPEATS):
        # A test body's own monkeypatching gets a fresh MonkeyPatch per repeat, undone
        # right after (the fixture's undo list would otherwise grow by one per setattr).
        fresh = pytest.MonkeyPatch() if "monkeypatch" in kwargs else None
        if fresh is not None:
            kwargs["monkeypatch"] = fresh
        gc.collect()
        before = sys.gettotalrefcount()  # type: ignore[attr-defined]
        item.obj(**kwargs)
        if fresh is not None:
            fresh.undo()  # (the object itself lives until after the measure)
        gc.collect()
        delta = sys.gettotalrefcount() - before  # type: ignore[attr-defined]
        if delta <= _REFCOUNT_TOLERANCE:
            return
        deltas.append(delta)
    pytest.fail(f"total refcount grew on every repeat: {deltas}")
