"""Both implementations and the reference model (tests/_model.py), in lockstep by Hypothesis.

Every step runs the same operation on the model, the compiled core and the pure
twin, then compares return values (by repr, so ``1`` and ``1.0`` differ),
exception types, contents in order (keys by type too: an existing entry keeps its
original key object), stats, weight and the on_evict call logs.
"""

from __future__ import annotations

import importlib
from typing import Any

import hypothesis.strategies as st
import pytest
from _model import Model
from _support import Collider
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cylru._base import CacheStats

pytestmark = pytest.mark.no_refcount_check

# Keys that are equal across types (1, 1.0, True), that collide in CPython's int
# hash (-1 and -2 both hash to -2), and that all collide (Collider, hash 5).
KEYS = [0, 1, 2, 3, 4, 1.0, True, -1, -2, "a", "b", (1, 2), *(Collider(i, 5) for i in range(4))]
MISSING_DEFAULT = "<default>"


class Boom(Exception):
    pass


def raises_for(n: int) -> bool:
    return n % 3 == 0


def tuple_weigher(value: Any) -> int:
    return int(value[1])


def make_callback(log: list[Any], simple: bool, raising: bool) -> Any:
    def number(value: Any) -> int:
        return int(value[0]) if isinstance(value, tuple) else int(value)

    if simple:

        def on_evict_value(value: Any) -> None:
            log.append(repr(value))
            if raising and raises_for(number(value)):
                raise Boom(number(value))

        return on_evict_value

    def on_evict(key: Any, value: Any) -> None:
        log.append((repr(key), repr(value)))
        if raising and raises_for(number(value)):
            raise Boom(number(value))

    return on_evict


def outcome(fn: Any, target: Any) -> tuple[str, Any]:
    try:
        result = fn(target)
    except Boom as exc:
        return ("raise", ("Boom", exc.args))
    except Exception as exc:
        return ("raise", type(exc).__name__)
    return ("ok", repr(result))


def make_machine(modules: list[Any]) -> type[RuleBasedStateMachine]:
    class Lockstep(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.targets: list[Any] = []
            self.logs: list[list[Any]] = []
            self.counter = 0
            self.weighted = False

        @initialize(
            kind=st.sampled_from(["plain", "weighted", "weighted_default", "simple"]),
            capacity=st.integers(-1, 6),
            max_weight=st.integers(0, 12),
            raising=st.booleans(),
        )
        def setup(self, kind: str, capacity: int, max_weight: int, raising: bool) -> None:
            simple = kind == "simple"
            self.weighted = kind.startswith("weighted")
            weigher = tuple_weigher if kind == "weighted" else None
            mw = max_weight if self.weighted else None
            for i in range(len(modules) + 1):
                log: list[Any] = []
                cb = make_callback(log, simple, raising)
                self.logs.append(log)
                if i == 0:
                    target = Model(capacity, cb, max_weight=mw, weigher=weigher, simple=simple)
                elif simple:
                    target = modules[i - 1].SimpleLRUCache(capacity, cb)
                elif self.weighted:
                    target = modules[i - 1].LRUCache(capacity, cb, max_weight=mw, weigher=weigher)
                else:
                    target = modules[i - 1].LRUCache(capacity, cb)
                self.targets.append(target)

        def run(self, fn: Any) -> Any:
            results = [outcome(fn, t) for t in self.targets]
            for module, result in zip(modules, results[1:], strict=True):
                assert result == results[0], f"{module.__name__}: {result} != model {results[0]}"
            return results[0]

        def new_value(self, weight: int) -> Any:
            self.counter += 1
            return (self.counter, weight) if self.weighted else self.counter

        # -- rules
        @rule(
            key=st.sampled_from(KEYS), weight=st.integers(0, 7), how=st.sampled_from(["put", "set"])
        )
        def put(self, key: Any, weight: int, how: str) -> None:
            value = self.new_value(weight)
            if how == "put":
                self.run(lambda c: c.put(key, value))
            else:
                self.run(lambda c: c.__setitem__(key, value))

        @rule(key=st.sampled_from(KEYS), with_default=st.booleans())
        def get(self, key: Any, with_default: bool) -> None:
            if with_default:
                self.run(lambda c: c.get(key, default=MISSING_DEFAULT))
            else:
                self.run(lambda c: c.get(key))

        @rule(key=st.sampled_from(KEYS))
        def getitem(self, key: Any) -> None:
            self.run(lambda c: c[key])

        @rule(key=st.sampled_from(KEYS))
        def peek(self, key: Any) -> None:
            self.run(lambda c: c.peek(key, MISSING_DEFAULT))

        @rule(key=st.sampled_from(KEYS))
        def contains(self, key: Any) -> None:
            self.run(lambda c: key in c)

        @rule(key=st.sampled_from(KEYS), with_default=st.booleans())
        def pop(self, key: Any, with_default: bool) -> None:
            if with_default:
                self.run(lambda c: c.pop(key, MISSING_DEFAULT))
            else:
                self.run(lambda c: c.pop(key))

        @rule()
        def popitem(self) -> None:
            self.run(lambda c: c.popitem())

        @rule(key=st.sampled_from(KEYS))
        def delitem(self, key: Any) -> None:
            self.run(lambda c: c.__delitem__(key))

        @rule(key=st.sampled_from(KEYS), weight=st.integers(0, 7))
        def setdefault(self, key: Any, weight: int) -> None:
            value = self.new_value(weight)
            self.run(lambda c: c.setdefault(key, value))

        @rule(keys=st.lists(st.sampled_from(KEYS), max_size=4), weight=st.integers(0, 7))
        def update(self, keys: list[Any], weight: int) -> None:
            pairs = [(key, self.new_value(weight)) for key in keys]
            self.run(lambda c: c.update(pairs))

        @rule(capacity=st.integers(-1, 7))
        def set_capacity(self, capacity: int) -> None:
            def assign(c: Any) -> int:
                c.capacity = capacity
                return c.capacity

            self.run(assign)

        @rule(max_weight=st.integers(0, 14))
        def set_max_weight(self, max_weight: int) -> None:
            def assign(c: Any) -> Any:
                c.max_weight = max_weight
                return c.max_weight

            self.run(assign)

        @rule()
        def clear(self) -> None:
            self.run(lambda c: c.clear())

        @rule()
        def clear_stats(self) -> None:
            self.run(lambda c: c.clear_stats())

        @precondition(lambda self: bool(self.targets))
        @rule()
        def copy(self) -> None:
            self.targets = [t.copy() for t in self.targets]

        # -- invariants
        @invariant()
        def same_contents_and_order(self) -> None:
            if not self.targets:
                return
            model = [(repr(k), type(k), repr(v)) for k, v in self.targets[0].items()]
            for module, c in zip(modules, self.targets[1:], strict=True):
                got = [(repr(k), type(k), repr(v)) for k, v in c.items()]
                assert got == model, module.__name__
                assert [repr(k) for k in c] == [m[0] for m in model], module.__name__
                assert len(c) == len(model), module.__name__

        @invariant()
        def same_stats(self) -> None:
            if not self.targets:
                return
            expected = self.targets[0].stats()
            for module, c in zip(modules, self.targets[1:], strict=True):
                assert c.stats() == expected, module.__name__
                assert c.weight == expected.weight, module.__name__

        @invariant()
        def same_callbacks(self) -> None:
            for module, log in zip(modules, self.logs[1:], strict=True):
                assert log == self.logs[0], module.__name__

    return Lockstep


@pytest.mark.needs_core
def test_lockstep_with_model() -> None:
    modules = [importlib.import_module("cylru._lru_c"), importlib.import_module("cylru._lru_py")]
    run_state_machine_as_test(
        make_machine(modules),
        # No deadline or speed health check: CI machines are shared and noisy, and
        # a slow step is not a wrong one.
        settings=settings(
            max_examples=150,
            stateful_step_count=50,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


def test_model_agrees_with_itself_on_a_known_trace() -> None:
    # Guards the model: a hand-checked trace (if the model were wrong, the
    # lockstep test would compare the implementations to the wrong thing).
    log: list[Any] = []
    m = Model(2, lambda k, v: log.append(k))
    m.put(1, "a")
    m.put(2, "b")
    m.get(1)
    m.put(3, "c")
    m.put(1.0, "A")
    assert log == [2]
    assert [(type(k), k, v) for k, v in m.items()] == [(int, 3, "c"), (int, 1, "A")]
    assert m.stats() == CacheStats(1, 0, 1, 2, 2, None, None)
