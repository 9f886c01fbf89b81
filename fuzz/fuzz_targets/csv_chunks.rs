//! Chunked CSV parsing must give exactly the records of a whole-file parse,
//! whatever the chunk size and delimiter (the builder settings are fuzzed
//! along with the bytes); with guessed cuts, wherever no chunk but the last
//! ends inside a quoted field (the scan's check of a guess).
#![no_main]

use bulkscan::records::{RecordSink, csv};
use libfuzzer_sys::fuzz_target;

#[derive(Default, PartialEq, Debug)]
struct Rows(Vec<(u64, Vec<Vec<u8>>)>, bool);

impl RecordSink for Rows {
    fn begin(&mut self, o: u64) {
        self.0.push((o, Vec::new()));
    }
    fn column(&mut self, _: usize, v: &[u8]) {
        self.0.last_mut().unwrap().1.push(v.to_vec());
    }
    fn keyed(&mut self, _: &str, _: &[u8]) {}
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
    fn open_quote(&mut self) {
        self.1 = true;
    }
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 2 {
        return;
    }
    let chunk = 1 + input[0] as usize % 64;
    let delim = [b',', b'\t', b'|', b';'][input[1] as usize % 4];
    let data = &input[2..];
    let mut whole = Rows::default();
    csv::parse(data, 0, data.len(), delim, 0, &mut whole, usize::MAX);
    let mut pieces = Rows::default();
    let b = csv::boundaries(data, 0, delim, chunk);
    for w in b.windows(2) {
        csv::parse(data, w[0], w[1], delim, 0, &mut pieces, usize::MAX);
    }
    assert_eq!(whole.0, pieces.0);
    let probe = input[1] as usize / 4 % 16;
    if let Some(b) = csv::speculative_boundaries(data, 0, chunk, probe) {
        let mut guessed = Rows::default();
        let mut wrong = false;
        for w in b.windows(2) {
            guessed.1 = false;
            csv::parse(data, w[0], w[1], delim, 0, &mut guessed, usize::MAX);
            wrong |= guessed.1 && w[1] < data.len();
        }
        if !wrong {
            assert_eq!(whole.0, guessed.0);
        }
    }
});
