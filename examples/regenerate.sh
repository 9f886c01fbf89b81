#!/usr/bin/env bash
# Rebuilds examples/data from the project's own generator. Deterministic:
# the same commands always write the same bytes, and each file's truth (the
# counts a correct scan must report) goes beside it as FILE.truth.json.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin=target/release/bulkscan
out=examples/data
mkdir -p "$out" examples/truth
# 2,000 customers: names, SSNs, cards, IBANs, phones, devices, locations.
$bin gen people --rows 2400 --persons 2000 --seed 2026 -o "$out/customers.csv"
# App events keyed by device, with GPS fixes.
$bin gen events --rows 3000 --persons 900 --seed 2026 -o "$out/events.jsonl"
# A web server log with a few e-mails and IP addresses.
$bin gen logs --rows 3000 --persons 400 --seed 2026 -o "$out/access.log"
# A 40-sample VCF cohort: 40 persons of human genomic data.
$bin gen vcf --rows 30 --persons 40 --seed 2026 -o "$out/cohort.vcf"
# Inventory with nothing personal in it.
$bin gen clean --rows 500 --seed 2026 -o "$out/inventory.csv"
mv "$out"/*.truth.json examples/truth/
