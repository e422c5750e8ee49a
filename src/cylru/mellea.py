"""cylru for mellea's ``LocalHFBackend``: a byte-bounded KV cache and a cheap cleanup.

Install with the ``mellea`` extra (``pip install 'cylru[mellea]'``), then::

    from mellea.backends.huggingface import LocalHFBackend
    from cylru.mellea import KVCache

    backend = LocalHFBackend(model_id, cache=KVCache(max_bytes=2 << 30))

- ``KVCache`` is a real subclass of ``mellea.backends.cache.Cache`` (so
  ``isinstance`` and ``mypy --strict`` accept it where mellea wants a ``Cache``)
  and of ``cylru.SimpleLRUCache`` (so it has the ``.cache`` view that mellea's
  test teardown pops from, ``stats()``, ``weight`` and the rest).
- ``cleanup_kv_cache`` frees an evicted entry's tensors: mellea's
  ``_cleanup_kv_cache`` for both ``DynamicCache`` layouts, without its
  ``gc.collect()`` per eviction.

Importing this module imports neither mellea nor torch: ``KVCache`` is built on
first use (it needs mellea's ``Cache`` as a base class), and the cleanup only
looks at torch when torch is already imported.  The contract is
docs/contract.md section 7.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

__all__ = ["KVCache", "cleanup_kv_cache", "release_dynamic_cache"]

# HFAloraCacheInfo's fields that hold tensors (mellea 0.8.0, huggingface.py).
_ENTRY_FIELDS = ("kv_cache", "merged_token_ids", "merged_attention", "scores")
# Where a transformers DynamicCache keeps its tensors: ``layers`` (transformers >= 4.56,
# each layer holding ``keys``/``values``) or the older ``key_cache``/``value_cache`` lists.
_KV_LISTS = ("layers", "key_cache", "value_cache")


def release_dynamic_cache(kv: object) -> None:
    """Drop the tensors a transformers ``DynamicCache`` holds, in either layout.

    Empties its ``layers`` list (or its ``key_cache``/``value_cache`` lists) in
    place, so the tensors are freed by reference counting as soon as nothing
    else uses them -- even if some other object still holds the cache itself.
    Only lists stored on the instance are touched (never a property, so no
    deprecation path of transformers runs).  Anything else is left alone.
    """
    try:
        attributes = object.__getattribute__(kv, "__dict__")
    except AttributeError:
        return
    for name in _KV_LISTS:
        tensors = attributes.get(name)
        if isinstance(tensors, list):
            tensors.clear()


def cleanup_kv_cache(value: object) -> None:
    """``on_evict`` for mellea's cache entries: release an evicted entry's tensors.

    ``value`` is what ``LocalHFBackend`` stores, an ``HFAloraCacheInfo``
    (``kv_cache``, ``merged_token_ids``, ``merged_attention``, ``scores``), or
    a bare ``DynamicCache``.  The ``DynamicCache`` is emptied in place
    (``release_dynamic_cache``) and the entry's tensor fields are set to
    ``None``, so the memory goes back to torch's allocator at once, by
    reference counting.

    Unlike mellea's ``_cleanup_kv_cache`` it never runs ``gc.collect()`` (a
    full collection per eviction costs far more than the eviction) and never
    calls ``torch.cuda.empty_cache()``: ``KVCache`` does that once per ``put``,
    after the put's evictions.  It is safe to call on anything, and twice.
    """
    if value is None:
        return
    kv = getattr(value, "kv_cache", None)
    release_dynamic_cache(value if kv is None else kv)
    for name in _ENTRY_FIELDS:
        try:
            if getattr(value, name, None) is not None:
                setattr(value, name, None)
        except (AttributeError, TypeError):  # frozen or slotted objects: leave them
            continue


def _cuda_in_use() -> bool:
    """True when this process has initialised CUDA through torch (never imports torch)."""
    torch: Any = sys.modules.get("torch")
    if torch is None:
        return False
    try:
        return bool(torch.cuda.is_initialized())
    except Exception:  # a torch build without CUDA support, or a broken one
        return False


def _empty_cuda_cache() -> None:
    """Return the blocks torch's caching allocator keeps to the device."""
    sys.modules["torch"].cuda.empty_cache()


if TYPE_CHECKING:
    from ._mellea_kv import KVCache as KVCache
else:

    def __getattr__(name: str) -> Any:
        # KVCache subclasses mellea's Cache, so building it imports mellea: only on first use.
        if name == "KVCache":
            from ._mellea_kv import KVCache

            globals()["KVCache"] = KVCache
            return KVCache
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(set(globals()) | {"KVCache"})
