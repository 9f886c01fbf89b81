//! Records: from bytes to fields with names. A record is a CSV/TSV row, a
//! JSON object (one per line, or an element of a top-level array), a text
//! line; genomic formats are summarised per file (`genomic`).
//!
//! Parsers push fields into a `RecordSink` instead of building records, so
//! a record costs no allocation: the sink sees each field once, with its
//! column index (CSV), its key path (JSON) or nothing (text).

pub mod csv;
pub mod genomic;
pub mod json;
mod seps;
pub mod text;

use std::path::Path;

/// Receives one record at a time, field by field.
pub trait RecordSink {
    /// A record starts at this absolute byte offset of its file.
    fn begin(&mut self, offset: u64);
    /// A CSV/TSV field by column index.
    fn column(&mut self, idx: usize, value: &[u8]);
    /// A JSON scalar by dotted key path (array indices dropped).
    fn keyed(&mut self, path: &str, value: &[u8]);
    /// `keyed`, with the path's place in the walker's tree of key paths:
    /// node `node` of the walker `tree` (`json::Walker::tree_id`), which
    /// has this path for as long as the walker lives. A sink that keeps
    /// state per path may find it by the node, without comparing the
    /// path's text; by default, `keyed`.
    fn keyed_at(&mut self, tree: u64, node: u32, path: &str, value: &[u8]) {
        let _ = (tree, node);
        self.keyed(path, value);
    }
    /// Free text.
    fn text(&mut self, value: &[u8]);
    fn end(&mut self);
    /// A field or line too long to scan safely, at this offset.
    fn oversize(&mut self, offset: u64, len: usize);
    /// The record begun turned out malformed (a broken JSON line): forget
    /// what it gave, no `end` follows. The caller scans it another way.
    fn abort(&mut self) {}
    /// The rows of `data` the sink has room for, as a grid the CSV parser
    /// fills itself with plain records, many in one call: each record's
    /// offset goes to `SpanGrid::offsets`, and no `begin`, `column` or
    /// `end` is called for it; `grid_filled` follows. Any other record
    /// goes through `begin`, `column` and `end`, and `begin` empties its
    /// row. `None` (the default): records go one by one.
    fn span_grid(&mut self, _data: &[u8]) -> Option<SpanGrid<'_>> {
        None
    }
    /// The parser has added records to the grid `span_grid` gave: what
    /// `end` does after a record (a batch scans itself when full).
    fn grid_filled(&mut self) {}
    /// A quoted field was still open where the data ended: at the end of a
    /// file, its last field; at the end of a chunk cut without the quote
    /// pass, a sign the cut fell inside a record
    /// (`csv::speculative_boundaries`).
    fn open_quote(&mut self) {}
}

/// A batch's grid of spans, open to the CSV parser for whole records
/// (`RecordSink::span_grid`). Why: a record through `begin` and `end`
/// (and a call of its own to fill its row) paid some 230 instructions of
/// set-up around its fields, a quarter of what its twenty fields cost the
/// parser.
pub struct SpanGrid<'a> {
    /// Column `k` of row `r` at `spans[k * stride + r]`; its length is the
    /// table's width times `stride`.
    pub spans: &'a mut [Span],
    pub stride: usize,
    /// Each record's offset in its file, in order; its length is the next
    /// record's row.
    pub offsets: &'a mut Vec<u64>,
    /// The rows the grid holds (at most `stride`).
    pub rows: usize,
}

/// A field where it lies in the data its parser read, trimmed of ASCII
/// whitespace; `len == 0` for a column the record does not fill.
/// `repr(C)`: a batch reads the lengths of a column's spans eight at a
/// time (`scan::batch::live_rows`).
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq)]
#[repr(C)]
pub struct Span {
    pub start: u64,
    pub len: u32,
    /// The record's place in the sink's batch: the sink's to keep, left
    /// alone by parsers.
    pub row: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv {
        delim: u8,
        header: bool,
    },
    JsonLines,
    /// One JSON document: records are the elements of a top-level array, or
    /// the whole document when it is an object.
    JsonDocument,
    Text,
    Genomic(genomic::GenomicFormat),
}

impl Format {
    pub fn name(&self) -> &'static str {
        match self {
            Format::Csv { delim: b'\t', .. } => "tsv",
            Format::Csv { .. } => "csv",
            Format::JsonLines => "jsonl",
            Format::JsonDocument => "json",
            Format::Text => "text",
            Format::Genomic(g) => g.name(),
        }
    }
}

/// Decides a format from content (the first bytes), using the file name
/// only to break ties: a `.csv` with one column is still CSV, with its
/// header as context.
pub fn sniff(head: &[u8], path: Option<&Path>) -> Format {
    let ext = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    let ext = ext.as_deref().map(|e| {
        if e == "gz" || e == "bgz" {
            // data.csv.gz: the inner extension is what counts.
            path.and_then(|p| p.file_stem())
                .and_then(|s| Path::new(s).extension())
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase())
                .unwrap_or_default()
        } else {
            e.to_string()
        }
    });
    if let Some(g) = genomic::sniff(head) {
        return Format::Genomic(g);
    }
    let head_trim = {
        let mut h = head;
        if h.starts_with(&[0xEF, 0xBB, 0xBF]) {
            h = &h[3..];
        }
        let s = h
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(h.len());
        &h[s..]
    };
    match head_trim.first() {
        Some(b'{') => {
            let line_end = memchr::memchr(b'\n', head_trim).unwrap_or(head_trim.len());
            // One complete value per line, and more than one line: a file
            // of a single line is one document (it may be an export wrapped
            // in an object, whose array elements are the records).
            let more = head_trim[line_end..]
                .iter()
                .any(|b| !b.is_ascii_whitespace());
            if more && json::is_complete_value(&head_trim[..line_end]) {
                return Format::JsonLines;
            }
            return Format::JsonDocument;
        }
        Some(b'[') if json::looks_like_json_array(head_trim) => return Format::JsonDocument,
        _ => {}
    }
    let forced = match ext.as_deref() {
        Some("csv") => Some(b','),
        Some("tsv") | Some("tab") => Some(b'\t'),
        Some("psv") => Some(b'|'),
        _ => None,
    };
    let sniffed = csv::sniff_delimiter(head);
    if let Some(delim) = sniffed.or(forced) {
        let delim = forced.filter(|f| sniffed != Some(*f)).map_or(delim, |f| {
            // The extension says one delimiter; trust content if it is
            // consistent with another (a "csv" that is tab-separated).
            if csv::consistent(head, f) { f } else { delim }
        });
        let header = csv::looks_like_header(head, delim);
        return Format::Csv { delim, header };
    }
    Format::Text
}

/// Whether the head of a file is text we can scan: no NUL bytes and few
/// control characters. UTF-16 has NULs and is reported as such.
pub fn binary_reason(head: &[u8]) -> Option<String> {
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some("UTF-16 text is not supported; convert to UTF-8".into());
    }
    if let Some(p) = memchr::memchr(0, head) {
        return Some(format!("binary file (NUL byte at offset {p})"));
    }
    // Counted in byte lanes, 64 bytes at a time, which the compiler
    // vectorises: every file's head (up to 64 KiB) is read here, and a
    // byte-by-byte filter took some 7 instructions a byte.
    let ctrl: usize = head
        .chunks(64)
        .map(|c| {
            let n: u8 = c.iter().fold(0u8, |n, &b| {
                n + u8::from(b < 0x20) - u8::from(matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
            });
            usize::from(n)
        })
        .sum();
    if head.len() >= 64 && ctrl * 10 > head.len() {
        return Some("binary file (control bytes)".into());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The count of control bytes in lanes is the byte-by-byte one:
        /// a head is called binary exactly when more than a tenth of it
        /// (64 bytes or more) is control bytes other than the usual
        /// white space.
        #[test]
        fn control_bytes_counted_in_lanes(
            head in proptest::collection::vec(proptest::sample::select(
                // Control bytes about one in eight, form feeds one in ten:
                // around the threshold, where telling them apart matters.
                b"aaaaaaaaaaaa,,,,   \n\n\r\t\x0c\x0c\x0c\x0c\x01\x02\x1f\x0b\x7f\xff\xe2\x80"
                    .to_vec()), 0..400),
        ) {
            let ctrl = head
                .iter()
                .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c))
                .count();
            let binary = head.len() >= 64 && ctrl * 10 > head.len();
            proptest::prop_assert_eq!(binary_reason(&head).is_some(), binary);
        }
    }

    #[test]
    fn sniffs_formats() {
        assert_eq!(sniff(b"{\"a\":1}\n{\"a\":2}\n", None), Format::JsonLines);
        assert_eq!(sniff(b"[\n {\"a\": 1}\n]", None), Format::JsonDocument);
        assert_eq!(sniff(b"{\n \"a\": 1\n}", None), Format::JsonDocument);
        assert_eq!(
            sniff(b"name,ssn\nA,536-22-1234\nB,536-22-1235\n", None),
            Format::Csv {
                delim: b',',
                header: true
            }
        );
        assert_eq!(
            sniff(b"name\tssn\nA\t1\n", None),
            Format::Csv {
                delim: b'\t',
                header: true
            }
        );
        assert_eq!(sniff(b"just some words\nand more\n", None), Format::Text);
        assert_eq!(
            sniff(b"ssn\n536221234\n", Some(Path::new("x.csv"))),
            Format::Csv {
                delim: b',',
                header: true
            }
        );
        assert!(matches!(
            sniff(
                b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n",
                None
            ),
            Format::Genomic(_)
        ));
    }

    #[test]
    fn binary_heads() {
        assert!(binary_reason(b"abc\0def").is_some());
        assert!(
            binary_reason(&[0xFF, 0xFE, b'a', 0])
                .unwrap()
                .contains("UTF-16")
        );
        assert!(binary_reason(b"plain text, with commas\n").is_none());
    }
}
