"""cylru.nbytes: buffers counted once, containers walked, cycles and depth bounded.

Torch tensors and transformers' DynamicCache are tested in the kv group (tests/kv);
here numpy arrays and plain buffers stand in for them.
"""

from __future__ import annotations

import collections
import dataclasses
import subprocess
import sys
import types
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np
import pytest

import cylru
from cylru import nbytes


def test_exported() -> None:
    assert "nbytes" in cylru.__all__
    assert cylru.nbytes is nbytes


# Leaves -------------------------------------------------------------------------------


def test_bytes_and_bytearray_count_their_length() -> None:
    assert nbytes(b"") == 0
    assert nbytes(b"abc") == 3
    assert nbytes(bytearray(10)) == 10


def test_non_buffers_weigh_nothing() -> None:
    for value in (None, 0, 1.5, 2j, True, "a long string" * 100, object(), [], {}):
        assert nbytes(value) == 0


def test_numpy_array_counts_its_nbytes() -> None:
    assert nbytes(np.zeros(100, dtype=np.float64)) == 800
    assert nbytes(np.zeros((3, 5), dtype=np.int16)) == 30


def test_object_array_counts_its_pointers_only() -> None:
    array = np.empty(4, dtype=object)
    array[:] = [bytes(1000)] * 4
    assert nbytes(array) == array.nbytes


def test_any_object_with_integer_nbytes_is_a_leaf() -> None:
    class Buffer:
        def __init__(self, size: int) -> None:
            self.nbytes = size
            self.payload = bytes(999)  # not walked: the leaf reports its own size

    class NumpyIntNbytes:
        nbytes = np.int64(12)

    assert nbytes(Buffer(40)) == 40
    assert nbytes(NumpyIntNbytes()) == 12


def test_non_integer_nbytes_is_not_a_leaf() -> None:
    class MethodNbytes:
        def __init__(self) -> None:
            self.data = bytes(5)

        def nbytes(self) -> int:
            return 1000

    class BoolNbytes:
        nbytes = True

    class FloatNbytes:
        nbytes = 3.0

    class RaisingNbytes:
        def __init__(self) -> None:
            self.data = bytes(7)

        @property
        def nbytes(self) -> int:
            raise RuntimeError("no size for you")

    assert nbytes(MethodNbytes()) == 5
    assert nbytes(BoolNbytes()) == 0
    assert nbytes(FloatNbytes()) == 0
    assert nbytes(RaisingNbytes()) == 7


# Each buffer once ---------------------------------------------------------------------


def test_the_same_object_twice_counts_once() -> None:
    data = bytes(100)
    array = np.zeros(10)
    assert nbytes([data, data, (data,), {"k": data}]) == 100
    assert nbytes([array, array, {"a": array}]) == 80


def test_equal_but_distinct_buffers_count_twice() -> None:
    assert nbytes([bytearray(10), bytearray(10)]) == 20
    assert nbytes([np.zeros(10), np.zeros(10)]) == 160


def test_numpy_views_share_their_owner() -> None:
    owner = np.zeros((10, 10))
    views = [owner[2:5], owner.T, owner.reshape(100), owner[::3, ::2], owner[1:][1:][1:]]
    assert nbytes([*views, owner]) == owner.nbytes
    # A view alone keeps its whole owner alive, and weighs it.
    assert nbytes(owner[0, :1]) == owner.nbytes
    assert nbytes(views) == owner.nbytes


def test_a_copy_is_its_own_buffer() -> None:
    owner = np.zeros(10)
    assert nbytes([owner, owner[2:4].copy()]) == 80 + 16


def test_array_over_bytes_shares_the_bytes() -> None:
    data = bytes(64)
    array = np.frombuffer(data, dtype=np.uint8)
    assert nbytes([data, array, array[:8]]) == 64
    assert nbytes(array[:8]) == 64
    assert nbytes(np.frombuffer(bytearray(32), dtype=np.uint8)) == 32


def test_memoryview_counts_the_object_it_exposes() -> None:
    data = bytearray(50)
    view = memoryview(data)
    assert nbytes(view) == 50
    assert nbytes(view[10:20]) == 50
    assert nbytes([data, view, view[1:2]]) == 50
    owner = np.zeros(8)
    assert nbytes([memoryview(owner), owner]) == 64  # type: ignore[arg-type]


def test_released_memoryview_weighs_nothing() -> None:
    view = memoryview(bytearray(50))
    view.release()
    assert nbytes(view) == 0
    assert nbytes([view, b"x"]) == 1


# Containers ---------------------------------------------------------------------------


def test_builtin_containers_are_walked() -> None:
    value = [
        bytes(1),
        (bytes(2), [bytes(4)]),
        {"key": bytes(8), bytes(16): "bytes keys count too"},
        {bytes(32)},
        frozenset({bytes(64)}),
        collections.deque([bytes(128)]),
    ]
    assert nbytes(value) == 255


def test_container_subclasses_are_walked_with_their_attributes() -> None:
    class Tagged(dict[str, Any]):
        pass

    tagged = Tagged(a=bytes(3))
    tagged.extra = bytes(5)  # type: ignore[attr-defined]
    assert nbytes(tagged) == 8
    assert nbytes(collections.OrderedDict(a=np.zeros(2))) == 16


def test_objects_dataclasses_slots_and_named_tuples() -> None:
    @dataclasses.dataclass
    class Plain:
        keys: Any
        values: Any

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        keys: Any
        values: Any

    class Base:
        __slots__ = ("__private", "public")

        def __init__(self) -> None:
            self.__private = bytes(1)
            self.public = bytes(2)

    class Derived(Base):
        __slots__ = "more"

        def __init__(self) -> None:
            super().__init__()
            self.more = bytes(4)

    class Unset:
        __slots__ = ("never_set",)

    class Pair(NamedTuple):
        a: Any
        b: Any

    assert nbytes(Plain(np.zeros(2), np.zeros(3))) == 40
    assert nbytes(Slotted(np.zeros(2), np.zeros(3))) == 40
    assert nbytes(Derived()) == 7
    assert nbytes(Unset()) == 0
    assert nbytes(Pair(bytes(3), bytes(4))) == 7


class _Layer:
    def __init__(self, keys: Any, values: Any) -> None:
        self.keys = keys
        self.values = values
        self.is_initialized = True


class _LayeredCache:
    """The shape of transformers' current DynamicCache: a list of per-layer objects."""

    def __init__(self, layers: list[_Layer]) -> None:
        self.layers = layers
        self.layer_class_to_replicate = _Layer  # a class: not walked


class _ListsCache:
    """The shape of older DynamicCache versions: key_cache / value_cache lists."""

    def __init__(self, keys: list[Any], values: list[Any]) -> None:
        self.key_cache = keys
        self.value_cache = values
        self._seen_tokens = 7


def test_kv_cache_layouts() -> None:
    shape = (1, 2, 16, 8)  # batch, kv heads, tokens, head dim
    per_tensor = 2 * 16 * 8 * 4
    layered = _LayeredCache(
        [_Layer(np.zeros(shape, np.float32), np.zeros(shape, np.float32)) for _ in range(3)]
    )
    lists = _ListsCache(
        [np.zeros(shape, np.float32) for _ in range(3)],
        [np.zeros(shape, np.float32) for _ in range(3)],
    )
    assert nbytes(layered) == 6 * per_tensor
    assert nbytes(lists) == 6 * per_tensor
    # A cached request: the KV state beside the prompt's token ids.
    ids = np.arange(16, dtype=np.int64)
    assert nbytes({"kv": layered, "ids": ids, "ids_view": ids[None]}) == 6 * per_tensor + 128


def test_classes_modules_and_functions_are_not_walked() -> None:
    class Holder:
        big = bytes(1000)  # a class attribute is not the instance's data

        def method(self) -> None:
            pass

    def function() -> None:
        pass

    function.blob = bytes(1000)  # type: ignore[attr-defined]
    module = types.ModuleType("m")
    module.blob = bytes(1000)  # type: ignore[attr-defined]
    assert nbytes([Holder, Holder(), function, module, print, Holder().method]) == 0


# Cycles and depth ---------------------------------------------------------------------


def test_cycles_end_and_count_once() -> None:
    loop: list[Any] = [bytes(10)]
    loop.append(loop)
    assert nbytes(loop) == 10

    mapping: dict[str, Any] = {"data": np.zeros(4)}
    mapping["self"] = mapping
    assert nbytes(mapping) == 32

    class Node:
        def __init__(self, data: bytes) -> None:
            self.data = data
            self.next: Node | None = None

    a, b = Node(bytes(3)), Node(bytes(5))
    a.next, b.next = b, a
    assert nbytes(a) == 8
    assert nbytes([a, b]) == 8


def _nested(depth: int, leaf: object) -> list[Any]:
    outer: list[Any] = []
    current = outer
    for _ in range(depth - 1):
        inner: list[Any] = []
        current.append(inner)
        current = inner
    current.append(leaf)
    return outer


def test_depth_bound() -> None:
    # The leaf sits `depth` levels below the argument.
    assert nbytes(_nested(5, bytes(9)), max_depth=5) == 9
    assert nbytes(_nested(5, bytes(9)), max_depth=4) == 0
    assert nbytes(bytes(9), max_depth=0) == 9
    assert nbytes([bytes(9)], max_depth=0) == 0
    with pytest.raises(ValueError, match="max_depth"):
        nbytes(b"", max_depth=-1)


def test_very_deep_input_does_not_recurse() -> None:
    deep = _nested(50_000, bytes(9))
    assert nbytes(deep) == 0  # past the default bound, and no RecursionError
    assert nbytes(deep, max_depth=100_000) == 9


# As a weigher -------------------------------------------------------------------------


def test_bounds_a_cache_by_bytes(impl: ModuleType) -> None:
    evicted: list[str] = []
    cache = impl.LRUCache(
        100, lambda key, value: evicted.append(key), max_weight=1000, weigher=nbytes
    )
    for i in range(10):
        cache[f"k{i}"] = {"kv": [np.zeros(25), np.zeros(25)], "ids": bytes(i)}  # 400 + i
        assert cache.weight <= 1000
        assert cache.weight == sum(nbytes(value) for value in cache.values())
    assert len(cache) == 2
    assert evicted == [f"k{i}" for i in range(8)]
    with pytest.raises(ValueError):
        cache["too big"] = np.zeros(126)


def test_does_not_import_torch_or_numpy() -> None:
    code = (
        "import sys, cylru\n"
        "assert cylru.nbytes([b'ab', {'x': bytearray(3)}]) == 5\n"
        "assert 'numpy' not in sys.modules, 'numpy'\n"
        "assert 'torch' not in sys.modules, 'torch'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
