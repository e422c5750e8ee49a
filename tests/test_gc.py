"""Garbage collection: cycles through keys, values and callbacks are collected."""

from __future__ import annotations

import gc
import weakref
from types import ModuleType
from typing import Any

import pytest


class Node:
    """A hashable object that can hold a reference to anything."""

    def __init__(self) -> None:
        self.ref: Any = None


def collected(make: Any) -> bool:
    ref = make()
    gc.collect()
    gc.collect()
    return ref() is None


@pytest.mark.parametrize("cls_name", ["LRUCache", "SimpleLRUCache"])
def test_cache_stored_in_itself(impl: ModuleType, cls_name: str) -> None:
    def make() -> weakref.ref[Any]:
        c = getattr(impl, cls_name)(3)
        c.put("self", c)
        return weakref.ref(c)

    assert collected(make)


def test_cycle_through_a_value(impl: ModuleType) -> None:
    def make() -> weakref.ref[Any]:
        c = impl.LRUCache(3)
        node = Node()
        node.ref = c
        c["node"] = node
        return weakref.ref(node)

    assert collected(make)


def test_cycle_through_a_key(impl: ModuleType) -> None:
    def make() -> weakref.ref[Any]:
        c = impl.LRUCache(3)
        node = Node()
        node.ref = c
        c[node] = 1
        return weakref.ref(node)

    assert collected(make)


def test_cycle_through_on_evict(impl: ModuleType) -> None:
    # The common pattern: an owner keeps a cache whose callback is its own method.
    class Owner:
        def __init__(self) -> None:
            self.cache = impl.LRUCache(3, on_evict=self.free)

        def free(self, key: Any, value: Any) -> None:
            pass

    def make() -> weakref.ref[Any]:
        return weakref.ref(Owner())

    assert collected(make)


def test_cycle_through_weigher(impl: ModuleType) -> None:
    class Owner:
        def __init__(self) -> None:
            self.cache = impl.LRUCache(3, max_weight=10, weigher=self.weigh)

        def weigh(self, value: Any) -> int:
            return 1

    def make() -> weakref.ref[Any]:
        return weakref.ref(Owner())

    assert collected(make)


def test_cycle_through_simple_cache_callback(impl: ModuleType) -> None:
    class Owner:
        def __init__(self) -> None:
            self.cache = impl.SimpleLRUCache(3, self.free)
            self.cache.put("me", self)

        def free(self, value: Any) -> None:
            pass

    def make() -> weakref.ref[Any]:
        return weakref.ref(Owner())

    assert collected(make)


def test_cycle_through_a_subclass_dict(impl: ModuleType) -> None:
    class Sub(impl.LRUCache):  # type: ignore[name-defined,misc]
        pass

    def make() -> weakref.ref[Any]:
        c = Sub(2)
        c.me = c
        return weakref.ref(c)

    assert collected(make)


def test_many_cycles_after_eviction_and_clear(impl: ModuleType) -> None:
    def make() -> weakref.ref[Any]:
        c = impl.LRUCache(5)
        for i in range(20):
            node = Node()
            node.ref = c
            c[i] = node
        c.clear()
        c["last"] = Node()
        c["last"].ref = c
        return weakref.ref(c)

    assert collected(make)


def test_gc_sees_keys_and_values(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    key, value = Node(), Node()
    c[key] = value
    # the core reports them directly; the pure twin through its own containers
    reachable: set[int] = set()
    frontier: list[Any] = [c]
    for _ in range(4):
        next_frontier = []
        for obj in frontier:
            for ref in gc.get_referents(obj):
                if id(ref) not in reachable and not isinstance(ref, (type, ModuleType)):
                    reachable.add(id(ref))
                    next_frontier.append(ref)
        frontier = next_frontier
    assert id(key) in reachable
    assert id(value) in reachable


def test_evicted_values_are_released(impl: ModuleType) -> None:
    c = impl.LRUCache(2)
    refs = []
    for i in range(5):
        node = Node()
        refs.append(weakref.ref(node))
        c[i] = node
        del node
    # no gc needed: nothing should hold evicted values
    assert [r() is None for r in refs] == [True, True, True, False, False]
    c.pop(3)
    del c[4]
    assert all(r() is None for r in refs)


def test_callback_does_not_keep_the_value(impl: ModuleType) -> None:
    seen = []
    c = impl.LRUCache(1, on_evict=lambda k, v: seen.append(weakref.ref(v)))
    c["a"] = Node()
    c["b"] = Node()
    assert len(seen) == 1
    assert seen[0]() is None
