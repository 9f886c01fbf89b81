#!/usr/bin/env bash
# Two builds of bulkscan on one file: are their reports the same, and is
# the second one faster? For a change to the engine, where `compare.sh`
# (tools side by side) cannot see a few percent.
#
#   cp target/release/bulkscan /tmp/before     # build, copy, change, build again
#   benches/ab.sh /tmp/before target/release/bulkscan benches/corpus/people-500000-p500000-s1.csv
#   benches/ab.sh --rounds 24 -j 2 A B FILE -- --device-key device.imei
#
# Options: --rounds N (default 12: N runs of each; 0: only compare the
#          reports, as benches/pgo.sh does)  -j J (threads, default 1)
#          --instructions (also count each scan's instructions once, under
#          valgrind's callgrind: slow, about a minute per 100 MB, but
#          within hundredths of a percent on every run, where times on
#          this VM wander by 2%)
# Arguments after `--` go to both scans.
#
# First both reports (`--format json`, less the elapsed time and thread
# count) must be identical, or the script fails before timing anything.
# Then the runs alternate in ABBA order: A B, B A, A B, ... On this
# project's VM the second of two back-to-back runs was about 2% faster, so
# A-then-B in every round credits B with 2% it did not earn (an A/A run of
# one binary against itself showed it). ABBA cancels that; what is left
# (up to 2% between a binary and itself) is the noise floor: read a
# smaller difference as none. Prints the median and the minimum of each
# and B's ratio to A (below 1: B is faster). Needs python3.
set -euo pipefail
# A scan that fails inside `$(...)` below stops the script too.
shopt -s inherit_errexit

ROUNDS=12
THREADS=1
INSTR=0
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
POS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rounds) ROUNDS=$2; shift 2 ;;
        -j) THREADS=$2; shift 2 ;;
        --instructions) INSTR=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; break ;;
        -*) echo "ab.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) POS+=("$1"); shift ;;
    esac
done
if [ ${#POS[@]} -ne 3 ]; then
    echo "ab.sh: want two binaries and a file" >&2; usage >&2; exit 2
fi
A=${POS[0]} B=${POS[1]} FILE=${POS[2]}
EXTRA=("$@")
case "$ROUNDS" in ''|*[!0-9]*) echo "ab.sh: --rounds must be a number" >&2; exit 2 ;; esac
case "$THREADS" in ''|*[!0-9]*|0) echo "ab.sh: -j must be >= 1" >&2; exit 2 ;; esac
for bin in "$A" "$B"; do
    [ -x "$bin" ] || { echo "ab.sh: $bin is not an executable" >&2; exit 2; }
done
[ -e "$FILE" ] || { echo "ab.sh: $FILE does not exist" >&2; exit 2; }
command -v python3 >/dev/null || { echo "ab.sh: needs python3" >&2; exit 2; }
if [ "$INSTR" = 1 ] && ! command -v valgrind >/dev/null; then
    echo "ab.sh: --instructions needs valgrind (apt install valgrind)" >&2; exit 2
fi

# A scan exits 1 for a bulk verdict and 2 for an incomplete one, both with
# a report; 2 with no report (a usage error) and anything above 2 fail here.
scan() {
    local rc=0
    "$1" scan -j "$THREADS" --format json "${EXTRA[@]}" "$FILE" || rc=$?
    if [ "$rc" -gt 2 ]; then
        echo "ab.sh: $1 exited with $rc" >&2
        return "$rc"
    fi
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
scan "$A" > "$TMP/a.json"
scan "$B" > "$TMP/b.json"
for r in a b; do
    [ -s "$TMP/$r.json" ] || { echo "ab.sh: no report from binary ${r^^}" >&2; exit 1; }
done
python3 - "$TMP/a.json" "$TMP/b.json" <<'PY'
import json, sys
def load(p):
    d = json.load(open(p))
    for k in ("elapsed_seconds", "threads"):
        d.get("scanned", {}).pop(k, None)
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
if a != b:
    def diff(x, y, path=""):
        if isinstance(x, dict) and isinstance(y, dict):
            for k in sorted(set(x) | set(y)):
                yield from diff(x.get(k), y.get(k), f"{path}.{k}")
        elif x != y:
            yield f"{path}: {json.dumps(x)[:80]} -> {json.dumps(y)[:80]}"
    lines = list(diff(a, b))
    print("ab.sh: the reports differ (A -> B):", *lines[:20], sep="\n  ", file=sys.stderr)
    sys.exit(1)
PY
echo "reports identical (less timing)"

if [ "$INSTR" = 1 ]; then
    instructions() { # binary: instructions of one scan
        valgrind --tool=callgrind --callgrind-out-file=/dev/null \
            "$1" scan -j "$THREADS" --format json "${EXTRA[@]}" "$FILE" 2>"$TMP/vg.err" >/dev/null || true
        awk '/Collected :/ { print $4 }' "$TMP/vg.err"
    }
    ia=$(instructions "$A")
    ib=$(instructions "$B")
    if [ -z "$ia" ] || [ -z "$ib" ]; then
        echo "ab.sh: valgrind gave no instruction count:" >&2; cat "$TMP/vg.err" >&2; exit 1
    fi
    python3 -c 'import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); print(f"instructions: A {a:,}, B {b:,}, B/A {b / a:.4f}")' "$ia" "$ib"
fi

[ "$ROUNDS" = 0 ] && exit 0
echo "timing $ROUNDS runs of each, ABBA order, -j $THREADS"

# Each timed run first reads the input, untimed: on this project's VM the
# page cache lets go of a 100 MB file within seconds, and a run would
# otherwise find less of it cached than the one before.
warm() { find "$FILE" -type f -exec cat {} + >/dev/null; }
ms() { # binary: wall milliseconds of one scan
    local s e
    warm
    s=$(date +%s%N)
    scan "$1" > /dev/null
    e=$(date +%s%N)
    echo $(( (e - s) / 1000000 ))
}
for i in $(seq "$ROUNDS"); do
    if [ $((i % 2)) = 1 ]; then order=(A B); else order=(B A); fi
    for k in "${order[@]}"; do
        if [ "$k" = A ]; then bin=$A; else bin=$B; fi
        t=$(ms "$bin")
        echo "$k $t"
    done
done > "$TMP/times"
python3 - "$TMP/times" "$A" "$B" <<'PY'
import statistics as st, sys
t = {"A": [], "B": []}
for line in open(sys.argv[1]):
    k, v = line.split()
    t[k].append(int(v))
ma, mb = st.median(t["A"]), st.median(t["B"])
na, nb = min(t["A"]), min(t["B"])
print(f"A {sys.argv[2]}: median {ma:.0f} ms, min {na} ms")
print(f"B {sys.argv[3]}: median {mb:.0f} ms, min {nb} ms")
print(f"B/A: median {mb / ma:.3f}, min {nb / na:.3f}")
PY
