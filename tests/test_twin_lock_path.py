"""The pure twin's one lock (docs/contract.md section 5): how it behaves on every path.

The twin holds one RLock for the whole of each method (except ``on_evict``), so these
tests need no interpreter detail: threads hammer it, callbacks re-enter it, and a
re-entry that lands in the middle of one of its steps (a profiler hook here, which
CPython runs at every call) is refused with RuntimeError instead of seeing a half-made
change.  And since every step that changes the structure is one call-free function, a
RecursionError at any depth leaves it consistent and within its bounds.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest
from _support import Collider, Recorder, assert_consistent

import cylru._lru_py as twin


def test_the_lock_is_an_rlock_held_around_user_code() -> None:
    seen: list[bool] = []
    c = twin.LRUCache(3, max_weight=10, weigher=lambda v: seen.append(lock_held()) or 1)

    def lock_held() -> bool:
        return bool(c._lock._is_owned())  # type: ignore[attr-defined]

    c["a"] = 1
    assert seen == [True]  # the weigher runs under the lock ...
    evicted: list[bool] = []
    c.on_evict = lambda k, v: evicted.append(lock_held())
    for k in "bcd":
        c[k] = 1
    assert evicted == [False]  # ... on_evict outside it
    assert not lock_held()


def test_reentrant_callback_does_not_deadlock() -> None:
    c = twin.LRUCache(2)

    def on_evict(key: Any, value: Any) -> None:
        if isinstance(key, int):
            c[("again", key)] = value  # re-enters (and evicts again)

    c.on_evict = on_evict
    for i in range(6):
        c[i] = i
    assert len(c) == 2
    assert_consistent(c)


@pytest.mark.no_refcount_check
def test_threads_keep_every_invariant() -> None:
    evicted: list[Any] = []
    c = twin.LRUCache(64, lambda k, v: evicted.append(k), max_weight=200, weigher=lambda v: v % 7)
    errors: list[BaseException] = []
    stop = threading.Event()

    def worker(seed: int) -> None:
        n = seed
        try:
            while not stop.is_set():
                n = (n * 1103515245 + 12345) % 2**31
                key = n % 150
                op = n % 6
                if op == 0:
                    c.pop(key, None)
                elif op == 1:
                    c.get(key)
                elif op == 2:
                    list(c.items())
                else:
                    c[key] = key
        except BaseException as exc:  # any escape fails the test
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for t in threads:
            t.start()
        stop.wait(0.5)
        stop.set()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert [e for e in errors if not isinstance(e, RuntimeError)] == []  # iteration may raise
    assert len(c) <= 64
    assert c.weight == sum(v % 7 for v in c.values()) <= 200
    for key, value in c.items():
        assert key == value
    assert c.stats().evictions == len(evicted)
    assert_consistent(c)


def _profiled(hook: Callable[[], None], action: Callable[[], Any]) -> list[BaseException]:
    """Run ``action`` with a profiler hook calling ``hook`` at every C call inside it;
    return the exceptions ``hook`` raised (re-entries that were refused)."""
    refused: list[BaseException] = []
    busy = [False]

    def profile(frame: Any, event: str, arg: Any) -> None:
        if event == "c_call" and not busy[0]:
            busy[0] = True
            try:
                hook()
            except RuntimeError as exc:
                refused.append(exc)
            finally:
                busy[0] = False

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return refused


@pytest.mark.parametrize(
    "reentry",
    ["put", "delete", "get", "clear", "iterate"],
)
@pytest.mark.parametrize(
    "operation",
    [
        "put-new",
        "put-evict",
        "put-update",
        "get",
        "pop",
        "clear",
        "copy",
        "eq",
        "snapshot",
        "capacity",
        "move_to_end",
    ],
)
def test_reentry_in_the_middle_of_a_step_is_refused_or_safe(operation: str, reentry: str) -> None:
    rec = Recorder()
    c = twin.SimpleLRUCache(5, rec)
    for i in range(5):
        c[i] = i
    counter = iter(range(100, 10**6))

    def hook() -> None:
        n = next(counter)
        if reentry == "put":
            c[n % 7] = n
        elif reentry == "delete":
            c.pop(n % 7, None)
        elif reentry == "get":
            c.get(n % 7)
        elif reentry == "clear":
            if n % 5 == 0:
                c.clear()
        else:
            list(c)

    actions: dict[str, Callable[[], Any]] = {
        "put-new": lambda: c.__setitem__("new", 1),
        "put-evict": lambda: [c.__setitem__(("k", i), i) for i in range(3)],
        "put-update": lambda: c.__setitem__(4, "four"),
        "get": lambda: c.get(3),
        "pop": lambda: c.pop(2, None),
        "clear": c.clear,
        "copy": c.copy,
        "eq": lambda: c == dict(c.items()),
        "snapshot": lambda: c.__reduce__(),
        "capacity": lambda: setattr(c, "capacity", 2),
        "move_to_end": lambda: c.cache.move_to_end(1, False) if 1 in c else None,
    }
    try:
        refused = _profiled(hook, actions[operation])
    except RuntimeError:
        refused = []  # refused on the operation's own first call into the cache: fine
    except KeyError:
        refused = []  # the hook removed the key first
    for exc in refused:
        assert "in the middle of one of its own changes" in str(exc)
    assert_consistent(c)
    assert len(list(c)) == len(c) <= 5
    assert c.stats().evictions == len(rec.calls)


@pytest.mark.parametrize("weighted", [False, True])
def test_recursion_error_at_any_depth_keeps_the_bounds(weighted: bool) -> None:
    """Every step is one call-free function: a RecursionError at whichever call it
    strikes leaves the cache consistent, within its bounds, and every evicted entry
    with its callback.

    The callback is a built-in (``list.append``, with the value only): a Python
    callback at the recursion limit could not be called at all, which no cache can
    help (CPython 3.10 needs a frame for it)."""
    evicted: list[Any] = []
    kwargs: dict[str, Any] = {"max_weight": 6, "weigher": lambda v: v % 3 + 1} if weighted else {}
    c = twin.SimpleLRUCache.__new__(twin.SimpleLRUCache)
    twin.LRUCache.__init__(c, 4, evicted.append, **kwargs)  # value-only, maybe weighted
    for i in range(4):
        c[Collider(i, hash=i % 2)] = i

    def at_depth(depth: int, action: Callable[[], Any]) -> None:
        if depth > 0:
            at_depth(depth - 1, action)
        else:
            action()

    outcomes = set()
    limit = sys.getrecursionlimit()
    for depth in range(limit - 60, limit):
        for n, action in enumerate(
            [
                lambda d=depth: c.__setitem__(Collider(d % 11, hash=d % 3), d),
                lambda d=depth: c.get(Collider(d % 11, hash=d % 3)),
                lambda d=depth: c.pop(Collider(d % 13, hash=d % 3), None),
                lambda d=depth: setattr(c, "capacity", 2 + d % 3),
            ]
        ):
            try:
                at_depth(depth, action)
                outcomes.add((n, "ok"))
            except RecursionError:
                outcomes.add((n, "RecursionError"))
            assert_consistent(c)
            if weighted:
                assert c.weight == sum(v % 3 + 1 for v in c.values()) <= 6
    assert {"ok", "RecursionError"} <= {o for _, o in outcomes}  # both were reached
    assert c.stats().evictions == len(evicted)
