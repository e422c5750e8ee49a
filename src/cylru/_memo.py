"""Choose the memoizing decorators that go with the chosen core (see ``_lru.py``)."""

from __future__ import annotations

from ._memo_py import AlruCacheLoopResetWarning, CacheInfo, alru_cache, cached, lru_cache

__all__ = ["AlruCacheLoopResetWarning", "CacheInfo", "alru_cache", "cached", "lru_cache"]
