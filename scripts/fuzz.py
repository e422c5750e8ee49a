#!/usr/bin/env python3
"""Long-running differential fuzzer: both implementations and an OrderedDict model.

    python scripts/fuzz.py --minutes 10            # from a venv with cylru installed
    python scripts/fuzz.py --seed 1234 --seeds 1   # replay one seed in this process
    python scripts/fuzz.py --minutes 10 --skip capacity   # leave out one hostile action

The engine is tests/_fuzzer.py (its docstring says what is checked, and why a seeded
driver rather than Hypothesis).  The parent process runs batches of seeds in child
processes, so an interpreter crash (a segfault is the bug this hunts) is caught,
reported with the seed that caused it and a command to replay it, and fuzzing goes
on with the next batch.  At the end it prints the operations run and the minutes, and
exits 1 if any seed failed.

Run it from a directory other than the repository root (or with the package
installed non-editable), so ``import cylru`` finds the built extension rather than
src/ - scripts/asan.sh and scripts/leaks.sh show the pattern.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import traceback
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent / "tests"


def _child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(TESTS))
    import _fuzzer

    impls = _fuzzer.load_impls(args.impl)
    skip = frozenset(args.skip)
    modes = tuple(args.modes)
    total = 0
    for seed in range(args.seed, args.seed + args.seeds):
        print(f"SEED {seed}", flush=True)
        try:
            total += _fuzzer.run_seed(seed, args.ops, impls, skip, modes)
        except Exception:
            print(f"FAIL {seed}", flush=True)
            traceback.print_exc(file=sys.stdout)
            sys.stdout.flush()
    print(f"OPS {total}", flush=True)
    return 0


def _replay_command(args: argparse.Namespace, seed: int) -> str:
    parts = [
        sys.executable,
        __file__,
        "--seed",
        str(seed),
        "--seeds",
        "1",
        "--inline",
        "--ops",
        str(args.ops),
    ]
    for s in args.skip:
        parts += ["--skip", s]
    for i in args.impl or []:
        parts += ["--impl", i]
    return " ".join(parts)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=0, help="run batches for this long")
    p.add_argument("--seed", type=int, default=None, help="first seed (default: from time)")
    p.add_argument("--seeds", type=int, default=40, help="seeds per batch (child process)")
    p.add_argument("--ops", type=int, default=400, help="operations per sequence")
    p.add_argument("--skip", action="append", default=[], help="hostile action to leave out")
    p.add_argument("--impl", action="append", choices=["c", "py"], help="default: both")
    p.add_argument("--modes", nargs="+", default=["lockstep", "hostile"])
    p.add_argument("--inline", action="store_true", help="run one batch in this process")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--failures", type=Path, default=None, help="append failing seeds here")
    args = p.parse_args()
    if args.seed is None:
        args.seed = int(time.time()) % 1_000_000 * 1000
    if args.child or args.inline:
        return _child(args)

    start = time.monotonic()
    deadline = start + args.minutes * 60
    total_ops = 0
    batches = 0
    failures: list[tuple[int, str]] = []
    seed = args.seed
    base = [sys.executable, __file__, "--child", "--ops", str(args.ops), "--modes", *args.modes]
    for s in args.skip:
        base += ["--skip", s]
    for i in args.impl or []:
        base += ["--impl", i]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    while True:
        proc = subprocess.run(
            [*base, "--seed", str(seed), "--seeds", str(args.seeds)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        batches += 1
        last_seed = seed
        ops_done = None
        lines = proc.stdout.splitlines()
        for line in lines:
            if line.startswith("SEED "):
                last_seed = int(line.split()[1])
            elif line.startswith("FAIL "):
                failures.append((int(line.split()[1]), "failed check"))
            elif line.startswith("OPS "):
                ops_done = int(line.split()[1])
        if ops_done is None:  # the child died: the last seed it started crashed it
            failures.append((last_seed, f"crashed (exit {proc.returncode})"))
            print(f"fuzz: seed {last_seed} crashed the interpreter (exit {proc.returncode})")
            print(proc.stderr[-3000:])
            print(f"fuzz: replay: {_replay_command(args, last_seed)}")
            # Count the completed seeds of this batch roughly, then skip the bad one.
            ops_done = 0
            seed = last_seed + 1
        else:
            seed += args.seeds
        if any(line.startswith("FAIL ") for line in lines):
            print("\n".join(lines[-60:]))
        total_ops += ops_done
        elapsed = time.monotonic() - start
        print(
            f"fuzz: batch {batches} done, {total_ops:,} operations in {elapsed / 60:.1f} min, "
            f"{len(failures)} failing seed(s)",
            flush=True,
        )
        if time.monotonic() >= deadline:
            break
    if args.failures and failures:
        with args.failures.open("a") as f:
            for s, why in failures:
                f.write(f"{s} {why}\n")
    elapsed = (time.monotonic() - start) / 60
    print(
        f"fuzz: TOTAL {total_ops:,} operations in {elapsed:.1f} minutes, "
        f"seeds {args.seed}..{seed - 1}, failures: {failures or 'none'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
