"""The KV-cache group: real torch + transformers, collected only when asked for.

Run it with ``pytest tests/kv`` (after ``pip install torch==2.13.0`` and the ``kv``
extra). A plain ``pytest`` leaves this folder out, so the main suite needs neither
library. When the group is asked for, a missing torch or transformers is a collection
error, never a skip: the test modules import them at the top.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from _support import asked_for

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent.parent / "examples" / "hf_prefix_cache.py"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.resolve() != Path(__file__).resolve() and not asked_for(config, HERE):
        return True
    return None


@pytest.fixture(scope="session")
def example() -> ModuleType:
    """examples/hf_prefix_cache.py, imported as a module."""
    name = "hf_prefix_cache"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
