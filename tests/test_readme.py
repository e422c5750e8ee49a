"""The README's usage examples run, for both implementations."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path
from types import ModuleType

import pytest

import cylru

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cylru, "LRUCache", impl.LRUCache)
    monkeypatch.setattr(cylru, "SimpleLRUCache", impl.SimpleLRUCache)
    # The decorators that go with this core (see tests/conftest.py's memo fixture).
    memo = importlib.import_module(impl.__name__.replace("._lru_", "._memo_"))
    for name in ("lru_cache", "cached", "alru_cache"):
        monkeypatch.setattr(cylru, name, getattr(memo, name))
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0
