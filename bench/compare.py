#!/usr/bin/env python3
"""One table: cylru beside the dict floor, mellea's OrderedDict cache and the peers.

    python bench/compare.py                       # quick: 1,000 entries, well under a minute
    python bench/compare.py --full                # 1,000 and 1,000,000 entries, memory at 1M
    python bench/compare.py --full --markdown     # the README's table
    python bench/compare.py --impl cylru,lru-dict # some rows only (dict is always kept)
    python bench/compare.py --memoize [--markdown] # the memoize table (decorators; memoize.py)

Cells are median ns per operation and, in brackets, the ratio to the ``dict.get`` hit
of the same key type and size in the same run.  Each figure is the median of repeats
that go round-robin over the implementations (starting one further along each
repeat), so machine noise hits every row alike.  One measurement times a tight loop
of many operations with ``time.perf_counter_ns``, with the garbage collector paused as
``timeit`` does.  What is timed, and how, is in ``workloads.py``.

Memory is bytes per entry of the cache structure alone: a fresh subprocess per
implementation builds the keys (and the one shared value) first, reads its resident
set size, builds and fills the cache, and reads it again.  RSS rather than
``tracemalloc`` because tracemalloc only sees CPython's allocators and would miss the
Rust and C peers' own.  glibc's malloc is told to ``mmap`` every block of 64 KiB or
more (``MALLOC_MMAP_THRESHOLD_``) so that tables freed while growing go back to the OS
instead of staying resident.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import memoize
import workloads as wl

KEYTYPES = ("str", "int")
# size -> operations per timed call
OPS_PER_CALL = {1_000: 5_000, 1_000_000: 100_000}
MODES = {
    # sizes, repeats per size, entries in the memory probe
    "quick": {"sizes": (1_000,), "repeats": {1_000: 25}, "memory": 100_000},
    "full": {
        "sizes": (1_000, 1_000_000),
        "repeats": {1_000: 51, 1_000_000: 9},
        "memory": 1_000_000,
    },
}

Results = dict[tuple[str, int, str, str], float]  # (keytype, size, impl id, op) -> ns/op


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Timing


_retried = [0, 0]  # [measurements retried, measurements]


def measure(case: wl.Case, attempts: int = 4) -> float:
    """ns per operation of one measurement.

    Wall time (``perf_counter_ns``) is what counts; the thread's CPU time only tells
    whether the OS took the CPU away mid-loop, in which case the sample is taken again
    (keeping the fastest attempt if every one was disturbed).
    """
    best = float("inf")
    _retried[1] += 1
    for attempt in range(attempts):
        wall = cpu = 0
        for _ in range(case.chunks):
            args = case.setup()
            cpu_start = time.thread_time_ns()
            start = time.perf_counter_ns()
            case.run(*args)
            wall += time.perf_counter_ns() - start
            cpu += time.thread_time_ns() - cpu_start
        ns = wall / (case.ops * case.chunks)
        if wall <= cpu * 1.02 + 20_000:
            return ns
        _retried[0] += attempt == 0
        best = min(best, ns)
    return best


def time_all(impls: list[wl.Impl], sizes: tuple[int, ...], repeats: dict[int, int]) -> Results:
    """Each (key type, size) block builds all its caches first; then every repeat runs
    every operation over every row.  One figure's repeats are thus spread over the
    whole block, and a burst of load from elsewhere spoils a few samples, not a median."""
    results: Results = {}
    for keytype in KEYTYPES:
        for size in sizes:
            log(f"{keytype} keys, {size:,} entries: building keys and caches")
            workload = wl.Workload(keytype, size, OPS_PER_CALL[size])
            cases: dict[str, dict[str, wl.Case]] = {i.id: {} for i in impls}
            for state in wl.STATES:
                for impl in impls:
                    cases[impl.id].update(wl.build_state(impl, workload, state))
            rows = {
                op: [(i.id, cases[i.id][op]) for i in impls if op in cases[i.id]]
                for op in wl.OPERATIONS
            }
            samples: dict[tuple[str, str], list[float]] = {
                (op, impl_id): [] for op, row in rows.items() for impl_id, _ in row
            }
            log(f"  timing {len(samples)} figures x {repeats[size]} repeats")
            gc.collect()
            gc.disable()
            try:
                for row in rows.values():
                    for _, case in row:
                        measure(case)  # warm-up: specialise, fault pages in
                for r in range(repeats[size]):
                    for op, row in rows.items():
                        turn = r % len(row)
                        for impl_id, case in row[turn:] + row[:turn]:
                            samples[op, impl_id].append(measure(case))
            finally:
                gc.enable()
            for (op, impl_id), values in samples.items():
                results[keytype, size, impl_id, op] = statistics.median(values)
            del cases, rows
            gc.collect()
    return results


# --------------------------------------------------------------------------------------
# Memory


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def memory_child(impl_id: str, keytype: str, count: int) -> None:
    """Runs in a fresh interpreter: print the cache structure's bytes per entry."""
    impls, _ = wl.load_impls()
    impl = next(i for i in impls if i.id == impl_id)
    keys = wl.make_keys(keytype, count)
    warm = impl.make(8)  # import and initialise everything before the first reading
    wl._fill(impl, warm, keys[:16])
    del warm
    gc.collect()
    before = _rss_bytes()
    cache = impl.make(count)
    wl._fill(impl, cache, keys)
    gc.collect()
    after = _rss_bytes()
    assert len(cache.cache if impl.id == "mellea" else cache) == count
    print((after - before) / count)


def memory_all(impls: list[wl.Impl], count: int) -> dict[tuple[str, str], float]:
    if not Path("/proc/self/statm").exists():
        log("memory: skipped (needs Linux /proc to read the resident set size)")
        return {}
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_="65536")
    out: dict[tuple[str, str], float] = {}
    for keytype in KEYTYPES:
        log(f"memory: {count:,} {keytype} keys, one subprocess per implementation")
        for impl in impls:
            argv = [sys.executable, __file__, "--memory-child", impl.id, keytype, str(count)]
            proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
            out[keytype, impl.id] = float(proc.stdout.strip())
    return out


# --------------------------------------------------------------------------------------
# The table


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_run(mode: str, repeats: dict[int, int], load: float) -> str:
    versions = ", ".join(f"{name} {v}" for name, v in wl.peer_versions().items())
    reps = ", ".join(f"{n} at {size:,}" for size, n in repeats.items())
    ops = ", ".join(f"{n:,} at {size:,}" for size, n in OPS_PER_CALL.items() if size in repeats)
    return (
        f"CPU: {cpu_model()}; {platform.python_implementation()} {platform.python_version()}"
        f" on {platform.system()}; {versions or 'no peers installed'}; load average"
        f" {load:.1f} on {os.cpu_count()} CPUs at the start. "
        f"Mode {mode}: median of {reps} interleaved repeats; operations per timed loop: {ops}."
    )


def render(
    impls: list[wl.Impl],
    results: Results,
    memory: dict[tuple[str, str], float],
    memory_count: int,
    sizes: tuple[int, ...],
    markdown: bool,
) -> str:
    ops = list(wl.OPERATIONS)
    header = ["implementation", *wl.OPERATIONS.values()]
    if memory:
        header.append(f"bytes/entry @{memory_count:,}")
    rows: list[list[str] | str] = []  # a str is a section title
    for keytype in KEYTYPES:
        for size in sizes:
            floor = results.get((keytype, size, wl.FLOOR_ID, "get_hit"))
            if floor is None:
                continue
            rows.append(f"{keytype} keys, {size:,} entries")
            for impl in impls:
                row = [impl.label]
                for op in ops:
                    ns = results.get((keytype, size, impl.id, op))
                    row.append("—" if ns is None else f"{ns:.0f} ({ns / floor:.2f})")
                if memory:
                    # memory belongs with the largest size measured, once per key type
                    mem = memory.get((keytype, impl.id))
                    row.append(f"{mem:.0f}" if mem is not None and size == sizes[-1] else "")
                rows.append(row)

    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---" + "|---:" * (len(header) - 1) + "|"]
        for row in rows:
            if isinstance(row, str):
                lines.append(f"| **{row}** |" + " |" * (len(header) - 1))
            else:
                lines.append("| " + " | ".join(row) + " |")
        return "\n".join(lines)

    cells = [header] + [r for r in rows if not isinstance(r, str)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        return "  ".join([first] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)])

    out = [line(header)]
    for row in rows:
        if isinstance(row, str):
            out.append(f"-- {row} ".ljust(sum(widths) + 2 * (len(widths) - 1), "-"))
        else:
            out.append(line(row))
    return "\n".join(out)


# --------------------------------------------------------------------------------------
# The memoize table: decorators, not mappings (bench/memoize.py says what is timed)

# (operation, cylru's label, the reference's label, the bound on the ratio)
MEMOIZE_TARGETS = [
    ("hit1", "cylru.lru_cache", "functools.lru_cache", "<=", 0.8),
    ("hit3", "cylru.lru_cache", "functools.lru_cache", "<=", 1.0),
    ("miss", "cylru.lru_cache", "functools.lru_cache", "<=", 1.0),
    ("hit1", "cylru.cached(LRUCache)", "cylru.lru_cache", "<=", 1.2),
    ("hit1", "cylru.cached(LRUCache)", "cachebox.cached", "<=", 0.2),
    ("hit1", "cylru.cached(LRUCache)", "cachetools.cached", "<=", 0.2),
    ("ahit", "cylru.alru_cache", "async-lru alru_cache", "<=", 0.5),
]


def memoize_table(repeats: int, markdown: bool) -> str:
    """Time every memoizer on every operation, interleaved, and render one table."""
    log("memoize: building the memoized functions")
    cases, skipped = memoize.build_cases()
    rows = {op: list(by_label.items()) for op, by_label in cases.items()}
    samples: dict[tuple[str, str], list[float]] = {
        (op, label): [] for op, row in rows.items() for label, _ in row
    }
    log(f"memoize: timing {len(samples)} figures x {repeats} repeats")
    gc.collect()
    gc.disable()
    try:
        for row in rows.values():
            for _, case in row:
                measure(case)  # warm-up
        for r in range(repeats):
            for op, row in rows.items():
                turn = r % len(row)
                for label, case in row[turn:] + row[:turn]:
                    samples[op, label].append(measure(case))
    finally:
        gc.enable()
    ns = {key: statistics.median(values) for key, values in samples.items()}
    floor = ns["hit1", memoize.FLOOR]
    labels = list(dict.fromkeys(label for row in rows.values() for label, _ in row))
    header = ["memoizer", *memoize.OPERATIONS.values()]
    body = []
    for label in labels:
        cells = [label]
        for op in memoize.OPERATIONS:
            value = ns.get((op, label))
            cells.append("—" if value is None else f"{value:.0f} ({value / floor:.2f})")
        body.append(cells)
    checks = []
    for op, ours, theirs, _, bound in MEMOIZE_TARGETS:
        if (op, ours) in ns and (op, theirs) in ns:
            ratio = ns[op, ours] / ns[op, theirs]
            verdict = "met" if ratio <= bound else "NOT met"
            checks.append(
                f"{ours} / {theirs}, {memoize.OPERATIONS[op]}: {ratio:.2f}"
                f" (target <= {bound}: {verdict})"
            )
    versions = ", ".join(f"{name} {v}" for name, v in memoize.peer_versions().items())
    about = (
        f"CPU: {cpu_model()}; {platform.python_implementation()} {platform.python_version()}"
        f" on {platform.system()}; {versions or 'no peers installed'}; median of {repeats}"
        f" interleaved repeats of {memoize.OPS:,} calls; ns per call (ratio to dict.get hit)."
        f" Keys: {len(memoize.KEYS):,} distinct ints, maxsize {memoize.MAXSIZE:,}."
    )
    notes = checks + [f"skipped {why}" for why in skipped]
    if markdown:
        lines = [about, "", "| " + " | ".join(header) + " |"]
        lines.append("|---" + "|---:" * (len(header) - 1) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join([*lines, "", *(f"- {n}" for n in notes)])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    text = [about, ""]
    for cells in [header, *body]:
        text.append(
            "  ".join(
                [cells[0].ljust(widths[0])]
                + [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
            )
        )
    return "\n".join([*text, "", *notes])


# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--quick",
        dest="mode",
        action="store_const",
        const="quick",
        help="1,000 entries, fewer repeats, memory at 100,000 (default)",
    )
    mode.add_argument(
        "--full",
        dest="mode",
        action="store_const",
        const="full",
        help="1,000 and 1,000,000 entries, memory at 1,000,000",
    )
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument(
        "--impl",
        help="comma-separated ids to keep (dict is always kept): "
        "cylru, cylru-simple, cylru-py, mellea, odict, lru-dict, cachebox, "
        "cachetools",
    )
    parser.add_argument("--repeats", type=int, help="repeats per figure (overrides the mode)")
    parser.add_argument("--no-memory", action="store_true", help="skip the memory probe")
    parser.add_argument(
        "--memoize",
        action="store_true",
        help="the memoize table instead: lru_cache, cached, alru_cache beside their peers",
    )
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child:
        impl_id, keytype, count = args.memory_child
        memory_child(impl_id, keytype, int(count))
        return 0

    if args.memoize:
        print(memoize_table(args.repeats or 25, args.markdown))
        return 0

    settings = MODES[args.mode or "quick"]
    sizes: tuple[int, ...] = settings["sizes"]
    repeats = {size: args.repeats or settings["repeats"][size] for size in sizes}

    impls, skipped = wl.load_impls()
    if args.impl:
        wanted = {s.strip() for s in args.impl.split(",")} | {wl.FLOOR_ID}
        known = {i.id for i in impls} | {sid for sid, _ in skipped}
        if unknown := wanted - known:
            parser.error(f"unknown --impl {', '.join(sorted(unknown))}; known: {sorted(known)}")
        impls = [i for i in impls if i.id in wanted]
        skipped = [(sid, why) for sid, why in skipped if sid in wanted]
    for impl in impls:
        wl.check_impl(impl)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    started = time.perf_counter()
    results = time_all(impls, sizes, repeats)
    memory = {} if args.no_memory else memory_all(impls, settings["memory"])
    log(
        f"done in {time.perf_counter() - started:.0f} s; {_retried[0]} of {_retried[1]}"
        " measurements were disturbed by other processes and taken again"
    )

    table = render(impls, results, memory, settings["memory"], sizes, args.markdown)
    about = describe_run(args.mode or "quick", repeats, load)
    notes = [f"skipped {sid}: {why}" for sid, why in skipped]
    if args.markdown:
        print(about + "\n")
        print(table)
        if notes:
            print("\n" + "\n".join(f"- {n}" for n in notes))
    else:
        print(about)
        print("ns/op (ratio to dict.get hit, same key type and size)\n")
        print(table)
        for n in notes:
            print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
