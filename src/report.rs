//! Report: the `bulkscan.report.v1` JSON document (SPEC 7) and the table
//! for people. Neither ever holds a raw value: only counts, ids, paths and
//! reasons.

use crate::count::{Hll, UsPolicy};
use crate::detect::Engine;
use crate::rules::{CombinedMode, Evaluation, Verdict};
use crate::scan::ScanResult;
use serde_json::{Value, json};

pub const SCHEMA: &str = "bulkscan.report.v1";

/// What the user asked for, echoed in `assumptions`.
pub struct Assumptions<'a> {
    pub us: UsPolicy,
    pub combined: CombinedMode,
    pub person_key: Option<&'a str>,
    pub device_key: Option<&'a str>,
}

fn unit(c: crate::category::Category) -> &'static str {
    if c.counts_devices() {
        "us_devices"
    } else {
        "us_persons"
    }
}

pub fn json(eng: &Engine, r: &ScanResult, ev: &Evaluation, a: &Assumptions) -> Value {
    let mut cats = serde_json::Map::new();
    for c in &ev.categories {
        let mut o = json!({
            "count": c.count,
            "unit": unit(c.category),
            "exact": c.exact,
            "threshold": c.threshold,
            "bulk": c.bulk,
        });
        if !c.exact {
            o["relative_error"] = json!(Hll::relative_error());
        }
        cats.insert(c.category.id().to_string(), o);
    }
    let mut dets = serde_json::Map::new();
    let det_records = r.tally.det_records();
    for (i, d) in eng.catalog.detectors.iter().enumerate() {
        dets.insert(
            d.id.clone(),
            json!({
                "category": d.category.id(),
                "matches": r.tally.det_matches[i],
                "records": det_records[i],
            }),
        );
    }
    let skipped: Vec<Value> = r
        .skipped
        .iter()
        .map(|s| json!({"path": s.path, "reason": s.reason, "incomplete": s.incomplete}))
        .collect();
    let notes: Vec<Value> = r
        .notes
        .iter()
        .map(|s| json!({"path": s.path, "note": s.reason}))
        .collect();
    let genomic: Vec<Value> = r
        .genomic
        .iter()
        .map(|g| {
            let (species, why) = match &g.species {
                crate::records::genomic::Species::Human => ("human", g.evidence.clone()),
                crate::records::genomic::Species::NonHuman(w) => ("non_human", w.clone()),
                crate::records::genomic::Species::Unknown => ("unknown", g.evidence.clone()),
            };
            json!({
                "path": g.path,
                "format": g.format.name(),
                "samples": g.samples,
                "species": species,
                "evidence": why,
                "records": g.records,
                "counted": g.counted,
            })
        })
        .collect();
    let mut assumptions = json!({
        "us_persons": match a.us { UsPolicy::Assume => "assume", UsPolicy::Infer => "infer" },
        "combined": a.combined.id(),
        "identity": if a.person_key.is_some() { "person_key" } else { "auto" },
    });
    if let Some(k) = a.person_key {
        assumptions["person_key"] = json!(k);
    }
    if let Some(k) = a.device_key {
        assumptions["device_key"] = json!(k);
    }
    json!({
        "schema": SCHEMA,
        "version": env!("CARGO_PKG_VERSION"),
        "scanned": {
            "files": r.files,
            "bytes": r.bytes,
            "records": r.tally.records,
            "elapsed_seconds": (r.elapsed * 1000.0).round() / 1000.0,
            "threads": r.threads,
        },
        "skipped": skipped,
        "complete": r.complete(),
        "assumptions": assumptions,
        "identity": {
            "records_without_identity": r.tally.own_identity_records,
            "upper_bound": r.tally.own_identity_records > 0,
            "records_not_us": r.tally.non_us_records,
        },
        "categories": cats,
        "combined": {
            "mode": ev.combined.mode.id(),
            "present": ev.combined.present.iter().map(|c| c.id()).collect::<Vec<_>>(),
            "threshold": ev.combined.threshold,
            "count": ev.combined.count,
            "bulk": ev.combined.bulk,
        },
        "government_related": {"records": ev.gov_records},
        "genomic_files": genomic,
        "omic_matrices": r.matrices.iter().map(|m| json!({
            "path": m.path,
            "samples": m.samples,
            "orientation": "features_as_rows",
        })).collect::<Vec<_>>(),
        "detectors": dets,
        "notes": notes,
        "verdict": ev.verdict.id(),
        "bulk_categories": ev.bulk_categories.iter().map(|c| c.id()).collect::<Vec<_>>(),
    })
}

/// Thousands separators, for people.
pub fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn human_bytes(b: u64) -> String {
    const U: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", U[i])
    }
}

/// The table: fits an 80-column terminal.
pub fn table(r: &ScanResult, ev: &Evaluation, a: &Assumptions) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "bulkscan {}: {} file(s), {}, {} records, {:.2} s, {} thread(s)",
        env!("CARGO_PKG_VERSION"),
        group(r.files),
        human_bytes(r.bytes),
        group(r.tally.records),
        r.elapsed,
        r.threads
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "{:<30} {:>12} {:<8} {:>11}  BULK",
        "CATEGORY", "COUNT", "UNIT", "BULK IF >"
    );
    for c in &ev.categories {
        let count = if c.exact {
            group(c.count)
        } else {
            format!("~{}", group(c.count))
        };
        let bulk = if c.bulk {
            "YES"
        } else if ev.bulk_categories.contains(&c.category) {
            "YES*"
        } else {
            "no"
        };
        let _ = writeln!(
            o,
            "{:<30} {:>12} {:<8} {:>11}  {}",
            c.category.id(),
            count,
            if c.category.counts_devices() {
                "devices"
            } else {
                "persons"
            },
            group(c.threshold),
            bulk
        );
    }
    let _ = writeln!(
        o,
        "{:<30} {:>12} {:<8} {:>11}  {}",
        "government_related",
        group(ev.gov_records),
        "records",
        "any",
        if ev.gov_records > 0 { "YES" } else { "no" }
    );
    let _ = writeln!(o);
    let cm = &ev.combined;
    match (cm.mode, cm.threshold) {
        (CombinedMode::Off, _) => {
            let _ = writeln!(
                o,
                "combined data: off (each category against its own threshold)"
            );
        }
        (_, None) => {
            let _ = writeln!(o, "combined data ({}): no category present", cm.mode.id());
        }
        (m, Some(t)) => {
            let what = if m == CombinedMode::Union {
                "persons with any category"
            } else {
                "largest category"
            };
            let _ = writeln!(
                o,
                "combined data ({}, {} present): {} {}",
                m.id(),
                if cm.present.len() == 1 {
                    "1 category".to_string()
                } else {
                    format!("{} categories", cm.present.len())
                },
                what,
                group(cm.count.unwrap_or(0))
            );
            let _ = writeln!(
                o,
                "  vs lowest threshold present {}: {}",
                group(t),
                if cm.bulk { "BULK (*)" } else { "not bulk" }
            );
        }
    }
    let us = match a.us {
        UsPolicy::Assume => {
            "every subject counted as a U.S. person (--us-persons assume)".to_string()
        }
        UsPolicy::Infer => format!(
            "U.S. persons inferred; {} record(s) without U.S. evidence not counted",
            group(r.tally.non_us_records)
        ),
    };
    let _ = writeln!(o, "{us}");
    let id = match a.person_key {
        Some(k) => format!("identity: --person-key {k}"),
        None => "identity: strongest identifier in each record".to_string(),
    };
    let _ = writeln!(o, "{id}");
    if r.tally.own_identity_records > 0 {
        let _ = writeln!(
            o,
            "  {} record(s) had no identifier and counted as their own person:",
            group(r.tally.own_identity_records)
        );
        let _ = writeln!(o, "  counts are an upper bound");
    }
    for g in r.genomic.iter().filter(|g| !g.counted) {
        let why = if matches!(g.species, crate::records::genomic::Species::NonHuman(_)) {
            "not human"
        } else {
            "reference sequence"
        };
        let _ = writeln!(o, "not counted ({why}): {} ({})", g.path, g.format.name());
    }
    if !r.notes.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "NOTES ({}):", r.notes.len());
        for n in &r.notes {
            let _ = writeln!(o, "  {}: {}", n.path, n.reason);
        }
    }
    if !r.skipped.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "SKIPPED OR PARTLY SCANNED ({}):", r.skipped.len());
        for s in &r.skipped {
            let _ = writeln!(o, "  {}: {}", s.path, s.reason);
        }
    }
    let _ = writeln!(o);
    let (verdict, detail) = match ev.verdict {
        Verdict::Bulk => {
            let names: Vec<&str> = ev.bulk_categories.iter().map(|c| c.id()).collect();
            ("BULK U.S. SENSITIVE PERSONAL DATA", names.join(", "))
        }
        Verdict::GovernmentRelated => (
            "GOVERNMENT-RELATED DATA",
            "precise locations inside the geofence count at any volume".into(),
        ),
        Verdict::Incomplete => (
            "INCOMPLETE",
            "some input was not scanned: cannot certify below threshold".into(),
        ),
        Verdict::BelowThreshold => ("below every threshold", String::new()),
    };
    let _ = writeln!(o, "VERDICT: {verdict} (exit {})", ev.verdict.exit_code());
    if !detail.is_empty() {
        let _ = writeln!(o, "  {detail}");
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(100000), "100,000");
        assert_eq!(group(1234567), "1,234,567");
        assert_eq!(human_bytes(10), "10 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
    }
}
