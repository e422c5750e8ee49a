"""cylru: a fast LRU cache with a Cython core and a pure-Python twin."""

from ._base import Cache, CacheStats
from ._lru import IMPLEMENTATION, LRUCache, SimpleLRUCache
from ._memo import AlruCacheLoopResetWarning, CacheInfo, alru_cache, cached, lru_cache
from ._nbytes import nbytes

__version__ = "0.1.0"

__all__ = [
    "IMPLEMENTATION",
    "AlruCacheLoopResetWarning",
    "Cache",
    "CacheInfo",
    "CacheStats",
    "LRUCache",
    "SimpleLRUCache",
    "__version__",
    "alru_cache",
    "cached",
    "lru_cache",
    "nbytes",
]
