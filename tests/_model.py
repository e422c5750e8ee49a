"""The one reference model of an LRU cache, shared by every lockstep test.

An ``OrderedDict`` written the obvious way, with the public API of
``cylru.LRUCache`` (and of ``SimpleLRUCache`` when ``simple=True``: ``on_evict``
gets the value only), so a test runs the same code against the model, the compiled
core and the pure twin.  It is the executable reading of docs/contract.md sections
3 and 4a for benign keys (plain ``__hash__``/``__eq__``); keys whose comparison
runs hostile code have no single right answer to model (section 4 allows
"the right answer or RuntimeError"), so the hostile tests check consistency
instead.

Used by tests/_fuzzer.py (lockstep mode), tests/test_state_machine.py and
tests/test_differential.py.  tests/test_state_machine.py checks a hand-worked trace
of it, so a wrong model cannot make every implementation agree with it.

One choice the contract leaves to the model: when several entries are evicted at
once and more than one ``on_evict`` raises, every callback runs and the first
exception is raised after the last.  The model collects ``Exception`` only.  The
tests' callbacks raise ``Exception`` subclasses, so that is all the model has to
describe; a ``KeyboardInterrupt`` or ``SystemExit`` (a Ctrl-C during a long
Hypothesis run, pytest's own exit) must stop the model at once rather than be held
back while it keeps calling callbacks.  (The implementations defer those too; no
test raises them from a callback, so the model makes no claim about them.)
"""

from __future__ import annotations

import operator
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cylru._base import CacheStats

_MISSING: Any = object()


def is_cylru_cache(obj: object) -> bool:
    """True for an ``LRUCache`` (or subclass) of either implementation."""
    for name in ("cylru._lru_c", "cylru._lru_py"):
        module = sys.modules.get(name)
        if module is not None and isinstance(obj, module.LRUCache):
            return True
    return False


def _as_size(value: object, name: str) -> int:
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError(f"{name} must be an int") from None
    if not -sys.maxsize - 1 <= number <= sys.maxsize:
        raise ValueError(f"{name} out of range")
    return number


def _as_callback(value: Any, name: str) -> Any:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None")
    return value


def _as_max_weight(value: object) -> int:
    if value is None:
        raise TypeError("max_weight must be an int on a weighted cache")
    number = _as_size(value, "max_weight")
    if number < 0:
        raise ValueError("max_weight must be >= 0")
    return number


class Model:
    """An LRU cache on OrderedDict: the obvious reading of the contract."""

    def __init__(
        self,
        capacity: int,
        on_evict: Callable[..., object] | None = None,
        *,
        max_weight: int | None = None,
        weigher: Callable[[Any], object] | None = None,
        simple: bool = False,
    ) -> None:
        # key -> (value, weight).  OrderedDict keeps the first key object when an
        # equal key replaces the value, as the contract asks of the caches.
        self.od: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self._capacity = _as_size(capacity, "capacity")
        self._on_evict = _as_callback(on_evict, "on_evict")
        self._max_weight = None if max_weight is None else _as_max_weight(max_weight)
        self._weigher = _as_callback(weigher, "weigher")
        self.simple = simple
        self.hits = self.misses = self.evictions = 0

    # ------------------------------------------------------------------
    # Helpers

    @property
    def weight(self) -> int | None:
        if self._max_weight is None:
            return None
        return sum(w for _, w in self.od.values())

    def _weigh(self, value: Any) -> int:
        if self._max_weight is None:
            return 0
        if self.weigher is None:
            w = 1
        else:
            result = self.weigher(value)
            try:
                w = operator.index(result)
            except TypeError:
                raise TypeError("weigher must return an int") from None
            if w < 0:
                raise ValueError("weigher returned a negative weight")
        if w > self._max_weight:
            raise ValueError("value heavier than max_weight")
        return w

    def _evict_oldest(self, evicted: list[tuple[Any, Any]]) -> None:
        key, (value, _) = self.od.popitem(last=False)
        self.evictions += 1
        evicted.append((key, value))

    def _shrink(self, evicted: list[tuple[Any, Any]]) -> None:
        while len(self.od) > max(self._capacity, 0):
            self._evict_oldest(evicted)
        if self._max_weight is not None:
            while self.weight > self._max_weight:  # type: ignore[operator]
                self._evict_oldest(evicted)

    def _notify(self, evicted: list[tuple[Any, Any]]) -> None:
        """Every callback runs; the first exception is raised after the last one."""
        if self.on_evict is None:
            return
        first: Exception | None = None
        for key, value in evicted:
            try:
                if self.simple:
                    self.on_evict(value)
                else:
                    self.on_evict(key, value)
            except Exception as exc:
                if first is None:
                    first = exc
        if first is not None:
            raise first

    def _fit_bounds(self) -> None:
        """After a bound was lowered: evict the least recent entries, then call back."""
        evicted: list[tuple[Any, Any]] = []
        self._shrink(evicted)
        self._notify(evicted)

    def _store(self, key: Any, value: Any, replace: bool = True) -> Any:
        """``put`` (replace) or the insert half of ``setdefault``; returns the value kept."""
        if self._capacity <= 0:
            return value  # not even hashed
        hash(key)
        weight = self._weigh(value)
        evicted: list[tuple[Any, Any]] = []
        kept = value
        if key in self.od:
            if replace:
                self.od[key] = (value, weight)
            else:
                kept = self.od[key][0]
            self.od.move_to_end(key)
        else:
            if len(self.od) >= self._capacity:
                self._evict_oldest(evicted)
            self.od[key] = (value, weight)
        self._shrink(evicted)
        self._notify(evicted)
        return kept

    # ------------------------------------------------------------------
    # mellea's interface and the mapping protocol

    def put(self, key: Any, value: Any) -> None:
        self._store(key, value)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._store(key, value)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self.od:
            self.hits += 1
            self.od.move_to_end(key)
            return self.od[key][0]
        self.misses += 1
        return default

    def __getitem__(self, key: Any) -> Any:
        value = self.get(key, _MISSING)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def current_size(self) -> int:
        return len(self.od)

    def peek(self, key: Any, default: Any = None) -> Any:
        return self.od[key][0] if key in self.od else default

    def __contains__(self, key: Any) -> bool:
        return key in self.od

    def __len__(self) -> int:
        return len(self.od)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self.od))

    def __reversed__(self) -> Iterator[Any]:
        return iter(list(reversed(self.od)))

    def keys(self) -> list[Any]:
        return list(self.od)

    def values(self) -> list[Any]:
        return [v for v, _ in self.od.values()]

    def items(self) -> list[tuple[Any, Any]]:
        return [(k, v) for k, (v, _) in self.od.items()]

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        if key in self.od:
            return self.od.pop(key)[0]
        if default is _MISSING:
            raise KeyError(key)
        return default

    def __delitem__(self, key: Any) -> None:
        del self.od[key]

    def popitem(self) -> tuple[Any, Any]:
        if not self.od:
            raise KeyError("popitem(): cache is empty")
        key, (value, _) = self.od.popitem(last=False)
        return key, value

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if self._capacity <= 0:
            return default
        if key in self.od:
            self.od.move_to_end(key)
            return self.od[key][0]
        return self._store(key, default, replace=False)

    def update(self, other: Any = (), /, **kwargs: Any) -> None:
        """dict.update's reading: another cache least recent first (read without
        promoting), else ``keys()`` plus ``[]``, else pairs; then ``kwargs``.
        Stops at the first exception."""
        if isinstance(other, Model) or is_cylru_cache(other):
            for key, value in list(other.items()):
                self._store(key, value)
        elif hasattr(other, "keys"):
            for key in other.keys():  # noqa: SIM118 -- dict.update calls keys()
                self._store(key, other[key])
        else:
            for key, value in other:
                self._store(key, value)
        for key, value in kwargs.items():
            self._store(key, value)

    def clear(self) -> None:
        self.od.clear()

    def copy(self) -> Model:
        new = Model(
            self._capacity,
            self.on_evict,
            max_weight=self._max_weight,
            weigher=self.weigher,
            simple=self.simple,
        )
        new.od = OrderedDict(self.od)
        return new

    def __eq__(self, other: object) -> bool:
        """Like dict: order-insensitive, nothing promoted or counted on either side."""
        if isinstance(other, Model) or is_cylru_cache(other) or isinstance(other, Mapping):
            return dict(self.items()) == dict(other.items())  # type: ignore[attr-defined]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # ------------------------------------------------------------------
    # Settings and statistics

    @property
    def on_evict(self) -> Callable[..., object] | None:
        return self._on_evict

    @on_evict.setter
    def on_evict(self, value: Callable[..., object] | None) -> None:
        self._on_evict = _as_callback(value, "on_evict")

    @property
    def weigher(self) -> Callable[[Any], object] | None:
        """Read-only, as in the caches."""
        return self._weigher

    @property
    def capacity(self) -> int:
        return self._capacity

    @capacity.setter
    def capacity(self, value: int) -> None:
        self._capacity = _as_size(value, "capacity")
        self._fit_bounds()

    @property
    def max_weight(self) -> int | None:
        return self._max_weight

    @max_weight.setter
    def max_weight(self, value: int) -> None:
        if self._max_weight is None:
            raise ValueError("max_weight can only be changed on a weighted cache")
        self._max_weight = _as_max_weight(value)
        self._fit_bounds()

    @property
    def cache(self) -> ModelView:
        """``SimpleLRUCache.cache``; an ``LRUCache`` has no such attribute."""
        if not self.simple:
            raise AttributeError("cache")
        return ModelView(self)

    def stats(self) -> CacheStats:
        return CacheStats(
            self.hits,
            self.misses,
            self.evictions,
            len(self.od),
            self._capacity,
            self.weight,
            self._max_weight,
        )

    def clear_stats(self) -> None:
        self.hits = self.misses = self.evictions = 0


class ModelView:
    """``SimpleLRUCache.cache`` on the model: mellea's ``OrderedDict`` operations.

    docs/contract.md section 2: reading never promotes or counts; ``pop``,
    ``popitem(last=True)``, ``del``, ``clear`` and ``move_to_end`` act without
    ``on_evict``; ``view[k] = v`` stores like ``put``.
    """

    def __init__(self, model: Model) -> None:
        self.model = model
        self.od = model.od

    def __getitem__(self, key: Any) -> Any:
        if key in self.od:
            return self.od[key][0]
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        return self.model.peek(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        self.model.put(key, value)

    def __delitem__(self, key: Any) -> None:
        del self.od[key]

    def __contains__(self, key: Any) -> bool:
        return key in self.od

    def __len__(self) -> int:
        return len(self.od)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.model.keys())

    def __reversed__(self) -> Iterator[Any]:
        return reversed(self.model)

    def keys(self) -> list[Any]:
        return self.model.keys()

    def values(self) -> list[Any]:
        return self.model.values()

    def items(self) -> list[tuple[Any, Any]]:
        return self.model.items()

    def pop(self, key: Any, default: Any = _MISSING) -> Any:
        return self.model.pop(key, default)

    def popitem(self, last: bool = True) -> tuple[Any, Any]:
        if not self.od:
            raise KeyError("popitem(): cache is empty")
        key, (value, _) = self.od.popitem(last=bool(last))
        return key, value

    def clear(self) -> None:
        self.od.clear()

    def move_to_end(self, key: Any, last: bool = True) -> None:
        self.od.move_to_end(key, last=bool(last))

    def copy(self) -> OrderedDict[Any, Any]:
        return OrderedDict(self.items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (ModelView, Mapping)):
            return dict(self.items()) == dict(other.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]
