#!/usr/bin/env bash
# A profile-guided (PGO) build of bulkscan, for users who scan a lot and
# benchmarkers: the same source and the same answers, laid out by the
# compiler for the branches this engine takes. On this project's VM it
# scans the three benchmark corpora 8-10% faster than `cargo build
# --release` (benches/README.md has the runs).
#
#   benches/pgo.sh                 # builds target/pgo/release/bulkscan
#   benches/compare.sh --pgo       # runs this, then times both builds
#
# Steps:
#   1. build with -Cprofile-generate (target/pgo-gen);
#   2. generate training corpora with the project's generator, seed 2
#      (the benchmark corpora are seed 1): people, events, logs, VCF,
#      FASTQ and a clean CSV, about 50 MB in all, plus examples/data;
#      scan each with one and with two threads;
#   3. merge the profiles with llvm-profdata;
#   4. build with -Cprofile-use (target/pgo, rebuilt from scratch: cargo
#      does not see a changed profile);
#   5. check that the PGO build's JSON reports equal the plain release
#      build's on every training corpus (benches/ab.sh --rounds 0), and
#      fail if not.
# A profile only says which branches were hot; a scan of data unlike the
# training corpora is still exact, only perhaps less sped up.
#
# Options: --print-profdata (print the llvm-profdata this would use, or exit
# 3 if there is none; CI uses it to skip the build on a toolchain without it)
# Needs: llvm-profdata of rustc's own LLVM version (`rustup component add
# llvm-tools`; a system llvm-profdata of another version cannot read the
# profiles), python3 (for the report check). Takes about 2 min on 2 cores
# from a clean target directory.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

PRINT=0
while [ $# -gt 0 ]; do
    case "$1" in
        --print-profdata) PRINT=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "pgo.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
    esac
done

# The profile format follows LLVM's version: use rustc's own llvm-profdata
# (from the llvm-tools component), or one on PATH of the same major version.
find_profdata() {
    local host llvm cand
    host=$(rustc -vV | awk '/^host:/ { print $2 }')
    llvm=$(rustc -vV | awk '/^LLVM version:/ { split($3, v, "."); print v[1] }')
    for cand in "$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata" \
        "$(command -v "llvm-profdata-$llvm" || true)" "$(command -v llvm-profdata || true)"; do
        [ -n "$cand" ] && [ -x "$cand" ] || continue
        if "$cand" --version 2>/dev/null | grep -q "LLVM version $llvm\."; then
            echo "$cand"
            return 0
        fi
    done
    return 1
}

if ! PROFDATA=$(find_profdata); then
    echo "pgo.sh: no llvm-profdata for rustc's LLVM ($(rustc -vV | awk '/^LLVM version:/ { print $3 }'));" \
        "install it with: rustup component add llvm-tools" >&2
    exit 3
fi
if [ "$PRINT" = 1 ]; then
    echo "$PROFDATA"
    exit 0
fi
command -v python3 >/dev/null || { echo "pgo.sh: needs python3 (the report check)" >&2; exit 2; }

TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
GEN_DIR=$TARGET/pgo-gen
USE_DIR=$TARGET/pgo
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# User flags are kept; the profile flags are added to them.
BASE_FLAGS=${RUSTFLAGS:-}

echo "pgo.sh: 1/5 instrumented build ($GEN_DIR)" >&2
RUSTFLAGS="$BASE_FLAGS -Cprofile-generate=$WORK/raw" \
    cargo build --release --quiet --target-dir "$GEN_DIR"
GEN_BIN=$GEN_DIR/release/bulkscan

echo "pgo.sh: 2/5 training corpora and scans" >&2
# kind rows persons extension [scan options]: sizes chosen so each kind
# weighs about what it does among the benchmarks, in seconds not minutes.
CORPORA=(
    "people 100000 100000 csv"
    "events 80000 20000 jsonl --device-key device.imei"
    "logs 200000 3000 log"
    "vcf 8000 150 vcf"
    "fastq 20000 1 fq"
    "clean 100000 1 csv"
)
TRAIN=()
for c in "${CORPORA[@]}"; do
    read -r kind rows persons ext opts <<<"$c"
    file=$WORK/$kind.$ext
    "$GEN_BIN" gen "$kind" --rows "$rows" --persons "$persons" --seed 2 -o "$file" >/dev/null
    TRAIN+=("$file|${opts:-}")
done
TRAIN+=("$ROOT/examples/data|")
# A scan exits 1 for a bulk verdict: still a good run. Anything above 1 is not.
scan_ok() {
    local rc=0
    "$@" >/dev/null || rc=$?
    [ "$rc" -le 1 ] || { echo "pgo.sh: training scan failed ($rc): $*" >&2; exit 1; }
}
for t in "${TRAIN[@]}"; do
    file=${t%%|*} opts=${t#*|}
    for j in 1 2; do
        # shellcheck disable=SC2086 # opts is a word list
        scan_ok "$GEN_BIN" scan -j "$j" --format json $opts "$file"
    done
done

echo "pgo.sh: 3/5 merging profiles ($PROFDATA)" >&2
mkdir -p "$TARGET"
"$PROFDATA" merge -o "$TARGET/pgo.profdata" "$WORK/raw"

echo "pgo.sh: 4/5 optimized build ($USE_DIR)" >&2
rm -rf "$USE_DIR"
RUSTFLAGS="$BASE_FLAGS -Cprofile-use=$TARGET/pgo.profdata" \
    cargo build --release --quiet --target-dir "$USE_DIR"
PGO_BIN=$USE_DIR/release/bulkscan

echo "pgo.sh: 5/5 reports against the plain release build" >&2
cargo build --release --quiet
PLAIN_BIN=$TARGET/release/bulkscan
for t in "${TRAIN[@]}"; do
    file=${t%%|*} opts=${t#*|}
    for j in 1 2; do
        # shellcheck disable=SC2086
        "$ROOT/benches/ab.sh" --rounds 0 -j "$j" "$PLAIN_BIN" "$PGO_BIN" "$file" -- $opts >/dev/null \
            || { echo "pgo.sh: the PGO build's report differs on $file (-j $j)" >&2; exit 1; }
    done
done
echo "$PGO_BIN"
