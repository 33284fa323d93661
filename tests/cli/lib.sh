# Shared helpers for shell tests. Source it; it sets -eu and prepares $WORK.
set -eu
: "${JOURNAL:?JOURNAL must name the journal binary}"
: "${SRC:?SRC must name the source tree}"
: "${WORK:?WORK must name a scratch folder}"
rm -rf "$WORK"
mkdir -p "$WORK"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_status WANT CMD...: run CMD, compare its exit status.
expect_status() {
    want=$1
    shift
    set +e
    "$@" >"$WORK/stdout" 2>"$WORK/stderr"
    got=$?
    set -e
    if [ "$got" != "$want" ]; then
        fail "'$*' exited $got, expected $want"
        sed 's/^/  stderr: /' "$WORK/stderr" | head -20 >&2
    fi
}

finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
}
