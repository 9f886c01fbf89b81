//! Detection: from a field's bytes (and the name of its column or key) to
//! validated detections.
//!
//! The hot path never runs a regex per detector. A value is lexed once:
//! `@` positions (found with memchr) seed e-mail candidates, and a single
//! left-to-right walk groups digits, hex and letters into candidate tokens
//! whose shape picks the validators to try (Luhn, SSA rules, mod-97, NANP,
//! ...). Context (the column name, the JSON key path, or a keyword window in
//! free text, found word by word (`keywords`) only when a candidate needs
//! it) decides what shape alone cannot: a bare 9-digit number is an SSN only
//! under SSN context, and never under an `order_id` or `routing` veto.

pub mod catalog;
pub mod check;
pub mod icd10;
mod keywords;
mod lex;
mod mailbox;
pub mod memo;
pub mod validate;

use crate::category::{Category, IdClass};
pub use catalog::{Catalog, Detector, IdentityKind, Matcher, ValueShape};
use keywords::KeywordIndex;
use std::collections::HashMap;
use std::sync::Mutex;

/// Detector sets are bitmasks so a column's context is two words.
pub const MAX_DETECTORS: usize = 128;
pub type DetMask = u128;

pub fn bit(det: usize) -> DetMask {
    1u128 << det
}

/// Geolocation role of a column or key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GeoRole {
    #[default]
    None,
    Lat,
    Lon,
    /// A value holding both, latitude first (`location`, `latlng`, `gps`).
    PairLatLon,
    /// A value holding both, longitude first (GeoJSON `coordinates`,
    /// `lnglat`).
    PairLonLat,
}

/// What a column says about the subject's country (`--us-persons infer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UsRole {
    #[default]
    None,
    Country,
    State,
    Zip,
}

/// Everything the name of a column (CSV header, JSON key path) tells the
/// detectors, computed once per column, not once per value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnCtx {
    /// Detectors the name supports as context.
    pub pos: DetMask,
    /// Detectors the name vetoes (`order_id` is not SSN context).
    pub veto: DetMask,
    /// Field recognisers that apply to every value of this column.
    pub fields: Vec<u8>,
    pub geo: GeoRole,
    pub us: UsRole,
    pub person_key: bool,
    pub device_key: bool,
    /// The column is named for an 'omic feature (`cg00000029`,
    /// `ENSG00000141510`): its detector and the feature's digest. A number
    /// under it is one feature of the record's profile.
    pub omic: Option<(u8, u64)>,
    /// In a file of clinical records (`conditions.csv`), the column naming
    /// the patient: a record with a patient there is health data about that
    /// patient (this detector), whatever its code system.
    pub clinical_link: Option<u8>,
}

impl ColumnCtx {
    /// A free-text field: no name, context comes from keywords only.
    pub fn text() -> ColumnCtx {
        ColumnCtx::default()
    }

    /// Whether the column asks a value more than its tokens: an 'omic
    /// feature, a field recogniser, a coordinate or a U.S. role.
    #[inline]
    fn has_role(&self) -> bool {
        self.omic.is_some()
            || !self.fields.is_empty()
            || self.geo != GeoRole::None
            || self.us != UsRole::None
    }
}

/// One validated detection in a record. Its normalised value lives in the
/// record's arena so a record costs no allocation once buffers are warm.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    pub det: u8,
    pub start: u32,
    pub len: u32,
}

/// A latitude or longitude read from a named column, with its decimals.
#[derive(Debug, Clone, Copy)]
pub struct Coord {
    pub value: f64,
    pub decimals: u32,
}

/// A point that passed the precision test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub lat: f64,
    pub lon: f64,
}

/// What the detectors found in one record. Reused across records.
#[derive(Debug, Default)]
pub struct RecordHits {
    pub hits: Vec<Hit>,
    pub arena: Vec<u8>,
    pub lats: Vec<Coord>,
    pub lons: Vec<Coord>,
    pub points: Vec<Point>,
    /// Whether any coordinate (precise or not) was seen: a coarse location
    /// is still U.S. evidence under `infer`.
    pub us_evidence: bool,
    pub foreign_evidence: bool,
    pub person_key: Option<(u32, u32)>,
    pub device_key: Option<(u32, u32)>,
    pub matched: DetMask,
    /// Distinct 'omic features seen so far (detector, feature digest), up
    /// to each detector's systems-level threshold.
    pub omic: Vec<(u8, u64)>,
    /// Lexer scratch, boxed so a value takes and returns it with one
    /// pointer move.
    pub(crate) lex: Option<Box<lex::Scratch>>,
    /// Set by every detection whose outcome depends on the rest of the
    /// record (points kept up to a limit, 'omic features counted across
    /// columns): such a value's detections cannot be memoised.
    pub(crate) stateful: bool,
}

impl RecordHits {
    pub fn clear(&mut self) {
        self.hits.clear();
        self.arena.clear();
        self.lats.clear();
        self.lons.clear();
        self.points.clear();
        self.us_evidence = false;
        self.foreign_evidence = false;
        self.person_key = None;
        self.device_key = None;
        self.matched = 0;
        self.omic.clear();
    }

    pub fn value(&self, h: &Hit) -> &[u8] {
        &self.arena[h.start as usize..(h.start + h.len) as usize]
    }

    pub fn span(&self, s: (u32, u32)) -> &[u8] {
        &self.arena[s.0 as usize..(s.0 + s.1) as usize]
    }

    #[inline]
    fn store(&mut self, v: &[u8]) -> (u32, u32) {
        let start = self.arena.len() as u32;
        extend_short(&mut self.arena, v);
        (start, v.len() as u32)
    }

    pub fn push(&mut self, det: usize, normalized: &[u8]) {
        let (start, len) = self.store(normalized);
        self.hits.push(Hit {
            det: det as u8,
            start,
            len,
        });
        self.matched |= bit(det);
    }

    /// Pushes a detection whose value is kept lowercased (e-mail, UUID,
    /// IPv6, field values), at most 256 bytes of it: enough to tell values
    /// apart, and no temporary buffer per value.
    pub fn push_lower(&mut self, det: usize, v: &[u8]) {
        let start = self.arena.len() as u32;
        let v = &v[..v.len().min(256)];
        extend_lowered(&mut self.arena, v);
        self.hits.push(Hit {
            det: det as u8,
            start,
            len: v.len() as u32,
        });
        self.matched |= bit(det);
    }

    pub fn set_person_key(&mut self, v: &[u8]) {
        if self.person_key.is_none() {
            self.person_key = Some(self.store(v));
        }
    }

    pub fn set_device_key(&mut self, v: &[u8]) {
        if self.device_key.is_none() {
            self.device_key = Some(self.store(v));
        }
    }
}

/// Column words that give a latitude/longitude role. Structural, so in code;
/// the location words for free text are the geo detector's context in
/// `patterns/geolocation.toml`.
const LAT_WORDS: &[&str] = &["lat", "latitude"];
const LON_WORDS: &[&str] = &["lon", "lng", "long", "longitude"];
const PAIR_LATLON_WORDS: &[&str] = &[
    "latlng",
    "latlon",
    "latlong",
    "location",
    "loc",
    "coords",
    "geo",
    "gps",
    "position",
    "point",
    "geolocation",
    "geopoint",
];
const PAIR_LONLAT_WORDS: &[&str] = &["coordinates", "lnglat", "lonlat"];
const COUNTRY_WORDS: &[&str] = &["country", "citizenship"];
const STATE_WORDS: &[&str] = &["state", "state_code", "province"];
const ZIP_WORDS: &[&str] = &["zip", "zipcode", "zip_code", "postal_code", "postcode"];

/// A word list, tokenised once.
struct Words(Vec<Vec<String>>);

impl Words {
    fn of(words: &[&str]) -> Words {
        Words(words.iter().map(|w| catalog::tokens(w)).collect())
    }
}

/// The role word lists, tokenised once (every name is judged against all).
struct RoleWords {
    lat: Words,
    lon: Words,
    pair_latlon: Words,
    pair_lonlat: Words,
    country: Words,
    state: Words,
    zip: Words,
}

static ROLE_WORDS: std::sync::LazyLock<RoleWords> = std::sync::LazyLock::new(|| RoleWords {
    lat: Words::of(LAT_WORDS),
    lon: Words::of(LON_WORDS),
    pair_latlon: Words::of(PAIR_LATLON_WORDS),
    pair_lonlat: Words::of(PAIR_LONLAT_WORDS),
    country: Words::of(COUNTRY_WORDS),
    state: Words::of(STATE_WORDS),
    zip: Words::of(ZIP_WORDS),
});

fn name_has(toks: &[String], words: &Words) -> bool {
    words.0.iter().any(|w| catalog::tokens_contain(toks, w))
}

/// Which detector phrases (context or veto) a name token can start: a
/// phrase matches a name only if the name has the phrase's first token or
/// its words glued, so only those phrases are checked. Judging a name
/// against every phrase of every detector cost a quarter of a million
/// instructions; JSON keyed by user id meets a new name per record.
#[derive(Default)]
struct NameIndex(HashMap<String, Vec<PhraseRef>>);

#[derive(Clone, Copy)]
struct PhraseRef {
    det: u8,
    veto: bool,
    phrase: u16,
}

impl NameIndex {
    fn new(catalog: &Catalog) -> NameIndex {
        let mut ix = NameIndex::default();
        for (i, d) in catalog.detectors.iter().enumerate() {
            for (veto, phrases) in [(true, &d.veto), (false, &d.context)] {
                for (k, p) in phrases.iter().enumerate() {
                    let Some(first) = p.first() else { continue };
                    let r = PhraseRef {
                        det: i as u8,
                        veto,
                        phrase: k as u16,
                    };
                    ix.0.entry(first.clone()).or_default().push(r);
                    if p.len() > 1 {
                        ix.0.entry(p.concat()).or_default().push(r);
                    }
                }
            }
        }
        ix
    }
}

pub struct Engine {
    pub catalog: Catalog,
    /// Detector indices per matcher, in catalog order.
    /// Indexed by `Matcher as usize`: asked for several times per token,
    /// so an array, not a hash map.
    by_matcher: Vec<Vec<u8>>,
    /// The same sets as bit masks.
    matcher_mask: Vec<DetMask>,
    /// Case-insensitive keywords of every detector's context, for windows in
    /// free text. A phrase matches with any separator between its words
    /// ("social security", "social-security", "social_security",
    /// "socialsecurity"; "driver's license" for [driver, s, license]): it is
    /// stored spaced and glued (`keyword_forms`), and a space in it stands
    /// for a space, `-` or `_` in the text.
    keywords: KeywordIndex,
    /// Detectors that accept a value only with context.
    needs_context: DetMask,
    regex_dets: Vec<u8>,
    geo_pair_det: Option<u8>,
    /// Contexts of the column and key names met so far. Judging a name
    /// against every detector's context costs a quarter of a million
    /// instructions; a data lake of small files with one header judged it
    /// again for each file, and spent most of its time there.
    ctx_cache: Mutex<HashMap<String, ColumnCtx>>,
    names: NameIndex,
    /// Indexed by a hit's detector byte: every index is in bounds, so the
    /// per-detection reads in `finish_record` need no check.
    facts: Box<[DetFacts; 256]>,
    sets: DetSets,
}

/// The facts of `DetFacts` that a record's set of detectors decides, as
/// detector masks: a record's categories, U.S. evidence and strongest
/// identifiers come from a few mask tests against the record's `matched`
/// instead of a pass over the detectors it found (twenty, in a dense row).
#[derive(Debug)]
pub struct DetSets {
    /// Per `CategorySet` bit, the detectors that find its sensitive
    /// category.
    pub category_masks: [DetMask; crate::category::CATEGORY_COUNT],
    /// Detectors that are U.S. evidence outright.
    pub us: DetMask,
    /// NANP phones: U.S. evidence outside the non-U.S. area codes.
    pub nanp_us: DetMask,
    /// Identifier detectors by strength, strongest first; and the device
    /// identifiers alone.
    pub strengths: Vec<(u8, DetMask)>,
    pub device_strengths: Vec<(u8, DetMask)>,
    /// Listed identifiers that are not demographic, and sensitive values:
    /// whether a record holds one is a question of its detectors, not of
    /// its values, so the covered-identifier rule asks it of the mask.
    pub not_demographic: DetMask,
    pub sensitive: DetMask,
}

impl DetSets {
    fn of(facts: &[DetFacts]) -> DetSets {
        let mut s = DetSets {
            category_masks: [0; crate::category::CATEGORY_COUNT],
            us: 0,
            nanp_us: 0,
            strengths: Vec::new(),
            device_strengths: Vec::new(),
            not_demographic: 0,
            sensitive: 0,
        };
        let add =
            |v: &mut Vec<(u8, DetMask)>, k: u8, d: usize| match v.iter_mut().find(|e| e.0 == k) {
                Some(e) => e.1 |= bit(d),
                None => v.push((k, bit(d))),
            };
        for (d, f) in facts.iter().enumerate() {
            if let Some(c) = f.sensitive {
                s.category_masks[c.bit().trailing_zeros() as usize] |= bit(d);
            }
            if f.rule & DetFacts::NOT_DEMOGRAPHIC != 0 {
                s.not_demographic |= bit(d);
            }
            if f.rule & DetFacts::SENSITIVE != 0 {
                s.sensitive |= bit(d);
            }
            if f.us_evidence {
                if f.nanp {
                    s.nanp_us |= bit(d);
                } else {
                    s.us |= bit(d);
                }
            }
            if let Some(k) = f.strength {
                add(&mut s.strengths, k, d);
                if f.identity == IdentityKind::Device {
                    add(&mut s.device_strengths, k, d);
                }
            }
        }
        s.strengths.sort_unstable();
        s.device_strengths.sort_unstable();
        s
    }
}

/// What counting reads of a detector for every detection, packed in at
/// most eight bytes: a dense record's dozen detections each read these,
/// and the `Detector` they come from spreads them over its first cache
/// lines among strings and vectors.
#[derive(Clone, Copy, Debug, Default)]
pub struct DetFacts {
    /// [`Detector::sensitive_category`].
    pub sensitive: Option<Category>,
    pub class: Option<IdClass>,
    pub identity: IdentityKind,
    pub strength: Option<u8>,
    pub us_evidence: bool,
    /// A NANP phone: U.S. evidence only outside the non-U.S. area codes.
    pub nanp: bool,
    /// The covered-identifier rule's three questions of a detection
    /// (listed? not demographic? sensitive?) as bits, `DetFacts::LISTED`
    /// and on, set once from `class` and `sensitive`: answered from those
    /// two options, they took three tests for each of a record's first
    /// detections.
    pub rule: u8,
}

impl DetFacts {
    /// A listed identifier (`class` set).
    pub const LISTED: u8 = 1;
    /// A listed identifier that is not demographic.
    pub const NOT_DEMOGRAPHIC: u8 = 2;
    /// A sensitive value (`sensitive` set).
    pub const SENSITIVE: u8 = 4;

    fn rule_of(class: Option<IdClass>, sensitive: Option<Category>) -> u8 {
        (u8::from(class.is_some()) * DetFacts::LISTED)
            | (u8::from(class.is_some_and(|c| c != IdClass::Demographic))
                * DetFacts::NOT_DEMOGRAPHIC)
            | (u8::from(sensitive.is_some()) * DetFacts::SENSITIVE)
    }
}

const _: () = assert!(std::mem::size_of::<DetFacts>() <= 8);

/// Names whose contexts are kept: a JSON source with a key per user id
/// must not grow the cache without end (past this, names are judged anew).
const CTX_CACHE_MAX: usize = 1 << 16;

/// How far before (and after) a candidate a keyword may stand to give it
/// context in free text: `SSN: 536-22-1234` and `536221234 (ssn)` both count,
/// a keyword three sentences away does not.
const WINDOW_BEFORE: usize = 48;
const WINDOW_AFTER: usize = 24;

impl Engine {
    pub fn new(catalog: Catalog) -> Engine {
        let mut by_matcher: Vec<Vec<u8>> = vec![Vec::new(); catalog::MATCHER_COUNT];
        let mut needs_context = 0;
        let mut regex_dets = Vec::new();
        let mut kw_words: Vec<String> = Vec::new();
        let mut keyword_mask: Vec<DetMask> = Vec::new();
        // Each word's place in `kw_words`: searching the list for each of
        // the catalog's thousand-odd keyword forms was a tenth of start-up.
        let mut kw_at: HashMap<String, usize> = HashMap::new();
        for (i, d) in catalog.detectors.iter().enumerate() {
            by_matcher[d.matcher as usize].push(i as u8);
            if d.needs_context {
                needs_context |= bit(i);
            }
            if d.matcher == Matcher::Regex {
                regex_dets.push(i as u8);
            }
            // Field recognisers are judged by column and key names only,
            // never by a keyword near a value: their words stay out of the
            // text keyword index, which then turns more words away.
            if matches!(d.matcher, Matcher::Field | Matcher::Geohash) {
                continue;
            }
            for c in &d.context {
                for w in keyword_forms(c) {
                    match kw_at.get(&w) {
                        Some(&p) => keyword_mask[p] |= bit(i),
                        None => {
                            kw_at.insert(w.clone(), kw_words.len());
                            kw_words.push(w);
                            keyword_mask.push(bit(i));
                        }
                    }
                }
            }
        }

        let geo_pair_det = by_matcher[Matcher::GeoPair as usize].first().copied();
        let matcher_mask = by_matcher
            .iter()
            .map(|ds| ds.iter().fold(0, |m, &d| m | bit(d as usize)))
            .collect();
        let names = NameIndex::new(&catalog);
        let mut facts = Box::new([DetFacts::default(); 256]);
        for (f, d) in facts.iter_mut().zip(&catalog.detectors) {
            let sensitive = d.sensitive_category();
            *f = DetFacts {
                sensitive,
                class: d.class,
                rule: DetFacts::rule_of(d.class, sensitive),
                identity: d.identity,
                strength: d.strength,
                us_evidence: d.us_evidence,
                nanp: d.matcher == Matcher::PhoneNanp,
            };
        }
        let sets = DetSets::of(&facts[..catalog.detectors.len()]);
        Engine {
            catalog,
            by_matcher,
            matcher_mask,
            keywords: KeywordIndex::new(&kw_words, &keyword_mask),
            needs_context,
            regex_dets,
            geo_pair_det,
            ctx_cache: Mutex::new(HashMap::new()),
            names,
            facts,
            sets,
        }
    }

    pub fn builtin() -> Engine {
        Engine::new(Catalog::builtin().expect("built-in patterns are valid"))
    }

    pub fn detector(&self, i: usize) -> &Detector {
        &self.catalog.detectors[i]
    }

    pub fn facts(&self, i: usize) -> &DetFacts {
        &self.facts[i]
    }

    /// Every detector's facts, by detector byte (see `facts`).
    pub fn facts_by_det(&self) -> &[DetFacts; 256] {
        &self.facts
    }

    pub fn det_sets(&self) -> &DetSets {
        &self.sets
    }

    pub fn len(&self) -> usize {
        self.catalog.detectors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.catalog.detectors.is_empty()
    }

    pub(crate) fn mask(&self, m: Matcher) -> DetMask {
        self.matcher_mask[m as usize]
    }

    pub(crate) fn dets(&self, m: Matcher) -> &[u8] {
        &self.by_matcher[m as usize]
    }

    pub fn geo_pair_det(&self) -> Option<usize> {
        self.geo_pair_det.map(|d| d as usize)
    }

    /// Classifies a column or key path once: which detectors its name
    /// supports or vetoes, which field recognisers apply, and its geo and
    /// country roles.
    pub fn column_ctx(&self, name: &str) -> ColumnCtx {
        let cache = || self.ctx_cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = cache().get(name) {
            return c.clone();
        }
        let c = self.judge_name(name);
        let mut cached = cache();
        if cached.len() < CTX_CACHE_MAX {
            cached.insert(name.to_owned(), c.clone());
        }
        c
    }

    fn judge_name(&self, name: &str) -> ColumnCtx {
        let toks = catalog::tokens(name);
        let mut ctx = ColumnCtx::default();
        if toks.is_empty() {
            return ctx;
        }
        // The last segment of a key path names the value; the parents only
        // qualify it (`user.address.zip`), so judge roles on the last one.
        let last = name.rsplit(['.', '/']).next().unwrap_or(name);
        let last_toks = catalog::tokens(last);
        let (mut vetoed, mut supported): (DetMask, DetMask) = (0, 0);
        for t in &last_toks {
            for r in self.names.0.get(t).map_or(&[][..], Vec::as_slice) {
                let d = self.detector(r.det as usize);
                let (phrases, mask) = if r.veto {
                    (&d.veto, &mut vetoed)
                } else {
                    (&d.context, &mut supported)
                };
                if *mask & bit(r.det as usize) == 0
                    && catalog::tokens_contain(&last_toks, &phrases[r.phrase as usize])
                {
                    *mask |= bit(r.det as usize);
                }
            }
        }
        for (i, d) in self.catalog.detectors.iter().enumerate() {
            let veto = vetoed & bit(i) != 0;
            let pos = supported & bit(i) != 0;
            if veto {
                ctx.veto |= bit(i);
            } else if pos {
                ctx.pos |= bit(i);
                if matches!(
                    d.matcher,
                    Matcher::Field | Matcher::Digits | Matcher::Token | Matcher::Geohash
                ) {
                    ctx.fields.push(i as u8);
                }
            }
        }
        ctx.omic = lex::omic_column(self, name.trim());
        let w = &*ROLE_WORDS;
        let lat = name_has(&last_toks, &w.lat);
        let lon = name_has(&last_toks, &w.lon);
        ctx.geo = if name_has(&last_toks, &w.pair_lonlat) {
            GeoRole::PairLonLat
        } else if (lat && lon) || name_has(&last_toks, &w.pair_latlon) {
            GeoRole::PairLatLon
        } else if lat {
            GeoRole::Lat
        } else if lon {
            GeoRole::Lon
        } else {
            GeoRole::None
        };
        ctx.us = if name_has(&last_toks, &w.country) {
            UsRole::Country
        } else if name_has(&last_toks, &w.zip) {
            UsRole::Zip
        } else if name_has(&last_toks, &w.state) {
            UsRole::State
        } else {
            UsRole::None
        };
        ctx
    }

    /// Runs every detector over one field value.
    #[inline]
    pub fn scan_value(&self, col: &ColumnCtx, v: &[u8], rec: &mut RecordHits) {
        let v = trim(v);
        if !v.is_empty() {
            self.scan_trimmed(col, v, rec);
        }
    }

    /// `scan_value` of a value already trimmed and not empty: a table's
    /// cells are trimmed once, when batched, not again per scan.
    pub(crate) fn scan_trimmed(&self, col: &ColumnCtx, v: &[u8], rec: &mut RecordHits) {
        debug_assert!(!v.is_empty() && trim(v).len() == v.len());
        if col.person_key {
            rec.set_person_key(v);
        }
        if col.device_key {
            rec.set_device_key(v);
        }
        // Whether the token walk may find anything in the value: cleared
        // where a role's own reading of the value proves it finds nothing.
        let mut tokens = true;
        // An address of words and short numbers, which the walk's word
        // gate ends (`lex::plain_words`: a field's column asks it, and
        // nothing before it finds anything in letters, digits and spaces),
        // as its field's shape found from the masks it computed: the gate
        // computed them again.
        let mut plain = false;
        // Only a column with a role asks whether a cell is a placeholder
        // (most columns of a dense table have none: the check was a cost
        // per cell).
        if col.has_role() && !is_placeholder(v) {
            if let Some((d, f)) = col.omic
                && lex::is_number(v)
            {
                lex::omic_feature(self, d as usize, f, rec);
            }
            for &d in &col.fields {
                lex::field_detector(self, d as usize, v, &mut plain, rec);
            }
            // A date column's usual cells: eight digits and two dashes or
            // slashes, ended by the walk's first gate.
            if fixed_date_form(v) {
                tokens = false;
            }
            if plain {
                tokens = false;
            }
            match col.geo {
                GeoRole::Lat | GeoRole::Lon => {
                    if let Some(dec) = validate::parse_decimal_degree(v) {
                        let c = Coord {
                            value: dec.value,
                            decimals: dec.decimals,
                        };
                        if col.geo == GeoRole::Lat {
                            rec.lats.push(c)
                        } else {
                            rec.lons.push(c)
                        }
                        // A plain decimal (sign, digits, at most one dot:
                        // what the parse accepts) of fewer than nine digits
                        // is a value the walk's first gate ends (see
                        // `lex::scan_tokens_gated`). With a dot, the walk
                        // reads it as one digit group of two runs, which
                        // `lex::interpret` takes only as a decimal (every
                        // other branch wants one run, three or more, or a
                        // space or dash between them), split only at
                        // spaces; and one decimal is no pair. Without one,
                        // nine digits or more may be a card or an SSN.
                        let sign = usize::from(matches!(v[0], b'+' | b'-'));
                        let digits = v.len() - sign - usize::from(dec.decimals > 0);
                        if dec.decimals > 0 || digits < 9 {
                            tokens = false;
                        }
                    }
                }
                _ => {}
            }
            match col.us {
                UsRole::Country => country_evidence(v, rec),
                UsRole::State => {
                    if validate::is_us_state_code(v) || is_us_state_name(v) {
                        rec.us_evidence = true;
                    }
                }
                UsRole::Zip => {
                    if validate::zip_shape(v) {
                        rec.us_evidence = true;
                        // Five digits (the walk's first gate ends them) or
                        // ZIP+4, a layout the walk finds nothing in (see
                        // `lex::Layout::empty`).
                        tokens = false;
                    }
                }
                UsRole::None => {}
            }
        }
        if tokens {
            lex::scan_tokens(self, col, v, rec);
        }
        for &d in &self.regex_dets {
            lex::regex_detector(self, col, d as usize, v, rec);
        }
    }

    /// Whether `col` asks nothing of a value but its tokens, so that
    /// `scan_number` may answer for the value (see `lex::cached_number`):
    /// no person or device key, 'omic feature, field recogniser,
    /// coordinate or U.S. role, and no regex detector in the engine. Asked
    /// once per column and batch.
    pub(crate) fn direct_numbers(&self, col: &ColumnCtx) -> bool {
        !col.person_key && !col.device_key && !col.has_role() && self.regex_dets.is_empty()
    }

    /// A value of a column `direct_numbers` allows, decided from a number
    /// layout the worker's lexer has cached: true when that found the
    /// value's identifier, which is all `scan_trimmed` would find; false
    /// (nothing pushed) when the value must be scanned. Number columns
    /// (SSNs, phones, cards, IMEIs, IPv4 addresses) skip the scan's generic
    /// front: its byte classes, gates and scratch.
    /// `picks`: `number_picks(col)`.
    #[inline(always)]
    pub(crate) fn scan_number(
        &self,
        col: &ColumnCtx,
        picks: &lex::NumberPicks,
        v: &[u8],
        sc: &lex::Scratch,
        rec: &mut RecordHits,
    ) -> bool {
        debug_assert!(self.direct_numbers(col));
        lex::cached_number(picks, v, sc, rec)
    }

    /// The detectors `scan_number` picks for `col`'s values: a batch reads
    /// them once per column, through the column's memo.
    pub(crate) fn number_picks(&self, col: &ColumnCtx) -> lex::NumberPicks {
        lex::NumberPicks::of(self, col)
    }

    /// Keyword hits in a free-text value: (start, end, detectors).
    pub(crate) fn keyword_hits(&self, v: &[u8], out: &mut Vec<(usize, usize, DetMask)>) {
        out.clear();
        self.keywords.find(v, out);
    }

    pub(crate) fn needs_context(&self, det: usize) -> bool {
        self.needs_context & bit(det) != 0
    }

    /// Decides a record's precise points from its latitude and longitude
    /// columns, pairing them in column order (`pickup_lat` with
    /// `pickup_lon`).
    pub fn finish_geo(&self, rec: &mut RecordHits) {
        let n = rec.lats.len().min(rec.lons.len());
        for i in 0..n {
            let (la, lo) = (rec.lats[i], rec.lons[i]);
            self.geo_point(la, lo, rec);
        }
    }

    pub(crate) fn geo_point(&self, la: Coord, lo: Coord, rec: &mut RecordHits) {
        if !validate::lat_valid(la.value) || !validate::lon_valid(lo.value) {
            return;
        }
        // (0, 0) is the null island default of broken GPS fixes, not a place.
        if la.value == 0.0 && lo.value == 0.0 {
            return;
        }
        if crate::identity::us_territory(la.value, lo.value) {
            rec.us_evidence = true;
        }
        if validate::coord_is_precise(la.value, la.decimals, lo.decimals) {
            self.push_point(
                Point {
                    lat: la.value,
                    lon: lo.value,
                },
                rec,
            );
        }
    }

    pub(crate) fn push_point(&self, p: Point, rec: &mut RecordHits) {
        rec.stateful = true;
        if let Some(d) = self.geo_pair_det {
            rec.push(d as usize, &point_key(p));
        }
        if rec.points.len() < 16 {
            rec.points.push(p);
        }
    }
}

/// The spellings of a multi-word keyword in free text: its words joined by
/// a space (which matches `-` and `_` too) or nothing, and an apostrophe
/// before a lone `s` (`driver's license`). Long keywords get the spaced and
/// glued forms only.
fn keyword_forms(words: &[String]) -> Vec<String> {
    if words.len() <= 1 {
        return vec![words.concat()];
    }
    // `-` and `_` are read as spaces in the text searched.
    const SEPS: [&str; 2] = [" ", ""];
    if words.len() > 4 {
        return vec![words.join(" "), words.concat()];
    }
    let mut out: Vec<String> = vec![words[0].clone()];
    for w in &words[1..] {
        let mut next = Vec::new();
        for prefix in &out {
            for sep in SEPS {
                next.push(format!("{prefix}{sep}{w}"));
            }
            if w == "s" {
                next.push(format!("{prefix}'s"));
            }
        }
        out = next;
    }
    out.sort();
    out.dedup();
    out
}

/// A point's value for de-duplication inside a record: micro-degrees as
/// integers (formatting floats per point cost more than the point).
fn point_key(p: Point) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&round_i64(p.lat * 1e6).to_le_bytes());
    k[8..].copy_from_slice(&round_i64(p.lon * 1e6).to_le_bytes());
    k
}

/// `x.round() as i64`. Baseline x86-64 has no rounding instruction, so
/// `round` is a software routine (two per point, a third of a point's
/// cost). Adding the largest double below one half, with `x`'s sign, then
/// truncating (as `as` does, saturating like it) rounds half away from
/// zero exactly: a sum that lands halfway between two doubles rounds to
/// the even one, which is the integer side (LLVM lowers `round` this way
/// where it has a truncating instruction). The tests hold it to `round`.
#[inline]
fn round_i64(x: f64) -> i64 {
    (x + 0.499_999_999_999_999_94_f64.copysign(x)) as i64
}

/// Appends `v` to `out` ASCII-lowercased, as `extend_from_slice` then
/// `make_ascii_lowercase` would. Each block is read from `v` and written
/// lowered once: copying first and lowering in place read back bytes just
/// stored by a copy of another width, which the CPU cannot forward, and
/// paid a `memcpy` call per value. Sixteen bytes at a time from sixteen
/// up, the last block overlapping the one before it (it writes the same
/// bytes again).
#[inline]
pub(crate) fn extend_lowered(out: &mut Vec<u8>, v: &[u8]) {
    let n = v.len();
    if n < 16 {
        extend_short_words::<true>(out, v);
        return;
    }
    let start = out.len();
    #[cfg(target_arch = "x86_64")]
    {
        out.reserve(n);
        // SAFETY: `reserve` left room for `n` bytes past `start`; the
        // length is set once all `n` are written.
        unsafe {
            lower_sse2(v.as_ptr(), out.as_mut_ptr().add(start), n);
            out.set_len(start + n);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        out.extend_from_slice(v);
        out[start..].make_ascii_lowercase();
    }
}

/// Appends `v` to `out`, as `extend_from_slice`, with no `memcpy` call for
/// the short values most detections keep (up to sixteen bytes).
#[inline]
fn extend_short(out: &mut Vec<u8>, v: &[u8]) {
    if v.len() > 16 {
        out.extend_from_slice(v);
    } else {
        extend_short_words::<false>(out, v);
    }
}

/// `v` (at most sixteen bytes) appended to `out`, lowered when `LOWER`:
/// two overlapping words from eight and from four, bytes below four.
#[inline(always)]
fn extend_short_words<const LOWER: bool>(out: &mut Vec<u8>, v: &[u8]) {
    let n = v.len();
    debug_assert!(n <= 16);
    out.reserve(n);
    let start = out.len();
    let map = |w: u64| if LOWER { lower_word(w) } else { w };
    // SAFETY: `reserve` left room for `n` bytes past `start`; every write
    // below is inside `start..start + n` and every read inside `v`, and
    // the length is set only once all `n` bytes are written.
    unsafe {
        let dst = out.as_mut_ptr().add(start);
        let src = v.as_ptr();
        if n >= 8 {
            for at in [0, n - 8] {
                let w = src.add(at).cast::<u64>().read_unaligned();
                dst.add(at).cast::<u64>().write_unaligned(map(w));
            }
        } else if n >= 4 {
            for at in [0, n - 4] {
                let w = u64::from(src.add(at).cast::<u32>().read_unaligned());
                dst.add(at).cast::<u32>().write_unaligned(map(w) as u32);
            }
        } else {
            for k in 0..n {
                let b = *src.add(k);
                dst.add(k)
                    .write(if LOWER { b.to_ascii_lowercase() } else { b });
            }
        }
        out.set_len(start + n);
    }
}

/// The eight bytes of `w`, ASCII-lowercased (bytes past 0x7F as they are).
#[inline]
fn lower_word(w: u64) -> u64 {
    w | (validate::lanes_between(w, b'A', b'Z') >> 2)
}

/// `n` (at least 16) bytes from `src` to `dst`, lowered.
///
/// # Safety
/// `src` readable and `dst` writable for `n` bytes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
unsafe fn lower_sse2(src: *const u8, dst: *mut u8, n: usize) {
    use std::arch::x86_64::*;
    debug_assert!(n >= 16);
    let (lo, hi, case) = (
        _mm_set1_epi8(b'A' as i8 - 1),
        _mm_set1_epi8(b'Z' as i8 + 1),
        _mm_set1_epi8(0x20),
    );
    let mut i = 0;
    loop {
        let at = i.min(n - 16);
        // SAFETY: `at + 16 <= n` (the caller's bounds).
        unsafe {
            let x = _mm_loadu_si128(src.add(at).cast());
            // Bytes past 0x7F compare as negative: never upper case.
            let upper = _mm_and_si128(_mm_cmpgt_epi8(x, lo), _mm_cmplt_epi8(x, hi));
            let lowered = _mm_or_si128(x, _mm_and_si128(upper, case));
            _mm_storeu_si128(dst.add(at).cast(), lowered);
        }
        if at == n - 16 {
            break;
        }
        i += 16;
    }
}

const DIGEST_K: u64 = 0x9E37_79B9_7F4A_7C15;

/// One eight-byte step of the value digests, case folded.
#[inline]
fn digest_mix(h: u64, w: u64) -> u64 {
    (h ^ (w & 0xDFDF_DFDF_DFDF_DFDF))
        .wrapping_mul(DIGEST_K)
        .rotate_left(31)
}

/// A short digest of the normalised value `buf[start..start + len]`, to
/// tell two values apart inside one record (never stored beyond it). Eight
/// bytes per step (a byte-wise FNV was a tenth of a dense scan); ASCII case
/// is folded with the 0x20 bit, which also folds a few punctuation pairs:
/// harmless for telling one record's values apart.
///
/// The buffer holds at least [`DIGEST_PAD`] bytes past the value (the
/// record's arena, padded before its digests are taken), so the tail is one
/// load and a mask: a branch on the tail's length followed the values'
/// lengths, which no predictor learns in a table of names and addresses.
#[inline]
pub(crate) fn value_digest_at(buf: &[u8], start: usize, len: usize) -> u64 {
    let v = &buf[start..start + len + DIGEST_PAD];
    let word = |i: usize| u64::from_le_bytes(v[i..i + 8].try_into().unwrap());
    let mut h = (len as u64).wrapping_mul(DIGEST_K);
    if len <= 16 {
        // Nearly every identifier (an SSN, a phone, a card, an IMEI, a
        // date, a name): both words' steps taken and the result selected
        // by the length, with no loop and no branch on it.
        const MASK: [u64; 9] = {
            let mut m = [0u64; 9];
            let mut i = 1;
            while i < 9 {
                m[i] = u64::MAX >> (64 - 8 * i);
                i += 1;
            }
            m
        };
        let (w0, w1) = (word(0), word(8));
        let one = digest_mix(h, w0 & MASK[len.min(8)]);
        let two = digest_mix(one, w1 & MASK[len.saturating_sub(8)]);
        // (Empty: `one` mixes a zero word into a zero state, which is
        // zero, as the loop below leaves it.)
        h = if len > 8 { two } else { one };
        return h ^ (h >> 29);
    }
    let full = len / 8;
    for i in 0..full {
        h = digest_mix(h, word(8 * i));
    }
    let r = len % 8;
    // r = 0: no tail word (a select, not a branch).
    let mask = (1u64 << (8 * r)).wrapping_sub(1);
    let with_tail = digest_mix(h, word(8 * full) & mask);
    let h = if r != 0 { with_tail } else { h };
    h ^ (h >> 29)
}

/// Readable bytes [`value_digest_at`] needs past a value.
pub(crate) const DIGEST_PAD: usize = 16;

/// The 1-7 bytes of a value's tail as a zero-padded little-endian word, read
/// with two overlapping loads: copying them into a zeroed buffer called
/// memcpy and stalled the load that followed (a fifth of the record
/// bookkeeping's time).
#[inline]
pub(crate) fn tail_word(t: &[u8]) -> u64 {
    let n = t.len();
    debug_assert!((1..8).contains(&n));
    if n >= 4 {
        let lo = u32::from_le_bytes(t[..4].try_into().unwrap()) as u64;
        let hi = u32::from_le_bytes(t[n - 4..].try_into().unwrap()) as u64;
        lo | (hi << (8 * (n - 4)))
    } else {
        // Bytes 0, n/2 and n-1 cover every byte of a 1-3 byte tail.
        (t[0] as u64) | ((t[n / 2] as u64) << (8 * (n / 2))) | ((t[n - 1] as u64) << (8 * (n - 1)))
    }
}

/// The lexer's scratch, which a batch hands from record to record.
pub(crate) use lex::Scratch;
pub use lex::parse_date;

/// Whether a column or key name is an 'omic feature id (`cg00000029`,
/// `ENSG00000141510.12`, `P04637`): a header made of such names is a
/// header, though its cells are digit-heavy (CSV header sniffing).
pub fn is_omic_feature_name(name: &[u8]) -> bool {
    lex::omic_name(name).is_some()
}

/// ASCII whitespace off both ends. Every cell passes here, most with
/// nothing to trim: two byte tests answer that before any search.
#[inline]
pub fn trim(v: &[u8]) -> &[u8] {
    match (v.first(), v.last()) {
        (Some(a), Some(z)) if !a.is_ascii_whitespace() && !z.is_ascii_whitespace() => return v,
        (None, _) => return v,
        _ => {}
    }
    let s = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |p| p + 1);
    &v[s..e]
}

/// A date in one of the ten-byte forms date columns print (`1980-03-12`,
/// `03/12/1980`, `03-12-1980`): eight digits and two dashes or slashes,
/// which the token walk's first gate ends (fewer than nine digits, no
/// letter, dot or mark; see `lex::scan_tokens_gated`).
#[inline]
fn fixed_date_form(v: &[u8]) -> bool {
    let Ok(t) = <&[u8; 10]>::try_from(v) else {
        return false;
    };
    let (iso, us) = validate::date10_digits(t);
    (iso && t[4] == b'-' && t[7] == b'-') || (us && t[2] == t[5] && matches!(t[2], b'/' | b'-'))
}

/// Cells that hold no data: a `name` column full of `NULL` names nobody.
pub fn is_placeholder(v: &[u8]) -> bool {
    // Every cell with a role pays this check. One table load on its first
    // byte and length turns away nearly every value (a jump on the length
    // alone mispredicted across a column's varied lengths); the few left
    // are compared.
    let n = v.len();
    if n == 0 || n > 10 || PLACEHOLDER_STARTS[usize::from(v[0])] & (1 << n) == 0 {
        return false;
    }
    PLACEHOLDERS
        .iter()
        .any(|p| p.len() == n && p.eq_ignore_ascii_case(v))
}

/// The values a cell holds in place of a datum (compared ignoring ASCII
/// case), at most ten bytes: the filter's table is a bit per length.
const PLACEHOLDERS: &[&[u8]] = &[
    b"-",
    b"?",
    b"0",
    b"na",
    b"--",
    b"\"\"",
    b"nil",
    b"n/a",
    b"nan",
    b"xxx",
    b"***",
    b"null",
    b"none",
    b"empty",
    b"unknown",
    b"redacted",
    b"undefined",
    b"[redacted]",
];

/// Per first byte (either case), a bit per length of a placeholder that
/// starts with it.
static PLACEHOLDER_STARTS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < PLACEHOLDERS.len() {
        let p = PLACEHOLDERS[i];
        // The filter passes lengths 1 to 10 only.
        assert!(!p.is_empty() && p.len() <= 10, "placeholder length");
        let b = p[0];
        t[b.to_ascii_lowercase() as usize] |= 1 << p.len();
        t[b.to_ascii_uppercase() as usize] |= 1 << p.len();
        i += 1;
    }
    t
};

fn country_evidence(v: &[u8], rec: &mut RecordHits) {
    const US: &[&[u8]] = &[
        b"us",
        b"usa",
        b"u.s.",
        b"u.s.a.",
        b"u.s",
        b"united states",
        b"united states of america",
        b"america",
        b"840",
    ];
    if US.iter().any(|u| u.eq_ignore_ascii_case(v)) {
        rec.us_evidence = true;
    } else if v.iter().any(|b| b.is_ascii_alphabetic()) {
        rec.foreign_evidence = true;
    }
}

fn is_us_state_name(v: &[u8]) -> bool {
    const STATES: &[&str] = &[
        "alabama",
        "alaska",
        "arizona",
        "arkansas",
        "california",
        "colorado",
        "connecticut",
        "delaware",
        "florida",
        "georgia",
        "hawaii",
        "idaho",
        "illinois",
        "indiana",
        "iowa",
        "kansas",
        "kentucky",
        "louisiana",
        "maine",
        "maryland",
        "massachusetts",
        "michigan",
        "minnesota",
        "mississippi",
        "missouri",
        "montana",
        "nebraska",
        "nevada",
        "new hampshire",
        "new jersey",
        "new mexico",
        "new york",
        "north carolina",
        "north dakota",
        "ohio",
        "oklahoma",
        "oregon",
        "pennsylvania",
        "rhode island",
        "south carolina",
        "south dakota",
        "tennessee",
        "texas",
        "utah",
        "vermont",
        "virginia",
        "washington",
        "west virginia",
        "wisconsin",
        "wyoming",
        "district of columbia",
        "puerto rico",
        "guam",
    ];
    STATES.iter().any(|s| s.as_bytes().eq_ignore_ascii_case(v))
}

#[cfg(test)]
mod tests;
