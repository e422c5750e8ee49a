"""The pure twin's RLock path (free-threaded CPython, PyPy), forced on this build.

On the GIL build the twin guards itself with its call-free "gate"; elsewhere every
method takes a real RLock.  That path is exercised here by switching the module's
``_NO_GATE`` on before the caches are made.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _support import assert_consistent

import cylru._lru_py as twin


@pytest.fixture
def no_gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(twin, "_NO_GATE", True)
    monkeypatch.setattr(twin, "_new_counter", lambda: twin._LockedCount())
    yield


def test_basic_operations_on_the_lock_path(no_gate: None) -> None:
    evicted: list[Any] = []
    c = twin.LRUCache(3, lambda k, v: evicted.append(k))
    assert not hasattr(c, "_gate")  # the gate never opens on this path
    for i in range(5):
        c[i] = str(i)
    assert evicted == [0, 1]
    assert c.get(2) == "2" and c.get(99) is None
    assert list(c) == [3, 4, 2]
    assert c.pop(3) == "3" and c.popitem() == (4, "4")
    c.capacity = 0
    assert evicted == [0, 1, 2] and len(c) == 0
    stats = c.stats()
    assert (stats.hits, stats.misses, stats.evictions) == (1, 1, 3)
    assert_consistent(c)


def test_reentrant_callback_on_the_lock_path(no_gate: None) -> None:
    c = twin.LRUCache(2)

    def on_evict(key: Any, value: Any) -> None:
        if isinstance(key, int):
            c[("again", key)] = value  # re-enters (and evicts): must not deadlock

    c.on_evict = on_evict
    for i in range(6):
        c[i] = i
    assert len(c) == 2
    assert ("again", 4) in c or 5 in c
    assert_consistent(c)


@pytest.mark.no_refcount_check
def test_threads_on_the_lock_path(no_gate: None) -> None:
    c = twin.LRUCache(64, max_weight=200, weigher=lambda v: v % 7)
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker(seed: int) -> None:
        n = seed
        try:
            while not stop.is_set():
                n = (n * 1103515245 + 12345) % 2**31
                key = n % 150
                op = n % 5
                if op == 0:
                    c.pop(key, None)
                elif op == 1:
                    c.get(key)
                else:
                    c[key] = key
        except BaseException as exc:  # any escape fails the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    stop.wait(0.5)
    stop.set()
    for t in threads:
        t.join()
    assert errors == []
    assert len(c) <= 64
    assert c.weight == sum(v % 7 for v in c.values()) <= 200
    for key, value in c.items():
        assert key == value
    assert_consistent(c)
