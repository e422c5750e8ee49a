"""docs/contract.md sections 3, 4 and 4a: nothing reachable from Python crashes, leaks or
breaks a bound (issue 9, item 3), plus reversed() and re-initialisation.

Each test here reproduced a defect of the compiled core: a segfault from constructing
its iterator type, a cycle never freed under a subclass overriding ``clear``,
``copy.copy`` re-running the weigher, re-entrant ``__init__`` breaking the bounds.
"""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from _support import Recorder, assert_consistent

# ---------------------------------------------------------------- internal types


def _iterators(c: Any) -> list[Any]:
    return [iter(c), reversed(c), iter(c.keys()), iter(c.values()), iter(c.items())]


def test_iterator_types_refuse_construction_from_python(impl: ModuleType) -> None:
    c = impl.LRUCache(4)
    c.update(a=1, b=2)
    for it in _iterators(c):
        cls = type(it)
        for args in [(None, 0), (c, 0), (), (c, 99)]:
            with pytest.raises(TypeError):
                cls(*args)
    assert list(c.items()) == [("a", 1), ("b", 2)]


def test_iterators_cannot_be_pickled(impl: ModuleType) -> None:
    c = impl.LRUCache(4)
    c["a"] = 1
    for it in _iterators(c):
        with pytest.raises((TypeError, pickle.PicklingError)):
            pickle.dumps(it)


@pytest.mark.needs_core
def test_bare_core_iterator_is_exhausted() -> None:
    from cylru import _lru_c

    cls = type(iter(_lru_c.LRUCache(2)))
    it = cls.__new__(cls)  # no cache behind it: harmless
    assert list(it) == []
    assert it.__length_hint__() == 0


def test_views_over_a_wrong_object_raise_cleanly(impl: ModuleType) -> None:
    c = impl.LRUCache(4)
    c["a"] = 1
    for view in (c.keys(), c.values(), c.items()):
        bad = type(view)(None)
        with pytest.raises((TypeError, AttributeError)):
            list(bad)


# ---------------------------------------------------------------- the collector's clear


class _RaisingClear:
    def clear(self) -> None:
        raise RuntimeError("no")


class _IgnoringClear:
    def clear(self) -> None:
        pass


class _ClearWithArgs:
    def clear(self, required: Any) -> None:  # type: ignore[override]
        raise AssertionError("never called")


@pytest.mark.parametrize("mixin", [_RaisingClear, _IgnoringClear, _ClearWithArgs])
def test_cycle_freed_whatever_clear_a_subclass_defines(impl: ModuleType, mixin: type) -> None:
    cls = type("Sub", (mixin, impl.LRUCache), {})

    class Payload:
        pass

    c = cls(8)
    c["self"] = c
    c["payload"] = Payload()
    cache_ref = weakref.ref(c)
    del c
    gc.collect()
    assert cache_ref() is None
    # A weak reference is cleared before the collector breaks the cycle, so it
    # cannot tell a freed cycle from a leaked one; the tracked objects can.
    assert not [o for o in gc.get_objects() if type(o) in (cls, Payload)]


# ---------------------------------------------------------------- copy.copy


class _Weigher:
    """Stateful: each call weighs more; counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, value: Any) -> int:
        self.calls += 1
        return self.calls


def test_copy_copy_keeps_weights_and_never_reweighs(impl: ModuleType) -> None:
    weigher = _Weigher()
    c = impl.LRUCache(10, max_weight=100, weigher=weigher)
    for k in "abcd":
        c[k] = k.upper()
    assert c.weight == 1 + 2 + 3 + 4
    calls = weigher.calls
    c.get("a")  # a hit: copies have fresh stats
    for dup in (copy.copy(c), c.copy()):
        assert weigher.calls == calls
        assert type(dup) is type(c)
        assert list(dup.items()) == list(c.items())
        assert dup.weight == c.weight and dup.max_weight == 100 and dup.weigher is weigher
        assert dup.capacity == 10
        assert dup.stats().hits == 0
        # the weights came along: removing "d" (weight 4) leaves 6
        del dup["d"]
        assert dup.weight == 6


def test_copy_copy_does_not_route_through_an_overridden_copy(impl: ModuleType) -> None:
    class Sub(impl.LRUCache):  # type: ignore[name-defined,misc]
        def copy(self) -> Any:
            raise AssertionError("copy.copy must not call an override (dict does not)")

    c = Sub(5, max_weight=50, weigher=len)
    c.tag = ["shared"]
    c["a"] = "xx"
    dup = copy.copy(c)
    assert type(dup) is Sub
    assert list(dup.items()) == [("a", "xx")] and dup.weight == 2
    assert dup.__dict__ == {"tag": ["shared"]}
    assert dup.__dict__ is not c.__dict__ and dup.tag is c.tag  # shallow


# ---------------------------------------------------------------- re-entrant __init__


class _Index:
    """An int-like whose ``__index__`` runs ``action`` first."""

    def __init__(self, value: int, action: Callable[[], Any]) -> None:
        self.value = value
        self.action = action

    def __index__(self) -> int:
        self.action()
        return self.value


def _state(c: Any) -> tuple[Any, ...]:
    return (list(c.items()), c.capacity, c.max_weight, c.weight, c.stats())


def _refused(c: Any, *args: Any, **kwargs: Any) -> Callable[[], None]:
    """An action that re-initialises ``c`` and records the RuntimeError it gets."""
    seen: list[BaseException] = []

    def action() -> None:
        try:
            c.__init__(*args, **kwargs)
        except RuntimeError as exc:
            seen.append(exc)
            return
        raise AssertionError("__init__ was not refused")

    action.seen = seen  # type: ignore[attr-defined]
    return action


def _weighted(impl: ModuleType, weigher: Any = None) -> Any:
    c = impl.LRUCache(10, max_weight=20, weigher=weigher)
    c["a"] = 1
    c["b"] = 2
    c.get("a")
    return c


def test_reinit_from_weigher_is_refused(impl: ModuleType) -> None:
    box: dict[str, Any] = {}

    def weigher(value: Any) -> int:
        box["action"]()
        return 5

    box["action"] = lambda: None
    c = _weighted(impl, weigher)
    box["action"] = _refused(c, 10)
    before = _state(c)
    c["c"] = 3  # the put goes on: its weigher swallowed the RuntimeError
    assert box["action"].seen
    assert c.weight == 15 and list(c) == ["b", "a", "c"]
    assert before[1:3] == _state(c)[1:3]
    assert_consistent(c)


@pytest.mark.parametrize("attr", ["capacity", "max_weight"])
def test_reinit_from_index_of_a_bound_is_refused(impl: ModuleType, attr: str) -> None:
    c = _weighted(impl)
    action = _refused(c, 3)  # would make the cache unweighted
    before = _state(c)
    setattr(c, attr, _Index(7, action))
    assert action.seen  # type: ignore[attr-defined]
    assert getattr(c, attr) == 7
    assert c.max_weight is not None and c.weight == 2
    assert _state(c)[0] == before[0]
    assert_consistent(c)


def test_reinit_from_index_passed_to_init_is_refused(impl: ModuleType) -> None:
    c = _weighted(impl)
    before = _state(c)
    inner = _refused(c, 1)
    with pytest.raises(TypeError):
        c.__init__(_Index(5, inner), max_weight="bad")  # refused for its own reason
    assert inner.seen  # type: ignore[attr-defined]
    assert _state(c) == before


class _ReinitKey:
    """Equal by name, all colliding; runs ``box["eq"]`` / ``box["hash"]`` when set."""

    def __init__(self, name: str, box: dict[str, Any]) -> None:
        self.name = name
        self.box = box

    def __hash__(self) -> int:
        if "hash" in self.box:
            self.box["hash"]()
        return 1

    def __eq__(self, other: object) -> bool:
        if "eq" in self.box:
            self.box["eq"]()
        return isinstance(other, _ReinitKey) and other.name == self.name


@pytest.mark.parametrize("where", ["eq", "hash"])
@pytest.mark.parametrize(
    "method", ["get", "getitem", "contains", "peek", "put", "setdefault", "pop"]
)
def test_reinit_from_a_key_method_is_refused(impl: ModuleType, method: str, where: str) -> None:
    box: dict[str, Any] = {}
    c = impl.LRUCache(10, max_weight=20)
    c[_ReinitKey("a", box)] = 1
    c[_ReinitKey("b", box)] = 2
    action = _refused(c, 1)
    box[where] = action
    key = _ReinitKey("a", box)  # equal to the stored "a", not identical
    if method == "get":
        assert c.get(key) == 1
    elif method == "getitem":
        assert c[key] == 1
    elif method == "contains":
        assert key in c
    elif method == "peek":
        assert c.peek(key) == 1
    elif method == "put":
        c.put(key, 5)
    elif method == "setdefault":
        assert c.setdefault(key, 9) == 1
    else:
        assert c.pop(key) == 1
    assert action.seen  # type: ignore[attr-defined]
    box.clear()
    assert c.capacity == 10 and c.max_weight == 20
    assert sorted(k.name for k in c) == (["b"] if method == "pop" else ["a", "b"])
    assert c.weight == len(c)
    assert_consistent(c)


def test_reinit_from_on_evict_is_allowed(impl: ModuleType) -> None:
    # on_evict runs after the operation, outside every lock: it may do anything.
    box: dict[str, Any] = {}

    def on_evict(k: Any, v: Any) -> None:
        box["c"].__init__(5)

    c = impl.LRUCache(1, on_evict)
    box["c"] = c
    c["a"] = 1
    c["b"] = 2
    assert len(c) == 0 and c.capacity == 5
    assert_consistent(c)


def test_reinit_resets_the_stats(impl: ModuleType) -> None:
    c = impl.LRUCache(1)
    c["a"] = 1
    c.get("a")
    c.get("zz")
    c["b"] = 2
    assert c.stats()[:3] == (1, 1, 1)
    c.__init__(3)
    assert c.stats()[:3] == (0, 0, 0)
    assert len(c) == 0


def test_reinit_from_another_thread_is_not_refused(impl: ModuleType) -> None:
    # Re-entrancy is per thread: another thread's operation in progress does not
    # make this thread's __init__ "re-entrant".
    import threading

    c = impl.LRUCache(10)
    entered = threading.Event()
    release = threading.Event()

    class Blocking:
        def __hash__(self) -> int:
            return 1

        def __eq__(self, other: object) -> bool:
            entered.set()
            release.wait(10)
            return False

    c[Blocking()] = 1
    t = threading.Thread(target=c.get, args=(Blocking(),))
    t.start()
    assert entered.wait(10)
    try:
        c.__init__(4)  # the other thread is inside __eq__ of a lookup
    finally:
        release.set()
        t.join()
    assert c.capacity == 4 and len(c) == 0


# ---------------------------------------------------------------- reversed


def test_reversed_is_most_recent_first_without_promoting(impl: ModuleType) -> None:
    c = impl.LRUCache(5)
    for k in "abcd":
        c[k] = k
    c.get("b")
    stats = c.stats()
    assert list(reversed(c)) == ["b", "d", "c", "a"]
    assert list(c) == ["a", "c", "d", "b"]
    assert c.stats() == stats
    assert list(reversed(impl.LRUCache(3))) == []


@pytest.mark.parametrize("change", ["put", "delete"])
def test_reversed_raises_if_entries_are_added_or_removed(impl: ModuleType, change: str) -> None:
    c = impl.LRUCache(5)
    c.update(a=1, b=2, c=3)
    it = reversed(c)
    assert next(it) == "c"
    if change == "put":
        c["z"] = 0
    else:
        del c["a"]
    with pytest.raises(RuntimeError):
        next(it)


@pytest.mark.parametrize("direction", [iter, reversed])
def test_promotion_during_iteration_never_repeats_a_key(
    impl: ModuleType, direction: Callable[[Any], Any]
) -> None:
    keys = list(range(8))
    for promote_at in range(8):
        for target in range(8):
            c = impl.LRUCache(10)
            for k in keys:
                c[k] = k
            seen = []
            for i, k in enumerate(direction(c)):
                seen.append(k)
                if i == promote_at:
                    c.get(target)
                    c.get(seen[0])  # and one already yielded
            assert len(seen) == len(set(seen)), (promote_at, target, seen)


@pytest.mark.parametrize("direction", [iter, reversed])
def test_promoting_each_yielded_key_visits_all(
    impl: ModuleType, direction: Callable[[Any], Any]
) -> None:
    # The common loop `for k in c: c[k]`: every key once.
    c = impl.LRUCache(10)
    for k in range(6):
        c[k] = k
    seen = [k for k in direction(c) if c[k] is not None]
    assert sorted(seen) == list(range(6)) and len(seen) == 6


# ---------------------------------------------------------------- callbacks still run


def test_lowering_capacity_calls_back_for_each_evicted_entry(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(20, rec)
    for k in range(20):
        c[k] = k
    c.capacity = 3  # more evictions than fit on the stack
    assert [args[0] for args in rec.calls] == list(range(17))
    assert list(c) == [17, 18, 19]
    assert c.stats().evictions == 17


@pytest.mark.parametrize("direction", [iter, reversed])
def test_promotion_before_the_first_step_starts_from_the_new_order(
    impl: ModuleType, direction: Callable[[Any], Any]
) -> None:
    c = impl.LRUCache(10)
    for k in "abcd":
        c[k] = k
    it = direction(c)
    c.get("a")
    seen = list(it)
    assert len(seen) == len(set(seen))  # the contract: each key at most once
    if impl.__name__.endswith("_c"):  # the core's choice where the contract is open
        assert seen == list(direction(c))


def test_yielded_key_promoted_then_another_is_not_yielded_twice(impl: ModuleType) -> None:
    # The lead's reproducer: A yielded, then get(A), get(C): the old iterators
    # went on with B, A (A twice, C never).
    c = impl.LRUCache(5)
    for k in "ABC":
        c[k] = k
    it = iter(c)
    assert next(it) == "A"
    c.get("A")
    c.get("C")
    rest = list(it)
    assert "A" not in rest and len(rest) == len(set(rest))
