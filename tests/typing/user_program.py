"""A small typed program using cylru's public API, as a user would write it.

``mypy --strict`` and pyright (strict) must accept it with no error, and it must run
(tests/typing/test_typing.py does all three).  ``assert_type`` fails the check when an
expression's type is not exactly the one given, ``Any`` included: this is what proves
that keys, values, views and callbacks are typed, not merely accepted.
"""

from __future__ import annotations

import sys
from collections.abc import ItemsView, KeysView, MutableMapping, ValuesView
from typing import Literal

import cylru
from cylru import Cache, CacheStats, LRUCache, SimpleLRUCache, nbytes

if sys.version_info >= (3, 11):
    from typing import assert_type
else:
    from typing_extensions import assert_type

evicted: list[tuple[str, bytes]] = []
released: list[list[int]] = []


def remember(key: str, value: bytes) -> None:
    evicted.append((key, value))


def release(value: list[int]) -> None:
    released.append(value)


def size_of(value: bytes) -> int:
    return len(value)


# The key and value types come from the callback alone.
inferred = LRUCache(2, remember)
assert_type(inferred, LRUCache[str, bytes])

cache: LRUCache[str, bytes] = LRUCache(100, remember, max_weight=1 << 20, weigher=size_of)
cache["a"] = b"x"
cache.put("b", b"yy")
cache.update({"c": b"zzz"})
assert_type(cache["a"], bytes)
assert_type(cache.get("a"), bytes | None)
assert_type(cache.get("a", b""), bytes)
assert_type(cache.get("missing", None), bytes | None)
assert_type(cache.peek("b"), bytes | None)
assert_type(cache.peek("b", b""), bytes)
assert_type(cache.setdefault("d", b"w"), bytes)
assert_type(cache.pop("d"), bytes)
assert_type(cache.pop("d", None), bytes | None)
assert_type(cache.current_size(), int)
assert_type(len(cache), int)
assert_type("a" in cache, bool)
assert_type(cache.capacity, int)
assert_type(cache.max_weight, int | None)
assert_type(cache.weight, int | None)
assert_type(cache.stats(), CacheStats)
assert_type(cache.stats().hits, int)
assert_type(cache.copy(), LRUCache[str, bytes])

keys: KeysView[str] = cache.keys()
values: ValuesView[bytes] = cache.values()
items: ItemsView[str, bytes] = cache.items()
for key in cache.keys():  # noqa: SIM118 (the view's type is what is checked)
    assert_type(key, str)
for value in cache.values():
    assert_type(value, bytes)
for key, value in cache.items():
    assert_type(key, str)
    assert_type(value, bytes)
for key in cache:
    assert_type(key, str)

cache.capacity = 1  # evicts the least recent: "a" was read last
assert_type(cache.popitem(), tuple[str, bytes])
cache.on_evict = remember
cache.on_evict = None
cache.clear_stats()
cache.clear()

# Any function of the value returning an int is a weigher; nbytes takes any object.
by_bytes: LRUCache[str, bytes] = LRUCache(8, max_weight=1 << 30, weigher=nbytes)
by_bytes["k"] = b"0123"
assert by_bytes.weight == 4

# mellea's drop-in: the callback gets the value only; .cache is a typed live view.
simple: SimpleLRUCache[str, list[int]] = SimpleLRUCache(1, release)
simple.put("x", [1])
simple.put("y", [2])
assert_type(simple.get("y"), list[int] | None)
for held in simple.cache:
    assert_type(held, str)
for held, numbers in simple.cache.items():
    assert_type(held, str)
    assert_type(numbers, list[int])
assert_type(simple.cache["y"], list[int])
simple.on_evict = release

# Both are mappings and mellea-style Caches.
as_mapping: MutableMapping[str, bytes] = cache
as_cache: Cache = simple
assert_type(cylru.IMPLEMENTATION, Literal["cython", "python"])
assert_type(cylru.__version__, str)

assert evicted == [("b", b"yy"), ("c", b"zzz")], evicted
assert released == [[1]], released
print(f"user program ran on the {cylru.IMPLEMENTATION} core")
