//! Plain text and JSON Lines: a record is a line. Chunk boundaries are
//! newlines, found with memchr.

use super::RecordSink;
use super::json;

/// Record-aligned boundaries of `data[start..]` for line formats.
pub fn boundaries(data: &[u8], start: usize, chunk: usize) -> Vec<usize> {
    let len = data.len();
    let chunk = chunk.max(1);
    let mut out = vec![start];
    let mut t = start;
    while len - t > chunk {
        let target = t + chunk;
        match memchr::memchr(b'\n', &data[target - 1..]) {
            Some(k) => {
                t = target + k;
                if t < len {
                    out.push(t);
                }
            }
            None => break,
        }
    }
    out.push(len);
    out.dedup();
    out
}

fn lines(data: &[u8], start: usize, end: usize, mut f: impl FnMut(usize, &[u8])) {
    let mut p = start;
    while p < end {
        let e = memchr::memchr(b'\n', &data[p..end]).map_or(end, |k| p + k);
        let mut l = &data[p..e];
        if let Some(s) = l.strip_suffix(b"\r") {
            l = s;
        }
        if !l.iter().all(|b| b.is_ascii_whitespace()) {
            f(p, l);
        }
        p = e + 1;
    }
}

/// Text lines in `data[start..end]`; `base` is the file offset of
/// `data[0]`.
pub fn parse<S: RecordSink>(
    data: &[u8],
    start: usize,
    end: usize,
    base: u64,
    sink: &mut S,
    max_line: usize,
) {
    lines(data, start, end, |p, l| {
        if l.len() > max_line {
            sink.oversize(base + p as u64, l.len());
            return;
        }
        sink.begin(base + p as u64);
        sink.text(l);
        sink.end();
    });
}

/// JSON Lines in `data[start..end]`. A line that is not one JSON value is
/// scanned as text (so nothing in it is missed) and counted in the return
/// value so the report can say so.
pub fn parse_jsonl<S: RecordSink>(
    w: &mut json::Walker,
    data: &[u8],
    start: usize,
    end: usize,
    base: u64,
    sink: &mut S,
    max_line: usize,
) -> u64 {
    let mut bad = 0;
    lines(data, start, end, |p, l| {
        if l.len() > max_line {
            sink.oversize(base + p as u64, l.len());
            return;
        }
        if json::line(w, l, base + p as u64, sink).is_err() {
            bad += 1;
            sink.begin(base + p as u64);
            sink.text(l);
            sink.end();
        }
    });
    bad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_boundaries() {
        let d = b"aa\nbbbb\nc\n\ndd";
        for chunk in 1..20 {
            let b = boundaries(d, 0, chunk);
            assert_eq!(*b.first().unwrap(), 0);
            assert_eq!(*b.last().unwrap(), d.len());
            for &x in &b[1..b.len() - 1] {
                assert_eq!(d[x - 1], b'\n', "chunk {chunk}: {b:?}");
            }
        }
    }
}
