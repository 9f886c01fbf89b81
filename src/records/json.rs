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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

const MAX_DEPTH: usize = 256;

pub struct Walker {
    path: String,
    scratch: Vec<u8>,
}

impl Default for Walker {
    fn default() -> Self {
        Self::new()
    }
}

impl Walker {
    pub fn new() -> Walker {
        Walker {
            path: String::new(),
            scratch: Vec::new(),
        }
    }

    /// Walks one value at `*p`; on success `*p` is just past it.
    pub fn value<S: RecordSink>(
        &mut self,
        d: &[u8],
        p: &mut usize,
        sink: &mut S,
        depth: usize,
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
                loop {
                    skip_ws(d, p);
                    if d.get(*p) != Some(&b'"') {
                        return Err(err(*p, "expected a key"));
                    }
                    let (ks, ke, esc) = string_span(d, p)?;
                    let saved = self.path.len();
                    if !self.path.is_empty() {
                        self.path.push('.');
                    }
                    if esc {
                        let mut tmp = Vec::new();
                        unescape(&d[ks..ke], &mut tmp);
                        self.path.push_str(&String::from_utf8_lossy(&tmp));
                    } else {
                        self.path.push_str(&key_str(&d[ks..ke]));
                    }
                    skip_ws(d, p);
                    if d.get(*p) != Some(&b':') {
                        return Err(err(*p, "expected ':'"));
                    }
                    *p += 1;
                    self.value(d, p, sink, depth + 1)?;
                    self.path.truncate(saved);
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
                    sink.keyed(&self.path, &d[start..end]);
                    *p = end;
                    return Ok(());
                }
                loop {
                    self.value(d, p, sink, depth + 1)?;
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
            b'"' => {
                let (s, e, esc) = string_span(d, p)?;
                if esc {
                    self.scratch.clear();
                    unescape(&d[s..e], &mut self.scratch);
                    let v = std::mem::take(&mut self.scratch);
                    sink.keyed(&self.path, &v);
                    self.scratch = v;
                } else {
                    sink.keyed(&self.path, &d[s..e]);
                }
                Ok(())
            }
            b't' => literal(d, p, b"true"),
            b'f' => literal(d, p, b"false"),
            b'n' => literal(d, p, b"null"),
            b'-' | b'0'..=b'9' => {
                let s = *p;
                *p = number_end(d, s + 1);
                sink.keyed(&self.path, &d[s..*p]);
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
