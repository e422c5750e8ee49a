"""examples/hf_prefix_cache.py end to end on a tiny model, and its pieces under load."""

from __future__ import annotations

import copy
import random
import weakref
from types import ModuleType
from typing import Any

import pytest
import torch

import cylru

pytestmark = pytest.mark.kv


@pytest.fixture(scope="module")
def tiny_report(example: ModuleType) -> Any:
    return example.run(example.TINY)


def test_example_runs_end_to_end(example: ModuleType, tiny_report: Any) -> None:
    report, settings = tiny_report, example.TINY
    assert report.requests == settings.requests == report.hits + report.misses
    assert report.hits > 0 and report.misses >= settings.prefixes - 1
    assert report.evictions > 0  # the tiny bound holds only some prefixes
    assert 0 < report.final_bytes <= report.peak_bytes <= settings.max_bytes
    assert report.same_tokens == report.requests  # reuse changes no generated token
    assert report.max_logit_diff <= 1e-4
    assert report.cache_unchanged
    assert report.copy_grows_by == settings.suffix_len + settings.new_tokens - 1
    assert report.weight_matches_live
    assert report.evicted_tensors > 0 and report.evicted_alive == 0
    table = report.table()
    for row in ("requests", "hit rate", "bytes held", "evictions", "no reuse", "speed-up"):
        assert row in table


def test_main_prints_one_table(
    example: ModuleType, tiny_report: Any, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.setattr(example, "run", lambda settings: tiny_report)
    example.main(["--tiny"])
    out = capsys.readouterr().out
    assert out.count("| requests ") == 1 and "speed-up" in out


def test_hit_gives_the_same_next_token_logits(example: ModuleType) -> None:
    settings = example.TINY
    model = example.build_model(settings)
    store = example.PrefixKVStore(model, max_bytes=1 << 30)
    for request in example.make_requests(settings)[:6]:
        store.lookup(request.prefix)
        state, hit = store.lookup(request.prefix)
        assert hit
        reused = example.next_token_logits(model, request, state.kv)
        scratch = example.next_token_logits(model, request)
        torch.testing.assert_close(reused, scratch, rtol=1e-4, atol=1e-5)
        assert int(reused.argmax()) == int(scratch.argmax())
    assert store.check_unchanged()


def test_byte_bound_is_never_exceeded(example: ModuleType) -> None:
    settings = example.TINY
    model = example.build_model(settings)
    bound = 40_000
    store = example.PrefixKVStore(model, max_bytes=bound)
    rng = random.Random(1)
    # Prefixes of very different lengths, so one put may evict several entries.
    prefixes = [torch.randint(0, settings.vocab_size, (1, rng.randint(4, 60))) for _ in range(12)]
    for _ in range(60):
        store.lookup(rng.choice(prefixes))
        assert store.cache.weight <= bound
        assert store.cache.weight == sum(cylru.nbytes(v) for v in store.cache.values())
        store.release_evicted()
    assert store.peak_weight <= bound
    assert store.cache.stats().evictions > 0
    # A prefix heavier than the whole bound is refused and changes nothing.
    before = list(store.cache.keys())
    with pytest.raises(ValueError):
        store.lookup(torch.randint(0, settings.vocab_size, (1, 400)))
    assert list(store.cache.keys()) == before


def test_eviction_frees_the_tensors_without_gc(example: ModuleType) -> None:
    settings = example.TINY
    model = example.build_model(settings)
    store = example.PrefixKVStore(model, max_bytes=1 << 30)
    first = torch.randint(0, settings.vocab_size, (1, 32))
    state, _ = store.lookup(first)
    refs = [weakref.ref(t) for t in example.kv_tensors(state.kv)]
    del state
    store.cache.max_weight = 1  # forces out every entry through on_evict
    assert len(store.cache) == 0
    assert all(ref() is not None for ref in refs)  # queued, not yet released
    assert store.release_evicted() == 1
    assert all(ref() is None for ref in refs)  # freed by refcount, no gc.collect()


def test_generation_works_on_a_copy(example: ModuleType) -> None:
    settings = example.TINY
    model = example.build_model(settings)
    request = example.make_requests(settings)[0]
    store = example.PrefixKVStore(model, max_bytes=1 << 30)
    state, _ = store.lookup(request.prefix)
    private = copy.deepcopy(state.kv)
    example.generate(model, request.prompt, settings.new_tokens, private)
    assert example.kv_length(state.kv) == settings.prefix_len
    assert example.kv_length(private) > settings.prefix_len
    assert store.check_unchanged()
