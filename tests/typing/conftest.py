"""The typing group: mypy and pyright on programs that use cylru, collected only when asked.

Run it with ``pytest tests/typing`` after installing the ``typing`` extra (CI's typing job
and ``.ci/run`` do).  A plain ``pytest`` leaves this folder out, so the main suite needs
neither checker; when the group is asked for, a missing checker fails the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _support import asked_for

HERE = Path(__file__).resolve().parent


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.resolve() != Path(__file__).resolve() and not asked_for(config, HERE):
        return True
    return None
