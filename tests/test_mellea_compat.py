"""Everything mellea's own cache tests check, plus SimpleLRUCache's ``cache`` view."""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import pytest
from _support import Recorder, assert_consistent

from cylru._base import Cache


def test_put_get_round_trip(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(3)
    c.put("a", 1)
    c.put("b", [2])
    assert c.get("a") == 1
    assert c.get("b") == [2]
    assert c.current_size() == 2


def test_miss_gives_none(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(3)
    assert c.get("nope") is None
    c.put("a", 1)
    assert c.get("nope") is None
    assert c.current_size() == 1


def test_current_size_counts_entries(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(3)
    assert c.current_size() == 0
    for i, key in enumerate("abcde"):
        c.put(key, i)
        assert c.current_size() == min(i + 1, 3)


def test_replacing_a_key_keeps_size_and_fires_no_callback(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(1, on_evict=rec)
    c.put("a", 1)
    c.put("a", 2)
    assert c.current_size() == 1
    assert c.get("a") == 2
    assert rec.calls == []


def test_replacing_a_key_makes_it_most_recent(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(2, on_evict=rec)
    c.put("a", 1)
    c.put("b", 2)
    c.put("a", 3)
    c.put("c", 4)
    assert rec.calls == [(2,)]
    assert list(c.cache) == ["a", "c"]


def test_eviction_order_is_least_recent_first(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(3, on_evict=rec)
    for i in range(6):
        c.put(i, f"v{i}")
    assert rec.calls == [("v0",), ("v1",), ("v2",)]
    assert list(c.cache) == [3, 4, 5]
    assert c.get(0) is None


def test_callback_gets_the_value_once_per_eviction(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(2, on_evict=rec)
    values = [object() for _ in range(5)]
    for i, v in enumerate(values):
        c.put(i, v)
    assert len(rec.calls) == 3
    for (arg,), v in zip(rec.calls, values, strict=False):
        assert arg is v


def test_get_promotes(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(2, on_evict=rec)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") == 1
    c.put("c", 3)
    assert rec.calls == [(2,)]
    assert c.get("b") is None
    assert c.get("a") == 1
    assert c.get("c") == 3


def test_capacity_zero_stores_nothing(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(0, on_evict=rec)
    c.put("a", 1)
    c.put("b", 2)
    assert c.current_size() == 0
    assert c.get("a") is None
    assert rec.calls == []


@pytest.mark.parametrize("capacity", [-1, -100])
def test_negative_capacity_stores_nothing(impl: ModuleType, capacity: int) -> None:
    c = impl.SimpleLRUCache(capacity)
    c.put("a", 1)
    assert c.current_size() == 0
    assert c.get("a") is None


def test_capacity_one(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(1, on_evict=rec)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("a") is None
    assert c.get("b") == 2
    assert rec.calls == [(1,)]
    c.put("b", 3)
    assert rec.calls == [(1,)]
    assert c.current_size() == 1


def test_no_callback_is_fine(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(1)
    c.put("a", 1)
    c.put("b", 2)
    assert c.get("b") == 2
    assert c.on_evict is None


def test_constructor_by_keyword(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.SimpleLRUCache(capacity=1, on_evict=rec)
    c.put(1, 1)
    c.put(2, 2)
    assert rec.calls == [(1,)]


def test_constructor_takes_no_weight_arguments(impl: ModuleType) -> None:
    with pytest.raises(TypeError):
        impl.SimpleLRUCache(3, None, 10)
    with pytest.raises(TypeError):
        impl.SimpleLRUCache(3, max_weight=10)
    with pytest.raises(TypeError):
        impl.SimpleLRUCache(3, weigher=len)


def test_attributes_are_writable(impl: ModuleType) -> None:
    first, second = Recorder(), Recorder()
    c = impl.SimpleLRUCache(2, on_evict=first)
    assert c.capacity == 2
    assert c.on_evict is first
    c.on_evict = second
    c.capacity = 3
    assert c.capacity == 3
    assert c.on_evict is second
    for i in range(4):
        c.put(i, i)
    assert first.calls == []
    assert second.calls == [(0,)]
    c.on_evict = None
    c.put(9, 9)
    assert second.calls == [(0,)]


def test_lowering_capacity_evicts_at_once(impl: ModuleType) -> None:
    # A deliberate difference from mellea, which stays over capacity.
    rec = Recorder()
    c = impl.SimpleLRUCache(4, on_evict=rec)
    for i in range(4):
        c.put(i, f"v{i}")
    c.capacity = 1
    assert rec.calls == [("v0",), ("v1",), ("v2",)]
    assert list(c.cache) == [3]


def test_raising_callback_keeps_the_new_entry(impl: ModuleType) -> None:
    # A deliberate difference from mellea, which loses the new entry.
    def boom(value: object) -> None:
        raise LookupError(value)

    c = impl.SimpleLRUCache(1, on_evict=boom)
    c.put("a", 1)
    with pytest.raises(LookupError) as info:
        c.put("b", 2)
    assert info.value.args == (1,)
    assert c.get("b") == 2
    assert c.current_size() == 1


def test_is_a_cache_and_an_lru_cache(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(2)
    assert isinstance(c, Cache)
    assert isinstance(c, impl.LRUCache)
    assert issubclass(impl.SimpleLRUCache, impl.LRUCache)


class TestCacheView:
    def test_is_a_read_only_mapping(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(3)
        c.put("a", 1)
        view = c.cache
        assert isinstance(view, Mapping)
        with pytest.raises(TypeError):
            view["b"] = 2  # type: ignore[index]
        with pytest.raises(TypeError):
            del view["a"]  # type: ignore[attr-defined]
        assert dict(view) == {"a": 1}

    def test_order_is_least_recent_first(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(5)
        for key in "abcd":
            c.put(key, key.upper())
        c.get("b")
        c.put("a", "A2")
        assert list(c.cache) == ["c", "d", "b", "a"]
        assert list(c.cache.keys()) == ["c", "d", "b", "a"]
        assert list(c.cache.values()) == ["C", "D", "B", "A2"]
        assert list(c.cache.items()) == [("c", "C"), ("d", "D"), ("b", "B"), ("a", "A2")]

    def test_reading_does_not_promote_or_count(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(3, on_evict=rec)
        for key in "abc":
            c.put(key, key)
        view = c.cache
        assert view["a"] == "a"
        assert "a" in view
        assert "zz" not in view
        assert len(view) == 3
        assert next(iter(view.items())) == ("a", "a")
        assert "a" in view
        assert "a" in view.values()
        assert ("a", "a") in view.items()
        assert view.get("a") == "a"
        assert view.get("zz") is None
        assert c.stats().hits == 0
        assert c.stats().misses == 0
        c.put("d", "d")
        assert rec.calls == [("a",)]
        assert list(view) == ["b", "c", "d"]

    def test_missing_key_raises_key_error(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(3)
        with pytest.raises(KeyError):
            c.cache["nope"]
        assert c.stats().misses == 0

    def test_view_is_live(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(2)
        view = c.cache
        assert len(view) == 0
        c.put(1, 1)
        c.put(2, 2)
        c.put(3, 3)
        assert list(view) == [2, 3]
        assert view == {2: 2, 3: 3}
        assert_consistent(c)
