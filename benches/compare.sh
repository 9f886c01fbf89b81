#!/usr/bin/env bash
# Side by side on one corpus, in one run: cat, ripgrep (the two regexes a
# grep-based scan would use: SSN and 13-19 digit runs) and bulkscan (one
# core, all cores), alternating round by round so drift hits every tool
# alike. Prints medians, MB/s and ratios as a markdown table, and fails if
# bulkscan's counts differ from the generator's truth.
#
#   benches/compare.sh                      # dense people CSV, ~100 MB, 5 rounds
#   benches/compare.sh --kind events --rows 400000
#   benches/compare.sh --save               # also write benches/results/DATE-CPU.md
#                                           # (DATE-CPU-2.md, ... if it exists)
#   benches/compare.sh --pgo                # also a profile-guided build
#                                           # (benches/pgo.sh), in the same rounds
#
# Options: --kind people|events|logs|vcf|fastq|clean  --rows N  --persons P
#          --seed S  --rounds R  --save  --pgo
# Environment: CORPUS_DIR (default benches/corpus, git-ignored), ROUNDS,
# CHECKER=python3|jq (default: python3 if installed, else jq).
# ripgrep: `cargo install ripgrep` (skipped, with that hint, if `rg` is not
# on PATH). Needs python3 (or jq) to check bulkscan's counts.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

KIND=people
ROWS=
PERSONS=
SEED=1
ROUNDS=${ROUNDS:-5}
SAVE=0
PGO=0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --kind) KIND=$2; shift 2 ;;
        --rows) ROWS=$2; shift 2 ;;
        --persons) PERSONS=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --save) SAVE=1; shift ;;
        --pgo) PGO=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "compare.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done

# Per kind: file extension, rows for ~100 MB, persons, and the scan options
# the generator's truth assumes.
SCAN_ARGS=()
#   people: one row per person; events: 4 events per device; logs: 3,000
#   e-mail users; vcf: 150 samples (persons = sample columns, each one adds
#   ~4 bytes to every line); fastq and clean: persons unused.
case "$KIND" in
    people) EXT=csv;   DEF_ROWS=500000 ;;
    events) EXT=jsonl; DEF_ROWS=400000;  SCAN_ARGS=(--device-key device.imei) ;;
    logs)   EXT=log;   DEF_ROWS=1100000 ;;
    vcf)    EXT=vcf;   DEF_ROWS=150000 ;;
    fastq)  EXT=fq;    DEF_ROWS=400000 ;;
    clean)  EXT=csv;   DEF_ROWS=1600000 ;;
    *) echo "compare.sh: unknown kind $KIND" >&2; exit 2 ;;
esac
ROWS=${ROWS:-$DEF_ROWS}
case "$ROWS" in ''|*[!0-9]*) echo "compare.sh: --rows must be a number" >&2; exit 2 ;; esac
if [ -z "$PERSONS" ]; then
    case "$KIND" in
        people) PERSONS=$ROWS ;;
        events) PERSONS=$(( ROWS / 4 > 0 ? ROWS / 4 : 1 )) ;;
        logs) PERSONS=3000 ;;
        vcf) PERSONS=150 ;;
        *) PERSONS=1 ;;
    esac
fi
case "$ROUNDS" in ''|*[!0-9]*|0) echo "compare.sh: --rounds must be >= 1" >&2; exit 2 ;; esac

CHECKER=${CHECKER:-}
if [ -n "$CHECKER" ]; then
    :
elif command -v python3 >/dev/null; then
    CHECKER=python3
elif command -v jq >/dev/null; then
    CHECKER=jq
else
    echo "compare.sh: needs python3 or jq to check counts against the truth" >&2
    exit 2
fi

echo "building release..." >&2
cargo build --release --quiet
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/bulkscan
PGO_BIN=
if [ "$PGO" = 1 ]; then
    echo "building the profile-guided build (benches/pgo.sh, about 2 min)..." >&2
    PGO_BIN=$(benches/pgo.sh)
fi

CORPUS_DIR=${CORPUS_DIR:-benches/corpus}
mkdir -p "$CORPUS_DIR"
FILE=$CORPUS_DIR/$KIND-$ROWS-p$PERSONS-s$SEED.$EXT
TRUTH=$FILE.truth.json
if [ ! -s "$FILE" ] || [ ! -s "$TRUTH" ]; then
    echo "generating $FILE..." >&2
    "$BIN" gen "$KIND" --rows "$ROWS" --persons "$PERSONS" --seed "$SEED" -o "$FILE"
fi
BYTES=$(stat -c %s "$FILE" 2>/dev/null || stat -f %z "$FILE")
MB=$(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1e6 }')

NPROC=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN)
CPU=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
CPU=${CPU:-$(uname -m)}
RUSTC=$(rustc --version)
REV=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain -- src patterns Cargo.toml 2>/dev/null)" ]; then
    REV="$REV + uncommitted changes"
fi

RG=()
if command -v rg >/dev/null; then
    RG=(rg --no-config --count-matches -e '\b[0-9]{3}-[0-9]{2}-[0-9]{4}\b' -e '\b[0-9]{13,19}\b')
    RG_VERSION=$(rg --version | head -1)
else
    echo "ripgrep (rg) not found: skipping it. Install it with: cargo install ripgrep" >&2
    RG_VERSION="not installed (cargo install ripgrep)"
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Checks one bulkscan report against the truth: every category count and
# every detector match count the truth states, and a complete scan.
check() {
    local report=$1 what=$2
    if [ "$CHECKER" = python3 ]; then
        python3 - "$report" "$TRUTH" "$what" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); t = json.load(open(sys.argv[2])); what = sys.argv[3]
bad = []
if r.get("complete") is not True:
    bad.append("scan incomplete: %s" % r.get("skipped"))
for c, n in t["categories"].items():
    got = r["categories"].get(c, {}).get("count")
    if got != n:
        bad.append("category %s: %s, truth %s" % (c, got, n))
for d, n in t["detector_matches"].items():
    got = r["detectors"].get(d, {}).get("matches")
    if got != n:
        bad.append("detector %s: %s, truth %s" % (d, got, n))
if bad:
    sys.exit("compare.sh: %s counts differ from the truth:\n  " % what + "\n  ".join(bad))
EOF
    else
        jq -e -n --slurpfile r "$report" --slurpfile t "$TRUTH" '
            ($r[0].complete == true)
            and ([$t[0].categories | to_entries[]
                  | select($r[0].categories[.key].count != .value)] | length == 0)
            and ([$t[0].detector_matches | to_entries[]
                  | select($r[0].detectors[.key].matches != .value)] | length == 0)' >/dev/null \
            || { echo "compare.sh: $what counts differ from the truth ($TRUTH)" >&2; exit 1; }
    fi
}

now() {
    if [ -n "${EPOCHREALTIME:-}" ]; then echo "${EPOCHREALTIME/,/.}"; else date +%s.%N; fi
}

# Runs a command, appends its wall time to $TMP/<name>.times; stdout goes to
# $TMP/<name>.out (to /dev/null for cat: its copy of the corpus written to a
# file was timed as part of cat and, on a disk-backed /tmp, pushed the
# corpus out of the page cache). Exit codes in $ok are accepted. The corpus
# is read once, untimed, just before: on this project's VM the page cache
# lets go of a 100 MB file within seconds (5% of it in 2 s, with 24 GB
# free), and a tool run after a slower one would otherwise find less of
# it cached.
timed() {
    local name=$1 ok=$2; shift 2
    local t0 t1 rc=0 out="$TMP/$name.out"
    [ "$name" = cat ] && out=/dev/null
    cat "$FILE" >/dev/null
    t0=$(now)
    "$@" >"$out" 2>"$TMP/$name.err" || rc=$?
    t1=$(now)
    case " $ok " in
        *" $rc "*) ;;
        *) echo "compare.sh: $name exited $rc:" >&2; cat "$TMP/$name.err" >&2; exit 1 ;;
    esac
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >>"$TMP/$name.times"
}

# Other work on the machine skews every tool; the table records the load.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)

echo "warming the page cache ($MB MB)..." >&2
cat "$FILE" >/dev/null
cat "$FILE" >/dev/null

TOOLS=(cat)
[ ${#RG[@]} -gt 0 ] && TOOLS+=(rg)
TOOLS+=(bs1 bsn)
[ -n "$PGO_BIN" ] && TOOLS+=(pg1 pgn)
for r in $(seq 1 "$ROUNDS"); do
    echo "round $r/$ROUNDS" >&2
    timed cat 0 cat "$FILE"
    if [ ${#RG[@]} -gt 0 ]; then
        # rg exits 1 when nothing matches (sparse corpora).
        timed rg "0 1" "${RG[@]}" "$FILE"
    fi
    # bulkscan exits 1 when the data is bulk: still a good run.
    timed bs1 "0 1" "$BIN" scan -j 1 --format json "${SCAN_ARGS[@]}" "$FILE"
    check "$TMP/bs1.out" "bulkscan -j 1 (round $r)"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scanned"]["elapsed_seconds"])' \
        "$TMP/bs1.out" >>"$TMP/bs1.inner" 2>/dev/null || true
    timed bsn "0 1" "$BIN" scan --format json "${SCAN_ARGS[@]}" "$FILE"
    check "$TMP/bsn.out" "bulkscan (round $r)"
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scanned"]["elapsed_seconds"])' \
        "$TMP/bsn.out" >>"$TMP/bsn.inner" 2>/dev/null || true
    if [ -n "$PGO_BIN" ]; then
        timed pg1 "0 1" "$PGO_BIN" scan -j 1 --format json "${SCAN_ARGS[@]}" "$FILE"
        check "$TMP/pg1.out" "bulkscan PGO -j 1 (round $r)"
        timed pgn "0 1" "$PGO_BIN" scan --format json "${SCAN_ARGS[@]}" "$FILE"
        check "$TMP/pgn.out" "bulkscan PGO (round $r)"
    fi
done
BSN_THREADS=$(grep -o '"threads": *[0-9]*' "$TMP/bsn.out" | grep -o '[0-9]*$' || echo "$NPROC")
RG_COUNT=$( [ ${#RG[@]} -gt 0 ] && cat "$TMP/rg.out" || echo 0 )
RG_COUNT=${RG_COUNT:-0}

median() { sort -g "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minmax() { sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f-%.3f", lo, hi }'; }

label() {
    case "$1" in
        cat) echo "cat" ;;
        rg) echo "ripgrep --count-matches (SSN, 13-19 digits)" ;;
        bs1) echo "bulkscan -j 1 (every detector)" ;;
        bsn) echo "bulkscan -j $BSN_THREADS (every detector)" ;;
        pg1) echo "bulkscan PGO build -j 1 (benches/pgo.sh)" ;;
        pgn) echo "bulkscan PGO build -j $BSN_THREADS" ;;
    esac
}

CAT_MED=$(median "$TMP/cat.times")
RG_MED=
[ ${#RG[@]} -gt 0 ] && RG_MED=$(median "$TMP/rg.times")

OUT=$TMP/table.md
{
    echo "## bulkscan vs ripgrep vs cat: $KIND, $MB MB"
    echo
    echo "Corpus: \`bulkscan gen $KIND --rows $ROWS --persons $PERSONS --seed $SEED\`" \
        "($BYTES bytes), page cache warm, $ROUNDS round(s) alternating the tools;" \
        "wall time of each whole process (start-up included)."
    echo
    echo "| tool | median s | min-max s | MB/s | vs ripgrep | vs cat |"
    echo "|---|---:|---:|---:|---:|---:|"
    for t in "${TOOLS[@]}"; do
        med=$(median "$TMP/$t.times")
        awk -v l="$(label "$t")" -v m="$med" -v mm="$(minmax "$TMP/$t.times")" -v b="$BYTES" \
            -v c="$CAT_MED" -v g="$RG_MED" 'BEGIN {
                rg = (g == "") ? "-" : sprintf("%.2fx", g / m)
                printf "| %s | %.3f | %s | %.0f | %s | %.3fx |\n", l, m, mm, b / 1e6 / m, rg, c / m
            }'
    done
    echo
    echo "Ratios are throughput ratios (time of ripgrep or cat / time of the tool)."
    if [ -n "$PGO_BIN" ]; then
        echo "The PGO build is the same source built by \`benches/pgo.sh\`: profiled on the" \
            "generator's corpora with seed 2 (this corpus is seed $SEED), reports checked equal" \
            "to the plain build's."
    fi
    if [ -s "$TMP/bs1.inner" ]; then
        echo "bulkscan's own scan time (\`scanned.elapsed_seconds\`, without start-up):" \
            "-j 1 median $(median "$TMP/bs1.inner") s, -j $BSN_THREADS median $(median "$TMP/bsn.inner") s."
    fi
    echo "Counts: bulkscan's categories and detector matches equal the generator's truth" \
        "in every run (checked with $CHECKER)."
    if [ ${#RG[@]} -gt 0 ]; then
        echo "ripgrep's unvalidated regex matches: $RG_COUNT."
    fi
    echo
    echo "Machine: $NPROC logical CPU(s), $CPU; $(uname -sr); $RUSTC; $RG_VERSION;" \
        "bulkscan $REV; $(date -u +%Y-%m-%dT%H:%MZ); load average (1, 5, 15 min)" \
        "$LOAD_START before the runs, $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown) after."
} >"$OUT"

cat "$OUT"

if [ "$SAVE" = 1 ]; then
    SHORT=$(echo "$CPU" | sed -e 's/([^)]*)//g' -e 's/ CPU / /' -e 's/@.*//' -e 's/ [0-9]*-Core Processor//' \
        | tr 'A-Z' 'a-z' | sed -e 's/[^a-z0-9]\{1,\}/-/g' -e 's/^-//' -e 's/-$//')
    NAME=$(date +%Y-%m-%d)-${SHORT:-unknown}
    [ "$KIND" != people ] && NAME=$NAME-$KIND
    mkdir -p benches/results
    # A second run on the same day and machine is kept beside the first
    # (the VM drifts within the hour: both are data).
    SAVED=benches/results/$NAME.md
    K=2
    while [ -e "$SAVED" ]; do
        SAVED=benches/results/$NAME-$K.md
        K=$((K + 1))
    done
    cp "$OUT" "$SAVED"
    echo "saved $SAVED" >&2
fi
