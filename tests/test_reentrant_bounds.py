"""A key's __eq__ lowers capacity to <= 0 in the middle of a put (found by scripts/fuzz.py).

The put has already checked ``capacity > 0``; the comparison during its lookup then
sets ``capacity = 0`` (which evicts everything and empties the table), so the lookup
restarts and misses.  The insert that follows must not treat the empty cache as "full"
and evict the list's sentinel: in the compiled core that corrupted the table (``len``
0 with an entry still findable, a garbage weight) and crashed the interpreter on the
next insert.  Each case runs in a subprocess so a crash fails the test instead of
taking the whole run down.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.no_refcount_check  # the work happens in a subprocess

SCRIPT = textwrap.dedent(
    """
    import importlib, json, sys
    mod = importlib.import_module(sys.argv[1])
    new_capacity = int(sys.argv[2])
    weighted = sys.argv[3] == "1"

    class Key:
        def __init__(self, ident, cache=None):
            self.ident = ident
            self.cache = cache
        def __hash__(self):
            return 1                      # all collide: a put compares with the stored key
        def __eq__(self, other):
            if self.cache is not None:    # once: lower the capacity from inside the lookup
                cache, self.cache = self.cache, None
                cache.capacity = new_capacity
            return isinstance(other, Key) and other.ident == self.ident

    evicted = []
    kw = {"max_weight": 10, "weigher": lambda v: 3} if weighted else {}
    c = mod.LRUCache(4, lambda k, v: evicted.append(v), **kw)
    c[Key(1, c)] = "one"
    new = Key(2)
    try:
        c[new] = "two"
        outcome = "ok"
    except RuntimeError:
        outcome = "RuntimeError"
    state = {
        "outcome": outcome,
        "len": len(c),
        "listed": len(list(c)),
        "new_in": new in c,
        "new_peek": c.peek(new),
        "capacity": c.capacity,
        "weight": c.weight,
        "size": c.stats().size,
    }
    c.capacity = 4
    state["len_after_raise"] = len(c)
    state["listed_after_raise"] = len(list(c))
    for i in range(6):
        c[i] = i
    state["final_items"] = list(c.items())
    state["final_weight"] = c.weight
    print(json.dumps(state))
    """
)


@pytest.mark.parametrize("weighted", [False, True], ids=["count", "weighted"])
@pytest.mark.parametrize("new_capacity", [0, -1])
def test_eq_lowers_capacity_to_zero_during_put(
    impl: object, new_capacity: int, weighted: bool
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, impl.__name__, str(new_capacity), str(int(weighted))],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stderr[-2000:]}"
    state = json.loads(proc.stdout)
    # Right answer (capacity <= 0 stores nothing) or RuntimeError; either way consistent.
    assert state["outcome"] in ("ok", "RuntimeError")
    assert state["capacity"] == new_capacity
    assert state["len"] == state["listed"] == state["size"] == 0
    assert state["new_in"] is False
    assert state["new_peek"] is None
    assert state["weight"] == (0 if weighted else None)
    assert state["len_after_raise"] == state["listed_after_raise"] == 0
    expected = [[3, 3], [4, 4], [5, 5]] if weighted else [[2, 2], [3, 3], [4, 4], [5, 5]]
    assert state["final_items"] == expected
    assert state["final_weight"] == (9 if weighted else None)
