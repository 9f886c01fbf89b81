//! End-to-end `scan::run` throughput on generated corpora whose true counts
//! are known (`bulkscan::generate`).
//!
//! The corpora (about 135 MB together, a second to write) are written once
//! per process into a temporary directory that is removed at exit, so each
//! benchmark id states its file's real size. Before a corpus is timed at a
//! thread count, one scan's report must equal the generator's truth: every
//! category count (exact) and every detector match count the truth states,
//! and the scan must be complete. A faster engine that counts wrong fails
//! instead of reporting a better number.
//!
//! Two ids per corpus: `j1` (one worker: the per-core figure) and `jN` (all
//! of the machine's cores). Throughput is in bytes of the file.
//!
//! `cargo bench --bench scan`

use bulkscan::count::UsPolicy;
use bulkscan::detect::Engine;
use bulkscan::generate::{GenSpec, Kind, Truth, generate};
use bulkscan::report::{self, Assumptions};
use bulkscan::rules::{self, CombinedMode, Thresholds};
use bulkscan::scan::{self, ScanOptions};
use criterion::{Criterion, SamplingMode, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A corpus: what to generate and the options its truth assumes.
struct Spec {
    label: &'static str,
    kind: Kind,
    rows: u64,
    persons: u64,
    device_key: Option<&'static str>,
}

const SPECS: &[Spec] = &[
    // Dense 20-column CSV of U.S. persons (~51 MB): every row holds several
    // identifiers (SSN, e-mail, phone, card, IBAN, IP, MAC, IMEI, lat/lon).
    Spec {
        label: "people_csv",
        kind: Kind::People,
        rows: 250_000,
        persons: 250_000,
        device_key: None,
    },
    // JSON Lines app events (~21 MB) with nested device/user/geo objects,
    // 4 events per device.
    Spec {
        label: "events_jsonl",
        kind: Kind::Events,
        rows: 80_000,
        persons: 20_000,
        device_key: Some("device.imei"),
    },
    // Sparse web-service log (~21 MB): 1% of lines carry an e-mail, 1% an
    // IPv4.
    Spec {
        label: "logs_text",
        kind: Kind::Logs,
        rows: 240_000,
        persons: 3_000,
        device_key: None,
    },
    // VCF cohort (~21 MB): 32,000 variant lines x 150 samples.
    Spec {
        label: "vcf",
        kind: Kind::Vcf,
        rows: 32_000,
        persons: 150,
        device_key: None,
    },
    // FASTQ (~21 MB): 80,000 reads of 100-150 bases.
    Spec {
        label: "fastq",
        kind: Kind::Fastq,
        rows: 80_000,
        persons: 1,
        device_key: None,
    },
];

struct Corpus {
    path: PathBuf,
    bytes: u64,
    truth: Truth,
}

fn write_corpus(dir: &Path, s: &Spec) -> Corpus {
    let path = dir.join(format!(
        "{}-{}.{}",
        s.kind.name(),
        s.rows,
        s.kind.extension()
    ));
    let f = std::fs::File::create(&path).expect("create corpus");
    let truth = generate(
        &GenSpec {
            kind: s.kind,
            rows: s.rows,
            persons: s.persons,
            seed: 1,
        },
        f,
    )
    .expect("generate corpus");
    let bytes = std::fs::metadata(&path).expect("corpus written").len();
    Corpus { path, bytes, truth }
}

fn options(s: &Spec, threads: usize) -> ScanOptions {
    ScanOptions {
        threads: Some(threads),
        device_key: s.device_key.map(str::to_string),
        ..ScanOptions::default()
    }
}

/// One scan's report against the generator's truth, as the CLI would print
/// it (`--format json`).
fn assert_truth(eng: &Engine, s: &Spec, c: &Corpus, threads: usize) {
    let opts = options(s, threads);
    let r = scan::run(eng, &opts, std::slice::from_ref(&c.path));
    let ev = rules::evaluate(
        &r.tally,
        &Thresholds::builtin(),
        CombinedMode::Lowest,
        r.complete(),
    );
    let a = Assumptions {
        us: UsPolicy::Assume,
        combined: CombinedMode::Lowest,
        person_key: None,
        device_key: s.device_key,
    };
    let v = report::json(eng, &r, &ev, &a);
    let what = format!("{} -j {threads}", s.label);
    assert_eq!(
        v["complete"], true,
        "{what}: scan incomplete: {:?}",
        v["skipped"]
    );
    assert_eq!(
        v["scanned"]["bytes"].as_u64(),
        Some(c.bytes),
        "{what}: bytes"
    );
    for (cat, &want) in &c.truth.categories {
        assert_eq!(
            v["categories"][cat]["count"].as_u64(),
            Some(want),
            "{what}: category {cat}\n{}",
            c.truth.description
        );
        assert_eq!(v["categories"][cat]["exact"], true, "{what}: {cat} exact");
    }
    for (det, &want) in &c.truth.detector_matches {
        assert_eq!(
            v["detectors"][det]["matches"].as_u64(),
            Some(want),
            "{what}: detector {det}"
        );
    }
}

fn scan_corpora(c: &mut Criterion, dir: &Path) {
    let eng = Engine::builtin();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut threads = vec![1];
    if cores > 1 {
        threads.push(cores);
    }
    // Generating all of them takes about a second; it lets every id state
    // the file's real size.
    let corpora: Vec<Corpus> = SPECS.iter().map(|s| write_corpus(dir, s)).collect();
    for (s, corpus) in SPECS.iter().zip(&corpora) {
        let mb = (corpus.bytes as f64 / 1e6).round();
        let mut g = c.benchmark_group(format!("scan_{}_{mb}MB", s.label));
        g.sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3))
            .throughput(Throughput::Bytes(corpus.bytes));
        for &j in &threads {
            let opts = options(s, j);
            let paths = [corpus.path.clone()];
            // Checked in the routine, so only for benchmarks the filter
            // selects, and once per (corpus, threads).
            let mut checked = false;
            g.bench_function(format!("j{j}"), |b| {
                if !checked {
                    assert_truth(&eng, s, corpus, j);
                    checked = true;
                }
                b.iter(|| {
                    let r = scan::run(&eng, &opts, &paths);
                    assert_eq!(r.bytes, corpus.bytes);
                    black_box(r)
                })
            });
        }
        g.finish();
    }
}

fn main() {
    let dir = tempfile::Builder::new()
        .prefix("bulkscan-bench-")
        .tempdir()
        .expect("temp dir");
    let mut c = Criterion::default().configure_from_args();
    scan_corpora(&mut c, dir.path());
    c.final_summary();
}
