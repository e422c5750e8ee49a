"""cached(cache): any cylru cache, single flight across threads and across asyncio tasks."""

from __future__ import annotations

import asyncio
import gc
import importlib
import threading
import time
import weakref
from types import ModuleType
from typing import Any

import pytest

JOIN_TIMEOUT = 30  # seconds: a deadlock fails the test instead of hanging the run


def _cache_module(memo: ModuleType) -> ModuleType:
    """The cache classes that go with this memo implementation."""
    return importlib.import_module(memo.LRUCache.__module__)


def _caches(memo: ModuleType) -> list[Any]:
    lru = _cache_module(memo)
    return [
        lru.LRUCache(16),
        lru.LRUCache(16, max_weight=1_000, weigher=lambda v: 1),
        lru.SimpleLRUCache(16),
    ]


def _run_threads(n: int, target: Any) -> list[Any]:
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        try:
            results[i] = ("ok", target(i))
        except BaseException as exc:
            results[i] = ("error", exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
        assert not t.is_alive(), "deadlock"
    return results


def test_hits_and_misses_through_any_cylru_cache(memo: ModuleType) -> None:
    for cache in _caches(memo):
        calls: list[Any] = []

        @memo.cached(cache)
        def f(x: int, y: int = 0) -> int:
            calls.append((x, y))  # noqa: B023 (called only within this iteration)
            return x + y

        assert [f(1), f(1), f(1, y=2), f(1, y=2), f(2)] == [1, 1, 3, 3, 2]
        assert calls == [(1, 0), (1, 2), (2, 0)]
        assert f.cache is cache
        assert len(cache) == 3
        assert cache.peek(1) == 1  # the default key: as lru_cache builds it
        assert f.cache_key(1, y=2) in cache
        stats = cache.stats()
        assert (stats.hits, stats.misses) == (2, 3)


def test_custom_key(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)

    @memo.cached(cache, key=lambda x, verbose=False: x)
    def f(x: int, verbose: bool = False) -> int:
        return x * 10

    assert f(1) == f(1, verbose=True) == 10
    assert list(cache.items()) == [(1, 10)]
    with pytest.raises(TypeError, match="key must be callable"):
        memo.cached(cache, key=5)
    with pytest.raises(TypeError, match="cache must be a cylru cache"):
        memo.cached({})
    with pytest.raises(TypeError, match="single_flight"):
        memo.cached(cache, single_flight="yes")


def test_wrapper_attributes_and_binding(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)

    class A:
        @memo.cached(cache)
        def m(self, x: int) -> tuple[Any, int]:
            """Doc."""
            return (self, x)

    a = A()
    assert a.m(1) == (a, 1)
    assert A.m.__name__ == "m"
    assert A.m.__doc__ == "Doc."
    assert A.m.__wrapped__(a, 2) == (a, 2)
    assert (a, 1) in cache


def test_exceptions_are_not_cached(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    calls = []

    @memo.cached(cache)
    def f(x: int) -> int:
        calls.append(x)
        raise ValueError(x)

    for _ in range(2):
        with pytest.raises(ValueError):
            f(1)
    assert calls == [1, 1]
    assert len(cache) == 0


@pytest.mark.no_refcount_check
@pytest.mark.parametrize("kind", ["LRUCache", "byte-bound", "SimpleLRUCache"])
def test_single_flight_eight_threads_one_cold_key(memo: ModuleType, kind: str) -> None:
    cache = _caches(memo)[["LRUCache", "byte-bound", "SimpleLRUCache"].index(kind)]
    calls = []
    started = threading.Event()

    @memo.cached(cache)
    def slow(x: int) -> object:
        calls.append(x)
        started.set()
        time.sleep(0.2)  # long enough for every other thread to arrive and wait
        return object()

    barrier = threading.Barrier(8)

    def call(i: int) -> object:
        barrier.wait()
        return slow(7)

    results = _run_threads(8, call)
    assert calls == [7]
    assert {id(r[1]) for r in results} == {id(cache.peek(7))}


@pytest.mark.no_refcount_check
def test_single_flight_shares_the_exception_and_does_not_cache_it(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    calls = []

    class Boom(Exception):
        pass

    @memo.cached(cache)
    def slow(x: int) -> int:
        calls.append(x)
        time.sleep(0.2)
        if len(calls) == 1:
            raise Boom(x)
        return x

    barrier = threading.Barrier(8)
    results = _run_threads(8, lambda i: (barrier.wait(), slow(3))[1])
    assert calls == [3]
    errors = {id(r[1]) for r in results}
    assert len(errors) == 1
    assert all(r[0] == "error" and isinstance(r[1], Boom) for r in results)
    assert 3 not in cache
    assert slow(3) == 3  # computed again
    assert calls == [3, 3]


@pytest.mark.no_refcount_check
def test_without_single_flight_threads_compute_concurrently(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    inside = threading.Barrier(2, timeout=JOIN_TIMEOUT)

    @memo.cached(cache, single_flight=False)
    def f(x: int) -> int:
        inside.wait()  # passes only if both threads run f at once
        return x

    results = _run_threads(2, lambda i: f(1))
    assert results == [("ok", 1), ("ok", 1)]


def test_reentrant_call_for_the_key_being_computed(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    depth = [0]

    @memo.cached(cache)
    def f(x: int) -> int:
        depth[0] += 1
        if depth[0] < 3:
            return f(x) + 1  # same key, same thread: computed directly, no deadlock
        return 0

    assert f(1) == 2
    assert cache.peek(1) == 0  # the innermost result was stored first and stays


@pytest.mark.no_refcount_check
def test_two_threads_waiting_on_each_other_do_not_deadlock(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    both_running = threading.Barrier(2, timeout=JOIN_TIMEOUT)
    calls = []

    @memo.cached(cache)
    def f(x: str) -> str:
        calls.append(x)
        if len(calls) <= 2:
            both_running.wait()
            time.sleep(0.05 if x == "a" else 0.3)  # "a" asks for "b" first
            return x + f("b" if x == "a" else "a")
        return x

    results = _run_threads(2, lambda i: f("ab"[i]))
    assert sorted(r[0] for r in results) == ["ok", "ok"]


def test_no_reference_kept(memo: ModuleType) -> None:
    class Result:
        pass

    cache = memo.LRUCache(1)
    f = memo.cached(cache)(lambda x: Result())
    ref = weakref.ref(f(1))
    f(1)
    f(2)  # evicts
    gc.collect()
    assert ref() is None

    def fails(x: Any) -> None:
        raise KeyError(x)

    g = memo.cached(cache)(fails)
    arg = Result()
    ref = weakref.ref(arg)
    with pytest.raises(KeyError):
        g(arg)
    del arg
    gc.collect()
    assert ref() is None


# ---------------------------------------------------------------------------------
# asyncio


def test_async_single_flight_and_results_in_the_cache(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    calls = []

    @memo.cached(cache)
    async def f(x: int) -> object:
        calls.append(x)
        await asyncio.sleep(0.01)
        return object()

    async def main() -> list[object]:
        return await asyncio.gather(*(f(5) for _ in range(8)))

    results = asyncio.run(main())
    assert calls == [5]
    assert {id(r) for r in results} == {id(cache.peek(5))}
    assert asyncio.run(f(5)) is cache.peek(5)  # a hit, from another loop
    assert calls == [5]


def test_async_is_a_coroutine_function(memo: ModuleType) -> None:
    import inspect

    @memo.cached(memo.LRUCache(8))
    async def f(x: int) -> int:
        return x

    assert inspect.iscoroutinefunction(f) or not hasattr(inspect, "markcoroutinefunction")
    coro = f(1)
    assert asyncio.iscoroutine(coro)
    assert asyncio.run(coro) == 1


def test_async_exception_is_shared_and_not_cached(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    calls = []

    @memo.cached(cache)
    async def f(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0.01)
        raise ValueError(x)

    async def main() -> list[Any]:
        return await asyncio.gather(*(f(1) for _ in range(4)), return_exceptions=True)

    results = asyncio.run(main())
    assert calls == [1]
    assert all(isinstance(r, ValueError) for r in results)
    assert len({id(r) for r in results}) == 1
    assert 1 not in cache


def _slow_identity(memo: ModuleType, cache: Any, finished: list[int]) -> Any:
    @memo.cached(cache)
    async def f(x: int) -> int:
        await asyncio.sleep(0.05)
        finished.append(x)
        return x

    return f


def test_async_cancelled_awaiter_does_not_cancel_the_others(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    finished: list[int] = []
    f = _slow_identity(memo, cache, finished)

    async def main() -> list[Any]:
        tasks = [asyncio.create_task(f(1)) for _ in range(3)]
        await asyncio.sleep(0)
        tasks[0].cancel()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    assert isinstance(results[0], asyncio.CancelledError)
    assert results[1:] == [1, 1]
    assert finished == [1]
    assert cache.peek(1) == 1


def test_async_last_awaiter_cancelled_cancels_the_computation(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    finished: list[int] = []
    f = _slow_identity(memo, cache, finished)

    async def main() -> None:
        task = asyncio.create_task(f(1))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.1)
        assert await f(1) == 1  # starts afresh

    asyncio.run(main())
    assert finished == [1]


def test_async_reentrant_call_does_not_deadlock(memo: ModuleType) -> None:
    cache = memo.LRUCache(8)
    depth = [0]

    @memo.cached(cache)
    async def f(x: int) -> int:
        depth[0] += 1
        if depth[0] < 3:
            return await f(x) + 1
        return 0

    assert asyncio.run(asyncio.wait_for(f(1), JOIN_TIMEOUT)) == 2
