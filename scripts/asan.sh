#!/usr/bin/env bash
# Memory errors, part 1: the Cython core built with AddressSanitizer, the core tests run
# with libasan preloaded into the release interpreter.
#
#   scripts/asan.sh [extra pytest args]        (default selection: the compiled core, -m needs_core)
#
# Env: PYTHON (interpreter, default python3.11 / python3), WORKDIR (scratch dir, default
# /tmp/cylru-asan), KEEP_VENV=1 (reuse the scratch venv if it exists).
# Exit status: non-zero when ASan reports an error (it aborts the process) or a test fails.
set -euo pipefail
source "$(dirname "$0")/scratch_build_lib.sh"

WORKDIR="${WORKDIR:-/tmp/cylru-asan}"
PY="$(pick_python)"
LIBASAN="$(gcc -print-file-name=libasan.so)"
[ -e "$LIBASAN" ] || { echo "libasan not found (apt-get install gcc)" >&2; exit 2; }

if [ "${KEEP_VENV:-0}" != 1 ] || [ ! -x "$WORKDIR/venv/bin/python" ]; then
    copy_tree "$WORKDIR/src"
    rm -rf "$WORKDIR/venv"
    "$PY" -m venv "$WORKDIR/venv"
    # Build without libasan preloaded (the compiler driver would trip over it), never from
    # pip's wheel cache (that could hand back an uninstrumented build).
    (cd "$WORKDIR/src" && \
        CFLAGS="-fsanitize=address -fno-omit-frame-pointer -g -O1" \
        LDFLAGS="-fsanitize=address" \
        CYLRU_REQUIRE_EXTENSIONS=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$WORKDIR/venv/bin/pip" install -q --no-cache-dir '.[test]')
fi

# The extension really is instrumented.
# (found by name: importing it needs libasan preloaded)
SO="$(ls "$WORKDIR"/venv/lib/python3*/site-packages/cylru/_lru_c*.so)"
if ! nm -D "$SO" | grep -q __asan_; then
    echo "asan.sh: $SO is not built with -fsanitize=address" >&2
    exit 2
fi

# detect_leaks=0: CPython itself does not free everything at exit.
# The tests run from the scratch copy, so they import the installed (instrumented) package.
cd "$WORKDIR/src"
export LD_PRELOAD="$LIBASAN"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:print_summary=1:${ASAN_OPTIONS_EXTRA:-}"
export PYTHONMALLOC="${PYTHONMALLOC:-malloc}"     # let ASan see every Python allocation too
if [ "$#" -eq 0 ]; then
    set -- -m needs_core -p no:cacheprovider -q
fi
exec nice -n 10 "$WORKDIR/venv/bin/python" -m pytest "$@"
