"""cylru in mellea 0.8's own ``LocalHFBackend``: same outputs, a byte bound that holds,
evicted tensors freed without ``gc.collect()``, oversize requests served, mellea's
teardown, and mypy (docs/contract.md sections 2 and 7)."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import mypy  # noqa: F401  (the mypy test needs it: missing, it is a collection error)
import pytest
import torch
from mellea import MelleaSession
from mellea.backends.cache import Cache as MelleaCache
from mellea.backends.cache import SimpleLRUCache as MelleaSimpleLRUCache
from mellea.backends.huggingface import HFAloraCacheInfo, LocalHFBackend, _cleanup_kv_cache
from mellea.stdlib.context import ChatContext
from transformers.cache_utils import DynamicCache

import cylru
from cylru.mellea import KVCache, cleanup_kv_cache

HERE = Path(__file__).resolve().parent
README = HERE.parent.parent / "README.md"


def tensors_of(value: Any) -> Iterator[torch.Tensor]:
    """The tensors a cache entry (HFAloraCacheInfo) holds, KV layers included."""
    kv = value.kv_cache
    for layer in getattr(kv, "layers", []) or []:
        yield from (t for t in (layer.keys, layer.values) if isinstance(t, torch.Tensor))
    for name in ("merged_token_ids", "merged_attention"):
        tensor = getattr(value, name, None)
        if isinstance(tensor, torch.Tensor):
            yield tensor
    yield from (t for t in value.scores or () if isinstance(t, torch.Tensor))


class Watched(KVCache):
    """KVCache that checks the bound after every put and keeps weak references to what
    it stored (and, to prove the cleanup frees even then, a strong reference to every
    entry, as a caller of ``cache_get`` would)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[Any] = []  # every value put, in order
        self.refs: list[list[weakref.ref[torch.Tensor]]] = []  # their tensors
        self.after_put: list[tuple[int, int, int]] = []  # (weight, sum of nbytes, size)

    def put(self, key: Any, value: Any) -> None:
        self.held.append(value)
        self.refs.append([weakref.ref(t) for t in tensors_of(value)])
        super().put(key, value)
        live = sum(cylru.nbytes(v) for v in self.cache.values())
        self.after_put.append((self.weight or 0, live, len(self)))

    def split(self) -> tuple[list[list[weakref.ref[torch.Tensor]]], list[Any]]:
        """The tensor references of the values no longer stored, and of those stored."""
        stored = [id(v) for v in self.cache.values()]
        gone = [refs for v, refs in zip(self.held, self.refs, strict=True) if id(v) not in stored]
        kept = [refs for v, refs in zip(self.held, self.refs, strict=True) if id(v) in stored]
        return gone, kept


def backend_with(model_dir: Path, cache: Any) -> LocalHFBackend:
    return LocalHFBackend(str(model_dir), cache=cache)


@pytest.fixture
def no_gc(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Automatic collection off, and every gc.collect() call counted (not run)."""
    calls: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(1) or 0)
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield calls
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------
# The cache class


def test_kvcache_is_a_mellea_cache_and_a_cylru_cache() -> None:
    cache = KVCache(max_bytes=1 << 20)
    assert isinstance(cache, MelleaCache)
    assert issubclass(KVCache, MelleaCache)
    assert isinstance(cache, cylru.Cache)
    assert isinstance(cache, cylru.SimpleLRUCache)
    assert cache.on_evict is cleanup_kv_cache
    assert cache.max_bytes == cache.max_weight == 1 << 20
    with pytest.raises(TypeError, match="bound"):
        KVCache()


def test_mellea_is_imported_only_when_kvcache_is_used(tmp_path: Path) -> None:
    script = (
        "import sys, cylru, cylru.mellea\n"
        "assert 'mellea' not in sys.modules and 'torch' not in sys.modules, 'eager'\n"
        "cylru.mellea.cleanup_kv_cache(None)\n"
        "assert 'mellea' not in sys.modules, 'cleanup'\n"
        "from cylru.mellea import KVCache\n"
        "assert 'mellea.backends.cache' in sys.modules\n"
        "assert 'torch' not in sys.modules, 'KVCache pulled in torch'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_backend_takes_it_as_its_cache(model_dir: Path) -> None:
    cache = KVCache(max_bytes=1 << 20)
    backend = backend_with(model_dir, cache)
    assert backend._cache is cache


def test_mypy_strict_accepts_kvcache_for_local_hf_backend(tmp_path: Path) -> None:
    """``LocalHFBackend(model_id, cache=KVCache(...))`` type-checks under --strict with no
    ignore; the same call with cylru.SimpleLRUCache (not a mellea Cache) does not, which
    shows mypy really checked the argument."""
    control = tmp_path / "control.py"
    control.write_text(
        "from mellea.backends.huggingface import LocalHFBackend\n"
        "import cylru\n\n\n"
        "def plain(model_id: str) -> LocalHFBackend:\n"
        "    return LocalHFBackend(model_id, cache=cylru.SimpleLRUCache(4))\n"
    )
    typed = HERE / "typed_backend.py"
    assert "type: ignore" not in typed.read_text()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(typed),
            str(control),
        ],
        capture_output=True,
        text=True,
    )
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert errors, done.stdout + done.stderr
    assert all(line.startswith(str(control)) for line in errors), done.stdout
    assert len(errors) == 1 and errors[0].endswith("[arg-type]"), done.stdout
    assert 'expected "Cache | None"' in errors[0]


# ---------------------------------------------------------------------------
# End to end on mellea's backend


def test_outputs_are_identical_with_mellea_cylru_and_kvcache(
    bench: ModuleType, model_dir: Path
) -> None:
    runs = {
        "mellea": MelleaSimpleLRUCache(2, on_evict=_cleanup_kv_cache),
        "cylru": cylru.SimpleLRUCache(2, on_evict=_cleanup_kv_cache),
        "kvcache": KVCache(max_bytes=64 << 10),
    }
    outputs = {name: bench.run_workload(backend_with(model_dir, c)) for name, c in runs.items()}
    assert len(outputs["mellea"]) == 10
    assert all(outputs["mellea"])  # every generation produced text
    assert outputs["cylru"] == outputs["mellea"]
    assert outputs["kvcache"] == outputs["mellea"]
    # Each cache saw every generation's put and evicted (the bounds are small).
    assert runs["kvcache"].stats().evictions > 0
    assert runs["cylru"].stats().evictions == 10 - 2
    assert runs["mellea"].current_size() == runs["cylru"].current_size() == 2


def test_byte_bound_holds_after_every_put(bench: ModuleType, model_dir: Path) -> None:
    bound = 48 << 10
    cache = Watched(max_bytes=bound)
    bench.run_workload(backend_with(model_dir, cache))
    assert len(cache.after_put) == 10  # one put per generation
    for weight, live, _size in cache.after_put:
        assert weight <= bound
        assert weight == live  # the tracked weight is the live entries' bytes
    assert cache.stats().evictions > 0
    assert max(size for *_, size in cache.after_put) >= 2


def test_evicted_kv_tensors_are_freed_without_gc(
    bench: ModuleType, model_dir: Path, no_gc: list[int]
) -> None:
    cache = Watched(2)  # count-bounded: 8 of the 10 entries are evicted
    bench.run_workload(backend_with(model_dir, cache))
    assert len(cache) == 2 and len(cache.held) == 10
    gone, kept = cache.split()
    assert len(gone) == 8 and len(kept) == 2
    for refs in gone:
        assert len(refs) >= 6  # 2 layers' keys and values, token ids, attention mask
        assert all(ref() is None for ref in refs)  # freed, though cache.held keeps the entry
    for refs in kept:
        assert all(ref() is not None for ref in refs)
    assert no_gc == []  # the cleanup never called gc.collect()


def test_mellea_callback_collects_garbage_on_every_eviction(
    bench: ModuleType, model_dir: Path, no_gc: list[int]
) -> None:
    """The cost KVCache's cleanup removes: mellea's callback runs gc.collect() per eviction."""
    cache = cylru.SimpleLRUCache(2, on_evict=_cleanup_kv_cache)
    bench.run_workload(backend_with(model_dir, cache))
    assert cache.stats().evictions == 8
    assert len(no_gc) == 8


def test_an_oversize_request_completes(bench: ModuleType, model_dir: Path) -> None:
    cache = Watched(max_bytes=8 << 10)  # smaller than any entry of the tiny model
    backend = backend_with(model_dir, cache)
    session = MelleaSession(backend, ctx=ChatContext())
    reply = session.chat("What is one plus one?", model_options=bench.OPTIONS)
    assert reply.content
    assert cache.oversize == 1
    assert cache.stats().evictions == 1
    assert len(cache) == 0
    (refs,) = cache.refs
    assert refs and all(ref() is None for ref in refs)  # released like an eviction
    # The same request through a plain byte-bounded cylru cache fails inside mellea.
    strict = cylru.LRUCache(100, max_weight=8 << 10, weigher=cylru.nbytes)
    with pytest.raises(ValueError):
        MelleaSession(backend_with(model_dir, strict), ctx=ChatContext()).chat(
            "What is one plus one?", model_options=bench.OPTIONS
        )


def test_an_oversize_value_for_a_stored_key_leaves_the_key_absent() -> None:
    released: list[Any] = []
    cache = KVCache(max_bytes=100, on_evict=released.append)
    small, heavy = bytearray(50), bytearray(150)
    cache.put("k", small)
    cache["k"] = heavy  # [] = is put: no ValueError either
    assert "k" not in cache and cache.get("k") is None  # never the stale value
    assert released == [heavy]  # the replaced value gets no callback, as on any replacement
    assert cache.oversize == 1 and cache.stats().evictions == 1 and cache.weight == 0
    cache.clear_stats()
    assert cache.oversize == 0 and cache.stats().evictions == 0


def test_kvcache_on_the_pure_twin() -> None:
    """KVCache builds on whichever implementation cylru selected; check it on the twin."""
    script = (
        "import cylru\n"
        "from cylru.mellea import KVCache\n"
        "from mellea.backends.cache import Cache\n"
        "assert cylru.IMPLEMENTATION == 'python'\n"
        "out = []\n"
        "c = KVCache(max_bytes=100, on_evict=out.append)\n"
        "assert isinstance(c, Cache)\n"
        "c.put('a', bytearray(60)); c.put('b', bytearray(60)); c.put('c', bytearray(500))\n"
        "assert list(c.cache) == ['b'] and len(out) == 2 and c.oversize == 1\n"
        "assert c.stats().evictions == 2 and c.weight == 60\n"
        "assert c.cache.pop('b') is not None and len(c) == 0 and len(out) == 2\n"
    )
    env = {**os.environ, "CYLRU_NO_EXTENSIONS": "1"}
    env.pop("CYLRU_REQUIRE_EXTENSIONS", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("kind", ["kvcache", "cylru"])
def test_mellea_teardown_empties_the_cache(
    bench: ModuleType, model_dir: Path, kind: str, no_gc: list[int]
) -> None:
    """mellea's test/conftest.py cleanup_gpu_backend, step 1, on our caches."""
    if kind == "kvcache":
        cache: Any = Watched(max_bytes=1 << 30)
    else:
        cache = cylru.SimpleLRUCache(100, on_evict=cleanup_kv_cache)
    backend = backend_with(model_dir, cache)
    bench.run_workload(backend)
    assert backend._cache.current_size() == 10
    values = list(cache.cache.values())
    refs = [weakref.ref(t) for value in values for t in tensors_of(value)]
    del values
    if hasattr(backend, "_cache") and hasattr(backend._cache, "cache"):
        for key in list(backend._cache.cache.keys()):
            value = backend._cache.cache.pop(key)
            if backend._cache.on_evict is not None:
                backend._cache.on_evict(value)
    del value
    assert backend._cache.current_size() == 0
    assert refs and all(ref() is None for ref in refs)
    assert cache.stats().evictions == 0  # the teardown removes; it does not evict


def test_readme_snippet_runs(bench: ModuleType, model_dir: Path) -> None:
    """The README's "Using cylru with mellea" code, with ``model_id`` = the tiny model."""
    text = README.read_text()
    section = text.split("## Using cylru with mellea", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    code = next(block for block in blocks if "LocalHFBackend(model_id" in block)
    namespace: dict[str, Any] = {"model_id": str(model_dir)}
    exec(compile(code, "README.md", "exec"), namespace)
    backend = next(v for v in namespace.values() if isinstance(v, LocalHFBackend))
    assert isinstance(backend._cache, KVCache)
    reply = MelleaSession(backend, ctx=ChatContext()).chat("Hi", model_options=bench.OPTIONS)
    assert reply.content
    assert backend._cache.current_size() == 1


# ---------------------------------------------------------------------------
# The cleanup and the device flush


def _filled_dynamic_cache(model_dir: Path) -> DynamicCache:
    backend = backend_with(model_dir, KVCache(1))
    ids = torch.tensor([[1, 5, 6, 7, 8]])
    with torch.no_grad():
        out = backend._model(ids, past_key_values=DynamicCache(), use_cache=True)
    kv: DynamicCache = out.past_key_values
    return kv


def test_cleanup_frees_the_layers_layout(model_dir: Path, no_gc: list[int]) -> None:
    kv = _filled_dynamic_cache(model_dir)
    info = HFAloraCacheInfo(kv_cache=kv, merged_token_ids=torch.ones(9), merged_attention=None)
    refs = [weakref.ref(t) for t in tensors_of(info)]
    assert len(refs) == 5  # 2 layers x (keys, values) + token ids
    cleanup_kv_cache(info)
    assert all(ref() is None for ref in refs)  # kv is still referenced here: emptied in place
    assert kv.layers == [] and info.kv_cache is None and info.merged_token_ids is None
    cleanup_kv_cache(info)  # twice is fine
    assert kv.get_seq_length() == 0


def test_cleanup_frees_the_key_cache_value_cache_layout(no_gc: list[int]) -> None:
    class LegacyDynamicCache:  # transformers < 4.56 kept two lists of tensors
        def __init__(self) -> None:
            self.key_cache = [torch.zeros(2, 4) for _ in range(3)]
            self.value_cache = [torch.zeros(2, 4) for _ in range(3)]

    kv = LegacyDynamicCache()
    refs = [weakref.ref(t) for t in kv.key_cache + kv.value_cache]
    info = HFAloraCacheInfo(kv_cache=kv, merged_token_ids=None, merged_attention=None)  # type: ignore[arg-type]
    cleanup_kv_cache(info)
    assert all(ref() is None for ref in refs)
    assert kv.key_cache == [] and kv.value_cache == []
    bare = LegacyDynamicCache()  # a bare cache as the value works too
    refs = [weakref.ref(t) for t in bare.key_cache]
    cleanup_kv_cache(bare)
    assert all(ref() is None for ref in refs)


class FakeCuda:
    """torch.cuda as KVCache sees it when CUDA is in use: records each empty_cache()
    with how many entries had been released at that moment."""

    def __init__(self, released: list[Any]) -> None:
        self.released = released
        self.flushes: list[int] = []

    def is_initialized(self) -> bool:
        return True

    def empty_cache(self) -> None:
        self.flushes.append(len(self.released))


def test_empty_cache_runs_once_per_put_after_its_evictions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    released: list[Any] = []
    fake = FakeCuda(released)
    monkeypatch.setattr(torch, "cuda", fake)
    cache = KVCache(max_bytes=300, on_evict=released.append)
    cache.put("a", bytearray(100))
    cache.put("b", bytearray(100))
    cache.put("c", bytearray(100))
    assert fake.flushes == []  # nothing evicted yet
    cache.put("d", bytearray(250))  # evicts a, b and c: one flush, after all three
    assert fake.flushes == [3]
    cache.put("d", bytearray(200))  # a replacement evicts nothing
    assert fake.flushes == [3]
    cache.put("e", bytearray(400))  # oversize: released, then one flush
    assert fake.flushes == [3, 4] and cache.oversize == 1
    quiet = KVCache(max_bytes=100, on_evict=released.append, empty_cuda_cache=False)
    quiet.put("x", bytearray(80))
    quiet.put("y", bytearray(80))
    assert len(released) == 5 and fake.flushes == [3, 4]


def test_no_empty_cache_without_cuda(monkeypatch: pytest.MonkeyPatch) -> None:
    released: list[Any] = []
    fake = FakeCuda(released)
    monkeypatch.setattr(fake, "is_initialized", lambda: False)
    monkeypatch.setattr(torch, "cuda", fake)
    cache = KVCache(1, on_evict=released.append)
    for i in range(5):
        cache.put(i, i)
    assert len(released) == 4 and fake.flushes == []


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_memory_falls_after_evictions(bench: ModuleType, model_dir: Path) -> None:
    cache = Watched(max_bytes=1 << 30)
    backend = backend_with(model_dir, cache)
    assert backend._device.type == "cuda"
    bench.run_workload(backend)
    cache.held.clear()
    torch.cuda.synchronize()
    before = torch.cuda.memory_allocated()
    held = cache.weight or 0
    assert held > 0
    cache.max_bytes = 1  # every entry is evicted through cleanup_kv_cache
    torch.cuda.synchronize()
    after = torch.cuda.memory_allocated()
    assert len(cache) == 0
    assert before - after >= held // 2
