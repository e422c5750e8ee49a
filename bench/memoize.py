"""What the "memoize" table times: memoized calls through cylru and its peers.

Each memoizer wraps the same trivial function (its own copy), so a figure is the
memoizer's own cost.  Keys are 1,000 distinct ints and the caches hold 1,024
entries (issue 12's setting):

- ``hit1``: ``f(k)``, every ``k`` cached;
- ``hit3``: ``f(k, 1, z=2)``, every call cached;
- ``miss``: ``f(k)`` over 2,048 distinct keys in turn, so each call misses, runs
  the function, inserts and evicts the least recent entry;
- ``ahit``: ``await f(k)`` inside one running event loop, every ``k`` cached.

``dict.get`` (hit1) is the floor every figure is divided by.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
from collections.abc import Callable
from typing import Any

import workloads as wl

MAXSIZE = 1_024
KEYS = list(range(1_000))
MISS_KEYS = list(range(10_000, 10_000 + 2 * MAXSIZE))
OPS = 5_000  # calls per timed loop

OPERATIONS = {
    "hit1": "hit, 1 arg",
    "hit3": "hit, 2 args + 1 keyword",
    "miss": "miss (call, insert, evict)",
    "ahit": "async hit",
}
FLOOR = "dict.get"


def memoizers() -> tuple[dict[str, Callable[[Callable[..., Any]], Any]], list[str]]:
    """label -> decorator (for the sync ops), and what was skipped."""
    import cylru

    out: dict[str, Callable[[Callable[..., Any]], Any]] = {
        "functools.lru_cache": functools.lru_cache(maxsize=MAXSIZE),
        "cylru.lru_cache": lambda f: cylru.lru_cache(maxsize=MAXSIZE)(f),
        "cylru.cached(LRUCache)": lambda f: cylru.cached(cylru.LRUCache(MAXSIZE))(f),
    }
    from cylru import _memo_py

    out["cylru.lru_cache (pure twin)"] = lambda f: _memo_py.lru_cache(maxsize=MAXSIZE)(f)
    skipped = []
    try:
        cachebox = importlib.import_module("cachebox")
        out["cachebox.cached"] = lambda f: cachebox.cached(cachebox.LRUCache(MAXSIZE))(f)
    except ImportError:
        skipped.append("cachebox (not installed)")
    try:
        cachetools = importlib.import_module("cachetools")
        out["cachetools.cached"] = lambda f: cachetools.cached(cachetools.LRUCache(MAXSIZE))(f)
    except ImportError:
        skipped.append("cachetools (not installed)")
    return out, skipped


def async_memoizers() -> tuple[dict[str, Callable[[Callable[..., Any]], Any]], list[str]]:
    import cylru

    out: dict[str, Callable[[Callable[..., Any]], Any]] = {
        "cylru.alru_cache": lambda f: cylru.alru_cache(maxsize=MAXSIZE)(f),
        "cylru.cached(LRUCache)": lambda f: cylru.cached(cylru.LRUCache(MAXSIZE))(f),
    }
    skipped = []
    try:
        async_lru = importlib.import_module("async_lru")
        out["async-lru alru_cache"] = lambda f: async_lru.alru_cache(maxsize=MAXSIZE)(f)
    except ImportError:
        skipped.append("async-lru (not installed)")
    return out, skipped


def peer_versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in ("cachebox", "cachetools", "async-lru"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    return out


def _loop_keys(n: int, keys: list[Any]) -> list[Any]:
    return (keys * (n // len(keys) + 1))[:n]


def build_cases() -> tuple[dict[str, dict[str, wl.Case]], list[str]]:
    """op -> label -> Case; the caches are filled before timing."""
    sync, skipped = memoizers()
    amemo, askipped = async_memoizers()
    hit_keys = _loop_keys(OPS, KEYS)
    miss_keys = _loop_keys(OPS, MISS_KEYS)
    cases: dict[str, dict[str, wl.Case]] = {op: {} for op in OPERATIONS}

    d = {k: k for k in KEYS}

    def floor(get: Any = d.get, keys: list[Any] = hit_keys) -> None:
        for k in keys:
            get(k)

    cases["hit1"][FLOOR] = wl.Case(floor, tuple, OPS)

    for label, decorate in sync.items():
        # Fresh functions for each memoizer: none shares a function object.
        one = decorate(lambda x: x)
        three = decorate(lambda x, y, z=0: x)
        miss = decorate(lambda x: x)
        for k in KEYS:
            one(k)
            three(k, 1, z=2)
        for k in MISS_KEYS:
            miss(k)

        def hit1(f: Any = one, keys: list[Any] = hit_keys) -> None:
            for k in keys:
                f(k)

        def hit3(f: Any = three, keys: list[Any] = hit_keys) -> None:
            for k in keys:
                f(k, 1, z=2)

        def misses(f: Any = miss, keys: list[Any] = miss_keys) -> None:
            for k in keys:
                f(k)

        cases["hit1"][label] = wl.Case(hit1, tuple, OPS)
        cases["hit3"][label] = wl.Case(hit3, tuple, OPS)
        cases["miss"][label] = wl.Case(misses, tuple, OPS)

    loop = asyncio.new_event_loop()
    for label, decorate in amemo.items():

        async def identity(x: Any) -> Any:
            return x

        af = decorate(identity)

        async def fill(f: Any = af) -> None:
            for k in KEYS:
                await f(k)

        loop.run_until_complete(fill())

        async def ahits(f: Any = af, keys: list[Any] = hit_keys) -> None:
            for k in keys:
                await f(k)

        def ahit(run: Any = loop.run_until_complete, body: Any = ahits) -> None:
            run(body())

        cases["ahit"][label] = wl.Case(ahit, tuple, OPS)
    return cases, skipped + askipped
