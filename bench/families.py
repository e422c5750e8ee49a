#!/usr/bin/env python3
"""Hash families: cylru against a dict on keys whose hashes share structure (issue 9).

    python bench/families.py              # 20,000 keys per family
    python bench/families.py --keys 5000 --repeats 9

For each family one round puts every key into an empty cache (capacity = number of
keys, so nothing is evicted), gets every key, then deletes every other key; the dict
does the same with ``d[k] = v``, ``d.get(k)`` and ``del d[k]``.  Each cell is the
median ns per operation over the repeats (the dict and the cache alternate within a
repeat, so machine noise hits both alike) and, in brackets, the ratio to the dict's
figure for the same family in the same run.  A family that clustered in the index
would show here as a ratio growing with the number of keys (the core that folded
hashes to 32 bits took 1,700 times a dict's time on ``(i << 32) | i`` at 20,000 keys).
Probe lengths, the deterministic side of the same question, are checked by
tests/test_hash_families.py.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def families(n: int) -> dict[str, list[Any]]:
    side = math.isqrt(n) + 1
    grid = [(r, c) for r in range(side) for c in range(side)][:n]
    rng = random.Random(0)
    return {
        "int 0..n": list(range(n)),
        "(i << 32) | i": [(i << 32) | i for i in range(n)],
        "i << 32": [i << 32 for i in range(n)],
        "i << 40": [i << 40 for i in range(n)],
        "i << 52": [i << 52 for i in range(n)],
        "packed pairs (r << 32) | c": [(r << 32) | c for r, c in grid],
        "floats i / 7": [i / 7 for i in range(n)],
        "tuples (a, b)": grid,
        "negative ints": [-i for i in range(n)],
        "random 64-bit ints": [rng.getrandbits(64) for _ in range(n)],
        "str": [f"key{i}" for i in range(n)],
    }


def one_round(make: Callable[[int], Any], keys: list[Any]) -> int:
    """ns for: put every key, get every key, delete every other key (``make(n)`` is empty)."""
    c = make(len(keys))
    half = keys[::2]
    t0 = time.perf_counter_ns()
    for k in keys:
        c[k] = k
    get = c.get
    for k in keys:
        get(k)
    for k in half:
        del c[k]
    return time.perf_counter_ns() - t0


def new_dict(n: int) -> dict[Any, Any]:
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keys", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    import cylru

    ops = 2 * args.keys + len(range(0, args.keys, 2))
    print(
        f"cylru {cylru.__version__} ({cylru.IMPLEMENTATION}), Python {platform.python_version()},"
    )
    print(f"{platform.machine()} {os.cpu_count()} CPUs; {args.keys} keys, {ops} ops per round,")
    print(
        f"median of {args.repeats}; ns/op [ratio to dict]; PYTHONHASHSEED="
        f"{os.environ.get('PYTHONHASHSEED', 'random')}"
    )
    print()
    print(f"| {'family':28} | {'dict':>8} | {'cylru':>16} |")
    print(f"| {'-' * 28} | {'-' * 8}:| {'-' * 16}:|")
    worst = 0.0
    for name, keys in families(args.keys).items():
        assert len(set(keys)) == len(keys), name
        dict_ns, cache_ns = [], []
        gc.disable()
        try:
            for _ in range(args.repeats):
                dict_ns.append(one_round(new_dict, keys) / ops)
                cache_ns.append(one_round(cylru.LRUCache, keys) / ops)
        finally:
            gc.enable()
        d, c = statistics.median(dict_ns), statistics.median(cache_ns)
        worst = max(worst, c / d)
        print(f"| {name:28} | {d:8.1f} | {c:8.1f} [{c / d:5.2f}] |")
    print()
    print(f"worst ratio to dict: {worst:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
