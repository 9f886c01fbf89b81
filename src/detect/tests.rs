//! Detector behaviour beyond the pattern-file examples: the cases named in
//! the issues, table-driven.

use super::*;

fn eng() -> Engine {
    Engine::builtin()
}

fn ids(e: &Engine, m: DetMask) -> Vec<String> {
    (0..e.len())
        .filter(|&i| m & bit(i) != 0)
        .map(|i| e.detector(i).id.clone())
        .collect()
}

fn text(e: &Engine, t: &str) -> Vec<String> {
    let mut r = RecordHits::default();
    e.scan_value(&ColumnCtx::text(), t.as_bytes(), &mut r);
    e.finish_geo(&mut r);
    ids(e, r.matched)
}

fn field(e: &Engine, f: &str, v: &str) -> Vec<String> {
    let mut r = RecordHits::default();
    e.scan_value(&e.column_ctx(f), v.as_bytes(), &mut r);
    e.finish_geo(&mut r);
    ids(e, r.matched)
}

#[test]
fn pattern_examples_pass() {
    let e = eng();
    let failures = check::run(&e);
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn invalid_ssns_never_match() {
    let e = eng();
    for bad in [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "999-12-3456",
        "536-00-3456",
        "536-12-0000",
    ] {
        assert!(text(&e, &format!("SSN {bad}")).is_empty(), "{bad}");
        let undashed = bad.replace('-', "");
        assert!(field(&e, "ssn", &undashed).is_empty(), "{undashed}");
    }
}

#[test]
fn nine_digits_need_ssn_context() {
    let e = eng();
    assert!(field(&e, "customer_ref", "536221234").is_empty());
    assert!(text(&e, "536221234").is_empty());
    assert_eq!(field(&e, "ssn", "536221234"), vec!["us_ssn"]);
    assert!(field(&e, "sku", "536-22-1234").is_empty());
}

#[test]
fn luhn_failing_cards_never_match() {
    let e = eng();
    for bad in [
        "4111111111111112",
        "5555 5555 5555 4443",
        "3782-822463-10006",
    ] {
        assert!(text(&e, bad).is_empty(), "{bad}");
    }
    assert_eq!(text(&e, "x,4111111111111111,y"), vec!["payment_card"]);
}

#[test]
fn imei_is_not_a_card() {
    let e = eng();
    assert_eq!(field(&e, "imei", "490154203237518"), vec!["imei"]);
    assert!(!text(&e, "490154203237518").contains(&"payment_card".to_string()));
}

#[test]
fn geo_precision() {
    let e = eng();
    let rec = |lat: &str, lon: &str| {
        let mut r = RecordHits::default();
        e.scan_value(&e.column_ctx("lat"), lat.as_bytes(), &mut r);
        e.scan_value(&e.column_ctx("lon"), lon.as_bytes(), &mut r);
        e.finish_geo(&mut r);
        ids(&e, r.matched)
    };
    assert_eq!(rec("40.713", "-74.006"), vec!["geo_coordinates"]);
    assert!(rec("40.71", "-74.01").is_empty());
    // 3 decimals of latitude with 2 of longitude: at 60 degrees north the
    // longitude cell is 1113 m * cos(60) = 557 m, so the point is precise.
    assert_eq!(rec("60.123", "10.12"), vec!["geo_coordinates"]);
    assert!(rec("10.123", "10.12").is_empty());
    assert!(rec("91.0000", "10.0000").is_empty());
}

#[test]
fn emails_phones_and_networks() {
    let e = eng();
    assert_eq!(text(&e, "mail me: a.b@example.org"), vec!["email_address"]);
    assert_eq!(text(&e, "(415) 555-2671"), vec!["us_phone"]);
    assert_eq!(text(&e, "ip 10.0.0.1"), vec!["ipv4_address"]);
    assert_eq!(text(&e, "mac 3c:22:fb:12:34:56"), vec!["mac_address"]);
}

#[test]
fn split_groups_find_values_side_by_side() {
    let e = eng();
    assert_eq!(text(&e, "qty 12 4111 1111 1111 1111"), vec!["payment_card"]);
}
