//! A column's repeated values are detected once.
//!
//! Real tables repeat themselves: first names, cities, states, ZIP codes,
//! birth dates, status and code columns hold a few thousand distinct values
//! over millions of rows (what Parquet and ORC dictionary-encode). What the
//! detectors make of a value depends on the value and its column's context
//! alone, so a value seen before in the same column can replay its
//! detections instead of being lexed and validated again.
//!
//! Exact by construction, not by sampling: a value is memoised only when
//! scanning it touched nothing but the record's hit list and its two
//! country flags. Anything whose outcome depends on the rest of the record
//! (coordinates waiting for their pair, points kept up to a limit, an
//! 'omic profile counted across columns) marks the record `stateful` and
//! is never memoised. A column whose values do not repeat turns its memo
//! off and pays nothing more than the hashing of its first few thousand
//! values.

use super::lex::Scratch;
use super::{ColumnCtx, Engine, GeoRole, RecordHits};
use std::hash::BuildHasher;

/// Longer values (free text, addresses with notes) rarely repeat and would
/// make the memo a copy of the column.
const MAX_KEY: usize = 64;
const _: () = assert!(MAX_KEY <= u8::MAX as usize, "an entry's key_len is a byte");
/// Bounds per column: entries and bytes (keys plus replayed detections).
const MAX_ENTRIES: usize = 1 << 12;
const MAX_BYTES: usize = 1 << 17;
/// Bound on all of one worker's memos together, so a table with thousands
/// of columns (or JSON with thousands of key paths) shares it instead of
/// multiplying it.
pub const WORKER_BUDGET: usize = 16 << 20;
/// The most one JSON key path's memo may take of its half of the budget.
pub const KEY_SHARE: usize = 1 << 16;
/// A table entry and its share of the table's empty slots: at most four
/// slots an entry (at most half are full, and doubling halves that).
const ENTRY_COST: usize = 4 * std::mem::size_of::<Entry>();
/// The hit rate is judged over windows of this many lookups.
const WINDOW: u32 = 1024;

#[derive(Clone, Copy, Default)]
struct Entry {
    /// A short key's bytes (up to `SHORT`, zero past its end), compared
    /// whole: most keys of a repeating column are names and codes. A long
    /// key's hash, in the first word.
    key: [u64; 2],
    /// Key bytes at `start`, then the encoded detections.
    start: u32,
    /// 0 in an empty slot (no key is empty).
    key_len: u8,
    /// The value's country flags (`US`, `FOREIGN`), also the first byte
    /// of its detections: a value with no detection (a state, a city)
    /// replays from the entry alone, with no load from `bytes`.
    flags: u8,
    delta_len: u16,
}

impl Entry {
    fn hash(&self) -> u64 {
        if self.key_len as usize <= SHORT {
            short_hash(words(self.key), self.key_len as usize)
        } else {
            self.key[0]
        }
    }
}

/// The memo's table: open addressing over the entries themselves, probed
/// linearly, at most half full. A lookup loads the slot its hash names and
/// compares: one load before the answer, where hashbrown's probe loaded a
/// group of control bytes and then the entry (`benches/NOTES.md`).
struct Slots {
    slots: Vec<Entry>,
    len: usize,
    /// 64 less the slots' bits: a key's first slot is its hash's top bits
    /// (its low bits ran ZIP codes together: `benches/NOTES.md`).
    shift: u32,
}

impl Default for Slots {
    fn default() -> Slots {
        // No slots: any first slot is past the end.
        Slots {
            slots: Vec::new(),
            len: 0,
            shift: 63,
        }
    }
}

impl Slots {
    fn len(&self) -> usize {
        self.len
    }

    /// The entry `eq` accepts among those of `hash`'s probe sequence.
    #[inline(always)]
    fn find(&self, hash: u64, mut eq: impl FnMut(&Entry) -> bool) -> Option<&Entry> {
        let mask = self.slots.len().wrapping_sub(1);
        let mut i = (hash >> self.shift) as usize;
        loop {
            let e = self.slots.get(i)?;
            if e.key_len == 0 {
                return None;
            }
            if eq(e) {
                return Some(e);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds `e` (whose key is not in the table) under `hash`; doubles the
    /// slots first if that would pass half full, placing every entry again
    /// by `rehash`.
    fn insert_unique(&mut self, hash: u64, e: Entry, rehash: impl Fn(&Entry) -> u64) {
        debug_assert!(e.key_len > 0);
        if 2 * (self.len + 1) > self.slots.len() {
            let grown = vec![Entry::default(); (2 * self.slots.len()).max(64)];
            self.shift = 64 - grown.len().trailing_zeros();
            let old = std::mem::replace(&mut self.slots, grown);
            for o in old.iter().filter(|o| o.key_len > 0) {
                self.place(rehash(o), *o);
            }
        }
        self.place(hash, e);
        self.len += 1;
    }

    fn place(&mut self, hash: u64, e: Entry) {
        let mask = self.slots.len() - 1;
        let mut i = (hash >> self.shift) as usize;
        while self.slots[i].key_len != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = e;
    }
}

#[inline(always)]
fn words(k: [u64; 2]) -> u128 {
    u128::from(k[0]) | (u128::from(k[1]) << 64)
}

/// Keys up to this long are looked up by their bytes as one word.
pub const SHORT: usize = 16;

/// The hash of a short key, from its word: one folded multiply, where
/// hashing its bytes took a branch on their length.
#[inline(always)]
fn short_hash(prefix: u128, n: usize) -> u64 {
    let (lo, hi) = (prefix as u64, (prefix >> 64) as u64);
    let p =
        u128::from(lo ^ 0x243f_6a88_85a3_08d3) * u128::from(hi ^ n as u64 ^ 0x1319_8a2e_0370_7344);
    (p as u64) ^ (p >> 64) as u64
}

/// Per length up to `SHORT`, the mask of a key's bytes in its word: one
/// load where a 128-bit shift by a variable amount took a branch-free
/// sequence of five.
pub static SHORT_MASK: [u128; SHORT + 1] = {
    let mut m = [0u128; SHORT + 1];
    let mut n = 1;
    while n <= SHORT {
        m[n] = u128::MAX >> (8 * (SHORT - n));
        n += 1;
    }
    m
};

/// `v` (at most `SHORT` bytes) as a word, zero past its end.
#[inline]
pub fn short_key(v: &[u8]) -> u128 {
    debug_assert!(v.len() <= SHORT);
    let mut b = [0u8; SHORT];
    b[..v.len()].copy_from_slice(v);
    u128::from_le_bytes(b)
}

/// The memo of one column (or one JSON key path).
pub struct ValueMemo {
    table: Slots,
    bytes: Vec<u8>,
    hasher: foldhash::fast::FixedState,
    window_lookups: u32,
    window_hits: u32,
    off: bool,
    /// This memo's share of the worker's budget, in bytes.
    cap: usize,
    /// The number shortcut's tries and answers this window (see
    /// `numbers_on`), and whether it stopped paying.
    number_tries: u32,
    number_hits: u32,
    numbers_off: bool,
    /// The number shortcut's detector picks for this memo's column, read
    /// on its first batch: a memo lives exactly as long as its column's
    /// context (a file with another header gets new memos), and reading
    /// them every batch cost some 20 instructions a people row.
    picks: Option<super::lex::NumberPicks>,
}

impl Default for ValueMemo {
    fn default() -> Self {
        ValueMemo {
            table: Slots::default(),
            bytes: Vec::new(),
            hasher: foldhash::fast::FixedState::with_seed(0x6275_6c6b_7363_616e),
            window_lookups: 0,
            window_hits: 0,
            off: false,
            cap: MAX_BYTES,
            number_tries: 0,
            number_hits: 0,
            numbers_off: false,
            picks: None,
        }
    }
}

/// Bits of the encoded flags byte.
const US: u8 = 1;
const FOREIGN: u8 = 2;

impl ValueMemo {
    /// A memo for a column whose values can be memoised at all (a person or
    /// device key is kept per record, an 'omic column counts features per
    /// record, and a latitude or longitude waits for its pair), holding at
    /// most `share` bytes of keys, detections and table.
    pub fn for_column(col: &ColumnCtx, share: usize) -> ValueMemo {
        ValueMemo {
            off: col.person_key
                || col.device_key
                || col.omic.is_some()
                || col.geo != GeoRole::None
                || share < 64 * ENTRY_COST,
            cap: share.min(MAX_BYTES),
            ..ValueMemo::default()
        }
    }

    fn full(&self) -> bool {
        self.table.len() >= MAX_ENTRIES
            || self.bytes.len() + self.table.len() * ENTRY_COST >= self.cap
    }

    /// Scans `v`, trimmed (as `detect::trim` leaves it), under `col` into
    /// `rec`, exactly as `Engine::scan_value`. (Inlined into the record
    /// sinks: it runs once per cell.)
    #[inline(always)]
    pub fn scan(&mut self, eng: &Engine, col: &ColumnCtx, v: &[u8], rec: &mut RecordHits) {
        self.scan_keyed(eng, col, v, || None, rec, None)
    }

    /// As `scan`, with `key` giving `short_key(v)` when the caller can
    /// read it without a copy (a batch reads it from the bytes around the
    /// value); asked only of a short value this memo looks up. `lex`: the
    /// lexer's scratch when the caller holds it outside `rec` (a batch
    /// hands one from record to record), lent to `rec` only while a value
    /// is scanned: a replayed value needs none, and lending it to every
    /// record cost two swaps per cell.
    #[inline(always)]
    pub(crate) fn scan_keyed(
        &mut self,
        eng: &Engine,
        col: &ColumnCtx,
        v: &[u8],
        key: impl FnOnce() -> Option<u128>,
        rec: &mut RecordHits,
        lex: Option<&mut Option<Box<Scratch>>>,
    ) {
        debug_assert_eq!(super::trim(v).len(), v.len());
        if v.is_empty() {
            return;
        }
        if self.off || v.len() > MAX_KEY {
            scan_with(eng, col, v, rec, lex);
            return;
        }
        let n = v.len();
        let (prefix, hash) = if n <= SHORT {
            let k = key().unwrap_or_else(|| short_key(v));
            debug_assert_eq!(k, short_key(v));
            (k, short_hash(k, n))
        } else {
            (0, self.hasher.hash_one(v))
        };
        let bytes = &self.bytes;
        let found = if n <= SHORT {
            self.table
                .find(hash, |e| words(e.key) == prefix && e.key_len as usize == n)
        } else {
            self.table.find(hash, |e| {
                e.key[0] == hash
                    && e.key_len as usize == n
                    && &bytes[e.start as usize..e.start as usize + e.key_len as usize] == v
            })
        };
        if let Some(e) = found {
            rec.us_evidence |= e.flags & US != 0;
            rec.foreign_evidence |= e.flags & FOREIGN != 0;
            if e.delta_len > 1 {
                let at = e.start as usize + e.key_len as usize;
                replay(&bytes[at + 1..at + e.delta_len as usize], rec);
            }
            self.window_hits += 1;
        } else if self.full() {
            // Nothing more is learnt: a miss is a scan (a full ZIP code
            // column's misses paid the learning's bookkeeping for nothing).
            scan_missed(eng, col, v, rec, lex);
        } else {
            self.learn(eng, col, v, (prefix, hash), rec, lex);
        }
        self.window_lookups += 1;
        if self.window_lookups == WINDOW {
            self.judge();
        }
    }

    #[cold]
    fn learn(
        &mut self,
        eng: &Engine,
        col: &ColumnCtx,
        v: &[u8],
        (prefix, hash): (u128, u64),
        rec: &mut RecordHits,
        lex: Option<&mut Option<Box<Scratch>>>,
    ) {
        // The flags are sticky within a record: clear them to see what this
        // value sets, then put the record's back.
        let (us0, foreign0) = (rec.us_evidence, rec.foreign_evidence);
        rec.us_evidence = false;
        rec.foreign_evidence = false;
        rec.stateful = false;
        let (h0, l0, g0, p0, o0) = (
            rec.hits.len(),
            rec.lats.len(),
            rec.lons.len(),
            rec.points.len(),
            rec.omic.len(),
        );
        let (pk0, dk0) = (rec.person_key, rec.device_key);
        scan_with(eng, col, v, rec, lex);
        let pure = !rec.stateful
            && rec.lats.len() == l0
            && rec.lons.len() == g0
            && rec.points.len() == p0
            && rec.omic.len() == o0
            && rec.person_key == pk0
            && rec.device_key == dk0;
        let flags = (rec.us_evidence as u8 * US) | (rec.foreign_evidence as u8 * FOREIGN);
        rec.us_evidence |= us0;
        rec.foreign_evidence |= foreign0;
        if !pure || self.full() {
            return;
        }
        let start = self.bytes.len();
        self.bytes.extend_from_slice(v);
        self.bytes.push(flags);
        for h in &rec.hits[h0..] {
            let val = rec.value(h);
            let Ok(len) = u16::try_from(val.len()) else {
                self.bytes.truncate(start);
                return;
            };
            self.bytes.push(h.det);
            self.bytes.extend_from_slice(&len.to_le_bytes());
            self.bytes.extend_from_slice(val);
        }
        let delta_len = self.bytes.len() - start - v.len();
        let Ok(delta_len) = u16::try_from(delta_len) else {
            self.bytes.truncate(start);
            return;
        };
        let e = Entry {
            key: if v.len() <= SHORT {
                [prefix as u64, (prefix >> 64) as u64]
            } else {
                [hash, 0]
            },
            start: start as u32,
            key_len: v.len() as u8,
            flags,
            delta_len,
        };
        self.table.insert_unique(hash, e, Entry::hash);
    }

    /// Whether a batch should still offer this column's values to the
    /// number shortcut (`Engine::scan_number`) before scanning them. A
    /// value it leaves costs a template lookup on top of its scan; a value
    /// it decides saves several times that. Judged per window like the
    /// memo, and off for good once few values are decided (a JSON key
    /// path of ids, times or amounts). Which path a value takes never
    /// changes what is found.
    #[inline]
    pub fn numbers_on(&self) -> bool {
        !self.numbers_off
    }

    /// `eng.number_picks(col)`, for the column this memo was made for.
    #[inline]
    pub(crate) fn number_picks(
        &mut self,
        eng: &Engine,
        col: &ColumnCtx,
    ) -> super::lex::NumberPicks {
        *self.picks.get_or_insert_with(|| eng.number_picks(col))
    }

    /// Adds a batch's tries and decided values to the window.
    #[inline]
    pub fn judge_numbers(&mut self, tries: u32, hits: u32) {
        self.number_tries += tries;
        self.number_hits += hits;
        if self.number_tries >= WINDOW {
            // Break-even is about one value in five decided (a miss costs
            // some 40 instructions, a hit saves some 140).
            self.numbers_off |= self.number_hits * 3 < self.number_tries;
            self.number_tries = 0;
            self.number_hits = 0;
        }
    }

    /// Ends a window: a column whose values stopped repeating (its memo full,
    /// or almost no repeats at all) scans directly from now on.
    fn judge(&mut self) {
        let full = self.full();
        let rate = self.window_hits as f64 / self.window_lookups as f64;
        if rate < 0.05 || (full && rate < 0.5) {
            self.off = true;
            self.table = Slots::default();
            self.bytes = Vec::new();
        }
        self.window_lookups = 0;
        self.window_hits = 0;
    }
}

/// `scan_with` out of line, for a value a full memo misses: inlined
/// beside `learn`'s call, it grew the batch loop (0.45% more instructions
/// on the people rows than it saved).
#[inline(never)]
fn scan_missed(
    eng: &Engine,
    col: &ColumnCtx,
    v: &[u8],
    rec: &mut RecordHits,
    lex: Option<&mut Option<Box<Scratch>>>,
) {
    scan_with(eng, col, v, rec, lex)
}

/// `Engine::scan_trimmed`, with the lexer's scratch lent to `rec` for the
/// value when the caller holds it.
#[inline(always)]
fn scan_with(
    eng: &Engine,
    col: &ColumnCtx,
    v: &[u8],
    rec: &mut RecordHits,
    lex: Option<&mut Option<Box<Scratch>>>,
) {
    match lex {
        Some(lex) => {
            std::mem::swap(&mut rec.lex, lex);
            eng.scan_trimmed(col, v, rec);
            std::mem::swap(&mut rec.lex, lex);
        }
        None => eng.scan_trimmed(col, v, rec),
    }
}

/// Pushes a memoised value's detections (past its flags byte), as
/// scanning it did.
#[inline(always)]
fn replay(hits: &[u8], rec: &mut RecordHits) {
    // Each detection: its detector, its value's length (two bytes) and
    // the value. Split off the front, one bounds check a part.
    let mut rest = hits;
    while let Some((&[det, lo, hi], tail)) = rest.split_first_chunk::<3>() {
        let (v, tail) = tail.split_at(usize::from(u16::from_le_bytes([lo, hi])));
        rec.push(usize::from(det), v);
        rest = tail;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::Engine;
    use proptest::prelude::*;

    fn snapshot(rec: &RecordHits) -> (Vec<(u8, Vec<u8>)>, bool, bool, u128) {
        (
            rec.hits
                .iter()
                .map(|h| (h.det, rec.value(h).to_vec()))
                .collect(),
            rec.us_evidence,
            rec.foreign_evidence,
            rec.matched,
        )
    }

    /// Values of the kinds columns repeat (names, codes, dates, ZIPs) and
    /// the kinds that find something (ids, e-mails, phones, countries).
    const POOL: &[&str] = &[
        "David",
        "San Antonio",
        "TX",
        "Texas",
        "US",
        "Canada",
        "55440",
        "1977-04-26",
        "332-61-9064",
        "536-22-1234",
        "4111 1111 1111 1111",
        "david.jackson0@mail.example.org",
        "(612) 997-7839",
        "+44 20 7946 0958",
        "00:1A:2B:3C:4D:5E",
        "203.189.106.235",
        "GB82 WEST 1234 5698 7654 32",
        "E11.9",
        "do not call",
        "  ",
        "N/A",
        "490154203237518",
        "40.712776, -74.005974",
        "9q8yyk8yt",
        "P0000001",
    ];

    const COLUMNS: &[&str] = &[
        "first_name",
        "city",
        "state",
        "country",
        "zip",
        "dob",
        "ssn",
        "card_number",
        "email",
        "phone",
        "mac_address",
        "ip_address",
        "iban",
        "diagnosis",
        "notes",
        "imei",
        "location",
        "geohash",
        "person_id",
        "latitude",
    ];

    proptest! {
        /// A record scanned through the memo holds exactly what scanning
        /// each value directly gives, whatever the order of repeats, and
        /// however soon the memo fills (`cap`: from full at once, every
        /// miss scanned without learning, to never full).
        #[test]
        fn memo_matches_direct_scan(
            picks in proptest::collection::vec((0..COLUMNS.len(), 0..POOL.len()), 1..120),
            split in 1usize..6,
            cap in prop_oneof![Just(MAX_BYTES), 0usize..400],
        ) {
            let eng = Engine::builtin();
            let cols: Vec<ColumnCtx> = COLUMNS.iter().map(|c| eng.column_ctx(c)).collect();
            let mut memos: Vec<ValueMemo> = cols
                .iter()
                .map(|c| ValueMemo { cap, ..ValueMemo::for_column(c, MAX_BYTES) })
                .collect();
            let (mut direct, mut memo) = (RecordHits::default(), RecordHits::default());
            for (k, rec_vals) in picks.chunks(split).enumerate() {
                direct.clear();
                memo.clear();
                for &(c, p) in rec_vals {
                    let v = POOL[p].as_bytes();
                    eng.scan_value(&cols[c], v, &mut direct);
                    memos[c].scan(&eng, &cols[c], crate::detect::trim(v), &mut memo);
                }
                eng.finish_geo(&mut direct);
                eng.finish_geo(&mut memo);
                prop_assert_eq!(snapshot(&direct), snapshot(&memo), "record {}", k);
                prop_assert_eq!(&direct.points, &memo.points);
            }
        }
    }

    /// The number shortcut stays on for a column it mostly decides and
    /// goes off, for good, in one whose values it mostly leaves.
    #[test]
    fn number_shortcut_judged_by_its_answers() {
        let mut m = ValueMemo::default();
        for _ in 0..64 {
            m.judge_numbers(64, 50);
        }
        assert!(m.numbers_on());
        for _ in 0..16 {
            m.judge_numbers(64, 10);
        }
        assert!(!m.numbers_on());
        for _ in 0..64 {
            m.judge_numbers(64, 64);
        }
        assert!(!m.numbers_on(), "off is for good");
    }

    #[test]
    fn repeated_values_replay_and_unique_values_turn_the_memo_off() {
        let eng = Engine::builtin();
        let col = eng.column_ctx("first_name");
        let mut m = ValueMemo::for_column(&col, MAX_BYTES);
        let mut rec = RecordHits::default();
        for i in 0..WINDOW {
            rec.clear();
            m.scan(
                &eng,
                &col,
                ["Ann", "Bob"][i as usize % 2].as_bytes(),
                &mut rec,
            );
        }
        assert!(!m.off);
        assert_eq!(m.table.len(), 2);

        let col = eng.column_ctx("ssn");
        let mut m = ValueMemo::for_column(&col, MAX_BYTES);
        for i in 0..WINDOW {
            rec.clear();
            let v = format!("{:03}-{:02}-{:04}", 100 + i % 600, 10 + i % 80, 1000 + i);
            m.scan(&eng, &col, v.as_bytes(), &mut rec);
        }
        assert!(m.off, "a column of distinct values stops memoising");
    }

    #[test]
    fn key_and_coordinate_columns_are_never_memoised() {
        let eng = Engine::builtin();
        let mut key = eng.column_ctx("person_id");
        key.person_key = true;
        assert!(ValueMemo::for_column(&key, MAX_BYTES).off);
        assert!(ValueMemo::for_column(&eng.column_ctx("latitude"), MAX_BYTES).off);
        assert!(!ValueMemo::for_column(&eng.column_ctx("city"), MAX_BYTES).off);
        // A column of a very wide table gets too small a share to be worth
        // a memo.
        assert!(ValueMemo::for_column(&eng.column_ctx("city"), WORKER_BUDGET / 100_000).off);
    }

    /// The table finds every entry it was given and none it was not,
    /// whatever the hashes: all alike (one probe run wrapping around the
    /// slots), few, or spread; across its growths.
    #[test]
    fn slots_find_what_they_hold() {
        for spread in [1u64, 3, 1 << 40, u64::MAX] {
            let hash = |k: u64| k.wrapping_mul(spread) ^ (spread >> 1);
            let entry = |k: u64| Entry {
                key: [k, !k],
                start: k as u32,
                key_len: 1 + (k % 16) as u8,
                flags: 0,
                delta_len: 1,
            };
            let rehash = |e: &Entry| hash(e.key[0]);
            let mut t = Slots::default();
            assert!(t.find(hash(0), |_| true).is_none());
            for k in 0..300u64 {
                t.insert_unique(hash(k), entry(k), rehash);
                assert_eq!(t.len(), k as usize + 1);
                assert!(2 * t.len() <= t.slots.len());
                for j in [0, k / 2, k] {
                    let e = t.find(hash(j), |e| e.key[0] == j).expect("held");
                    assert_eq!((e.key, e.start), (entry(j).key, j as u32));
                }
                assert!(t.find(hash(k + 1), |e| e.key[0] == k + 1).is_none());
            }
        }
    }

    #[test]
    fn a_memo_stays_within_its_share() {
        let eng = Engine::builtin();
        let col = eng.column_ctx("first_name");
        let share = 24 << 10;
        let mut m = ValueMemo::for_column(&col, share);
        let mut rec = RecordHits::default();
        for i in 0..20_000 {
            rec.clear();
            // Few enough distinct names that the memo stays on, more than
            // its share holds.
            let v = format!("Name{:04}", i % 300);
            m.scan(&eng, &col, v.as_bytes(), &mut rec);
            assert!(m.bytes.len() + m.table.len() * ENTRY_COST <= share + 64 + ENTRY_COST);
            let slots = m.table.slots.len() * std::mem::size_of::<Entry>();
            assert!(slots <= m.table.len().max(16) * ENTRY_COST);
        }
        assert!(!m.off);
    }
}
