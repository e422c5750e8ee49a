#!/usr/bin/env python3
"""The CPythons cylru supports, read from their one list: ``[tool.cibuildwheel] build``.

    python scripts/pythons.py --check          # classifiers and requires-python agree with it
    python scripts/pythons.py --github-output  # matrices for the workflows ($GITHUB_OUTPUT)
    python scripts/pythons.py --wheel-count    # binary wheels + the pure one a release holds

The build selector in pyproject.toml names every CPython we ship wheels for (``cp315-*``,
``cp315t-*``).  The CI test matrix, the release check's promised identifiers and the
expected wheel count are computed from it here; the version classifiers and
``requires-python`` are static metadata, so ``--check`` fails when they disagree with it.
Python >= 3.11 (tomllib).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"
SELECTOR = re.compile(r"^cp3(\d+)(t?)-\*$")
FREE_THREADING = "Programming Language :: Python :: Free Threading :: "
# Where cibuildwheel builds on each platform, per arch in [tool.cibuildwheel.<platform>]:
# Linux builds one wheel per libc (manylinux and musllinux).
PLATFORM_TAGS = {
    "linux": ("manylinux_{arch}", "musllinux_{arch}"),
    "macos": ("macosx_{arch}",),
    "windows": ("win_{arch}",),
}


@dataclass(frozen=True)
class Python:
    minor: int
    free_threaded: bool

    @property
    def tag(self) -> str:
        """cibuildwheel's prefix: ``cp315t``."""
        return f"cp3{self.minor}{'t' if self.free_threaded else ''}"

    @property
    def version(self) -> str:
        """actions/setup-python's spelling: ``3.15t``."""
        return f"3.{self.minor}{'t' if self.free_threaded else ''}"


def load(path: Path = PYPROJECT) -> dict:  # type: ignore[type-arg]
    with path.open("rb") as f:
        return tomllib.load(f)


def supported(pyproject: dict | None = None) -> list[Python]:  # type: ignore[type-arg]
    """The CPythons in the build selector, GIL builds first, each group oldest first."""
    pyproject = load() if pyproject is None else pyproject
    selector: str = pyproject["tool"]["cibuildwheel"]["build"]
    found = []
    for word in selector.split():
        match = SELECTOR.match(word)
        if match is None:
            raise ValueError(f"[tool.cibuildwheel] build: {word!r} is not of the form cp3XY[t]-*")
        found.append(Python(int(match.group(1)), match.group(2) == "t"))
    return sorted(found, key=lambda p: (p.free_threaded, p.minor))


def platforms(pyproject: dict | None = None) -> dict[str, list[str]]:  # type: ignore[type-arg]
    """Platform tags per cibuildwheel platform, from the archs in [tool.cibuildwheel.*]."""
    pyproject = load() if pyproject is None else pyproject
    cibw = pyproject["tool"]["cibuildwheel"]
    return {
        platform: [
            tag.format(arch=arch.lower()) for arch in cibw[platform]["archs"] for tag in templates
        ]
        for platform, templates in PLATFORM_TAGS.items()
    }


def identifiers(pyproject: dict | None = None) -> dict[str, set[str]]:  # type: ignore[type-arg]
    """What ``cibuildwheel --print-build-identifiers --platform P`` must print, per P."""
    pyproject = load() if pyproject is None else pyproject
    pythons = supported(pyproject)
    return {
        platform: {f"{p.tag}-{tag}" for p in pythons for tag in tags}
        for platform, tags in platforms(pyproject).items()
    }


def wheel_count(pyproject: dict | None = None) -> int:  # type: ignore[type-arg]
    """Binary wheels of a release plus the pure one."""
    return sum(len(ids) for ids in identifiers(pyproject).values()) + 1


def problems(pyproject: dict | None = None) -> list[str]:  # type: ignore[type-arg]
    """Where the static metadata disagrees with the build selector."""
    pyproject = load() if pyproject is None else pyproject
    pythons = supported(pyproject)
    classifiers: list[str] = pyproject["project"]["classifiers"]
    listed = {
        c.rsplit(" :: ", 1)[1]
        for c in classifiers
        if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    }
    wanted = {p.version for p in pythons if not p.free_threaded}
    found = []
    if listed != wanted:
        found.append(f"version classifiers {sorted(listed)} != build selector {sorted(wanted)}")
    has_ft_classifier = any(c.startswith(FREE_THREADING) for c in classifiers)
    has_ft_build = any(p.free_threaded for p in pythons)
    if has_ft_classifier != has_ft_build:
        found.append(
            f"free-threading classifier present: {has_ft_classifier}, "
            f"free-threaded builds selected: {has_ft_build}"
        )
    oldest = min(p.minor for p in pythons)
    requires = pyproject["project"]["requires-python"]
    if requires != f">=3.{oldest}":
        found.append(f"requires-python {requires!r} != '>=3.{oldest}' (oldest selected)")
    return found


def github_output() -> dict[str, str]:
    """Matrices for the workflows: every CPython, and the oldest/newest/newest free-threaded."""
    pythons = supported()
    gil = [p for p in pythons if not p.free_threaded]
    ft = [p for p in pythons if p.free_threaded]
    ends = [gil[0], gil[-1], *ft[-1:]]
    return {
        "all": json.dumps([p.version for p in pythons]),
        "ends": json.dumps([p.version for p in ends]),
        "wheels": str(wheel_count()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true", help="metadata agrees with the list")
    group.add_argument("--github-output", action="store_true", help="write $GITHUB_OUTPUT")
    group.add_argument("--wheel-count", action="store_true", help="print the expected count")
    group.add_argument("--list", action="store_true", help="print the versions, one a line")
    args = parser.parse_args(argv)
    if args.check:
        found = problems()
        for problem in found:
            print(f"pythons: {problem}", file=sys.stderr)
        if not found:
            print(f"pythons: metadata agrees with {' '.join(p.tag for p in supported())}")
        return 1 if found else 0
    if args.github_output:
        lines = [f"{key}={value}" for key, value in github_output().items()]
        print("\n".join(lines))
        target = os.environ.get("GITHUB_OUTPUT")
        if target:
            with open(target, "a", encoding="utf-8") as out:
                out.write("\n".join(lines) + "\n")
        return 0
    if args.wheel_count:
        print(wheel_count())
        return 0
    print("\n".join(p.version for p in supported()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
