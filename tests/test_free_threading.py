"""Free-threaded CPython: importing cylru must leave the GIL disabled.

An extension module that does not declare free-threading support makes CPython turn the
GIL back on when it is imported (with a RuntimeWarning), and every thread test would then
pass for the wrong reason.  These tests run on every interpreter: on a GIL build (and on
3.10-3.12, which have no ``sys._is_gil_enabled``) they check that the import leaves the
GIL as it found it; on a free-threaded build, that it stays off.  CI's free-threaded legs
run this file after the thread tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import cylru

FREE_THREADED = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
# PYTHON_GIL or -X gil force the GIL's state whatever the modules declare.
FORCED = "PYTHON_GIL" in os.environ or "gil" in sys._xoptions
PACKAGE_PARENT = str(Path(cylru.__file__).resolve().parent.parent)

PROBE = """
import sys
enabled = getattr(sys, "_is_gil_enabled", lambda: True)
before = enabled()
import {module}
print(before, enabled())
"""


def _gil_before_and_after(module: str) -> tuple[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("CYLRU_", "PYTHON_GIL"))}
    environ["PYTHONPATH"] = os.pathsep.join(
        [PACKAGE_PARENT, *filter(None, [environ.get("PYTHONPATH")])]
    )
    out = subprocess.run(
        # -W error: the "GIL has been enabled" RuntimeWarning fails the import outright.
        [sys.executable, "-W", "error", "-c", PROBE.format(module=module)],
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return out[0], out[1]


def _expected_before() -> str:
    return str(not FREE_THREADED)


def test_import_cylru_leaves_the_gil_as_it_was() -> None:
    before, after = _gil_before_and_after("cylru")
    assert before == _expected_before()
    assert after == before


@pytest.mark.needs_core
def test_import_compiled_core_leaves_the_gil_as_it_was() -> None:
    before, after = _gil_before_and_after("cylru._lru_c")
    assert before == _expected_before()
    assert after == before


@pytest.mark.skipif(FORCED, reason="PYTHON_GIL or -X gil sets the GIL's state by hand")
def test_gil_still_disabled_in_this_process() -> None:
    # After everything this test session imported (run last in CI's free-threaded legs,
    # after the thread tests), a free-threaded interpreter still runs without the GIL.
    enabled = getattr(sys, "_is_gil_enabled", lambda: True)()
    assert enabled is (not FREE_THREADED)
