//! The JSON walker must reject or accept any bytes without panicking, and a
//! rejected line must leave no record (its begin is aborted). A walker that
//! has walked every input before (its tree of key paths grown, its guesses
//! made on other records) must give each value the path a fresh walker
//! gives it.
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

/// Every scalar with its key path.
#[derive(Default)]
struct Paths(Vec<(String, Vec<u8>)>);
impl RecordSink for Paths {
    fn begin(&mut self, _: u64) {}
    fn column(&mut self, _: usize, _: &[u8]) {}
    fn keyed(&mut self, k: &str, v: &[u8]) {
        self.0.push((k.to_string(), v.to_vec()));
    }
    fn text(&mut self, _: &[u8]) {}
    fn end(&mut self) {}
    fn oversize(&mut self, _: u64, _: usize) {}
}

thread_local! {
    static SEASONED: std::cell::RefCell<json::Walker> = std::cell::RefCell::new(json::Walker::new());
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
    let (mut fresh, mut seasoned) = (Paths::default(), Paths::default());
    let a = json::line(&mut json::Walker::new(), input, 0, &mut fresh);
    let b = SEASONED.with(|s| json::line(&mut s.borrow_mut(), input, 0, &mut seasoned));
    assert_eq!(a, b);
    assert_eq!(fresh.0, seasoned.0);
    let (mut fresh, mut seasoned) = (Paths::default(), Paths::default());
    let a = json::document(&mut json::Walker::new(), input, &mut fresh);
    let b = SEASONED.with(|s| json::document(&mut s.borrow_mut(), input, &mut seasoned));
    assert_eq!(a, b);
    assert_eq!(fresh.0, seasoned.0);
});
