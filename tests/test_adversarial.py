"""Defects found by adversarial review, each as the smallest test that shows it.

A test marked ``xfail(strict=True, reason="core: ...")`` documents a defect of the
compiled core that is not fixed yet; fixing it turns the xfail into a failure, and
the marker is then removed with the fix.
"""

from __future__ import annotations

from collections import OrderedDict
from types import ModuleType

import pytest

# The core's home-slot mix (``_mix`` in src/cylru/_lru_c.pyx): the hash times _MIX1,
# xored with the cache's key, times _MIX2, top 32 bits.  Without the key (key 0) the
# ints ``t * inverse(_MIX2) * inverse(_MIX1)`` (small ``t``) all mix to the same top
# bits although their full hashes differ: an attacker who knows the key can aim a
# family at one home slot.  The key is a per-process secret, which is the defence.
_MIX1 = 0xD6E8FEB86659FD93
_MIX2 = 0x9E3779B97F4A7C15
_MASK = (1 << 64) - 1


def _crafted_ints(n: int, multiplier: int) -> list[int]:
    """``n`` plain ints with distinct hashes whose product with ``multiplier`` has
    top 32 bits 0.  ``hash(i) == i`` for ``0 <= i < 2**61 - 1``, so the ints below
    that bound among ``t * inverse(multiplier) mod 2**64`` (``t`` small) qualify."""
    inverse = pow(multiplier, -1, 1 << 64)
    keys: list[int] = []
    t = 1
    while len(keys) < n:
        h = t * inverse & _MASK
        if h < (1 << 61) - 1:
            keys.append(h)
        t += 1
    return keys


def _longest_probe(keys: list[int], mix_key: int | None) -> int:
    from cylru._lru_c import LRUCache, _set_mix_key

    if mix_key is None:  # this process's own key
        c = LRUCache(len(keys))
    else:
        previous = _set_mix_key(mix_key)
        try:
            c = LRUCache(len(keys))
        finally:
            _set_mix_key(previous)
    for k in keys:
        c[k] = None
    stats = c._probe_stats()
    assert stats["size"] == len(keys)
    return int(stats["longest"])


@pytest.mark.needs_core
def test_crafted_int_family_does_not_pile_up() -> None:
    # Aimed at the whole unkeyed mix: with the key known (0) they share one home slot ...
    aimed = _crafted_ints(4095, _MIX2 * _MIX1 & _MASK)
    assert len({hash(k) for k in aimed}) == len(aimed)  # distinct full hashes
    assert _longest_probe(aimed, 0) == len(aimed)
    # ... under this process's secret key they spread like random hashes (the bound of
    # tests/test_hash_families.py for 4,095 keys), and so does the family aimed at the
    # first multiplier alone, which piled up in the unkeyed core this replaced.
    assert _longest_probe(aimed, None) <= 16
    assert _longest_probe(_crafted_ints(4095, _MIX1), None) <= 16


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
