#!/usr/bin/env bash
# valgrind memcheck of whole runs: the sample journal's build, a build full
# of editor mistakes, and one that fails only when the outputs are renamed
# into place. No invalid access, no definite or indirect leak. Skipped (77)
# without valgrind or in a sanitizer build (the two exclude each other).
. "$SRC/tests/cli/lib.sh"

if ! command -v valgrind >/dev/null; then
    echo "valgrind not installed: skipped"
    exit 77
fi
if grep -q -a -m1 __asan_init "$JOURNAL"; then
    echo "sanitizer build: skipped"
    exit 77
fi
cd "$WORK"

vg() { # vg NAME WANT-STATUS ARGS...: journal under memcheck
    name=$1 want=$2
    shift 2
    set +e
    valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --log-file="$name.vg" "$JOURNAL" "$@" >"$name.stdout" 2>"$name.stderr"
    got=$?
    set -e
    if [ "$got" = 99 ] || [ -s "$name.vg" ]; then
        fail "$name: valgrind reports errors or leaks"
        head -40 "$name.vg" >&2
    elif [ "$got" != "$want" ]; then
        fail "$name: exit status $got, expected $want"
        head -5 "$name.stderr" >&2
    fi
}

vg sample 0 build "$SRC/articles" --out out --quiet
[ -s "$(sed -n 1p sample.stdout)" ] || fail "sample: no PDF"

# Errors in three files and warnings from every stage.
cp -r "$SRC/tests/bad/cases/base" many
(cd "$SRC/tests/bad/cases/many-errors" && find . -type f ! -name expect -exec cp --parents {} "$WORK/many/" \;)
printf -- '---\ntitle: Drei\ndate: 2026-02-03\n---\n\nEin 😀 und <b>HTML</b> und Grundschulkinderbetreuungseinrichtungsqualitätsentwicklungsrahmenvereinbarungsfortschreibung.\n' >many/2026-1/drei.md
vg many-errors 1 build many --out out-many --quiet
[ -s many-errors.stderr ] || fail "many-errors: no diagnostics"
vg many-check 1 check many

# Warnings only: a complete build.
cp -r "$SRC/tests/bad/cases/base" warn
cp many/2026-1/drei.md warn/2026-1/
vg warnings 0 build warn --out out-warn --quiet

# A folder where a feed must go: the commit fails and rolls back.
mkdir -p out-warn2/atom.xml
vg late-failure 1 build warn --out out-warn2 --quiet

finish
