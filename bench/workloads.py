"""What the benchmarks measure: the implementations, the key sets and the timed loops.

Shared by ``bench/test_bench.py`` (pytest-benchmark) and ``bench/compare.py`` (the
table), so both time exactly the same code.

Rules every case follows:

- All set-up (keys, access orders, filling the cache) happens before timing.
- One timed call runs a tight loop over a pre-built list of keys, so a figure is
  ``elapsed / len(keys)`` ns per operation, loop overhead included for everyone alike
  (the ``dict.get`` floor pays it too, which is why ratios are read against it).
- Each (implementation, operation) gets its own freshly compiled loop function, so
  CPython's adaptive interpreter specialises every call site for one implementation
  only and never thrashes between them.
- Reads use ``get(k)`` (or ``c[k]`` for the ``c[k]`` column); writes and deletes use
  the mapping protocol (``c[k] = v``, ``del c[k]``) wherever it exists, because that is
  the fastest entry point every mapping-like peer offers.  mellea's cache has only
  ``put`` and ``get``; it is timed through those and has no ``c[k]`` / delete figures.
"""

from __future__ import annotations

import collections
import contextlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------------------
# Baselines written here


class MelleaLRUCache:
    """mellea's ``SimpleLRUCache`` algorithm (mellea.backends.cache), verbatim in spirit.

    The baseline cylru replaces: an OrderedDict re-inserted by ``pop`` on every hit.
    """

    def __init__(self, capacity: int, on_evict: Callable[[Any], object] | None = None) -> None:
        self.capacity = capacity
        self.cache: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self.on_evict = on_evict

    def current_size(self) -> int:
        return len(self.cache)

    def get(self, key: Any) -> Any:
        if key not in self.cache:
            return None
        value = self.cache.pop(key)
        self.cache[key] = value
        return value

    def put(self, key: Any, value: Any) -> None:
        if self.capacity <= 0:
            return
        if key in self.cache:
            self.cache.pop(key)
        elif len(self.cache) >= self.capacity:
            _, evicted = self.cache.popitem(last=False)
            if self.on_evict is not None:
                self.on_evict(evicted)
        self.cache[key] = value


_MISSING: Any = object()


class MoveToEndLRUCache:
    """The best unlocked OrderedDict LRU we know: ``move_to_end``, two lookups per op.

    What a careful pure-Python LRU costs without any thread safety; the pure twin's
    ratio to this is the price of its lock and its crash-proofing.
    """

    __slots__ = ("_od", "capacity", "on_evict")

    def __init__(self, capacity: int, on_evict: Callable[[Any, Any], object] | None = None) -> None:
        self._od: collections.OrderedDict[Any, Any] = collections.OrderedDict()
        self.capacity = capacity
        self.on_evict = on_evict

    def __len__(self) -> int:
        return len(self._od)

    def get(self, key: Any, default: Any = None) -> Any:
        od = self._od
        value = od.get(key, _MISSING)
        if value is _MISSING:
            return default
        od.move_to_end(key)
        return value

    def __getitem__(self, key: Any) -> Any:
        od = self._od
        od.move_to_end(key)  # KeyError on a miss, like a dict
        return od[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        if self.capacity <= 0:
            return
        od = self._od
        od[key] = value
        od.move_to_end(key)
        if len(od) > self.capacity:
            old_key, old_value = od.popitem(last=False)
            if self.on_evict is not None:
                self.on_evict(old_key, old_value)

    def __delitem__(self, key: Any) -> None:
        del self._od[key]


# --------------------------------------------------------------------------------------
# Implementations


@dataclass(frozen=True)
class Impl:
    """One row of the table."""

    id: str  # for --impl / -k
    label: str  # for the table
    make: Callable[[int], Any]  # capacity -> empty cache
    mapping: bool = True  # c[k], c[k] = v, del c[k]
    evicts: bool = True  # False only for the dict floor


FLOOR_ID = "dict"


def _load_cylru_c() -> tuple[Any, Any]:
    from cylru import _lru_c

    return _lru_c.LRUCache, _lru_c.SimpleLRUCache


def _load_cylru_py() -> Any:
    from cylru import _lru_py

    return _lru_py.LRUCache


def load_impls() -> tuple[list[Impl], list[tuple[str, str]]]:
    """Return (available implementations in table order, [(id, why skipped)])."""
    impls: list[Impl] = [Impl(FLOOR_ID, "dict (floor)", lambda n: {}, evicts=False)]
    skipped: list[tuple[str, str]] = []

    try:
        c_lru, c_simple = _load_cylru_c()
    except ImportError as exc:
        reason = f"compiled core not built ({exc})"
        skipped += [("cylru", reason), ("cylru-simple", reason)]
    else:
        impls.append(Impl("cylru", "cylru LRUCache (Cython)", c_lru))
        impls.append(Impl("cylru-simple", "cylru SimpleLRUCache (Cython)", c_simple))

    try:
        py_lru = _load_cylru_py()
    except ImportError as exc:
        skipped.append(("cylru-py", f"pure twin not importable ({exc})"))
    else:
        impls.append(Impl("cylru-py", "cylru LRUCache (pure Python)", py_lru))

    impls.append(Impl("mellea", "mellea OrderedDict cache", MelleaLRUCache, mapping=False))
    impls.append(Impl("odict", "OrderedDict move_to_end", MoveToEndLRUCache))

    try:
        import lru
    except ImportError:
        skipped.append(("lru-dict", "not installed (pip install 'cylru[bench]')"))
    else:
        impls.append(Impl("lru-dict", "lru-dict (C)", lru.LRU))

    try:
        import cachebox
    except ImportError:
        skipped.append(("cachebox", "not installed (pip install 'cylru[bench]')"))
    else:
        impls.append(Impl("cachebox", "cachebox (Rust)", cachebox.LRUCache))

    try:
        import cachetools
    except ImportError:
        skipped.append(("cachetools", "not installed (pip install 'cylru[bench]')"))
    else:
        impls.append(Impl("cachetools", "cachetools (Python)", cachetools.LRUCache))

    return impls, skipped


def peer_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in ("lru-dict", "cachebox", "cachetools"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


# --------------------------------------------------------------------------------------
# Keys and access orders

VALUE = object()  # every stored value is this one object, so values cost nothing


def make_keys(keytype: str, count: int) -> list[Any]:
    """``count`` distinct keys, pre-created and pre-hashed.

    int keys are spread over 60 bits (an odd multiplier is a bijection mod 2**60, and
    values below 2**61 - 1 hash to themselves): sequential small ints would flatter
    open-addressing tables with perfect, cache-friendly placement.
    """
    if keytype == "str":
        keys: list[Any] = [f"key:{i}" for i in range(count)]
    elif keytype == "int":
        mask = (1 << 60) - 1
        keys = [(i * 0x9E3779B97F4A7C15) & mask for i in range(count)]
    else:
        raise ValueError(f"keytype must be 'str' or 'int', not {keytype!r}")
    for k in keys:
        hash(k)  # str caches its hash; do it outside the timed part
    return keys


def _draw(rng: random.Random, pool: list[Any], count: int) -> list[Any]:
    """``count`` keys from ``pool`` in random order, each key once per pass."""
    if count <= len(pool):
        return rng.sample(pool, count)
    out: list[Any] = []
    while len(out) < count:
        chunk = pool[:]
        rng.shuffle(chunk)
        out += chunk
    return out[:count]


@dataclass
class Workload:
    """Every key list one (key type, size) needs, built once and shared by all rows."""

    keytype: str
    size: int  # the cache's capacity, and its number of entries when full
    ops: int  # operations per timed call
    seed: int = 1234
    keys: list[Any] = field(init=False)  # the full cache's contents, in insertion order
    hit_seq: list[Any] = field(init=False)
    miss_seq: list[Any] = field(init=False)
    evict_fill: list[Any] = field(init=False)  # primes the evicting cache
    evict_rounds: list[list[Any]] = field(init=False)  # each key new when its turn comes
    delete_chunk: list[Any] = field(init=False)
    mixed_seq: list[Any] = field(init=False)

    def __post_init__(self) -> None:
        rng = random.Random(self.seed)
        size, ops = self.size, self.ops
        # Evicting puts cycle through a stream of `stream` keys, `ops` at a time; the
        # cache holds the `size` most recent, so the next key of the stream is always new.
        rounds = size // ops + 1
        stream = rounds * ops
        universe = max(2 * size, stream, size + min(size, ops))
        all_keys = make_keys(self.keytype, universe)
        self.keys = all_keys[:size]
        self.hit_seq = _draw(rng, self.keys, ops)
        self.miss_seq = _draw(rng, all_keys[size : size + min(size, ops)], ops)

        stream_keys = all_keys[:stream]
        rng.shuffle(stream_keys)
        self.evict_fill = stream_keys[stream - size :]
        self.evict_rounds = [stream_keys[i * ops : (i + 1) * ops] for i in range(rounds)]

        self.delete_chunk = _draw(rng, self.keys, min(size, ops))

        # Zipf-like 80/20: a universe twice the cache; 80% of accesses go to its
        # hottest 20% (which fits in the cache), 20% spread over the rest.
        mixed = all_keys[: 2 * size]
        rng.shuffle(mixed)
        n_hot = max(1, len(mixed) // 5)
        hot, cold = mixed[:n_hot], mixed[n_hot:]
        self.mixed_seq = [
            rng.choice(hot) if rng.random() < 0.8 else rng.choice(cold) for _ in range(ops)
        ]


# --------------------------------------------------------------------------------------
# Timed loops

_LOOPS = {
    "get": "def run(get, keys):\n    for k in keys:\n        get(k)\n",
    "getitem": "def run(c, keys):\n    for k in keys:\n        c[k]\n",
    "setitem": "def run(c, keys, value):\n    for k in keys:\n        c[k] = value\n",
    "put": "def run(c, keys, value):\n    put = c.put\n    for k in keys:\n        put(k, value)\n",
    "delitem": "def run(c, keys):\n    for k in keys:\n        del c[k]\n",
    "mixed_setitem": (
        "def run(c, keys):\n    get = c.get\n    for k in keys:\n"
        "        if get(k) is None:\n            c[k] = k\n"
    ),
    "mixed_put": (
        "def run(c, keys):\n    get = c.get\n    put = c.put\n    for k in keys:\n"
        "        if get(k) is None:\n            put(k, k)\n"
    ),
}


def _loop(kind: str, tag: str) -> Callable[..., None]:
    """A fresh function (own code object, own specialisation) for one loop."""
    namespace: dict[str, Any] = {}
    exec(compile(_LOOPS[kind], f"<bench {tag}>", "exec"), namespace)
    return namespace["run"]  # type: ignore[no-any-return]


# Columns of the table, in order, with the state each one runs on.
OPERATIONS: dict[str, str] = {
    "get_hit": "get hit",
    "get_miss": "get miss",
    "getitem": "c[k] hit",
    "put_update": "put update",
    "put_evict": "put evict",
    "delete": "delete",
    "mixed": "mixed 80/20",
}
_STATE_OF = {
    "get_hit": "full",
    "get_miss": "full",
    "getitem": "full",
    "put_update": "full",
    "put_evict": "evict",
    "delete": "delete",
    "mixed": "mixed",
}
STATES = ("full", "evict", "delete", "mixed")


def operations_on(state: str) -> list[str]:
    return [op for op in OPERATIONS if _STATE_OF[op] == state]


@dataclass
class Case:
    """One (implementation, operation): ``run(*setup())`` is the timed part."""

    run: Callable[..., None]
    setup: Callable[[], tuple[Any, ...]]
    ops: int  # operations per run
    chunks: int = 1  # (setup, run) pairs summed into one measurement by compare.py


def supports(impl: Impl, op: str) -> bool:
    if op == "put_evict":
        return impl.evicts
    if op in ("getitem", "delete"):
        return impl.mapping
    return True


def _fill(impl: Impl, cache: Any, keys: list[Any], value: Any = VALUE) -> None:
    if impl.mapping:
        for k in keys:
            cache[k] = value
    else:
        put = cache.put
        for k in keys:
            put(k, value)


def build_state(impl: Impl, w: Workload, state: str) -> dict[str, Case]:
    """Build one cache for ``state`` and the cases of every operation that uses it."""
    tag = f"{impl.id} {w.keytype} {w.size}"
    ops = [op for op in operations_on(state) if supports(impl, op)]
    if not ops:
        return {}
    cache = impl.make(w.size)
    put_kind = "setitem" if impl.mapping else "put"
    cases: dict[str, Case] = {}

    if state == "full":
        _fill(impl, cache, w.keys)
        const = lambda *args: lambda: args  # noqa: E731
        for op in ops:
            if op == "get_hit":
                cases[op] = Case(_loop("get", f"{tag} {op}"), const(cache.get, w.hit_seq), w.ops)
            elif op == "get_miss":
                cases[op] = Case(_loop("get", f"{tag} {op}"), const(cache.get, w.miss_seq), w.ops)
            elif op == "getitem":
                cases[op] = Case(_loop("getitem", f"{tag} {op}"), const(cache, w.hit_seq), w.ops)
            elif op == "put_update":
                cases[op] = Case(
                    _loop(put_kind, f"{tag} {op}"), const(cache, w.hit_seq, VALUE), w.ops
                )

    elif state == "evict":
        _fill(impl, cache, w.evict_fill)
        turn = [0]

        def next_round() -> tuple[Any, ...]:
            keys = w.evict_rounds[turn[0] % len(w.evict_rounds)]
            turn[0] += 1
            return (cache, keys, VALUE)

        cases["put_evict"] = Case(_loop(put_kind, f"{tag} put_evict"), next_round, w.ops)

    elif state == "delete":
        _fill(impl, cache, w.keys)
        chunk = w.delete_chunk
        deleted = [False]

        def refill() -> tuple[Any, ...]:
            if deleted[0]:
                _fill(impl, cache, chunk)
            deleted[0] = True
            return (cache, chunk)

        cases["delete"] = Case(
            _loop("delitem", f"{tag} delete"), refill, len(chunk), max(1, w.ops // len(chunk))
        )

    elif state == "mixed":
        run = _loop("mixed_setitem" if impl.mapping else "mixed_put", f"{tag} mixed")
        run(cache, w.mixed_seq)  # reach the steady state before timing
        cases["mixed"] = Case(run, lambda: (cache, w.mixed_seq), w.ops)

    return cases


def check_impl(impl: Impl) -> None:
    """Fail loudly if an implementation does not behave like an LRU (a wrong row is worse
    than a missing one)."""
    c = impl.make(3)
    _fill(impl, c, [1, 2, 3], "v")
    assert c.get(1) == "v" and c.get(99) is None
    if impl.evicts:
        _fill(impl, c, [4], "v")  # evicts 2, the least recent after get(1)
        assert c.get(2) is None and c.get(1) == "v" and c.get(3) == "v", impl.id
