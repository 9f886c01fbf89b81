//! `bulkscan patterns check`: every detector's examples, run through the
//! same path as a scan (column context, keyword windows, record-level
//! geolocation pairing).

use super::catalog::Example;
use super::{DetMask, Engine, RecordHits, bit};

/// The detectors that fire on one example, treated as one record.
pub fn fires(eng: &Engine, ex: &Example) -> DetMask {
    let mut rec = RecordHits::default();
    if let Some(t) = &ex.text {
        eng.scan_value(&super::ColumnCtx::text(), t.as_bytes(), &mut rec);
    }
    if let (Some(f), Some(v)) = (&ex.field, &ex.value) {
        eng.scan_value(&eng.column_ctx(f), v.as_bytes(), &mut rec);
    }
    if let Some(fs) = &ex.fields {
        for [k, v] in fs {
            eng.scan_value(&eng.column_ctx(k), v.as_bytes(), &mut rec);
        }
    }
    eng.finish_geo(&mut rec);
    rec.matched
}

/// One line per failing example.
pub fn run(eng: &Engine) -> Vec<String> {
    let mut out = Vec::new();
    for (i, d) in eng.catalog.detectors.iter().enumerate() {
        for ex in &d.positive {
            if fires(eng, ex) & bit(i) == 0 {
                out.push(format!("{}: should match {}", d.id, ex.describe()));
            }
        }
        for ex in &d.negative {
            if fires(eng, ex) & bit(i) != 0 {
                out.push(format!("{}: should not match {}", d.id, ex.describe()));
            }
        }
    }
    out
}
