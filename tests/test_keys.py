"""Key semantics are dict's: hashes, equality across types, int/str subclasses, big ints."""

from __future__ import annotations

import random
from collections import OrderedDict
from types import ModuleType
from typing import Any

import pytest
from _support import MISSING, Recorder, assert_consistent


class HashedInt(int):
    """An int subclass with its own hash: the core must not inline int hashing for it."""

    def __hash__(self) -> int:
        return 12345


class EqInt(int):
    """An int subclass equal to everything of its hash bucket with the same parity."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, int) and int(self) % 2 == int(other) % 2

    __hash__ = int.__hash__


class HashedStr(str):
    def __hash__(self) -> int:
        return 7


INT_KEYS = [
    0,
    1,
    -1,
    -2,
    2**30 - 1,
    2**30,
    -(2**30),
    2**31,
    2**62,
    2**63 - 1,
    2**64,
    2**100,
    -(2**100),
    2**61 - 1,
    2**61,
    -(2**61 - 1),
]


def lookup_like_dict(c: Any, d: dict[Any, Any], key: Any) -> None:
    assert (key in c) == (key in d), key
    assert c.peek(key, MISSING) == d.get(key, MISSING), key


def test_int_keys_of_every_size(impl: ModuleType) -> None:
    c = impl.LRUCache(100)
    d: dict[Any, Any] = {}
    for i, key in enumerate(INT_KEYS):
        c[key] = i
        d[key] = i
    assert len(c) == len(d)
    for key in [*INT_KEYS, 3, -3, 2**65, float(2**30), float(2**62)]:
        lookup_like_dict(c, d, key)
    assert list(c) == INT_KEYS


def test_int_subclass_with_own_hash(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    d: dict[Any, Any] = {}
    for target in (c, d):
        target[HashedInt(3)] = "sub"
        target[4] = "four"
    for key in (3, HashedInt(3), 4, HashedInt(4), HashedInt(5)):
        lookup_like_dict(c, d, key)
    # 3 hashes to 3, HashedInt(3) to 12345: different keys, as in dict
    assert 3 not in c
    c[3] = "plain"
    d[3] = "plain"
    assert len(c) == len(d) == 3
    assert [type(k) for k in c] == [type(k) for k in d]


def test_int_subclass_with_own_eq(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    d: dict[Any, Any] = {}
    for target in (c, d):
        target[1] = "one"
        target[EqInt(1)] = "eq-one"
    assert dict(c.items()) == d
    assert [type(k) for k in c] == [type(k) for k in d]
    for key in (1, EqInt(1), EqInt(3), 3):
        lookup_like_dict(c, d, key)


def test_str_subclass_with_own_hash(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    d: dict[Any, Any] = {}
    for target in (c, d):
        target["abc"] = 1
        target[HashedStr("abc")] = 2
        target[HashedStr("xyz")] = 3
    assert len(c) == len(d)
    for key in ("abc", HashedStr("abc"), "xyz", HashedStr("xyz"), HashedStr("q")):
        lookup_like_dict(c, d, key)


def test_equal_strings_that_are_different_objects(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    key = "".join(["key", "-", str(12345)])
    c[key] = 1
    other = "-".join(["key", str(12345)])
    assert other is not key
    assert c[other] == 1
    c[other] = 2
    assert len(c) == 1
    assert next(iter(c)) is key


def test_zero_signs_and_floats(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    c[0.0] = "pos"
    c[-0.0] = "neg"
    c[0] = "int"
    assert len(c) == 1
    assert c[False] == "int"
    c[0.5] = "half"
    c[1.5] = "one and a half"
    assert c[0.5] == "half"
    assert 2**53 + 0.0 not in c


def test_tuple_and_frozenset_keys(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    c[(1, 2)] = "t"
    c[frozenset({1, 2})] = "f"
    assert c[(1.0, 2)] == "t"
    assert c[frozenset({2, 1})] == "f"
    assert (1, 2, 3) not in c
    with pytest.raises(TypeError):
        c[(1, [2])] = 1
    assert len(c) == 2


def test_bytes_and_none_keys(impl: ModuleType) -> None:
    c = impl.LRUCache(10)
    c[None] = "none"
    c[b"abc"] = "bytes"
    c["abc"] = "str"
    assert c[None] == "none"
    assert c[b"abc"] == "bytes"
    assert c["abc"] == "str"
    assert len(c) == 3


@pytest.mark.parametrize("seed", range(3))
def test_large_random_workload_against_a_model(impl: ModuleType, seed: int) -> None:
    rng = random.Random(seed)
    rec = Recorder()
    capacity = 700
    c = impl.LRUCache(capacity, rec)
    model: OrderedDict[Any, Any] = OrderedDict()
    evicted: list[tuple[Any, Any]] = []
    keyspace = [*range(-500, 1500), *(f"s{i}" for i in range(500)), *(i * 2**40 for i in range(50))]
    for step in range(30_000):
        key = rng.choice(keyspace)
        op = rng.random()
        if op < 0.55:
            if key in model:
                model[key] = step
                model.move_to_end(key)
            else:
                if len(model) >= capacity:
                    evicted.append(model.popitem(last=False))
                model[key] = step
            c[key] = step
        elif op < 0.8:
            expected = model.get(key)
            if key in model:
                model.move_to_end(key)
            assert c.get(key) == expected
        elif op < 0.9:
            assert c.pop(key, None) == model.pop(key, None)
        elif op < 0.905:
            capacity = rng.randrange(200, 1200)
            c.capacity = capacity
            while len(model) > capacity:
                evicted.append(model.popitem(last=False))
        elif op < 0.906:
            c.clear()
            model.clear()
        else:
            assert (key in c) == (key in model)
        if step % 5000 == 0:
            assert list(c.items()) == list(model.items())
    assert list(c.items()) == list(model.items())
    assert rec.calls == evicted
    assert_consistent(c)
