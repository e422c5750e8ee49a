"""lru_cache and functools.lru_cache in lockstep over random call sequences.

Each function returns its arguments and how many times it has run, so a hit on
one side and a miss on the other shows up in the results as well as in
``cache_info()``.  Arguments mix values that are equal across types (``1``,
``1.0``, ``True``), exact ints and strs (functools' single-argument fast key),
tuples and keyword arguments in either order.
"""

from __future__ import annotations

import functools
from types import ModuleType
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

values = st.sampled_from([0, 1, 1.0, True, False, "a", "x", (1,), (1.0,), None, -1])
# Few values, so that equal ones of different types meet often (1 == 1.0 == True).
# "x" is also a keyword name: f("x", 1) and f(x=1) differ only by the keyword mark.
few = st.sampled_from([1, 1.0, True, "a", "x", (1,)])
positional = st.lists(st.one_of(few, values), max_size=3).map(tuple)
keywords = st.dictionaries(st.sampled_from(["x", "y"]), few, max_size=2)
# Single arguments get their own branch: functools' fast key (an exact int or str).
single = few.map(lambda v: ((v,), {}))
call = st.one_of(single, st.tuples(positional, keywords))
# A sequence calls from a small pool, so that keys repeat (hits) and evict.
steps = st.lists(call, min_size=1, max_size=6).flatmap(
    lambda pool: st.lists(st.sampled_from([*pool, "clear"]), max_size=40)
)


def _counting() -> Any:
    runs = [0]

    def f(*args: Any, **kwargs: Any) -> Any:
        runs[0] += 1
        return (args, sorted(kwargs.items()), runs[0])

    return f


@settings(
    max_examples=300,
    deadline=None,
    # The fixture only picks a module: nothing in it changes between examples.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# Sequences that random search reaches only rarely: the keyword mark, keyword order,
# the types of keyword values.
@example(maxsize=8, typed=False, steps=[(("x", 1), {}), ((), {"x": 1})])
@example(maxsize=8, typed=False, steps=[((), {"x": 1, "y": 2}), ((), {"y": 2, "x": 1})])
@example(maxsize=8, typed=True, steps=[((), {"x": 1}), ((), {"x": 1.0}), ((), {"x": True})])
@given(
    maxsize=st.sampled_from([None, 0, 1, 2, 3, 8]),
    typed=st.booleans(),
    steps=steps,
)
def test_lockstep_with_functools(
    memo: ModuleType, maxsize: int | None, typed: bool, steps: list[Any]
) -> None:
    ours = memo.lru_cache(maxsize=maxsize, typed=typed)(_counting())
    theirs = functools.lru_cache(maxsize=maxsize, typed=typed)(_counting())
    for s in steps:
        if s == "clear":
            ours.cache_clear()
            theirs.cache_clear()
        else:
            args, kwargs = s
            assert ours(*args, **kwargs) == theirs(*args, **kwargs)
        assert ours.cache_info() == theirs.cache_info()
