"""Prefix KV reuse for a HuggingFace causal LM, bounded by bytes with cylru.

Many requests to a local model share a long prompt prefix (a system prompt, a document,
few-shot examples). The prefix's KV cache -- a transformers ``DynamicCache`` -- is
computed once, kept in a ``cylru.LRUCache`` bounded by *bytes* (``max_weight`` with
``weigher=cylru.nbytes``), and reused by later requests, which then run the model on
their own suffix only.

Three rules make this correct:

1. ``generate()`` appends to the ``DynamicCache`` it is given, so each request works on
   a deep copy and the cached prefix never changes (checked below).
2. Because the cache alone owns the cached tensors, ``on_evict`` may free them. It only
   queues the evicted entry; the queue is released in a batch after the request, where
   one ``torch.cuda.empty_cache()`` returns the freed blocks to the device (a per-tensor
   call would synchronise the device once per eviction).
3. The bound is on bytes, so a long prefix displaces several short ones and the cache
   never holds more than ``max_weight`` bytes of KV state.

The model is a tiny Llama with random weights built from a config, so nothing is
downloaded; it runs on the CPU. Run::

    python examples/hf_prefix_cache.py            # the table, in well under a minute
    python examples/hf_prefix_cache.py --help     # workload and model size knobs
"""

from __future__ import annotations

import argparse
import copy
import gc
import inspect
import os
import random
import statistics
import time
import weakref
from collections.abc import Hashable, Iterator
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

import cylru

# transformers 5.24 renamed the forward argument and output field `past_key_values` to
# `cache`; use whichever this version has so neither path logs a deprecation.
_FORWARD_PARAMETERS = inspect.signature(LlamaForCausalLM.forward).parameters
CACHE_ARG = "cache" if "cache" in _FORWARD_PARAMETERS else "past_key_values"

MiB = 1 << 20


@dataclass(frozen=True)
class Settings:
    """Model size and workload. The defaults make the example's table."""

    hidden_size: int = 256
    layers: int = 4
    heads: int = 8
    kv_heads: int = 4
    vocab_size: int = 1024
    prefixes: int = 8
    prefix_len: int = 512
    suffix_len: int = 16
    new_tokens: int = 4
    requests: int = 64
    max_mib: float = 11.0
    zipf: float = 1.2
    seed: int = 0
    threads: int = 1

    @property
    def max_bytes(self) -> int:
        return int(self.max_mib * MiB)


TINY = Settings(
    hidden_size=32,
    layers=2,
    heads=4,
    kv_heads=2,
    vocab_size=128,
    prefixes=5,
    prefix_len=64,
    suffix_len=4,
    new_tokens=3,
    requests=24,
    max_mib=0.06,
)


def build_model(settings: Settings) -> LlamaForCausalLM:
    """A small Llama with random weights: no download, deterministic for a seed."""
    torch.manual_seed(settings.seed)
    config = LlamaConfig(
        vocab_size=settings.vocab_size,
        hidden_size=settings.hidden_size,
        intermediate_size=2 * settings.hidden_size,
        num_hidden_layers=settings.layers,
        num_attention_heads=settings.heads,
        num_key_value_heads=settings.kv_heads,
        max_position_embeddings=settings.prefix_len + settings.suffix_len + settings.new_tokens,
    )
    model = LlamaForCausalLM(config).eval()
    # Random weights: never stop early on an "end of sequence" token, so every request
    # generates the same number of tokens and the timings compare like with like.
    model.generation_config.eos_token_id = None
    model.generation_config.pad_token_id = 0
    return model


@dataclass
class Request:
    prefix_id: int
    prefix: torch.Tensor  # (1, prefix_len) token ids
    suffix: torch.Tensor  # (1, suffix_len) token ids

    @property
    def prompt(self) -> torch.Tensor:
        return torch.cat([self.prefix, self.suffix], dim=1)


def make_requests(settings: Settings) -> list[Request]:
    """Requests whose prefixes follow a Zipf-like popularity: a few are very common."""
    rng = random.Random(settings.seed)
    generator = torch.Generator().manual_seed(settings.seed)
    prefixes = [
        torch.randint(0, settings.vocab_size, (1, settings.prefix_len), generator=generator)
        for _ in range(settings.prefixes)
    ]
    popularity = [1 / (rank + 1) ** settings.zipf for rank in range(settings.prefixes)]
    requests = []
    for _ in range(settings.requests):
        (prefix_id,) = rng.choices(range(settings.prefixes), weights=popularity)
        shape = (1, settings.suffix_len)
        suffix = torch.randint(0, settings.vocab_size, shape, generator=generator)
        requests.append(Request(prefix_id, prefixes[prefix_id], suffix))
    return requests


def kv_tensors(kv: Any) -> Iterator[torch.Tensor]:
    """The key/value tensors of a DynamicCache, in the current or the older layout."""
    for layer in getattr(kv, "layers", ()):
        for name in ("keys", "values"):
            tensor = getattr(layer, name, None)
            if isinstance(tensor, torch.Tensor):
                yield tensor
    attributes = vars(kv)
    for name in ("key_cache", "value_cache"):
        for tensor in attributes.get(name, ()):
            if isinstance(tensor, torch.Tensor):
                yield tensor


def kv_length(kv: Any) -> int:
    return next((t.shape[-2] for t in kv_tensors(kv)), 0)


def fingerprint(kv: Any) -> tuple[tuple[tuple[int, ...], float], ...]:
    """Shapes and exact sums: changes if generation appended to or wrote into the cache."""
    return tuple((tuple(t.shape), float(t.double().sum())) for t in kv_tensors(kv))


@dataclass
class PrefixState:
    """What is cached per prefix: its token ids and its KV cache."""

    ids: torch.Tensor | None
    kv: Any  # transformers DynamicCache

    def release(self) -> None:
        """Drop every tensor reference this entry holds, so their memory is freed now."""
        kv = self.kv
        if kv is not None:
            layers = getattr(kv, "layers", None)
            if isinstance(layers, list):
                layers.clear()
            attributes = vars(kv)
            for name in ("key_cache", "value_cache"):
                if isinstance(attributes.get(name), list):
                    attributes[name].clear()
        self.kv = None
        self.ids = None


class PrefixKVStore:
    """Prefix KV caches in an LRU bounded by bytes; evicted tensors freed in batches."""

    def __init__(self, model: LlamaForCausalLM, max_bytes: int) -> None:
        self.model = model
        self.cache: cylru.LRUCache = cylru.LRUCache(
            4096,  # the entry count never binds: the byte bound does
            on_evict=self._on_evict,
            max_weight=max_bytes,
            weigher=cylru.nbytes,
        )
        self._pending: list[PrefixState] = []
        self.evicted_refs: list[weakref.ref[torch.Tensor]] = []
        self.peak_weight = 0
        self.fingerprints: dict[Hashable, tuple[tuple[tuple[int, ...], float], ...]] = {}

    def _on_evict(self, key: Hashable, state: PrefixState) -> None:
        # Runs inside the put that made room: keep it cheap, free the memory later.
        self._pending.append(state)
        self.fingerprints.pop(key, None)

    def release_evicted(self) -> int:
        """Free the evicted entries' tensors; return how many entries were released."""
        batch, self._pending = self._pending, []
        for state in batch:
            self.evicted_refs.extend(weakref.ref(t) for t in kv_tensors(state.kv))
            state.release()
        if batch and torch.cuda.is_available():
            torch.cuda.empty_cache()  # once per batch: it synchronises the device
        return len(batch)

    def lookup(self, prefix: torch.Tensor) -> tuple[PrefixState, bool]:
        """The cached state for ``prefix``, computing and storing it on a miss."""
        key = tuple(prefix[0].tolist())
        state: PrefixState | None = self.cache.get(key)
        if state is not None:
            return state, True
        with torch.no_grad():
            output = self.model(input_ids=prefix, use_cache=True)
        state = PrefixState(ids=prefix.clone(), kv=output[CACHE_ARG])
        self.fingerprints[key] = fingerprint(state.kv)
        self.cache[key] = state  # may evict least recent prefixes to stay under the bound
        self.peak_weight = max(self.peak_weight, self.cache.weight)
        return state, False

    def check_unchanged(self) -> bool:
        """Every cached prefix still has exactly the KV it was stored with."""
        return all(
            fingerprint(self.cache.peek(key).kv) == stored
            for key, stored in self.fingerprints.items()
        )


def generate(
    model: LlamaForCausalLM, prompt: torch.Tensor, new_tokens: int, kv: Any = None
) -> torch.Tensor:
    """Greedy generation; with ``kv`` (the prompt's prefix, a private copy) only the
    uncached tail of the prompt is run through the model."""
    kwargs = {CACHE_ARG: kv} if kv is not None else {}
    with torch.no_grad():
        output = model.generate(
            prompt,
            attention_mask=torch.ones_like(prompt),
            max_new_tokens=new_tokens,
            do_sample=False,
            **kwargs,
        )
    return output[:, prompt.shape[1] :]


def next_token_logits(model: LlamaForCausalLM, request: Request, kv: Any = None) -> torch.Tensor:
    """Logits for the token after the prompt: from scratch, or from a copy of prefix ``kv``."""
    with torch.no_grad():
        if kv is None:
            return model(input_ids=request.prompt).logits[:, -1]
        return model(input_ids=request.suffix, **{CACHE_ARG: copy.deepcopy(kv)}).logits[:, -1]


@dataclass
class Report:
    settings: Settings
    requests: int = 0
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    peak_bytes: int = 0
    final_bytes: int = 0
    live_entries: int = 0
    times_reuse: list[float] = field(default_factory=list)
    times_hit: list[float] = field(default_factory=list)
    times_scratch: list[float] = field(default_factory=list)
    same_tokens: int = 0
    max_logit_diff: float = 0.0
    cache_unchanged: bool = True
    copy_grows_by: int = 0
    weight_matches_live: bool = False
    evicted_tensors: int = 0
    evicted_alive: int = 0

    @property
    def hit_rate(self) -> float:
        return self.hits / self.requests if self.requests else 0.0

    @property
    def median_reuse(self) -> float:
        return statistics.median(self.times_reuse)

    @property
    def median_scratch(self) -> float:
        return statistics.median(self.times_scratch)

    @property
    def speedup(self) -> float:
        return self.median_scratch / self.median_reuse

    def table(self) -> str:
        s = self.settings
        title = (
            f"Prefix KV reuse: tiny Llama ({s.layers} layers, hidden {s.hidden_size}, random "
            f"weights), CPU, torch {torch.__version__}, transformers {transformers.__version__}, "
            f"cylru {cylru.IMPLEMENTATION}\n"
            f"{s.prefixes} shared prefixes of {s.prefix_len} tokens, suffix {s.suffix_len}, "
            f"{s.new_tokens} new tokens per request, {s.threads} torch thread(s)"
        )
        rows = [
            ("requests", f"{self.requests}"),
            ("hit rate", f"{self.hit_rate:.1%} ({self.hits} hits, {self.misses} misses)"),
            (
                "bytes held (peak / bound)",
                f"{self.peak_bytes / MiB:.2f} MiB / {s.max_bytes / MiB:.2f} MiB",
            ),
            (
                "bytes held at end",
                f"{self.final_bytes / MiB:.2f} MiB in {self.live_entries} entries",
            ),
            ("evictions", f"{self.evictions}"),
            ("median per request, no reuse", f"{self.median_scratch * 1e3:.1f} ms"),
            ("median per request, prefix reuse", f"{self.median_reuse * 1e3:.1f} ms"),
            ("speed-up", f"{self.speedup:.1f}x"),
            ("median per hit (copy + suffix)", f"{statistics.median(self.times_hit) * 1e3:.1f} ms"),
        ]
        checks = [
            ("same tokens as no reuse", f"{self.same_tokens}/{self.requests} requests"),
            ("max abs diff, next-token logits", f"{self.max_logit_diff:.1e}"),
            (
                "cached KV unchanged",
                f"{'yes' if self.cache_unchanged else 'NO'} (without the copy, one "
                f"generate() grows it by {self.copy_grows_by} tokens)",
            ),
            ("weight == sum(nbytes(live))", "yes" if self.weight_matches_live else "NO"),
            (
                "evicted tensors freed",
                f"{self.evicted_tensors - self.evicted_alive}/{self.evicted_tensors}",
            ),
        ]
        rows += [("check: " + name, value) for name, value in checks]
        width = max(len(name) for name, _ in rows)
        lines = [title, "", f"| {'':<{width}} | result |", f"|{'-' * (width + 2)}|--------|"]
        lines += [f"| {name:<{width}} | {value} |" for name, value in rows]
        return "\n".join(lines)


def run(settings: Settings = Settings()) -> Report:
    """Serve the workload twice, from scratch and with prefix reuse; measure and check."""
    # One intra-op thread: on a shared or busy machine, torch's spinning worker threads
    # make timings swing by 10x; one thread measures the work, not the contention.
    threads = torch.get_num_threads()
    torch.set_num_threads(settings.threads)
    try:
        return _run(settings)
    finally:
        torch.set_num_threads(threads)


def _run(settings: Settings) -> Report:
    model = build_model(settings)
    requests = make_requests(settings)
    store = PrefixKVStore(model, settings.max_bytes)
    report = Report(settings, requests=len(requests))

    generate(model, requests[0].prompt, settings.new_tokens)  # warm-up, not timed

    scratch_tokens = []
    for request in requests:
        start = time.perf_counter()
        scratch_tokens.append(generate(model, request.prompt, settings.new_tokens))
        report.times_scratch.append(time.perf_counter() - start)

    for request, expected in zip(requests, scratch_tokens, strict=True):
        start = time.perf_counter()
        state, hit = store.lookup(request.prefix)
        tokens = generate(model, request.prompt, settings.new_tokens, copy.deepcopy(state.kv))
        store.release_evicted()
        report.times_reuse.append(time.perf_counter() - start)
        if hit:
            report.times_hit.append(report.times_reuse[-1])
        report.hits += hit
        report.misses += not hit
        report.same_tokens += bool(torch.equal(tokens, expected))
        if store.cache.weight > settings.max_bytes:  # the bound must hold after every put
            raise AssertionError(f"weight {store.cache.weight} over {settings.max_bytes}")

    # Correctness of a hit: next-token logits from the cached prefix match a recompute.
    for request in requests[: min(8, len(requests))]:
        state, _ = store.lookup(request.prefix)
        store.release_evicted()
        diff = next_token_logits(model, request, state.kv) - next_token_logits(model, request)
        report.max_logit_diff = max(report.max_logit_diff, float(diff.abs().max()))

    # The cache was never mutated, and what happens without the copy.
    report.cache_unchanged = store.check_unchanged()
    state, _ = store.lookup(requests[-1].prefix)
    uncopied = copy.deepcopy(state.kv)  # stands in for handing out the cached object
    before = kv_length(uncopied)
    generate(model, requests[-1].prompt, settings.new_tokens, uncopied)
    report.copy_grows_by = kv_length(uncopied) - before
    del uncopied

    # Release: the tracked weight is exactly the live entries', evicted tensors are gone.
    stats = store.cache.stats()
    report.evictions = stats.evictions
    report.peak_bytes = store.peak_weight
    report.final_bytes = store.cache.weight
    report.live_entries = len(store.cache)
    report.weight_matches_live = store.cache.weight == sum(
        cylru.nbytes(value) for value in store.cache.values()
    )
    gc.collect()
    report.evicted_tensors = len(store.evicted_refs)
    report.evicted_alive = sum(ref() is not None for ref in store.evicted_refs)
    return report


def main(argv: list[str] | None = None) -> None:
    defaults = Settings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=defaults.requests)
    parser.add_argument("--prefixes", type=int, default=defaults.prefixes)
    parser.add_argument("--prefix-len", type=int, default=defaults.prefix_len)
    parser.add_argument("--new-tokens", type=int, default=defaults.new_tokens)
    parser.add_argument("--max-mib", type=float, default=defaults.max_mib, help="byte bound")
    parser.add_argument("--threads", type=int, default=defaults.threads, help="torch threads")
    parser.add_argument("--tiny", action="store_true", help="the test suite's tiny model")
    args = parser.parse_args(argv)
    base = TINY if args.tiny else defaults
    settings = (
        base
        if args.tiny
        else Settings(
            requests=args.requests,
            prefixes=args.prefixes,
            prefix_len=args.prefix_len,
            new_tokens=args.new_tokens,
            max_mib=args.max_mib,
            threads=args.threads,
        )
    )
    print(run(settings).table())


if __name__ == "__main__":
    main()
