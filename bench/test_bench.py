"""Microbenchmarks, one function per operation.  See conftest.py for how to run them.

Each test times a loop over a pre-built list of keys (``workloads.py``) for one
implementation, key type and size; the cache is built and filled before timing.
"""

from __future__ import annotations

from typing import Any

from conftest import Suite


def test_get_hit(benchmark: Any, suite: Suite) -> None:
    """``c.get(k)`` of a present key (promotes it)."""
    suite.run(benchmark, "get_hit")


def test_get_miss(benchmark: Any, suite: Suite) -> None:
    """``c.get(k)`` of an absent key."""
    suite.run(benchmark, "get_miss")


def test_getitem(benchmark: Any, suite: Suite) -> None:
    """``c[k]`` of a present key (promotes it)."""
    suite.run(benchmark, "getitem")


def test_put_update(benchmark: Any, suite: Suite) -> None:
    """``c[k] = v`` (mellea: ``put``) of a present key: replace and promote."""
    suite.run(benchmark, "put_update")


def test_put_evict(benchmark: Any, suite: Suite) -> None:
    """``c[k] = v`` of a new key into a full cache: evict the least recent, store."""
    suite.run(benchmark, "put_evict")


def test_delete(benchmark: Any, suite: Suite) -> None:
    """``del c[k]`` of a present key (refilled between rounds, untimed)."""
    suite.run(benchmark, "delete")


def test_mixed(benchmark: Any, suite: Suite) -> None:
    """Cache-aside over a Zipf-like 80/20 stream: ``get``, and ``put`` on a miss."""
    suite.run(benchmark, "mixed")
