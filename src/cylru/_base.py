"""Pieces shared by both implementations: the ABC, the stats tuple and the views.

Nothing here is on a hot path.  The views read the cache through its
non-promoting accessors (``peek`` and the core's own iterators), so looking at
``keys()``, ``values()``, ``items()`` or ``SimpleLRUCache.cache`` never changes
recency and never counts as a hit or a miss.  ``SimpleLRUCache.cache`` also
writes, through the cache's own methods.
"""

from __future__ import annotations

import abc
from collections import OrderedDict
from collections.abc import ItemsView, Iterator, KeysView, MutableMapping, ValuesView
from typing import Any, NamedTuple, TypeVar, overload

_MISSING: Any = object()

# The key and value types of a cache, for its views (generic like the caches).
K = TypeVar("K")
V = TypeVar("V")
_T = TypeVar("_T")


class Cache(abc.ABC):
    """mellea's cache interface: ``put``, ``get`` and ``current_size``."""

    __slots__ = ()

    @abc.abstractmethod
    def put(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``."""

    @abc.abstractmethod
    def get(self, key: Any) -> Any:
        """Return the value stored under ``key``, or ``None``."""

    @abc.abstractmethod
    def current_size(self) -> int:
        """Return the number of entries."""


class CacheStats(NamedTuple):
    """Counters and sizes of one cache, as returned by ``stats()``."""

    hits: int
    misses: int
    evictions: int
    size: int
    capacity: int
    weight: int | None
    max_weight: int | None


def _peek_listed(cache: Any, key: Any) -> Any:
    """The value of a key that the cache's reverse iterator has just yielded.

    The iterator's own check stops at the first add or removal made since it
    started; a removal by another thread between that check and this read is
    reported the same way instead of yielding a missing value."""
    value = cache.peek(key, _MISSING)
    if value is _MISSING:
        raise RuntimeError(f"{type(cache).__name__} changed size during iteration")
    return value


class LRUKeysView(KeysView[K]):
    """Keys, least recent first."""

    __slots__ = ()
    _mapping: Any  # set by the collections.abc view constructor

    def __iter__(self) -> Iterator[K]:
        return iter(self._mapping)

    def __reversed__(self) -> Iterator[K]:
        keys: Iterator[K] = reversed(self._mapping)
        return keys

    def __repr__(self) -> str:
        return f"{type(self._mapping).__name__}.keys({list(self)!r})"


class LRUValuesView(ValuesView[V]):
    """Values, least recent first."""

    __slots__ = ()
    _mapping: Any  # set by the collections.abc view constructor

    def __iter__(self) -> Iterator[V]:
        return self._mapping._iter_values()  # type: ignore[no-any-return]

    def __reversed__(self) -> Iterator[V]:
        for key in reversed(self._mapping):
            yield _peek_listed(self._mapping, key)

    def __contains__(self, value: object) -> bool:
        return any(v is value or v == value for v in self)

    def __repr__(self) -> str:
        return f"{type(self._mapping).__name__}.values({list(self)!r})"


class LRUItemsView(ItemsView[K, V]):
    """(key, value) pairs, least recent first."""

    __slots__ = ()
    _mapping: Any  # set by the collections.abc view constructor

    def __iter__(self) -> Iterator[tuple[K, V]]:
        return self._mapping._iter_items()  # type: ignore[no-any-return]

    def __reversed__(self) -> Iterator[tuple[K, V]]:
        for key in reversed(self._mapping):
            yield key, _peek_listed(self._mapping, key)

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, value = item
        stored = self._mapping.peek(key, _MISSING)
        return stored is not _MISSING and (stored is value or stored == value)

    def __repr__(self) -> str:
        return f"{type(self._mapping).__name__}.items({list(self)!r})"


class CacheView(MutableMapping[K, V]):
    """``SimpleLRUCache.cache``: a live view that behaves like mellea's ``OrderedDict``.

    mellea's ``SimpleLRUCache`` keeps its entries in an ``OrderedDict`` named
    ``cache``, and mellea's own code and tests use it directly (its test
    fixture frees entries with ``backend._cache.cache.pop(key)``).  This view
    gives the same operations on the cache itself (docs/contract.md section 2):

    - reading (``[]``, ``get``, ``in``, ``len``, iteration least recent first,
      ``reversed``, ``keys()``/``values()``/``items()``) never promotes and
      never counts a hit or a miss;
    - ``pop``, ``popitem(last=True)``, ``del``, ``clear()`` and
      ``move_to_end(key, last=True)`` change the cache without calling
      ``on_evict``, as they do on mellea's ``OrderedDict``;
    - ``view[key] = value`` stores like ``put`` (so it may evict, calling
      ``on_evict``, and stores nothing when ``capacity <= 0``).

    Each operation is one call on the cache, so each is atomic.
    """

    __slots__ = ("_cache",)

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def __getitem__(self, key: K) -> V:
        value: V = self._cache.peek(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self._cache.put(key, value)

    def __delitem__(self, key: K) -> None:
        del self._cache[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._cache)

    def __reversed__(self) -> Iterator[K]:
        """Keys, most recent first; like ``reversed`` on the cache itself, adding,
        removing or moving an entry meanwhile makes the next step raise RuntimeError."""
        keys: Iterator[K] = reversed(self._cache)
        return keys

    def __len__(self) -> int:
        return len(self._cache)

    def __contains__(self, key: object) -> bool:
        return key in self._cache

    def keys(self) -> LRUKeysView[K]:
        return LRUKeysView(self._cache)

    def values(self) -> LRUValuesView[V]:
        return LRUValuesView(self._cache)

    def items(self) -> LRUItemsView[K, V]:
        return LRUItemsView(self._cache)

    @overload
    def pop(self, key: K) -> V: ...
    @overload
    def pop(self, key: K, default: V) -> V: ...
    @overload
    def pop(self, key: K, default: _T) -> V | _T: ...
    def pop(self, key: K, default: object = _MISSING) -> object:
        """Remove ``key`` and return its value, without ``on_evict``.

        A missing key returns ``default`` if given, else raises ``KeyError``.
        """
        if default is _MISSING:
            return self._cache.pop(key)
        return self._cache.pop(key, default)

    def popitem(self, last: bool = True) -> tuple[K, V]:
        """Remove and return the most recent ``(key, value)`` (``last=False``: the least
        recent), without ``on_evict``; ``KeyError`` when empty.  As ``OrderedDict.popitem``."""
        return self._cache._popitem(bool(last))  # type: ignore[no-any-return]

    def clear(self) -> None:
        """Remove every entry, without ``on_evict``."""
        self._cache.clear()

    def move_to_end(self, key: K, last: bool = True) -> None:
        """Make ``key`` the most recent entry (``last=False``: the least recent, next to
        be evicted); ``KeyError`` if absent.  Counts nothing.  As ``OrderedDict.move_to_end``,
        an iterator running over the cache raises ``RuntimeError`` afterwards."""
        self._cache._move_to_end(key, bool(last))

    def __eq__(self, other: object) -> bool:
        """Like mellea's ``OrderedDict``: against another ordered mapping (an
        ``OrderedDict`` or a view like this one) the order counts too; against
        any other mapping only the contents, as dict compares."""
        if isinstance(other, (OrderedDict, CacheView)):
            return list(self.items()) == list(other.items())
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> OrderedDict[K, V]:
        """A snapshot as an ``OrderedDict``, least recent first (what mellea's
        ``cache.cache.copy()`` gives)."""
        return OrderedDict(self.items())

    def __repr__(self) -> str:
        return f"CacheView({dict(self.items())!r})"
