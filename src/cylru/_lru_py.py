"""The pure-Python twin of the Cython core: same names, same behaviour.

This module is the executable specification of ``LRUCache`` and
``SimpleLRUCache`` (SPEC sections 2-5, docs/design.md); type checkers read it
in place of the compiled core.

Structure
---------
A plain ``dict`` maps each key to its *node*, and the nodes are threaded on a
circular doubly-linked list through a sentinel ``root`` (the layout of
``functools.lru_cache``'s pure version).  A node is a small list::

    [prev, next, key, value]            # unweighted cache
    [prev, next, key, value, weight]    # cache created with max_weight

``root[_NEXT]`` is the least recent entry, ``root[_PREV]`` the most recent.
Lists beat ``__slots__`` objects here: a list display is about twice as fast
to build (every insert builds one), and indexing by a constant is as fast as a
slot attribute on CPython 3.11+.

``OrderedDict`` is deliberately not used: its ``pop``, ``del`` and
``move_to_end`` crash CPython 3.11-3.13 when a key's ``__eq__`` mutates the
dict during the call (CPython issue #142637, SPEC section 5).

Invariants
----------
Whenever user code can run (a key's ``__hash__``/``__eq__``, the weigher, a
value's ``__del__``, ``on_evict``), the dict and the list hold exactly the
same live nodes, and ``_weight`` is the sum of their weights.  A node is
*live* while it is linked; unlinking sets its ``_NEXT`` to None, and a fresh
node stays unlinked (``_NEXT`` None) until it is linked.

Locking: the gate
-----------------
A ``threading.RLock`` costs about 100 ns per acquire/release pair - more than
mellea's whole unlocked ``get``.  So on GIL builds the cache is guarded by a
*gate*: the instance slot ``_gate``, present while the gate is open.

* Taking the gate is ``del self._gate``: one bytecode that either succeeds or
  raises ``AttributeError`` (someone holds it).  Giving it back is
  ``self._gate = True``.  Neither is a call.
* A *short section* holds the gate over call-free bytecode only: list and
  attribute loads and stores, comparisons, ``+= 1`` on an int, no user
  objects released.  CPython checks its "eval breaker" - the only place where
  it switches threads, runs signal handlers, delivers asynchronous exceptions
  and (3.12+) runs the garbage collector - at calls, backward jumps and
  function entry, never between those bytecodes.  So a short section can never
  be interrupted by code of its own thread that re-enters the cache.  The hot
  paths (``get``/``c[k]`` hits, ``put`` of an existing key, ``peek``, ``in``)
  look their key up *before* taking the gate (user ``__eq__`` runs
  unguarded, as in a plain dict), then, in a short section, check that the
  node is still live and promote it.
* Every other section is an *owned section* (``_acquire``/``_release``): it
  records the holder's thread in ``_owner`` in the same call-free step that
  takes the gate.  Inside it anything may run.  A call that finds the gate
  taken and ``_owner`` equal to its own thread is re-entrant (from a key's
  ``__eq__``, the weigher, a ``__del__`` or a signal handler) and proceeds
  without the gate, exactly like a re-entrant ``RLock``.  A call from another
  thread waits, yielding the GIL, until the gate is back.
* Key comparisons inside structural changes run with ``_busy`` set: a
  re-entrant *structural* change (insert, delete, clear, resize) from inside
  such a comparison raises ``RuntimeError("... changed during a key
  comparison")``.  Without that, a re-entrant change could remove the very
  node being evicted, insert an equal key twice (a dict reuses a slot its
  lookup has already passed), or - ``dict.clear()`` inside
  ``dict.setdefault`` - leave a key the dict can no longer find (CPython
  3.11-3.13).  Re-entrant reads and promotions are allowed.
* A lookup made before the gate was taken may find a node that is removed
  before the gate is taken: it is then dead (``_NEXT`` None) and the call is
  a miss, ordered after the removal.  A miss decided by the lookup itself is
  counted right after it with ``next()`` on an ``itertools.count`` - one C
  call, atomic under the GIL - so a miss never takes the gate.
* On free-threaded builds (``Py_GIL_DISABLED``) nothing of the above holds
  (no eval breaker ordering, slot deletion is not a test-and-set), nor on other
  implementations such as PyPy, so there ``_gate`` is never open: every method
  takes the slow path, an owned section on a real ``threading.RLock``, and
  misses are counted under a lock.
* References that a method drops (replaced values, removed or evicted nodes
  and with them their keys and values) are kept in locals until the method
  returns, after the gate is given back, so a ``__del__`` that re-enters the
  cache finds it consistent and open.  ``on_evict`` callbacks also run after
  the gate is given back, in eviction order; every one runs and the first
  exception is re-raised after the last.

The hot paths are written out in full instead of calling the small helpers
(``_promote``, ``_unlink``, ``_shrink``), because a Python function call
costs as much as the whole promotion.
"""

from __future__ import annotations

import itertools
import operator
import sys
import sysconfig
import threading
import time
from _thread import get_ident
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from types import GenericAlias
from typing import Any, ClassVar, Final, TypeVar, overload

from ._base import Cache, CacheStats, CacheView, LRUItemsView, LRUKeysView, LRUValuesView

__all__ = ["LRUCache", "SimpleLRUCache"]

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")

# Node fields.  A node is a list; see the module docstring.
_PREV: Final = 0
_NEXT: Final = 1
_KEY: Final = 2
_VALUE: Final = 3
_WEIGHT: Final = 4

# What the iterators yield.
_KEYS: Final = 0
_VALUES: Final = 1
_ITEMS: Final = 2

_Node = list[Any]

_MISSING: Any = object()

# Free-threaded CPython: the gate is never opened there (see the module docstring).
# The gate relies on CPython's GIL build: the eval breaker is checked only at
# calls, backward jumps and function entry.  Free-threaded CPython and other
# implementations (PyPy may switch threads between any two bytecodes) use a real
# RLock on every path instead.
_NO_GATE: Final = (
    bool(sysconfig.get_config_var("Py_GIL_DISABLED")) or sys.implementation.name != "cpython"
)


class _LockedCount:
    """``itertools.count`` whose ``next()`` is atomic without a GIL."""

    __slots__ = ("_lock", "_next")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next = 0

    def __iter__(self) -> _LockedCount:
        return self

    def __next__(self) -> int:
        with self._lock:
            value = self._next
            self._next = value + 1
        return value


def _new_counter() -> Iterator[int]:
    """A counter bumped by ``next()`` atomically, without taking the gate."""
    return _LockedCount() if _NO_GATE else itertools.count()


# ----------------------------------------------------------------------
# Argument checks (messages shared with the Cython core)


def _as_size(value: object, name: str) -> int:
    """``value`` as an int that fits a C ``Py_ssize_t``; errors name ``name``."""
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__!r}") from None
    if number > sys.maxsize:
        raise ValueError(f"{name} must be at most sys.maxsize ({sys.maxsize}), got {number}")
    if number < -sys.maxsize - 1:
        raise ValueError(f"{name} must be at least {-sys.maxsize - 1}, got {number}")
    return number


def _as_max_weight(value: object) -> int | None:
    if value is None:
        return None
    number = _as_size(value, "max_weight")
    if number < 0:
        raise ValueError(f"max_weight must be >= 0, got {number}")
    return number


def _as_callback(value: _T, name: str) -> _T:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, not {type(value).__name__!r}")
    return value


def _changed_during_comparison(cache: object) -> RuntimeError:
    return RuntimeError(f"{type(cache).__name__} changed during a key comparison")


# ----------------------------------------------------------------------


class LRUCache(Cache, MutableMapping[_K, _V]):
    """LRUCache(capacity, on_evict=None, *, max_weight=None, weigher=None)

    A mapping that holds at most ``capacity`` entries and evicts the least
    recently used one to make room, calling ``on_evict(key, value)``.

    ``get``, ``c[k]``, ``put``, ``c[k] = v`` and ``setdefault`` make an entry
    the most recent; ``peek``, ``in``, iteration and the views do not.  With
    ``max_weight`` set, each value weighs ``weigher(value)`` (default 1) and
    least recent entries are also evicted until the total weight is at most
    ``max_weight``.  Every method is atomic with respect to other threads.
    """

    __slots__ = (
        "__weakref__",
        "_busy",
        "_capacity",
        "_evictions",
        "_gate",
        "_hits",
        "_lock",
        "_map",
        "_max_weight",
        "_miss_base",
        "_misses",
        "_on_evict",
        "_owner",
        "_root",
        "_version",
        "_weigher",
        "_weight",
    )

    _gate: bool  # present while the gate is open (GIL builds only)
    _owner: int | None  # thread holding the gate in an owned section
    _lock: threading.RLock  # the lock of free-threaded builds
    _map: dict[Any, _Node]  # key -> node
    _root: _Node  # sentinel of the recency list
    _capacity: int
    _on_evict: Callable[..., object] | None
    _max_weight: int | None  # None: unweighted, nodes carry no weight
    _weigher: Callable[[Any], object] | None
    _weight: int
    _hits: int
    _misses: Iterator[int]  # next() counts a miss; see stats()
    _miss_base: int  # what next(_misses) returns when no miss has been counted
    _evictions: int
    _version: int  # bumped by every insert and removal; checked by iterators
    _busy: bool  # a key comparison inside a structural change is running

    # SimpleLRUCache calls on_evict(value) instead of on_evict(key, value).
    _value_only: ClassVar[bool] = False

    __class_getitem__ = classmethod(GenericAlias)  # type: ignore[var-annotated]

    def __init__(
        self,
        capacity: int,
        on_evict: Callable[..., object] | None = None,
        *,
        max_weight: int | None = None,
        weigher: Callable[[Any], object] | None = None,
    ) -> None:
        capacity = _as_size(capacity, "capacity")
        _as_callback(on_evict, "on_evict")
        checked_max_weight = _as_max_weight(max_weight)
        _as_callback(weigher, "weigher")
        if weigher is not None and checked_max_weight is None:
            raise ValueError("weigher requires max_weight")
        self._setup(capacity, on_evict, checked_max_weight, weigher)

    def _setup(
        self,
        capacity: int,
        on_evict: Callable[..., object] | None,
        max_weight: int | None,
        weigher: Callable[[Any], object] | None,
    ) -> None:
        """Initialise an empty cache from already validated settings."""
        self._lock = threading.RLock()
        self._owner = None
        self._map = {}
        root: _Node = [None, None, None, None] if max_weight is None else [None] * 5
        root[_PREV] = root[_NEXT] = root
        self._root = root
        self._capacity = capacity
        self._on_evict = on_evict
        self._max_weight = max_weight
        self._weigher = weigher
        self._weight = 0
        self._hits = self._evictions = 0
        self._misses = _new_counter()
        self._miss_base = 0
        self._version = 0
        self._busy = False
        if not _NO_GATE:
            self._gate = True  # open

    # ------------------------------------------------------------------
    # The gate (see the module docstring)

    def _acquire(self) -> bool:
        """Enter an owned section; False if this thread is already inside one
        (re-entrant call: nothing to release)."""
        me = get_ident()
        if self._owner == me:
            return False
        if _NO_GATE:
            self._lock.acquire()
            self._owner = me
            return True
        try:
            del self._gate
        except AttributeError:
            self._wait(me)
            return True
        self._owner = me  # no call since the gate was taken: nothing ran in between
        return True

    def _wait(self, me: int) -> None:
        """Take the gate for thread ``me`` once another thread gives it back
        (on free-threaded builds: take the lock)."""
        if _NO_GATE:
            self._lock.acquire()
            self._owner = me
            return
        spins = 0
        while True:
            # Yield the GIL to the holder; back off if it is running long user code.
            time.sleep(0 if spins < 100 else 1e-5 if spins < 1000 else 1e-3)
            spins += 1
            try:
                del self._gate
            except AttributeError:
                continue
            self._owner = me
            return

    def _release(self, taken: bool) -> None:
        """Leave an owned section entered by ``_acquire`` (which returned ``taken``)."""
        if not taken:
            return
        self._owner = None
        if _NO_GATE:
            self._lock.release()
        else:
            self._gate = True

    # ------------------------------------------------------------------
    # Lookups (hot paths, written out in full)

    @overload
    def get(self, key: _K, default: None = None) -> _V | None: ...
    @overload
    def get(self, key: _K, default: _V | _T) -> _V | _T: ...
    def get(self, key: _K, default: object = None) -> object:
        """The value for ``key``, made most recent; ``default`` on a miss.

        Counts a hit or a miss.
        """
        node = self._map.get(key)  # user __hash__/__eq__ run here, unguarded
        if node is None:
            next(self._misses)
            return default
        try:
            del self._gate
        except AttributeError:
            return self._get_slow(node, default)
        try:  # short section: no calls until the gate is back
            if node[_NEXT] is not None:  # still live: a hit
                self._hits += 1
                root = self._root
                last = root[_PREV]
                if last is not node:  # promote: unlink, then link as most recent
                    prev = node[_PREV]
                    after = node[_NEXT]
                    prev[_NEXT] = after
                    after[_PREV] = prev
                    node[_PREV] = last
                    node[_NEXT] = root
                    last[_NEXT] = root[_PREV] = node
                return node[_VALUE]
        finally:
            self._gate = True
        next(self._misses)  # removed between the lookup and the gate
        return default

    def __getitem__(self, key: _K) -> _V:
        """``c[key]``: like ``get``, but a miss raises ``KeyError``."""
        node = self._map.get(key)
        if node is not None:
            try:
                del self._gate
            except AttributeError:
                found: Any = self._get_slow(node, _MISSING)
                if found is _MISSING:
                    raise KeyError(key) from None
                return found  # type: ignore[no-any-return]
            try:
                if node[_NEXT] is not None:
                    self._hits += 1
                    root = self._root
                    last = root[_PREV]
                    if last is not node:
                        prev = node[_PREV]
                        after = node[_NEXT]
                        prev[_NEXT] = after
                        after[_PREV] = prev
                        node[_PREV] = last
                        node[_NEXT] = root
                        last[_NEXT] = root[_PREV] = node
                    value: _V = node[_VALUE]
                    return value
            finally:
                self._gate = True
        next(self._misses)
        raise KeyError(key)

    def _get_slow(self, node: _Node, default: object) -> object:
        """``get`` of a looked-up ``node`` when the gate is taken: in an owned section."""
        taken = self._acquire()
        try:
            if node[_NEXT] is not None:
                self._hits += 1
                self._promote(node)
                return node[_VALUE]
        finally:
            self._release(taken)
        next(self._misses)
        return default

    @overload
    def peek(self, key: _K, default: None = None) -> _V | None: ...
    @overload
    def peek(self, key: _K, default: _V | _T) -> _V | _T: ...
    def peek(self, key: _K, default: object = None) -> object:
        """The value for ``key`` without promoting it or counting; ``default`` if absent."""
        node = self._map.get(key)
        if node is None:
            return default
        taken = self._acquire()
        try:
            return node[_VALUE] if node[_NEXT] is not None else default
        finally:
            self._release(taken)

    def __contains__(self, key: object) -> bool:
        node = self._map.get(key)
        if node is None:
            return False
        taken = self._acquire()
        try:
            return node[_NEXT] is not None
        finally:
            self._release(taken)

    def __len__(self) -> int:
        taken = self._acquire()
        try:
            return len(self._map)
        finally:
            self._release(taken)

    def current_size(self) -> int:
        """The number of entries (mellea's name for ``len``)."""
        return self.__len__()

    # ------------------------------------------------------------------
    # Storing

    def put(self, key: _K, value: _V) -> None:
        """Store ``value`` under ``key`` as the most recent entry.

        An existing key keeps its original key object and gets the new value
        (no callback).  A new key into a full cache first makes room by
        evicting the least recent entry, calling ``on_evict``.  With
        ``capacity <= 0`` nothing happens at all.
        """
        if self._capacity <= 0:
            return
        if self._max_weight is not None:
            self._put_weighted(key, value)
            return
        node = self._map.get(key)  # user __hash__/__eq__ run here, unguarded
        if node is not None:
            try:
                del self._gate
            except AttributeError:
                self._insert(key, value)
                return
            try:  # short section
                if node[_NEXT] is not None:  # replace the value, promote
                    old_value = node[_VALUE]  # noqa: F841 -- dropped once the gate is back
                    node[_VALUE] = value
                    root = self._root
                    last = root[_PREV]
                    if last is not node:
                        prev = node[_PREV]
                        after = node[_NEXT]
                        prev[_NEXT] = after
                        after[_PREV] = prev
                        node[_PREV] = last
                        node[_NEXT] = root
                        last[_NEXT] = root[_PREV] = node
                    return
            finally:
                self._gate = True
        self._insert(key, value)

    __setitem__ = put

    def _insert(self, key: _K, value: _V) -> None:
        """``put`` in an owned section: a new key, or one the unguarded lookup missed."""
        fresh: _Node = [None, None, key, value]  # allocated before the gate: gc may run here
        lru: _Node | None = None  # the entry evicted to make room
        extra: list[_Node] | None = None  # further evictions (rare)
        # _acquire(), written out: this is the hot path of a put that evicts.
        me = get_ident()
        taken = self._owner != me
        if taken:
            try:
                del self._gate
            except AttributeError:
                self._wait(me)
            else:
                self._owner = me
        try:
            table = self._map
            root = self._root
            if self._busy:  # re-entered from a key comparison
                node = table.get(key)
                if node is None:
                    raise _changed_during_comparison(self)
                old_value = node[_VALUE]  # dropped once the gate is back
                node[_VALUE] = value
                self._promote(node)
                return
            # Busy from the insert to the end of the eviction: both run key
            # comparisons, and a structural change re-entered from one of
            # them could remove the very entry being evicted, or (clear()
            # inside setdefault) corrupt the dict itself on CPython 3.11-3.13.
            self._busy = True
            try:
                node = table.setdefault(key, fresh)
                if node is fresh:
                    last = root[_PREV]
                    fresh[_PREV] = last
                    fresh[_NEXT] = root
                    last[_NEXT] = root[_PREV] = fresh
                    self._version += 1
                    # Evicting after the insert: if setdefault raised,
                    # nothing changed.
                    if len(table) > self._capacity:
                        lru = oldest = root[_NEXT]
                        found = table.pop(oldest[_KEY], None)
                        if found is not oldest:
                            extra = []
                            self._forget(oldest, found, extra)
                        prev = oldest[_PREV]  # root, unless a comparison promoted it
                        after = oldest[_NEXT]
                        prev[_NEXT] = after
                        after[_PREV] = prev
                        oldest[_NEXT] = None  # dead
                        self._evictions += 1
                        if len(table) > self._capacity:  # lowered during a comparison
                            if extra is None:
                                extra = []
                            self._shrink(extra)
                else:  # present after all (another thread, or a nondeterministic __eq__)
                    old_value = node[_VALUE]  # noqa: F841 -- dropped once the gate is back
                    node[_VALUE] = value
                    self._promote(node)
            finally:
                self._busy = False
        finally:
            if taken:  # _release(), written out
                self._owner = None
                if _NO_GATE:
                    self._lock.release()
                else:
                    self._gate = True
        if lru is not None and self._on_evict is not None:
            self._notify([lru] if extra is None else [lru, *extra])

    def _put_weighted(self, key: _K, value: _V) -> None:
        evicted: list[_Node] = []
        taken = self._acquire()
        try:
            # User code in the order design.md fixes: hash, weigher, __eq__.
            hash(key)
            weight = self._weigh(value)
            old_value = self._store(key, value, weight, evicted)  # noqa: F841
        finally:
            self._release(taken)
        if evicted:
            self._notify(evicted)

    @overload
    def setdefault(self: LRUCache[_K, _T | None], key: _K, default: None = None) -> _T | None: ...
    @overload
    def setdefault(self, key: _K, default: _V) -> _V: ...
    def setdefault(self, key: _K, default: object = None) -> object:
        """The value for ``key``, made most recent; if absent, ``put(key, default)``
        and return ``default``."""
        if self._capacity <= 0:
            return default
        evicted: list[_Node] = []
        taken = self._acquire()
        try:
            node = self._map.get(key)
            if node is not None:  # like dict: a present key's default is never weighed
                self._promote(node)
                return node[_VALUE]
            weight = None if self._max_weight is None else self._weigh(default)
            result = self._store(key, default, weight, evicted, replace=False)
        finally:
            self._release(taken)
        if evicted:
            self._notify(evicted)
        return result

    def _store(
        self,
        key: Any,
        value: Any,
        weight: int | None,
        evicted: list[_Node],
        replace: bool = True,
    ) -> Any:
        """Store ``value`` (``replace``) or keep the present one; in an owned section.

        Evicted nodes are appended to ``evicted``.  Returns the replaced
        value when ``replace`` (the caller keeps it alive until the gate is
        released), else the value now stored under ``key``.
        """
        table = self._map
        root = self._root
        node = table.get(key)
        if node is None:
            if self._busy:
                raise _changed_during_comparison(self)
            # Unlinked (dead) until linked below.
            fresh = [None, None, key, value] if weight is None else [None, None, key, value, weight]
            self._busy = True
            try:
                node = table.setdefault(key, fresh)
            finally:
                self._busy = False
            if node is fresh:
                last = root[_PREV]
                fresh[_PREV] = last
                fresh[_NEXT] = root
                last[_NEXT] = root[_PREV] = fresh
                self._version += 1
                if weight is not None:
                    self._weight += weight
                self._shrink(evicted, keep=fresh)
                return None if replace else value
            # else: a nondeterministic __eq__ found an equal key after all.
        if not replace:
            result = node[_VALUE]
        else:
            if weight is not None and self._busy:  # a heavier value may evict
                raise _changed_during_comparison(self)
            result = node[_VALUE]
            node[_VALUE] = value
            if weight is not None:
                self._weight += weight - node[_WEIGHT]
                node[_WEIGHT] = weight
        self._promote(node)
        if replace and weight is not None:
            self._shrink(evicted, keep=node)
        return result

    def _weigh(self, value: object) -> int:
        """``weigher(value)`` (1 without a weigher), checked: an int from 0 to ``max_weight``."""
        weigher = self._weigher
        if weigher is None:
            weight = 1
        else:
            result = weigher(value)
            try:
                weight = operator.index(result)  # type: ignore[arg-type]
            except TypeError:
                raise TypeError(
                    f"weigher must return an int, not {type(result).__name__!r}"
                ) from None
            if weight < 0:
                raise ValueError(f"weigher returned a negative weight ({weight})")
        max_weight = self._max_weight
        if max_weight is not None and weight > max_weight:
            raise ValueError(f"value weighs {weight}, more than max_weight={max_weight}")
        return weight

    def update(self, other: Any = (), /, **kwargs: _V) -> None:
        """Put every item of ``other`` (a mapping or ``(key, value)`` pairs),
        then of ``kwargs``, like ``dict.update``; stops at the first exception."""
        if isinstance(other, Cache) and isinstance(other, Mapping):
            # A cache's items() neither promotes nor counts hits in ``other``.
            for key, value in list(other.items()) if other is self else other.items():
                self.put(key, value)
        elif isinstance(other, Mapping) or hasattr(other, "keys"):
            for key in other.keys():  # noqa: SIM118 -- dict.update calls keys()
                self.put(key, other[key])
        else:
            for key, value in other:
                self.put(key, value)
        for key, value in kwargs.items():
            self.put(key, value)  # type: ignore[arg-type]

    # ------------------------------------------------------------------
    # Removing (no callbacks, not counted as evictions)

    def __delitem__(self, key: _K) -> None:
        # _acquire(), written out: a Python call costs as much as the removal.
        me = get_ident()
        taken = self._owner != me
        if taken:
            try:
                del self._gate
            except AttributeError:
                self._wait(me)
            else:
                self._owner = me
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            # The dict only returns a node it still holds, so it is linked.
            node = self._map.pop(key, None)
            if node is None:
                raise KeyError(key)
            prev = node[_PREV]  # _unlink(), written out
            after = node[_NEXT]
            prev[_NEXT] = after
            after[_PREV] = prev
            node[_NEXT] = None  # dead
            if self._max_weight is not None:
                self._weight -= node[_WEIGHT]
            self._version += 1
        finally:
            if taken:  # _release(), written out
                self._owner = None
                if _NO_GATE:
                    self._lock.release()
                else:
                    self._gate = True

    @overload
    def pop(self, key: _K, /) -> _V: ...
    @overload
    def pop(self, key: _K, default: _V, /) -> _V: ...
    @overload
    def pop(self, key: _K, default: _T, /) -> _V | _T: ...
    def pop(self, key: _K, default: object = _MISSING, /) -> object:
        """Remove ``key`` and return its value (no callback).

        A missing key returns ``default`` if given, else raises ``KeyError``.
        """
        taken = self._acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            node = self._map.pop(key, None)
            if node is not None:
                self._unlink(node)
        finally:
            self._release(taken)
        if node is None:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return node[_VALUE]

    def popitem(self) -> tuple[_K, _V]:
        """Remove and return the least recent ``(key, value)``; ``KeyError`` when empty."""
        return self._popitem(False)

    def clear(self) -> None:
        """Remove every entry (no callbacks; the stats are kept)."""
        taken = self._acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            table = self._map
            # The nodes hold the keys and values: keeping them in ``nodes``
            # defers every decref until the lock is released.  The dict is
            # cleared in place, never replaced, so a setdefault running in an
            # outer frame still inserts into the live table.
            nodes = list(table.values())
            table.clear()
            root = self._root
            root[_PREV] = root[_NEXT] = root
            for node in nodes:  # break the cycles: freed by refcount, not gc
                node[_PREV] = node[_NEXT] = None
            self._weight = 0
            self._version += 1
        finally:
            self._release(taken)
        del nodes

    # ------------------------------------------------------------------
    # Helpers for the cold paths; the caller is in an owned section.

    def _promote(self, node: _Node) -> None:
        """Make a linked ``node`` the most recent entry."""
        root = self._root
        last = root[_PREV]
        if last is not node:
            prev = node[_PREV]
            after = node[_NEXT]
            prev[_NEXT] = after
            after[_PREV] = prev
            node[_PREV] = last
            node[_NEXT] = root
            last[_NEXT] = root[_PREV] = node

    def _unlink(self, node: _Node) -> None:
        """Take ``node`` off the recency list (its dict entry is already gone)."""
        prev = node[_PREV]
        after = node[_NEXT]
        prev[_NEXT] = after
        after[_PREV] = prev
        node[_NEXT] = None  # dead: a lookup made before the gate was taken sees a miss
        if self._max_weight is not None:
            self._weight -= node[_WEIGHT]
        self._version += 1

    def _forget(self, node: _Node, found: _Node | None, dropped: list[_Node] | None) -> None:
        """Finish removing ``node``'s key from the dict, when ``pop`` gave ``found``.

        The fast paths call this only when ``dict.pop(node's key)`` did not
        return ``node``; ``_busy`` is set.  Two things lead here:

        * ``found`` is another node with an equal key.  A dict can hold two
          equal keys after an ``__eq__`` mutated it in the middle of an
          insert (CPython's dict allows that).  ``found`` is out of the dict
          now, so it comes off the list too (into ``dropped``, counted as an
          eviction, when the caller is evicting), and the pop is retried.
        * ``found`` is None: the key's hash changed while it was stored, so
          the dict cannot find it.  ``node`` stays in both structures and
          ``RuntimeError`` is raised.
        """
        table = self._map
        key = node[_KEY]
        while found is not node:
            if found is None:
                raise RuntimeError(
                    f"{type(self).__name__} cannot find a stored key: "
                    "its hash changed while it was in the cache"
                )
            self._unlink(found)
            if dropped is not None:
                self._evictions += 1
                dropped.append(found)
            found = table.pop(key, None)

    def _shrink(self, evicted: list[_Node], keep: _Node | None = None) -> None:
        """Evict least recent entries into ``evicted`` until within bounds.

        ``keep`` (the entry just stored) is never evicted to reduce weight.
        """
        table = self._map
        root = self._root
        limit = self._capacity if self._capacity > 0 else 0
        max_weight = self._max_weight
        if len(table) <= limit and (max_weight is None or self._weight <= max_weight):
            return
        was_busy = self._busy
        self._busy = True
        try:
            while True:
                lru = root[_NEXT]
                if lru is root:
                    break
                if len(table) <= limit and (
                    max_weight is None or self._weight <= max_weight or lru is keep
                ):
                    break
                found = table.pop(lru[_KEY], None)
                if found is not lru:
                    self._forget(lru, found, evicted)
                self._unlink(lru)
                self._evictions += 1
                evicted.append(lru)
        finally:
            self._busy = was_busy

    def _notify(self, evicted: list[_Node]) -> None:
        """Run ``on_evict`` for each evicted node, in order, outside the gate.

        Every callback runs; the first exception is raised after the last.
        """
        callback = self._on_evict
        if callback is None:
            return
        value_only = self._value_only
        first_error: BaseException | None = None
        for node in evicted:
            try:
                if value_only:
                    callback(node[_VALUE])
                else:
                    callback(node[_KEY], node[_VALUE])
            except BaseException as exc:
                if first_error is None:
                    first_error = exc
        if first_error is not None:
            try:
                raise first_error
            finally:
                first_error = None

    # ------------------------------------------------------------------
    # Iteration: least recent first, never promoting

    def __iter__(self) -> Iterator[_K]:
        return self._walk(_KEYS)

    def _iter_values(self) -> Iterator[_V]:
        return self._walk(_VALUES)

    def _iter_items(self) -> Iterator[tuple[_K, _V]]:
        return self._walk(_ITEMS)

    def _walk(self, kind: int) -> Iterator[Any]:
        # Take the starting point now, as dict iterators do, not at the
        # first next().
        taken = self._acquire()
        try:
            start = self._root[_NEXT]
            remaining = len(self._map)
            version = self._version
        finally:
            self._release(taken)
        return self._steps(kind, start, remaining, version)

    def _steps(self, kind: int, cursor: _Node, remaining: int, version: int) -> Iterator[Any]:
        """Yield from ``cursor`` on, taking the gate for each step, not across yields.

        Inserts and removals bump ``_version`` and make the next step raise.
        Promotions do not; they may move entries behind the cursor, so at most
        ``remaining`` items (the size at the start) are yielded.
        """
        root = self._root
        while True:
            taken = self._acquire()
            try:
                if self._version != version:
                    raise RuntimeError(f"{type(self).__name__} changed size during iteration")
                if remaining <= 0 or cursor is root:
                    return
                node = cursor
                cursor = node[_NEXT]
                remaining -= 1
                if kind == _KEYS:
                    item = node[_KEY]
                elif kind == _VALUES:
                    item = node[_VALUE]
                else:
                    item = (node[_KEY], node[_VALUE])
            finally:
                self._release(taken)
            yield item

    def keys(self) -> LRUKeysView:
        """A view of the keys, least recent first."""
        return LRUKeysView(self)

    def values(self) -> LRUValuesView:
        """A view of the values, least recent first."""
        return LRUValuesView(self)

    def items(self) -> LRUItemsView:
        """A view of the ``(key, value)`` pairs, least recent first."""
        return LRUItemsView(self)

    def _snapshot(self) -> list[_Node]:
        """Copies of the nodes' key, value (and weight), least recent first."""
        taken = self._acquire()
        try:
            root = self._root
            nodes = []
            node = root[_NEXT]
            while node is not root:
                nodes.append(node[_KEY:])
                node = node[_NEXT]
            return nodes
        finally:
            self._release(taken)

    # ------------------------------------------------------------------
    # Settings and statistics

    @property
    def capacity(self) -> int:
        """Maximum number of entries; lowering it evicts at once (calling ``on_evict``)."""
        return self._capacity

    @capacity.setter
    def capacity(self, value: int) -> None:
        self._set_bounds(_as_size(value, "capacity"), self._max_weight)

    @property
    def max_weight(self) -> int | None:
        """Maximum total weight, or None when the cache is bounded by count only."""
        return self._max_weight

    @max_weight.setter
    def max_weight(self, value: int) -> None:
        if self._max_weight is None:
            raise ValueError("max_weight can only be changed on a cache created with max_weight")
        if value is None:
            raise TypeError("max_weight must be an int on a weighted cache, not None")
        self._set_bounds(self._capacity, _as_max_weight(value))

    def _set_bounds(self, capacity: int, max_weight: int | None) -> None:
        evicted: list[_Node] = []
        taken = self._acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            self._capacity = capacity
            if max_weight is not None:
                self._max_weight = max_weight
            self._shrink(evicted)
        finally:
            self._release(taken)
        if evicted:
            self._notify(evicted)

    @property
    def on_evict(self) -> Callable[..., object] | None:
        """Called as ``on_evict(key, value)`` for every entry evicted to make room."""
        return self._on_evict

    @on_evict.setter
    def on_evict(self, value: Callable[..., object] | None) -> None:
        self._on_evict = _as_callback(value, "on_evict")

    @property
    def weigher(self) -> Callable[[Any], object] | None:
        """The function giving each value's weight (None: every value weighs 1)."""
        return self._weigher

    @property
    def weight(self) -> int | None:
        """Total weight of the entries, or None when the cache is unweighted."""
        return None if self._max_weight is None else self._weight

    def stats(self) -> CacheStats:
        """Hits, misses, evictions, size, capacity, weight and max_weight."""
        taken = self._acquire()
        try:
            # Reading the miss counter bumps it: one more number is used up.
            misses = next(self._misses) - self._miss_base
            self._miss_base += 1
            return CacheStats(
                self._hits,
                misses,
                self._evictions,
                len(self._map),
                self._capacity,
                self.weight,
                self._max_weight,
            )
        finally:
            self._release(taken)

    def clear_stats(self) -> None:
        """Zero the hit, miss and eviction counters."""
        taken = self._acquire()
        try:
            self._hits = self._evictions = 0
            self._miss_base = next(self._misses) + 1
        finally:
            self._release(taken)

    # ------------------------------------------------------------------
    # Python protocols

    def __repr__(self) -> str:
        taken = self._acquire()
        try:
            text = f"{type(self).__name__}(size={len(self._map)}, capacity={self._capacity}"
            if self._max_weight is not None:
                text += f", weight={self._weight}, max_weight={self._max_weight}"
            return text + ")"
        finally:
            self._release(taken)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mapping):
            return NotImplemented
        mine = self._snapshot()
        if len(other) != len(mine):
            return False
        # Look into another cache without promoting or counting.
        peek = getattr(other, "peek", None) if isinstance(other, Cache) else None
        for node in mine:
            key = node[0]
            value = node[1]
            if peek is not None:
                theirs = peek(key, _MISSING)
            else:
                try:
                    theirs = other[key]
                except KeyError:
                    return False
            if theirs is _MISSING or not (theirs is value or theirs == value):
                return False
        return True

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]

    def __sizeof__(self) -> int:
        taken = self._acquire()
        try:
            # Every node is a list as long as the root, with its gc header.
            per_node = sys.getsizeof(self._root)
            return (
                object.__sizeof__(self) + sys.getsizeof(self._map) + per_node * (len(self._map) + 1)
            )
        finally:
            self._release(taken)

    def copy(self) -> LRUCache[_K, _V]:
        """A shallow copy: same class, entries and order, settings and callbacks;
        fresh stats.  A subclass instance's ``__dict__`` is copied shallowly."""
        cls = type(self)
        new = cls.__new__(cls)
        weighted = self._max_weight is not None
        new._setup(self._capacity, self._on_evict, self._max_weight, self._weigher)
        # ``new`` is not shared yet, so it is filled without its lock; the
        # snapshot keeps the weights, so the weigher is not called again.
        table = new._map
        root = new._root
        for key, value, *rest in self._snapshot():
            node = [root, root, key, value, *rest]
            if table.setdefault(key, node) is node:
                last = root[_PREV]
                node[_PREV] = last
                last[_NEXT] = root[_PREV] = node
                if weighted:
                    new._weight += rest[0]
        instance_dict = getattr(self, "__dict__", None)
        if instance_dict:
            new.__dict__.update(instance_dict)
        return new

    def __copy__(self) -> LRUCache[_K, _V]:
        return self.copy()

    def __reduce__(self) -> tuple[Any, ...]:
        items = [(node[0], node[1]) for node in self._snapshot()]
        state = (
            self._on_evict,
            self._max_weight,
            self._weigher,
            items,
            getattr(self, "__dict__", None) or None,
        )
        return (type(self), (self._capacity,), state)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        on_evict, max_weight, weigher, items, instance_dict = state
        self.on_evict = on_evict
        checked_max_weight = _as_max_weight(max_weight)
        _as_callback(weigher, "weigher")
        if checked_max_weight is not None:
            self.clear()
            if len(self._root) == 4:
                self._root.append(0)
            self._max_weight = checked_max_weight
            self._weigher = weigher
            self._weight = 0
        for key, value in items:
            LRUCache.put(self, key, value)
        if instance_dict:
            self.__dict__.update(instance_dict)

    # ------------------------------------------------------------------
    # OrderedDict's end operations, for SimpleLRUCache.cache (_base.CacheView)

    def _popitem(self, last: bool) -> tuple[_K, _V]:
        """Remove and return the most recent ``(key, value)`` (``last``) or the least
        recent one; no callback, nothing counted; ``KeyError`` when empty."""
        taken = self._acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            node = self._root[_PREV if last else _NEXT]
            if node is self._root:
                raise KeyError("popitem(): cache is empty")
            self._busy = True
            try:
                found = self._map.pop(node[_KEY], None)
                if found is not node:
                    self._forget(node, found, None)
            finally:
                self._busy = False
            self._unlink(node)
        finally:
            self._release(taken)
        return (node[_KEY], node[_VALUE])

    def _move_to_end(self, key: _K, last: bool) -> None:
        """Make ``key`` the most recent entry (``last``) or the least recent one;
        ``KeyError`` if absent, nothing counted.  Like ``OrderedDict.move_to_end``, a
        move makes a running iterator raise (moving an entry behind the cursor to the
        front would otherwise yield keys twice)."""
        node = self._map.get(key)  # user __hash__/__eq__ run here, as in peek
        taken = self._acquire()
        try:
            if node is None or node[_NEXT] is None:
                raise KeyError(key)
            root = self._root
            if node is root[_PREV if last else _NEXT]:
                return  # already there: like OrderedDict, iterators go on
            if last:
                self._promote(node)
            else:
                prev = node[_PREV]  # unlink, then link as least recent
                after = node[_NEXT]
                prev[_NEXT] = after
                after[_PREV] = prev
                oldest = root[_NEXT]
                node[_PREV] = root
                node[_NEXT] = oldest
                oldest[_PREV] = root[_NEXT] = node
            self._version += 1
        finally:
            self._release(taken)


class SimpleLRUCache(LRUCache[_K, _V]):
    """SimpleLRUCache(capacity, on_evict=None)

    Drop-in for mellea's ``SimpleLRUCache``: ``on_evict(value)`` gets the
    evicted value only, and ``cache`` is a live view of the entries that
    behaves like mellea's ``OrderedDict``.
    Everything else is ``LRUCache``'s.
    """

    __slots__ = ()

    _value_only: ClassVar[bool] = True

    def __init__(self, capacity: int, on_evict: Callable[[Any], object] | None = None) -> None:
        super().__init__(capacity, on_evict)

    @property
    def cache(self) -> CacheView:
        """The entries as mellea's ``OrderedDict``: a live view, least recent first; reads
        never promote, ``pop``/``popitem``/``del``/``clear``/``move_to_end`` call no
        ``on_evict``."""
        return CacheView(self)
