"""``nbytes(obj)``: the bytes of buffer memory an object graph holds, each buffer once.

A ready ``weigher`` for byte-bounded caches::

    cache = cylru.LRUCache(64, max_weight=2 << 30, weigher=cylru.nbytes)

Nothing here imports torch or numpy: leaves are recognised by duck typing, so the
function costs nothing to import and works with any array library that exposes an
integer ``nbytes`` (numpy, torch, cupy, jax, ...).
"""

from __future__ import annotations

import dataclasses
import numbers
import types
from collections import deque
from collections.abc import Hashable, Iterable, Iterator

__all__ = ["nbytes"]

DEFAULT_MAX_DEPTH = 100

# Objects that own no data of a value: walking into them would count code, classes and
# whole modules (a dataclass field holding a class, a bound method used as a callback).
_OPAQUE: tuple[type, ...] = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    types.CodeType,
    types.FrameType,
    types.GeneratorType,
    str,
    int,
    float,
    complex,
    bool,
    type(None),
)

# A `.base` chain longer than this is not a real array view chain.
_MAX_BASE_CHAIN = 64

_BufferKey = tuple[str, Hashable]


def nbytes(obj: object, *, max_depth: int = DEFAULT_MAX_DEPTH) -> int:
    """Return the bytes held by the tensors, arrays and buffers reachable from ``obj``.

    Leaves:

    - anything with an integer ``nbytes`` attribute (torch tensors, numpy arrays, other
      array libraries), ``memoryview``;
    - ``bytes`` and ``bytearray``, which count their length.

    Containers walked: ``list``, ``tuple``, ``dict`` (keys and values), ``set``,
    ``frozenset``, ``collections.deque``, and any other object through its ``__dict__``
    and ``__slots__`` -- so dataclasses, named tuples and transformers' ``DynamicCache``
    (both its ``layers`` layout and the older ``key_cache``/``value_cache`` lists) are
    covered. Classes, modules, functions, methods and strings are not walked.

    Every buffer counts once, whole, however many views and aliases reach it:

    - a torch tensor counts its *untyped storage* (``untyped_storage().nbytes()``),
      identified by device and data pointer, so a slice of a large tensor weighs the
      whole storage it keeps alive, and views of one storage share it (a tensor with no
      addressable storage -- meta, sparse parts, storage-less subclasses -- counts its own
      ``nbytes``; a sparse tensor counts its index and value tensors);
    - a numpy-style array follows ``.base`` to the array that owns the memory (or to the
      ``bytes``/tensor/other object underneath it) and counts that owner once; an owner
      and a CPU tensor at the same address (``torch.from_numpy``) are one buffer;
    - a ``memoryview`` counts the object it exposes.

    The measure is "memory this value keeps alive", which is what a cache bound cares
    about. Two separately-weighed cache entries that share a buffer each count it.

    The walk is iterative and remembers every object it has entered, so cycles end and
    shared sub-objects count once. Objects nested deeper than ``max_depth`` levels below
    ``obj`` are not counted. Object arrays (``dtype=object``) count their pointer
    storage, not the objects they point to.
    """
    if max_depth < 0:
        raise ValueError(f"max_depth must be >= 0, not {max_depth!r}")
    sizes: dict[_BufferKey, int] = {}
    entered: set[int] = set()
    # Everything entered stays referenced until the walk ends, so an id() is never
    # reused by a temporary (a property or __slots__ descriptor may build fresh objects).
    keepalive: list[object] = []
    stack: list[tuple[object, int]] = [(obj, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, _OPAQUE):
            continue
        if id(item) in entered:
            continue
        entered.add(id(item))
        keepalive.append(item)

        buffer = _buffer(item, keepalive)
        if buffer is not None:
            key, size = buffer
            if size > sizes.get(key, -1):
                sizes[key] = size
            continue
        sparse_parts = _sparse_parts(item)
        if sparse_parts is not None:
            stack.extend((part, depth) for part in sparse_parts)
            continue
        if depth >= max_depth:
            continue
        stack.extend((child, depth + 1) for child in _children(item))
    return sum(sizes.values())


def _int_attr(obj: object, name: str) -> int | None:
    """``obj.name`` as an int when it is an integer attribute (not a method), else None."""
    try:
        value = getattr(obj, name, None)
    except Exception:
        # A property may refuse (torch sparse tensors raise on .nbytes).
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value)


def _is_torch_tensor(obj: object) -> bool:
    return callable(getattr(type(obj), "untyped_storage", None))


def _torch_buffer(tensor: object) -> tuple[_BufferKey, int] | None:
    try:
        storage = tensor.untyped_storage()  # type: ignore[attr-defined]
        pointer = storage.data_ptr()
        size = storage.nbytes()
    except (RuntimeError, TypeError, AttributeError):
        # Sparse, nested or otherwise storage-less tensors (torch's "not
        # implemented" error is a RuntimeError subclass).
        own = _int_attr(tensor, "nbytes")
        return None if own is None else (("id", id(tensor)), own)
    if not pointer:
        # Empty or meta storage: no memory to share, so nothing to deduplicate on.
        own = _int_attr(tensor, "nbytes")
        return ("id", id(tensor)), (own if own is not None else int(size))
    return ("address", (str(tensor.device), int(pointer))), int(size)  # type: ignore[attr-defined]


def _buffer(obj: object, keepalive: list[object]) -> tuple[_BufferKey, int] | None:
    """The identity and size of the buffer that leaf ``obj`` keeps alive, or None."""
    current = obj
    size = -1
    underlying: object
    for _ in range(_MAX_BASE_CHAIN):
        if _is_torch_tensor(current):
            found = _torch_buffer(current)
            if found is not None or current is obj:
                return found
            return ("id", id(current)), size
        if isinstance(current, (bytes, bytearray)):
            return ("id", id(current)), len(current)
        if isinstance(current, memoryview):
            try:
                size = current.nbytes
                underlying = current.obj
            except ValueError:  # a released view holds nothing
                return None if current is obj else (("id", id(current)), size)
        else:
            own = _int_attr(current, "nbytes")
            if own is None:
                if current is obj:
                    return None
                # The root of a view chain is some other buffer exporter (an mmap, a
                # foreign object): it is the identity, the last array's size the weight.
                return ("id", id(current)), size
            size = own
            try:
                underlying = getattr(current, "base", None)
            except Exception:
                underlying = None
        if underlying is None or underlying is current or isinstance(underlying, _OPAQUE):
            return _owner_key(current), size
        keepalive.append(underlying)
        current = underlying
    return ("id", id(current)), size


def _owner_key(owner: object) -> _BufferKey:
    """An array that owns its memory: keyed by address when it has one, so a torch tensor
    made with ``torch.from_numpy(owner)`` is recognised as the same buffer."""
    try:
        interface = getattr(owner, "__array_interface__", None)
    except Exception:
        interface = None
    if isinstance(interface, dict):
        data = interface.get("data")
        if isinstance(data, tuple) and data and isinstance(data[0], int) and data[0]:
            return "address", ("cpu", data[0])
    return "id", id(owner)


def _sparse_parts(obj: object) -> list[object] | None:
    """The dense component tensors of a torch sparse tensor, or None for anything else."""
    if not _is_torch_tensor(obj) or str(getattr(obj, "layout", "torch.strided")) == (
        "torch.strided"
    ):
        return None
    parts: list[object] = []
    for method in (
        "_indices",
        "_values",
        "crow_indices",
        "col_indices",
        "ccol_indices",
        "row_indices",
        "values",
    ):
        try:
            parts.append(getattr(obj, method)())
        except Exception:
            continue
    return parts


def _children(obj: object) -> Iterator[object]:
    """The objects directly inside ``obj`` that may hold buffers."""
    if isinstance(obj, dict):
        for key, value in list(dict.items(obj)):
            yield key
            yield value
    elif isinstance(obj, (list, tuple, set, frozenset, deque)):
        yield from list(obj)
    if isinstance(obj, (dict, list, tuple, set, frozenset, deque)) and type(obj) in (
        dict,
        list,
        tuple,
        set,
        frozenset,
        deque,
    ):
        return
    # Plain objects, dataclasses, and subclasses of the containers with extra state.
    try:
        attributes = object.__getattribute__(obj, "__dict__")
    except Exception:
        attributes = None
    if isinstance(attributes, dict):
        yield from list(attributes.values())
    if dataclasses.is_dataclass(obj) and attributes is None:
        for field in dataclasses.fields(obj):
            try:
                yield getattr(obj, field.name)
            except AttributeError:
                continue
    yield from _slot_values(obj)


def _slot_values(obj: object) -> Iterator[object]:
    for cls in type(obj).__mro__:
        slots = cls.__dict__.get("__slots__")
        if slots is None:
            continue
        names: Iterable[str] = (slots,) if isinstance(slots, str) else slots
        for name in names:
            if name in ("__dict__", "__weakref__"):
                continue
            if name.startswith("__") and not name.endswith("__"):
                name = f"_{cls.__name__.lstrip('_')}{name}"
            try:
                yield object.__getattribute__(obj, name)
            except AttributeError:
                continue
