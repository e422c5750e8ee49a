"""pytest-benchmark set-up: rows, key types and sizes as fixtures, and a per-op summary.

    pytest bench/                                  # everything (1,000,000 entries take minutes)
    pytest bench/ --bench-size 1000                # the small caches only
    pytest bench/ -k "cylru and get_hit"           # a slice

bench/ is not in ``testpaths``: plain ``pytest`` never runs it.  The ``impl``, ``keytype``
and ``size`` fixtures are module-scoped, so pytest groups the tests by them and every
cache is built once per (implementation, key type, size), outside the timed part.
pytest-benchmark's own table shows time per round (one round loops over many keys);
the summary printed at the end divides by the operations per round: ns per operation
and the ratio to ``dict.get`` hit of the same key type and size.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workloads as wl

IMPLS, SKIPPED = wl.load_impls()
ALL_IDS = [i.id for i in IMPLS] + [sid for sid, _ in SKIPPED]
SIZES = (1_000, 1_000_000)
OPS_PER_ROUND = {1_000: 10_000, 1_000_000: 100_000}
ROUNDS = {1_000: 30, 1_000_000: 5}

# (keytype, size, impl id, op) -> ns per operation, for the summary
RESULTS: dict[tuple[str, int, str, str], float] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--bench-size",
        action="append",
        type=int,
        choices=SIZES,
        help="cache size to benchmark (repeatable; default: all)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "size" in metafunc.fixturenames:
        sizes = metafunc.config.getoption("bench_size") or SIZES
        metafunc.parametrize("size", sizes, ids=[f"{s:_}" for s in sizes], scope="module")


@pytest.fixture(scope="module", params=ALL_IDS)
def impl(request: pytest.FixtureRequest) -> wl.Impl:
    for candidate in IMPLS:
        if candidate.id == request.param:
            wl.check_impl(candidate)
            return candidate
    pytest.skip(f"{request.param}: " + dict(SKIPPED)[request.param])


@pytest.fixture(scope="module", params=["str", "int"])
def keytype(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


_workloads: dict[tuple[str, int], wl.Workload] = {}


@pytest.fixture(scope="module")
def workload(keytype: str, size: int) -> wl.Workload:
    key = (keytype, size)
    if key not in _workloads:
        _workloads.clear()  # keep one set of keys alive, not all of them
        _workloads[key] = wl.Workload(keytype, size, OPS_PER_ROUND[size])
    return _workloads[key]


class Suite:
    """The caches of one (implementation, key type, size), built when first needed."""

    def __init__(self, impl: wl.Impl, workload: wl.Workload) -> None:
        self.impl = impl
        self.workload = workload
        self._cases: dict[str, wl.Case] = {}
        self._built: set[str] = set()

    def run(self, benchmark: Any, op: str) -> None:
        if not wl.supports(self.impl, op):
            pytest.skip(f"{self.impl.label} has no {wl.OPERATIONS[op]}")
        state = next(s for s in wl.STATES if op in wl.operations_on(s))
        if state not in self._built:
            self._cases.update(wl.build_state(self.impl, self.workload, state))
            self._built.add(state)
        case = self._cases[op]
        w = self.workload
        benchmark.group = f"{wl.OPERATIONS[op]}, {w.keytype} keys, {w.size:_} entries"
        benchmark.extra_info["ops_per_round"] = case.ops
        benchmark.pedantic(
            case.run,
            setup=lambda: (case.setup(), {}),
            rounds=ROUNDS[w.size] * case.chunks,
            warmup_rounds=1,
        )
        if benchmark.stats is not None:  # None under --benchmark-disable
            ns = benchmark.stats.stats.median / case.ops * 1e9
            benchmark.extra_info["ns_per_op"] = round(ns, 2)
            RESULTS[w.keytype, w.size, self.impl.id, op] = ns


@pytest.fixture(scope="module")
def suite(impl: wl.Impl, workload: wl.Workload) -> Suite:
    return Suite(impl, workload)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    write = terminalreporter.write_line
    terminalreporter.section("ns per operation (median; ratio to dict.get hit)")
    ops = list(wl.OPERATIONS)
    width = max(len(i.label) for i in IMPLS)
    for keytype, size in sorted({(k, s) for k, s, _, _ in RESULTS}, key=lambda t: (t[1], t[0])):
        floor = RESULTS.get((keytype, size, wl.FLOOR_ID, "get_hit"))
        write(f"{keytype} keys, {size:,} entries")
        write(" " * width + "".join(f"{wl.OPERATIONS[op]:>14}" for op in ops))
        for impl in IMPLS:
            cells = []
            for op in ops:
                ns = RESULTS.get((keytype, size, impl.id, op))
                if ns is None:
                    cells.append(f"{'—':>14}")
                elif floor:
                    cells.append(f"{f'{ns:.0f} ({ns / floor:.2f})':>14}")
                else:
                    cells.append(f"{ns:>14.0f}")
            if any(c.strip() != "—" for c in cells):
                write(impl.label.ljust(width) + "".join(cells))
