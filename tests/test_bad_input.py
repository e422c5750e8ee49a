"""Bad arguments raise TypeError/ValueError naming the argument and change nothing."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest
from _support import Recorder, assert_consistent

BAD_CAPACITIES: list[tuple[Any, type[Exception]]] = [
    ("10", TypeError),
    (1.0, TypeError),
    (None, TypeError),
    ([], TypeError),
    (sys.maxsize + 1, ValueError),
    (2**100, ValueError),
]


def snapshot(c: Any) -> tuple[Any, ...]:
    return (list(c.items()), c.capacity, c.on_evict, c.max_weight, c.weight, c.stats())


@pytest.mark.parametrize(("bad", "exc"), BAD_CAPACITIES)
@pytest.mark.parametrize("cls_name", ["LRUCache", "SimpleLRUCache"])
def test_bad_capacity_in_constructor(
    impl: ModuleType, cls_name: str, bad: Any, exc: type[Exception]
) -> None:
    with pytest.raises(exc, match="capacity"):
        getattr(impl, cls_name)(bad)


@pytest.mark.parametrize(("bad", "exc"), BAD_CAPACITIES)
def test_bad_capacity_assignment(impl: ModuleType, bad: Any, exc: type[Exception]) -> None:
    rec = Recorder()
    c = impl.LRUCache(3, rec)
    c["a"] = 1
    before = snapshot(c)
    with pytest.raises(exc, match="capacity"):
        c.capacity = bad
    assert snapshot(c) == before
    assert rec.calls == []


def test_capacity_message_names_the_type(impl: ModuleType) -> None:
    with pytest.raises(TypeError, match="str"):
        impl.LRUCache("10")


def test_capacity_cannot_be_deleted(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    with pytest.raises((AttributeError, TypeError)):
        del c.capacity
    assert c.capacity == 3


def test_capacity_is_required(impl: ModuleType) -> None:
    with pytest.raises(TypeError):
        impl.LRUCache()
    with pytest.raises(TypeError):
        impl.SimpleLRUCache()


@pytest.mark.parametrize("bad", [5, "f", object()])
def test_non_callable_on_evict(impl: ModuleType, bad: Any) -> None:
    with pytest.raises(TypeError, match="on_evict"):
        impl.LRUCache(3, bad)
    with pytest.raises(TypeError, match="on_evict"):
        impl.LRUCache(3, on_evict=bad)
    with pytest.raises(TypeError, match="on_evict"):
        impl.SimpleLRUCache(3, bad)
    rec = Recorder()
    for c in (impl.LRUCache(1, rec), impl.SimpleLRUCache(1, rec)):
        with pytest.raises(TypeError, match="on_evict"):
            c.on_evict = bad
        assert c.on_evict is rec


def test_on_evict_none_is_fine(impl: ModuleType) -> None:
    c = impl.LRUCache(1, on_evict=None)
    c.on_evict = Recorder()
    c.on_evict = None
    c["a"] = 1
    c["b"] = 2
    assert list(c) == ["b"]


@pytest.mark.parametrize(
    ("bad", "exc"),
    [("10", TypeError), (1.5, TypeError), (-1, ValueError), (sys.maxsize + 1, ValueError)],
)
def test_bad_max_weight(impl: ModuleType, bad: Any, exc: type[Exception]) -> None:
    with pytest.raises(exc, match="max_weight"):
        impl.LRUCache(3, max_weight=bad)


def test_max_weight_bounds_allowed(impl: ModuleType) -> None:
    assert impl.LRUCache(3, max_weight=0).max_weight == 0
    assert impl.LRUCache(3, max_weight=sys.maxsize).max_weight == sys.maxsize


def test_bad_weigher(impl: ModuleType) -> None:
    with pytest.raises(TypeError, match="weigher"):
        impl.LRUCache(3, max_weight=10, weigher=5)
    with pytest.raises(ValueError, match="weigher"):
        impl.LRUCache(3, weigher=len)


def test_weight_arguments_are_keyword_only(impl: ModuleType) -> None:
    with pytest.raises(TypeError):
        impl.LRUCache(3, None, 10)


def test_validation_order_capacity_first(impl: ModuleType) -> None:
    with pytest.raises(TypeError, match="capacity"):
        impl.LRUCache("x", 5)


UNHASHABLE = [[], {}, set(), bytearray(b"x")]


@pytest.mark.parametrize("key", UNHASHABLE, ids=lambda k: type(k).__name__)
def test_unhashable_keys(impl: ModuleType, key: Any) -> None:
    rec = Recorder()
    c = impl.LRUCache(2, rec)
    c["a"] = 1
    c["b"] = 2
    before = snapshot(c)
    ops = [
        lambda: c.__setitem__(key, 1),
        lambda: c.put(key, 1),
        lambda: c[key],
        lambda: c.get(key),
        lambda: c.get(key, 5),
        lambda: c.peek(key),
        lambda: key in c,
        lambda: c.pop(key),
        lambda: c.pop(key, None),
        lambda: c.__delitem__(key),
        lambda: c.setdefault(key, 1),
    ]
    for op in ops:
        with pytest.raises(TypeError, match="unhashable"):
            op()
    assert snapshot(c) == before
    assert rec.calls == []
    assert_consistent(c)


def test_unhashable_keys_simple_cache(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(1)
    c.put("a", 1)
    with pytest.raises(TypeError, match="unhashable"):
        c.put([], 1)
    with pytest.raises(TypeError, match="unhashable"):
        c.get([])
    assert list(c.cache.items()) == [("a", 1)]


def test_wrong_arity(impl: ModuleType) -> None:
    c = impl.LRUCache(2)
    with pytest.raises(TypeError):
        c.get()
    with pytest.raises(TypeError):
        c.get(1, 2, 3)
    with pytest.raises(TypeError):
        c.peek()
    with pytest.raises(TypeError):
        c.pop()
    with pytest.raises(TypeError):
        c.pop(1, 2, 3)
    with pytest.raises(TypeError):
        c.put(1)
    with pytest.raises(TypeError):
        c.popitem(1)
    with pytest.raises(TypeError):
        c.get(1, dflt=2)
    assert len(c) == 0


def test_read_only_attributes(impl: ModuleType) -> None:
    c = impl.LRUCache(2, max_weight=5)
    with pytest.raises(AttributeError):
        c.weight = 3
    with pytest.raises(AttributeError):
        c.weigher = len
    s = impl.SimpleLRUCache(2)
    with pytest.raises(AttributeError):
        s.cache = {}
    assert c.weight == 0
