"""Selection of the implementation and the public names (the only file using ``cylru``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cylru

# Subprocesses must import the same cylru as this process (the installed
# package in CI, or src/ with PYTHONPATH=src), not whatever src/ holds.
PACKAGE_PARENT = str(Path(cylru.__file__).resolve().parent.parent)

CONTRACT_PUBLIC_NAMES = [
    "Cache",
    "LRUCache",
    "SimpleLRUCache",
    "CacheStats",
    "nbytes",
    "IMPLEMENTATION",
    "__version__",
]


def _run(code: str, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CYLRU_")}
    environ["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE_PARENT, *filter(None, [environ.get("PYTHONPATH")])]
    )
    environ.update(env)
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return out.stdout.strip()


@pytest.mark.parametrize("name", CONTRACT_PUBLIC_NAMES)
def test_public_name_exists(name: str) -> None:
    assert hasattr(cylru, name), f"cylru.{name} is missing (docs/contract.md section 1)"


def test_all_lists_only_existing_names() -> None:
    for name in cylru.__all__:
        assert hasattr(cylru, name)


def test_version_is_a_string() -> None:
    assert isinstance(cylru.__version__, str)
    assert cylru.__version__
    assert cylru.__version__[0].isdigit()


def test_implementation_matches_the_classes() -> None:
    assert cylru.IMPLEMENTATION in ("cython", "python")
    module = "cylru._lru_c" if cylru.IMPLEMENTATION == "cython" else "cylru._lru_py"
    assert cylru.LRUCache.__module__ == module
    assert cylru.SimpleLRUCache.__module__ == module
    # The memoizers go with the core: compiled wrappers over the compiled core.
    memo = "cylru._memo_c" if cylru.IMPLEMENTATION == "cython" else "cylru._memo_py"
    assert type(cylru.lru_cache(len)).__module__ == memo
    assert type(cylru.lru_cache(len).cache).__module__ == module


@pytest.mark.needs_core
def test_compiled_core_is_selected_when_built() -> None:
    # The compiled core is required for the test run (conftest's `c` case);
    # when it imports, the default selection must be it.
    import cylru._lru_c

    assert cylru.IMPLEMENTATION == "cython"
    assert cylru.LRUCache is cylru._lru_c.LRUCache


@pytest.mark.no_refcount_check
@pytest.mark.needs_core
def test_default_selection_in_a_fresh_interpreter() -> None:
    out = _run("import cylru; print(cylru.IMPLEMENTATION, cylru.LRUCache.__module__)")
    assert out == "cython cylru._lru_c"


@pytest.mark.no_refcount_check
@pytest.mark.parametrize("value", ["1", "yes"])
def test_no_extensions_forces_python(value: str) -> None:
    out = _run(
        "import sys, cylru; "
        "print(cylru.IMPLEMENTATION, cylru.LRUCache.__module__, "
        "cylru.SimpleLRUCache.__module__, 'cylru._lru_c' in sys.modules, "
        "type(cylru.lru_cache(len)).__module__, 'cylru._memo_c' in sys.modules)",
        CYLRU_NO_EXTENSIONS=value,
    )
    assert out == "python cylru._lru_py cylru._lru_py False cylru._memo_py False"


@pytest.mark.no_refcount_check
@pytest.mark.needs_core
def test_no_extensions_zero_means_unset() -> None:
    out = _run("import cylru; print(cylru.IMPLEMENTATION)", CYLRU_NO_EXTENSIONS="0")
    assert out == "cython"


@pytest.mark.no_refcount_check
@pytest.mark.needs_core
def test_reimport_with_env_var_switches() -> None:
    code = (
        "import importlib, os, sys\n"
        "import cylru, cylru._lru\n"
        "first = cylru.IMPLEMENTATION\n"
        "os.environ['CYLRU_NO_EXTENSIONS'] = '1'\n"
        "importlib.reload(cylru._lru); importlib.reload(cylru)\n"
        "print(first, cylru.IMPLEMENTATION, cylru.LRUCache.__module__)\n"
    )
    assert _run(code) == "cython python cylru._lru_py"


def test_public_classes_are_the_shared_abc_and_stats() -> None:
    from cylru import _base

    assert cylru.Cache is _base.Cache
    assert cylru.CacheStats is _base.CacheStats
    assert issubclass(cylru.LRUCache, cylru.Cache)
    assert issubclass(cylru.SimpleLRUCache, cylru.LRUCache)
    assert cylru.CacheStats._fields == (
        "hits",
        "misses",
        "evictions",
        "size",
        "capacity",
        "weight",
        "max_weight",
    )


def test_cache_abc_is_abstract_with_mellea_methods() -> None:
    assert cylru.Cache.__abstractmethods__ == frozenset({"put", "get", "current_size"})
    with pytest.raises(TypeError):
        cylru.Cache()  # type: ignore[abstract]


def test_nbytes_counts_each_buffer_once() -> None:
    nbytes = cylru.nbytes
    buf = bytearray(1000)
    assert nbytes(buf) == 1000
    assert nbytes([buf, buf]) == nbytes(buf)
    assert nbytes([buf, bytearray(24)]) == nbytes(buf) + nbytes(bytearray(24))
