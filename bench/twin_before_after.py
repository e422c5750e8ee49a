#!/usr/bin/env python3
"""The pure twin beside an older version of itself and mellea's cache, in one run.

    python bench/twin_before_after.py [--rev REV] [compare.py options]

Loads ``src/cylru/_lru_py.py`` as it was at ``REV`` (default ``96ad1b0``, the last
twin with the call-free "gate" instead of a lock) from git, adds it as the row
``cylru-py-before``, and runs ``bench/compare.py``'s table for the current twin,
that older one, mellea's ``OrderedDict`` cache and the ``move_to_end`` LRU, so every
ratio comes from the same run.  A last row, ``cylru-py-nolock``, is the current twin
with its lock swapped for one whose acquire and release do nothing (a C call each):
the difference to ``cylru-py`` is what the lock costs.  Needs a git checkout.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
import workloads as wl  # noqa: E402


def load_twin_at(rev: str) -> type:
    """``LRUCache`` from ``_lru_py.py`` at ``rev``, imported as a module of the cylru
    package (its relative imports of ``._base`` then resolve to today's)."""
    import cylru

    source = subprocess.run(
        ["git", "show", f"{rev}:src/cylru/_lru_py.py"],
        cwd=HERE.parent,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "_lru_py_before.py"
    path.write_text(source)
    name = f"{cylru.__name__}._lru_py_before"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = cylru.__name__
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.LRUCache  # type: ignore[no-any-return]


class _NoLock:
    """Stands in for the twin's RLock in the ``cylru-py-nolock`` row only (one thread)."""

    acquire = release = staticmethod(tuple)  # a C call that allocates nothing

    def _is_owned(self) -> bool:
        return False

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


def _without_lock(capacity: int) -> object:
    from cylru._lru_py import LRUCache

    cache = LRUCache(capacity)  # type: ignore[var-annotated]
    cache._lock = _NoLock()  # type: ignore[assignment]
    return cache


def main() -> int:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--rev", default="96ad1b0")
    args, rest = parser.parse_known_args()
    before = load_twin_at(args.rev)
    load_impls = wl.load_impls

    def with_before() -> tuple[list[wl.Impl], list[tuple[str, str]]]:
        impls, skipped = load_impls()
        at = next(i for i, impl in enumerate(impls) if impl.id == "cylru-py") + 1
        impls.insert(at, wl.Impl("cylru-py-before", f"pure twin at {args.rev}", before))
        impls.insert(at + 1, wl.Impl("cylru-py-nolock", "pure twin, no-op lock", _without_lock))
        return impls, skipped

    wl.load_impls = with_before
    return compare.main(["--impl", "cylru-py,cylru-py-before,cylru-py-nolock,mellea,odict", *rest])


if __name__ == "__main__":
    sys.exit(main())
