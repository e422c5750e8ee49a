"""Build the Cython core; fall back to a pure-Python install when it cannot be built.

CYLRU_NO_EXTENSIONS=1 skips the extension entirely.  CYLRU_REQUIRE_EXTENSIONS=1
turns any build failure into an error, so CI and wheel builds never ship
without the compiled core.
"""

import os
import sys
import warnings

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


NO_EXTENSIONS = _flag("CYLRU_NO_EXTENSIONS") or sys.implementation.name != "cpython"
REQUIRE_EXTENSIONS = _flag("CYLRU_REQUIRE_EXTENSIONS")


class OptionalBuildExt(build_ext):
    """build_ext that turns a compiler failure into a warning (unless required)."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            self._give_up(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._give_up(exc)

    def _give_up(self, exc: BaseException) -> None:
        if REQUIRE_EXTENSIONS:
            raise exc
        warnings.warn(
            f"cylru: building the Cython core failed ({exc!r}); "
            "installing the pure-Python implementation instead",
            stacklevel=1,
        )


def _extensions() -> list[Extension]:
    if NO_EXTENSIONS:
        return []
    try:
        from Cython.Build import cythonize
    except ImportError as exc:
        if REQUIRE_EXTENSIONS:
            raise
        warnings.warn(f"cylru: Cython unavailable ({exc}); pure-Python install", stacklevel=1)
        return []
    core = Extension("cylru._lru_c", ["src/cylru/_lru_c.pyx"])
    memo = Extension("cylru._memo_c", ["src/cylru/_memo_c.pyx"])
    # The compiler directives live in one place, the `# cython:` line at the top of each
    # .pyx, so every way of compiling it (this, `cythonize -a`, cython-lint) sees the same.
    return cythonize([core, memo])


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
