# Sourced (never run) by scripts/{leaks,asan,valgrind}.sh: the helpers they share to build the
# package in a scratch copy of the tree.
# Never builds in place: the working tree (tracked and untracked, not ignored files) is
# copied to a scratch directory and built there, so no .c/.so lands in src/.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# copy_tree DEST: the project's files (as git sees them, uncommitted edits included) into DEST.
copy_tree() {
    local dest="$1"
    rm -rf "$dest" && mkdir -p "$dest"
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
            | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' \
            | tar --null -T - -cf -) | tar -C "$dest" -xf -
    else
        tar -C "$ROOT" --exclude=.venv --exclude=build --exclude='*.so' --exclude='*.c' \
            --exclude=.git -cf - . | tar -C "$dest" -xf -
    fi
}

# pick_python: the release interpreter used to run the sanitizer builds.
pick_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3; do
        if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then
            command -v "$candidate"
            return 0
        fi
    done
    echo "no python3 found" >&2
    return 1
}
