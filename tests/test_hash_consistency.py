"""The core computes some hashes inline; they must equal Python's own."""

from __future__ import annotations

import random
from types import ModuleType


class IntSubclass(int):
    """Equal to the int, hashed by Python (never by an inline fast path)."""


def _sample_ints() -> list[int]:
    rng = random.Random(0)
    edges = [0, 1, -1, -2, 2, 2**30 - 1, 2**30, -(2**30), 2**60 - 1, -(2**60 - 1), 2**60]
    edges += [2**61 - 2, 2**61 - 1, 2**61, -(2**61), 2**62, 2**64 + 5, -(2**64)]
    randoms = [rng.getrandbits(rng.randrange(1, 70)) * rng.choice((1, -1)) for _ in range(5000)]
    return edges + randoms


def test_int_keys_found_by_equal_objects_of_other_types(impl: ModuleType) -> None:
    values = _sample_ints()
    c = impl.LRUCache(len(values) * 2)
    for v in values:
        c[v] = v
    for v in values:
        assert c.peek(IntSubclass(v), "missing") == v
        if abs(v) < 2**53:
            assert c.peek(float(v), "missing") == v
    assert c.peek(True) == 1 and c.peek(False) == 0


def test_lookups_by_int_find_keys_stored_as_other_types(impl: ModuleType) -> None:
    values = _sample_ints()
    c = impl.LRUCache(len(values) * 2)
    for v in values:
        c[IntSubclass(v)] = v
    for v in values:
        assert c.get(v, "missing") == v
