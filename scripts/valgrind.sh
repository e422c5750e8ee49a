#!/usr/bin/env bash
# Memory errors, part 2: the compiled core's tests under valgrind memcheck.
#
#   scripts/valgrind.sh [extra pytest args]
#
# Default selection: the compiled core's cases of the files that exercise the table
# (mapping, safety, keys, weight, gc, pickle/copy, stats, bad input, the short fuzzer's
# lockstep half) - `-m needs_core` over the whole suite takes hours under valgrind on two cores,
# and the remaining files drive the same code paths.  Pass your own arguments to choose.
#
# Env: PYTHON (interpreter, default Debian's /usr/bin/python3.11 - a pyenv-built CPython
# reports dozens of uninitialised reads inside the interpreter itself, Debian's none),
# WORKDIR (default
# /tmp/cylru-valgrind), KEEP_VENV=1 (reuse the venv).  The extension is built with -g -O1
# in a scratch copy.  PYTHONMALLOC=malloc makes every Python allocation visible to
# memcheck; a small suppression file hides CPython's own known reports (its GC and
# small-int tricks read memory valgrind cannot follow).  Exit: 1 on any memcheck error.
set -euo pipefail
source "$(dirname "$0")/scratch_build_lib.sh"

WORKDIR="${WORKDIR:-/tmp/cylru-valgrind}"
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3.11 ]; then
    PY=/usr/bin/python3.11
else
    PY="$(pick_python)"
fi
command -v valgrind >/dev/null 2>&1 || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind
}

copy_tree "$WORKDIR/src"
if [ "${KEEP_VENV:-0}" != 1 ] || [ ! -x "$WORKDIR/venv/bin/python" ]; then
    rm -rf "$WORKDIR/venv"
    "$PY" -m venv "$WORKDIR/venv"
fi
(cd "$WORKDIR/src" && CFLAGS="-g -O1" CYLRU_REQUIRE_EXTENSIONS=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$WORKDIR/venv/bin/pip" install -q --no-cache-dir --force-reinstall --no-deps . && \
    CYLRU_REQUIRE_EXTENSIONS=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    "$WORKDIR/venv/bin/pip" install -q '.[test]')

SUPP="$WORKDIR/python.supp"
cat > "$SUPP" <<'SUPP'
{
   glibc-wmemcmp-avx2-overread
   Memcheck:Addr32
   fun:__wmemcmp_avx2_movbe
}
{
   cpython-address-in-range-read
   Memcheck:Addr4
   fun:address_in_range
}
{
   cpython-address-in-range-cond
   Memcheck:Cond
   fun:address_in_range
}
{
   cpython-address-in-range-value
   Memcheck:Value8
   fun:address_in_range
}
SUPP

cd "$WORKDIR/src"
if [ "$#" -eq 0 ]; then
    set -- tests/test_mapping.py tests/test_safety.py tests/test_keys.py tests/test_weight.py \
        tests/test_gc.py tests/test_pickle_copy.py tests/test_stats.py tests/test_bad_input.py \
        tests/test_reentrant_bounds.py tests/test_fuzz.py -m needs_core -k "not hostile" \
        -p no:cacheprovider -q
fi
export PYTHONMALLOC=malloc
set +e
nice -n 10 valgrind --tool=memcheck --error-exitcode=1 --suppressions="$SUPP" \
    --trace-children=no --num-callers=30 --log-file="$WORKDIR/valgrind.log" \
    "$WORKDIR/venv/bin/python" -m pytest "$@"
status=$?
set -e
grep -E "ERROR SUMMARY" "$WORKDIR/valgrind.log" | tail -1
echo "valgrind.sh: exit status $status (log: $WORKDIR/valgrind.log)"
exit $status
