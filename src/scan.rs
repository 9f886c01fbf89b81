//! The scan: inputs -> work units (record-aligned chunks of mapped files,
//! whole streams, genomic files) -> per-thread tallies -> one tally.
//!
//! Units run on a rayon pool with work stealing, so one 10 GB file keeps
//! every core busy through its chunks and many small files spread the same
//! way. A stream is read by one worker, which hands its record-aligned
//! blocks to the workers out of units (`Blocks`). Each worker owns its
//! tally and buffers; tallies merge at the end.

use crate::category::Category;
use crate::count::{CountConfig, Tally, UsPolicy, finish_record};
use crate::detect::memo::{self, ValueMemo};
use crate::detect::{ColumnCtx, Engine, RecordHits};
use crate::identity::{IdentityKey, IdentityMode};
pub use crate::input::Skipped as SkipEntry;
use crate::input::{self, InputRef, Opened};
use crate::records::genomic::{self, GenomicFormat, Species};
use crate::records::{self, Format, RecordSink, csv, json, text};
use rayon::prelude::*;
use std::collections::HashMap;
use std::collections::VecDeque;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

mod batch;
pub use batch::BATCH_ROWS;
use batch::{Batch, BatchSink};

/// Default chunk of a mapped file per work unit: large enough that
/// per-unit overhead vanishes, small enough that two cores share a 100 MB
/// file evenly.
pub const DEFAULT_CHUNK: usize = 4 * 1024 * 1024;
/// Longest field, line or streamed record scanned; longer ones are reported
/// as not scanned rather than risking unbounded buffers.
pub const DEFAULT_MAX_RECORD: usize = 64 * 1024 * 1024;
/// Smallest and largest stream block: a stream is read in blocks of
/// `--chunk-size` (4 MiB by default) cut at record boundaries.
const MIN_STREAM_BLOCK: usize = 4 * 1024;
const MAX_STREAM_BLOCK: usize = 256 * 1024 * 1024;
/// Key paths a worker keeps with their context and memo.
const MAX_KEY_PATHS: usize = 4096;
/// Largest JSON document held whole (a document cannot be chunked).
const MAX_JSON_DOCUMENT: usize = 1024 * 1024 * 1024;

#[derive(Clone)]
pub struct ScanOptions {
    pub threads: Option<usize>,
    pub chunk_size: usize,
    pub person_key: Option<String>,
    pub device_key: Option<String>,
    pub us: UsPolicy,
    pub max_record: usize,
    pub exact_limit: usize,
    pub geofence: Option<crate::rules::geofence::Geofence>,
    pub no_mmap: bool,
    /// Records of a CSV with a header or of JSON held back and scanned
    /// column by column, key path by key path (`batch`); 0 or 1 scans
    /// record by record. Reports never depend on it: it is an option so
    /// the tests and `benches/ab.sh` can compare.
    pub batch_rows: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threads: None,
            chunk_size: DEFAULT_CHUNK,
            person_key: None,
            device_key: None,
            us: UsPolicy::Assume,
            max_record: DEFAULT_MAX_RECORD,
            exact_limit: crate::count::DEFAULT_EXACT_LIMIT,
            geofence: None,
            no_mmap: false,
            batch_rows: BATCH_ROWS,
        }
    }
}

#[derive(Debug, Clone)]
pub struct GenomicFile {
    pub path: String,
    pub format: GenomicFormat,
    pub samples: usize,
    pub species: Species,
    pub evidence: String,
    pub records: u64,
    pub counted: bool,
}

/// An 'omic matrix whose sample columns were counted as persons.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MatrixFile {
    pub path: String,
    pub samples: usize,
}

pub struct ScanResult {
    pub files: u64,
    pub bytes: u64,
    pub elapsed: f64,
    pub skipped: Vec<SkipEntry>,
    pub notes: Vec<SkipEntry>,
    pub tally: Tally,
    pub genomic: Vec<GenomicFile>,
    pub matrices: Vec<MatrixFile>,
    pub threads: usize,
}

impl ScanResult {
    pub fn complete(&self) -> bool {
        !self.skipped.iter().any(|s| s.incomplete)
    }
}

enum Data {
    Map(memmap2::Mmap),
    Vec(Vec<u8>),
}

impl Data {
    fn bytes(&self) -> &[u8] {
        match self {
            Data::Map(m) => m,
            Data::Vec(v) => v,
        }
    }

    /// Drops the pages of `start..end` that a map has read from this
    /// process, so a scan's resident memory stays a few chunks however
    /// large the file (the page cache keeps them; a later read of the
    /// range faults them back in unchanged). Only whole pages inside the
    /// range go: a neighbouring chunk's bytes stay mapped.
    fn release(&self, start: usize, end: usize) {
        let Data::Map(m) = self else { return };
        const PAGE: usize = 4096;
        let s = start.div_ceil(PAGE) * PAGE;
        let e = (end / PAGE) * PAGE;
        if e > s {
            // SAFETY: the map is a read-only shared file mapping that is
            // never written; MADV_DONTNEED on it only unmaps pages, and any
            // later access re-reads the same bytes from the file.
            let _ =
                unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, s, e - s) };
        }
    }
}

/// Reads mapped data front to back (the genomic summaries read once, in
/// order), giving back each window of pages it has read past, so a
/// multi-gigabyte VCF is not all resident at the end of its scan.
struct ReleasingReader<'a> {
    data: &'a Data,
    pos: usize,
    released: usize,
    window: usize,
}

impl<'a> ReleasingReader<'a> {
    fn new(data: &'a Data) -> Self {
        ReleasingReader {
            data,
            pos: 0,
            released: 0,
            window: 64 * 1024 * 1024,
        }
    }
}

impl std::io::Read for ReleasingReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let bytes = self.data.bytes();
        let n = buf.len().min(bytes.len() - self.pos);
        buf[..n].copy_from_slice(&bytes[self.pos..self.pos + n]);
        self.pos += n;
        if self.pos - self.released >= self.window || (n == 0 && self.pos > self.released) {
            self.data.release(self.released, self.pos);
            self.released = self.pos;
        }
        Ok(n)
    }
}

struct Job {
    path: String,
    file_name: String,
    format: Format,
    data: Option<Data>,
    cols: Vec<ColumnCtx>,
}

enum Unit {
    Chunk {
        job: Arc<Job>,
        start: usize,
        end: usize,
        first: bool,
        /// Cut by `csv::speculative_boundaries`: a quoted field left open
        /// at its end (unless it ends the file) means the cut was wrong.
        guessed: bool,
    },
    Stream {
        job: Arc<Job>,
        head: Vec<u8>,
        reader: Mutex<Option<Box<dyn Read + Send>>>,
        compression: input::Compression,
    },
    Genomic {
        job: Arc<Job>,
        head: Vec<u8>,
        reader: Mutex<Option<Box<dyn Read + Send>>>,
        raw: bool,
    },
    /// The sample columns of an 'omic matrix: persons of `human_omic`.
    Matrix { path: String, samples: Vec<String> },
    /// Something the report should tell about a file.
    Note(SkipEntry),
}

/// Record-aligned blocks of a stream, read by the worker that owns the
/// stream and scanned by whichever worker is free.
///
/// A stream (a compressed file, stdin, `--no-mmap`) is one unit: read in
/// order by one worker, it kept one core busy while the others, out of
/// units, sat idle. The reader hands each block it cuts to the queue when
/// there is room and scans it itself when there is not, so it never waits;
/// idle workers take blocks until every unit is done. The queue holds at
/// most two blocks per thread, so memory stays a few blocks per stream.
struct Blocks {
    state: Mutex<BlockState>,
    ready: Condvar,
    cap: usize,
}

struct BlockState {
    queue: VecDeque<Block>,
    /// Units not yet finished: while any is, it may still offer blocks.
    unfinished: usize,
    /// Buffers of scanned blocks, for the readers' next blocks.
    spare: Vec<Vec<u8>>,
}

struct UnitDone<'a>(&'a Blocks);

impl Drop for UnitDone<'_> {
    fn drop(&mut self) {
        self.0.unit_done();
    }
}

struct Block {
    job: Arc<Job>,
    data: Vec<u8>,
    /// File offset of `data[0]`.
    base: u64,
    cols: Arc<Vec<ColumnCtx>>,
}

impl Blocks {
    fn new(units: usize, threads: usize) -> Blocks {
        Blocks {
            state: Mutex::new(BlockState {
                queue: VecDeque::new(),
                unfinished: units,
                spare: Vec::new(),
            }),
            ready: Condvar::new(),
            // One thread has nobody to hand a block to.
            cap: if threads > 1 { 2 * threads } else { 0 },
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BlockState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues a block, or gives it back when the queue is full.
    fn offer(&self, b: Block) -> Option<Block> {
        let mut st = self.lock();
        if st.queue.len() >= self.cap {
            return Some(b);
        }
        st.queue.push_back(b);
        drop(st);
        self.ready.notify_one();
        None
    }

    /// The next queued block; waits while the queue is empty and a unit is
    /// still running. `None` once every unit is done and the queue empty.
    fn take(&self) -> Option<Block> {
        let mut st = self.lock();
        loop {
            if let Some(b) = st.queue.pop_front() {
                return Some(b);
            }
            if st.unfinished == 0 {
                return None;
            }
            st = self.ready.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn unit_done(&self) {
        let mut st = self.lock();
        st.unfinished -= 1;
        let last = st.unfinished == 0;
        drop(st);
        if last {
            self.ready.notify_all();
        }
    }

    fn recycle(&self, mut buf: Vec<u8>) {
        let mut st = self.lock();
        // (A reader alone, or with helpers: one buffer per queued block,
        // one being filled, one being scanned.)
        if st.spare.len() < self.cap + 2 {
            buf.clear();
            st.spare.push(buf);
        }
    }

    /// An empty buffer with room for `n` bytes, reused when one is spare.
    fn buffer(&self, n: usize) -> Vec<u8> {
        let mut b = self.lock().spare.pop().unwrap_or_default();
        b.reserve(n);
        b
    }
}

pub fn run(eng: &Engine, opts: &ScanOptions, paths: &[PathBuf]) -> ScanResult {
    let threads = opts
        .threads
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    let started = Instant::now();
    let cfg = CountConfig {
        key: IdentityKey::from_env(),
        person: match &opts.person_key {
            Some(k) => IdentityMode::Key(k.clone()),
            None => IdentityMode::Auto,
        },
        device_key: opts.device_key.clone(),
        us: opts.us,
        geofence: opts.geofence.clone(),
    };
    let (inputs, walk_skips) = input::walk(paths);
    // CSV chunks are cut by guess (`csv::speculative_boundaries`) where a
    // wrong guess can be undone by scanning again: not when stdin, read
    // once, is among the inputs.
    let guess = !inputs.iter().any(|i| matches!(i, InputRef::Stdin));
    let attempt = |guess: bool| {
        pool.install(|| {
            let kept = AtomicUsize::new(KEEP_MAPPED);
            let prepared: Vec<Result<Vec<Unit>, SkipEntry>> = inputs
                .par_iter()
                .map(|i| prepare(eng, opts, i, &kept, guess))
                .collect();
            let mut units = Vec::new();
            let mut skipped: Vec<SkipEntry> = walk_skips.clone();
            let mut files = 0u64;
            for p in prepared {
                match p {
                    Ok(u) => {
                        files += 1;
                        units.extend(u)
                    }
                    Err(s) => skipped.push(s),
                }
            }
            // Streams and genomic files are one long unit each: start them
            // first so they do not end the scan alone on one core.
            units.sort_by_key(|u| !matches!(u, Unit::Stream { .. } | Unit::Genomic { .. }));
            // One worker per thread pulling units off a shared counter: dynamic
            // balance like work stealing, and exactly one tally per thread to
            // merge at the end (a fold would make one per split).
            let next = std::sync::atomic::AtomicUsize::new(0);
            // Set when a worker finds a guessed cut wrong: the attempt's
            // counts will be thrown away, so no more chunks are scanned,
            // and the scan is redone.
            let wrong = std::sync::atomic::AtomicBool::new(false);
            let done: Mutex<Vec<Worker>> = Mutex::new(Vec::new());
            let blocks = Blocks::new(units.len(), threads);
            rayon::scope(|sc| {
                for _ in 0..threads {
                    sc.spawn(|_| {
                        let mut w = Worker::new(eng, &cfg, opts);
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(u) = units.get(i) else { break };
                            // Counted done even if the unit panics, so the
                            // others do not wait for its blocks for ever.
                            let _done = UnitDone(&blocks);
                            if matches!(u, Unit::Chunk { .. })
                                && wrong.load(std::sync::atomic::Ordering::Relaxed)
                            {
                                continue;
                            }
                            w.run(u, &blocks);
                            if w.wrong_cut {
                                wrong.store(true, std::sync::atomic::Ordering::Relaxed);
                            }
                        }
                        // Out of units: help with the streams still being read.
                        while let Some(b) = blocks.take() {
                            w.block(b, &blocks);
                        }
                        // Its last sort of the person sets here, on its own
                        // core, while the other workers still scan: left to
                        // the merge, every worker's ran on one core after the
                        // last had finished.
                        w.tally.settle();
                        done.lock().unwrap().push(w);
                    });
                }
            });
            let mut workers = done.into_inner().unwrap();
            let last = workers.pop();
            let mut worker = match (workers.into_iter().reduce(|a, b| a.merge(b, false)), last) {
                (Some(w), Some(l)) => w.merge(l, true),
                (None, Some(l)) => l,
                _ => Worker::new(eng, &cfg, opts),
            };
            worker.tally.settle();
            let wrong_cut = wrong.into_inner();
            let mut notes = worker.notes;
            skipped.extend(worker.skipped);
            for (path, i) in &worker.issues {
                let (s, n) = i.entries(path, opts.max_record);
                skipped.extend(s);
                notes.extend(n);
            }
            skipped.sort();
            skipped.dedup();
            notes.sort();
            notes.dedup();
            let mut genomic = worker.genomic;
            genomic.sort_by(|a, b| a.path.cmp(&b.path));
            let mut matrices = worker.matrices;
            matrices.sort();
            let result = ScanResult {
                files,
                bytes: worker.bytes,
                elapsed: 0.0,
                skipped,
                notes,
                tally: worker.tally,
                genomic,
                matrices,
                threads,
            };
            (result, wrong_cut)
        })
    };
    let (mut result, wrong_cut) = attempt(guess);
    if wrong_cut {
        // A guessed cut fell inside a quoted field: everything is counted
        // again with the quote pass's cuts (the time of both is reported).
        result = attempt(false).0;
    }
    result.elapsed = started.elapsed().as_secs_f64();
    result
}

fn skip(path: &str, reason: impl Into<String>) -> SkipEntry {
    SkipEntry {
        path: path.to_string(),
        reason: reason.into(),
        incomplete: true,
    }
}

/// Bytes of mapped CSV that the quote pass may leave resident for the scan
/// that follows, over all files of a run.
///
/// Why: the quote pass reads every byte of a CSV before any chunk is
/// scanned, and the guessed cuts' probes 64 KiB of every chunk. Giving
/// those pages back at once (so that a 10 GB file does not become 10 GB
/// resident) means each page is mapped, unmapped, and mapped again by the
/// scan: on the 100 MB people corpus, 4% of a one-core scan (`perf stat`,
/// 8 runs each way). Up to this budget, a file's pages stay mapped until
/// its chunks are scanned, which gives them back chunk by chunk; past it,
/// files are read as before. Peak resident memory grows by at most this
/// much.
const KEEP_MAPPED: usize = 256 << 20;

/// Opens an input, decides its format and cuts it into units. `kept` is
/// what is left of `KEEP_MAPPED`.
fn prepare(
    eng: &Engine,
    opts: &ScanOptions,
    inp: &InputRef,
    kept: &AtomicUsize,
    guess: bool,
) -> Result<Vec<Unit>, SkipEntry> {
    let path = inp.display();
    let opened = input::open(inp, opts.no_mmap).map_err(|r| skip(&path, r))?;
    let file_name = input::file_name(inp);
    match opened {
        Opened::Empty => Err(SkipEntry {
            path,
            reason: "empty file (nothing to scan)".into(),
            incomplete: false,
        }),
        Opened::Mapped(_) | Opened::Read(_) => {
            let data = match opened {
                Opened::Mapped(m) => Data::Map(m),
                Opened::Read(v) => Data::Vec(v),
                _ => unreachable!(),
            };
            let bytes = data.bytes();
            let head = head_window(bytes, opts.max_record);
            if let Some(g) = genomic::sniff_raw(head) {
                let job = Arc::new(Job {
                    path,
                    file_name,
                    format: Format::Genomic(g),
                    data: Some(data),
                    cols: Vec::new(),
                });
                return Ok(vec![Unit::Genomic {
                    job,
                    head: Vec::new(),
                    reader: Mutex::new(None),
                    raw: true,
                }]);
            }
            if let Some(r) = records::binary_reason(head) {
                return Err(skip(&path, r));
            }
            let format = records::sniff(head, input::path_of(inp));
            let (names, cols, start) = columns(eng, opts, format, bytes, &file_name);
            let job = Arc::new(Job {
                path,
                file_name,
                format,
                data: Some(data),
                cols,
            });
            let held = job.data.as_ref().unwrap();
            let bytes = held.bytes();
            let mut units = Vec::new();
            if let Some(n) = key_note(opts, format, &names, &job.path) {
                units.push(Unit::Note(n));
            }
            if let Format::Csv {
                delim,
                header: true,
            } = format
                && let Some(samples) = matrix_samples(bytes, start, delim, &names)
            {
                units.push(Unit::Matrix {
                    path: job.path.clone(),
                    samples,
                });
            }
            let mut guessed = false;
            // Pages read before the scan (the guessed cuts' probes, the
            // quote pass) are given back as they are read, but for the
            // first `KEEP_MAPPED` bytes of mapped CSV: a small file keeps
            // them for its scan.
            let keep = matches!(format, Format::Csv { .. })
                && matches!(held, Data::Map(_))
                && kept
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |k| {
                        k.checked_sub(bytes.len())
                    })
                    .is_ok();
            let done = |s: usize, e: usize| {
                if !keep {
                    held.release(s, e)
                }
            };
            let bounds = match format {
                Format::Csv { .. }
                    if let Some(b) = guess
                        .then(|| {
                            csv::speculative_boundaries_releasing(
                                bytes,
                                start,
                                opts.chunk_size,
                                csv::PROBE,
                                &done,
                            )
                        })
                        .flatten() =>
                {
                    guessed = true;
                    b
                }
                Format::Csv { delim, .. } => {
                    csv::boundaries_releasing(bytes, start, delim, opts.chunk_size, &done)
                }
                Format::JsonLines | Format::Text => text::boundaries(bytes, start, opts.chunk_size),
                Format::JsonDocument => vec![0, bytes.len()],
                Format::Genomic(_) => {
                    return Ok(vec![Unit::Genomic {
                        job: job.clone(),
                        head: Vec::new(),
                        reader: Mutex::new(None),
                        raw: false,
                    }]);
                }
            };
            units.extend(bounds.windows(2).enumerate().map(|(i, w)| Unit::Chunk {
                job: job.clone(),
                start: w[0],
                end: w[1],
                first: i == 0,
                guessed,
            }));
            Ok(units)
        }
        Opened::Stream {
            mut reader,
            compression,
        } => {
            let mut head = vec![0u8; input::SNIFF_LEN];
            let n = input::read_up_to(&mut reader, &mut head)
                .map_err(|e| skip(&path, input::stream_reason(&e, compression)))?;
            head.truncate(n);
            if n == 0 {
                return Err(SkipEntry {
                    path,
                    reason: "empty file (nothing to scan)".into(),
                    incomplete: false,
                });
            }
            if let Some(g) = genomic::sniff_raw(&head) {
                let job = Arc::new(Job {
                    path,
                    file_name,
                    format: Format::Genomic(g),
                    data: None,
                    cols: Vec::new(),
                });
                return Ok(vec![Unit::Genomic {
                    job,
                    head,
                    reader: Mutex::new(Some(reader)),
                    raw: true,
                }]);
            }
            if let Some(r) = records::binary_reason(&head) {
                return Err(skip(&path, r));
            }
            let format = records::sniff(&head, input::path_of(inp));
            let job = Arc::new(Job {
                path,
                file_name,
                format,
                data: None,
                cols: Vec::new(),
            });
            if let Format::Genomic(_) = format {
                return Ok(vec![Unit::Genomic {
                    job,
                    head,
                    reader: Mutex::new(Some(reader)),
                    raw: false,
                }]);
            }
            Ok(vec![Unit::Stream {
                job,
                head,
                reader: Mutex::new(Some(reader)),
                compression,
            }])
        }
    }
}

/// The bytes that decide a format: the first 64 KiB, or, when no line ends
/// in them (a matrix header of 450,000 probe ids), through the second line,
/// up to the record limit.
fn head_window(bytes: &[u8], max: usize) -> &[u8] {
    let w = bytes.len().min(input::SNIFF_LEN);
    if memchr::memchr(b'\n', &bytes[..w]).is_some() {
        return &bytes[..w];
    }
    let lim = bytes.len().min(max.max(w));
    match memchr::memchr_iter(b'\n', &bytes[..lim]).nth(1) {
        Some(p) => &bytes[..p + 1],
        None => &bytes[..lim],
    }
}

/// Rows of a CSV head, collected for the matrix check.
#[derive(Default)]
struct HeadRows(Vec<Vec<Vec<u8>>>);

impl RecordSink for HeadRows {
    fn begin(&mut self, _: u64) {
        self.0.push(Vec::new());
    }
    fn column(&mut self, _: usize, v: &[u8]) {
        if let Some(r) = self.0.last_mut() {
            r.push(v.to_vec());
        }
    }
    fn keyed(&mut self, _: &str, _: &[u8]) {}
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
}

/// Whether a CSV head's rows are led by 'omic feature ids, as
/// `matrix_samples` asks of them: counted from each row's first cell.
#[derive(Default)]
struct FirstCells {
    rows: usize,
    features: usize,
    /// The row begun has had no cell yet.
    first: bool,
}

impl FirstCells {
    fn features_lead(&self) -> bool {
        self.features >= MATRIX_MIN_FEATURES && self.features * 10 >= self.rows * 9
    }
}

impl RecordSink for FirstCells {
    fn begin(&mut self, _: u64) {
        self.rows += 1;
        self.first = true;
    }
    fn column(&mut self, _: usize, v: &[u8]) {
        if std::mem::take(&mut self.first) && is_feature(v) {
            self.features += 1;
        }
    }
    fn keyed(&mut self, _: &str, _: &[u8]) {}
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
}

fn is_feature(cell: &[u8]) -> bool {
    crate::detect::is_omic_feature_name(crate::detect::trim(cell))
}

/// Systems-level scale for a matrix: at least this many feature rows.
const MATRIX_MIN_FEATURES: usize = 20;

/// An 'omic matrix with features as rows and samples as columns
/// (`gene_id,S1,S2,...` over `ENSG...` rows): its persons are the sample
/// columns, as a VCF's are, not the rows. Returns the sample column names
/// when the first column of the head's rows is 'omic feature ids (at
/// systems-level scale) and the other columns hold numbers.
fn matrix_samples(bytes: &[u8], start: usize, delim: u8, names: &[String]) -> Option<Vec<String>> {
    if names.len() < 2 {
        return None;
    }
    let end = {
        let lim = bytes.len().min(start + 4 * 1024 * 1024);
        let mut e = lim;
        if let Some(p) = memchr::memchr_iter(b'\n', &bytes[start..lim]).nth(200) {
            e = start + p + 1;
        }
        // Cut at a line end so no record is split.
        match memchr::memrchr(b'\n', &bytes[start..e]) {
            Some(p) => start + p + 1,
            None => return None,
        }
    };
    // Whether the rows are led by feature ids, from their first cells
    // alone: a table of people is not, and copying every cell of its head
    // first (a few hundred allocations a file) was over a quarter of the
    // instructions a directory of small CSVs took.
    let mut firsts = FirstCells::default();
    csv::parse(bytes, start, end, delim, 0, &mut firsts, usize::MAX);
    if !firsts.features_lead() {
        return None;
    }
    let mut rows = HeadRows::default();
    csv::parse(bytes, start, end, delim, 0, &mut rows, usize::MAX);
    let rows = rows.0;
    let numeric = |f: &[u8]| {
        let f = crate::detect::trim(f);
        !f.is_empty()
            && f.iter().any(|b| b.is_ascii_digit())
            && f.iter()
                .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'))
    };
    let samples: Vec<String> = (1..names.len())
        .filter(|&c| {
            let n = rows
                .iter()
                .filter(|r| r.get(c).is_some_and(|v| numeric(v)))
                .count();
            n * 10 >= rows.len() * 9
        })
        .map(|c| names[c].clone())
        .collect();
    (!samples.is_empty()).then_some(samples)
}

/// Column contexts of a CSV header (and where records start).
fn columns(
    eng: &Engine,
    opts: &ScanOptions,
    format: Format,
    bytes: &[u8],
    file_name: &str,
) -> (Vec<String>, Vec<ColumnCtx>, usize) {
    match format {
        Format::Csv {
            delim,
            header: true,
        } => {
            let (names, end) = csv::read_header(bytes, delim);
            let cols = header_ctx(eng, opts, &names, file_name);
            (names, cols, end)
        }
        _ => (Vec::new(), Vec::new(), 0),
    }
}

/// A person or device key missing from a CSV header leaves every record of
/// the file counted as a person of its own: say so, naming the file.
fn key_note(opts: &ScanOptions, format: Format, names: &[String], path: &str) -> Option<SkipEntry> {
    if !matches!(format, Format::Csv { .. }) {
        return None;
    }
    let missing: Vec<String> = [
        ("--person-key", &opts.person_key),
        ("--device-key", &opts.device_key),
    ]
    .into_iter()
    .filter_map(|(flag, k)| {
        let k = k.as_deref()?;
        (!names.iter().any(|n| n.eq_ignore_ascii_case(k))).then(|| format!("{flag} {k:?}"))
    })
    .collect();
    (!missing.is_empty()).then(|| SkipEntry {
        path: path.to_string(),
        reason: format!(
            "{} not in the header; records identified by their strongest identifier instead",
            missing.join(" and ")
        ),
        incomplete: false,
    })
}

/// File names of clinical record tables (Synthea, OMOP and EHR exports name
/// their tables this way): every row of such a file is about a patient's
/// health, whatever code system its codes use (SNOMED, LOINC, RxNorm...).
const CLINICAL_FILES: &[&str] = &[
    "conditions",
    "condition",
    "diagnoses",
    "diagnosis",
    "observations",
    "vitals",
    "medications",
    "prescriptions",
    "procedures",
    "immunizations",
    "allergies",
    "encounters",
    "careplans",
    "claims",
    "labs",
    "lab results",
    "problems",
    "visits",
];

/// Column names that tie a row to one patient.
const PATIENT_LINKS: &[&str] = &[
    "patient",
    "patient id",
    "patientid",
    "member id",
    "memberid",
    "subject id",
    "beneficiary id",
    "enrollee id",
    "mrn",
    "medical record number",
];

/// The patient column of a clinical record table, if this file is one.
fn clinical_link(file_name: &str, names: &[String]) -> Option<usize> {
    use crate::detect::catalog::{tokens, tokens_contain};
    // The words' tokens once per run, not once per file: a directory of
    // small files asked for them thousands of times.
    static FILES: std::sync::LazyLock<Vec<Vec<String>>> =
        std::sync::LazyLock::new(|| CLINICAL_FILES.iter().map(|w| tokens(w)).collect());
    static LINKS: std::sync::LazyLock<Vec<Vec<String>>> =
        std::sync::LazyLock::new(|| PATIENT_LINKS.iter().map(|w| tokens(w)).collect());
    let stem = file_name.split('.').next().unwrap_or(file_name);
    let st = tokens(stem);
    if !FILES.iter().any(|w| tokens_contain(&st, w)) {
        return None;
    }
    names.iter().position(|n| {
        let nt = tokens(n);
        LINKS.contains(&nt)
    })
}

fn header_ctx(
    eng: &Engine,
    opts: &ScanOptions,
    names: &[String],
    file_name: &str,
) -> Vec<ColumnCtx> {
    let find = |key: &Option<String>| -> Option<usize> {
        let k = key.as_deref()?;
        names
            .iter()
            .position(|n| n == k)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(k)))
    };
    let pk = find(&opts.person_key);
    let dk = find(&opts.device_key);
    let clinical = eng
        .catalog
        .detectors
        .iter()
        .position(|d| d.id == "clinical_record")
        .and_then(|d| clinical_link(file_name, names).map(|c| (c, d as u8)));
    names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let mut c = eng.column_ctx(n);
            c.person_key = pk == Some(i);
            c.device_key = dk == Some(i);
            c.clinical_link = clinical.filter(|&(col, _)| col == i).map(|(_, d)| d);
            c
        })
        .collect()
}

struct Worker<'a> {
    eng: &'a Engine,
    cfg: &'a CountConfig,
    opts: &'a ScanOptions,
    tally: Tally,
    rec: RecordHits,
    batch: Batch,
    json: json::Walker,
    keys: KeyMap,
    /// Budget given to the memos of `keys` so far.
    key_memo_bytes: usize,
    /// The columns the memos were learnt under: a file with other columns
    /// starts afresh, one with the same header keeps them.
    memo_cols: Vec<ColumnCtx>,
    memos: Vec<ValueMemo>,
    skipped: Vec<SkipEntry>,
    notes: Vec<SkipEntry>,
    /// What chunks of a file found wrong, gathered per file so the report
    /// says it once whatever the chunk size (see `ChunkIssues`).
    issues: HashMap<String, ChunkIssues>,
    genomic: Vec<GenomicFile>,
    matrices: Vec<MatrixFile>,
    bytes: u64,
    /// A guessed chunk boundary fell inside a quoted field: what this
    /// worker counted is wrong (the run's flag for the attempt is set
    /// from it after each unit).
    wrong_cut: bool,
}

static TEXT_CTX: std::sync::LazyLock<ColumnCtx> = std::sync::LazyLock::new(ColumnCtx::text);

/// A file's problems that its chunks find one by one. Each chunk used to
/// add its own skip entry (its first bad byte, its count of over-long
/// fields), so the report changed with the chunk size and thread count;
/// merged per file they read the same for any cut: the first offset in
/// the file and the total.
#[derive(Debug, Default, Clone, Copy)]
struct ChunkIssues {
    /// First byte of invalid UTF-8.
    bad_utf8: Option<u64>,
    /// First over-long field or line (offset, length), and how many.
    oversize: Option<(u64, usize)>,
    oversize_count: u64,
    /// JSON lines that did not parse (scanned as text).
    bad_json: u64,
}

impl ChunkIssues {
    fn merge(&mut self, o: ChunkIssues) {
        // The first in the file of either (`Option::min` would take None).
        self.bad_utf8 = self.bad_utf8.into_iter().chain(o.bad_utf8).min();
        self.oversize = self.oversize.into_iter().chain(o.oversize).min();
        self.oversize_count += o.oversize_count;
        self.bad_json += o.bad_json;
    }

    /// The skip entries (incomplete) and notes (complete) they make.
    fn entries(&self, path: &str, max: usize) -> (Vec<SkipEntry>, Vec<SkipEntry>) {
        let mut skipped = Vec::new();
        let mut notes = Vec::new();
        if let Some(at) = self.bad_utf8 {
            skipped.push(skip(
                path,
                format!(
                    "invalid UTF-8 at byte {at}; scanned as bytes, values in other encodings may be missed"
                ),
            ));
        }
        if let Some((off, len)) = self.oversize {
            skipped.push(skip(
                path,
                format!(
                    "{} field(s) or line(s) longer than the {} limit not scanned (first at byte {off}, {len} bytes)",
                    self.oversize_count,
                    size_limit(max)
                ),
            ));
        }
        if self.bad_json > 0 {
            notes.push(SkipEntry {
                path: path.to_string(),
                reason: format!(
                    "{} line(s) were not valid JSON and were scanned as text",
                    self.bad_json
                ),
                incomplete: false,
            });
        }
        (skipped, notes)
    }
}

/// A byte limit as people set it: in MiB when it is whole MiB.
fn size_limit(max: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if max >= MIB && max.is_multiple_of(MIB) {
        format!("{} MiB", max / MIB)
    } else {
        format!("{max}-byte")
    }
}

/// A worker's JSON key paths with their context and memo.
///
/// Every value of every JSON record looks its path up, and JSON Lines
/// records mostly repeat one key order. So each path remembers which path
/// followed it last time, and a lookup first compares the path with that
/// prediction: one compare instead of hashing the path and probing the
/// table (the lookup was a tenth of an events scan). A wrong prediction
/// (an optional key present or absent) falls back to the table and
/// relinks. The table hashes with foldhash, not the standard library's
/// SipHash, seeded per process as the paths come from the data; only
/// lookups are made, so no result depends on the seed or on a prediction.
struct KeyMap {
    index: HashMap<String, u32, foldhash::fast::RandomState>,
    paths: Vec<KeyPath>,
    /// The path met last in this record, `NO_PATH` at a record's start.
    last: u32,
    /// The path that opened the last record.
    first: u32,
    /// Per node of the walker tree `tree`, its path's index once looked
    /// up (`NO_PATH` before): a path the walker names by its node is found
    /// by one load, with no compare of its text.
    by_node: Vec<u32>,
    tree: Option<u64>,
}

struct KeyPath {
    path: String,
    ctx: ColumnCtx,
    memo: ValueMemo,
    /// The path that came next after this one last time.
    next: u32,
}

const NO_PATH: u32 = u32::MAX;

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap {
            index: HashMap::default(),
            paths: Vec::new(),
            last: NO_PATH,
            first: NO_PATH,
            by_node: Vec::new(),
            tree: None,
        }
    }
}

impl KeyMap {
    fn len(&self) -> usize {
        self.paths.len()
    }

    /// A record starts: the next path is predicted from the last record's
    /// first.
    fn restart(&mut self) {
        self.last = NO_PATH;
    }

    /// The index of `path`, if it is known.
    #[inline]
    fn find(&mut self, path: &str) -> Option<usize> {
        let guess = match self.last {
            NO_PATH => self.first,
            l => self.paths[l as usize].next,
        };
        if let Some(p) = self.paths.get(guess as usize)
            && p.path == path
        {
            self.last = guess;
            return Some(guess as usize);
        }
        let i = *self.index.get(path)?;
        self.link(i);
        Some(i as usize)
    }

    /// The index of the path of node `node` of the walker tree `tree`, if
    /// it was looked up before.
    #[inline(always)]
    fn find_node(&self, tree: u64, node: u32) -> Option<usize> {
        if self.tree != Some(tree) {
            return None;
        }
        match self.by_node.get(node as usize) {
            Some(&i) if i != NO_PATH => Some(i as usize),
            _ => None,
        }
    }

    /// Node `node` of the walker tree `tree` has the path of index `i`.
    /// Another tree's nodes are forgotten.
    fn remember_node(&mut self, tree: u64, node: u32, i: usize) {
        if self.tree != Some(tree) {
            self.tree = Some(tree);
            self.by_node.clear();
        }
        let node = node as usize;
        if self.by_node.len() <= node {
            self.by_node.resize(node + 1, NO_PATH);
        }
        self.by_node[node] = i as u32;
    }

    /// Adds a path not known yet; returns its index.
    fn insert(&mut self, path: &str, ctx: ColumnCtx, memo: ValueMemo) -> usize {
        let i = self.paths.len() as u32;
        self.paths.push(KeyPath {
            path: path.to_string(),
            ctx,
            memo,
            next: NO_PATH,
        });
        self.index.insert(path.to_string(), i);
        self.link(i);
        i as usize
    }

    /// `i` follows the path met last (or opens the record).
    fn link(&mut self, i: u32) {
        match self.last {
            NO_PATH => self.first = i,
            l => self.paths[l as usize].next = i,
        }
        self.last = i;
    }
}

/// The record sink for one unit of one file.
struct Sink<'w, 'a> {
    eng: &'a Engine,
    cfg: &'a CountConfig,
    opts: &'a ScanOptions,
    cols: &'w [ColumnCtx],
    memos: &'w mut [ValueMemo],
    file_id: &'w [u8],
    rec: &'w mut RecordHits,
    tally: &'w mut Tally,
    keys: &'w mut KeyMap,
    key_memo_bytes: &'w mut usize,
    offset: u64,
    oversize: Option<(u64, usize)>,
    oversize_count: u64,
    /// The parser's `open_quote`.
    open_quote: bool,
}

impl Sink<'_, '_> {
    /// A CSV column's or (`by_path`) a JSON key path's context and memo.
    fn slot(&mut self, by_path: bool, i: usize) -> (&ColumnCtx, &mut ValueMemo) {
        if by_path {
            let k = &mut self.keys.paths[i];
            (&k.ctx, &mut k.memo)
        } else {
            (&self.cols[i], &mut self.memos[i])
        }
    }

    /// The index of a JSON key path, met before or new; past the bound on
    /// paths, the context it is judged under instead.
    fn key_slot(&mut self, path: &str) -> Result<usize, ColumnCtx> {
        let judge = |path: &str| {
            let mut c = self.eng.column_ctx(path);
            c.person_key = self.opts.person_key.as_deref() == Some(path);
            c.device_key = self.opts.device_key.as_deref() == Some(path);
            c
        };
        match self.keys.find(path) {
            Some(i) => Ok(i),
            // JSON keyed by user id has a new path per record: past the
            // bound its paths are judged as met (the engine's name cache and
            // index keep that cheap) and hold no memory here.
            None if self.keys.len() >= MAX_KEY_PATHS => Err(judge(path)),
            None => {
                let c = judge(path);
                // Key paths share the other half, first come first served.
                let share = (memo::WORKER_BUDGET / 2)
                    .saturating_sub(*self.key_memo_bytes)
                    .min(memo::KEY_SHARE);
                *self.key_memo_bytes += share;
                let m = ValueMemo::for_column(&c, share);
                Ok(self.keys.insert(path, c, m))
            }
        }
    }

    /// A JSON scalar, by its path's index or the context it is judged in.
    #[inline(always)]
    fn keyed_in(&mut self, slot: Result<usize, ColumnCtx>, value: &[u8]) {
        match slot {
            Ok(i) => {
                let k = &mut self.keys.paths[i];
                k.memo
                    .scan(self.eng, &k.ctx, crate::detect::trim(value), self.rec);
            }
            Err(ctx) => self.eng.scan_value(&ctx, value, self.rec),
        }
    }

    /// `key_slot` for the path of a walker's node (`RecordSink::keyed_at`).
    #[inline(always)]
    fn key_slot_at(&mut self, tree: u64, node: u32, path: &str) -> Result<usize, ColumnCtx> {
        match self.keys.find_node(tree, node) {
            Some(i) => Ok(i),
            None => self.key_slot_new_node(tree, node, path),
        }
    }

    /// `key_slot_at` for a node not looked up yet.
    #[inline(never)]
    fn key_slot_new_node(&mut self, tree: u64, node: u32, path: &str) -> Result<usize, ColumnCtx> {
        let r = self.key_slot(path);
        if let Ok(i) = r {
            self.keys.remember_node(tree, node, i);
        }
        r
    }
}

impl RecordSink for Sink<'_, '_> {
    fn open_quote(&mut self) {
        self.open_quote = true;
    }

    fn begin(&mut self, offset: u64) {
        self.rec.clear();
        self.offset = offset;
        self.keys.restart();
    }
    // Inlined into the CSV parser: a call per cell cost its prologue.
    #[inline(always)]
    fn column(&mut self, idx: usize, value: &[u8]) {
        let Some(ctx) = self.cols.get(idx) else {
            self.eng.scan_value(&TEXT_CTX, value, self.rec);
            return;
        };
        // Most empty cells of a wide table end here.
        let value = crate::detect::trim(value);
        if value.is_empty() {
            return;
        }
        if let Some(d) = ctx.clinical_link {
            self.rec.push(d as usize, b"clinical record file");
        }
        self.memos[idx].scan(self.eng, ctx, value, self.rec);
    }
    fn keyed(&mut self, path: &str, value: &[u8]) {
        let slot = self.key_slot(path);
        self.keyed_in(slot, value);
    }
    fn keyed_at(&mut self, tree: u64, node: u32, path: &str, value: &[u8]) {
        let slot = self.key_slot_at(tree, node, path);
        self.keyed_in(slot, value);
    }
    fn text(&mut self, value: &[u8]) {
        self.eng.scan_value(&TEXT_CTX, value, self.rec);
    }
    fn end(&mut self) {
        finish_record(
            self.eng,
            self.cfg,
            self.rec,
            self.file_id,
            self.offset,
            self.tally,
        );
    }
    fn abort(&mut self) {
        self.rec.clear();
    }
    fn oversize(&mut self, offset: u64, len: usize) {
        if self.oversize.is_none() {
            self.oversize = Some((offset, len));
        }
        self.oversize_count += 1;
    }
}

/// The records of one chunk, block or document, for either sink.
struct Records<'d> {
    job: &'d Job,
    data: &'d [u8],
    start: usize,
    end: usize,
    base: u64,
    max: usize,
}

impl Records<'_> {
    /// Parses every record into `sink` (generic, so the CSV parser inlines
    /// its per-cell call); returns the JSON lines that did not parse.
    fn parse<S: RecordSink>(
        &self,
        w: &mut json::Walker,
        sink: &mut S,
        skipped: &mut Vec<SkipEntry>,
    ) -> u64 {
        let (data, start, end, base, max) = (self.data, self.start, self.end, self.base, self.max);
        match self.job.format {
            Format::Csv { delim, .. } => csv::parse(data, start, end, delim, base, sink, max),
            Format::Text => text::parse(data, start, end, base, sink, max),
            Format::JsonLines => return text::parse_jsonl(w, data, start, end, base, sink, max),
            Format::JsonDocument => {
                if let Err(e) = json::document(w, &data[start..end], sink) {
                    // Scan what the parser could not walk as text, so a
                    // broken document still has its values found.
                    skipped.push(skip(
                        &self.job.path,
                        format!(
                            "malformed JSON at byte {}: {}; the rest was scanned as text",
                            base + e.offset as u64,
                            e.reason
                        ),
                    ));
                    let from = start + e.offset.min(end - start);
                    text::parse(data, from, end, base, sink, max);
                }
            }
            Format::Genomic(_) => {}
        }
        0
    }
}

impl<'a> Worker<'a> {
    fn new(eng: &'a Engine, cfg: &'a CountConfig, opts: &'a ScanOptions) -> Worker<'a> {
        Worker {
            eng,
            cfg,
            opts,
            tally: Tally::new(eng.len(), opts.exact_limit),
            rec: RecordHits::default(),
            batch: Batch::default(),
            json: json::Walker::new(),
            keys: KeyMap::default(),
            key_memo_bytes: 0,
            memo_cols: Vec::new(),
            memos: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
            issues: HashMap::new(),
            genomic: Vec::new(),
            matrices: Vec::new(),
            bytes: 0,
            wrong_cut: false,
        }
    }

    /// `last`: no merge follows, so the tally's sets are only counted
    /// (`Tally::last_merge`).
    fn merge(mut self, o: Worker<'a>, last: bool) -> Worker<'a> {
        if last {
            self.tally.last_merge(o.tally);
        } else {
            self.tally.merge(o.tally);
        }
        self.skipped.extend(o.skipped);
        self.notes.extend(o.notes);
        for (path, i) in o.issues {
            self.issues.entry(path).or_default().merge(i);
        }
        self.genomic.extend(o.genomic);
        self.matrices.extend(o.matrices);
        self.bytes += o.bytes;
        self
    }

    fn run(&mut self, u: &Unit, blocks: &Blocks) {
        match u {
            &Unit::Chunk {
                ref job,
                start,
                end,
                first,
                guessed,
            } => {
                let held = job.data.as_ref().unwrap();
                let data = held.bytes();
                self.bytes += (end - start) as u64 + if first { start as u64 } else { 0 };
                let open = self.chunk(job, data, start, end, 0, &job.cols);
                self.wrong_cut |= guessed && open && end < data.len();
                held.release(start, end);
            }
            Unit::Stream {
                job,
                head,
                reader,
                compression,
            } => {
                let r = reader.lock().unwrap().take().expect("stream taken once");
                self.stream(job, head.clone(), r, *compression, blocks);
            }
            Unit::Genomic {
                job,
                head,
                reader,
                raw,
            } => {
                let r = reader.lock().unwrap().take();
                self.genomic(job, head.clone(), r, *raw);
            }
            Unit::Note(n) => self.notes.push(n.clone()),
            Unit::Matrix { path, samples } => {
                if self.cfg.us == UsPolicy::Assume {
                    for s in samples {
                        let id = self.cfg.key.hash(b"sample", s.as_bytes());
                        self.tally.add_person(Category::HumanOmic, id);
                    }
                } else {
                    self.tally.non_us_records += samples.len() as u64;
                }
                self.matrices.push(MatrixFile {
                    path: path.clone(),
                    samples: samples.len(),
                });
            }
        }
    }

    /// Scans `data[start..end]` (record-aligned); `base` is the file offset
    /// of `data[0]`.
    fn chunk(
        &mut self,
        job: &Job,
        data: &[u8],
        start: usize,
        end: usize,
        base: u64,
        cols: &[ColumnCtx],
    ) -> bool {
        let mut issues = ChunkIssues::default();
        let by_path = match job.format {
            Format::Csv { .. } if !cols.is_empty() => Some(false),
            Format::JsonLines | Format::JsonDocument => Some(true),
            _ => None,
        };
        let max = self.opts.max_record;
        let batched = by_path.is_some() && self.opts.batch_rows > 1 && max <= u32::MAX as usize;
        // Batched CSV and JSON lines check their UTF-8 batch by batch (their
        // records' offsets are positions in the data; a JSON document's are
        // not): the rest up front.
        let utf8_later = batched && matches!(job.format, Format::Csv { .. } | Format::JsonLines);
        if !utf8_later {
            issues.bad_utf8 = batch::Utf8Check::whole(data, start, end, base);
        }
        if self.memo_cols.as_slice() != cols {
            self.memo_cols = cols.to_vec();
            // Columns share half the worker's memo budget equally.
            let share = memo::WORKER_BUDGET / 2 / cols.len().max(1);
            self.memos = cols
                .iter()
                .map(|c| ValueMemo::for_column(c, share))
                .collect();
        }
        let mut sink = Sink {
            eng: self.eng,
            cfg: self.cfg,
            opts: self.opts,
            cols,
            memos: &mut self.memos,
            file_id: job.path.as_bytes(),
            rec: &mut self.rec,
            tally: &mut self.tally,
            keys: &mut self.keys,
            key_memo_bytes: &mut self.key_memo_bytes,
            offset: 0,
            oversize: None,
            oversize_count: 0,
            open_quote: false,
        };
        let records = Records {
            job,
            data,
            start,
            end,
            base,
            max,
        };
        let bad_json = match by_path {
            // A batch keeps a value's length and row in 32 bits each.
            Some(by_path) if batched => {
                let rows = self.opts.batch_rows.min(batch::MAX_ROWS);
                let mut b = std::mem::take(&mut self.batch);
                let utf8 = utf8_later.then(|| batch::Utf8Check::new(start, base));
                let mut bs = BatchSink::new(sink, &mut b, data, rows, by_path, utf8);
                let bad = records.parse(&mut self.json, &mut bs, &mut self.skipped);
                bs.flush();
                if utf8_later {
                    issues.bad_utf8 = bs.utf8_end(end);
                }
                sink = bs.s;
                self.batch = b;
                bad
            }
            _ => records.parse(&mut self.json, &mut sink, &mut self.skipped),
        };
        issues.oversize = sink.oversize;
        issues.oversize_count = sink.oversize_count;
        issues.bad_json = bad_json;
        let open = sink.open_quote;
        if issues.bad_utf8.is_some() || issues.oversize.is_some() || bad_json > 0 {
            match self.issues.get_mut(&job.path) {
                Some(i) => i.merge(issues),
                None => {
                    self.issues.insert(job.path.clone(), issues);
                }
            }
        }
        open
    }

    /// Scans a block a stream's reader handed off.
    fn block(&mut self, b: Block, blocks: &Blocks) {
        self.chunk(&b.job, &b.data, 0, b.data.len(), b.base, &b.cols);
        blocks.recycle(b.data);
    }

    fn stream(
        &mut self,
        job: &Arc<Job>,
        head: Vec<u8>,
        mut r: Box<dyn Read + Send>,
        c: input::Compression,
        blocks: &Blocks,
    ) {
        let mut buf = head;
        let mut base: u64 = 0;
        let mut cols: Option<Arc<Vec<ColumnCtx>>> = None;
        let block = self
            .opts
            .chunk_size
            .clamp(MIN_STREAM_BLOCK, MAX_STREAM_BLOCK);
        let mut resume = (0usize, false);
        let max = self.opts.max_record;
        if job.format == Format::JsonDocument {
            let mut limited = (&mut r).take((MAX_JSON_DOCUMENT - buf.len()) as u64 + 1);
            if let Err(e) = limited.read_to_end(&mut buf) {
                self.skipped
                    .push(skip(&job.path, input::stream_reason(&e, c)));
            }
            if buf.len() > MAX_JSON_DOCUMENT {
                self.skipped.push(skip(
                    &job.path,
                    "JSON document larger than 1 GiB streamed from a compressed input; not scanned",
                ));
                return;
            }
            self.bytes += buf.len() as u64;
            self.chunk(job, &buf, 0, buf.len(), 0, &[]);
            return;
        }
        loop {
            let old = buf.len();
            buf.resize(old + block, 0);
            let (n, err) = input::read_until_error(&mut r, &mut buf[old..]);
            buf.truncate(old + n);
            let eof = n < block;
            if cols.is_none() {
                let (c, start) = match job.format {
                    Format::Csv {
                        delim,
                        header: true,
                    } => {
                        let (names, end) = csv::read_header(&buf, delim);
                        (header_ctx(self.eng, self.opts, &names, &job.file_name), end)
                    }
                    _ => (Vec::new(), 0),
                };
                cols = Some(Arc::new(c));
                // Skip the header bytes as a pseudo-record.
                buf.drain(..start);
                base += start as u64;
                self.bytes += start as u64;
            }
            let b = if eof {
                buf.len()
            } else {
                match job.format {
                    Format::Csv { delim, .. } => {
                        let (b, reached, inq) = csv::last_boundary(&buf, resume.0, resume.1, delim);
                        resume = (reached, inq);
                        b
                    }
                    _ => memchr::memrchr(b'\n', &buf).map_or(0, |p| p + 1),
                }
            };
            if b > 0 {
                let cols = cols.clone().unwrap_or_default();
                // The records of `buf[..b]` go to the queue (the rest, a
                // partial record, starts the next block) or, when it is
                // full, are scanned here.
                let mut next = blocks.buffer(block + buf.len() - b);
                next.extend_from_slice(&buf[b..]);
                buf.truncate(b);
                let data = std::mem::replace(&mut buf, next);
                let handed = Block {
                    job: job.clone(),
                    data,
                    base,
                    cols,
                };
                if let Some(mine) = blocks.offer(handed) {
                    self.block(mine, blocks);
                }
                self.bytes += b as u64;
                base += b as u64;
                resume.0 = resume.0.saturating_sub(b);
            }
            if let Some(e) = err {
                self.skipped.push(skip(
                    &job.path,
                    format!(
                        "{} after {} bytes; records before it were scanned",
                        input::stream_reason(&e, c),
                        base + buf.len() as u64
                    ),
                ));
                return;
            }
            if eof {
                return;
            }
            if buf.len() > max {
                self.skipped.push(skip(
                    &job.path,
                    format!(
                        "record at byte {base} is longer than the {} limit; the rest of the stream was not scanned",
                        size_limit(max)
                    ),
                ));
                return;
            }
        }
    }

    fn genomic(&mut self, job: &Job, head: Vec<u8>, r: Option<Box<dyn Read + Send>>, raw: bool) {
        let Format::Genomic(g) = job.format else {
            return;
        };
        let summary = match (&job.data, r) {
            (Some(d), _) => {
                self.bytes += d.bytes().len() as u64;
                let reader = ReleasingReader::new(d);
                if raw {
                    genomic::summarize_binary(g, reader, &job.file_name)
                } else {
                    genomic::summarize(g, reader, &job.file_name)
                }
            }
            (None, Some(r)) => {
                let counted = CountingReader {
                    inner: std::io::Cursor::new(head).chain(r),
                    n: 0,
                };
                let mut counted = counted;
                let s = if raw {
                    genomic::summarize_binary(g, &mut counted, &job.file_name)
                } else {
                    genomic::summarize(g, &mut counted, &job.file_name)
                };
                self.bytes += counted.n;
                s
            }
            (None, None) => return,
        };
        let summary = match summary {
            Ok(s) => s,
            Err(e) => {
                let reason = if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    "truncated gzip stream".to_string()
                } else {
                    input::io_reason(&e)
                };
                self.skipped.push(skip(&job.path, reason));
                return;
            }
        };
        let reference =
            summary.format == GenomicFormat::Fasta && is_reference_fasta(&summary.evidence);
        let counted = !reference && !matches!(summary.species, Species::NonHuman(_));
        if counted && self.cfg.us == UsPolicy::Assume {
            for s in &summary.samples {
                let id = self.cfg.key.hash(b"sample", s.as_bytes());
                self.tally.add_person(Category::HumanGenomic, id);
            }
        } else if counted {
            // Sample ids carry no U.S. evidence: under `infer` they are not
            // counted, and the report says how many were left out.
            self.tally.non_us_records += summary.samples.len() as u64;
        }
        self.tally.records += summary.records;
        let evidence = if reference {
            format!(
                "reference sequence, not an individual's data: {}",
                summary.evidence
            )
        } else {
            summary.evidence
        };
        self.genomic.push(GenomicFile {
            path: job.path.clone(),
            format: summary.format,
            samples: summary.samples.len(),
            species: summary.species,
            evidence,
            records: summary.records,
            counted,
        });
    }
}

/// A FASTA whose header names a public reference (a RefSeq/GenBank
/// accession like `NC_012920`, an assembly like GRCh38/hg19, the rCRS):
/// published reference sequence relates to no individual in the data set
/// (202.249(b)(1), (b)(2)), so it is reported, not counted.
fn is_reference_fasta(header_evidence: &str) -> bool {
    let Some(h) = header_evidence.strip_prefix('>') else {
        return false;
    };
    let lower = h.to_ascii_lowercase();
    const ACCESSIONS: [&str; 8] = ["nc_", "ng_", "nt_", "nw_", "nm_", "nr_", "xm_", "xr_"];
    lower
        .split(|c: char| c.is_whitespace() || c == '|')
        .any(|w| {
            ACCESSIONS
                .iter()
                .any(|a| w.starts_with(a) && w[3..].starts_with(|c: char| c.is_ascii_digit()))
        })
        || [
            "grch37",
            "grch38",
            "hg19",
            "hg38",
            "rcrs",
            "reference genome",
            "reference sequence",
        ]
        .iter()
        .any(|k| lower.contains(k))
}

struct CountingReader<R> {
    inner: R,
    n: u64,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let k = self.inner.read(buf)?;
        self.n += k as u64;
        Ok(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A node's path is found by the node only for the tree that named
    /// it: another walker's node of the same number is another path, and
    /// meeting another tree forgets the first's nodes.
    #[test]
    fn key_paths_by_node_are_per_tree() {
        let mut keys = KeyMap::default();
        let a = keys.insert("user.email", ColumnCtx::text(), ValueMemo::default());
        let b = keys.insert("geo.lat", ColumnCtx::text(), ValueMemo::default());
        assert_eq!(keys.find_node(7, 3), None);
        keys.remember_node(7, 3, a);
        keys.remember_node(7, 1, b);
        assert_eq!(keys.find_node(7, 3), Some(a));
        assert_eq!(keys.find_node(7, 1), Some(b));
        assert_eq!(keys.find_node(7, 2), None);
        assert_eq!(keys.find_node(7, 99), None);
        assert_eq!(keys.find_node(8, 3), None, "another walker's node 3");
        keys.remember_node(8, 3, b);
        assert_eq!(keys.find_node(8, 3), Some(b));
        assert_eq!(keys.find_node(7, 3), None, "the first tree is forgotten");
        assert_eq!(keys.find_node(8, 1), None);
    }

    proptest::proptest! {
        /// The predicted lookup finds every path where a plain map of
        /// paths to first-seen indices does, whatever the records' key
        /// orders (repeated, shuffled, with keys missing or repeated
        /// within a record), and each path is stored once.
        #[test]
        fn key_paths_predicted_are_the_map_lookups(
            records in proptest::collection::vec(
                proptest::collection::vec(0usize..6, 0..8), 1..40),
        ) {
            let names = ["a", "b", "user.email", "user.phone", "geo.lat", "ab"];
            let mut keys = KeyMap::default();
            let mut plain: HashMap<&str, usize> = HashMap::new();
            for r in &records {
                keys.restart();
                for &k in r {
                    let path = names[k];
                    let got = match keys.find(path) {
                        Some(i) => i,
                        None => keys.insert(path, ColumnCtx::text(), ValueMemo::default()),
                    };
                    let n = plain.len();
                    let want = *plain.entry(path).or_insert(n);
                    proptest::prop_assert_eq!(got, want, "{}", path);
                    proptest::prop_assert_eq!(&keys.paths[got].path, path);
                }
            }
            proptest::prop_assert_eq!(keys.len(), plain.len());
        }
    }

    /// Pages given back behind the reader (in windows smaller than a page,
    /// so every read releases) never change what is read after them.
    #[test]
    fn releasing_reader_reads_a_map_unchanged() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let want: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        std::io::Write::write_all(&mut f, &want).unwrap();
        // SAFETY: a private temporary file nobody else writes.
        let map = unsafe { memmap2::Mmap::map(f.as_file()) }.unwrap();
        let data = Data::Map(map);
        for window in [1, 4096, 10_000] {
            let mut r = ReleasingReader::new(&data);
            r.window = window;
            let mut got = Vec::new();
            let mut buf = [0u8; 777];
            loop {
                let n = r.read(&mut buf).unwrap();
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            assert_eq!(got, want, "window {window}");
            // Released pages read again come back from the file.
            assert_eq!(data.bytes(), &want[..]);
        }
    }
}
