"""Short run of the differential fuzzer (tests/_fuzzer.py; the long run is scripts/fuzz.py).

Lockstep: benign keys and awkward callbacks, each implementation against the OrderedDict
model (so the two agree with each other through it).  Hostile: evil keys and re-entrant
callbacks, consistency after every operation; run in a subprocess, so an interpreter
crash fails this test with its seed instead of ending the whole run.
CYLRU_FUZZ_SEEDS=N runs N seeds instead of the default few.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import _fuzzer
import pytest

SEEDS = int(os.environ.get("CYLRU_FUZZ_SEEDS", "20"))
OPS = 300
HERE = Path(__file__).resolve().parent


def test_fuzz_lockstep_against_model(impl: ModuleType) -> None:
    for seed in range(SEEDS):
        try:
            _fuzzer.run_lockstep(random.Random(seed), OPS, {impl.__name__: impl})
        except _fuzzer.FuzzFailure as exc:
            pytest.fail(f"seed {seed}: {exc}")


@pytest.mark.no_refcount_check  # the work happens in a subprocess
def test_fuzz_hostile_keys_and_callbacks(impl: ModuleType) -> None:
    code = (
        "import random, sys, _fuzzer, importlib\n"
        f"mod = importlib.import_module({impl.__name__!r})\n"
        f"for seed in range({SEEDS}):\n"
        "    print('seed', seed, flush=True)\n"
        f"    _fuzzer.run_hostile(random.Random(seed), {OPS}, mod)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), *sys.path[1:]])}
    proc = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", code],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    last = proc.stdout.strip().splitlines()[-1:] or ["(none)"]
    assert proc.returncode == 0, (
        f"exit {proc.returncode} at {last[0]} ({impl.__name__})\n{proc.stderr[-3000:]}"
    )
