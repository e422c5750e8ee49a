"""Pickle, copy.copy and copy.deepcopy round trips."""

from __future__ import annotations

import copy
import pickle
from types import ModuleType
from typing import Any

import pytest

from cylru._base import CacheStats

CALLS: list[tuple[Any, ...]] = []


def module_level_callback(*args: Any) -> None:
    CALLS.append(args)


def module_level_weigher(value: Any) -> int:
    return len(value)


def build(impl: ModuleType, **kw: Any) -> Any:
    c = impl.LRUCache(5, module_level_callback, **kw)
    for key in ["a", 1, (2, "b"), None]:
        c[key] = [str(key)]
    c.get("a")
    c.get("missing")
    return c


def same_contents(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    assert list(a.items()) == list(b.items())
    assert [type(k) for k in a] == [type(k) for k in b]
    assert a.capacity == b.capacity
    assert a.max_weight == b.max_weight
    assert a.weigher == b.weigher
    assert a.weight == b.weight
    assert a.on_evict == b.on_evict


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(impl: ModuleType, protocol: int) -> None:
    c = build(impl)
    d = pickle.loads(pickle.dumps(c, protocol))
    same_contents(c, d)
    assert d.on_evict is module_level_callback
    assert d.stats() == CacheStats(0, 0, 0, 4, 5, None, None)


def test_pickle_weighted(impl: ModuleType) -> None:
    c = build(impl, max_weight=100, weigher=module_level_weigher)
    d = pickle.loads(pickle.dumps(c))
    same_contents(c, d)
    assert d.weigher is module_level_weigher
    assert d.weight == c.weight == 4
    with pytest.raises(ValueError):
        d["big"] = "x" * 101


def test_pickle_weighted_default_weigher(impl: ModuleType) -> None:
    c = impl.LRUCache(5, max_weight=2)
    c["a"] = 1
    d = pickle.loads(pickle.dumps(c))
    assert (d.max_weight, d.weigher, d.weight) == (2, None, 1)


def test_pickled_callback_still_fires(impl: ModuleType) -> None:
    c = build(impl)
    d = pickle.loads(pickle.dumps(c))
    del CALLS[:]
    d["new1"] = 1
    d["new2"] = 2
    d["new3"] = 3
    assert CALLS == [(1, ["1"]), ((2, "b"), ["(2, 'b')"])]


def test_pickle_simple_cache(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(2, module_level_callback)
    c.put("a", 1)
    c.put("b", 2)
    d = pickle.loads(pickle.dumps(c))
    assert type(d) is impl.SimpleLRUCache
    assert list(d.cache.items()) == [("a", 1), ("b", 2)]
    del CALLS[:]
    d.put("c", 3)
    assert CALLS == [(1,)]


def test_pickle_empty_and_zero_capacity(impl: ModuleType) -> None:
    for capacity in (0, -3, 7):
        c = impl.LRUCache(capacity)
        d = pickle.loads(pickle.dumps(c))
        assert d.capacity == capacity
        assert len(d) == 0
        assert d.on_evict is None


def test_pickle_unpicklable_callback_raises_pickles_error(impl: ModuleType) -> None:
    def local_callback(k: Any, v: Any) -> None:
        pass

    try:
        pickle.dumps(local_callback)
    except Exception as exc:
        expected: type[BaseException] = type(exc)
    else:  # pragma: no cover
        pytest.fail("a local function pickled")
    c = impl.LRUCache(3, local_callback)
    c["a"] = 1
    with pytest.raises(expected):
        pickle.dumps(c)
    assert list(c.items()) == [("a", 1)]


def test_pickle_unpicklable_value_raises(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["a"] = lambda: None
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(c)


def test_pickle_self_reference(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["me"] = c
    c["x"] = 1
    d = pickle.loads(pickle.dumps(c))
    assert d.peek("me") is d
    assert list(d) == ["me", "x"]


def test_reduce_shape(impl: ModuleType) -> None:
    c = build(impl)
    reduced = c.__reduce__()
    assert reduced[0] is impl.LRUCache
    assert reduced[1] == (5,)
    on_evict, max_weight, weigher, items, instance_dict = reduced[2]
    assert on_evict is module_level_callback
    assert max_weight is None
    assert weigher is None
    assert list(items) == list(c.items())
    assert instance_dict is None


def test_copy_copy(impl: ModuleType) -> None:
    c = build(impl)
    d = copy.copy(c)
    same_contents(c, d)
    for v1, v2 in zip(c.values(), d.values(), strict=True):
        assert v1 is v2
    d["z"] = 0
    assert "z" not in c
    assert d.stats().hits == 0


def test_copy_deepcopy(impl: ModuleType) -> None:
    c = build(impl, max_weight=50, weigher=module_level_weigher)
    d = copy.deepcopy(c)
    same_contents(c, d)
    for v1, v2 in zip(c.values(), d.values(), strict=True):
        assert v1 == v2
        assert v1 is not v2
    assert d.on_evict is module_level_callback


def test_deepcopy_self_reference(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["me"] = c
    d = copy.deepcopy(c)
    assert d["me"] is d


def test_deepcopy_with_local_callback(impl: ModuleType) -> None:
    calls = []
    c = impl.LRUCache(1, on_evict=lambda k, v: calls.append(k))
    c["a"] = 1
    d = copy.deepcopy(c)
    d["b"] = 2
    assert calls == ["a"]


def test_copy_method_of_subclass_keeps_class_and_dict(impl: ModuleType) -> None:
    class Tagged(impl.LRUCache):  # type: ignore[name-defined,misc]
        pass

    c = Tagged(3)
    c.tag = ["t"]
    c["a"] = 1
    for d in (c.copy(), copy.copy(c)):
        assert type(d) is Tagged
        assert d.tag is c.tag
        assert list(d.items()) == [("a", 1)]


def test_pickle_subclass_with_dict(impl: ModuleType) -> None:
    cls = _picklable_subclass(impl)
    c = cls(4)
    c.note = "hello"
    c["a"] = 1
    d = pickle.loads(pickle.dumps(c))
    assert type(d) is cls
    assert d.note == "hello"
    assert list(d.items()) == [("a", 1)]
    reduced = c.__reduce__()
    assert reduced[2][4] == {"note": "hello"}


_SUBCLASSES: dict[str, type] = {}


def _picklable_subclass(impl: ModuleType) -> type:
    name = f"PicklableSub_{impl.__name__.rsplit('.', 1)[-1]}"
    if name not in _SUBCLASSES:
        cls = type(name, (impl.LRUCache,), {"__module__": __name__, "__qualname__": name})
        globals()[name] = cls
        _SUBCLASSES[name] = cls
    return _SUBCLASSES[name]
