//! Records held back a batch at a time, so that each column's (or JSON key
//! path's) values are scanned together.
//!
//! Why: a row of a wide table runs twenty different detectors' paths one
//! after another, and the branch predictor and the caches hold none of them
//! from one row to the next; a column's values take the same path and use
//! the same memo. On the people CSV this was 10% of a scan's time
//! (`benches/ab.sh`), though it adds 5% of instructions (each cell's span
//! is stored and read back).
//!
//! A CSV batch is a grid, column by column, that the parser fills itself
//! with plain records, many at a time (`RecordSink::span_grid`): a cell
//! then costs its parser some 31 instructions where a call to `column`
//! and a push onto its column's list cost about 90.
//!
//! Why the reports cannot change: a record's detections go to its own
//! `RecordHits`, which gets its values in the order the row-by-row scan
//! gives them; records are finished in file order; the memos are exact
//! caches (their order of lookups decides only what they keep). A CSV
//! row's cells arrive in column order, cells past the header last. A JSON
//! record is grouped only when its key paths come in the order of their
//! indices (as JSON Lines from one writer do); any other record, and any
//! record with free text or a path past the bound on paths, is scanned
//! value by value in its own order, after the grouped ones. The tests
//! compare every batch size with the row-by-row scan (`--batch-rows 0`).

use super::{Sink, TEXT_CTX};
use crate::count::finish_record;
use crate::detect::{ColumnCtx, RecordHits, memo};
use crate::records::{RecordSink, Span, SpanGrid};

/// Rows a batch holds before its cells are scanned. On the people corpus
/// 64 and 128 measured alike; 16, 32, 256 and 1,024 slower (`ab.sh`, 6-8
/// rounds each).
pub const BATCH_ROWS: usize = 64;
/// The most rows a batch holds whatever `--batch-rows` asks: their
/// records stay in memory until the batch is scanned.
pub(super) const MAX_ROWS: usize = 1 << 16;
/// The most cells a CSV batch holds (16 MiB): a table wider than
/// `GRID_CELLS / rows` columns is batched fewer rows at a time.
const GRID_CELLS: usize = 1 << 20;

/// One value: where it is (its offset in the data, or with `IN_ARENA` set
/// in the batch's arena: a value the parser built, an unescaped string),
/// and its row.
type Cell = Span;

const IN_ARENA: u64 = 1 << 63;

/// How a value that is not grouped is scanned.
#[derive(Clone, Copy)]
enum How {
    /// Under a column's or key path's context and memo.
    Slot(u32),
    /// As free text.
    Text,
    /// Under `Batch::judged[i]`: a key path past the bound on paths.
    Judged(u32),
}

#[derive(Default)]
pub(super) struct Batch {
    /// Each record's offset in its file.
    offsets: Vec<u64>,
    /// Per JSON key path: its grouped values, in record order.
    slots: Vec<Vec<Cell>>,
    /// A CSV batch's fields column by column, `stride` rows to a column,
    /// each cell's row set once: the parser writes a plain record's
    /// fields there itself (`RecordSink::span_grid`).
    grid: Vec<Cell>,
    stride: usize,
    /// Which of the grid's cells hold a value, column by column (see
    /// `live_rows`).
    live: Vec<u64>,
    /// Values scanned one by one, in file order, after the grouped ones.
    ordered: Vec<(Cell, How)>,
    /// The open JSON record's values, until it ends in path order or not.
    staged: Vec<(Cell, How)>,
    judged: Vec<ColumnCtx>,
    arena: Vec<u8>,
    recs: Vec<RecordHits>,
}

pub(super) struct BatchSink<'w, 'a, 'b> {
    pub(super) s: Sink<'w, 'a>,
    b: &'b mut Batch,
    data: &'b [u8],
    rows: usize,
    /// Slots are JSON key paths (`Sink::keys`), not CSV columns.
    by_path: bool,
    /// The open JSON record's paths have come in index order so far.
    in_order: bool,
    last_slot: u32,
    /// The open record's index in the batch.
    row: u32,
    /// The data's UTF-8 check, when it is made here (see `Utf8Check`).
    utf8: Option<Utf8Check>,
}

/// A unit's UTF-8 checked a batch at a time, up to the batch's last
/// record, while its bytes are still in cache: checked up front, the whole
/// unit was read once more from memory (1.7% of a one-core people scan).
/// The first invalid byte is the one a check of the whole unit finds:
/// pieces are checked in order, and a piece that ends inside a character
/// is resumed at that character.
pub(super) struct Utf8Check {
    /// Checked up to here in the data.
    pub(super) from: usize,
    /// The file offset of the data's first byte.
    pub(super) base: u64,
    /// The file offset of the first invalid byte.
    bad: Option<u64>,
}

impl Utf8Check {
    pub(super) fn new(from: usize, base: u64) -> Utf8Check {
        Utf8Check {
            from,
            base,
            bad: None,
        }
    }

    /// The file offset of the first invalid byte of `data[from..end]`,
    /// checked whole.
    pub(super) fn whole(data: &[u8], from: usize, end: usize, base: u64) -> Option<u64> {
        let mut u = Utf8Check::new(from, base);
        u.check(data, end, true);
        u.bad
    }

    /// Checks `data[from..upto]`; `last`: nothing follows, so a character
    /// cut off at `upto` is invalid.
    fn check(&mut self, data: &[u8], upto: usize, last: bool) {
        if self.bad.is_some() || upto <= self.from {
            return;
        }
        self.from += ascii_blocks(&data[self.from..upto]);
        match std::str::from_utf8(&data[self.from..upto]) {
            Ok(_) => self.from = upto,
            Err(e) if e.error_len().is_none() && !last => self.from += e.valid_up_to(),
            Err(e) => self.bad = Some(self.base + (self.from + e.valid_up_to()) as u64),
        }
    }
}

impl<'w, 'a, 'b> BatchSink<'w, 'a, 'b> {
    /// A batch over `data`, whose values the parser hands out (and a few it
    /// builds); `rows` records at a time, grouped by CSV column or, with
    /// `by_path`, by JSON key path.
    pub(super) fn new(
        s: Sink<'w, 'a>,
        b: &'b mut Batch,
        data: &'b [u8],
        rows: usize,
        by_path: bool,
        utf8: Option<Utf8Check>,
    ) -> BatchSink<'w, 'a, 'b> {
        b.slots.clear();
        let mut rows = rows;
        if !by_path {
            // The grid holds every cell of a batch, empty or not: bounded
            // whatever the table's width.
            let w = s.cols.len();
            rows = rows.min(GRID_CELLS / w.max(1)).max(1);
            if b.stride != rows || b.grid.len() != w * rows {
                b.stride = rows;
                b.grid = (0..w * rows)
                    .map(|k| Cell {
                        start: 0,
                        len: 0,
                        row: (k % rows) as u32,
                    })
                    .collect();
            }
        }
        BatchSink {
            s,
            b,
            data,
            rows,
            by_path,
            in_order: true,
            last_slot: 0,
            row: 0,
            utf8,
        }
    }

    /// Ends the UTF-8 check at `end` (after the last `flush`): the file
    /// offset of the first invalid byte, if any.
    pub(super) fn utf8_end(&mut self, end: usize) -> Option<u64> {
        let u = self.utf8.as_mut()?;
        u.check(self.data, end, true);
        u.bad
    }

    /// Where `value` is: its offset in the data it was parsed from, or a
    /// copy in the arena.
    #[inline(always)]
    fn cell(&mut self, value: &[u8]) -> Cell {
        // Inside the data when its offset from the data's start leaves
        // room for it (a value before the data wraps around to a huge
        // offset).
        let off = (value.as_ptr() as usize).wrapping_sub(self.data.as_ptr() as usize);
        let start = if off <= self.data.len() && value.len() <= self.data.len() - off {
            off as u64
        } else {
            let st = self.b.arena.len() as u64 | IN_ARENA;
            self.b.arena.extend_from_slice(value);
            st
        };
        Cell {
            start,
            len: value.len() as u32,
            row: self.row,
        }
    }

    /// Empties the open record's row of the grid: a CSV record the parser
    /// could not put in the grid itself, whose `column` calls fill only
    /// the cells they are given. Out of line and cold: inlined, it took
    /// `begin` out of line in the JSON parser (11 instructions a record).
    #[cold]
    #[inline(never)]
    fn empty_row(&mut self) {
        let stride = self.b.stride;
        for c in self.b.grid[self.row as usize..].iter_mut().step_by(stride) {
            c.len = 0;
        }
    }

    #[inline(always)]
    fn stage(&mut self, value: &[u8], how: How) {
        let c = self.cell(value);
        match how {
            How::Slot(i) if i >= self.last_slot => self.last_slot = i,
            _ => self.in_order = false,
        }
        self.b.staged.push((c, how));
    }

    /// A JSON scalar staged for its path's column, or to be judged in its
    /// context.
    #[inline(always)]
    fn keyed_in(&mut self, slot: Result<usize, ColumnCtx>, value: &[u8]) {
        let how = match slot {
            Ok(i) => {
                if self.b.slots.len() <= i {
                    self.b.slots.resize_with(i + 1, Vec::new);
                }
                How::Slot(i as u32)
            }
            Err(ctx) => {
                self.b.judged.push(ctx);
                How::Judged(self.b.judged.len() as u32 - 1)
            }
        };
        // Trimmed here, once: the memo and the scan take it as it is.
        self.stage(crate::detect::trim(value), how);
    }

    /// Scans the held records' values, grouped ones slot by slot, and
    /// finishes the records in order.
    pub(super) fn flush(&mut self) {
        let b = &mut *self.b;
        let rows = b.offsets.len();
        if rows == 0 {
            return;
        }
        // Up to the last record: its end is not known yet.
        if let Some(u) = &mut self.utf8 {
            let upto = (b.offsets[rows - 1] - u.base) as usize;
            u.check(self.data, upto, false);
        }
        if b.recs.len() < rows {
            b.recs.resize_with(rows, RecordHits::default);
        }
        let recs = &mut b.recs[..rows];
        for r in recs.iter_mut() {
            r.clear();
        }
        // The lexer's scratch goes from record to record with the value
        // (one pointer swap), so all share one layout cache.
        let mut lex = self.s.rec.lex.take();
        let src = Source {
            data: self.data,
            arena: &b.arena,
        };
        let eng = self.s.eng;
        if self.by_path {
            for (i, cells) in b.slots.iter().enumerate() {
                if cells.is_empty() {
                    continue;
                }
                let (ctx, memo) = self.s.slot(true, i);
                let visit = Visit::All(cells);
                scan_column(eng, ctx, memo, visit, recs, &mut lex, &src);
            }
        } else {
            let stride = b.stride;
            let (width, words) = (self.s.cols.len(), rows.div_ceil(64));
            b.live.resize(width * words, 0);
            live_rows(&b.grid, stride, rows, &mut b.live[..width * words]);
            for i in 0..width {
                let cells = &b.grid[i * stride..i * stride + rows];
                let live = &b.live[i * words..(i + 1) * words];
                let (ctx, memo) = self.s.slot(false, i);
                let visit = Visit::Live(cells, live);
                scan_column(eng, ctx, memo, visit, recs, &mut lex, &src);
            }
        }
        let value = |c: &Cell| src.value(c.start, c.len);
        for (c, how) in &b.ordered {
            let rec = &mut recs[c.row as usize];
            std::mem::swap(&mut rec.lex, &mut lex);
            match *how {
                How::Slot(i) => {
                    let (ctx, memo) = self.s.slot(self.by_path, i as usize);
                    memo.scan(eng, ctx, value(c), rec);
                }
                How::Text => eng.scan_value(&TEXT_CTX, value(c), rec),
                How::Judged(k) => eng.scan_value(&b.judged[k as usize], value(c), rec),
            }
            std::mem::swap(&mut rec.lex, &mut lex);
        }
        self.s.rec.lex = lex;
        for (rec, &offset) in recs.iter_mut().zip(&b.offsets) {
            finish_record(eng, self.s.cfg, rec, self.s.file_id, offset, self.s.tally);
        }
        b.offsets.clear();
        for c in &mut b.slots {
            c.clear();
        }
        b.ordered.clear();
        b.judged.clear();
        b.arena.clear();
    }
}

impl RecordSink for BatchSink<'_, '_, '_> {
    fn begin(&mut self, offset: u64) {
        self.row = self.b.offsets.len() as u32;
        self.b.offsets.push(offset);
        if !self.by_path {
            self.empty_row();
        }
        self.b.staged.clear();
        self.in_order = true;
        self.last_slot = 0;
        self.s.keys.restart();
    }

    #[inline(always)]
    fn column(&mut self, idx: usize, value: &[u8]) {
        if idx < self.s.cols.len() {
            // Trimmed as `Sink::column` trims, as the parser's spans are;
            // an empty one is skipped when scanned.
            let v = crate::detect::trim(value);
            let c = self.cell(v);
            self.b.grid[idx * self.b.stride + self.row as usize] = c;
        } else {
            // Past the header: after the row's columns, so in its order.
            let c = self.cell(value);
            self.b.ordered.push((c, How::Text));
        }
    }

    fn keyed(&mut self, path: &str, value: &[u8]) {
        let slot = self.s.key_slot(path);
        self.keyed_in(slot, value);
    }

    fn keyed_at(&mut self, tree: u64, node: u32, path: &str, value: &[u8]) {
        let slot = self.s.key_slot_at(tree, node, path);
        self.keyed_in(slot, value);
    }

    fn text(&mut self, value: &[u8]) {
        self.stage(value, How::Text);
    }

    fn end(&mut self) {
        let staged = &mut self.b.staged;
        if self.in_order {
            for &(c, how) in staged.iter() {
                if let How::Slot(i) = how {
                    self.b.slots[i as usize].push(c);
                }
            }
            staged.clear();
        } else {
            self.b.ordered.append(staged);
        }
        if self.b.offsets.len() >= self.rows {
            self.flush();
        }
    }

    fn abort(&mut self) {
        self.b.staged.clear();
        self.b.offsets.pop();
    }

    fn oversize(&mut self, offset: u64, len: usize) {
        self.s.oversize(offset, len);
    }

    fn open_quote(&mut self) {
        self.s.open_quote();
    }

    #[inline(always)]
    fn span_grid(&mut self, data: &[u8]) -> Option<SpanGrid<'_>> {
        // The parser's offsets are into its data: they are the batch's
        // only when that is the data the batch reads.
        if self.by_path || data.as_ptr() != self.data.as_ptr() || data.len() > self.data.len() {
            return None;
        }
        Some(SpanGrid {
            spans: &mut self.b.grid,
            stride: self.b.stride,
            offsets: &mut self.b.offsets,
            rows: self.rows,
        })
    }

    fn grid_filled(&mut self) {
        if self.b.offsets.len() >= self.rows {
            self.flush();
        }
    }
}

/// The length of `b`'s leading 64-byte blocks that are all ASCII: a UTF-8
/// check may start after them. Why: the standard check reads ASCII 16
/// bytes at a time, about 0.45 instructions a byte of a CSV; a block's
/// high bits ORed together cost a quarter of that.
fn ascii_blocks(b: &[u8]) -> usize {
    let mut n = 0;
    for block in b.chunks_exact(64) {
        #[cfg(target_arch = "x86_64")]
        let ascii = {
            use std::arch::x86_64::*;
            let p = block.as_ptr() as *const __m128i;
            // SAFETY: SSE2 is part of x86-64; 64 readable bytes (an exact
            // chunk), unaligned loads.
            unsafe {
                let a = _mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p.add(1)));
                let c = _mm_or_si128(_mm_loadu_si128(p.add(2)), _mm_loadu_si128(p.add(3)));
                _mm_movemask_epi8(_mm_or_si128(a, c)) == 0
            }
        };
        #[cfg(not(target_arch = "x86_64"))]
        let ascii = block
            .chunks_exact(8)
            .fold(0u64, |m, w| m | u64::from_le_bytes(w.try_into().unwrap()))
            & 0x8080_8080_8080_8080
            == 0;
        if !ascii {
            break;
        }
        n += 64;
    }
    n
}

/// Where a batch's values are read from.
struct Source<'a> {
    data: &'a [u8],
    arena: &'a [u8],
}

impl Source<'_> {
    #[inline(always)]
    fn value(&self, start: u64, len: u32) -> &[u8] {
        let (st, n) = ((start & !IN_ARENA) as usize, len as usize);
        if start & IN_ARENA != 0 {
            &self.arena[st..st + n]
        } else {
            &self.data[st..st + n]
        }
    }

    /// A short value's bytes as one word, read with the bytes after it (a
    /// delimiter, the next field) and masked: no copy and no branch on its
    /// length. Only inside the data (not near its end, not in the arena).
    #[inline(always)]
    fn key(&self, c: &Cell) -> Option<u128> {
        let (st, n) = (c.start as usize, c.len as usize);
        if c.start & IN_ARENA != 0 || n > memo::SHORT || self.data.len() - st < memo::SHORT {
            return None;
        }
        let w = u128::from_le_bytes(self.data[st..st + memo::SHORT].try_into().unwrap());
        Some(w & memo::SHORT_MASK[n])
    }
}

/// The record a value (not empty) goes to, given what its column says of
/// every value (a clinical file's patient column). Empty cells are passed
/// over before (`each_cell`): a CSV column's, as `Sink::column` passes
/// them over; an empty JSON value's scan would end at once.
#[inline(always)]
fn record_of<'r>(c: &Cell, ctx: &ColumnCtx, recs: &'r mut [RecordHits]) -> &'r mut RecordHits {
    debug_assert!(c.len != 0);
    let rec = &mut recs[c.row as usize];
    if let Some(d) = ctx.clinical_link {
        rec.push(d as usize, b"clinical record file");
    }
    rec
}

/// The cells a column's loop visits: a grid column's, those its live mask
/// names; a JSON key path's, all of its list (seldom empty).
#[derive(Clone, Copy)]
enum Visit<'c> {
    Live(&'c [Cell], &'c [u64]),
    All(&'c [Cell]),
}

/// Runs `$body` with `$c` bound to each cell `$cells` (a `Visit`) names
/// that is not empty, in row order; `continue` goes to the next. A macro,
/// not a method taking a closure: the closure, holding a value's whole
/// scan, was compiled out of line and called per cell.
macro_rules! each_cell {
    ($cells:expr, |$c:ident| $body:block) => {
        match $cells {
            Visit::Live(cells, live) => {
                for (w, &m) in live.iter().enumerate() {
                    let mut m = m;
                    while m != 0 {
                        let $c = &cells[w * 64 + m.trailing_zeros() as usize];
                        m &= m - 1;
                        $body
                    }
                }
            }
            Visit::All(cells) => {
                for $c in cells.iter() {
                    if $c.len == 0 {
                        continue;
                    }
                    $body
                }
            }
        }
    };
}

/// One column's (or key path's) values of a batch, each into its record.
#[inline(always)]
fn scan_column(
    eng: &crate::detect::Engine,
    ctx: &ColumnCtx,
    memo: &mut memo::ValueMemo,
    cells: Visit<'_>,
    recs: &mut [RecordHits],
    lex: &mut Option<Box<crate::detect::Scratch>>,
    src: &Source<'_>,
) {
    // A number in a layout seen before, decided from it alone (a loop of
    // its own: the other columns' loop keeps its registers).
    if memo.numbers_on() && eng.direct_numbers(ctx) {
        let picks = memo.number_picks(eng, ctx);
        let (mut tries, mut hits) = (0u32, 0u32);
        each_cell!(cells, |c| {
            let rec = record_of(c, ctx, recs);
            let v = src.value(c.start, c.len);
            if let Some(sc) = lex.as_deref() {
                tries += 1;
                if eng.scan_number(ctx, &picks, v, sc, rec) {
                    hits += 1;
                    continue;
                }
            }
            memo.scan_keyed(eng, ctx, v, || src.key(c), rec, Some(lex));
        });
        memo.judge_numbers(tries, hits);
        return;
    }
    each_cell!(cells, |c| {
        let rec = record_of(c, ctx, recs);
        memo.scan_keyed(
            eng,
            ctx,
            src.value(c.start, c.len),
            || src.key(c),
            rec,
            Some(lex),
        );
    });
}

/// Which of a grid's cells hold a value: for column `k`, row `r`'s bit
/// is bit `r % 64` of `live[k * words + r / 64]`, `words` being `rows`
/// over 64 rounded up. Why: which cells of a dense table are empty changes
/// from row to row, and the column loop's branch on each cell's length
/// was the most mispredicted of a scan (3.7 a people row, simulated); a
/// loop over set bits mispredicts about once a column.
fn live_rows(grid: &[Cell], stride: usize, rows: usize, live: &mut [u64]) {
    let words = rows.div_ceil(64);
    debug_assert!(rows <= stride && live.len() * stride <= grid.len() * words);
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("bmi2") {
        // SAFETY: AVX2 and BMI2 are present.
        unsafe { live_rows_avx2(grid, stride, rows, live) };
        return;
    }
    for (k, out) in live.chunks_exact_mut(words).enumerate() {
        live_words(&grid[k * stride..k * stride + rows], out);
    }
}

/// One cell at a time: other CPUs, a column's last cells under eight, and
/// what the tests hold the vector code to.
fn live_words(cells: &[Cell], out: &mut [u64]) {
    out.fill(0);
    for (r, c) in cells.iter().enumerate() {
        out[r / 64] |= u64::from(c.len != 0) << (r % 64);
    }
}

/// Eight cells a step: four loads of two cells each, their lengths (the
/// third 32-bit lane of each cell, `Span` being `repr(C)`) narrowed to
/// bytes by two signed packs (saturation keeps a non-zero number
/// non-zero), the packs' interleaving of the cells undone by one
/// permutation, compared with zero, and the eight length bytes' bits
/// gathered by `pext`. A column's last cells under eight (a batch of
/// other than a multiple of eight rows: a file's last) one at a time.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi2")]
fn live_rows_avx2(grid: &[Cell], stride: usize, rows: usize, live: &mut [u64]) {
    use std::arch::x86_64::*;
    const _: () = assert!(std::mem::size_of::<Cell>() == 16);
    // After the packs, 32-bit lane k holds cell 0, 2, 4, 6, 1, 3, 5, 7
    // (k = 0..8); these put cell i in lane i.
    let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    let zero = _mm256_setzero_si256();
    let words = rows.div_ceil(64);
    for (k, out) in live.chunks_exact_mut(words).enumerate() {
        let cells = &grid[k * stride..k * stride + rows];
        for (word, block) in out.iter_mut().zip(cells.chunks(64)) {
            let mut m = 0u64;
            let mut groups = block.chunks_exact(8);
            for (j, g) in (&mut groups).enumerate() {
                let p = g.as_ptr() as *const __m256i;
                // SAFETY: `g` is eight cells of sixteen bytes: four
                // unaligned 32-byte loads inside it.
                let (a, b, c, d) = unsafe {
                    (
                        _mm256_loadu_si256(p),
                        _mm256_loadu_si256(p.add(1)),
                        _mm256_loadu_si256(p.add(2)),
                        _mm256_loadu_si256(p.add(3)),
                    )
                };
                let bytes = _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
                let bytes = _mm256_permutevar8x32_epi32(bytes, order);
                let empty = _mm256_movemask_epi8(_mm256_cmpeq_epi8(bytes, zero)) as u32;
                // The length byte of cell i is byte 4 i + 2.
                m |= u64::from(_pext_u32(!empty, 0x4444_4444)) << (8 * j);
            }
            let rest = groups.remainder();
            if !rest.is_empty() {
                m |= live_tail(rest) << (block.len() - rest.len());
            }
            *word = m;
        }
    }
}

/// `live_words` of fewer than eight cells, out of the vector loop's way.
#[cfg(target_arch = "x86_64")]
#[cold]
#[inline(never)]
fn live_tail(cells: &[Cell]) -> u64 {
    let mut w = [0u64];
    live_words(cells, &mut w);
    w[0]
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Checked in pieces cut anywhere (inside characters too), the
        /// first invalid byte is the one a check of the whole finds.
        #[test]
        fn utf8_in_pieces_is_utf8_whole(
            text in proptest::collection::vec(prop_oneof![
                Just(vec![b'a']),
                Just(vec![b'a'; 70]),
                Just("é".as_bytes().to_vec()),
                Just("€".as_bytes().to_vec()),
                Just("𝄞".as_bytes().to_vec()),
                Just(vec![0xe9]),
                Just(vec![0xf0, 0x9d]),
                Just(vec![b'\n']),
            ], 0..40),
            cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..8),
            from in 0usize..4,
            base in 0u64..1000,
        ) {
            let data: Vec<u8> = text.concat();
            let from = from.min(data.len());
            let want = std::str::from_utf8(&data[from..])
                .err()
                .map(|e| base + (from + e.valid_up_to()) as u64);
            let mut cuts: Vec<usize> = cuts.iter().map(|i| from + i.index(data.len() - from + 1)).collect();
            cuts.sort();
            let mut u = Utf8Check::new(from, base);
            for c in cuts {
                u.check(&data, c, false);
            }
            u.check(&data, data.len(), true);
            prop_assert_eq!(u.bad, want);
        }
    }

    proptest! {
        /// The vector masks of a grid's live cells are the cell-by-cell
        /// ones, for any lengths (zero, small, past `i32`), starts and
        /// rows, and any grid shape (rows under and over 64, a stride
        /// past the rows).
        #[test]
        fn live_rows_agree_with_cells(
            cells in proptest::collection::vec(
                (any::<u64>(), prop_oneof![Just(0u32), 1u32..300, any::<u32>()], any::<u32>()),
                1..600,
            ),
            width in 1usize..5,
            spare in 0usize..9,
        ) {
            let grid: Vec<Cell> = cells
                .iter()
                .map(|&(start, len, row)| Cell { start, len, row })
                .collect();
            let stride = grid.len() / width;
            prop_assume!(stride > 0);
            let rows = stride - spare.min(stride - 1);
            let words = rows.div_ceil(64);
            let mut want = vec![!0; width * words];
            for (k, out) in want.chunks_exact_mut(words).enumerate() {
                live_words(&grid[k * stride..k * stride + rows], out);
                for r in 0..rows {
                    prop_assert_eq!(out[r / 64] >> (r % 64) & 1 == 1, grid[k * stride + r].len != 0);
                }
            }
            let mut got = vec![!0; width * words];
            live_rows(&grid, stride, rows, &mut got);
            prop_assert_eq!(got, want);
        }
    }

    /// Every place of a non-ASCII byte ends the ASCII blocks at its own.
    #[test]
    fn ascii_blocks_stop_at_the_first_high_bit() {
        for len in [0, 1, 63, 64, 65, 127, 128, 200] {
            let ascii = vec![b'x'; len];
            assert_eq!(ascii_blocks(&ascii), len / 64 * 64, "{len}");
            for at in 0..len {
                for high in [0x80, 0xc3, 0xff] {
                    let mut b = ascii.clone();
                    b[at] = high;
                    assert_eq!(
                        ascii_blocks(&b),
                        (at / 64 * 64).min(len / 64 * 64),
                        "{len} {at}"
                    );
                }
            }
        }
    }
}
