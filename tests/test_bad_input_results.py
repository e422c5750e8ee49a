"""Bad arguments and bad weigher results: the message names the argument, nothing changes.

Complements tests/test_bad_input.py (constructor and attribute types) with what it
leaves out: every weigher result that is refused (negative, non-int, huge, raising)
through every storing method, with the full state compared before and after; the
``__index__`` protocol for sizes; and the messages the README's "Bad input" table quotes.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest
from _support import Recorder, assert_consistent


class Boom(Exception):
    pass


class Index:
    """An int-like object with ``__index__`` only."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        name = getattr(self.value, "__name__", None)
        return f"Index({name or self.value!r})"

    def __index__(self) -> Any:
        if isinstance(self.value, type) and issubclass(self.value, BaseException):
            raise self.value("index")  # a fresh exception each time (no growing traceback)
        return self.value


def state(c: Any) -> tuple[Any, ...]:
    return (list(c.items()), c.capacity, c.max_weight, c.weight, tuple(c.stats()))


def _raising_weigher(v: Any) -> int:
    if v == "boom":
        raise Boom("weigher failed")
    return 1


# (value stored, exception, message pattern) for weigher=lambda v: v when v is not a str
BAD_WEIGHTS: list[tuple[Any, type[Exception], str]] = [
    (-1, ValueError, r"weigher returned a negative weight \(-1\)"),
    (-(2**100), ValueError, "weigher returned a negative weight"),
    (1.0, TypeError, "weigher must return an int, not 'float'"),
    ("3", TypeError, "weigher must return an int, not 'str'"),
    (None, TypeError, "weigher must return an int, not 'NoneType'"),
    ([1], TypeError, "weigher must return an int, not 'list'"),
    (11, ValueError, r"value weighs 11, more than max_weight=10"),
    (sys.maxsize + 1, ValueError, "more than max_weight=10"),
    (2**100, ValueError, "more than max_weight=10"),
]


def _identity_weigher(v: Any) -> Any:
    return v[1] if isinstance(v, tuple) else 1


@pytest.mark.parametrize(("bad", "exc", "message"), BAD_WEIGHTS, ids=repr)
def test_bad_weigher_result_changes_nothing(
    impl: ModuleType, bad: Any, exc: type[Exception], message: str
) -> None:
    rec = Recorder()
    c = impl.LRUCache(2, rec, max_weight=10, weigher=_identity_weigher)
    c["a"] = ("ok", 4)
    c["b"] = ("ok", 5)
    c.get("a")
    before = state(c)
    value = ("bad", bad)
    attempts = [
        lambda: c.__setitem__("new", value),  # new key into a full cache: would evict
        lambda: c.put("a", value),  # existing key: the old value must stay
        lambda: c.setdefault("new", value),
        lambda: c.update([("new", value)]),
        lambda: c.update({"b": value}),
        lambda: c.update(new=value),
    ]
    for attempt in attempts:
        with pytest.raises(exc, match=message):
            attempt()
        assert state(c) == before
    assert rec.calls == []
    assert_consistent(c)


@pytest.mark.parametrize("value", [True, Index(3)], ids=repr)
def test_weigher_result_by_index_is_accepted(impl: ModuleType, value: Any) -> None:
    c = impl.LRUCache(2, max_weight=10, weigher=lambda v: v)
    c["a"] = value
    assert c.weight == int(value.__index__())


def test_raising_weigher_propagates_and_changes_nothing(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(1, rec, max_weight=10, weigher=_raising_weigher)
    c["a"] = "fine"
    before = state(c)
    for attempt in (
        lambda: c.__setitem__("b", "boom"),
        lambda: c.put("a", "boom"),
        lambda: c.setdefault("b", "boom"),
        lambda: c.update({"b": "boom"}),
    ):
        with pytest.raises(Boom, match="weigher failed"):
            attempt()
        assert state(c) == before
    assert rec.calls == []


def test_weigher_on_a_present_key_via_setdefault_is_not_called(impl: ModuleType) -> None:
    c = impl.LRUCache(2, max_weight=10, weigher=_raising_weigher)
    c["a"] = "fine"
    assert c.setdefault("a", "boom") == "fine"


@pytest.mark.parametrize("cls_name", ["LRUCache", "SimpleLRUCache"])
def test_capacity_accepts_index_and_bool(impl: ModuleType, cls_name: str) -> None:
    cls = getattr(impl, cls_name)
    assert cls(Index(3)).capacity == 3
    assert cls(True).capacity == 1
    c = cls(3)
    c.capacity = Index(5)
    assert c.capacity == 5
    assert type(c.capacity) is int
    c.capacity = -(2**63)  # the smallest C Py_ssize_t: stores nothing, allowed
    assert c.capacity == -(2**63)


@pytest.mark.parametrize(
    ("bad", "exc", "message"),
    [
        (Index("3"), TypeError, "capacity must be an int"),
        (Index(2**70), ValueError, "capacity must be at most sys.maxsize"),
        (-(2**63) - 1, ValueError, "capacity must be at least"),
        (Index(Boom), Boom, "index"),
    ],
    ids=repr,
)
def test_bad_capacity_by_index(
    impl: ModuleType, bad: Any, exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        impl.LRUCache(bad)
    rec = Recorder()
    c = impl.SimpleLRUCache(2, rec)
    c.put("a", 1)
    before = state(c)
    with pytest.raises(exc, match=message):
        c.capacity = bad
    assert state(c) == before
    assert rec.calls == []


@pytest.mark.parametrize(
    ("bad", "exc", "message"),
    [
        ("10", TypeError, "max_weight must be an int, not 'str'"),
        (-1, ValueError, r"max_weight must be >= 0, got -1"),
        (sys.maxsize + 1, ValueError, "max_weight must be at most sys.maxsize"),
        (None, TypeError, "max_weight"),
    ],
    ids=repr,
)
def test_bad_max_weight_assignment_changes_nothing(
    impl: ModuleType, bad: Any, exc: type[Exception], message: str
) -> None:
    rec = Recorder()
    c = impl.LRUCache(3, rec, max_weight=10)
    c["a"] = 1
    c["b"] = 2
    before = state(c)
    with pytest.raises(exc, match=message):
        c.max_weight = bad
    assert state(c) == before
    assert rec.calls == []


def test_max_weight_on_unweighted_cache(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["a"] = 1
    before = state(c)
    with pytest.raises(ValueError, match="max_weight"):
        c.max_weight = 5
    assert state(c) == before


@pytest.mark.parametrize(
    ("kwargs", "exc", "message"),
    [
        ({"on_evict": 5}, TypeError, "on_evict must be callable or None, not 'int'"),
        ({"max_weight": 10, "weigher": "len"}, TypeError, "weigher must be callable or None"),
        ({"weigher": len}, ValueError, "weigher requires max_weight"),
        ({"max_weight": 1.5}, TypeError, "max_weight must be an int, not 'float'"),
    ],
    ids=repr,
)
def test_constructor_messages(
    impl: ModuleType, kwargs: dict[str, Any], exc: type[Exception], message: str
) -> None:
    with pytest.raises(exc, match=message):
        impl.LRUCache(3, **kwargs)


@pytest.mark.parametrize("bad", [5, "f", object()], ids=repr)
def test_on_evict_assignment_message_and_unchanged(impl: ModuleType, bad: Any) -> None:
    rec = Recorder()
    for c in (impl.LRUCache(1, rec), impl.SimpleLRUCache(1, rec)):
        c.put("a", 1)
        before = state(c)
        with pytest.raises(
            TypeError, match=f"on_evict must be callable or None, not '{type(bad).__name__}'"
        ):
            c.on_evict = bad
        assert c.on_evict is rec
        assert state(c) == before


def test_unhashable_key_message(impl: ModuleType) -> None:
    c = impl.LRUCache(2)
    c["a"] = 1
    before = state(c)
    with pytest.raises(TypeError, match="unhashable type: 'list'"):
        c[[1]] = 2
    assert state(c) == before
