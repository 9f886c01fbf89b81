//! Input: walking paths, opening files, and deciding how bytes are read.
//!
//! # Memory-map policy
//!
//! * A regular file of at least `MMAP_MIN` bytes is memory-mapped
//!   (read-only, `madvise(SEQUENTIAL)`): no copy, the page cache is the
//!   buffer, and chunks of one large file are scanned by every core.
//! * Smaller files are read into memory with one `read`: mapping costs
//!   page-table setup and an unmap that outweigh a small copy.
//! * Compressed files (gzip/BGZF) and stdin are streamed through a bounded
//!   buffer; they are never inflated whole.
//! * `--no-mmap` reads every file through the stream path instead.
//! * A mapped file's pages are given back (`MADV_DONTNEED`) once scanned,
//!   so resident memory stays a few chunks per core however large the
//!   file. A CSV's quote pass reads the whole file before its chunks are
//!   scanned: it gives its pages back too, except for the first 256 MiB of
//!   a run's CSV files (`scan::KEEP_MAPPED`), whose pages stay mapped for
//!   the scan instead of being mapped twice.
//!
//! Why not always map: if another process truncates a file while it is
//! mapped, touching the vanished pages raises SIGBUS and the process dies.
//! The exit status is then a signal, never 0, so a batch job cannot mistake
//! that for a clean scan; users scanning files that are still being written
//! should pass `--no-mmap`, which turns truncation into a short read.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Files below this size are read, not mapped.
pub const MMAP_MIN: u64 = 64 * 1024;
/// How much of a file decides its format.
pub const SNIFF_LEN: usize = 64 * 1024;

/// One input the scan will read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputRef {
    File(PathBuf),
    Stdin,
}

impl InputRef {
    pub fn display(&self) -> String {
        match self {
            InputRef::File(p) => p.display().to_string(),
            InputRef::Stdin => "-".to_string(),
        }
    }
}

/// An input that could not be scanned (or only in part), and why.
/// `incomplete` is false only for inputs with nothing to miss (an empty
/// file): those are listed but do not make the scan incomplete.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
    pub incomplete: bool,
}

/// Expands the command-line paths: files as given, directories recursively
/// in name order (so reports are stable), `-` as stdin. Symbolic links are
/// followed (data behind a link is data in the set); a link loop is
/// reported as skipped, never walked forever.
pub fn walk(paths: &[PathBuf]) -> (Vec<InputRef>, Vec<Skipped>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(InputRef::Stdin);
            continue;
        }
        match std::fs::metadata(p) {
            Err(e) => skipped.push(Skipped {
                path: p.display().to_string(),
                reason: io_reason(&e),
                incomplete: true,
            }),
            Ok(m) if m.is_dir() => {
                for entry in walkdir::WalkDir::new(p)
                    .follow_links(true)
                    .sort_by_file_name()
                {
                    match entry {
                        Ok(e) if e.file_type().is_file() => out.push(InputRef::File(e.into_path())),
                        Ok(_) => {}
                        Err(e) => skipped.push(Skipped {
                            path: e.path().map_or_else(
                                || p.display().to_string(),
                                |x| x.display().to_string(),
                            ),
                            // A loop leads back to a directory being walked:
                            // nothing behind it is missed.
                            reason: if e.loop_ancestor().is_some() {
                                "symbolic link loop (its target is scanned once)".into()
                            } else {
                                e.io_error().map_or_else(|| e.to_string(), io_reason)
                            },
                            incomplete: e.loop_ancestor().is_none(),
                        }),
                    }
                }
            }
            Ok(_) => out.push(InputRef::File(p.clone())),
        }
    }
    (out, skipped)
}

/// A short reason for an I/O error, without the OS error code noise.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => "no such file or directory".into(),
        PermissionDenied => "permission denied".into(),
        UnexpectedEof => "unexpected end of file".into(),
        _ => e.to_string(),
    }
}

/// Compression recognised by magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    /// gzip, including BGZF (a series of gzip members).
    Gzip,
    Zstd,
    Bzip2,
    Xz,
    Zip,
}

pub fn compression(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else if head.starts_with(b"BZh") && head.len() > 3 && head[3].is_ascii_digit() {
        Compression::Bzip2
    } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Compression::Xz
    } else if head.starts_with(b"PK\x03\x04") {
        Compression::Zip
    } else {
        Compression::None
    }
}

/// The bytes of an opened file.
pub enum Opened {
    Mapped(memmap2::Mmap),
    Read(Vec<u8>),
    Stream {
        reader: Box<dyn Read + Send>,
        compression: Compression,
    },
    Empty,
}

/// Opens a file under the policy above. Errors name the reason; the caller
/// names the file.
pub fn open(input: &InputRef, no_mmap: bool) -> Result<Opened, String> {
    let (mut reader, size): (Box<dyn Read + Send>, Option<u64>) = match input {
        InputRef::Stdin => (Box::new(std::io::stdin()), None),
        InputRef::File(p) => {
            let f = File::open(p).map_err(|e| io_reason(&e))?;
            let m = f.metadata().map_err(|e| io_reason(&e))?;
            if !m.is_file() {
                return Err("not a regular file".into());
            }
            if m.len() == 0 {
                return Ok(Opened::Empty);
            }
            let mut magic = [0u8; 6];
            let n = read_up_to(&mut &f, &mut magic).map_err(|e| io_reason(&e))?;
            let c = compression(&magic[..n]);
            if c == Compression::None && !no_mmap {
                if m.len() >= MMAP_MIN {
                    // SAFETY: the map is read-only and private; the module
                    // docs say what happens if the file is truncated while
                    // mapped (SIGBUS, never a clean exit), and --no-mmap
                    // avoids it.
                    let map = unsafe { memmap2::MmapOptions::new().map(&f) }
                        .map_err(|e| format!("cannot map: {}", io_reason(&e)))?;
                    let _ = map.advise(memmap2::Advice::Sequential);
                    return Ok(Opened::Mapped(map));
                }
                let mut v = Vec::with_capacity(m.len() as usize);
                let mut f2 = File::open(p).map_err(|e| io_reason(&e))?;
                f2.read_to_end(&mut v).map_err(|e| io_reason(&e))?;
                if v.is_empty() {
                    return Ok(Opened::Empty);
                }
                return Ok(Opened::Read(v));
            }
            let f = File::open(p).map_err(|e| io_reason(&e))?;
            (Box::new(f), Some(m.len()))
        }
    };
    // Streams: peek the magic, then wrap in a decoder.
    let mut magic = [0u8; 6];
    let n = read_up_to(&mut reader, &mut magic).map_err(|e| io_reason(&e))?;
    if n == 0 && size.is_none() {
        return Ok(Opened::Empty);
    }
    let c = compression(&magic[..n]);
    let chained: Box<dyn Read + Send> =
        Box::new(std::io::Cursor::new(magic[..n].to_vec()).chain(reader));
    let reader: Box<dyn Read + Send> = match c {
        Compression::None => chained,
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
            std::io::BufReader::with_capacity(256 * 1024, chained),
        )),
        Compression::Zstd => {
            return Err("zstd-compressed; decompress it first (zstd support is planned)".into());
        }
        Compression::Bzip2 => return Err("bzip2-compressed; decompress it first".into()),
        Compression::Xz => return Err("xz-compressed; decompress it first".into()),
        Compression::Zip => return Err("zip archive; extract it first".into()),
    };
    Ok(Opened::Stream {
        reader,
        compression: c,
    })
}

/// Reads until `buf` is full or the input ends.
pub fn read_up_to<R: Read + ?Sized>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    match read_until_error(r, buf) {
        (_, Some(e)) => Err(e),
        (n, None) => Ok(n),
    }
}

/// As [`read_up_to`], keeping what was read before an error: the records
/// of a truncated stream before the damage are scanned, however large the
/// read that met it.
pub fn read_until_error<R: Read + ?Sized>(
    r: &mut R,
    buf: &mut [u8],
) -> (usize, Option<std::io::Error>) {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return (n, Some(e)),
        }
    }
    (n, None)
}

/// A reason for a stream error, naming truncated compressed data plainly.
pub fn stream_reason(e: &std::io::Error, c: Compression) -> String {
    match (e.kind(), c) {
        (std::io::ErrorKind::UnexpectedEof, Compression::Gzip) => "truncated gzip stream".into(),
        (std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData, Compression::Gzip) => {
            format!("corrupt gzip stream ({e})")
        }
        _ => io_reason(e),
    }
}

pub fn file_name(input: &InputRef) -> String {
    match input {
        InputRef::File(p) => p
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        InputRef::Stdin => "stdin".into(),
    }
}

pub fn path_of(input: &InputRef) -> Option<&Path> {
    match input {
        InputRef::File(p) => Some(p),
        InputRef::Stdin => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_numbers() {
        assert_eq!(compression(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(compression(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
        assert_eq!(compression(b"BZh9"), Compression::Bzip2);
        assert_eq!(compression(b"PK\x03\x04"), Compression::Zip);
        assert_eq!(compression(b"name,ssn"), Compression::None);
    }

    #[test]
    fn walk_reports_missing_paths() {
        let (files, skipped) = walk(&[PathBuf::from("/definitely/not/here")]);
        assert!(files.is_empty());
        assert_eq!(skipped[0].reason, "no such file or directory");
    }
}
