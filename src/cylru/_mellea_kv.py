"""``cylru.mellea.KVCache``; imports mellea, so ``cylru.mellea`` loads it on first use."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

try:
    from mellea.backends.cache import Cache as MelleaCache
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "cylru.mellea.KVCache needs mellea (Python >= 3.11): pip install 'cylru[mellea]'"
    ) from exc

from ._base import CacheStats
from ._lru import LRUCache, SimpleLRUCache
from ._nbytes import nbytes
from .mellea import _cuda_in_use, _empty_cuda_cache, cleanup_kv_cache

__all__ = ["KVCache"]

# Guards the oversize counters of every KVCache (a rare path; a lock per cache would
# make the cache unpicklable).
_OVERSIZE_LOCK = threading.Lock()


class KVCache(SimpleLRUCache[Any, Any], MelleaCache):
    """KVCache(capacity=None, on_evict=cleanup_kv_cache, *, max_bytes=None, empty_cuda_cache=True)

    mellea's KV cache for ``LocalHFBackend(model_id, cache=KVCache(...))``,
    bounded by bytes of tensor memory (``max_bytes``, each entry weighed with
    ``cylru.nbytes``), by entry count (``capacity``), or both; at least one is
    required.  It is a ``mellea.backends.cache.Cache`` and a
    ``cylru.SimpleLRUCache``: ``on_evict(value)`` gets the evicted value, and
    ``cache`` is the ``OrderedDict``-like view mellea's own code uses.

    Differences from a plain ``SimpleLRUCache`` with ``max_weight``, all so that
    caching can never break generation:

    - ``put`` of an entry heavier than ``max_bytes`` stores nothing and does
      not raise: the entry is released through ``on_evict`` as an eviction
      would be, counted in ``stats().evictions`` and in ``oversize``, and an
      older entry under the same key is dropped (without ``on_evict``, as on
      a replacement), so ``get`` never returns a stale value.
    - After a ``put`` that evicted or skipped anything, when torch has
      initialised CUDA, ``torch.cuda.empty_cache()`` runs once, after every
      ``on_evict`` of that put (``empty_cuda_cache=False`` turns it off).

    The default ``on_evict`` is ``cylru.mellea.cleanup_kv_cache``; pass your
    own callable (it gets the value only, as in mellea) or ``None``.
    """

    empty_cuda_cache: bool

    def __init__(
        self,
        capacity: int | None = None,
        on_evict: Callable[[Any], object] | None = cleanup_kv_cache,
        *,
        max_bytes: int | None = None,
        empty_cuda_cache: bool = True,
    ) -> None:
        if capacity is None and max_bytes is None:
            raise TypeError("KVCache needs a bound: capacity, max_bytes or both")
        LRUCache.__init__(
            self,
            sys.maxsize if capacity is None else capacity,
            on_evict,  # type: ignore[arg-type]  # value-only, as SimpleLRUCache's
            max_weight=max_bytes,
            weigher=None if max_bytes is None else nbytes,
        )
        self.empty_cuda_cache = bool(empty_cuda_cache)
        self._oversize = 0

    @property
    def max_bytes(self) -> int | None:
        """The byte bound (``max_weight``), or None when bounded by count only."""
        return self.max_weight

    @max_bytes.setter
    def max_bytes(self, value: int) -> None:
        self.max_weight = value

    @property
    def oversize(self) -> int:
        """How many entries ``put`` skipped for being heavier than ``max_bytes``."""
        return self._oversize

    def put(self, key: Any, value: Any) -> None:
        """Store ``value`` under ``key``, evicting least recent entries to fit the bounds.

        An entry heavier than ``max_bytes`` is released instead of stored (no
        exception); see the class docstring.
        """
        flush = self.empty_cuda_cache and _cuda_in_use()
        before = SimpleLRUCache.stats(self).evictions if flush else 0
        skipped = False
        try:
            try:
                SimpleLRUCache.put(self, key, value)
            except ValueError:
                if not self._heavier_than_bound(value):
                    raise
                skipped = True
                self._skip(key, value)
        finally:
            if flush and (skipped or SimpleLRUCache.stats(self).evictions != before):
                _empty_cuda_cache()

    def __setitem__(self, key: Any, value: Any) -> None:
        self.put(key, value)

    def _heavier_than_bound(self, value: Any) -> bool:
        bound = self.max_weight
        if bound is None:
            return False
        weight = nbytes(value)
        return weight > bound

    def _skip(self, key: Any, value: Any) -> None:
        with _OVERSIZE_LOCK:
            self._oversize += 1
        self.pop(key, None)
        callback = self.on_evict
        if callback is not None:
            callback(value)

    def stats(self) -> CacheStats:
        """``CacheStats``; ``evictions`` includes the entries skipped as oversize."""
        stats = SimpleLRUCache.stats(self)
        return stats._replace(evictions=stats.evictions + self._oversize)

    def clear_stats(self) -> None:
        """Zero hits, misses and evictions (with the oversize count)."""
        SimpleLRUCache.clear_stats(self)
        with _OVERSIZE_LOCK:
            self._oversize = 0
