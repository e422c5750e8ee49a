#!/usr/bin/env bash
# Refcount leaks: the whole suite on Debian's debug CPython (python3.11-dbg), where the
# autouse fixture in tests/conftest.py re-runs every passing test and fails it unless the
# interpreter's total reference count (sys.gettotalrefcount) stays unchanged.
#
#   scripts/leaks.sh [extra pytest args]
#
# Env: WORKDIR (scratch dir, default /tmp/cylru-leaks), KEEP_VENV=1 (reuse the scratch
# venv if it exists), NO_APT=1 (python3.11-dbg is already installed).
# Run as root (or with python3.11-dbg installed). Exit status: pytest's.
set -euo pipefail
source "$(dirname "$0")/scratch_build_lib.sh"

WORKDIR="${WORKDIR:-/tmp/cylru-leaks}"
DBG=python3.11-dbg

if ! command -v "$DBG" >/dev/null 2>&1 || ! [ -e /usr/include/python3.11d/Python.h ]; then
    if [ "${NO_APT:-0}" = 1 ]; then
        echo "leaks.sh: $DBG (and its headers) missing" >&2
        exit 2
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3.11-dbg python3.11-dev
fi
"$DBG" -c 'import sys; assert hasattr(sys, "gettotalrefcount"), "not a debug build"'

copy_tree "$WORKDIR/src"
if [ "${KEEP_VENV:-0}" != 1 ] || [ ! -x "$WORKDIR/venv/bin/python" ]; then
    rm -rf "$WORKDIR/venv"
    "$DBG" -m venv "$WORKDIR/venv"
fi
# Compiles the extension against the debug headers (ABI tag cpython-311d); --no-cache-dir so
# no wheel built elsewhere is reused.
(cd "$WORKDIR/src" && CYLRU_REQUIRE_EXTENSIONS=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$WORKDIR/venv/bin/pip" install -q --no-cache-dir --force-reinstall --no-deps . && \
    CYLRU_REQUIRE_EXTENSIONS=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$WORKDIR/venv/bin/pip" install -q '.[test]')

cd "$WORKDIR/src"
"$WORKDIR/venv/bin/python" - <<'PY'
import sys
import cylru, cylru._lru_c as core
assert hasattr(sys, "gettotalrefcount")
assert cylru.IMPLEMENTATION == "cython", cylru.IMPLEMENTATION
assert "311d" in core.__file__, core.__file__
print("leaks.sh: debug interpreter", sys.version.split()[0], "core", core.__file__)
PY
# The autouse check reports a leak as a test failure ("total refcount grew on every
# repeat: [...]"); the summary line's "N passed" is the number of tests checked.
set +e
nice -n 10 "$WORKDIR/venv/bin/python" -X dev -m pytest -p no:cacheprovider "$@"
status=$?
set -e
echo "leaks.sh: pytest exit status $status (0: no test leaked a reference)"
exit $status
