//! Scanning records a batch at a time, column by column or key path by key
//! path, must give the report of the record-by-record scan, whatever the
//! bytes, the format and the batch and chunk sizes (the settings are
//! fuzzed along with the bytes).
#![no_main]

use bulkscan::detect::Engine;
use bulkscan::report::{self, Assumptions};
use bulkscan::rules::{self, CombinedMode, Thresholds};
use bulkscan::scan::{self, ScanOptions};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::builtin);
/// The format comes from the name: a header row makes CSV columns, and the
/// sniffer decides JSON Lines by content.
const NAMES: [&str; 3] = ["fuzz.csv", "fuzz.jsonl", "conditions.tsv"];

fn report(path: &std::path::Path, opts: &ScanOptions) -> serde_json::Value {
    let eng = &*ENGINE;
    let r = scan::run(eng, opts, &[path.to_path_buf()]);
    let ev = rules::evaluate(&r.tally, &Thresholds::builtin(), CombinedMode::Lowest, r.complete());
    let a = Assumptions {
        us: opts.us,
        combined: CombinedMode::Lowest,
        person_key: None,
        device_key: opts.device_key.as_deref(),
    };
    let mut v = report::json(eng, &r, &ev, &a);
    v["scanned"]["elapsed_seconds"] = serde_json::Value::Null;
    v["scanned"]["threads"] = serde_json::Value::Null;
    v
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 4 {
        return;
    }
    let name = NAMES[input[0] as usize % NAMES.len()];
    let batch = 2 + input[1] as usize % 70;
    let chunk = 1 + input[2] as usize * 37;
    let device_key = (input[3] & 1 == 1).then(|| "device.imei".to_string());
    let dir = std::env::temp_dir().join(format!("bulkscan-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &input[4..]).unwrap();
    let rows = ScanOptions {
        threads: Some(1),
        batch_rows: 0,
        device_key: device_key.clone(),
        max_record: 200,
        ..ScanOptions::default()
    };
    let batched = ScanOptions {
        batch_rows: batch,
        chunk_size: chunk,
        ..rows.clone()
    };
    assert_eq!(report(&path, &rows), report(&path, &batched), "{name} batch {batch} chunk {chunk}");
});
