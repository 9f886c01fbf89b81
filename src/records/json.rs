//! JSON: a streaming tokenizer that hands every scalar to the sink with its
//! dotted key path (`user.address.zip`; array indices are dropped so every
//! element of `phones[]` shares the context `phones`).
//!
//! Why not a DOM parser (serde_json, simd-json): they turn `40.7100` into
//! the float 40.71 and lose the written precision that decides whether a
//! coordinate is precise geolocation (202.242), and they allocate per value.
//! This walker keeps every number's text, allocates nothing per record once
//! its buffers are warm, and rejects malformed input with a position.

use super::RecordSink;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

const MAX_DEPTH: usize = 256;

pub struct Walker {
    /// The key path of a value walked outside the tree (`TEXT`): an
    /// envelope's member, or a key past the tree's bound.
    path: String,
    scratch: Vec<u8>,
    tree: KeyTree,
    /// This walker's tree among all walkers' (`RecordSink::keyed_at`).
    tree_id: u64,
}

/// The next walker's `tree_id`.
static NEXT_TREE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl Default for Walker {
    fn default() -> Self {
        Self::new()
    }
}

/// The key paths met so far, as a tree of keys, each node holding its
/// whole path. Every key of every record needs its path, and JSON Lines
/// records repeat a handful of key orders: so a key is compared with the
/// one that followed the same key (or opened the same object) last time,
/// and its path is at hand, where building it (appending the key's text
/// to its parent's, checking it is UTF-8, and cutting it back after) cost
/// each key a copy and some 40 instructions. A wrong guess (an optional
/// key present or absent) is looked up by its parent and hash, and the
/// guess relinked. Guesses only save work: a key's path is the one built
/// from its text either way.
struct KeyTree {
    /// What a guess reads, per node; the rest in `cold`.
    hot: Vec<KeyNode>,
    cold: Vec<KeyText>,
    /// (parent, hash of the key as written) to node.
    index: HashMap<(u32, u64), u32, foldhash::fast::FixedState>,
    /// Nodes past this many are not made (`MAX_KEY_NODES`; less in tests).
    max_nodes: usize,
}

struct KeyNode {
    /// The key's first sixteen bytes as written, as one number, zero past
    /// its end.
    head: u128,
    /// The key's length as written.
    len: u32,
    /// The key that opened this node's object last time.
    first: u32,
    /// The key that followed this one in its object last time.
    next: u32,
}

struct KeyText {
    /// The key as written, escapes and all.
    raw: Box<[u8]>,
    path: String,
}

/// No node: a link not made yet; as a walk's place, a value walked by its
/// path's text (`Walker::path`).
const NONE: u32 = u32::MAX;
const TEXT: u32 = u32::MAX;
const ROOT: u32 = 0;

/// Nodes past this many are not made: JSON keyed by user id has a new key
/// per record, and its paths are walked as text instead (the scan judges
/// such paths without keeping them too).
const MAX_KEY_NODES: usize = 4096;

/// `MASK16[n]`: the low `n` bytes of a 16-byte number.
const MASK16: [u128; 17] = {
    let mut t = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        t[n] = u128::MAX >> (128 - 8 * n);
        n += 1;
    }
    t
};

impl KeyTree {
    fn new() -> KeyTree {
        KeyTree {
            hot: vec![KeyNode {
                head: 0,
                len: 0,
                first: NONE,
                next: NONE,
            }],
            cold: vec![KeyText {
                raw: Box::default(),
                path: String::new(),
            }],
            index: HashMap::with_hasher(foldhash::fast::FixedState::with_seed(0x6b65_7973)),
            max_nodes: MAX_KEY_NODES,
        }
    }

    fn path(&self, node: u32) -> &str {
        &self.cold[node as usize].path
    }

    /// The node of the key `d[ks..ke]` (with escapes where `esc`) in the
    /// object of `parent`, after its sibling `prev` (`NONE` first); None
    /// when the tree is full and the key new to it.
    #[inline(always)]
    fn child(
        &mut self,
        parent: u32,
        prev: u32,
        d: &[u8],
        (ks, ke, esc): (usize, usize, bool),
    ) -> Option<u32> {
        let guess = if prev == NONE {
            self.hot[parent as usize].first
        } else {
            self.hot[prev as usize].next
        };
        if let Some(g) = self.hot.get(guess as usize)
            && self.same_key(g, guess, d, ks, ke)
        {
            return Some(guess);
        }
        self.find_or_add(parent, prev, &d[ks..ke], esc)
    }

    /// Whether node `i` (`g`)'s key is `d[ks..ke]`: a key of up to sixteen
    /// bytes with sixteen to read is compared as one number (a `bcmp` call
    /// per key otherwise).
    #[inline(always)]
    fn same_key(&self, g: &KeyNode, i: u32, d: &[u8], ks: usize, ke: usize) -> bool {
        let n = ke - ks;
        if g.len as usize != n {
            return false;
        }
        if n <= 16
            && let Some(w) = d.get(ks..ks + 16)
        {
            return u128::from_le_bytes(w.try_into().unwrap()) & MASK16[n] == g.head;
        }
        *self.cold[i as usize].raw == d[ks..ke]
    }

    #[inline(never)]
    fn find_or_add(&mut self, parent: u32, prev: u32, raw: &[u8], esc: bool) -> Option<u32> {
        use std::hash::BuildHasher;
        let h = self.index.hasher().hash_one(raw);
        let c = match self.index.get(&(parent, h)) {
            Some(&c) if *self.cold[c as usize].raw == *raw => c,
            // Another key of the same hash: walked as text.
            Some(_) => return None,
            None if self.hot.len() >= self.max_nodes => return None,
            None => {
                let c = self.hot.len() as u32;
                let mut path = self.cold[parent as usize].path.clone();
                push_key(&mut path, raw, esc);
                let mut head = [0u8; 16];
                let n = raw.len().min(16);
                head[..n].copy_from_slice(&raw[..n]);
                self.hot.push(KeyNode {
                    head: u128::from_le_bytes(head),
                    len: raw.len() as u32,
                    first: NONE,
                    next: NONE,
                });
                self.cold.push(KeyText {
                    raw: raw.into(),
                    path,
                });
                self.index.insert((parent, h), c);
                c
            }
        };
        if prev == NONE {
            self.hot[parent as usize].first = c;
        } else {
            self.hot[prev as usize].next = c;
        }
        Some(c)
    }
}

/// Appends the key `raw` (with escapes where `esc`) to the path `path`.
fn push_key(path: &mut String, raw: &[u8], esc: bool) {
    if !path.is_empty() {
        path.push('.');
    }
    if esc {
        let mut tmp = Vec::new();
        unescape(raw, &mut tmp);
        path.push_str(&String::from_utf8_lossy(&tmp));
    } else {
        path.push_str(&key_str(raw));
    }
}

impl Walker {
    pub fn new() -> Walker {
        Walker {
            path: String::new(),
            scratch: Vec::new(),
            tree: KeyTree::new(),
            tree_id: NEXT_TREE.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// Hands the scalar `v` at `at` to the sink, by its node where it has
    /// one.
    #[inline(always)]
    fn emit<S: RecordSink>(&self, sink: &mut S, at: u32, v: &[u8]) {
        if at == TEXT {
            sink.keyed(&self.path, v);
        } else {
            sink.keyed_at(self.tree_id, at, self.tree.path(at), v);
        }
    }

    /// Walks one value at `*p` under the path `self.path` (a record's
    /// value under none); on success `*p` is just past it.
    pub fn value<S: RecordSink>(
        &mut self,
        d: &[u8],
        p: &mut usize,
        sink: &mut S,
        depth: usize,
    ) -> Result<(), JsonError> {
        let at = if self.path.is_empty() { ROOT } else { TEXT };
        self.walk(d, p, sink, depth, at)
    }

    /// `value` at the tree's node `at`, or (`TEXT`) under `self.path`.
    fn walk<S: RecordSink>(
        &mut self,
        d: &[u8],
        p: &mut usize,
        sink: &mut S,
        depth: usize,
        at: u32,
    ) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(err(*p, "nesting too deep"));
        }
        skip_ws(d, p);
        let Some(&c) = d.get(*p) else {
            return Err(err(*p, "unexpected end of input"));
        };
        match c {
            b'{' => {
                *p += 1;
                skip_ws(d, p);
                if d.get(*p) == Some(&b'}') {
                    *p += 1;
                    return Ok(());
                }
                let mut prev = NONE;
                loop {
                    skip_ws(d, p);
                    if d.get(*p) != Some(&b'"') {
                        return Err(err(*p, "expected a key"));
                    }
                    let key = string_span(d, p)?;
                    let (ks, ke, esc) = key;
                    // The key's node, or its path as text: below a value
                    // walked as text, or where the tree is full. The text
                    // is cut back after the value to `saved` bytes (empty
                    // again below a node).
                    let mut saved = 0;
                    let mut child = TEXT;
                    if at != TEXT {
                        match self.tree.child(at, prev, d, key) {
                            Some(c) => child = c,
                            None => {
                                // Empty in a walk by the tree, and emptied
                                // again after (`value` reads an empty path
                                // as a walk by the tree).
                                debug_assert!(self.path.is_empty());
                                self.path.push_str(self.tree.path(at));
                                push_key(&mut self.path, &d[ks..ke], esc);
                            }
                        }
                        prev = child;
                    } else {
                        saved = self.path.len();
                        push_key(&mut self.path, &d[ks..ke], esc);
                    }
                    skip_ws(d, p);
                    if d.get(*p) != Some(&b':') {
                        return Err(err(*p, "expected ':'"));
                    }
                    *p += 1;
                    self.member(d, p, sink, depth + 1, child)?;
                    if child == TEXT {
                        self.path.truncate(saved);
                    }
                    skip_ws(d, p);
                    match d.get(*p) {
                        Some(b',') => *p += 1,
                        Some(b'}') => {
                            *p += 1;
                            return Ok(());
                        }
                        _ => return Err(err(*p, "expected ',' or '}'")),
                    }
                }
            }
            b'[' => {
                *p += 1;
                skip_ws(d, p);
                if d.get(*p) == Some(&b']') {
                    *p += 1;
                    return Ok(());
                }
                // An array of plain numbers is one value (a coordinate pair,
                // an embedding vector): hand it over whole so a `location:
                // [lat, lon]` pairs and a face embedding is one vector.
                let start = *p - 1;
                if let Some(end) = number_array_end(d, start) {
                    self.emit(sink, at, &d[start..end]);
                    *p = end;
                    return Ok(());
                }
                loop {
                    self.member(d, p, sink, depth + 1, at)?;
                    skip_ws(d, p);
                    match d.get(*p) {
                        Some(b',') => *p += 1,
                        Some(b']') => {
                            *p += 1;
                            return Ok(());
                        }
                        _ => return Err(err(*p, "expected ',' or ']'")),
                    }
                }
            }
            _ => self.scalar(d, p, sink, at, c),
        }
    }

    /// The member or element value at `*p` (white space skipped), at
    /// `depth`: a scalar taken here, an object or array walked. Most values
    /// are scalars, and a call of the walk per value (its frame, its
    /// result) cost some 3% of a JSON Lines scan's time.
    #[inline(always)]
    fn member<S: RecordSink>(
        &mut self,
        d: &[u8],
        p: &mut usize,
        sink: &mut S,
        depth: usize,
        at: u32,
    ) -> Result<(), JsonError> {
        skip_ws(d, p);
        match d.get(*p) {
            Some(&c) if depth <= MAX_DEPTH && c != b'{' && c != b'[' => {
                self.scalar(d, p, sink, at, c)
            }
            _ => self.walk(d, p, sink, depth, at),
        }
    }

    /// The value at `*p` that is no object or array (its first byte `c`).
    #[inline(always)]
    fn scalar<S: RecordSink>(
        &mut self,
        d: &[u8],
        p: &mut usize,
        sink: &mut S,
        at: u32,
        c: u8,
    ) -> Result<(), JsonError> {
        match c {
            b'"' => {
                let (s, e, esc) = string_span(d, p)?;
                if esc {
                    self.scratch.clear();
                    unescape(&d[s..e], &mut self.scratch);
                    let v = std::mem::take(&mut self.scratch);
                    self.emit(sink, at, &v);
                    self.scratch = v;
                } else {
                    self.emit(sink, at, &d[s..e]);
                }
                Ok(())
            }
            b't' => literal(d, p, b"true"),
            b'f' => literal(d, p, b"false"),
            b'n' => literal(d, p, b"null"),
            b'-' | b'0'..=b'9' => {
                let s = *p;
                *p = number_end(d, s + 1);
                self.emit(sink, at, &d[s..*p]);
                Ok(())
            }
            _ => Err(err(*p, "unexpected character")),
        }
    }
}

fn err(offset: usize, reason: &'static str) -> JsonError {
    JsonError { offset, reason }
}

/// Every key, colon, value and comma asks this, and JSON Lines has no
/// white space between them: one compare turns away any byte above a
/// space, which no white space is.
#[inline(always)]
fn skip_ws(d: &[u8], p: &mut usize) {
    while let Some(&b) = d.get(*p) {
        if b > b' ' || !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            return;
        }
        *p += 1;
    }
}

/// The bytes a JSON number is made of (`-`, `+`, digits, `.`, `e`, `E`).
static NUMBER_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        t[b as usize] = true;
        b += 1;
    }
    t[b'.' as usize] = true;
    t[b'e' as usize] = true;
    t[b'E' as usize] = true;
    t[b'+' as usize] = true;
    t[b'-' as usize] = true;
    t
};

/// The end of the run of number bytes at `p`.
#[inline(always)]
fn number_end(d: &[u8], mut p: usize) -> usize {
    while p < d.len() && NUMBER_BYTE[usize::from(d[p])] {
        p += 1;
    }
    p
}

fn literal(d: &[u8], p: &mut usize, lit: &[u8]) -> Result<(), JsonError> {
    if d[*p..].starts_with(lit) {
        *p += lit.len();
        Ok(())
    } else {
        Err(err(*p, "bad literal"))
    }
}

/// The content span of the string at `*p` (which is `"`), and whether it
/// has escapes; `*p` ends past the closing quote. (Inlined by force: every
/// key and string value comes here, and once the search below grew, the
/// compiler made this a call that cost more than the search saved.)
#[inline(always)]
fn string_span(d: &[u8], p: &mut usize) -> Result<(usize, usize, bool), JsonError> {
    let s = *p + 1;
    let mut q = s;
    let mut esc = false;
    loop {
        match quote_or_backslash(d, q) {
            None => return Err(err(s - 1, "unterminated string")),
            Some(i) => {
                if d[i] == b'\\' {
                    esc = true;
                    q = i + 2;
                    if q > d.len() {
                        return Err(err(i, "unterminated escape"));
                    }
                } else {
                    *p = i + 1;
                    return Ok((s, i, esc));
                }
            }
        }
    }
}

/// The first `"` or `\\` at or after `q`. Keys and most values are short:
/// the first 32 bytes answer before memchr2's set-up would (a byte loop
/// over the first 16 was a tenth of the instructions of a JSON-lines scan);
/// longer strings go on with memchr2. The 32 bytes are two SSE2 compares
/// and one mask where they are there to read; eight bytes a step, ended by
/// a branch on each word mispredicted as the strings' lengths changed
/// (`benches/ab.sh` 0.970 on events), only near the end of the data.
#[inline]
fn quote_or_backslash(d: &[u8], q: usize) -> Option<usize> {
    const LANES: u64 = 0x0101_0101_0101_0101;
    // The high bit of each zero byte of `x`. A borrow can also set it in a
    // byte after a zero byte, never before one: the lowest set bit is
    // exact, and so is the lowest of two such masks.
    let zeros = |x: u64| x.wrapping_sub(LANES) & !x & (0x80 * LANES);
    #[cfg(target_arch = "x86_64")]
    if let Some(w) = d.get(q..q + 32) {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is baseline on x86-64; the loads are unaligned and
        // read the 32 bytes of `w`.
        let m = unsafe {
            let (a, b) = (
                _mm_loadu_si128(w.as_ptr().cast()),
                _mm_loadu_si128(w.as_ptr().add(16).cast()),
            );
            let (quote, slash) = (_mm_set1_epi8(b'"' as i8), _mm_set1_epi8(b'\\' as i8));
            let hit = |x| _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, slash));
            (_mm_movemask_epi8(hit(a)) as u32) | (_mm_movemask_epi8(hit(b)) as u32) << 16
        };
        if m != 0 {
            return Some(q + m.trailing_zeros() as usize);
        }
        return memchr::memchr2(b'"', b'\\', &d[q + 32..]).map(|k| q + 32 + k);
    }
    let mut i = q;
    while i - q < 32 {
        let Some(w) = d.get(i..i + 8) else {
            return d[i..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .map(|k| i + k);
        };
        let w = u64::from_le_bytes(w.try_into().unwrap());
        let m = zeros(w ^ (u64::from(b'"') * LANES)) | zeros(w ^ (u64::from(b'\\') * LANES));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    memchr::memchr2(b'"', b'\\', &d[i..]).map(|k| i + k)
}

fn unescape(s: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < s.len() {
        if s[i] != b'\\' || i + 1 >= s.len() {
            out.push(s[i]);
            i += 1;
            continue;
        }
        let c = s[i + 1];
        i += 2;
        match c {
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'u' if i + 4 <= s.len() => {
                let hex = std::str::from_utf8(&s[i..i + 4]).ok();
                let cp = hex.and_then(|h| u32::from_str_radix(h, 16).ok());
                i += 4;
                let ch = cp.and_then(char::from_u32).unwrap_or('\u{FFFD}');
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            other => out.push(other),
        }
    }
}

/// End of `[n, n, ...]` when every element is a plain number.
fn number_array_end(d: &[u8], start: usize) -> Option<usize> {
    let mut p = start + 1;
    let mut n = 0;
    loop {
        skip_ws(d, &mut p);
        let s = p;
        p = number_end(d, p);
        if p == s {
            return None;
        }
        n += 1;
        skip_ws(d, &mut p);
        match d.get(p) {
            Some(b',') => p += 1,
            Some(b']') => return (n >= 2).then_some(p + 1),
            _ => return None,
        }
    }
}

struct Null;
impl RecordSink for Null {
    fn begin(&mut self, _: u64) {}
    fn column(&mut self, _: usize, _: &[u8]) {}
    fn keyed(&mut self, _: &str, _: &[u8]) {}
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
}

/// Whether `line` is exactly one JSON value (used to tell JSON Lines from a
/// pretty-printed document).
pub fn is_complete_value(line: &[u8]) -> bool {
    let mut p = 0;
    let mut w = Walker::new();
    if w.value(line, &mut p, &mut Null, 0).is_err() {
        return false;
    }
    skip_ws(line, &mut p);
    p == line.len()
}

pub fn looks_like_json_array(head: &[u8]) -> bool {
    let mut p = 1;
    skip_ws(head, &mut p);
    matches!(
        head.get(p),
        Some(b'{' | b'[' | b'"' | b']' | b'0'..=b'9' | b'-')
    )
}

/// One JSON Lines line as one record. Returns an error for a line that is
/// not one JSON value (the caller scans it as text instead, so nothing is
/// missed).
pub fn line<S: RecordSink>(
    w: &mut Walker,
    line: &[u8],
    offset: u64,
    sink: &mut S,
) -> Result<(), JsonError> {
    // One pass: a line that turns out broken is aborted, so it is never
    // half-counted as JSON.
    let mut p = 0;
    w.path.clear();
    sink.begin(offset);
    let r = w.value(line, &mut p, sink, 0).and_then(|()| {
        skip_ws(line, &mut p);
        if p == line.len() {
            Ok(())
        } else {
            Err(err(p, "trailing data after the value"))
        }
    });
    match r {
        Ok(()) => sink.end(),
        Err(_) => sink.abort(),
    }
    r
}

/// A whole JSON document: each element of a top-level array is a record;
/// any other value is one record.
pub fn document<S: RecordSink>(w: &mut Walker, d: &[u8], sink: &mut S) -> Result<(), JsonError> {
    let mut p = 0;
    if d.starts_with(&[0xEF, 0xBB, 0xBF]) {
        p = 3;
    }
    skip_ws(d, &mut p);
    w.path.clear();
    if d.get(p) == Some(&b'[') {
        p += 1;
        skip_ws(d, &mut p);
        if d.get(p) == Some(&b']') {
            return Ok(());
        }
        loop {
            skip_ws(d, &mut p);
            sink.begin(p as u64);
            let r = w.value(d, &mut p, sink, 1);
            sink.end();
            r?;
            skip_ws(d, &mut p);
            match d.get(p) {
                Some(b',') => p += 1,
                Some(b']') => break,
                _ => return Err(err(p, "expected ',' or ']'")),
            }
        }
    } else if let Some(members) = envelope(w, d, p)? {
        // An export wrapped in an object (`{"users": [{...}, ...], "count":
        // 2}`): each element of an array of objects is a record, with key
        // paths relative to the element as in a top-level array; the other
        // members together are one more record, so nothing is missed.
        if members.iter().any(|m| !m.records) {
            sink.begin(p as u64);
            for m in members.iter().filter(|m| !m.records) {
                w.path.clear();
                w.path.push_str(&m.key);
                let mut q = m.value;
                w.value(d, &mut q, sink, 1)?;
            }
            sink.end();
        }
        for m in members.iter().filter(|m| m.records) {
            let mut q = m.value + 1;
            loop {
                skip_ws(d, &mut q);
                w.path.clear();
                sink.begin(q as u64);
                let r = w.value(d, &mut q, sink, 2);
                sink.end();
                r?;
                skip_ws(d, &mut q);
                match d.get(q) {
                    Some(b',') => q += 1,
                    Some(b']') => break,
                    _ => return Err(err(q, "expected ',' or ']'")),
                }
            }
        }
    } else {
        sink.begin(p as u64);
        let r = w.value(d, &mut p, sink, 0);
        sink.end();
        r?;
    }
    Ok(())
}

/// A member of a top-level object: its key, where its value starts, and
/// whether the value is an array of objects (records).
struct Member {
    key: String,
    value: usize,
    records: bool,
}

/// A key's text. Nearly every key is a few ASCII bytes: those are text as
/// they are, asked in one pass (`from_utf8` on short keys cost about 70
/// instructions each, 5% of a JSON-lines scan); others are checked, and
/// invalid UTF-8 is replaced.
fn key_str(k: &[u8]) -> std::borrow::Cow<'_, str> {
    // (A byte loop: `is_ascii`'s word-at-a-time setup costs more on keys
    // this short.)
    if k.iter().all(|&b| b < 0x80) {
        // SAFETY: every byte is ASCII, and ASCII is valid UTF-8.
        std::borrow::Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(k) })
    } else {
        String::from_utf8_lossy(k)
    }
}

/// The members of the top-level object at `p` when some member is an array
/// of objects, else None (one record: a single object, or a FHIR resource
/// or bundle, which is one patient's record).
fn envelope(w: &mut Walker, d: &[u8], p: usize) -> Result<Option<Vec<Member>>, JsonError> {
    if d.get(p) != Some(&b'{') {
        return Ok(None);
    }
    let mut q = p + 1;
    let mut out = Vec::new();
    skip_ws(d, &mut q);
    if d.get(q) == Some(&b'}') {
        return Ok(None);
    }
    loop {
        skip_ws(d, &mut q);
        if d.get(q) != Some(&b'"') {
            return Err(err(q, "expected a key"));
        }
        let (ks, ke, esc) = string_span(d, &mut q)?;
        let key = if esc {
            let mut tmp = Vec::new();
            unescape(&d[ks..ke], &mut tmp);
            String::from_utf8_lossy(&tmp).into_owned()
        } else {
            key_str(&d[ks..ke]).into_owned()
        };
        if key == "resourceType" {
            return Ok(None);
        }
        skip_ws(d, &mut q);
        if d.get(q) != Some(&b':') {
            return Err(err(q, "expected ':'"));
        }
        q += 1;
        skip_ws(d, &mut q);
        let value = q;
        let records = d.get(q) == Some(&b'[') && {
            let mut r = q + 1;
            skip_ws(d, &mut r);
            d.get(r) == Some(&b'{')
        };
        w.path.clear();
        w.value(d, &mut q, &mut Null, 1)?;
        out.push(Member {
            key,
            value,
            records,
        });
        skip_ws(d, &mut q);
        match d.get(q) {
            Some(b',') => q += 1,
            Some(b'}') => break,
            _ => return Err(err(q, "expected ',' or '}'")),
        }
    }
    Ok(out.iter().any(|m| m.records).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    /// A key's text is what UTF-8 decoding (lossy where invalid) gives, by
    /// the ASCII pass or not.
    #[test]
    fn key_text_is_the_lossy_decoding() {
        for k in [
            &b""[..],
            b"ssn",
            b"device_id",
            b"cl\xc3\xa9",
            b"\xff",
            b"a\x80b",
            b"\x7f",
            "\u{1F600}".as_bytes(),
        ] {
            assert_eq!(key_str(k), String::from_utf8_lossy(k), "{k:?}");
        }
    }

    #[derive(Default)]
    struct Kv(Vec<(String, String)>, usize);
    impl RecordSink for Kv {
        fn begin(&mut self, _: u64) {
            self.1 += 1;
        }
        fn column(&mut self, _: usize, _: &[u8]) {}
        fn keyed(&mut self, k: &str, v: &[u8]) {
            self.0
                .push((k.to_string(), String::from_utf8_lossy(v).into_owned()));
        }
        fn text(&mut self, _: &[u8]) {}
        fn end(&mut self) {}
        fn oversize(&mut self, _: u64, _: usize) {}
        fn abort(&mut self) {
            self.1 -= 1;
        }
    }

    proptest::proptest! {
        /// The word-at-a-time look then memchr2 finds what memchr2 alone
        /// finds, from any start, on both sides of the 32-byte look.
        #[test]
        fn quote_search_matches_memchr2(
            pre in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just(b'a'),
                    proptest::prelude::any::<u8>()
                        .prop_map(|b| if b == b'"' || b == b'\\' { b'a' } else { b }),
                ],
                0..80,
            ),
            mark in "[\"\\\\]?",
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..24),
            at in 0usize..12,
        ) {
            // The first mark lands anywhere from the start to well past
            // the 32 bytes read a word at a time, after bytes of any value
            // (those next to `"` and `\\` included, where a word's borrow
            // could mislead), with any bytes after it.
            let mut d = pre;
            d.extend_from_slice(mark.as_bytes());
            d.extend_from_slice(&tail);
            let q = at.min(d.len());
            let want = memchr::memchr2(b'"', b'\\', &d[q..]).map(|k| q + k);
            proptest::prop_assert_eq!(quote_or_backslash(&d, q), want);
        }
    }

    impl Walker {
        /// A walker whose tree holds at most `n` nodes (1: the root alone,
        /// every path built as text, as before the tree).
        fn with_max_nodes(n: usize) -> Walker {
            let mut w = Walker::new();
            w.tree.max_nodes = n;
            w
        }
    }

    /// Records every scalar with its path, and checks that a node always
    /// names the same path.
    #[derive(Default)]
    struct Nodes {
        kv: Vec<(String, Vec<u8>)>,
        seen: std::collections::HashMap<(u64, u32), String>,
    }
    impl RecordSink for Nodes {
        fn begin(&mut self, _: u64) {}
        fn column(&mut self, _: usize, _: &[u8]) {}
        fn keyed(&mut self, k: &str, v: &[u8]) {
            self.kv.push((k.to_string(), v.to_vec()));
        }
        fn keyed_at(&mut self, tree: u64, node: u32, k: &str, v: &[u8]) {
            let named = self
                .seen
                .entry((tree, node))
                .or_insert_with(|| k.to_string());
            assert_eq!(named, k, "node {node} of tree {tree} named two paths");
            self.keyed(k, v);
        }
        fn text(&mut self, _: &[u8]) {}
        fn end(&mut self) {}
        fn oversize(&mut self, _: u64, _: usize) {}
    }

    /// A JSON value of keys that share prefixes, are written with escapes
    /// (`a\u0062` is `ab`), hold dots or letters beyond ASCII, are empty
    /// or longer than sixteen bytes, nested objects and arrays among them.
    fn json_value() -> impl Strategy<Value = String> {
        let key = proptest::sample::select(vec![
            "a",
            "ab",
            "a\\u0062",
            "b",
            "",
            "user",
            "email",
            "x.y",
            "cl\u{e9}",
            "k\\\"q",
            "a_key_longer_than_sixteen_bytes",
            "a_key_longer_than_sixteen_bytez",
        ]);
        let leaf = proptest::prop_oneof![
            (0u32..1000).prop_map(|n| format!("{n}.{}", n % 7)),
            "[a-z@.]{0,6}".prop_map(|t| format!("\"{t}\"")),
            proptest::prelude::Just("true".to_string()),
            proptest::prelude::Just("[1.5,-2]".to_string()),
        ];
        leaf.prop_recursive(4, 32, 6, move |inner| {
            proptest::prop_oneof![
                proptest::collection::vec((key.clone(), inner.clone()), 0..6).prop_map(|kv| {
                    let m: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                    format!("{{{}}}", m.join(","))
                }),
                proptest::collection::vec(inner, 0..4).prop_map(|v| format!("[{}]", v.join(","))),
            ]
        })
    }

    proptest::proptest! {
        /// The tree's paths are the paths built from the keys' text, for
        /// every record of a run (the tree and its guesses carried from
        /// record to record), with the tree full from the start, after a
        /// few nodes, or never; and a node always names one path.
        #[test]
        fn tree_paths_are_the_text_paths(
            records in proptest::collection::vec(json_value(), 1..12),
        ) {
            let mut walkers = [
                Walker::with_max_nodes(1),
                Walker::with_max_nodes(4),
                Walker::new(),
            ];
            let mut sinks: [Nodes; 3] = Default::default();
            for r in &records {
                for (w, sink) in walkers.iter_mut().zip(sinks.iter_mut()) {
                    proptest::prop_assert!(line(w, r.as_bytes(), 0, sink).is_ok(), "{}", r);
                }
            }
            // And as one document: an array of the records, each a record
            // walked after the others with nothing cleared between.
            let doc = format!("[{}]", records.join(","));
            for (w, sink) in walkers.iter_mut().zip(sinks.iter_mut()) {
                proptest::prop_assert!(document(w, doc.as_bytes(), sink).is_ok(), "{}", doc);
            }
            proptest::prop_assert_eq!(&sinks[1].kv, &sinks[0].kv);
            proptest::prop_assert_eq!(&sinks[2].kv, &sinks[0].kv);
            // The text walker names no node but the root (a record that
            // is a scalar or an array).
            proptest::prop_assert!(sinks[0].seen.keys().all(|&(_, node)| node == ROOT));
        }
    }

    /// Keys as the text walk builds them: escapes decoded, dots kept, an
    /// empty key a path ending in a dot.
    #[test]
    fn tree_paths_of_written_keys() {
        let mut w = Walker::new();
        let mut kv = Kv::default();
        for _ in 0..2 {
            let l = r#"{"a\u0062":{"x.y":1,"":2},"ab":{"x.y":3},"clé":"v"}"#;
            line(&mut w, l.as_bytes(), 0, &mut kv).unwrap();
        }
        let paths: Vec<&str> = kv.0.iter().map(|(k, _)| k.as_str()).collect();
        let once = ["ab.x.y", "ab.", "ab.x.y", "cl\u{e9}"];
        assert_eq!(paths, [once, once].concat());
    }

    #[test]
    fn key_paths_and_raw_numbers() {
        let mut w = Walker::new();
        let mut kv = Kv::default();
        let l = br#"{"user":{"id":"u1","loc":{"lat":40.7100,"lon":-74.0060}},"tags":["a","b"],"ok":true,"e":"\u0041\n","coords":[1.5,2.25]}"#;
        line(&mut w, l, 0, &mut kv).unwrap();
        assert_eq!(
            kv.0,
            vec![
                ("user.id".into(), "u1".into()),
                ("user.loc.lat".into(), "40.7100".into()),
                ("user.loc.lon".into(), "-74.0060".into()),
                ("tags".into(), "a".into()),
                ("tags".into(), "b".into()),
                ("e".into(), "A\n".into()),
                ("coords".into(), "[1.5,2.25]".into()),
            ]
        );
    }

    /// Values nest up to `MAX_DEPTH` levels below a record, scalars and
    /// containers alike, whichever way the walk reaches them.
    #[test]
    fn nesting_limit() {
        let nest = |levels: usize, inner: &str, obj: bool| {
            let (open, close) = if obj { ("{\"k\":", "}") } else { ("[", "]") };
            format!("{}{inner}{}", open.repeat(levels), close.repeat(levels))
        };
        for obj in [false, true] {
            // Each inner value, and how deep its own values go.
            let inners = [
                ("1", 0),
                ("\"s\"", 0),
                ("true", 0),
                ("[]", 0),
                ("{}", 0),
                ("[1,2]", 0),
                ("[\"a\"]", 1),
                ("{\"x\":1}", 1),
            ];
            for (inner, below) in inners {
                for levels in MAX_DEPTH - 2..=MAX_DEPTH + 1 {
                    let ok = levels + below <= MAX_DEPTH;
                    let l = nest(levels, inner, obj);
                    let r = line(&mut Walker::new(), l.as_bytes(), 0, &mut Kv::default());
                    assert_eq!(
                        r.is_ok(),
                        ok,
                        "{levels} levels of {obj} around {inner}: {r:?}"
                    );
                    if let Err(e) = r {
                        assert_eq!(e.reason, "nesting too deep");
                    }
                }
            }
        }
    }

    #[test]
    fn malformed_lines_are_errors() {
        let mut w = Walker::new();
        for bad in [
            &b"{\"a\":"[..],
            b"{\"a\" 1}",
            b"{\"a\":1} x",
            b"[1,2",
            b"{\"a\":tru}",
        ] {
            let mut kv = Kv::default();
            assert!(line(&mut w, bad, 0, &mut kv).is_err(), "{:?}", bad);
            assert_eq!(kv.1, 0, "a broken line is not a record");
        }
        let deep = "[".repeat(1000);
        assert!(!is_complete_value(deep.as_bytes()));
    }

    #[test]
    fn documents() {
        let mut w = Walker::new();
        let mut kv = Kv::default();
        document(&mut w, b"[{\"a\":1},\n{\"a\":2}]", &mut kv).unwrap();
        assert_eq!(kv.1, 2);
        // A FHIR resource is one record, whatever arrays it holds.
        let mut kv = Kv::default();
        document(
            &mut w,
            b"{\"resourceType\":\"Bundle\",\"entry\":[{\"x\":\"1\"},{\"x\":\"2\"}]}",
            &mut kv,
        )
        .unwrap();
        assert_eq!(kv.1, 1);
        assert_eq!(kv.0[1], ("entry.x".into(), "1".into()));
        // An export wrapped in an object: each element is a record, and the
        // envelope's other members one more.
        let mut kv = Kv::default();
        document(
            &mut w,
            b"{\"count\":2,\"users\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"next\":null}",
            &mut kv,
        )
        .unwrap();
        assert_eq!(kv.1, 3);
        assert_eq!(
            kv.0,
            vec![
                ("count".into(), "2".into()),
                ("id".into(), "a".into()),
                ("id".into(), "b".into())
            ]
        );
    }
}
