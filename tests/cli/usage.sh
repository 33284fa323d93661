#!/usr/bin/env bash
# Exit codes and messages of the command line (0 ok, 1 content errors, 2 usage).
. "$(dirname "$0")/lib.sh"

expect_status 2 "$JOURNAL"
grep -q "error: no command given" "$WORK/stderr" || fail "no-command message"
expect_status 2 "$JOURNAL" frobnicate
grep -q "unknown command 'frobnicate'" "$WORK/stderr" || fail "unknown command message"
expect_status 2 "$JOURNAL" build --bogus
grep -q "unknown option '--bogus'" "$WORK/stderr" || fail "unknown option message"
expect_status 2 "$JOURNAL" build --out
grep -q "option '--out' needs a value" "$WORK/stderr" || fail "missing value message"
expect_status 2 "$JOURNAL" build --all --edition 2026-1
expect_status 2 "$JOURNAL" build a b

expect_status 0 "$JOURNAL" --help
grep -q "^Usage: journal build" "$WORK/stdout" || fail "--help prints usage on stdout"
expect_status 0 "$JOURNAL" --version
grep -Eq "^journal [0-9]+\.[0-9]+\.[0-9]+$" "$WORK/stdout" || fail "--version format"

# A content folder that does not exist is a content error (1), not a crash.
expect_status 1 "$JOURNAL" check "$WORK/nope"
grep -q "content folder not found" "$WORK/stderr" || fail "missing folder message"
expect_status 1 "$JOURNAL" build "$WORK/nope" --out "$WORK/out"
[ ! -e "$WORK/out" ] || fail "a failed build created the output folder"

# An edition that does not exist.
expect_status 1 "$JOURNAL" build "$SRC/articles" --edition 1999-9 --out "$WORK/out"
grep -q "no edition with id '1999-9'" "$WORK/stderr" || fail "unknown edition message"
[ ! -e "$WORK/out/atom.xml" ] || fail "a failed build wrote feeds"

finish
