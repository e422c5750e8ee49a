#!/usr/bin/env python3
"""Check what cylru's sdist and wheels contain.

    python scripts/check_dist.py dist/*.tar.gz wheelhouse/*.whl [--expect-wheels N]

The sdist must carry the Cython source and the test suite (cibuildwheel builds and
tests every wheel from it), ``examples/`` (``tests/kv`` loads it) and nothing
generated: no ``.c``, ``.html``, ``.so``.  A compiled wheel must carry exactly one
each of the ``cylru._lru_c`` and ``cylru._memo_c`` extensions; the pure wheel
(``py3-none-any``) none.  Every artifact
carries ``LICENSE`` and PEP 639 metadata (``License-Expression: MIT``, no
``License ::`` classifier).  Used by ``scripts/release_check.py`` and by CI.
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
import zipfile
from pathlib import Path

GENERATED = (".c", ".html", ".so", ".pyd", ".dylib", ".pyc", ".pyo")
SDIST_REQUIRED = (
    "PKG-INFO",
    "pyproject.toml",
    "setup.py",
    "README.md",
    "CHANGELOG.md",
    "LICENSE",
    "examples/hf_prefix_cache.py",
    "src/cylru/__init__.py",
    "src/cylru/_lru.py",
    "src/cylru/_lru_py.py",
    "src/cylru/_lru_c.pyx",
    "src/cylru/_memo_py.py",
    "src/cylru/_memo_c.pyx",
    "src/cylru/py.typed",
    "tests/conftest.py",
)
WHEEL_REQUIRED = (
    "cylru/__init__.py",
    "cylru/_lru.py",
    "cylru/_lru_py.py",
    "cylru/_memo.py",
    "cylru/_memo_py.py",
    "cylru/py.typed",
)
WHEEL_LICENSE = re.compile(r"^cylru-[^/]+\.dist-info/licenses/LICENSE$")
EXTENSION_MODULES = ("_lru_c", "_memo_c")
EXTENSION = re.compile(r"^cylru/(_lru_c|_memo_c)(\.[^/]*)?\.(so|pyd)$")


def check_sdist(path: Path) -> list[str]:
    with tarfile.open(path) as tar:
        names = [m.name for m in tar.getmembers() if m.isfile()]
    roots = {name.split("/", 1)[0] for name in names}
    if len(roots) != 1:
        return [f"{path.name}: expected one top-level directory, found {sorted(roots)}"]
    (root,) = roots
    rel = {name.split("/", 1)[1] for name in names if "/" in name}
    problems = [f"{path.name}: missing {want}" for want in SDIST_REQUIRED if want not in rel]
    if "PKG-INFO" in rel:
        with tarfile.open(path) as tar:
            member = tar.extractfile(f"{root}/PKG-INFO")
            assert member is not None
            problems += _metadata_problems(path.name, member.read().decode())
    problems += [f"{path.name}: generated file {name}" for name in sorted(rel) if _generated(name)]
    problems += [f"{path.name}: {name}" for name in sorted(rel) if "__pycache__" in name]
    if not any(name.startswith("tests/test_") for name in rel):
        problems.append(f"{path.name}: no tests/test_*.py")
    if not root.startswith("cylru-"):
        problems.append(f"{path.name}: top-level directory {root!r}")
    return problems


def check_wheel(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as whl:
        names = whl.namelist()
    problems = [f"{path.name}: missing {want}" for want in WHEEL_REQUIRED if want not in names]
    if not any(WHEEL_LICENSE.match(name) for name in names):
        problems.append(f"{path.name}: missing cylru-*.dist-info/licenses/LICENSE")
    metadata = [name for name in names if re.match(r"^cylru-[^/]+\.dist-info/METADATA$", name)]
    if len(metadata) != 1:
        problems.append(f"{path.name}: expected one dist-info/METADATA, found {metadata}")
    else:
        with zipfile.ZipFile(path) as whl:
            problems += _metadata_problems(path.name, whl.read(metadata[0]).decode())
    extensions = [name for name in names if EXTENSION.match(name)]
    pure = path.name.endswith("-py3-none-any.whl")
    if pure and extensions:
        problems.append(f"{path.name}: pure wheel contains {extensions}")
    if not pure:
        for module in EXTENSION_MODULES:
            found = [name for name in extensions if name.startswith(f"cylru/{module}.")]
            if len(found) != 1:
                problems.append(f"{path.name}: expected one compiled cylru.{module}, found {found}")
    stray = [n for n in names if _generated(n) and not EXTENSION.match(n)]
    problems += [f"{path.name}: generated file {name}" for name in stray]
    if any(name.startswith(("tests/", "src/")) for name in names):
        problems.append(f"{path.name}: ships tests/ or src/")
    return problems


def _metadata_problems(where: str, text: str) -> list[str]:
    """PEP 639: an SPDX licence expression and the licence file, no licence classifier."""
    headers = text.split("\n\n", 1)[0].splitlines()
    problems = []
    if "License-Expression: MIT" not in headers:
        problems.append(f"{where}: metadata lacks License-Expression: MIT")
    if "License-File: LICENSE" not in headers:
        problems.append(f"{where}: metadata lacks License-File: LICENSE")
    problems += [
        f"{where}: metadata has {line!r} (PEP 639: the expression replaces it)"
        for line in headers
        if line.startswith(("Classifier: License ::", "License: "))
    ]
    return problems


def _generated(name: str) -> bool:
    return name.endswith(GENERATED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dists", nargs="+", type=Path)
    parser.add_argument(
        "--expect-wheels", type=int, help="fail unless exactly this many wheels are given"
    )
    args = parser.parse_args(argv)
    problems: list[str] = []
    wheels = 0
    for path in args.dists:
        if path.name.endswith(".tar.gz"):
            problems += check_sdist(path)
        elif path.suffix == ".whl":
            wheels += 1
            problems += check_wheel(path)
        else:
            problems.append(f"{path}: neither an sdist nor a wheel")
    if args.expect_wheels is not None and wheels != args.expect_wheels:
        problems.append(f"expected {args.expect_wheels} wheels, got {wheels}")
    for problem in problems:
        print(f"check_dist: {problem}", file=sys.stderr)
    if not problems:
        print(f"check_dist: {len(args.dists)} distribution(s) OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
