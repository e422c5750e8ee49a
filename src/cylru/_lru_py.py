"""The pure-Python twin of the Cython core: same names, same behaviour.

This module is the executable specification of ``LRUCache`` and
``SimpleLRUCache`` (docs/contract.md sections 2-5); type checkers read it in
place of the compiled core.  It follows ``_lru_c.pyx`` section by section and
helper by helper (``_find``, ``_promote``, ``_remove``, ``_shrink_to_fit``,
``_notify``, ``_store``, ``_set_bounds``; the core's ``_unlink``,
``_link_newest`` and ``_evict_oldest`` are inlined where they are needed,
see "Structure steps" below), so the two can be read side by side.

Layout
------
Every entry is a *node*, a small list::

    [prev, next, key, value, hash, sibling, weight]

The nodes are threaded on a circular doubly-linked recency list through a
sentinel ``_root``: ``root[_NEXT]`` is the least recent entry, ``root[_PREV]``
the most recent (the core's entry 0).  ``weight`` is 0 on an unweighted cache.

The index ``_table`` is a ``dict`` keyed by each key's full hash (an ``int``).
It maps a hash to the first node with that hash; further nodes with the same
full hash hang off it through ``sibling``.  So, as in a dict and in the core,
two keys are compared with ``==`` only when their full hashes are equal
(docs/contract.md section 3), and removing a node - by ``pop``, by eviction,
by ``clear`` - needs only ``node[_HASH]`` and identity: it never runs a key's
``__hash__`` or ``__eq__`` again.  Evicting takes the node at the old end of
the list (by position), so no exception from user code can stop an eviction
half way or make the cache skip one (docs/contract.md sections 4 and 5).

``OrderedDict`` is deliberately not used: its ``pop``, ``del`` and
``move_to_end`` crash CPython 3.11-3.13 when a key's ``__eq__`` mutates the
dict during the call (CPython issue #142637; docs/contract.md section 5).

Locking
-------
One ``threading.RLock`` per cache, held by every method for all of its work
except ``on_evict`` (docs/contract.md section 4).  Nothing depends on where an
interpreter may switch threads: another thread can touch the cache only
between two methods.

User code (a key's ``__hash__``/``__eq__``, the weigher, an ``__index__``)
runs under the lock, so it may re-enter the cache only from its own thread,
which the RLock allows.  Three rules keep that safe:

* A key's ``__eq__`` runs only in ``_find``.  If it adds or removes entries
  (``_version`` moves), ``_find`` starts again, and gives up with
  ``RuntimeError("... changed during a key comparison")`` after
  ``_MAX_EQ_RESTARTS`` restarts, as the core does.
* Every other step that walks or changes the structure runs with ``_busy``
  set and calls no user code.  The only code that can still run in the
  middle of such a step is a signal handler, a ``sys.setprofile`` hook or a
  ``__del__`` run by the garbage collector; if it re-enters the cache, the
  method it calls raises ``RuntimeError`` at once instead of seeing a
  half-made change.  Each step that changes the structure is also one
  function that calls no other Python function (see "Structure steps"), so
  a RecursionError or MemoryError cannot stop it half way.
* ``__init__`` and ``__setstate__`` refuse to run while their own thread holds
  the lock, that is from inside one of the cache's own operations
  (docs/contract.md section 4): they would pull the table out from under it.

Hot paths
---------
``get``, ``_store`` (``put``, ``c[k] = v``) and ``_pop`` take the lock with
``acquire()``/``release()`` in ``try``/``finally`` rather than a ``with``
statement, which costs about twice as much; they try ``_find``'s first step
(an identity hit, or no entry with that hash) inline before calling it, and
``get`` and ``_store`` promote inline.  Each such copy is marked
``# inlined: <helper>``.  bench/twin_before_after.py times this twin beside
its lock-free predecessor, itself with a no-op lock, and mellea's cache (the
README has the ratios: the lock is about a tenth of a hit).

References the cache lets go of (replaced values, removed and evicted nodes,
the old table of ``clear``) stay in locals until the lock is released, so a
``__del__`` they trigger finds the cache consistent and free.  ``on_evict``
runs after that, in eviction order; every callback runs and the first
exception is raised after the last.
"""

from __future__ import annotations

import operator
import sys
import threading
from collections.abc import (
    Callable,
    ItemsView,
    Iterator,
    KeysView,
    Mapping,
    MutableMapping,
    ValuesView,
)
from types import GenericAlias
from typing import TYPE_CHECKING, Any, ClassVar, Final, TypeVar, overload

from ._base import Cache, CacheStats, CacheView, LRUItemsView, LRUKeysView, LRUValuesView

__all__ = ["LRUCache", "SimpleLRUCache"]

_K = TypeVar("_K")
_V = TypeVar("_V")
_T = TypeVar("_T")

# Node fields: a node is a list (see the module docstring).  A list display is
# about twice as fast to build as an object with __slots__, and indexing by a
# constant is as fast as a slot attribute.
_PREV: Final = 0
_NEXT: Final = 1
_KEY: Final = 2
_VALUE: Final = 3
_HASH: Final = 4
_SIBLING: Final = 5  # the next node whose key has the same full hash
_WEIGHT: Final = 6

_Node = list[Any]

# What an iterator yields.
_KEYS: Final = 0
_VALUES: Final = 1
_ITEMS: Final = 2

# A lookup whose key __eq__ keeps changing the cache from its own thread gives
# up after this many restarts (the core's MAX_EQ_RESTARTS).
_MAX_EQ_RESTARTS: Final = 100

_MISSING: Any = object()


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


def _reentered(cache: object) -> RuntimeError:
    """The error for a call that arrives in the middle of one of the cache's own steps."""
    return RuntimeError(
        f"{type(cache).__name__} used in the middle of one of its own changes "
        "(from a signal handler, a profiler hook or a __del__)"
    )


# ----------------------------------------------------------------------


class LRUCache(Cache, MutableMapping[_K, _V]):
    """LRUCache(capacity, on_evict=None, *, max_weight=None, weigher=None)

    A mapping that keeps at most ``capacity`` entries (and, with ``max_weight``,
    at most that total weight), evicting the least recently used ones first.
    ``on_evict(key, value)`` is called for every entry evicted to make room.

    ``get``, ``c[k]``, ``put``, ``c[k] = v`` and ``setdefault`` make an entry
    the most recent; ``peek``, ``in``, iteration and the views do not.  Every
    method is atomic with respect to other threads.
    """

    __slots__ = (
        "__weakref__",
        "_busy",
        "_capacity",
        "_evictions",
        "_hits",
        "_last_moved",
        "_lock",
        "_max_weight",
        "_misses",
        "_moves",
        "_on_evict",
        "_root",
        "_size",
        "_table",
        "_version",
        "_weigher",
        "_weight",
    )

    _lock: threading.RLock  # held by every method (see the module docstring)
    _busy: bool  # a step that walks or changes the structure is running
    _table: dict[int, _Node]  # full hash -> first node with that hash
    _root: _Node  # sentinel of the recency list
    _size: int
    _version: int  # bumped by every insert and removal; never restarts
    _moves: int  # bumped by every promotion that moves an entry
    _last_moved: _Node | None  # the node the last such promotion moved
    _capacity: int
    _max_weight: int | None  # None: unweighted (every node weighs 0)
    _weight: int
    _on_evict: Callable[..., object] | None
    _weigher: Callable[[Any], object] | None
    _hits: int
    _misses: int
    _evictions: int

    # SimpleLRUCache calls on_evict(value) instead of on_evict(key, value).
    _value_only: ClassVar[bool] = False

    if not TYPE_CHECKING:
        # LRUCache[str, Any] is a types.GenericAlias, as on the core.  Type checkers use
        # the Generic base's own, which they understand.
        __class_getitem__ = classmethod(GenericAlias)

    def _init_empty(self) -> None:
        """Give a fresh object its lock and an empty table (the core's ``__cinit__``).
        Not ``__new__``: that would hide ``__init__``'s signature from ``inspect``."""
        self._lock = threading.RLock()
        self._busy = False
        root: _Node = [None, None, None, None, None, None, 0]
        root[_PREV] = root[_NEXT] = root
        self._root = root
        self._table = {}
        self._size = self._version = self._moves = 0
        self._last_moved = None
        self._capacity = 0
        self._max_weight = None
        self._weight = 0
        self._on_evict = self._weigher = None
        self._hits = self._misses = self._evictions = 0

    def __init__(
        self,
        capacity: int,
        on_evict: Callable[[_K, _V], object] | None = None,
        *,
        max_weight: int | None = None,
        weigher: Callable[[_V], int] | None = None,
    ) -> None:
        try:
            lock = self._lock
        except AttributeError:  # the first __init__ (an object made with __new__ has no state)
            self._init_empty()
            lock = self._lock
        # From inside one of this cache's own operations (a key's __hash__/__eq__,
        # the weigher, an __index__) re-initialising would pull the table out from
        # under that operation: refused, nothing changed (docs/contract.md section 4).
        if lock._is_owned():  # type: ignore[attr-defined]
            raise RuntimeError(
                f"{type(self).__name__}.__init__ called during an operation on the same cache"
            )
        with lock:  # an argument's __index__ that tries __init__ again is refused too
            checked_capacity = _as_size(capacity, "capacity")
            _as_callback(on_evict, "on_evict")
            checked_max_weight = _as_max_weight(max_weight)
            _as_callback(weigher, "weigher")
            if weigher is not None and checked_max_weight is None:
                raise ValueError("weigher requires max_weight")
            if self._busy:
                raise _reentered(self)
            # Re-initialising empties the cache and resets its stats; the old
            # entries are released after the lock (their __del__ may use the cache).
            self._busy = True
            try:
                old_table, old_first = self._detach_table(
                    self._size > 0 or (self._max_weight is None) != (checked_max_weight is None)
                )
                self._capacity = checked_capacity
                self._on_evict = on_evict
                self._max_weight = checked_max_weight
                self._weigher = weigher
                self._hits = self._misses = self._evictions = 0
            finally:
                self._busy = False
        self._release_detached(old_table, old_first)

    # ------------------------------------------------------------------
    # Structure steps.  In the core, _unlink, _link_newest and _remove are C
    # functions nothing can interrupt.  Here every Python call is a point where
    # RecursionError (a deep on_evict chain), MemoryError or a signal handler's
    # exception can strike, so each step that changes the structure is ONE
    # function that calls nothing: it either does not start or completes.  The
    # list splices they need are inlined, each marked "inlined: <the core's
    # helper>" (grep for it).  The caller holds the lock with ``_busy`` set.

    def _promote(self, node: _Node) -> None:
        """Make a listed ``node`` the most recent entry."""
        root = self._root
        newest = root[_PREV]
        if newest is not node:
            prev = node[_PREV]  # inlined: _unlink
            after = node[_NEXT]
            prev[_NEXT] = after
            after[_PREV] = prev
            node[_PREV] = newest  # inlined: _link_newest
            node[_NEXT] = root
            newest[_NEXT] = root[_PREV] = node
            self._moves += 1  # iterators read these (see _steps)
            self._last_moved = node

    def _add(self, node: _Node) -> None:
        """Index and list a new ``node`` as the most recent entry."""
        table = self._table
        h = node[_HASH]
        node[_SIBLING] = table.get(h)
        table[h] = node  # the one allocation (the dict may grow): before any change
        root = self._root
        newest = root[_PREV]  # inlined: _link_newest
        node[_PREV] = newest
        node[_NEXT] = root
        newest[_NEXT] = root[_PREV] = node
        self._size += 1
        self._weight += node[_WEIGHT]
        self._version += 1

    def _remove(self, node: _Node) -> None:
        """Take ``node``'s entry out of the cache by its stored hash and identity: no
        key's ``__hash__`` or ``__eq__`` runs.  The caller keeps ``node`` (and with it
        the key and value) alive until the lock is released."""
        table = self._table
        h = node[_HASH]
        first = table[h]
        if first is node:
            if node[_SIBLING] is None:
                del table[h]
            else:
                table[h] = node[_SIBLING]
        else:
            while first[_SIBLING] is not node:
                first = first[_SIBLING]
            first[_SIBLING] = node[_SIBLING]
        node[_SIBLING] = None
        prev = node[_PREV]  # inlined: _unlink
        after = node[_NEXT]
        prev[_NEXT] = after
        after[_PREV] = prev
        self._size -= 1
        self._weight -= node[_WEIGHT]
        self._version += 1
        if self._last_moved is node:
            self._last_moved = None

    def _detach_table(self, changed: bool) -> tuple[dict[int, _Node], _Node | None]:
        """Swap in an empty table; return the old one and its least recent node, to
        be released by ``_release_detached`` after the lock.  ``changed``: bump
        ``_version`` so iterators made before stop (it never restarts)."""
        empty: dict[int, _Node] = {}
        root = self._root
        old_table = self._table
        first = root[_NEXT] if self._size else None
        self._table = empty
        if first is not None:
            root[_PREV][_NEXT] = None  # the detached chain ends at None, not the root
        root[_PREV] = root[_NEXT] = root
        self._size = 0
        self._weight = 0
        self._last_moved = None
        if changed:
            self._version += 1
        return old_table, first

    @staticmethod
    def _release_detached(table: dict[int, _Node], first: _Node | None) -> None:
        """Break the links of a detached chain, so its nodes are freed by reference
        counting as soon as ``table`` goes (not later, by the cycle collector)."""
        node = first
        while node is not None:
            after = node[_NEXT]
            node[_PREV] = node[_NEXT] = node[_SIBLING] = None
            node = after
        table.clear()  # values may run __del__ here: the lock is free

    # ------------------------------------------------------------------
    # Lookup: the only place a key's __eq__ runs.

    def _find(self, key: object, h: int) -> _Node | None:
        """The node holding ``key`` (whose hash is ``h``), or None.

        Compares only keys with the same full hash, identity first, as a dict
        does.  A key's ``__eq__`` may change the cache (from this thread: the
        lock keeps others out); then the search starts again, and gives up with
        RuntimeError if the cache never settles (docs/contract.md section 4).
        """
        table = self._table
        node = table.get(h)
        if node is None or node[_KEY] is key:
            return node
        restarts = 0
        while True:
            version = self._version
            while node is not None:
                stored = node[_KEY]
                if stored is key:
                    return node
                equal = bool(stored == key)  # user code: may re-enter this cache
                if self._version != version:
                    break  # entries came or went: start again
                if equal:
                    return node
                node = node[_SIBLING]
            else:
                return None
            restarts += 1
            if restarts > _MAX_EQ_RESTARTS:
                raise RuntimeError(f"{type(self).__name__} changed during a key comparison")
            node = self._table.get(h)

    # ------------------------------------------------------------------
    # Changes that may evict.  Evicted nodes come back to the caller, which
    # runs the callbacks after releasing the lock.

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

    def _shrink_to_fit(
        self,
        capacity: int,
        max_weight: int | None,
        fresh: _Node | None = None,
        extra_weight: int = 0,
    ) -> _Node | None:
        """Set the bounds, evict least recent entries until they hold, and add
        ``fresh`` (a new node) as the most recent entry; ``extra_weight`` is weight
        about to be added to an entry already stored.  One step: all of it or none.

        ``fresh`` is indexed first (the one allocation: a MemoryError there
        changes nothing) and listed last, so it is never the one evicted; an
        entry weighs at most ``max_weight``, so neither is a promoted one.
        Returns the evicted nodes chained through ``_NEXT``, least recent first
        (None if none).
        """
        table = self._table
        if fresh is not None:
            h = fresh[_HASH]
            fresh[_SIBLING] = table.get(h)
            table[h] = fresh
            extra_weight = fresh[_WEIGHT]
        self._capacity = capacity
        self._max_weight = max_weight
        limit = (capacity if capacity > 0 else 0) - (fresh is not None)
        root = self._root
        first = last = None
        while self._size and (
            self._size > limit
            or (max_weight is not None and self._weight + extra_weight > max_weight)
        ):
            node = root[_NEXT]  # inlined: _evict_oldest, by position
            h = node[_HASH]  # inlined: _remove
            indexed = table[h]
            if indexed is node:
                if node[_SIBLING] is None:
                    del table[h]
                else:
                    table[h] = node[_SIBLING]
            else:
                while indexed[_SIBLING] is not node:
                    indexed = indexed[_SIBLING]
                indexed[_SIBLING] = node[_SIBLING]
            node[_SIBLING] = None
            after = node[_NEXT]  # inlined: _unlink (node is the oldest)
            root[_NEXT] = after
            after[_PREV] = root
            self._size -= 1
            self._weight -= node[_WEIGHT]
            if self._last_moved is node:
                self._last_moved = None
            self._evictions += 1
            node[_NEXT] = None  # chain it to the evicted ones
            if last is None:
                first = node
            else:
                last[_NEXT] = node
            last = node
        if first is not None or fresh is not None:
            self._version += 1
        if fresh is not None:
            newest = root[_PREV]  # inlined: _link_newest
            fresh[_PREV] = newest
            fresh[_NEXT] = root
            newest[_NEXT] = root[_PREV] = fresh
            self._size += 1
            self._weight += extra_weight
        return first

    def _notify(self, evicted: _Node) -> None:
        """Run ``on_evict`` for every evicted node, in order; re-raise the first error
        at the end.  Called with the lock released."""
        callback = self._on_evict
        if callback is None:
            return
        value_only = self._value_only
        first_error: BaseException | None = None
        node: _Node | None = evicted
        while node is not None:
            try:
                if value_only:
                    callback(node[_VALUE])
                else:
                    callback(node[_KEY], node[_VALUE])
            except BaseException as exc:
                if first_error is None:
                    first_error = exc
            node = node[_NEXT]
        if first_error is not None:
            try:
                raise first_error
            finally:
                first_error = None

    def _store(self, key: Any, value: Any, replace: bool = True) -> Any:
        """``put`` (``replace``) or ``setdefault``'s insert (not ``replace``).

        Returns the value now stored under ``key``: ``value``, or for
        ``setdefault`` the value of a key found present after all.
        """
        if self._capacity <= 0:
            return value  # stores nothing: not even hashed or weighed
        evicted = None
        old_value = None  # the replaced value: released on return, after the lock
        lock = self._lock
        lock.acquire()  # not ``with``: see "Hot paths" in the module docstring
        try:
            if self._busy:
                raise _reentered(self)
            # User code first (docs/design.md fixes the order: hash, weigher,
            # __eq__); it may re-enter and change the bounds, read again below.
            h = hash(key)
            weight = 0 if self._max_weight is None else self._weigh(value)
            node = self._table.get(h)  # inlined: _find (identity hit, no such hash)
            if node is not None and node[_KEY] is not key:
                node = self._find(key, h)
            capacity = self._capacity
            max_weight = self._max_weight
            if capacity <= 0:
                return value
            if max_weight is not None and weight > max_weight:
                raise ValueError(f"value weighs {weight}, more than max_weight={max_weight}")
            if node is None:  # made before the change: making it may run the collector
                fresh: _Node = [None, None, key, value, h, None, weight]
            self._busy = True
            try:
                # Each call below is one whole step, and a replaced value is
                # stored only after its evictions: whichever step an exception
                # stops, the bounds hold and every evicted entry gets its
                # on_evict (in ``finally``).
                if node is None:
                    evicted = self._shrink_to_fit(capacity, max_weight, fresh)
                    return value
                root = self._root
                newest = root[_PREV]
                if newest is not node:
                    prev = node[_PREV]  # inlined: _promote
                    after = node[_NEXT]
                    prev[_NEXT] = after
                    after[_PREV] = prev
                    node[_PREV] = newest
                    node[_NEXT] = root
                    newest[_NEXT] = root[_PREV] = node
                    self._moves += 1
                    self._last_moved = node
                if not replace:
                    return node[_VALUE]
                if max_weight is not None:
                    evicted = self._shrink_to_fit(
                        capacity, max_weight, None, weight - node[_WEIGHT]
                    )
                    self._weight += weight - node[_WEIGHT]
                    node[_WEIGHT] = weight
                old_value = node[_VALUE]  # noqa: F841 -- released on return, after the lock
                node[_VALUE] = value
                return value
            finally:
                self._busy = False
        finally:
            lock.release()
            if evicted is not None and self._on_evict is not None:
                self._notify(evicted)

    def _set_bounds(self, capacity: object, max_weight: object) -> None:
        """Set ``capacity`` or (not None) ``max_weight`` and evict what no longer fits.

        Only the bound given changes: the other is read after the new one is
        converted, since its ``__index__`` may change it.
        """
        evicted = None
        try:
            with self._lock:
                if self._busy:
                    raise _reentered(self)
                if max_weight is None:
                    new_capacity = _as_size(capacity, "capacity")  # __index__: user code
                    new_max_weight = self._max_weight
                else:
                    new_max_weight = _as_max_weight(max_weight)
                    new_capacity = self._capacity
                self._busy = True
                try:
                    evicted = self._shrink_to_fit(new_capacity, new_max_weight)
                finally:
                    self._busy = False
        finally:
            if evicted is not None:
                self._notify(evicted)

    # ------------------------------------------------------------------
    # mellea's interface

    def put(self, key: _K, value: _V) -> None:
        """Store ``value`` under ``key`` as the most recent entry, evicting if full.

        An existing key keeps its original key object and gets the new value
        (no callback).  With ``capacity <= 0`` nothing happens at all.
        """
        if self._capacity > 0:
            self._store(key, value, True)

    @overload
    def get(self, key: _K, default: None = None) -> _V | None: ...
    @overload
    def get(self, key: _K, default: _V | _T) -> _V | _T: ...
    def get(self, key: _K, default: object = None) -> object:
        """The value for ``key`` (promoting it), or ``default``; counts a hit or a miss."""
        lock = self._lock
        lock.acquire()  # not ``with``: see "Hot paths" in the module docstring
        try:
            if self._busy:
                raise _reentered(self)
            h = hash(key)
            node = self._table.get(h)  # inlined: _find (identity hit, no such hash)
            if node is not None and node[_KEY] is not key:
                node = self._find(key, h)
            if node is None:
                self._misses += 1
                return default
            self._hits += 1
            root = self._root
            newest = root[_PREV]
            if newest is not node:
                self._busy = True
                try:
                    prev = node[_PREV]  # inlined: _promote
                    after = node[_NEXT]
                    prev[_NEXT] = after
                    after[_PREV] = prev
                    node[_PREV] = newest
                    node[_NEXT] = root
                    newest[_NEXT] = root[_PREV] = node
                    self._moves += 1
                    self._last_moved = node
                finally:
                    self._busy = False
            return node[_VALUE]
        finally:
            lock.release()

    def current_size(self) -> int:
        """The number of entries (mellea's name for ``len``)."""
        return self._size

    # ------------------------------------------------------------------
    # Mapping protocol

    def __getitem__(self, key: _K) -> _V:
        value: Any = LRUCache.get(self, key, _MISSING)  # never a subclass's get
        if value is _MISSING:
            raise KeyError(key)
        return value  # type: ignore[no-any-return]

    def __setitem__(self, key: _K, value: _V) -> None:
        self._store(key, value)

    def __delitem__(self, key: _K) -> None:
        if self._pop(key, _MISSING) is _MISSING:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        with self._lock:
            if self._busy:
                raise _reentered(self)
            return self._find(key, hash(key)) is not None

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[_K]:
        return self._walk(_KEYS, False)

    def __reversed__(self) -> Iterator[_K]:
        """The keys, most recent first (no promotion, nothing counted)."""
        return self._walk(_KEYS, True)

    def _iter_values(self) -> Iterator[_V]:
        return self._walk(_VALUES, False)

    def _iter_items(self) -> Iterator[tuple[_K, _V]]:
        return self._walk(_ITEMS, False)

    def keys(self) -> KeysView[_K]:
        """A view of the keys, least recent first."""
        return LRUKeysView(self)

    def values(self) -> ValuesView[_V]:
        """A view of the values, least recent first."""
        return LRUValuesView(self)

    def items(self) -> ItemsView[_K, _V]:
        """A view of the ``(key, value)`` pairs, least recent first."""
        return LRUItemsView(self)

    @overload
    def peek(self, key: _K, default: None = None) -> _V | None: ...
    @overload
    def peek(self, key: _K, default: _V | _T) -> _V | _T: ...
    def peek(self, key: _K, default: object = None) -> object:
        """The value for ``key`` without promoting it or counting, or ``default``."""
        with self._lock:
            if self._busy:
                raise _reentered(self)
            node = self._find(key, hash(key))
            return default if node is None else node[_VALUE]

    def _pop(self, key: object, default: object) -> object:
        lock = self._lock
        lock.acquire()
        try:
            if self._busy:
                raise _reentered(self)
            h = hash(key)
            node = self._table.get(h)  # inlined: _find (identity hit, no such hash)
            if node is not None and node[_KEY] is not key:
                node = self._find(key, h)
            if node is None:
                return default
            self._busy = True
            try:
                self._remove(node)
            finally:
                self._busy = False
        finally:
            lock.release()
        # The cache no longer holds the node; it is released only now.
        return node[_VALUE]

    @overload
    def pop(self, key: _K) -> _V: ...
    @overload
    def pop(self, key: _K, default: _V) -> _V: ...
    @overload
    def pop(self, key: _K, default: _T) -> _V | _T: ...
    def pop(self, key: _K, default: object = _MISSING) -> object:
        """Remove ``key`` and return its value (no callback); ``KeyError`` unless ``default``."""
        value = self._pop(key, default)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def popitem(self) -> tuple[_K, _V]:
        """Remove and return the least recent ``(key, value)``; ``KeyError`` when empty."""
        return self._popitem(False)

    @overload
    def setdefault(self: LRUCache[_K, _T | None], key: _K, default: None = None) -> _T | None: ...
    @overload
    def setdefault(self, key: _K, default: _V) -> _V: ...
    def setdefault(self, key: _K, default: object = None) -> object:
        """The value for ``key`` (promoting it); if absent, store ``default`` and return it.

        Like dict, a present key's value is returned without weighing ``default``.
        """
        if self._capacity <= 0:
            return default
        with self._lock:
            if self._busy:
                raise _reentered(self)
            node = self._find(key, hash(key))
            if node is not None:
                self._busy = True
                try:
                    self._promote(node)
                finally:
                    self._busy = False
                return node[_VALUE]
        # Absent: store it (weighing it now); a key stored meanwhile wins.
        return self._store(key, default, False)

    def update(self, other: Any = (), /, **kwargs: _V) -> None:
        """Store every item of ``other``, then of ``kwargs``, as ``put`` would.

        ``other`` is read as dict.update reads it (docs/contract.md section 3): a
        cylru cache of either implementation as a snapshot of its items, least
        recent first, promoting and counting nothing in it; else anything with
        ``keys()`` as ``other[key]`` for each key; else (key, value) pairs.  Stops
        at the first exception.  Never calls a subclass's ``put``/``__setitem__``.
        """
        cached = _cylru_items(other)
        if cached is not None:
            for key, value in cached:
                self._store(key, value, True)
        elif hasattr(other, "keys"):
            for key in other.keys():  # noqa: SIM118 -- dict.update calls keys()
                self._store(key, other[key], True)
        else:
            for key, value in other:
                self._store(key, value, True)
        for key, value in kwargs.items():
            self._store(key, value, True)

    def clear(self) -> None:
        """Remove every entry (no callbacks; stats are kept)."""
        with self._lock:
            if self._busy:
                raise _reentered(self)
            if self._size == 0:
                return
            self._busy = True
            try:
                old_table, old_first = self._detach_table(True)
            finally:
                self._busy = False
        self._release_detached(old_table, old_first)

    def copy(self) -> LRUCache[_K, _V]:
        """A shallow copy: same class, entries and order, settings and callbacks; fresh stats."""
        return self._copy()

    def __copy__(self) -> LRUCache[_K, _V]:
        # copy.copy(c) is this class's copy(), never an override of it (as for dict):
        # the weights are copied and the weigher is not run again.
        return self._copy()

    def _copy(self) -> LRUCache[_K, _V]:
        cls = type(self)
        new: LRUCache[_K, _V] = cls.__new__(cls)
        new._init_empty()
        # ``new`` is not shared yet: it is filled without its lock.  Its nodes are
        # made under this cache's lock, in one step that no re-entry can interrupt.
        with self._lock:
            if self._busy:
                raise _reentered(self)
            self._busy = True
            try:
                root = self._root
                node = root[_NEXT]
                while node is not root:
                    new._add(
                        [None, None, node[_KEY], node[_VALUE], node[_HASH], None, node[_WEIGHT]]
                    )
                    node = node[_NEXT]
                new._capacity = self._capacity
                new._max_weight = self._max_weight
                new._on_evict = self._on_evict
                new._weigher = self._weigher
            finally:
                self._busy = False
        instance_dict = getattr(self, "__dict__", None)
        if instance_dict:
            new.__dict__.update(instance_dict)
        return new

    # ------------------------------------------------------------------
    # Settings and statistics

    @property
    def capacity(self) -> int:
        """Maximum number of entries; lowering it evicts at once (calling ``on_evict``)."""
        return self._capacity

    @capacity.setter
    def capacity(self, value: int) -> None:
        self._set_bounds(value, None)

    @property
    def on_evict(self) -> Callable[[_K, _V], object] | None:
        """Called as ``on_evict(key, value)`` for every entry evicted to make room."""
        return self._on_evict

    @on_evict.setter
    def on_evict(self, value: Callable[[_K, _V], object] | None) -> None:
        _as_callback(value, "on_evict")
        with self._lock:
            self._on_evict = value

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
        self._set_bounds(None, value)

    @property
    def weigher(self) -> Callable[[_V], int] | None:
        """The function giving each value's weight (None: every value weighs 1)."""
        return self._weigher  # type: ignore[return-value]

    @property
    def weight(self) -> int | None:
        """Total weight of the entries, or None when the cache is unweighted."""
        return None if self._max_weight is None else self._weight

    def stats(self) -> CacheStats:
        """Hits, misses, evictions, size, capacity, weight and max_weight."""
        with self._lock:
            return CacheStats(
                self._hits,
                self._misses,
                self._evictions,
                self._size,
                self._capacity,
                self.weight,
                self._max_weight,
            )

    def clear_stats(self) -> None:
        """Zero the hit, miss and eviction counters."""
        with self._lock:
            self._hits = self._misses = self._evictions = 0

    # ------------------------------------------------------------------
    # Python protocols

    def __repr__(self) -> str:
        text = f"{type(self).__name__}(size={self._size}, capacity={self._capacity}"
        if self._max_weight is not None:
            text += f", weight={self._weight}, max_weight={self._max_weight}"
        return text + ")"

    def __eq__(self, other: object) -> bool:
        # docs/contract.md section 3 "Equality": both sides are read as snapshots
        # (another cylru cache of either implementation without promoting or
        # counting), then compared as dicts outside every lock, so a key or value
        # __eq__ may do anything to either cache.
        theirs = _cylru_items(other)
        if theirs is None:
            if not isinstance(other, Mapping):
                return NotImplemented
            theirs = list(other.items())
        return dict(self._items_snapshot()) == dict(theirs)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None  # type: ignore[assignment]

    def __sizeof__(self) -> int:
        # Every node is a list as long as the root, with its gc header.
        per_node = sys.getsizeof(self._root)
        return object.__sizeof__(self) + sys.getsizeof(self._table) + per_node * (self._size + 1)

    def _items_snapshot(self) -> list[tuple[_K, _V]]:
        """The ``(key, value)`` pairs, least recent first, read in one step."""
        with self._lock:
            if self._busy:
                raise _reentered(self)
            self._busy = True
            try:
                items = []
                root = self._root
                node = root[_NEXT]
                while node is not root:
                    items.append((node[_KEY], node[_VALUE]))
                    node = node[_NEXT]
                return items
            finally:
                self._busy = False

    def __reduce__(self) -> tuple[Any, ...]:
        state = (
            self._on_evict,
            self._max_weight,
            self._weigher,
            self._items_snapshot(),
            getattr(self, "__dict__", None) or None,
        )
        return (type(self), (self._capacity,), state)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        on_evict, max_weight, weigher, items, instance_dict = state
        lock = self._lock
        if lock._is_owned():  # type: ignore[attr-defined]
            raise RuntimeError(
                f"{type(self).__name__}.__setstate__ called during an operation on the same cache"
            )
        _as_callback(on_evict, "on_evict")
        with lock:
            checked_max_weight = _as_max_weight(max_weight)
            _as_callback(weigher, "weigher")
            if self._busy:
                raise _reentered(self)
            self._busy = True
            try:
                self._on_evict = on_evict
                old_table: dict[int, _Node] = {}
                old_first = None
                if checked_max_weight is not None:  # weights need a fresh table
                    old_table, old_first = self._detach_table(True)
                    self._max_weight = checked_max_weight
                    self._weigher = weigher
            finally:
                self._busy = False
        self._release_detached(old_table, old_first)
        for key, value in items:
            self._store(key, value, True)
        if instance_dict:
            self.__dict__.update(instance_dict)

    # ------------------------------------------------------------------
    # OrderedDict's end operations, for SimpleLRUCache.cache (_base.CacheView)

    def _popitem(self, last: bool) -> tuple[_K, _V]:
        """Remove and return the most recent ``(key, value)`` (``last``) or the least
        recent one; no callback, nothing counted; ``KeyError`` when empty."""
        with self._lock:
            if self._busy:
                raise _reentered(self)
            if self._size == 0:
                raise KeyError("popitem(): cache is empty")
            self._busy = True
            try:
                node = self._root[_PREV if last else _NEXT]
                self._remove(node)
            finally:
                self._busy = False
        return (node[_KEY], node[_VALUE])

    def _move_to_end(self, key: _K, last: bool) -> None:
        """Make ``key`` the most recent entry (``last``) or the least recent one;
        ``KeyError`` if absent, nothing counted.  Like ``OrderedDict.move_to_end``, a
        move makes a running iterator raise (moving an entry behind the cursor to the
        front would otherwise yield keys twice)."""
        with self._lock:
            if self._busy:
                raise _reentered(self)
            node = self._find(key, hash(key))
            if node is None:
                raise KeyError(key)
            root = self._root
            if node is root[_PREV if last else _NEXT]:
                return  # already there: like OrderedDict, iterators go on
            self._busy = True
            try:  # one step, calling nothing (see "Structure steps")
                prev = node[_PREV]  # inlined: _unlink
                after = node[_NEXT]
                prev[_NEXT] = after
                after[_PREV] = prev
                if last:
                    newest = root[_PREV]  # inlined: _link_newest
                    node[_PREV] = newest
                    node[_NEXT] = root
                    newest[_NEXT] = root[_PREV] = node
                else:
                    oldest = root[_NEXT]
                    node[_PREV] = root
                    node[_NEXT] = oldest
                    oldest[_PREV] = root[_NEXT] = node
                self._version += 1
            finally:
                self._busy = False

    # ------------------------------------------------------------------
    # Iteration (the core's _Iterator): least recent first, or most recent
    # first for reversed(); never promoting.

    def _walk(self, kind: int, backward: bool) -> Iterator[Any]:
        # The starting point is taken now, as dict iterators do, not at the first next().
        with self._lock:
            if self._busy:
                raise _reentered(self)
            root = self._root
            start = root[_PREV] if backward else root[_NEXT]
            state = (start, self._size, self._version, self._moves)
        return self._steps(kind, backward, *state)

    def _steps(
        self, kind: int, backward: bool, cursor: _Node, remaining: int, version: int, moves: int
    ) -> Iterator[Any]:
        """Yield from ``cursor`` on, taking the lock for each step, not across yields.

        Adding or removing entries makes the next step raise RuntimeError.  A
        promotion is allowed and never makes it yield a key twice
        (docs/contract.md section 4a): promoting the entry yielded last moves it
        behind the cursor of a backward walk, and past the ``remaining`` count of
        a forward one, so the walk goes on; so does one that has yielded nothing
        yet (it starts from the new order); after any other promotion the order
        of what is left is unknown and the iterator stops.
        """
        root = self._root
        direction = _PREV if backward else _NEXT
        last: _Node | None = None  # the node yielded last
        while True:
            with self._lock:
                if self._busy:
                    raise _reentered(self)
                if self._version != version:
                    raise RuntimeError(f"{type(self).__name__} changed size during iteration")
                if self._moves != moves:
                    if last is None:  # nothing yielded yet: start from the new order
                        cursor = root[direction]
                    elif self._moves != moves + 1 or self._last_moved is not last:
                        remaining = 0
                    moves = self._moves
                if remaining <= 0 or cursor is root:
                    return
                node = cursor
                cursor = node[direction]
                remaining -= 1
                if kind == _KEYS:
                    item = node[_KEY]
                elif kind == _VALUES:
                    item = node[_VALUE]
                else:
                    item = (node[_KEY], node[_VALUE])
            last = node
            yield item


def _cylru_items(obj: object) -> list[tuple[Any, Any]] | None:
    """A snapshot of ``obj``'s items if it is a cylru cache of either implementation,
    else None.

    Least recent first, nothing promoted or counted, no subclass override called.
    A core cache can exist only once its module is imported, so the core is looked
    up in ``sys.modules`` rather than imported here.
    """
    if isinstance(obj, LRUCache):
        return LRUCache._items_snapshot(obj)
    core = sys.modules.get("cylru._lru_c")
    if core is not None and isinstance(obj, core.LRUCache):
        return core.LRUCache._items_snapshot(obj)  # type: ignore[no-any-return]
    return None


class SimpleLRUCache(LRUCache[_K, _V]):
    """SimpleLRUCache(capacity, on_evict=None)

    Drop-in for mellea's ``SimpleLRUCache``: ``on_evict(value)`` gets the evicted
    value only, and ``cache`` is a live view of the entries that behaves like
    mellea's ``OrderedDict``.
    """

    __slots__ = ()

    _value_only: ClassVar[bool] = True

    def __init__(self, capacity: int, on_evict: Callable[[_V], object] | None = None) -> None:
        LRUCache.__init__(self, capacity, on_evict)  # type: ignore[arg-type]

    @property  # type: ignore[override]
    def on_evict(self) -> Callable[[_V], object] | None:
        """Called as ``on_evict(value)`` for every entry evicted to make room."""
        return self._on_evict

    @on_evict.setter
    def on_evict(self, value: Callable[[_V], object] | None) -> None:
        _as_callback(value, "on_evict")
        with self._lock:
            self._on_evict = value

    @property
    def cache(self) -> CacheView[_K, _V]:
        """The entries as mellea's ``OrderedDict``: a live view, least recent first; reads
        never promote, ``pop``/``popitem``/``del``/``clear``/``move_to_end`` call no
        ``on_evict``."""
        return CacheView(self)
