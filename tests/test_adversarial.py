"""Defects found by adversarial review, each as the smallest test that shows it.

A test marked ``xfail(strict=True, reason="core: ...")`` documents a defect of the
compiled core that is not fixed yet; fixing it turns the xfail into a failure, and
the marker is then removed with the fix.
"""

from __future__ import annotations

from collections import OrderedDict
from types import ModuleType

import pytest

# The core's home-slot multiplier (``_mix`` in src/cylru/_lru_c.pyx).  Multiples of
# its inverse modulo 2**64 all mix to the same top 32 bits, so they share one home
# slot although their full hashes differ.
_MIX = 0xD6E8FEB86659FD93
_MIX_INVERSE = pow(_MIX, -1, 1 << 64)


def _crafted_ints(n: int) -> list[int]:
    """``n`` plain ints with distinct hashes that all mix to 0 in the core.

    ``hash(i) == i`` for ``0 <= i < 2**61 - 1``, so the ints below that bound among
    ``t * _MIX_INVERSE mod 2**64`` (``t`` small) are their own hashes, and
    ``(hash * _MIX) >> 32 == t >> 32 == 0`` for every one of them.
    """
    keys: list[int] = []
    t = 1
    while len(keys) < n:
        h = t * _MIX_INVERSE % (1 << 64)
        if h < (1 << 61) - 1:
            keys.append(h)
        t += 1
    return keys


@pytest.mark.needs_core
@pytest.mark.xfail(
    strict=True,
    reason="core: _mix uses one fixed multiplier and probes linearly from the mixed "
    "hash alone, so ints crafted against it (distinct full hashes) all share one "
    "home slot: longest probe == n, inserts quadratic (docs/contract.md section 3)",
)
def test_crafted_int_family_does_not_pile_up() -> None:
    from cylru._lru_c import LRUCache

    keys = _crafted_ints(4095)
    assert len({hash(k) for k in keys}) == len(keys)  # distinct full hashes
    c = LRUCache(len(keys))
    for k in keys:
        c[k] = None
    stats = c._probe_stats()
    assert stats["size"] == len(keys)
    # tests/test_hash_families.py's bound for 4,095 random hashes at this load
    assert stats["longest"] <= 16, stats


def test_views_are_reversible(impl: ModuleType) -> None:
    c = impl.LRUCache(3)
    for i in range(3):
        c[i] = str(i)
    c.get(0)  # order 1, 2, 0
    assert list(reversed(c.keys())) == [0, 2, 1]
    assert list(reversed(c.values())) == ["0", "2", "1"]
    assert list(reversed(c.items())) == [(0, "0"), (2, "2"), (1, "1")]
    assert c.stats().hits == 1  # reversing a view promotes and counts nothing


def test_cache_view_equals_ordereddict_in_order(impl: ModuleType) -> None:
    c = impl.SimpleLRUCache(3)
    for i in range(3):
        c.put(i, str(i))
    assert c.cache == OrderedDict([(0, "0"), (1, "1"), (2, "2")])
    assert c.cache != OrderedDict([(1, "1"), (0, "0"), (2, "2")])


@pytest.mark.parametrize("change", ["add", "delete", "move_to_end"])
def test_reversed_cache_view_raises_when_changed(impl: ModuleType, change: str) -> None:
    c = impl.SimpleLRUCache(5)
    for i in range(4):
        c.put(i, i)
    it = reversed(c.cache)
    assert next(it) == 3
    if change == "add":
        c.put(9, 9)
    elif change == "delete":
        c.cache.pop(2)
    else:
        c.cache.move_to_end(0)
    with pytest.raises(RuntimeError):
        next(it)
