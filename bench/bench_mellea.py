#!/usr/bin/env python3
"""mellea's own ``LocalHFBackend`` with three caches: what eviction costs, bytes held.

    python bench/bench_mellea.py               # the table (a few minutes on a busy 2-core box)
    python bench/bench_mellea.py --markdown    # the README's table
    python bench/bench_mellea.py --repeats 1   # one pass per cache

Needs torch and the ``mellea`` extra (Python >= 3.11): ``pip install torch==2.13.0`` (the
CPU build) then ``pip install -e '.[mellea]'``.  Nothing is downloaded: the model is a
tiny Llama with random weights and a BPE tokenizer trained here on a few sentences
(``build_tiny_model``), saved to a temporary directory and loaded by mellea itself.

The same workload -- chat turns in one growing conversation, ``instruct`` calls and
streamed generations, greedy decoding -- runs on ``LocalHFBackend(path, cache=...)``
with:

- ``mellea``: mellea's ``SimpleLRUCache(N, on_evict=_cleanup_kv_cache)``, its own cache
  and callback (mellea's default is capacity 0, which stores nothing and never evicts;
  N makes it keep the last few entries, as a user who passes a cache does);
- ``cylru SimpleLRUCache``: ``cylru.SimpleLRUCache(N, on_evict=_cleanup_kv_cache)``,
  the drop-in with mellea's callback;
- ``cylru.mellea KVCache``: ``KVCache(max_bytes=B)`` with its ``cleanup_kv_cache``,
  B being N times the largest entry of the warm-up pass, so it holds at least N entries
  of any size, and more of the small ones.

Columns: wall time of the workload; time inside ``on_evict`` (the eviction cost mellea
pays inside its post-processing); time inside the cache's ``put`` (weighing, evicting,
storing); evictions (for KVCache including entries skipped as heavier than the bound);
the most bytes of tensors (``cylru.nbytes`` of the live entries) held after any put.
Each cell is the median over the repeats, which go round-robin over the caches; the
first pass of the process is a warm-up and is not reported.  The workload's outputs
must be identical across caches, or the script fails.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TQDM_DISABLE", "1")

with warnings.catch_warnings():
    # torch.jit's deprecation, raised while mellea's dependencies import.
    warnings.filterwarnings(
        "ignore", message="`torch.jit.script_method` is deprecated", category=DeprecationWarning
    )
    import torch
    import transformers
    from mellea import MelleaSession
    from mellea.backends import ModelOption
    from mellea.backends.cache import SimpleLRUCache as MelleaSimpleLRUCache
    from mellea.backends.huggingface import LocalHFBackend, _cleanup_kv_cache
    from mellea.core import CBlock
    from mellea.stdlib.context import ChatContext, SimpleContext
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        GenerationConfig,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

import cylru
from cylru.mellea import KVCache, cleanup_kv_cache

# ---------------------------------------------------------------------------
# The tiny model: random weights, an offline tokenizer with a chat template

SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "What is one plus one? One plus one is two.",
    "Mellea writes generative programs with requirements and sampling strategies.",
    "A cache keeps the key and value tensors of earlier requests.",
    "Please answer the question in one short sentence.",
    "user assistant system: hello, how are you today?",
]
SPECIAL_TOKENS = ["<|pad|>", "<|bos|>", "<|eos|>", "<|start|>", "<|end|>"]
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}<|start|>{{ message['role'] }}\n"
    "{{ message['content'] }}<|end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|start|>assistant\n{% endif %}"
)


def build_tiny_model(path: Path, *, hidden_size: int = 64, layers: int = 2) -> Path:
    """Save a tiny random Llama and its tokenizer to ``path``; mellea loads it from there."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=400,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    bpe.train_from_iterator(SENTENCES * 4, trainer)
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, bos_token="<|bos|>", eos_token="<|eos|>", pad_token="<|pad|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(path)
    ids = {
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
        "pad_token_id": tokenizer.pad_token_id,
    }
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        intermediate_size=2 * hidden_size,
        num_hidden_layers=layers,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=1024,
        **ids,
    )
    model = LlamaForCausalLM(config)
    model.generation_config = GenerationConfig(do_sample=False, max_new_tokens=8, **ids)
    model.save_pretrained(path)
    return path


# ---------------------------------------------------------------------------
# The workload

OPTIONS: dict[str, Any] = {ModelOption.MAX_NEW_TOKENS: 8, ModelOption.SEED: 0}
CHAT_TURNS = [
    "What is one plus one?",
    "Please answer the question in one short sentence.",
    "A cache keeps the key and value tensors of earlier requests. Why?",
    "How are you today?",
    "The quick brown fox jumps over the lazy dog. Say it again.",
    "What is one plus one? Answer again, in one short sentence.",
]
INSTRUCTIONS = [
    "Write one short sentence about the lazy dog.",
    "Mellea writes generative programs. Name one requirement.",
]
STREAMED = ["Say hello.", "Say hello to the quick brown fox."]


async def _stream(backend: LocalHFBackend, prompt: str) -> str:
    thunk, _ = await backend.generate_from_context(
        CBlock(prompt), SimpleContext(), model_options={**OPTIONS, ModelOption.STREAM: True}
    )
    while not thunk.is_computed():
        await thunk.astream()
    return str(await thunk.avalue())


def run_workload(backend: LocalHFBackend) -> list[str]:
    """Chat turns in one conversation, instructions, streamed generations: the outputs."""
    outputs = []
    session = MelleaSession(backend, ctx=ChatContext())
    for turn in CHAT_TURNS:
        outputs.append(str(session.chat(turn, model_options=OPTIONS).content))
    for instruction in INSTRUCTIONS:
        fresh = MelleaSession(backend, ctx=ChatContext())
        outputs.append(str(fresh.instruct(instruction, model_options=OPTIONS, strategy=None)))
    for prompt in STREAMED:
        outputs.append(asyncio.run(_stream(backend, prompt)))
    return outputs


def live_values(cache: Any) -> list[Any]:
    """The values a cache holds: mellea's, cylru's and KVCache all have ``.cache``."""
    return list(cache.cache.values())


# ---------------------------------------------------------------------------
# One measured pass


@dataclass
class Pass:
    name: str
    seconds: float = 0.0
    evict_seconds: float = 0.0
    put_seconds: float = 0.0
    puts: int = 0
    evictions: int = 0
    peak_bytes: int = 0
    entry_bytes: list[int] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def measure(name: str, model_dir: Path, make_cache: Callable[[Callable[[Any], None]], Any]) -> Pass:
    """Run the workload on a fresh backend whose cache ``make_cache(on_evict)`` builds."""
    result = Pass(name)

    def timed_cleanup(cleanup: Callable[[Any], None]) -> Callable[[Any], None]:
        def on_evict(value: Any) -> None:
            start = time.perf_counter()
            cleanup(value)
            result.evict_seconds += time.perf_counter() - start
            result.evictions += 1

        return on_evict

    cache = make_cache(timed_cleanup)
    backend = LocalHFBackend(str(model_dir), cache=cache)
    measuring = 0.0
    cache_put = backend.cache_put  # mellea's: self._cache.put(id, value)

    def timed_put(key: Any, value: Any) -> None:
        nonlocal measuring
        weighed = time.perf_counter()
        result.entry_bytes.append(cylru.nbytes(value))
        start = time.perf_counter()
        cache_put(key, value)
        done = time.perf_counter()
        result.put_seconds += done - start
        result.puts += 1
        result.peak_bytes = max(result.peak_bytes, sum(map(cylru.nbytes, live_values(cache))))
        measuring += (start - weighed) + (time.perf_counter() - done)

    backend.cache_put = timed_put  # type: ignore[method-assign]  # mellea calls self.cache_put
    start = time.perf_counter()
    result.outputs = run_workload(backend)
    result.seconds = time.perf_counter() - start - measuring
    return result


CAPACITY = 2  # entries kept by the count-bounded caches


def caches(max_bytes: int) -> dict[str, Callable[[Callable[[Any], None]], Any]]:
    """name -> cache factory taking a wrapper for the cleanup callback."""
    return {
        "mellea SimpleLRUCache + _cleanup_kv_cache": lambda timed: MelleaSimpleLRUCache(
            CAPACITY, on_evict=timed(_cleanup_kv_cache)
        ),
        "cylru SimpleLRUCache + _cleanup_kv_cache": lambda timed: cylru.SimpleLRUCache(
            CAPACITY, on_evict=timed(_cleanup_kv_cache)
        ),
        "cylru.mellea KVCache(max_bytes) + cleanup_kv_cache": lambda timed: KVCache(
            on_evict=timed(cleanup_kv_cache), max_bytes=max_bytes
        ),
    }


@dataclass
class Report:
    rows: dict[str, list[Pass]]
    max_bytes: int
    same_outputs: bool

    def median(self, name: str, attribute: str) -> float:
        return statistics.median(getattr(p, attribute) for p in self.rows[name])

    def eviction_ratio(self) -> float:
        """mellea's time in eviction over KVCache's, in the same run."""
        names = list(self.rows)
        theirs = self.median(names[0], "evict_seconds")
        ours = self.median(names[-1], "evict_seconds")
        return theirs / ours if ours > 0 else float("inf")

    def table(self) -> str:
        lines = [
            f"mellea {_version('mellea')} LocalHFBackend, tiny random Llama (2 layers, "
            f"hidden 64), CPU, torch {torch.__version__}, transformers "
            f"{transformers.__version__}, cylru {cylru.IMPLEMENTATION}, Python "
            f"{platform.python_version()}",
            f"{sum(len(x) for x in (CHAT_TURNS, INSTRUCTIONS, STREAMED))} generations per "
            f"pass; N = {CAPACITY} entries, B = {self.max_bytes / 1024:.0f} KiB; median of "
            f"{len(next(iter(self.rows.values())))} passes",
            "",
            "| cache | total | in eviction (on_evict) | in put | evictions | peak bytes held |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name in self.rows:
            evictions = self.median(name, "evictions")
            per = self.median(name, "evict_seconds") / evictions if evictions else 0.0
            lines.append(
                f"| {name} | {self.median(name, 'seconds'):.2f} s "
                f"| {_duration(self.median(name, 'evict_seconds'))}"
                f" ({_duration(per)} each) "
                f"| {_duration(self.median(name, 'put_seconds'))} "
                f"| {evictions:.0f} | {self.median(name, 'peak_bytes') / 1024:.0f} KiB |"
            )
        lines.append("")
        lines.append(
            f"Time in eviction, mellea's callback on mellea's cache / KVCache: "
            f"{self.eviction_ratio():.0f}x. Same outputs on every cache: "
            f"{'yes' if self.same_outputs else 'NO'}."
        )
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def _version(distribution: str) -> str:
    from importlib.metadata import version

    return version(distribution)


def run(repeats: int, model_dir: Path) -> Report:
    warm = measure("warm-up", model_dir, lambda timed: cylru.SimpleLRUCache(CAPACITY))
    max_bytes = CAPACITY * max(warm.entry_bytes)
    factories = caches(max_bytes)
    rows: dict[str, list[Pass]] = {name: [] for name in factories}
    names = list(factories)
    for repeat in range(repeats):
        for i in range(len(names)):
            name = names[(repeat + i) % len(names)]
            rows[name].append(measure(name, model_dir, factories[name]))
    expected = warm.outputs
    same = all(p.outputs == expected for passes in rows.values() for p in passes)
    return Report(rows, max_bytes, same)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--markdown", action="store_true", help="only the table, for the README")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)  # spinning worker threads swamp a shared machine
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_tiny_model(Path(tmp) / "tiny-llama")
        report = run(args.repeats, model_dir)
    print(report.table())
    if not report.same_outputs:
        print("outputs differ between caches", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
