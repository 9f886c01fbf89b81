//! Counting: distinct persons (devices) per category, merged across threads
//! (and, later, across machines).
//!
//! A `Counter` is exact (a set of keyed hashes, 121 bits each) up to a
//! limit set far past every threshold, so every verdict is exact; past the
//! limit it turns into a HyperLogLog sketch, bounded in memory whatever the
//! number of persons, mergeable, and reported as an estimate with its error.

use crate::category::{CATEGORY_COUNT, Category, CategorySet};
use crate::detect::{DetFacts, Engine, IdentityKind, RecordHits};
use crate::identity::{IdHash, IdentityKey, IdentityMode};

/// Exact counts are kept at least this far: ten times the largest threshold.
pub const DEFAULT_EXACT_LIMIT: usize = 1_000_000;

const HLL_P: u32 = 14;
const HLL_M: usize = 1 << HLL_P;

#[derive(Clone, Default)]
pub struct Hll {
    reg: Box<Registers>,
}

#[derive(Clone)]
struct Registers([u8; HLL_M]);

impl Default for Registers {
    fn default() -> Self {
        Registers([0; HLL_M])
    }
}

impl std::ops::Deref for Registers {
    type Target = [u8; HLL_M];
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Registers {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Hll {
    pub fn new() -> Hll {
        Hll::default()
    }
    pub fn insert(&mut self, h: IdHash) {
        let idx = (h >> (128 - HLL_P)) as usize;
        let w = h as u64;
        let rho = (w.leading_zeros() + 1).min(64 - HLL_P + 1) as u8;
        if self.reg[idx] < rho {
            self.reg[idx] = rho;
        }
    }
    pub fn merge(&mut self, o: &Hll) {
        for (a, b) in self.reg.iter_mut().zip(o.reg.iter()) {
            *a = (*a).max(*b);
        }
    }
    pub fn estimate(&self) -> f64 {
        let m = HLL_M as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let mut sum = 0.0;
        let mut zeros = 0;
        for &r in self.reg.iter() {
            sum += 2f64.powi(-(r as i32));
            zeros += (r == 0) as usize;
        }
        let e = alpha * m * m / sum;
        if e <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            e
        }
    }
    /// One standard error of HyperLogLog with 2^14 registers.
    pub fn relative_error() -> f64 {
        1.04 / (HLL_M as f64).sqrt()
    }
}

#[derive(Clone)]
pub struct Counter {
    exact: Shards<()>,
    hll: Option<Hll>,
    limit: usize,
    /// The exact count of a union counted without being written
    /// (`Tally::last_merge`): final, nothing more can be added.
    counted: Option<u64>,
}

impl Counter {
    pub fn new(limit: usize) -> Counter {
        Counter {
            exact: Shards::new(),
            hll: None,
            limit,
            counted: None,
        }
    }

    pub fn insert(&mut self, h: IdHash) {
        // Kept bits only, in the sketch too: an identity counts the same
        // whether it reaches the sketch directly or from the exact set.
        let h = h & IDENTITY_BITS;
        assert!(self.counted.is_none(), "an identity added to a final count");
        match &mut self.hll {
            Some(s) => s.insert(h),
            None => {
                self.exact.add(h, ());
                if self.exact.over(self.limit) {
                    self.spill();
                }
            }
        }
    }

    fn spill(&mut self) {
        self.exact.compact();
        let mut s = Hll::new();
        for (h, _) in self.exact.iter() {
            s.insert(h);
        }
        self.exact = Shards::new();
        self.hll = Some(s);
    }

    /// Sorts in what was added since, and spills past the limit: what the
    /// count reads.
    fn settle(&mut self) {
        if self.hll.is_none() && self.counted.is_none() {
            self.exact.compact();
            if self.exact.len > self.limit {
                self.spill();
            }
        }
    }

    pub fn merge(&mut self, mut o: Counter) {
        assert!(
            self.counted.is_none() && o.counted.is_none(),
            "a final count merged"
        );
        self.settle();
        o.settle();
        match (&mut self.hll, o.hll.take()) {
            (Some(a), Some(b)) => a.merge(&b),
            (Some(a), None) => o.exact.iter().for_each(|(h, _)| a.insert(h)),
            (None, Some(mut b)) => {
                self.exact.iter().for_each(|(h, _)| b.insert(h));
                self.exact = Shards::new();
                self.hll = Some(b);
            }
            (None, None) => {
                self.exact.merge(o.exact);
                self.settle();
            }
        }
    }

    /// Nothing left for `settle` to do.
    fn is_settled(&self) -> bool {
        self.hll.is_some()
            || self.counted.is_some()
            || (self.exact.fresh.is_empty() && self.exact.len <= self.limit)
    }

    /// This counter, settled: itself, or a settled copy.
    fn settled(&self) -> std::borrow::Cow<'_, Counter> {
        if self.is_settled() {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut c = self.clone();
            c.settle();
            std::borrow::Cow::Owned(c)
        }
    }

    pub fn count(&self) -> u64 {
        let c = self.settled();
        match (&c.hll, c.counted) {
            (Some(s), _) => s.estimate().round() as u64,
            (None, Some(n)) => n,
            (None, None) => c.exact.len as u64,
        }
    }

    pub fn is_exact(&self) -> bool {
        self.settled().hll.is_none()
    }
}

/// Distinct persons per category. While the data set is small (up to the
/// exact limit of distinct persons) one map from person to category bits
/// holds everything: one entry added per record instead of one per
/// category. Past the limit it splits into one `Counter` per category, each
/// exact up to the limit on its own, so a small category stays exact inside
/// a huge data set and every verdict stays exact.
#[derive(Clone)]
enum Persons {
    Exact(Shards<u8>),
    Split {
        cats: Vec<Counter>,
        union: Hll,
    },
    /// An exact set's union with another, counted without being written
    /// (`Tally::last_merge`): how many persons have each combination of
    /// category bits. Final: nothing more can be added or merged.
    Counted {
        combos: Box<Combos>,
        len: u64,
    },
}

/// An exact map from identity to `V`: per shard (the identity's top bits)
/// a sorted list, one entry per identity, and the entries added since it
/// was last sorted in.
///
/// Why not a hash table: a dense data set brings a new person per record,
/// and each insert into a table of half a million persons was a cache miss
/// or two (9-15% of a one-core scan). Appending is a store to a line
/// already in cache; every 65,536 entries the fresh ones are sorted (a
/// counting pass on their top bits and small sorts: the identities are
/// uniform hashes) and merged into their shards' lists, in order, so the
/// memory is read and written front to back. Repeats of an identity seen
/// lately (a log of a few thousand users) are dropped on the way in by a
/// small direct-mapped filter, so they cost no sorting.
///
/// Shards let two workers' sets merge shard by shard on every core: one
/// serial merge of two quarter-million sets left the other core idle.
#[derive(Clone)]
struct Shards<V> {
    /// Per shard: entries sorted by identity, one per identity.
    runs: Vec<Vec<Entry>>,
    /// Entries added since the last `compact`, repeats included.
    fresh: Vec<Entry>,
    /// The last entry added per slot (`RECENT`; empty until the first add).
    recent: Vec<Entry>,
    /// The counting sort's output, kept between compactions.
    spare: Vec<Entry>,
    /// Entries in `runs` plus `fresh`: the distinct count once compacted,
    /// an upper bound before.
    len: usize,
    _v: std::marker::PhantomData<V>,
}

/// An identity and its value in 16 bytes: the identity's low seven bits
/// (cleared by `Persons::add` and `Counter::insert`, see `IDENTITY_BITS`)
/// hold the value (a person's categories, seven of them). A separate value byte padded every
/// entry to 24 bytes: half as much again of memory to fault in and of
/// cache misses per insert, for a dense data set's half a million persons.
type Entry = [u64; 2];

/// The bits of an identity that are kept: all but the low seven, which an
/// entry uses for its value. 121 bits of a keyed hash still make a
/// collision among even billions of persons negligible (below 10^-18).
pub(crate) const IDENTITY_BITS: IdHash = !0x7F;
const VALUE_BITS: u64 = 0x7F;

#[inline]
fn entry(id: IdHash, v: u8) -> Entry {
    debug_assert_eq!(id & !IDENTITY_BITS, 0);
    [id as u64 | u64::from(v), (id >> 64) as u64]
}

#[inline]
fn entry_id(e: &Entry) -> IdHash {
    (e[1] as u128) << 64 | (e[0] & !VALUE_BITS) as u128
}

const SHARD_BITS: u32 = 6;
const SHARDS: usize = 1 << SHARD_BITS;

/// Below this many entries a merge stays on the calling thread: handing
/// shards to the pool would cost more than it saves.
const PARALLEL_MERGE: usize = 1 << 14;

/// A map value packed into an entry's seven spare bits; two values for the
/// same identity combine by or-ing them (category bits; nothing for a set).
trait Packed: Copy + Default + Send {
    fn bits(self) -> u8;
    fn from_bits(b: u8) -> Self;
}
impl Packed for u8 {
    #[inline]
    fn bits(self) -> u8 {
        debug_assert!(u64::from(self) <= VALUE_BITS);
        self
    }
    #[inline]
    fn from_bits(b: u8) -> u8 {
        b
    }
}
impl Packed for () {
    #[inline]
    fn bits(self) -> u8 {
        0
    }
    #[inline]
    fn from_bits(_: u8) {}
}

impl<V: Packed> Shards<V> {
    fn new() -> Shards<V> {
        Shards {
            runs: (0..SHARDS).map(|_| Vec::new()).collect(),
            fresh: Vec::new(),
            recent: Vec::new(),
            spare: Vec::new(),
            len: 0,
            _v: std::marker::PhantomData,
        }
    }

    #[inline]
    fn add(&mut self, id: IdHash, v: V) {
        let e = entry(id, v.bits());
        if self.recent.is_empty() {
            // Slot k starts with an identity that belongs in slot k + 1, so
            // no identity added can match it.
            self.recent = (0..RECENT as u64)
                .map(|k| [0, (k + 1) % RECENT as u64])
                .collect();
        }
        // An identity in its slot already, with no bits it has not brought
        // before, is in `fresh` or the runs: nothing to add.
        let r = &mut self.recent[recent_slot(&e)];
        if r[1] == e[1] && (r[0] ^ e[0]) & !VALUE_BITS == 0 {
            if e[0] & !r[0] == 0 {
                return;
            }
            r[0] |= e[0];
        } else {
            *r = e;
        }
        self.fresh.push(e);
        self.len += 1;
        if self.fresh.len() >= FRESH {
            self.compact();
        }
    }

    /// Whether more than `limit` identities are held, checked exactly (a
    /// compaction) only when the upper bound passes the limit and the last
    /// check is `OVER_CHECK` adds back: a set that stays just under the
    /// limit while its records repeat would otherwise compact per add.
    /// What the limit bounds is memory: `settle` makes the final check.
    fn over(&mut self, limit: usize) -> bool {
        if self.len <= limit || (!self.fresh.is_empty() && self.fresh.len() < OVER_CHECK) {
            return false;
        }
        self.compact();
        self.len > limit
    }

    /// Sorts the fresh entries, one per identity (value bits or-ed), and
    /// merges each shard's part into its run.
    fn compact(&mut self) {
        if self.fresh.is_empty() {
            return;
        }
        let mut f = std::mem::take(&mut self.fresh);
        sort_dedup(&mut f, &mut self.spare);
        let mut i = 0;
        while i < f.len() {
            let s = shard_of(&f[i]);
            let j = i + f[i..].partition_point(|e| shard_of(e) == s);
            merge_run(&mut self.runs[s], &f[i..j]);
            i = j;
        }
        f.clear();
        self.fresh = f;
        self.len = self.runs.iter().map(Vec::len).sum();
    }

    /// Every identity and its value; only once compacted.
    fn iter(&self) -> impl Iterator<Item = (IdHash, V)> + '_ {
        assert!(self.fresh.is_empty(), "a set read before it was compacted");
        self.runs
            .iter()
            .flatten()
            .map(|e| (entry_id(e), V::from_bits((e[0] & VALUE_BITS) as u8)))
    }

    fn merge(&mut self, mut o: Shards<V>) {
        self.compact();
        o.compact();
        // The smaller list into the larger.
        let one = |(a, mut b): (&mut Vec<Entry>, Vec<Entry>)| {
            if a.len() < b.len() {
                std::mem::swap(a, &mut b);
            }
            merge_run(a, &b);
        };
        if self.len.min(o.len) < PARALLEL_MERGE {
            self.runs.iter_mut().zip(o.runs).for_each(one);
        } else {
            use rayon::prelude::*;
            self.runs
                .par_iter_mut()
                .zip(o.runs.into_par_iter())
                .for_each(one);
        }
        self.len = self.runs.iter().map(Vec::len).sum();
    }
}

/// Entries appended between compactions: 1 MiB, sorted while it fits the
/// core's L2 cache.
const FRESH: usize = 1 << 16;
/// Adds between exact checks of the limit (see `Shards::over`).
const OVER_CHECK: usize = 1 << 12;
/// Slots of the filter of recent identities (64 KiB).
const RECENT: usize = 1 << 12;

#[inline]
fn recent_slot(e: &Entry) -> usize {
    (e[1] % RECENT as u64) as usize
}

#[inline]
fn shard_of(e: &Entry) -> usize {
    (e[1] >> (64 - SHARD_BITS)) as usize
}

/// The order of the runs: by identity (the value bits left out).
#[inline]
fn key_of(e: &Entry) -> (u64, u64) {
    (e[1], e[0] & !VALUE_BITS)
}

/// `key_of` as one number, for `merge_run`'s loop, where a compare and a
/// subtract with borrow beat two compares; the sort and its fold keep the
/// pair, which compiled better there (`benches/NOTES.md`).
#[inline(always)]
fn key_bits(e: &Entry) -> u128 {
    (e[1] as u128) << 64 | (e[0] & !VALUE_BITS) as u128
}

/// Sorts `f` by identity and keeps one entry per identity, value bits
/// or-ed; `spare` is scratch. The identities are keyed hashes, uniform in
/// their top bits: one counting pass on those spreads them over buckets of
/// about four entries, each bucket is put in order by insertion, and the
/// repeats, now side by side, are folded.
fn sort_dedup(f: &mut Vec<Entry>, spare: &mut Vec<Entry>) {
    let bits = (usize::BITS - (f.len() / 4).leading_zeros()).clamp(1, 16);
    let bucket = |e: &Entry| (e[1] >> (64 - bits)) as usize;
    let mut ends = vec![0u32; 1 << bits];
    for e in f.iter() {
        ends[bucket(e)] += 1;
    }
    let mut at = 0;
    for n in ends.iter_mut() {
        at += *n;
        *n = at;
    }
    // Filled back to front, each bucket's end moves down to its start.
    // The scatter below writes every slot, so the last compaction's
    // entries need not be cleared first (clearing and refilling with
    // zeros wrote a MiB per compaction).
    spare.resize(f.len(), [0; 2]);
    for e in f.iter().rev() {
        let b = &mut ends[bucket(e)];
        *b -= 1;
        spare[*b as usize] = *e;
    }
    let mut start = 0;
    for k in 0..ends.len() {
        let end = ends.get(k + 1).map_or(spare.len(), |&e| e as usize);
        insertion_sort(&mut spare[start..end]);
        start = end;
    }
    f.clear();
    for e in spare.iter() {
        match f.last_mut() {
            Some(l) if key_of(l) == key_of(e) => l[0] |= e[0] & VALUE_BITS,
            _ => f.push(*e),
        }
    }
}

/// A bucket of a few entries in order (a long one, from many repeats of
/// one identity or few identities, by the library's sort).
fn insertion_sort(b: &mut [Entry]) {
    if b.len() > 16 {
        b.sort_unstable_by_key(key_of);
        return;
    }
    for i in 1..b.len() {
        let e = b[i];
        let mut j = i;
        while j > 0 && key_of(&b[j - 1]) > key_of(&e) {
            b[j] = b[j - 1];
            j -= 1;
        }
        b[j] = e;
    }
}

/// Merges sorted, deduplicated `b` into sorted, deduplicated `a`, value
/// bits of an identity in both or-ed. From the back, in place: `a` grows
/// by `b` and each entry moves once; what repeats leaves a gap, closed at
/// the end. A compaction merges about a thousand entries into each
/// shard's run of up to tens of thousands, so the cost is the run's
/// entries moving up: through raw pointers, comparing whole 128-bit
/// keys, about 15 instructions an entry, where indexing with its bounds
/// checks and a key compared as a pair took 29 (4% of the instructions
/// of a 500,000-person corpus).
fn merge_run(a: &mut Vec<Entry>, b: &[Entry]) {
    if b.is_empty() {
        return;
    }
    let na = a.len();
    let total = na + b.len();
    a.reserve(b.len());
    let base = a.as_mut_ptr();
    // `a[..i]` is still to merge and `a[k..total]` is merged. `k - i` is at
    // least the number of `b`'s entries still to place (it falls by one
    // per entry placed, and not when an entry of `a` moves or two entries
    // fold into one), so each write at `k - 1` is past `a[..i]` and inside
    // the capacity reserved.
    let (mut i, mut k) = (na, total);
    for e in b.iter().rev() {
        let ke = key_bits(e);
        // SAFETY: `i - 1 < i <= na` reads the initialised front; `k - 1`
        // is in `i..total`, within the capacity (see above).
        unsafe {
            while i > 0 {
                let x = *base.add(i - 1);
                if key_bits(&x) <= ke {
                    break;
                }
                i -= 1;
                k -= 1;
                *base.add(k) = x;
            }
            k -= 1;
            if i > 0 && key_bits(&*base.add(i - 1)) == ke {
                let mut m = *base.add(i - 1);
                m[0] |= e[0] & VALUE_BITS;
                *base.add(k) = m;
                i -= 1;
            } else {
                *base.add(k) = *e;
            }
        }
    }
    // SAFETY: `a[..i]` is in place and `a[k..total]` written, `k >= i`;
    // the merged rest moves down over the gap (`ptr::copy` allows the
    // overlap), leaving `i + total - k` initialised entries.
    unsafe {
        if k > i {
            std::ptr::copy(base.add(k), base.add(i), total - k);
        }
        a.set_len(i + total - k);
    }
}

/// How many persons have each combination of category bits.
type Combos = [u64; VALUE_BITS as usize + 1];

/// Each category's count from its persons' combinations.
fn per_category(combos: &Combos) -> [(u64, bool); CATEGORY_COUNT] {
    let mut n = [0u64; CATEGORY_COUNT];
    for (bits, &c) in combos.iter().enumerate() {
        for (i, k) in n.iter_mut().enumerate() {
            *k += c * ((bits >> i) as u64 & 1);
        }
    }
    n.map(|k| (k, true))
}

/// The union of two sorted, deduplicated runs, walked and not written:
/// each identity's values (or-ed where it is in both) counted into
/// `combos`; returns the number of identities. Without branches on the
/// keys: which run is ahead is as likely one as the other.
fn union_walk(a: &[Entry], b: &[Entry], combos: &mut Combos) -> u64 {
    let (mut i, mut j, mut n) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let (x, y) = (&a[i], &b[j]);
        let (kx, ky) = (key_bits(x), key_bits(y));
        let (take_a, take_b) = (kx <= ky, ky <= kx);
        let v = (if take_a { x[0] } else { 0 }) | (if take_b { y[0] } else { 0 });
        combos[(v & VALUE_BITS) as usize] += 1;
        i += usize::from(take_a);
        j += usize::from(take_b);
        n += 1;
    }
    for e in a[i..].iter().chain(&b[j..]) {
        combos[(e[0] & VALUE_BITS) as usize] += 1;
        n += 1;
    }
    n
}

/// Two exact sets' union counted shard by shard (on every core when
/// large), as `union_walk` counts it.
fn union_count<V: Packed>(a: &Shards<V>, b: &Shards<V>) -> (Box<Combos>, u64) {
    assert!(
        a.fresh.is_empty() && b.fresh.is_empty(),
        "a set counted before it was compacted"
    );
    let one = |(x, y): (&Vec<Entry>, &Vec<Entry>)| {
        let mut c = Box::new([0u64; VALUE_BITS as usize + 1]);
        let n = union_walk(x, y, &mut c);
        (c, n)
    };
    let sum = |(mut c, n): (Box<Combos>, u64), (d, m): (Box<Combos>, u64)| {
        for (x, y) in c.iter_mut().zip(d.iter()) {
            *x += y;
        }
        (c, n + m)
    };
    let zero = || (Box::new([0u64; VALUE_BITS as usize + 1]), 0);
    if a.len.min(b.len) < PARALLEL_MERGE {
        a.runs.iter().zip(&b.runs).map(one).fold(zero(), sum)
    } else {
        use rayon::prelude::*;
        a.runs.par_iter().zip(&b.runs).map(one).reduce(zero, sum)
    }
}

impl Persons {
    fn add(&mut self, id: IdHash, cats: CategorySet, limit: usize) {
        let id = id & IDENTITY_BITS;
        match self {
            Persons::Exact(m) => {
                m.add(id, cats.0);
                if m.over(limit) {
                    self.split(limit);
                }
            }
            Persons::Split { cats: cs, union } => {
                for c in cats.iter() {
                    cs[c.index()].insert(id);
                }
                union.insert(id);
            }
            Persons::Counted { .. } => panic!("a person added to a final count"),
        }
    }

    fn split(&mut self, limit: usize) {
        let Persons::Exact(m) = self else { return };
        m.compact();
        let mut cats: Vec<Counter> = (0..CATEGORY_COUNT).map(|_| Counter::new(limit)).collect();
        let mut union = Hll::new();
        for (id, bits) in m.iter() {
            for c in CategorySet(bits).iter() {
                cats[c.index()].insert(id);
            }
            union.insert(id);
        }
        *self = Persons::Split { cats, union };
    }

    fn merge(&mut self, o: Persons, limit: usize) {
        assert!(
            !matches!(self, Persons::Counted { .. }) && !matches!(o, Persons::Counted { .. }),
            "a final count merged"
        );
        match o {
            Persons::Exact(mut om) => {
                om.compact();
                if let Persons::Exact(m) = self {
                    m.merge(om);
                    if m.over(limit) {
                        self.split(limit);
                    }
                } else {
                    for (id, bits) in om.iter() {
                        self.add(id, CategorySet(bits), limit);
                    }
                }
            }
            Persons::Split { cats, union } => {
                self.split(limit);
                if let Persons::Split {
                    cats: mine,
                    union: mu,
                } = self
                {
                    for (a, b) in mine.iter_mut().zip(cats) {
                        a.merge(b);
                    }
                    mu.merge(&union);
                }
            }
            Persons::Counted { .. } => unreachable!(),
        }
    }

    /// Sorts in what was added since, and splits past the limit: what the
    /// counts read.
    fn settle(&mut self, limit: usize) {
        match self {
            Persons::Exact(m) => {
                m.compact();
                if m.len > limit {
                    self.split(limit);
                }
            }
            Persons::Split { cats, .. } => cats.iter_mut().for_each(Counter::settle),
            Persons::Counted { .. } => {}
        }
    }

    /// Nothing left for `settle` to do.
    fn is_settled(&self, limit: usize) -> bool {
        match self {
            Persons::Exact(m) => m.fresh.is_empty() && m.len <= limit,
            Persons::Split { cats, .. } => cats.iter().all(Counter::is_settled),
            Persons::Counted { .. } => true,
        }
    }

    /// Every category's count in one pass over the persons.
    fn counts(&self) -> [(u64, bool); CATEGORY_COUNT] {
        match self {
            Persons::Exact(m) => {
                // One step a person (testing each of its bits was seven),
                // in a pass on one core after the scan.
                let mut combos: Combos = [0; VALUE_BITS as usize + 1];
                for (_, bits) in m.iter() {
                    combos[usize::from(bits) & VALUE_BITS as usize] += 1;
                }
                per_category(&combos)
            }
            Persons::Counted { combos, .. } => per_category(combos),
            Persons::Split { cats, .. } => {
                std::array::from_fn(|i| (cats[i].count(), cats[i].is_exact()))
            }
        }
    }

    fn union(&self) -> (u64, bool) {
        match self {
            Persons::Exact(m) => (m.len as u64, true),
            Persons::Split { union, .. } => (union.estimate().round() as u64, false),
            Persons::Counted { len, .. } => (*len, true),
        }
    }
}

/// Per-thread results, merged at the end. Everything in it is order-free
/// (sums, set unions, sorted lists) so the report does not depend on the
/// thread count or the chunk size.
#[derive(Clone)]
pub struct Tally {
    pub records: u64,
    persons: Persons,
    /// Precise geolocation counts devices (202.205(c)), not persons.
    devices: Counter,
    limit: usize,
    /// Indexed by a hit's detector byte (no bounds check per detection);
    /// entries past the catalog stay zero.
    pub det_matches: Box<[u64; 256]>,
    /// Records per detector, up to the last fold of `found`: read through
    /// `det_records()`.
    det_records: Vec<u64>,
    /// The detectors of the records since the last fold (see `Found`).
    found: Found,
    pub gov_records: u64,
    /// Records that counted as a person of their own (no identifier, or the
    /// person key missing): the counts are then an upper bound.
    pub own_identity_records: u64,
    /// Records left out under `--us-persons infer`.
    pub non_us_records: u64,
    /// Every `add`, in order: what the tests of `finish_record` read.
    #[cfg(test)]
    added: Vec<(IdHash, CategorySet, IdHash)>,
}

impl Tally {
    pub fn new(detectors: usize, limit: usize) -> Tally {
        Tally {
            records: 0,
            persons: Persons::Exact(Shards::new()),
            devices: Counter::new(limit),
            limit,
            det_matches: Box::new([0; 256]),
            det_records: vec![0; detectors],
            found: Found::default(),
            gov_records: 0,
            own_identity_records: 0,
            non_us_records: 0,
            #[cfg(test)]
            added: Vec::new(),
        }
    }

    /// Sorts what the sets were given into them (see `Shards`). The counts
    /// read a settled tally; reading one that is not settles a copy.
    pub fn settle(&mut self) {
        self.persons.settle(self.limit);
        self.devices.settle();
        self.found.fold_into(&mut self.det_records);
    }

    /// Records per detector: what the report reads. Whether or not the
    /// tally is settled.
    pub fn det_records(&self) -> Vec<u64> {
        let mut r = self.det_records.clone();
        self.found.clone().fold_into(&mut r);
        r
    }

    /// Counts a record's detectors (`matched`) toward their record
    /// counts, as a bit-mask kept until `Found` is full.
    #[inline(always)]
    fn count_detectors(&mut self, found: crate::detect::DetMask) {
        if self.found.push(found) {
            self.found.fold_into(&mut self.det_records);
        }
    }

    fn is_settled(&self) -> bool {
        self.persons.is_settled(self.limit) && self.devices.is_settled()
    }

    /// The merge whose result only the report reads: where both tallies'
    /// sets are exact and together within the limit, their union is
    /// counted, not written. Writing it (the runs' growth, page faults,
    /// frees) took 6 ms on two cores after a 165 ms two-core scan of the
    /// people corpus; counting it takes about 3. The result's sets are
    /// final: it reports, and takes no more persons or merges. Otherwise,
    /// as `merge`.
    pub fn last_merge(&mut self, mut o: Tally) {
        self.settle();
        o.settle();
        let both_exact = match (&self.persons, &o.persons) {
            (Persons::Exact(a), Persons::Exact(b)) => a.len + b.len <= self.limit,
            _ => false,
        } && self.devices.hll.is_none()
            && o.devices.hll.is_none()
            && self.devices.exact.len + o.devices.exact.len <= self.devices.limit;
        if !both_exact {
            self.merge(o);
            return;
        }
        let (Persons::Exact(a), Persons::Exact(b)) = (&self.persons, &o.persons) else {
            unreachable!()
        };
        let (combos, len) = union_count(a, b);
        self.persons = Persons::Counted { combos, len };
        let (_, n) = union_count(&self.devices.exact, &o.devices.exact);
        self.devices = Counter {
            exact: Shards::new(),
            hll: None,
            limit: self.devices.limit,
            counted: Some(n),
        };
        self.merge_rest(&o);
    }

    pub fn merge(&mut self, mut o: Tally) {
        self.settle();
        o.settle();
        self.merge_rest(&o);
        self.persons.merge(o.persons, self.limit);
        self.devices.merge(o.devices);
        // A split set takes an exact one's persons one by one.
        self.settle();
    }

    /// Everything but the sets.
    fn merge_rest(&mut self, o: &Tally) {
        self.records += o.records;
        for (a, b) in self.det_matches.iter_mut().zip(o.det_matches.iter()) {
            *a += b;
        }
        for (a, b) in self.det_records.iter_mut().zip(&o.det_records) {
            *a += b;
        }
        self.gov_records += o.gov_records;
        self.own_identity_records += o.own_identity_records;
        self.non_us_records += o.non_us_records;
    }

    /// Counts one person for one category directly (a genomic sample).
    pub fn add_person(&mut self, cat: Category, id: IdHash) {
        let mut s = CategorySet::default();
        s.insert(cat);
        self.add(id, s, id);
    }

    /// Counts a person in `cats`; `device` is who counts for precise
    /// geolocation.
    #[inline]
    pub fn add(&mut self, person: IdHash, cats: CategorySet, device: IdHash) {
        #[cfg(test)]
        self.added.push((person, cats, device));
        self.persons.add(person, cats, self.limit);
        if cats.contains(Category::PreciseGeolocation) {
            self.devices.insert(device);
        }
    }

    /// The distinct count of a category, and whether it is exact.
    pub fn count(&self, c: Category) -> (u64, bool) {
        self.counts()[c.index()]
    }

    /// Every category's distinct count, and whether it is exact, indexed
    /// by `Category::index`: one pass over the persons, not one per
    /// category.
    pub fn counts(&self) -> [(u64, bool); CATEGORY_COUNT] {
        if !self.is_settled() {
            let mut t = self.clone();
            t.settle();
            return t.counts();
        }
        let mut all = self.persons.counts();
        for c in Category::ALL {
            if c.counts_devices() {
                all[c.index()] = (self.devices.count(), self.devices.is_exact());
            }
        }
        all
    }

    /// Distinct persons having any category (`--combined union`).
    pub fn union_count(&self) -> (u64, bool) {
        if !self.is_settled() {
            let mut t = self.clone();
            t.settle();
            return t.union_count();
        }
        self.persons.union()
    }
}

/// `--us-persons` (SPEC 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsPolicy {
    /// Every subject counts: the conservative reading.
    Assume,
    /// Count a subject only where the record carries U.S. evidence and names
    /// no other country.
    Infer,
}

/// Everything `finish_record` needs beyond the record.
pub struct CountConfig {
    pub key: IdentityKey,
    pub person: IdentityMode,
    pub device_key: Option<String>,
    pub us: UsPolicy,
    pub geofence: Option<crate::rules::geofence::Geofence>,
}

/// Turns what one record holds into category memberships and counts its
/// person (device) in each: the covered-personal-identifier linkage rule of
/// SPEC 3 is applied here, per record.
pub fn finish_record(
    eng: &Engine,
    cfg: &CountConfig,
    rec: &mut RecordHits,
    file_id: &[u8],
    offset: u64,
    t: &mut Tally,
) {
    eng.finish_geo(rec);
    t.records += 1;
    if rec.hits.is_empty() {
        return;
    }
    // Per detector found, its record count; and what the detectors found
    // decide by themselves: the categories and U.S. evidence.
    let found = rec.matched;
    let sets = eng.det_sets();
    t.count_detectors(found);
    // A test of the mask per category, with no branch: a walk over the
    // record's detectors (a dozen in a dense row, a different number
    // from row to row) ended in a mispredicted branch.
    let mut cats = CategorySet::default();
    for (k, m) in sets.category_masks.iter().enumerate() {
        cats.0 |= u8::from(found & m != 0) << k;
    }
    let mut us_evidence = rec.us_evidence || found & sets.us != 0;
    let nanp_found = found & sets.nanp_us != 0;
    // Per detection, without a branch on what was found (which detectors
    // a row's cells hold changes from row to row, and the branches on it
    // were the most mispredicted of a dense scan): only what the covered-
    // identifier rule needs, as a few running values, and only until the
    // rule is decided. Distinct detections are not listed: a repeated
    // (detector, value) changes none of them.
    //
    // Listed identifiers are told apart by value digest, so one value two
    // detectors claim (a `called_number` phone: call-detail and contact
    // data) is one identifier. Sensitive values likewise.
    // Values are digested a word at a time, the last word read past their
    // end; the arena is cleared with the record.
    rec.arena.extend_from_slice(&[0; crate::detect::DIGEST_PAD]);
    let (hits, arena) = (&rec.hits, &rec.arena);
    let facts = eng.facts_by_det();
    let (listed, sensitive) = detections(hits, arena, facts, &mut t.det_matches);
    // Two listed identifiers, one not demographic or with a sensitive
    // value; or one, with a sensitive value other than itself. Whether
    // the record holds a listed identifier that is not demographic, or a
    // sensitive value, is a question of its detectors, asked of the mask:
    // the walk over the values need only go on to the second distinct
    // listed identifier (a row's second name, usually), where it went on
    // until it met one of those (a row without an SSN read most of its
    // detections: 7.8% of such a table's instructions).
    let cpi = if listed.other {
        found & (sets.not_demographic | sets.sensitive) != 0
    } else {
        listed.any && (sensitive.other || (sensitive.any && sensitive.first != listed.first))
    };
    if cpi {
        cats.insert(Category::CoveredPersonalIdentifiers);
    }
    if let Some(g) = &cfg.geofence
        && rec.points.iter().any(|p| g.contains(p.lat, p.lon))
    {
        t.gov_records += 1;
    }
    if cats.is_empty() {
        return;
    }
    if cfg.us == UsPolicy::Infer {
        // A NANP phone is U.S. evidence outside the non-U.S. area codes.
        us_evidence = us_evidence
            || (nanp_found
                && rec.hits.iter().any(|h| {
                    crate::detect::bit(h.det as usize) & sets.nanp_us != 0
                        && !non_us_nanp(rec.value(h))
                }));
        if !us_evidence || rec.foreign_evidence {
            t.non_us_records += 1;
            return;
        }
    }
    // A record without the person key (a file whose header lacks it) falls
    // back to its strongest identifier, then to itself. Of identifiers
    // equally strong, the first in record order. The strength of the
    // strongest identifier (SPEC 5: SSN, then government ID, e-mail,
    // phone, MAID/IMEI/MAC, card) and of the strongest device identifier
    // come from what the detectors found, only now that an identity is
    // needed (a record with no category needs none); which hit that is,
    // is looked up then, not tracked through every detection.
    let first_of = |want: u16, device: bool| {
        (want != NO_STRENGTH)
            .then(|| {
                rec.hits.iter().find(|h| {
                    let f = &facts[h.det as usize];
                    strength(f) == want && (!device || f.identity == IdentityKind::Device)
                })
            })
            .flatten()
            .map(|h| {
                let id = eng.detector(h.det as usize).id.as_bytes();
                cfg.key.hash(id, rec.value(h))
            })
    };
    let person = match &cfg.person {
        IdentityMode::Key(_) => rec
            .person_key
            .map(|s| cfg.key.hash(b"key", rec.span(s)))
            .or_else(|| first_of(strongest_of(&sets.strengths, found), false)),
        IdentityMode::Auto => first_of(strongest_of(&sets.strengths, found), false),
    };
    let person = person.unwrap_or_else(|| {
        t.own_identity_records += 1;
        cfg.key.own(file_id, offset)
    });
    let device = if cats.contains(Category::PreciseGeolocation) {
        let dev = match &cfg.device_key {
            Some(_) => rec.device_key.map(|s| cfg.key.hash(b"key", rec.span(s))),
            None => first_of(strongest_of(&sets.device_strengths, found), true),
        };
        dev.unwrap_or(person)
    } else {
        person
    };
    t.add(person, cats, device);
}

/// The detector masks of a tally's last records, counted per detector a
/// batch at a time: adding one to the record count of each detector a
/// record found was a walk over its dozen detectors, ended in a branch
/// mispredicted from row to row; here a record costs two stores, and a
/// fold counts each detector found in the batch over the batch's masks
/// in a loop of fixed length (`benches/NOTES.md`).
#[derive(Clone)]
struct Found {
    lo: Box<[u64; FOUND]>,
    hi: Box<[u64; FOUND]>,
    n: usize,
}

const FOUND: usize = 64;

impl Default for Found {
    fn default() -> Found {
        Found {
            lo: Box::new([0; FOUND]),
            hi: Box::new([0; FOUND]),
            n: 0,
        }
    }
}

impl Found {
    /// Keeps `m`; true when full (fold next).
    #[inline(always)]
    fn push(&mut self, m: crate::detect::DetMask) -> bool {
        self.lo[self.n % FOUND] = m as u64;
        self.hi[self.n % FOUND] = (m >> 64) as u64;
        self.n += 1;
        self.n == FOUND
    }

    /// Adds each detector's records among the kept masks to `records`,
    /// and empties.
    fn fold_into(&mut self, records: &mut [u64]) {
        let (lo, hi) = (&self.lo[..self.n], &self.hi[..self.n]);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is present.
            unsafe { fold_avx2(lo, hi, records) };
            self.n = 0;
            return;
        }
        fold(lo, hi, records);
        self.n = 0;
    }
}

/// `fold` with four masks a step where SSE2 took two (the sums are
/// vectorised).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn fold_avx2(lo: &[u64], hi: &[u64], records: &mut [u64]) {
    fold(lo, hi, records)
}

/// Each detector's records among masks `lo`, `hi` (its bit of either)
/// added to `records`.
#[inline(always)]
fn fold(lo: &[u64], hi: &[u64], records: &mut [u64]) {
    for (half, base) in [(lo, 0), (hi, 64)] {
        let any = half.iter().fold(0, |a, &m| a | m);
        for_each_bit(u128::from(any), |b| {
            let c: u64 = half.iter().map(|&m| (m >> b) & 1).sum();
            records[base + b] += c;
        });
    }
}

/// Calls `f` with the index of every set bit of `mask`, lowest first. The
/// mask's two words are walked one after the other: clearing the lowest
/// bit of a 128-bit word took a borrow across both halves per bit (0.8% of
/// a dense table's instructions, once per detector found in a record).
#[inline]
fn for_each_bit(mask: crate::detect::DetMask, mut f: impl FnMut(usize)) {
    for (half, base) in [(mask as u64, 0), ((mask >> 64) as u64, 64)] {
        let mut m = half;
        while m != 0 {
            f(base + m.trailing_zeros() as usize);
            m &= m - 1;
        }
    }
}

/// What the covered-identifier rule asks of a record's values: its listed
/// identifiers and its sensitive values, by digest; and each detector's
/// matches, counted. The values are read until a second distinct listed
/// identifier is seen, which decides the rule with what the record's
/// detectors are (see `finish_record`); then `sensitive` is partial, and
/// the caller does not read it.
fn detections(
    hits: &[crate::detect::Hit],
    arena: &[u8],
    facts: &[DetFacts; 256],
    matches: &mut [u64; 256],
) -> (Values, Values) {
    let (mut listed, mut sensitive) = (Values::default(), Values::default());
    let mut rest = hits.iter();
    for h in &mut rest {
        matches[h.det as usize] += 1;
        let dg = crate::detect::value_digest_at(arena, h.start as usize, h.len as usize);
        let rule = facts[h.det as usize].rule;
        listed.see(rule & DetFacts::LISTED != 0, dg);
        sensitive.see(rule & DetFacts::SENSITIVE != 0, dg);
        if listed.other {
            break;
        }
    }
    for h in rest {
        matches[h.det as usize] += 1;
    }
    (listed, sensitive)
}

/// The strength of the strongest identifier among `found`, from the
/// detectors of each strength, strongest first.
#[inline]
fn strongest_of(levels: &[(u8, crate::detect::DetMask)], found: crate::detect::DetMask) -> u16 {
    levels
        .iter()
        .find(|l| found & l.1 != 0)
        .map_or(NO_STRENGTH, |l| u16::from(l.0))
}

/// A detector's identity strength (lower is stronger), or `NO_STRENGTH`.
#[inline]
fn strength(f: &crate::detect::DetFacts) -> u16 {
    f.strength.map_or(NO_STRENGTH, u16::from)
}

/// Not an identifier a person can be told by.
const NO_STRENGTH: u16 = u16::MAX;

/// A record's values of one kind (listed identifiers, sensitive values),
/// by digest: whether there is one, the first, and whether another differs
/// from it. All the covered-identifier rule asks of them.
#[derive(Default)]
struct Values {
    any: bool,
    first: u64,
    other: bool,
}

impl Values {
    /// Counts `dg` if `is` (a select, not a branch: see `finish_record`).
    #[inline(always)]
    fn see(&mut self, is: bool, dg: u64) {
        self.other |= is & self.any & (dg != self.first);
        self.first = if is & !self.any { dg } else { self.first };
        self.any |= is;
    }
}

/// NANP area codes outside the United States (Canada and the Caribbean
/// nations that share +1): a phone there is no U.S. evidence. U.S.
/// territories (Puerto Rico 787/939, USVI 340, Guam 671, CNMI 670, American
/// Samoa 684) are U.S.
const NON_US: &[&[u8; 3]] = &[
    // Canada
    b"204", b"226", b"236", b"249", b"250", b"257", b"263", b"289", b"306", b"343", b"354", b"365",
    b"367", b"368", b"382", b"387", b"403", b"416", b"418", b"428", b"431", b"437", b"438", b"450",
    b"460", b"468", b"474", b"506", b"514", b"519", b"548", b"579", b"581", b"584", b"587", b"604",
    b"613", b"639", b"647", b"672", b"683", b"705", b"709", b"742", b"753", b"778", b"780", b"782",
    b"807", b"819", b"825", b"867", b"873", b"879", b"902", b"905",
    b"942", // Caribbean and Bermuda
    b"242", b"246", b"264", b"268", b"284", b"345", b"441", b"473", b"649", b"658", b"664", b"721",
    b"758", b"767", b"784", b"809", b"829", b"849", b"868", b"869", b"876",
];

fn non_us_nanp(ten_digits: &[u8]) -> bool {
    // Every phone in every record asks: a bit per area code, built once.
    static TABLE: [u64; 16] = {
        let mut t = [0u64; 16];
        let mut i = 0;
        while i < NON_US.len() {
            let n = area_index(NON_US[i]);
            t[n / 64] |= 1 << (n % 64);
            i += 1;
        }
        t
    };
    if ten_digits.len() != 10 || !ten_digits[..3].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = area_index(&ten_digits[..3]);
    TABLE[n / 64] & (1 << (n % 64)) != 0
}

/// Three ASCII digits as 0..=999.
const fn area_index(a: &[u8]) -> usize {
    (a[0] - b'0') as usize * 100 + (a[1] - b'0') as usize * 10 + (a[2] - b'0') as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::category::IdClass;
    use proptest::prelude::*;

    proptest! {
        /// Records per detector, counted from kept masks a fold at a time,
        /// are each detector's records counted one by one: read before a
        /// fold, after one, and settled; over merges too.
        #[test]
        fn detector_records_fold_to_their_counts(
            masks in proptest::collection::vec(
                prop_oneof![Just(0u128), any::<u128>(), (0u32..128).prop_map(|b| 1u128 << b)],
                0..300,
            ),
            split in any::<proptest::sample::Index>(),
        ) {
            let want: Vec<u64> = (0..128)
                .map(|d| masks.iter().filter(|&&m| m >> d & 1 == 1).count() as u64)
                .collect();
            let mut t = Tally::new(128, 100);
            for &m in &masks {
                t.count_detectors(m);
            }
            prop_assert_eq!(t.det_records(), want.clone());
            t.settle();
            prop_assert_eq!(&t.det_records, &want);
            prop_assert_eq!(t.det_records(), want.clone());
            let at = split.index(masks.len() + 1);
            let (mut a, mut b) = (Tally::new(128, 100), Tally::new(128, 100));
            masks[..at].iter().for_each(|&m| a.count_detectors(m));
            masks[at..].iter().for_each(|&m| b.count_detectors(m));
            a.merge(b);
            prop_assert_eq!(a.det_records(), want);
        }
    }

    fn ids(n: u64, salt: u64) -> impl Iterator<Item = IdHash> {
        let k = IdentityKey::default();
        (0..n).map(move |i| k.hash(&salt.to_le_bytes(), &i.to_le_bytes()))
    }

    /// `finish_record`, against the rule as SPEC 3 and 5 state it, written
    /// plainly: categories, the covered-identifier linkage, the person (the
    /// strongest identifier, first in record order on a tie) and the device,
    /// and the per-detector counts. Records are random detections of every
    /// detector with values from a small pool (repeats, case variants), so
    /// that every branch of the rule and every early exit is taken.
    mod rule_reference {
        use super::*;

        const VALUES: &[&str] = &[
            "536221234",
            "2125550123",
            "4165550123",
            "ABC123",
            "abc123",
            "4111111111111111",
            "david.jackson0@mail.example.org",
            "1977-04-26",
        ];

        fn fold(v: &[u8]) -> Vec<u8> {
            v.iter().map(|b| b & 0xDF).collect()
        }

        type Outcome = (
            CategorySet,
            Option<(usize, Vec<u8>)>,
            Option<(usize, Vec<u8>)>,
            bool,
        );

        /// (categories, person's identifier, device's identifier, whether
        /// the record holds U.S. evidence).
        fn reference(eng: &Engine, hits: &[(usize, Vec<u8>)]) -> Outcome {
            let mut cats = CategorySet::default();
            for &(d, _) in hits {
                if let Some(c) = eng.facts(d).sensitive {
                    cats.insert(c);
                }
            }
            let distinct = |keep: &dyn Fn(usize) -> bool| {
                let mut vs: Vec<Vec<u8>> = hits
                    .iter()
                    .filter(|(d, _)| keep(*d))
                    .map(|(_, v)| fold(v))
                    .collect();
                vs.sort();
                vs.dedup();
                vs
            };
            let listed = distinct(&|d| eng.facts(d).class.is_some());
            let sensitive = distinct(&|d| eng.facts(d).sensitive.is_some());
            let not_demographic = hits.iter().any(|&(d, _)| {
                eng.facts(d)
                    .class
                    .is_some_and(|c| c != IdClass::Demographic)
            });
            let cpi = match listed.len() {
                0 => false,
                1 => sensitive.iter().any(|v| *v != listed[0]),
                _ => not_demographic || !sensitive.is_empty(),
            };
            if cpi {
                cats.insert(Category::CoveredPersonalIdentifiers);
            }
            let strongest = |device: bool| {
                hits.iter()
                    .filter(|(d, _)| !device || eng.facts(*d).identity == IdentityKind::Device)
                    .filter_map(|(d, v)| eng.facts(*d).strength.map(|s| (s, *d, v)))
                    .min_by_key(|&(s, _, _)| s)
                    .map(|(_, d, v)| (d, v.clone()))
            };
            let us = hits.iter().any(|(d, v)| {
                let f = eng.facts(*d);
                f.us_evidence && !(f.nanp && non_us_nanp(v))
            });
            (cats, strongest(false), strongest(true), us)
        }

        proptest! {
            /// With `tied`, a person identifier (the e-mail) ranks with the
            /// device identifiers: the device is still the strongest
            /// *device* identifier (no built-in detector ranks so).
            /// With `listed_only`, the record holds listed identifiers
            /// alone, so that records of demographic ones only (names,
            /// e-mails, phones) come up often.
            #[test]
            fn finish_record_follows_the_rule(
                picks in proptest::collection::vec((0usize..256, 0..VALUES.len()), 0..14),
                tied in any::<bool>(),
                infer in any::<bool>(),
                listed_only in any::<bool>(),
            ) {
                let mut catalog = crate::detect::Catalog::builtin().unwrap();
                if tied {
                    let email = catalog
                        .detectors
                        .iter_mut()
                        .find(|d| d.id == "email_address")
                        .unwrap();
                    email.strength = Some(5);
                }
                let eng = Engine::new(catalog);
                let key = IdentityKey::default();
                let dets: Vec<usize> = (0..eng.len())
                    .filter(|&d| !listed_only || eng.facts(d).class.is_some())
                    .collect();
                let hits: Vec<(usize, Vec<u8>)> = picks
                    .iter()
                    .map(|&(d, v)| (dets[d % dets.len()], VALUES[v].as_bytes().to_vec()))
                    .collect();
                let mut rec = RecordHits::default();
                for (d, v) in &hits {
                    rec.push(*d, v);
                }
                let cfg = CountConfig {
                    key,
                    person: IdentityMode::Auto,
                    device_key: None,
                    us: if infer { UsPolicy::Infer } else { UsPolicy::Assume },
                    geofence: None,
                };
                let mut t = Tally::new(eng.len(), 1000);
                finish_record(&eng, &cfg, &mut rec, b"f", 7, &mut t);

                let (cats, person, device, us) = reference(&eng, &hits);
                let left_out = infer && !cats.is_empty() && !us;
                prop_assert_eq!(t.non_us_records, u64::from(left_out));
                let id = |x: &Option<(usize, Vec<u8>)>| {
                    x.as_ref()
                        .map(|(d, v)| key.hash(eng.detector(*d).id.as_bytes(), v))
                };
                if cats.is_empty() || left_out {
                    prop_assert!(t.added.is_empty());
                } else {
                    let person = id(&person).unwrap_or_else(|| key.own(b"f", 7));
                    let device = if cats.contains(Category::PreciseGeolocation) {
                        id(&device).unwrap_or(person)
                    } else {
                        person
                    };
                    prop_assert_eq!(&t.added, &vec![(person, cats, device)]);
                }
                for d in 0..eng.len() {
                    let n = hits.iter().filter(|h| h.0 == d).count() as u64;
                    prop_assert_eq!(t.det_matches[d], n, "matches of {}", d);
                    prop_assert_eq!(t.det_records()[d], u64::from(n > 0), "records of {}", d);
                }
            }
        }
    }

    #[test]
    fn area_code_table_agrees_with_the_list() {
        for n in 0..1000 {
            let phone = format!("{n:03}5550123");
            let listed = NON_US.iter().any(|a| &phone.as_bytes()[..3] == *a);
            assert_eq!(non_us_nanp(phone.as_bytes()), listed, "{phone}");
        }
    }

    proptest::proptest! {
        /// Every set bit, in order, in either word of the mask.
        #[test]
        fn for_each_bit_visits_the_set_bits(mask in proptest::num::u128::ANY) {
            let mut got = Vec::new();
            for_each_bit(mask, |i| got.push(i));
            let want: Vec<usize> = (0..128).filter(|&i| mask >> i & 1 == 1).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn canadian_phones_are_not_us_evidence() {
        assert!(non_us_nanp(b"4165550123"));
        assert!(non_us_nanp(b"8765550123"));
        assert!(!non_us_nanp(b"2125550123"));
        assert!(!non_us_nanp(b"7875550123"));
    }

    #[test]
    fn exact_below_limit() {
        let mut c = Counter::new(1000);
        for h in ids(500, 0).chain(ids(500, 0)) {
            c.insert(h);
        }
        assert!(c.is_exact());
        assert_eq!(c.count(), 500);
    }

    #[test]
    fn sketch_above_limit_is_close() {
        let mut c = Counter::new(1000);
        for h in ids(200_000, 1) {
            c.insert(h);
        }
        assert!(!c.is_exact());
        let err = (c.count() as f64 - 200_000.0).abs() / 200_000.0;
        assert!(err < 4.0 * Hll::relative_error(), "err {err}");
    }

    /// Sharded maps merge to the union of their entries, with bits or-ed,
    /// on the calling thread and on the pool (past `PARALLEL_MERGE`).
    #[test]
    fn shards_merge_to_the_union() {
        for (na, nb, shared) in [
            (0u64, 0u64, 0u64),
            (5, 0, 0),
            (300, 200, 100),
            (40_000, 30_000, 20_000),
        ] {
            let (mut a, mut b) = (Shards::<u8>::new(), Shards::<u8>::new());
            let mut want: std::collections::HashMap<IdHash, u8> = Default::default();
            // (Shards take identities with their value bits cleared, as
            // `Persons` and `Counter` pass them.)
            for (i, h) in ids(na, 1).enumerate() {
                let h = h & IDENTITY_BITS;
                let bits = 1 << (i % 7);
                a.add(h, bits);
                *want.entry(h).or_default() |= bits;
            }
            // `b` holds `shared` of `a`'s identities (other bits) and its own.
            for (i, h) in ids(shared, 1).chain(ids(nb - shared, 2)).enumerate() {
                let h = h & IDENTITY_BITS;
                let bits = 1 << ((i + 3) % 7);
                b.add(h, bits);
                b.add(h, bits);
                *want.entry(h).or_default() |= bits;
            }
            assert_eq!(b.len as u64, nb);
            a.merge(b);
            assert_eq!(a.len, want.len(), "{na} {nb}");
            let got: std::collections::HashMap<IdHash, u8> = a.iter().collect();
            assert_eq!(got, want, "{na} {nb}");
        }
    }

    #[test]
    fn entries_keep_every_kept_bit_of_an_identity_and_the_value() {
        for id in [
            0u128,
            1,
            u128::MAX,
            1 << 64,
            (1 << 64) - 1,
            0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
        ] {
            let id = id & IDENTITY_BITS;
            for v in [0u8, 1, 0x55, 0x7F] {
                let e = entry(id, v);
                assert_eq!((entry_id(&e), (e[0] & VALUE_BITS) as u8), (id, v));
            }
        }
        assert_eq!(std::mem::size_of::<Entry>(), 16);
        assert!(CATEGORY_COUNT <= VALUE_BITS.count_ones() as usize);
    }

    /// A tally counts what a plain map of identity to categories counts,
    /// across compactions (`FRESH`), with repeats near and far apart (past
    /// the filter of recent identities), read settled or not, whole or
    /// split in two and merged.
    #[test]
    fn sets_count_as_a_plain_map() {
        let cats_of = |i: usize| {
            let mut s = CategorySet::default();
            s.insert(Category::CoveredPersonalIdentifiers);
            if i.is_multiple_of(3) {
                s.insert(Category::PreciseGeolocation);
            }
            if i.is_multiple_of(5) {
                s.insert(Category::PersonalFinancial);
            }
            s
        };
        for n in [0usize, 1, 4095, FRESH - 1, FRESH, FRESH + 1, 2 * FRESH + 7] {
            let limit = 1 << 20;
            let distinct: Vec<IdHash> = ids((n / 2) as u64 + 1, 9).collect();
            let (mut whole, mut one, mut two) = (
                Tally::new(1, limit),
                Tally::new(1, limit),
                Tally::new(1, limit),
            );
            let mut want: std::collections::HashMap<IdHash, u8> = Default::default();
            let mut devices = std::collections::HashSet::new();
            for i in 0..n {
                // New identities, each repeated right after (with other
                // categories), and repeats from 5,000 adds back.
                let back = if i % 4 == 3 { 5000 } else { 0 };
                let h = distinct[(i / 2).saturating_sub(back)] & IDENTITY_BITS;
                let s = cats_of(i);
                whole.add(h, s, !h & IDENTITY_BITS);
                if i % 2 == 0 { &mut one } else { &mut two }.add(h, s, !h & IDENTITY_BITS);
                *want.entry(h).or_default() |= s.0;
                if s.contains(Category::PreciseGeolocation) {
                    devices.insert(!h & IDENTITY_BITS);
                }
            }
            let unsettled = (whole.counts(), whole.union_count());
            whole.settle();
            let mut last = one.clone();
            last.last_merge(two.clone());
            assert!(matches!(last.persons, Persons::Counted { .. }), "{n}");
            one.merge(two);
            for t in [&whole, &one, &last] {
                assert_eq!((t.counts(), t.union_count()), unsettled, "{n}");
                for c in [
                    Category::CoveredPersonalIdentifiers,
                    Category::PersonalFinancial,
                ] {
                    let k = want
                        .values()
                        .filter(|&&b| CategorySet(b).contains(c))
                        .count();
                    assert_eq!(t.count(c), (k as u64, true), "{n} {c:?}");
                }
                assert_eq!(
                    t.count(Category::PreciseGeolocation),
                    (devices.len() as u64, true)
                );
                assert_eq!(t.union_count(), (want.len() as u64, true), "{n}");
            }
        }
    }

    proptest! {
        /// Sorting fresh entries and merging them into a run leave what a
        /// sorted map of identity to or-ed bits holds.
        #[test]
        fn sort_and_merge_are_a_sorted_map(
            run in proptest::collection::vec((0u64..40, any::<u64>(), 0u8..=0x7F), 0..200),
            fresh in proptest::collection::vec((0u64..40, any::<u64>(), 0u8..=0x7F), 0..200),
        ) {
            // Few distinct high words, so identities repeat and collide.
            let to_entry = |&(hi, lo, v): &(u64, u64, u8)| {
                let hi = hi.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                entry(((hi as u128) << 64 | (lo % 64) as u128) << 7 & IDENTITY_BITS, v)
            };
            let mut want: std::collections::BTreeMap<(u64, u64), u64> = Default::default();
            for e in run.iter().chain(&fresh).map(to_entry) {
                *want.entry(key_of(&e)).or_default() |= e[0] & VALUE_BITS;
            }
            let (mut a, mut b, mut spare): (Vec<Entry>, Vec<Entry>, Vec<Entry>) =
                (run.iter().map(to_entry).collect(), fresh.iter().map(to_entry).collect(), vec![]);
            sort_dedup(&mut a, &mut spare);
            sort_dedup(&mut b, &mut spare);
            merge_run(&mut a, &b);
            let got: Vec<((u64, u64), u64)> = a.iter().map(|e| (key_of(e), e[0] & VALUE_BITS)).collect();
            prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>());
        }
    }

    /// Past the exact limit of distinct persons, a small category must stay
    /// exact: 150 genomic persons among 5,000 persons with a limit of 1,000.
    #[test]
    fn small_categories_stay_exact_in_large_sets() {
        let mut parts: Vec<Tally> = (0..3).map(|_| Tally::new(1, 1000)).collect();
        for (i, h) in ids(5000, 3).enumerate() {
            let mut s = CategorySet::default();
            s.insert(Category::CoveredPersonalIdentifiers);
            if i < 150 {
                s.insert(Category::HumanGenomic);
            }
            parts[i % 3].add(h, s, h);
        }
        let mut t = Tally::new(1, 1000);
        for p in parts {
            t.merge(p);
        }
        assert_eq!(t.count(Category::HumanGenomic), (150, true));
        let (cpi, exact) = t.count(Category::CoveredPersonalIdentifiers);
        assert!(!exact);
        assert!((cpi as f64 - 5000.0).abs() < 5000.0 * 4.0 * Hll::relative_error());
        let (u, _) = t.union_count();
        assert!((u as f64 - 5000.0).abs() < 5000.0 * 4.0 * Hll::relative_error());
    }

    /// The last merge counts what a merge counts: counted where both sets
    /// are exact and together within the limit, merged past it (one set
    /// past the limit on its own, or two that are only together), with the
    /// devices past it alone; and adds up everything else.
    #[test]
    fn last_merge_counts_as_a_merge() {
        let cats = |i: u64| {
            let mut s = CategorySet::default();
            s.insert(Category::ALL[(i % 7) as usize]);
            s.insert(Category::ALL[(i % 3) as usize]);
            s
        };
        // (persons in a, in b, of them in a too, devices per person, limit,
        // counted rather than merged)
        for (na, nb, shared, devs, limit, counted) in [
            (0u64, 0u64, 0u64, 1u64, 100usize, true),
            (10, 0, 0, 1, 100, true),
            (0, 10, 0, 1, 100, true),
            (60, 40, 40, 1, 100, true),
            (60, 50, 20, 1, 100, false),
            (150, 10, 5, 1, 100, false),
            (30, 30, 30, 4, 100, false),
            (40, 40, 0, 2, 100, false),
            (20_000, 30_000, 10_000, 1, 1 << 20, true),
            (20_000, 30_000, 10_000, 1, 30_000, false),
        ] {
            let (mut a, mut b) = (Tally::new(3, limit), Tally::new(3, limit));
            for (i, h) in ids(na, 1).enumerate() {
                let h = h & IDENTITY_BITS;
                for d in 0..devs {
                    let mut s = cats(i as u64);
                    if devs > 1 {
                        s.insert(Category::PreciseGeolocation);
                    }
                    a.add(h, s, (h ^ (u128::from(d) << 100)) & IDENTITY_BITS);
                }
                a.records += 1;
                a.det_matches[1] += 2;
            }
            for (i, h) in ids(shared, 1).chain(ids(nb - shared, 2)).enumerate() {
                let h = h & IDENTITY_BITS;
                for d in 0..devs {
                    let mut s = cats(i as u64 + 5);
                    if devs > 1 {
                        s.insert(Category::PreciseGeolocation);
                    }
                    b.add(h, s, (!h ^ (u128::from(d) << 100)) & IDENTITY_BITS);
                }
                b.records += 1;
                b.count_detectors(crate::detect::bit(2));
            }
            let mut want = a.clone();
            want.merge(b.clone());
            a.last_merge(b);
            let case = (na, nb, shared, devs, limit);
            assert_eq!(
                matches!(a.persons, Persons::Counted { .. }),
                counted,
                "{case:?}"
            );
            assert_eq!(a.counts(), want.counts(), "{case:?}");
            assert_eq!(a.union_count(), want.union_count(), "{case:?}");
            assert_eq!(a.records, na + nb, "{case:?}");
            assert_eq!(a.det_matches[1], 2 * na, "{case:?}");
            assert_eq!(a.det_records()[2], nb, "{case:?}");
        }
    }

    #[test]
    #[should_panic(expected = "final count")]
    fn a_counted_tally_takes_no_more_persons() {
        let (mut a, b) = (Tally::new(1, 100), Tally::new(1, 100));
        a.last_merge(b);
        a.add(1 << 64, CategorySet::default(), 1 << 64);
    }

    #[test]
    fn merge_is_order_free() {
        let parts: Vec<Vec<IdHash>> = (0..4).map(|s| ids(700, s % 2).collect()).collect();
        let build = |order: &[usize]| {
            let mut acc = Counter::new(2000);
            for &i in order {
                let mut c = Counter::new(2000);
                parts[i].iter().for_each(|&h| c.insert(h));
                acc.merge(c);
            }
            acc
        };
        let a = build(&[0, 1, 2, 3]);
        let b = build(&[3, 2, 1, 0]);
        assert!(a.is_exact() && b.is_exact());
        assert_eq!(a.count(), 1400);
        assert_eq!(b.count(), 1400);
        let mut big = Counter::new(2000);
        for h in ids(5000, 9) {
            big.insert(h);
        }
        let mut x = a.clone();
        x.merge(big.clone());
        let mut y = big;
        y.merge(b);
        assert_eq!(x.count(), y.count());
    }
}
