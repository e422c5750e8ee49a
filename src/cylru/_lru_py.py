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
same nodes, and ``_weight`` is the sum of their weights.  To keep that true:

* Every public method holds ``self._lock``, a ``threading.RLock`` (re-entrant,
  because key comparisons and the weigher may call back into the cache from
  the same thread).  Nodes are linked or unlinked only between dict
  operations, never while a dict operation runs user code.
* A fresh node is inserted with ``dict.setdefault`` *before* it is linked
  (so if the insert raises, nothing has changed), and evictions follow.
  Both run key comparisons, and both run with ``_busy`` set: a re-entrant
  *structural* change (insert, delete, clear, resize) from inside such a
  comparison raises ``RuntimeError("... changed during a key comparison")``.
  Without that, a re-entrant change could remove the very node being
  evicted, insert an equal key twice (a dict reuses a slot its lookup has
  already passed), or - ``dict.clear()`` inside ``dict.setdefault`` -
  leave a key the dict can no longer find (CPython 3.11-3.13).  Re-entrant
  reads and promotions are allowed.  Plain lookups and ``pop``/``del`` by
  a caller's key are not guarded: the dict restarts a lookup that a
  comparison mutated and only returns nodes it still holds.
* References that a method drops (replaced values, removed or evicted nodes
  and with them their keys and values) are kept in locals until the method
  returns, after the lock is released, so a ``__del__`` that re-enters the
  cache finds it consistent and unlocked.  ``on_evict`` callbacks also run
  after the lock is released, in eviction order; every one runs and the first
  exception is re-raised after the last.

The hot paths (``get``, ``__getitem__``, ``put``/``__setitem__``,
``__contains__``, ``peek``) are written out in full instead of calling the
small helpers (``_unlink``, ``_forget``, ``_shrink``), because a Python
function call costs as much as the whole promotion.  The lock is taken with
``acquire()``/``release()`` rather than ``with``: on CPython 3.10-3.13 the
``with`` statement on an ``RLock`` costs about twice as much.
"""

from __future__ import annotations

import operator
import sys
import threading
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
        "_hits",
        "_lock",
        "_map",
        "_max_weight",
        "_misses",
        "_on_evict",
        "_root",
        "_version",
        "_weigher",
        "_weight",
    )

    _lock: threading.RLock
    _map: dict[Any, _Node]  # key -> node
    _root: _Node  # sentinel of the recency list
    _capacity: int
    _on_evict: Callable[..., object] | None
    _max_weight: int | None  # None: unweighted, nodes carry no weight
    _weigher: Callable[[Any], object] | None
    _weight: int
    _hits: int
    _misses: int
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
        self._map = {}
        root: _Node = [None, None, None, None] if max_weight is None else [None] * 5
        root[_PREV] = root[_NEXT] = root
        self._root = root
        self._capacity = capacity
        self._on_evict = on_evict
        self._max_weight = max_weight
        self._weigher = weigher
        self._weight = 0
        self._hits = self._misses = self._evictions = 0
        self._version = 0
        self._busy = False

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
        lock = self._lock
        lock.acquire()
        try:
            node = self._map.get(key)
            if node is None:
                self._misses += 1
                return default
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
            lock.release()

    def __getitem__(self, key: _K) -> _V:
        """``c[key]``: like ``get``, but a miss raises ``KeyError``."""
        lock = self._lock
        lock.acquire()
        try:
            node = self._map.get(key)
            if node is None:
                self._misses += 1
                raise KeyError(key)
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
            lock.release()

    @overload
    def peek(self, key: _K, default: None = None) -> _V | None: ...
    @overload
    def peek(self, key: _K, default: _V | _T) -> _V | _T: ...
    def peek(self, key: _K, default: object = None) -> object:
        """The value for ``key`` without promoting it or counting; ``default`` if absent."""
        lock = self._lock
        lock.acquire()
        try:
            node = self._map.get(key)
            if node is None:
                return default
            return node[_VALUE]
        finally:
            lock.release()

    def __contains__(self, key: object) -> bool:
        lock = self._lock
        lock.acquire()
        try:
            return key in self._map
        finally:
            lock.release()

    def __len__(self) -> int:
        lock = self._lock
        lock.acquire()
        try:
            return len(self._map)
        finally:
            lock.release()

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
        lock = self._lock
        lock.acquire()
        try:
            table = self._map
            root = self._root
            node = table.get(key)
            if node is not None:  # replace the value, promote
                old_value = node[_VALUE]  # dropped once the lock is released
                node[_VALUE] = value
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
            if self._busy:
                raise _changed_during_comparison(self)
            lru: _Node | None = None  # the entry evicted to make room
            extra: list[_Node] | None = None  # further evictions (rare)
            fresh = [root, root, key, value]
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
                        self._version += 1
                        self._evictions += 1
                        if len(table) > self._capacity:  # lowered during table.get
                            if extra is None:
                                extra = []
                            self._shrink(extra)
                else:  # a nondeterministic __eq__ found an equal key after all
                    old_value = node[_VALUE]  # noqa: F841 -- dropped once the lock is released
                    node[_VALUE] = value
                    self._promote(node)
            finally:
                self._busy = False
        finally:
            lock.release()
        if lru is not None and self._on_evict is not None:
            self._notify([lru] if extra is None else [lru, *extra])

    __setitem__ = put

    def _put_weighted(self, key: _K, value: _V) -> None:
        evicted: list[_Node] = []
        lock = self._lock
        lock.acquire()
        try:
            # User code in the order design.md fixes: hash, weigher, __eq__.
            hash(key)
            weight = self._weigh(value)
            old_value = self._store(key, value, weight, evicted)  # noqa: F841
        finally:
            lock.release()
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
        lock = self._lock
        lock.acquire()
        try:
            node = self._map.get(key)
            if node is not None:  # like dict: a present key's default is never weighed
                self._promote(node)
                return node[_VALUE]
            weight = None if self._max_weight is None else self._weigh(default)
            result = self._store(key, default, weight, evicted, replace=False)
        finally:
            lock.release()
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
        """Store ``value`` (``replace``) or keep the present one; the lock is held.

        Evicted nodes are appended to ``evicted``.  Returns the replaced
        value when ``replace`` (the caller keeps it alive until the lock is
        released), else the value now stored under ``key``.
        """
        table = self._map
        root = self._root
        node = table.get(key)
        if node is None:
            if self._busy:
                raise _changed_during_comparison(self)
            fresh = [root, root, key, value] if weight is None else [root, root, key, value, weight]
            self._busy = True
            try:
                node = table.setdefault(key, fresh)
            finally:
                self._busy = False
            if node is fresh:
                last = root[_PREV]
                fresh[_PREV] = last
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
        lock = self._lock
        lock.acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            # The dict only returns a node it still holds, so it is linked.
            node = self._map.pop(key, None)
            if node is None:
                raise KeyError(key)
            self._unlink(node)
        finally:
            lock.release()

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
        lock = self._lock
        lock.acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            node = self._map.pop(key, None)
            if node is not None:
                self._unlink(node)
        finally:
            lock.release()
        if node is None:
            if default is _MISSING:
                raise KeyError(key)
            return default
        return node[_VALUE]

    def popitem(self) -> tuple[_K, _V]:
        """Remove and return the least recent ``(key, value)``; ``KeyError`` when empty."""
        lock = self._lock
        lock.acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            lru = self._root[_NEXT]
            if lru is self._root:
                raise KeyError("popitem(): cache is empty")
            self._busy = True
            try:
                found = self._map.pop(lru[_KEY], None)
                if found is not lru:
                    self._forget(lru, found, None)
            finally:
                self._busy = False
            self._unlink(lru)
        finally:
            lock.release()
        return (lru[_KEY], lru[_VALUE])

    def clear(self) -> None:
        """Remove every entry (no callbacks; the stats are kept)."""
        lock = self._lock
        lock.acquire()
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
            lock.release()
        del nodes

    # ------------------------------------------------------------------
    # Helpers for the cold paths; the lock is held by the caller.

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
        """Run ``on_evict`` for each evicted node, in order, without the lock.

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
        lock = self._lock
        lock.acquire()
        try:
            start = self._root[_NEXT]
            remaining = len(self._map)
            version = self._version
        finally:
            lock.release()
        return self._steps(kind, start, remaining, version)

    def _steps(self, kind: int, cursor: _Node, remaining: int, version: int) -> Iterator[Any]:
        """Yield from ``cursor`` on, taking the lock for each step, not across yields.

        Inserts and removals bump ``_version`` and make the next step raise.
        Promotions do not; they may move entries behind the cursor, so at most
        ``remaining`` items (the size at the start) are yielded.
        """
        lock = self._lock
        root = self._root
        while True:
            lock.acquire()
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
                lock.release()
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
        lock = self._lock
        lock.acquire()
        try:
            root = self._root
            nodes = []
            node = root[_NEXT]
            while node is not root:
                nodes.append(node[_KEY:])
                node = node[_NEXT]
            return nodes
        finally:
            lock.release()

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
        lock = self._lock
        lock.acquire()
        try:
            if self._busy:
                raise _changed_during_comparison(self)
            self._capacity = capacity
            if max_weight is not None:
                self._max_weight = max_weight
            self._shrink(evicted)
        finally:
            lock.release()
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
        lock = self._lock
        lock.acquire()
        try:
            return CacheStats(
                self._hits,
                self._misses,
                self._evictions,
                len(self._map),
                self._capacity,
                self.weight,
                self._max_weight,
            )
        finally:
            lock.release()

    def clear_stats(self) -> None:
        """Zero the hit, miss and eviction counters."""
        lock = self._lock
        lock.acquire()
        try:
            self._hits = self._misses = self._evictions = 0
        finally:
            lock.release()

    # ------------------------------------------------------------------
    # Python protocols

    def __repr__(self) -> str:
        lock = self._lock
        lock.acquire()
        try:
            text = f"{type(self).__name__}(size={len(self._map)}, capacity={self._capacity}"
            if self._max_weight is not None:
                text += f", weight={self._weight}, max_weight={self._max_weight}"
            return text + ")"
        finally:
            lock.release()

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
        lock = self._lock
        lock.acquire()
        try:
            # Every node is a list as long as the root, with its gc header.
            per_node = sys.getsizeof(self._root)
            return (
                object.__sizeof__(self) + sys.getsizeof(self._map) + per_node * (len(self._map) + 1)
            )
        finally:
            lock.release()

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


class SimpleLRUCache(LRUCache[_K, _V]):
    """SimpleLRUCache(capacity, on_evict=None)

    Drop-in for mellea's ``SimpleLRUCache``: ``on_evict(value)`` gets the
    evicted value only, and ``cache`` is a read-only view of the entries.
    Everything else is ``LRUCache``'s.
    """

    __slots__ = ()

    _value_only: ClassVar[bool] = True

    def __init__(self, capacity: int, on_evict: Callable[[Any], object] | None = None) -> None:
        super().__init__(capacity, on_evict)

    @property
    def cache(self) -> CacheView:
        """Read-only mapping view of the entries, least recent first (never promotes)."""
        return CacheView(self)
