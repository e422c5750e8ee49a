"""Helpers shared by the behaviour tests (imported as ``_support``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

MISSING: Any = object()


def assert_consistent(c: Any) -> None:
    """len, iteration, lookups, views, stats and the bounds all agree."""
    keys = list(c)
    assert len(keys) == len(c) == c.current_size()
    items = list(c.items())
    values = list(c.values())
    assert len(items) == len(values) == len(keys)
    for key, (ikey, ivalue), value in zip(keys, items, values, strict=True):
        assert ikey is key
        assert ivalue is value
        assert key in c
        assert c.peek(key, MISSING) is value
    assert len(c) <= max(c.capacity, 0)
    stats = c.stats()
    assert stats.size == len(c)
    assert stats.capacity == c.capacity
    if c.max_weight is not None:
        assert 0 <= c.weight <= c.max_weight
        assert stats.weight == c.weight
    else:
        assert c.weight is None


class Collider:
    """A key equal by value whose hash always collides (hash 1 by default)."""

    __slots__ = ("hash", "value")

    def __init__(self, value: Any, hash: int = 1) -> None:
        self.value = value
        self.hash = hash

    def __hash__(self) -> int:
        return self.hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Collider):
            return NotImplemented
        return bool(self.value == other.value)

    def __repr__(self) -> str:
        return f"Collider({self.value!r})"


class Recorder:
    """An on_evict callback that records its arguments."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any) -> None:
        self.calls.append(args)


def asked_for(config: Any, folder: Path) -> bool:
    """True when a command-line argument names ``folder`` or something inside it.

    The optional groups (tests/kv, tests/mellea, tests/typing) are collected only then,
    so a plain ``pytest`` needs none of their libraries.
    """
    start = config.invocation_params.dir
    for arg in config.args:
        path = (start / arg.split("::", 1)[0]).resolve()
        if path == folder or folder in path.parents:
            return True
    return False
