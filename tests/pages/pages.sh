# The edition as a journal, for both layouts: cover, contents, running
# heads and folios, imprint, back cover, outline, page size and metadata,
# read back with pdfinfo, pdftotext and qpdf (tests/pages/check_pages.py);
# and errors in layout files.
. "$SRC/tests/cli/lib.sh"
here="$SRC/tests/pages"
mm() { python3 -c "print($1 * 72 / 25.4)"; }

# name  geometry: width,height,inside,outside,top,bottom,head_gap,folio_gap [pt]
check_layout() {
    name=$1 geo=$2
    out="$WORK/out-$(basename "$name")"
    expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$out" --layout "$name" --quiet
    pdf="$out/2026-2/bildung-im-blick-2026-2.pdf"
    if [ ! -f "$pdf" ]; then
        fail "$name: no PDF"
        return
    fi
    if ! python3 "$here/check_pages.py" "$pdf" "$SRC/articles/2026-2" "$geo" >"$WORK/check.txt"; then
        fail "$name: page checks"
        sed "s/^/  $(basename "$name"): /" "$WORK/check.txt" | head -30 >&2
    fi
    # the print PDF: trim box of the layout's size, bleed 3 mm around it
    pdfinfo -box "$out/2026-2/bildung-im-blick-2026-2-print.pdf" >"$WORK/box.txt"
    python3 - "$WORK/box.txt" "$geo" <<'PY' || fail "$name: print PDF boxes"
import re, sys
t = open(sys.argv[1]).read()
w, h = map(float, sys.argv[2].split(',')[:2])
tb = [float(x) for x in re.search(r'TrimBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', t).groups()]
bb = [float(x) for x in re.search(r'BleedBox:\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)', t).groups()]
ok = abs(tb[2] - tb[0] - w) < 0.02 and abs(tb[3] - tb[1] - h) < 0.02 and abs(tb[0] - bb[0] - 3 * 72 / 25.4) < 0.02
if not ok:
    print('boxes', tb, bb); sys.exit(1)
PY
}

a4="595.28,841.89,$(mm 20),$(mm 16),$(mm 20),$(mm 22),14,24"
a5="419.53,595.28,$(mm 16),$(mm 12),$(mm 15),$(mm 17),11,19"
check_layout bildung-im-blick "$a4"
check_layout a5-kompakt "$a5"
# contents in two columns, imprint in three: the imprint goes below the contents
printf 'columns:\n  contents: 2\n  imprint: 3\n' >"$WORK/twocol.yaml"
check_layout "$WORK/twocol.yaml" "$a4"

# the default (no --layout, no layout key) is layouts/bildung-im-blick.yaml: A4
expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$WORK/out-default" --no-print --quiet
pdfinfo "$WORK/out-default/2026-2/bildung-im-blick-2026-2.pdf" | grep -q '^Page size: *595.2[78]' ||
    fail "default layout is not A4"

# an edition chooses its layout by name (edition.yaml `layout:`)
cp -r "$SRC/articles" "$WORK/content"
echo "layout: a5-kompakt" >>"$WORK/content/2026-2/edition.yaml"
expect_status 0 "$JOURNAL" build "$WORK/content" --out "$WORK/out-key" --no-print --quiet
pdfinfo "$WORK/out-key/2026-2/bildung-im-blick-2026-2.pdf" | grep -q '^Page size: *419.5' ||
    fail "edition.yaml 'layout: a5-kompakt' did not give A5"
# ... or by path, relative to the edition's folder
sed -i 's/^layout: a5-kompakt$/layout: ..\/..\/mine.yaml/' "$WORK/content/2026-2/edition.yaml"
printf 'page:\n  size: {width: 170mm, height: 240mm}\n' >"$WORK/mine.yaml"
expect_status 0 "$JOURNAL" build "$WORK/content" --out "$WORK/out-path" --no-print --quiet
pdfinfo "$WORK/out-path/2026-2/bildung-im-blick-2026-2.pdf" | grep -q '^Page size: *481.89 x 680.31' ||
    fail "a layout path with {width: 170mm, height: 240mm} did not give 481.89 x 680.31 pt"

# hyphenation off (a scalar for the whole mapping): no hyphenated lines
printf 'hyphenation: off\n' >"$WORK/nohyph.yaml"
expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$WORK/out-nohyph" --no-print --layout "$WORK/nohyph.yaml"
grep -q '^# 2026-2: .* 0 hyphenated lines' "$WORK/stdout" || fail "hyphenation: off: $(grep '^#' "$WORK/stdout")"

# ---- errors in layout files: exact position, exit 1, nothing written
bad="$WORK/bad.yaml"
cat >"$bad" <<'YAML'
name: bad
page:
  size: A4
margins:
  top: 20 furlongs
YAML
expect_status 1 "$JOURNAL" build "$SRC/articles" --out "$WORK/out-bad" --layout "$bad" --quiet
grep -qxF "$bad:5:8: error: bad value for 'margins.top': expected a length such as 20mm, 9.5pt or 1.5cm" \
    "$WORK/stderr" || fail "bad length: message (got: $(cat "$WORK/stderr"))"
[ ! -e "$WORK/out-bad/2026-2" ] || [ -z "$(ls "$WORK/out-bad/2026-2")" ] || fail "bad layout: files written"
expect_status 1 "$JOURNAL" check "$SRC/articles" --layout "$bad"
grep -qF "$bad:5:8: error:" "$WORK/stderr" || fail "check does not report the layout error"

cat >"$bad" <<'YAML'
page:
  size: A7
columns:
  article: 12
YAML
expect_status 1 "$JOURNAL" check "$SRC/articles" --layout "$bad"
grep -qF "$bad:2:9: error: bad value for 'page.size'" "$WORK/stderr" || fail "bad page size: $(cat "$WORK/stderr")"
grep -qF "$bad:4:12: error:" "$WORK/stderr" || fail "12 columns: $(cat "$WORK/stderr")"

cat >"$bad" <<'YAML'
fonts:
  body:
    famliy: Noto Serif
colours:
  accent: "#123456"
YAML
expect_status 0 "$JOURNAL" check "$SRC/articles" --layout "$bad"
grep -qxF "$bad:3:5: warning: unknown key 'famliy' (did you mean 'family'?)" "$WORK/stderr" ||
    fail "unknown key hint: $(cat "$WORK/stderr")"
grep -qxF "$bad:4:1: warning: unknown key 'colours' (did you mean 'colors'?)" "$WORK/stderr" ||
    fail "alias hint: $(cat "$WORK/stderr")"

cat >"$bad" <<'YAML'
fonts:
  title: {family: No Such Font Sans, style: bold}
YAML
expect_status 1 "$JOURNAL" check "$SRC/articles" --layout "$bad"
grep -qF "$bad:2:19: error: font 'No Such Font Sans' (bold) for 'title' not found" "$WORK/stderr" ||
    fail "missing font: $(cat "$WORK/stderr")"

cat >"$bad" <<'YAML'
colors:
  accent: "#12345G"
YAML
expect_status 1 "$JOURNAL" check "$SRC/articles" --layout "$bad"
grep -qF "$bad:2:11: error:" "$WORK/stderr" || fail "bad colour: $(cat "$WORK/stderr")"

expect_status 1 "$JOURNAL" build "$SRC/articles" --out "$WORK/out-none" --layout no-such-layout --quiet
grep -qxF "journal: error: layout not found: no-such-layout" "$WORK/stderr" ||
    grep -qF "error: layout not found: no-such-layout" "$WORK/stderr" || fail "missing layout: $(cat "$WORK/stderr")"

finish
