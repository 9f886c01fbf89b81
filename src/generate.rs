//! Synthetic data sets with known truth.
//!
//! A scanner that counts distinct persons per 28 CFR Part 202 category can
//! only be tested (and benchmarked honestly) against data whose correct
//! answer is known exactly. This module writes such data sets and returns the
//! answer alongside: the expected distinct count per category and the
//! expected number of matches for the detectors whose outcome is not a
//! judgement call.
//!
//! Design rules, and why:
//! - Same `(kind, rows, persons, seed)` gives the same bytes on every
//!   platform, so a benchmark corpus can be regenerated instead of stored and
//!   a failing test reproduces anywhere. Hence an integer-only PRNG
//!   (SplitMix64, no `rand`), integer-only number formatting (no float
//!   `Display`, whose shortest-digit output is the one place platforms and
//!   versions could differ), and no hash-map iteration.
//! - Every attribute of a person is drawn from that person's own PRNG stream
//!   (seeded by seed and person index), so a person's repeated rows are
//!   byte-identical without keeping any per-person state: multi-GB files
//!   need O(1) memory for People, one bit per device for Events, and a set
//!   of the few CPI users for Logs.
//! - "Valid" identifiers get their check digits from the project's own
//!   validators (`luhn_check_digit`, `iban_check_digits`), so valid here means
//!   exactly what the scanner accepts; the tests assert that every valid
//!   value validates and every deliberately invalid one does not.
//! - Identifiers that decide identity (SSN, e-mail, IMEI, MAC) are derived
//!   from the person or device index through bijections, never drawn at
//!   random, so they are unique by construction and the truth is the same
//!   with `--person-key person_id` and with automatic identity.

use crate::detect::validate;
use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};

/// The seven counted categories (SPEC 2), in the order reports list them.
/// Every `Truth` carries all seven so a consumer never has to guess whether
/// a missing key means zero.
pub const CATEGORY_IDS: [&str; 7] = [
    "human_genomic",
    "human_omic",
    "biometric_identifiers",
    "precise_geolocation",
    "personal_health",
    "personal_financial",
    "covered_personal_identifiers",
];

/// Which synthetic data set to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Dense 20-column CSV of persons: the main benchmark table.
    People,
    /// JSON Lines app events keyed by device, nested objects.
    Events,
    /// Sparse web-server-like text log.
    Logs,
    /// VCFv4.2 cohort with one genotype column per person.
    Vcf,
    /// FASTQ reads of one sample.
    Fastq,
    /// Inventory CSV with nothing personal in it: the false-positive probe.
    Clean,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::People,
        Kind::Events,
        Kind::Logs,
        Kind::Vcf,
        Kind::Fastq,
        Kind::Clean,
    ];

    /// Parses a kind name as printed by [`Kind::name`], ignoring ASCII case
    /// so command lines and test tables can write `People` or `people`.
    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s))
    }

    /// Stable lowercase name, used on command lines and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Events => "events",
            Kind::Logs => "logs",
            Kind::Vcf => "vcf",
            Kind::Fastq => "fastq",
            Kind::Clean => "clean",
        }
    }

    /// The file extension whose content sniffing agrees with the kind.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::People | Kind::Clean => "csv",
            Kind::Events => "jsonl",
            Kind::Logs => "log",
            Kind::Vcf => "vcf",
            Kind::Fastq => "fq",
        }
    }

    /// Mixed into every stream seed so two kinds generated with the same
    /// seed do not share random streams (a People person and an Events
    /// device with the same index would otherwise get the same draws).
    fn salt(self) -> u64 {
        match self {
            Kind::People => 0x5045_4f50_4c45_0001,
            Kind::Events => 0x4556_454e_5453_0002,
            Kind::Logs => 0x4c4f_4753_0000_0003,
            Kind::Vcf => 0x5643_4600_0000_0004,
            Kind::Fastq => 0x4641_5354_5100_0005,
            Kind::Clean => 0x434c_4541_4e00_0006,
        }
    }
}

/// What to generate: `rows` records over `persons` distinct persons
/// (devices for Events, samples for Vcf, e-mail users for Logs; ignored by
/// Fastq and Clean).
#[derive(Debug, Clone)]
pub struct GenSpec {
    pub kind: Kind,
    pub rows: u64,
    pub persons: u64,
    pub seed: u64,
}

/// Truth: expected distinct counts per category id (SPEC ids: human_genomic,
/// human_omic, biometric_identifiers, precise_geolocation, personal_health,
/// personal_financial, covered_personal_identifiers), always all seven keys,
/// plus expected per-detector match counts for the detectors whose truth is
/// unambiguous.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Truth {
    pub rows: u64,
    pub categories: BTreeMap<String, u64>,
    pub detector_matches: BTreeMap<String, u64>,
    pub description: String,
}

impl Truth {
    fn new(rows: u64) -> Truth {
        Truth {
            rows,
            categories: CATEGORY_IDS.iter().map(|c| (c.to_string(), 0)).collect(),
            detector_matches: BTreeMap::new(),
            description: String::new(),
        }
    }

    fn set_category(&mut self, id: &str, n: u64) {
        debug_assert!(CATEGORY_IDS.contains(&id));
        self.categories.insert(id.to_string(), n);
    }

    fn set_matches(&mut self, pairs: &[(&str, u64)]) {
        for &(id, n) in pairs {
            self.detector_matches.insert(id.to_string(), n);
        }
    }

    /// Hand-written JSON (the module is std-only) with keys in `BTreeMap`
    /// order, so the same truth always serialises to the same bytes and can
    /// be committed next to example data.
    pub fn to_json(&self) -> String {
        let mut s = String::with_capacity(512 + self.description.len());
        s.push_str("{\"rows\":");
        s.push_str(&self.rows.to_string());
        for (name, map) in [
            ("categories", &self.categories),
            ("detector_matches", &self.detector_matches),
        ] {
            s.push_str(",\"");
            s.push_str(name);
            s.push_str("\":{");
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                json_string(&mut s, k);
                s.push(':');
                s.push_str(&v.to_string());
            }
            s.push('}');
        }
        s.push_str(",\"description\":");
        json_string(&mut s, &self.description);
        s.push('}');
        s
    }
}

/// RFC 8259 string escaping: quotes, backslashes and control characters.
fn json_string(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(HEX_LOWER[(c as usize) >> 4]));
                out.push(char::from(HEX_LOWER[(c as usize) & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes the data set described by `spec` to `out` (buffered here, so a
/// raw `File` is fine) and returns its truth. Errors: `InvalidInput` when a
/// kind that needs persons gets none, or more persons than its identifiers
/// can keep unique; otherwise only the writer's errors.
/// Writes `spec` to `dir/{kind}-{seed}.{ext}` and returns the path with
/// its truth: what tests, examples and benchmarks all need.
pub fn generate_file(
    dir: &std::path::Path,
    spec: &GenSpec,
) -> io::Result<(std::path::PathBuf, Truth)> {
    let p = dir.join(format!(
        "{}-{}.{}",
        spec.kind.name(),
        spec.seed,
        spec.kind.extension()
    ));
    let t = generate(spec, std::fs::File::create(&p)?)?;
    Ok((p, t))
}

pub fn generate<W: Write>(spec: &GenSpec, out: W) -> io::Result<Truth> {
    let mut w = BufWriter::with_capacity(1 << 20, out);
    let truth = match spec.kind {
        Kind::People => people(spec, &mut w)?,
        Kind::Events => events(spec, &mut w)?,
        Kind::Logs => logs(spec, &mut w)?,
        Kind::Vcf => vcf(spec, &mut w)?,
        Kind::Fastq => fastq(spec, &mut w)?,
        Kind::Clean => clean(spec, &mut w)?,
    };
    w.flush()?;
    Ok(truth)
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

fn need_persons(spec: &GenSpec, max: u64) -> io::Result<()> {
    if spec.rows > 0 && spec.persons == 0 {
        return Err(invalid(format!(
            "{}: rows > 0 needs persons >= 1",
            spec.kind.name()
        )));
    }
    if spec.persons > max {
        return Err(invalid(format!(
            "{}: at most {max} persons keep every identifier unique (got {})",
            spec.kind.name(),
            spec.persons
        )));
    }
    Ok(())
}

// ------------------------------------------------------------------ PRNG

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64 finaliser: a bijective 64-bit mixer, used both to derive
/// stream seeds and as the generator's output function.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 (Steele, Lea, Flood 2014): one add and one mix per output,
/// passes BigCrush, and is defined entirely by wrapping integer arithmetic,
/// so its output is identical on every platform.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// An independent stream for item `index` of purpose `salt`: what makes
    /// a person's repeated rows identical without storing the person.
    fn stream(seed: u64, salt: u64, index: u64) -> Rng {
        Rng(mix64(
            seed ^ mix64(salt ^ mix64(index.wrapping_add(GOLDEN))),
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix64(self.0)
    }

    /// Uniform in `0..n` by multiply-shift (Lemire) without rejection: the
    /// bias is below 2^-40 for every `n` used here, and no loop means a fixed
    /// number of draws per call.
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `p`/1000: probabilities stay integers, so no
    /// float comparison can differ between platforms.
    fn permille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len() as u64) as usize]
    }

    fn digit(&mut self) -> u8 {
        b'0' + self.below(10) as u8
    }

    fn upper(&mut self) -> u8 {
        b'A' + self.below(26) as u8
    }
}

/// Stream purposes, mixed with the kind's salt.
const S_PERSON: u64 = 1;
const S_DEVICE: u64 = 2;
const S_OFFSETS: u64 = 3;
const S_EVENT: u64 = 4;
const S_LINE: u64 = 5;
const S_USER: u64 = 6;

// ------------------------------------------------------------ formatting

const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const POW10: [u64; 10] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];
/// Exact powers of ten as f64 (all below 2^53), for the precision check.
const POW10F: [f64; 7] = [1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6];

/// Decimal digits of `n` without allocating: rows are formatted at hundreds
/// of MB/s, so no `format!` per field.
fn push_u64(b: &mut Vec<u8>, n: u64) {
    push_pad(b, n, 1);
}

/// `n` zero-padded to at least `width` digits.
fn push_pad(b: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = tmp.len() - i;
    for _ in digits..width {
        b.push(b'0');
    }
    b.extend_from_slice(&tmp[i..]);
}

/// A fixed-point decimal written with exactly `decimals` fractional digits:
/// the digit count is what carries a coordinate's precision, so it is
/// written from integers, never from a float.
fn push_fixed(b: &mut Vec<u8>, negative: bool, magnitude: u64, decimals: u32) {
    if negative {
        b.push(b'-');
    }
    let p = POW10[decimals as usize];
    push_u64(b, magnitude / p);
    if decimals > 0 {
        b.push(b'.');
        push_pad(b, magnitude % p, decimals as usize);
    }
}

fn push_hex(b: &mut Vec<u8>, v: u64, nibbles: u32) {
    for k in (0..nibbles).rev() {
        b.push(HEX_LOWER[((v >> (4 * k)) & 15) as usize]);
    }
}

fn push_lower(b: &mut Vec<u8>, s: &str) {
    b.extend(s.bytes().map(|c| c.to_ascii_lowercase()));
}

/// Second of 2026 for record `i` of `rows`: records are spread evenly over
/// the year (non-decreasing, like a real log) with a little jitter inside
/// each record's slot.
fn ts_of(i: u64, rows: u64, r: &mut Rng) -> u64 {
    let slot = (YEAR_SECS / rows.max(1)).max(1);
    (u128::from(i) * u128::from(YEAR_SECS) / u128::from(rows.max(1))) as u64 + r.below(slot)
}

const MONTH_DAYS: [u64; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const YEAR_SECS: u64 = 365 * 86_400;

/// `2026-MM-DDTHH:MM:SSZ` for a second of 2026 (a non-leap year), done by
/// table so no date library is needed.
fn push_ts(b: &mut Vec<u8>, secs: u64) {
    let secs = secs % YEAR_SECS;
    let mut day = secs / 86_400;
    let mut month = 0;
    while day >= MONTH_DAYS[month] {
        day -= MONTH_DAYS[month];
        month += 1;
    }
    let t = secs % 86_400;
    b.extend_from_slice(b"2026-");
    push_pad(b, month as u64 + 1, 2);
    b.push(b'-');
    push_pad(b, day + 1, 2);
    b.push(b'T');
    push_pad(b, t / 3600, 2);
    b.push(b':');
    push_pad(b, t / 60 % 60, 2);
    b.push(b':');
    push_pad(b, t % 60, 2);
    b.push(b'Z');
}

// ----------------------------------------------------------------- tables

/// First and last names are disjoint lists, so a person's two name cells
/// are always two distinct listed identifiers (the scanner dedupes equal
/// values), and none is a placeholder word (`Na`, `Nan`, `None`).
const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Lisa",
    "Daniel",
    "Nancy",
    "Matthew",
    "Betty",
    "Anthony",
    "Sandra",
    "Maria",
    "Jose",
    "Wei",
    "Priya",
    "Ahmed",
    "Fatima",
    "Hiroshi",
    "Olga",
    "Carlos",
    "Aisha",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "Wright",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Baker",
    "Rivera",
    "Campbell",
    "Kim",
    "Patel",
];

/// A U.S. city: its state, a real 3-digit ZIP prefix, real area codes and
/// its centre in micro-degrees, so rows look coherent to a reviewer.
struct City {
    name: &'static str,
    state: &'static str,
    zip3: u64,
    areas: &'static [u64],
    lat: i64,
    lon: i64,
}

const fn city(
    name: &'static str,
    state: &'static str,
    zip3: u64,
    areas: &'static [u64],
    lat: i64,
    lon: i64,
) -> City {
    City {
        name,
        state,
        zip3,
        areas,
        lat,
        lon,
    }
}

/// Centres are >= 29.4 N except Miami (25.76 N). With the +-0.15 degree
/// jitter, Miami stays below and every other city above 26.07 N, the
/// latitude where a 2-decimal longitude cell (1,113 m x cos lat) reaches
/// 1,000 m; so the "4-decimal latitude, 2-decimal longitude" case is
/// precise everywhere but Miami, far from the boundary on both sides (no
/// platform's `cos` rounding can flip it).
#[rustfmt::skip]
const CITIES: &[City] = &[
    city("New York", "NY", 100, &[212, 646, 917], 40_712_776, -74_005_974),
    city("Brooklyn", "NY", 112, &[718, 347], 40_678_178, -73_944_158),
    city("Los Angeles", "CA", 900, &[213, 310, 323], 34_052_235, -118_243_683),
    city("San Francisco", "CA", 941, &[415, 628], 37_774_929, -122_419_416),
    city("Chicago", "IL", 606, &[312, 773], 41_878_113, -87_629_799),
    city("Houston", "TX", 770, &[713, 832], 29_760_427, -95_369_804),
    city("Phoenix", "AZ", 850, &[602, 480], 33_448_376, -112_074_036),
    city("Philadelphia", "PA", 191, &[215, 267], 39_952_583, -75_165_222),
    city("San Antonio", "TX", 782, &[210], 29_424_122, -98_493_629),
    city("San Diego", "CA", 921, &[619, 858], 32_715_736, -117_161_087),
    city("Dallas", "TX", 752, &[214, 469], 32_776_665, -96_796_989),
    city("Austin", "TX", 787, &[512], 30_267_153, -97_743_057),
    city("Seattle", "WA", 981, &[206], 47_606_209, -122_332_069),
    city("Denver", "CO", 802, &[303, 720], 39_739_236, -104_990_251),
    city("Boston", "MA", 21, &[617, 857], 42_360_082, -71_058_880),
    city("Atlanta", "GA", 303, &[404, 678], 33_748_997, -84_387_985),
    city("Miami", "FL", 331, &[305, 786], 25_761_681, -80_191_788),
    city("Portland", "OR", 972, &[503], 45_515_232, -122_678_385),
    city("Nashville", "TN", 372, &[615], 36_162_664, -86_781_602),
    city("Detroit", "MI", 482, &[313], 42_331_429, -83_045_753),
    city("Minneapolis", "MN", 554, &[612], 44_977_753, -93_265_015),
    city("Las Vegas", "NV", 891, &[702], 36_169_941, -115_139_832),
    city("Baltimore", "MD", 212, &[410, 443], 39_290_386, -76_612_190),
    city("Columbus", "OH", 432, &[614], 39_961_176, -82_998_794),
];

const STREETS: &[&str] = &[
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Blvd",
    "Lake Shore Dr",
    "Park Ave",
    "Sunset Blvd",
    "Highland Ave",
    "Broadway",
    "Market St",
    "Church Rd",
    "Mill Rd",
];

/// Free-text notes: human-looking but with nothing a detector may take (no
/// '@', no digit run longer than four, no decimal pairs, no commas), so a
/// scanner that flags them has a false positive, not a truth gap.
const NOTES: &[&str] = &[
    "",
    "",
    "",
    "",
    "prefers email contact",
    "call back after 5pm",
    "customer since 2019",
    "moved from Denver",
    "do not call",
    "paperless billing",
    "asked about card upgrade",
    "referred by a friend",
    "left voicemail twice",
    "VIP tier 2",
    "address verified by mail",
    "ratio 3 to 1 on survey",
];

const EMAIL_DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "example.net",
    "inbox.example.us",
    "post.example.co.uk",
];

/// First octets of routable unicast ranges (no 0, 10, 127, 224+), so every
/// address is one a log could really hold.
const IP_FIRST_OCTETS: &[u64] = &[
    23, 24, 45, 50, 63, 66, 68, 71, 73, 76, 98, 99, 104, 107, 108, 172, 174, 184, 192, 198, 203,
    208,
];

/// Real OUIs, each with a hex letter in its first two bytes, so no MAC text
/// is ever an all-digit run that a numeric detector could take.
const OUIS: [u64; 8] = [
    0xa45e60, 0x3c22fb, 0xf01898, 0xacbc32, 0xdca632, 0xb827eb, 0xf4f5d8, 0x8c8590,
];

/// IMEI reporting-body prefixes. None of them with 15 digits is a payment
/// card IIN/length (Amex 34/37 is avoided), so an IMEI is never also a card
/// even without the column's veto.
const IMEI_PREFIXES: [&[u8; 2]; 4] = [b"35", b"86", b"01", b"49"];

// ------------------------------------------------------------ identifiers

/// SSN areas that are never valid: 666 (never issued) and the areas of the
/// four published sample numbers, left out whole so the bijection below
/// never lands on a sample number.
const SSN_EXCLUDED_AREAS: [u64; 5] = [78, 123, 219, 457, 666];
const SSN_AREAS: u64 = 899 - SSN_EXCLUDED_AREAS.len() as u64;
/// Number of distinct valid SSNs the bijection can produce (about 885 M).
const SSN_SPACE: u64 = SSN_AREAS * 99 * 9999;
/// Coprime to `SSN_SPACE` (checked in the tests), so
/// `x -> (x * SSN_MUL + off) mod SSN_SPACE` is a bijection; close to the
/// golden ratio of the space, so consecutive persons get unrelated-looking
/// numbers instead of 077-56-0606, 079-57-0709, ...
const SSN_MUL: u64 = 546_942_463;

/// The `idx`-th allowed area (0-based) in increasing order: 001..899 minus
/// the excluded areas.
fn ssn_area(idx: u64) -> u64 {
    let mut a = idx + 1;
    for ex in SSN_EXCLUDED_AREAS {
        if a >= ex {
            a += 1;
        }
    }
    a
}

/// A valid SSN unique to person `p`: a bijection of the person index, so no
/// two persons share one (two persons with one SSN would be one person to
/// a scanner using automatic identity, and the truth would depend on mode).
fn valid_ssn(p: u64, off: u64) -> [u8; 9] {
    let x =
        ((u128::from(p) * u128::from(SSN_MUL) + u128::from(off)) % u128::from(SSN_SPACE)) as u64;
    let area = ssn_area(x / (99 * 9999));
    let group = x / 9999 % 99 + 1;
    let serial = x % 9999 + 1;
    ssn_bytes(area, group, serial)
}

fn ssn_bytes(area: u64, group: u64, serial: u64) -> [u8; 9] {
    let mut v = Vec::with_capacity(9);
    push_pad(&mut v, area, 3);
    push_pad(&mut v, group, 2);
    push_pad(&mut v, serial, 4);
    let mut out = [0u8; 9];
    out.copy_from_slice(&v);
    out
}

/// An SSN the SSA never issues, in each of the ways the rule names: area
/// 000, 666 or 9xx, group 00, serial 0000, or a published sample number.
/// 9xx areas get groups 01-49, which no ITIN uses either, so the value is
/// not a valid ITIN when an ITIN detector reads the same column.
fn invalid_ssn(r: &mut Rng) -> [u8; 9] {
    match r.below(6) {
        0 => ssn_bytes(0, r.range(1, 99), r.range(1, 9999)),
        1 => ssn_bytes(666, r.range(1, 99), r.range(1, 9999)),
        2 => ssn_bytes(r.range(900, 999), r.range(1, 49), r.range(1, 9999)),
        3 => ssn_bytes(ssn_area(r.below(SSN_AREAS)), 0, r.range(1, 9999)),
        4 => ssn_bytes(ssn_area(r.below(SSN_AREAS)), r.range(1, 99), 0),
        _ => *r.pick(&[*b"078051120", *b"219099999", *b"457555462", *b"123456789"]),
    }
}

fn push_ssn(b: &mut Vec<u8>, d: &[u8; 9], dashed: bool) {
    if dashed {
        b.extend_from_slice(&d[..3]);
        b.push(b'-');
        b.extend_from_slice(&d[3..5]);
        b.push(b'-');
        b.extend_from_slice(&d[5..]);
    } else {
        b.extend_from_slice(d);
    }
}

/// A payment card number: digits and length.
#[derive(Debug, Clone, Copy)]
struct Card {
    d: [u8; 19],
    len: usize,
}

impl Card {
    fn digits(&self) -> &[u8] {
        &self.d[..self.len]
    }
}

/// A card of a varied brand and length (16-digit Visa, 19-digit Visa,
/// 5-series and 2-series Mastercard, 15-digit Amex, 14-digit Diners,
/// Discover), IIN and length right. `valid` decides the Luhn digit: an
/// invalid card is a valid one with its check digit shifted, so it is
/// brand-shaped and fails only Luhn, the case a scanner must reject.
/// Invalid cards are never 19-digit: printed 4-4-4-4-3, their first 16
/// digits pass Luhn one time in ten and then read as a 16-digit card plus a
/// trailing CVV, which a scanner may rightly report; the truth would be
/// ambiguous.
fn card(r: &mut Rng, valid: bool) -> Card {
    loop {
        let mut d = [b'0'; 19];
        let brand = r.below(100);
        let (prefix_len, len) = match brand {
            0..35 => {
                d[0] = b'4';
                (1, 16)
            }
            35..40 if valid => {
                d[0] = b'4';
                (1, 19)
            }
            35..40 => {
                d[0] = b'4';
                (1, 16)
            }
            40..60 => {
                d[0] = b'5';
                d[1] = b'1' + r.below(5) as u8;
                (2, 16)
            }
            60..70 => {
                let iin = r.range(2221, 2720);
                let mut v = Vec::with_capacity(4);
                push_u64(&mut v, iin);
                d[..4].copy_from_slice(&v);
                (4, 16)
            }
            70..85 => {
                d[0] = b'3';
                d[1] = *r.pick(b"47");
                (2, 15)
            }
            85..90 => {
                if r.permille(500) {
                    d[..2].copy_from_slice(b"36");
                    (2, 14)
                } else {
                    d[..2].copy_from_slice(b"30");
                    d[2] = b'0' + r.below(6) as u8;
                    (3, 14)
                }
            }
            _ => {
                d[..4].copy_from_slice(b"6011");
                (4, 16)
            }
        };
        for x in d.iter_mut().take(len - 1).skip(prefix_len) {
            *x = r.digit();
        }
        let check = validate::luhn_check_digit(&d[..len - 1]);
        d[len - 1] = if valid {
            check
        } else {
            b'0' + (check - b'0' + r.range(1, 9) as u8) % 10
        };
        let c = Card { d, len };
        // A body of one repeated digit is refused by the validator (issuers
        // never allocate it); draw again rather than emit a "valid" card
        // that is not.
        if !valid || validate::card_valid(c.digits()) {
            return c;
        }
    }
}

/// Prints a card bare or grouped the way it is embossed: 4-4-4-4 (16),
/// 4-6-5 (Amex 15), 4-6-4 (Diners 14), 4-4-4-4-3 (19).
fn push_card(b: &mut Vec<u8>, c: &Card, sep: Option<u8>) {
    let groups: &[usize] = match c.len {
        15 => &[4, 6, 5],
        14 => &[4, 6, 4],
        19 => &[4, 4, 4, 4, 3],
        _ => &[4, 4, 4, 4],
    };
    match sep {
        None => b.extend_from_slice(c.digits()),
        Some(s) => {
            let mut at = 0;
            for (i, &g) in groups.iter().enumerate() {
                if i > 0 {
                    b.push(s);
                }
                b.extend_from_slice(&c.d[at..at + g]);
                at += g;
            }
        }
    }
}

/// IBAN countries and their BBAN layouts (`n` digit, `a` uppercase
/// letter), matching the registry lengths (checked in the tests).
const IBAN_LAYOUTS: &[(&[u8; 2], &str)] = &[
    (b"DE", "nnnnnnnnnnnnnnnnnn"),
    (b"GB", "aaaannnnnnnnnnnnnn"),
    (b"FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
    (b"NL", "aaaannnnnnnnnn"),
    (b"ES", "nnnnnnnnnnnnnnnnnnnn"),
    (b"IT", "annnnnnnnnnnnnnnnnnnnnn"),
    (b"CH", "nnnnnnnnnnnnnnnnn"),
    (b"BE", "nnnnnnnnnnnn"),
    (b"PL", "nnnnnnnnnnnnnnnnnnnnnnnn"),
];

/// An IBAN in compact electronic form. Compact on purpose: the print form's
/// groups of four digits could be read as a grouped card number by a
/// correct card detector, which would make the truth ambiguous. An invalid
/// IBAN is a valid one with one BBAN digit changed, which mod 97 always
/// detects (97 divides no `k * 10^j` with k in 1..9).
fn iban(r: &mut Rng, valid: bool) -> Vec<u8> {
    let &(cc, layout) = r.pick(IBAN_LAYOUTS);
    let mut bban: Vec<u8> = layout
        .bytes()
        .map(|t| if t == b'a' { r.upper() } else { r.digit() })
        .collect();
    let check = validate::iban_check_digits(cc, &bban).unwrap_or(*b"00");
    if !valid {
        let digits: Vec<usize> = (0..bban.len())
            .filter(|&i| bban[i].is_ascii_digit())
            .collect();
        let i = *r.pick(&digits);
        bban[i] = b'0' + (bban[i] - b'0' + r.range(1, 9) as u8) % 10;
    }
    let mut out = Vec::with_capacity(4 + bban.len());
    out.extend_from_slice(cc);
    out.extend_from_slice(&check);
    out.extend_from_slice(&bban);
    out
}

/// Ten NANP digits in one of the given area codes, with a valid exchange
/// (2-9, not N11, never 555 so the fictional 555-01XX block cannot occur).
fn phone(r: &mut Rng, areas: &[u64]) -> [u8; 10] {
    let area = *r.pick(areas);
    let exchange = loop {
        let x = r.range(200, 999);
        if x % 100 != 11 && x != 555 {
            break x;
        }
    };
    let mut v = Vec::with_capacity(10);
    push_pad(&mut v, area, 3);
    push_pad(&mut v, exchange, 3);
    push_pad(&mut v, r.below(10_000), 4);
    let mut out = [0u8; 10];
    out.copy_from_slice(&v);
    out
}

/// Seven common ways of writing a U.S. number, all of which the SPEC's
/// phone detector must read (the bare form relies on the `phone` column).
fn push_phone(b: &mut Vec<u8>, d: &[u8; 10], style: u64) {
    let (a, x, l) = (&d[..3], &d[3..6], &d[6..]);
    let parts: [&[u8]; 6] = match style {
        0 => [b"(", a, b") ", x, b"-", l],
        1 => [b"", a, b"-", x, b"-", l],
        2 => [b"", a, b".", x, b".", l],
        3 => [b"+1 ", a, b" ", x, b" ", l],
        4 => [b"+1", a, b"", x, b"", l],
        5 => [b"", a, b"", x, b"", l],
        _ => [b"1-", a, b"-", x, b"-", l],
    };
    for p in parts {
        b.extend_from_slice(p);
    }
}

/// IMEI bodies (2-digit prefix index and 12-digit serial) form a space of
/// `4 * 10^12`; `IMEI_MUL` is coprime to it (odd, not a multiple of 5), so
/// devices map to IMEIs one-to-one, and near the golden ratio of the space,
/// so consecutive devices get unrelated-looking serials.
const IMEI_SERIALS: u64 = 1_000_000_000_000;
const IMEI_SPACE: u64 = 4 * IMEI_SERIALS;
const IMEI_MUL: u64 = 2_472_135_954_797;

/// The IMEI of device `d`: unique for every `d` below `IMEI_SPACE`.
fn imei(d: u64, off: u64) -> [u8; 15] {
    let x =
        ((u128::from(d) * u128::from(IMEI_MUL) + u128::from(off)) % u128::from(IMEI_SPACE)) as u64;
    let mut out = [0u8; 15];
    out[..2].copy_from_slice(IMEI_PREFIXES[(x / IMEI_SERIALS) as usize]);
    let mut v = Vec::with_capacity(12);
    push_pad(&mut v, x % IMEI_SERIALS, 12);
    out[2..14].copy_from_slice(&v);
    out[14] = validate::luhn_check_digit(&out[..14]);
    out
}

/// MACs are an OUI from `OUIS` plus a 24-bit NIC: a space of `8 * 2^24`
/// addresses, permuted by an odd multiplier (a bijection modulo a power of
/// two) near its golden ratio, so consecutive devices look unrelated.
const MAC_NICS: u64 = 1 << 24;
const MAC_SPACE: u64 = OUIS.len() as u64 * MAC_NICS;
const MAC_MUL: u64 = 82_951_117;

/// Most devices the People kind supports: MACs stay unique up to
/// `MAC_SPACE` (134 M) devices, and devices are indexed by person.
pub const MAX_PEOPLE_PERSONS: u64 = MAC_SPACE;

/// The MAC of device `d` (unique below `MAC_SPACE`), in a notation fixed by
/// the device, so every row of the device and of a person sharing it prints
/// the same text.
fn push_mac(b: &mut Vec<u8>, d: u64, off: u64) {
    let x = (d.wrapping_mul(MAC_MUL).wrapping_add(off)) % MAC_SPACE;
    let v = (OUIS[(x / MAC_NICS) as usize] << 24) | (x % MAC_NICS);
    let style = mix64(d ^ off) % 10;
    if style == 9 {
        // Cisco dotted notation.
        for k in 0..3 {
            if k > 0 {
                b.push(b'.');
            }
            push_hex(b, (v >> (32 - 16 * k)) & 0xffff, 4);
        }
        return;
    }
    let (sep, hex) = match style {
        0..4 => (b':', HEX_LOWER),
        4..7 => (b':', HEX_UPPER),
        _ => (b'-', HEX_UPPER),
    };
    for k in 0..6 {
        if k > 0 {
            b.push(sep);
        }
        let byte = (v >> (40 - 8 * k)) & 0xff;
        b.push(hex[(byte >> 4) as usize]);
        b.push(hex[(byte & 15) as usize]);
    }
}

/// `first.last<index>@domain`: the index makes it unique per person, and it
/// is glued to letters so it is never a stand-alone digit run.
fn push_email(b: &mut Vec<u8>, first: &str, last: &str, index: u64, domain: &str) {
    push_lower(b, first);
    b.push(b'.');
    push_lower(b, last);
    push_u64(b, index);
    b.push(b'@');
    b.extend_from_slice(domain.as_bytes());
}

fn push_ipv4(b: &mut Vec<u8>, r: &mut Rng) {
    push_u64(b, *r.pick(IP_FIRST_OCTETS));
    for _ in 0..3 {
        b.push(b'.');
        push_u64(b, r.below(256));
    }
}

/// A nucleotide run of `len` bases with at least two distinct bases (a
/// one-letter run is not sequence data to the detector).
fn push_bases(b: &mut Vec<u8>, r: &mut Rng, len: u64, n_permille: u64) {
    let start = b.len();
    for _ in 0..len {
        b.push(if n_permille > 0 && r.permille(n_permille) {
            b'N'
        } else {
            *r.pick(b"ACGT")
        });
    }
    if b[start..].iter().all(|&c| c == b[start]) {
        let last = b.len() - 1;
        b[last] = if b[last] == b'A' { b'C' } else { b'A' };
    }
}

/// A coordinate in micro-degrees rounded to `decimals` places and written
/// with exactly that many, the last one forced non-zero: a reader that
/// parses the number to a float and back (serde_json) would otherwise turn
/// `40.712300` into `40.7123`, or `40.100000` into `40.1` and lose the
/// precision the truth was computed for.
fn coord(r: &mut Rng, micro: i64, decimals: u32) -> (bool, u64) {
    let m = micro.unsigned_abs() / POW10[6 - decimals as usize];
    (micro < 0, m - m % 10 + r.range(1, 9))
}

/// Whether a written latitude/longitude pair is precise, decided by the
/// project's validator from the written digits (not from the intent), so
/// the truth is the rule's answer by construction.
fn pair_is_precise(lat: (bool, u64), ld: u32, od: u32) -> bool {
    let v = lat.1 as f64 / POW10F[ld as usize];
    let v = if lat.0 { -v } else { v };
    validate::coord_is_precise(v, ld, od)
}

/// The covered-personal-identifiers rule of SPEC 3 for one record: two or
/// more distinct listed identifiers not all class (d), or a listed
/// identifier together with data of another sensitive category. A card or
/// IBAN is both listed (class b) and financial data, but it is not
/// "another" category for itself: a lone card is not CPI, which is why the
/// financial data is only counted here when some other listed identifier
/// is present (`listed >= 2`), where the first clause already holds.
fn cpi_rule(listed: u64, any_not_d: bool, other_sensitive: bool) -> bool {
    (listed >= 2 && any_not_d) || (listed >= 1 && other_sensitive)
}

/// Fixed-size bit set: one bit per device, the only state the Events truth
/// needs.
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: u64) -> Bits {
        Bits(vec![0; n.div_ceil(64) as usize])
    }
    fn set(&mut self, i: u64) {
        self.0[(i / 64) as usize] |= 1 << (i % 64);
    }
    fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }
}

// ----------------------------------------------------------------- People

const PEOPLE_HEADER: &[u8] = b"person_id,first_name,last_name,ssn,dob,email,phone,street_address,city,state,zip,card_number,iban,ip_address,mac_address,imei,latitude,longitude,sequence,notes\n";

/// What one person's row holds, as far as the truth needs it.
#[derive(Debug, Clone, Copy, Default)]
struct PersonFacts {
    names: u64,
    dob: bool,
    street: bool,
    zip: bool,
    ssn_valid: bool,
    card_valid: bool,
    iban_valid: bool,
    ip: bool,
    phone: bool,
    device: Option<u64>,
    precise: bool,
    sequence: bool,
    cpi: bool,
}

/// Detectors whose People matches are known exactly: one per value, and
/// every value is of a shape the SPEC says the detector takes (names with
/// letters, ISO or U.S. dates, ZIP or ZIP+4, house number and words).
const PEOPLE_DETECTORS: [&str; 14] = [
    "us_ssn",
    "payment_card",
    "iban",
    "email_address",
    "imei",
    "mac_address",
    "ipv4_address",
    "us_phone",
    "geo_coordinates",
    "nucleotide_sequence",
    "person_name",
    "birth_date",
    "us_zip",
    "street_address",
];

impl PersonFacts {
    /// Matches one row of this person yields, per `PEOPLE_DETECTORS`.
    fn matches(&self) -> [u64; PEOPLE_DETECTORS.len()] {
        let device = u64::from(self.device.is_some());
        [
            u64::from(self.ssn_valid),
            u64::from(self.card_valid),
            u64::from(self.iban_valid),
            1,
            device,
            device,
            u64::from(self.ip),
            u64::from(self.phone),
            u64::from(self.precise),
            u64::from(self.sequence),
            self.names,
            u64::from(self.dob),
            u64::from(self.zip),
            u64::from(self.street),
        ]
    }
}

/// Per-seed constants of the People kind.
struct People {
    seed: u64,
    salt: u64,
    ssn_off: u64,
    imei_off: u64,
    mac_off: u64,
}

impl People {
    fn new(seed: u64) -> People {
        let salt = Kind::People.salt();
        let mut r = Rng::stream(seed, salt ^ S_OFFSETS, 0);
        People {
            seed,
            salt,
            ssn_off: r.below(SSN_SPACE),
            imei_off: r.below(IMEI_SPACE),
            mac_off: r.below(MAC_SPACE),
        }
    }

    /// (has a device, tries to share the previous person's), from its own
    /// stream so a neighbour's device can be looked up in O(1).
    fn device_roll(&self, p: u64) -> (bool, bool) {
        let mut r = Rng::stream(self.seed, self.salt ^ S_DEVICE, p);
        (r.permille(700), r.permille(100))
    }

    /// The device person `p` uses: ~70% have one; ~10% of those share the
    /// previous person's device (a household tablet) when that person owns
    /// one outright. So a device has at most two users, always consecutive
    /// persons, and the precise-device count differs from the person count
    /// the way it does in real data.
    fn device_of(&self, p: u64) -> Option<u64> {
        let (has, share) = self.device_roll(p);
        if !has {
            return None;
        }
        if share && p > 0 {
            let (h_has, h_share) = self.device_roll(p - 1);
            if h_has && !h_share {
                return Some(p - 1);
            }
        }
        Some(p)
    }

    /// Appends person `p`'s row (with newline) and says what it holds.
    /// Probabilities are documented in `people`'s description.
    fn row(&self, p: u64, b: &mut Vec<u8>) -> PersonFacts {
        let mut r = Rng::stream(self.seed, self.salt ^ S_PERSON, p);
        let mut f = PersonFacts::default();
        // Class (d) listed identifiers and whether any is of another class.
        let mut listed = 0u64;
        let mut not_d = false;

        let first = *r.pick(FIRST_NAMES);
        let last = *r.pick(LAST_NAMES);
        let city = r.pick(CITIES);

        b.push(b'P');
        push_pad(b, p, 7);
        b.push(b',');
        if !r.permille(10) {
            b.extend_from_slice(first.as_bytes());
            f.names += 1;
        }
        b.push(b',');
        if !r.permille(10) {
            b.extend_from_slice(last.as_bytes());
            f.names += 1;
        }
        listed += f.names;
        b.push(b',');

        // SSN: 85% valid, 5% never-issued, 10% empty.
        let roll = r.below(1000);
        let dashed = r.permille(750);
        if roll < 850 {
            push_ssn(b, &valid_ssn(p, self.ssn_off), dashed);
            f.ssn_valid = true;
            listed += 1;
            not_d = true;
        } else if roll < 900 {
            push_ssn(b, &invalid_ssn(&mut r), dashed);
        }
        b.push(b',');

        // Birth date: 97%, ISO or U.S. order.
        if !r.permille(30) {
            let (y, m, d) = (r.range(1940, 2006), r.range(1, 12), r.range(1, 28));
            if r.permille(800) {
                push_u64(b, y);
                b.push(b'-');
                push_pad(b, m, 2);
                b.push(b'-');
                push_pad(b, d, 2);
            } else {
                push_pad(b, m, 2);
                b.push(b'/');
                push_pad(b, d, 2);
                b.push(b'/');
                push_u64(b, y);
            }
            f.dob = true;
            listed += 1;
        }
        b.push(b',');

        // E-mail: always, unique per person (the auto-identity anchor).
        let domain = *r.pick(EMAIL_DOMAINS);
        push_email(b, first, last, p, domain);
        listed += 1;
        b.push(b',');

        // Phone: 90%.
        if r.permille(900) {
            let d = phone(&mut r, city.areas);
            push_phone(b, &d, r.below(7));
            f.phone = true;
            listed += 1;
        }
        b.push(b',');

        // Street address: 97%.
        if r.permille(970) {
            push_u64(b, r.range(1, 9999));
            b.push(b' ');
            b.extend_from_slice(r.pick(STREETS).as_bytes());
            if r.permille(150) {
                b.extend_from_slice(b" Apt ");
                push_u64(b, r.range(1, 40));
                b.push(*r.pick(b"ABCD"));
            }
            f.street = true;
            listed += 1;
        }
        b.push(b',');

        // City, state, ZIP: 98% (ZIP+4 for a fifth of them).
        if r.permille(980) {
            b.extend_from_slice(city.name.as_bytes());
            b.push(b',');
            b.extend_from_slice(city.state.as_bytes());
            b.push(b',');
            push_pad(b, city.zip3, 3);
            push_pad(b, r.range(1, 99), 2);
            if r.permille(200) {
                b.push(b'-');
                push_pad(b, r.range(1, 9999), 4);
            }
            f.zip = true;
            listed += 1;
        } else {
            b.extend_from_slice(b",,");
        }
        b.push(b',');

        // Card: 40% valid, 5% Luhn-invalid; bare, spaced or dashed.
        let roll = r.below(1000);
        if roll < 450 {
            let c = card(&mut r, roll < 400);
            let sep = *r.pick(&[None, None, Some(b' '), Some(b' '), Some(b'-')]);
            push_card(b, &c, sep);
            if roll < 400 {
                f.card_valid = true;
                listed += 1;
                not_d = true;
            }
        }
        b.push(b',');

        // IBAN: 20% valid, 2% with a corrupted digit.
        let roll = r.below(1000);
        if roll < 220 {
            b.extend_from_slice(&iban(&mut r, roll < 200));
            if roll < 200 {
                f.iban_valid = true;
                listed += 1;
                not_d = true;
            }
        }
        b.push(b',');

        // IP address: 50%.
        if r.permille(500) {
            push_ipv4(b, &mut r);
            f.ip = true;
            listed += 1;
            not_d = true;
        }
        b.push(b',');

        // Device (MAC + IMEI): ~70%, see `device_of`.
        f.device = self.device_of(p);
        if let Some(d) = f.device {
            push_mac(b, d, self.mac_off);
            b.push(b',');
            b.extend_from_slice(&imei(d, self.imei_off));
            listed += 2;
            not_d = true;
        } else {
            b.push(b',');
        }
        b.push(b',');

        // Location: 55% precise (4-6 decimals each), 5% 4-5-decimal latitude
        // with 2-decimal longitude (precise by the cos(lat) rule except in
        // Miami), 10% 2 decimals each (never precise), 30% empty.
        let roll = r.below(1000);
        if roll < 700 {
            let (ld, od) = match roll {
                0..550 => (r.range(4, 6) as u32, r.range(4, 6) as u32),
                550..600 => (r.range(4, 5) as u32, 2),
                _ => (2, 2),
            };
            let lat_micro = city.lat + r.range(0, 300_000) as i64 - 150_000;
            let lon_micro = city.lon + r.range(0, 300_000) as i64 - 150_000;
            let lat = coord(&mut r, lat_micro, ld);
            let lon = coord(&mut r, lon_micro, od);
            push_fixed(b, lat.0, lat.1, ld);
            b.push(b',');
            push_fixed(b, lon.0, lon.1, od);
            f.precise = pair_is_precise(lat, ld, od);
        } else {
            b.push(b',');
        }
        b.push(b',');

        // Sequence: 2%, 30-150 bases.
        if r.permille(20) {
            let len = r.range(30, 150);
            push_bases(b, &mut r, len, 0);
            f.sequence = true;
        }
        b.push(b',');

        b.extend_from_slice(r.pick(NOTES).as_bytes());
        b.push(b'\n');

        f.cpi = cpi_rule(listed, not_d, f.precise || f.sequence);
        f
    }
}

fn people<W: Write>(spec: &GenSpec, w: &mut W) -> io::Result<Truth> {
    need_persons(spec, MAX_PEOPLE_PERSONS)?;
    let g = People::new(spec.seed);
    let present = spec.rows.min(spec.persons);
    w.write_all(PEOPLE_HEADER)?;

    let (mut cpi, mut fin, mut genomic, mut devices) = (0u64, 0u64, 0u64, 0u64);
    let mut prev = PersonFacts::default();
    let mut m = [0u64; PEOPLE_DETECTORS.len()];
    let mut line = Vec::with_capacity(512);
    for i in 0..spec.rows {
        let p = i % spec.persons;
        line.clear();
        let f = g.row(p, &mut line);
        w.write_all(&line)?;
        for (k, n) in f.matches().into_iter().enumerate() {
            m[k] += n;
        }
        if i < present {
            // First (and in-order) appearance of person p: count it.
            cpi += u64::from(f.cpi);
            fin += u64::from(f.card_valid || f.iban_valid);
            genomic += u64::from(f.sequence);
            if f.precise {
                // A device is counted on its first precise user; a person
                // without a device is a device of its own (the scanner falls
                // back to the person's identity).
                let shared_with_prev = p > 0 && f.device == Some(p - 1);
                if !(shared_with_prev && prev.precise) {
                    devices += 1;
                }
            }
            prev = f;
        }
    }

    let mut t = Truth::new(spec.rows);
    t.set_category("covered_personal_identifiers", cpi);
    t.set_category("personal_financial", fin);
    t.set_category("precise_geolocation", devices);
    t.set_category("human_genomic", genomic);
    for (id, n) in PEOPLE_DETECTORS.into_iter().zip(m) {
        t.set_matches(&[(id, n)]);
    }
    t.description = format!(
        "people: CSV, {} rows over {} persons (row i is person i % {}, repeated rows identical). \
         Per person: SSN 85% valid (unique) / 5% never-issued / 10% empty; card 40% valid \
         (Visa 16/19, Mastercard 5x/2x, Amex, Diners, Discover; bare, spaced or dashed) / 5% \
         Luhn-invalid; IBAN 20% valid / 2% corrupted (compact, 9 countries); IPv4 50%; \
         device (MAC+IMEI) 70%, 10% of them shared with the previous person; lat/lon 55% \
         4-6 decimals, 5% 4-5 decimal lat with 2-decimal lon, 10% 2 decimals, 30% empty; \
         sequence 2%; e-mail always (unique). Truth: covered_personal_identifiers = persons \
         with >= 2 distinct listed identifiers not all class (d), or a listed identifier plus \
         precise geolocation or a sequence; personal_financial = persons with a valid card or \
         IBAN; precise_geolocation = distinct devices (IMEI, or MAC, one-to-one) among persons \
         with a precise pair, a person without a device counting as its own device; \
         human_genomic = persons with a sequence. Same with --person-key person_id and with \
         automatic identity (valid SSN, else e-mail: unique per person).",
        spec.rows, present, spec.persons
    );
    Ok(t)
}

// ----------------------------------------------------------------- Events

const APPS: &[&str] = &[
    "maps",
    "weather",
    "fitness",
    "rideshare",
    "news",
    "shop",
    "games",
    "music",
];

/// Most devices the Events kind supports (IMEIs stay unique).
pub const MAX_EVENT_DEVICES: u64 = IMEI_SPACE;

/// A version-4 UUID (the usual mobile advertising id form) from two words,
/// with a hex letter forced into every dash-separated group: a group of
/// decimal digits could otherwise join its neighbours into a card-like run.
fn push_maid(b: &mut Vec<u8>, h1: u64, h2: u64) {
    let mut n = [0u8; 32];
    for (k, x) in n.iter_mut().enumerate() {
        let w = if k < 16 { h1 } else { h2 };
        *x = ((w >> (4 * (k % 16))) & 15) as u8;
    }
    n[0] = 10 + n[0] % 6;
    n[8] = 10 + n[8] % 6;
    n[12] = 4;
    n[13] = 10 + n[13] % 6;
    n[16] = 10 + n[16] % 2;
    n[20] = 10 + n[20] % 6;
    for (k, &x) in n.iter().enumerate() {
        if matches!(k, 8 | 12 | 16 | 20) {
            b.push(b'-');
        }
        b.push(HEX_LOWER[x as usize]);
    }
}

fn events<W: Write>(spec: &GenSpec, w: &mut W) -> io::Result<Truth> {
    need_persons(spec, MAX_EVENT_DEVICES)?;
    let salt = Kind::Events.salt();
    let mut offs = Rng::stream(spec.seed, salt ^ S_OFFSETS, 0);
    let imei_off = offs.below(IMEI_SPACE);
    let id_off = offs.next_u64();
    let present = spec.rows.min(spec.persons);
    let mut precise_dev = Bits::new(present);
    let mut cpi_user = Bits::new(present);
    let (mut mobile_n, mut phone_n, mut precise_n) = (0u64, 0u64, 0u64);

    let mut line = Vec::with_capacity(512);
    for i in 0..spec.rows {
        let d = i % spec.persons;
        let mut rd = Rng::stream(spec.seed, salt ^ S_DEVICE, d);
        let mut re = Rng::stream(spec.seed, salt ^ S_EVENT, i);
        let b = &mut line;
        b.clear();

        b.extend_from_slice(b"{\"event_id\":\"E");
        push_hex(b, mix64(i ^ id_off) & 0xff_ffff_ffff, 10);
        b.extend_from_slice(b"\",\"ts\":\"");
        push_ts(b, ts_of(i, spec.rows, &mut re));
        b.push(b'"');

        // Device-level (static) attributes.
        let first = *rd.pick(FIRST_NAMES);
        let last = *rd.pick(LAST_NAMES);
        let city = rd.pick(CITIES);
        let domain = *rd.pick(EMAIL_DOMAINS);
        let has_phone = rd.permille(800);
        let ph = phone(&mut rd, city.areas);
        let ph_style = rd.below(7);
        let (h1, h2) = (rd.next_u64(), rd.next_u64());

        // 90% of events come from the app (device object with MAID and
        // IMEI); 10% from the web (no device object, never a precise fix).
        let mobile = re.permille(900);
        if mobile {
            b.extend_from_slice(b",\"device\":{\"maid\":\"");
            push_maid(b, h1, h2);
            b.extend_from_slice(b"\",\"imei\":\"");
            b.extend_from_slice(&imei(d, imei_off));
            b.extend_from_slice(b"\"}");
            mobile_n += 1;
            cpi_user.set(d);
        }
        b.extend_from_slice(b",\"user\":{\"email\":\"");
        push_email(b, first, last, d, domain);
        b.push(b'"');
        if has_phone {
            b.extend_from_slice(b",\"phone\":\"");
            push_phone(b, &ph, ph_style);
            b.push(b'"');
            phone_n += 1;
        }
        b.push(b'}');

        // Geo: app events 70% precise (5-6 decimals), 15% 2 decimals, 15%
        // none; web events 50% 2 decimals (IP-derived), 50% none.
        let roll = re.below(1000);
        let decimals = match (mobile, roll) {
            (true, 0..700) => Some(re.range(5, 6) as u32),
            (true, 700..850) | (false, 0..500) => Some(2),
            _ => None,
        };
        if let Some(dec) = decimals {
            let lat_micro = city.lat + re.range(0, 100_000) as i64 - 50_000;
            let lon_micro = city.lon + re.range(0, 100_000) as i64 - 50_000;
            let lat = coord(&mut re, lat_micro, dec);
            let lon = coord(&mut re, lon_micro, dec);
            b.extend_from_slice(b",\"geo\":{\"lat\":");
            push_fixed(b, lat.0, lat.1, dec);
            b.extend_from_slice(b",\"lon\":");
            push_fixed(b, lon.0, lon.1, dec);
            b.push(b'}');
            if pair_is_precise(lat, dec, dec) {
                precise_n += 1;
                precise_dev.set(d);
            }
        }
        b.extend_from_slice(b",\"app\":\"");
        b.extend_from_slice(re.pick(APPS).as_bytes());
        b.extend_from_slice(b"\",\"value\":");
        let v = re.range(1, 99_999);
        push_fixed(b, false, v, 1);
        b.extend_from_slice(b"}\n");
        w.write_all(b)?;
    }

    let mut t = Truth::new(spec.rows);
    t.set_category("precise_geolocation", precise_dev.count());
    t.set_category("covered_personal_identifiers", cpi_user.count());
    t.set_matches(&[
        ("email_address", spec.rows),
        ("imei", mobile_n),
        ("us_phone", phone_n),
        ("geo_coordinates", precise_n),
        ("us_ssn", 0),
        ("payment_card", 0),
        ("iban", 0),
    ]);
    t.description = format!(
        "events: JSON Lines, {} events over {} devices (event i is device i % {}), one user \
         (unique e-mail, phone for 80%) per device. 90% app events carry device.maid and \
         device.imei, 10% web events carry no device. App events: 70% geo with 5-6 decimals \
         (precise), 15% 2 decimals, 15% none; web events: 50% 2 decimals, 50% none. Truth: \
         precise_geolocation = devices (--device-key device.imei) with >= 1 precise event; \
         covered_personal_identifiers = users (e-mail) with >= 1 app event (e-mail + IMEI, \
         class d + class c; web events hold only class (d) contact data and no precise \
         location, so they are not CPI).",
        spec.rows, present, spec.persons
    );
    Ok(t)
}

// ------------------------------------------------------------------- Logs

const HTTP_PATHS: &[&str] = &[
    "/api/v2/items/",
    "/api/v2/orders/",
    "/static/img/",
    "/search?page=",
    "/health/",
    "/cart/",
];

/// Log lines look like a web service's (timestamps, status codes, byte
/// counts, durations, versions, a decimal-pair decoy) but no number in them
/// reaches nine digits, so nothing but the planted e-mails and IPv4s can be
/// an identifier.
fn logs<W: Write>(spec: &GenSpec, w: &mut W) -> io::Result<Truth> {
    need_persons(spec, u64::MAX)?;
    let salt = Kind::Logs.salt();
    // Users on lines with both identifiers: 0.2% of lines, so a set sized
    // by the lines found, not a bit per (possibly huge) user pool.
    let mut cpi_user = std::collections::BTreeSet::new();
    let (mut email_n, mut ip_n) = (0u64, 0u64);
    let mut line = Vec::with_capacity(256);
    for i in 0..spec.rows {
        let mut r = Rng::stream(spec.seed, salt ^ S_LINE, i);
        let b = &mut line;
        b.clear();
        push_ts(b, ts_of(i, spec.rows, &mut r));
        match r.below(6) {
            0 | 1 => {
                b.extend_from_slice(b" INFO http method=");
                b.extend_from_slice(r.pick(&["GET", "GET", "GET", "POST", "PUT"]).as_bytes());
                b.extend_from_slice(b" path=");
                b.extend_from_slice(r.pick(HTTP_PATHS).as_bytes());
                push_u64(b, r.range(1, 99_999));
                b.extend_from_slice(b" status=");
                push_u64(b, *r.pick(&[200, 200, 200, 201, 204, 301, 304, 404, 500]));
                b.extend_from_slice(b" bytes=");
                push_u64(b, r.range(0, 999_999));
                b.extend_from_slice(b" dur_ms=");
                push_u64(b, r.range(1, 2500));
                b.extend_from_slice(b" req=");
                push_hex(b, r.next_u64(), 8);
            }
            2 => {
                b.extend_from_slice(b" INFO cache key=item:");
                push_u64(b, r.range(1, 99_999));
                b.extend_from_slice(b" hit=");
                b.extend_from_slice(if r.permille(800) { b"true" } else { b"false" });
                b.extend_from_slice(b" ttl_s=");
                push_u64(b, r.range(30, 3600));
            }
            3 => {
                b.extend_from_slice(b" DEBUG metrics ratio=");
                push_fixed(b, false, r.below(100), 2);
                b.push(b',');
                push_fixed(b, false, r.below(100), 2);
                b.extend_from_slice(b" p50_ms=");
                push_u64(b, r.range(1, 300));
                b.extend_from_slice(b" p99_ms=");
                push_u64(b, r.range(300, 9000));
            }
            4 => {
                b.extend_from_slice(b" WARN upstream slow host=api-");
                push_u64(b, r.range(1, 40));
                b.extend_from_slice(b".internal dur_ms=");
                push_u64(b, r.range(1000, 30_000));
                b.extend_from_slice(b" retry=");
                push_u64(b, r.range(1, 5));
                b.extend_from_slice(b" ver=");
                push_u64(b, r.range(1, 9));
                b.push(b'.');
                push_u64(b, r.range(0, 30));
                b.push(b'.');
                push_u64(b, r.range(0, 9));
            }
            _ => {
                b.extend_from_slice(b" ERROR job failed code=E");
                push_u64(b, r.range(100, 999));
                b.extend_from_slice(b" attempt=");
                push_u64(b, r.range(1, 5));
                b.extend_from_slice(b" batch=");
                push_u64(b, r.range(1, 9_999_999));
            }
        }
        // 1% e-mail only, 1% IPv4 only, 0.2% both (CPI: class d + class g).
        let roll = r.below(1000);
        let (has_email, has_ip) = (
            roll < 10 || (20..22).contains(&roll),
            (10..22).contains(&roll),
        );
        if has_ip {
            b.extend_from_slice(b" client=");
            push_ipv4(b, &mut r);
            ip_n += 1;
        }
        if has_email {
            let u = r.below(spec.persons);
            let mut ru = Rng::stream(spec.seed, salt ^ S_USER, u);
            let first = *ru.pick(FIRST_NAMES);
            let last = *ru.pick(LAST_NAMES);
            b.extend_from_slice(b" user=");
            let domain = *ru.pick(EMAIL_DOMAINS);
            push_email(b, first, last, u, domain);
            email_n += 1;
            if has_ip {
                cpi_user.insert(u);
            }
        }
        b.push(b'\n');
        w.write_all(b)?;
    }

    let mut t = Truth::new(spec.rows);
    t.set_category("covered_personal_identifiers", cpi_user.len() as u64);
    t.set_matches(&[
        ("email_address", email_n),
        ("ipv4_address", ip_n),
        ("us_ssn", 0),
        ("payment_card", 0),
        ("iban", 0),
        ("imei", 0),
        ("us_phone", 0),
    ]);
    t.description = format!(
        "logs: text, {} lines; 1% carry an e-mail (one of {} users), 1% an IPv4, 0.2% both; no \
         digit run reaches 9 digits. Truth: covered_personal_identifiers = distinct users \
         (e-mail) on lines holding both an e-mail and an IPv4 (class d + class g); a line's \
         lone identifier is not CPI; every other category 0.",
        spec.rows, spec.persons
    );
    Ok(t)
}

// -------------------------------------------------------------------- VCF

/// chr21 in GRCh38: positions are spread over it, so the file is a valid
/// single-contig VCF whatever the row count.
const CHR21_LEN: u64 = 46_709_983;
const VCF_FIRST_POS: u64 = 5_010_000;

fn vcf<W: Write>(spec: &GenSpec, w: &mut W) -> io::Result<Truth> {
    let salt = Kind::Vcf.salt();
    let width = spec.persons.to_string().len().max(4);
    let mut b: Vec<u8> = Vec::with_capacity(4096);
    b.extend_from_slice(
        b"##fileformat=VCFv4.2\n##fileDate=20260102\n##source=bulkscan-gen\n\
          ##reference=GRCh38\n##contig=<ID=chr21,length=46709983>\n\
          ##INFO=<ID=AC,Number=A,Type=Integer,Description=\"Allele count in genotypes\">\n\
          ##INFO=<ID=AN,Number=1,Type=Integer,Description=\"Total number of alleles in called genotypes\">\n\
          ##FILTER=<ID=q10,Description=\"Quality below 10\">\n\
          ##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n\
          #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT",
    );
    for s in 1..=spec.persons {
        b.extend_from_slice(b"\tS");
        push_pad(&mut b, s, width);
        if b.len() > 1 << 16 {
            w.write_all(&b)?;
            b.clear();
        }
    }
    b.push(b'\n');
    w.write_all(&b)?;

    let span = CHR21_LEN - VCF_FIRST_POS - 1000;
    let mut gts: Vec<u8> = Vec::new();
    for i in 0..spec.rows {
        let mut r = Rng::stream(spec.seed, salt ^ S_LINE, i);
        let pos = VCF_FIRST_POS + (u128::from(i) * u128::from(span) / u128::from(spec.rows)) as u64;
        let af = r.range(5, 500);
        gts.clear();
        let (mut ac, mut an) = (0u64, 0u64);
        for _ in 0..spec.persons {
            gts.push(b'\t');
            if r.permille(5) {
                gts.extend_from_slice(b"./.");
                continue;
            }
            let (a1, a2) = (r.permille(af), r.permille(af));
            gts.push(b'0' + u8::from(a1));
            gts.push(b'|');
            gts.push(b'0' + u8::from(a2));
            ac += u64::from(a1) + u64::from(a2);
            an += 2;
        }
        b.clear();
        b.extend_from_slice(b"chr21\t");
        push_u64(&mut b, pos);
        b.push(b'\t');
        if r.permille(700) {
            b.extend_from_slice(b"rs");
            push_u64(&mut b, r.range(10_000, 99_999_999));
        } else {
            b.push(b'.');
        }
        let refb = *r.pick(b"ACGT");
        let alt = loop {
            let a = *r.pick(b"ACGT");
            if a != refb {
                break a;
            }
        };
        b.push(b'\t');
        b.push(refb);
        b.push(b'\t');
        b.push(alt);
        b.push(b'\t');
        push_u64(&mut b, r.range(10, 99));
        b.extend_from_slice(if r.permille(950) {
            b"\tPASS\tAC="
        } else {
            b"\tq10\tAC="
        });
        push_u64(&mut b, ac);
        b.extend_from_slice(b";AN=");
        push_u64(&mut b, an);
        b.extend_from_slice(b"\tGT");
        w.write_all(&b)?;
        w.write_all(&gts)?;
        w.write_all(b"\n")?;
    }

    let mut t = Truth::new(spec.rows);
    t.set_category("human_genomic", spec.persons);
    t.description = format!(
        "vcf: VCFv4.2 on GRCh38 chr21, {} variant lines, {} sample columns (S0001..) with \
         phased GT calls. Truth: human_genomic = the samples (a VCF's persons are its sample \
         columns); no listed identifiers.",
        spec.rows, spec.persons
    );
    Ok(t)
}

// ------------------------------------------------------------------ FASTQ

fn fastq<W: Write>(spec: &GenSpec, w: &mut W) -> io::Result<Truth> {
    let salt = Kind::Fastq.salt();
    let mut b = Vec::with_capacity(512);
    for i in 0..spec.rows {
        let mut r = Rng::stream(spec.seed, salt ^ S_LINE, i);
        b.clear();
        b.extend_from_slice(b"@READ.");
        push_u64(&mut b, i + 1);
        b.push(b'\n');
        let len = r.range(100, 150);
        push_bases(&mut b, &mut r, len, 5);
        b.extend_from_slice(b"\n+\n");
        // Phred+33 qualities 20..41 ('5'..'J'), '@' (Q31) written as '?' so
        // no quality line starts like a header or holds an '@'.
        for _ in 0..len {
            let q = b'5' + r.below(22) as u8;
            b.push(if q == b'@' { b'?' } else { q });
        }
        b.push(b'\n');
        w.write_all(&b)?;
    }
    let mut t = Truth::new(spec.rows);
    t.set_category("human_genomic", u64::from(spec.rows > 0));
    t.description = format!(
        "fastq: {} reads of 100-150 bases (`@READ.n` headers). Truth: human_genomic = 1 (one \
         sample per file; 0 when there are no reads).",
        spec.rows
    );
    Ok(t)
}

// ------------------------------------------------------------------ Clean

const PRODUCTS: &[&str] = &[
    "Steel Widget",
    "Oak Shelf",
    "Garden Hose",
    "LED Bulb",
    "Desk Lamp",
    "Coffee Grinder",
    "Yoga Mat",
    "Hex Key Set",
    "Paint Roller",
    "Water Filter",
];

const WAREHOUSES: &[&str] = &["WH-EAST", "WH-WEST", "WH-CENTRAL", "WH-NORTH", "WH-SOUTH"];

fn clean<W: Write>(spec: &GenSpec, w: &mut W) -> io::Result<Truth> {
    let salt = Kind::Clean.salt();
    w.write_all(b"sku,product_name,price,quantity,warehouse,updated_at\n")?;
    let mut b = Vec::with_capacity(128);
    for i in 0..spec.rows {
        let mut r = Rng::stream(spec.seed, salt ^ S_LINE, i);
        b.clear();
        b.extend_from_slice(b"SKU-");
        push_u64(&mut b, r.range(10_000, 99_999));
        b.push(b',');
        b.extend_from_slice(r.pick(PRODUCTS).as_bytes());
        b.push(b',');
        push_fixed(&mut b, false, r.range(99, 99_999), 2);
        b.push(b',');
        push_u64(&mut b, r.range(0, 5000));
        b.push(b',');
        b.extend_from_slice(r.pick(WAREHOUSES).as_bytes());
        b.push(b',');
        push_ts(&mut b, r.below(YEAR_SECS));
        b.push(b'\n');
        w.write_all(&b)?;
    }
    let mut t = Truth::new(spec.rows);
    t.set_matches(&[
        ("us_ssn", 0),
        ("payment_card", 0),
        ("iban", 0),
        ("email_address", 0),
        ("imei", 0),
        ("mac_address", 0),
        ("ipv4_address", 0),
        ("us_phone", 0),
        ("geo_coordinates", 0),
        ("nucleotide_sequence", 0),
    ]);
    t.description = format!(
        "clean: inventory CSV, {} rows (sku, product_name, price, quantity, warehouse, \
         updated_at); nothing personal, no '@', no digit run of 9+. Truth: every category 0, \
         every detector 0.",
        spec.rows
    );
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn run(kind: Kind, rows: u64, persons: u64, seed: u64) -> (Vec<u8>, Truth) {
        let spec = GenSpec {
            kind,
            rows,
            persons,
            seed,
        };
        let mut out = Vec::new();
        let t = generate(&spec, &mut out).unwrap();
        (out, t)
    }

    fn text(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    fn longest_digit_run(s: &[u8]) -> usize {
        s.split(|c| !c.is_ascii_digit())
            .map(<[u8]>::len)
            .max()
            .unwrap_or(0)
    }

    fn fnv1a(b: &[u8]) -> u64 {
        b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &c| {
            (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
        })
    }

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
            assert_eq!(Kind::from_name(&k.name().to_uppercase()), Some(k));
        }
        assert_eq!(Kind::from_name("nope"), None);
    }

    #[test]
    fn deterministic_and_seed_sensitive() {
        for k in Kind::ALL {
            let (a, ta) = run(k, 300, 120, 9);
            let (b, tb) = run(k, 300, 120, 9);
            let (c, _) = run(k, 300, 120, 10);
            assert_eq!(a, b, "{}", k.name());
            assert_eq!(ta, tb, "{}", k.name());
            assert_ne!(a, c, "{}: seed must matter", k.name());
            assert!(a.is_ascii(), "{}", k.name());
        }
    }

    /// Pins the exact bytes, so an accidental change of the format or of a
    /// stream (which silently changes every benchmark corpus and truth) is
    /// caught. Update deliberately when the generator is meant to change.
    #[test]
    fn golden_digests() {
        let got: Vec<(String, u64)> = Kind::ALL
            .iter()
            .map(|&k| (k.name().to_string(), fnv1a(&run(k, 200, 50, 42).0)))
            .collect();
        let want: Vec<(String, u64)> = GOLDEN_DIGESTS
            .iter()
            .map(|&(n, h)| (n.to_string(), h))
            .collect();
        assert_eq!(got, want);
    }

    const GOLDEN_DIGESTS: [(&str, u64); 6] = [
        ("people", 4366685394751686805),
        ("events", 7586212300273422614),
        ("logs", 13370940060507619282),
        ("vcf", 7088541468873822000),
        ("fastq", 8777401462090008701),
        ("clean", 3707934504548138706),
    ];

    #[test]
    fn row_counts() {
        let lines = |b: &[u8]| b.iter().filter(|&&c| c == b'\n').count() as u64;
        for rows in [0u64, 1, 7, 250] {
            let (b, t) = run(Kind::People, rows, 40, 1);
            assert_eq!((lines(&b), t.rows), (rows + 1, rows));
            let (b, t) = run(Kind::Clean, rows, 0, 1);
            assert_eq!((lines(&b), t.rows), (rows + 1, rows));
            let (b, t) = run(Kind::Events, rows, 40, 1);
            assert_eq!((lines(&b), t.rows), (rows, rows));
            let (b, t) = run(Kind::Logs, rows, 40, 1);
            assert_eq!((lines(&b), t.rows), (rows, rows));
            let (b, t) = run(Kind::Fastq, rows, 0, 1);
            assert_eq!((lines(&b), t.rows), (4 * rows, rows));
            let (b, t) = run(Kind::Vcf, rows, 12, 1);
            let data = text(&b).lines().filter(|l| !l.starts_with('#')).count() as u64;
            assert_eq!((data, t.rows), (rows, rows));
            for t in [
                run(Kind::People, rows, 40, 1).1,
                run(Kind::Clean, rows, 0, 1).1,
            ] {
                assert_eq!(t.categories.len(), 7);
            }
        }
    }

    #[test]
    fn zero_persons_is_rejected_where_needed() {
        for k in [Kind::People, Kind::Events, Kind::Logs] {
            let spec = GenSpec {
                kind: k,
                rows: 3,
                persons: 0,
                seed: 1,
            };
            let e = generate(&spec, Vec::new()).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
            // No rows, no persons: an empty data set, not an error.
            let spec = GenSpec { rows: 0, ..spec };
            assert!(generate(&spec, Vec::new()).is_ok());
        }
        let spec = GenSpec {
            kind: Kind::People,
            rows: 1,
            persons: MAX_PEOPLE_PERSONS + 1,
            seed: 1,
        };
        assert!(generate(&spec, Vec::new()).is_err());
    }

    #[test]
    fn valid_identifiers_validate_and_invalid_ones_fail() {
        let mut r = Rng::stream(5, 5, 5);
        for i in 0..20_000u64 {
            let s = valid_ssn(i * 7919, i * 31);
            assert!(validate::ssn_valid(&s), "{}", text(&s));
            let s = invalid_ssn(&mut r);
            assert!(!validate::ssn_valid(&s), "{}", text(&s));
            assert!(!validate::itin_valid(&s), "{}", text(&s));

            let c = card(&mut r, true);
            assert!(validate::card_valid(c.digits()), "{}", text(c.digits()));
            let c = card(&mut r, false);
            assert!(validate::card_brand(c.digits()).is_some());
            assert!(!validate::card_valid(c.digits()), "{}", text(c.digits()));
            assert!(!validate::luhn_valid(c.digits()));
            assert_ne!(c.len, 19, "a grouped 19-digit number has a 16-digit prefix");

            let v = iban(&mut r, true);
            assert!(validate::iban_valid(&v), "{}", text(&v));
            let v = iban(&mut r, false);
            assert!(!validate::iban_valid(&v), "{}", text(&v));

            let m = imei(i * 104_729, i);
            assert!(validate::imei_valid(&m), "{}", text(&m));
            assert!(validate::card_brand(&m).is_none(), "{}", text(&m));
            let mut mac = Vec::new();
            push_mac(&mut mac, i * 65_537, i);
            assert!(validate::mac_valid(&mac), "{}", text(&mac));

            let areas = r.pick(CITIES).areas;
            let p = phone(&mut r, areas);
            assert!(validate::nanp_valid(&p), "{}", text(&p));
            let mut email = Vec::new();
            let domain = *r.pick(EMAIL_DOMAINS);
            push_email(&mut email, "Maria", "Garcia", i, domain);
            assert!(validate::email_valid(&email), "{}", text(&email));
            let mut ip = Vec::new();
            push_ipv4(&mut ip, &mut r);
            assert!(validate::ipv4_valid(&ip), "{}", text(&ip));
        }
        for c in CITIES {
            for &a in c.areas {
                let mut d = Vec::new();
                push_pad(&mut d, a * 10_000_000 + 2_345_678, 10);
                assert!(validate::nanp_valid(&d), "area {a}");
            }
        }
        for &(cc, layout) in IBAN_LAYOUTS {
            assert_eq!(validate::iban_length(cc), Some(layout.len() + 4));
        }
        let first: BTreeSet<_> = FIRST_NAMES.iter().collect();
        assert!(LAST_NAMES.iter().all(|l| !first.contains(l)));
    }

    #[test]
    fn identity_bijections_are_injective() {
        let gcd = |mut a: u64, mut b: u64| {
            while b != 0 {
                (a, b) = (b, a % b);
            }
            a
        };
        assert_eq!(gcd(SSN_MUL, SSN_SPACE), 1);
        assert_eq!(gcd(IMEI_MUL, IMEI_SPACE), 1);
        assert_eq!(gcd(MAC_MUL, MAC_SPACE), 1);
        // Areas skip exactly the excluded ones and end at 899.
        let areas: Vec<u64> = (0..SSN_AREAS).map(ssn_area).collect();
        assert!(areas.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(areas.last(), Some(&899));
        assert!(SSN_EXCLUDED_AREAS.iter().all(|a| !areas.contains(a)));
        let mut seen = BTreeSet::new();
        for p in 0..50_000u64 {
            assert!(seen.insert(valid_ssn(p, 123_456_789)));
        }
        let mut seen = BTreeSet::new();
        for d in 0..50_000u64 {
            assert!(seen.insert(imei(d, 42)));
        }
        let mut seen = BTreeSet::new();
        for d in (0..MAX_PEOPLE_PERSONS).step_by(2003).take(60_000) {
            let mut m = Vec::new();
            push_mac(&mut m, d, 7);
            let norm: Vec<u8> = m
                .iter()
                .filter(|c| c.is_ascii_hexdigit())
                .map(u8::to_ascii_lowercase)
                .collect();
            assert!(seen.insert(norm));
        }
    }

    /// Listed-identifier class of a People column's detector, as SPEC 3
    /// assigns them.
    #[derive(Clone, Copy, PartialEq)]
    enum Cls {
        A,
        B,
        C,
        D,
        G,
    }

    struct Recount {
        cpi: BTreeSet<String>,
        fin: BTreeSet<String>,
        genomic: BTreeSet<String>,
        devices: BTreeSet<String>,
        matches: BTreeMap<String, u64>,
    }

    /// Recomputes a People truth from the CSV text alone, with the
    /// validators and the SPEC rules, independently of the generator's
    /// bookkeeping; checks identity consistency on the way.
    fn recount_people(csv: &str) -> Recount {
        let mut lines = csv.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(header.len(), 20);
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        let mut rc = Recount {
            cpi: BTreeSet::new(),
            fin: BTreeSet::new(),
            genomic: BTreeSet::new(),
            devices: BTreeSet::new(),
            matches: BTreeMap::new(),
        };
        let mut rows_of: BTreeMap<String, String> = BTreeMap::new();
        let mut strongest: BTreeMap<String, String> = BTreeMap::new();
        let mut mac_imei: BTreeMap<String, String> = BTreeMap::new();
        let mut imei_mac: BTreeMap<String, String> = BTreeMap::new();
        for line in lines {
            assert!(!line.contains('"'));
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 20, "{line}");
            let pid = f[0].to_string();
            assert!(pid.starts_with('P') && pid.len() >= 8);
            if let Some(prev) = rows_of.insert(pid.clone(), line.to_string()) {
                assert_eq!(prev, line, "repeated rows of a person must be identical");
            }
            let digits = |s: &str| -> Vec<u8> { s.bytes().filter(u8::is_ascii_digit).collect() };
            let mut listed: Vec<(&str, String, Cls)> = Vec::new();
            let mut sensitive: Vec<(&str, String)> = Vec::new();
            let mut add = |det: &'static str, v: String, cls: Cls| {
                if !listed.iter().any(|(d, x, _)| *d == det && *x == v) {
                    listed.push((det, v, cls));
                }
            };
            let mut hit = |det: &str| *rc.matches.entry(det.to_string()).or_default() += 1;
            for c in ["first_name", "last_name"] {
                let v = f[col(c)];
                if v.bytes().any(|b| b.is_ascii_alphabetic()) {
                    add("person_name", v.to_string(), Cls::D);
                    hit("person_name");
                }
            }
            let ssn = digits(f[col("ssn")]);
            let mut strong = None;
            if validate::ssn_valid(&ssn) {
                add("us_ssn", text(&ssn).to_string(), Cls::A);
                hit("us_ssn");
                strong = Some(format!("ssn:{}", text(&ssn)));
            }
            if !f[col("dob")].is_empty() {
                add("birth_date", f[col("dob")].to_string(), Cls::D);
                hit("birth_date");
            }
            let email = f[col("email")].to_ascii_lowercase();
            assert!(validate::email_valid(email.as_bytes()));
            add("email_address", email.clone(), Cls::D);
            hit("email_address");
            strong.get_or_insert(format!("email:{email}"));
            let mut ph = digits(f[col("phone")]);
            if ph.len() == 11 && ph[0] == b'1' {
                ph.remove(0);
            }
            if validate::nanp_valid(&ph) {
                add("us_phone", text(&ph).to_string(), Cls::D);
                hit("us_phone");
            } else {
                assert!(f[col("phone")].is_empty());
            }
            if !f[col("street_address")].is_empty() {
                add(
                    "street_address",
                    f[col("street_address")].to_string(),
                    Cls::D,
                );
                hit("street_address");
            }
            if validate::zip_shape(f[col("zip")].as_bytes()) {
                add("us_zip", f[col("zip")].to_string(), Cls::D);
                hit("us_zip");
            } else {
                assert!(f[col("zip")].is_empty());
            }
            let cardd = digits(f[col("card_number")]);
            if validate::card_valid(&cardd) {
                add("payment_card", text(&cardd).to_string(), Cls::B);
                sensitive.push(("payment_card", text(&cardd).to_string()));
                hit("payment_card");
            }
            let ib = f[col("iban")];
            if validate::iban_valid(ib.as_bytes()) {
                add("iban", ib.to_string(), Cls::B);
                sensitive.push(("iban", ib.to_string()));
                hit("iban");
            }
            if validate::ipv4_valid(f[col("ip_address")].as_bytes()) {
                add("ipv4_address", f[col("ip_address")].to_string(), Cls::G);
                hit("ipv4_address");
            }
            let mac = f[col("mac_address")];
            let imei_v = f[col("imei")];
            assert_eq!(mac.is_empty(), imei_v.is_empty());
            if validate::mac_valid(mac.as_bytes()) {
                let norm: String = mac
                    .chars()
                    .filter(char::is_ascii_hexdigit)
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                add("mac_address", norm.clone(), Cls::C);
                hit("mac_address");
                // MAC (the automatic device key) and IMEI (--device-key
                // imei) must name the same devices.
                if let Some(i) = mac_imei.insert(norm.clone(), imei_v.to_string()) {
                    assert_eq!(i, imei_v);
                }
                if let Some(m) = imei_mac.insert(imei_v.to_string(), norm.clone()) {
                    assert_eq!(m, norm);
                }
            }
            let device = if validate::imei_valid(imei_v.as_bytes()) {
                add("imei", imei_v.to_string(), Cls::C);
                hit("imei");
                Some(imei_v.to_string())
            } else {
                assert!(imei_v.is_empty());
                None
            };
            let (la, lo) = (f[col("latitude")], f[col("longitude")]);
            if let (Some(a), Some(o)) = (
                validate::parse_decimal_degree(la.as_bytes()),
                validate::parse_decimal_degree(lo.as_bytes()),
            ) && validate::coord_is_precise(a.value, a.decimals, o.decimals)
            {
                sensitive.push(("geo_coordinates", format!("{la},{lo}")));
                hit("geo_coordinates");
                rc.devices
                    .insert(device.unwrap_or_else(|| format!("person:{pid}")));
            }
            let seq = f[col("sequence")];
            if seq.len() >= 24
                && seq.bytes().all(|b| b"ACGT".contains(&b))
                && seq.bytes().any(|b| b != seq.as_bytes()[0])
            {
                sensitive.push(("nucleotide_sequence", seq.to_string()));
                hit("nucleotide_sequence");
                rc.genomic.insert(pid.clone());
            } else {
                assert!(seq.is_empty());
            }
            let notes = f[col("notes")];
            assert!(!notes.contains('@') && longest_digit_run(notes.as_bytes()) < 5);
            assert!(!notes.contains('.'));

            // SPEC 3, literally, on distinct (detector, value) pairs.
            let cpi = (listed.len() >= 2 && listed.iter().any(|l| l.2 != Cls::D))
                || (!listed.is_empty()
                    && sensitive.iter().any(|s| {
                        listed.len() >= 2
                            || (s.0, s.1.as_str()) != (listed[0].0, listed[0].1.as_str())
                    }));
            if cpi {
                rc.cpi.insert(pid.clone());
            }
            if sensitive
                .iter()
                .any(|s| s.0 == "payment_card" || s.0 == "iban")
            {
                rc.fin.insert(pid.clone());
            }
            let strong = strong.unwrap();
            if let Some(prev) = strongest.insert(pid.clone(), strong.clone()) {
                assert_eq!(prev, strong);
            }
        }
        // Automatic identity is one-to-one with person_id.
        let distinct: BTreeSet<&String> = strongest.values().collect();
        assert_eq!(distinct.len(), strongest.len());
        rc
    }

    fn check_people(rows: u64, persons: u64, seed: u64) -> Truth {
        let (b, t) = run(Kind::People, rows, persons, seed);
        let rc = recount_people(text(&b));
        let cat = |c: &str| t.categories[c];
        assert_eq!(cat("covered_personal_identifiers"), rc.cpi.len() as u64);
        assert_eq!(cat("personal_financial"), rc.fin.len() as u64);
        assert_eq!(cat("human_genomic"), rc.genomic.len() as u64);
        assert_eq!(cat("precise_geolocation"), rc.devices.len() as u64);
        for c in ["human_omic", "biometric_identifiers", "personal_health"] {
            assert_eq!(cat(c), 0);
        }
        for (det, &n) in &t.detector_matches {
            assert_eq!(rc.matches.get(det).copied().unwrap_or(0), n, "{det}");
        }
        t
    }

    #[test]
    fn people_truth_matches_independent_recount() {
        let t = check_people(1000, 800, 42);
        let c = &t.categories;
        // The set is meant to exercise every rule: all present, none full.
        assert!(c["covered_personal_identifiers"] < 800);
        assert!(c["personal_financial"] > 0 && c["human_genomic"] > 0);
        assert!(c["precise_geolocation"] > 0);
        check_people(3000, 700, 7); // every person repeated
        check_people(500, 800, 3); // only the first 500 persons appear
        check_people(20_000, 20_000, 11); // shared devices and rare cases
        check_people(0, 10, 1);
    }

    #[test]
    fn people_exercise_the_edge_cases() {
        let (b, _) = run(Kind::People, 20_000, 20_000, 11);
        let s = text(&b);
        let rows: Vec<Vec<&str>> = s.lines().skip(1).map(|l| l.split(',').collect()).collect();
        // Shared devices exist, and an invalid SSN never stops CPI by itself.
        let mut imeis = BTreeMap::new();
        for r in &rows {
            if !r[15].is_empty() {
                *imeis.entry(r[15]).or_insert(0) += 1;
            }
        }
        assert!(imeis.values().any(|&n| n == 2));
        assert!(imeis.values().all(|&n| n <= 2));
        // Mixed-decimals pairs exist on both sides of the cos(lat) rule.
        let mixed: Vec<bool> = rows
            .iter()
            .filter(|r| r[17].split('.').nth(1).is_some_and(|f| f.len() == 2))
            .filter(|r| r[16].split('.').nth(1).is_some_and(|f| f.len() >= 4))
            .map(|r| r[8] == "Miami")
            .collect();
        assert!(mixed.contains(&true) && mixed.contains(&false));
        // Card formats: bare, spaced, dashed; brands of every length.
        let cards: Vec<&str> = rows
            .iter()
            .map(|r| r[11])
            .filter(|c| !c.is_empty())
            .collect();
        assert!(cards.iter().any(|c| c.contains(' ')) && cards.iter().any(|c| c.contains('-')));
        let lens: BTreeSet<usize> = cards
            .iter()
            .map(|c| c.bytes().filter(u8::is_ascii_digit).count())
            .collect();
        assert_eq!(lens, BTreeSet::from([14, 15, 16, 19]));
    }

    /// The README example's truth (`people rows=1000 persons=800 seed=42`),
    /// pinned so documentation and generator cannot drift apart silently.
    #[test]
    fn people_truth_for_readme() {
        let (_, t) = run(Kind::People, 1000, 800, 42);
        let json = t.to_json();
        let head = &json[..json.find(",\"description\"").unwrap()];
        assert_eq!(
            head,
            "{\"rows\":1000,\"categories\":{\"biometric_identifiers\":0,\
             \"covered_personal_identifiers\":797,\"human_genomic\":9,\"human_omic\":0,\
             \"personal_financial\":418,\"personal_health\":0,\"precise_geolocation\":471},\
             \"detector_matches\":{\"birth_date\":976,\"email_address\":1000,\
             \"geo_coordinates\":604,\"iban\":181,\"imei\":690,\"ipv4_address\":520,\
             \"mac_address\":690,\"nucleotide_sequence\":11,\"payment_card\":409,\
             \"person_name\":1975,\"street_address\":974,\"us_phone\":899,\"us_ssn\":842,\
             \"us_zip\":985}"
        );
    }

    fn json_str<'a>(line: &'a str, key: &str) -> Option<&'a str> {
        let k = format!("\"{key}\":\"");
        let s = line.find(&k)? + k.len();
        Some(&line[s..s + line[s..].find('"')?])
    }

    fn json_num<'a>(line: &'a str, key: &str) -> Option<&'a str> {
        let k = format!("\"{key}\":");
        let s = line.find(&k)? + k.len();
        let e = s + line[s..].find([',', '}'])?;
        Some(&line[s..e])
    }

    #[test]
    fn events_truth_matches_recount() {
        for (rows, persons, seed) in [(2000u64, 300u64, 5u64), (300, 1000, 6), (0, 5, 1)] {
            let (b, t) = run(Kind::Events, rows, persons, seed);
            let mut precise_dev = BTreeSet::new();
            let mut cpi = BTreeSet::new();
            let mut users = BTreeMap::new();
            let (mut imeis, mut phones, mut points) = (0u64, 0u64, 0u64);
            for line in text(&b).lines() {
                let email = json_str(line, "email").unwrap();
                assert!(validate::email_valid(email.as_bytes()));
                let imei_v = json_str(line, "imei");
                if let Some(m) = imei_v {
                    assert!(validate::imei_valid(m.as_bytes()));
                    assert!(json_str(line, "maid").is_some_and(|u| u.len() == 36));
                    imeis += 1;
                    cpi.insert(email.to_string());
                    if let Some(prev) = users.insert(m.to_string(), email.to_string()) {
                        assert_eq!(prev, email);
                    }
                }
                if let Some(p) = json_str(line, "phone") {
                    let mut d: Vec<u8> = p.bytes().filter(u8::is_ascii_digit).collect();
                    if d.len() == 11 {
                        d.remove(0);
                    }
                    assert!(validate::nanp_valid(&d), "{p}");
                    phones += 1;
                }
                if let (Some(la), Some(lo)) = (json_num(line, "lat"), json_num(line, "lon")) {
                    let a = validate::parse_decimal_degree(la.as_bytes()).unwrap();
                    let o = validate::parse_decimal_degree(lo.as_bytes()).unwrap();
                    // Round trip through f64 keeps the decimals (last digit
                    // is never 0).
                    assert_eq!(a.value.to_string(), la);
                    assert_eq!(o.value.to_string(), lo);
                    if validate::coord_is_precise(a.value, a.decimals, o.decimals) {
                        points += 1;
                        let m = imei_v.expect("precise fixes come from devices");
                        precise_dev.insert(m.to_string());
                    }
                }
            }
            let c = &t.categories;
            assert_eq!(c["precise_geolocation"], precise_dev.len() as u64);
            assert_eq!(c["covered_personal_identifiers"], cpi.len() as u64);
            let m = &t.detector_matches;
            assert_eq!(m["email_address"], rows);
            assert_eq!(
                (m["imei"], m["us_phone"], m["geo_coordinates"]),
                (imeis, phones, points)
            );
            assert!(
                longest_digit_run(
                    &b.iter()
                        .map(|&c| if c == b'"' { b' ' } else { c })
                        .collect::<Vec<_>>()
                ) <= 15
            );
        }
    }

    #[test]
    fn logs_truth_matches_recount() {
        let (b, t) = run(Kind::Logs, 30_000, 200, 8);
        let s = text(&b);
        assert!(longest_digit_run(&b) < 9);
        let (mut emails, mut ips) = (0u64, 0u64);
        let mut cpi = BTreeSet::new();
        for line in s.lines() {
            let mut email = None;
            let mut ip = false;
            for tok in line.split([' ', '=']) {
                if tok.contains('@') {
                    assert!(validate::email_valid(tok.as_bytes()));
                    email = Some(tok);
                    emails += 1;
                }
                if validate::ipv4_valid(tok.as_bytes()) {
                    ip = true;
                    ips += 1;
                }
            }
            if let (Some(e), true) = (email, ip) {
                cpi.insert(e);
            }
        }
        assert!(s.matches('@').count() as u64 == emails);
        assert_eq!(t.detector_matches["email_address"], emails);
        assert_eq!(t.detector_matches["ipv4_address"], ips);
        assert_eq!(
            t.categories["covered_personal_identifiers"],
            cpi.len() as u64
        );
        assert!(!cpi.is_empty() && emails > 0 && ips > 0);
        let sparse = s.lines().count() as u64 / (emails + ips - cpi.len() as u64).max(1);
        assert!((30..=70).contains(&sparse), "1 in {sparse}");
    }

    #[test]
    fn vcf_and_fastq_shapes() {
        let (b, t) = run(Kind::Vcf, 50, 12, 3);
        let s = text(&b);
        assert!(s.starts_with("##fileformat=VCFv4.2\n"));
        assert!(s.contains("##reference=GRCh38\n##contig=<ID=chr21,length=46709983>\n"));
        let head = s.lines().find(|l| l.starts_with("#CHROM")).unwrap();
        let cols: Vec<&str> = head.split('\t').collect();
        assert_eq!(cols.len(), 9 + 12);
        assert_eq!((cols[9], cols[20]), ("S0001", "S0012"));
        let mut last = 0;
        for l in s.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = l.split('\t').collect();
            assert_eq!(f.len(), 21);
            let pos: u64 = f[1].parse().unwrap();
            assert!(pos >= last && pos < CHR21_LEN);
            last = pos;
            assert!(
                f[9..]
                    .iter()
                    .all(|g| ["0|0", "0|1", "1|0", "1|1", "./."].contains(g))
            );
        }
        assert_eq!(t.categories["human_genomic"], 12);

        let (b, t) = run(Kind::Fastq, 40, 0, 3);
        let lines: Vec<&str> = text(&b).lines().collect();
        for (i, r) in lines.chunks(4).enumerate() {
            assert_eq!(r[0], format!("@READ.{}", i + 1));
            assert!((100..=150).contains(&r[1].len()));
            assert!(r[1].bytes().all(|c| b"ACGTN".contains(&c)));
            assert_eq!(r[2], "+");
            assert_eq!(r[3].len(), r[1].len());
            assert!(!r[3].contains('@'));
        }
        assert_eq!(t.categories["human_genomic"], 1);
        assert_eq!(run(Kind::Fastq, 0, 0, 3).1.categories["human_genomic"], 0);
    }

    #[test]
    fn clean_has_nothing_detectable() {
        let (b, t) = run(Kind::Clean, 5000, 0, 4);
        assert!(!b.contains(&b'@'));
        assert!(longest_digit_run(&b) < 9);
        for l in text(&b).lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 6);
            assert!(f[0].starts_with("SKU-"));
            assert!(f[2].split('.').nth(1).is_some_and(|c| c.len() == 2));
        }
        assert!(t.categories.values().all(|&n| n == 0));
        assert!(t.detector_matches.values().all(|&n| n == 0));
    }

    #[test]
    fn truth_json_is_stable() {
        let mut t = Truth::new(3);
        t.set_category("personal_financial", 2);
        t.set_matches(&[("us_ssn", 5), ("iban", 1)]);
        t.description = "a \"b\"\\\n\u{1}".to_string();
        assert_eq!(
            t.to_json(),
            "{\"rows\":3,\"categories\":{\"biometric_identifiers\":0,\
             \"covered_personal_identifiers\":0,\"human_genomic\":0,\"human_omic\":0,\
             \"personal_financial\":2,\"personal_health\":0,\"precise_geolocation\":0},\
             \"detector_matches\":{\"iban\":1,\"us_ssn\":5},\
             \"description\":\"a \\\"b\\\"\\\\\\n\\u0001\"}"
        );
    }

    #[test]
    fn formatting_helpers() {
        let mut b = Vec::new();
        push_fixed(&mut b, true, 74_001_234, 6);
        b.push(b' ');
        push_fixed(&mut b, false, 4071, 2);
        b.push(b' ');
        push_pad(&mut b, 7, 3);
        b.push(b' ');
        push_u64(&mut b, u64::MAX);
        b.push(b' ');
        push_ts(&mut b, 86_400 * 59 + 3600 * 3 + 64);
        assert_eq!(
            text(&b),
            "-74.001234 40.71 007 18446744073709551615 2026-03-01T03:01:04Z"
        );
    }
}
