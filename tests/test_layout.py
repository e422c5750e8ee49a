"""Memory layout promises: lazy growth, and no growth under churn."""

from __future__ import annotations

import sys
from types import ModuleType


def test_huge_capacity_allocates_lazily(impl: ModuleType) -> None:
    c = impl.LRUCache(10**9)
    for key in ("a", "b", "c"):
        c[key] = key
    assert list(c) == ["a", "b", "c"]
    assert sys.getsizeof(c) < 16 * 1024


def test_table_grows_with_entries(impl: ModuleType) -> None:
    c = impl.LRUCache(100_000)
    small = sys.getsizeof(c)
    for i in range(10_000):
        c[i] = i
    assert sys.getsizeof(c) > small + 10_000 * 8


def test_churn_does_not_grow_the_table(impl: ModuleType) -> None:
    c = impl.LRUCache(1000)
    for i in range(1000):
        c[i] = i
    filled = sys.getsizeof(c)
    for i in range(1000, 200_000):
        c[i] = i
        if i % 3 == 0:
            del c[i - 500]
    assert len(c) <= 1000
    assert sys.getsizeof(c) <= 2 * filled
    # every surviving key is still found after all that shifting
    for key in list(c):
        assert c.peek(key) == key


def test_clear_releases_the_table(impl: ModuleType) -> None:
    c = impl.LRUCache(10**6)
    empty = sys.getsizeof(c)
    for i in range(50_000):
        c[i] = i
    assert sys.getsizeof(c) > empty
    c.clear()
    assert sys.getsizeof(c) <= empty + 1024


def test_random_churn_matches_an_ordered_model(impl: ModuleType) -> None:
    # A nearly full table with hash clustering (keys that share low bits) and
    # random deletions: every shift must keep every live key reachable.
    import random
    from collections import OrderedDict

    rng = random.Random(5)
    capacity = 3000
    c = impl.LRUCache(capacity)
    model: OrderedDict[int, int] = OrderedDict()
    keys = [rng.getrandbits(12) << 20 | rng.getrandbits(3) for _ in range(5000)]
    for step in range(60_000):
        key = rng.choice(keys)
        roll = rng.random()
        if roll < 0.55:
            c[key] = step
            if key in model:
                model.move_to_end(key)
            elif len(model) >= capacity:
                model.popitem(last=False)
            model[key] = step
        elif roll < 0.8:
            assert c.pop(key, None) == model.pop(key, None)
        else:
            expected = model.get(key)
            if expected is not None:
                model.move_to_end(key)
            assert c.get(key) == expected
    assert list(c.items()) == list(model.items())
    for key in keys:
        assert (key in c) == (key in model)
