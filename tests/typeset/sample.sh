#!/usr/bin/env bash
. "$SRC/tests/cli/lib.sh"
expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$WORK/out" --no-print
cat "$WORK/stderr" >&2
pdf=$(grep -E '\.pdf$' "$WORK/stdout" | head -n 1)
[ -s "$pdf" ] || fail "no PDF written"
edition=$(basename "$(dirname "$pdf")")
pdftotext -raw -bbox "$pdf" "$WORK/bbox.html"
/usr/bin/python3 "$SRC/tests/typeset/check_sample.py" "$WORK/bbox.html" \
    "$SRC/layouts/bildung-im-blick.yaml" "$SRC/articles/$edition" || fail "typesetting checks"
finish
