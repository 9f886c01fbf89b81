//! The candidate pass: one walk over a value that groups bytes into tokens by
//! shape and hands each token to the validators its shape allows.

use super::validate as val;
use super::{ColumnCtx, Coord, DetMask, Engine, Matcher, RecordHits, ValueShape, bit};
use std::cell::RefCell;

/// ASCII letter or digit, from the byte-class table (one load and test;
/// the range checks cost more in the lexer's loops).
#[inline]
fn is_alnum(b: u8) -> bool {
    BYTE_CLASS[b as usize] & (C_DIGIT | C_ALPHA) != 0
}

#[inline]
fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

thread_local! {
    static KEYWORDS: RefCell<Vec<(usize, usize, DetMask)>> = const { RefCell::new(Vec::new()) };
}

/// Per-value state: the value, its column, and keyword hits computed only
/// when some candidate needs context the column name does not give.
struct Cx<'a> {
    eng: &'a Engine,
    col: &'a ColumnCtx,
    v: &'a [u8],
    kw_ready: bool,
    /// Every detector some keyword of the value supports: most tokens ask
    /// for a detector no keyword of theirs names, and need no window test.
    kw_any: DetMask,
    /// The value has ASCII letters (so it may hold a keyword).
    letters: bool,
    /// The value has a `:` (without one it holds no IPv6 address).
    colon: bool,
    /// Early exits on: off only in the tests that compare with the full walk.
    gate: bool,
    /// `short_ids`: 0 not asked yet, 1 no, 2 yes.
    short_ids: u8,
}

impl<'a> Cx<'a> {
    /// Whether a keyword can stand beside `s..e` at all. A candidate that
    /// is the whole value leaves no room for one (most structured values),
    /// and keywords are words: a value without letters holds none. Loops
    /// over keyword-gated detectors ask this once, not per detector.
    fn kw_possible(&self, s: usize, e: usize) -> bool {
        !(s == 0 && e >= self.v.len()) && self.letters
    }

    /// Whether a keyword for `det` stands in the windows around `s..e`.
    fn kw_near(&mut self, det: usize, s: usize, e: usize) -> bool {
        if !self.kw_possible(s, e) {
            return false;
        }
        self.find_keywords();
        if self.kw_any & bit(det) == 0 {
            return false;
        }
        KEYWORDS.with(|k| {
            k.borrow().iter().any(|&(ks, ke, m)| {
                m & bit(det) != 0
                    && ((ke <= s && s - ke <= super::WINDOW_BEFORE)
                        || (ks >= e && ks - e <= super::WINDOW_AFTER))
            })
        })
    }

    /// The value's keyword hits, found once, and the union of the
    /// detectors they name.
    #[inline]
    fn find_keywords(&mut self) {
        if !self.kw_ready {
            self.load_keywords();
        }
    }

    #[inline(never)]
    fn load_keywords(&mut self) {
        self.kw_any = KEYWORDS.with(|k| {
            let mut k = k.borrow_mut();
            self.eng.keyword_hits(self.v, &mut k);
            k.iter().fold(0, |acc, &(_, _, m)| acc | m)
        });
        self.kw_ready = true;
    }

    /// The detectors of matcher `m` a keyword window could still admit in
    /// this value: not named by the column (a name is context per field,
    /// a veto is final) and named by some keyword of the value. The loops
    /// over keyword-gated detectors walk these bits, lowest first (the
    /// catalog's order, as `Engine::dets`), and skip the rest without
    /// asking: a text line asks per token, and the per-detector tests were
    /// a tenth of a log line's scan.
    fn kw_candidates(&mut self, m: Matcher) -> DetMask {
        let c = self.eng.mask(m) & !(self.col.pos | self.col.veto);
        if c == 0 {
            return 0;
        }
        self.find_keywords();
        c & self.kw_any
    }

    /// Whether a word of the value may still be a keyword id (`try_word`'s
    /// last test): the column has no field of its own, some detector takes
    /// token ids, and the value's keywords, if read, name one. Most words
    /// of a log line are turned away here.
    fn token_ids_possible(&self) -> bool {
        let token_dets = self.eng.mask(Matcher::Token);
        self.col.fields.is_empty()
            && token_dets != 0
            && !(self.kw_ready && self.kw_any & token_dets == 0)
    }

    /// Whether a short number of the value may be a keyword's id: asked
    /// as `interpret` asks it (true lets the number be walked), once.
    fn short_ids(&mut self) -> bool {
        if self.short_ids == 0 {
            let may = self.letters
                && self.col.fields.is_empty()
                && self.kw_candidates(Matcher::Digits) | self.kw_candidates(Matcher::Token) != 0;
            self.short_ids = 1 + u8::from(may);
        }
        self.short_ids == 2
    }

    fn has_ctx(&mut self, det: usize, s: usize, e: usize) -> bool {
        self.col.pos & bit(det) != 0 || self.kw_near(det, s, e)
    }

    /// The first detector of matcher `m` that accepts a candidate at
    /// `s..e`: not vetoed by the column, and with context if it (or this
    /// particular form, `force_ctx`) needs it.
    fn pick(&mut self, m: Matcher, s: usize, e: usize, force_ctx: bool) -> Option<usize> {
        let eng = self.eng;
        for &d in eng.dets(m) {
            let d = d as usize;
            if self.col.veto & bit(d) != 0 {
                continue;
            }
            if (force_ctx || eng.needs_context(d)) && !self.has_ctx(d, s, e) {
                continue;
            }
            return Some(d);
        }
        None
    }
}

/// `Cx::pick` for a candidate no keyword can stand beside (the whole of a
/// value): context is the column's alone, so the answer
/// is a sum of masks, the first detector in catalog order (`Engine::dets`
/// lists a matcher's lowest bit first) that the column does not veto and
/// that needs no context or has the column's. The tests hold it to `pick`.
#[inline(always)]
fn pick_by_column(eng: &Engine, col: &ColumnCtx, m: Matcher, force_ctx: bool) -> Option<usize> {
    let need = if force_ctx { !0 } else { eng.needs_context };
    let ok = eng.mask(m) & !col.veto & (!need | col.pos);
    (ok != 0).then(|| ok.trailing_zeros() as usize)
}

const C_DIGIT: u8 = 1;
const C_AT: u8 = 2;
const C_COLON: u8 = 4;
const C_ALPHA: u8 = 8;
const C_DEGREE: u8 = 16;
const C_APOS: u8 = 32;
const C_QUOTE: u8 = 64;
const C_DOT: u8 = 128;

/// A byte in every lane of a word: for the word-wise tests.
const LANES: u64 = 0x0101_0101_0101_0101;

/// Byte classes for the one pass over a value that decides which candidate
/// passes can find anything: one table load and OR per byte.
static BYTE_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_digit() {
            C_DIGIT
        } else if b.is_ascii_alphabetic() {
            C_ALPHA
        } else {
            match b {
                b'@' => C_AT,
                b':' => C_COLON,
                0xB0 => C_DEGREE,
                b'\'' => C_APOS,
                b'"' => C_QUOTE,
                b'.' => C_DOT,
                _ => 0,
            }
        };
        i += 1;
    }
    t
};

/// A run of digits with single separators, as lexed: `(555) 123-4567`,
/// `4111 1111 1111 1111`, `536-22-1234`, `-74.0060`, `192.168.0.1`.
struct Group {
    nd: usize,
    /// Per run: digit count, first digit index, byte start, byte end.
    runs: [(u8, u8, u32, u32); 16],
    /// seps[k] is the separator before run k (k >= 1).
    seps: [u8; 16],
    nr: usize,
    plus: bool,
    paren: bool,
    neg: bool,
    start: usize,
    overflow: bool,
    /// A phone extension is glued on (`5309x123`): the number is a phone.
    ext: bool,
}

const MAX_RUNS: usize = 16;

impl Group {
    fn empty() -> Group {
        Group {
            nd: 0,
            runs: [(0, 0, 0, 0); MAX_RUNS],
            seps: [0; MAX_RUNS],
            nr: 0,
            plus: false,
            paren: false,
            neg: false,
            start: 0,
            overflow: false,
            ext: false,
        }
    }

    /// Byte span of runs `a..=b`, with a sign or parenthesis that starts
    /// the group.
    fn span(&self, a: usize, b: usize) -> (usize, usize) {
        let s = if a == 0 {
            self.start
        } else {
            self.runs[a].2 as usize
        };
        (s, self.runs[b].3 as usize)
    }
}

/// A value's lexer scratch, kept across values so none allocates (or
/// initialises: zeroing a group per digit token was a percent of a dense
/// scan) once warm.
pub(crate) struct Scratch {
    emails: Vec<(usize, usize)>,
    decimals: Vec<(Coord, usize, usize)>,
    group: Group,
    layouts: [Layout; LAYOUT_SLOTS],
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

impl Scratch {
    // Out of line and cold: built on the stack before it is boxed, its
    // 20 KiB of layouts made every caller's frame that large, and a frame
    // past a page is probed page by page on every call (five stores per
    // scanned value).
    #[cold]
    #[inline(never)]
    fn new() -> Box<Scratch> {
        Box::new(Scratch {
            emails: Vec::new(),
            decimals: Vec::new(),
            group: Group::empty(),
            layouts: [Layout::EMPTY; LAYOUT_SLOTS],
        })
    }
}

/// What `whole_number` needs of `lex_group`'s reading of a whole value,
/// cached by the value's template: the value with every ASCII digit read as
/// `0`. `lex_group` asks of a digit only that it is one (`is_digit`), and
/// of every other byte what it is, so two values with one template lex
/// alike, and only their digits differ. A dense column prints its values
/// in a handful of layouts (`###-##-####`, `(###) ###-####`, a bare
/// fifteen digits, the dotted quads): lexing each value again was 3.5% of
/// a dense table's instructions.
#[derive(Clone, Copy)]
struct Layout {
    /// The template, as `template_key` packs it; `n` 0 marks an empty slot.
    key: [u64; 3],
    n: u8,
    /// `whole_number` decides this layout: false sends every value of it
    /// to the walk.
    ok: bool,
    /// The walk finds nothing in a value of this layout, whatever its
    /// digits (see `Layout::of`).
    empty: bool,
    nd: u8,
    nr: u8,
    plus: bool,
    paren: bool,
    /// Per run (at most twelve fit 24 bytes): its digits, the index of its
    /// first digit among the value's digits, and its first byte.
    lens: [u8; LAYOUT_RUNS],
    d0: [u8; LAYOUT_RUNS],
    rs: [u8; LAYOUT_RUNS],
    /// `seps[k]`: the separator before run `k` (k >= 1), as `Group::seps`.
    seps: [u8; LAYOUT_RUNS],
    /// What `decide` does with a value of this layout (`Branch::of`).
    branch: Branch,
}

/// The branch of `interpret` that `decide` takes for a value of a layout:
/// which identifier its digits may be, and under which context. All of it
/// follows from the layout (the digit count, the runs' lengths, the
/// separators, a sign or parenthesis) but an eleven-digit phone's leading
/// 1, which is the value's; worked out once when the layout is cached,
/// where `decide` went through the tests in order for every value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Branch {
    /// No identifier: the value is walked.
    Nothing,
    /// A formatted SSN or ITIN (`###-##-####`); `force`: spaced, so it
    /// needs context.
    SsnItin { force: bool },
    /// A card of 12-18 digits, or first an IMEI (a bare fifteen).
    Card { imei: bool },
    /// Ten digits of a NANP phone; `force` when unformatted.
    Phone { force: bool },
    /// Eleven digits, a NANP phone after a leading 1.
    Phone11 { force: bool },
    /// A bare nine: ITIN, SSN or routing number, each under context.
    BareNine,
    /// A dotted quad.
    Ipv4,
}

impl Branch {
    /// The branch for `lay`, in `interpret`'s order (the tests hold the
    /// two to the same answers).
    fn of(lay: &Layout) -> Branch {
        let (nd, nr) = (lay.nd as usize, lay.nr as usize);
        let lens = |l: &[u8]| nr == l.len() && lay.lens[..nr] == *l;
        // One separator throughout, from `allowed` (none: a single run).
        let sep = |allowed: &[u8]| {
            nr < 2
                || (allowed.contains(&lay.seps[1])
                    && lay.seps[1..nr].iter().all(|&c| c == lay.seps[1]))
        };
        let bare = !lay.plus && !lay.paren;
        // Formatted SSN or ITIN (IMEI, ICCID want 15 and 19 digits).
        if nd == 9 && lens(&[3, 2, 4]) && bare && sep(b"- ") {
            return Branch::SsnItin {
                force: lay.seps[1] == b' ',
            };
        }
        // Cards (ICCIDs take 19 and 20 digits first: walked); a bare
        // fifteen is an IMEI first.
        if (12..=18).contains(&nd)
            && bare
            && (nr == 1 || (sep(b" -") && lay.lens[..nr].iter().all(|&l| l >= 3)))
        {
            return Branch::Card {
                imei: nd == 15 && nr == 1,
            };
        }
        // Phones: ten digits 3-3-4, or eleven with the country code 1
        // (fewer than twelve: no card). These are `phone_digits`'s layouts
        // read off the group (less its `1 (212) ...`, `(1 ...` and `001 ...`
        // forms, which walk): the `Sub` that helper reads costs what this
        // path saves. A 3-3-4 layout with the wrong separators is no phone
        // and, with three runs, nothing below either.
        if nd == 10 && lens(&[3, 3, 4]) {
            let ok = if lay.paren {
                lay.seps[1] == b')' && matches!(lay.seps[2], b'-' | b' ' | b'.')
            } else {
                !lay.plus && sep(b"-. ")
            };
            return if ok {
                Branch::Phone { force: false }
            } else {
                Branch::Nothing
            };
        }
        if nd == 10 && nr == 1 && bare {
            return Branch::Phone { force: true };
        }
        // Eleven digits in these layouts are a phone or nothing: nothing
        // below takes them (a bare nine has nine, a dotted quad's runs are
        // at most three long).
        if nd == 11 && lens(&[1, 3, 3, 4]) && !lay.paren && sep(b"-. ") {
            return Branch::Phone11 { force: false };
        }
        if nd == 11 && nr == 1 && !lay.paren {
            return Branch::Phone11 { force: !lay.plus };
        }
        // Bare nine digits: no card or phone has nine.
        if nd == 9 && nr == 1 && bare {
            return Branch::BareNine;
        }
        // A dotted quad (no phone or card layout is one): the address, or
        // nothing (`interpret` tries no other branch, and no split).
        if nr == 4 && bare && sep(b".") && lay.lens[..4].iter().all(|&l| l <= 3) {
            return Branch::Ipv4;
        }
        Branch::Nothing
    }
}

const LAYOUT_RUNS: usize = 12;
/// Direct-mapped slots: the layouts of a table's number columns together
/// (a dotted quad alone has 81) fit with room to spare.
const LAYOUT_SLOTS: usize = 256;

impl Layout {
    const EMPTY: Layout = Layout {
        key: [0; 3],
        n: 0,
        ok: false,
        empty: false,
        nd: 0,
        nr: 0,
        plus: false,
        paren: false,
        lens: [0; LAYOUT_RUNS],
        d0: [0; LAYOUT_RUNS],
        rs: [0; LAYOUT_RUNS],
        seps: [0; LAYOUT_RUNS],
        branch: Branch::Nothing,
    };

    /// Lexes `v` (9-24 bytes) as `whole_number` would, into a layout for
    /// `key`, its template.
    fn of(v: &[u8], key: [u64; 3], g: &mut Group) -> Layout {
        let n = v.len();
        let mut lay = Layout {
            key,
            n: n as u8,
            ..Layout::EMPTY
        };
        let b = v[0];
        if !(is_digit(b) || (matches!(b, b'+' | b'(') && is_digit(v[1]))) {
            return lay;
        }
        // A MAC (`00:1a:..`, `00-1a-..`) or Cisco MAC (`0011.2233.4455`):
        // the walk tries those first.
        if n >= 14 && (matches!(v[2], b':' | b'-') || (v[4] == b'.' && v[9] == b'.')) {
            return lay;
        }
        match lex_group(v, 0, g) {
            Some(e) if e == n && !g.overflow && !g.ext && !g.neg => {}
            _ => return lay,
        }
        // Two runs of under twelve digits joined by a dash (a ZIP+4 code,
        // `55440-1234`): no branch of `interpret` takes two runs of so few
        // digits but a decimal (IMEI, ICCID and cards want twelve or more,
        // phones one, three or four runs, SSNs and NDCs three, IPv4 four,
        // bare nines and NPIs one), the keyword ids need a keyword beside
        // the group (none: it is the whole value) and the walk splits a
        // group only at spaces. So the walk (`try_digits` on the whole
        // value, as `whole_number` explains) finds nothing, and keeps no
        // decimal. With a space, a split's nine-digit run may be an SSN
        // under context; with a dot, the value is a decimal: walked.
        if g.nr == 2 && g.nd < 12 {
            lay.empty = !g.plus && !g.paren && g.seps[1] == b'-';
            return lay;
        }
        if g.nd > 18 || g.nr > LAYOUT_RUNS {
            return lay;
        }
        lay.ok = true;
        lay.nd = g.nd as u8;
        lay.nr = g.nr as u8;
        lay.plus = g.plus;
        lay.paren = g.paren;
        for k in 0..g.nr {
            let (len, d0, rs, _) = g.runs[k];
            lay.lens[k] = len;
            lay.d0[k] = d0;
            lay.rs[k] = rs as u8;
            lay.seps[k] = if k == 0 { 0 } else { g.seps[k] };
        }
        lay.branch = Branch::of(&lay);
        lay
    }

    /// The digits of `v`, a value of this layout, into `buf[..nd]`. Each
    /// run is copied eight bytes a step, past its end into the room the
    /// next run overwrites; a run too near the end is read from the
    /// value's last word, shifted (a staging copy of the value stalled
    /// every load that spanned two of its stores).
    #[inline]
    fn digits(&self, v: &[u8], buf: &mut [u8; 32]) {
        let n = v.len();
        debug_assert!(self.ok && n == self.n as usize);
        let last = u64::from_le_bytes(v[n - 8..].try_into().unwrap());
        for k in 0..self.nr as usize {
            let (len, d0, rs) = (
                self.lens[k] as usize,
                self.d0[k] as usize,
                self.rs[k] as usize,
            );
            let mut j = 0;
            while j < len {
                let p = rs + j;
                let w = if p + 8 <= n {
                    u64::from_le_bytes(v[p..p + 8].try_into().unwrap())
                } else {
                    last >> (8 * (p + 8 - n))
                };
                buf[d0 + j..d0 + j + 8].copy_from_slice(&w.to_le_bytes());
                j += 8;
            }
        }
    }
}

/// A value's template (9-24 bytes; see `Layout`) in three words: its first
/// sixteen bytes and last eight (its first and last eight under sixteen),
/// which together with the length cover every byte.
#[inline]
fn template_key(v: &[u8]) -> [u64; 3] {
    let n = v.len();
    debug_assert!((9..=24).contains(&n));
    let word = |i: usize| u64::from_le_bytes(v[i..i + 8].try_into().unwrap());
    // A digit's low nibble cleared: `0`-`9` all read `0`.
    let zeroed = |w: u64| {
        let digit = (!val::not_digit_bits(w) & (0x80 * LANES)) >> 7;
        w & !(digit * 0x0F)
    };
    if n >= 16 {
        [zeroed(word(0)), zeroed(word(8)), zeroed(word(n - 8))]
    } else {
        [zeroed(word(0)), zeroed(word(n - 8)), 0]
    }
}

#[inline]
fn layout_slot(key: &[u64; 3], n: usize) -> usize {
    let h = (key[0] ^ key[1].rotate_left(21) ^ key[2].rotate_left(43) ^ n as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h >> 56) as usize % LAYOUT_SLOTS
}

/// Lexes into a caller's group (a few hundred bytes: returned by value it
/// cost a copy per token). Its arrays are read only up to the counts set
/// here, so they are not cleared.
#[inline(always)]
fn lex_group(v: &[u8], i: usize, g: &mut Group) -> Option<usize> {
    let n = v.len();
    g.nd = 0;
    g.nr = 0;
    g.plus = false;
    g.paren = false;
    g.neg = false;
    g.overflow = false;
    g.ext = false;
    g.start = i;
    let mut j = i;
    match v[j] {
        b'+' => {
            g.plus = true;
            j += 1
        }
        b'(' => {
            g.paren = true;
            j += 1
        }
        b'-' => {
            g.neg = true;
            j += 1
        }
        _ => {}
    }
    loop {
        let rs = j;
        let d0 = g.nd;
        j = digit_run_end(v, j);
        g.nd += j - rs;
        if g.nd > 40 {
            g.overflow = true;
        }
        if g.nr >= MAX_RUNS || j - rs > 40 {
            g.overflow = true;
        } else {
            g.runs[g.nr] = ((j - rs) as u8, d0.min(40) as u8, rs as u32, j as u32);
            g.nr += 1;
        }
        if j >= n {
            break;
        }
        let c = v[j];
        let next_digit = |k: usize| k < n && is_digit(v[k]);
        let prev_sep = if g.nr > 1 { g.seps[g.nr - 1] } else { 0 };
        let (sep, len) = if c == b')' && (g.paren || prev_sep == b'(') && g.nr <= 2 {
            if j + 2 < n && v[j + 1] == b' ' && next_digit(j + 2) {
                (b')', 2)
            } else if next_digit(j + 1) {
                (b')', 1)
            } else {
                break;
            }
        } else if c == b' ' && j + 2 < n && v[j + 1] == b'(' && next_digit(j + 2) && g.nr == 1 {
            (b'(', 2)
        } else if matches!(c, b'-' | b' ' | b'.' | b'/') && next_digit(j + 1) {
            (c, 1)
        } else {
            break;
        };
        if g.nr < MAX_RUNS {
            g.seps[g.nr] = sep;
        }
        j += len;
    }
    // A number glued to letters (`abc123`, `123abc`) is part of a word,
    // except a phone number's extension (`212-867-5309x123`,
    // `2128675309ext45`).
    if j < n && is_alnum(v[j]) {
        if !((10..=11).contains(&g.nd) && extension_at(v, j)) {
            return None;
        }
        g.ext = true;
    }
    Some(j)
}

/// `x123`, `X123`, `ext123`, `ext.123` at `j`.
fn extension_at(v: &[u8], j: usize) -> bool {
    let n = v.len();
    let k = if matches!(v[j], b'x' | b'X') {
        j + 1
    } else if j + 3 <= n && v[j..j + 3].eq_ignore_ascii_case(b"ext") {
        if j + 3 < n && v[j + 3] == b'.' {
            j + 4
        } else {
            j + 3
        }
    } else {
        return false;
    };
    let mut e = k;
    while e < n && is_digit(v[e]) {
        e += 1;
    }
    e > k && e - k <= 6 && (e == n || !is_alnum(v[e]))
}

/// Digits of runs a..=b, and their run lengths and separators.
struct Sub {
    /// Digits in `d[..nd]` (at most 40), with room for one eight-byte copy
    /// past them.
    d: [u8; 48],
    nd: usize,
    lens: [u8; 16],
    seps: [u8; 16],
    nr: usize,
    s: usize,
    e: usize,
    plus: bool,
    paren: bool,
    neg: bool,
}

impl Sub {
    fn of(v: &[u8], g: &Group, a: usize, b: usize) -> Sub {
        let (start, end) = g.span(a, b);
        let mut s = Sub {
            d: [0; 48],
            nd: 0,
            lens: [0; 16],
            seps: [0; 16],
            nr: 0,
            s: start,
            e: end,
            plus: a == 0 && g.plus,
            paren: a == 0 && g.paren,
            neg: a == 0 && g.neg,
        };
        for k in a..=b {
            let (len, _, rs, _) = g.runs[k];
            let len = len as usize;
            let take = len.min(40 - s.nd);
            let rs = rs as usize;
            // Runs are short (a phone's 3-3-4): one fixed eight-byte copy,
            // its tail past `nd` unread, instead of a memcpy call per run.
            if take <= 8 && rs + 8 <= v.len() {
                s.d[s.nd..s.nd + 8].copy_from_slice(&v[rs..rs + 8]);
            } else if (1..8).contains(&take) {
                let w = super::tail_word(&v[rs..rs + take]);
                s.d[s.nd..s.nd + 8].copy_from_slice(&w.to_le_bytes());
            } else {
                s.d[s.nd..s.nd + take].copy_from_slice(&v[rs..rs + take]);
            }
            s.nd += take;
            s.lens[s.nr] = len as u8;
            if k > a {
                s.seps[s.nr] = g.seps[k];
            }
            s.nr += 1;
        }
        s
    }

    fn digits(&self) -> &[u8] {
        &self.d[..self.nd]
    }

    fn lens_are(&self, l: &[u8]) -> bool {
        &self.lens[..self.nr] == l
    }

    /// All separators equal to one of `allowed` (and to each other).
    fn uniform_sep(&self, allowed: &[u8]) -> bool {
        if self.nr < 2 {
            return true;
        }
        let s0 = self.seps[1];
        allowed.contains(&s0) && self.seps[1..self.nr].iter().all(|&s| s == s0)
    }

    fn bare(&self) -> bool {
        !self.plus && !self.paren && !self.neg
    }
}

/// Where the run of ASCII digits at `j` ends, eight bytes a step (card,
/// IMEI and phone runs are long enough for a byte loop to show).
#[inline]
pub(super) fn digit_run_end(v: &[u8], mut j: usize) -> usize {
    while let Some(w) = v.get(j..j + 8) {
        let nd = val::not_digit_bits(u64::from_le_bytes(w.try_into().unwrap()));
        if nd != 0 {
            return j + (nd.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while j < v.len() && is_digit(v[j]) {
        j += 1;
    }
    j
}

/// ASCII digits in `v`, eight bytes at a time (a byte loop cost more than
/// the gate it serves saved).
pub(super) fn count_digits(v: &[u8]) -> usize {
    let mut n = 0;
    let mut words = v.chunks_exact(8);
    for w in &mut words {
        let not_digit = val::not_digit_bits(u64::from_le_bytes(w.try_into().unwrap()));
        let digit = (!not_digit & (0x80 * LANES)) >> 7;
        n += (digit.wrapping_mul(LANES) >> 56) as usize;
    }
    n + words
        .remainder()
        .iter()
        .filter(|b| b.is_ascii_digit())
        .count()
}

/// Walks a value once and records every validated detection in it.
pub(super) fn scan_tokens(eng: &Engine, col: &ColumnCtx, v: &[u8], rec: &mut RecordHits) {
    scan_tokens_gated::<true>(eng, col, v, rec)
}

/// `GATE` off walks every value in full: the tests compare the two.
pub(super) fn scan_tokens_gated<const GATE: bool>(
    eng: &Engine,
    col: &ColumnCtx,
    v: &[u8],
    rec: &mut RecordHits,
) {
    let n = v.len();
    // A column named for e-mail addresses: a value that is one address is
    // tried first, before the byte-class pass below, which would only let
    // it through to the same test (it has an `@`). Its candidate is the
    // whole value, which leaves no room for a keyword: the column's
    // context alone picks its detector.
    if GATE && col.pos & eng.mask(Matcher::Email) != 0 && super::mailbox::whole(v) {
        if let Some(d) = pick_by_column(eng, col, Matcher::Email, false) {
            rec.push_lower(d, v);
        }
        return;
    }
    // E-mail first: its local part may look like anything else.
    // One pass of byte classes decides which candidate passes can find
    // anything: most structured values are a short word or a number.
    let mut flags = 0u8;
    let mut words = v.chunks_exact(8);
    for w in &mut words {
        // Eight lookups per step, into two accumulators: the loop's own
        // overhead was as much as its work.
        let (mut a, mut b) = (0u8, 0u8);
        for k in 0..4 {
            a |= BYTE_CLASS[w[2 * k] as usize];
            b |= BYTE_CLASS[w[2 * k + 1] as usize];
        }
        flags |= a | b;
    }
    for &b in words.remainder() {
        flags |= BYTE_CLASS[b as usize];
    }
    let digit = flags & C_DIGIT != 0;
    let at = flags & C_AT != 0;
    let colon = flags & C_COLON != 0;
    let letters = flags & C_ALPHA != 0;
    let degree = flags & C_DEGREE != 0;
    let apos = flags & C_APOS != 0;
    let quote = flags & C_QUOTE != 0;
    // (14: the shortest letters-only id, a Cisco MAC `debc.fbaf.fdfc`.)
    if !digit && !at && !colon && n < 14 {
        return;
    }
    // Fewer than nine digits and nothing but separators around them (a
    // date, a ZIP code, an amount, a count, one coordinate): `interpret`
    // refuses every digit group of it but a decimal, and one decimal is no
    // pair; a MAC or UUID needs twelve hex digits or letters, an IPv4
    // address three dots, and e-mail, IPv6, ANSI/NIST and degrees an `@`,
    // `:` or degree mark.
    if GATE
        && flags & (C_AT | C_COLON | C_ALPHA | C_DEGREE) == 0
        && !(apos && quote)
        && count_digits(v) < 9
        && (flags & C_DOT == 0 || v.iter().filter(|&&b| b == b'.').count() < 2)
    {
        return;
    }
    // A value of a column with a field of its own (an address, a name):
    // words and short numbers, which nothing in the walk takes there.
    if GATE
        && !col.fields.is_empty()
        && flags & (C_AT | C_COLON | C_DEGREE | C_APOS | C_QUOTE | C_DOT) == 0
        && plain_words(v)
    {
        return;
    }
    // One token of ASCII letters and digits led by a letter, shorter than
    // any IBAN (fifteen), with digits (a person or customer id, `P0000000`):
    // `token_at` finds nothing in it unless the column gives an ICD-10 code
    // or an MBI its context. Being the whole value, no keyword can stand
    // beside it; a MAC, UUID, IPv6 address or ANSI/NIST record needs a
    // separator or a leading digit, a template 24 bytes or more or a NUL, a
    // nucleotide run twenty letters and no digit, an 'omic id a number after
    // it, and an MBI starts with a digit (see `try_word`). The tests walk
    // such values in full and compare.
    if GATE
        && digit
        && n < 15
        && v[0].is_ascii_alphabetic()
        && pick_by_column(eng, col, Matcher::Icd10, false).is_none()
        && pick_by_column(eng, col, Matcher::Mbi, true).is_none()
        && alnum_end(v, 0) == n
    {
        return;
    }
    // Made once the gates above have let the value through (most values
    // they end are not worth its stores).
    let mut cx = Cx {
        eng,
        col,
        v,
        kw_ready: false,
        kw_any: 0,
        letters,
        colon,
        gate: GATE,
        short_ids: 0,
    };
    // A value that is one e-mail address and nothing else (a column of
    // them): the e-mail pass would take it whole and the walk would find
    // nothing more, so the pass's answer is all there is.
    if GATE && at && !eng.dets(Matcher::Email).is_empty() && super::mailbox::whole(v) {
        if let Some(d) = cx.pick(Matcher::Email, 0, n, false) {
            rec.push_lower(d, v);
        }
        return;
    }
    // Scratch lives in the record so a value allocates nothing once it is
    // warm (and initialises nothing: a per-value array of spans and
    // decimals cost a memset per field).
    let mut sc = rec.lex.take().unwrap_or_else(Scratch::new);
    let Scratch {
        emails,
        decimals,
        group,
        layouts,
    } = &mut *sc;
    // Most cells of a dense table that reach this point are one number: an
    // SSN, a phone, a card, an IMEI. Decided whole, its first branch of
    // `interpret` taken directly, when it is found; anything else walks.
    if GATE && flags & !(C_DIGIT | C_DOT) == 0 && whole_number(&mut cx, layouts, group, rec) {
        rec.lex = Some(sc);
        return;
    }
    emails.clear();
    if at && !eng.dets(Matcher::Email).is_empty() {
        for at in memchr::memchr_iter(b'@', v) {
            if emails.last().is_some_and(|&(_, e)| at < e) {
                continue;
            }
            if let Some((s, e)) = email_at(v, at) {
                emails.push((s, e));
                if let Some(d) = cx.pick(Matcher::Email, s, e, false) {
                    rec.push_lower(d, &v[s..e]);
                }
            }
        }
    }
    decimals.clear();
    let mut ei = 0;
    let mut i = 0;
    while i < n {
        while ei < emails.len() && emails[ei].1 <= i {
            ei += 1;
        }
        if ei < emails.len() && emails[ei].0 <= i {
            i = emails[ei].1;
            continue;
        }
        let b = v[i];
        let starts = is_alnum(b)
            || (matches!(b, b'+' | b'(' | b'-') && i + 1 < n && is_digit(v[i + 1]))
            || (b == b':' && i + 1 < n && v[i + 1] == b':');
        if !starts || (i > 0 && is_alnum(v[i - 1])) {
            i += 1;
            continue;
        }
        // An ISO 8601 instant (`2026-01-01T00:00:58Z`: a log line's or an
        // event's time stamp) is five tokens or more to the walk, each
        // tried as a MAC, UUID, IPv6 address, digit group and word, and none
        // of them can be anything but an id beside a keyword. Where no keyword of
        // the value names a digit or token id detector, the walk would find
        // nothing in it and end where it ends: skip it whole. (The tests
        // walk such values in full and compare.)
        if GATE
            && is_digit(b)
            && let Some(e) = iso_instant_end(v, i)
            && cx.kw_candidates(Matcher::Digits) | cx.kw_candidates(Matcher::Token) == 0
        {
            i = e;
            continue;
        }
        if b.is_ascii_alphabetic() {
            let mut wend = i + 1;
            let mut classes = 0;
            while wend < n {
                // One table load per byte answers both questions.
                let c = BYTE_CLASS[v[wend] as usize];
                if c & (C_DIGIT | C_ALPHA) == 0 {
                    break;
                }
                classes |= c;
                wend += 1;
            }
            let digits = classes & C_DIGIT != 0;
            // A plain short word (a name, a street, a city): no detector's
            // shape is one. Ids, IBANs, codes and templates hold digits,
            // sequences run to 20 letters or more, and a hex MAC/UUID/IPv6
            // or a dotted id has its separator next; raw template magic is
            // kept for its check. (Here, not in `token_at`: the commonest
            // token is not worth a call.)
            let next = if wend < n { v[wend] } else { b' ' };
            if !digits
                && wend - i < 20
                && (!matches!(next, b':' | b'-' | b'.' | b'_' | 0)
                    || (GATE && next != 0 && joined_word_ends(&cx, i, wend)))
            {
                i = wend;
                continue;
            }
        }
        i = token_at(&mut cx, i, rec, group, decimals);
    }
    if decimals.len() >= 2 {
        decimals.retain_mut(
            |(c, st, en)| match val::parse_decimal_degree(&v[*st..*en]) {
                Some(dec) => {
                    *c = Coord {
                        value: dec.value,
                        decimals: dec.decimals,
                    };
                    true
                }
                None => false,
            },
        );
        if decimals.len() >= 2 {
            pair_decimals(&mut cx, decimals, rec);
        }
    }
    rec.lex = Some(sc);
    // Degrees-minutes-seconds: a degree sign (UTF-8 C2 B0), or minute and
    // second marks.
    if digit && (degree || (apos && quote)) && eng.geo_pair_det().is_some() {
        dms_pair(eng, v, rec);
    }
}

/// Whether a word of ASCII letters, under twenty, starting a token and
/// followed by `:`, `-`, `.` or `_` at `wend` (`dur_ms`, `api-8`,
/// `item:37454`, `jane.doe`) is one `token_at` finds nothing in, and ends
/// at `wend`: true when it has a letter past `f` (or `F`) and no keyword
/// id can be asked of it.
///
/// Why. A letter past `f` at or before `wend` is no hex digit, which every
/// MAC, UUID and IPv6 address starting here would need (their hex runs
/// reach the separator); with no digit at `i + 2` and `i + 3` it is no IBAN
/// either. `try_word` then finds no nucleotide run (twenty letters), raw
/// template (a NUL next: the caller keeps those), base64 template (24
/// bytes of base64, where this run stops under twenty), hex template (32
/// hex digits), 'omic id or ICD-10 code (they hold digits), and no MBI
/// (its first character is a digit, whether eleven are bare or four lead
/// the dashed form). What is left is its keyword ids, which it asks of the
/// word with this same test (`Cx::token_ids_possible`, of the column and
/// the value's keywords; the ids may run on over `_`, `.` and `-`:
/// `sunny_77`). The tests walk such values in full and compare.
#[inline(never)]
fn joined_word_ends(cx: &Cx<'_>, i: usize, wend: usize) -> bool {
    !cx.token_ids_possible() && cx.v[i..wend].iter().any(|&b| !is_hex(b))
}

/// Whether a run of fewer than nine digits, starting a token and ending
/// at `j`, is a number on its own: `token_at` would find nothing in it, and
/// end at `j`, unless a keyword of the value names a digit or token id
/// detector (or the value's letters make one possible: see `interpret`).
///
/// Why. The byte at `j`, if any, is no letter or digit, and no `:`, `-` or
/// `.`; a space or `/` is not followed by a digit, nor a space by `(`. So
/// no MAC starts here (its first pair is hex and followed by `:` or `-`, a
/// Cisco MAC's first four by `.`), nor a UUID (eight hex digits and `-`),
/// nor an IPv6 address (the hex and colon run stops at `j` with no colon
/// in it), nor an ANSI/NIST record (`1.001:`). `lex_group` joins no second
/// run (it wants `-`, a space, `.` or `/` before a digit, or ` (` and a
/// digit) and sees nothing glued: a group of one run under nine digits,
/// with no dot, which `interpret` refuses outright without a keyword, and
/// `try_digits` then ends at `j` with no split to try. The tests walk such
/// values in full and compare.
#[inline]
fn lone_number_end(v: &[u8], j: usize) -> bool {
    let Some(&c) = v.get(j) else {
        return true;
    };
    if is_alnum(c) || matches!(c, b':' | b'-' | b'.') {
        return false;
    }
    let next = v.get(j + 1).copied().unwrap_or(0);
    !(matches!(c, b' ' | b'/') && is_digit(next) || c == b' ' && next == b'(')
}

/// Whether `v` is words and short numbers the walk finds nothing in under
/// a column with a field of its own (`7657 Broadway Apt 27B`): only ASCII
/// letters, digits and spaces, fewer than nine digits in all, each word of
/// letters under twenty long, and each token with a digit starting with
/// one and at most five long.
///
/// Why the walk finds nothing. No `@`, `:`, dot, dash, mark or quote: no
/// e-mail, MAC, UUID, IPv6, ANSI/NIST, ISO instant, decimal or degrees.
/// A word of letters under twenty followed by a space or the end is
/// skipped whole by the walk. A token starting with a digit is a digit
/// group (runs joined by spaces, fewer than nine digits together): with
/// no dot between runs `interpret` refuses it, and each of its splits,
/// outright in a value without letters and for the column's field in one
/// with them (the keyword ids are for columns without a field; a phone
/// extension wants ten digits). Or it is digits glued to letters (`27B`),
/// which `lex_group` refuses, and `try_word` then tries: a nucleotide run,
/// template magic, 'omic id and ICD-10 code start with a letter or are
/// six letters or more, an MBI is eleven, and the keyword ids are again
/// for columns without a field. The tests compare with the full walk.
pub(super) fn plain_words(v: &[u8]) -> bool {
    // Up to 32 bytes (an address, a name) as three bit masks, no branch
    // per byte: the byte loop took about 300 instructions a street
    // address, a third of what the column cost.
    #[cfg(target_arch = "x86_64")]
    if (4..=32).contains(&v.len()) {
        let (digit, alpha, space) = word_masks::sse2(v);
        return plain_word_masks(v.len(), digit, alpha, space);
    }
    plain_words_loop(v)
}

/// `plain_words`, one byte at a time: short and long values, other
/// targets, and what the tests hold the masks to.
pub(super) fn plain_words_loop(v: &[u8]) -> bool {
    let (mut digits, mut len, mut numeric) = (0usize, 0usize, false);
    for &b in v {
        if b == b' ' {
            len = 0;
            continue;
        }
        let d = b.is_ascii_digit();
        if !d && !b.is_ascii_alphabetic() {
            return false;
        }
        if len == 0 {
            numeric = d;
        }
        len += 1;
        digits += usize::from(d);
        if if numeric { len > 5 } else { d || len >= 20 } {
            return false;
        }
    }
    digits < 9
}

/// `plain_words` of an `n`-byte value (n <= 63) from the masks of its
/// digits, ASCII letters and spaces (bit i for byte i).
///
/// A token is a run of set bits in `digit | alpha`. Adding each
/// letter-led run's first bit carries through that run and clears it,
/// leaving the others as they were: what the add cleared is the letter-led
/// runs, and what is left the digit-led ones. A run of k or more set bits
/// leaves a bit after k - 1 shifts-and-ands doubling the span.
pub(super) fn plain_word_masks(n: usize, digit: u64, alpha: u64, space: u64) -> bool {
    debug_assert!(n < 64);
    let all = (1u64 << n) - 1;
    if (digit | alpha | space) & all != all || (digit & all).count_ones() >= 9 {
        return false;
    }
    let tok = (digit | alpha) & all;
    let starts = tok & !(tok << 1);
    let lettered = tok & !tok.wrapping_add(starts & alpha);
    let numbered = tok & !lettered;
    // Six digit-led bytes in a row, or twenty letter-led ones.
    let n2 = numbered & (numbered >> 1);
    let n4 = n2 & (n2 >> 2);
    let n6 = n4 & (n4 >> 2);
    let l2 = lettered & (lettered >> 1);
    let l4 = l2 & (l2 >> 2);
    let l8 = l4 & (l4 >> 4);
    let l16 = l8 & (l8 >> 8);
    let l20 = l16 & (l16 >> 4);
    lettered & digit == 0 && n6 == 0 && l20 == 0
}

#[cfg(target_arch = "x86_64")]
pub(super) mod word_masks {
    use std::arch::x86_64::*;

    /// The digit, ASCII-letter and space masks of `v` (4 to 32 bytes),
    /// from two overlapping loads inside it: its first and last 16, 8 or
    /// 4 bytes, whose masks are put back at their places (the overlap's
    /// bytes are classed alike in both).
    pub(crate) fn sse2(v: &[u8]) -> (u64, u64, u64) {
        let n = v.len();
        assert!((4..=32).contains(&n));
        let p = v.as_ptr();
        // SAFETY: SSE2 is baseline on x86-64. Each load reads inside `v`:
        // 16 bytes at 0 and at n - 16 when n >= 16; 8 or 4 bytes at 0 and
        // at n - 8 or n - 4 (put in one register, not through memory)
        // when shorter.
        unsafe {
            let classes = |x: __m128i| -> (u64, u64, u64) {
                let t = _mm_sub_epi8(
                    _mm_or_si128(x, _mm_set1_epi8(0x20)),
                    _mm_set1_epi8(b'a' as i8),
                );
                let d = _mm_sub_epi8(x, _mm_set1_epi8(b'0' as i8));
                let m = |c: __m128i| _mm_movemask_epi8(c) as u16 as u64;
                (
                    m(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d)),
                    m(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(25)), t)),
                    m(_mm_cmpeq_epi8(x, _mm_set1_epi8(b' ' as i8))),
                )
            };
            if n >= 16 {
                let (d0, a0, s0) = classes(_mm_loadu_si128(p as *const __m128i));
                let (d1, a1, s1) = classes(_mm_loadu_si128(p.add(n - 16) as *const __m128i));
                let at = n - 16;
                return (d0 | d1 << at, a0 | a1 << at, s0 | s1 << at);
            }
            // The second half's mask, back at its bytes.
            let (x, half) = if n >= 8 {
                let lo = (p as *const u64).read_unaligned();
                let hi = (p.add(n - 8) as *const u64).read_unaligned();
                (_mm_set_epi64x(hi as i64, lo as i64), 8)
            } else {
                let lo = (p as *const u32).read_unaligned();
                let hi = (p.add(n - 4) as *const u32).read_unaligned();
                (
                    _mm_cvtsi64_si128((u64::from(lo) | u64::from(hi) << 32) as i64),
                    4,
                )
            };
            let (low, at) = ((1u64 << half) - 1, n - half);
            let place = |m: u64| (m & low) | ((m >> half) & low) << at;
            let (d, a, s) = classes(x);
            (place(d), place(a), place(s))
        }
    }
}

/// A value that is one digit group and nothing else, in a layout whose
/// first applicable branch of `interpret` is known: true when that branch
/// finds its identifier (pushed as `interpret` pushes it) or the layout is
/// one the walk finds nothing in (`Layout::empty`), false to walk the value
/// instead (nothing pushed).
///
/// Why this is what the walk finds. The caller has seen no letter, `@`,
/// `:`, degree sign or quote in the value, so no keyword stands in it, no
/// candidate has context but the column's, and the e-mail, IPv6, ANSI/NIST
/// and degree passes find nothing. The walk's first token starts at byte 0
/// (a digit, or `+`/`(` before one); `token_at` tries a MAC there (17 bytes
/// with `:`/`-` at 2, or 14 with `.` at 4 and 9: excluded below, though no
/// layout here has either) and a UUID (36 bytes: longer than any value
/// here), then `try_digits`, whose group is `lex_group`'s, here the whole
/// value. `interpret` on the whole group tries IMEI, ICCID, formatted SSN,
/// card, phone, bare nine digits, then a dotted quad, in that order; each
/// layout below takes the branches its digit count and runs allow, in that
/// order. When one finds its identifier the walk ends with the value, no
/// decimal kept. When none does, the walk goes on to other branches and to
/// splits of the group: this returns false and the value is walked from
/// the start. The tests compare the two walks, with the layout cache cold
/// and warm.
///
/// The group's runs and separators come from the value's `Layout`, lexed
/// once per template and worker.
#[inline(never)]
fn whole_number(
    cx: &mut Cx<'_>,
    layouts: &mut [Layout; LAYOUT_SLOTS],
    g: &mut Group,
    rec: &mut RecordHits,
) -> bool {
    let v = cx.v;
    let n = v.len();
    if !(9..=24).contains(&n) {
        return false;
    }
    let key = template_key(v);
    let slot = &mut layouts[layout_slot(&key, n)];
    if slot.n as usize != n || slot.key != key {
        *slot = Layout::of(v, key, g);
    }
    let lay = &*slot;
    lay.empty
        || (lay.ok
            && decide(lay, v, rec, |m, force| {
                pick_by_column(cx.eng, cx.col, m, force)
            }))
}

/// `whole_number` for a value whose layout the cache already holds, asked
/// before anything else of the value's scan: true when it found the value's
/// identifier (pushed), false when the value must be scanned as usual
/// (nothing pushed).
///
/// Why nothing else of the scan can find more. A layout is cached only by
/// `whole_number`, which only sees values of digits, dots and bytes of no
/// class (`-`, space, `(`, `)`, `+`), and a template fixes every byte but
/// the digits: this value has no letter, `@`, `:`, degree sign or quote
/// either. So the scan's early gates would not end it (every layout
/// `decide` finds an identifier in has nine digits or more, or is a dotted
/// quad), the e-mail passes find nothing, and its walk starts with
/// `whole_number`, which answers as here. The column must ask nothing else
/// of a value (`direct_numbers`): no key, 'omic feature, field recogniser,
/// coordinate or U.S. role, and the engine no regex detector.
#[inline(always)]
pub(super) fn cached_number(
    picks: &NumberPicks,
    v: &[u8],
    sc: &Scratch,
    rec: &mut RecordHits,
) -> bool {
    let n = v.len();
    if !(9..=24).contains(&n) {
        return false;
    }
    let key = template_key(v);
    let lay = &sc.layouts[layout_slot(&key, n)];
    lay.n as usize == n
        && lay.key == key
        && (lay.empty || (lay.ok && decide(lay, v, rec, |m, force| picks.get(m, force))))
}

/// What `pick_by_column` answers a column for each matcher and context
/// `decide` asks about, read once per column (a batch takes them from the
/// column's memo): a cached number then looks its detector up in a table,
/// where the pick masked four 128-bit words per value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NumberPicks([u8; NumberPicks::SLOTS]);

impl NumberPicks {
    const SLOTS: usize = 10;
    const NONE: u8 = u8::MAX;
    /// The (matcher, context) pairs `decide` asks about, one a slot.
    const ASKED: [(Matcher, bool); NumberPicks::SLOTS] = [
        (Matcher::Itin, false),
        (Matcher::Itin, true),
        (Matcher::Ssn, false),
        (Matcher::Ssn, true),
        (Matcher::Imei, true),
        (Matcher::Card, false),
        (Matcher::PhoneNanp, false),
        (Matcher::PhoneNanp, true),
        (Matcher::AbaRouting, true),
        (Matcher::Ipv4, false),
    ];

    pub(crate) fn of(eng: &Engine, col: &ColumnCtx) -> NumberPicks {
        let mut t = [Self::NONE; Self::SLOTS];
        for (m, force) in Self::ASKED {
            if let Some(d) = pick_by_column(eng, col, m, force) {
                t[Self::slot(m, force)] = d as u8;
            }
        }
        NumberPicks(t)
    }

    #[inline(always)]
    fn slot(m: Matcher, force: bool) -> usize {
        let f = usize::from(force);
        match m {
            Matcher::Itin => f,
            Matcher::Ssn => 2 + f,
            Matcher::Imei => 4,
            Matcher::Card => 5,
            Matcher::PhoneNanp => 6 + f,
            Matcher::AbaRouting => 8,
            Matcher::Ipv4 => 9,
            _ => unreachable!("decide asks for no {m:?}"),
        }
    }

    #[inline(always)]
    fn get(&self, m: Matcher, force: bool) -> Option<usize> {
        let d = self.0[Self::slot(m, force)];
        (d != Self::NONE).then_some(usize::from(d))
    }
}

/// The branch of `interpret` a cached layout takes (`Layout::branch`),
/// for one value of it; `pick` is `pick_by_column` for the value's column.
#[inline(always)]
fn decide(
    lay: &Layout,
    v: &[u8],
    rec: &mut RecordHits,
    pick: impl Fn(Matcher, bool) -> Option<usize>,
) -> bool {
    // The value is the candidate and has no letters: no keyword stands
    // beside it.
    let found = |rec: &mut RecordHits, m: Matcher, force: bool, value: &[u8]| match pick(m, force) {
        Some(det) => {
            rec.push(det, value);
            true
        }
        None => false,
    };
    let branch = lay.branch;
    match branch {
        Branch::Nothing => return false,
        Branch::Ipv4 => return val::ipv4_valid(v) && found(rec, Matcher::Ipv4, false, v),
        _ => {}
    }
    let mut buf = [0u8; 32];
    lay.digits(v, &mut buf);
    let d = &buf[..lay.nd as usize];
    match branch {
        Branch::SsnItin { force } => {
            if val::itin_valid(d) {
                found(rec, Matcher::Itin, force, d)
            } else {
                val::ssn_valid(d) && found(rec, Matcher::Ssn, force, d)
            }
        }
        Branch::Card { imei } => {
            (imei && val::imei_valid(d) && found(rec, Matcher::Imei, true, d))
                || (val::card_valid(d) && found(rec, Matcher::Card, false, d))
        }
        Branch::Phone { force } => val::nanp_valid(d) && found(rec, Matcher::PhoneNanp, force, d),
        Branch::Phone11 { force } => {
            d[0] == b'1'
                && val::nanp_valid(&d[1..])
                && found(rec, Matcher::PhoneNanp, force, &d[1..])
        }
        Branch::BareNine => {
            (val::itin_valid(d) && found(rec, Matcher::Itin, true, d))
                || (val::ssn_valid(d) && found(rec, Matcher::Ssn, true, d))
                || (val::aba_valid(d) && found(rec, Matcher::AbaRouting, true, d))
        }
        Branch::Nothing | Branch::Ipv4 => false,
    }
}

/// The end of an ISO 8601 UTC instant at `i` (`YYYY-MM-DDTHH:MM:SSZ`, or
/// with a fraction of a second, `...:SS.123Z`), where the byte after it
/// ends every token of it and starts no e-mail: the end of the value,
/// white space, or `,` `;` quotes and brackets. Only the `Z` forms: the `Z`
/// keeps the seconds from joining a digit group that follows (without it,
/// `...:58 212 555 0123` is one group to the walk).
fn iso_instant_end(v: &[u8], i: usize) -> Option<usize> {
    const SHAPE: &[u8; 19] = b"9999-99-99T99:99:99";
    let t = v.get(i..i + 19)?;
    let shaped = t
        .iter()
        .zip(SHAPE)
        .all(|(&c, &s)| if s == b'9' { is_digit(c) } else { c == s });
    if !shaped {
        return None;
    }
    let mut e = i + 19;
    if v.get(e) == Some(&b'.') {
        let f = digit_run_end(v, e + 1);
        if f == e + 1 || f - e > 10 {
            return None;
        }
        e = f;
    }
    if v.get(e) != Some(&b'Z') {
        return None;
    }
    e += 1;
    let ends = match v.get(e) {
        None => true,
        Some(&b) => matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b';' | b'"' | b'\'' | b')' | b']' | b'}' | b'|'
        ),
    };
    ends.then_some(e)
}

// Out of line: inlined into the walk (as it was once `try_iban` shrank),
// it made the walk too large to inline into `Engine::scan_trimmed`, and
// every value paid the call (68 more instructions a people row).
#[inline(never)]
fn token_at(
    cx: &mut Cx<'_>,
    i: usize,
    rec: &mut RecordHits,
    g: &mut Group,
    decimals: &mut Vec<(Coord, usize, usize)>,
) -> usize {
    let v = cx.v;
    let b = v[i];
    // A short number on its own (`status=200`, `page=47667`: most of a log
    // line's tokens): `lone_number_end` says why nothing below finds
    // anything in it, or ends elsewhere.
    if cx.gate && is_digit(b) {
        let j = digit_run_end(v, i);
        if j - i < 9 && lone_number_end(v, j) && !cx.short_ids() {
            return j;
        }
    }
    if let Some(e) = try_mac(cx, i, rec) {
        return e;
    }
    if let Some(e) = try_uuid(cx, i, rec) {
        return e;
    }
    if cx.colon
        && let Some(e) = try_ipv6(cx, i, rec)
    {
        return e;
    }
    if b == b'1'
        && v[i..].starts_with(b"1.001:")
        && let Some(e) = try_ansi_nist(cx, i, rec)
    {
        return e;
    }
    if (is_digit(b) || matches!(b, b'+' | b'(' | b'-'))
        && let Some(e) = try_digits(cx, i, rec, g, decimals)
    {
        return e;
    }
    let wend = alnum_end(v, i);
    if wend == i {
        return i + 1;
    }
    if b.is_ascii_alphabetic()
        && let Some(e) = try_iban(cx, i, wend, rec)
    {
        return e;
    }
    try_word(cx, i, wend, rec)
}

pub(super) fn email_at(v: &[u8], at: usize) -> Option<(usize, usize)> {
    let local = |b: u8| val::MAIL_CLASS[b as usize] & val::MAIL_LOCAL_SPAN != 0;
    let domain = |b: u8| val::MAIL_CLASS[b as usize] & val::MAIL_DOMAIN_SPAN != 0;
    // At most 64 bytes left of the `@` and 255 right of it.
    let lo = at.saturating_sub(64);
    let mut s = v[lo..at]
        .iter()
        .rposition(|&b| !local(b))
        .map_or(lo, |k| lo + k + 1);
    while s < at && v[s] == b'.' {
        s += 1;
    }
    let hi = v.len().min(at + 256);
    let mut e = v[at + 1..hi]
        .iter()
        .position(|&b| !domain(b))
        .map_or(hi, |k| at + 1 + k);
    while e > at + 1 && matches!(v[e - 1], b'.' | b'-') {
        e -= 1;
    }
    if s == at || e <= at + 1 {
        return None;
    }
    // Neither span holds an `@`, so this one is the address's first.
    val::mailbox_valid(&v[s..at], &v[at + 1..e]).then_some((s, e))
}

fn lower_into<'b>(v: &[u8], buf: &'b mut [u8; 256]) -> &'b [u8] {
    let n = v.len().min(256);
    for (o, &c) in buf.iter_mut().zip(&v[..n]) {
        *o = c.to_ascii_lowercase();
    }
    &buf[..n]
}

fn is_hex(b: u8) -> bool {
    b.is_ascii_hexdigit()
}

/// The twelve hex digits of Cisco's MAC form, `001a.2b3c.4d5e`.
const MAC_CISCO: [u8; 12] = [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13];

/// Byte lanes of the colon and dash form (`00:1a:2b:3c:4d:5e`) read as
/// two words, bytes 0-7 and 8-15 (byte 16, a digit, is read alone): the
/// separators' lanes; the rest are digits.
const MAC_LO_SEPS: u64 = 0xFF << 16 | 0xFF << 40;
const MAC_HI_SEPS: u64 = 0xFF | 0xFF << 24 | 0xFF << 48;
/// 0x80 in each byte lane of `w` that is an ASCII hex digit.
#[inline]
fn hex_lanes(w: u64) -> u64 {
    val::lanes_between(w, b'0', b'9') | val::lanes_between(w | (0x20 * LANES), b'a', b'f')
}

/// A MAC address at `i`, as `val::mac_valid` decides it. The colon and
/// dash form is read as two words and a byte: its separators, hex digits,
/// all-zero and all-`f` tests and the lowercased copy are a few mask
/// operations (one test and a branch a byte, then the copy byte by byte,
/// cost some 440 instructions a MAC cell, 4% of a dense table's scan).
/// Cisco's form takes one pass over its twelve digits.
fn try_mac(cx: &mut Cx<'_>, i: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let n = v.len();
    let (e, ok, nothing, out) = if i + 17 <= n && matches!(v[i + 2], b':' | b'-') {
        let w = &v[i..i + 17];
        let word = |k: usize| u64::from_le_bytes(w[k..k + 8].try_into().unwrap());
        let (lo, hi, last) = (word(0), word(8), w[16]);
        let sep = u64::from(w[2]) * LANES;
        let seps = (lo ^ sep) & MAC_LO_SEPS == 0 && (hi ^ sep) & MAC_HI_SEPS == 0;
        let (lo_dig, hi_dig) = (!MAC_LO_SEPS, !MAC_HI_SEPS);
        let high = 0x80 * LANES;
        let hex = hex_lanes(lo) & lo_dig == lo_dig & high
            && hex_lanes(hi) & hi_dig == hi_dig & high
            && last.is_ascii_hexdigit();
        // A hex digit lowercased (a decimal digit keeps its 0x20 bit).
        let (lo_l, hi_l, last_l) = (lo | (0x20 * LANES), hi | (0x20 * LANES), last | 0x20);
        let zero = (lo ^ (b'0' as u64 * LANES)) & lo_dig == 0
            && (hi ^ (b'0' as u64 * LANES)) & hi_dig == 0
            && last == b'0';
        let all_f = (lo_l ^ (b'f' as u64 * LANES)) & lo_dig == 0
            && (hi_l ^ (b'f' as u64 * LANES)) & hi_dig == 0
            && last_l == b'f';
        let colons = b':' as u64 * LANES;
        let out = (
            (lo_l & lo_dig) | (colons & MAC_LO_SEPS),
            (hi_l & hi_dig) | (colons & MAC_HI_SEPS),
            last_l,
        );
        (i + 17, seps && hex, zero || all_f, out)
    } else if i + 14 <= n && v[i + 4] == b'.' && v[i + 9] == b'.' {
        let w = &v[i..i + 14];
        let (mut hex, mut zero, mut all_f) = (true, true, true);
        let mut buf = [b':'; 17];
        for (k, &p) in MAC_CISCO.iter().enumerate() {
            let c = w[p as usize];
            hex &= c.is_ascii_hexdigit();
            zero &= c == b'0';
            // Lowercase for a hex digit (a digit keeps its 0x20 bit).
            buf[k / 2 * 3 + k % 2] = c | 0x20;
            all_f &= c | 0x20 == b'f';
        }
        let word = |k: usize| u64::from_le_bytes(buf[k..k + 8].try_into().unwrap());
        (i + 14, hex, zero || all_f, (word(0), word(8), buf[16]))
    } else {
        return None;
    };
    if !ok || (e < n && (is_alnum(v[e]) || matches!(v[e], b':' | b'-'))) {
        return None;
    }
    if nothing {
        return Some(e);
    }
    if let Some(d) = cx.pick(Matcher::Mac, i, e, false) {
        // Kept as words until here: a 17-byte array built in either
        // branch was split into single bytes by the compiler.
        let (lo, hi, last) = out;
        let mut buf = [0u8; 17];
        buf[..8].copy_from_slice(&lo.to_le_bytes());
        buf[8..16].copy_from_slice(&hi.to_le_bytes());
        buf[16] = last;
        rec.push(d, &buf);
    }
    Some(e)
}

fn try_uuid(cx: &mut Cx<'_>, i: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let e = i + 36;
    if e > v.len() || v[i + 8] != b'-' {
        return None;
    }
    let ok = uuid_shape(v[i..e].try_into().unwrap());
    if !ok || (e < v.len() && (is_alnum(v[e]) || v[e] == b'-')) {
        return None;
    }
    // The all-zero id is what iOS returns when tracking is refused: it
    // names no device.
    if v[i..e].iter().all(|&c| c == b'0' || c == b'-') {
        return Some(e);
    }
    if let Some(d) = cx.pick(Matcher::Uuid, i, e, false) {
        rec.push_lower(d, &v[i..e]);
    }
    Some(e)
}

/// Whether `u` is a UUID's print form: dashes at 8, 13, 18 and 23, hex
/// digits elsewhere. Read as five overlapping words whose lanes are tested
/// at once: a test and a branch a byte mispredicted on every change
/// between a digit and a letter of random hex (an events scan's MAIDs
/// took a tenth of its time there).
#[inline]
fn uuid_shape(u: &[u8; 36]) -> bool {
    const HIGH: u64 = 0x80 * LANES;
    // Dash lanes of the words at 8 (bytes 8 and 13) and 16 (18 and 23).
    const DASH_8: u64 = 0xFF | 0xFF << 40;
    const DASH_16: u64 = 0xFF << 16 | 0xFF << 56;
    let word = |k: usize| u64::from_le_bytes(u[k..k + 8].try_into().unwrap());
    let (w0, w8, w16, w24, w28) = (word(0), word(8), word(16), word(24), word(28));
    let dashes = b'-' as u64 * LANES;
    let hex = hex_lanes(w0)
        & hex_lanes(w24)
        & hex_lanes(w28)
        & (hex_lanes(w8) | DASH_8 & HIGH)
        & (hex_lanes(w16) | DASH_16 & HIGH);
    let seps = (w8 ^ dashes) & DASH_8 | (w16 ^ dashes) & DASH_16;
    (hex == HIGH) & (seps == 0)
}

fn try_ipv6(cx: &mut Cx<'_>, i: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let n = v.len();
    if i > 0 && (v[i - 1] == b':' || is_hex(v[i - 1])) {
        return None;
    }
    // An IPv6 group is at most four hex digits: a colon must come soon.
    if !colon_within_five(v, i) {
        return None;
    }
    let mut e = i;
    let mut colons = 0;
    while e < n && (is_hex(v[e]) || v[e] == b':' || v[e] == b'.') && e - i < 45 {
        colons += (v[e] == b':') as usize;
        e += 1;
    }
    if colons < 2 {
        return None;
    }
    while e > i && v[e - 1] == b'.' {
        e -= 1;
    }
    if e < n && is_alnum(v[e]) {
        return None;
    }
    if !val::ipv6_valid(&v[i..e]) {
        // A colon run that is no address (`2001:db8:::1`, `12:30:45`) is
        // consumed whole, so its tail is not mistaken for `::1`.
        return Some(e);
    }
    if let Some(d) = cx.pick(Matcher::Ipv6, i, e, false) {
        rec.push_lower(d, &v[i..e]);
    }
    Some(e)
}

/// Whether one of the five bytes from `i` is a colon. Every token of a
/// line with a colon in it (a log line's time) asks this: one word, where
/// the search byte by byte cost 24 instructions a token.
#[inline]
fn colon_within_five(v: &[u8], i: usize) -> bool {
    if i + 8 <= v.len() {
        let w = u64::from_le_bytes(v[i..i + 8].try_into().unwrap());
        val::lanes_between(w, b':', b':') & 0x80_8080_8080 != 0
    } else {
        v[i..v.len().min(i + 5)].contains(&b':')
    }
}

/// The end of the run of ASCII letters and digits at `i`: eight bytes a
/// step, where a table load and a branch a byte cost 7 instructions a
/// byte of every letter-led token (an IBAN, a word of text).
fn alnum_end(v: &[u8], i: usize) -> usize {
    const HIGH: u64 = 0x80 * LANES;
    let mut j = i;
    while j + 8 <= v.len() {
        let w = u64::from_le_bytes(v[j..j + 8].try_into().unwrap());
        let digit = val::lanes_between(w, b'0', b'9');
        // A letter of either case is `b | 0x20` in `a..=z`.
        let letter = val::lanes_between(w | (0x20 * LANES), b'a', b'z');
        let other = !(digit | letter) & HIGH;
        if other != 0 {
            return j + other.trailing_zeros() as usize / 8;
        }
        j += 8;
    }
    while j < v.len() && is_alnum(v[j]) {
        j += 1;
    }
    j
}

/// An IBAN at `i`, whose run of letters and digits ends at `wend`.
fn try_iban(cx: &mut Cx<'_>, i: usize, wend: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let n = v.len();
    // The country code is upper case in print; a lower-case one (`my iban
    // is gb82west...`) is accepted under IBAN context only.
    let lower = v[i].is_ascii_lowercase();
    if i + 15 > n
        || !(if lower {
            v[i + 1].is_ascii_lowercase()
        } else {
            v[i + 1].is_ascii_uppercase()
        })
        || !is_digit(v[i + 2])
        || !is_digit(v[i + 3])
        || cx.eng.dets(Matcher::Iban).is_empty()
    {
        return None;
    }
    // Collect groups: the compact form, or print form in groups of four.
    let mut buf = [0u8; 34];
    let mut ends: [(usize, usize); 10] = [(0, 0); 10];
    let ng;
    if wend - i != 4 {
        // The compact form, one run (a run of four may be the print
        // form's first group): copied uppercased a word at a time, where
        // a test and a copy a byte cost some 300 instructions an IBAN.
        // Past 34 bytes it is no IBAN, and under fifteen (the shortest
        // registry length) neither valid nor a country's exact length.
        let l = wend - i;
        if !(15..=34).contains(&l) {
            return None;
        }
        let run = &v[i..wend];
        let mut k = 0;
        while k < l {
            let at = k.min(l - 8);
            let w = u64::from_le_bytes(run[at..at + 8].try_into().unwrap());
            buf[at..at + 8].copy_from_slice(&upper_word(w).to_le_bytes());
            k += 8;
        }
        ends[0] = (wend, l);
        ng = 1;
    } else {
        ng = groups(v, i, &mut buf, &mut ends);
    }
    finish_iban(cx, i, lower, &buf, &ends[..ng], rec)
}

/// The print form's groups of four from `i` (or one run of four and what
/// follows it): each group's end and the bytes gathered to it, uppercased
/// into `buf`; none when a run outgrows 34 bytes (no IBAN).
fn groups(v: &[u8], i: usize, buf: &mut [u8; 34], ends: &mut [(usize, usize); 10]) -> usize {
    let n = v.len();
    let mut len = 0;
    let mut ng = 0;
    let mut j = i;
    loop {
        let gs = j;
        while j < n && is_alnum(v[j]) && len < 34 {
            buf[len] = v[j].to_ascii_uppercase();
            len += 1;
            j += 1;
        }
        if j < n && is_alnum(v[j]) {
            return 0;
        }
        if ng < ends.len() {
            ends[ng] = (j, len);
            ng += 1;
        }
        if j - gs == 4 && j + 1 < n && v[j] == b' ' && is_alnum(v[j + 1]) && len < 34 {
            j += 1;
            continue;
        }
        break;
    }
    ng
}

/// `try_iban`'s answer from its groups' ends: the longest prefix of groups
/// that is a valid IBAN, else one of its country's exact length consumed.
fn finish_iban(
    cx: &mut Cx<'_>,
    i: usize,
    lower: bool,
    buf: &[u8; 34],
    ends: &[(usize, usize)],
    rec: &mut RecordHits,
) -> Option<usize> {
    for &(e, l) in ends.iter().rev() {
        if l >= 15 && val::iban_valid(&buf[..l]) {
            if let Some(d) = cx.pick(Matcher::Iban, i, e, lower) {
                rec.push(d, &buf[..l]);
            }
            return Some(e);
        }
    }
    // An IBAN-shaped run of its country's exact length that fails mod-97 is
    // an invalid IBAN: consume it whole, so its digit groups are not read
    // again as a card or a phone.
    if !lower {
        for &(e, l) in ends.iter().rev() {
            if val::iban_length(&buf[..2]) == Some(l) {
                return Some(e);
            }
        }
    }
    None
}

/// The eight bytes of `w`, ASCII-uppercased (bytes past 0x7F as they
/// are): `to_ascii_uppercase` lane by lane.
#[inline]
fn upper_word(w: u64) -> u64 {
    w & !(val::lanes_between(w, b'a', b'z') >> 2)
}

/// Letter-led or mixed tokens: nucleotide runs, biometric template
/// records, 'omic feature ids, ICD-10-CM codes, Medicare ids, tokens under
/// keyword context. Returns where the token ends (past `wend` when it
/// continues beyond the word: `E11.9`, `ENSG00000141510.12 5.2`, base64).
fn try_word(cx: &mut Cx<'_>, i: usize, wend: usize, rec: &mut RecordHits) -> usize {
    let v = cx.v;
    let w = &v[i..wend];
    // Nucleotide sequence: long runs of A/C/G/T/N, not words.
    for &d in cx.eng.dets(Matcher::Nucleotide) {
        let det = cx.eng.detector(d as usize);
        if w.len() >= det.min_len.max(20) && is_nucleotide_run(w) {
            if let Some(d) = cx.pick(Matcher::Nucleotide, i, wend, false) {
                // A digest, not the read: the read itself is never kept.
                let h = fnv(w);
                rec.push(d, &h.to_le_bytes());
            }
            return wend;
        }
    }
    if let Some(e) = try_template(cx, i, wend, rec) {
        return e;
    }
    if let Some(e) = try_omic_token(cx, i, wend, rec) {
        return e;
    }
    if let Some(e) = try_icd10(cx, i, wend, rec) {
        return e;
    }
    if !cx.eng.dets(Matcher::Mbi).is_empty() {
        let n = v.len();
        let mut buf = [0u8; 11];
        let cand = if w.len() == 11 {
            Some((w, wend, false))
        } else if w.len() == 4
            && wend + 9 <= n
            && v[wend] == b'-'
            && v[wend + 4] == b'-'
            && (1..4).all(|k| is_alnum(v[wend + k]))
            && (5..9).all(|k| is_alnum(v[wend + k]))
            && (wend + 9 == n || !is_alnum(v[wend + 9]))
        {
            buf[..4].copy_from_slice(w);
            buf[4..7].copy_from_slice(&v[wend + 1..wend + 4]);
            buf[7..11].copy_from_slice(&v[wend + 5..wend + 9]);
            Some((&buf[..], wend + 9, true))
        } else {
            None
        };
        // The dashed 4-3-4 print form is distinctive; eleven bare
        // characters need Medicare context.
        if let Some((m, e, dashed)) = cand
            && val::mbi_valid(m)
        {
            if let Some(d) = cx.pick(Matcher::Mbi, i, e, !dashed) {
                let mut up = [0u8; 11];
                for (o, c) in up.iter_mut().zip(m) {
                    *o = c.to_ascii_uppercase();
                }
                rec.push(d, &up);
            }
            if dashed {
                return e;
            }
        }
    }
    // Alphanumeric ids under keyword context in free text (a passport
    // `A12345678` after "passport"). Column context is handled per field,
    // and a column that already says what its values are (an address) gets
    // no keyword-window ids: `2076 Pin Oak Drive` holds no PIN.
    // Once the value's keywords are known to name no token detector, no
    // word of it is one (most words of a log line).
    if cx.token_ids_possible() {
        // The id may run on over the punctuation ids use (`sunny_77`,
        // `D123-4567-8901-2`, `jane.doe99`); a trailing one is prose.
        let n = v.len();
        let mut he = wend;
        while he < n && (is_alnum(v[he]) || matches!(v[he], b'_' | b'.' | b'-')) {
            he += 1;
        }
        while he > wend && matches!(v[he - 1], b'_' | b'.' | b'-') {
            he -= 1;
        }
        let t = &v[i..he];
        if cx.kw_possible(i, he) && t.iter().any(|b| b.is_ascii_digit()) {
            let mut cand = cx.kw_candidates(Matcher::Token);
            while cand != 0 {
                let d = cand.trailing_zeros() as usize;
                cand &= cand - 1;
                let det = cx.eng.detector(d);
                if t.len() >= det.min_len
                    && t.len() <= det.max_len
                    && cx.kw_near(d, i, he)
                    && shape_ok(det.value, t)
                {
                    push_value(rec, det, d, t);
                    return he;
                }
            }
        }
    }
    wend
}

/// Biometric template records by their format identifier, which the
/// standards put in the first bytes: ISO/IEC 19794-2 finger minutiae
/// (`FMR\0`, also ANSI INCITS 378), 19794-4 finger image (`FIR\0`), 19794-5
/// face (`FAC\0`), 19794-6 iris (`IIR\0`), raw, base64 (`Rk1SA...`) or hex
/// (`464d5200...`); and an ANSI/NIST-ITL transaction in base64 or hex (its
/// plain form starts with `1.001:`, see `try_ansi_nist`).
fn try_template(cx: &mut Cx<'_>, i: usize, wend: usize, rec: &mut RecordHits) -> Option<usize> {
    const RAW: [&[u8]; 4] = [b"FMR", b"FIR", b"FAC", b"IIR"];
    const B64: [&[u8]; 5] = [b"Rk1SA", b"RklSA", b"RkFDA", b"SUlSA", b"MS4wMDE6"];
    const HEX: [&[u8]; 5] = [
        b"464d5200",
        b"46495200",
        b"46414300",
        b"49495200",
        b"312e3030313a",
    ];
    let v = cx.v;
    let n = v.len();
    let w = &v[i..wend];
    if cx.eng.dets(Matcher::BiometricTemplate).is_empty() || w.len() < 3 {
        return None;
    }
    let e = if w.len() == 3 && wend < n && v[wend] == 0 && RAW.contains(&w) {
        // A raw record: its bytes are binary, so the value ends here for
        // the lexer; only the header is needed.
        n
    } else if w.len() >= 5
        && matches!(w[0], b'R' | b'S' | b'M')
        && B64.iter().any(|p| w.starts_with(p))
    {
        let mut e = i;
        while e < n && (is_alnum(v[e]) || matches!(v[e], b'+' | b'/' | b'=')) {
            e += 1;
        }
        if e - i < 24 {
            return None;
        }
        e
    } else if w.len() >= 32
        && HEX
            .iter()
            .any(|p| w.len() >= p.len() && w[..p.len()].eq_ignore_ascii_case(p))
        && w.iter().all(|&b| is_hex(b))
    {
        wend
    } else {
        return None;
    };
    if let Some(d) = cx.pick(Matcher::BiometricTemplate, i, e, false) {
        let h = fnv(&v[i..e.min(i + 4096)]);
        rec.push(d, &h.to_le_bytes());
    }
    Some(e)
}

/// An ANSI/NIST-ITL 1-2011 traditional-encoding transaction: its Type-1
/// record opens with field 1.001 (the record length) and the next field,
/// 1.002 (the version), follows a group separator (0x1D). Both are
/// required, so a stray `1.001:` in prose is not a biometric record.
fn try_ansi_nist(cx: &mut Cx<'_>, i: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let n = v.len();
    let mut j = i + 6;
    while j < n && j - i < 16 && is_digit(v[j]) {
        j += 1;
    }
    if j == i + 6 || j >= n || v[j] != 0x1D || !v[j + 1..].starts_with(b"1.002:") {
        return None;
    }
    if cx.eng.dets(Matcher::BiometricTemplate).is_empty() {
        return None;
    }
    if let Some(d) = cx.pick(Matcher::BiometricTemplate, i, n, false) {
        let h = fnv(&v[i..n.min(i + 4096)]);
        rec.push(d, &h.to_le_bytes());
    }
    Some(n)
}

/// The kind of 'omic feature a word names: an Illumina methylation probe
/// (`cg` and 8 digits), an Ensembl gene or transcript (`ENSG`/`ENST` and
/// 11 digits), or a protein (`ENSP` and 11 digits, or a UniProt accession
/// such as `P04637` or `A0A024RBG1`).
fn omic_kind(w: &[u8]) -> Option<Matcher> {
    let digits = |s: &[u8]| s.iter().all(|b| b.is_ascii_digit());
    match w.len() {
        10 if w.starts_with(b"cg") && digits(&w[2..]) => Some(Matcher::MethylationProbe),
        15 if (w.starts_with(b"ENSG") || w.starts_with(b"ENST")) && digits(&w[4..]) => {
            Some(Matcher::GeneId)
        }
        15 if w.starts_with(b"ENSP") && digits(&w[4..]) => Some(Matcher::ProteinId),
        6 | 10 if uniprot_accession(w) => Some(Matcher::ProteinId),
        _ => None,
    }
}

/// UniProtKB accession syntax: `[OPQ][0-9][A-Z0-9]{3}[0-9]` or
/// `[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2}`.
fn uniprot_accession(w: &[u8]) -> bool {
    let up = |c: u8| c.is_ascii_uppercase();
    let d = |c: u8| c.is_ascii_digit();
    let an = |c: u8| up(c) || d(c);
    let opq = |c: u8| matches!(c, b'O' | b'P' | b'Q');
    let unit = |s: &[u8]| up(s[0]) && an(s[1]) && an(s[2]) && d(s[3]);
    match w.len() {
        6 => {
            (opq(w[0]) && d(w[1]) && an(w[2]) && an(w[3]) && an(w[4]) && d(w[5]))
                || (up(w[0]) && !opq(w[0]) && d(w[1]) && unit(&w[2..6]))
        }
        10 => up(w[0]) && !opq(w[0]) && d(w[1]) && unit(&w[2..6]) && unit(&w[6..10]),
        _ => false,
    }
}

/// The 'omic feature id a column or key names (the last segment of a key
/// path), with an optional version (`ENSG00000141510.12`) or isoform
/// (`P04637-2`) suffix: its kind and the bare id.
pub(super) fn omic_name(b: &[u8]) -> Option<(Matcher, &[u8])> {
    if b.len() < 6 {
        return None;
    }
    // The id is the last path segment, or the one before a numeric
    // version segment.
    let mut end = b.len();
    let mut start = b
        .iter()
        .rposition(|&c| c == b'.' || c == b'/')
        .map_or(0, |p| p + 1);
    if start > 0
        && start < end
        && b[start..end].iter().all(u8::is_ascii_digit)
        && b[start - 1] == b'.'
    {
        end = start - 1;
        start = b[..end]
            .iter()
            .rposition(|&c| c == b'.' || c == b'/')
            .map_or(0, |p| p + 1);
    }
    let mut id = &b[start..end];
    // A UniProt isoform suffix.
    if let Some(p) = id.iter().position(|&c| c == b'-') {
        if p + 1 == id.len() || !id[p + 1..].iter().all(u8::is_ascii_digit) {
            return None;
        }
        id = &id[..p];
    }
    Some((omic_kind(id)?, id))
}

/// The detector and feature digest of a column or key named for an 'omic
/// feature.
pub(super) fn omic_column(eng: &Engine, name: &str) -> Option<(u8, u64)> {
    let (m, id) = omic_name(name.as_bytes())?;
    let d = *eng.dets(m).first()?;
    Some((d, fnv(id)))
}

/// One feature of a record's 'omic profile. The detection fires once the
/// record holds the detector's systems-level number of distinct features
/// (`min_features`): one methylation probe is a routine clinical value, a
/// row of twenty or more is a profile.
pub(super) fn omic_feature(eng: &Engine, d: usize, f: u64, rec: &mut RecordHits) {
    rec.stateful = true;
    if rec.matched & bit(d) != 0 {
        return;
    }
    let d8 = d as u8;
    if rec.omic.contains(&(d8, f)) {
        return;
    }
    rec.omic.push((d8, f));
    let have = rec.omic.iter().filter(|&&(x, _)| x == d8).count();
    if have >= eng.detector(d).min_features {
        rec.omic.retain(|&(x, _)| x != d8);
        rec.push(d, b"systems-level profile");
    }
}

/// An 'omic feature id in text followed by its value (`cg00000029 0.53`,
/// `ENSG00000141510.12=5.2`): a list of ids without values is an
/// annotation, not a measurement of anyone.
fn try_omic_token(cx: &mut Cx<'_>, i: usize, wend: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let n = v.len();
    let w = &v[i..wend];
    if !matches!(w.len(), 6 | 10 | 15) {
        return None;
    }
    let m = omic_kind(w)?;
    let mut e = wend;
    if e + 1 < n && matches!(v[e], b'.' | b'-') && is_digit(v[e + 1]) {
        let mut k = e + 1;
        while k < n && is_digit(v[k]) {
            k += 1;
        }
        if k < n && is_alnum(v[k]) {
            return None;
        }
        e = k;
    }
    let mut k = e;
    while k < n && k - e < 3 && matches!(v[k], b' ' | b'\t' | b':' | b'=' | b',' | b';' | b'"') {
        k += 1;
    }
    let num_start = k < n
        && (is_digit(v[k]) || (matches!(v[k], b'-' | b'.') && k + 1 < n && is_digit(v[k + 1])));
    if k == e || !num_start {
        return None;
    }
    if let Some(d) = cx.pick(m, i, e, false) {
        omic_feature(cx.eng, d, fnv(w), rec);
    }
    Some(e)
}

/// An ICD-10-CM code (`E11.9`, `E119`, `S72.001A`) that is on the official
/// list, under diagnosis context.
fn try_icd10(cx: &mut Cx<'_>, i: usize, wend: usize, rec: &mut RecordHits) -> Option<usize> {
    let v = cx.v;
    let n = v.len();
    let w = &v[i..wend];
    if w.len() < 3
        || w.len() > 7
        || !w[0].is_ascii_alphabetic()
        || !(w[1].is_ascii_digit() || w[2].is_ascii_digit())
        || cx.eng.dets(Matcher::Icd10).is_empty()
    {
        return None;
    }
    let mut e = wend;
    if w.len() == 3 && e + 1 < n && v[e] == b'.' && is_alnum(v[e + 1]) {
        let mut k = e + 1;
        while k < n && is_alnum(v[k]) {
            k += 1;
        }
        e = k;
    }
    let code = &v[i..e];
    if !val::icd10cm_shape(code) {
        return None;
    }
    // Context first: without it the list (98,186 codes, unpacked on first
    // use, some ten milliseconds) need not be loaded or searched at all.
    let d = cx.pick(Matcher::Icd10, i, e, false)?;
    if !super::icd10::contains(code) {
        return None;
    }
    let mut buf = [0u8; 8];
    let mut k = 0;
    for &c in code {
        if c != b'.' && k < buf.len() {
            buf[k] = c.to_ascii_uppercase();
            k += 1;
        }
    }
    rec.push(d, &buf[..k]);
    Some(e)
}

/// Whether `w` is bases only (`A`, `C`, `G`, `T`, `N`, either case), at
/// least two of them distinct. A table load and an OR a byte, tested every
/// sixteen: a `match` per byte compiled to an indirect jump on the base,
/// mispredicted on nearly every base of a read (half of `token_at`'s time
/// in a people scan whose `sequence` column is 2% filled).
fn is_nucleotide_run(w: &[u8]) -> bool {
    let mut seen = 0u8;
    for part in w.chunks(16) {
        for &c in part {
            seen |= BASE_BITS[usize::from(c)];
        }
        if seen & NOT_BASE != 0 {
            return false;
        }
    }
    seen.count_ones() >= 2
}

/// A byte that is no base.
const NOT_BASE: u8 = 16;

/// Per byte: its base's bit (`A` 1, `C` 2, `G` 4, `T` 8, `N` none, either
/// case), or `NOT_BASE`.
static BASE_BITS: [u8; 256] = {
    let mut t = [NOT_BASE; 256];
    let bases: [(u8, u8); 5] = [(b'A', 1), (b'C', 2), (b'G', 4), (b'T', 8), (b'N', 0)];
    let mut k = 0;
    while k < bases.len() {
        let (b, bit) = bases[k];
        t[b as usize] = bit;
        t[b.to_ascii_lowercase() as usize] = bit;
        k += 1;
    }
    t
};

pub(crate) fn fnv(w: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &c in w {
        h ^= c.to_ascii_uppercase() as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

fn try_digits(
    cx: &mut Cx<'_>,
    i: usize,
    rec: &mut RecordHits,
    g: &mut Group,
    decimals: &mut Vec<(Coord, usize, usize)>,
) -> Option<usize> {
    let end = lex_group(cx.v, i, g)?;
    let g = &*g;
    if g.nd == 0 {
        return None;
    }
    if g.overflow {
        return Some(end);
    }
    if interpret(cx, g, 0, g.nr - 1, rec, decimals) {
        return Some(end);
    }
    // A group that means nothing whole may hold several values side by side
    // ("amount 12 4111 1111 1111 1111"): retry spans split at spaces. Not a
    // group printed as one card number (groups of four, or Amex/Diners
    // 4-6-5/4-6-4): one that fails its check digit is an invalid number,
    // and its first twelve digits are no Maestro card.
    let runs = |l: &[u8]| g.nr == l.len() && (0..g.nr).all(|k| g.runs[k].0 == l[k]);
    let card_layout = g.nr >= 3
        && (12..=19).contains(&g.nd)
        && (1..g.nr).all(|k| g.seps[k] == g.seps[1] && matches!(g.seps[1], b' ' | b'-'))
        && ((0..g.nr - 1).all(|k| g.runs[k].0 == 4) || runs(&[4, 6, 5]) || runs(&[4, 6, 4]));
    if g.nr > 1 && !card_layout {
        let mut a = 0;
        while a < g.nr {
            let mut found = false;
            if a == 0 || g.seps[a] == b' ' {
                for b in (a..g.nr).rev() {
                    if a == 0 && b == g.nr - 1 {
                        continue;
                    }
                    if b + 1 < g.nr && g.seps[b + 1] != b' ' {
                        continue;
                    }
                    if interpret(cx, g, a, b, rec, decimals) {
                        a = b + 1;
                        found = true;
                        break;
                    }
                }
            }
            if !found {
                a += 1;
            }
        }
    }
    Some(end)
}

/// Decides what a digit group is. Order matters where shapes overlap: an
/// IMEI under device context before a card, a formatted SSN before a phone,
/// and never two detections for one token.
fn interpret(
    cx: &mut Cx<'_>,
    g: &Group,
    a: usize,
    b: usize,
    rec: &mut RecordHits,
    decimals: &mut Vec<(Coord, usize, usize)>,
) -> bool {
    // Fewer than nine digits with no decimal point: only ids under a
    // keyword can match, and a keyword stands only in a value with letters,
    // in a column that is no field of its own, and beside the group (a
    // street number is none of these).
    if !g.ext
        && (a..=b).map(|k| g.runs[k].0 as usize).sum::<usize>() < 9
        && !(a + 1..=b).any(|k| g.seps[k] == b'.')
    {
        if !cx.letters {
            return false;
        }
        let (st, en) = g.span(a, b);
        if cx.gate {
            if !(cx.col.fields.is_empty() && cx.kw_possible(st, en)) {
                return false;
            }
            // Every shape below but the keyword ids needs nine digits or a
            // decimal point, and those need a keyword of the value naming
            // one of their detectors (a number in a log line: usually none).
            if cx.kw_candidates(Matcher::Digits) | cx.kw_candidates(Matcher::Token) == 0 {
                return false;
            }
        }
    }
    let s = Sub::of(cx.v, g, a, b);
    let d = s.digits();
    let (st, en) = (s.s, s.e);
    let nd = s.nd;
    let imei_form =
        nd == 15 && s.bare() && (s.nr == 1 || (s.lens_are(&[2, 6, 6, 1]) && s.uniform_sep(b"- ")));
    if imei_form && val::imei_valid(d) {
        let formatted = s.nr == 4;
        if let Some(det) = cx.pick(Matcher::Imei, st, en, !formatted) {
            rec.push(det, d);
            return true;
        }
    }
    if (19..=20).contains(&nd)
        && s.bare()
        && s.uniform_sep(b" -")
        && d.starts_with(b"89")
        && val::iccid_valid(d)
        && let Some(det) = cx.pick(Matcher::Iccid, st, en, false)
    {
        rec.push(det, d);
        return true;
    }
    if s.lens_are(&[3, 2, 4]) && s.bare() && s.uniform_sep(b"- ") {
        // Only the dashed form stands alone (SPEC 4: the undashed form
        // needs context); "Suite 680 36 4022 Oakridge Lane" is an address.
        let spaced = s.seps[1] == b' ';
        if val::itin_valid(d) {
            if let Some(det) = cx.pick(Matcher::Itin, st, en, spaced) {
                rec.push(det, d);
                return true;
            }
        } else if val::ssn_valid(d)
            && let Some(det) = cx.pick(Matcher::Ssn, st, en, spaced)
        {
            rec.push(det, d);
            return true;
        }
    }
    if (12..=19).contains(&nd)
        && s.bare()
        && (s.nr == 1 || (s.uniform_sep(b" -") && s.lens[..s.nr].iter().all(|&l| l >= 3)))
        && val::card_valid(d)
        && let Some(det) = cx.pick(Matcher::Card, st, en, false)
    {
        rec.push(det, d);
        return true;
    }
    // A phone starts its digit group: the tail of `21 259 240 8721` (a
    // Portuguese number) is not a U.S. phone.
    if a == 0
        && let Some((phone, formatted)) = phone_digits(&s)
        && val::nanp_valid(phone)
        && let Some(det) = cx.pick(
            Matcher::PhoneNanp,
            st,
            en,
            !(formatted || (g.ext && b + 1 == g.nr)),
        )
    {
        rec.push(det, phone);
        return true;
    }
    if nd == 9 && s.nr == 1 && s.bare() {
        // Bare nine digits: only context tells an SSN from an ITIN, a
        // routing number or an order number.
        if val::itin_valid(d)
            && let Some(det) = cx.pick(Matcher::Itin, st, en, true)
        {
            rec.push(det, d);
            return true;
        }
        if val::ssn_valid(d)
            && let Some(det) = cx.pick(Matcher::Ssn, st, en, true)
        {
            rec.push(det, d);
            return true;
        }
        if val::aba_valid(d)
            && let Some(det) = cx.pick(Matcher::AbaRouting, st, en, true)
        {
            rec.push(det, d);
            return true;
        }
    }
    if s.nr == 4 && s.bare() && s.uniform_sep(b".") && s.lens[..4].iter().all(|&l| l <= 3) {
        if val::ipv4_valid(&cx.v[st..en])
            && let Some(det) = cx.pick(Matcher::Ipv4, st, en, false)
        {
            rec.push(det, &cx.v[st..en]);
            return true;
        }
        return false;
    }
    if s.bare()
        && s.uniform_sep(b"-")
        && (s.lens_are(&[4, 4, 2])
            || s.lens_are(&[5, 3, 2])
            || s.lens_are(&[5, 4, 1])
            || s.lens_are(&[5, 4, 2])
            || s.lens_are(&[11]))
        && val::ndc_shape(&cx.v[st..en])
        && let Some(det) = cx.pick(Matcher::Ndc, st, en, true)
    {
        rec.push(det, d);
        return true;
    }
    if nd == 10
        && s.nr == 1
        && s.bare()
        && val::npi_valid(d)
        && let Some(det) = cx.pick(Matcher::Npi, st, en, true)
    {
        rec.push(det, d);
        return true;
    }
    if s.nr == 2 && s.seps[1] == b'.' && !s.plus && !s.paren {
        // Only a value with two decimals can hold a pair, so the number is
        // read then (a lone coordinate column was read once already).
        decimals.push((
            Coord {
                value: f64::NAN,
                decimals: 0,
            },
            st,
            en,
        ));
        return false;
    }
    // Digit ids under a keyword in free text (a column name is handled per
    // field, and a column recognised as a field of its own takes no
    // keyword-window ids): "account number 000123456789".
    if cx.col.fields.is_empty()
        && cx.kw_possible(st, en)
        && s.bare()
        && (s.nr == 1 || s.uniform_sep(b"- "))
    {
        let mut cand = cx.kw_candidates(Matcher::Digits);
        while cand != 0 {
            let det = cand.trailing_zeros() as usize;
            cand &= cand - 1;
            let dd = cx.eng.detector(det);
            if nd >= dd.min_len && nd <= dd.max_len && cx.kw_near(det, st, en) {
                push_value(rec, dd, det, d);
                return true;
            }
        }
        // Token ids that may be all digits: a 9-digit passport after
        // "passport", a driver's license after "DL".
        let mut cand = cx.kw_candidates(Matcher::Token);
        while cand != 0 {
            let det = cand.trailing_zeros() as usize;
            cand &= cand - 1;
            let dd = cx.eng.detector(det);
            if nd >= dd.min_len
                && nd <= dd.max_len
                && cx.kw_near(det, st, en)
                && shape_ok(dd.value, d)
            {
                push_value(rec, dd, det, d);
                return true;
            }
        }
    }
    false
}

/// The ten NANP digits of a phone-shaped group, and whether its format alone
/// says "phone" (a bare ten-digit run needs context).
fn phone_digits(s: &Sub) -> Option<(&[u8], bool)> {
    let d = s.digits();
    if s.neg {
        return None;
    }
    let seps = &s.seps[1..s.nr.max(1)];
    match (s.nd, s.nr) {
        (10, 3) if s.lens_are(&[3, 3, 4]) => {
            let ok = if s.paren {
                seps[0] == b')' && matches!(seps[1], b'-' | b' ' | b'.')
            } else {
                !s.plus && s.uniform_sep(b"-. ")
            };
            ok.then_some((d, true))
        }
        (11, 4) if s.lens_are(&[1, 3, 3, 4]) && d[0] == b'1' => {
            let ok = s.uniform_sep(b"-. ")
                || (seps[0] == b'(' && seps[1] == b')' && matches!(seps[2], b'-' | b' ' | b'.'));
            ok.then_some((&d[1..], true))
        }
        (11, 1) if d[0] == b'1' => Some((&d[1..], s.plus)),
        // 001 and ten digits: 00 is the international call prefix outside
        // NANP, so this is a U.S. number written for callers abroad.
        (13, 4) if s.lens_are(&[3, 3, 3, 4]) && d.starts_with(b"001") && !s.plus => {
            s.uniform_sep(b"-. ").then_some((&d[3..], true))
        }
        (10, 1) if !s.plus && !s.paren => Some((d, false)),
        _ => None,
    }
}

/// Pairs consecutive decimals in one value into a coordinate: under a
/// location column or a location keyword only, so `ratio=0.29,0.09` is not a
/// place.
fn pair_decimals(cx: &mut Cx<'_>, decs: &[(Coord, usize, usize)], rec: &mut RecordHits) {
    let Some(geo) = cx.eng.geo_pair_det() else {
        return;
    };
    let order = match cx.col.geo {
        super::GeoRole::PairLonLat => Some(false),
        super::GeoRole::PairLatLon => Some(true),
        _ => None,
    };
    let mut k = 0;
    while k + 1 < decs.len() {
        let (c1, s1, e1) = decs[k];
        let (c2, s2, e2) = decs[k + 1];
        let gap = &cx.v[e1..s2];
        let tight = gap.len() <= 12 && !gap.iter().any(|b| b.is_ascii_digit());
        if tight {
            let lat_first = match order {
                Some(o) => Some(o),
                None => cx.has_ctx(geo, s1, e2).then_some(true),
            };
            if let Some(lat_first) = lat_first {
                let (la, lo) = if lat_first { (c1, c2) } else { (c2, c1) };
                cx.eng.geo_point(la, lo, rec);
                k += 2;
                continue;
            }
        }
        k += 1;
    }
}

/// A degrees-minutes-seconds pair: `40°26'46"N 79°58'56"W`. The format is
/// distinctive enough to need no keyword.
fn dms_pair(eng: &Engine, v: &[u8], rec: &mut RecordHits) {
    let hemi = |set: &[u8], from: usize| -> Option<usize> {
        (from..v.len()).find(|&k| {
            set.contains(&v[k])
                && k > 0
                && (is_digit(v[k - 1]) || matches!(v[k - 1], b'"' | b'\'' | b' ' | 0xB0))
                && (k + 1 == v.len() || !v[k + 1].is_ascii_alphabetic())
        })
    };
    let Some(ns) = hemi(b"NSns", 0) else { return };
    let Some(ew) = hemi(b"EWew", ns + 1) else {
        return;
    };
    let lat_start = v[..ns]
        .iter()
        .rposition(|b| !(is_digit(*b) || b" .'\"dms".contains(b) || *b == 0xC2 || *b == 0xB0))
        .map_or(0, |p| p + 1);
    let (Some((lat, lat_cell)), Some((lon, lon_cell))) = (
        val::parse_dms(trim_sep(&v[lat_start..=ns])),
        val::parse_dms(trim_sep(&v[ns + 1..=ew])),
    ) else {
        return;
    };
    if !val::lat_valid(lat) || !val::lon_valid(lon) {
        return;
    }
    if crate::identity::us_territory(lat, lon) {
        rec.us_evidence = true;
    }
    let ns_m = lat_cell * 111_320.0;
    let ew_m = lon_cell * 111_320.0 * lat.to_radians().cos();
    if ns_m.max(ew_m) <= 1000.0 {
        eng.push_point(super::Point { lat, lon }, rec);
    }
}

fn trim_sep(v: &[u8]) -> &[u8] {
    let v = super::trim(v);
    let s = v
        .iter()
        .position(|b| !matches!(b, b',' | b';' | b'/'))
        .unwrap_or(v.len());
    super::trim(&v[s..])
}

/// A field recogniser: the column name said what the value is; the value
/// must only look like one.
/// `plain`: set when the field's shape found the value to be plain words
/// (`plain_words`, from the masks it computed for an address), which the
/// walk's word gate ends under a field's column: `scan_trimmed` skips the
/// walk, which computed the masks again.
pub(super) fn field_detector(
    eng: &Engine,
    d: usize,
    v: &[u8],
    plain: &mut bool,
    rec: &mut RecordHits,
) {
    let det = eng.detector(d);
    match det.matcher {
        Matcher::Digits => {
            let mut buf = [0u8; 64];
            let mut n = 0;
            for &c in v {
                if is_digit(c) {
                    if n == buf.len() {
                        return;
                    }
                    buf[n] = c;
                    n += 1;
                } else if !matches!(c, b'-' | b' ') {
                    return;
                }
            }
            if n >= det.min_len && n <= det.max_len && !buf[..n].iter().all(|&c| c == b'0') {
                push_value(rec, det, d, &buf[..n]);
            }
        }
        // An opaque id: no spaces, the punctuation ids and cookie values
        // use.
        Matcher::Token
            if v.len() >= det.min_len
                && v.len() <= det.max_len
                && v.iter()
                    .all(|&c| is_alnum(c) || b"-_.@%=+/:|~*".contains(&c))
                && shape_ok(det.value, v) =>
        {
            push_value(rec, det, d, v);
        }
        Matcher::Geohash if v.len() >= det.min_len.max(1) => {
            let mut lower = [0u8; 256];
            let l = lower_into(v, &mut lower);
            if let Some((nsm, ewm)) = val::geohash_cell_m(l)
                && nsm.max(ewm) <= 1000.0
            {
                rec.push(d, l);
                // The cell's centre stands for the point: geofences and
                // U.S. evidence see a geohash like a coordinate pair.
                if let Some((lat, lon)) = val::geohash_center(l) {
                    if crate::identity::us_territory(lat, lon) {
                        rec.us_evidence = true;
                    }
                    rec.stateful = true;
                    if rec.points.len() < 16 {
                        rec.points.push(super::Point { lat, lon });
                    }
                }
            }
        }
        Matcher::Field if shape_ok_keeping(det.value, v, plain) => {
            if det.digest {
                push_value(rec, det, d, v);
            } else {
                rec.push_lower(d, v);
            }
        }
        _ => {}
    }
}

/// Records a detection: the value itself, or only its digest for a
/// detector that must never keep values (passwords, PINs, templates).
fn push_value(rec: &mut RecordHits, det: &super::Detector, d: usize, v: &[u8]) {
    if det.digest {
        rec.push(d, &fnv(v).to_le_bytes());
    } else {
        rec.push(d, v);
    }
}

/// A plain number: sign, digits, optional fraction and exponent (`0.53`,
/// `-1.2e-3`, `12`). The value of an 'omic feature column.
pub(super) fn is_number(v: &[u8]) -> bool {
    let mut i = 0;
    let n = v.len();
    if i < n && matches!(v[i], b'+' | b'-') {
        i += 1;
    }
    let s = i;
    while i < n && is_digit(v[i]) {
        i += 1;
    }
    let mut nd = i - s;
    if i < n && v[i] == b'.' {
        i += 1;
        let f = i;
        while i < n && is_digit(v[i]) {
            i += 1;
        }
        nd += i - f;
    }
    if nd == 0 {
        return false;
    }
    if i < n && matches!(v[i], b'e' | b'E') {
        i += 1;
        if i < n && matches!(v[i], b'+' | b'-') {
            i += 1;
        }
        let x = i;
        while i < n && is_digit(v[i]) {
            i += 1;
        }
        if i == x {
            return false;
        }
    }
    i == n
}

/// The value without the separators people type inside ids (`-`, ` `),
/// into `buf`; None when it does not fit.
fn compact<'b>(v: &[u8], buf: &'b mut [u8; 24]) -> Option<&'b [u8]> {
    let mut n = 0;
    for &c in v {
        if matches!(c, b'-' | b' ') {
            continue;
        }
        if n == buf.len() {
            return None;
        }
        buf[n] = c;
        n += 1;
    }
    Some(&buf[..n])
}

pub(super) fn regex_detector(
    eng: &Engine,
    col: &ColumnCtx,
    d: usize,
    v: &[u8],
    rec: &mut RecordHits,
) {
    let det = eng.detector(d);
    let Some(re) = &det.regex else { return };
    let mut cx = Cx {
        eng,
        col,
        v,
        kw_ready: false,
        kw_any: 0,
        letters: true,
        colon: true,
        gate: true,
        short_ids: 0,
    };
    if col.veto & bit(d) != 0 {
        return;
    }
    for m in re.0.find_iter(v) {
        if det.validator.is_some_and(|val| !val.check(m.as_bytes())) {
            continue;
        }
        if det.needs_context && !cx.has_ctx(d, m.start(), m.end()) {
            continue;
        }
        rec.push(d, m.as_bytes());
    }
}

pub(crate) fn shape_ok(shape: ValueShape, v: &[u8]) -> bool {
    shape_ok_keeping(shape, v, &mut false)
}

/// `shape_ok`, setting `plain` to `plain_words(v)` where it computes the
/// masks that answers from (an address).
fn shape_ok_keeping(shape: ValueShape, v: &[u8], plain: &mut bool) -> bool {
    match shape {
        ValueShape::Any => true,
        ValueShape::Name => {
            // One pass (every cell of a name column pays it): a letter, at
            // most two digits, no `@`.
            if v.len() > 120 {
                return false;
            }
            let (mut letter, mut digits) = (false, 0);
            for &b in v {
                letter |= b.is_ascii_alphabetic() || b >= 0x80;
                digits += b.is_ascii_digit() as usize;
                if b == b'@' {
                    return false;
                }
            }
            letter && digits <= 2
        }
        ValueShape::Date => parse_date(v).is_some(),
        ValueShape::Zip => val::zip_shape(v),
        ValueShape::Address => {
            // Every cell of an address column (unique values, not memoised)
            // pays this: up to 32 bytes from bit masks, as `plain_words`.
            #[cfg(target_arch = "x86_64")]
            if (5..=32).contains(&v.len()) {
                let (digit, alpha, space) = word_masks::sse2(v);
                *plain = plain_word_masks(v.len(), digit, alpha, space);
                return digit != 0 && alpha.count_ones() >= 2;
            }
            v.len() >= 5
                && v.iter().any(|b| b.is_ascii_digit())
                && v.iter()
                    .filter(|b| b.is_ascii_alphabetic())
                    .nth(1)
                    .is_some()
        }
        ValueShape::Number => val::parse_decimal_degree(v).is_some(),
        ValueShape::Vector => {
            let mut count = 0;
            for part in v.split(|b| matches!(b, b',' | b';' | b' ' | b'[' | b']' | b'\t')) {
                if part.is_empty() {
                    continue;
                }
                let is_num = part
                    .iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
                    && part.iter().any(|b| b.is_ascii_digit());
                if !is_num {
                    return false;
                }
                count += 1;
            }
            count >= 16
        }
        ValueShape::Quantity => {
            if v.len() > 48 {
                return false;
            }
            // A sign, bracket or currency symbol (UTF-8 for the euro, pound
            // and yen signs) may come first.
            let mut k = 0;
            while k < v.len() && k < 4 && (b"+-($~<>".contains(&v[k]) || v[k] >= 0x80) {
                k += 1;
            }
            k < v.len() && v[k].is_ascii_digit()
        }
        ValueShape::Binary => {
            let data_uri = v.len() > 16
                && v[..5].eq_ignore_ascii_case(b"data:")
                && memchr::memmem::find(&v[..v.len().min(100)], b";base64,").is_some();
            data_uri
                || (v.len() >= 200
                    && v.iter().all(|&b| {
                        is_alnum(b) || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'\n' | b'\r')
                    }))
        }
        ValueShape::Secret => {
            const NOT: &[&[u8]] = &[
                b"true", b"false", b"yes", b"no", b"set", b"unset", b"hidden",
            ];
            (4..=512).contains(&v.len())
                && !NOT.iter().any(|x| x.eq_ignore_ascii_case(v))
                && !v.iter().all(|&b| b == v[0])
        }
        ValueShape::UsPassport => {
            let mut b = [0u8; 24];
            compact(v, &mut b).is_some_and(val::us_passport_shape)
        }
        ValueShape::AlienNumber => {
            let mut b = [0u8; 24];
            compact(v, &mut b).is_some_and(|c| {
                val::alien_number_shape(c)
                    && !c.iter().filter(|x| x.is_ascii_digit()).all(|&x| x == b'0')
            })
        }
        ValueShape::Handle => {
            const STATUS: &[&[u8]] = &[
                b"true",
                b"false",
                b"yes",
                b"no",
                b"y",
                b"n",
                b"ok",
                b"success",
                b"succeeded",
                b"failed",
                b"failure",
                b"error",
                b"pending",
                b"active",
                b"inactive",
                b"enabled",
                b"disabled",
                b"locked",
                b"anonymous",
                b"guest",
            ];
            v.iter().any(|b| b.is_ascii_alphabetic())
                && !STATUS.iter().any(|x| x.eq_ignore_ascii_case(v))
                && parse_date(v).is_none()
                && !(v.len() >= 8 && v[..4].iter().all(u8::is_ascii_digit) && v[4] == b'-')
        }
        ValueShape::Clinical => !val::icd10cm_shape(v) || super::icd10::contains(v),
        ValueShape::DriversLicense => {
            let mut b = [0u8; 24];
            compact(v, &mut b).is_some_and(val::drivers_license_shape)
        }
    }
}

/// A calendar date in the forms data sets use: ISO `1980-03-12` (with a
/// time after it), U.S. `03/12/1980`, compact `19800312`, and month names
/// (`12 Mar 1980`, `March 12, 1980`). Returns (year, month, day).
pub fn parse_date(v: &[u8]) -> Option<(u32, u32, u32)> {
    let n = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
    // ISO `1980-03-12`, the form most date columns hold, read in place.
    let (iso, us) = match <&[u8; 10]>::try_from(v) {
        Ok(t) => val::date10_digits(t),
        Err(_) => (false, false),
    };
    if let Ok(t) = <&[u8; 10]>::try_from(v)
        && iso
        && t[4] == b'-'
        && t[7] == b'-'
    {
        let (y, m, d) = iso_ymd(t);
        return date_ok(y, m, d).then_some((y, m, d));
    }
    // U.S. `03/12/1980` (or day first when the first number is past 12),
    // one separator throughout: the general parser's reading, in place.
    if let &[a0, a1, s1, b0, b1, s2, y0, y1, y2, y3] = v
        && s1 == s2
        && matches!(s1, b'/' | b'-' | b'.')
        && us
    {
        let (a, b, y) = (n(a0, a1), n(b0, b1), n(y0, y1) * 100 + n(y2, y3));
        let (m, d) = if a <= 12 { (a, b) } else { (b, a) };
        return date_ok(y, m, d).then_some((y, m, d));
    }
    parse_date_general(v)
}

/// The year, month and day of `YYYY-MM-DD` whose digit places hold
/// digits: the first eight bytes as one word, each byte's low four bits
/// its digit, and each byte plus ten times the one before it in one
/// multiply (no byte passes 15 * 10 + 15, so none carries into the next):
/// the year's two halves and the month are then bytes 0, 2 and 5. Digit
/// by digit it was some 45 instructions of a birth date's 105.
#[inline]
fn iso_ymd(t: &[u8; 10]) -> (u32, u32, u32) {
    let d = u64::from_le_bytes(t[..8].try_into().unwrap()) & 0x0f0f_0f0f_0f0f_0f0f;
    let pairs = d * 10 + (d >> 8);
    let byte = |k: u32| (pairs >> (8 * k)) as u32 & 0xff;
    let day = u32::from(t[8] & 0x0f) * 10 + u32::from(t[9] & 0x0f);
    (byte(0) * 100 + byte(2), byte(5), day)
}

fn date_ok(y: u32, m: u32, d: u32) -> bool {
    (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
}

/// Every form `parse_date` reads; its ISO fast path must agree with this.
/// Out of line: inlined, its registers cost the ISO path six saves and
/// restores a call.
#[inline(never)]
pub(super) fn parse_date_general(v: &[u8]) -> Option<(u32, u32, u32)> {
    let v = super::trim(v);
    let v = match v.iter().position(|&b| b == b'T' || b == b' ') {
        Some(p)
            if p >= 8
                && v[..p]
                    .iter()
                    .all(|b| b.is_ascii_digit() || b"-/.".contains(b)) =>
        {
            &v[..p]
        }
        _ => v,
    };
    let mut nums: [u32; 3] = [0; 3];
    let mut lens: [usize; 3] = [0; 3];
    let mut nn = 0;
    let mut month_name = 0u32;
    let mut i = 0;
    while i < v.len() {
        let c = v[i];
        if c.is_ascii_digit() {
            let s = i;
            let mut x: u32 = 0;
            while i < v.len() && v[i].is_ascii_digit() {
                x = x.saturating_mul(10).saturating_add((v[i] - b'0') as u32);
                i += 1;
            }
            if nn == 3 {
                return None;
            }
            nums[nn] = x;
            lens[nn] = i - s;
            nn += 1;
        } else if c.is_ascii_alphabetic() {
            let s = i;
            while i < v.len() && v[i].is_ascii_alphabetic() {
                i += 1;
            }
            let w = &v[s..i];
            const M: [&str; 12] = [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            let m = M
                .iter()
                .position(|m| w.len() >= 3 && w[..3].eq_ignore_ascii_case(m.as_bytes()))?;
            if month_name != 0 {
                return None;
            }
            month_name = m as u32 + 1;
        } else if matches!(c, b'-' | b'/' | b'.' | b',' | b' ') {
            i += 1;
        } else {
            return None;
        }
    }
    let (y, m, d) = if month_name != 0 {
        if nn != 2 {
            return None;
        }
        let (a, b) = (nums[0], nums[1]);
        if lens[1] == 4 {
            (b, month_name, a)
        } else if lens[0] == 4 {
            (a, month_name, b)
        } else {
            return None;
        }
    } else if nn == 1 && lens[0] == 8 {
        let x = nums[0];
        (x / 10000, (x / 100) % 100, x % 100)
    } else if nn == 3 {
        if lens[0] == 4 {
            (nums[0], nums[1], nums[2])
        } else if lens[2] == 4 {
            // U.S. order first; a day-first date whose day exceeds 12 also
            // parses.
            if nums[0] <= 12 {
                (nums[2], nums[0], nums[1])
            } else {
                (nums[2], nums[1], nums[0])
            }
        } else {
            return None;
        }
    } else {
        return None;
    };
    date_ok(y, m, d).then_some((y, m, d))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The class table answers as the standard library does, every byte.
    #[test]
    fn byte_classes_agree_with_std() {
        for b in 0..=255u8 {
            assert_eq!(is_alnum(b), b.is_ascii_alphanumeric(), "{b:#x}");
            assert_eq!(
                BYTE_CLASS[b as usize] & C_DIGIT != 0,
                b.is_ascii_digit(),
                "{b:#x}"
            );
            assert_eq!(
                BYTE_CLASS[b as usize] & C_ALPHA != 0,
                b.is_ascii_alphabetic(),
                "{b:#x}"
            );
        }
    }

    /// A walk's context over `v`, keywords not yet looked up, as the
    /// token tests see it.
    fn walk_cx<'a>(eng: &'a Engine, col: &'a ColumnCtx, v: &'a [u8], colon: bool) -> Cx<'a> {
        Cx {
            eng,
            col,
            v,
            kw_ready: false,
            kw_any: 0,
            letters: true,
            colon,
            gate: true,
            short_ids: 0,
        }
    }

    /// What a record was given: each detection's detector and value.
    fn detections_of(r: &RecordHits) -> Vec<(u8, Vec<u8>)> {
        r.hits
            .iter()
            .map(|h| (h.det, r.value(h).to_vec()))
            .collect()
    }

    /// The IBAN test as first written, the compact form gathered a byte at
    /// a time like the print form: `try_iban` must answer as it does.
    fn try_iban_plain(cx: &mut Cx<'_>, i: usize, rec: &mut RecordHits) -> Option<usize> {
        let v = cx.v;
        let n = v.len();
        let lower = v[i].is_ascii_lowercase();
        if i + 15 > n
            || !(if lower {
                v[i + 1].is_ascii_lowercase()
            } else {
                v[i + 1].is_ascii_uppercase()
            })
            || !is_digit(v[i + 2])
            || !is_digit(v[i + 3])
            || cx.eng.dets(Matcher::Iban).is_empty()
        {
            return None;
        }
        let mut buf = [0u8; 34];
        let mut len = 0;
        let mut ends: [(usize, usize); 10] = [(0, 0); 10];
        let mut ng = 0;
        let mut j = i;
        loop {
            let gs = j;
            while j < n && is_alnum(v[j]) && len < 34 {
                buf[len] = v[j].to_ascii_uppercase();
                len += 1;
                j += 1;
            }
            if j < n && is_alnum(v[j]) {
                return None;
            }
            if ng < ends.len() {
                ends[ng] = (j, len);
                ng += 1;
            }
            if j - gs == 4 && j + 1 < n && v[j] == b' ' && is_alnum(v[j + 1]) && len < 34 {
                j += 1;
                continue;
            }
            break;
        }
        for k in (0..ng).rev() {
            let (e, l) = ends[k];
            if l >= 15 && val::iban_valid(&buf[..l]) {
                if let Some(d) = cx.pick(Matcher::Iban, i, e, lower) {
                    rec.push(d, &buf[..l]);
                }
                return Some(e);
            }
        }
        if !lower {
            for k in (0..ng).rev() {
                let (e, l) = ends[k];
                if val::iban_length(&buf[..2]) == Some(l) {
                    return Some(e);
                }
            }
        }
        None
    }

    /// The MAC test as first written: a test and a branch per byte, then
    /// `val::mac_valid`, then a copy. `try_mac` must answer as it does.
    fn try_mac_plain(cx: &mut Cx<'_>, i: usize, rec: &mut RecordHits) -> Option<usize> {
        let v = cx.v;
        let n = v.len();
        let (len, ok) = if i + 17 <= n && matches!(v[i + 2], b':' | b'-') {
            let sep = v[i + 2];
            let ok = (0..6).all(|k| is_hex(v[i + 3 * k]) && is_hex(v[i + 3 * k + 1]))
                && (1..6).all(|k| v[i + 3 * k - 1] == sep);
            (17, ok)
        } else if i + 14 <= n && v[i + 4] == b'.' && v[i + 9] == b'.' {
            let ok = (0..14).all(|k| k == 4 || k == 9 || is_hex(v[i + k]));
            (14, ok)
        } else {
            return None;
        };
        let e = i + len;
        if !ok || (e < n && (is_alnum(v[e]) || matches!(v[e], b':' | b'-'))) {
            return None;
        }
        if !val::mac_valid(&v[i..e]) {
            return Some(e);
        }
        if let Some(d) = cx.pick(Matcher::Mac, i, e, false) {
            let mut buf = [0u8; 17];
            let mut k = 0;
            for &c in &v[i..e] {
                if is_hex(c) {
                    if k > 0 && k % 3 == 2 {
                        buf[k] = b':';
                        k += 1;
                    }
                    buf[k] = c.to_ascii_lowercase();
                    k += 1;
                }
            }
            rec.push(d, &buf[..k]);
        }
        Some(e)
    }

    fn engine() -> &'static Engine {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        E.get_or_init(Engine::builtin)
    }

    /// `cached_number` answers only from the value's own layout: a slot
    /// holding another template of the same length (a collision of the
    /// direct-mapped cache) sends the value to the scan, where reading it
    /// through the other layout would take the wrong bytes for digits or
    /// separators. Tried on every pair of these numbers (phones, SSNs,
    /// cards, with separators moved about) that shares a slot, and on each
    /// number's twins with another printable byte for one of its bytes
    /// (`212a555-0123`, `2120555-0123`) that share its slot.
    #[test]
    fn cached_number_needs_its_own_layout() {
        let e = engine();
        let digits: [&[u8]; 4] = [
            b"2125550123",
            b"078051120",
            b"4111111111111111",
            b"12125550123",
        ];
        let mut forms: Vec<Vec<u8>> = Vec::new();
        for d in digits {
            for sep in [b'-', b'.', b' '] {
                for i in 1..d.len() {
                    for j in i..d.len() {
                        let mut out = Vec::new();
                        for (k, &c) in d.iter().enumerate() {
                            if k == i || k == j {
                                out.push(sep);
                            }
                            out.push(c);
                        }
                        forms.push(out);
                    }
                }
            }
        }
        let slot = |v: &[u8]| layout_slot(&template_key(v), v.len());
        let mut pairs: Vec<(&[u8], Vec<u8>)> = Vec::new();
        for a in &forms {
            pairs.extend(
                forms
                    .iter()
                    .filter(|b| b.len() == a.len() && slot(b) == slot(a))
                    .map(|b| (&a[..], b.clone())),
            );
            for k in 0..a.len() {
                for other in (b'!'..=b'~').filter(|&o| o != a[k]) {
                    let mut twin = a.clone();
                    twin[k] = other;
                    if slot(&twin) == slot(a) {
                        pairs.push((a, twin));
                    }
                }
            }
        }
        let hits = |r: &RecordHits| -> Vec<(u8, Vec<u8>)> {
            r.hits
                .iter()
                .map(|h| (h.det, r.value(h).to_vec()))
                .collect()
        };
        let (mut crossed, mut twins) = (0, 0);
        for col in ["phone", "ssn", "card_number"] {
            let col = e.column_ctx(col);
            assert!(e.direct_numbers(&col));
            for (a, b) in &pairs {
                let mut warm = RecordHits::default();
                scan_tokens(e, &col, a, &mut warm);
                let sc = warm.lex.as_deref().unwrap();
                let mut whole = RecordHits::default();
                scan_tokens(e, &col, b, &mut whole);
                let mut rec = RecordHits::default();
                let why = || {
                    format!(
                        "{:?} after {:?}",
                        String::from_utf8_lossy(b),
                        String::from_utf8_lossy(a)
                    )
                };
                if cached_number(&NumberPicks::of(e, &col), b, sc, &mut rec) {
                    assert_eq!(hits(&rec), hits(&whole), "{}", why());
                } else {
                    assert!(rec.hits.is_empty(), "{}", why());
                }
                crossed += usize::from(template_key(a) != template_key(b));
                twins += usize::from(
                    template_key(a) != template_key(b)
                        && b.iter().filter(|c| !c.is_ascii_digit()).count()
                            != a.iter().filter(|c| !c.is_ascii_digit()).count(),
                );
            }
        }
        assert!(
            crossed > 1000 && twins > 100,
            "{crossed} crossed, {twins} twins"
        );
    }

    /// A column's number picks are its `pick_by_column` answers, for every
    /// matcher and context `decide` asks about.
    #[test]
    fn number_picks_answer_as_pick_by_column() {
        let e = engine();
        // Every slot is asked about once.
        let mut slots: Vec<usize> = NumberPicks::ASKED
            .iter()
            .map(|&(m, force)| NumberPicks::slot(m, force))
            .collect();
        slots.sort_unstable();
        assert_eq!(slots, (0..NumberPicks::SLOTS).collect::<Vec<_>>());
        let mut found = 0;
        for name in [
            "",
            "ssn",
            "itin",
            "order_id",
            "phone",
            "card_number",
            "imei",
            "routing",
            "ip_address",
            "customer_id",
        ] {
            let col = if name.is_empty() {
                ColumnCtx::text()
            } else {
                e.column_ctx(name)
            };
            let picks = NumberPicks::of(e, &col);
            for (m, force) in NumberPicks::ASKED {
                let want = pick_by_column(e, &col, m, force);
                assert_eq!(picks.get(m, force), want, "{name} {m:?} {force}");
                found += usize::from(want.is_some());
            }
        }
        assert!(found > 0);
    }

    /// Where no keyword can stand beside a candidate, the column's masks
    /// answer what `pick`'s walk over the matcher's detectors answers: for
    /// every matcher of the catalog, column and forced context, for a whole
    /// value and a part of a value without letters.
    #[test]
    fn pick_by_column_answers_as_pick() {
        let e = engine();
        let mut matchers: Vec<Matcher> = Vec::new();
        for d in 0..e.len() {
            if !matchers.contains(&e.detector(d).matcher) {
                matchers.push(e.detector(d).matcher);
            }
        }
        let columns = [
            "",
            "ssn",
            "itin",
            "order_id",
            "phone",
            "fax",
            "card_number",
            "iban",
            "email",
            "imei",
            "mac",
            "device_id",
            "routing",
            "account number",
            "passport",
            "license",
            "npi",
            "ndc",
            "diagnosis",
            "mbi",
            "notes",
            "ip_address",
            "customer_id",
            "zip",
        ];
        let (mut tried, mut found) = (0, 0);
        for name in columns {
            let col = if name.is_empty() {
                ColumnCtx::text()
            } else {
                e.column_ctx(name)
            };
            // Values without letters, and the whole of one with keywords
            // (a candidate that is the whole value leaves no room for one).
            let spans = |v: &[u8]| [(0, v.len()), (4, 11)];
            for (v, letters, spans) in [
                (&b"123-45-6789"[..], false, &spans(b"123-45-6789")[..]),
                (b"123 456 7890 555", false, &spans(b"123 456 7890 555")[..]),
                (b"ssn email phone medicare", true, &[(0, 24)][..]),
            ] {
                for &m in &matchers {
                    for force in [false, true] {
                        for &(s, end) in spans {
                            let mut cx = Cx {
                                eng: e,
                                col: &col,
                                v,
                                kw_ready: false,
                                kw_any: 0,
                                letters,
                                colon: false,
                                gate: true,
                                short_ids: 0,
                            };
                            let walk = cx.pick(m, s, end, force);
                            assert_eq!(
                                pick_by_column(e, &col, m, force),
                                walk,
                                "{name} {m:?} {force}"
                            );
                            tried += 1;
                            found += usize::from(walk.is_some());
                        }
                    }
                }
            }
        }
        // Both answers are exercised.
        assert!(found > 50 && tried - found > 50, "{found} of {tried}");
    }

    /// A value with every ASCII digit read as `0`, byte by byte.
    fn template(v: &[u8]) -> Vec<u8> {
        v.iter()
            .map(|&b| if b.is_ascii_digit() { b'0' } else { b })
            .collect()
    }

    fn layout_fields(l: &Layout) -> String {
        let r = l.nr as usize;
        format!(
            "{} {} {} {} {} {:?} {:?} {:?} {:?}",
            l.ok,
            l.nd,
            l.nr,
            l.plus,
            l.paren,
            &l.lens[..r],
            &l.d0[..r],
            &l.rs[..r],
            &l.seps[..r]
        )
    }

    proptest::proptest! {
        /// The table's test of a nucleotide run answers as a test of each
        /// byte: runs of bases in either case with any byte put in, at
        /// any length across the sixteen-byte steps.
        #[test]
        fn nucleotide_runs_by_table(
            w in proptest::collection::vec(
                proptest::prop_oneof![
                    8 => proptest::sample::select(b"ACGTNacgtn".to_vec()),
                    1 => proptest::num::u8::ANY,
                ],
                0..70,
            ),
        ) {
            let by_byte = |w: &[u8]| {
                let mut seen = 0u8;
                for &c in w {
                    seen |= match c {
                        b'A' | b'a' => 1,
                        b'C' | b'c' => 2,
                        b'G' | b'g' => 4,
                        b'T' | b't' => 8,
                        b'N' | b'n' => 0,
                        _ => return false,
                    };
                }
                seen.count_ones() >= 2
            };
            proptest::prop_assert_eq!(is_nucleotide_run(&w), by_byte(&w));
        }

        /// The lane test of a UUID's form answers as a test of each byte:
        /// UUIDs with any byte changed (to a hex digit of either case, a
        /// dash, a letter past `f`, `:`, `/`, `@`, `` ` ``, `G` or any byte),
        /// and bytes drawn at random.
        #[test]
        fn uuid_shape_tests_each_byte(
            id in proptest::array::uniform16(proptest::num::u8::ANY),
            at in proptest::collection::vec(0usize..36, 0..3),
            to in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"09afAF-gG:/@`\x7F\x80\xC0".to_vec()),
                    proptest::num::u8::ANY,
                ],
                3,
            ),
            random in proptest::collection::vec(
                proptest::sample::select(b"0123456789abcdefABCDEF-gz:".to_vec()),
                36,
            ),
        ) {
            let mut u = [0u8; 36];
            let hex = b"0123456789abcdef";
            let mut k = 0;
            for (j, b) in u.iter_mut().enumerate() {
                *b = if matches!(j, 8 | 13 | 18 | 23) {
                    b'-'
                } else {
                    k += 1;
                    hex[usize::from(id[(k - 1) / 2] >> (4 * (k % 2)) & 15)]
                };
            }
            for (&j, &c) in at.iter().zip(&to) {
                u[j] = c;
            }
            let by_byte = |u: &[u8; 36]| {
                (0..36).all(|k| {
                    if matches!(k, 8 | 13 | 18 | 23) {
                        u[k] == b'-'
                    } else {
                        u[k].is_ascii_hexdigit()
                    }
                })
            };
            proptest::prop_assert_eq!(uuid_shape(&u), by_byte(&u), "{:?}", String::from_utf8_lossy(&u));
            let r: [u8; 36] = random.try_into().unwrap();
            proptest::prop_assert_eq!(uuid_shape(&r), by_byte(&r), "{:?}", String::from_utf8_lossy(&r));
        }

        /// Two values share a layout key exactly when they share a
        /// template, and values of one template lex alike: digits swapped
        /// for others change neither, and any other byte changed changes
        /// the key. Bytes are drawn from the separators and marks the lexer
        /// reads and from any byte at all.
        #[test]
        fn one_template_one_layout(
            v in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"0123456789 .()+-/x:e".to_vec()),
                    proptest::num::u8::ANY,
                ],
                9..=24,
            ),
            digits in proptest::collection::vec(0u8..10, 24),
            at in 0usize..24,
            other in proptest::num::u8::ANY,
        ) {
            let n = v.len();
            let key = template_key(&v);
            let mut w = v.clone();
            for (b, d) in w.iter_mut().zip(&digits) {
                if b.is_ascii_digit() {
                    *b = b'0' + d;
                }
            }
            proptest::prop_assert_eq!(key, template_key(&w));
            let mut g = Group::empty();
            proptest::prop_assert_eq!(
                layout_fields(&Layout::of(&v, key, &mut g)),
                layout_fields(&Layout::of(&w, key, &mut g))
            );
            let mut x = v.clone();
            x[at % n] = other;
            proptest::prop_assert_eq!(
                template_key(&x) == key,
                template(&x) == template(&v),
                "{:?} {:?}", v, x
            );
        }

        /// The word-wise run end is the byte loop's, from every offset of
        /// any bytes (letters, digits, their neighbours in ASCII, bytes
        /// past 0x7F).
        #[test]
        fn alnum_end_is_the_byte_loop(
            v in proptest::collection::vec(proptest::prop_oneof![
                b'0'..=b'9', b'a'..=b'z', b'A'..=b'Z',
                proptest::sample::select(vec![b'/', b':', b'@', b'[', b'`', b'{', b' ', 0x80, 0xC1, 0xDA, 0xFA]),
                proptest::num::u8::ANY,
            ], 0..40),
        ) {
            for i in 0..=v.len() {
                let mut want = i;
                while want < v.len() && is_alnum(v[want]) {
                    want += 1;
                }
                proptest::prop_assert_eq!(alnum_end(&v, i), want, "{} {:?}", i, v);
            }
        }

        /// The word test for a colon in reach of an IPv6 group answers as
        /// the search over those bytes, near colons and their neighbours.
        #[test]
        fn colon_within_five_is_the_search(
            v in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(vec![b':', b'9', b';', b'a', 0xBA]),
                proptest::num::u8::ANY,
            ], 0..20),
        ) {
            for i in 0..v.len() {
                let want = v[i..v.len().min(i + 5)].contains(&b':');
                proptest::prop_assert_eq!(colon_within_five(&v, i), want, "{} {:?}", i, v);
            }
        }

        /// `try_iban` finds what the plain test finds, at every offset
        /// that starts a letter-led run (as `token_at` asks), on valid and
        /// corrupted IBANs in compact and print form, in either case, cut
        /// or run on, beside other runs, in an IBAN column and in text.
        #[test]
        fn iban_test_answers_as_the_plain_one(
            iban in proptest::sample::select(vec![
                "GB82WEST12345698765432", "DE89370400440532013000", "NO9386011117947",
                "MT84MALT011000012345MTLCAST001S", "FR1420041010050500013M02606",
                "GB82WEST12345698765433", "NL91ABNA0417164300",
            ]),
            form in 0usize..4,
            cut in 0usize..40,
            change in proptest::option::of((0usize..40, proptest::sample::select(
                vec![b'0', b'a', b'Z', b' ', 0xC3, b'-'],
            ))),
            before in proptest::sample::select(vec!["", " ", "iban ", "x"]),
            after in proptest::sample::select(vec!["", " ", "X", "1", " 1234", "ABCDEFGHIJKLMNOPQRSTU"]),
        ) {
            let mut s = match form {
                0 => iban.to_string(),
                1 => iban.to_lowercase(),
                // Print form: groups of four.
                2 => iban.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" "),
                _ => iban.chars().take(4).chain(std::iter::once(' ')).chain(iban.chars().skip(4)).collect(),
            }
            .into_bytes();
            s.truncate(cut.max(1));
            if let Some((at, b)) = change {
                let at = at % s.len();
                s[at] = b;
            }
            let v = [before.as_bytes(), &s, after.as_bytes()].concat();
            let v = &v[..];
            let eng = engine();
            for col in [eng.column_ctx("iban"), ColumnCtx::text()] {
                for i in 0..v.len() {
                    if !v[i].is_ascii_alphabetic() || (i > 0 && is_alnum(v[i - 1])) {
                        continue;
                    }
                    let mut wend = i;
                    while wend < v.len() && is_alnum(v[wend]) {
                        wend += 1;
                    }
                    let (mut a, mut b) = (RecordHits::default(), RecordHits::default());
                    let ra = try_iban(&mut walk_cx(eng, &col, v, false), i, wend, &mut a);
                    let rb = try_iban_plain(&mut walk_cx(eng, &col, v, false), i, &mut b);
                    proptest::prop_assert_eq!(ra, rb);
                    proptest::prop_assert_eq!(detections_of(&a), detections_of(&b));
                }
            }
        }

        /// `try_mac` finds what the plain test finds, at every offset of
        /// values of MAC shapes and near misses (a letter past `f`, a byte
        /// changed, all zeros, all `f`s in either case) with the bytes that
        /// may stand around one, in a MAC column and in free text.
        #[test]
        fn mac_test_answers_as_the_plain_one(
            form in 0usize..3,
            pairs in proptest::collection::vec(
                proptest::sample::select(vec![
                    "00", "ff", "FF", "fF", "3c", "A0", "9b", "e4", "0f", "g0", "f.",
                ]),
                6,
            ),
            change in proptest::option::of((0usize..17, proptest::sample::select(
                b":-.0fFg1 ".to_vec(),
            ))),
            same in proptest::option::of(proptest::sample::select(vec!["00", "ff", "FF", "fF", "0f"])),
            before in proptest::sample::select(vec!["", " ", "x", "1"]),
            after in proptest::sample::select(vec!["", " ", "x", "1", ":", "-", "."]),
        ) {
            // One pair six times, at times: all zeros and all `f`s.
            let pairs = match same {
                Some(p) => vec![p; 6],
                None => pairs,
            };
            let mac = match form {
                0 => pairs.join(":"),
                1 => pairs.join("-"),
                _ => pairs.chunks(2).map(|p| p.concat()).collect::<Vec<_>>().join("."),
            };
            let mut mac = mac.into_bytes();
            if let Some((at, b)) = change {
                let at = at % mac.len();
                mac[at] = b;
            }
            let v = [before.as_bytes(), &mac, after.as_bytes()].concat();
            let v = &v[..];
            let eng = engine();
            for col in [eng.column_ctx("mac_address"), ColumnCtx::text()] {
                for i in 0..v.len() {
                    let (mut a, mut b) = (RecordHits::default(), RecordHits::default());
                    let ra = try_mac(&mut walk_cx(eng, &col, v, true), i, &mut a);
                    let rb = try_mac_plain(&mut walk_cx(eng, &col, v, true), i, &mut b);
                    proptest::prop_assert_eq!(ra, rb);
                    proptest::prop_assert_eq!(detections_of(&a), detections_of(&b));
                }
            }
        }

        /// A layout's digits are the value's digits, in order, for every
        /// value `whole_number` takes.
        #[test]
        fn layout_digits_are_the_values(v in "[(+]?[0-9]{1,8}([ .()/-]{1,2}[0-9]{1,9}){0,6}") {
            let v = v.as_bytes();
            proptest::prop_assume!((9..=24).contains(&v.len()));
            let mut g = Group::empty();
            let lay = Layout::of(v, template_key(v), &mut g);
            if lay.ok {
                let mut buf = [0u8; 32];
                lay.digits(v, &mut buf);
                let want: Vec<u8> = v.iter().copied().filter(u8::is_ascii_digit).collect();
                proptest::prop_assert_eq!(&buf[..lay.nd as usize], &want[..]);
            }
        }

        /// A sub's digits are its runs' bytes, in order, at most 40 of
        /// them, however each run is copied (eight bytes past the end of a
        /// run, or assembled from the value's tail).
        #[test]
        fn sub_holds_its_runs_digits(v in "[0-9 .()+/-]{0,64}") {
            let v = v.as_bytes();
            let mut g = Group::empty();
            for i in 0..v.len() {
                if lex_group(v, i, &mut g).is_none() || g.nd == 0 || g.overflow {
                    continue;
                }
                for a in 0..g.nr {
                    for b in a..g.nr {
                        let s = Sub::of(v, &g, a, b);
                        let mut want = Vec::new();
                        for k in a..=b {
                            let (_, _, rs, re) = g.runs[k];
                            want.extend_from_slice(&v[rs as usize..re as usize]);
                        }
                        want.truncate(40);
                        proptest::prop_assert_eq!(s.digits(), &want[..]);
                        let lens: Vec<u8> = (a..=b).map(|k| g.runs[k].0).collect();
                        proptest::prop_assert_eq!(&s.lens[..s.nr], &lens[..]);
                    }
                }
            }
        }
    }
}
