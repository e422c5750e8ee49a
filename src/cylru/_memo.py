"""Choose the memoizing decorators that go with the chosen core (see ``_lru.py``).

The compiled wrappers (``_memo_c``) need the compiled core; with the pure twin,
or when ``_memo_c`` is missing (and not required), the pure decorators serve.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lru import IMPLEMENTATION, _flag

if TYPE_CHECKING or IMPLEMENTATION == "python":
    # Type checkers read the pure module's (typed) decorators; both have the same API.
    from ._memo_py import AlruCacheLoopResetWarning, CacheInfo, alru_cache, cached, lru_cache
else:
    try:
        from ._memo_c import AlruCacheLoopResetWarning, CacheInfo, alru_cache, cached, lru_cache
    except ImportError:
        if _flag("CYLRU_REQUIRE_EXTENSIONS"):
            raise
        from ._memo_py import AlruCacheLoopResetWarning, CacheInfo, alru_cache, cached, lru_cache

__all__ = ["AlruCacheLoopResetWarning", "CacheInfo", "alru_cache", "cached", "lru_cache"]
