//! Accuracy scoring: precision and recall per detector on labeled data.
//!
//! Shared by `examples/accuracy.rs` (prints the tables the README shows) and
//! `tests/integration/accuracy.rs` (asserts on the same numbers), so the
//! printed table and the test cannot disagree.
//!
//! Every data set goes through the scanner's own record parsers (CSV with
//! the header as column context, JSON Lines with key paths, text) and
//! `Engine::scan_value`, field by field, so each hit is attributed to the
//! field it came from. Ground truth is per value:
//! - labeled sentences (presidio-research): each span of a mapped entity
//!   type is a label; a label whose value the project's validators reject
//!   (a never-issued SSN, a non-Luhn card, a non-NANP phone) is counted as an
//!   "invalid label" and left out of recall;
//! - table CSVs: the column holding the identifier is the truth for its
//!   detector (the SSN column for `us_ssn`, ...), valid values only;
//! - the project's generated sets: the same, per column or key, and the
//!   number of valid values is checked against the generator's own truth.
//!
//! Within a record, a hit of a scored detector whose normalised value equals
//! an unmatched valid label of that detector is a true positive, any other
//! hit of it a false positive, and a label left unmatched a false negative.
//! For the files scanned as files, `scan::run` (the real scan path) must
//! report the same number of matches per detector as the field-by-field
//! scan; any difference is noted.
#![allow(dead_code)]

use bulkscan::detect::{ColumnCtx, Engine, RecordHits, validate as val};
use bulkscan::generate::{GenSpec, Kind, generate_file};
use bulkscan::records::{RecordSink, csv, json, text};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The detectors the acceptance threshold covers.
pub const CORE: [&str; 6] = [
    "us_ssn",
    "payment_card",
    "iban",
    "email_address",
    "us_phone",
    "imei",
];

// ------------------------------------------------------------ collection

/// One scanned field and the hits it produced (detector index, normalised
/// value).
#[derive(Debug, Clone, Default)]
pub struct Field {
    pub key: String,
    pub value: String,
    pub hits: Vec<(usize, Vec<u8>)>,
}

#[derive(Debug, Clone, Default)]
pub struct Record {
    pub fields: Vec<Field>,
}

impl Record {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map(|f| f.value.as_str())
    }
}

/// A `RecordSink` that scans each field the way `scan` does and keeps the
/// fields with their hits.
struct Collect<'e> {
    eng: &'e Engine,
    names: Vec<String>,
    cols: Vec<ColumnCtx>,
    keys: HashMap<String, ColumnCtx>,
    text_ctx: ColumnCtx,
    rec: RecordHits,
    cur: Record,
    out: Vec<Record>,
}

impl<'e> Collect<'e> {
    fn new(eng: &'e Engine, names: Vec<String>) -> Collect<'e> {
        let cols = names.iter().map(|n| eng.column_ctx(n)).collect();
        Collect {
            eng,
            names,
            cols,
            keys: HashMap::new(),
            text_ctx: ColumnCtx::text(),
            rec: RecordHits::default(),
            cur: Record::default(),
            out: Vec::new(),
        }
    }

    fn scan(&mut self, key: String, ctx: &ColumnCtx, value: &[u8]) {
        let before = self.rec.hits.len();
        self.eng.scan_value(ctx, value, &mut self.rec);
        let hits = self.rec.hits[before..]
            .iter()
            .map(|h| (h.det as usize, self.rec.value(h).to_vec()))
            .collect();
        self.cur.fields.push(Field {
            key,
            value: String::from_utf8_lossy(value).into_owned(),
            hits,
        });
    }
}

impl RecordSink for Collect<'_> {
    fn begin(&mut self, _offset: u64) {
        self.rec.clear();
        self.cur = Record::default();
    }
    fn column(&mut self, idx: usize, value: &[u8]) {
        let key = self
            .names
            .get(idx)
            .cloned()
            .unwrap_or_else(|| format!("#{idx}"));
        let ctx = self.cols.get(idx).cloned().unwrap_or_default();
        self.scan(key, &ctx, value);
    }
    fn keyed(&mut self, path: &str, value: &[u8]) {
        if !self.keys.contains_key(path) {
            self.keys
                .insert(path.to_string(), self.eng.column_ctx(path));
        }
        let ctx = self.keys[path].clone();
        self.scan(path.to_string(), &ctx, value);
    }
    fn text(&mut self, value: &[u8]) {
        let ctx = std::mem::take(&mut self.text_ctx);
        self.scan("text".to_string(), &ctx, value);
        self.text_ctx = ctx;
    }
    fn end(&mut self) {
        // Record-level detections (coordinate pairs) land after the fields.
        let before = self.rec.hits.len();
        self.eng.finish_geo(&mut self.rec);
        if self.rec.hits.len() > before {
            let hits = self.rec.hits[before..]
                .iter()
                .map(|h| (h.det as usize, self.rec.value(h).to_vec()))
                .collect();
            self.cur.fields.push(Field {
                key: "(record)".into(),
                value: String::new(),
                hits,
            });
        }
        self.out.push(std::mem::take(&mut self.cur));
    }
    fn oversize(&mut self, _offset: u64, _len: usize) {}
}

pub fn collect_csv(eng: &Engine, data: &[u8]) -> Vec<Record> {
    let (names, start) = csv::read_header(data, b',');
    let mut c = Collect::new(eng, names);
    csv::parse(data, start, data.len(), b',', 0, &mut c, usize::MAX);
    c.out
}

pub fn collect_jsonl(eng: &Engine, data: &[u8]) -> Vec<Record> {
    let mut c = Collect::new(eng, Vec::new());
    let mut w = json::Walker::new();
    text::parse_jsonl(&mut w, data, 0, data.len(), 0, &mut c, usize::MAX);
    c.out
}

pub fn collect_text_lines(eng: &Engine, data: &[u8]) -> Vec<Record> {
    let mut c = Collect::new(eng, Vec::new());
    text::parse(data, 0, data.len(), 0, &mut c, usize::MAX);
    c.out
}

/// One free-text value as one record (a labeled sentence).
pub fn collect_text(eng: &Engine, value: &str) -> Record {
    let mut c = Collect::new(eng, Vec::new());
    c.begin(0);
    c.text(value.as_bytes());
    c.end();
    c.out.pop().unwrap_or_default()
}

// ------------------------------------------------------------ labels

/// A ground-truth value: the detector that should find it, its raw text,
/// and its normalised form or why it is not a valid identifier.
#[derive(Debug, Clone)]
pub struct Label {
    pub det: &'static str,
    pub raw: String,
    pub norm: Result<Vec<u8>, String>,
    /// Where it stands: the column or key, or "text".
    pub field: String,
    /// For a sentence: a masked snippet around the label.
    pub snippet: String,
}

impl Label {
    pub fn new(det: &'static str, raw: &str, field: &str) -> Label {
        Label {
            det,
            raw: raw.to_string(),
            norm: normalise(det, raw),
            field: field.to_string(),
            snippet: String::new(),
        }
    }
}

fn digits(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).collect()
}

/// Upper-case letters and digits only: how ids without a fixed layout
/// (driver's licenses, passports) are compared.
fn alnum_upper(s: &[u8]) -> Vec<u8> {
    s.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_uppercase)
        .collect()
}

/// The value a detector reports for a raw label, as `RecordHits::value`
/// holds it, or why the label is not a valid identifier.
pub fn normalise(det: &str, raw: &str) -> Result<Vec<u8>, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("empty label".into());
    }
    let plain = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || b" -".contains(&b));
    match det {
        "us_ssn" => {
            let d = digits(s);
            if !plain(s) || d.len() != 9 {
                return Err("not 9 digits".into());
            }
            if val::ssn_valid(&d) {
                return Ok(d);
            }
            let area = &d[..3];
            Err(if area == b"000" || area == b"666" || area[0] == b'9' {
                "never-issued SSN area (000, 666, 900-999)"
            } else if &d[3..5] == b"00" || &d[5..] == b"0000" {
                "never-issued SSN group 00 or serial 0000"
            } else {
                "published sample SSN"
            }
            .into())
        }
        "payment_card" => {
            if !plain(s) {
                return Err("not a plain number (e.g. scientific notation)".into());
            }
            let d = digits(s);
            if val::card_valid(&d) {
                Ok(d)
            } else if !(12..=19).contains(&d.len()) {
                Err("card length outside 12-19".into())
            } else if !val::luhn_valid(&d) {
                Err("fails Luhn".into())
            } else {
                // The first two digits name the network family; they
                // identify nobody.
                Err(format!(
                    "Luhn-valid, but no network issues {} digits starting {}",
                    d.len(),
                    String::from_utf8_lossy(&d[..2])
                ))
            }
        }
        "iban" => {
            let c = alnum_upper(s.as_bytes());
            if val::iban_valid(&c) {
                Ok(c)
            } else {
                Err("fails ISO 13616 length or mod-97".into())
            }
        }
        "email_address" => {
            let l = s.to_ascii_lowercase().into_bytes();
            if val::email_valid(&l) {
                Ok(l)
            } else {
                Err("not a valid mailbox".into())
            }
        }
        "us_phone" => {
            // An extension is not part of the number.
            let lower = s.to_ascii_lowercase();
            let cut = lower.find(['x', 'e']).unwrap_or(lower.len());
            let main = &s[..cut];
            let plus = main.trim_start().starts_with('+');
            if plus && !main.trim_start().starts_with("+1") {
                return Err("foreign country code".into());
            }
            // NANP layouts: 10 digits, 3-3-4, optionally after 1, +1 or
            // 001 (00 is the international call prefix outside NANP, so
            // 001 and ten digits is a U.S. number written for callers
            // abroad). Ten digits grouped otherwise, (85) 5986-8343, are a
            // foreign number.
            let runs: Vec<&str> = main
                .split(|c: char| !c.is_ascii_digit())
                .filter(|r| !r.is_empty())
                .collect();
            let lens: Vec<usize> = runs.iter().map(|r| r.len()).collect();
            let first = runs.first().copied().unwrap_or("");
            let nanp_layout = match lens.as_slice() {
                [10] | [3, 3, 4] => true,
                [11] | [1, 10] | [1, 3, 3, 4] => first.starts_with('1'),
                [13] | [3, 3, 3, 4] => first.starts_with("001"),
                _ => false,
            };
            if !nanp_layout {
                return Err("not a NANP layout (foreign number)".into());
            }
            let mut d = digits(main);
            d.drain(..d.len() - 10);
            if val::nanp_valid(&d) {
                Ok(d)
            } else if d[0] == b'0' || d[0] == b'1' {
                Err("area code starts with 0/1 (foreign number)".into())
            } else {
                Err("fails NANP rules (exchange 0/1xx, N11, N9X area or 555-01XX)".into())
            }
        }
        "imei" => {
            let d = digits(s);
            if plain(s) && val::imei_valid(&d) {
                Ok(d)
            } else {
                Err("not a 15-digit Luhn-valid IMEI".into())
            }
        }
        "ipv4_address" => {
            if val::ipv4_valid(s.as_bytes()) {
                Ok(s.as_bytes().to_vec())
            } else {
                Err("not a dotted quad".into())
            }
        }
        "ipv6_address" => {
            let l = s.to_ascii_lowercase().into_bytes();
            if val::ipv6_valid(&l) {
                Ok(l)
            } else {
                Err("not an IPv6 address".into())
            }
        }
        "drivers_license" => {
            let c = alnum_upper(s.as_bytes());
            if val::drivers_license_shape(&c) {
                Ok(c)
            } else {
                Err("no U.S. state driver's license format".into())
            }
        }
        "us_passport" => {
            let c = alnum_upper(s.as_bytes());
            if val::us_passport_shape(&c) {
                Ok(c)
            } else {
                Err("not a U.S. passport number (9 digits or a letter and 8 digits)".into())
            }
        }
        _ => Ok(s.as_bytes().to_vec()),
    }
}

/// A hit's value in the form labels are compared in.
fn canon(det: &str, v: &[u8]) -> Vec<u8> {
    match det {
        "drivers_license" | "us_passport" => alnum_upper(v),
        _ => v.to_vec(),
    }
}

/// A column name that gives each detector its context, to tell "needs
/// context" from "format not recognised".
fn context_column(det: &str) -> &'static str {
    match det {
        "us_ssn" => "ssn",
        "payment_card" => "card_number",
        "iban" => "iban",
        "email_address" => "email",
        "us_phone" => "phone",
        "imei" => "imei",
        "ipv4_address" | "ipv6_address" => "ip_address",
        "drivers_license" => "drivers_license",
        "us_passport" => "passport_number",
        "bank_account" => "bank_account_number",
        _ => "value",
    }
}

// ------------------------------------------------------------ masking

/// Digits masked except the last four; an e-mail keeps its first letter
/// and its domain. What reports may show of a value.
pub fn mask(s: &str) -> String {
    if let Some(at) = s.find('@') {
        let first: String = s.chars().take(1).collect();
        return format!("{first}***{}", &s[at..]);
    }
    let total = s.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen + 4 <= total { 'X' } else { c }
            } else if c == '\n' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Every digit masked (the words around a label).
fn mask_all(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => 'X',
            '\n' | '\r' | '\t' => ' ',
            c => c,
        })
        .collect()
}

/// The label in its sentence, 40 characters either side: the label masked
/// except its last four digits, every other digit masked.
fn snippet(text: &str, start: usize, end: usize) -> String {
    let mut a = start.saturating_sub(40);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    let mut b = (end + 40).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    format!(
        "{}{}[{}]{}{}",
        if a > 0 { "…" } else { "" },
        mask_all(&text[a..start]),
        mask(&text[start..end]),
        mask_all(&text[end..b]),
        if b < text.len() { "…" } else { "" }
    )
}

/// Byte offset of a character offset (presidio offsets count characters).
fn byte_at(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| i)
}

// ------------------------------------------------------------ scoring

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Score {
    /// Valid labels (the recall denominator).
    pub labels: u64,
    /// Labels excluded because the value is not a valid identifier.
    pub invalid: u64,
    pub tp: u64,
    pub fp: u64,
    pub fn_: u64,
}

impl Score {
    /// None when the detector reported nothing.
    pub fn precision(&self) -> Option<f64> {
        let d = self.tp + self.fp;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
    /// None when there was nothing to find.
    pub fn recall(&self) -> Option<f64> {
        let d = self.tp + self.fn_;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
}

/// A group of misses, false positives or invalid labels with one reason.
#[derive(Debug, Clone, Default)]
pub struct Cases {
    pub count: u64,
    /// Up to three masked examples.
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub name: String,
    pub records: u64,
    pub dets: Vec<&'static str>,
    pub scores: BTreeMap<&'static str, Score>,
    /// (detector, reason) -> cases.
    pub misses: BTreeMap<(&'static str, String), Cases>,
    pub false_pos: BTreeMap<(&'static str, String), Cases>,
    pub invalid: BTreeMap<(&'static str, String), Cases>,
    pub notes: Vec<String>,
}

fn add_case(
    m: &mut BTreeMap<(&'static str, String), Cases>,
    det: &'static str,
    reason: String,
    ex: String,
) {
    let c = m.entry((det, reason)).or_default();
    c.count += 1;
    if c.examples.len() < 3 && !c.examples.contains(&ex) {
        c.examples.push(ex);
    }
}

/// Digits as 9, letters as A: the layout of a value.
fn layout(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                '9'
            } else if c.is_alphabetic() {
                'A'
            } else if c == '\n' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn finds(eng: &Engine, ctx: &ColumnCtx, raw: &str, di: usize, det: &str, want: &[u8]) -> bool {
    let mut rec = RecordHits::default();
    eng.scan_value(ctx, raw.as_bytes(), &mut rec);
    rec.hits
        .iter()
        .any(|h| h.det as usize == di && canon(det, rec.value(h)) == want)
}

pub struct Scorer<'e> {
    pub eng: &'e Engine,
    index: HashMap<String, usize>,
    pub report: Report,
}

impl<'e> Scorer<'e> {
    pub fn new(eng: &'e Engine, name: &str, dets: &[&'static str]) -> Scorer<'e> {
        let index: HashMap<String, usize> = (0..eng.len())
            .map(|i| (eng.detector(i).id.clone(), i))
            .collect();
        let dets: Vec<&'static str> = dets
            .iter()
            .copied()
            .filter(|d| index.contains_key(*d))
            .collect();
        let report = Report {
            name: name.to_string(),
            scores: dets.iter().map(|d| (*d, Score::default())).collect(),
            dets,
            ..Report::default()
        };
        Scorer { eng, index, report }
    }

    pub fn det_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// Why a valid label was not found.
    fn why_missed(&self, l: &Label, di: usize, want: &[u8], in_text: bool) -> String {
        let col = context_column(l.det);
        let alone = finds(self.eng, &ColumnCtx::text(), &l.raw, di, l.det, want);
        let under = finds(self.eng, &self.eng.column_ctx(col), &l.raw, di, l.det, want);
        let r = if in_text {
            if alone {
                "recognised alone, missed in its sentence".to_string()
            } else if under {
                format!("needs context: found under a `{col}` column, no keyword near it")
            } else {
                format!("layout not recognised, even under a `{col}` column")
            }
        } else if under {
            format!("found under a `{col}` column, not under this one")
        } else if alone {
            "found as free text, not under this column".to_string()
        } else {
            format!("layout not recognised, even under a `{col}` column")
        };
        format!("{r} [{}]", layout(l.raw.trim()))
    }

    /// Scores one record against its labels. `others` are a sentence's
    /// labeled spans of every type, to say what a false positive was.
    pub fn record(&mut self, rec: &Record, labels: &[Label], others: &[Span]) {
        self.report.records += 1;
        let in_text = rec.fields.len() == 1 && rec.fields[0].key == "text";
        let sentence = if in_text {
            rec.fields[0].value.as_str()
        } else {
            ""
        };
        for det in self.report.dets.clone() {
            let di = self.index[det];
            // Hits of this detector: (value, field).
            let mut hits: Vec<(Vec<u8>, &str, bool)> = rec
                .fields
                .iter()
                .flat_map(|f| {
                    f.hits
                        .iter()
                        .filter(|h| h.0 == di)
                        .map(move |h| (canon(det, &h.1), f.key.as_str(), false))
                })
                .collect();
            let mut sc = self.report.scores[det];
            for l in labels.iter().filter(|l| l.det == det) {
                match &l.norm {
                    Err(why) => {
                        sc.invalid += 1;
                        let ex = if l.snippet.is_empty() {
                            format!("{}: {}", l.field, mask(&l.raw))
                        } else {
                            l.snippet.clone()
                        };
                        add_case(&mut self.report.invalid, det, why.clone(), ex);
                    }
                    Ok(want) => {
                        sc.labels += 1;
                        if let Some(h) = hits.iter_mut().find(|h| !h.2 && h.0 == *want) {
                            h.2 = true;
                            sc.tp += 1;
                        } else {
                            sc.fn_ += 1;
                            let why = self.why_missed(l, di, want, in_text);
                            let ex = if l.snippet.is_empty() {
                                format!("{}: {}", l.field, mask(&l.raw))
                            } else {
                                l.snippet.clone()
                            };
                            add_case(&mut self.report.misses, det, why, ex);
                        }
                    }
                }
            }
            for (v, field, used) in &hits {
                if *used {
                    continue;
                }
                sc.fp += 1;
                let shown = String::from_utf8_lossy(v).into_owned();
                let au = alnum_upper(v);
                let invalid_label = labels.iter().any(|l| {
                    l.det == det && l.norm.is_err() && alnum_upper(l.raw.as_bytes()) == au
                });
                let at = if in_text { locate(sentence, &au) } else { None };
                let overlap: Vec<String> = at
                    .map(|(a, b)| {
                        others
                            .iter()
                            .filter(|o| o.start < b && a < o.end)
                            .map(|o| format!("{} [{}]", o.entity, layout(o.value.trim())))
                            .collect()
                    })
                    .unwrap_or_default();
                let reason = if invalid_label {
                    "hit on a label the validators reject".to_string()
                } else if !overlap.is_empty() {
                    format!("overlaps label(s) {}", overlap.join(" + "))
                } else if in_text {
                    "no label".to_string()
                } else {
                    format!("in column `{field}`")
                };
                let ex = if in_text {
                    match at {
                        Some((a, b)) => snippet(sentence, a, b),
                        None => mask(&shown),
                    }
                } else {
                    format!("{field}: {}", mask(&shown))
                };
                add_case(&mut self.report.false_pos, det, reason, ex);
            }
            self.report.scores.insert(det, sc);
        }
    }

    /// Notes where `scan::run` counted a different number of matches than
    /// the field-by-field scan saw hits.
    pub fn check_scan(&mut self, paths: &[PathBuf], records: &[Record]) {
        let opts = bulkscan::scan::ScanOptions {
            threads: Some(1),
            ..Default::default()
        };
        let res = bulkscan::scan::run(self.eng, &opts, paths);
        let mut diff = Vec::new();
        for det in &self.report.dets {
            let di = self.index[*det];
            let ours: u64 = records
                .iter()
                .flat_map(|r| &r.fields)
                .map(|f| f.hits.iter().filter(|h| h.0 == di).count() as u64)
                .sum();
            let theirs = res.tally.det_matches.get(di).copied().unwrap_or(0);
            if ours != theirs {
                diff.push(format!("{det} {ours} here vs {theirs} in scan::run"));
            }
        }
        if diff.is_empty() {
            self.report.notes.push(
                "scan::run (the real scan path) reports the same match count for every scored detector"
                    .into(),
            );
        } else {
            self.report
                .notes
                .push(format!("scan::run disagrees: {}", diff.join("; ")));
        }
    }
}

/// A labeled span of a sentence, any entity type (byte offsets).
#[derive(Debug, Clone)]
pub struct Span {
    pub entity: String,
    pub value: String,
    pub start: usize,
    pub end: usize,
}

/// Byte range in `text` of a value compared as upper-case letters and
/// digits (so `536221234` finds `536-22-1234`).
fn locate(text: &str, au: &[u8]) -> Option<(usize, usize)> {
    if au.is_empty() {
        return None;
    }
    let (mut flat, mut pos) = (Vec::new(), Vec::new());
    for (i, b) in text.bytes().enumerate() {
        if b.is_ascii_alphanumeric() {
            flat.push(b.to_ascii_uppercase());
            pos.push(i);
        }
    }
    let k = flat.windows(au.len()).position(|w| w == au)?;
    Some((pos[k], pos[k + au.len() - 1] + 1))
}

// ------------------------------------------------------------ data sets

/// presidio-research entity types and the detector each maps to.
fn presidio_det(entity: &str, value: &str) -> Option<&'static str> {
    Some(match entity {
        "US_SSN" => "us_ssn",
        "CREDIT_CARD" => "payment_card",
        "EMAIL_ADDRESS" => "email_address",
        "PHONE_NUMBER" => "us_phone",
        "IBAN_CODE" | "IBAN" => "iban",
        "IP_ADDRESS" if value.contains(':') => "ipv6_address",
        "IP_ADDRESS" => "ipv4_address",
        "US_DRIVER_LICENSE" => "drivers_license",
        "US_PASSPORT" => "us_passport",
        "US_BANK_NUMBER" => "bank_account",
        _ => return None,
    })
}

/// A presidio-research labeled-sentence file: a JSON array of
/// `{full_text, spans: [{entity_type, entity_value, start_position,
/// end_position}]}` (offsets in characters).
pub fn presidio(eng: &Engine, path: &Path, name: &str) -> Result<Report, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: serde_json::Value =
        serde_json::from_slice(&data).map_err(|e| format!("{}: {e}", path.display()))?;
    let samples = doc.as_array().ok_or("not a JSON array")?;
    let span_list = |s: &serde_json::Value| -> Vec<(String, String, usize, usize)> {
        s["spans"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|sp| {
                        (
                            sp["entity_type"].as_str().unwrap_or("").to_string(),
                            sp["entity_value"].as_str().unwrap_or("").to_string(),
                            sp["start_position"].as_u64().unwrap_or(0) as usize,
                            sp["end_position"].as_u64().unwrap_or(0) as usize,
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut dets: Vec<&'static str> = CORE.to_vec();
    for s in samples {
        for (t, v, _, _) in span_list(s) {
            if let Some(d) = presidio_det(&t, &v)
                && !dets.contains(&d)
            {
                dets.push(d);
            }
        }
    }
    let mut sc = Scorer::new(eng, name, &dets);
    let mut nspans = 0;
    for s in samples {
        let text = s["full_text"].as_str().unwrap_or("");
        let spans = span_list(s);
        nspans += spans.len();
        let mut labels = Vec::new();
        let mut others = Vec::new();
        for (t, v, a, b) in spans {
            let (a, b) = (byte_at(text, a), byte_at(text, b));
            if let Some(d) = presidio_det(&t, &v) {
                let mut l = Label::new(d, &v, "text");
                if a <= b && b <= text.len() && !v.is_empty() {
                    l.snippet = snippet(text, a, b);
                } else {
                    l.snippet = format!("(empty label in: {})", mask_all(text));
                }
                labels.push(l);
            }
            others.push(Span {
                entity: t,
                value: v,
                start: a,
                end: b,
            });
        }
        let rec = collect_text(eng, text);
        sc.record(&rec, &labels, &others);
    }
    sc.report.notes.push(format!(
        "{} sentences, {nspans} labeled spans of every type; each sentence scanned as free text",
        samples.len()
    ));
    Ok(sc.report)
}

/// presidio-research's FakeNameGenerator.com people CSV: 3,000 people of
/// many countries. Truth: NationalID is an SSN for U.S. rows only;
/// TelephoneNumber is a NANP number where the country code is 1 (U.S. and
/// Canada); EmailAddress; CCNumber (mangled into scientific notation by a
/// spreadsheet, so not card numbers any more).
pub fn fake_name_generator(eng: &Engine, path: &Path) -> Result<Report, String> {
    let data = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let recs = collect_csv(eng, &data);
    let mut sc = Scorer::new(
        eng,
        "FakeNameGenerator.com_3000.csv (people, 30 columns)",
        &CORE,
    );
    for r in &recs {
        let mut labels = Vec::new();
        let country = r.get("Country").unwrap_or("");
        if let Some(v) = r.get("NationalID").filter(|v| !v.is_empty())
            && country == "US"
        {
            labels.push(Label::new("us_ssn", v, "NationalID"));
        }
        if let Some(v) = r.get("TelephoneNumber").filter(|v| !v.is_empty())
            && r.get("TelephoneCountryCode") == Some("1")
        {
            labels.push(Label::new("us_phone", v, "TelephoneNumber"));
        }
        if let Some(v) = r.get("EmailAddress").filter(|v| !v.is_empty()) {
            labels.push(Label::new("email_address", v, "EmailAddress"));
        }
        if let Some(v) = r.get("CCNumber").filter(|v| !v.is_empty()) {
            labels.push(Label::new("payment_card", v, "CCNumber"));
        }
        sc.record(r, &labels, &[]);
    }
    sc.report.notes.push(
        "truth: NationalID of U.S. rows (us_ssn), TelephoneNumber of country code 1 rows \
         (us_phone), EmailAddress, CCNumber; national ids and phones of other countries \
         are not U.S. identifiers, so a us_ssn/us_phone hit on them is a false positive"
            .into(),
    );
    sc.check_scan(&[path.to_path_buf()], &recs);
    Ok(sc.report)
}

/// Synthea's California CSV export: every CSV of the directory. Truth:
/// patients SSN (all 999-xx-xxxx, deliberately invalid), DRIVERS,
/// PASSPORT; organizations and payers PHONE. No other column holds a
/// scored identifier, so any other hit is a false positive; `us_itin` is
/// scored too because Synthea's fake SSNs fall in the ITIN area.
pub fn synthea(eng: &Engine, dir: &Path) -> Result<Report, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();
    let mut sc = Scorer::new(
        eng,
        &format!("Synthea synthea_ca50 ({} CSV files)", files.len()),
        &[&CORE[..], &["us_itin", "drivers_license", "us_passport"]].concat(),
    );
    let mut all = Vec::new();
    for f in &files {
        let data = std::fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let recs = collect_csv(eng, &data);
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        for r in &recs {
            let mut labels = Vec::new();
            let mut add = |det: &'static str, col: &str| {
                if let Some(v) = r.get(col).filter(|v| !v.is_empty()) {
                    labels.push(Label::new(det, v, &format!("{name}:{col}")));
                }
            };
            match name {
                "patients.csv" => {
                    add("us_ssn", "SSN");
                    add("drivers_license", "DRIVERS");
                    add("us_passport", "PASSPORT");
                }
                "organizations.csv" | "payers.csv" => add("us_phone", "PHONE"),
                _ => {}
            }
            sc.record(r, &labels, &[]);
        }
        all.extend(recs);
    }
    sc.report.notes.push(
        "truth: patients SSN/DRIVERS/PASSPORT, organizations and payers PHONE; every other \
         column of the 17 files is a false-positive probe"
            .into(),
    );
    sc.check_scan(&files, &all);
    Ok(sc.report)
}

fn gen_file(
    dir: &Path,
    kind: Kind,
    rows: u64,
    persons: u64,
    seed: u64,
) -> (PathBuf, BTreeMap<String, u64>) {
    let spec = GenSpec {
        kind,
        rows,
        persons,
        seed,
    };
    let (p, t) = generate_file(dir, &spec).expect("generate");
    (p, t.detector_matches)
}

/// Checks the valid labels against the generator's own truth counts.
fn check_truth(sc: &mut Scorer, truth: &BTreeMap<String, u64>) {
    let mut diff = Vec::new();
    for det in &sc.report.dets {
        if let Some(&want) = truth.get(*det) {
            let have = sc.report.scores[det].labels;
            if have != want {
                diff.push(format!("{det}: {have} valid values vs truth {want}"));
            }
        }
    }
    sc.report.notes.push(if diff.is_empty() {
        "the valid values per column equal the generator's truth.detector_matches".into()
    } else {
        format!("generator truth disagrees: {}", diff.join("; "))
    });
}

/// The project's People CSV: truth per column (ssn, card_number, iban,
/// email, phone, imei, ip_address), valid values only (the generator also
/// writes never-issued SSNs, Luhn-invalid cards and corrupted IBANs).
pub fn generated_people(eng: &Engine, rows: u64, persons: u64, seed: u64) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, truth) = gen_file(dir.path(), Kind::People, rows, persons, seed);
    let data = std::fs::read(&path).expect("read generated");
    let recs = collect_csv(eng, &data);
    let mut sc = Scorer::new(
        eng,
        &format!("generated people (CSV, {rows} rows, seed {seed})"),
        &[&CORE[..], &["ipv4_address"]].concat(),
    );
    const COLS: [(&str, &str); 7] = [
        ("ssn", "us_ssn"),
        ("card_number", "payment_card"),
        ("iban", "iban"),
        ("email", "email_address"),
        ("phone", "us_phone"),
        ("imei", "imei"),
        ("ip_address", "ipv4_address"),
    ];
    for r in &recs {
        let labels: Vec<Label> = COLS
            .iter()
            .filter_map(|&(col, det)| {
                r.get(col)
                    .filter(|v| !v.is_empty())
                    .map(|v| Label::new(det, v, col))
            })
            .collect();
        sc.record(r, &labels, &[]);
    }
    check_truth(&mut sc, &truth);
    sc.check_scan(&[path], &recs);
    sc.report
}

/// The project's Events JSON Lines: device.imei, user.email, user.phone.
pub fn generated_events(eng: &Engine, rows: u64, devices: u64, seed: u64) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, truth) = gen_file(dir.path(), Kind::Events, rows, devices, seed);
    let data = std::fs::read(&path).expect("read generated");
    let recs = collect_jsonl(eng, &data);
    let mut sc = Scorer::new(
        eng,
        &format!("generated events (JSON Lines, {rows} events, seed {seed})"),
        &CORE,
    );
    for r in &recs {
        let mut labels = Vec::new();
        for (key, det) in [
            ("device.imei", "imei"),
            ("user.email", "email_address"),
            ("user.phone", "us_phone"),
        ] {
            if let Some(v) = r.get(key) {
                labels.push(Label::new(det, v, key));
            }
        }
        sc.record(r, &labels, &[]);
    }
    check_truth(&mut sc, &truth);
    sc.check_scan(&[path], &recs);
    sc.report
}

/// The project's Logs text: `user=<e-mail>` and `client=<IPv4>` tokens.
pub fn generated_logs(eng: &Engine, rows: u64, users: u64, seed: u64) -> Report {
    let dir = tempfile::tempdir().expect("tempdir");
    let (path, truth) = gen_file(dir.path(), Kind::Logs, rows, users, seed);
    let data = std::fs::read(&path).expect("read generated");
    let recs = collect_text_lines(eng, &data);
    let mut sc = Scorer::new(
        eng,
        &format!("generated logs (text, {rows} lines, seed {seed})"),
        &[&CORE[..], &["ipv4_address"]].concat(),
    );
    for r in &recs {
        let mut labels = Vec::new();
        for f in &r.fields {
            for tok in f.value.split_ascii_whitespace() {
                if let Some(v) = tok.strip_prefix("user=") {
                    labels.push(Label::new("email_address", v, "user="));
                } else if let Some(v) = tok.strip_prefix("client=") {
                    labels.push(Label::new("ipv4_address", v, "client="));
                }
            }
        }
        sc.record(r, &labels, &[]);
    }
    check_truth(&mut sc, &truth);
    sc.check_scan(&[path], &recs);
    sc.report
}

/// The generated sets the README table and the test use: People CSV,
/// Events JSON Lines and Logs text, fixed sizes and seed.
pub fn generated_sets(eng: &Engine) -> Vec<Report> {
    vec![
        generated_people(eng, 5000, 4000, 42),
        generated_events(eng, 5000, 1500, 42),
        generated_logs(eng, 20000, 3000, 42),
    ]
}

/// The third-party sets under a shared data root (see `shared_root`):
/// the people CSVs first, then the labeled sentences. A file that cannot be
/// read is an error, not a skip: the root is there.
pub fn people_csvs(eng: &Engine, root: &Path) -> Result<Vec<Report>, String> {
    Ok(vec![
        fake_name_generator(
            eng,
            &root.join("pii_eval/presidio-research__FakeNameGenerator.com_3000.csv"),
        )?,
        synthea(eng, &root.join("health/synthea_ca50/csv"))?,
    ])
}

pub fn labeled_sentences(eng: &Engine, root: &Path) -> Result<Vec<Report>, String> {
    PRESIDIO_FILES
        .iter()
        .map(|(file, name)| presidio(eng, &root.join("pii_eval").join(file), name))
        .collect()
}

/// The shared data root: a path holding `pii_eval/` (or its `data/`).
pub fn shared_root(p: &Path) -> Option<PathBuf> {
    [p.to_path_buf(), p.join("data")]
        .into_iter()
        .find(|c| c.join("pii_eval").is_dir())
}

/// The three presidio-research sentence files under `pii_eval/`.
pub const PRESIDIO_FILES: [(&str, &str); 3] = [
    (
        "presidio-research__synth_dataset_v2.json",
        "presidio synth_dataset_v2 (labeled sentences)",
    ),
    (
        "presidio-research__generated_large.json",
        "presidio generated_large (labeled sentences)",
    ),
    (
        "presidio-research__synth_dataset_v1.txt",
        "presidio synth_dataset v1 (labeled sentences)",
    ),
];

// ------------------------------------------------------------ printing

fn ratio(v: Option<f64>) -> String {
    v.map_or("n/a".into(), |x| format!("{x:.4}"))
}

/// The report as markdown: the per-detector table, then the misses, false
/// positives and invalid labels grouped by reason.
pub fn markdown(r: &Report) -> String {
    let mut s = format!("### {}\n\n", r.name);
    s.push_str(&format!("{} records. ", r.records));
    for n in &r.notes {
        s.push_str(n);
        s.push_str(". ");
    }
    s.push_str("\n\n| detector | labels | invalid labels | TP | FP | FN | precision | recall |\n");
    s.push_str("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for d in &r.dets {
        let c = r.scores[d];
        s.push_str(&format!(
            "| {d} | {} | {} | {} | {} | {} | {} | {} |\n",
            c.labels,
            c.invalid,
            c.tp,
            c.fp,
            c.fn_,
            ratio(c.precision()),
            ratio(c.recall())
        ));
    }
    for (title, m) in [
        ("Misses (FN) by reason", &r.misses),
        ("False positives by reason", &r.false_pos),
        (
            "Invalid labels (excluded from recall) by reason",
            &r.invalid,
        ),
    ] {
        if m.is_empty() {
            continue;
        }
        s.push_str(&format!("\n{title}:\n\n"));
        for ((det, why), c) in m {
            s.push_str(&format!("- {det} ×{}: {why}", c.count));
            for e in &c.examples {
                s.push_str(&format!("\n  - `{}`", e.replace('`', "'")));
            }
            s.push('\n');
        }
    }
    s
}
