"""Mistakes a type checker must catch in code that uses cylru (never run, only checked).

Each line that must be reported follows a ``# expect:`` line naming the error code each
checker gives it (mypy's code, pyright's rule).  tests/typing/test_typing.py runs both checkers
and demands exactly these errors: a missing one means the API's types let the mistake
through (it would fail at run time instead), an extra one means the file or the types
went wrong.
"""

from __future__ import annotations

import cylru
from cylru import LRUCache, SimpleLRUCache


def value_only(value: int) -> None: ...


def key_and_value(key: str, value: int) -> None: ...


def weigh_as_text(value: int) -> str:
    return str(value)


def weigh_a_str(value: str) -> int:
    return len(value)


cache: LRUCache[str, int] = LRUCache(4)
simple: SimpleLRUCache[str, int] = SimpleLRUCache(4)

# on_evict of LRUCache takes (key, value); of SimpleLRUCache, the value only.
# expect: mypy=arg-type pyright=reportArgumentType
LRUCache[str, int](4, value_only)
# expect: mypy=arg-type pyright=reportArgumentType
SimpleLRUCache[str, int](4, key_and_value)
# expect: mypy=assignment pyright=reportAttributeAccessIssue
cache.on_evict = value_only
# expect: mypy=assignment pyright=reportAttributeAccessIssue
simple.on_evict = key_and_value

# A weigher returns an int, and takes the cache's values.
# expect: mypy=arg-type pyright=reportArgumentType
LRUCache[str, int](4, max_weight=10, weigher=weigh_as_text)
# expect: mypy=arg-type pyright=reportArgumentType
LRUCache[str, int](4, max_weight=10, weigher=weigh_a_str)

# max_weight and weigher are keyword-only.
# expect: mypy=call-arg pyright=reportCallIssue
LRUCache[str, int](4, None, 10)

# Keys and values have the declared types.
# expect: mypy=index pyright=reportArgumentType
cache[1] = 2
# expect: mypy=arg-type pyright=reportArgumentType
cache.put("a", "one")
# expect: mypy=call-overload pyright=reportArgumentType
cache.get(1)
# expect: mypy=arg-type pyright=reportArgumentType
simple.put(1, 1)

# Views and lookups give the value type, not Any.
# expect: mypy=assignment pyright=reportAssignmentType
first_key: int = next(iter(cache.keys()))
# expect: mypy=assignment pyright=reportAssignmentType
first_value: str = next(iter(cache.values()))
# expect: mypy=assignment pyright=reportAssignmentType
pair: tuple[str, str] = next(iter(cache.items()))
# expect: mypy=assignment pyright=reportAssignmentType
held: str = simple.cache["a"]
# expect: mypy=assignment pyright=reportAssignmentType
maybe: int = cache.get("a")

# IMPLEMENTATION is one of two strings.
# expect: mypy=comparison-overlap pyright=reportUnnecessaryComparison
if cylru.IMPLEMENTATION == "cpython":
    pass
