"""LRUCache as a MutableMapping: docs/contract.md section 3, and docs/design.md's readings."""

from __future__ import annotations

import collections.abc
import gc
import sys
import types
import weakref
from types import ModuleType
from typing import Any

import pytest
from _support import MISSING, Recorder, assert_consistent

from cylru._base import Cache, CacheStats


def filled(impl: ModuleType, keys: str = "abcd", capacity: int = 10, **kw: Any) -> Any:
    c = impl.LRUCache(capacity, **kw)
    for key in keys:
        c[key] = key.upper()
    return c


def test_setitem_getitem(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["a"] = 1
    assert c["a"] == 1
    assert len(c) == 1


def test_getitem_miss_raises_key_error_with_the_key(impl: ModuleType) -> None:
    c = filled(impl)
    key = ("x", 1)
    with pytest.raises(KeyError) as info:
        c[key]
    assert info.value.args == (key,)


def test_getitem_promotes(impl: ModuleType) -> None:
    c = filled(impl)
    assert c["a"] == "A"
    assert list(c) == ["b", "c", "d", "a"]


def test_put_is_setitem(impl: ModuleType) -> None:
    c = impl.LRUCache(2)
    assert c.put("a", 1) is None
    c.put("b", 2)
    c.put("a", 3)
    assert list(c.items()) == [("b", 2), ("a", 3)]
    assert c.current_size() == 2


def test_contains_does_not_promote(impl: ModuleType) -> None:
    c = filled(impl)
    assert "a" in c
    assert "z" not in c
    assert list(c) == ["a", "b", "c", "d"]


def test_len_and_current_size(impl: ModuleType) -> None:
    c = filled(impl, capacity=3)
    assert len(c) == 3
    assert c.current_size() == 3
    assert list(c) == ["b", "c", "d"]


def test_delitem(impl: ModuleType) -> None:
    rec = Recorder()
    c = filled(impl, on_evict=rec)
    del c["b"]
    assert list(c) == ["a", "c", "d"]
    with pytest.raises(KeyError):
        del c["b"]
    assert rec.calls == []
    assert c.stats().evictions == 0


class TestGet:
    def test_hit_promotes(self, impl: ModuleType) -> None:
        c = filled(impl)
        assert c.get("b") == "B"
        assert list(c) == ["a", "c", "d", "b"]

    def test_miss_default(self, impl: ModuleType) -> None:
        c = filled(impl)
        assert c.get("z") is None
        assert c.get("z", 5) == 5
        assert c.get("z", default=6) == 6
        assert c.get("a", default=6) == "A"

    def test_keeps_stored_key_object(self, impl: ModuleType) -> None:
        c = impl.LRUCache(3)
        c[1] = "one"
        assert c.get(1.0) == "one"
        assert c[True] == "one"
        assert type(next(iter(c))) is int


class TestPeek:
    def test_does_not_promote(self, impl: ModuleType) -> None:
        c = filled(impl)
        assert c.peek("a") == "A"
        assert list(c) == ["a", "b", "c", "d"]

    def test_default(self, impl: ModuleType) -> None:
        c = filled(impl)
        assert c.peek("z") is None
        assert c.peek("z", 1) == 1
        assert c.peek("z", default=2) == 2
        assert c.peek("a", default=2) == "A"


class TestPop:
    def test_pop_present(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = filled(impl, on_evict=rec)
        assert c.pop("b") == "B"
        assert "b" not in c
        assert list(c) == ["a", "c", "d"]
        assert rec.calls == []

    def test_pop_missing(self, impl: ModuleType) -> None:
        c = filled(impl)
        with pytest.raises(KeyError):
            c.pop("z")
        assert c.pop("z", None) is None
        assert c.pop("z", 7) == 7
        assert len(c) == 4

    def test_popitem_is_least_recent(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = filled(impl, on_evict=rec)
        c.get("a")
        assert c.popitem() == ("b", "B")
        assert c.popitem() == ("c", "C")
        assert list(c) == ["d", "a"]
        assert rec.calls == []
        assert c.stats().evictions == 0

    def test_popitem_empty(self, impl: ModuleType) -> None:
        c = impl.LRUCache(3)
        with pytest.raises(KeyError):
            c.popitem()
        c["a"] = 1
        c.popitem()
        with pytest.raises(KeyError):
            c.popitem()


class TestSetdefault:
    def test_present_promotes_and_returns_value(self, impl: ModuleType) -> None:
        c = filled(impl)
        assert c.setdefault("a", "other") == "A"
        assert c["a"] == "A"
        assert list(c) == ["b", "c", "d", "a"]

    def test_present_counts_no_stats(self, impl: ModuleType) -> None:
        c = filled(impl)
        c.setdefault("a", 1)
        stats = c.stats()
        assert (stats.hits, stats.misses) == (0, 0)

    def test_absent_stores_default(self, impl: ModuleType) -> None:
        c = filled(impl)
        assert c.setdefault("z", 9) == 9
        assert c.setdefault("y") is None
        assert "y" in c
        assert c.peek("y", MISSING) is None
        assert list(c)[-2:] == ["z", "y"]

    def test_absent_may_evict(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = filled(impl, "ab", capacity=2, on_evict=rec)
        assert c.setdefault("z", 9) == 9
        assert rec.calls == [("a", "A")]
        assert list(c) == ["b", "z"]

    def test_capacity_zero(self, impl: ModuleType) -> None:
        c = impl.LRUCache(0)
        assert c.setdefault("a", 1) == 1
        assert len(c) == 0


class TestUpdate:
    def test_from_mapping(self, impl: ModuleType) -> None:
        c = impl.LRUCache(5)
        c.update({"a": 1, "b": 2})
        assert list(c.items()) == [("a", 1), ("b", 2)]

    def test_from_pairs_and_kwargs(self, impl: ModuleType) -> None:
        c = impl.LRUCache(5)
        c.update([("a", 1), ("b", 2)], c=3)
        c.update(d=4)
        c.update()
        assert list(c.items()) == [("a", 1), ("b", 2), ("c", 3), ("d", 4)]

    def test_from_keys_and_getitem(self, impl: ModuleType) -> None:
        class KeysOnly:
            def keys(self) -> list[str]:
                return ["x", "y"]

            def __getitem__(self, key: str) -> str:
                return key * 2

        c = impl.LRUCache(5)
        c.update(KeysOnly())
        assert list(c.items()) == [("x", "xx"), ("y", "yy")]

    def test_from_another_cache_keeps_order(self, impl: ModuleType) -> None:
        src = filled(impl)
        src.get("a")
        c = impl.LRUCache(10)
        c.update(src)
        assert list(c.items()) == list(src.items())

    def test_from_itself(self, impl: ModuleType) -> None:
        c = filled(impl)
        c.update(c)
        assert dict(c.items()) == {"a": "A", "b": "B", "c": "C", "d": "D"}
        assert_consistent(c)

    def test_does_not_promote_or_count_in_the_source(self, impl: ModuleType) -> None:
        src = filled(impl)
        c = impl.LRUCache(10)
        c.update(src)
        assert list(src) == ["a", "b", "c", "d"]
        assert src.stats().hits == src.stats().misses == 0

    def test_existing_keys_are_replaced_and_promoted(self, impl: ModuleType) -> None:
        c = filled(impl)
        c.update({"a": 1})
        assert list(c.items())[-1] == ("a", 1)
        assert len(c) == 4

    def test_evicts_with_callbacks(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.LRUCache(2, on_evict=rec)
        c.update([(i, i) for i in range(5)])
        assert rec.calls == [(0, 0), (1, 1), (2, 2)]
        assert c.stats().evictions == 3

    def test_stops_at_first_exception(self, impl: ModuleType) -> None:
        c = impl.LRUCache(5)
        with pytest.raises(TypeError):
            c.update([("a", 1), ([], 2), ("c", 3)])
        assert list(c.items()) == [("a", 1)]

    def test_too_many_arguments(self, impl: ModuleType) -> None:
        c = impl.LRUCache(5)
        with pytest.raises(TypeError):
            c.update({}, {})
        assert len(c) == 0


def test_clear(impl: ModuleType) -> None:
    rec = Recorder()
    c = filled(impl, on_evict=rec)
    c.get("a")
    c.get("zz")
    c.clear()
    assert len(c) == 0
    assert list(c) == []
    assert rec.calls == []
    stats = c.stats()
    assert (stats.hits, stats.misses, stats.evictions, stats.size) == (1, 1, 0, 0)
    c["x"] = 1
    assert list(c.items()) == [("x", 1)]


class TestCopy:
    def test_same_class_entries_order_settings(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = filled(impl, on_evict=rec, capacity=7)
        c.get("a")
        c.get("zz")
        d = c.copy()
        assert type(d) is impl.LRUCache
        assert d is not c
        assert list(d.items()) == list(c.items())
        assert d.capacity == 7
        assert d.on_evict is rec
        assert d.stats() == CacheStats(0, 0, 0, 4, 7, None, None)

    def test_is_shallow_and_independent(self, impl: ModuleType) -> None:
        value: list[int] = []
        c = impl.LRUCache(3)
        c["a"] = value
        d = c.copy()
        assert d["a"] is value
        d["b"] = 1
        del d["a"]
        assert list(c) == ["a"]
        assert list(d) == ["b"]

    def test_weighted(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=20, weigher=len)
        c["a"] = "xxx"
        c["b"] = "yyyyy"
        d = c.copy()
        assert (d.max_weight, d.weigher, d.weight) == (20, len, 8)
        assert list(d.items()) == [("a", "xxx"), ("b", "yyyyy")]

    def test_simple_cache(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(2, on_evict=rec)
        c.put("a", 1)
        c.put("b", 2)
        d = c.copy()
        assert type(d) is impl.SimpleLRUCache
        d.put("c", 3)
        assert rec.calls == [(1,)]
        assert list(c.cache) == ["a", "b"]


class TestEquality:
    def test_against_dict_is_order_insensitive(self, impl: ModuleType) -> None:
        c = filled(impl, "ab")
        assert c == {"a": "A", "b": "B"}
        assert c == {"b": "B", "a": "A"}
        assert c == {"b": "B", "a": "A"}
        assert c != {"a": "A"}
        assert c != {"a": "A", "b": "X"}
        assert not (c != {"b": "B", "a": "A"})  # noqa: SIM202 - tests __ne__

    def test_against_another_cache(self, impl: ModuleType) -> None:
        c = filled(impl, "ab")
        d = filled(impl, "ba", capacity=3)
        assert c == d
        d["c"] = 1
        assert c != d

    def test_against_non_mapping(self, impl: ModuleType) -> None:
        c = filled(impl, "ab")
        assert c != ["a", "b"]
        assert not (c == [("a", "A"), ("b", "B")])  # noqa: SIM201 - tests __eq__
        assert c.__eq__(["a"]) is NotImplemented
        assert impl.LRUCache(1) != 0

    def test_empty(self, impl: ModuleType) -> None:
        assert impl.LRUCache(3) == {}
        assert impl.LRUCache(3) == impl.LRUCache(0)

    def test_does_not_promote(self, impl: ModuleType) -> None:
        c = filled(impl, "abc")
        assert c == {"a": "A", "b": "B", "c": "C"}
        assert list(c) == ["a", "b", "c"]
        assert c.stats().hits == 0

    def test_unhashable(self, impl: ModuleType) -> None:
        with pytest.raises(TypeError):
            hash(impl.LRUCache(3))


class TestIteration:
    def test_least_recent_first(self, impl: ModuleType) -> None:
        c = filled(impl)
        c.get("b")
        c["a"] = 1
        assert list(c) == ["c", "d", "b", "a"]
        assert list(c.keys()) == ["c", "d", "b", "a"]
        assert list(c.values()) == ["C", "D", "B", 1]
        assert list(c.items()) == [("c", "C"), ("d", "D"), ("b", "B"), ("a", 1)]

    def test_does_not_promote_or_count(self, impl: ModuleType) -> None:
        c = filled(impl)
        for _ in c.items():
            pass
        list(c.values())
        assert list(c) == ["a", "b", "c", "d"]
        stats = c.stats()
        assert (stats.hits, stats.misses) == (0, 0)

    def test_views(self, impl: ModuleType) -> None:
        c = filled(impl, "ab")
        keys, values, items = c.keys(), c.values(), c.items()
        assert len(keys) == len(values) == len(items) == 2
        assert "a" in keys and "z" not in keys
        assert "A" in values and "a" not in values
        assert ("a", "A") in items and ("a", "B") not in items
        assert keys == {"a", "b"}
        assert keys & {"a", "z"} == {"a"}
        c["c"] = "C"
        assert list(keys) == ["a", "b", "c"]

    def test_empty(self, impl: ModuleType) -> None:
        c = impl.LRUCache(3)
        assert list(c) == []
        assert list(c.items()) == []
        with pytest.raises(StopIteration):
            next(iter(c))

    def test_iterator_protocol(self, impl: ModuleType) -> None:
        c = filled(impl, "ab")
        it = iter(c)
        assert iter(it) is it
        assert next(it) == "a"
        assert next(it) == "b"
        with pytest.raises(StopIteration):
            next(it)
        with pytest.raises(StopIteration):
            next(it)


class TestCapacity:
    def test_lowering_evicts_least_recent_with_callbacks(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = filled(impl, "abcde", on_evict=rec)
        c.get("a")
        c.capacity = 2
        assert c.capacity == 2
        assert rec.calls == [("b", "B"), ("c", "C"), ("d", "D")]
        assert list(c) == ["e", "a"]
        assert c.stats().evictions == 3

    def test_raising_does_not_evict(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = filled(impl, "abc", capacity=3, on_evict=rec)
        c.capacity = 100
        assert rec.calls == []
        c["d"] = "D"
        assert list(c) == ["a", "b", "c", "d"]

    @pytest.mark.parametrize("capacity", [0, -1, -(2**40)])
    def test_non_positive_empties_and_stores_nothing(self, impl: ModuleType, capacity: int) -> None:
        rec = Recorder()
        c = filled(impl, "abc", on_evict=rec)
        c.capacity = capacity
        assert c.capacity == capacity
        assert len(c) == 0
        assert rec.calls == [("a", "A"), ("b", "B"), ("c", "C")]
        c["x"] = 1
        assert len(c) == 0
        assert len(rec.calls) == 3

    def test_capacity_zero_put_does_not_hash(self, impl: ModuleType) -> None:
        class NoHash:
            def __hash__(self) -> int:
                raise AssertionError("hashed")

        rec = Recorder()
        c = impl.LRUCache(0, on_evict=rec)
        c.put(NoHash(), 1)
        c[NoHash()] = 1
        c.put([], 1)
        assert len(c) == 0
        assert rec.calls == []
        assert c.stats() == CacheStats(0, 0, 0, 0, 0, None, None)

    def test_bool_capacity_is_an_int(self, impl: ModuleType) -> None:
        c = impl.LRUCache(True)
        c["a"] = 1
        c["b"] = 2
        assert list(c) == ["b"]
        assert c.capacity == 1

    def test_index_capacity(self, impl: ModuleType) -> None:
        class Two:
            def __index__(self) -> int:
                return 2

        c = impl.LRUCache(Two())
        assert c.capacity == 2
        assert type(c.capacity) is int
        c.capacity = Two()
        assert c.capacity == 2

    def test_huge_capacity_allowed_without_preallocating(self, impl: ModuleType) -> None:
        c = impl.LRUCache(sys.maxsize)
        for i in range(100):
            c[i] = i
        assert len(c) == 100
        assert c.capacity == sys.maxsize
        assert sys.getsizeof(c) < 10**7


def test_on_evict_gets_the_stored_key_object(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(1, rec)
    c[1] = "a"
    c[1.0] = "b"
    c["x"] = "c"
    assert rec.calls == [(1, "b")]
    assert type(rec.calls[0][0]) is int


def test_stored_key_object_is_kept_on_replacement(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c[1] = "int"
    c[1.0] = "float"
    c[True] = "bool"
    assert len(c) == 1
    (key,) = list(c)
    assert type(key) is int
    assert c[1] == "bool"
    assert list(c.items()) == [(1, "bool")]
    assert type(next(iter(c.items()))[0]) is int


def test_values_may_be_none_and_anything(impl: ModuleType) -> None:
    c = impl.LRUCache(5)
    c["n"] = None
    c["c"] = c
    assert "n" in c
    assert c.get("n", 1) is None
    assert c.peek("n", 1) is None
    assert c["c"] is c
    assert c.pop("n", 1) is None


class TestRepr:
    def test_plain(self, impl: ModuleType) -> None:
        c = filled(impl, "abc")
        assert repr(c) == "LRUCache(size=3, capacity=10)"

    def test_weighted(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=100, weigher=len)
        c["a"] = "xx"
        c["b"] = "yyy"
        c["c"] = ""
        assert repr(c) == "LRUCache(size=3, capacity=10, weight=5, max_weight=100)"

    def test_simple(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(4)
        c.put(1, 1)
        assert repr(c) == "SimpleLRUCache(size=1, capacity=4)"

    def test_subclass_name(self, impl: ModuleType) -> None:
        class Mine(impl.LRUCache):  # type: ignore[name-defined,misc]
            pass

        assert repr(Mine(2)) == "Mine(size=0, capacity=2)"

    def test_no_contents(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10_000)
        for i in range(10_000):
            c[f"key-{i}"] = "v" * 100
        text = repr(c)
        assert "key-5" not in text
        assert len(text) < 200


def test_abc_and_mutable_mapping(impl: ModuleType) -> None:
    for c in (impl.LRUCache(2), impl.SimpleLRUCache(2)):
        assert isinstance(c, Cache)
        assert isinstance(c, collections.abc.MutableMapping)
        assert isinstance(c, collections.abc.Mapping)


def test_generic_alias(impl: ModuleType) -> None:
    alias = impl.LRUCache[str, Any]
    assert isinstance(alias, types.GenericAlias)
    assert alias.__origin__ is impl.LRUCache
    assert alias.__args__ == (str, Any)
    simple = impl.SimpleLRUCache[str, int]
    assert simple.__origin__ is impl.SimpleLRUCache
    assert impl.LRUCache[str, int] == impl.LRUCache[str, int]


def test_weakref(impl: ModuleType) -> None:
    for cls in (impl.LRUCache, impl.SimpleLRUCache):
        c = cls(2)
        ref = weakref.ref(c)
        assert ref() is c
        proxy = weakref.proxy(c)
        c.put("a", 1)
        assert len(proxy) == 1
        del c
        gc.collect()
        assert ref() is None


def test_getsizeof_grows_with_the_table(impl: ModuleType) -> None:
    empty = impl.LRUCache(100_000)
    big = impl.LRUCache(100_000)
    for i in range(10_000):
        big[i] = None
    assert sys.getsizeof(empty) > 0
    # at least a pointer per entry, whatever the table layout
    assert sys.getsizeof(big) >= sys.getsizeof(empty) + 10_000 * 8
    big.clear()
    for i in range(20_000):
        big[i] = None
    assert sys.getsizeof(big) >= sys.getsizeof(empty) + 20_000 * 8


def test_consistent_after_mixed_use(impl: ModuleType) -> None:
    c = impl.LRUCache(50)
    for i in range(500):
        c[i % 73] = i
        if i % 7 == 0:
            c.pop((i * 3) % 73, None)
        if i % 11 == 0:
            c.get(i % 13)
    assert_consistent(c)
