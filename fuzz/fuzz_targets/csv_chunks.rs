//! Chunked CSV parsing must give exactly the records of a whole-file parse,
//! whatever the chunk size and delimiter (the builder settings are fuzzed
//! along with the bytes).
#![no_main]

use bulkscan::records::{RecordSink, csv};
use libfuzzer_sys::fuzz_target;

#[derive(Default, PartialEq, Debug)]
struct Rows(Vec<(u64, Vec<Vec<u8>>)>);

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
    assert_eq!(whole, pieces);
});
