"""cylru: a fast LRU cache with a Cython core and a pure-Python twin."""

from ._base import Cache, CacheStats
from ._lru import IMPLEMENTATION, LRUCache, SimpleLRUCache
from ._nbytes import nbytes

__version__ = "0.1.0"

__all__ = [
    "IMPLEMENTATION",
    "Cache",
    "CacheStats",
    "LRUCache",
    "SimpleLRUCache",
    "__version__",
    "nbytes",
]
