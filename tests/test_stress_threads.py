"""8 threads hammer one cache for a bounded time; afterwards every invariant holds.

Mixed operations, an ``on_evict`` and a weigher that re-enter the cache, a thread
that keeps clearing and resizing it, and iteration that may raise RuntimeError (the
only exception allowed to escape an operation).  Afterwards: ``len <= capacity``,
iteration agrees with ``len``, every present key maps to a value some thread wrote
for it, and the weight total equals the sum of the weights.

CYLRU_STRESS_SECONDS sets the run time per case (default 0.5 s: the four cases
take about 2 s); ``pytest -s`` prints the operations per thread.
"""

from __future__ import annotations

import contextlib
import os
import random
import sys
import threading
import time
from types import ModuleType
from typing import Any

import pytest
from _support import MISSING

pytestmark = pytest.mark.no_refcount_check  # threads: the total drifts meanwhile

THREADS = 8
SECONDS = float(os.environ.get("CYLRU_STRESS_SECONDS", "0.5"))
KEYS = 48


def _weight_of(value: tuple[Any, int, int]) -> int:
    return value[2] % 5


@pytest.fixture
def fast_switching() -> Any:
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(old)


@pytest.mark.parametrize("weighted", [True, False], ids=["weighted", "count"])
def test_eight_threads_mixed_operations(
    impl: ModuleType, weighted: bool, fast_switching: Any
) -> None:
    written: list[dict[Any, set[Any]]] = [{} for _ in range(THREADS)]
    errors: list[BaseException] = []
    ops = [0] * THREADS
    local = threading.local()

    def on_evict(key: Any, value: Any) -> None:
        # Runs outside every lock: anything goes, including writes.
        rng = local.rng
        r = rng.random()
        if r < 0.1:
            cache.get(key)
        elif r < 0.15:
            k = rng.randrange(KEYS)
            v = (k, local.tid, next(local.counter))
            local.written.setdefault(k, set()).add(v)
            cache[k] = v
        elif r < 0.2:
            cache.pop(rng.randrange(KEYS), None)

    def weigher(value: Any) -> int:
        # Same-thread re-entry (reads) from inside a put.
        if local.rng.random() < 0.05:
            cache.peek(value[0])
            _ = value[0] in cache
        return _weight_of(value)

    if weighted:
        cache = impl.LRUCache(32, on_evict, max_weight=60, weigher=weigher)
    else:
        cache = impl.LRUCache(32, on_evict)

    def counter() -> Any:
        n = 0
        while True:
            n += 1
            yield n

    def worker(tid: int) -> None:
        local.rng = rng = random.Random(tid)
        local.tid = tid
        local.counter = counter()
        local.written = written[tid]
        deadline = time.monotonic() + SECONDS
        n = 0
        try:
            while time.monotonic() < deadline:
                for _ in range(50):
                    n += 1
                    k = rng.randrange(KEYS)
                    r = rng.random()
                    if tid == 0 and r < 0.05:  # the resizer / clearer
                        if rng.random() < 0.3:
                            cache.clear()
                        else:
                            cache.capacity = rng.choice([1, 4, 16, 32, 64])
                        continue
                    if r < 0.35:
                        v = (k, tid, next(local.counter))
                        local.written.setdefault(k, set()).add(v)
                        cache[k] = v
                    elif r < 0.55:
                        cache.get(k)
                    elif r < 0.62:
                        cache.peek(k)
                        _ = k in cache
                    elif r < 0.68:
                        cache.pop(k, None)
                    elif r < 0.72:
                        with contextlib.suppress(KeyError):
                            del cache[k]
                    elif r < 0.76:
                        with contextlib.suppress(KeyError):
                            cache.popitem()
                    elif r < 0.82:
                        v = (k, tid, next(local.counter))
                        local.written.setdefault(k, set()).add(v)
                        cache.setdefault(k, v)
                    elif r < 0.86:
                        pairs = []
                        for j in range(3):
                            v = (k + j, tid, next(local.counter))
                            local.written.setdefault(k + j, set()).add(v)
                            pairs.append((k + j, v))
                        cache.update(pairs)
                    elif r < 0.93:
                        try:
                            for i, _item in enumerate(cache.items()):
                                if i > 8:
                                    break
                        except RuntimeError:
                            pass  # changed during iteration: allowed
                    elif r < 0.96:
                        cache.stats()
                        len(cache)
                    else:
                        cache.copy()
        except BaseException as exc:
            errors.append(exc)
        ops[tid] = n

    threads = [threading.Thread(target=worker, args=(tid,)) for tid in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(SECONDS + 60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    assert errors == [], errors[:3]
    print(f"\n{impl.__name__} {'weighted' if weighted else 'count'}: ops per thread {ops}")

    items = list(cache.items())
    assert len(items) == len(cache) == len(list(cache)) == cache.stats().size
    assert len(cache) <= max(cache.capacity, 0)
    all_written: dict[Any, set[Any]] = {}
    for per_thread in written:
        for k, vs in per_thread.items():
            all_written.setdefault(k, set()).update(vs)
    for k, v in items:
        assert v in all_written.get(k, ()), (k, v)
        assert k in cache
        assert cache.peek(k, MISSING) is v
    if weighted:
        assert cache.weight == sum(_weight_of(v) for _, v in items)
        assert cache.weight <= cache.max_weight
    assert min(ops) > 0
