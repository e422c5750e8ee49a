"""Everything mellea's own cache tests check, plus SimpleLRUCache's ``cache`` view."""

from __future__ import annotations

import random
from collections import OrderedDict
from collections.abc import MutableMapping
from types import ModuleType

import pytest
from _support import Collider, Recorder, assert_consistent

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
    def test_is_a_mutable_mapping(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(3)
        c.put("a", 1)
        view = c.cache
        assert isinstance(view, MutableMapping)
        assert dict(view) == {"a": 1}
        assert view == {"a": 1}

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


class TestCacheViewWrites:
    """``.cache`` writes like mellea's OrderedDict (docs/contract.md section 2)."""

    def test_mellea_teardown_pattern_empties_the_cache(self, impl: ModuleType) -> None:
        # mellea's test/conftest.py cleanup_gpu_backend, on a backend holding our cache.
        rec = Recorder()

        class Backend:
            _cache = impl.SimpleLRUCache(5, on_evict=rec)

        backend = Backend()
        values = [object() for _ in range(4)]
        for i, value in enumerate(values):
            backend._cache.put(i, value)
        if hasattr(backend, "_cache") and hasattr(backend._cache, "cache"):
            for key in list(backend._cache.cache.keys()):
                value = backend._cache.cache.pop(key)
                if backend._cache.on_evict is not None:
                    backend._cache.on_evict(value)
        assert backend._cache.current_size() == 0
        assert [call[0] for call in rec.calls] == values  # each released once, by the teardown
        assert backend._cache.stats().evictions == 0
        assert_consistent(backend._cache)

    def test_pop_calls_no_callback_and_counts_nothing(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(3, on_evict=rec)
        c.put("a", 1)
        c.put("b", 2)
        view = c.cache
        assert view.pop("a") == 1
        assert view.pop("a", "gone") == "gone"
        assert view.pop("a", None) is None
        with pytest.raises(KeyError):
            view.pop("a")
        assert list(c) == ["b"]
        assert rec.calls == []
        assert c.stats()[:3] == (0, 0, 0)
        assert_consistent(c)

    def test_del_and_clear_call_no_callback(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(3, on_evict=rec)
        for key in "abc":
            c.put(key, key)
        del c.cache["b"]
        with pytest.raises(KeyError):
            del c.cache["b"]
        assert list(c) == ["a", "c"]
        c.cache.clear()
        assert len(c) == 0
        assert rec.calls == []
        assert c.stats().evictions == 0
        assert_consistent(c)

    def test_setitem_stores_like_put(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(2, on_evict=rec)
        view = c.cache
        view["a"] = 1
        view["b"] = 2
        view["a"] = 10  # replaces and promotes, no callback
        view["c"] = 3  # evicts the least recent, "b", through on_evict
        assert list(view.items()) == [("a", 10), ("c", 3)]
        assert rec.calls == [(2,)]
        assert c.stats().evictions == 1
        empty = impl.SimpleLRUCache(0, on_evict=rec)
        empty.cache["x"] = 1  # capacity 0 stores nothing, as put
        assert len(empty) == 0

    def test_popitem_defaults_to_the_most_recent(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(5, on_evict=rec)
        model: OrderedDict[str, str] = OrderedDict()
        for key in "abcd":
            c.put(key, key.upper())
            model[key] = key.upper()
        c.get("b")
        model.move_to_end("b")
        view = c.cache
        assert view.popitem() == model.popitem() == ("b", "B")
        assert view.popitem(last=False) == model.popitem(last=False) == ("a", "A")
        assert view.popitem(True) == model.popitem(True) == ("d", "D")
        assert list(view.items()) == list(model.items()) == [("c", "C")]
        assert view.popitem(last=False) == ("c", "C")
        with pytest.raises(KeyError):
            view.popitem()
        with pytest.raises(KeyError):
            view.popitem(last=False)
        assert rec.calls == []
        assert c.stats()[:3] == (1, 0, 0)  # the one get above
        assert_consistent(c)

    def test_move_to_end_changes_what_is_evicted(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.SimpleLRUCache(3, on_evict=rec)
        for key in "abc":
            c.put(key, key.upper())
        view = c.cache
        view.move_to_end("a")
        assert list(view) == ["b", "c", "a"]
        view.move_to_end("a", last=False)
        view.move_to_end("c", False)
        assert list(view) == ["c", "a", "b"]
        assert list(reversed(view)) == ["b", "a", "c"]
        view.move_to_end("b", last=True)  # already the most recent: no change
        assert list(view) == ["c", "a", "b"]
        with pytest.raises(KeyError):
            view.move_to_end("zz")
        with pytest.raises(KeyError):
            view.move_to_end("zz", last=False)
        assert rec.calls == []
        assert c.stats()[:3] == (0, 0, 0)  # no hit, no miss
        c.put("d", "D")
        assert rec.calls == [("C",)]
        c.put("e", "E")
        assert rec.calls == [("C",), ("A",)]
        assert_consistent(c)

    def test_move_to_end_of_the_only_entry(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(3)
        c.put("a", 1)
        for last in (False, True, False):
            c.cache.move_to_end("a", last=last)
            assert list(c.cache) == list(reversed(c.cache)) == ["a"]
        c.put("b", 2)
        assert list(c) == ["a", "b"]
        assert_consistent(c)

    def test_move_to_end_while_iterating_raises_like_ordered_dict(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(5)
        for key in "abcd":
            c.put(key, key)
        model = OrderedDict((key, key) for key in "abcd")
        for target in (c.cache, model):
            it = iter(target)
            assert next(it) == "a"
            target.move_to_end("a", last=False)  # already there: nothing moves
            target.move_to_end("d", last=True)
            assert next(it) == "b"
            target.move_to_end("d", last=False)
            with pytest.raises(RuntimeError):
                next(it)
        assert list(c) == list(model) == ["d", "a", "b", "c"]

    def test_reversed_is_most_recent_first_and_reads_only(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(4)
        for key in "abc":
            c.put(key, key)
        c.get("a")
        before = c.stats()
        assert list(reversed(c.cache)) == ["a", "c", "b"]
        assert c.stats() == before
        assert list(c) == ["b", "c", "a"]

    def test_copy_is_an_ordered_dict_snapshot(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(4)
        for key in "abc":
            c.put(key, key.upper())
        snapshot = c.cache.copy()
        assert type(snapshot) is OrderedDict
        assert list(snapshot.items()) == [("a", "A"), ("b", "B"), ("c", "C")]
        c.put("d", "D")
        assert "d" not in snapshot

    def test_colliding_keys(self, impl: ModuleType) -> None:
        c = impl.SimpleLRUCache(4)
        keys = [Collider(i) for i in range(4)]
        for key in keys:
            c.put(key, key.value)
        c.cache.move_to_end(Collider(2), last=False)
        c.cache.move_to_end(Collider(0))
        assert [key.value for key in c.cache] == [2, 1, 3, 0]
        assert c.cache.pop(Collider(1)) == 1
        assert c.cache.popitem() == (keys[0], 0)
        assert c.cache.popitem(last=False) == (keys[2], 2)
        assert list(c.cache.items()) == [(keys[3], 3)]
        assert_consistent(c)

    def test_writes_keep_the_weight_of_a_weighted_subclass(self, impl: ModuleType) -> None:
        class Weighted(impl.SimpleLRUCache):  # type: ignore[name-defined,misc]
            def __init__(self) -> None:
                impl.LRUCache.__init__(self, 10, None, max_weight=20, weigher=len)

        c = Weighted()
        for key, value in zip("abcd", ["xx", "yyy", "zzzz", "w"], strict=True):
            c.cache[key] = value
        assert c.weight == 10
        c.cache.move_to_end("a", last=False)
        assert c.cache.popitem() == ("d", "w")
        assert c.cache.popitem(last=False) == ("a", "xx")
        assert c.cache.pop("b") == "yyy"
        assert c.weight == 4 == sum(len(v) for v in c.cache.values())
        assert_consistent(c)

    @pytest.mark.parametrize("seed", range(5))
    def test_lockstep_with_mellea_ordered_dict(self, impl: ModuleType, seed: int) -> None:
        """Random operations on the cache and its view, and on mellea's algorithm over an
        OrderedDict (mellea/backends/cache.py), give the same contents, order and callbacks."""
        rng = random.Random(seed)
        capacity = 4
        rec = Recorder()
        c = impl.SimpleLRUCache(capacity, on_evict=rec)
        view = c.cache
        model: OrderedDict[int, int] = OrderedDict()
        released: list[tuple[int]] = []

        def model_put(key: int, value: int) -> None:
            if key in model:
                model.pop(key)
            elif len(model) >= capacity:
                released.append((model.popitem(last=False)[1],))
            model[key] = value

        def both(operation: str, *args: object) -> None:
            results = []
            for target in (view, model):
                try:
                    results.append(("ok", getattr(target, operation)(*args)))
                except KeyError:
                    results.append(("KeyError", None))
            assert results[0] == results[1], (operation, args)

        for step in range(300):
            key = rng.randrange(8)
            choice = rng.randrange(9)
            if choice == 0:
                c.put(key, step)
                model_put(key, step)
            elif choice == 1:
                view[key] = step
                model_put(key, step)
            elif choice == 2:
                expected = model.get(key)
                if expected is not None:
                    model.move_to_end(key)
                assert c.get(key) == expected
            elif choice == 3:
                both("pop", key, None)
            elif choice == 4:
                both("pop", key)
            elif choice == 5:
                both("popitem", rng.random() < 0.5)
            elif choice == 6:
                both("move_to_end", key, rng.random() < 0.5)
            elif choice == 7:
                both("__delitem__", key)
            elif rng.random() < 0.1:
                both("clear")
            assert list(view.items()) == list(model.items())
            assert list(reversed(view)) == list(reversed(model))
            assert rec.calls == released
        assert_consistent(c)
