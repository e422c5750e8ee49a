"""Resource growth: 10 million operations in a subprocess, resident memory flat after warm-up.

Marked ``leaks`` and left out of a plain ``pytest`` run (a churn takes tens of seconds):
run them with ``pytest -m leaks`` (``.ci/run`` does, after the main suite).  Each case
runs in a fresh interpreter so the measure is that of the churn alone: one million
operations of warm-up, then RSS is sampled every million operations up to ten million;
the last sample must be within 5% of the one after warm-up.  Linux only (/proc).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = [
    pytest.mark.leaks,
    pytest.mark.no_refcount_check,
    pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs /proc"),
]

TOTAL_OPS = int(os.environ.get("CYLRU_CHURN_OPS", str(10_000_000)))


# Run only with `pytest -m leaks` or CYLRU_CHURN=1: tests/conftest.py deselects
# these otherwise.


CHURN = textwrap.dedent(
    """
    import gc, json, os, sys, importlib
    mod = importlib.import_module(sys.argv[1])
    kind = sys.argv[2]
    total = int(sys.argv[3])
    page = os.sysconf("SC_PAGE_SIZE")

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * page

    evicted = [0]
    def on_evict(k, v):
        evicted[0] += 1

    if kind == "weighted":
        c = mod.LRUCache(5000, on_evict, max_weight=20000, weigher=len)
    elif kind == "simple":
        c = mod.SimpleLRUCache(5000, lambda v: None)
    else:
        c = mod.LRUCache(5000, on_evict)

    # Keys from a space 4x the capacity: most puts evict, many gets miss.  Values are
    # fresh objects, so every eviction frees one.
    ints = list(range(20000))
    strs = [f"key-{i}" for i in range(20000)]
    block = 100_000
    samples = []
    done = 0
    n = 0
    while done < total:
        for i in range(0, block, 10):
            j = (n * 7919 + i) % 20000
            k = ints[j] if i % 20 else strs[j]
            c[k] = "v" * (1 + j % 7)
            c.get(k)
            c.get(ints[(j * 31) % 20000])
            c.put(strs[(j + 1) % 20000], [j])
            c.peek(k)
            _ = ints[(j + 3) % 20000] in c
            c.pop(ints[(j + 5) % 20000], None)
            c.setdefault(strs[(j + 7) % 20000], (j,))
            c[strs[(j + 11) % 20000]] = "x"
            if i % 1000 == 0:
                try:
                    c.popitem()
                except KeyError:
                    pass
            else:
                c.get(strs[(j + 13) % 20000])
        n += 1
        done += block
        if n % 25 == 0:
            c.clear()
            sum(1 for _ in c.items())
            c.copy()
        if done % 1_000_000 == 0:
            gc.collect()
            samples.append(rss())
    print(json.dumps({"samples": samples, "evicted": evicted[0], "stats": list(c.stats())}))
    """
)


@pytest.mark.parametrize("kind", ["count", "weighted", "simple"])
def test_rss_flat_over_ten_million_operations(impl: object, kind: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CHURN, impl.__name__, kind, str(TOTAL_OPS)],  # type: ignore[attr-defined]
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    samples = result["samples"]
    mib = [round(s / 2**20, 1) for s in samples]
    print(f"\n{impl.__name__} {kind}: RSS MiB per million ops {mib}")  # type: ignore[attr-defined]
    assert len(samples) >= 2
    after_warmup, last = samples[0], samples[-1]
    assert last <= after_warmup * 1.05, f"RSS grew from {mib[0]} to {mib[-1]} MiB: {mib}"
