"""Weight bounding: max_weight, weigher, too-heavy values, the bound never exceeded."""

from __future__ import annotations

import random
from types import ModuleType

import pytest
from _support import Recorder, assert_consistent

from cylru._base import CacheStats


def weigh_len(value: str) -> int:
    return len(value)


def test_default_weigher_weighs_one(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(100, rec, max_weight=3)
    assert c.weigher is None
    for i in range(5):
        c[i] = i
    assert c.weight == 3
    assert list(c) == [2, 3, 4]
    assert rec.calls == [(0, 0), (1, 1)]


def test_unweighted_cache_has_no_weight(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    c["a"] = "xyz"
    assert c.weight is None
    assert c.max_weight is None
    assert c.weigher is None
    assert c.stats().weight is None
    assert c.stats().max_weight is None


def test_weight_tracks_puts_and_removals(impl: ModuleType) -> None:
    c = impl.LRUCache(100, max_weight=100, weigher=weigh_len)
    assert c.weight == 0
    c["a"] = "xxx"
    c["b"] = "yyyyy"
    assert c.weight == 8
    c["a"] = "x"
    assert c.weight == 6
    del c["a"]
    assert c.weight == 5
    c["c"] = "zz"
    assert c.pop("b") == "yyyyy"
    assert c.weight == 2
    c["d"] = "dddd"
    assert c.popitem() == ("c", "zz")
    assert c.weight == 4
    c.clear()
    assert c.weight == 0
    assert c.stats().weight == 0


def test_evicts_least_recent_until_under_max_weight(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(100, rec, max_weight=10, weigher=weigh_len)
    c["a"] = "aaa"
    c["b"] = "bbb"
    c["c"] = "ccc"
    c.get("a")
    c["d"] = "dddddd"
    # order was b, c, a; 9 + 6 = 15 > 10: evict b (12), c (9)
    assert rec.calls == [("b", "bbb"), ("c", "ccc")]
    assert list(c) == ["a", "d"]
    assert c.weight == 9
    assert c.stats().evictions == 2


def test_never_evicts_the_entry_just_stored(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(100, rec, max_weight=10, weigher=weigh_len)
    c["a"] = "aaaa"
    c["b"] = "bbbb"
    c["c"] = "c" * 10
    assert list(c) == ["c"]
    assert c.weight == 10
    assert rec.calls == [("a", "aaaa"), ("b", "bbbb")]


def test_replacing_with_a_heavier_value_evicts_others(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(100, rec, max_weight=10, weigher=weigh_len)
    c["a"] = "a"
    c["b"] = "bb"
    c["c"] = "ccc"
    c["a"] = "a" * 8
    # 6 - 1 + 8 = 13: evict b (11), then c (8); never a, just stored
    assert rec.calls == [("b", "bb"), ("c", "ccc")]
    assert list(c.items()) == [("a", "a" * 8)]
    assert c.weight == 8


def test_capacity_and_weight_both_bound(impl: ModuleType) -> None:
    rec = Recorder()
    c = impl.LRUCache(2, rec, max_weight=10, weigher=weigh_len)
    c["a"] = "a"
    c["b"] = "b"
    c["c"] = "c"
    assert rec.calls == [("a", "a")]
    c["d"] = "d" * 10
    # capacity first (b), then weight (c)
    assert rec.calls == [("a", "a"), ("b", "b"), ("c", "c")]
    assert list(c) == ["d"]


class TestTooHeavy:
    def test_new_key_raises_and_changes_nothing(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.LRUCache(10, rec, max_weight=5, weigher=weigh_len)
        c["a"] = "aa"
        c["b"] = "bb"
        c.get("a")
        before = c.stats()
        with pytest.raises(ValueError, match="weigh"):
            c["x"] = "x" * 6
        with pytest.raises(ValueError, match="weigh"):
            c.put("y", "y" * 100)
        assert list(c.items()) == [("b", "bb"), ("a", "aa")]
        assert c.weight == 4
        assert rec.calls == []
        assert c.stats() == before

    def test_existing_key_keeps_old_value(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=5, weigher=weigh_len)
        c["a"] = "aa"
        c["b"] = "bb"
        with pytest.raises(ValueError):
            c["a"] = "a" * 6
        assert list(c.items()) == [("a", "aa"), ("b", "bb")]
        assert c.weight == 4

    def test_setdefault_and_update(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=5, weigher=weigh_len)
        with pytest.raises(ValueError):
            c.setdefault("a", "a" * 6)
        assert "a" not in c
        with pytest.raises(ValueError):
            c.update([("b", "b"), ("c", "c" * 6), ("d", "d")])
        assert list(c.items()) == [("b", "b")]

    def test_max_weight_zero_allows_only_weightless_values(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=0, weigher=weigh_len)
        c["a"] = ""
        c["b"] = ""
        with pytest.raises(ValueError):
            c["c"] = "c"
        assert list(c) == ["a", "b"]
        assert c.weight == 0

    def test_capacity_zero_does_not_weigh(self, impl: ModuleType) -> None:
        calls = []

        def weigher(value: str) -> int:
            calls.append(value)
            return 10**6

        c = impl.LRUCache(0, max_weight=1, weigher=weigher)
        c["a"] = "x"
        assert calls == []
        assert len(c) == 0


class TestMaxWeightAttribute:
    def test_lowering_evicts_at_once(self, impl: ModuleType) -> None:
        rec = Recorder()
        c = impl.LRUCache(10, rec, max_weight=10, weigher=weigh_len)
        for key in "abcd":
            c[key] = key * 2
        c.max_weight = 3
        assert c.max_weight == 3
        assert rec.calls == [("a", "aa"), ("b", "bb"), ("c", "cc")]
        assert list(c) == ["d"]
        assert c.weight == 2
        assert c.stats().evictions == 3
        assert c.stats().max_weight == 3

    def test_raising_keeps_entries(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=4, weigher=weigh_len)
        c["a"] = "aaaa"
        c.max_weight = 100
        c["b"] = "b" * 50
        assert list(c) == ["a", "b"]

    def test_cannot_set_on_unweighted_cache(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10)
        c["a"] = 1
        with pytest.raises(ValueError, match="max_weight"):
            c.max_weight = 5
        assert c.max_weight is None
        assert c.weight is None
        assert list(c) == ["a"]

    @pytest.mark.parametrize(
        ("bad", "exc"), [("5", TypeError), (1.5, TypeError), (None, TypeError), (-1, ValueError)]
    )
    def test_bad_values(self, impl: ModuleType, bad: object, exc: type[Exception]) -> None:
        c = impl.LRUCache(10, max_weight=10, weigher=weigh_len)
        c["a"] = "aaa"
        with pytest.raises(exc, match="max_weight"):
            c.max_weight = bad
        assert c.max_weight == 10
        assert list(c) == ["a"]

    def test_weigher_is_read_only(self, impl: ModuleType) -> None:
        c = impl.LRUCache(10, max_weight=10, weigher=weigh_len)
        with pytest.raises(AttributeError):
            c.weigher = len
        assert c.weigher is weigh_len


def test_weight_is_stored_not_recomputed(impl: ModuleType) -> None:
    # A value's weight is taken once, at put time; a value that changes later
    # must not corrupt the running total.
    class Box:
        def __init__(self, size: int) -> None:
            self.size = size

    c = impl.LRUCache(10, max_weight=100, weigher=lambda box: box.size)
    boxes = [Box(10) for _ in range(5)]
    for i, box in enumerate(boxes):
        c[i] = box
    assert c.weight == 50
    for box in boxes:
        box.size = 1000
    del c[0]
    c.pop(1)
    c.popitem()
    assert c.weight == 20
    c.max_weight = 10
    assert c.weight == 10
    c.clear()
    assert c.weight == 0


@pytest.mark.parametrize("seed", range(5))
def test_byte_bound_never_exceeded(impl: ModuleType, seed: int) -> None:
    rng = random.Random(seed)
    rec = Recorder()
    max_weight = 1000
    c = impl.LRUCache(50, rec, max_weight=max_weight, weigher=len)
    for _ in range(2000):
        key = rng.randrange(80)
        op = rng.random()
        if op < 0.7:
            value = b"x" * rng.randrange(0, 300)
            c[key] = value
            assert c[key] is value
        elif op < 0.8:
            c.pop(key, None)
        elif op < 0.9:
            c.get(key)
        else:
            c.max_weight = rng.randrange(300, 1500)
        assert c.weight <= c.max_weight
        assert c.weight == sum(len(v) for v in c.values())
        assert len(c) <= 50
    assert_consistent(c)
    assert c.stats().evictions == len(rec.calls)


def test_stats_show_weight(impl: ModuleType) -> None:
    c = impl.LRUCache(5, max_weight=50, weigher=weigh_len)
    c["a"] = "abc"
    assert c.stats() == CacheStats(0, 0, 0, 1, 5, 3, 50)


def test_simple_cache_has_the_weight_api(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(3)
    c.put("a", "abc")
    assert c.weight is None
    assert c.max_weight is None
    assert c.weigher is None


def test_default_weigher_respects_max_weight_zero(impl: ModuleType) -> None:
    # each value weighs 1 without a weigher; max_weight=0 therefore admits nothing
    rec = Recorder()
    c = impl.LRUCache(3, rec, max_weight=0)
    with pytest.raises(ValueError, match="max_weight"):
        c["a"] = "x"
    with pytest.raises(ValueError, match="max_weight"):
        c.setdefault("b", "y")
    assert len(c) == 0
    assert c.weight == 0
    assert rec.calls == []


def test_setdefault_on_present_key_does_not_weigh_the_default(impl: ModuleType) -> None:
    # like dict.setdefault: a present key's default is never stored, so it is
    # never weighed (a weigher may not even accept it, e.g. len(None))
    calls = []

    def weigher(value: object) -> int:
        calls.append(value)
        return len(value)  # type: ignore[arg-type]

    c = impl.LRUCache(5, max_weight=3, weigher=weigher)
    c["k"] = "ab"
    calls.clear()
    assert c.setdefault("k") == "ab"
    assert c.setdefault("k", "far too heavy") == "ab"
    assert calls == []
    assert c.weight == 2
