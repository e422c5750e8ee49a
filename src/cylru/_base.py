"""Pieces shared by both implementations: the ABC, the stats tuple and the views.

Nothing here is on a hot path.  The views read the cache through its
non-promoting accessors (``peek`` and the core's own iterators), so looking at
``keys()``, ``values()``, ``items()`` or ``SimpleLRUCache.cache`` never changes
recency and never counts as a hit or a miss.
"""

from __future__ import annotations

import abc
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any, NamedTuple

_MISSING: Any = object()


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


class LRUKeysView(KeysView[Any]):
    """Keys, least recent first."""

    __slots__ = ()
    _mapping: Any  # set by the collections.abc view constructor

    def __iter__(self) -> Iterator[Any]:
        return iter(self._mapping)

    def __repr__(self) -> str:
        return f"{type(self._mapping).__name__}.keys({list(self)!r})"


class LRUValuesView(ValuesView[Any]):
    """Values, least recent first."""

    __slots__ = ()
    _mapping: Any  # set by the collections.abc view constructor

    def __iter__(self) -> Iterator[Any]:
        return self._mapping._iter_values()  # type: ignore[no-any-return]

    def __contains__(self, value: object) -> bool:
        return any(v is value or v == value for v in self)

    def __repr__(self) -> str:
        return f"{type(self._mapping).__name__}.values({list(self)!r})"


class LRUItemsView(ItemsView[Any, Any]):
    """(key, value) pairs, least recent first."""

    __slots__ = ()
    _mapping: Any  # set by the collections.abc view constructor

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return self._mapping._iter_items()  # type: ignore[no-any-return]

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        key, value = item
        stored = self._mapping.peek(key, _MISSING)
        return stored is not _MISSING and (stored is value or stored == value)

    def __repr__(self) -> str:
        return f"{type(self._mapping).__name__}.items({list(self)!r})"


class CacheView(Mapping[Any, Any]):
    """Read-only mapping view of a cache (``SimpleLRUCache.cache``).

    Iterates least recent first, like mellea's ``OrderedDict``; indexing uses
    ``peek``, so reading through the view never changes recency or stats.
    """

    __slots__ = ("_cache",)

    def __init__(self, cache: Any) -> None:
        self._cache = cache

    def __getitem__(self, key: Any) -> Any:
        value = self._cache.peek(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cache)

    def __len__(self) -> int:
        return len(self._cache)

    def __contains__(self, key: object) -> bool:
        return key in self._cache

    def keys(self) -> LRUKeysView:
        return LRUKeysView(self._cache)

    def values(self) -> LRUValuesView:
        return LRUValuesView(self._cache)

    def items(self) -> LRUItemsView:
        return LRUItemsView(self._cache)

    def __repr__(self) -> str:
        return f"CacheView({dict(self.items())!r})"
