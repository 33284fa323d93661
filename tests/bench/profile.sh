#!/bin/bash
# profile.sh: instruction counts of one `journal build` under callgrind, for
# comparing before and after a change (wall times on a shared machine are
# noisy; instruction counts are not).
#
#   tests/bench/profile.sh [N]     # N synthetic articles (default 200), or
#   tests/bench/profile.sh sample  # the sample edition
#
# Uses the Release build in build-bench/ (run run.sh once, or it is built
# here) and prints the total and the functions with the largest inclusive
# and self shares. The raw profile stays in $BENCH_WORK/callgrind.<case>.out.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${BENCH_BUILD:-$root/build-bench}
work=${BENCH_WORK:-/tmp/journal-bench}
what=${1:-200}
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target journal >/dev/null
mkdir -p "$work"
if [ "$what" = sample ]; then
    content=$root/articles
    edition=2026-2
else
    content=$work/synth-$what
    edition=2030-1
    [ -f "$content/.complete" ] || { rm -rf "$content"; python3 "$here/gen.py" "$content" "$what"; touch "$content/.complete"; }
fi
prof=$work/callgrind.$what.out
valgrind --tool=callgrind --callgrind-out-file="$prof" "$build/journal" build "$content" \
    --edition "$edition" --out "$work/out-profile" --quiet >/dev/null 2>"$work/callgrind.$what.log"
grep -h "Collected" "$work/callgrind.$what.log" | sed 's/^==[0-9]*== /instructions: /'
echo "--- inclusive (top 40)"
callgrind_annotate --inclusive=yes "$prof" 2>/dev/null | grep -E '^ *[0-9,]+ +\(' | sed -n 2,41p | cut -c1-130
echo "--- self (top 25)"
callgrind_annotate "$prof" 2>/dev/null | grep -E '^ *[0-9,]+ +\(' | sed -n 2,26p | cut -c1-130
