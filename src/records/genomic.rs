//! Genomic files: recognise the format by content and summarise who is in each file.
//!
//! Why this exists: under 28 CFR Part 202 human genomic data is "bulk" once a data set
//! covers more than 100 distinct U.S. persons. The scanner therefore needs, per file, the
//! *persons* it holds (sample ids, which the caller hashes and counts across files) and
//! whether the data is human at all. Every format keeps persons somewhere else: VCF/BCF in
//! the sample columns of `#CHROM`, SAM/BAM/CRAM in `@RG SM:`, PLINK one per row, and
//! FASTA/FASTQ/consumer exports one per file. So each format gets its own small parser.
//!
//! Genomic files are routinely tens of gigabytes and may hold single lines of hundreds of
//! megabytes (a whole chromosome on one FASTA line, a 100k-sample `#CHROM` line), so every
//! parser streams through one fixed-size buffer and never needs a line to fit in memory.
//! Only what is reported (sample ids) and a capped copy of header lines are kept.

use std::collections::HashSet;
use std::io::{self, Cursor, Read};

use flate2::read::{GzDecoder, MultiGzDecoder};
use memchr::{memchr, memchr2};

/// Read buffer size. Lines longer than this are handed to parsers in pieces, which is what
/// keeps memory bounded whatever the line length.
const CHUNK: usize = 64 * 1024;
/// Most bytes kept of one header line (`##` meta, `@SQ`, FASTA `>`). The evidence we need
/// sits in the first few hundred bytes; a pathological multi-megabyte header line must not
/// grow memory without bound.
const LINE_CAP: usize = 256 * 1024;
/// Most bytes kept of one tab/space separated field (a sample id, a PLINK FID/IID). Longer
/// "ids" are not ids; truncating keeps a hostile file from costing memory per field.
const FIELD_CAP: usize = 4 * 1024;
/// Evidence strings are for humans reading a report: keep them to a line.
const EVIDENCE_CAP: usize = 160;
/// FASTQ headers checked for an organism name. Reads of one file share their naming, so a
/// sample of headers tells as much as all of them, and hundreds of millions of headers need
/// not be tokenised.
const FASTQ_HEADERS_CLASSIFIED: u64 = 10_000;
/// Residues a lone, cut-off first FASTQ read must show before its structure is believed: a
/// head holding only part of one very long read cannot show the `+`/quality lines.
const MIN_LONE_READ: usize = 200;
/// Lines of a head examined when sniffing line-oriented tables; enough to see structure.
const SNIFF_ROWS: usize = 200;

/// A genomic file format recognised by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenomicFormat {
    Vcf,
    Fasta,
    Fastq,
    Sam,
    Bam,
    Cram,
    Bcf,
    /// Consumer genotype export (23andMe, AncestryDNA, MyHeritage style).
    RawGenotype,
    PlinkPed,
    /// PLINK `.map`, and also `.bim` (an extended map): variant rows, no persons.
    PlinkMap,
    PlinkFam,
}

impl GenomicFormat {
    /// Stable lowercase name, used in reports and JSON output.
    pub fn name(self) -> &'static str {
        match self {
            GenomicFormat::Vcf => "vcf",
            GenomicFormat::Fasta => "fasta",
            GenomicFormat::Fastq => "fastq",
            GenomicFormat::Sam => "sam",
            GenomicFormat::Bam => "bam",
            GenomicFormat::Cram => "cram",
            GenomicFormat::Bcf => "bcf",
            GenomicFormat::RawGenotype => "raw_genotype",
            GenomicFormat::PlinkPed => "plink_ped",
            GenomicFormat::PlinkMap => "plink_map",
            GenomicFormat::PlinkFam => "plink_fam",
        }
    }
}

/// Whether a file's data is human. Only human genomic data counts towards the bulk
/// threshold, so the scanner must be able to say "not human" with a reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Species {
    Human,
    /// Why the data is taken as non-human, e.g. "C. elegans chromosome names".
    NonHuman(String),
    /// Nothing in the file names an organism; the caller decides how cautious to be.
    Unknown,
}

/// What one genomic file holds, as far as the bulk-data rules care.
#[derive(Debug, Clone)]
pub struct GenomicSummary {
    pub format: GenomicFormat,
    /// Distinct sample ids (persons), in first-seen order.
    pub samples: Vec<String>,
    pub species: Species,
    /// Short human-readable reason for `species`.
    pub evidence: String,
    /// VCF data lines / FASTA entries / FASTQ reads / SAM alignments / genotype rows.
    /// BAM, CRAM and BCF report 0: only their headers are decoded.
    pub records: u64,
    /// Sequence bases seen (FASTA/FASTQ/SAM), 0 otherwise.
    pub bases: u64,
}

// ---------------------------------------------------------------------------------------
// Sniffing
// ---------------------------------------------------------------------------------------

/// Recognise a genomic format from the first bytes (up to 64 KiB) of a file's decompressed
/// content; for BAM/CRAM/BCF the raw file head (see [`sniff_raw`]) is accepted too.
///
/// `>` and `@` open many files that are not sequences (CSV exports, quoted mail, logs), so
/// text formats are only claimed when their structure shows: a FASTA header must be
/// followed by residue lines, a FASTQ record needs its `+` line and a quality string as
/// long as the sequence, tables need consistent columns of the right kinds.
pub fn sniff(head: &[u8]) -> Option<GenomicFormat> {
    if let Some(format) = sniff_raw(head) {
        return Some(format);
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if head.starts_with(b"##fileformat=VCF") || head.starts_with(b"#CHROM\tPOS\tID\tREF\tALT") {
        return Some(GenomicFormat::Vcf);
    }
    let (lines, tail) = head_lines(head);
    let first = lines
        .iter()
        .copied()
        .chain(tail)
        .find(|line| !line.is_empty())?;
    if is_sam_header_line(first) {
        return Some(GenomicFormat::Sam);
    }
    if first.starts_with(b"@") && looks_like_fastq(&lines, tail) {
        return Some(GenomicFormat::Fastq);
    }
    if first.starts_with(b">") && looks_like_fasta(&lines, tail) {
        return Some(GenomicFormat::Fasta);
    }
    if looks_like_raw_genotype(&lines) {
        return Some(GenomicFormat::RawGenotype);
    }
    if let Some(format) = plink_format(&lines, tail) {
        return Some(format);
    }
    if looks_like_sam_alignments(&lines, tail) {
        return Some(GenomicFormat::Sam);
    }
    None
}

/// Recognise the binary formats from a raw, possibly compressed, file head: CRAM by its
/// `CRAM` magic, BAM and BCF by `BAM\1` / `BCF\2` at the start of the inflated BGZF (or
/// uncompressed) stream. Returns `None` for everything else, including gzip-compressed text,
/// which the caller inflates and passes to [`sniff`].
pub fn sniff_raw(raw_head: &[u8]) -> Option<GenomicFormat> {
    if raw_head.starts_with(b"CRAM") {
        return Some(GenomicFormat::Cram);
    }
    let binary_magic = |start: &[u8]| {
        if start.starts_with(b"BAM\x01") {
            Some(GenomicFormat::Bam)
        } else if start.starts_with(b"BCF\x02") {
            Some(GenomicFormat::Bcf)
        } else {
            None
        }
    };
    if let Some(format) = binary_magic(raw_head) {
        return Some(format);
    }
    if raw_head.starts_with(&[0x1f, 0x8b]) {
        // Only the first few inflated bytes matter; the head may be cut mid-block, so a read
        // error after some output is expected and not a reason to give up.
        let mut start = [0u8; 4];
        let mut filled = 0;
        let mut decoder = MultiGzDecoder::new(raw_head);
        while filled < start.len() {
            match decoder.read(&mut start[filled..]) {
                Ok(0) | Err(_) => break,
                Ok(n) => filled += n,
            }
        }
        return binary_magic(&start[..filled]);
    }
    None
}

/// Complete lines of a head (CR stripped), plus the last line, which may have been cut off
/// by the head limit and so is only trusted where a prefix is enough.
fn head_lines(head: &[u8]) -> (Vec<&[u8]>, Option<&[u8]>) {
    let mut lines = Vec::new();
    let mut rest = head;
    while let Some(i) = memchr(b'\n', rest) {
        lines.push(strip_cr(&rest[..i]));
        rest = &rest[i + 1..];
    }
    let tail = (!rest.is_empty()).then(|| strip_cr(rest));
    (lines, tail)
}

fn strip_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_sam_header_line(line: &[u8]) -> bool {
    if line.len() < 4 || line[0] != b'@' || line[3] != b'\t' {
        return false;
    }
    match &line[1..3] {
        b"CO" => true,
        b"HD" | b"SQ" | b"RG" | b"PG" => line[4..].split(|&c| c == b'\t').all(|tag| {
            tag.len() >= 3
                && tag[0].is_ascii_alphabetic()
                && tag[1].is_ascii_alphanumeric()
                && tag[2] == b':'
        }),
        _ => false,
    }
}

fn is_nucleotide(c: u8) -> bool {
    b"ACGTUNRYKMSWBDHVacgtunrykmswbdhv".contains(&c)
}

fn is_acgtun(c: u8) -> bool {
    b"ACGTUNacgtun".contains(&c)
}

/// FASTQ structure: `@name`, sequence line(s), `+`, quality line(s) of exactly the sequence
/// length (which is how multi-line FASTQ is delimited: quality lines may start with `@`).
fn looks_like_fastq(lines: &[&[u8]], tail: Option<&[u8]>) -> bool {
    let all: Vec<&[u8]> = lines.iter().copied().chain(tail).collect();
    let is_quality = |line: &[u8]| line.iter().all(|c| (b'!'..=b'~').contains(c));
    let mut i = 0;
    let mut complete = 0;
    let mut total_seq = 0;
    loop {
        while i < all.len() && all[i].is_empty() {
            i += 1;
        }
        if i >= all.len() || complete >= 50 {
            return complete > 0 && total_seq > 0;
        }
        let header = all[i];
        if header.len() < 2 || header[0] != b'@' {
            return false;
        }
        i += 1;
        let mut seq = 0;
        while i < all.len() && !all[i].starts_with(b"+") {
            if !all[i].iter().all(|&c| is_nucleotide(c) || c == b'.') {
                return false;
            }
            seq += all[i].len();
            i += 1;
        }
        total_seq += seq;
        if i >= all.len() {
            // The head ended inside the sequence: earlier records (or one very long read)
            // have to vouch for the structure.
            return (complete > 0 && total_seq > 0) || seq >= MIN_LONE_READ;
        }
        i += 1; // the '+' line
        let mut quality = 0;
        if seq == 0 {
            if i < all.len() && all[i].is_empty() {
                i += 1;
            }
        } else {
            while quality < seq {
                if i >= all.len() {
                    return (complete > 0 && total_seq > 0) || seq >= MIN_LONE_READ;
                }
                if !is_quality(all[i]) {
                    return false;
                }
                quality += all[i].len();
                i += 1;
            }
        }
        if quality != seq {
            return false;
        }
        complete += 1;
    }
}

/// FASTA structure: a `>` header first, then lines of residue letters only. Nucleotide
/// text is accepted from 4 letters; protein (any letters) only from 20 upper-case letters,
/// because short all-letter lines after a `>` are too often quoted prose.
fn looks_like_fasta(lines: &[&[u8]], tail: Option<&[u8]>) -> bool {
    let mut saw_header = false;
    let (mut residues, mut nucleotides, mut lower) = (0usize, 0usize, false);
    for line in lines.iter().copied().chain(tail).take(SNIFF_ROWS * 10) {
        match line.first() {
            None => continue,
            Some(b'>') => {
                saw_header = true;
                continue;
            }
            Some(b';') => continue,
            Some(_) if !saw_header => return false,
            Some(_) => {}
        }
        for &c in line {
            if c.is_ascii_lowercase() {
                lower = true;
            } else if !(c.is_ascii_uppercase() || c == b'*' || c == b'-' || c == b'.') {
                return false;
            }
            if is_acgtun(c) {
                nucleotides += 1;
            }
        }
        residues += line.len();
    }
    if residues == 0 {
        return false;
    }
    if nucleotides * 10 >= residues * 9 {
        residues >= 4
    } else {
        !lower && residues >= 20
    }
}

/// Consumer genotype exports: `#` comments, an optional `rsid ...` header, then rows of
/// `rsid chromosome position genotype` (or two allele columns), tab, comma or space
/// separated, values possibly quoted.
fn looks_like_raw_genotype(lines: &[&[u8]]) -> bool {
    let (mut comments, mut header, mut rows, mut rs_ids) = (0, false, 0, 0);
    for line in lines.iter().take(SNIFF_ROWS) {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        if line[0] == b'#' {
            comments += 1;
            continue;
        }
        let fields = genotype_fields(line);
        if rows == 0
            && !header
            && fields
                .first()
                .is_some_and(|f| f.eq_ignore_ascii_case(b"rsid"))
        {
            header = true;
            continue;
        }
        if !genotype_row(&fields) {
            return false;
        }
        rows += 1;
        if is_rs_like(fields[0]) {
            rs_ids += 1;
        }
    }
    rows > 0 && rs_ids * 2 >= rows && (rows >= 3 || comments > 0 || header)
}

fn genotype_fields(line: &[u8]) -> Vec<&[u8]> {
    let sep = if memchr(b'\t', line).is_some() {
        b'\t'
    } else if memchr(b',', line).is_some() {
        b','
    } else {
        b' '
    };
    line.split(|&c| c == sep)
        .map(|f| trim_quotes(f.trim_ascii()))
        .filter(|f| sep != b' ' || !f.is_empty())
        .collect()
}

fn genotype_row(fields: &[&[u8]]) -> bool {
    let allele = |c: &u8| b"ACGTDIN-0".contains(c);
    let alleles_ok = match fields.len() {
        4 => (1..=2).contains(&fields[3].len()) && fields[3].iter().all(allele),
        5 => fields[3..].iter().all(|a| a.len() == 1 && allele(&a[0])),
        _ => return false,
    };
    alleles_ok && is_id(fields[0]) && is_chrom_code(fields[1]) && is_digits(fields[2])
}

fn is_rs_like(id: &[u8]) -> bool {
    let digits = id
        .strip_prefix(b"rs")
        .or_else(|| id.strip_prefix(b"i"))
        .unwrap_or(b"");
    is_digits(digits)
}

fn trim_quotes(field: &[u8]) -> &[u8] {
    field
        .strip_prefix(b"\"")
        .and_then(|f| f.strip_suffix(b"\""))
        .unwrap_or(field)
}

fn is_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

fn is_id(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&c| c.is_ascii_alphanumeric() || b"_-.:".contains(&c))
}

fn is_int(s: &[u8]) -> bool {
    is_digits(s.strip_prefix(b"-").unwrap_or(s))
}

fn is_float(s: &[u8]) -> bool {
    std::str::from_utf8(s).is_ok_and(|s| s.parse::<f64>().is_ok())
}

/// Chromosome codes as genotype exports and PLINK write them: numbers (PLINK uses 23-26 for
/// X, Y, XY, MT and larger numbers for other species), X, Y, XY, MT, optionally `chr`-prefixed.
fn is_chrom_code(s: &[u8]) -> bool {
    let s = if s.len() > 3 && s[..3].eq_ignore_ascii_case(b"chr") {
        &s[3..]
    } else {
        s
    };
    (is_digits(s) && s.len() <= 2)
        || [&b"X"[..], b"Y", b"XY", b"MT", b"M"]
            .iter()
            .any(|code| s.eq_ignore_ascii_case(code))
}

fn split_whitespace(line: &[u8]) -> Vec<&[u8]> {
    line.split(|c| c.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
        .collect()
}

/// PLINK text files by column shape: `.map` (3-4 columns: chr, snp, [cM], bp), `.bim`
/// (6 columns with allele letters, reported as a map), `.fam` (6 columns, sex 0/1/2,
/// numeric phenotype) and `.ped` (`.fam` columns followed by allele columns).
fn plink_format(lines: &[&[u8]], tail: Option<&[u8]>) -> Option<GenomicFormat> {
    // Rows split one at a time, stopping at the first whose column count
    // no PLINK file has or differs from the first row's: most files sniffed
    // here are CSV, which the first row or two rule out (every file of a
    // directory of small CSVs paid a split of 200 rows).
    let mut rows: Vec<Vec<&[u8]>> = Vec::new();
    let data = lines
        .iter()
        .map(|line| line.trim_ascii())
        .filter(|line| !line.is_empty() && line[0] != b'#')
        .take(SNIFF_ROWS);
    for line in data {
        let row = split_whitespace(line);
        match rows.first() {
            None if !matches!(row.len(), 3 | 4 | 6 | 7..) => return None,
            Some(first) if row.len() != first.len() => return None,
            _ => rows.push(row),
        }
    }
    plink_rows(&rows, tail)
}

/// `plink_format`'s answer from its rows, all of one column count, or
/// from the head's cut last line when no row ended in it.
fn plink_rows(rows: &[Vec<&[u8]>], tail: Option<&[u8]>) -> Option<GenomicFormat> {
    let Some(first) = rows.first() else {
        // A .ped row (persons x markers) can be longer than the whole head.
        let mut fields = split_whitespace(tail?);
        fields.pop(); // the last token may have been cut
        return (fields.len() >= 26 && ped_row(&fields, true)).then_some(GenomicFormat::PlinkPed);
    };
    let columns = first.len();
    let all = |check: fn(&[&[u8]]) -> bool| rows.iter().all(|row| check(row));
    match columns {
        3 | 4 if all(map_row) => Some(GenomicFormat::PlinkMap),
        6 if all(bim_row)
            && rows.iter().any(|row| {
                row[4..]
                    .iter()
                    .any(|a| a.iter().any(u8::is_ascii_alphabetic))
            }) =>
        {
            Some(GenomicFormat::PlinkMap)
        }
        6 if all(fam_row) => Some(GenomicFormat::PlinkFam),
        7.. if rows.iter().all(|row| ped_row(row, false)) => Some(GenomicFormat::PlinkPed),
        _ => None,
    }
}

fn fam_row(fields: &[&[u8]]) -> bool {
    fields.len() >= 6
        && is_id(fields[0])
        && is_id(fields[1])
        && is_id(fields[2])
        && is_id(fields[3])
        && matches!(fields[4], b"0" | b"1" | b"2")
        && (fields[5].eq_ignore_ascii_case(b"NA") || is_float(fields[5]))
}

fn ped_row(fields: &[&[u8]], cut: bool) -> bool {
    if fields.len() < 7 || !fam_row(&fields[..6]) {
        return false;
    }
    let genotypes = &fields[6..];
    let allele = |c: &u8| b"ACGTNDI01234-".contains(&c.to_ascii_uppercase());
    let tokens_ok = genotypes
        .iter()
        .all(|g| (1..=2).contains(&g.len()) && g.iter().all(allele));
    let single = genotypes.iter().any(|g| g.len() == 1);
    tokens_ok && (cut || !single || genotypes.len().is_multiple_of(2))
}

fn map_row(fields: &[&[u8]]) -> bool {
    is_chrom_code(fields[0])
        && !is_digits(fields[1])
        && match fields.len() {
            4 => is_float(fields[2]) && is_int(fields[3]),
            3 => is_int(fields[2]),
            _ => false,
        }
}

fn bim_row(fields: &[&[u8]]) -> bool {
    let allele = |a: &[u8]| {
        !a.is_empty()
            && a.iter()
                .all(|c| b"ACGTNDI0-.*".contains(&c.to_ascii_uppercase()))
    };
    is_chrom_code(fields[0])
        && !is_digits(fields[1])
        && is_float(fields[2])
        && is_int(fields[3])
        && allele(fields[4])
        && allele(fields[5])
}

/// SAM without a header: every line has at least 11 tab-separated fields of the right kinds.
fn looks_like_sam_alignments(lines: &[&[u8]], tail: Option<&[u8]>) -> bool {
    let complete: Vec<&[u8]> = lines
        .iter()
        .copied()
        .filter(|line| !line.is_empty())
        .take(20)
        .collect();
    if complete.is_empty() {
        return tail.is_some_and(|line| sam_alignment(line, true));
    }
    complete.iter().all(|line| sam_alignment(line, false))
}

fn sam_alignment(line: &[u8], cut: bool) -> bool {
    let f: Vec<&[u8]> = line.splitn(12, |&c| c == b'\t').collect();
    if f.len() < if cut { 10 } else { 11 } {
        return false;
    }
    let parse = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| s.parse::<i64>().ok())
    };
    let in_range = |s: &[u8], lo: i64, hi: i64| parse(s).is_some_and(|v| (lo..=hi).contains(&v));
    let cigar = f[5] == b"*"
        || (f[5]
            .iter()
            .all(|c| c.is_ascii_digit() || b"MIDNSHP=X".contains(c))
            && f[5].last().is_some_and(|c| !c.is_ascii_digit()));
    let seq = f[9] == b"*"
        || f[9]
            .iter()
            .all(|c| c.is_ascii_alphabetic() || b"=.".contains(c));
    !f[0].is_empty()
        && in_range(f[1], 0, 0xffff)
        && !f[2].is_empty()
        && in_range(f[3], 0, i64::from(i32::MAX))
        && in_range(f[4], 0, 255)
        && cigar
        && !f[6].is_empty()
        && in_range(f[7], 0, i64::from(i32::MAX))
        && in_range(f[8], i64::from(i32::MIN), i64::from(i32::MAX))
        && seq
}

// ---------------------------------------------------------------------------------------
// Species evidence
// ---------------------------------------------------------------------------------------

/// Human GRCh37 and GRCh38 primary chromosome lengths: (name, GRCh37, GRCh38). An exact
/// 8-9 digit length is specific enough to identify the human assembly whatever the contig
/// is called (`1`, `chr1`, `NC_000001.11`, `CM000663.2`).
const HUMAN_CHROMOSOMES: [(&str, u64, u64); 24] = [
    ("1", 249_250_621, 248_956_422),
    ("2", 243_199_373, 242_193_529),
    ("3", 198_022_430, 198_295_559),
    ("4", 191_154_276, 190_214_555),
    ("5", 180_915_260, 181_538_259),
    ("6", 171_115_067, 170_805_979),
    ("7", 159_138_663, 159_345_973),
    ("8", 146_364_022, 145_138_636),
    ("9", 141_213_431, 138_394_717),
    ("10", 135_534_747, 133_797_422),
    ("11", 135_006_516, 135_086_622),
    ("12", 133_851_895, 133_275_309),
    ("13", 115_169_878, 114_364_328),
    ("14", 107_349_540, 107_043_718),
    ("15", 102_531_392, 101_991_189),
    ("16", 90_354_753, 90_338_345),
    ("17", 81_195_210, 83_257_441),
    ("18", 78_077_248, 80_373_285),
    ("19", 59_128_983, 58_617_616),
    ("20", 63_025_520, 64_444_167),
    ("21", 48_129_895, 46_709_983),
    ("22", 51_304_566, 50_818_468),
    ("X", 155_270_560, 156_040_895),
    ("Y", 59_373_566, 57_227_415),
];

/// Human mitochondrial genome lengths. A 5-digit length is not specific on its own, so these
/// only count for a sequence that is named as mitochondrial.
const HUMAN_MITOCHONDRIA: [(u64, &str); 2] = [
    (16_569, "rCRS, NC_012920; GRCh37 MT, GRCh38 chrM"),
    (16_571, "hg19 chrM, NC_001807"),
];

/// If a contig/sequence of this name and length is a human chromosome, say which.
/// `hint` is any extra text about the sequence (a FASTA header) that may name it as
/// mitochondrial.
fn human_contig(name: &str, hint: &str, length: u64) -> Option<String> {
    // Compared as bytes: a name's third byte may be inside a character
    // (a FASTA header's lossily decoded bytes), where a `str` slice panics;
    // three ASCII bytes leave `name[3..]` on a boundary.
    let bare = if name.len() > 3 && name.as_bytes()[..3].eq_ignore_ascii_case(b"chr") {
        &name[3..]
    } else {
        name
    };
    let hint_lower = hint.to_ascii_lowercase();
    let mitochondrial = bare.eq_ignore_ascii_case("M")
        || bare.eq_ignore_ascii_case("MT")
        || hint_lower.contains("nc_012920")
        || hint_lower.contains("nc_001807")
        || hint_lower.contains("mitochondri");
    if mitochondrial {
        return HUMAN_MITOCHONDRIA
            .iter()
            .find(|(len, _)| *len == length)
            .map(|(_, what)| format!("{name} length {length} = human mitochondrion ({what})"));
    }
    HUMAN_CHROMOSOMES.iter().find_map(|&(chr, grch37, grch38)| {
        if length == grch37 {
            Some(format!("{name} length {length} = GRCh37 chr{chr}"))
        } else if length == grch38 {
            Some(format!("{name} length {length} = GRCh38 chr{chr}"))
        } else {
            None
        }
    })
}

/// C. elegans reference sequences are named `CHROMOSOME_I` .. `CHROMOSOME_V`,
/// `CHROMOSOME_X`, `CHROMOSOME_MtDNA` (WormBase naming, used by htslib's test data).
fn is_celegans_name(name: &str) -> bool {
    matches!(
        name,
        "CHROMOSOME_I"
            | "CHROMOSOME_II"
            | "CHROMOSOME_III"
            | "CHROMOSOME_IV"
            | "CHROMOSOME_V"
            | "CHROMOSOME_X"
            | "CHROMOSOME_MtDNA"
    )
}

/// What a piece of free text (a reference path, an assembly name, a FASTA header) says
/// about the organism.
enum Verdict {
    Human,
    Other(&'static str),
}

/// Organism names and phrases: (token, following token or "", organism).
const OTHER_ORGANISMS: &[(&str, &str, &str)] = &[
    ("mus", "musculus", "mouse (Mus musculus)"),
    ("mouse", "", "mouse"),
    ("rattus", "", "rat (Rattus)"),
    ("rat", "", "rat"),
    ("danio", "rerio", "zebrafish (Danio rerio)"),
    ("zebrafish", "", "zebrafish"),
    ("drosophila", "", "Drosophila"),
    ("caenorhabditis", "", "C. elegans"),
    ("elegans", "", "C. elegans"),
    ("saccharomyces", "", "yeast (Saccharomyces)"),
    ("yeast", "", "yeast"),
    ("escherichia", "", "E. coli"),
    ("e", "coli", "E. coli"),
    ("ecoli", "", "E. coli"),
    ("arabidopsis", "", "Arabidopsis"),
    ("canis", "", "dog (Canis)"),
    ("dog", "", "dog"),
    ("sus", "scrofa", "pig (Sus scrofa)"),
    ("bos", "taurus", "cattle (Bos taurus)"),
    ("gallus", "gallus", "chicken (Gallus gallus)"),
    ("macaca", "", "macaque (Macaca)"),
    ("pan", "troglodytes", "chimpanzee (Pan troglodytes)"),
    ("plasmodium", "", "Plasmodium"),
    ("oryza", "", "rice (Oryza)"),
    ("zea", "mays", "maize (Zea mays)"),
    ("mycobacterium", "", "Mycobacterium"),
    ("staphylococcus", "", "Staphylococcus"),
    ("streptococcus", "", "Streptococcus"),
    ("salmonella", "", "Salmonella"),
    ("klebsiella", "", "Klebsiella"),
    ("pseudomonas", "", "Pseudomonas"),
    ("bacillus", "", "Bacillus"),
    ("sars", "cov", "SARS-CoV"),
    ("nc", "045512", "SARS-CoV-2 (NC_045512)"),
];

/// Non-human assembly names: a prefix followed by digits only (`mm10`, `GRCm39`, `ce11`).
const OTHER_ASSEMBLIES: &[(&str, &str)] = &[
    ("grcm", "mouse"),
    ("mm", "mouse"),
    ("rn", "rat"),
    ("mratbn", "rat"),
    ("grcz", "zebrafish"),
    ("danrer", "zebrafish"),
    ("dm", "Drosophila"),
    ("bdgp", "Drosophila"),
    ("ce", "C. elegans"),
    ("wbcel", "C. elegans"),
    ("saccer", "yeast"),
    ("tair", "Arabidopsis"),
    ("canfam", "dog"),
    ("susscr", "pig"),
    ("bostau", "cattle"),
    ("galgal", "chicken"),
    ("rhemac", "macaque"),
    ("pantro", "chimpanzee"),
];

fn is_human_assembly(token: &str) -> bool {
    matches!(
        token,
        "b36"
            | "b37"
            | "hs37d5"
            | "hs38dh"
            | "hs38d1"
            | "ncbi36"
            | "ncbi37"
            | "ncbi38"
            | "hg18"
            | "hg19"
            | "hg38"
    ) || ["grch3", "hg19", "hg38", "hs37", "hs38", "chm13"]
        .iter()
        .any(|prefix| token.starts_with(prefix))
}

/// Lowercase ASCII alphanumeric runs: reference paths and headers join words with `_`, `.`,
/// `/`, `-`, so `Homo_sapiens_assembly38.fasta` must read as "homo sapiens assembly38 fasta".
fn tokens(text: &[u8]) -> Vec<String> {
    text.split(|c| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.iter()
                .map(|c| char::from(c.to_ascii_lowercase()))
                .collect()
        })
        .collect()
}

/// Classify free text. `assemblies` also accepts assembly names (`hg19`, `mm10`), which is
/// right for reference paths and FASTA/contig names but too loose for read names.
fn classify_text(text: &[u8], assemblies: bool) -> Option<Verdict> {
    let toks = tokens(text);
    let at = |i: usize| toks.get(i).map_or("", String::as_str);
    // Viruses first: "Human immunodeficiency virus" names a pathogen, not human DNA.
    if toks.iter().any(|t| {
        t.ends_with("virus")
            || t.ends_with("viruses")
            || t.ends_with("viridae")
            || t.ends_with("phage")
            || t.starts_with("phix")
    }) {
        return Some(Verdict::Other("a virus or phage"));
    }
    for i in 0..toks.len() {
        let t = at(i);
        let human = (t == "homo" && at(i + 1) == "sapiens")
            || (t == "human" && (i == 0 || at(i - 1) != "non"))
            || t == "hsapiens"
            || t == "taxid9606"
            || (t == "9606"
                && i > 0
                && matches!(
                    at(i - 1),
                    "ox" | "taxid" | "taxon" | "txid" | "id" | "taxonomy"
                ))
            || (assemblies && is_human_assembly(t));
        if human {
            return Some(Verdict::Human);
        }
    }
    for i in 0..toks.len() {
        let t = at(i);
        if let Some(&(_, _, organism)) = OTHER_ORGANISMS
            .iter()
            .find(|(word, next, _)| t == *word && (next.is_empty() || at(i + 1) == *next))
        {
            return Some(Verdict::Other(organism));
        }
        if assemblies
            && let Some(&(_, organism)) = OTHER_ASSEMBLIES.iter().find(|(prefix, _)| {
                t.strip_prefix(prefix)
                    .is_some_and(|rest| is_digits(rest.as_bytes()))
            })
        {
            return Some(Verdict::Other(organism));
        }
    }
    None
}

/// Collects species evidence while a file streams past. Human evidence wins over non-human:
/// human references carry virus and decoy contigs (EBV, phiX), and missing human data is the
/// costly mistake under the bulk-data rule.
#[derive(Default)]
struct SpeciesVote {
    human: Option<String>,
    other: Option<(String, String)>,
}

impl SpeciesVote {
    fn human(&mut self, evidence: impl FnOnce() -> String) {
        if self.human.is_none() {
            self.human = Some(clip(&evidence()));
        }
    }

    fn other(&mut self, why: impl FnOnce() -> String, evidence: impl FnOnce() -> String) {
        if self.other.is_none() {
            self.other = Some((why(), clip(&evidence())));
        }
    }

    /// Both kinds of evidence found: nothing later can change the outcome.
    fn settled(&self) -> bool {
        self.human.is_some() && self.other.is_some()
    }

    fn text(&mut self, label: &str, text: &[u8], assemblies: bool, shown: impl Fn() -> String) {
        if self.settled() {
            return;
        }
        match classify_text(text, assemblies) {
            Some(Verdict::Human) => self.human(shown),
            Some(Verdict::Other(organism)) => {
                self.other(|| format!("{label} names {organism}"), shown)
            }
            None => {}
        }
    }

    fn finish(self, no_evidence: &str) -> (Species, String) {
        match (self.human, self.other) {
            (Some(human), Some((why, _))) => {
                (Species::Human, clip(&format!("{human} (also: {why})")))
            }
            (Some(human), None) => (Species::Human, human),
            (None, Some((why, evidence))) => (Species::NonHuman(why), evidence),
            (None, None) => (Species::Unknown, no_evidence.to_owned()),
        }
    }
}

fn clip(text: &str) -> String {
    if text.chars().count() <= EVIDENCE_CAP {
        return text.to_owned();
    }
    let mut clipped: String = text.chars().take(EVIDENCE_CAP - 3).collect();
    clipped.push_str("...");
    clipped
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&c| c != 0 && !c.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    let start = bytes[..end]
        .iter()
        .position(|&c| c != 0 && !c.is_ascii_whitespace())
        .unwrap_or(end);
    &bytes[start..end]
}

// ---------------------------------------------------------------------------------------
// Streaming machinery
// ---------------------------------------------------------------------------------------

/// Distinct sample ids in first-seen order: the order is what a reviewer sees in the file.
#[derive(Default)]
struct Samples {
    ids: Vec<String>,
    seen: HashSet<String>,
}

impl Samples {
    fn add(&mut self, raw: &[u8]) {
        let id = String::from_utf8_lossy(trim_nul(raw));
        if !id.is_empty() && !self.seen.contains(id.as_ref()) {
            self.seen.insert(id.clone().into_owned());
            self.ids.push(id.into_owned());
        }
    }
}

fn push_capped(buf: &mut Vec<u8>, bytes: &[u8], cap: usize) {
    let room = cap.saturating_sub(buf.len());
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

/// A per-format line parser. Lines arrive in pieces (a line may be far longer than the
/// buffer), so a parser first sees the opening bytes to decide what kind of line it is, then
/// the bytes, then the end.
trait LineHandler {
    type Kind: Copy;
    /// Opening bytes needed to classify a line (at most [`MAX_PREFIX`]); shorter lines are
    /// classified from what they have.
    const PREFIX: usize;
    fn classify(&mut self, start: &[u8]) -> Self::Kind;
    fn bytes(&mut self, kind: Self::Kind, bytes: &[u8]);
    fn end(&mut self, kind: Self::Kind);
}

const MAX_PREFIX: usize = 4;

/// Holds back a line's opening bytes until the handler can classify it, so a chunk boundary
/// right after `#` or `@` cannot misclassify a line.
struct LineCursor<K> {
    start: [u8; MAX_PREFIX],
    len: usize,
    kind: Option<K>,
}

impl<K: Copy> LineCursor<K> {
    fn new() -> Self {
        LineCursor {
            start: [0; MAX_PREFIX],
            len: 0,
            kind: None,
        }
    }

    fn feed<H: LineHandler<Kind = K>>(&mut self, handler: &mut H, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if let Some(kind) = self.kind {
            handler.bytes(kind, bytes);
            return;
        }
        let take = (H::PREFIX - self.len).min(bytes.len());
        self.start[self.len..self.len + take].copy_from_slice(&bytes[..take]);
        self.len += take;
        if self.len == H::PREFIX {
            let start = self.start;
            let kind = handler.classify(&start[..self.len]);
            self.kind = Some(kind);
            handler.bytes(kind, &start[..self.len]);
            if take < bytes.len() {
                handler.bytes(kind, &bytes[take..]);
            }
        }
    }

    fn end<H: LineHandler<Kind = K>>(&mut self, handler: &mut H) {
        let kind = match self.kind {
            Some(kind) => kind,
            None => {
                let start = self.start;
                let kind = handler.classify(&start[..self.len]);
                if self.len > 0 {
                    handler.bytes(kind, &start[..self.len]);
                }
                kind
            }
        };
        handler.end(kind);
        self.len = 0;
        self.kind = None;
    }
}

/// Streams `reader` through `handler` line by line with one fixed buffer. Line ends may be
/// LF or CRLF; the CR is never shown to handlers, even when it lands at a buffer boundary.
fn stream_lines<R: Read, H: LineHandler>(mut reader: R, handler: &mut H) -> io::Result<()> {
    debug_assert!((1..=MAX_PREFIX).contains(&H::PREFIX));
    let mut buf = vec![0u8; CHUNK];
    let mut line = LineCursor::new();
    let mut open = false;
    let mut pending_cr = false;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            let newline = memchr(b'\n', rest);
            let piece = newline.map_or(rest, |i| &rest[..i]);
            if pending_cr && !piece.is_empty() {
                line.feed(handler, b"\r");
            }
            pending_cr = false;
            let piece = match piece.split_last() {
                Some((b'\r', body)) => {
                    pending_cr = newline.is_none();
                    body
                }
                _ => piece,
            };
            line.feed(handler, piece);
            match newline {
                Some(i) => {
                    line.end(handler);
                    open = false;
                    rest = &rest[i + 1..];
                }
                None => {
                    open = true;
                    rest = &[];
                }
            }
        }
    }
    if open {
        line.end(handler);
    }
    Ok(())
}

/// Splits a line into fields as it streams past, keeping at most [`FIELD_CAP`] bytes of a
/// field but always its full length (SAM needs SEQ lengths of reads megabytes long).
struct Fields {
    /// Split on runs of spaces/tabs (PLINK) rather than on every tab (VCF, SAM).
    whitespace: bool,
    index: usize,
    current: Vec<u8>,
    length: u64,
}

impl Fields {
    fn new(whitespace: bool) -> Self {
        Fields {
            whitespace,
            index: 0,
            current: Vec::new(),
            length: 0,
        }
    }

    fn feed(&mut self, mut bytes: &[u8], on_field: &mut impl FnMut(usize, &[u8], u64)) {
        loop {
            let separator = if self.whitespace {
                memchr2(b' ', b'\t', bytes)
            } else {
                memchr(b'\t', bytes)
            };
            match separator {
                Some(i) => {
                    self.push(&bytes[..i]);
                    self.emit(on_field);
                    bytes = &bytes[i + 1..];
                }
                None => {
                    self.push(bytes);
                    return;
                }
            }
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        push_capped(&mut self.current, bytes, FIELD_CAP);
        self.length += bytes.len() as u64;
    }

    fn emit(&mut self, on_field: &mut impl FnMut(usize, &[u8], u64)) {
        if !(self.whitespace && self.length == 0) {
            on_field(self.index, &self.current, self.length);
            self.index += 1;
        }
        self.current.clear();
        self.length = 0;
    }

    fn finish(&mut self, on_field: &mut impl FnMut(usize, &[u8], u64)) {
        self.emit(on_field);
        self.index = 0;
    }
}

// ---------------------------------------------------------------------------------------
// Summaries of text formats
// ---------------------------------------------------------------------------------------

/// Summarise a whole (decompressed, text) genomic file in one streaming pass with bounded
/// memory. `file_name` supplies the sample id for formats that hold one unnamed person per
/// file. BAM/CRAM/BCF are passed on to [`summarize_binary`].
pub fn summarize<R: Read>(
    format: GenomicFormat,
    reader: R,
    file_name: &str,
) -> io::Result<GenomicSummary> {
    match format {
        GenomicFormat::Bam | GenomicFormat::Cram | GenomicFormat::Bcf => {
            summarize_binary(format, reader, file_name)
        }
        _ => summarize_text(format, reader, file_name),
    }
}

/// Text formats only; kept apart from [`summarize`] so that `summarize` and
/// [`summarize_binary`] do not instantiate each other recursively.
fn summarize_text<R: Read>(
    format: GenomicFormat,
    reader: R,
    file_name: &str,
) -> io::Result<GenomicSummary> {
    match format {
        GenomicFormat::Vcf => {
            let mut vcf = VcfHandler::new();
            stream_lines(reader, &mut vcf)?;
            Ok(vcf.finish(format))
        }
        GenomicFormat::Fasta => {
            let mut fasta = FastaHandler::default();
            stream_lines(reader, &mut fasta)?;
            Ok(fasta.finish(file_name))
        }
        GenomicFormat::Fastq => {
            let mut fastq = FastqHandler::default();
            stream_lines(reader, &mut fastq)?;
            Ok(fastq.finish(file_name))
        }
        GenomicFormat::Sam => {
            let mut sam = SamHandler::new();
            stream_lines(reader, &mut sam)?;
            let reads_seen = sam.records > 0;
            Ok(sam.finish(format, file_name, reads_seen))
        }
        GenomicFormat::RawGenotype => {
            let mut raw = RawGenotypeHandler::default();
            stream_lines(reader, &mut raw)?;
            Ok(raw.finish(file_name))
        }
        GenomicFormat::PlinkPed | GenomicFormat::PlinkMap | GenomicFormat::PlinkFam => {
            let mut plink = PlinkHandler::new(format);
            stream_lines(reader, &mut plink)?;
            Ok(plink.finish())
        }
        GenomicFormat::Bam | GenomicFormat::Cram | GenomicFormat::Bcf => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is a binary format", format.name()),
        )),
    }
}

/// One sample per file, unless the file is empty: a file with no reads or sequences holds
/// nobody's genomic data.
fn one_per_file(records: u64, file_name: &str) -> Vec<String> {
    if records == 0 {
        Vec::new()
    } else {
        vec![sample_from_file_name(file_name)]
    }
}

#[derive(Clone, Copy)]
enum VcfLine {
    Blank,
    Meta,
    Columns,
    Data,
}

/// VCF (4.0-4.4, gVCF) and the header text of BCF. Persons are the columns after FORMAT on
/// the `#CHROM` line; that line is split as it streams, so cohorts of any size fit.
struct VcfHandler {
    meta: Vec<u8>,
    columns: Fields,
    samples: Samples,
    species: SpeciesVote,
    records: u64,
}

impl VcfHandler {
    fn new() -> Self {
        VcfHandler {
            meta: Vec::new(),
            columns: Fields::new(false),
            samples: Samples::default(),
            species: SpeciesVote::default(),
            records: 0,
        }
    }

    fn finish(self, format: GenomicFormat) -> GenomicSummary {
        let (species, evidence) = self
            .species
            .finish("no ##reference naming an organism and no human contig lengths");
        GenomicSummary {
            format,
            samples: self.samples.ids,
            species,
            evidence,
            records: self.records,
            bases: 0,
        }
    }
}

/// Columns 0-8 are CHROM..FORMAT; every later column is one sample.
fn vcf_sample_column(samples: &mut Samples) -> impl FnMut(usize, &[u8], u64) + '_ {
    |index, field, _| {
        if index >= 9 {
            samples.add(field);
        }
    }
}

impl LineHandler for VcfHandler {
    type Kind = VcfLine;
    const PREFIX: usize = 2;

    fn classify(&mut self, start: &[u8]) -> VcfLine {
        match start {
            [] | [0, ..] => VcfLine::Blank,
            [b'#', b'#', ..] => VcfLine::Meta,
            [b'#', ..] => VcfLine::Columns,
            _ => VcfLine::Data,
        }
    }

    fn bytes(&mut self, kind: VcfLine, bytes: &[u8]) {
        match kind {
            VcfLine::Meta => push_capped(&mut self.meta, bytes, LINE_CAP),
            VcfLine::Columns => self
                .columns
                .feed(bytes, &mut vcf_sample_column(&mut self.samples)),
            VcfLine::Blank | VcfLine::Data => {}
        }
    }

    fn end(&mut self, kind: VcfLine) {
        match kind {
            VcfLine::Meta => {
                vcf_meta_line(&self.meta, &mut self.species);
                self.meta.clear();
            }
            VcfLine::Columns => self
                .columns
                .finish(&mut vcf_sample_column(&mut self.samples)),
            VcfLine::Data => self.records += 1,
            VcfLine::Blank => {}
        }
    }
}

fn vcf_meta_line(line: &[u8], species: &mut SpeciesVote) {
    let body = line.strip_prefix(b"##").unwrap_or(line);
    let Some(eq) = memchr(b'=', body) else {
        return;
    };
    let (key, value) = (&body[..eq], trim_nul(&body[eq + 1..]));
    if key.eq_ignore_ascii_case(b"contig") {
        vcf_contig(value, species);
    } else if [&b"reference"[..], b"assembly", b"species", b"organism"]
        .iter()
        .any(|k| key.eq_ignore_ascii_case(k))
    {
        let label = format!("##{}", lossy(key));
        species.text(&label, value, true, || {
            format!("##{}={}", lossy(key), lossy(value))
        });
    }
}

/// `##contig=<ID=..,length=..,assembly=..,species="..",taxonomy=..>`
fn vcf_contig(value: &[u8], species: &mut SpeciesVote) {
    let inner = value.strip_prefix(b"<").unwrap_or(value);
    let inner = inner.strip_suffix(b">").unwrap_or(inner);
    let attrs = structured_attrs(inner);
    let get = |name: &str| {
        attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
            .map(|(_, v)| *v)
    };
    let id = get("ID").map(lossy).unwrap_or_default();
    let length = get("length").and_then(|l| std::str::from_utf8(l).ok()?.parse::<u64>().ok());
    if let Some(length) = length
        && let Some(found) = human_contig(&id, &id, length)
    {
        species.human(|| format!("##contig {found}"));
    }
    if is_celegans_name(&id) {
        species.other(
            || "C. elegans chromosome names".to_owned(),
            || format!("##contig ID={id}"),
        );
    }
    if get("taxonomy").is_some_and(|t| t == b"9606") {
        species.human(|| format!("##contig ID={id} taxonomy=9606"));
    }
    for key in ["assembly", "species", "taxonomy"] {
        if let Some(v) = get(key) {
            species.text(&format!("##contig {key}"), v, true, || {
                format!("##contig ID={id} {key}={}", lossy(v))
            });
        }
    }
}

/// Splits `K=V,K="V, with commas",...` respecting quotes; values are unquoted.
fn structured_attrs(inner: &[u8]) -> Vec<(&[u8], &[u8])> {
    let mut attrs = Vec::new();
    let mut in_quotes = false;
    let mut start = 0;
    for i in 0..=inner.len() {
        let c = inner.get(i).copied();
        if c == Some(b'"') {
            in_quotes = !in_quotes;
        }
        if c.is_none() || (c == Some(b',') && !in_quotes) {
            let part = &inner[start..i];
            if let Some(eq) = memchr(b'=', part) {
                attrs.push((
                    part[..eq].trim_ascii(),
                    trim_quotes(part[eq + 1..].trim_ascii()),
                ));
            }
            start = i + 1;
        }
    }
    attrs
}

#[derive(Clone, Copy)]
enum FastaLine {
    Blank,
    Header,
    Sequence,
}

/// FASTA: one organism's sequences per file, so one sample per file; species from headers
/// and from sequence lengths matching human chromosomes.
#[derive(Default)]
struct FastaHandler {
    header: Vec<u8>,
    species: SpeciesVote,
    records: u64,
    bases: u64,
    /// Name and header of the entry being read, for the length check when it ends.
    entry: Option<(String, String)>,
    entry_length: u64,
}

impl FastaHandler {
    fn close_entry(&mut self) {
        if let Some((name, header)) = self.entry.take()
            && let Some(found) = human_contig(&name, &header, self.entry_length)
        {
            self.species.human(|| format!("sequence {found}"));
        }
        self.entry_length = 0;
    }

    fn finish(mut self, file_name: &str) -> GenomicSummary {
        self.close_entry();
        let (species, evidence) = self
            .species
            .finish("headers name no organism and no sequence has a human chromosome length");
        GenomicSummary {
            format: GenomicFormat::Fasta,
            samples: one_per_file(self.records, file_name),
            species,
            evidence,
            records: self.records,
            bases: self.bases,
        }
    }
}

impl LineHandler for FastaHandler {
    type Kind = FastaLine;
    const PREFIX: usize = 1;

    fn classify(&mut self, start: &[u8]) -> FastaLine {
        match start {
            [] | [b';', ..] => FastaLine::Blank,
            [b'>', ..] => FastaLine::Header,
            _ => FastaLine::Sequence,
        }
    }

    fn bytes(&mut self, kind: FastaLine, bytes: &[u8]) {
        match kind {
            FastaLine::Header => push_capped(&mut self.header, bytes, LINE_CAP),
            FastaLine::Sequence => {
                let residues = bytes.iter().filter(|c| !c.is_ascii_whitespace()).count() as u64;
                self.bases += residues;
                self.entry_length += residues;
            }
            FastaLine::Blank => {}
        }
    }

    fn end(&mut self, kind: FastaLine) {
        if let FastaLine::Header = kind {
            self.close_entry();
            self.records += 1;
            let text = self.header.strip_prefix(b">").unwrap_or(&self.header);
            let name = lossy(
                text.split(|c| c.is_ascii_whitespace())
                    .next()
                    .unwrap_or(b""),
            );
            self.species
                .text("FASTA header", text, true, || format!(">{}", lossy(text)));
            if is_celegans_name(&name) {
                self.species.other(
                    || "C. elegans chromosome names".to_owned(),
                    || format!(">{name}"),
                );
            }
            let hint = lossy(&text[..text.len().min(512)]);
            self.entry = Some((name, hint));
            self.header.clear();
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Default)]
enum FastqState {
    #[default]
    Header,
    Sequence,
    Quality,
}

#[derive(Clone, Copy)]
enum FastqLine {
    Blank,
    Header,
    Sequence,
    Plus,
    Quality,
    Stray,
}

/// FASTQ, 4-line and multi-line. Reads carry no sample name (Casava indexes, UMIs and run
/// accessions are not persons), so one sample per file from the file name.
#[derive(Default)]
struct FastqHandler {
    state: FastqState,
    header: Vec<u8>,
    sequence: u64,
    quality: u64,
    records: u64,
    bases: u64,
    species: SpeciesVote,
}

impl FastqHandler {
    fn finish(self, file_name: &str) -> GenomicSummary {
        let (species, evidence) = self.species.finish("read headers name no organism");
        GenomicSummary {
            format: GenomicFormat::Fastq,
            samples: one_per_file(self.records, file_name),
            species,
            evidence,
            records: self.records,
            bases: self.bases,
        }
    }
}

impl LineHandler for FastqHandler {
    type Kind = FastqLine;
    const PREFIX: usize = 1;

    fn classify(&mut self, start: &[u8]) -> FastqLine {
        match (self.state, start) {
            (FastqState::Header, []) => FastqLine::Blank,
            (FastqState::Header, [b'@', ..]) => FastqLine::Header,
            (FastqState::Header, _) => FastqLine::Stray,
            (FastqState::Sequence, [b'+', ..]) => FastqLine::Plus,
            (FastqState::Sequence, _) => FastqLine::Sequence,
            (FastqState::Quality, _) => FastqLine::Quality,
        }
    }

    fn bytes(&mut self, kind: FastqLine, bytes: &[u8]) {
        match kind {
            FastqLine::Header if self.records < FASTQ_HEADERS_CLASSIFIED => {
                push_capped(&mut self.header, bytes, FIELD_CAP);
            }
            FastqLine::Sequence => self.sequence += bytes.len() as u64,
            FastqLine::Quality => self.quality += bytes.len() as u64,
            _ => {}
        }
    }

    fn end(&mut self, kind: FastqLine) {
        match kind {
            FastqLine::Header => {
                if self.records < FASTQ_HEADERS_CLASSIFIED {
                    let header = &self.header;
                    self.species
                        .text("read header", &header[1..], false, || lossy(header));
                    self.header.clear();
                }
                self.records += 1;
                self.sequence = 0;
                self.state = FastqState::Sequence;
            }
            FastqLine::Plus => {
                self.bases += self.sequence;
                self.quality = 0;
                self.state = FastqState::Quality;
            }
            // Quality lines are consumed by length, not by their first byte: '@' and '+' are
            // valid quality characters.
            FastqLine::Quality if self.quality >= self.sequence => self.state = FastqState::Header,
            _ => {}
        }
    }
}

#[derive(Clone, Copy)]
enum SamLine {
    Blank,
    Header,
    Alignment,
}

/// SAM text, and the header text of BAM and CRAM. Persons are the distinct `@RG SM:` values.
struct SamHandler {
    header: Vec<u8>,
    fields: Fields,
    read_length: u64,
    samples: Samples,
    species: SpeciesVote,
    records: u64,
    bases: u64,
}

impl SamHandler {
    fn new() -> Self {
        SamHandler {
            header: Vec::new(),
            fields: Fields::new(false),
            read_length: 0,
            samples: Samples::default(),
            species: SpeciesVote::default(),
            records: 0,
            bases: 0,
        }
    }

    /// `assume_reads`: fall back to one sample per file when no `@RG SM:` names one. For
    /// BAM/CRAM reads are not counted, so their presence has to be assumed.
    fn finish(self, format: GenomicFormat, file_name: &str, assume_reads: bool) -> GenomicSummary {
        let (species, evidence) = self
            .species
            .finish("no @SQ length of a human chromosome and no AS/SP/UR naming an organism");
        let samples = if !self.samples.ids.is_empty() {
            self.samples.ids
        } else if assume_reads {
            vec![sample_from_file_name(file_name)]
        } else {
            Vec::new()
        };
        GenomicSummary {
            format,
            samples,
            species,
            evidence,
            records: self.records,
            bases: self.bases,
        }
    }
}

/// Field 9 (0-based) is SEQ; `*` means not stored.
fn sam_seq_field(read_length: &mut u64) -> impl FnMut(usize, &[u8], u64) + '_ {
    |index, field, length| {
        if index == 9 {
            *read_length = if field == b"*" { 0 } else { length };
        }
    }
}

impl LineHandler for SamHandler {
    type Kind = SamLine;
    const PREFIX: usize = 1;

    fn classify(&mut self, start: &[u8]) -> SamLine {
        match start {
            [] | [0, ..] => SamLine::Blank,
            [b'@', ..] => SamLine::Header,
            _ => SamLine::Alignment,
        }
    }

    fn bytes(&mut self, kind: SamLine, bytes: &[u8]) {
        match kind {
            SamLine::Header => push_capped(&mut self.header, bytes, LINE_CAP),
            SamLine::Alignment => self
                .fields
                .feed(bytes, &mut sam_seq_field(&mut self.read_length)),
            SamLine::Blank => {}
        }
    }

    fn end(&mut self, kind: SamLine) {
        match kind {
            SamLine::Header => {
                sam_header_line(&self.header, &mut self.samples, &mut self.species);
                self.header.clear();
            }
            SamLine::Alignment => {
                self.fields
                    .finish(&mut sam_seq_field(&mut self.read_length));
                self.records += 1;
                self.bases += self.read_length;
                self.read_length = 0;
            }
            SamLine::Blank => {}
        }
    }
}

fn sam_header_line(line: &[u8], samples: &mut Samples, species: &mut SpeciesVote) {
    let line = trim_nul(line);
    let mut parts = line.split(|&c| c == b'\t');
    match parts.next() {
        Some(b"@RG") => {
            for part in parts {
                if let Some(sample) = part.strip_prefix(b"SM:") {
                    samples.add(sample);
                }
            }
        }
        Some(b"@SQ") => {
            let (mut name, mut length) = (None, None);
            for part in parts {
                let (tag, value) = part.split_at(part.len().min(3));
                match tag {
                    b"SN:" => name = Some(lossy(value)),
                    b"LN:" => {
                        length = std::str::from_utf8(value)
                            .ok()
                            .and_then(|v| v.parse::<u64>().ok())
                    }
                    b"AS:" | b"SP:" | b"UR:" => {
                        let label = format!("@SQ {}", lossy(&tag[..2]));
                        species.text(&label, value, true, || format!("{label}:{}", lossy(value)));
                    }
                    _ => {}
                }
            }
            if let Some(name) = name {
                if let Some(found) = length.and_then(|length| human_contig(&name, &name, length)) {
                    species.human(|| format!("@SQ {found}"));
                }
                if is_celegans_name(&name) {
                    species.other(
                        || "C. elegans chromosome names".to_owned(),
                        || format!("@SQ SN:{name}"),
                    );
                }
            }
        }
        _ => {}
    }
}

#[derive(Clone, Copy)]
enum RawLine {
    Blank,
    Comment,
    Row,
}

/// Consumer genotype exports: one person per file, always human (these services only
/// genotype people); the vendor named in the comments is kept as evidence.
#[derive(Default)]
struct RawGenotypeHandler {
    line: Vec<u8>,
    vendor: Option<&'static str>,
    records: u64,
}

impl RawGenotypeHandler {
    fn finish(self, file_name: &str) -> GenomicSummary {
        let evidence = match self.vendor {
            Some(vendor) => format!("consumer genotype export ({vendor})"),
            None => {
                "consumer genotype export (rsid, chromosome, position, genotype rows)".to_owned()
            }
        };
        GenomicSummary {
            format: GenomicFormat::RawGenotype,
            samples: one_per_file(self.records, file_name),
            species: Species::Human,
            evidence,
            records: self.records,
            bases: 0,
        }
    }
}

const GENOTYPE_VENDORS: [(&str, &str); 7] = [
    ("23andme", "23andMe"),
    ("ancestrydna", "AncestryDNA"),
    ("ancestry.com", "AncestryDNA"),
    ("myheritage", "MyHeritage"),
    ("familytreedna", "FamilyTreeDNA"),
    ("living dna", "Living DNA"),
    ("nebula", "Nebula Genomics"),
];

impl LineHandler for RawGenotypeHandler {
    type Kind = RawLine;
    const PREFIX: usize = 1;

    fn classify(&mut self, start: &[u8]) -> RawLine {
        match start {
            [] => RawLine::Blank,
            [b'#', ..] => RawLine::Comment,
            _ => RawLine::Row,
        }
    }

    fn bytes(&mut self, kind: RawLine, bytes: &[u8]) {
        match kind {
            RawLine::Comment if self.vendor.is_none() => push_capped(&mut self.line, bytes, 1024),
            RawLine::Row => push_capped(&mut self.line, bytes, 16),
            _ => {}
        }
    }

    fn end(&mut self, kind: RawLine) {
        match kind {
            RawLine::Comment if self.vendor.is_none() => {
                let lower = self.line.to_ascii_lowercase();
                self.vendor = GENOTYPE_VENDORS
                    .iter()
                    .find(|(needle, _)| memchr::memmem::find(&lower, needle.as_bytes()).is_some())
                    .map(|(_, vendor)| *vendor);
            }
            RawLine::Row => {
                let first = self
                    .line
                    .split(|&c| c == b'\t' || c == b',' || c == b' ')
                    .next()
                    .unwrap_or(b"");
                if !trim_quotes(first).eq_ignore_ascii_case(b"rsid")
                    && !self.line.trim_ascii().is_empty()
                {
                    self.records += 1;
                }
            }
            _ => {}
        }
        self.line.clear();
    }
}

#[derive(Clone, Copy)]
enum PlinkLine {
    Skip,
    Row,
}

/// PLINK `.ped` / `.fam` (one person per row, id FID_IID so both files of one data set give
/// the same ids) and `.map`/`.bim` (variants, no persons). PLINK records no species.
struct PlinkHandler {
    format: GenomicFormat,
    fields: Fields,
    fid: Vec<u8>,
    iid: Vec<u8>,
    samples: Samples,
    records: u64,
}

impl PlinkHandler {
    fn new(format: GenomicFormat) -> Self {
        PlinkHandler {
            format,
            fields: Fields::new(true),
            fid: Vec::new(),
            iid: Vec::new(),
            samples: Samples::default(),
            records: 0,
        }
    }

    fn finish(self) -> GenomicSummary {
        GenomicSummary {
            format: self.format,
            samples: self.samples.ids,
            species: Species::Unknown,
            evidence: "PLINK files record no species or reference build".to_owned(),
            records: self.records,
            bases: 0,
        }
    }
}

fn plink_ids<'a>(fid: &'a mut Vec<u8>, iid: &'a mut Vec<u8>) -> impl FnMut(usize, &[u8], u64) + 'a {
    |index, field, _| match index {
        0 => fid.extend_from_slice(field),
        1 => iid.extend_from_slice(field),
        _ => {}
    }
}

impl LineHandler for PlinkHandler {
    type Kind = PlinkLine;
    const PREFIX: usize = 1;

    fn classify(&mut self, start: &[u8]) -> PlinkLine {
        match start {
            [] | [b'#', ..] => PlinkLine::Skip,
            _ => PlinkLine::Row,
        }
    }

    fn bytes(&mut self, kind: PlinkLine, bytes: &[u8]) {
        if let PlinkLine::Row = kind {
            if self.format == GenomicFormat::PlinkMap {
                if self.fid.is_empty() && bytes.iter().any(|c| !c.is_ascii_whitespace()) {
                    self.fid.push(b'x'); // only "this row is not blank" matters for a map
                }
            } else {
                self.fields
                    .feed(bytes, &mut plink_ids(&mut self.fid, &mut self.iid));
            }
        }
    }

    fn end(&mut self, kind: PlinkLine) {
        if let PlinkLine::Row = kind {
            if self.format != GenomicFormat::PlinkMap {
                self.fields
                    .finish(&mut plink_ids(&mut self.fid, &mut self.iid));
            }
            if !self.fid.is_empty() {
                self.records += 1;
                if self.format != GenomicFormat::PlinkMap {
                    let mut id = std::mem::take(&mut self.fid);
                    if !self.iid.is_empty() {
                        id.push(b'_');
                        id.extend_from_slice(&self.iid);
                    }
                    self.samples.add(&id);
                }
            }
            self.fid.clear();
            self.iid.clear();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Binary formats
// ---------------------------------------------------------------------------------------

/// Summarise BAM, CRAM or BCF from the raw file reader. Only headers are decoded: persons
/// (`@RG SM:`, VCF sample columns) and species evidence live there, and inflating gigabytes
/// of records would cost far more than it tells; so `records` and `bases` are 0.
///
/// BAM/BCF may be BGZF-compressed or plain. CRAM headers compressed with anything but gzip
/// (rANS, bzip2, ...) are not decoded: the file then counts as one sample and the evidence
/// says so. Text formats passed here are inflated if gzip and handed to [`summarize`].
pub fn summarize_binary<R: Read>(
    format: GenomicFormat,
    reader: R,
    file_name: &str,
) -> io::Result<GenomicSummary> {
    match format {
        GenomicFormat::Bam => summarize_bam(open_maybe_gzip(reader)?, file_name),
        GenomicFormat::Bcf => summarize_bcf(open_maybe_gzip(reader)?),
        GenomicFormat::Cram => summarize_cram(reader, file_name),
        _ => summarize_text(format, open_maybe_gzip(reader)?, file_name),
    }
}

/// A reader that inflates gzip/BGZF when the stream starts with the gzip magic and passes
/// bytes through otherwise, so callers need not know how a BAM/BCF was written.
enum MaybeGzip<R: Read> {
    Plain(io::Chain<Cursor<Vec<u8>>, R>),
    Gzip(Box<MultiGzDecoder<io::Chain<Cursor<Vec<u8>>, R>>>),
}

impl<R: Read> Read for MaybeGzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            MaybeGzip::Plain(inner) => inner.read(buf),
            MaybeGzip::Gzip(inner) => inner.read(buf),
        }
    }
}

fn open_maybe_gzip<R: Read>(mut reader: R) -> io::Result<MaybeGzip<R>> {
    let mut magic = Vec::with_capacity(2);
    reader.by_ref().take(2).read_to_end(&mut magic)?;
    let gzip = magic == [0x1f, 0x8b];
    let chained = Cursor::new(magic).chain(reader);
    Ok(if gzip {
        MaybeGzip::Gzip(Box::new(MultiGzDecoder::new(chained)))
    } else {
        MaybeGzip::Plain(chained)
    })
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_owned())
}

fn read_u8<R: Read>(reader: &mut R) -> io::Result<u8> {
    let mut byte = [0u8; 1];
    reader.read_exact(&mut byte)?;
    Ok(byte[0])
}

fn read_u32_le<R: Read>(reader: &mut R) -> io::Result<u32> {
    let mut bytes = [0u8; 4];
    reader.read_exact(&mut bytes)?;
    Ok(u32::from_le_bytes(bytes))
}

fn skip<R: Read>(reader: &mut R, count: u64) -> io::Result<()> {
    let copied = io::copy(&mut reader.by_ref().take(count), &mut io::sink())?;
    if copied < count {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(())
}

/// BAM: `BAM\1`, l_text, header text, then n_ref reference (name, length) pairs, which are
/// checked against human chromosome lengths because the text may omit `@SQ` lines.
fn summarize_bam<R: Read>(mut reader: R, file_name: &str) -> io::Result<GenomicSummary> {
    let mut magic = [0u8; 4];
    reader.read_exact(&mut magic)?;
    if &magic != b"BAM\x01" {
        return Err(invalid(
            "not a BAM file: no BAM\\1 magic after BGZF inflation",
        ));
    }
    let l_text = read_u32_le(&mut reader)?;
    let mut sam = SamHandler::new();
    stream_lines(reader.by_ref().take(u64::from(l_text)), &mut sam)?;
    match bam_references(&mut reader, &mut sam.species) {
        // A file cut short after its header text still told us its samples.
        Err(e) if e.kind() != io::ErrorKind::UnexpectedEof => return Err(e),
        _ => {}
    }
    let mut summary = sam.finish(GenomicFormat::Bam, file_name, true);
    summary.records = 0;
    summary.bases = 0;
    Ok(summary)
}

fn bam_references<R: Read>(reader: &mut R, species: &mut SpeciesVote) -> io::Result<()> {
    let n_ref = read_u32_le(reader)?;
    if n_ref > i32::MAX as u32 {
        return Err(invalid("negative BAM n_ref"));
    }
    let mut name = Vec::new();
    for _ in 0..n_ref {
        let l_name = u64::from(read_u32_le(reader)?);
        name.clear();
        reader
            .by_ref()
            .take(l_name.min(1024))
            .read_to_end(&mut name)?;
        if l_name > 1024 {
            skip(reader, l_name - 1024)?;
        }
        let length = u64::from(read_u32_le(reader)?);
        let name = lossy(trim_nul(&name));
        if let Some(found) = human_contig(&name, &name, length) {
            species.human(|| format!("BAM reference {found}"));
            return Ok(()); // human evidence settles it
        }
        if is_celegans_name(&name) {
            species.other(
                || "C. elegans chromosome names".to_owned(),
                || format!("BAM reference {name}"),
            );
        }
    }
    Ok(())
}

/// BCF: `BCF\2\x0N`, l_text, then VCF header text.
fn summarize_bcf<R: Read>(mut reader: R) -> io::Result<GenomicSummary> {
    let mut magic = [0u8; 5];
    reader.read_exact(&mut magic)?;
    if &magic[..4] != b"BCF\x02" {
        return Err(invalid(
            "not a BCF2 file: no BCF\\2 magic after BGZF inflation",
        ));
    }
    let l_text = read_u32_le(&mut reader)?;
    let mut vcf = VcfHandler::new();
    stream_lines(reader.take(u64::from(l_text)), &mut vcf)?;
    let mut summary = vcf.finish(GenomicFormat::Bcf);
    summary.records = 0;
    Ok(summary)
}

/// ITF-8: CRAM's variable-length 32-bit integer (1-5 bytes, length in the leading 1 bits).
fn read_itf8<R: Read>(reader: &mut R) -> io::Result<i32> {
    let first = read_u8(reader)?;
    let (extra, mask) = match first >> 4 {
        0..=7 => (0, 0x7f),
        8..=11 => (1, 0x3f),
        12 | 13 => (2, 0x1f),
        14 => (3, 0x0f),
        _ => (4, 0x0f),
    };
    let mut value = u32::from(first & mask);
    if extra == 4 {
        // Five bytes: 4 + 8 + 8 + 8 + 4 bits; only the low nibble of the last byte counts.
        for _ in 0..3 {
            value = (value << 8) | u32::from(read_u8(reader)?);
        }
        value = (value << 4) | u32::from(read_u8(reader)? & 0x0f);
    } else {
        for _ in 0..extra {
            value = (value << 8) | u32::from(read_u8(reader)?);
        }
    }
    Ok(value as i32)
}

/// LTF-8: CRAM's variable-length 64-bit integer (1-9 bytes).
fn read_ltf8<R: Read>(reader: &mut R) -> io::Result<i64> {
    let first = read_u8(reader)?;
    let extra = first.leading_ones();
    let mut value = if extra >= 7 {
        0
    } else {
        u64::from(first & (0xff >> (extra + 1)))
    };
    for _ in 0..extra {
        value = (value << 8) | u64::from(read_u8(reader)?);
    }
    Ok(value as i64)
}

/// CRAM: 26-byte file definition, then (v2/v3) a container whose first block holds
/// `int32 l_text` + SAM header text, raw or gzip-compressed. CRAM 1.x stores the length and
/// text directly after the file definition. Anything else falls back to one sample per file.
fn summarize_cram<R: Read>(mut reader: R, file_name: &str) -> io::Result<GenomicSummary> {
    let mut definition = [0u8; 26];
    reader.read_exact(&mut definition)?;
    if &definition[..4] != b"CRAM" {
        return Err(invalid("not a CRAM file: no CRAM magic"));
    }
    let (major, minor) = (definition[4], definition[5]);
    let mut sam = SamHandler::new();
    let problem = match major {
        1 => cram_header_text(&mut reader, &mut sam)
            .err()
            .map(|e| format!("CRAM 1.{minor} header not decoded ({e})")),
        2 | 3 => match cram_header_container(&mut reader, major, &mut sam) {
            Ok(problem) => problem,
            Err(e) => Some(format!("CRAM {major}.{minor} header not decoded ({e})")),
        },
        _ => Some(format!("CRAM {major}.{minor} header layout not supported")),
    };
    let mut summary = sam.finish(GenomicFormat::Cram, file_name, true);
    if let Some(problem) = problem {
        summary.evidence = clip(&format!("{problem}; one sample per file assumed"));
    }
    Ok(summary)
}

fn cram_header_container<R: Read>(
    reader: &mut R,
    major: u8,
    sam: &mut SamHandler,
) -> io::Result<Option<String>> {
    read_u32_le(reader)?; // container length
    for _ in 0..4 {
        read_itf8(reader)?; // reference id, start, span, record count
    }
    if major >= 3 {
        read_ltf8(reader)?; // record counter
    } else {
        read_itf8(reader)?;
    }
    read_ltf8(reader)?; // bases
    let blocks = read_itf8(reader)?;
    let landmarks = read_itf8(reader)?;
    if !(0..=1_000_000).contains(&landmarks) {
        return Ok(Some("malformed CRAM container header".to_owned()));
    }
    for _ in 0..landmarks {
        read_itf8(reader)?;
    }
    if major >= 3 {
        skip(reader, 4)?; // CRC32
    }
    if blocks < 1 {
        return Ok(Some("first CRAM container holds no block".to_owned()));
    }
    let method = read_u8(reader)?;
    let content_type = read_u8(reader)?;
    read_itf8(reader)?; // content id
    let compressed = read_itf8(reader)?;
    read_itf8(reader)?; // raw size
    if content_type != 0 {
        return Ok(Some(format!(
            "first CRAM block has content type {content_type}, not a file header"
        )));
    }
    let Ok(compressed) = u64::try_from(compressed) else {
        return Ok(Some("malformed CRAM block size".to_owned()));
    };
    let data = reader.by_ref().take(compressed);
    match method {
        0 => cram_header_text(data, sam)?,
        1 => cram_header_text(GzDecoder::new(data), sam)?,
        other => {
            let name = match other {
                2 => "bzip2",
                3 => "lzma",
                4 => "rANS 4x8",
                5 => "rANS Nx16",
                6 => "adaptive arithmetic coding",
                7 => "fqzcomp",
                8 => "name tokeniser",
                _ => "an unknown method",
            };
            return Ok(Some(format!(
                "CRAM header block compressed with {name} (method {other}), not decoded"
            )));
        }
    }
    Ok(None)
}

fn cram_header_text<R: Read>(mut reader: R, sam: &mut SamHandler) -> io::Result<()> {
    let length = read_u32_le(&mut reader)?;
    stream_lines(reader.take(u64::from(length)), sam)
}

// ---------------------------------------------------------------------------------------
// Sample ids from file names
// ---------------------------------------------------------------------------------------

/// Compression and format extensions removed from a file name to get its sample id.
const STRIP_EXTENSIONS: [&str; 19] = [
    ".gz", ".bgz", ".bz2", ".xz", ".zst", ".zip", ".fq", ".fastq", ".fa", ".fasta", ".fna", ".sam",
    ".bam", ".cram", ".txt", ".csv", ".tsv", ".vcf", ".bcf",
];

/// Read-pair markers, longest first so `_R1_001` wins over `_1`.
const PAIR_MARKERS: [&str; 8] = ["_r1_001", "_r2_001", "_r1", "_r2", ".r1", ".r2", "_1", "_2"];

/// Sample id for a file that names none: the file name without directory, without
/// compression/format extensions, without a read-pair marker (`_R1`/`_R2`, `_1`/`_2`,
/// `.R1`/`.R2`, `_R1_001`/`_R2_001`) and without an Illumina lane (`_L001`), so that the
/// mates and lanes of one sample give one id and are counted as one person.
pub fn sample_from_file_name(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let mut stem = base;
    let cut = |stem: &str, suffix: &str| -> Option<usize> {
        let lower = stem.to_ascii_lowercase();
        (lower.len() > suffix.len() && lower.ends_with(suffix)).then(|| stem.len() - suffix.len())
    };
    while let Some(end) = STRIP_EXTENSIONS.iter().find_map(|ext| cut(stem, ext)) {
        stem = &stem[..end];
    }
    if let Some(end) = PAIR_MARKERS.iter().find_map(|marker| cut(stem, marker)) {
        stem = &stem[..end];
    }
    let bytes = stem.as_bytes();
    if bytes.len() > 5 {
        let lane = &bytes[bytes.len() - 5..];
        if lane[0] == b'_'
            && (lane[1] == b'L' || lane[1] == b'l')
            && lane[2..].iter().all(u8::is_ascii_digit)
        {
            stem = &stem[..stem.len() - 5];
        }
    }
    if stem.is_empty() {
        base.to_owned()
    } else {
        stem.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;
    use std::path::PathBuf;

    /// Regression (fuzz, batch_rows): a sequence name whose third byte is
    /// inside a character panicked on slicing it as `str`.
    #[test]
    fn human_contig_name_split_inside_a_character() {
        // A mitochondrion's length counts only for a name that says so.
        for name in [
            "ab\u{e9}x",
            "\u{fffd}chrM",
            "c\u{fffd}hrM",
            "\u{e9}\u{e9}",
            "chr\u{e9}",
        ] {
            assert_eq!(human_contig(name, "", 16_569), None, "{name:?}");
        }
        assert!(human_contig("CHRM", "", 16_569).is_some());
        assert!(human_contig("\u{e9}\u{e9}", "", 248_956_422).is_some());
    }

    /// Hands out at most `step` bytes per read, to put chunk boundaries everywhere.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Generates `>name\n` + `length` bases on ONE line without holding them in memory.
    struct LongFasta {
        header: Vec<u8>,
        remaining: u64,
        done: bool,
    }

    impl Read for LongFasta {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.header.is_empty() {
                let n = self.header.len().min(buf.len());
                buf[..n].copy_from_slice(&self.header[..n]);
                self.header.drain(..n);
                return Ok(n);
            }
            if self.remaining > 0 {
                let n = (self.remaining.min(buf.len() as u64)) as usize;
                buf[..n].fill(b'A');
                self.remaining -= n as u64;
                return Ok(n);
            }
            if !self.done && !buf.is_empty() {
                self.done = true;
                buf[0] = b'\n';
                return Ok(1);
            }
            Ok(0)
        }
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn run(format: GenomicFormat, data: &[u8], name: &str) -> GenomicSummary {
        summarize(format, data, name).unwrap()
    }

    /// Same summary whatever the chunking and line endings: the streaming must not depend
    /// on where buffer boundaries fall.
    fn assert_chunking_invariant(format: GenomicFormat, data: &[u8], name: &str) -> GenomicSummary {
        let whole = run(format, data, name);
        let crlf: Vec<u8> = data
            .split(|&c| c == b'\n')
            .collect::<Vec<_>>()
            .join(&b"\r\n"[..]);
        for step in [1, 2, 3, 7] {
            for input in [data, &crlf[..]] {
                let trickled = summarize(format, Trickle { data: input, step }, name).unwrap();
                assert_eq!(trickled.samples, whole.samples, "step {step}");
                assert_eq!(trickled.species, whole.species, "step {step}");
                assert_eq!(trickled.records, whole.records, "step {step}");
                assert_eq!(trickled.bases, whole.bases, "step {step}");
            }
        }
        whole
    }

    // ----- sniffing -------------------------------------------------------------------

    #[test]
    fn names_are_stable() {
        assert_eq!(GenomicFormat::Vcf.name(), "vcf");
        assert_eq!(GenomicFormat::RawGenotype.name(), "raw_genotype");
        assert_eq!(GenomicFormat::PlinkFam.name(), "plink_fam");
    }

    #[test]
    fn sniffs_text_formats() {
        let cases: &[(&[u8], Option<GenomicFormat>)] = &[
            (b"##fileformat=VCFv4.2\n#CHROM\tPOS\n", Some(GenomicFormat::Vcf)),
            (b"@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:10\n", Some(GenomicFormat::Sam)),
            (b"@r1 1:N:0:ACGT\nACGTN\n+\nIIII#\n@r2\nAC\n+\n@@\n", Some(GenomicFormat::Fastq)),
            (b"@seq1\nNAAAA\nCCCC\n+\n@@@@@\n@@@@\n", Some(GenomicFormat::Fastq)),
            (b">chr1 test\nACGTACGTNN\nacgt\n>chr2\nGGGG\n", Some(GenomicFormat::Fasta)),
            (b">sp|P69905|HBA_HUMAN Hemoglobin\nMVLSPADKTNVKAAWGKVGAHAGEYGAEALERMF\n", Some(GenomicFormat::Fasta)),
            (
                b"# This data file generated by 23andMe\n# rsid\tchromosome\tposition\tgenotype\nrs4477212\t1\t82154\tAA\ni3000001\tMT\t16\tGG\nrs3\tX\t1\t--\n",
                Some(GenomicFormat::RawGenotype),
            ),
            (
                b"#AncestryDNA raw data download\nrsid\tchromosome\tposition\tallele1\tallele2\nrs1\t1\t100\tA\tG\nrs2\t23\t5\t0\t0\n",
                Some(GenomicFormat::RawGenotype),
            ),
            (
                b"RSID,CHROMOSOME,POSITION,RESULT\n\"rs1\",\"1\",\"82154\",\"AA\"\n\"rs2\",\"1\",\"9\",\"CT\"\n",
                Some(GenomicFormat::RawGenotype),
            ),
            (b"1 rs123 0 1000\n1 rs124 0.5 2000\nX 1:5 0 99\n", Some(GenomicFormat::PlinkMap)),
            (b"1\trs1\t0\t100\tA\tG\n1\trs2\t0\t200\tC\tT\n", Some(GenomicFormat::PlinkMap)),
            (b"FAM1 IND1 0 0 1 -9\nFAM1 IND2 0 0 2 1\n", Some(GenomicFormat::PlinkFam)),
            (b"FAM1 IND1 0 0 1 -9 A A G T 0 0\nFAM1 IND2 0 0 2 1 A C G G 1 1\n", Some(GenomicFormat::PlinkPed)),
            (
                b"r1\t0\tchr1\t100\t60\t4M\t*\t0\t0\tACGT\tIIII\n",
                Some(GenomicFormat::Sam),
            ),
        ];
        for (head, expected) in cases {
            assert_eq!(sniff(head), *expected, "{}", String::from_utf8_lossy(head));
        }
    }

    /// `plink_format` as it was before it stopped at the first row that
    /// rules PLINK out: every row split, then the column counts compared.
    fn plink_format_reference(lines: &[&[u8]], tail: Option<&[u8]>) -> Option<GenomicFormat> {
        let rows: Vec<Vec<&[u8]>> = lines
            .iter()
            .map(|line| line.trim_ascii())
            .filter(|line| !line.is_empty() && line[0] != b'#')
            .take(SNIFF_ROWS)
            .map(split_whitespace)
            .collect();
        if rows.iter().any(|row| row.len() != rows[0].len()) {
            return None;
        }
        plink_rows(&rows, tail)
    }

    proptest::proptest! {
        /// PLINK-like rows (map, bim, fam and ped fields, some rows cut
        /// short or run long, comments and blank lines among them) are
        /// sniffed as the reference sniffs them.
        #[test]
        fn plink_sniff_matches_the_reference(
            shape in 0usize..5,
            cut in 0usize..9,
            n in 0usize..30,
            odd in proptest::collection::vec((0usize..30, 0usize..5, 0usize..9), 0..3),
        ) {
            let shapes: [&[&str]; 5] = [
                &["1", "rs1", "0", "1000"],
                &["1", "rs1", "0", "1000", "A", "G"],
                &["F1", "I1", "0", "0", "1", "-9"],
                &["F1", "I1", "0", "0", "2", "1.5", "A", "G", "C", "C"],
                &["#", "comment"],
            ];
            // A file of one shape (a field fewer or more by `cut`), with a
            // few rows of another, a blank line or a comment among them.
            let row = |shape: usize, cut: usize| {
                let f = shapes[shape];
                let n = if cut < f.len() { f.len() - cut % 2 } else { f.len() + 1 };
                let fields: Vec<&str> = f.iter().copied().cycle().take(n).collect();
                fields.join(if cut.is_multiple_of(3) { "\t" } else { " " })
            };
            let mut text = String::new();
            for i in 0..n {
                match odd.iter().find(|o| o.0 == i) {
                    Some(&(_, 4, 0)) => text.push_str(""),
                    Some(&(_, s, c)) => text.push_str(&row(s, c)),
                    None => text.push_str(&row(shape, cut)),
                }
                text.push('\n');
            }
            let lines: Vec<&[u8]> = text.as_bytes().split(|&b| b == b'\n').collect();
            let (lines, tail) = lines.split_at(lines.len().saturating_sub(1));
            let tail = tail.first().copied().filter(|t| !t.is_empty());
            proptest::prop_assert_eq!(plink_format(lines, tail), plink_format_reference(lines, tail));
        }
    }

    #[test]
    fn sniff_does_not_mistake_csv_logs_or_prose() {
        let cases: &[&[u8]] = &[
            b">id,name,score\n1,alice,3\n2,bob,4\n",
            b"> Hi Bob, see below\n> quoted text\nThanks\n",
            b"> note\nTODO\n",
            b">>> starting server\nINFO listening on 8080\n",
            b"@channel deploy finished\nall good\n+\n1\n",
            b"@user: hello\nGATTACA is a film\n+1\nok\n",
            b"@alice wrote:\nACGT\n+\nIII\n", // quality shorter than sequence
            b"name,age\nann,3\n",
            b"2024-01-01 12:00:00 INFO started\n",
            b"1 2 3 4\n5 6 7 8\n",
            b"",
        ];
        for head in cases {
            assert_eq!(sniff(head), None, "{}", String::from_utf8_lossy(head));
        }
    }

    #[test]
    fn sniffs_heads_cut_inside_one_long_record() {
        let mut fasta = b">chr1\n".to_vec();
        fasta.extend(std::iter::repeat_n(b'N', 65_000));
        assert_eq!(sniff(&fasta), Some(GenomicFormat::Fasta));
        let mut fastq = b"@long_read\n".to_vec();
        fastq.extend(std::iter::repeat_n(b'A', 65_000));
        assert_eq!(sniff(&fastq), Some(GenomicFormat::Fastq));
        let mut ped = b"F1 I1 0 0 1 -9".to_vec();
        for _ in 0..20_000 {
            ped.extend_from_slice(b" A G");
        }
        assert_eq!(sniff(&ped[..60_000]), Some(GenomicFormat::PlinkPed));
    }

    fn bam_bytes(text: &str, refs: &[(&str, u32)]) -> Vec<u8> {
        let mut raw = b"BAM\x01".to_vec();
        raw.extend((text.len() as u32).to_le_bytes());
        raw.extend(text.as_bytes());
        raw.extend((refs.len() as u32).to_le_bytes());
        for (name, length) in refs {
            raw.extend((name.len() as u32 + 1).to_le_bytes());
            raw.extend(name.as_bytes());
            raw.push(0);
            raw.extend(length.to_le_bytes());
        }
        raw.extend([0u8; 40]); // a stand-in for alignment records
        raw
    }

    fn bcf_bytes(text: &str) -> Vec<u8> {
        let mut raw = b"BCF\x02\x02".to_vec();
        let mut text = text.as_bytes().to_vec();
        text.push(0);
        raw.extend((text.len() as u32).to_le_bytes());
        raw.extend(text);
        raw
    }

    #[test]
    fn sniffs_binary_heads() {
        let bam = gz(&bam_bytes("@HD\tVN:1.6\n", &[]));
        assert_eq!(sniff_raw(&bam), Some(GenomicFormat::Bam));
        // A real head is the first 64 KiB of a larger file: cut mid-stream, after the
        // deflate tables. (Cutting inside the tables would leave nothing to inflate.)
        let mut text = String::from("@HD\tVN:1.6\n");
        let mut x: u64 = 1;
        while text.len() < 400_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            text.push_str(&format!("@RG\tID:{x:x}\tSM:{:x}\n", x >> 7));
        }
        let big = gz(&bam_bytes(&text, &[]));
        assert!(big.len() > CHUNK);
        assert_eq!(sniff_raw(&big[..CHUNK]), Some(GenomicFormat::Bam));
        assert_eq!(sniff_raw(&bam[..bam.len() - 8]), Some(GenomicFormat::Bam));
        assert_eq!(sniff(&bam), Some(GenomicFormat::Bam));
        let bcf = gz(&bcf_bytes("##fileformat=VCFv4.2\n"));
        assert_eq!(sniff_raw(&bcf), Some(GenomicFormat::Bcf));
        assert_eq!(sniff_raw(b"CRAM\x03\x00rest"), Some(GenomicFormat::Cram));
        assert_eq!(sniff_raw(&gz(b"##fileformat=VCFv4.2\n")), None);
        assert_eq!(sniff_raw(b"##fileformat=VCFv4.2\n"), None);
    }

    // ----- VCF -------------------------------------------------------------------------

    const VCF: &str = "##fileformat=VCFv4.3\n\
        ##reference=file:///refs/GRCh38_full_analysis_set.fa\n\
        ##contig=<ID=chr1,length=248956422>\n\
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS1\n\
        chr1\t10\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\t1/1\t0/0\n\
        chr1\t20\t.\tC\tT\t.\tPASS\t.\tGT\t0/1\t1/1\t0/0\n";

    #[test]
    fn vcf_samples_species_records() {
        let s = assert_chunking_invariant(GenomicFormat::Vcf, VCF.as_bytes(), "x.vcf");
        assert_eq!(s.samples, ["S1", "S2"]);
        assert_eq!(s.species, Species::Human);
        assert!(s.evidence.contains("GRCh38"), "{}", s.evidence);
        assert_eq!(s.records, 2);
        assert_eq!(s.bases, 0);
    }

    #[test]
    fn vcf_sites_only_has_no_persons() {
        let vcf = "##fileformat=VCFv4.2\n##contig=<ID=21,length=48129895>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n21\t1\t.\tA\tC\t.\t.\t.\n";
        let s = run(GenomicFormat::Vcf, vcf.as_bytes(), "sites.vcf");
        assert!(s.samples.is_empty());
        assert_eq!(s.species, Species::Human);
        assert_eq!(s.evidence, "##contig 21 length 48129895 = GRCh37 chr21");
        assert_eq!(s.records, 1);
    }

    #[test]
    fn vcf_species_from_contig_attributes_and_other_organisms() {
        let assembly = "##fileformat=VCFv4.2\n##contig=<ID=chr2,assembly=hg19>\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n";
        assert_eq!(
            run(GenomicFormat::Vcf, assembly.as_bytes(), "a").species,
            Species::Human
        );
        let quoted = "##fileformat=VCFv4.2\n##contig=<ID=20,length=62435964,assembly=B36,species=\"Homo sapiens\",taxonomy=x>\n";
        assert_eq!(
            run(GenomicFormat::Vcf, quoted.as_bytes(), "a").species,
            Species::Human
        );
        let mouse = "##fileformat=VCFv4.2\n##reference=GRCm38\n##contig=<ID=1,length=195471971>\n";
        let s = run(GenomicFormat::Vcf, mouse.as_bytes(), "m");
        assert!(
            matches!(&s.species, Species::NonHuman(why) if why.contains("mouse")),
            "{:?}",
            s.species
        );
        assert_eq!(s.evidence, "##reference=GRCm38");
        let unknown =
            "##fileformat=VCFv4.4\n##contig=<ID=1,length=1000>\n##reference=file://test\n";
        assert_eq!(
            run(GenomicFormat::Vcf, unknown.as_bytes(), "u").species,
            Species::Unknown
        );
        let worm = "##fileformat=VCFv4.2\n##contig=<ID=CHROMOSOME_I,length=15072423>\n";
        assert_eq!(
            run(GenomicFormat::Vcf, worm.as_bytes(), "w").species,
            Species::NonHuman("C. elegans chromosome names".into())
        );
    }

    #[test]
    fn vcf_cohort_header_streams_field_by_field() {
        let mut vcf =
            b"##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT".to_vec();
        for i in 0..2504 {
            vcf.extend(format!("\tHG{i:05}").as_bytes());
        }
        vcf.push(b'\n');
        let s = summarize(
            GenomicFormat::Vcf,
            Trickle {
                data: &vcf,
                step: 5,
            },
            "c.vcf",
        )
        .unwrap();
        assert_eq!(s.samples.len(), 2504);
        assert_eq!(s.samples[0], "HG00000");
        assert_eq!(s.samples[2503], "HG02503");
    }

    // ----- FASTA -----------------------------------------------------------------------

    #[test]
    fn fasta_species_and_counts() {
        let worm = b">CHROMOSOME_I\nGCCTAAGCCTAA\n>CHROMOSOME_II\nCCTAAG\n";
        let s = assert_chunking_invariant(GenomicFormat::Fasta, worm, "/data/ce.fa");
        assert_eq!(
            s.species,
            Species::NonHuman("C. elegans chromosome names".into())
        );
        assert_eq!(s.evidence, ">CHROMOSOME_I");
        assert_eq!((s.records, s.bases), (2, 18));
        assert_eq!(s.samples, ["ce"]);

        let human = b">seq1 Homo sapiens chromosome 7\nACGT\n";
        assert_eq!(
            run(GenomicFormat::Fasta, human, "h.fa").species,
            Species::Human
        );
        let mouse = b">NC_000067.7 Mus musculus strain C57BL/6J chromosome 1\nACGT\n";
        let s = run(GenomicFormat::Fasta, mouse, "m.fa");
        assert!(matches!(&s.species, Species::NonHuman(why) if why.contains("mouse")));
        let hiv = b">K03455.1 Human immunodeficiency virus type 1\nACGT\n";
        assert!(matches!(
            run(GenomicFormat::Fasta, hiv, "v.fa").species,
            Species::NonHuman(_)
        ));
        let plain = b">17 17:1-4200\nACGTACGT\n";
        assert_eq!(
            run(GenomicFormat::Fasta, plain, "p.fa").species,
            Species::Unknown
        );
    }

    #[test]
    fn fasta_mitochondrion_by_name_and_length() {
        let mut mito = b">chrM\n".to_vec();
        mito.extend(std::iter::repeat_n(b'A', 16_569));
        mito.push(b'\n');
        let s = run(GenomicFormat::Fasta, &mito, "m.fa");
        assert_eq!(s.species, Species::Human);
        assert!(s.evidence.contains("rCRS"), "{}", s.evidence);
        // The same length under a name that does not say mitochondrion proves nothing.
        mito[1..5].copy_from_slice(b"ctg7");
        assert_eq!(
            run(GenomicFormat::Fasta, &mito, "m.fa").species,
            Species::Unknown
        );
    }

    #[test]
    fn fasta_single_line_chromosome_streams() {
        let length = 46_709_983; // GRCh38 chr21, one line, never held in memory
        let reader = LongFasta {
            header: b">NC_000021.9\n".to_vec(),
            remaining: length,
            done: false,
        };
        let s = summarize(GenomicFormat::Fasta, reader, "chr21.fa.gz").unwrap();
        assert_eq!((s.records, s.bases), (1, length));
        assert_eq!(s.species, Species::Human);
        assert_eq!(
            s.evidence,
            "sequence NC_000021.9 length 46709983 = GRCh38 chr21"
        );
        assert_eq!(s.samples, ["chr21"]);
    }

    // ----- FASTQ -----------------------------------------------------------------------

    #[test]
    fn fastq_four_line_and_multi_line() {
        let reads = b"@M1:RUN:FC:1:1:1:1 1:N:0:ACGTACGT\nACGTN\n+\n@@@@#\n@M1:RUN:FC:1:1:1:2 1:N:0:ACGTACGT\nGG\n+M1:RUN:FC:1:1:1:2\n+@\n";
        let s = assert_chunking_invariant(
            GenomicFormat::Fastq,
            reads,
            "run/NA12878_S1_L001_R1_001.fastq.gz",
        );
        assert_eq!((s.records, s.bases), (2, 7));
        assert_eq!(s.samples, ["NA12878_S1"]);
        assert_eq!(s.species, Species::Unknown);

        let multi =
            b"@seq1\nNAAAAAAAAA\nCCCCCCCCCC\n+\n++++++++++\n@@@@@@@@@@\n@seq2\nRAAA\n+\n<<<<\n";
        let s = assert_chunking_invariant(GenomicFormat::Fastq, multi, "m.fq");
        assert_eq!((s.records, s.bases), (2, 24));
    }

    #[test]
    fn fastq_species_from_header_and_empty_file() {
        let named = b"@SRR1.1 Homo sapiens WGS\nACGT\n+\nIIII\n";
        assert_eq!(
            run(GenomicFormat::Fastq, named, "x.fq").species,
            Species::Human
        );
        // Assembly-like tokens in read names are not trusted: read names are arbitrary.
        let token = b"@hg19_read_1\nACGT\n+\nIIII\n";
        assert_eq!(
            run(GenomicFormat::Fastq, token, "x.fq").species,
            Species::Unknown
        );
        let empty = run(GenomicFormat::Fastq, &b""[..], "x.fq");
        assert!(empty.samples.is_empty());
        assert_eq!(empty.records, 0);
    }

    // ----- SAM / BAM / CRAM ------------------------------------------------------------

    const SAM: &str = "@HD\tVN:1.6\n\
        @SQ\tSN:chr1\tLN:249250621\n\
        @RG\tID:L1\tSM:NA12878\tPL:ILLUMINA\n\
        @RG\tID:L2\tSM:NA12878\n\
        @RG\tID:L3\tSM:NA12891\n\
        r1\t0\tchr1\t100\t60\t4M\t*\t0\t0\tACGT\tIIII\tRG:Z:L1\n\
        r2\t4\t*\t0\t0\t*\t*\t0\t0\t*\t*\n";

    #[test]
    fn sam_read_groups_species_counts() {
        let s = assert_chunking_invariant(GenomicFormat::Sam, SAM.as_bytes(), "x.sam");
        assert_eq!(s.samples, ["NA12878", "NA12891"]);
        assert_eq!(s.species, Species::Human);
        assert_eq!(s.evidence, "@SQ chr1 length 249250621 = GRCh37 chr1");
        assert_eq!((s.records, s.bases), (2, 4));
    }

    #[test]
    fn sam_without_read_groups_is_one_sample_per_file() {
        let sam =
            "@SQ\tSN:1\tLN:100\tAS:GRCh38\tSP:Homo sapiens\nr1\t0\t1\t1\t60\t2M\t*\t0\t0\tAC\tII\n";
        let s = run(GenomicFormat::Sam, sam.as_bytes(), "dir/sample9.sam");
        assert_eq!(s.samples, ["sample9"]);
        assert_eq!(s.species, Species::Human);
        assert_eq!(s.evidence, "@SQ AS:GRCh38");
        let header_only = run(GenomicFormat::Sam, &b"@HD\tVN:1.6\n"[..], "empty.sam");
        assert!(header_only.samples.is_empty());
    }

    #[test]
    fn bam_header_samples_and_reference_lengths() {
        let text = "@HD\tVN:1.6\n@RG\tID:a\tSM:HG00096\n@RG\tID:b\tSM:HG00097\n";
        let bam = gz(&bam_bytes(text, &[("chrQ", 10), ("chr21", 46_709_983)]));
        let s = summarize_binary(GenomicFormat::Bam, &bam[..], "x.bam").unwrap();
        assert_eq!(s.format, GenomicFormat::Bam);
        assert_eq!(s.samples, ["HG00096", "HG00097"]);
        assert_eq!(s.species, Species::Human);
        assert_eq!(
            s.evidence,
            "BAM reference chr21 length 46709983 = GRCh38 chr21"
        );
        assert_eq!((s.records, s.bases), (0, 0));

        // No @RG: one sample per file. Uncompressed BAM works too, and so does `summarize`.
        let plain = bam_bytes("@HD\tVN:1.6\n", &[("CHROMOSOME_I", 15_072_423)]);
        let s = summarize(GenomicFormat::Bam, &plain[..], "NA1_1.bam").unwrap();
        assert_eq!(s.samples, ["NA1"]);
        assert_eq!(
            s.species,
            Species::NonHuman("C. elegans chromosome names".into())
        );

        // Cut off inside the reference list: the header text still counts.
        let cut = bam_bytes(text, &[("chrQ", 10)]);
        let s = summarize_binary(GenomicFormat::Bam, &cut[..cut.len() - 45], "x.bam").unwrap();
        assert_eq!(s.samples.len(), 2);

        assert!(summarize_binary(GenomicFormat::Bam, &gz(b"not a bam")[..], "x.bam").is_err());
    }

    #[test]
    fn bcf_header_parsed_like_vcf() {
        let bcf = gz(&bcf_bytes(VCF.split("chr1\t10").next().unwrap()));
        let s = summarize_binary(GenomicFormat::Bcf, &bcf[..], "x.bcf").unwrap();
        assert_eq!(s.format, GenomicFormat::Bcf);
        assert_eq!(s.samples, ["S1", "S2"]);
        assert_eq!(s.species, Species::Human);
        assert_eq!(s.records, 0);
    }

    fn itf8(v: i32) -> Vec<u8> {
        let v = v as u32;
        match v {
            0..0x80 => vec![v as u8],
            0x80..0x4000 => vec![0x80 | (v >> 8) as u8, v as u8],
            0x4000..0x20_0000 => vec![0xC0 | (v >> 16) as u8, (v >> 8) as u8, v as u8],
            0x20_0000..0x1000_0000 => vec![
                0xE0 | (v >> 24) as u8,
                (v >> 16) as u8,
                (v >> 8) as u8,
                v as u8,
            ],
            _ => vec![
                0xF0 | (v >> 28) as u8,
                (v >> 20) as u8,
                (v >> 12) as u8,
                (v >> 4) as u8,
                (v & 0x0f) as u8,
            ],
        }
    }

    fn cram_bytes(major: u8, method: u8, text: &str) -> Vec<u8> {
        let mut out = b"CRAM".to_vec();
        out.extend([major, 0]);
        out.extend([0u8; 20]);
        let mut payload = (text.len() as u32).to_le_bytes().to_vec();
        payload.extend(text.as_bytes());
        let raw_size = payload.len() as i32;
        if method == 1 {
            payload = gz(&payload);
        }
        if major == 1 {
            out.extend(&payload);
            return out;
        }
        out.extend(1000u32.to_le_bytes()); // container length (not checked)
        for v in [-1, 0, 0, 0] {
            out.extend(itf8(v));
        }
        out.extend(itf8(0)); // record counter (ITF-8 in 2.x; LTF-8 with the same one-byte form in 3.x)
        out.push(0); // bases, LTF-8
        out.extend(itf8(1)); // blocks
        out.extend(itf8(1)); // landmarks
        out.extend(itf8(0));
        if major >= 3 {
            out.extend([0u8; 4]);
        }
        out.push(method);
        out.push(0); // FILE_HEADER
        out.extend(itf8(0));
        out.extend(itf8(payload.len() as i32));
        out.extend(itf8(raw_size));
        out.extend(&payload);
        if major >= 3 {
            out.extend([0u8; 4]);
        }
        out
    }

    #[test]
    fn cram_header_raw_gzip_and_undecodable() {
        let mut text = String::from("@HD\tVN:1.6\n@SQ\tSN:chrX\tLN:156040895\n");
        for i in 0..40 {
            text.push_str(&format!("@RG\tID:rg{i}\tSM:P{}\n", i % 3)); // > 127 bytes: multi-byte ITF-8 sizes
        }
        for (major, method) in [(3, 0), (3, 1), (2, 0), (2, 1), (1, 0)] {
            let cram = cram_bytes(major, method, &text);
            assert_eq!(sniff_raw(&cram), Some(GenomicFormat::Cram));
            let s = summarize_binary(GenomicFormat::Cram, &cram[..], "x.cram").unwrap();
            assert_eq!(
                s.samples,
                ["P0", "P1", "P2"],
                "CRAM {major} method {method}"
            );
            assert_eq!(s.species, Species::Human);
            assert_eq!(s.evidence, "@SQ chrX length 156040895 = GRCh38 chrX");
        }
        let rans = cram_bytes(3, 4, &text);
        let s = summarize_binary(GenomicFormat::Cram, &rans[..], "dir/NA12878.final.cram").unwrap();
        assert_eq!(s.samples, ["NA12878.final"]);
        assert_eq!(s.species, Species::Unknown);
        assert!(
            s.evidence.contains("rANS 4x8") && s.evidence.contains("one sample per file"),
            "{}",
            s.evidence
        );
        let v4 = cram_bytes(4, 0, &text);
        let s = summarize_binary(GenomicFormat::Cram, &v4[..], "a.cram").unwrap();
        assert_eq!(s.samples, ["a"]);
        assert!(s.evidence.contains("not supported"));
    }

    #[test]
    fn itf8_and_ltf8_decode() {
        for v in [
            0,
            1,
            127,
            128,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            268_435_455,
            268_435_456,
            i32::MAX,
            -1,
            -2,
        ] {
            assert_eq!(read_itf8(&mut &itf8(v)[..]).unwrap(), v, "{v}");
        }
        assert_eq!(read_ltf8(&mut &[0x05][..]).unwrap(), 5);
        assert_eq!(read_ltf8(&mut &[0x81, 0x00][..]).unwrap(), 256);
        assert_eq!(
            read_ltf8(&mut &[0xff, 0, 0, 0, 0, 0, 0, 1, 0][..]).unwrap(),
            256
        );
        assert_eq!(read_ltf8(&mut &[0xff; 9][..]).unwrap(), -1);
    }

    // ----- consumer exports and PLINK --------------------------------------------------

    #[test]
    fn raw_genotype_is_one_human_per_file() {
        let raw = b"# This data file generated by 23andMe at: Mon Jan 01\n# rsid\tchromosome\tposition\tgenotype\nrs4477212\t1\t82154\tAA\nrs3094315\t1\t752566\tAG\n";
        let s = assert_chunking_invariant(
            GenomicFormat::RawGenotype,
            raw,
            "genome_Jane_Doe_v5_Full.txt",
        );
        assert_eq!(s.samples, ["genome_Jane_Doe_v5_Full"]);
        assert_eq!(s.species, Species::Human);
        assert_eq!(s.evidence, "consumer genotype export (23andMe)");
        assert_eq!(s.records, 2);
        let ancestry = b"#AncestryDNA raw data download\nrsid\tchromosome\tposition\tallele1\tallele2\nrs1\t1\t100\tA\tG\n";
        let s = run(GenomicFormat::RawGenotype, ancestry, "AncestryDNA.txt");
        assert_eq!(s.records, 1);
        assert_eq!(s.evidence, "consumer genotype export (AncestryDNA)");
    }

    #[test]
    fn plink_rows_are_persons() {
        let ped = b"FAM1 IND1 0 0 1 -9 A A G T\nFAM1\tIND2 0 0 2 1 A C G G\n\nFAM1 IND1 0 0 1 -9 A A G T\n";
        let s = assert_chunking_invariant(GenomicFormat::PlinkPed, ped, "x.ped");
        assert_eq!(s.samples, ["FAM1_IND1", "FAM1_IND2"]);
        assert_eq!(s.records, 3);
        assert_eq!(s.species, Species::Unknown);
        let fam = b"FAM1 IND1 0 0 1 -9\nFAM1 IND2 0 0 2 1\n";
        let s = assert_chunking_invariant(GenomicFormat::PlinkFam, fam, "x.fam");
        assert_eq!(s.samples, ["FAM1_IND1", "FAM1_IND2"]);
        let map = b"1 rs1 0 100\n1 rs2 0 200\n";
        let s = assert_chunking_invariant(GenomicFormat::PlinkMap, map, "x.map");
        assert!(s.samples.is_empty());
        assert_eq!(s.records, 2);
    }

    // ----- file names ------------------------------------------------------------------

    #[test]
    fn sample_ids_from_file_names() {
        let cases = [
            ("micro_R1.fq.gz", "micro"),
            ("micro_R2.fq.gz", "micro"),
            ("/a/b/NA12878_1.fastq.gz", "NA12878"),
            ("NA12878_2.fastq", "NA12878"),
            ("sample.R1.fq.bgz", "sample"),
            ("Sample_S1_L001_R1_001.fastq.gz", "Sample_S1"),
            ("Sample_S1_L002_R2_001.fastq.gz", "Sample_S1"),
            ("C:\\data\\HG00096.bam", "HG00096"),
            ("ref.fa", "ref"),
            ("reads.FASTQ.GZ", "reads"),
            ("_R1.fq", "_R1"),
            (".gz", ".gz"),
            ("genome_John_v5.txt", "genome_John_v5"),
        ];
        for (name, expected) in cases {
            assert_eq!(sample_from_file_name(name), expected, "{name}");
        }
    }

    // ----- real third-party files ------------------------------------------------------

    /// `/work/shared/data/genomic` beside the project; absent in a fresh clone.
    fn shared_dir() -> Option<PathBuf> {
        [
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/data/genomic"
            )),
            PathBuf::from("/work/shared/data/genomic"),
        ]
        .into_iter()
        .find(|p| p.is_dir())
    }

    /// Sniffs and summarises one real file the way the scanner will: raw head first, then
    /// the inflated content for compressed text.
    fn summarize_real(path: &std::path::Path) -> GenomicSummary {
        let bytes = std::fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        if let Some(format) = sniff_raw(&bytes[..bytes.len().min(CHUNK)]) {
            return summarize_binary(format, &bytes[..], name).unwrap();
        }
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut out = Vec::new();
            MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut out)
                .unwrap();
            out
        } else {
            bytes
        };
        let format = sniff(&text[..text.len().min(CHUNK)])
            .unwrap_or_else(|| panic!("{} not sniffed", path.display()));
        summarize(format, &text[..], name).unwrap()
    }

    #[test]
    fn real_vcfs_give_eight_human_persons() {
        let Some(dir) = shared_dir() else {
            eprintln!("skipping: shared genomic data not present");
            return;
        };
        let expected: [(&str, &[&str], Species); 5] = [
            ("vcf/HG02102.vcf.gz", &["HG02102"], Species::Human),
            ("vcf/NA18537.vcf.gz", &["NA18537"], Species::Human),
            ("vcf/NA20787.vcf.gz", &["NA20787"], Species::Human),
            (
                "vcf/sample.compressed.vcf.gz",
                &["NA00001", "NA00002", "NA00003"],
                Species::Human,
            ),
            // htslib test file: `##reference=file://test`, contig 1 of length 1000. Nothing
            // in it says human, so Unknown is the honest answer.
            ("vcf/vcf44_1.vcf", &["HG00096", "HG00097"], Species::Unknown),
        ];
        let mut persons = HashSet::new();
        for (file, samples, species) in expected {
            let s = summarize_real(&dir.join(file));
            assert_eq!(s.format, GenomicFormat::Vcf, "{file}");
            assert_eq!(s.samples, samples, "{file}");
            assert_eq!(s.species, species, "{file}: {}", s.evidence);
            persons.extend(s.samples);
        }
        assert_eq!(persons.len(), 8);
        let hg = summarize_real(&dir.join("vcf/HG02102.vcf.gz"));
        assert_eq!(hg.records, 60_694);
        assert_eq!(summarize_real(&dir.join("vcf/NA18537.vcf.gz")).records, 952);
        assert_eq!(
            summarize_real(&dir.join("vcf/NA20787.vcf.gz")).records,
            61_651
        );
    }

    #[test]
    fn real_edge_and_read_files() {
        let Some(dir) = shared_dir() else {
            eprintln!("skipping: shared genomic data not present");
            return;
        };
        let ce = summarize_real(&dir.join("edge/ce.fa"));
        assert_eq!(ce.format, GenomicFormat::Fasta);
        assert_eq!(
            ce.species,
            Species::NonHuman("C. elegans chromosome names".into())
        );
        assert_eq!(ce.records, 7);

        let rcrs = summarize_real(&dir.join("reads/ref.fa"));
        assert_eq!(rcrs.format, GenomicFormat::Fasta);
        assert_eq!(rcrs.species, Species::Human);
        assert_eq!((rcrs.records, rcrs.bases), (1, 16_569));

        let r1 = summarize_real(&dir.join("reads/micro_R1.fq.gz"));
        let r2 = summarize_real(&dir.join("reads/micro_R2.fq.gz"));
        assert_eq!(r1.format, GenomicFormat::Fastq);
        assert_eq!(r1.samples, ["micro"]);
        assert_eq!(r1.samples, r2.samples);
        assert_eq!((r1.records, r2.records), (7_720, 7_720));

        let index = summarize_real(&dir.join("edge/index.vcf"));
        assert_eq!(index.samples, ["ERS220911"]);
        assert_eq!(index.species, Species::Human);

        let pair = summarize_real(&dir.join("edge/test.vcf.gz"));
        assert_eq!(pair.samples, ["sample_normal", "sample_tumour"]);
        assert_eq!(pair.species, Species::Human);

        for fq in [
            "edge/faidx__fastqs.fq",
            "edge/fastq__UMI.fq",
            "edge/fastq__interleaved_casava.fq",
            "edge/fastq__longline.fq",
            "edge/fastq__multiline.fq",
        ] {
            let s = summarize_real(&dir.join(fq));
            assert_eq!(s.format, GenomicFormat::Fastq, "{fq}");
            assert_eq!(s.samples.len(), 1, "{fq}");
        }
        assert_eq!(
            summarize_real(&dir.join("edge/fastq__multiline.fq")).records,
            2
        );
    }

    /// Not an assertion test: prints the per-file table for the report
    /// (`cargo test -- --ignored --nocapture real_file_table`).
    #[test]
    #[ignore]
    fn real_file_table() {
        let Some(dir) = shared_dir() else {
            return;
        };
        for sub in ["vcf", "edge", "reads"] {
            let mut entries: Vec<_> = std::fs::read_dir(dir.join(sub))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            entries.sort();
            for path in entries {
                let s = summarize_real(&path);
                println!(
                    "| {sub}/{} | {} | {} | {:?} | {} | {} | {} |",
                    path.file_name().unwrap().to_string_lossy(),
                    s.format.name(),
                    s.samples.len(),
                    s.species,
                    s.evidence,
                    s.records,
                    s.bases
                );
            }
        }
    }
}
