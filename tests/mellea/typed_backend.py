"""Checked by ``mypy --strict`` in test_mellea_backend.py: KVCache is a mellea ``Cache``.

Not a test module (pytest collects ``test_*.py`` only); it is never run, only type-checked.
"""

from __future__ import annotations

from mellea.backends.cache import Cache
from mellea.backends.huggingface import LocalHFBackend

from cylru.mellea import KVCache, cleanup_kv_cache


def byte_bounded(model_id: str) -> LocalHFBackend:
    return LocalHFBackend(model_id, cache=KVCache(max_bytes=2 << 30))


def count_and_bytes(model_id: str) -> LocalHFBackend:
    cache = KVCache(16, on_evict=cleanup_kv_cache, max_bytes=2 << 30, empty_cuda_cache=False)
    return LocalHFBackend(model_id, cache=cache)


def as_mellea_cache(cache: KVCache) -> Cache:
    return cache
