"""Stats counting rules (docs/contract.md section 4a): only get and c[k] count hits and misses."""

from __future__ import annotations

from types import ModuleType

import pytest

from cylru._base import CacheStats


def counters(c: object) -> tuple[int, int, int]:
    s = c.stats()  # type: ignore[attr-defined]
    return (s.hits, s.misses, s.evictions)


def test_fresh_cache(impl: ModuleType) -> None:
    c = impl.LRUCache(7)
    s = c.stats()
    assert type(s) is CacheStats
    assert s == CacheStats(0, 0, 0, 0, 7, None, None)


def test_get_and_getitem_count(impl: ModuleType) -> None:
    c = impl.LRUCache(5)
    c["a"] = 1
    c.get("a")
    c.get("b")
    c.get("b", 3)
    c["a"]
    with pytest.raises(KeyError):
        c["b"]
    assert counters(c) == (2, 3, 0)


def test_simple_cache_get_counts(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(5)
    c.put("a", 1)
    c.get("a")
    c.get("z")
    assert counters(c) == (1, 1, 0)


def test_nothing_else_counts(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["a"] = 1
    c.put("b", 2)
    c.put("a", 3)
    c.peek("a")
    c.peek("z")
    assert "a" in c
    assert "z" not in c
    list(c)
    list(c.items())
    list(c.values())
    c.setdefault("a", 0)
    c.setdefault("c", 0)
    c.pop("c")
    c.pop("z", None)
    del c["b"]
    c.popitem()
    c.update({"x": 1})
    c.copy()
    assert c == {"x": 1}
    repr(c)
    assert counters(c) == (0, 0, 0)


def test_unhashable_key_counts_nothing(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    with pytest.raises(TypeError):
        c.get([])
    with pytest.raises(TypeError):
        c[[]]
    assert counters(c) == (0, 0, 0)


def test_evictions_count_with_and_without_callback(impl: ModuleType) -> None:
    c = impl.LRUCache(2)
    for i in range(5):
        c[i] = i
    assert counters(c) == (0, 0, 3)
    c.on_evict = lambda k, v: None
    c[10] = 10
    assert counters(c) == (0, 0, 4)
    c.capacity = 0
    assert counters(c) == (0, 0, 6)


def test_weight_evictions_count(impl: ModuleType) -> None:
    c = impl.LRUCache(10, max_weight=3)
    for i in range(5):
        c[i] = i
    assert counters(c) == (0, 0, 2)


def test_removals_are_not_evictions(impl: ModuleType) -> None:
    c = impl.LRUCache(5)
    for i in range(5):
        c[i] = i
    del c[0]
    c.pop(1)
    c.popitem()
    c.clear()
    assert counters(c) == (0, 0, 0)


def test_clear_keeps_stats_and_clear_stats_zeroes(impl: ModuleType) -> None:
    c = impl.LRUCache(1, max_weight=10)
    c["a"] = 1
    c["b"] = 2
    c.get("b")
    c.get("a")
    c.clear()
    assert counters(c) == (1, 1, 1)
    c["c"] = 3
    c.clear_stats()
    assert c.stats() == CacheStats(0, 0, 0, 1, 1, 1, 10)


def test_stats_reflect_size_and_capacity(impl: ModuleType) -> None:
    c = impl.LRUCache(4)
    c.update({1: 1, 2: 2})
    assert c.stats().size == 2
    c.capacity = 9
    assert c.stats().capacity == 9


def test_capacity_zero_get_counts_a_miss(impl: ModuleType) -> None:
    c = impl.LRUCache(0)
    c["a"] = 1
    assert c.get("a") is None
    assert counters(c) == (0, 1, 0)


def test_copy_has_fresh_stats(impl: ModuleType) -> None:
    c = impl.LRUCache(1)
    c["a"] = 1
    c["b"] = 1
    c.get("b")
    assert counters(c.copy()) == (0, 0, 0)
    assert counters(c) == (1, 0, 1)
