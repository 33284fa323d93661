#!/bin/bash
# newsboat (Debian package newsboat) subscribes to both feeds over HTTP from
# a local server and must list every entry title: the built-in fixture and,
# when articles/ is there, the sample journal.
# Env: FIXTURE, SRC, WORK. Exit 77 (skipped) when newsboat is not installed.
set -u
: "${FIXTURE:?}" "${SRC:?}" "${WORK:?}"
PY=/usr/bin/python3
if ! command -v newsboat >/dev/null; then
    echo "SKIPPED: newsboat is not installed (apt-get install newsboat)"
    exit 77
fi
rm -rf "$WORK"
mkdir -p "$WORK/home"
"$FIXTURE" "$WORK/www/fixture" || { echo "FAIL: feed_fixture"; exit 1; }
sites=(fixture)
if [ -f "$SRC/articles/journal.yaml" ]; then
    "$FIXTURE" "$WORK/www/sample" --content "$SRC/articles" || { echo "FAIL: feed_fixture --content"; exit 1; }
    sites+=(sample)
fi

# A web server on a free port on the loopback interface: the kernel picks
# the port, and the server hands it over through a FIFO (read blocks until
# the server has written it; no polling).
mkfifo "$WORK/port"
"$PY" -u - "$WORK/www" "$WORK/port" >"$WORK/server.log" 2>&1 <<'PYEOF' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
with open(sys.argv[2], "w") as fifo:
    print(srv.server_address[1], file=fifo)
srv.serve_forever()
PYEOF
server=$!
cleanup() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
trap cleanup EXIT
port=""
exec 3<>"$WORK/port" # read-write: opening does not wait for the server
read -r -t 60 -u 3 port
exec 3<&-
[ -n "$port" ] || { echo "FAIL: the web server did not start: $(cat "$WORK/server.log")"; exit 1; }

base="http://127.0.0.1:$port"
: >"$WORK/config"
export HOME="$WORK/home"
# One cache per feed: newsboat keys items by guid, and both feeds carry the
# same ids, so in one cache the second feed's items would merge into the first.
fails=0
for site in "${sites[@]}"; do
for feed in atom.xml rss.xml; do
    tag="$site-$feed"
    echo "$base/$site/$feed" >"$WORK/urls-$tag"
    nb=(newsboat -u "$WORK/urls-$tag" -c "$WORK/cache-$tag.db" -C "$WORK/config")
    "${nb[@]}" -x reload >"$WORK/newsboat-$tag.log" 2>&1 ||
        { echo "FAIL: newsboat reload $tag: $(cat "$WORK/newsboat-$tag.log")"; fails=1; continue; }
    unread=$("${nb[@]}" -x print-unread 2>&1)
    echo "newsboat, $site/$feed: $unread"
    # What newsboat stored (its SQLite cache) against the fixture.
    "$PY" - "$WORK/cache-$tag.db" "$WORK/www/$site/expected.json" "$base/$site/$feed" "$unread" <<'PYEOF' || fails=1
import datetime, json, re, sqlite3, sys, zoneinfo
db, expected, url, unread = sys.argv[1:5]
exp = json.load(open(expected, encoding="utf-8"))
XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
def clean(s):
    return XML_BAD.sub("", s)
def norm(s):  # no-break spaces from typography count as spaces
    return re.sub(r"[\s\u00a0\u202f]+", " ", s)
def epoch(date):
    y, m, d = map(int, date.split("-"))
    return int(datetime.datetime(y, m, d, 8, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")).timestamp())
con = sqlite3.connect(db)
rows = con.execute("SELECT guid, title, author, pubDate, content FROM rss_item WHERE feedurl = ?",
                   (url,)).fetchall()
got = {r[0]: r for r in rows}
failures = []
want_titles = sorted(clean(e["title"]) for e in exp["entries"])
titles = sorted(r[1] for r in rows)
if titles != want_titles:
    failures.append(f"titles in newsboat:\n  {titles}\nwant\n  {want_titles}")
for e in exp["entries"]:
    r = got.get(e["id"])
    if not r:
        failures.append(f"no item with guid {e['id']}")
        continue
    if r[3] != epoch(e["date"]):
        failures.append(f"{e['id']}: pubDate {r[3]} want {epoch(e['date'])}")
    authors = [clean(a) for a in e["authors"]]
    # Atom: newsboat joins all authors; RSS: it keeps one dc:creator.
    if authors and r[2] != ", ".join(authors) and r[2] not in authors:
        failures.append(f"{e['id']}: author {r[2]!r}, want {authors}")
    if e["sentence"] and norm(e["sentence"]) not in norm(r[4]):
        failures.append(f"{e['id']}: content lacks {e['sentence']!r}")
    if re.search(r"(?i)<script|javascript:|onclick|<iframe", r[4]):
        failures.append(f"{e['id']}: unsafe markup in content")
ftitle = con.execute("SELECT title FROM rss_feed WHERE rssurl = ?", (url,)).fetchone()
if not ftitle or ftitle[0] != exp["title"]:
    failures.append(f"feed title {ftitle}")
n = len(exp["entries"])
if f"{n} unread articles" not in unread:
    failures.append(f"print-unread says {unread!r}, want {n} unread articles")
if failures:
    print(f"FAIL ({url}):\n" + "\n".join(failures))
    sys.exit(1)
print(f"newsboat lists all {n} entries of {url} with titles, dates, authors")
PYEOF
done
done
[ "$fails" = 0 ] || exit 1
echo "feed_newsboat: all checks passed"
