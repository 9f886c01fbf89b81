//! The detectors must never panic on any bytes, under any column context.
#![no_main]

use bulkscan::detect::{ColumnCtx, Engine, RecordHits};
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static ENGINE: LazyLock<Engine> = LazyLock::new(Engine::builtin);
const COLUMNS: [&str; 8] = ["", "ssn", "latitude", "location", "phone", "dob", "imei", "notes"];

fuzz_target!(|input: &[u8]| {
    let Some((&sel, value)) = input.split_first() else {
        return;
    };
    let eng = &*ENGINE;
    let col = COLUMNS[sel as usize % COLUMNS.len()];
    let ctx = if col.is_empty() { ColumnCtx::text() } else { eng.column_ctx(col) };
    let mut rec = RecordHits::default();
    eng.scan_value(&ctx, value, &mut rec);
    eng.finish_geo(&mut rec);
    for h in &rec.hits {
        assert!((h.det as usize) < eng.len());
    }
});
