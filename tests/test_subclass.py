"""Python subclasses: overridden methods, super() calls, extra attributes."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from cylru._base import Cache


def test_override_with_super(impl: ModuleType) -> None:
    class Counting(impl.LRUCache):  # type: ignore[name-defined,misc]
        def __init__(self, capacity: int, label: str) -> None:
            super().__init__(capacity)
            self.label = label
            self.sets = 0
            self.gets = 0

        def __setitem__(self, key: Any, value: Any) -> None:
            self.sets += 1
            super().__setitem__(key, value)

        def __getitem__(self, key: Any) -> Any:
            self.gets += 1
            return super().__getitem__(key)

        def get(self, key: Any, default: Any = None) -> Any:
            return ("wrapped", super().get(key, default))

    c = Counting(2, "lbl")
    c["a"] = 1
    c["b"] = 2
    c["c"] = 3
    assert c.sets == 3
    assert c["b"] == 2
    assert c.gets == 1
    assert c.get("c") == ("wrapped", 3)
    assert c.get("a") == ("wrapped", None)
    assert c.label == "lbl"
    assert list(c) == ["b", "c"]
    assert isinstance(c, Cache)
    assert len(c) == 2


def test_override_on_evict_hook_style(impl: ModuleType) -> None:
    class Freeing(impl.SimpleLRUCache):  # type: ignore[name-defined,misc]
        def __init__(self, capacity: int) -> None:
            self.freed: list[Any] = []
            super().__init__(capacity, on_evict=self.freed.append)

        def put(self, key: Any, value: Any) -> None:
            super().put(key, value * 10)

    c = Freeing(1)
    c.put("a", 1)
    c.put("b", 2)
    assert c.freed == [10]
    assert c.get("b") == 20
    assert type(c).__name__ == "Freeing"


def test_mutable_mapping_mixins_use_overrides(impl: ModuleType) -> None:
    class Upper(impl.LRUCache):  # type: ignore[name-defined,misc]
        def __contains__(self, key: Any) -> bool:
            return super().__contains__(key.upper())

    c = Upper(3)
    c["A"] = 1
    assert "a" in c
    assert "b" not in c


def test_subclass_with_slots_and_class_attributes(impl: ModuleType) -> None:
    class Slotted(impl.LRUCache):  # type: ignore[name-defined,misc]
        kind = "slotted"
        __slots__ = ("extra",)

    c = Slotted(2)
    c.extra = 5
    c["a"] = 1
    assert (c.kind, c.extra, c["a"]) == ("slotted", 5, 1)


def test_subclass_of_subclass_super_chain(impl: ModuleType) -> None:
    log: list[str] = []

    class A(impl.LRUCache):  # type: ignore[name-defined,misc]
        def pop(self, key: Any, *default: Any) -> Any:
            log.append("A")
            return super().pop(key, *default)

    class B(A):
        def pop(self, key: Any, *default: Any) -> Any:
            log.append("B")
            return super().pop(key, *default)

    c = B(3)
    c["k"] = "v"
    assert c.pop("k") == "v"
    assert c.pop("k", 0) == 0
    with pytest.raises(KeyError):
        c.pop("k")
    assert log == ["B", "A"] * 3


def test_subclass_stats_and_copy(impl: ModuleType) -> None:
    class Sub(impl.LRUCache):  # type: ignore[name-defined,misc]
        pass

    c = Sub(2)
    c["a"] = 1
    c.get("a")
    assert c.stats().hits == 1
    d = c.copy()
    assert type(d) is Sub
    assert d == c


def test_generic_alias_of_subclass(impl: ModuleType) -> None:
    class Sub(impl.LRUCache):  # type: ignore[name-defined,misc]
        pass

    assert Sub[str, int].__origin__ is Sub
