"""docs/contract.md section 4: a MemoryError is no exception to the bounds (issue 9).

``_testcapi.set_nomemory(n)`` makes every allocation after the first ``n`` fail.  For
each ``n`` until the operation completes, an evicting operation runs under it; then,
with memory back: the cache is consistent and within its bounds, every entry that left
it to make room had its ``on_evict`` call, and once the cache is dropped no reference
to any key or value is left over.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from _support import assert_consistent

_testcapi = pytest.importorskip("_testcapi")  # CPython's test module: absent on PyPy
if not hasattr(_testcapi, "set_nomemory"):  # pragma: no cover
    pytest.skip("this CPython has no _testcapi.set_nomemory", allow_module_level=True)

pytestmark = pytest.mark.needs_core  # the pure twin's MemoryError paths: issue 10

MAX_STEPS = 400


class Token:
    """A distinct key or value whose reference count the test watches."""

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def __repr__(self) -> str:
        return f"T{self.n}"


def _weigh(value: Any) -> int:
    return 1 + value.n % 3


def _run(op: Callable[[Any], Any], make: Callable[[Callable[..., None]], Any]) -> int:
    """Run ``op(cache)`` under set_nomemory(n) for n = 0, 1, ... until it succeeds."""
    for n in range(MAX_STEPS):
        tokens = [Token(i) for i in range(40)]
        # on_evict is a built-in method on a preallocated dict: calling it needs no
        # memory, so a missing call is the core's doing (a Python function needs a
        # frame object on 3.10, which may itself fail to allocate).
        called: dict[Any, Any] = dict.fromkeys(tokens)
        c = make(called.__setitem__)
        for i in range(0, 24, 2):
            c[tokens[i]] = tokens[i + 1]
        before = dict(c.items())
        baseline = {id(t): sys.getrefcount(t) for t in tokens}
        failed = False
        _testcapi.set_nomemory(n, 0)
        try:
            op(c, tokens)
        except MemoryError:
            failed = True
        finally:
            _testcapi.remove_mem_hooks()
        assert_consistent(c)
        after = dict(c.items())
        for key in before:
            if key not in after:
                assert called[key] is before[key], (n, key, "left without on_evict")
        del before, after
        called.clear()
        c.clear()
        del c
        for t in tokens:
            assert sys.getrefcount(t) <= baseline[id(t)], (n, t, "reference leaked")
        if not failed:
            return n
    raise AssertionError("the operation never completed")


def _plain(on_evict: Callable[..., None]) -> Any:
    from cylru._lru_c import LRUCache

    return LRUCache(12, on_evict)


def _weighted(on_evict: Callable[..., None]) -> Any:
    from cylru._lru_c import LRUCache

    return LRUCache(12, on_evict, max_weight=40, weigher=_weigh)


def _set_capacity(c: Any, tokens: list[Any]) -> None:
    c.capacity = 2  # ten evictions: more than fit on the stack


def _set_max_weight(c: Any, tokens: list[Any]) -> None:
    c.max_weight = 3


def _weighted_put(c: Any, tokens: list[Any]) -> None:
    c.max_weight = 12
    c[tokens[30]] = Token(3 * 7 + 1)  # heavy enough to evict several


def _growing_puts(c: Any, tokens: list[Any]) -> None:
    c.capacity = 40
    for i in range(24, 40):
        c[tokens[i]] = Token(i)


def _evicting_put(c: Any, tokens: list[Any]) -> None:
    c[tokens[30]] = tokens[31]


CASES = [
    (_plain, _set_capacity),
    (_plain, _growing_puts),
    (_plain, _evicting_put),  # allocates nothing: completes at n = 0
    (_weighted, _set_capacity),
    (_weighted, _set_max_weight),
    (_weighted, _weighted_put),
    (_weighted, _growing_puts),
    (_weighted, _evicting_put),
]


@pytest.mark.parametrize(("make", "op"), CASES, ids=[f"{m.__name__}{o.__name__}" for m, o in CASES])
def test_out_of_memory_keeps_bounds_callbacks_and_references(
    make: Callable[..., Any], op: Callable[..., None]
) -> None:
    _run(op, make)
