"""Memory layout promises: lazy growth, and no growth under churn."""

from __future__ import annotations

import sys
from types import ModuleType


def test_huge_capacity_allocates_lazily(impl: ModuleType) -> None:
    c = impl.LRUCache(10**9)
    for key in ("a", "b", "c"):
        c[key] = key
    assert list(c) == ["a", "b", "c"]
    assert sys.getsizeof(c) < 16 * 1024


def test_table_grows_with_entries(impl: ModuleType) -> None:
    c = impl.LRUCache(100_000)
    small = sys.getsizeof(c)
    for i in range(10_000):
        c[i] = i
    assert sys.getsizeof(c) > small + 10_000 * 8


def test_churn_does_not_grow_the_table(impl: ModuleType) -> None:
    c = impl.LRUCache(1000)
    for i in range(1000):
        c[i] = i
    filled = sys.getsizeof(c)
    for i in range(1000, 200_000):
        c[i] = i
        if i % 3 == 0:
            del c[i - 500]
    assert len(c) <= 1000
    assert sys.getsizeof(c) <= 2 * filled
    # every surviving key is still found after all that shifting
    for key in list(c):
        assert c.peek(key) == key


def test_clear_releases_the_table(impl: ModuleType) -> None:
    c = impl.LRUCache(10**6)
    empty = sys.getsizeof(c)
    for i in range(50_000):
        c[i] = i
    assert sys.getsizeof(c) > empty
    c.clear()
    assert sys.getsizeof(c) <= empty + 1024
