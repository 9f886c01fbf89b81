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
use super::{RecordSink, Span, SpanGrid};
use memchr::{memchr, memchr2};
use rayon::prelude::*;

const CANDIDATES: [u8; 4] = [b',', b'\t', b'|', b';'];

/// Lines of the head outside quotes, at most `max`.
fn head_lines(head: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut inq = false;
    let mut s = 0;
    for i in memchr::memchr2_iter(b'"', b'\n', head) {
        if head[i] == b'"' {
            inq = !inq;
        } else if !inq {
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

/// `count_outside_quotes` of the candidates `ask` names (the others 0). A
/// line without a quote (most lines) is counted in byte lanes, 64 bytes a
/// step, which the compiler vectorises, instead of one loop step a byte
/// per candidate.
fn count_candidates(line: &[u8], ask: [bool; CANDIDATES.len()]) -> [usize; CANDIDATES.len()] {
    let quoted = memchr(b'"', line).is_some();
    let mut n = [0; CANDIDATES.len()];
    for (k, &d) in CANDIDATES.iter().enumerate() {
        if !ask[k] {
            continue;
        }
        n[k] = if quoted {
            count_outside_quotes(line, d)
        } else {
            line.chunks(64)
                .map(|c| usize::from(c.iter().fold(0u8, |m, &b| m + u8::from(b == d))))
                .sum()
        };
    }
    n
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
    // A candidate is dropped at its first line that disagrees, and the
    // lines stop being counted when none is left: every candidate counted
    // over every line, twice per file, was over a quarter of the
    // instructions a directory of small CSVs took.
    let first = count_candidates(lines[0], [true; CANDIDATES.len()]);
    let mut consistent = first.map(|n| n > 0);
    for l in &lines[1..] {
        if !consistent.iter().any(|&c| c) {
            break;
        }
        let n = count_candidates(l, consistent);
        for k in 0..CANDIDATES.len() {
            consistent[k] &= n[k] == first[k];
        }
    }
    pick_delimiter(first, consistent, lines.len() == 1)
}

/// Of the candidates every line splits alike (`consistent`), the one that
/// splits the first line most (`first`: its counts); with one line, only
/// a tab or pipe.
fn pick_delimiter(
    first: [usize; CANDIDATES.len()],
    consistent: [bool; CANDIDATES.len()],
    one_line: bool,
) -> Option<u8> {
    let mut best: Option<(u8, usize)> = None;
    for (k, d) in CANDIDATES.into_iter().enumerate() {
        if !consistent[k] || (one_line && !matches!(d, b'\t' | b'|')) {
            continue;
        }
        if best.is_none_or(|(_, n)| first[k] > n) {
            best = Some((d, first[k]));
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

/// How far before each speculative boundary a quote sends the file to the
/// exact pass instead (`speculative_boundaries`).
pub const PROBE: usize = 64 * 1024;

/// Chunk boundaries without the quote pass: each the start of the line
/// after a chunk's worth, as if no quoted field held a newline there. A
/// guess, which the scan checks: a chunk that ends inside a quoted field
/// (`RecordSink::open_quote`) was cut inside a record, and the scan is
/// redone with [`boundaries`]. Why guess: the quote pass reads the whole
/// file from memory before any chunk is scanned, and for a file without
/// quotes it decides nothing: without it a one-core scan of the people
/// corpus takes 3% less time, a two-core one 2.5%. `None` where a quote
/// comes within `probe` bytes before a boundary or on its line: a quoted
/// field across a boundary is then likely enough that the exact pass is
/// cheaper than a scan redone; only a quoted field longer than `probe`
/// can make the guess wrong.
pub fn speculative_boundaries(
    data: &[u8],
    start: usize,
    chunk: usize,
    probe: usize,
) -> Option<Vec<usize>> {
    speculative_boundaries_releasing(data, start, chunk, probe, &|_, _| {})
}

/// As [`speculative_boundaries`], calling `done(from, to)` once a cut's
/// probe has read `from..to`, so a memory-mapped caller can let those
/// pages go: the probes read `probe` bytes of every chunk before any chunk
/// is scanned (157 MB of a 10 GB file's pages at the default chunk size,
/// all resident until their chunks were scanned).
pub fn speculative_boundaries_releasing(
    data: &[u8],
    start: usize,
    chunk: usize,
    probe: usize,
    done: &dyn Fn(usize, usize),
) -> Option<Vec<usize>> {
    let len = data.len();
    let chunk = chunk.max(1);
    let mut out = vec![start];
    let mut t = start;
    while len - t > chunk {
        t += chunk;
        let Some(k) = memchr(b'\n', &data[t..]) else {
            break;
        };
        let b = t + k + 1;
        let from = t.saturating_sub(probe).max(*out.last().unwrap());
        let quoted = memchr(b'"', &data[from..b]).is_some();
        done(from, b);
        if quoted {
            return None;
        }
        if b >= len {
            break;
        }
        out.push(b);
        t = b;
    }
    out.push(len);
    out.dedup();
    Some(out)
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

/// Plain records from `p` on into `g`'s free rows, one span per column
/// (empty past a record's last field), blank lines skipped, until the grid
/// is full, the data ends or a record is not plain: a field that starts
/// with a quote, has a space or control byte at either end or is longer
/// than `max_field`, or more fields than the grid has columns. Each span
/// is what `parse_record` hands `column` for that field. Returns where it
/// stopped and whether the record there is not plain (the caller parses
/// that one field by field). `base` is the absolute offset of `data[0]`.
///
/// Why one loop over many records: a record parsed alone paid a call, the
/// sink's `begin` and `end` and the field finder's state reloaded from
/// memory, some 230 instructions; through `column` a cell cost some
/// ninety. Here the block's mask is a local that loses each field's bit
/// as it is read, and the grid a pointer that walks a record's columns
/// (with slices and indices the loop ran out of registers and reloaded
/// four of them from the stack per field: 38 instructions a field, 30
/// now).
///
/// `COMMA`: the delimiter is a comma and no field of `data` can pass
/// `max_field` (the data is no longer), so the loop holds neither in a
/// register. `clean`: where `clean_rows` is next tried, kept across the
/// calls of one parse.
#[allow(clippy::too_many_arguments)]
fn plain_rows<const COMMA: bool>(
    data: &[u8],
    ends: &FieldEnds<'_>,
    p: usize,
    delim: u8,
    max_field: usize,
    base: u64,
    g: &mut SpanGrid<'_>,
    clean: &mut CleanTry,
) -> (usize, bool) {
    #[cfg(target_arch = "x86_64")]
    if ends.avx2() {
        // SAFETY: the field finder chose AVX2, so the CPU has it.
        return unsafe {
            plain_rows_avx2::<COMMA>(data, ends, p, delim, max_field, base, g, clean)
        };
    }
    plain_rows_in::<COMMA, false>(data, ends, p, delim, max_field, base, g, clean)
}

/// When `plain_rows` next tries `clean_rows`: at `from` (a position in
/// the parser's data). A try that takes no record (a block that is not
/// clean where the records start) puts the next try `skip` bytes past
/// the block, `skip` doubling with each such try up to 64 KiB: a file of
/// quoted fields stops at every record, and trying its every record's
/// first block cost 1.8% more instructions. A try that takes one resets
/// it.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
struct CleanTry {
    from: usize,
    skip: usize,
}

/// The most `CleanTry::skip` grows to.
#[cfg(target_arch = "x86_64")]
const CLEAN_MAX_SKIP: usize = 1 << 16;

/// `plain_rows` compiled for AVX2, each block classified inline: through
/// the field finder's call, a block cost some 38 instructions (slicing,
/// the kernel's dispatch, the call) where inline it is about 26, and the
/// field loop's first byte no longer lives across the search for its end
/// (1.1% of a people scan's instructions in all).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
unsafe fn plain_rows_avx2<const COMMA: bool>(
    data: &[u8],
    ends: &FieldEnds<'_>,
    p: usize,
    delim: u8,
    max_field: usize,
    base: u64,
    g: &mut SpanGrid<'_>,
    clean: &mut CleanTry,
) -> (usize, bool) {
    plain_rows_in::<COMMA, true>(data, ends, p, delim, max_field, base, g, clean)
}

/// Whether `clean_rows` can run, asked by the AVX2 loop (so AVX2 is
/// known): the CPU has the rest of what it is compiled for, the grid is
/// narrow enough for its queue, and the delimiter is neither a space (its
/// masks tell a value's padding by spaces) nor a newline or quote.
#[cfg(target_arch = "x86_64")]
fn clean_ok(delim: u8, width: usize) -> bool {
    (1..=CLEAN_MAX_WIDTH).contains(&width)
        && !matches!(delim, b' ' | b'\n' | b'"')
        && std::arch::is_x86_feature_detected!("popcnt")
        && std::arch::is_x86_feature_detected!("bmi1")
}

/// The most columns a table may have for `clean_rows`: its queue holds a
/// record's field ends so far plus one block's.
#[cfg(target_arch = "x86_64")]
const CLEAN_MAX_WIDTH: usize = 512;

/// Room for `CLEAN_MAX_WIDTH` pending ends, a block's 64 and the eight a
/// flattening step may write past the last.
#[cfg(target_arch = "x86_64")]
const CLEAN_QUEUE: usize = 1024;

/// The grid as `clean_rows` writes it: `cells` is `g.spans`'s range,
/// `width` its columns, `rows` the rows it may hold (at most `stride`),
/// and `base` the absolute offset of the data's first byte.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
struct CleanGrid<'a> {
    cells: &'a std::ops::Range<*mut Span>,
    stride: usize,
    width: usize,
    rows: usize,
    base: u64,
}

/// Records of clean blocks into the grid, a 64-byte block at a time. A
/// block is clean when it holds no quote, no control byte but the
/// delimiter, newlines and a CR before a newline, and no space at a
/// value's either end: every field in it is plain, and its spans are what
/// `plain_rows_in`'s field loop would give. The field loop's tests of
/// each field (its first and last bytes, and whether a delimiter or a
/// newline ends it) are taken here for the whole block from its masks;
/// the block's field ends go to a queue in one pass over its mask, and a
/// record's spans are read from the queue when its newline is seen.
///
/// Starts at a record's start `p` and skips blank lines; stops at the
/// first record that reaches a block that is not clean, has more fields
/// than the grid's width, is longer than `max_field` or runs past the
/// data's last whole block, or when the grid is full. Returns where it
/// stopped (a record's start), the grid's rows and where it may be tried
/// again: past the block that stopped it (the field loop takes the
/// records up to there), where it stopped when the grid is full, the
/// data's length when it ran out of blocks.
///
/// Why: the field loop cost some 44 instructions a field on the people
/// corpus (its mask walked bit by bit, three bytes read and tested per
/// field); here about 34 a field, blocks' masks included. Writing each
/// span as its bit is found, without the queue, took fewer instructions
/// still but 2.7% more time: the branch on whether each field ends its
/// record was mispredicted, where the queue's loop over a record's fields
/// runs the same count each time.
///
/// # Safety
/// The CPU must support AVX2, POPCNT and BMI1. `grid` is as its doc says,
/// `width` at most `CLEAN_MAX_WIDTH` and `row` below `rows`.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
#[target_feature(enable = "avx2,popcnt,bmi1")]
unsafe fn clean_rows(
    data: &[u8],
    p: usize,
    delim: u8,
    max_field: usize,
    grid: &CleanGrid<'_>,
    offsets: &mut Vec<u64>,
    mut row: usize,
) -> (usize, usize, usize) {
    use std::arch::x86_64::*;
    let CleanGrid {
        cells,
        stride,
        width,
        rows,
        base,
    } = *grid;
    debug_assert!(width <= CLEAN_MAX_WIDTH && row < rows && rows <= stride);
    let len = data.len();
    // ends[head..tail]: the field ends of the record at `rec` seen so far
    // (absolute positions: the delimiter or newline after each field).
    // Every entry below `tail` is written before it is read; zeroing the
    // queue at each call cost more than the grid's rows of it use.
    let mut ends = [std::mem::MaybeUninit::<usize>::uninit(); CLEAN_QUEUE];
    let (mut head, mut tail) = (0usize, 0usize);
    let mut rec = p;
    let mut blk = p & !63;
    // Bytes before `p` in its block belong to records already taken.
    let mut live = !0u64 << (p - blk);
    // A field starts at `p`, and after every delimiter or newline: the
    // last byte of the block before is carried into the next block's
    // masks, as is whether it was a space.
    let mut start_bit = 1u64 << (p - blk);
    let (mut carry_t, mut carry_sp) = (0u64, 0u64);
    let (vd, vn, vr, vq, vs, vc) = (
        _mm256_set1_epi8(delim as i8),
        _mm256_set1_epi8(b'\n' as i8),
        _mm256_set1_epi8(b'\r' as i8),
        _mm256_set1_epi8(b'"' as i8),
        _mm256_set1_epi8(b' ' as i8),
        _mm256_set1_epi8(0x1f),
    );
    while blk + 64 <= len {
        let at = data.as_ptr().wrapping_add(blk);
        _mm_prefetch::<_MM_HINT_T0>(at.wrapping_add(PREFETCH) as *const i8);
        // SAFETY: `blk + 64 <= len`; unaligned loads.
        let (lo, hi) = unsafe {
            (
                _mm256_loadu_si256(at as *const __m256i),
                _mm256_loadu_si256(at.add(32) as *const __m256i),
            )
        };
        // The block's bytes for which `$f` sets a lane, as bits.
        macro_rules! bits {
            ($f:expr) => {{
                let f = $f;
                let a = _mm256_movemask_epi8(f(lo)) as u32 as u64;
                let b = _mm256_movemask_epi8(f(hi)) as u32 as u64;
                (a | (b << 32)) & live
            }};
        }
        let nl = bits!(|x| _mm256_cmpeq_epi8(x, vn));
        let t = bits!(|x| _mm256_cmpeq_epi8(x, vd)) | nl;
        let sp = bits!(|x| _mm256_cmpeq_epi8(x, vs));
        // A quote, or a byte up to 0x1F (a control byte, or the newline
        // or tab that ends a field, taken out below).
        let odd = bits!(|x| _mm256_or_si256(
            _mm256_cmpeq_epi8(x, vq),
            _mm256_cmpeq_epi8(_mm256_min_epu8(x, vc), x),
        ));
        // A CR right before a newline belongs to the line ending, not to
        // the record's last value (one before the next block's newline
        // is left to the field loop). Looked for only where there is a
        // control byte or quote to explain.
        let stray = odd & !t;
        let crlf = if stray != 0 {
            bits!(|x| _mm256_cmpeq_epi8(x, vr)) & (nl >> 1)
        } else {
            0
        };
        let starts = (t << 1) | carry_t | start_bit;
        let bad = (stray & !crlf) | (sp & starts) | (((sp << 1) | carry_sp) & (t | crlf));
        if bad != 0 {
            return (rec, row, blk + 64);
        }
        carry_t = t >> 63;
        carry_sp = sp >> 63;
        start_bit = 0;
        live = !0;
        // The block's field ends into the queue, eight a step: a step
        // past the last bit writes `blk + 64` into the slack, which
        // `tail` does not count.
        let n = t.count_ones() as usize;
        let mut m = t;
        let mut k = tail;
        loop {
            for _ in 0..8 {
                debug_assert!(k < CLEAN_QUEUE);
                // SAFETY: `tail + 64 + 8 <= CLEAN_QUEUE` (kept below), and
                // a block has at most 64 bits.
                unsafe {
                    ends.get_unchecked_mut(k)
                        .write(blk + m.trailing_zeros() as usize)
                };
                m &= m.wrapping_sub(1);
                k += 1;
            }
            if m == 0 {
                break;
            }
        }
        let first = tail;
        tail += n;
        // Each newline ends a record: its place in the queue is the
        // number of the block's field ends before it.
        let mut nm = nl;
        while nm != 0 {
            let b = nm.trailing_zeros();
            nm &= nm - 1;
            let idx = first + (t & ((1u64 << b) - 1)).count_ones() as usize;
            // SAFETY: `idx < tail`: written.
            let end = unsafe { ends[idx].assume_init() };
            let cr = ((crlf << 1) >> b) as usize & 1;
            // A blank line is no record (as `parse` skips it).
            if idx == head && end - rec == cr {
                rec = end + 1;
                head += 1;
                continue;
            }
            let fields = idx + 1 - head;
            // A record no longer than `max_field` has no field longer.
            if fields > width || end - rec > max_field {
                return (rec, row, blk + 64);
            }
            let mut cell = cells.start.wrapping_add(row);
            let mut s = rec;
            let mut put = |s: usize, n: usize| {
                // SAFETY: at most `width` columns from the row's first,
                // all in the grid; only this loop writes to it.
                unsafe {
                    (*cell).start = s as u64;
                    (*cell).len = n as u32;
                }
                cell = cell.wrapping_add(stride);
            };
            for e in &ends[head..idx] {
                // SAFETY: below `tail`: written.
                let e = unsafe { e.assume_init() };
                put(s, e - s);
                s = e + 1;
            }
            put(s, end - cr - s);
            while cell < cells.end {
                // SAFETY: as above.
                unsafe { (*cell).len = 0 };
                cell = cell.wrapping_add(stride);
            }
            offsets.push(base + rec as u64);
            row += 1;
            rec = end + 1;
            head = idx + 1;
            if row >= rows {
                // Full, not stopped: the next grid's records are tried
                // here at once.
                return (rec, row, rec);
            }
        }
        if tail - head > width {
            // More fields than the grid has columns: the field loop says so.
            return (rec, row, blk + 64);
        }
        if tail + 64 + 8 > CLEAN_QUEUE {
            ends.copy_within(head..tail, 0);
            tail -= head;
            head = 0;
        }
        blk += 64;
    }
    (rec, row, len)
}

/// How far ahead of the block being split the plain-row loop asks for the
/// bytes: its loads had waited on memory (half its samples on one load),
/// the hardware prefetcher stopping at each 4 KiB page. 2 KiB ahead: 2%
/// less time on the people corpus (one or two cores), for 0.4% more
/// instructions; 512 B, 1 KiB and 4 KiB did no better.
const PREFETCH: usize = 2048;

/// A plain field's first byte may not be a quote, a space or a control
/// byte (see `plain_rows_in`), its last neither a space nor a control byte.
static NOT_PLAIN_FIRST: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = b <= b' ' as usize || b == b'"' as usize;
        b += 1;
    }
    t
};
static NOT_PLAIN_LAST: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b <= b' ' as usize {
        t[b] = true;
        b += 1;
    }
    t
};

/// Whether a field of `n` bytes, first `b0` and last `last`, is not plain,
/// tested without a branch on each part: whether a field is empty varies
/// from record to record in a sparse table, and the short-circuit test
/// that branched on it was mispredicted. `b0` and `last` may be any byte
/// when `n == 0`.
#[inline(always)]
fn not_plain(b0: u8, last: u8, n: usize, max_field: usize) -> bool {
    let ends_bad = NOT_PLAIN_FIRST[usize::from(b0)] | NOT_PLAIN_LAST[usize::from(last)];
    (n != 0) & (ends_bad | (n > max_field))
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn plain_rows_in<const COMMA: bool, const AVX2: bool>(
    data: &[u8],
    ends: &FieldEnds<'_>,
    mut p: usize,
    delim: u8,
    max_field: usize,
    base: u64,
    g: &mut SpanGrid<'_>,
    clean: &mut CleanTry,
) -> (usize, bool) {
    #[cfg(not(target_arch = "x86_64"))]
    let _ = clean;
    let (delim, max_field) = if COMMA {
        debug_assert!(delim == b',' && data.len() <= max_field);
        (b',', usize::MAX)
    } else {
        (delim, max_field)
    };
    let len = data.len();
    let stride = g.stride;
    let offsets = &mut *g.offsets;
    let mut row = offsets.len();
    let rows = g.rows.min(stride);
    // A quote for a delimiter would make an empty field look quoted.
    if row >= rows || delim == b'"' {
        return (p, true);
    }
    // The grid's cells as a pointer that walks a record's columns,
    // `stride` apart, and the bound past its last column.
    #[cfg(target_arch = "x86_64")]
    let width = g.spans.len() / stride;
    let cells = g.spans.as_mut_ptr_range();
    // Whether `clean_rows` may take the records on, from `clean.from`
    // (past the blocks that stopped it, which the field loop takes).
    #[cfg(target_arch = "x86_64")]
    let clean_on = AVX2 && clean_ok(delim, width);
    // `m` holds the delimiters and newlines of blocks `blk` and `blk + 64`
    // at or after `p`: each field's end is its lowest bit, cleared as it
    // is taken. Two blocks at a time: whether a field's end lies past the
    // blocks at hand depends on the lengths of the fields before it, and
    // the branch on it was mispredicted; with two, half as often.
    let pair = |blk: usize| -> u128 {
        let mask = |b: usize| if b < len { ends.block_mask(b) } else { 0 };
        u128::from(mask(blk)) | u128::from(mask(blk + 64)) << 64
    };
    let seek = |p: usize| -> (usize, u128) {
        let blk = p & !63;
        (blk, pair(blk) & (!0u128 << (p - blk)))
    };
    let (mut blk, mut m) = seek(p);
    'records: while p < len {
        #[cfg(target_arch = "x86_64")]
        if clean_on && p >= clean.from {
            // SAFETY: `AVX2` and `clean_ok` checked the CPU and the
            // width; `row < rows <= stride` (above, and below after each
            // record).
            let (next, r, resume) = unsafe {
                let grid = CleanGrid {
                    cells: &cells,
                    stride,
                    width,
                    rows,
                    base,
                };
                clean_rows(data, p, delim, max_field, &grid, offsets, row)
            };
            if next > p {
                clean.skip = 0;
            } else {
                clean.skip = (clean.skip * 2).clamp(64, CLEAN_MAX_SKIP);
            }
            clean.from = resume.saturating_add(clean.skip);
            (p, row) = (next, r);
            if row >= rows {
                return (p, false);
            }
            if p >= len {
                break;
            }
            (blk, m) = seek(p);
        }
        // Blank lines are not records (as `parse` skips them).
        if data[p] == b'\n' {
            p += 1;
            (blk, m) = seek(p);
            continue;
        }
        if data[p] == b'\r' && p + 1 < len && data[p + 1] == b'\n' {
            p += 2;
            (blk, m) = seek(p);
            continue;
        }
        let start = p;
        let mut cell = cells.start.wrapping_add(row);
        loop {
            debug_assert!(p < len);
            let fe = loop {
                if m != 0 {
                    let fe = blk + m.trailing_zeros() as usize;
                    m &= m - 1;
                    break fe;
                }
                blk += 128;
                if blk >= len {
                    break len;
                }
                #[cfg(target_arch = "x86_64")]
                if AVX2 && let Some(b) = data.get(blk..blk + 128) {
                    // SAFETY: a prefetch never faults, wherever it points.
                    unsafe {
                        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                            data.as_ptr().wrapping_add(blk + PREFETCH) as *const i8,
                        );
                        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                            data.as_ptr().wrapping_add(blk + PREFETCH + 64) as *const i8,
                        )
                    };
                    // SAFETY: `AVX2` only in `plain_rows_avx2`.
                    // SAFETY: `blk + 64 <= len`; unaligned loads.
                    let (lo, hi) = unsafe {
                        (
                            super::seps::mask_avx2_block(b[..64].try_into().unwrap(), delim),
                            super::seps::mask_avx2_block(b[64..].try_into().unwrap(), delim),
                        )
                    };
                    m = u128::from(lo) | u128::from(hi) << 64;
                    continue;
                }
                m = pair(blk);
            };
            let n = fe - p;
            // The field's first byte, read once its end is known: held
            // across the search for it, it cost the loop a register. A
            // field that starts with a quote is not plain; an empty one
            // starts with its delimiter or newline, never a quote (the
            // delimiter is not one, see the top).
            // SAFETY: `p < len`: the record's first field, or a field
            // after a delimiter that did not end the data.
            let b0 = unsafe { *data.get_unchecked(p) };
            // A field its delimiter ends, on its own path: its value needs
            // no CR test (one test and push shared with the record's last
            // field cost 1% more instructions on the people corpus).
            if fe < len && data[fe] == delim {
                // Spans are trimmed (as `detect::trim` trims): a value with
                // a space or control byte at either end is left to the sink.
                // SAFETY: `fe - 1` is in the field when `n != 0`; when
                // `n == 0` it is the byte before it, or `fe == p == 0`.
                let last = unsafe { *data.get_unchecked(fe.saturating_sub(1)) };
                if not_plain(b0, last, n, max_field) {
                    return (start, true);
                }
                if !put_span(&mut cell, &cells, stride, p, n) {
                    return (start, true);
                }
                p = fe + 1;
                if p < len {
                    continue;
                }
                // A delimiter ending the data leaves an empty last field.
                if !put_span(&mut cell, &cells, stride, len, 0) {
                    return (start, true);
                }
            } else {
                // The record's last field. A CR before its newline (or the
                // end of data) belongs to the line ending, not the value.
                // Without a branch on its emptiness either (a last column
                // empty in some records and not in others).
                let cr = (n != 0) & (data[fe.saturating_sub(1)] == b'\r');
                let value_end = fe - usize::from(cr);
                let n = value_end - p;
                if not_plain(b0, data[value_end.saturating_sub(1)], n, max_field) {
                    return (start, true);
                }
                if !put_span(&mut cell, &cells, stride, p, n) {
                    return (start, true);
                }
                p = if fe < len { fe + 1 } else { len };
            }
            // The columns the record did not reach are empty.
            while cell < cells.end {
                // SAFETY: `cell` is in the grid; only this loop writes to
                // the grid while it runs.
                unsafe { (*cell).len = 0 };
                cell = cell.wrapping_add(stride);
            }
            offsets.push(base + start as u64);
            row += 1;
            if row >= rows {
                return (p, false);
            }
            continue 'records;
        }
    }
    (p, false)
}

/// Sets the span at `cell` and steps `cell` to the record's next column,
/// `stride` on; false, writing nothing, when `cell` is past the grid's
/// last column (the record has more fields than the grid has columns).
#[inline(always)]
fn put_span(
    cell: &mut *mut Span,
    cells: &std::ops::Range<*mut Span>,
    stride: usize,
    start: usize,
    len: usize,
) -> bool {
    if *cell >= cells.end {
        return false;
    }
    // SAFETY: `cell` is in the grid: from its start (`plain_rows_in`
    // starts a record at its row, below `stride`) up to its end (checked
    // above); only `plain_rows_in` writes to the grid while it runs.
    unsafe {
        (**cell).start = start as u64;
        (**cell).len = len as u32;
    }
    *cell = cell.wrapping_add(stride);
    true
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
                sink.open_quote();
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
    let view = &data[..end];
    let ends = FieldEnds::new(view, delim);
    parse_with(view, start, delim, base, sink, max_field, ends);
}

/// `parse` with the field finder given (the tests give each kernel's).
fn parse_with<S: RecordSink>(
    view: &[u8],
    start: usize,
    delim: u8,
    base: u64,
    sink: &mut S,
    max_field: usize,
    mut ends: FieldEnds<'_>,
) {
    let mut scratch = Vec::new();
    let mut p = start;
    let end = view.len();
    let comma = delim == b',' && view.len() <= max_field;
    let mut clean = CleanTry {
        from: start,
        skip: 0,
    };
    while p < end {
        // Plain records go straight to the sink's grid, many at a time;
        // the one they stop at, if not plain, is parsed below.
        if let Some(mut g) = sink.span_grid(view) {
            let before = g.offsets.len();
            let (next, stuck) = if comma {
                plain_rows::<true>(view, &ends, p, delim, max_field, base, &mut g, &mut clean)
            } else {
                plain_rows::<false>(view, &ends, p, delim, max_field, base, &mut g, &mut clean)
            };
            let added = g.offsets.len() > before;
            if added {
                sink.grid_filled();
            }
            p = next;
            if !stuck {
                continue;
            }
        }
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
        p = parse_record(view, &mut ends, p, delim, sink, &mut scratch, max_field);
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
        open: bool,
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
        fn open_quote(&mut self) {
            self.open = true;
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

    /// Every byte a guessed cut's probe reads is handed to `done` (so a
    /// mapped caller gives back every page the probes touched), and only
    /// bytes before the cut: the look-back and the cut's own line, up to
    /// and including its newline. Regression: the probes of a 10 GB file
    /// kept 157 MB of its pages mapped until their chunks were scanned.
    #[test]
    fn guessed_cuts_hand_back_what_their_probes_read() {
        let mut d = b"h1,h2\n".to_vec();
        for i in 0..200 {
            d.extend_from_slice(format!("{i},{}\n", "x".repeat(i % 13)).as_bytes());
        }
        for chunk in [1, 7, 64, 300] {
            for probe in [0, 5, 100, PROBE] {
                let read = std::cell::RefCell::new(Vec::new());
                let b = speculative_boundaries_releasing(&d, 6, chunk, probe, &|s, e| {
                    read.borrow_mut().push((s, e))
                })
                .unwrap();
                assert_eq!(Some(b.clone()), speculative_boundaries(&d, 6, chunk, probe));
                let read = read.into_inner();
                // One range per cut (and one for the last line, when the
                // probe reached the end), ending at the cut and reaching
                // back over the look-back, not past the cut before.
                let cuts = b.len() - 2;
                assert!(
                    read.len() == cuts || read.len() == cuts + 1,
                    "chunk {chunk} probe {probe}"
                );
                for (w, &(s, e)) in b.windows(2).zip(&read) {
                    assert_eq!(e, w[1], "chunk {chunk} probe {probe}");
                    // The newline search starts a chunk past the last cut.
                    let t = w[0] + chunk;
                    assert_eq!(
                        s,
                        t.saturating_sub(probe).max(w[0]),
                        "chunk {chunk} probe {probe}"
                    );
                }
            }
        }
    }

    /// Guessed cuts are checked by the parse itself: wherever no chunk but
    /// the last ends inside a quoted field, the chunks' records are the
    /// whole file's. Swept over chunk sizes and look-backs (none: only the
    /// cut's own line) on the same quoted newlines, escaped quotes and
    /// CRLFs, and on rows without a quote; both a wrong guess caught and a
    /// right one taken must occur, or the sweep proves nothing.
    #[test]
    fn guessed_boundaries_are_right_wherever_no_chunk_ends_in_quotes() {
        let mut quoted = b"h1,h2,h3\n".to_vec();
        let (mut plain, mut lines) = (quoted.clone(), quoted.clone());
        for i in 0..40 {
            quoted.extend_from_slice(
                format!("{i},\"x\"\"\ny,\"\"\",\"a\nb\",5'10\",\"\"\r\n").as_bytes(),
            );
            plain.extend_from_slice(format!("{i},x y,{}\n", i * 7).as_bytes());
            // Quote-free lines inside a quoted field: a cut there passes
            // a short look-back.
            lines.extend_from_slice(format!("{i},\"one\ntwo\nthree, {i}\nfour\",z\n").as_bytes());
        }
        let (mut caught, mut taken, mut declined) = (0, 0, 0);
        for d in [&quoted, &plain, &lines] {
            let whole = rows(d, 9);
            assert_eq!(whole.len(), 40);
            for chunk in [1, 2, 3, 5, 7, 16, 31, 64, 1000] {
                for probe in [0, 1, 8, PROBE] {
                    let Some(b) = speculative_boundaries(d, 9, chunk, probe) else {
                        declined += 1;
                        continue;
                    };
                    assert_eq!((b[0], *b.last().unwrap()), (9, d.len()));
                    let mut got = Vec::new();
                    let mut open = false;
                    for w in b.windows(2) {
                        let mut r = Rows::default();
                        parse(d, w[0], w[1], b',', 0, &mut r, usize::MAX);
                        open |= r.open && w[1] < d.len();
                        got.extend(r.rows);
                    }
                    if open {
                        caught += 1;
                    } else {
                        taken += 1;
                        assert_eq!(got, whole, "chunk {chunk} probe {probe}");
                    }
                }
            }
        }
        assert!(
            caught > 0 && taken > 0 && declined > 0,
            "{caught} {taken} {declined}"
        );
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
    /// them (`width` columns, `stride` rows of room, read back and made
    /// stale when full, as a batch is scanned and reused), and through
    /// `column` otherwise.
    struct Spans<'d> {
        data: &'d [u8],
        width: usize,
        stride: usize,
        grid: Vec<Span>,
        /// The held records' offsets, one per row of the grid.
        offsets: Vec<u64>,
        /// Each held record's values given through `column`, by column.
        given: Vec<Vec<Option<Option<String>>>>,
        rows: Vec<(u64, Fields)>,
        oversize: Vec<(u64, usize)>,
        /// Records that went through `column`.
        by_column: usize,
        /// Records that went through `span_grid`.
        by_grid: usize,
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
                offsets: Vec::new(),
                given: Vec::new(),
                rows: Vec::new(),
                oversize: Vec::new(),
                by_column: 0,
                by_grid: 0,
            }
        }
        /// Reads the held records back, as a batch's scan does, and
        /// makes their room stale again.
        fn flush(&mut self) {
            for (slot, &o) in self.offsets.iter().enumerate() {
                let given = &self.given[slot];
                self.by_column += usize::from(!given.is_empty());
                let n = self.width.max(given.len());
                let mut f: Fields = (0..n)
                    .map(|k| match given.get(k) {
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
                self.rows.push((o, f));
            }
            for s in &mut self.grid {
                s.len = 1;
            }
            self.offsets.clear();
            self.given.clear();
        }
    }
    impl RecordSink for Spans<'_> {
        fn begin(&mut self, o: u64) {
            assert!(self.offsets.len() < self.stride);
            self.offsets.push(o);
            self.given.push(Vec::new());
            // As a batch empties a row the parser does not fill itself.
            let slot = self.offsets.len() - 1;
            for c in self.grid[slot..].iter_mut().step_by(self.stride) {
                c.len = 0;
            }
        }
        fn column(&mut self, idx: usize, v: &[u8]) {
            let given = self.given.last_mut().unwrap();
            if given.len() <= idx {
                given.resize(idx + 1, None);
            }
            given[idx] = Some(trimmed(v));
        }
        fn keyed(&mut self, _: &str, _: &[u8]) {}
        fn text(&mut self, _: &[u8]) {}
        fn end(&mut self) {
            if self.offsets.len() == self.stride {
                self.flush();
            }
        }
        fn oversize(&mut self, o: u64, n: usize) {
            self.oversize.push((o, n));
        }
        fn span_grid(&mut self, data: &[u8]) -> Option<SpanGrid<'_>> {
            assert_eq!(data.as_ptr(), self.data.as_ptr());
            Some(SpanGrid {
                spans: &mut self.grid,
                stride: self.stride,
                offsets: &mut self.offsets,
                rows: self.stride,
            })
        }
        fn grid_filled(&mut self) {
            let added = self.offsets.len() - self.given.len();
            assert!(added > 0);
            self.by_grid += added;
            self.given.resize(self.offsets.len(), Vec::new());
            if self.offsets.len() == self.stride {
                self.flush();
            }
        }
    }

    /// `data` parsed into a grid of `width` columns and `stride` rows, with
    /// each field finder this CPU can run, gives the records and oversize
    /// reports that parsing through `column` alone gives.
    fn grid_agrees_with_columns(
        data: &[u8],
        delim: u8,
        base: u64,
        width: usize,
        stride: usize,
        max_field: usize,
    ) -> Result<(), proptest::test_runner::TestCaseError> {
        let mut a = ByIndex::default();
        parse(data, 0, data.len(), delim, base, &mut a, max_field);
        for f in &mut a.rows {
            while f.1.last() == Some(&None) {
                f.1.pop();
            }
        }
        for ends in FieldEnds::every_kernel(data, delim) {
            let mut b = Spans::new(data, width, stride);
            parse_with(data, 0, delim, base, &mut b, max_field, ends);
            b.flush();
            proptest::prop_assert_eq!(&b.rows, &a.rows);
            proptest::prop_assert_eq!(&b.oversize, &a.oversize);
        }
        Ok(())
    }

    /// The delimiter sniff as it was written before it counted candidates
    /// together and lines through `memchr`: a byte loop for the lines, one
    /// pass per candidate over every line (the choice among the consistent
    /// candidates is shared).
    fn sniff_delimiter_reference(head: &[u8]) -> Option<u8> {
        let mut lines: Vec<&[u8]> = Vec::new();
        let (mut inq, mut s) = (false, 0);
        for (i, &b) in head.iter().enumerate() {
            if b == b'"' {
                inq = !inq;
            } else if b == b'\n' && !inq {
                lines.push(&head[s..i]);
                s = i + 1;
                if lines.len() == 50 {
                    break;
                }
            }
        }
        if lines.len() < 50 && s < head.len() && (lines.is_empty() || head.len() < 64 * 1024) {
            lines.push(&head[s..]);
        }
        lines.retain(|l| !l.iter().all(|b| b.is_ascii_whitespace()));
        let first_line = lines.first()?;
        let first = CANDIDATES.map(|d| count_outside_quotes(first_line, d));
        let mut consistent = [false; CANDIDATES.len()];
        for (k, d) in CANDIDATES.into_iter().enumerate() {
            consistent[k] =
                first[k] > 0 && lines.iter().all(|l| count_outside_quotes(l, d) == first[k]);
        }
        pick_delimiter(first, consistent, lines.len() == 1)
    }

    proptest::proptest! {
        /// The sniffed delimiter is the reference's on heads of delimiters,
        /// quotes, newlines, spaces and letters: lines that agree, lines
        /// that do not, quoted newlines and delimiters, more than fifty
        /// lines.
        #[test]
        fn sniffed_delimiters_match_the_reference(
            rows in proptest::collection::vec(
                proptest::collection::vec(proptest::sample::select(
                    b",,,\t\t||;;\" a1".to_vec()), 0..12),
                0..70),
            same in proptest::bool::ANY,
        ) {
            // Half the time every row is the first one: a consistent file.
            let mut head = Vec::new();
            for r in &rows {
                head.extend_from_slice(if same { &rows[0] } else { r });
                head.push(b'\n');
            }
            proptest::prop_assert_eq!(sniff_delimiter(&head), sniff_delimiter_reference(&head));
            let cut = &head[..head.len() / 2];
            proptest::prop_assert_eq!(sniff_delimiter(cut), sniff_delimiter_reference(cut));
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
            grid_agrees_with_columns(&data, delim, 7, width, stride, max_field)?;
        }
    }

    proptest::proptest! {
        /// Mostly plain records, long enough to span blocks, as
        /// `clean_rows` takes them: the same fields as through `column`,
        /// with the odd byte (a quote, a CR, a tab, a space at a field's
        /// end), blank lines, records wider than the room and fields past
        /// the bound stopping it where they fall.
        #[test]
        fn clean_blocks_agree_with_columns(
            records in proptest::collection::vec(
                proptest::collection::vec((0usize..40, 0u8..64), 0..9),
                0..40,
            ),
            blank in proptest::collection::vec(0u8..16, 40),
            width in 1usize..9,
            stride in 1usize..5,
            delim in proptest::sample::select(b",\t;|".to_vec()),
            max_field in proptest::sample::select(vec![30usize, 100, usize::MAX]),
        ) {
            let mut data = Vec::new();
            for (i, rec) in records.iter().enumerate() {
                for (k, &(n, odd)) in rec.iter().enumerate() {
                    if k > 0 {
                        data.push(delim);
                    }
                    let mut f: Vec<u8> = (0..n).map(|j| b"ab c7"[(j * 7 + n) % 5]).collect();
                    if n > 0 && f[n - 1] == b' ' {
                        f[n - 1] = b'z';
                    }
                    if n > 0 && f[0] == b' ' {
                        f[0] = b'y';
                    }
                    // One field in eight or so has an odd byte.
                    let odd_byte = [b'"', b'\r', b'\t', b' ', 0x01, b'\n'][usize::from(odd) % 6];
                    if odd < 6 && n > 0 {
                        f[[0, n - 1, n / 2][usize::from(odd) % 3]] = odd_byte;
                    }
                    data.extend_from_slice(&f);
                }
                match blank[i] {
                    0 => data.extend_from_slice(b"\n\n"),
                    1 => data.extend_from_slice(b"\r\n"),
                    _ => data.push(b'\n'),
                }
            }
            grid_agrees_with_columns(&data, delim, 11, width, stride, max_field)?;
        }
    }

    /// An odd byte at a field's start or end that falls on either side of
    /// a block's edge, at every shift: what `clean_rows` carries from one
    /// block to the next.
    #[test]
    fn clean_block_edges() {
        for shift in 0..140 {
            for odd in [" y", "y ", "\"y\"", "\r", "\n", " ", "\x01y"] {
                let mut d = "x".repeat(shift).into_bytes();
                d.extend_from_slice(format!(",{odd},z\nab,cd\n").as_bytes());
                d.extend_from_slice("pq,rs,tu\n".repeat(20).as_bytes());
                grid_agrees_with_columns(&d, b',', 0, 4, 3, usize::MAX).unwrap();
            }
        }
    }

    /// Clean records of several blocks go through the grid, blank lines
    /// skipped, and their spans are the fields: narrow and wide tables,
    /// grids of a few rows and of many (whose queue of field ends is
    /// moved back to its start as it fills), LF and CRLF line ends.
    #[test]
    fn clean_blocks_in_spans() {
        // (records, fields a record, grid width, grid rows, line end)
        let cases: [(usize, usize, usize, usize, &str); 5] = [
            (50, 5, 6, 4, "\n"),
            (400, 5, 6, 400, "\n"),
            (400, 5, 5, 400, "\r\n"),
            (30, 300, 300, 40, "\n"),
            (30, 300, 301, 40, "\r\n"),
        ];
        for (records, fields, width, stride, eol) in cases {
            let mut d = Vec::new();
            let mut want = Vec::new();
            for i in 0..records {
                let rec: Vec<String> = (0..fields)
                    .map(|j| match j % 5 {
                        _ if j + 1 == fields => "end".to_string(),
                        0 => format!("row {i}"),
                        1 => "alpha beta".to_string(),
                        2 => "7".repeat(i % 13),
                        3 => String::new(),
                        _ => "x".to_string(),
                    })
                    .collect();
                want.push((d.len() as u64, rec.join(",")));
                d.extend_from_slice(rec.join(",").as_bytes());
                d.extend_from_slice(eol.as_bytes());
                if i % 9 == 0 {
                    d.extend_from_slice(eol.as_bytes());
                }
            }
            for ends in FieldEnds::every_kernel(&d, b',') {
                let mut s = Spans::new(&d, width, stride);
                parse_with(&d, 0, b',', 0, &mut s, usize::MAX, ends);
                s.flush();
                assert_eq!(
                    (s.by_column, s.by_grid),
                    (0, records),
                    "{records} x {fields}"
                );
                let got: Vec<(u64, String)> = s
                    .rows
                    .iter()
                    .map(|(at, f)| {
                        let mut f: Vec<String> =
                            f.iter().map(|v| v.clone().unwrap_or_default()).collect();
                        f.resize(fields, String::new());
                        (*at, f.join(","))
                    })
                    .collect();
                assert_eq!(got, want, "{records} x {fields}");
            }
        }
    }

    #[test]
    fn plain_records_in_spans() {
        let d = b"a,bb,,c\r\nx,\"q\",y\n\n1,2,3,4,5\n,\r\n\r\nlast,";
        let v = |x: &[Option<&str>]| -> Fields { x.iter().map(|o| o.map(String::from)).collect() };
        for ends in FieldEnds::every_kernel(d, b',') {
            let mut s = Spans::new(d, 4, 2);
            parse_with(d, 0, b',', 0, &mut s, usize::MAX, ends);
            s.flush();
            // Only the quoted record and the one wider than the room are
            // parsed through `column`: a CRLF line ending is plain, and
            // blank lines are no records.
            assert_eq!(s.by_column, 2);
            assert_eq!(s.by_grid, 3);
            assert_eq!(
                s.rows,
                vec![
                    (0, v(&[Some("a"), Some("bb"), None, Some("c")])),
                    (9, v(&[Some("x"), Some("q"), Some("y")])),
                    (
                        18,
                        v(&[Some("1"), Some("2"), Some("3"), Some("4"), Some("5")])
                    ),
                    (28, v(&[])),
                    (33, v(&[Some("last")])),
                ]
            );
        }
    }

    proptest::proptest! {
        /// Records of longer fields, so that fields and records cross the
        /// 64-byte blocks the field finder classifies, many records to a
        /// batch: the same through the grid as through `column`.
        #[test]
        fn grid_records_across_blocks(
            records in proptest::collection::vec(
                proptest::collection::vec(
                    (0usize..90, proptest::sample::select(vec![
                        b'x', b'x', b'x', b'7', b' ', b'"', b'\r', b'\t',
                    ])),
                    0..8,
                ),
                0..12,
            ),
            blank in proptest::collection::vec(0u8..4, 12),
            width in 1usize..7,
            stride in 1usize..6,
            delim in proptest::sample::select(b",\t;".to_vec()),
            max_field in proptest::sample::select(vec![40usize, usize::MAX]),
        ) {
            // A field is a run of `x` with one odd byte in it: at its
            // start, its end or inside (none when the run is short).
            let mut data = Vec::new();
            for (i, rec) in records.iter().enumerate() {
                for (k, &(n, odd)) in rec.iter().enumerate() {
                    if k > 0 {
                        data.push(delim);
                    }
                    let mut f = vec![b'x'; n];
                    if n > 0 {
                        let at = [0, n - 1, n / 2][n % 3];
                        f[at] = odd;
                    }
                    data.extend_from_slice(&f);
                }
                match blank[i] {
                    0 => data.extend_from_slice(b"\n"),
                    1 => data.extend_from_slice(b"\r\n"),
                    2 => data.extend_from_slice(b"\n\n"),
                    _ => data.extend_from_slice(b"\r\n\r\n"),
                }
            }
            grid_agrees_with_columns(&data, delim, 3, width, stride, max_field)?;
        }
    }
}
