//! Counts against the project's generator, whose truth is known by
//! construction, for every kind and under every identity mode.

use crate::util::*;
use bulkscan::generate::{GenSpec, Kind, Truth, generate_file};
use std::path::{Path, PathBuf};

fn make(dir: &Path, kind: Kind, rows: u64, persons: u64, seed: u64) -> (PathBuf, Truth) {
    let spec = GenSpec {
        kind,
        rows,
        persons,
        seed,
    };
    generate_file(dir, &spec).unwrap()
}

fn assert_truth(v: &serde_json::Value, t: &Truth, what: &str) {
    for (cat, &want) in &t.categories {
        assert_eq!(
            count(v, cat),
            want,
            "{what}: category {cat}\n{}",
            t.description
        );
        assert_eq!(v["categories"][cat]["exact"], true);
    }
    for (det, &want) in &t.detector_matches {
        assert_eq!(
            v["detectors"][det]["matches"].as_u64(),
            Some(want),
            "{what}: detector {det}"
        );
    }
    assert_eq!(v["complete"], true, "{what}");
}

#[test]
fn people_with_and_without_keys() {
    let d = tmp();
    for (rows, persons, seed) in [(1000, 800, 42), (3000, 3000, 7), (2500, 500, 9)] {
        let (f, t) = make(d.path(), Kind::People, rows, persons, seed);
        let (v, _) = scan(&[s(&f)]);
        assert_truth(&v, &t, "auto identity");
        let (v, _) = scan(&["--person-key", "person_id", "--device-key", "imei", s(&f)]);
        assert_truth(&v, &t, "person and device keys");
        assert_eq!(v["scanned"]["records"], rows);
    }
}

#[test]
fn people_across_threads_and_chunks() {
    let d = tmp();
    let (f, t) = make(d.path(), Kind::People, 4000, 3500, 3);
    let (base, _) = scan(&["-j", "1", s(&f)]);
    assert_truth(&base, &t, "-j 1");
    for chunk in ["1000", "65536", "999999999"] {
        let (v, _) = scan(&["-j", "2", "--chunk-size", chunk, s(&f)]);
        assert_eq!(stable(v), stable(base.clone()), "chunk {chunk}");
    }
}

#[test]
fn events_logs_genomic_and_clean() {
    let d = tmp();
    let (f, t) = make(d.path(), Kind::Events, 5000, 1500, 5);
    let (v, _) = scan(&["--device-key", "device.imei", s(&f)]);
    assert_truth(&v, &t, "events");
    let (f, t) = make(d.path(), Kind::Logs, 20000, 3000, 5);
    let (v, _) = scan(&[s(&f)]);
    assert_truth(&v, &t, "logs");
    let (f, t) = make(d.path(), Kind::Vcf, 50, 120, 5);
    let (v, code) = scan(&[s(&f)]);
    assert_truth(&v, &t, "vcf");
    assert_eq!(code, 1);
    let (f, t) = make(d.path(), Kind::Fastq, 400, 1, 5);
    let (v, _) = scan(&[s(&f)]);
    assert_truth(&v, &t, "fastq");
    let (f, t) = make(d.path(), Kind::Clean, 3000, 1, 5);
    let (v, code) = scan(&[s(&f)]);
    assert_truth(&v, &t, "clean");
    assert_eq!(code, 0);
}

#[test]
fn gen_command_writes_data_and_truth() {
    let d = tmp();
    let out = d.path().join("p.csv");
    let o = run(&[
        "gen",
        "people",
        "--rows",
        "300",
        "--seed",
        "11",
        "-o",
        s(&out),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let truth: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("p.csv.truth.json")).unwrap())
            .unwrap();
    let (v, _) = scan(&[s(&out)]);
    for (cat, want) in truth["categories"].as_object().unwrap() {
        assert_eq!(&v["categories"][cat]["count"], want, "{cat}");
    }
    assert_eq!(run(&["gen", "nope", "-o", s(&out)]).code, 2);
}
