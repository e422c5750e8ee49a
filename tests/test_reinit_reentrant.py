"""``__init__`` called again while a dropped value's ``__del__`` re-enters the cache.

Re-initialising clears the cache, and the cleared values' ``__del__`` may store into
it before ``__init__`` has switched the weight bookkeeping (unweighted -> weighted).
Whatever ends up stored must be counted: ``weight == sum of weights``.  The compiled
core allocated the weight array after the clear without initialising the entries the
``__del__`` had stored (weight 0 for an entry weighing 1; an uninitialised read).
"""

from __future__ import annotations

import gc
from types import ModuleType

from _support import assert_consistent


def test_reinit_weighted_while_del_reenters(impl: ModuleType) -> None:
    c = impl.LRUCache(5)

    class Reenters:
        def __del__(self) -> None:
            c["from-del"] = 7

    c["a"] = Reenters()
    c.__init__(5, max_weight=10)  # type: ignore[misc]
    gc.collect()  # the pure twin may leave the old entries to the cycle collector
    assert_consistent(c)
    assert c.weight == len(c)  # the default weigher weighs 1
    c["b"] = 1
    assert c.weight == len(c)
    c.pop("from-del", None)
    assert c.weight == len(c)
