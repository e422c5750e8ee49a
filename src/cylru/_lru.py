"""Choose the implementation: the compiled core when it is there, else the pure twin.

``CYLRU_NO_EXTENSIONS=1`` forces the pure-Python twin.  ``CYLRU_REQUIRE_EXTENSIONS=1``
turns a missing compiled core into an ImportError instead of a silent fallback.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Literal


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


if TYPE_CHECKING:
    from ._lru_py import LRUCache, SimpleLRUCache

    # Type checkers read the pure twin's (typed) classes; either core has the same API.
    IMPLEMENTATION: Literal["cython", "python"]
elif _flag("CYLRU_NO_EXTENSIONS") or sys.implementation.name != "cpython":
    from ._lru_py import LRUCache, SimpleLRUCache

    IMPLEMENTATION = "python"
else:
    try:
        from ._lru_c import LRUCache, SimpleLRUCache
    except ImportError:
        if _flag("CYLRU_REQUIRE_EXTENSIONS"):
            raise
        from ._lru_py import LRUCache, SimpleLRUCache

        IMPLEMENTATION = "python"
    else:
        IMPLEMENTATION = "cython"

__all__ = ["IMPLEMENTATION", "LRUCache", "SimpleLRUCache"]
