"""Type checkers read cylru's API as a user's code meets it (docs/contract.md section 3).

``user_program.py`` uses the whole API and must check clean under ``mypy --strict`` and
pyright in strict mode, and run on both cores.  ``mistakes.py`` holds mistakes marked
``# expect: mypy=CODE pyright=RULE``; each checker must report exactly those, so a type
that lets a mistake through (a one-argument ``on_evict`` on ``LRUCache``, a weigher
returning ``str``, ``Any`` from a view) fails here.  ``pyright --verifytypes`` must find
every public symbol fully typed.

The checkers run on copies of the programs in a temporary directory, against the
installed cylru, never src/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cylru

HERE = Path(__file__).resolve().parent
CYLRU_DIR = Path(cylru.__file__).resolve().parent
PROGRAMS = ("user_program.py", "mistakes.py")
EXPECT = re.compile(r"^\s*# expect:(?P<codes>.*)$")
MYPY_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z0-9-]+)\]$")

Findings = set[tuple[str, int, str]]


def _environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}


def _pyright_environ(workdir: Path) -> dict[str, str]:
    # pyright finds packages through the first python on PATH (with --pythonpath,
    # --verifytypes finds nothing): put one there that runs this interpreter.
    shim = workdir / "bin"
    if not shim.exists():
        shim.mkdir()
        for name in ("python", "python3"):  # pyright looks for either
            python = shim / name
            python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
            python.chmod(0o755)
    environ = _environ()
    environ["PATH"] = os.pathsep.join([str(shim), environ.get("PATH", "")])
    environ.pop("VIRTUAL_ENV", None)
    return environ


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("typing")
    for name in PROGRAMS:
        shutil.copy2(HERE / name, work / name)
    (work / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "strict"}))
    return work


def expected(checker: str) -> Findings:
    """The ``# expect:`` marks of mistakes.py for one checker: (file, line, code).

    A mark names the errors of the line after it.
    """
    found: Findings = set()
    lines = (HERE / "mistakes.py").read_text().splitlines()
    for number, text in enumerate(lines, start=1):
        match = EXPECT.search(text)
        if match is None:
            continue
        for word in match.group("codes").split():
            name, _, codes = word.partition("=")
            if name == checker:
                found |= {("mistakes.py", number + 1, code) for code in codes.split(",")}
    return found


@pytest.fixture(scope="module")
def mypy_findings(workdir: Path) -> Findings:
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "mypy", "--strict", "--no-incremental"),
            *("--no-color-output", "--no-error-summary", "--hide-error-context", *PROGRAMS),
        ],
        cwd=workdir,
        env=_environ(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    found: Findings = set()
    for line in proc.stdout.splitlines():
        match = MYPY_LINE.match(line)
        if match is not None:
            found.add((Path(match["file"]).name, int(match["line"]), match["code"]))
        else:
            assert ": note: " in line, f"unparsed mypy output: {line!r}"
    return found


def _pyright(workdir: Path, *args: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "pyright", "--outputjson", *args],
        cwd=workdir,
        env=_pyright_environ(workdir),
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright gave no report (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return report


@pytest.fixture(scope="module")
def pyright_findings(workdir: Path) -> Findings:
    report = _pyright(workdir, *PROGRAMS)
    return {
        (Path(d["file"]).name, d["range"]["start"]["line"] + 1, d.get("rule", d["message"]))
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    }


def test_mistakes_file_marks_mistakes() -> None:
    # The check below can only fail usefully if there is something to find.
    assert len(expected("mypy")) >= 15
    assert len(expected("pyright")) == len(expected("mypy"))


def test_mypy_strict_accepts_the_user_program(mypy_findings: Findings) -> None:
    errors = sorted(f for f in mypy_findings if f[0] == "user_program.py")
    assert not errors, f"mypy --strict rejects the user program: {errors}"


def test_mypy_reports_each_mistake(mypy_findings: Findings) -> None:
    got = {f for f in mypy_findings if f[0] == "mistakes.py"}
    want = expected("mypy")
    assert not want - got, f"mistakes mypy let through: {sorted(want - got)}"
    assert not got - want, f"errors mistakes.py does not expect: {sorted(got - want)}"


def test_pyright_strict_accepts_the_user_program(pyright_findings: Findings) -> None:
    errors = sorted(f for f in pyright_findings if f[0] == "user_program.py")
    assert not errors, f"pyright (strict) rejects the user program: {errors}"


def test_pyright_reports_each_mistake(pyright_findings: Findings) -> None:
    got = {f for f in pyright_findings if f[0] == "mistakes.py"}
    want = expected("pyright")
    assert not want - got, f"mistakes pyright let through: {sorted(want - got)}"
    assert not got - want, f"errors mistakes.py does not expect: {sorted(got - want)}"


def test_pyright_verifytypes_complete(workdir: Path) -> None:
    report = _pyright(workdir, "--verifytypes", "cylru", "--ignoreexternal")
    completeness = report["typeCompleteness"]
    problems = [
        f"{symbol['name']}: {d['message']}"
        for symbol in completeness["symbols"]
        for d in symbol["diagnostics"]
        if d["severity"] == "error"
    ]
    # The cylru that this interpreter imports (the installed one in CI), not another.
    assert Path(completeness["packageRootDirectory"]) == CYLRU_DIR, completeness
    assert not problems, "\n".join(problems)
    assert completeness["completenessScore"] == 1.0


@pytest.mark.parametrize(
    "core",
    [pytest.param("cython", marks=pytest.mark.needs_core), "python"],
)
def test_user_program_runs(core: str, workdir: Path) -> None:
    environ = _environ()
    environ.pop("CYLRU_NO_EXTENSIONS", None)
    if core == "python":
        environ["CYLRU_NO_EXTENSIONS"] = "1"
    out = subprocess.run(
        [sys.executable, "user_program.py"],
        cwd=workdir,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == f"user program ran on the {core} core"
