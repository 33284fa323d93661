#!/usr/bin/env bash
# The sample journal end to end: build it, then check the PDFs and feeds with
# independent tools. Article titles and sentences are taken from the Markdown
# sources, so the test follows the content.
. "$(dirname "$0")/lib.sh"

out="$WORK/out"
expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$out"
cat "$WORK/stderr" >&2
cp "$WORK/stdout" "$WORK/build.stdout"

newest=$(ls -d "$SRC"/articles/*/ | while read -r d; do
    [ -f "$d/edition.yaml" ] || continue
    printf '%s %s\n' "$(sed -n 's/^date: *//p' "$d/edition.yaml")" "$(basename "$d")"
done | sort | tail -n 1 | cut -d' ' -f2)
[ -n "$newest" ] || fail "no edition found in the sample"
pdf="$out/$newest/bildung-im-blick-$newest.pdf"
print="$out/$newest/bildung-im-blick-$newest-print.pdf"

# The build names what it wrote, and it is there.
for f in "$pdf" "$print" "$out/atom.xml" "$out/rss.xml"; do
    grep -qxF "$f" "$WORK/build.stdout" || fail "build did not print $f"
    [ -s "$f" ] || fail "missing output $f"
done

for f in "$pdf" "$print"; do
    # qpdf accepts the file, and poppler's tools say nothing on stderr.
    qpdf --check "$f" >"$WORK/qpdf.out" 2>&1 || { fail "qpdf --check $f"; cat "$WORK/qpdf.out" >&2; }
    pdffonts "$f" >"$WORK/fonts.txt" 2>"$WORK/poppler.err"
    pdftotext -enc UTF-8 "$f" "$WORK/text.txt" 2>>"$WORK/poppler.err"
    pdfinfo "$f" >/dev/null 2>>"$WORK/poppler.err"
    if [ -s "$WORK/poppler.err" ]; then
        fail "poppler warnings for $f"
        head -5 "$WORK/poppler.err" >&2
    fi
    # Every font embedded: column 'emb' is the fifth from the right.
    fonts=$(tail -n +3 "$WORK/fonts.txt" | wc -l)
    [ "$fonts" -ge 1 ] || fail "no fonts listed in $f"
    if tail -n +3 "$WORK/fonts.txt" | awk '{ if ($(NF-4) != "yes") bad = 1 } END { exit !bad }'; then
        fail "a font is not embedded in $f"
        cat "$WORK/fonts.txt" >&2
    fi
done

# Each published article's title and sentences of its body are in the PDF.
pdftotext -enc UTF-8 "$pdf" "$WORK/text.txt"
/usr/bin/python3 - "$SRC/articles/$newest" "$WORK/text.txt" <<'PY' || fail "text of the articles missing from the PDF"
import glob, os, re, sys
folder, textfile = sys.argv[1], sys.argv[2]

def norm(s):
    s = re.sub(r"[\"'„“”‚‘’«»]", "", s)
    return " ".join(s.split())

pdf = open(textfile, encoding="utf-8").read()
pdf = re.sub(r"(\w)-\n(\w)", r"\1\2", pdf)  # undo hyphenation at line ends
pdf = norm(pdf.replace("\u00ad", ""))
bad = 0
for path in sorted(glob.glob(os.path.join(folder, "*.md"))):
    src = open(path, encoding="utf-8-sig").read().replace("\r\n", "\n")
    m = re.match(r"---\n(.*?)\n(?:---|\.\.\.)\n(.*)", src, re.S)
    if not m:
        print("no front matter:", path); bad += 1; continue
    fm, body = m.group(1), m.group(2)
    draft = re.search(r"^draft:\s*true\s*$", fm, re.M) is not None
    t = re.search(r"^title:\s*(.+)$", fm, re.M).group(1).strip()
    if t[:1] in "\"'" and t[-1:] == t[:1]:
        t = t[1:-1]
    found = norm(t) in pdf
    if draft:
        if found:
            print("draft article printed:", path); bad += 1
        continue
    if not found:
        print("title not found:", t, "in", path); bad += 1
    # Plain sentences (letters, spaces, commas) of at least six words.
    plain = re.compile(r"^[A-ZÄÖÜ][A-Za-zÄÖÜäöüß ,]+\.$")
    cands = []
    for para in re.split(r"\n\s*\n", body):
        if para.lstrip()[:1] in "#>-*|!`0123456789[":
            continue
        for s in re.split(r"(?<=\.)\s+", " ".join(para.split())):
            if plain.match(s) and len(s.split()) >= 6:
                cands.append(s)
    hits = sum(1 for s in cands if norm(s) in pdf)
    if not cands or hits * 2 < len(cands):
        print(f"{path}: {hits} of {len(cands)} plain sentences found"); bad += 1
sys.exit(1 if bad else 0)
PY

# Both feeds are well-formed XML.
xmllint --noout "$out/atom.xml" || fail "atom.xml is not well-formed"
xmllint --noout "$out/rss.xml" || fail "rss.xml is not well-formed"

# A second build into the same folder works (idempotent).
expect_status 0 "$JOURNAL" build "$SRC/articles" --out "$out"

finish
