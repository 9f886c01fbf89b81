//! CSV/TSV: delimiter sniffing, header recognition, quote-aware record
//! boundaries for parallel chunks, and a field parser.
//!
//! The quoting grammar (RFC 4180 as real files use it): a field is quoted
//! when it *starts* with `"`; inside, `""` is a literal quote and a lone `"`
//! closes; anything after the closing quote up to the delimiter is ignored.
//! A `"` in the middle of an unquoted field (`5'10"`) is literal.
//!
//! Chunk boundaries must agree with that grammar exactly, or a quoted field
//! holding a newline would be split and counted twice. Because quote state
//! changes only at `"` bytes, a chunk's effect on it can be computed for
//! both possible entry states with memchr jumps, in parallel; composing
//! those per chunk gives the true state at every chunk start, and the
//! boundary is the first newline after it outside quotes.

use super::seps::FieldEnds;
use super::{RecordSink, SpanRow};
use memchr::{memchr, memchr2};
use rayon::prelude::*;

const CANDIDATES: [u8; 4] = [b',', b'\t', b'|', b';'];

/// Lines of the head outside quotes, at most `max`.
fn head_lines(head: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut inq = false;
    let mut s = 0;
    for (i, &b) in head.iter().enumerate() {
        if b == b'"' {
            inq = !inq;
        } else if b == b'\n' && !inq {
            out.push(&head[s..i]);
            s = i + 1;
            if out.len() == max {
                return out;
            }
        }
    }
    // The last line may be cut by the head window: keep it only when no
    // line ended in the window (one very long line, a wide matrix header)
    // or the window is the whole (short) file.
    if s < head.len() && (out.is_empty() || head.len() < 64 * 1024) {
        out.push(&head[s..]);
    }
    out
}

fn count_outside_quotes(line: &[u8], d: u8) -> usize {
    let mut inq = false;
    let mut n = 0;
    for &b in line {
        if b == b'"' {
            inq = !inq;
        } else if b == d && !inq {
            n += 1;
        }
    }
    n
}

/// Whether `d` splits every sampled line into the same number (>= 2) of
/// fields.
pub fn consistent(head: &[u8], d: u8) -> bool {
    let lines: Vec<&[u8]> = head_lines(head, 50)
        .into_iter()
        .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
        .collect();
    if lines.is_empty() {
        return false;
    }
    let first = count_outside_quotes(lines[0], d);
    first >= 1 && lines.iter().all(|l| count_outside_quotes(l, d) == first)
}

/// The delimiter that splits every sampled line into the same number of
/// fields (at least two). Text whose lines happen to share comma counts is
/// rare past a few lines; with one line, only a tab or pipe is trusted.
pub fn sniff_delimiter(head: &[u8]) -> Option<u8> {
    let lines: Vec<&[u8]> = head_lines(head, 50)
        .into_iter()
        .filter(|l| !l.iter().all(|b| b.is_ascii_whitespace()))
        .collect();
    if lines.is_empty() {
        return None;
    }
    let mut best: Option<(u8, usize)> = None;
    for d in CANDIDATES {
        let first = count_outside_quotes(lines[0], d);
        if first == 0 {
            continue;
        }
        if !lines.iter().all(|l| count_outside_quotes(l, d) == first) {
            continue;
        }
        if lines.len() == 1 && !matches!(d, b'\t' | b'|') {
            continue;
        }
        if best.is_none_or(|(_, n)| first > n) {
            best = Some((d, first));
        }
    }
    best.map(|(d, _)| d)
}

/// A header row names fields: every cell non-empty, with a letter, no
/// e-mail; and either no cell holds a long digit run (values do: SSNs,
/// phones, cards) or the row differs in kind from the next one (names over
/// numbers: a matrix headed by sample ids like `GSM1234567` or 'omic
/// feature ids like `cg00000029`).
pub fn looks_like_header(head: &[u8], delim: u8) -> bool {
    let lines = head_lines(head, 2);
    let Some(first) = lines.first() else {
        return false;
    };
    let mut fields = Vec::new();
    split_line(first, delim, &mut fields);
    let named = |f: &Vec<u8>| {
        let f = crate::detect::trim(f);
        !f.is_empty()
            && f.len() <= 120
            && f.iter().any(|b| b.is_ascii_alphabetic())
            && !f.contains(&b'@')
    };
    if fields.is_empty() || !fields.iter().all(named) {
        return false;
    }
    if fields.iter().all(|f| {
        longest_digit_run(f) < 4 || crate::detect::is_omic_feature_name(crate::detect::trim(f))
    }) {
        return true;
    }
    let Some(second) = lines.get(1) else {
        return false;
    };
    let mut next = Vec::new();
    split_line(second, delim, &mut next);
    let numeric = |f: &[u8]| {
        let f = crate::detect::trim(f);
        f.is_empty()
            || (f.iter().any(|b| b.is_ascii_digit())
                && f.iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')))
    };
    let over_numbers = fields.iter().zip(&next).filter(|(_, v)| numeric(v)).count();
    next.len() == fields.len() && over_numbers * 2 >= fields.len()
}

fn longest_digit_run(f: &[u8]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for &b in f {
        if b.is_ascii_digit() {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// Splits one physical line into unquoted field values (for the header).
fn split_line(line: &[u8], delim: u8, out: &mut Vec<Vec<u8>>) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut sink = Collect(out);
    let mut scratch = Vec::new();
    let mut rec = line.to_vec();
    rec.push(b'\n');
    let mut ends = FieldEnds::new(&rec, delim);
    parse_record(
        &rec,
        &mut ends,
        0,
        delim,
        &mut sink,
        &mut scratch,
        usize::MAX,
    );
}

struct Collect<'a>(&'a mut Vec<Vec<u8>>);
impl RecordSink for Collect<'_> {
    fn begin(&mut self, _: u64) {}
    fn column(&mut self, _: usize, v: &[u8]) {
        self.0.push(v.to_vec());
    }
    fn keyed(&mut self, _: &str, _: &[u8]) {}
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
}

/// Parses the header record at the start of `data`: its names and where
/// the data records start.
pub fn read_header(data: &[u8], delim: u8) -> (Vec<String>, usize) {
    let mut fields = Vec::new();
    let mut scratch = Vec::new();
    let start = if data.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let end = parse_record(
        data,
        &mut FieldEnds::new(data, delim),
        start,
        delim,
        &mut Collect(&mut fields),
        &mut scratch,
        usize::MAX,
    );
    let names = fields
        .iter()
        .map(|f| String::from_utf8_lossy(crate::detect::trim(f)).into_owned())
        .collect();
    (names, end)
}

/// Quote state after running `data[from..to]` from `inq`.
fn run_state(data: &[u8], from: usize, to: usize, mut inq: bool, delim: u8) -> bool {
    let mut p = from;
    while p < to {
        let Some(k) = memchr(b'"', &data[p..to]) else {
            break;
        };
        let q = p + k;
        if inq {
            if q + 1 < data.len() && data[q + 1] == b'"' {
                p = q + 2;
                continue;
            }
            inq = false;
        } else if q == 0 || data[q - 1] == delim || data[q - 1] == b'\n' {
            inq = true;
        }
        p = q + 1;
    }
    inq
}

/// The first record start at or after `t`, given the quote state at `t`.
fn next_record_start(data: &[u8], t: usize, mut inq: bool, delim: u8) -> usize {
    let mut p = t;
    while p < data.len() {
        let Some(k) = memchr2(b'"', b'\n', &data[p..]) else {
            return data.len();
        };
        let q = p + k;
        if data[q] == b'\n' {
            if !inq {
                return q + 1;
            }
            p = q + 1;
            continue;
        }
        if inq {
            if q + 1 < data.len() && data[q + 1] == b'"' {
                p = q + 2;
                continue;
            }
            inq = false;
        } else if q == 0 || data[q - 1] == delim || data[q - 1] == b'\n' {
            inq = true;
        }
        p = q + 1;
    }
    data.len()
}

/// Record-aligned chunk boundaries of `data[start..]`: a sorted list
/// beginning with `start` and ending with `data.len()`.
pub fn boundaries(data: &[u8], start: usize, delim: u8, chunk: usize) -> Vec<usize> {
    boundaries_releasing(data, start, delim, chunk, &|_, _| {})
}

/// As [`boundaries`], calling `done(from, to)` once the quote pass has read
/// a segment, so a memory-mapped caller can let its pages go: this pass
/// reads every byte of the file before any chunk is scanned.
pub fn boundaries_releasing(
    data: &[u8],
    start: usize,
    delim: u8,
    chunk: usize,
    done: &(dyn Fn(usize, usize) + Sync),
) -> Vec<usize> {
    let len = data.len();
    let chunk = chunk.max(1);
    let mut targets = vec![start];
    let mut t = start;
    while len - t > chunk {
        t += chunk;
        // Never split a `""` pair between two segments.
        while t < len && data[t - 1] == b'"' {
            t += 1;
        }
        if t >= len {
            break;
        }
        targets.push(t);
    }
    if targets.len() == 1 {
        return vec![start, len];
    }
    // Per segment: the exit state for entry outside and inside quotes.
    let exits: Vec<(bool, bool)> = targets
        .par_windows(2)
        .map(|w| {
            // A segment without a quote (most of most files) leaves either
            // state as it found it: one search for a quote, not two walks.
            let exits = if memchr(b'"', &data[w[0]..w[1]]).is_none() {
                (false, true)
            } else {
                (
                    run_state(data, w[0], w[1], false, delim),
                    run_state(data, w[0], w[1], true, delim),
                )
            };
            done(w[0], w[1]);
            exits
        })
        .collect();
    let mut out = vec![start];
    let mut inq = false;
    for (i, &(o, q)) in exits.iter().enumerate() {
        inq = if inq { q } else { o };
        let b = next_record_start(data, targets[i + 1], inq, delim);
        if b > *out.last().unwrap() && b < len {
            out.push(b);
        }
    }
    out.push(len);
    out.dedup();
    out
}

/// Stream splitting: where the last complete record of `buf` ends, resuming
/// a scan that reached `from` with quote state `inq`. Returns (boundary,
/// position reached, state there); boundary is 0 when no record ended.
pub fn last_boundary(buf: &[u8], from: usize, inq: bool, delim: u8) -> (usize, usize, bool) {
    let mut p = from;
    let mut inq = inq;
    let mut last = 0;
    while p < buf.len() {
        let Some(k) = memchr2(b'"', b'\n', &buf[p..]) else {
            return (last, buf.len(), inq);
        };
        let q = p + k;
        if buf[q] == b'\n' {
            if !inq {
                last = q + 1;
            }
            p = q + 1;
            continue;
        }
        if inq {
            if q + 1 >= buf.len() {
                // A quote at the very end: wait for the next byte to know
                // whether it is `""`.
                return (last, q, inq);
            }
            if buf[q + 1] == b'"' {
                p = q + 2;
                continue;
            }
            inq = false;
        } else if q == 0 || buf[q - 1] == delim || buf[q - 1] == b'\n' {
            inq = true;
        }
        p = q + 1;
    }
    (last, p, inq)
}

/// Parses one record at `p`; returns where the next one starts. Fields
/// longer than `max_field` are reported, not scanned.
///
/// Why the quoted field is a call of its own: this loop runs once per cell
/// of a table, and with the quoted path inline it kept its data pointer,
/// length and bounds on the stack, reloaded per cell.
#[inline(always)]
fn parse_record<S: RecordSink>(
    data: &[u8],
    ends: &mut FieldEnds<'_>,
    mut p: usize,
    delim: u8,
    sink: &mut S,
    scratch: &mut Vec<u8>,
    max_field: usize,
) -> usize {
    let len = data.len();
    let mut col = 0;
    loop {
        let fe = if p < len && data[p] == b'"' {
            quoted_field(data, ends, p, col, sink, scratch, max_field)
        } else {
            let fe = ends.next(p);
            // A CR before the record's newline (or at the end of data)
            // belongs to the line ending, not the value.
            let value_end = if (fe == len || data[fe] != delim) && fe > p && data[fe - 1] == b'\r' {
                fe - 1
            } else {
                fe
            };
            if value_end - p > max_field {
                oversize(sink, p, value_end - p);
            } else {
                sink.column(col, &data[p..value_end]);
            }
            fe
        };
        col += 1;
        // The byte at `fe` is read once for both questions: does the value
        // end its record, and does another field follow.
        let Some(&t) = data.get(fe) else {
            return len;
        };
        if t != delim {
            return fe + 1;
        }
        p = fe + 1;
        if p >= len {
            sink.column(col, b"");
            return len;
        }
    }
}

/// The record at `p` into `out`, one span per column (empty past its last
/// field), when it is plain: no field starts with a quote or has a space
/// or control byte at either end, none is longer than `max_field`, and it
/// has no more fields than `out` has columns. Each span is what
/// `parse_record` hands `column` for that field. Returns where the next
/// record starts; `None` leaves the room part written, for the caller to
/// empty and parse the record with `parse_record`.
///
/// Why: through `column`, a cell of a dense table cost some ninety
/// instructions in the parser and the batch's store, most of them the
/// sink's bookkeeping and the parser's state reloaded from the stack.
///
/// `COMMA`: the delimiter is a comma and no field of `data` can pass
/// `max_field` (the data is no longer), so the loop holds neither in a
/// register: with both, it reloaded the data's pointer from the stack.
#[inline(never)]
fn plain_record<const COMMA: bool>(
    data: &[u8],
    ends: &mut FieldEnds<'_>,
    p: usize,
    delim: u8,
    max_field: usize,
    out: &mut SpanRow<'_>,
) -> Option<usize> {
    let (delim, max_field) = if COMMA {
        debug_assert!(delim == b',' && data.len() <= max_field);
        (b',', usize::MAX)
    } else {
        (delim, max_field)
    };
    // A copy the loop keeps in registers, where stores to `out` made it
    // reload the block's mask for each field.
    let mut e = ends.clone();
    let next = out.local(|o| plain_fields(data, &mut e, p, delim, max_field, o));
    *ends = e;
    next
}

#[inline(always)]
fn plain_fields(
    data: &[u8],
    ends: &mut FieldEnds<'_>,
    mut p: usize,
    delim: u8,
    max_field: usize,
    out: &mut SpanRow<'_>,
) -> Option<usize> {
    let len = data.len();
    loop {
        let b0 = *data.get(p)?;
        if b0 == b'"' {
            return None;
        }
        let fe = ends.next(p);
        let n = fe - p;
        // A field its delimiter ends, on its own path: its value needs no
        // CR test (one check and push shared with the record's last field
        // compiled to 1% more instructions on the people corpus).
        if fe < len && data[fe] == delim {
            // Spans are trimmed (as `detect::trim` trims): a value with a
            // space or control byte at either end is left to the sink.
            if n != 0 && (n > max_field || b0 <= b' ' || data[fe - 1] <= b' ') {
                return None;
            }
            if !out.push(p, n) {
                return None;
            }
            p = fe + 1;
            if p < len {
                continue;
            }
            // A delimiter ending the data leaves an empty last field.
            if !out.push(len, 0) {
                return None;
            }
            out.clear_rest();
            return Some(len);
        }
        // The record's last field. A CR before its newline (or the end of
        // data) belongs to the line ending, not the value.
        let value_end = if n != 0 && data[fe - 1] == b'\r' {
            fe - 1
        } else {
            fe
        };
        let n = value_end - p;
        if n != 0 && (n > max_field || b0 <= b' ' || data[value_end - 1] <= b' ') {
            return None;
        }
        if !out.push(p, n) {
            return None;
        }
        out.clear_rest();
        return Some(if fe < len { fe + 1 } else { len });
    }
}

#[cold]
#[inline(never)]
fn oversize<S: RecordSink>(sink: &mut S, at: usize, len: usize) {
    sink.oversize(at as u64, len);
}

/// The quoted field at `p` (`data[p]` is `"`), handed to the sink or
/// reported oversize; returns where the field ends: its delimiter, its
/// newline or the end of data. Text after the closing quote is dropped.
#[inline(never)]
fn quoted_field<S: RecordSink>(
    data: &[u8],
    ends: &mut FieldEnds<'_>,
    p: usize,
    col: usize,
    sink: &mut S,
    scratch: &mut Vec<u8>,
    max_field: usize,
) -> usize {
    let len = data.len();
    scratch.clear();
    let mut q = p + 1;
    let mut seg = q;
    let close;
    loop {
        match memchr(b'"', &data[q..]) {
            None => {
                close = len;
                break;
            }
            Some(k) => {
                let qp = q + k;
                if qp + 1 < len && data[qp + 1] == b'"' {
                    scratch.extend_from_slice(&data[seg..=qp]);
                    q = qp + 2;
                    seg = q;
                    continue;
                }
                close = qp;
                break;
            }
        }
    }
    let rest = if close < len { close + 1 } else { len };
    let fe = ends.next(rest);
    if fe - p > max_field {
        sink.oversize(p as u64, fe - p);
    } else if scratch.is_empty() {
        sink.column(col, &data[seg..close.min(len)]);
    } else {
        scratch.extend_from_slice(&data[seg..close.min(len)]);
        sink.column(col, scratch);
    }
    fe
}

/// Parses every record in `data[start..end]` (`start` is a record start,
/// `end` a record boundary or the end of data). `base` is the absolute
/// offset of `data[0]` in its file.
pub fn parse<S: RecordSink>(
    data: &[u8],
    start: usize,
    end: usize,
    delim: u8,
    base: u64,
    sink: &mut S,
    max_field: usize,
) {
    let mut scratch = Vec::new();
    let mut p = start;
    let view = &data[..end];
    let mut ends = FieldEnds::new(view, delim);
    let comma = delim == b',' && view.len() <= max_field;
    while p < end {
        // Blank lines are not records.
        if view[p] == b'\n' {
            p += 1;
            continue;
        }
        if view[p] == b'\r' && p + 1 < end && view[p + 1] == b'\n' {
            p += 2;
            continue;
        }
        sink.begin(base + p as u64);
        let plain = match sink.row_spans(view) {
            Some(mut out) if comma => {
                plain_record::<true>(view, &mut ends, p, delim, max_field, &mut out)
            }
            Some(mut out) => plain_record::<false>(view, &mut ends, p, delim, max_field, &mut out),
            None => None,
        };
        p = match plain {
            Some(next) => next,
            None => {
                if let Some(mut out) = sink.row_spans(view) {
                    out.clear();
                }
                parse_record(view, &mut ends, p, delim, sink, &mut scratch, max_field)
            }
        };
        sink.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Span;

    #[derive(Default)]
    struct Rows {
        rows: Vec<(u64, Vec<String>)>,
        oversize: usize,
    }
    impl RecordSink for Rows {
        fn begin(&mut self, o: u64) {
            self.rows.push((o, Vec::new()));
        }
        fn column(&mut self, _: usize, v: &[u8]) {
            self.rows
                .last_mut()
                .unwrap()
                .1
                .push(String::from_utf8_lossy(v).into_owned());
        }
        fn keyed(&mut self, _: &str, _: &[u8]) {}
        fn text(&mut self, _: &[u8]) {}
        fn end(&mut self) {}
        fn oversize(&mut self, _: u64, _: usize) {
            self.oversize += 1;
        }
    }

    fn rows(data: &[u8], start: usize) -> Vec<(u64, Vec<String>)> {
        let mut r = Rows::default();
        parse(data, start, data.len(), b',', 0, &mut r, usize::MAX);
        r.rows
    }

    #[test]
    fn quoted_fields_and_escapes() {
        let d = b"a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"multi\nline\",x,\n\n5'10\",y\"z,w";
        let r = rows(d, 0);
        assert_eq!(r.len(), 3);
        assert_eq!(r[0].1, vec!["a", "b,c", "say \"hi\""]);
        assert_eq!(r[1].1, vec!["multi\nline", "x", ""]);
        assert_eq!(r[2].1, vec!["5'10\"", "y\"z", "w"]);
    }

    #[test]
    fn header_and_sniffing() {
        let d = b"first_name,ssn,zip\nAna,536-22-1234,02139\n";
        assert_eq!(sniff_delimiter(d), Some(b','));
        assert!(looks_like_header(d, b','));
        let (h, end) = read_header(d, b',');
        assert_eq!(h, vec!["first_name", "ssn", "zip"]);
        assert_eq!(&d[end..end + 3], b"Ana");
        assert!(!looks_like_header(b"Ana,536-22-1234,02139\n", b','));
        // Matrices: sample ids and feature ids with digits are still names.
        assert!(looks_like_header(
            b"gene_id,GSM1234567,GSM1234568\nENSG00000141510,1.5,2\n",
            b','
        ));
        assert!(looks_like_header(
            b"sample,cg00000029,cg00000108\nS1,0.5,0.7\n",
            b','
        ));
        assert!(!looks_like_header(
            b"Ana,5362212345,x\nBo,5362212346,y\n",
            b','
        ));
        assert_eq!(sniff_delimiter(b"one line, with a comma"), None);
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n"), Some(b'\t'));
    }

    /// Every chunk size must give the same records: a quoted newline, an
    /// escaped quote pair and a CRLF at every possible boundary.
    #[test]
    fn boundaries_agree_with_parser_for_every_chunk_size() {
        let mut d = Vec::new();
        for i in 0..40 {
            d.extend_from_slice(
                format!("{i},\"x\"\"\ny,\"\"\",\"a\nb\",5'10\",\"\"\r\n").as_bytes(),
            );
        }
        let whole = rows(&d, 0);
        assert_eq!(whole.len(), 40);
        for chunk in [1, 2, 3, 5, 7, 16, 31, 64, 1000] {
            let b = boundaries(&d, 0, b',', chunk);
            let mut got = Vec::new();
            for w in b.windows(2) {
                let mut r = Rows::default();
                parse(&d, w[0], w[1], b',', 0, &mut r, usize::MAX);
                got.extend(r.rows);
            }
            assert_eq!(got, whole, "chunk {chunk}");
        }
    }

    #[test]
    fn stream_boundary() {
        let d = b"a,\"b\nc\"\nd,e\nf,\"g";
        let (b, _, _) = last_boundary(d, 0, false, b',');
        assert_eq!(&d[..b], b"a,\"b\nc\"\nd,e\n");
        let (b2, reached, inq) = last_boundary(b"x,\"", 0, false, b',');
        assert_eq!((b2, inq), (0, true));
        assert_eq!(reached, 3);
    }

    #[test]
    fn oversize_fields_are_reported() {
        let mut r = Rows::default();
        parse(b"short,waytoolongvalue\n", 0, 22, b',', 0, &mut r, 8);
        assert_eq!(r.oversize, 1);
        assert_eq!(r.rows[0].1, vec!["short"]);
    }

    /// A record's fields by column, trimmed, `None` where empty or not
    /// given; what a sink that trims (as the batch does) sees.
    type Fields = Vec<Option<String>>;

    fn trimmed(v: &[u8]) -> Option<String> {
        let t = crate::detect::trim(v);
        (!t.is_empty()).then(|| String::from_utf8_lossy(t).into_owned())
    }

    /// Fields through `column` only.
    #[derive(Default)]
    struct ByIndex {
        rows: Vec<(u64, Fields)>,
        oversize: Vec<(u64, usize)>,
    }
    impl RecordSink for ByIndex {
        fn begin(&mut self, o: u64) {
            self.rows.push((o, Vec::new()));
        }
        fn column(&mut self, idx: usize, v: &[u8]) {
            let r = &mut self.rows.last_mut().unwrap().1;
            if r.len() <= idx {
                r.resize(idx + 1, None);
            }
            r[idx] = trimmed(v);
        }
        fn keyed(&mut self, _: &str, _: &[u8]) {}
        fn text(&mut self, _: &[u8]) {}
        fn end(&mut self) {}
        fn oversize(&mut self, o: u64, n: usize) {
            self.oversize.push((o, n));
        }
    }

    /// Fields as spans where the parser gives them so, as a batch keeps
    /// them (`width` columns, `stride` apart, the room reused from record
    /// to record as a batch's grid is), and through `column` otherwise.
    struct Spans<'d> {
        data: &'d [u8],
        width: usize,
        stride: usize,
        grid: Vec<Span>,
        /// This record's values given through `column`, by column.
        given: Vec<Option<Option<String>>>,
        rows: Vec<(u64, Fields)>,
        oversize: Vec<(u64, usize)>,
        /// Records that went through `column`.
        by_column: usize,
    }
    impl<'d> Spans<'d> {
        fn new(data: &'d [u8], width: usize, stride: usize) -> Self {
            // Stale spans everywhere: a record must set or empty each.
            let stale = Span {
                start: 0,
                len: 1,
                row: 0,
            };
            Spans {
                data,
                width,
                stride,
                grid: vec![stale; width * stride],
                given: Vec::new(),
                rows: Vec::new(),
                oversize: Vec::new(),
                by_column: 0,
            }
        }
        fn slot(&self) -> usize {
            (self.rows.len() - 1) % self.stride
        }
    }
    impl RecordSink for Spans<'_> {
        fn begin(&mut self, o: u64) {
            self.rows.push((o, Vec::new()));
            self.given.clear();
        }
        fn column(&mut self, idx: usize, v: &[u8]) {
            if self.given.len() <= idx {
                self.given.resize(idx + 1, None);
            }
            self.given[idx] = Some(trimmed(v));
        }
        fn keyed(&mut self, _: &str, _: &[u8]) {}
        fn text(&mut self, _: &[u8]) {}
        fn end(&mut self) {
            self.by_column += usize::from(!self.given.is_empty());
            let n = self.width.max(self.given.len());
            let slot = self.slot();
            let mut f: Fields = (0..n)
                .map(|k| match self.given.get(k) {
                    Some(Some(v)) => v.clone(),
                    _ if k >= self.width => None,
                    _ => {
                        let s = self.grid[k * self.stride + slot];
                        let v = &self.data[s.start as usize..][..s.len as usize];
                        // A span is the trimmed value itself.
                        assert_eq!(crate::detect::trim(v), v, "{s:?}");
                        (s.len != 0).then(|| String::from_utf8_lossy(v).into_owned())
                    }
                })
                .collect();
            while f.last() == Some(&None) {
                f.pop();
            }
            self.rows.last_mut().unwrap().1 = f;
        }
        fn oversize(&mut self, o: u64, n: usize) {
            self.oversize.push((o, n));
        }
        fn row_spans(&mut self, data: &[u8]) -> Option<SpanRow<'_>> {
            assert_eq!(data.as_ptr(), self.data.as_ptr());
            let slot = self.slot();
            Some(SpanRow::new(&mut self.grid[slot..], self.stride))
        }
    }

    proptest::proptest! {
        /// Whatever the bytes, the width and the bound on fields, a
        /// record's fields are the same through spans as through `column`
        /// alone: quotes, CRs, padding, control bytes, empty and trailing
        /// fields, records wider than the room.
        #[test]
        fn spans_agree_with_columns(
            data in proptest::collection::vec(proptest::sample::select(
                b",,,,;;\n\n\r\" \tab1\x0b".to_vec()), 0..300),
            width in 1usize..6,
            stride in 1usize..4,
            // Past the data's length, a bound lets a comma take the
            // parser's comma-only loop; a tab or semicolon never does.
            max_field in proptest::sample::select(vec![0usize, 1, 3, 1000, usize::MAX]),
            delim in proptest::sample::select(b",\t;".to_vec()),
        ) {
            let mut a = ByIndex::default();
            parse(&data, 0, data.len(), delim, 7, &mut a, max_field);
            for f in &mut a.rows {
                while f.1.last() == Some(&None) {
                    f.1.pop();
                }
            }
            let mut b = Spans::new(&data, width, stride);
            parse(&data, 0, data.len(), delim, 7, &mut b, max_field);
            proptest::prop_assert_eq!(&b.rows, &a.rows);
            proptest::prop_assert_eq!(&b.oversize, &a.oversize);
        }
    }

    #[test]
    fn plain_records_in_spans() {
        let d = b"a,bb,,c\r\nx,\"q\",y\n1,2,3,4,5\n,\nlast,";
        let mut s = Spans::new(d, 4, 2);
        parse(d, 0, d.len(), b',', 0, &mut s, usize::MAX);
        let v = |x: &[Option<&str>]| -> Fields { x.iter().map(|o| o.map(String::from)).collect() };
        // Only the quoted record and the one wider than the room are
        // parsed through `column`: a CRLF line ending is plain.
        assert_eq!(s.by_column, 2);
        let rows: Vec<Fields> = s.rows.into_iter().map(|r| r.1).collect();
        assert_eq!(
            rows,
            vec![
                v(&[Some("a"), Some("bb"), None, Some("c")]),
                v(&[Some("x"), Some("q"), Some("y")]),
                v(&[Some("1"), Some("2"), Some("3"), Some("4"), Some("5")]),
                v(&[]),
                v(&[Some("last")]),
            ]
        );
    }
}
