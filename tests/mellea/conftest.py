"""The mellea group: mellea 0.8's real ``LocalHFBackend`` on a tiny model, collected only
when asked for.

Run it with ``pytest tests/mellea`` (after ``pip install torch==2.13.0``, the ``mellea``
extra and mypy; Python >= 3.11). A plain ``pytest`` leaves this folder out, so the main
suite needs none of these libraries. When the group is asked for, a missing mellea,
torch or mypy is a collection error, never a skip. The one skip is the GPU test
(marker ``gpu``), on a machine without CUDA.

The model is built once per session by bench/bench_mellea.py's ``build_tiny_model``
(random weights, a BPE tokenizer trained on a few sentences, a chat template), saved to
a temporary directory and loaded by mellea itself, offline.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from pathlib import Path
from types import ModuleType

import pytest
from _support import asked_for

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent.parent / "bench" / "bench_mellea.py"

# Third-party warnings this group tolerates, each as narrowly as it can be named.
# Everything else stays an error (pyproject: filterwarnings = error).
THIRD_PARTY_WARNINGS: list[tuple[str, type[Warning]]] = [
    # torch.jit decorators used at import time by mellea's dependencies (torch 2.13).
    ("`torch.jit.script_method` is deprecated", DeprecationWarning),
]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path.resolve() != Path(__file__).resolve() and not asked_for(config, HERE):
        return True
    return None


def pytest_configure(config: pytest.Config) -> None:
    if asked_for(config, HERE):
        _load_bench()  # imports mellea, torch and transformers under the filters


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.mellea)
            for message, category in THIRD_PARTY_WARNINGS:
                rule = f"ignore:{message}:{category.__name__}"
                item.add_marker(pytest.mark.filterwarnings(rule))


def _load_bench() -> ModuleType:
    """bench/bench_mellea.py as a module: the tiny model and the workload, in one place.

    Imported under the warning filters above, from ``pytest_configure``: mellea, torch
    and transformers import here, before collection, where the test marks do not apply.
    """
    name = "bench_mellea"
    if name in sys.modules:
        return sys.modules[name]
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    spec = importlib.util.spec_from_file_location(name, BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with warnings.catch_warnings():
        for message, category in THIRD_PARTY_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category)
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    return _load_bench()


@pytest.fixture(scope="session")
def model_dir(bench: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = bench.build_tiny_model(tmp_path_factory.mktemp("tiny-llama"))
    return path
