"""alru_cache against async-lru 2.4.0: each scenario runs on both and must agree.

A scenario is a coroutine taking the decorator; it returns what it observed
(results, ``cache_info()``, ``cache_parameters()``, ...), and the test compares
our observations with async-lru's.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
import sys
import warnings
from collections.abc import Callable
from functools import partial, partialmethod
from types import ModuleType
from typing import Any

import async_lru
import pytest

Scenario = Callable[[Any], Any]


def _both(memo: ModuleType, scenario: Scenario) -> None:
    ours = asyncio.run(scenario(memo.alru_cache))
    theirs = asyncio.run(scenario(async_lru.alru_cache))
    assert ours == theirs


def _info(f: Any) -> tuple[Any, ...]:
    return (tuple(f.cache_info()), f.cache_parameters())


async def _basic(alru_cache: Any) -> list[Any]:
    calls: list[Any] = []

    @alru_cache(maxsize=3)
    async def f(x: Any, y: int = 0) -> Any:
        calls.append((x, y))
        await asyncio.sleep(0)
        return (x, y)

    seen: list[Any] = [_info(f)]
    for args in [(1,), (1,), (2,), (3,), (1,), (4,), (2,), (1.0,), (1,)]:
        seen.append(await f(*args))
        seen.append(_info(f))
    seen.append(await f(1, y=2))
    seen.append(await f(x=1, y=2))
    seen.append((f.cache_contains(1), f.cache_contains(1, y=2), f.cache_contains(9)))
    seen.append(_info(f))
    seen.append(f.cache_invalidate(1, y=2))
    seen.append(f.cache_invalidate(1, y=2))
    seen.append(_info(f))
    f.cache_clear()
    seen.append(_info(f))
    seen.append(calls)
    return seen


async def _shared_and_gathered(alru_cache: Any) -> list[Any]:
    calls: list[Any] = []

    @alru_cache
    async def f(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0.01)
        return x

    results = await asyncio.gather(*(f(i % 3) for i in range(9)))
    return [results, calls, _info(f)]


async def _sizes(alru_cache: Any) -> list[Any]:
    seen: list[Any] = []
    for maxsize in (None, 0, 1, -1):

        @alru_cache(maxsize=maxsize)
        async def f(x: int) -> int:
            return x

        seen.append(await asyncio.gather(*(f(v) for v in [1, 2, 3, 1, 2, 3])))
        for v in [1, 2, 1]:
            seen.append(await f(v))
        seen.append(_info(f))
    return seen


async def _typed_and_key(alru_cache: Any) -> list[Any]:
    @alru_cache(typed=True)
    async def typed(x: Any) -> Any:
        return x

    @alru_cache(key=lambda x, verbose=False: x)
    async def keyed(x: Any, verbose: bool = False) -> Any:
        return (x, verbose)

    seen = [await typed(1), await typed(1.0), await typed(1), _info(typed)]
    seen += [await keyed(1), await keyed(1, verbose=True), _info(keyed)]
    seen += [keyed.cache_contains(1, verbose=True), keyed.cache_invalidate(1)]
    return seen


async def _exceptions(alru_cache: Any) -> list[Any]:
    calls = []

    @alru_cache
    async def f(x: int) -> int:
        calls.append(x)
        await asyncio.sleep(0)
        raise ZeroDivisionError(x)

    results = await asyncio.gather(*(f(1) for _ in range(3)), return_exceptions=True)
    seen: list[Any] = [[type(r).__name__ for r in results], _info(f)]
    with pytest.raises(ZeroDivisionError):
        await f(1)
    seen += [_info(f), calls]
    return seen


async def _cancel(alru_cache: Any) -> list[Any]:
    seen: list[Any] = []
    for to_cancel in range(4):
        finished = []

        @alru_cache
        async def f(x: int) -> int:
            await asyncio.sleep(0.02)
            finished.append(x)  # noqa: B023 (called only within this iteration)
            return x

        tasks = [asyncio.create_task(f(1)) for _ in range(3)]
        await asyncio.sleep(0)
        for task in tasks[:to_cancel]:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(0.03)  # a cancelled computation would have finished by now
        seen.append([t.cancelled() for t in tasks])
        seen.append([t.result() for t in tasks if not t.cancelled()])
        seen.append((finished, _info(f)))
    return seen


async def _ttl(alru_cache: Any) -> list[Any]:
    calls = []

    @alru_cache(ttl=0.5)  # long enough that a loaded machine still hits within it
    async def f(x: int) -> int:
        calls.append(x)
        return x

    seen: list[Any] = [await f(1), await f(1), _info(f), f.cache_contains(1)]
    await asyncio.sleep(0.6)
    seen += [f.cache_contains(1), _info(f), await f(1), calls]
    with pytest.raises(ValueError, match="jitter requires ttl"):
        alru_cache(jitter=1)
    with pytest.raises(ValueError, match="non-negative"):
        alru_cache(ttl=1, jitter=-1)

    @alru_cache(ttl=0.01, jitter=0.01)
    async def g(x: int) -> int:
        return x

    await g(1)
    await asyncio.sleep(0.05)
    seen.append(g.cache_contains(1))
    return seen


async def _close(alru_cache: Any) -> list[Any]:
    @alru_cache
    async def f(x: int) -> int:
        await asyncio.sleep(0.05)
        return x

    gathered = asyncio.gather(*(f(v) for v in [1, 2, 3]))
    await asyncio.sleep(0.01)
    seen: list[Any] = [_info(f)]
    await f.cache_close()
    seen.append(_info(f))
    with pytest.raises(asyncio.CancelledError):
        await gathered
    with pytest.raises(RuntimeError, match="closed"):
        await f(1)
    await f.cache_close()

    @alru_cache
    async def g(x: int) -> int:
        await asyncio.sleep(0.01)
        return x

    gathered = asyncio.gather(*(g(v) for v in [1, 2]))
    await asyncio.sleep(0)
    await g.cache_close(wait=True)
    seen += [await gathered, _info(g)]
    return seen


async def _methods(alru_cache: Any) -> list[Any]:
    class A:
        def __init__(self, v: int) -> None:
            self.v = v

        @alru_cache
        async def get(self, dv: int) -> int:
            return self.v + dv

        @classmethod
        @alru_cache
        async def make(cls, v: int) -> int:
            return v * 2

        async def _base(self, a: int, b: int) -> int:
            return a + b

        part = alru_cache(partialmethod(_base, 10))

    a, b = A(1), A(2)
    seen = [await a.get(1), await a.get(1), await b.get(1), _info(a.get)]
    seen += [a.get.cache_contains(1), a.get.cache_invalidate(1), a.get.cache_contains(1)]
    seen += [await A.make(3), await A.make(3), _info(A.make)]
    seen += [await a.part(5), await a.part(5), _info(a.part)]
    seen += [inspect.iscoroutinefunction(a.get) if sys.version_info >= (3, 12) else None]

    async def plain(x: int, y: int) -> int:
        return x * y

    p = alru_cache(partial(plain, 3))
    seen += [await p(4), await p(4), _info(p)]
    return seen


SCENARIOS = [_basic, _shared_and_gathered, _sizes, _typed_and_key, _exceptions, _cancel, _ttl]
SCENARIOS += [_close, _methods]


@pytest.mark.no_refcount_check
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__.strip("_"))
def test_same_as_async_lru(memo: ModuleType, scenario: Scenario) -> None:
    _both(memo, scenario)


def test_errors_match(memo: ModuleType) -> None:
    for bad in ("foo", 1.5):
        with pytest.raises(NotImplementedError):
            memo.alru_cache(bad)
        with pytest.raises(NotImplementedError):
            async_lru.alru_cache(bad)

    def not_a_coroutine(x: int) -> int:
        return x

    with pytest.raises(RuntimeError, match="Coroutine function is required"):
        memo.alru_cache(not_a_coroutine)
    with pytest.raises(TypeError, match="key must be callable"):
        memo.alru_cache(key=1)
    with pytest.raises(ValueError, match="typed is ignored"):
        memo.alru_cache(key=lambda x: x, typed=True)


def test_coroutine_function_markers(memo: ModuleType) -> None:
    @memo.alru_cache
    async def f(x: int) -> int:
        """Doc."""
        return x

    if sys.version_info >= (3, 12):
        assert inspect.iscoroutinefunction(f)
    if sys.version_info < (3, 14):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            assert asyncio.iscoroutinefunction(f)
    assert f.__name__ == "f"
    assert f.__doc__ == "Doc."
    coro = f(1)
    assert asyncio.iscoroutine(coro)
    assert asyncio.run(coro) == 1


def test_a_new_event_loop_resets_the_cache_and_warns_once(memo: ModuleType) -> None:
    @memo.alru_cache(maxsize=100)
    async def f(key: str) -> str:
        return "data_" + key

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            loop = asyncio.new_event_loop()
            try:
                assert loop.run_until_complete(f("a")) == "data_a"
                assert loop.run_until_complete(f("a")) == "data_a"
            finally:
                loop.close()
    resets = [w for w in caught if issubclass(w.category, memo.AlruCacheLoopResetWarning)]
    assert len(resets) == 1
    assert "event loop change" in str(resets[0].message)
    assert tuple(f.cache_info()) == (1, 1, 100, 1)  # counters reset on the last change


def test_unhashable_argument_does_not_bind_a_loop(memo: ModuleType) -> None:
    @memo.alru_cache
    async def f(x: Any) -> Any:
        return x

    with pytest.raises(TypeError):
        asyncio.run(f([]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # async-lru binds the loop before building the key; so do we, and the
        # second loop is then a change: it warns.  Record it rather than fail.
        warnings.simplefilter("ignore", memo.AlruCacheLoopResetWarning)
        assert asyncio.run(f("ok")) == "ok"


def test_a_replaced_cache_is_used_through_its_methods(memo: ModuleType) -> None:
    from cylru import _lru_py

    @memo.alru_cache
    async def f(x: int) -> int:
        return x * 2

    f.cache = _lru_py.LRUCache(4)  # not the compiled core: no direct lookups into it

    async def main() -> list[int]:
        return [await f(1), await f(1), await f(2)]

    assert asyncio.run(main()) == [2, 2, 4]
    assert tuple(f.cache_info()) == (1, 2, 128, 2)


def test_no_reference_kept_by_calls(memo: ModuleType) -> None:
    class Arg:
        def __hash__(self) -> int:
            return 7

    arg, result = Arg(), Arg()

    @memo.alru_cache(maxsize=2)
    async def f(a: Any, k: int = 0) -> Any:
        if isinstance(a, int) and a < 0:
            raise ValueError(a)
        return result if a is arg else a

    async def calls(n: int) -> None:
        for i in range(n):
            assert await f(arg, k=1) is result  # a hit after the first
            await f(i)  # a miss that evicts
            with pytest.raises(ValueError):
                await f(-1)  # an exception
        with pytest.raises(TypeError):
            await f([])  # an unhashable argument

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(calls(10))
        f.cache_clear()
        gc.collect()
        before = sys.getrefcount(arg), sys.getrefcount(result)
        loop.run_until_complete(calls(500))
        f.cache_clear()
        gc.collect()
        assert (sys.getrefcount(arg), sys.getrefcount(result)) == before
    finally:
        loop.close()
