//! The JSON walker must reject or accept any bytes without panicking, and a
//! rejected line must leave no record (its begin is aborted).
#![no_main]

use bulkscan::records::{RecordSink, json};
use libfuzzer_sys::fuzz_target;

#[derive(Default)]
struct Count(usize, usize);
impl RecordSink for Count {
    fn begin(&mut self, _: u64) {
        self.0 += 1;
    }
    fn column(&mut self, _: usize, _: &[u8]) {}
    fn keyed(&mut self, _: &str, _: &[u8]) {
        self.1 += 1;
    }
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
    fn abort(&mut self) {
        self.0 -= 1;
    }
}

fuzz_target!(|input: &[u8]| {
    let mut w = json::Walker::new();
    let mut c = Count::default();
    let ok = json::line(&mut w, input, 0, &mut c).is_ok();
    if !ok {
        assert_eq!(c.0, 0);
    }
    assert_eq!(ok, json::is_complete_value(input));
    let _ = json::document(&mut w, input, &mut Count::default());
});
