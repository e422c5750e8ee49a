"""Memoizing decorators in pure Python: ``lru_cache``, ``cached`` and ``alru_cache``.

The readable reference for the compiled wrappers in ``_memo_c.pyx``
(docs/contract.md section 6).  Both build the same keys, count the same way
and raise the same errors; the compiled module reuses the slow paths defined
here (single flight, asyncio), which are dominated by locking and the event
loop rather than by Python frames.

Keys follow ``functools.lru_cache``'s rules exactly: the positional
arguments, then (if any keyword arguments) one marker object and the keyword
``(name, value)`` pairs in call order, then (``typed``) the type of every
argument; a single exact ``int`` or ``str`` argument is its own key.  A key's
hash is computed once per call (functools promises it: a slow ``__hash__``
runs once per use), so the pure path wraps tuples in ``_Key``, a tuple that
remembers its hash.  ``_Key`` equals and hashes like the plain tuple the
compiled path stores, so the cache holds equal keys on both implementations.
"""

from __future__ import annotations

import asyncio
import inspect
import random
import sys
import threading
import warnings
from _thread import allocate_lock as _allocate_lock
from collections.abc import Callable, Coroutine, Hashable, Iterable
from functools import partial, partialmethod, update_wrapper
from types import MethodType
from typing import Any, Generic, NamedTuple, ParamSpec, TypeVar, cast, overload

from ._base import Cache, CacheStats
from ._lru_py import LRUCache

_R = TypeVar("_R")
_P = ParamSpec("_P")
_MISSING: Any = object()


class CacheInfo(NamedTuple):
    """``cache_info()`` of a memoized function, as ``functools.lru_cache`` gives it."""

    hits: int
    misses: int
    maxsize: int | None
    currsize: int


class AlruCacheLoopResetWarning(UserWarning):
    """An ``alru_cache`` function was called from a new event loop and dropped its entries."""


# ----------------------------------------------------------------------------------
# Keys


class _KeywordMark:
    """Separates positional arguments from keyword pairs in a key (one shared object)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<cylru keyword mark>"

    def __reduce__(self) -> str:
        return "KWD_MARK"


KWD_MARK = _KeywordMark()


class _Key(tuple):  # type: ignore[type-arg]
    """A key tuple that hashes its items once, when it is built."""

    def __new__(cls, items: Iterable[Any], hashvalue: int | None = None) -> _Key:
        return tuple.__new__(cls, items)

    def __init__(self, items: Iterable[Any], hashvalue: int | None = None) -> None:
        # The compiled wrappers pass the hash they already computed.
        self.hashvalue: int = tuple.__hash__(self) if hashvalue is None else hashvalue

    def __hash__(self) -> int:
        return self.hashvalue


def make_key(args: tuple[Any, ...], kwargs: dict[str, Any], typed: object) -> Hashable:
    """The key ``functools.lru_cache`` uses for a call with ``args`` and ``kwargs``."""
    if not kwargs and not typed:
        if len(args) == 1 and type(args[0]) in (int, str):
            return args[0]  # type: ignore[no-any-return]
        return _Key(args)
    items = list(args)
    if kwargs:
        items.append(KWD_MARK)
        for item in kwargs.items():
            items.extend(item)
    if typed:
        items.extend([type(v) for v in args])
        if kwargs:
            items.extend([type(v) for v in kwargs.values()])
    return _Key(items)


def _as_maxsize(maxsize: object) -> int | None:
    if maxsize is None:
        return None
    if not isinstance(maxsize, int):
        raise TypeError("Expected first argument to be an integer, a callable, or None")
    return max(maxsize, 0)


def _check_callable(func: object) -> None:
    if not callable(func):
        raise TypeError("the first argument must be callable")


def _wrap(wrapper: Any, func: Any) -> None:
    """``functools.update_wrapper``'s attributes, as functools.lru_cache copies them."""
    update_wrapper(wrapper, func)


# ----------------------------------------------------------------------------------
# lru_cache


def _init_once(wrapper: object) -> None:
    """A wrapper is set up once (the compiled ones read their fields without a lock)."""
    if "cache" in vars(wrapper):
        raise TypeError(f"{type(wrapper).__name__} object is already initialised")


class _Memoized(Generic[_P, _R]):
    """What ``lru_cache`` and ``cached`` share: binding, pickling, copying, the cache."""

    __wrapped__: Callable[..., _R]
    __qualname__: str
    cache: Any

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return MethodType(cast(Callable[..., _R], self), instance)

    def __reduce__(self) -> str:
        # Pickled by qualified name, as functools' wrapper and plain functions are.
        return self.__qualname__

    def __copy__(self) -> _Memoized[_P, _R]:
        return self

    def __deepcopy__(self, memo: object) -> _Memoized[_P, _R]:
        return self

    def stats(self) -> CacheStats:
        """The underlying cache's ``CacheStats``."""
        return self.cache.stats()  # type: ignore[no-any-return]


class _LRUCacheWrapper(_Memoized[_P, _R]):
    """A function memoized by ``lru_cache``: call it like the function."""

    cache: LRUCache[Hashable, _R]

    def __init__(
        self,
        func: Callable[_P, _R],
        maxsize: int | None,
        typed: object,
        on_evict: Callable[[Any, Any], object] | None,
        max_weight: int | None,
        weigher: Callable[[Any], int] | None,
    ) -> None:
        _init_once(self)
        capacity = sys.maxsize if maxsize is None else maxsize
        self.cache = LRUCache(capacity, on_evict, max_weight=max_weight, weigher=weigher)
        self._maxsize = maxsize
        self._typed = typed
        self._func = func

    def __call__(self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        if self._maxsize == 0:
            # As functools: no key is built (unhashable arguments are fine); a miss counts.
            self.cache.get(_MISSING)
            return self._func(*args, **kwargs)
        key = make_key(args, kwargs, self._typed)
        cache = self.cache
        result = cache.get(key, _MISSING)
        if result is _MISSING:
            result = self._func(*args, **kwargs)
            # A recursive call or another thread may have stored the key meanwhile:
            # the first stored value stays (as functools), this call returns its own.
            cache.setdefault(key, result)
        return cast(_R, result)

    def cache_info(self) -> CacheInfo:
        """``(hits, misses, maxsize, currsize)``, as ``functools.lru_cache``."""
        stats = self.cache.stats()
        return CacheInfo(stats.hits, stats.misses, self._maxsize, stats.size)

    def cache_clear(self) -> None:
        """Forget every result and zero the counters (no ``on_evict`` calls)."""
        self.cache.clear()
        self.cache.clear_stats()

    def cache_parameters(self) -> dict[str, Any]:
        return {"maxsize": self._maxsize, "typed": self._typed}


@overload
def lru_cache(maxsize: Callable[_P, _R], typed: bool = False) -> _LRUCacheWrapper[_P, _R]: ...


@overload
def lru_cache(
    maxsize: int | None = 128,
    typed: bool = False,
    *,
    on_evict: Callable[[Any, Any], object] | None = None,
    max_weight: int | None = None,
    weigher: Callable[[Any], int] | None = None,
) -> Callable[[Callable[_P, _R]], _LRUCacheWrapper[_P, _R]]: ...


def lru_cache(
    maxsize: Any = 128,
    typed: bool = False,
    *,
    on_evict: Callable[[Any, Any], object] | None = None,
    max_weight: int | None = None,
    weigher: Callable[[Any], int] | None = None,
) -> Any:
    """A drop-in for ``functools.lru_cache`` over cylru's LRU cache (docs/contract.md section 6).

    ``on_evict(key, result)``, ``max_weight`` and ``weigher`` are as on ``LRUCache``.
    """
    return _lru_cache(_LRUCacheWrapper, maxsize, typed, on_evict, max_weight, weigher)


def _lru_cache(
    wrapper_class: Any,
    maxsize: Any,
    typed: Any,
    on_evict: Any,
    max_weight: Any,
    weigher: Any,
) -> Any:
    """``lru_cache`` for a given wrapper class (the compiled module passes its own)."""
    if callable(maxsize) and isinstance(typed, bool) and not isinstance(maxsize, int):
        # @lru_cache without parentheses: maxsize is the function.
        return _make_wrapper(wrapper_class, maxsize, 128, typed, on_evict, max_weight, weigher)
    if maxsize is not None and not isinstance(maxsize, int):
        raise TypeError("Expected first argument to be an integer, a callable, or None")
    # Check the cache's own arguments now, so a bad one fails at decoration time.
    LRUCache(0, on_evict, max_weight=max_weight, weigher=weigher)
    return partial(
        _make_wrapper,
        wrapper_class,
        maxsize=maxsize,
        typed=typed,
        on_evict=on_evict,
        max_weight=max_weight,
        weigher=weigher,
    )


def _make_wrapper(
    wrapper_class: Any,
    func: Any,
    maxsize: Any,
    typed: Any,
    on_evict: Any,
    max_weight: Any,
    weigher: Any,
) -> Any:
    _check_callable(func)
    wrapper = wrapper_class(func, _as_maxsize(maxsize), typed, on_evict, max_weight, weigher)
    _wrap(wrapper, func)
    return wrapper


# ----------------------------------------------------------------------------------
# cached: any cylru cache, single flight across threads


class _Flight:
    """One computation in progress: its owner thread, and its outcome once known."""

    __slots__ = ("done", "error", "owner", "result")

    def __init__(self, owner: int) -> None:
        self.owner = owner
        # Held by the owner until the outcome is known; a waiter takes it and gives it
        # back (a plain lock: an Event costs a Condition, several times more per miss).
        self.done = _allocate_lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None


class Flights:
    """The computations in progress for one memoized function, by key.

    A thread that misses a key another thread is computing waits for that
    thread's outcome instead of computing it again.  Waiting never deadlocks:
    a thread that would wait (directly, or through a chain of waiting threads)
    on a computation it owns computes the value itself instead.
    """

    __slots__ = ("_lock", "_running", "_waiting")

    def __init__(self) -> None:
        # Reentrant: a key's __eq__ may call the memoized function while the dict looks it up.
        self._lock = threading.RLock()
        self._running: dict[Hashable, _Flight] = {}
        self._waiting: dict[int, _Flight] = {}  # thread -> the flight it waits for

    def run(
        self,
        cache: Any,
        key: Hashable,
        func: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        """The result of ``func(*args, **kwargs)`` for ``key``, computed once across threads."""
        me = threading.get_ident()
        with self._lock:
            flight = self._running.get(key)
            if flight is None:
                flight = self._running[key] = _Flight(me)
                owner = True
            elif self._would_deadlock(flight, me):
                flight = None
            else:
                self._waiting[me] = flight
                owner = False
        if flight is None:
            # Re-entry for a key this thread computes (directly or through waiting
            # threads): waiting would never end, so compute it again, unshared.
            return _compute_and_store(cache, key, func, args, kwargs)
        if not owner:
            try:
                with flight.done:
                    pass
            finally:
                with self._lock:
                    del self._waiting[me]
            if flight.error is not None:
                raise flight.error
            return flight.result
        try:
            flight.result = _compute_and_store(cache, key, func, args, kwargs)
            return flight.result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._running[key]
            flight.done.release()

    def _would_deadlock(self, flight: _Flight, me: int) -> bool:
        """True when ``flight``'s owner is ``me`` or (transitively) waits on ``me``."""
        seen = 0
        while flight.owner != me:
            waited = self._waiting.get(flight.owner)
            seen += 1
            if waited is None or seen > len(self._waiting):
                return False
            flight = waited
        return True


def _compute_and_store(
    cache: Any, key: Hashable, func: Callable[..., Any], args: tuple[Any, ...], kwargs: Any
) -> Any:
    result = func(*args, **kwargs)
    # setdefault: a value stored meanwhile (recursion) stays; this call returns its own.
    cache.setdefault(key, result)
    return result


def _key_function(key: Callable[..., Hashable] | None) -> Callable[..., Hashable] | None:
    if key is not None and not callable(key):
        raise TypeError(f"key must be callable or None, not {type(key).__name__!r}")
    return key


class _CachedBase(_Memoized[_P, _R]):
    """What the plain and the coroutine ``cached`` wrappers share."""

    def __init__(
        self,
        func: Callable[..., Any],
        cache: Any,
        key: Callable[..., Hashable] | None,
        single_flight: bool,
    ) -> None:
        _init_once(self)
        self.cache = cache
        self._key = key
        self._func = func
        self._single_flight = single_flight
        self._flights = Flights() if single_flight else None  # threads
        self._running: dict[Hashable, _Shared] = {}  # asyncio tasks

    def cache_key(self, /, *args: Any, **kwargs: Any) -> Hashable:
        """The key a call with these arguments is stored under."""
        if self._key is not None:
            return self._key(*args, **kwargs)
        return make_key(args, kwargs, False)

    def cache_clear(self) -> None:
        """Empty the cache (no ``on_evict`` calls); its counters are kept."""
        self.cache.clear()


class _CachedFunction(_CachedBase[_P, _R]):
    """A function memoized by ``cached(cache)``."""

    def __call__(self, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        key = make_key(args, kwargs, False) if self._key is None else self._key(*args, **kwargs)
        result = self.cache.get(key, _MISSING)
        if result is not _MISSING:
            return cast(_R, result)
        if self._flights is None:
            return cast(_R, _compute_and_store(self.cache, key, self._func, args, kwargs))
        return cast(_R, self._flights.run(self.cache, key, self._func, args, kwargs))


# ----------------------------------------------------------------------------------
# asyncio: shared tasks


def _is_coroutine_function(func: object) -> bool:
    while isinstance(func, (partial, partialmethod)):
        func = func.func
    return inspect.iscoroutinefunction(func)


_IS_COROUTINE = getattr(asyncio.coroutines, "_is_coroutine", None)


def _mark_coroutine_function(wrapper: Any) -> None:
    """Make ``inspect``/``asyncio.iscoroutinefunction`` say yes for ``wrapper``."""
    if _IS_COROUTINE is not None:  # asyncio.iscoroutinefunction before 3.14
        wrapper._is_coroutine = _IS_COROUTINE
    if sys.version_info >= (3, 12):
        inspect.markcoroutinefunction(wrapper)


class _Shared:
    """A task that several awaiters share, and how many of them are waiting."""

    __slots__ = ("later_call", "task", "waiters")

    def __init__(self, task: asyncio.Task[Any] | None) -> None:
        self.task: asyncio.Task[Any] = task  # type: ignore[assignment]
        self.waiters = 0
        self.later_call: asyncio.TimerHandle | None = None

    def cancel_expiry(self) -> None:
        if self.later_call is not None:
            self.later_call.cancel()
            self.later_call = None

    async def wait(self, forget: Callable[[], object]) -> Any:
        """Await the task; a cancelled awaiter cancels it only if nobody else waits."""
        self.waiters += 1
        try:
            return await asyncio.shield(self.task)
        except asyncio.CancelledError:
            if self.waiters == 1 and not self.task.done():
                self.cancel_expiry()
                self.task.cancel()
                forget()
            raise
        finally:
            self.waiters -= 1


class _AsyncCachedFunction(_CachedBase[_P, _R]):
    """A coroutine function memoized by ``cached(cache)``: results in the cache,
    computations in progress shared by every awaiter on the same event loop."""

    async def __call__(self, /, *args: Any, **kwargs: Any) -> _R:
        key = make_key(args, kwargs, False) if self._key is None else self._key(*args, **kwargs)
        result = self.cache.get(key, _MISSING)
        if result is not _MISSING:
            return cast(_R, result)
        shared = self._running.get(key) if self._single_flight else None
        if shared is None and self._single_flight:
            shared = _Shared(None)
            shared.task = asyncio.get_running_loop().create_task(
                self._compute(key, shared, args, kwargs)
            )
            self._running[key] = shared
        elif shared is not None and (
            shared.task.get_loop() is not asyncio.get_running_loop()
            or shared.task is asyncio.current_task()
        ):
            # Another loop's computation (its task cannot be awaited here), or a
            # re-entry from the computation itself (it would wait for itself).
            shared = None
        if shared is None:
            result = await self._func(*args, **kwargs)
            self.cache.setdefault(key, result)
            return cast(_R, result)
        return cast(_R, await shared.wait(partial(self._forget, key, shared)))

    async def _compute(
        self, key: Hashable, shared: _Shared, args: tuple[Any, ...], kwargs: Any
    ) -> Any:
        try:
            result = await self._func(*args, **kwargs)
            self.cache.setdefault(key, result)
            return result
        finally:
            self._forget(key, shared)

    def _forget(self, key: Hashable, shared: _Shared) -> None:
        if self._running.get(key) is shared:
            del self._running[key]


def cached(
    cache: Cache,
    *,
    key: Callable[..., Hashable] | None = None,
    single_flight: bool = True,
) -> Callable[[Callable[_P, _R]], _CachedFunction[_P, _R]]:
    """Memoize a function through ``cache``, any cylru cache (docs/contract.md section 6).

    ``key(*args, **kwargs)`` builds the key (default: as ``lru_cache`` does).  With
    ``single_flight``, concurrent misses of one key compute it once; the other
    callers wait and get the same result or the same exception (never cached).
    A coroutine function gets the same per event loop, sharing one task.
    """
    # A coroutine function gets an _AsyncCachedFunction: to a type checker it is the same,
    # a callable with the function's parameters returning what the function returns.
    return cast(
        Callable[[Callable[_P, _R]], _CachedFunction[_P, _R]],
        _cached(_CachedFunction, cache, key, single_flight),
    )


def _cached(function_class: Any, cache: Any, key: Any, single_flight: Any) -> Any:
    if not isinstance(cache, Cache):
        raise TypeError(f"cache must be a cylru cache, not {type(cache).__name__!r}")
    key = _key_function(key)
    if not isinstance(single_flight, bool):
        raise TypeError(f"single_flight must be a bool, not {type(single_flight).__name__!r}")

    def decorating_function(func: Any) -> Any:
        _check_callable(func)
        wrapper: Any
        if _is_coroutine_function(func):
            wrapper = _AsyncCachedFunction(func, cache, key, single_flight)
            _mark_coroutine_function(wrapper)
        else:
            wrapper = function_class(func, cache, key, single_flight)
        _wrap(wrapper, func)
        return wrapper

    return decorating_function


# ----------------------------------------------------------------------------------
# alru_cache: async-lru 2.4.0's behaviour


class _CacheParameters(dict):  # type: ignore[type-arg]
    pass


class _AlruCacheWrapper(Generic[_R]):
    """A coroutine function memoized by ``alru_cache``: each call returns a coroutine."""

    _cache_class: Any = LRUCache  # the compiled module's subclass uses the compiled core

    def __init__(
        self,
        func: Callable[..., Coroutine[Any, Any, _R]],
        maxsize: int | None,
        typed: bool,
        ttl: float | None,
        jitter: float | None,
        key: Callable[..., Hashable] | None,
    ) -> None:
        self._maxsize = maxsize
        self._typed = typed
        self._ttl = ttl
        self._jitter = jitter
        self._key = key
        capacity = sys.maxsize if maxsize is None else maxsize
        # Evicting an entry stops its expiry timer; its task runs on for its awaiters.
        self.cache: LRUCache[Hashable, _Shared] = self._cache_class(
            capacity, lambda _key, shared: shared.cancel_expiry()
        )
        self._closed = False
        self._hits = 0
        self._misses = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._warned = False
        self._func = func
        _wrap(self, func)
        _mark_coroutine_function(self)

    def _make_key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Hashable:
        if self._key is not None:
            return self._key(*args, **kwargs)
        return make_key(args, kwargs, self._typed)

    def _running_tasks(self) -> list[asyncio.Task[Any]]:
        return list({s.task for s in self.cache.values() if not s.task.done()})

    def _switch_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is not None:
            if not self._warned:
                warnings.warn(
                    "alru_cache detected event loop change and auto-cleared stale entries. "
                    "This is safe but unusual outside of tests (pytest-anyio, etc.).",
                    AlruCacheLoopResetWarning,
                    stacklevel=4,
                )
                self._warned = True
            # Entries hold tasks and timers of the old loop: useless here.
            self.cache_clear()
        self._loop = loop

    async def __call__(self, /, *args: Any, **kwargs: Any) -> _R:
        if self._closed:
            raise RuntimeError(f"alru_cache is closed for {self}")
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            self._switch_loop(loop)
        key = self._make_key(args, kwargs)
        shared = self.cache.get(key)
        if shared is not None:
            self._hits += 1
            if shared.task.done():
                return cast(_R, shared.task.result())
            return cast(_R, await shared.wait(partial(self.cache.pop, key, None)))
        shared = self._start(loop, key, args, kwargs)
        return cast(_R, await shared.wait(partial(self.cache.pop, key, None)))

    def _start(
        self,
        loop: asyncio.AbstractEventLoop,
        key: Hashable,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> _Shared:
        """A miss: start the task every caller of ``key`` shares, and store it."""
        task = loop.create_task(self._func(*args, **kwargs))
        shared = _Shared(task)
        task.add_done_callback(partial(self._task_done, key, shared))
        self.cache[key] = shared
        self._misses += 1
        return shared

    def _task_done(self, key: Hashable, shared: _Shared, task: asyncio.Task[Any]) -> None:
        # task._exception, not task.exception(): reading it would mark the exception as
        # retrieved and silence asyncio's "exception was never retrieved" log.
        if task.cancelled() or task._exception is not None:
            if self.cache.peek(key) is shared:
                self.cache.pop(key, None)
            return
        if self._ttl is not None and self.cache.peek(key) is shared:
            ttl = self._ttl
            if self._jitter is not None:
                ttl += random.uniform(0, self._jitter)
            shared.later_call = asyncio.get_running_loop().call_later(
                ttl, self._expire, key, shared
            )

    def _expire(self, key: Hashable, shared: _Shared) -> None:
        if self.cache.peek(key) is shared:
            self.cache.pop(key, None)

    def cache_info(self) -> CacheInfo:
        """``(hits, misses, maxsize, currsize)``; an in-flight entry counts in currsize."""
        return CacheInfo(self._hits, self._misses, self._maxsize, len(self.cache))

    def cache_parameters(self) -> dict[str, Any]:
        return {
            "maxsize": self._maxsize,
            "typed": self._typed,
            "tasks": len(self._running_tasks()),
            "closed": self._closed,
        }

    def cache_clear(self) -> None:
        """Forget every entry (running tasks go on for their awaiters) and zero the counters."""
        self._hits = 0
        self._misses = 0
        for shared in self.cache.values():
            shared.cancel_expiry()
        self.cache.clear()

    def cache_invalidate(self, /, *args: Any, **kwargs: Any) -> bool:
        """Forget the entry for these arguments; True if there was one."""
        shared = self.cache.pop(self._make_key(args, kwargs), None)
        if shared is None:
            return False
        shared.cancel_expiry()
        return True

    def cache_contains(self, /, *args: Any, **kwargs: Any) -> bool:
        """True if these arguments have an entry (done or running); counts and promotes nothing."""
        return self._make_key(args, kwargs) in self.cache

    async def cache_close(self, *, wait: bool = False) -> None:
        """Refuse further calls; cancel the running tasks (``wait=True``: let them finish)."""
        self._closed = True
        tasks = self._running_tasks()
        if not tasks:
            return
        if not wait:
            for task in tasks:
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        return _AlruBoundMethod(self, instance)


class _AlruBoundMethod(Generic[_R]):
    """``instance.method`` for an ``alru_cache`` method: ``self`` goes first in every key."""

    def __init__(self, wrapper: _AlruCacheWrapper[_R], instance: object) -> None:
        _wrap(self, wrapper)
        self.__wrapped__ = wrapper.__wrapped__  # type: ignore[attr-defined]
        self.__self__ = instance
        self._wrapper = wrapper
        _mark_coroutine_function(self)

    async def __call__(self, /, *args: Any, **kwargs: Any) -> _R:
        return await self._wrapper(self.__self__, *args, **kwargs)

    def cache_invalidate(self, /, *args: Any, **kwargs: Any) -> bool:
        return self._wrapper.cache_invalidate(self.__self__, *args, **kwargs)

    def cache_contains(self, /, *args: Any, **kwargs: Any) -> bool:
        return self._wrapper.cache_contains(self.__self__, *args, **kwargs)

    def cache_clear(self) -> None:
        self._wrapper.cache_clear()

    def cache_info(self) -> CacheInfo:
        return self._wrapper.cache_info()

    def cache_parameters(self) -> dict[str, Any]:
        return self._wrapper.cache_parameters()

    async def cache_close(
        self, *, wait: bool = False, cancel: bool = False, return_exceptions: bool = True
    ) -> None:
        if cancel or return_exceptions is not True:
            warnings.warn(
                "cancel/return_exceptions are deprecated; use wait=True to allow tasks "
                "to finish and wait=False to cancel pending tasks.",
                DeprecationWarning,
                stacklevel=2,
            )
        await self._wrapper.cache_close(wait=wait)


def alru_cache(
    maxsize: Any = 128,
    typed: bool = False,
    *,
    ttl: float | None = None,
    jitter: float | None = None,
    key: Callable[..., Hashable] | None = None,
) -> Any:
    """A drop-in for ``async_lru.alru_cache`` (async-lru 2.4.0; docs/contract.md section 6).

    Concurrent awaits of one key share one task; exceptions and cancellations are not
    cached; ``ttl`` (plus up to ``jitter``) seconds after a result it expires.
    """
    return _alru_cache(_AlruCacheWrapper, maxsize, typed, ttl, jitter, key)


def _alru_cache(
    wrapper_class: Any, maxsize: Any, typed: Any, ttl: Any, jitter: Any, key: Any
) -> Any:
    """``alru_cache`` for a given wrapper class (the compiled module passes its own)."""
    if maxsize is None or isinstance(maxsize, int):
        return _alru_decorator(maxsize, typed, ttl, jitter, key, wrapper_class)
    if callable(maxsize) or hasattr(maxsize, "_make_unbound_method"):
        return _alru_decorator(128, False, None, None, None, wrapper_class)(maxsize)
    # async-lru 2.4.0 raises exactly this for a bad maxsize; a drop-in keeps its type.
    raise NotImplementedError(f"{maxsize!r} decorating is not supported")


def _alru_decorator(
    maxsize: int | None,
    typed: bool,
    ttl: float | None,
    jitter: float | None,
    key: Callable[..., Hashable] | None,
    wrapper_class: Any = _AlruCacheWrapper,
) -> Callable[[Any], _AlruCacheWrapper[Any]]:
    if jitter is not None and ttl is None:
        raise ValueError("jitter requires ttl to be set")
    if jitter is not None and jitter < 0:
        raise ValueError("jitter must be non-negative")
    if key is not None and not callable(key):
        raise TypeError("key must be callable")
    if key is not None and typed:
        raise ValueError("typed is ignored when a custom key callable is provided")

    def decorating_function(func: Any) -> _AlruCacheWrapper[Any]:
        if not _is_coroutine_function(func):
            raise RuntimeError(f"Coroutine function is required, got {func!r}")
        if hasattr(func, "_make_unbound_method"):  # a partialmethod
            func = func._make_unbound_method()
        return wrapper_class(func, maxsize, typed, ttl, jitter, key)  # type: ignore[no-any-return]

    return decorating_function


__all__ = [
    "AlruCacheLoopResetWarning",
    "CacheInfo",
    "alru_cache",
    "cached",
    "lru_cache",
]
