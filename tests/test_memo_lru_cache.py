"""lru_cache against functools.lru_cache: what CPython's own lru_cache tests cover.

Every test runs on both implementations (the ``memo`` fixture); where a figure
is compared, functools computes the expected one in the same test.
"""

from __future__ import annotations

import copy
import functools
import gc
import pickle
import sys
import threading
import weakref
from types import ModuleType
from typing import Any
from unittest import mock

import pytest

# ---------------------------------------------------------------------------------
# Module-level functions, so pickling by qualified name can find them.


def _square(x: int) -> int:
    return x * x


def _decorated(memo: ModuleType) -> tuple[Any, Any]:
    """A module-level name bound to a memoized function of each kind (for pickling)."""
    global square_memo
    square_memo = memo.lru_cache(_square)
    square_memo.__qualname__ = "square_memo"
    return square_memo, _square


square_memo: Any = None


def _pair(memo: ModuleType, *, maxsize: Any = 128, typed: bool = False) -> tuple[Any, Any]:
    """The same counting function memoized by ours and by functools."""

    def make() -> Any:
        calls = [0]

        def f(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            return (args, tuple(kwargs.items()), calls[0])

        return f

    return (
        memo.lru_cache(maxsize=maxsize, typed=typed)(make()),
        functools.lru_cache(maxsize=maxsize, typed=typed)(make()),
    )


def _same(ours: Any, theirs: Any, *calls: tuple[tuple[Any, ...], dict[str, Any]]) -> None:
    for args, kwargs in calls:
        assert ours(*args, **kwargs) == theirs(*args, **kwargs), (args, kwargs)
        assert tuple(ours.cache_info()) == tuple(theirs.cache_info()), (args, kwargs)


# ---------------------------------------------------------------------------------
# Forms of use


def test_decorator_forms(memo: ModuleType) -> None:
    @memo.lru_cache
    def bare(x: int) -> int:
        return x

    @memo.lru_cache()
    def called(x: int) -> int:
        return x

    @memo.lru_cache(maxsize=None)
    def unbounded(x: int) -> int:
        return x

    @memo.lru_cache(maxsize=0)
    def uncached(x: int) -> int:
        return x

    typed_direct = memo.lru_cache(lambda x: x, True)
    for f in (bare, called, unbounded, uncached, typed_direct):
        assert f(1) == 1
        assert f(1) == 1
    assert tuple(bare.cache_info()) == (1, 1, 128, 1)
    assert tuple(called.cache_info()) == (1, 1, 128, 1)
    assert tuple(unbounded.cache_info()) == (1, 1, None, 1)
    assert tuple(uncached.cache_info()) == (0, 2, 0, 0)
    assert typed_direct.cache_parameters() == {"maxsize": 128, "typed": True}


def test_cache_info_is_a_named_tuple(memo: ModuleType) -> None:
    f = memo.lru_cache(maxsize=3)(_square)
    f(2)
    f(2)
    info = f.cache_info()
    assert (info.hits, info.misses, info.maxsize, info.currsize) == (1, 1, 3, 1)
    assert info._fields == functools.lru_cache(_square).cache_info()._fields
    assert repr(info) == "CacheInfo(hits=1, misses=1, maxsize=3, currsize=1)"


@pytest.mark.parametrize("maxsize", [None, -3, 0, 1, 2, True, 10])
def test_cache_parameters_and_accounting_match_functools(memo: ModuleType, maxsize: Any) -> None:
    ours, theirs = _pair(memo, maxsize=maxsize)
    assert ours.cache_parameters() == theirs.cache_parameters()
    calls = [((i % 4,), {}) for i in range(12)] + [((i % 7,), {}) for i in range(20)]
    _same(ours, theirs, *calls)
    ours.cache_clear()
    theirs.cache_clear()
    assert tuple(ours.cache_info()) == tuple(theirs.cache_info())
    _same(ours, theirs, *calls)


def test_bad_maxsize_and_non_callable(memo: ModuleType) -> None:
    for bad in ("x", 1.5, [1], object()):
        with pytest.raises(TypeError) as ours:
            memo.lru_cache(bad)
        with pytest.raises(TypeError) as theirs:
            functools.lru_cache(bad)
        assert str(ours.value) == str(theirs.value)
    for maxsize in (None, 0, 3):
        with pytest.raises(TypeError) as ours:
            memo.lru_cache(maxsize)(1)
        with pytest.raises(TypeError) as theirs:
            functools.lru_cache(maxsize)(1)
        assert str(ours.value) == str(theirs.value)
    # A callable with a non-bool typed: functools refuses it as a bad maxsize.
    with pytest.raises(TypeError, match="Expected first argument"):
        memo.lru_cache(len, 1)


# ---------------------------------------------------------------------------------
# Keys


def test_keys_positional_keyword_and_order(memo: ModuleType) -> None:
    ours, theirs = _pair(memo)
    _same(
        ours,
        theirs,
        ((1, 2), {}),
        ((1,), {"b": 2}),
        ((), {"a": 1, "b": 2}),
        ((), {"b": 2, "a": 1}),  # keyword order matters, as in functools
        ((1, 2), {}),
        ((), {"a": 1, "b": 2}),
        ((1,), {}),
        ((1.0,), {}),  # a float is not a "fast" key: (1.0,) is not 1
        ((True,), {}),
        (("s",), {}),
        ((("s",),), {}),
    )
    assert ours.cache_info().currsize == theirs.cache_info().currsize == 8


def test_typed(memo: ModuleType) -> None:
    ours, theirs = _pair(memo, typed=True)
    _same(
        ours,
        theirs,
        ((3,), {}),
        ((3.0,), {}),
        ((3,), {}),
        ((), {"x": 3}),
        ((), {"x": 3.0}),
        ((), {"x": 3}),
        (("a", 1), {"b": 2.0}),
        (("a", 1.0), {"b": 2}),
    )
    assert ours.cache_info().misses == 6


def test_the_hash_runs_once_per_call(memo: ModuleType) -> None:
    @memo.lru_cache(maxsize=1)
    def f(x: Any, y: int) -> Any:
        return x * 3 + y

    fake = mock.Mock()
    fake.__mul__ = mock.Mock(return_value=15)
    fake.__hash__ = mock.Mock(return_value=999)
    assert f(fake, 1) == 16  # miss
    assert fake.__hash__.call_count == 1
    assert f(fake, 1) == 16  # hit
    assert fake.__hash__.call_count == 2
    assert f(6, 2) == 20  # evicts it: no hash of the evicted key
    assert fake.__hash__.call_count == 2
    assert f(fake, 1) == 16  # miss again
    assert fake.__hash__.call_count == 3
    assert tuple(f.cache_info()) == (1, 3, 1, 1)


def test_unhashable_argument(memo: ModuleType) -> None:
    f = memo.lru_cache(lambda x: x)
    with pytest.raises(TypeError, match="unhashable type: 'list'"):
        f([1])
    assert tuple(f.cache_info()) == (0, 0, 128, 0)
    # maxsize=0 builds no key at all, as functools: the call goes through, a miss counts.
    ours, theirs = _pair(memo, maxsize=0)
    _same(ours, theirs, (([1],), {}), (([1],), {"k": {}}))


def test_equal_keys_share_an_entry_and_the_first_key_stays(memo: ModuleType) -> None:
    ours, theirs = _pair(memo)
    _same(ours, theirs, ((1, 2.0), {}), ((1.0, 2), {}), ((1, 2), {}))
    assert ours.cache_info().currsize == 1


# ---------------------------------------------------------------------------------
# Wrapper attributes, binding, pickling, copying


def test_update_wrapper_attributes(memo: ModuleType) -> None:
    def documented(x: int, y: str = "") -> list[int]:
        """The docstring."""
        return [x]

    documented.extra = "copied"  # type: ignore[attr-defined]
    ours = memo.lru_cache(documented)
    theirs = functools.lru_cache(documented)
    for name in ("__module__", "__name__", "__qualname__", "__doc__", "__wrapped__"):
        assert getattr(ours, name) == getattr(theirs, name), name
    assert ours.__annotations__ == documented.__annotations__
    assert ours.extra == "copied"
    assert ours.__wrapped__ is documented
    if sys.version_info >= (3, 12):
        assert ours.__type_params__ == documented.__type_params__


def test_binding_as_a_method(memo: ModuleType) -> None:
    class Point:
        calls = 0

        def __init__(self, x: int) -> None:
            self.x = x

        @memo.lru_cache
        def shifted(self, dx: int) -> int:
            Point.calls += 1
            return self.x + dx

        @classmethod
        @memo.lru_cache
        def make(cls, x: int) -> Point:
            return cls(x)

        @staticmethod
        @memo.lru_cache
        def double(x: int) -> int:
            return 2 * x

    a, b = Point(1), Point(10)
    assert a.shifted(1) == 2
    assert a.shifted(1) == 2
    assert b.shifted(1) == 11
    assert Point.shifted(a, 1) == 2
    assert Point.calls == 2
    # One cache per decorated function, shared by every instance, as functools.
    assert tuple(a.shifted.cache_info()) == (2, 2, 128, 2)
    assert Point.shifted.__get__(None, Point) is Point.__dict__["shifted"]
    assert Point.make(3) is Point.make(3)
    assert Point.double(4) == 8
    assert Point.double.cache_info().misses == 1


def test_pickle_by_qualified_name(memo: ModuleType) -> None:
    f, _ = _decorated(memo)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(f, protocol)) is f
    f.__qualname__ = "no_such_name"
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(f)


def test_copy_and_deepcopy_return_the_wrapper(memo: ModuleType) -> None:
    f = memo.lru_cache(_square)
    assert copy.copy(f) is f
    assert copy.deepcopy(f) is f


def test_wrapper_is_weakly_referenceable_and_collected(memo: ModuleType) -> None:
    f = memo.lru_cache(lambda x: x)
    f(1)
    ref = weakref.ref(f)
    del f
    gc.collect()
    assert ref() is None


# ---------------------------------------------------------------------------------
# Exceptions, recursion, threads


def test_exceptions_are_not_cached(memo: ModuleType) -> None:
    calls = []

    @memo.lru_cache
    def fails(x: int) -> int:
        calls.append(x)
        raise ValueError(x)

    for _ in range(3):
        with pytest.raises(ValueError):
            fails(1)
    assert calls == [1, 1, 1]
    assert tuple(fails.cache_info()) == (0, 3, 128, 0)


def test_recursion(memo: ModuleType) -> None:
    @memo.lru_cache(maxsize=None)
    def fib(n: int) -> int:
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    theirs = functools.lru_cache(maxsize=None)(
        lambda n: n if n < 2 else theirs(n - 1) + theirs(n - 2)
    )
    assert fib(200) == theirs(200)
    assert tuple(fib.cache_info()) == tuple(theirs.cache_info())

    @memo.lru_cache(maxsize=2)
    def small(n: int) -> int:
        return n if n < 2 else small(n - 1) + small(n - 2)

    theirs_small = functools.lru_cache(maxsize=2)(
        lambda n: n if n < 2 else theirs_small(n - 1) + theirs_small(n - 2)
    )
    assert small(20) == theirs_small(20)
    assert tuple(small.cache_info()) == tuple(theirs_small.cache_info())


def test_a_key_stored_during_the_call_keeps_the_first_value(memo: ModuleType) -> None:
    results = iter([object(), object()])
    depth = [0]

    @memo.lru_cache
    def f(x: int) -> object:
        if depth[0] == 0:
            depth[0] += 1
            inner = f(x)  # recursion stores x first
            assert f.cache.peek(x) is inner
        return next(results)

    outer = f(1)
    assert f.cache.peek(1) is not outer  # the first stored value stays
    assert f(1) is f.cache.peek(1)


@pytest.mark.no_refcount_check
def test_threads(memo: ModuleType) -> None:
    @memo.lru_cache(maxsize=20)
    def f(x: int, y: int = 0) -> int:
        return 3 * x + y

    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        start.wait()
        try:
            for i in range(2_000):
                x = (i * seed) % 37
                assert f(x, y=seed % 2) == 3 * x + seed % 2
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    info = f.cache_info()
    assert info.hits + info.misses == 8 * 2_000
    assert info.currsize <= 20


# ---------------------------------------------------------------------------------
# Beyond functools


def test_the_underlying_cache(memo: ModuleType) -> None:
    f = memo.lru_cache(maxsize=2)(_square)
    assert type(f.cache) is memo.LRUCache
    assert f.cache.capacity == 2
    f(3)
    assert f.cache.peek(3) == 9
    stats = f.stats()
    assert (stats.hits, stats.misses, stats.size, stats.capacity) == (0, 1, 1, 2)


def test_on_evict(memo: ModuleType) -> None:
    evicted: list[tuple[Any, Any]] = []
    f = memo.lru_cache(maxsize=2, on_evict=lambda k, v: evicted.append((k, v)))(_square)
    for x in (1, 2, 1, 3, 4):
        f(x)
    assert evicted == [(2, 4), (1, 1)]
    assert f.stats().evictions == 2
    f.cache_clear()  # clearing is not evicting
    assert evicted == [(2, 4), (1, 1)]


def test_max_weight(memo: ModuleType) -> None:
    f = memo.lru_cache(maxsize=None, max_weight=10, weigher=len)(lambda n: "x" * n)
    for n in (4, 4, 3, 5):
        f(n)
    assert list(f.cache) == [3, 5]
    assert f.cache.weight == 8
    with pytest.raises(ValueError, match="max_weight"):
        f(11)  # as LRUCache.put: a value heavier than the bound is refused
    assert list(f.cache) == [3, 5]


def test_bad_cache_arguments_fail_at_decoration(memo: ModuleType) -> None:
    with pytest.raises(TypeError, match="on_evict"):
        memo.lru_cache(on_evict=3)
    with pytest.raises(ValueError, match="max_weight"):
        memo.lru_cache(max_weight=-1)


def test_cache_clear_drops_references(memo: ModuleType) -> None:
    class Result:
        pass

    f = memo.lru_cache(lambda x: Result())
    ref = weakref.ref(f(1))
    assert f(1) is ref()
    f.cache_clear()
    gc.collect()
    assert ref() is None
    assert tuple(f.cache_info()) == (0, 0, 128, 0)


def test_no_reference_kept_by_hits_misses_and_errors(memo: ModuleType) -> None:
    # On the debug interpreter the conftest check also demands a flat refcount total.
    class Arg:
        def __hash__(self) -> int:
            return 7

    arg = Arg()
    f = memo.lru_cache(maxsize=1)(lambda a, k=None: k)
    before = sys.getrefcount(arg)
    f(arg, k=1)  # miss: the key holds arg
    f(arg, k=1)  # hit
    f(2)  # evicts arg's key
    assert sys.getrefcount(arg) == before

    def fails(a: Any) -> None:
        raise KeyError("no")

    g = memo.lru_cache(fails)
    with pytest.raises(KeyError):
        g(arg)
    gc.collect()
    assert sys.getrefcount(arg) == before


def test_wrapper_internals_refuse_misuse_without_crashing(memo: ModuleType) -> None:
    f = memo.lru_cache(_square)
    with pytest.raises(TypeError, match="already initialised"):
        f.__init__(len, 1, False, None, None, None)
    assert f(3) == 9
    blank = type(f).__new__(type(f))
    with pytest.raises((TypeError, AttributeError)):
        blank(1)
    g = memo.cached(memo.LRUCache(4))(_square)
    with pytest.raises(TypeError, match="already initialised"):
        g.__init__(len, memo.LRUCache(4), None, True)
    blank = type(g).__new__(type(g))
    with pytest.raises((TypeError, AttributeError)):
        blank(1)
