#!/usr/bin/env bash
# `journal watch` on a small content folder in $WORK: the first build, a
# change of an article's text, an error (the last good PDF stays), a broken
# layout in a new layouts/ folder, a new edition folder (watched too), then
# SIGINT (exit status 0). Every wait is a
# bounded poll (up to 20 s each); nothing here measures time.
. "$SRC/tests/cli/lib.sh"

content=$WORK/content
out=$WORK/out
mkdir -p "$content/2026-1"
cat >"$content/journal.yaml" <<'EOF'
title: Bildung im Blick
publisher: Bildungsbüro
language: de
base_url: https://journal.example/
sections:
  - id: vernetzung
    title: Vernetzung
    color: "#7B3F72"
EOF
cat >"$content/2026-1/edition.yaml" <<'EOF'
number: 1
year: 2026
date: 2026-04-20
theme: Ein kleiner Test
EOF
article() { # FILE DATE WORD
    cat >"$1" <<EOF
---
title: Ein Artikel
date: $2
section: vernetzung
---

Der Text dieses Artikels nennt das Wort $3 in einem kurzen Absatz.

## Eine Überschrift

Noch ein Absatz, damit die Seite nicht leer bleibt.
EOF
}
article "$content/2026-1/artikel.md" 2026-04-01 ALPHA1

pdf=$out/2026-1/bildung-im-blick-2026-1.pdf
log=$WORK/watch.out
err=$WORK/watch.err

"$JOURNAL" watch "$content" --out "$out" --no-print >"$log" 2>"$err" &
pid=$!

# wait_for DESCRIPTION COMMAND...: poll until COMMAND succeeds (20 s at most).
wait_for() {
    what=$1
    shift
    for _ in $(seq 1 200); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            fail "journal watch ended while waiting for: $what"
            return 1
        fi
        sleep 0.1
    done
    fail "timed out waiting for: $what"
    return 1
}
pdf_has() { pdftotext -enc UTF-8 "$1" - 2>/dev/null | grep -q "$2"; }
lines() { grep -c "$1" "$log" || true; }
count_is_at_least() { [ "$(lines "$1")" -ge "$2" ]; }
stop() {
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 200); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        fail "journal watch did not stop on SIGINT"
        kill -KILL "$pid"
    fi
    set +e
    wait "$pid"
    status=$?
    set -e
}

if ! wait_for "the first build" count_is_at_least "built in" 1 ||
    ! wait_for "the first PDF" pdf_has "$pdf" ALPHA1; then
    stop
    sed 's/^/  log: /' "$log" "$err" >&2
    finish
fi

# 1. A change of the text is in the rebuilt PDF.
article "$content/2026-1/artikel.md" 2026-04-01 BRAVO2
wait_for "the new text in the PDF" pdf_has "$pdf" BRAVO2

# 2. An error: the diagnostic and a failed build are printed, the last good
#    PDF stays as it was.
before=$(cksum <"$pdf")
failed=$(lines "build failed")
article "$content/2026-1/artikel.md" 2026-02-30 CHARLIE3
wait_for "the failed build" count_is_at_least "build failed" $((failed + 1))
grep -q "artikel.md:.*error: impossible date '2026-02-30'" "$err" ||
    fail "the error is not printed: $(cat "$err")"
[ "$(cksum <"$pdf")" = "$before" ] || fail "the PDF changed after a build with errors"
pdf_has "$pdf" BRAVO2 || fail "the last good PDF lost its text"
ls "$out/2026-1" | grep -q '\.tmp-' && fail "temporary files left in $out/2026-1"

# 3. Fixed again: rebuilt.
built=$(lines "built in")
article "$content/2026-1/artikel.md" 2026-04-01 DELTA4
wait_for "the fixed build" count_is_at_least "built in" $((built + 1))
wait_for "the fixed text in the PDF" pdf_has "$pdf" DELTA4

# 4. A layouts/ folder made next to the content folder is watched: a broken
#    layout fails the build, removing it builds again.
failed=$(lines "build failed")
mkdir -p "$WORK/layouts"
printf 'page: [\n' >"$WORK/layouts/bildung-im-blick.yaml"
wait_for "the failed build with a broken layout" count_is_at_least "build failed" $((failed + 1))
grep -q "bildung-im-blick.yaml.*error" "$err" || fail "the layout error is not printed"
built=$(lines "built in")
rm -rf "$WORK/layouts"
wait_for "the build without the broken layout" count_is_at_least "built in" $((built + 1))

# 5. A new edition folder (newer, so it is the one built) is watched too.
mkdir -p "$WORK/new"
cat >"$WORK/new/edition.yaml" <<'EOF'
number: 2
year: 2026
date: 2026-11-16
theme: Die zweite Ausgabe
EOF
article "$WORK/new/neu.md" 2026-11-01 ECHO5
mv "$WORK/new" "$content/2026-2"
pdf2=$out/2026-2/bildung-im-blick-2026-2.pdf
wait_for "the new edition's PDF" pdf_has "$pdf2" ECHO5
article "$content/2026-2/neu.md" 2026-11-01 FOXTROT6
wait_for "a change in the new edition" pdf_has "$pdf2" FOXTROT6

# 6. Files that are not content start no build (an editor's swap file).
built=$(lines "built in")
echo x >"$content/2026-2/.neu.md.swp"
echo x >"$content/2026-2/notizen.odt"
article "$content/2026-2/neu.md" 2026-11-01 GOLF7
wait_for "the build after the swap file" pdf_has "$pdf2" GOLF7
grep -q "swp changed\|odt changed" "$log" && fail "a non-content file started a build"

# 7. SIGINT: exit status 0.
stop
[ "$status" = 0 ] || fail "journal watch exited $status after SIGINT, expected 0"
grep -q "stopped watching" "$log" || fail "no 'stopped watching' line"
if [ "$failures" -ne 0 ]; then
    sed 's/^/  stdout: /' "$log" >&2
    sed 's/^/  stderr: /' "$err" >&2
fi
finish
