"""The README's usage examples run, for both implementations."""

from __future__ import annotations

import doctest
from pathlib import Path
from types import ModuleType

import pytest

import cylru

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_examples(impl: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cylru, "LRUCache", impl.LRUCache)
    monkeypatch.setattr(cylru, "SimpleLRUCache", impl.SimpleLRUCache)
    result = doctest.testfile(str(README), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0
