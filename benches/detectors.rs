//! Per-detector-family throughput of `Engine::scan_value` on in-memory
//! buffers: one buffer of a few MB per family, each value scanned under the
//! column context it would have in a real table (an `ssn` column, a
//! `card_number` column, a free-text `notes` field...).
//!
//! Every buffer mixes valid values with near misses that the validators must
//! reject (never-issued SSN areas, bad Luhn digits, corrupted IBANs, coarse
//! coordinates...), and before anything is timed the bench asserts that the
//! engine finds exactly the valid ones, by construction, and nothing else.
//! A faster engine that finds the wrong things fails here instead of
//! reporting a better number.
//!
//! `cargo bench --bench detectors` (throughput is in bytes of values).

use bulkscan::detect::validate;
use bulkscan::detect::{ColumnCtx, Engine, RecordHits};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

/// Bytes of values per family buffer.
const TARGET_BYTES: usize = 4 << 20;

/// SplitMix64: deterministic buffers without a `rand` dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn digits(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| b'0' + self.below(10) as u8).collect()
    }
    fn hex(&mut self) -> u8 {
        b"0123456789abcdef"[self.below(16) as usize]
    }
}

/// One record: the values of its fields, each with the index of its column.
type Record = Vec<(usize, Vec<u8>)>;

/// A family's buffer: all values in one allocation, as records of
/// (column, start, end), plus the number of matches of `det` it holds.
struct Family {
    name: &'static str,
    det: &'static str,
    columns: Vec<ColumnCtx>,
    data: Vec<u8>,
    records: Vec<Vec<(usize, u32, u32)>>,
    /// Matches each record holds, by construction.
    want: Vec<u8>,
    expected: u64,
}

impl Family {
    /// Builds records with `make(rng, i) -> (record, matches)` until the
    /// buffer holds `TARGET_BYTES`.
    fn build(
        eng: &Engine,
        name: &'static str,
        det: &'static str,
        columns: &[&str],
        seed: u64,
        mut make: impl FnMut(&mut Rng, u64) -> (Record, u64),
    ) -> Family {
        let columns: Vec<ColumnCtx> = columns
            .iter()
            .map(|c| {
                if c.is_empty() {
                    ColumnCtx::text()
                } else {
                    eng.column_ctx(c)
                }
            })
            .collect();
        let mut rng = Rng(seed);
        let mut data = Vec::with_capacity(TARGET_BYTES + 4096);
        let mut records = Vec::new();
        let mut want = Vec::new();
        let mut expected = 0;
        let mut i = 0;
        while data.len() < TARGET_BYTES {
            let (rec, n) = make(&mut rng, i);
            expected += n;
            want.push(n as u8);
            let mut spans = Vec::with_capacity(rec.len());
            for (col, v) in rec {
                let s = data.len() as u32;
                data.extend_from_slice(&v);
                spans.push((col, s, data.len() as u32));
            }
            records.push(spans);
            i += 1;
        }
        Family {
            name,
            det,
            columns,
            data,
            records,
            want,
            expected,
        }
    }

    /// Checks the truth: exactly the valid values match, and nothing else
    /// does. On a difference, names the family's first records that differ.
    fn check(&self, eng: &Engine, det: u8, rec: &mut RecordHits) -> Result<(), String> {
        let (mine, all) = self.scan(eng, det, rec);
        if mine == self.expected && all == self.expected {
            return Ok(());
        }
        let mut msg = format!(
            "{}: {mine} matches of {} and {} of other detectors, expected {} by construction",
            self.name,
            self.det,
            all - mine,
            self.expected
        );
        let mut shown = 0;
        for (k, spans) in self.records.iter().enumerate() {
            rec.clear();
            for &(col, s, e) in spans {
                eng.scan_value(&self.columns[col], &self.data[s as usize..e as usize], rec);
            }
            eng.finish_geo(rec);
            let got: Vec<&str> = rec
                .hits
                .iter()
                .map(|h| eng.detector(h.det as usize).id.as_str())
                .collect();
            let ok = got.len() == self.want[k] as usize && got.iter().all(|d| *d == self.det);
            if !ok {
                let values: Vec<String> = spans
                    .iter()
                    .map(|&(_, s, e)| {
                        String::from_utf8_lossy(&self.data[s as usize..e as usize]).into_owned()
                    })
                    .collect();
                msg.push_str(&format!(
                    "\n  record {k} {values:?} gave {got:?}, expected {} match(es) of {}",
                    self.want[k], self.det
                ));
                shown += 1;
                if shown == 5 {
                    break;
                }
            }
        }
        Err(msg)
    }

    /// Scans every record; returns (matches of the family's detector, all
    /// matches of any detector).
    fn scan(&self, eng: &Engine, det: u8, rec: &mut RecordHits) -> (u64, u64) {
        let (mut mine, mut all) = (0u64, 0u64);
        for spans in &self.records {
            rec.clear();
            for &(col, s, e) in spans {
                eng.scan_value(&self.columns[col], &self.data[s as usize..e as usize], rec);
            }
            eng.finish_geo(rec);
            mine += rec.hits.iter().filter(|h| h.det == det).count() as u64;
            all += rec.hits.len() as u64;
        }
        (mine, all)
    }
}

fn one(col: usize, v: Vec<u8>) -> Record {
    vec![(col, v)]
}

fn luhn_complete(mut body: Vec<u8>, valid: bool) -> Vec<u8> {
    let c = validate::luhn_check_digit(&body);
    body.push(if valid { c } else { b'0' + (c - b'0' + 1) % 10 });
    body
}

/// SSA-valid SSN digits: area 001-665 or 667-899, group 01-99, serial
/// 0001-9999, never one of the published sample numbers.
fn valid_ssn(r: &mut Rng) -> Vec<u8> {
    loop {
        let area = match r.range(1, 898) {
            666 => 899,
            a => a,
        };
        let s = format!("{area:03}{:02}{:04}", r.range(1, 99), r.range(1, 9999)).into_bytes();
        if !matches!(
            s.as_slice(),
            b"078051120" | b"219099999" | b"457555462" | b"123456789"
        ) {
            return s;
        }
    }
}

/// Never-issued SSN digits: area 000 or 666, group 00 or serial 0000.
fn invalid_ssn(r: &mut Rng) -> Vec<u8> {
    match r.below(4) {
        0 => format!("000{:02}{:04}", r.range(1, 99), r.range(1, 9999)),
        1 => format!("666{:02}{:04}", r.range(1, 99), r.range(1, 9999)),
        2 => format!("{:03}00{:04}", r.range(1, 665), r.range(1, 9999)),
        _ => format!("{:03}{:02}0000", r.range(1, 665), r.range(1, 99)),
    }
    .into_bytes()
}

fn dash_ssn(d: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(11);
    v.extend_from_slice(&d[..3]);
    v.push(b'-');
    v.extend_from_slice(&d[3..5]);
    v.push(b'-');
    v.extend_from_slice(&d[5..]);
    v
}

/// Subscriber NANP numbers: real area codes, exchange 2xx-9xx other than
/// N11 and 555.
const AREAS: &[&str] = &[
    "212", "213", "305", "312", "404", "415", "503", "612", "617", "646", "702", "713", "718",
    "808", "919",
];

fn phone_digits(r: &mut Rng, valid: bool) -> Vec<u8> {
    let area = if valid {
        AREAS[r.below(AREAS.len() as u64) as usize].to_string()
    } else {
        // N11 service codes and the N9X expansion block are never areas.
        ["411", "911", "290", "593"][r.below(4) as usize].to_string()
    };
    let exchange = loop {
        let e = r.range(200, 999);
        if e % 100 != 11 && e != 555 {
            break e;
        }
    };
    format!("{area}{exchange}{:04}", r.below(10_000)).into_bytes()
}

fn phone_fmt(d: &[u8], style: u64) -> Vec<u8> {
    let s = std::str::from_utf8(d).unwrap();
    let (a, e, n) = (&s[..3], &s[3..6], &s[6..]);
    match style % 5 {
        0 => format!("({a}) {e}-{n}"),
        1 => format!("{a}-{e}-{n}"),
        2 => format!("{a}.{e}.{n}"),
        3 => format!("+1 {a} {e} {n}"),
        _ => s.to_string(),
    }
    .into_bytes()
}

fn ipv4(r: &mut Rng, valid: bool) -> Vec<u8> {
    let mut o = [r.range(1, 223), r.below(256), r.below(256), r.range(1, 254)];
    if !valid {
        // One octet out of range: no dotted quad.
        o[r.below(4) as usize] = r.range(256, 999);
    }
    format!("{}.{}.{}.{}", o[0], o[1], o[2], o[3]).into_bytes()
}

fn mac(r: &mut Rng, style: u64) -> Vec<u8> {
    let h: Vec<u8> = (0..12).map(|_| r.hex()).collect();
    let mut v = Vec::with_capacity(17);
    match style % 3 {
        2 => {
            for (k, c) in h.chunks(4).enumerate() {
                if k > 0 {
                    v.push(b'.');
                }
                v.extend_from_slice(c);
            }
        }
        s => {
            let sep = if s == 0 { b':' } else { b'-' };
            for (k, c) in h.chunks(2).enumerate() {
                if k > 0 {
                    v.push(sep);
                }
                v.extend_from_slice(c);
            }
        }
    }
    if style.is_multiple_of(7) {
        v.make_ascii_uppercase();
    }
    v
}

/// A registry-valid IBAN (DE: 18 digits; GB: 4 letters + 14 digits; FR: 23
/// alphanumerics), corrupted in one BBAN digit when not `valid` (mod-97
/// catches every single-digit change).
fn iban(r: &mut Rng, valid: bool) -> Vec<u8> {
    let (cc, mut bban): (&[u8; 2], Vec<u8>) = match r.below(3) {
        0 => (b"DE", r.digits(18)),
        1 => {
            let mut b: Vec<u8> = b"WEST".to_vec();
            b.extend(r.digits(14));
            (b"GB", b)
        }
        _ => {
            let mut b = r.digits(21);
            b.extend(r.digits(2));
            (b"FR", b)
        }
    };
    let check = validate::iban_check_digits(cc, &bban).expect("known country");
    if !valid {
        let k = bban.len() - 1 - r.below(6) as usize;
        bban[k] = b'0' + (bban[k] - b'0' + 1 + r.below(9) as u8) % 10;
    }
    let mut v = cc.to_vec();
    v.extend_from_slice(&check);
    v.extend_from_slice(&bban);
    v
}

fn group4(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() + v.len() / 4);
    for (k, c) in v.chunks(4).enumerate() {
        if k > 0 {
            out.push(b' ');
        }
        out.extend_from_slice(c);
    }
    out
}

/// A decimal degree with `dec` decimals.
fn degree(r: &mut Rng, lo: i64, hi: i64, dec: u32) -> Vec<u8> {
    let scale = 10i64.pow(dec);
    let v = lo * scale + r.below(((hi - lo) * scale) as u64) as i64;
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!(
        "{sign}{}.{:0w$}",
        a / scale as u64,
        a % scale as u64,
        w = dec as usize
    )
    .into_bytes()
}

/// A U.S. lat/lon: precise (5-6 decimals, cell well under 1,000 m) or
/// coarse (2 decimals, about 1.1 km).
fn lat_lon(r: &mut Rng, precise: bool) -> (Vec<u8>, Vec<u8>) {
    let dec = if precise { 5 + r.below(2) as u32 } else { 2 };
    (degree(r, 30, 47, dec), degree(r, -120, -75, dec))
}

fn bases(r: &mut Rng, n: usize) -> Vec<u8> {
    (0..n).map(|_| b"ACGT"[r.below(4) as usize]).collect()
}

const WORDS: &[&str] = &[
    "order",
    "shipped",
    "to",
    "warehouse",
    "the",
    "customer",
    "asked",
    "about",
    "delivery",
    "window",
    "and",
    "refund",
    "status",
    "item",
    "was",
    "backordered",
    "until",
    "next",
    "week",
    "please",
    "call",
    "back",
    "after",
    "review",
    "ticket",
    "escalated",
    "resolved",
    "weight",
    "total",
    "batch",
    "version",
    "build",
];

/// A line of support-ticket prose with numbers that are not identifiers:
/// quantities, prices, dates, versions, ratios, 6-8 digit order numbers, a
/// bare 9-digit reference with no SSN context.
fn prose(r: &mut Rng) -> String {
    let mut s = String::new();
    let n = r.range(12, 24);
    for k in 0..n {
        if k > 0 {
            s.push(' ');
        }
        match r.below(10) {
            0 => s.push_str(&format!("#{}", r.range(100_000, 99_999_999))),
            1 => s.push_str(&format!("${}.{:02}", r.range(1, 9999), r.below(100))),
            2 => s.push_str(&format!("2024-{:02}-{:02}", r.range(1, 12), r.range(1, 28))),
            3 => s.push_str(&format!(
                "v{}.{}.{}",
                r.below(10),
                r.below(40),
                r.below(200)
            )),
            4 => s.push_str(&format!("{}.{}kg", r.range(1, 99), r.below(10))),
            _ => s.push_str(WORDS[r.below(WORDS.len() as u64) as usize]),
        }
    }
    if r.below(4) == 0 {
        s.push_str(&format!(" ref {}", r.range(100_000_000, 999_999_999)));
    }
    s.push('.');
    s
}

fn families(eng: &Engine) -> Vec<Family> {
    let mut f = Vec::new();
    // SSNs in an `ssn` column: 80% valid, dashed or bare; 20% never issued.
    f.push(Family::build(
        eng,
        "ssn_column",
        "us_ssn",
        &["ssn"],
        1,
        |r, i| {
            let valid = r.below(5) != 0;
            let d = if valid { valid_ssn(r) } else { invalid_ssn(r) };
            let v = if i % 2 == 0 { dash_ssn(&d) } else { d };
            (one(0, v), valid as u64)
        },
    ));
    // SSNs in free text after an `SSN` keyword, inside a sentence.
    f.push(Family::build(eng, "ssn_text", "us_ssn", &[""], 2, |r, _| {
        let valid = r.below(5) != 0;
        let d = if valid { valid_ssn(r) } else { invalid_ssn(r) };
        let v = format!(
            "Customer called about the refund; SSN {} verified by agent {} on 2024-{:02}-{:02}.",
            String::from_utf8(dash_ssn(&d)).unwrap(),
            r.range(100, 999),
            r.range(1, 12),
            r.range(1, 28)
        );
        (one(0, v.into_bytes()), valid as u64)
    }));
    // Visa 16-digit cards in a `card_number` column: bare, spaced or
    // dashed; 20% with a wrong Luhn digit.
    f.push(Family::build(
        eng,
        "card",
        "payment_card",
        &["card_number"],
        3,
        |r, i| {
            let valid = r.below(5) != 0;
            let d = loop {
                let mut body = vec![b'4'];
                body.extend(r.digits(14));
                let d = luhn_complete(body, valid);
                // A bad Visa printed in groups of four can still hold a valid
                // 12-digit PAN on group boundaries (Maestro `5018 ...`); such
                // near misses are redrawn, so the count does not depend on
                // whether the engine looks inside a failed group run.
                if valid || !(validate::card_valid(&d[..12]) || validate::card_valid(&d[4..])) {
                    break d;
                }
            };
            let v = match i % 3 {
                0 => d,
                1 => group4(&d),
                _ => group4(&d)
                    .iter()
                    .map(|&b| if b == b' ' { b'-' } else { b })
                    .collect(),
            };
            (one(0, v), valid as u64)
        },
    ));
    // E-mails in an `email` column; 20% with a host that has no TLD.
    f.push(Family::build(
        eng,
        "email",
        "email_address",
        &["email"],
        4,
        |r, i| {
            let valid = r.below(5) != 0;
            let first = WORDS[r.below(WORDS.len() as u64) as usize];
            let v = if valid {
                format!("{first}.smith{i}@mail.example.com")
            } else {
                format!("{first}.smith{i}@localhost")
            };
            (one(0, v.into_bytes()), valid as u64)
        },
    ));
    // NANP phones in a `phone` column, five notations; 20% with an area code
    // that is never assigned.
    f.push(Family::build(
        eng,
        "phone",
        "us_phone",
        &["phone"],
        5,
        |r, i| {
            let valid = r.below(5) != 0;
            let d = phone_digits(r, valid);
            (one(0, phone_fmt(&d, i)), valid as u64)
        },
    ));
    // IPv4s in an `ip_address` column; 20% with an octet > 255.
    f.push(Family::build(
        eng,
        "ipv4",
        "ipv4_address",
        &["ip_address"],
        6,
        |r, _| {
            let valid = r.below(5) != 0;
            (one(0, ipv4(r, valid)), valid as u64)
        },
    ));
    // MACs in a `mac_address` column (`:`, `-`, Cisco dots); 10% all-zero
    // or broadcast.
    f.push(Family::build(
        eng,
        "mac",
        "mac_address",
        &["mac_address"],
        7,
        |r, i| {
            if r.below(10) == 0 {
                let v = if i % 2 == 0 {
                    "00:00:00:00:00:00"
                } else {
                    "ff:ff:ff:ff:ff:ff"
                };
                (one(0, v.as_bytes().to_vec()), 0)
            } else {
                (one(0, mac(r, i)), 1)
            }
        },
    ));
    // IMEIs in an `imei` column; 20% with a wrong Luhn digit.
    f.push(Family::build(eng, "imei", "imei", &["imei"], 8, |r, _| {
        let valid = r.below(5) != 0;
        let mut body = b"35".to_vec();
        body.extend(r.digits(12));
        (one(0, luhn_complete(body, valid)), valid as u64)
    }));
    // IBANs (DE, GB, FR) in an `iban` column, compact or in groups of four;
    // 20% with one BBAN digit changed, always compact: a corrupted IBAN
    // printed in groups is a run of digit groups in which the engine may
    // find a card-valid PAN (`DE62 8105 0701 6749 1141 04` holds the
    // UnionPay-shaped, Luhn-valid `8105 0701 6749 1141`).
    f.push(Family::build(eng, "iban", "iban", &["iban"], 9, |r, i| {
        let valid = r.below(5) != 0;
        let v = iban(r, valid);
        let v = if i % 2 == 0 || !valid { v } else { group4(&v) };
        (one(0, v), valid as u64)
    }));
    // Lat/lon in `latitude` and `longitude` columns; 30% coarse (2
    // decimals, not precise geolocation).
    f.push(Family::build(
        eng,
        "geo_lat_lon_columns",
        "geo_coordinates",
        &["latitude", "longitude"],
        10,
        |r, _| {
            let precise = r.below(10) >= 3;
            let (la, lo) = lat_lon(r, precise);
            (vec![(0, la), (1, lo)], precise as u64)
        },
    ));
    // `lat,lon` pairs in one `location` column; 30% coarse.
    f.push(Family::build(
        eng,
        "geo_pair",
        "geo_coordinates",
        &["location"],
        11,
        |r, _| {
            let precise = r.below(10) >= 3;
            let (mut la, lo) = lat_lon(r, precise);
            la.push(b',');
            la.extend_from_slice(&lo);
            (one(0, la), precise as u64)
        },
    ));
    // Reads of 100-150 bases in a `sequence` column; 20% too short (16
    // bases) to be sequence data.
    f.push(Family::build(
        eng,
        "nucleotide",
        "nucleotide_sequence",
        &["sequence"],
        12,
        |r, _| {
            let valid = r.below(5) != 0;
            let n = if valid {
                r.range(100, 150) as usize
            } else {
                16
            };
            (one(0, bases(r, n)), valid as u64)
        },
    ));
    // Free text with numbers but no identifier at all: the cost of looking.
    f.push(Family::build(
        eng,
        "text_none",
        "us_ssn",
        &[""],
        13,
        |r, _| (one(0, prose(r).into_bytes()), 0),
    ));
    f
}

fn detectors(c: &mut Criterion) {
    let eng = Engine::builtin();
    let mut rec = RecordHits::default();
    let fams = families(&eng);
    let mut g = c.benchmark_group("detectors");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    // The truth first, for every family (whatever the filter) and before
    // anything is timed: exactly the valid values match, and nothing else.
    let dets: Vec<u8> = fams
        .iter()
        .map(|fam| {
            eng.catalog
                .detectors
                .iter()
                .position(|d| d.id == fam.det)
                .unwrap_or_else(|| panic!("no detector {}", fam.det)) as u8
        })
        .collect();
    let failures: Vec<String> = fams
        .iter()
        .zip(&dets)
        .filter_map(|(fam, &det)| fam.check(&eng, det, &mut rec).err())
        .collect();
    assert!(
        failures.is_empty(),
        "detector truth differs:\n{}",
        failures.join("\n")
    );
    for (fam, &det) in fams.iter().zip(&dets) {
        g.throughput(Throughput::Bytes(fam.data.len() as u64));
        g.bench_function(fam.name, |b| {
            b.iter(|| black_box(fam.scan(&eng, det, &mut rec)))
        });
    }
    g.finish();
}

criterion_group!(benches, detectors);
criterion_main!(benches);
