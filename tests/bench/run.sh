#!/bin/bash
# run.sh: the speed benchmark of `journal build` against pandoc (with
# WeasyPrint and with XeLaTeX). Not part of ctest.
#
#   tests/bench/run.sh                 # everything: sample, 50, 200, 1000 articles
#   BENCH_SIZES="50 200" tests/bench/run.sh
#   BENCH_PEERS= tests/bench/run.sh    # journal only
#
# Builds journal in Release into build-bench/ (BENCH_BUILD), generates the
# synthetic editions with gen.py into /tmp/journal-bench (BENCH_WORK), times
# `journal build` (PDF, print PDF, feeds, pages) BENCH_RUNS times (default 5)
# after a warm-up: median wall time, pages per second (pdfinfo), peak resident
# memory (/usr/bin/time -v). Then the peers on the same Markdown, reported as
# ratios. Prints a table and writes tests/bench/results.csv (BENCH_CSV) with
# the machine's description.
#
# The peers are benchmark-only Debian packages: pandoc, weasyprint,
# texlive-xetex, texlive-lang-german, texlive-fonts-recommended (pzdr for
# hyperref), lmodern (fonts-noto-core for the font),
# plus poppler-utils (pdfinfo) and time. As root, missing ones are installed
# with apt-get (BENCH_INSTALL=0 to skip); a peer that is absent is skipped
# with a note.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD:-$root/build-bench}
work=${BENCH_WORK:-/tmp/journal-bench}
sizes=${BENCH_SIZES-50 200 1000}
runs=${BENCH_RUNS:-5}
peers=${BENCH_PEERS-weasyprint,xelatex}
csv=${BENCH_CSV:-$here/results.csv}
py=$(command -v python3 || echo /usr/bin/python3)

if [ "${BENCH_INSTALL:-1}" = 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    want=""
    command -v pdfinfo >/dev/null || want="$want poppler-utils"
    [ -x /usr/bin/time ] || want="$want time"
    if [ -n "$peers" ]; then
        command -v pandoc >/dev/null || want="$want pandoc"
        case $peers in *weasyprint*) command -v weasyprint >/dev/null || want="$want weasyprint" ;; esac
        case $peers in *xelatex*) command -v xelatex >/dev/null ||
            want="$want texlive-xetex texlive-lang-german texlive-fonts-recommended lmodern fonts-noto-core" ;; esac
    fi
    if [ -n "$want" ]; then
        echo "installing benchmark-only packages:$want"
        apt-get install -y --no-install-recommends $want >/dev/null ||
            echo "note: apt-get install failed; missing peers will be skipped"
    fi
fi

echo "building journal (Release) in $build"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target journal layout_time feeds_time >/dev/null
# The layout engine alone on the sample edition (issue target: 10 ms).
layout_line=$("$build/tests/bench/layout_time" "$root/articles" 21)
echo "$layout_line"

mkdir -p "$work"
cases=(--case "sample:$(ls "$root"/articles/2026-2/*.md | wc -l):$root/articles:2026-2")
for n in $sizes; do
    dir=$work/synth-$n
    if [ ! -f "$dir/.complete" ] || [ "$here/gen.py" -nt "$dir/.complete" ]; then
        rm -rf "$dir"
        "$py" "$here/gen.py" "$dir" "$n"
        touch "$dir/.complete"
    fi
    cases+=(--case "synth-$n:$n:$dir:2030-1")
done

# Feeds and web pages alone for 1,000 articles (issue target: 100 ms): once
# writing to tmpfs (the work alone) and once to the disk under $work (the
# file system's cost of creating a thousand files included).
notes=(--note "$layout_line")
if [ -d "$work/synth-1000" ]; then
    if [ -d /dev/shm ]; then
        line=$(FEEDS_TIME_DIR=/dev/shm "$build/tests/bench/feeds_time" "$work/synth-1000" 11)
        echo "$line (tmpfs)"
        notes+=(--note "$line, written to tmpfs")
    fi
    line=$(FEEDS_TIME_DIR=$work "$build/tests/bench/feeds_time" "$work/synth-1000" 11)
    echo "$line (disk)"
    notes+=(--note "$line, written to the disk ($work)")
fi

exec "$py" "$here/bench.py" --journal "$build/journal" --work "$work" --runs "$runs" \
    --peers "$peers" --csv "$csv" "${notes[@]}" "${cases[@]}"
