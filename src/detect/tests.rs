//! Detector behaviour beyond the pattern-file examples: the cases named in
//! the issues, table-driven.

use super::*;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};

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

fn has(v: &[String], id: &str) -> bool {
    v.iter().any(|x| x == id)
}

fn luhn_complete(body: &str) -> String {
    let c = validate::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{c}")
}

fn record(e: &Engine, fields: &[(&str, &str)]) -> Vec<String> {
    let mut r = RecordHits::default();
    for (k, v) in fields {
        e.scan_value(&e.column_ctx(k), v.as_bytes(), &mut r);
    }
    e.finish_geo(&mut r);
    ids(e, r.matched)
}

/// The catalog covers every listed-identifier class and every category,
/// with at least 30 detectors (issue #3's bar).
#[test]
fn catalog_covers_every_class_and_category() {
    use crate::category::{Category, IdClass};
    let e = eng();
    assert!(e.len() >= 30, "{} detectors", e.len());
    for k in IdClass::ALL {
        assert!(
            e.catalog.detectors.iter().any(|d| d.class == Some(k)),
            "no detector for class ({})",
            k.letter()
        );
    }
    for c in Category::ALL {
        assert!(
            e.catalog
                .detectors
                .iter()
                .any(|d| d.category == c && !d.supporting),
            "no detector for {c}"
        );
    }
    for d in &e.catalog.detectors {
        assert!(!d.reference.is_empty() && !d.explain.is_empty(), "{}", d.id);
        if d.strength.is_some() {
            assert!(d.identity != IdentityKind::None, "{}", d.id);
        }
    }
}

// ------------------------------------------------------ peer failure modes

/// Presidio accepted 9xx areas as SSNs for years. A 9xx number is an ITIN
/// when its group is an ITIN group, and nothing otherwise, whatever the
/// context.
#[test]
fn nine_hundred_areas_are_never_ssns() {
    let e = eng();
    for (v, itin) in [
        ("900-70-1234", true),
        ("912-50-1234", true),
        ("999-99-1234", true),
        ("987-65-4321", false), // the SSA's advertising block
        ("987-88-1234", true),
        ("912-22-1234", false),
        ("900-93-1234", false),
        ("900-89-1234", false),
        ("950-00-1234", false),
    ] {
        // Under SSN context a 9xx number is nothing: SSN fields full of
        // 9xx values hold filler, not ITINs.
        for t in [format!("SSN {v}"), format!("social security number: {v}")] {
            assert!(text(&e, &t).is_empty(), "{t}");
        }
        assert!(field(&e, "ssn", &v.replace('-', "")).is_empty(), "{v}");
        for t in [format!("ITIN {v}"), format!("taxpayer id: {v}")] {
            let got = text(&e, &t);
            assert!(!has(&got, "us_ssn"), "{t}: {got:?}");
            assert_eq!(has(&got, "us_itin"), itin, "{t}: {got:?}");
        }
    }
}

/// Presidio flags 9-digit ABA routing numbers as SSNs. These routing
/// numbers are also valid SSN layouts; under routing context they are
/// routing numbers only, and alone they are nothing.
#[test]
fn routing_numbers_are_not_ssns() {
    let e = eng();
    for aba in [
        "256074974",
        "314074269",
        "322271627",
        "021000021",
        "011000015",
    ] {
        assert!(validate::aba_valid(aba.as_bytes()), "{aba}");
        assert_eq!(field(&e, "routing_number", aba), vec!["aba_routing"]);
        assert_eq!(field(&e, "aba", aba), vec!["aba_routing"]);
        assert_eq!(text(&e, &format!("routing {aba}")), vec!["aba_routing"]);
        assert_eq!(text(&e, &format!("ABA/RTN: {aba}")), vec!["aba_routing"]);
        assert!(text(&e, aba).is_empty(), "{aba}");
        assert!(field(&e, "id", aba).is_empty(), "{aba}");
    }
}

/// A routing number is supporting evidence only: it makes no record
/// personal financial data or a listed identifier by itself.
#[test]
fn routing_numbers_are_supporting_evidence_only() {
    let e = eng();
    let d = e.catalog.get("aba_routing").unwrap();
    assert!(d.supporting);
    assert_eq!(d.class, None);
    assert_eq!(d.strength, None);
    assert_eq!(d.sensitive_category(), None);
    let counts = count_rows(
        &e,
        None,
        &[&[("routing_number", "021000021"), ("note", "hello")]],
    );
    assert!(counts.iter().all(|&(_, n)| n == 0), "{counts:?}");
}

/// Several scanners flag every Luhn-valid IMEI as a card. No IMEI is a
/// card: no network issues 15-digit PANs under the IMEI reporting bodies.
#[test]
fn luhn_valid_imeis_are_never_cards() {
    let e = eng();
    let mut n = 0;
    for rb in [
        "01", "10", "30", "33", "35", "44", "45", "49", "50", "51", "52", "53", "54", "86", "91",
        "98", "99",
    ] {
        for k in 0..40u64 {
            let body = format!("{rb}{:012}", k * 7_919_993 + 1_234_567);
            let imei = luhn_complete(&body);
            assert!(validate::imei_valid(imei.as_bytes()), "{imei}");
            for t in [
                imei.clone(),
                format!("x,{imei},y"),
                format!("IMEI {imei}"),
                format!("card {imei}"),
            ] {
                assert!(!has(&text(&e, &t), "payment_card"), "{t}");
            }
            assert_eq!(field(&e, "imei", &imei), vec!["imei"], "{imei}");
            n += 1;
        }
    }
    assert!(n > 600);
    // Maestro's 5018/5020/5038 ranges take any length 12-19, so a 15-digit
    // IMEI under one of those old reporting-body-50 TACs is genuinely both;
    // IMEI context decides it.
    let both = luhn_complete("50180000123456");
    assert!(validate::card_valid(both.as_bytes()));
    assert_eq!(field(&e, "imei", &both), vec!["imei"]);
    assert_eq!(text(&e, &format!("IMEI {both}")), vec!["imei"]);
    // A 16-digit IMEISV has no check digit; one in ten is Luhn-valid and
    // some sit in a card range (JCB 3528-3589): under a device column it is
    // not a card.
    let sv = luhn_complete("353000000123451");
    assert!(validate::card_valid(sv.as_bytes()));
    for col in ["imeisv", "device_imeisv", "imei_sv", "tac"] {
        assert!(!has(&field(&e, col, &sv), "payment_card"), "{col}");
    }
}

/// Every network and length: 19-digit Visa, 2-series Mastercard, 12-digit
/// Maestro, and after a CSV comma, in JSON, grouped with spaces or dashes.
#[test]
fn cards_of_every_network_and_length() {
    let e = eng();
    let bodies = [
        "411111111111",       // Visa 13
        "411111111111111",    // Visa 16
        "400000000000000000", // Visa 19
        "222100000000000",    // Mastercard 2-series
        "272099999999999",    // Mastercard 2-series top
        "555555555555444",    // Mastercard 51-55
        "37828224631000",     // Amex 15
        "601100000000000",    // Discover 16
        "601100000000000000", // Discover 19
        "353011133330000",    // JCB
        "3056930902590",      // Diners 14
        "62000000000000000",  // UnionPay 18
        "67590000000",        // Maestro 12
        "501800000000000",    // Maestro 16
        "630400000000000000", // Maestro 19
        "220000000000000",    // Mir
    ];
    for b in bodies {
        let pan = luhn_complete(b);
        assert!(validate::card_valid(pan.as_bytes()), "{pan}");
        // The groupings printed on cards of each length.
        let groups: &[usize] = match pan.len() {
            12 => &[4, 4, 4],
            13 => &[4, 3, 3, 3],
            14 => &[4, 6, 4],
            15 => &[4, 6, 5],
            16 => &[4, 4, 4, 4],
            17 => &[4, 4, 4, 5],
            18 => &[4, 4, 4, 6],
            _ => &[4, 4, 4, 4, 3],
        };
        let mut parts = Vec::new();
        let mut at = 0;
        for &g in groups {
            parts.push(&pan[at..at + g]);
            at += g;
        }
        let spaced = parts.join(" ");
        let dashed = parts.join("-");
        for t in [
            pan.clone(),
            format!("a,b,{pan},c"),
            format!(",{pan}"),
            format!("{{\"pan\":\"{pan}\"}}"),
            format!("paid with {spaced} today"),
            format!("card: {dashed}"),
            format!("x;{pan}\t"),
        ] {
            assert!(
                has(&text(&e, &t), "payment_card"),
                "{t}: {:?}",
                text(&e, &t)
            );
        }
    }
    // Wrong length for the network, or Luhn off by one.
    for bad in ["41111111111111111", "3782822463100050", "6759000000001"] {
        assert!(!has(&text(&e, bad), "payment_card"), "{bad}");
    }
}

/// One card detector in the wild never fired after a CSV comma; ours must
/// give the same answer whatever the delimiter.
#[test]
fn delimiters_do_not_hide_values() {
    let e = eng();
    for sep in [",", ";", "\t", "|", " ", "\"", "'", "(", "[", "=", ":"] {
        let t = format!("x{sep}4111111111111111{sep}536-22-1234{sep}jane@example.com{sep}y");
        let got = text(&e, &t);
        for want in ["payment_card", "us_ssn", "email_address"] {
            assert!(has(&got, want), "{sep:?}: {got:?}");
        }
    }
}

// ----------------------------------------------------------- context rules

#[test]
fn keywords_match_with_any_separator() {
    let e = eng();
    for t in [
        "social security number 536221234",
        "social-security-number 536221234",
        "social_security_number: 536221234",
        "socialsecurity 536221234",
    ] {
        assert_eq!(text(&e, t), vec!["us_ssn"], "{t}");
    }
    for t in [
        "driver's license D1234567",
        "drivers license D1234567",
        "driver-license D1234567",
    ] {
        assert_eq!(text(&e, t), vec!["drivers_license"], "{t}");
    }
}

#[test]
fn column_names_give_and_veto_context() {
    let e = eng();
    let cases: &[(&str, &str, &[&str])] = &[
        ("ssn", "536221234", &["us_ssn"]),
        ("order_id", "536221234", &[]),
        ("sku", "536-22-1234", &[]),
        ("customer.ssn", "536-22-1234", &["us_ssn"]),
        ("account_number", "000123456789", &["bank_account"]),
        ("customer_account_number", "000123456789", &[]),
        ("passport_no", "A12345678", &["us_passport"]),
        ("dl_number", "A1234567", &["drivers_license"]),
        ("license_plate", "A1234567", &[]),
        ("alien_number", "A123456789", &["alien_number"]),
        (
            "idfa",
            "6D92078A-8246-4BA4-AE5B-76104861E7DC",
            &["mobile_ad_id"],
        ),
        ("request_id", "6D92078A-8246-4BA4-AE5B-76104861E7DC", &[]),
        ("imsi", "310150123456789", &["imsi"]),
        ("username", "jdoe42", &["username"]),
        ("password", "hunter2!", &["password"]),
        ("password_reset_at", "2024-01-01", &[]),
        ("cookie_id", "GA1.2.1234567890.1700000000", &["cookie_id"]),
        ("call_duration", "00:03:21", &["call_detail_record"]),
        ("geohash", "dr5regw", &["geohash"]),
        ("geohash", "dr5reg", &[]),
    ];
    for &(col, v, want) in cases {
        assert_eq!(field(&e, col, v), want, "{col}={v}");
    }
}

#[test]
fn phone_numbers_with_extensions_and_in_text() {
    let e = eng();
    for t in [
        "212-867-5309 x123",
        "212-867-5309x123",
        "(212) 867-5309 ext. 45",
        "(212) 867-5309 ext.45",
        "+1 212 867 5309 ext 7",
        "2128675309ext45",
        "call me at 2128675309",
        "sms 2128675309 please",
        "tel:+12128675309",
    ] {
        assert_eq!(text(&e, t), vec!["us_phone"], "{t}");
    }
    for t in [
        "2128675309",
        "212-867-5309abc",
        "id 2128675309",
        "4111111111111111x2",
    ] {
        assert!(text(&e, t).is_empty(), "{t}");
    }
}

#[test]
fn decimal_pairs_need_location_context() {
    let e = eng();
    assert!(text(&e, "ratio=0.29,0.09").is_empty());
    assert!(text(&e, "scores 40.7128, -74.0060").is_empty());
    assert_eq!(
        text(&e, "location: 40.7128, -74.0060"),
        vec!["geo_coordinates"]
    );
    assert_eq!(
        field(&e, "latlng", "40.7128,-74.0060"),
        vec!["geo_coordinates"]
    );
    assert!(field(&e, "ratio", "40.7128,-74.0060").is_empty());
}

// --------------------------------------------------------------- health

#[test]
fn icd10_codes_need_the_list_and_context() {
    let e = eng();
    for (col, v, hit) in [
        ("diagnosis_code", "E11.9", true),
        ("dx", "e119", true),
        ("icd10", "S72.001A", true),
        ("icd_10_cm", "QA0.0159", true),
        ("diagnosis_code", "E11.99", false),
        ("diagnosis_code", "A10", false),
        ("diagnosis_code", "E11.", true), // E11 and a full stop
        ("room", "E11.9", false),
        ("product_code", "E11.9", false),
    ] {
        assert_eq!(has(&field(&e, col, v), "icd10_code"), hit, "{col}={v}");
    }
    let got = text(&e, "dx: E11.9; I10 and J45.909");
    assert!(has(&got, "icd10_code"), "{got:?}");
    let mut r = RecordHits::default();
    e.scan_value(
        &ColumnCtx::text(),
        b"Diagnoses: E11.9, I10, J45.909, C50.911",
        &mut r,
    );
    let codes: Vec<&[u8]> = r.hits.iter().map(|h| r.value(h)).collect();
    assert_eq!(codes, vec![&b"E119"[..], b"I10", b"J45909", b"C50911"]);
    assert!(text(&e, "gate E11.9 at terminal").is_empty());
}

#[test]
fn medicare_and_drug_codes() {
    let e = eng();
    assert_eq!(text(&e, "1EG4-TE5-MK73"), vec!["medicare_mbi"]);
    assert!(text(&e, "1EG4TE5MK73").is_empty());
    assert_eq!(text(&e, "medicare id 1EG4TE5MK73"), vec!["medicare_mbi"]);
    assert_eq!(field(&e, "ndc", "50090-347-02"), vec!["ndc_code"]);
    assert_eq!(field(&e, "ndc", "00006027701"), vec!["ndc_code"]);
    assert!(text(&e, "50090-347-02").is_empty());
}

#[test]
fn clinical_and_fitness_fields() {
    let e = eng();
    let cases: &[(&str, &str, &str, bool)] = &[
        ("medication", "Lisinopril 10 mg", "clinical_record", true),
        ("allergies", "Peanuts", "clinical_record", true),
        ("pet_allergies", "Chicken", "clinical_record", false),
        ("weight", "81 kg", "vital_signs", true),
        ("shipping_weight", "81", "vital_signs", false),
        ("blood_pressure", "118/76", "vital_signs", true),
        ("steps", "8800", "fitness_activity", true),
        ("pipeline_steps", "4", "fitness_activity", false),
        ("copay", "25.00", "health_payment", true),
    ];
    for &(col, v, det, hit) in cases {
        assert_eq!(has(&field(&e, col, v), det), hit, "{col}={v}");
    }
}

// ------------------------------------------------------------ biometric

#[test]
fn biometric_templates_and_embeddings() {
    let e = eng();
    for t in [
        "FMR\0 20\0\0\0\x01\x04",
        "FAC\x00010\x00",
        "IIR\x00010\x00",
        "FIR\x00010\x00",
        "tmpl=Rk1SACAyMAAAAADkAAABLAGQAMUAxQEAAAAQHkCAAG0AAF1AQAA",
        "RkFDADAxMAAAAAJ8AAEAAAJuAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "464D520020323000000000E40000012C01900000",
        "1.001:245\x1d1.002:0500\x1d1.003:1",
        "MS4wMDE6MTIzHTEuMDAyOjA0MDA=",
    ] {
        assert_eq!(text(&e, t), vec!["biometric_template"], "{t:?}");
    }
    for t in [
        "FMR form",
        "Rk1SA",
        "1.001: intro",
        "https://x.example/face.jpg",
    ] {
        assert!(text(&e, t).is_empty(), "{t:?}");
    }
    let vec128: Vec<String> = (0..128)
        .map(|i| format!("{:.4}", (i as f64).sin()))
        .collect();
    let v = format!("[{}]", vec128.join(", "));
    for col in [
        "face_embedding",
        "faceprint",
        "voiceprint",
        "iris_code",
        "fingerprint_template",
    ] {
        assert_eq!(field(&e, col, &v), vec!["biometric_embedding"], "{col}");
    }
    for col in [
        "embedding",
        "device_fingerprint",
        "doc_vector",
        "face_bbox",
        "font_face",
    ] {
        assert!(!has(&field(&e, col, &v), "biometric_embedding"), "{col}");
    }
    // A photo URL is not a biometric identifier, in any face column.
    for col in ["face", "face_image", "face_photo", "fingerprint", "iris"] {
        let got = field(&e, col, "https://cdn.example.com/faces/u123.jpg");
        assert!(
            got.iter().all(|d| e.catalog.get(d).unwrap().category
                != crate::category::Category::BiometricIdentifiers),
            "{col}: {got:?}"
        );
    }
}

// ----------------------------------------------------------------- 'omic

fn probes(n: usize) -> Vec<(String, String)> {
    (0..n)
        .map(|i| (format!("cg{:08}", 29 + i * 79), format!("0.{:02}", i % 100)))
        .collect()
}

/// Systems-level scale: 19 distinct features are a measurement, 20 are a
/// profile; repeats do not count twice.
#[test]
fn omic_needs_systems_level_scale() {
    let e = eng();
    for (n, hit) in [(1, false), (19, false), (20, true), (500, true)] {
        let p = probes(n);
        let mut fields: Vec<(&str, &str)> = vec![("sample_id", "S1")];
        fields.extend(p.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(
            has(&record(&e, &fields), "methylation_profile"),
            hit,
            "{n} columns"
        );
        let line: Vec<String> = p.iter().map(|(k, v)| format!("{k}\t{v}")).collect();
        assert_eq!(
            has(&text(&e, &line.join("\t")), "methylation_profile"),
            hit,
            "{n} in text"
        );
    }
    // Ids without values are an annotation.
    let ids_only: Vec<String> = probes(50).into_iter().map(|(k, _)| k).collect();
    assert!(text(&e, &ids_only.join(" ")).is_empty());
    // The same probe fifty times is one feature.
    let same = vec!["cg00000029 0.5"; 50].join(" ");
    assert!(text(&e, &same).is_empty());
    // Non-numeric values under feature columns are not measurements.
    let p = probes(30);
    let fields: Vec<(&str, &str)> = p.iter().map(|(k, _)| (k.as_str(), "high")).collect();
    assert!(record(&e, &fields).is_empty());
    // JSON key paths and versioned Ensembl ids.
    let genes: Vec<(String, String)> = (0..25)
        .map(|i| {
            (
                format!("expr.ENSG{:011}.{}", 3 + i * 11, i % 9 + 1),
                format!("{i}.5"),
            )
        })
        .collect();
    let fields: Vec<(&str, &str)> = genes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(record(&e, &fields), vec!["expression_profile"]);
}

#[test]
fn omic_feature_names() {
    for ok in [
        "cg00000029",
        "ENSG00000141510",
        "ENSG00000141510.12",
        "expr.ENST00000269305.9",
        "P04637",
        "P04637-2",
        "A0A024RBG1",
        "ENSP00000269305",
    ] {
        assert!(is_omic_feature_name(ok.as_bytes()), "{ok}");
    }
    for bad in [
        "cg0000002",
        "ENSG0000014151",
        "sample_id",
        "P04637-x",
        "cg00000029x",
        "TP53",
    ] {
        assert!(!is_omic_feature_name(bad.as_bytes()), "{bad}");
    }
}

// --------------------------------------------------------------- counting

/// Runs rows through detection and `finish_record`, like a scan, and
/// returns (category, count).
fn count_rows(
    e: &Engine,
    person_key: Option<&str>,
    rows: &[&[(&str, &str)]],
) -> Vec<(crate::category::Category, u64)> {
    use crate::count::{CountConfig, Tally, UsPolicy, finish_record};
    use crate::identity::{IdentityKey, IdentityMode};
    let cfg = CountConfig {
        key: IdentityKey::default(),
        person: match person_key {
            Some(k) => IdentityMode::Key(k.to_string()),
            None => IdentityMode::Auto,
        },
        device_key: None,
        us: UsPolicy::Assume,
        geofence: None,
    };
    let mut t = Tally::new(e.len(), 1_000_000);
    let mut r = RecordHits::default();
    for (i, row) in rows.iter().enumerate() {
        r.clear();
        for (k, v) in row.iter() {
            let mut c = e.column_ctx(k);
            c.person_key = Some(*k) == person_key;
            e.scan_value(&c, v.as_bytes(), &mut r);
        }
        finish_record(e, &cfg, &mut r, b"test", i as u64, &mut t);
    }
    t.settle();
    crate::category::Category::ALL
        .iter()
        .map(|&c| (c, t.count(c).0))
        .collect()
}

fn count_of(counts: &[(crate::category::Category, u64)], c: crate::category::Category) -> u64 {
    counts.iter().find(|x| x.0 == c).unwrap().1
}

/// Known truth, the shapes of issue #3's acceptance data: ICD-10 codes in a
/// diagnosis column keyed by member (several rows per member, some codes
/// invalid), face templates keyed by person, device ids linked to contact
/// data, IBAN and bank-account data.
#[test]
fn exact_counts_on_known_truth() {
    use crate::category::Category as C;
    let e = eng();
    let codes = ["E11.9", "I10", "J45.909", "F32.A", "Z79.4", "E78.5"];
    let members: Vec<String> = (0..300).map(|i| format!("M{i:05}")).collect();
    let mut owned: Vec<Vec<(String, String)>> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        for k in 0..(1 + i % 3) {
            // Members 0, 10, 20, ... have only invalid codes: not counted.
            let code = if i % 10 == 0 {
                "E11.99"
            } else {
                codes[(i + k) % codes.len()]
            };
            owned.push(vec![
                ("member_id".into(), m.clone()),
                ("diagnosis_code".into(), code.into()),
            ]);
        }
    }
    let rows: Vec<Vec<(&str, &str)>> = owned
        .iter()
        .map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
    let c = count_rows(&e, Some("member_id"), &rows);
    assert_eq!(count_of(&c, C::PersonalHealth), 270);
    assert_eq!(count_of(&c, C::CoveredPersonalIdentifiers), 0);

    // Face templates keyed by person; a photo URL row adds nobody.
    let mut owned = Vec::new();
    for i in 0..150 {
        let emb: Vec<String> = (0..32)
            .map(|k| format!("{:.3}", ((i * 32 + k) as f64).cos()))
            .collect();
        owned.push(vec![
            ("person_id".to_string(), format!("P{i}")),
            ("face_embedding".to_string(), emb.join(",")),
        ]);
        owned.push(vec![
            ("person_id".to_string(), format!("Q{i}")),
            (
                "face_image_url".to_string(),
                format!("https://cdn.example.com/{i}.jpg"),
            ),
        ]);
    }
    let rows: Vec<Vec<(&str, &str)>> = owned
        .iter()
        .map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
    let c = count_rows(&e, Some("person_id"), &rows);
    assert_eq!(count_of(&c, C::BiometricIdentifiers), 150);

    // Device ids linked to contact data are CPI; a bare device list is not.
    let mut owned = Vec::new();
    for i in 0..200u64 {
        let imei = luhn_complete(&format!("35{:012}", 100_000 + i * 37));
        let mac = format!(
            "3c:22:fb:{:02x}:{:02x}:{:02x}",
            i % 256,
            (i * 7) % 256,
            (i * 13) % 256 + 1
        );
        let mut row = vec![("imei".to_string(), imei), ("mac".to_string(), mac)];
        if i < 120 {
            row.push(("email".to_string(), format!("user{i}@example.com")));
        }
        owned.push(row);
    }
    let rows: Vec<Vec<(&str, &str)>> = owned
        .iter()
        .map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
    let c = count_rows(&e, None, &rows);
    // IMEI + MAC are two listed identifiers of class (c): CPI for all 200.
    assert_eq!(count_of(&c, C::CoveredPersonalIdentifiers), 200);
    let only_imei: Vec<Vec<(&str, String)>> = (0..50u64)
        .map(|i| vec![("imei", luhn_complete(&format!("35{:012}", 900_000 + i)))])
        .collect();
    let rows: Vec<Vec<(&str, &str)>> = only_imei
        .iter()
        .map(|r| r.iter().map(|(k, v)| (*k, v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
    let c = count_rows(&e, None, &rows);
    assert_eq!(count_of(&c, C::CoveredPersonalIdentifiers), 0);

    // IBAN and bank accounts: financial per person; routing numbers alone
    // add nobody.
    let ibans = [
        "DE89370400440532013000",
        "GB82WEST12345698765432",
        "FR1420041010050500013M02606",
    ];
    let mut owned = Vec::new();
    for i in 0..90 {
        let mut row = vec![("customer".to_string(), format!("C{i}"))];
        match i % 3 {
            0 => row.push(("iban".to_string(), ibans[(i / 3) % 3].to_string())),
            1 => {
                row.push(("routing_number".to_string(), "021000021".to_string()));
                row.push((
                    "account_number".to_string(),
                    format!("{:010}", 5_000_000 + i),
                ));
            }
            _ => row.push(("routing_number".to_string(), "011000015".to_string())),
        }
        owned.push(row);
    }
    let rows: Vec<Vec<(&str, &str)>> = owned
        .iter()
        .map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
        .collect();
    let rows: Vec<&[(&str, &str)]> = rows.iter().map(|r| r.as_slice()).collect();
    let c = count_rows(&e, Some("customer"), &rows);
    assert_eq!(count_of(&c, C::PersonalFinancial), 60);
}

#[test]
fn government_ids_in_text() {
    let e = eng();
    let cases: &[(&str, &str)] = &[
        ("passport number 512345678", "us_passport"),
        ("Passport: C03005988", "us_passport"),
        ("DL# D1234567", "drivers_license"),
        ("alien registration number A123456789", "alien_number"),
        ("ITIN 912-70-1234", "us_itin"),
        ("wire to acct no. 4410220399", "bank_account"),
        ("IMSI 310150123456789", "imsi"),
        ("SIM 8901260222207700960", "iccid"),
        ("username: sunny_77", "username"),
        ("login=jane.doe99 ok", "username"),
        ("FL driver license D123-4567-8901-2.", "drivers_license"),
    ];
    for &(t, want) in cases {
        assert_eq!(text(&e, t), vec![want], "{t}");
    }
    for t in ["512345678", "C03005988", "D1234567", "A123456789"] {
        assert!(text(&e, t).is_empty(), "{t}");
    }
}

/// Regression: a spaced card number failing Luhn was retried as sub-spans,
/// and its first twelve digits could pass as a Maestro card (found on a
/// generated 1.5M-row people file: one extra card).
#[test]
fn failed_card_layout_is_not_split_into_a_maestro() {
    let e = eng();
    // Find a 16-digit Luhn-invalid number whose first 12 digits are a
    // Luhn-valid Maestro (IIN 6759), printed in groups of four.
    let mut found = 0;
    for x in 0..2000u64 {
        let body = format!("6759{:08}", 10_000_000 + x * 7919 % 89_999_999);
        if !validate::card_valid(body.as_bytes()) {
            continue;
        }
        let full = format!("{body}0001");
        if validate::luhn_valid(full.as_bytes()) {
            continue;
        }
        let printed = format!(
            "{} {} {} {}",
            &full[..4],
            &full[4..8],
            &full[8..12],
            &full[12..]
        );
        assert!(text(&e, &printed).is_empty(), "{printed}");
        found += 1;
    }
    assert!(found > 10);
    assert_eq!(text(&e, "qty 12 4111 1111 1111 1111"), vec!["payment_card"]);
}

/// Regressions found by the detector benchmark's asserted counts: an
/// all-letter MAC with dashes or Cisco dots was skipped by the short-value
/// prefilter, and a corrupted IBAN printed in groups was read as a card.
#[test]
fn letter_only_macs_and_corrupted_ibans() {
    let e = eng();
    for mac in ["ee-ee-fc-cf-ec-fc", "DEBC.FBAF.FDFC", "debc.fbaf.fdfc"] {
        assert_eq!(field(&e, "mac_address", mac), vec!["mac_address"], "{mac}");
    }
    assert!(field(&e, "iban", "DE62 8105 0701 6749 1141 04").is_empty());
    assert!(text(&e, "iban DE62 8105 0701 6749 1141 04").is_empty());
}

/// A value with more e-mails than the stack holds spills correctly: every
/// address is found once and nothing inside them is read as another id.
#[test]
fn many_emails_in_one_value() {
    let e = eng();
    let v: Vec<String> = (0..20)
        .map(|i| format!("user{i}536221234@example.com"))
        .collect();
    let mut r = RecordHits::default();
    e.scan_value(&ColumnCtx::text(), v.join(", ").as_bytes(), &mut r);
    assert_eq!(r.hits.len(), 20);
    assert_eq!(ids(&e, r.matched), vec!["email_address"]);
}

/// The first-byte gate in `is_placeholder` must let every placeholder
/// through, in any case.
#[test]
fn placeholders_pass_the_first_byte_gate() {
    for p in [
        "null",
        "NULL",
        "None",
        "nil",
        "NA",
        "n/a",
        "NaN",
        "-",
        "--",
        "?",
        "unknown",
        "REDACTED",
        "[redacted]",
        "xxx",
        "***",
        "0",
        "\"\"",
        "undefined",
        "Empty",
    ] {
        assert!(super::is_placeholder(p.as_bytes()), "{p}");
    }
    for p in ["nancy", "0123", "xx", "a", "", "unknowns"] {
        assert!(!super::is_placeholder(p.as_bytes()), "{p}");
    }
}

/// The packed facts counting reads are the detector's own, for every
/// built-in detector (and the one NANP matcher is the one flagged).
#[test]
fn packed_facts_are_the_detectors() {
    let e = eng();
    for i in 0..e.len() {
        let (d, f) = (e.detector(i), e.facts(i));
        assert_eq!(f.sensitive, d.sensitive_category(), "{}", d.id);
        assert_eq!(f.class, d.class, "{}", d.id);
        assert_eq!(f.identity, d.identity, "{}", d.id);
        assert_eq!(f.strength, d.strength, "{}", d.id);
        assert_eq!(f.us_evidence, d.us_evidence, "{}", d.id);
        assert_eq!(f.nanp, d.matcher == Matcher::PhoneNanp, "{}", d.id);
    }
    assert!((0..e.len()).any(|i| e.facts(i).nanp));
}

/// `value_digest_at` of a value alone, padded as a record's arena is.
fn value_digest(v: &[u8]) -> u64 {
    let buf = [v, &[0; DIGEST_PAD]].concat();
    value_digest_at(&buf, 0, v.len())
}

/// The digest as first written: the tail copied into a zeroed word.
fn value_digest_reference(v: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    const FOLD: u64 = 0xDFDF_DFDF_DFDF_DFDF;
    let mut h = (v.len() as u64).wrapping_mul(K);
    for w in v.chunks(8) {
        let mut b = [0u8; 8];
        b[..w.len()].copy_from_slice(w);
        h = (h ^ (u64::from_le_bytes(b) & FOLD))
            .wrapping_mul(K)
            .rotate_left(31);
    }
    h ^ (h >> 29)
}

#[test]
fn value_digest_of_every_tail_length() {
    let v: Vec<u8> = (0u8..40)
        .map(|i| i.wrapping_mul(37).wrapping_add(0x81))
        .collect();
    for n in 0..=v.len() {
        assert_eq!(
            value_digest(&v[..n]),
            value_digest_reference(&v[..n]),
            "{n}"
        );
    }
}

/// The e-mail span search as it was before it used slice searches and
/// skipped finding the `@` again.
fn email_at_reference(v: &[u8], at: usize) -> Option<(usize, usize)> {
    let local = |b: u8| validate::MAIL_CLASS[b as usize] & validate::MAIL_LOCAL_SPAN != 0;
    let domain = |b: u8| validate::MAIL_CLASS[b as usize] & validate::MAIL_DOMAIN_SPAN != 0;
    let mut s = at;
    while s > 0 && local(v[s - 1]) && at - s < 64 {
        s -= 1;
    }
    while s < at && v[s] == b'.' {
        s += 1;
    }
    let mut e = at + 1;
    while e < v.len() && domain(v[e]) && e - at < 256 {
        e += 1;
    }
    while e > at + 1 && matches!(v[e - 1], b'.' | b'-') {
        e -= 1;
    }
    if s == at || e <= at + 1 {
        return None;
    }
    validate::email_valid(&v[s..e]).then_some((s, e))
}

/// Dates the in-place reads take, at the edges of month-first and
/// day-first, and the general parser on each.
#[test]
fn date_fast_paths_table() {
    for (v, want) in [
        ("1980-05-13", Some((1980, 5, 13))),
        ("05/13/1980", Some((1980, 5, 13))),
        ("12/05/1980", Some((1980, 12, 5))),
        ("12/12/1980", Some((1980, 12, 12))),
        ("13/05/1980", Some((1980, 5, 13))),
        ("31-12-1999", Some((1999, 12, 31))),
        ("12.31.1999", Some((1999, 12, 31))),
        ("00/10/1980", None),
        ("13/13/1980", None),
        ("05/13/1899", None),
        ("05/13-1980", Some((1980, 5, 13))),
        ("05 13 1980", Some((1980, 5, 13))),
    ] {
        assert_eq!(lex::parse_date(v.as_bytes()), want, "{v}");
        assert_eq!(lex::parse_date_general(v.as_bytes()), want, "{v}");
    }
}

proptest::proptest! {
    /// Every `@` of a value gives the span the reference search gives, for
    /// mailbox-like text and for runs past the 64 and 255 byte limits.
    #[test]
    fn email_spans_match_reference(
        v in "([a-z0-9._%+-]{0,70}@[a-z0-9.-]{0,12}(\\.[a-z]{0,5})?[ ,;]?){1,3}|[ -~]{0,40}|[a-z.]{60,70}@[a-z]{1,3}\\.[a-z]{2,3}|a@[a-z.-]{250,260}",
    ) {
        let v = v.as_bytes();
        for at in memchr::memchr_iter(b'@', v) {
            proptest::prop_assert_eq!(lex::email_at(v, at), email_at_reference(v, at));
        }
    }

    /// The masked tail load gives the zero-padded word.
    #[test]
    fn value_digest_matches_reference(v in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
        proptest::prop_assert_eq!(value_digest(&v), value_digest_reference(&v));
    }

    /// The block and word lowering is the standard library's, for every
    /// length around the block and word sizes and every byte (letters of
    /// both cases weighted in, and bytes past 0x7F, which must not carry),
    /// after whatever the buffer held; the word copy is
    /// `extend_from_slice`.
    #[test]
    fn extend_lowered_is_make_ascii_lowercase(
        before in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
        v in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::num::u8::ANY,
                (b'A'..=b'Z'),
                (b'a'..=b'z'),
                proptest::sample::select(vec![b'@', b'[', b'`', b'{', 0x7F, 0x80, 0xC1, 0xDA, 0xFF]),
            ],
            0..70,
        ),
    ) {
        let mut got = before.clone();
        crate::detect::extend_lowered(&mut got, &v);
        let mut want = before.clone();
        want.extend_from_slice(&v.to_ascii_lowercase());
        proptest::prop_assert_eq!(got, want);
        // And the plain copy of short values, as `extend_from_slice`.
        let mut got = before.clone();
        super::extend_short(&mut got, &v);
        let mut want = before;
        want.extend_from_slice(&v);
        proptest::prop_assert_eq!(got, want);
    }

    /// The padded-buffer digest (one masked load for the tail) is the
    /// digest of the value alone, wherever the value sits in the buffer and
    /// whatever follows it.
    #[test]
    fn value_digest_at_is_the_value_digest(
        before in proptest::collection::vec(proptest::num::u8::ANY, 0..20),
        v in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        after in proptest::collection::vec(proptest::num::u8::ANY, DIGEST_PAD..DIGEST_PAD + 9),
    ) {
        let buf = [&before[..], &v[..], &after[..]].concat();
        proptest::prop_assert_eq!(value_digest_at(&buf, before.len(), v.len()), value_digest(&v));
    }

    /// The record-local digest ignores ASCII letter case and tells apart
    /// values that differ in a digit or a letter (what record values are).
    #[test]
    fn value_digest_folds_case_and_separates_values(
        v in "[a-z0-9@.]{1,40}",
        k in 0usize..40,
    ) {
        let upper = v.to_ascii_uppercase();
        proptest::prop_assert_eq!(value_digest(v.as_bytes()), value_digest(upper.as_bytes()));
        let mut w = v.clone().into_bytes();
        let k = k % w.len();
        w[k] = if w[k] == b'7' { b'8' } else { b'7' };
        proptest::prop_assert_ne!(value_digest(v.as_bytes()), value_digest(&w));
        let mut longer = v.clone().into_bytes();
        longer.push(b'0');
        proptest::prop_assert_ne!(value_digest(v.as_bytes()), value_digest(&longer));
    }

    /// The in-place ISO and U.S. date reads agree with the general date
    /// parser, for any digits and for near-miss strings the fast paths
    /// must pass on.
    #[test]
    fn date_fast_paths_match_general_parser(
        v in concat!(
            "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9 ]{4}[-/][0-9]{2}[-/][0-9a ]{2}T?|[0-9-/ ]{8,12}",
            "|[0-3][0-9][-/. ][0-3][0-9][-/. ][12][0-9]{3}|[0-9 a]{2}[-/.][0-9 ]{2}[-/.][0-9a ]{4} ?",
        ),
    ) {
        proptest::prop_assert_eq!(lex::parse_date(v.as_bytes()), lex::parse_date_general(v.as_bytes()), "{}", v);
    }

    /// ISO dates around and inside the accepted ranges (random digits
    /// above seldom make a valid year, month and day together): the
    /// in-place read gives the general parser's year, month and day.
    #[test]
    fn iso_dates_read_in_place_as_the_general_parser(
        y in 1880u32..2120, m in 0u32..14, d in 0u32..34,
    ) {
        let v = format!("{y:04}-{m:02}-{d:02}");
        let want = lex::parse_date_general(v.as_bytes());
        proptest::prop_assert_eq!(lex::parse_date(v.as_bytes()), want, "{}", v);
        let valid = (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
        proptest::prop_assert_eq!(want, valid.then_some((y, m, d)), "{}", v);
    }
}

/// What scanning one value left in a record, values included.
fn hits_of(r: &RecordHits) -> String {
    let hits: Vec<(u8, &[u8])> = r.hits.iter().map(|h| (h.det, r.value(h))).collect();
    format!(
        "{hits:?} {:x} {:?} {:?} {:?} {} {} {}",
        r.matched, r.lats, r.lons, r.points, r.us_evidence, r.foreign_evidence, r.stateful
    )
}

/// The token walk of `v` under `c`, with its gates and in full: each
/// one's hits (as `hits_of`), and whether the full walk found anything.
/// The gates' tests compare the two.
fn gated_and_full(e: &Engine, c: &ColumnCtx, v: &[u8]) -> (String, String, bool) {
    let (mut gated, mut full) = (RecordHits::default(), RecordHits::default());
    lex::scan_tokens_gated::<true>(e, c, v, &mut gated);
    lex::scan_tokens_gated::<false>(e, c, v, &mut full);
    (hits_of(&gated), hits_of(&full), !full.hits.is_empty())
}

/// A column's context by name; "" is free text.
fn ctx_of(e: &Engine, name: &str) -> ColumnCtx {
    if name.is_empty() {
        ColumnCtx::text()
    } else {
        e.column_ctx(name)
    }
}

/// Columns whose contexts change what digits mean.
const GATE_COLUMNS: [&str; 17] = [
    "",
    "email",
    "ssn",
    "itin",
    "npi",
    "phone",
    "dob",
    "zip",
    "card_number",
    "imei",
    "mac",
    "notes",
    "account number",
    "latitude",
    "routing",
    "street_address",
    "comments",
];

/// Nine digits and separators are the shortest identifiers the gate must
/// let through; eight are refused whatever the column says.
#[test]
fn short_number_gate_boundary() {
    let e = eng();
    for (col, v, found) in [
        ("", "536-22-1234", true),
        ("ssn", "536221234", true),
        ("ssn", "536 22 1234", true),
        ("routing", "021000021", true),
        ("", "912-78-1234", false),
        ("ssn", "53622123", false),
        ("dob", "1977-04-26", false),
        ("zip", "55440", false),
        ("", "(212) 555", false),
        ("latitude", "29.3281", false),
        ("", "amount 1234.56", false),
        ("", "1.2.3.4", true),
        ("location", "29.3281,-98.5797", true),
        ("", "account number 12345678", true),
        ("comments", "DL 1234567", true),
        ("street_address", "7657 Broadway Apt 27", false),
        ("", "2026-01-01T00:00:58Z", false),
        ("ts", "2026-01-01T00:00:58Z", false),
        ("", "2026-01-01T00:00:58Z INFO http status=200", false),
        ("", "at 2026-01-01T00:00:58Z call 612.997.7839", true),
        ("", "2026-01-01T00:00:58 612 997 7839", false),
        ("", "2026-01-01T00:00:58Z 612 997 7839", true),
        ("", "2026-01-01T00:00:58Z ssn 536221234", true),
        // A keyword naming a token id: its parts are walked, and found.
        ("", "username 2026-01-01T00:00:58Z", true),
    ] {
        let c = ctx_of(&e, col);
        let (gated, full, any) = gated_and_full(&e, &c, v.as_bytes());
        assert_eq!(gated, full, "{col} {v}");
        assert_eq!(any, found, "{col} {v}");
    }
}

/// ISO instants skipped whole by the gated walk find what the full walk
/// finds: every prefix (keywords naming token and digit ids among them),
/// form and suffix (bytes that would join or extend a token) together,
/// under every column context here.
#[test]
fn iso_instants_gated_and_full_agree() {
    let e = eng();
    let prefixes = [
        "",
        "at ",
        "ts=",
        "username ",
        "DL ",
        "pin: ",
        "account ",
        "12 ",
        "a@b.com ",
        "(",
    ];
    let instants = [
        "2026-01-01T00:00:58Z",
        "1999-12-31T23:59:59Z",
        "2026-01-01T00:00:58",
        "2026-01-01t00:00:58z",
        "2026-01-01T00:00:58.123Z",
        "2026-01-01T00:00:58.1Z",
        "2026-01-01T00:00:58.123456789Z",
        "2026-01-01T00:00:58.1234567890Z",
        "2026-01-01T00:00:58.Z",
        "2026-01-01T00:00:58.123",
        "2026-01-01T00:00:58+00:00",
    ];
    let suffixes = [
        "",
        " ",
        ",",
        "\"",
        ".",
        "_",
        "-",
        "@x.com",
        ":12",
        "Z",
        "x",
        " 612 997 7839",
        " ssn 536221234",
        " 200 OK",
        ".5 -93.2",
    ];
    gated_walks_agree(&e, &[&prefixes, &instants, &suffixes]);
}

/// Every value strung from one piece of each part, scanned under every
/// column context of `GATE_COLUMNS` by the gated walk and by the full
/// walk, which must find the same; and both kinds are exercised, values
/// with detections and values without.
fn gated_walks_agree(e: &Engine, parts: &[&[&str]]) {
    let mut values = vec![String::new()];
    for part in parts {
        values = values
            .iter()
            .flat_map(|v| part.iter().map(move |p| format!("{v}{p}")))
            .collect();
    }
    let (mut found, mut scanned) = (0, 0);
    for v in &values {
        for col in GATE_COLUMNS {
            let c = ctx_of(e, col);
            let (gated, full, any) = gated_and_full(e, &c, v.as_bytes());
            assert_eq!(gated, full, "{col:?} {v:?}");
            found += usize::from(any);
            scanned += 1;
        }
    }
    assert!(found > 100 && found < scanned - 100, "{found} of {scanned}");
}

/// Short numbers on their own, which the gated walk steps over without
/// lexing them (`lex::lone_number_end`), find what the full walk finds:
/// beside keywords naming digit and token ids, and before every byte that
/// would join them to a group or start a MAC, UUID, IPv6 address, ANSI/NIST
/// record, decimal or phone extension, under every column context here.
#[test]
fn lone_short_numbers_gated_and_full_agree() {
    let e = eng();
    let prefixes = [
        "",
        "status=",
        "ssn ",
        "account ",
        "account number ",
        "DL ",
        "MRN: ",
        "x",
        "a@b.com ",
        "(",
        "-",
        ":",
        "12 ",
    ];
    let numbers = [
        "0",
        "1",
        "20",
        "200",
        "4111",
        "47667",
        "12345678",
        "123456789",
    ];
    let suffixes = [
        "",
        " ",
        ",",
        ")",
        "(",
        "/",
        "/5",
        " 5",
        " (5",
        " (612) 997-7839",
        "-5",
        "-aa-bb-cc-dd-ee",
        ":1a:2b:3c:4d:5e",
        "aa.bbcc.ddee",
        ".2233.4455",
        "abcd-1234-1234-1234-123456789abc",
        "-1234-1234-1234-123456789abc",
        ":db8::1",
        "::1",
        ".5",
        ".001:",
        "x123",
        "Z",
        "@x.com",
        " 22 1234",
        " 997 7839",
        "-997-7839",
        "; 612 997 7839",
    ];
    gated_walks_agree(&e, &[&prefixes, &numbers, &suffixes]);
}

/// Words of letters joined to what follows by `_`, `-`, `.` or `:`, which
/// the gated walk steps over where nothing can start in them
/// (`lex::joined_word_ends`), find what the full walk finds: hex words
/// that start MACs, UUIDs and IPv6 addresses, an MBI's first four, ids
/// beside keywords that name them, under every column context here.
#[test]
fn joined_words_gated_and_full_agree() {
    let e = eng();
    // A time stamp or a short number first has the value's keywords read
    // (which the gate needs, to know no id is asked of the word).
    let prefixes = [
        "",
        "x=",
        "2026-01-01T00:00:58Z ",
        "n=12 ",
        "passport 12 ",
        "username: 7 ",
    ];
    let words = [
        "dur", "api", "item", "abcd", "dead", "ab", "a", "cafe", "xyz", "GB", "ssn", "RklSA", "FMR",
    ];
    let seps = ["_", "-", ".", ":", "\0"];
    let tails = [
        "",
        "ms=782",
        "8.internal",
        "37454 hit",
        "doe99",
        "77",
        "beef:1::2",
        "1a2b-3c4d-1234-123456789abc",
        "aa:bb:cc:dd:ee",
        "aa-bb-cc-dd-ee",
        "bbcc.ddee",
        "4xy-9kl1",
        "EF1-GH2",
        "x",
    ];
    gated_walks_agree(&e, &[&prefixes, &words, &seps, &tails]);
}

/// Bytes of digits, separators and marks (with a few letters and UTF-8
/// bytes), and shapes that are (or are one digit short of) an identifier.
fn gate_values() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
    use proptest::strategy::Strategy;
    let bytes = proptest::collection::vec(
        proptest::sample::select(b"0123456789014789-/()+,;#$%'\".:@xNe \t\xC2\xB0\xE2".to_vec()),
        0..24,
    );
    let shapes = proptest::string::string_regex(concat!(
        "[1-8][0-9]{2}[- ]?[0-9]{2}[- ]?[0-9]{3,4}|[0-9]{8,10}",
        "|\\(?[2-9][0-9]{2}\\)? ?[2-9][0-9]{2}[-. ][0-9]{3,4}|[0-9]{1,3}(\\.[0-9]{1,3}){3}",
        "|-?[0-9]{1,2}\\.[0-9]{4,6},? ?-?[0-9]{1,3}\\.[0-9]{4,6}|4[0-9]{3}([ -]?[0-9]{4}){3}",
        "|[0-9]{2}[/-][0-9]{2}[/-][0-9]{4}",
        "|-?[0-9]{1,3}\\.[0-9]{1,6}|[0-9]{1,4} -?[0-9]{1,3}\\.[0-9]{1,5}( [0-9]{1,3})?",
        "|-?[0-9]{1,2}\\.[0-9]{1,3}[,; /]-?[0-9]{1,3}\\.[0-9]{1,3}|[0-9]\\.[0-9]\\.[0-9]\\.[0-9]",
        "|[0-9]{1,2}°[0-9]{1,2}'[0-9]{1,2}\"[NS] [0-9]{1,3}°[0-9]{1,2}'[0-9]{1,2}\"[EW]",
        "|[0-9]{1,2} [0-9]{1,2}'[0-9]{1,2}\" [0-9]{1,3} [0-9]{1,2}'[0-9]{1,2}\"",
        // Digits among words: addresses, and ids beside their keywords.
        "|[0-9]{1,5} [A-Z][a-z]{2,8} (St|Ave|Rd)( Apt [0-9]{1,3}[A-Z]?)?",
        "|(account|acct|passport|DL|license|member|policy|routing|MRN|SSN|phone|card)",
        "( number| no| #|:)? ?[0-9]{1,4}[- ]?[0-9]{1,5}( on file| [a-z]{2,5})?",
        "|[a-z]{1,6} [0-9]{2,8} (passport|account|DL|MRN|SSN)",
        // ISO instants, alone, in a line, beside keywords, numbers, e-mail
        // and separators that would join or extend their tokens.
        "|((pin|account|DL|SSN|MRN|username|user|login|ts|at) ?[:=]? ?)?",
        "[12][0-9]{3}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9][Zz]?",
        "(\\.[0-9]{1,3}Z)?[ ,;\"|)\\]}._@:x-]?",
        "( ?[0-9]{1,4}( [0-9]{3,4}){0,3}| [a-z]{1,5}@[a-z]{1,5}\\.com| (pin|SSN) [0-9]{4,9})?",
        // Log lines' short numbers among keys, keywords and separators,
        // and words joined to what follows.
        "|((status|page|ssn|account|MRN|DL|dur_ms|x)[=: ]?[0-9]{1,9}[ ,;/()=:.x-]?){1,4}",
        "|((user|passport|id|api|item|dead|abcd|ab)[_.:-][a-f0-9]{1,4}[_.:-]?){1,4}",
        // E-mail addresses, whole or not: refused, punycode, long TLDs,
        // dots and hyphens to trim, a second `@`, something after.
        "|[a-zA-Z0-9._%+'-]{1,10}@[a-zA-Z0-9.-]{0,12}\\.",
        "([a-z]{2,4}|COM|xn--p1ai|[a-z]{23,26}|c0m)[.-]?(@[a-z]{1,3}\\.com| x| 212 555 0123)?"
    ))
    .unwrap()
    .prop_map(String::into_bytes);
    proptest::prop_oneof![bytes, shapes]
}

proptest::proptest! {
    /// Eight bytes at a time count what a byte loop counts.
    #[test]
    fn count_digits_matches_byte_loop(v in proptest::collection::vec(proptest::num::u8::ANY, 0..40)) {
        proptest::prop_assert_eq!(lex::count_digits(&v), v.iter().filter(|b| b.is_ascii_digit()).count());
    }

    /// A digit run ends where a byte loop says, from any start.
    #[test]
    fn digit_run_end_matches_byte_loop(
        v in proptest::collection::vec(
            proptest::prop_oneof![b'0'..=b'9', proptest::num::u8::ANY],
            0..40,
        ),
        at in proptest::num::usize::ANY,
    ) {
        let j = if v.is_empty() { 0 } else { at % (v.len() + 1) };
        let mut e = j;
        while e < v.len() && v[e].is_ascii_digit() {
            e += 1;
        }
        proptest::prop_assert_eq!(lex::digit_run_end(&v, j), e);
    }

    /// The gate for short numbers changes nothing: every value of digits,
    /// separators and marks (and a few letters and UTF-8 bytes) scans as it
    /// does walked in full, under every column context here.
    #[test]
    fn short_number_gate_changes_nothing(
        v in gate_values(),
        col in 0usize..GATE_COLUMNS.len(),
    ) {
        let e = eng();
        let c = ctx_of(&e, GATE_COLUMNS[col]);
        let (gated, full, _) = gated_and_full(&e, &c, &v);
        proptest::prop_assert_eq!(gated, full, "{:?}", String::from_utf8_lossy(&v));
    }
}

/// A cached context is the one judging the name gives, the first time and
/// every time after.
#[test]
fn cached_column_contexts_equal_judged_ones() {
    let e = eng();
    let names = [
        "ssn",
        "SSN",
        "customer_ssn",
        "latitude",
        "lon",
        "zip",
        "person_id",
        "notes",
        "user.address.zip",
        "device.imei",
        "",
        "  ",
        "geneExpression",
    ];
    for _ in 0..2 {
        for n in names {
            assert_eq!(e.column_ctx(n), e.judge_name(n), "{n:?}");
        }
    }
    assert_ne!(e.column_ctx("ssn"), e.column_ctx("notes"));
}

/// Context and veto of a name as judged before the name index: every
/// phrase of every detector against the name's last segment.
fn name_masks_reference(e: &Engine, name: &str) -> (DetMask, DetMask, Vec<u8>) {
    let (mut pos, mut veto, mut fields) = (0, 0, Vec::new());
    if catalog::tokens(name).is_empty() {
        return (pos, veto, fields);
    }
    let last = name.rsplit(['.', '/']).next().unwrap_or(name);
    let toks = catalog::tokens(last);
    for (i, d) in e.catalog.detectors.iter().enumerate() {
        if d.veto.iter().any(|v| catalog::tokens_contain(&toks, v)) {
            veto |= bit(i);
        } else if d.context.iter().any(|c| catalog::tokens_contain(&toks, c)) {
            pos |= bit(i);
            if matches!(
                d.matcher,
                Matcher::Field | Matcher::Digits | Matcher::Token | Matcher::Geohash
            ) {
                fields.push(i as u8);
            }
        }
    }
    (pos, veto, fields)
}

/// The name index finds exactly the phrases the full walk finds, for every
/// phrase of the catalog written the ways columns and keys write them.
#[test]
fn name_index_judges_as_the_full_walk() {
    let e = eng();
    let mut names: Vec<String> = vec!["".into(), "x".into(), "user.u0001234".into()];
    for d in &e.catalog.detectors {
        for p in d.context.iter().chain(&d.veto) {
            let camel: String = p
                .iter()
                .enumerate()
                .map(|(k, w)| {
                    if k == 0 {
                        w.clone()
                    } else {
                        w[..1].to_uppercase() + &w[1..]
                    }
                })
                .collect();
            for n in [
                p.join("_"),
                p.join(" "),
                p.join("-"),
                p.concat(),
                camel,
                format!("customer_{}", p.join("_")),
                format!("{}_no", p.join("_")),
                format!("user.{}", p.join("_")),
                format!("{}.value", p.join("_")),
                format!("primary {} old", p.join(" ")),
            ] {
                names.push(n);
            }
        }
    }
    assert!(names.len() > 500, "{}", names.len());
    for n in &names {
        let c = e.judge_name(n);
        assert_eq!(
            (c.pos, c.veto, c.fields.clone()),
            name_masks_reference(&e, n),
            "{n:?}"
        );
    }
}

/// The keyword automaton as it was built before `-` and `_` were read as
/// spaces: every separator spelled out in the patterns.
fn keyword_automaton_reference(e: &Engine) -> (AhoCorasick, Vec<DetMask>) {
    let mut words: Vec<String> = Vec::new();
    let mut masks: Vec<DetMask> = Vec::new();
    for (i, d) in e.catalog.detectors.iter().enumerate() {
        if matches!(d.matcher, Matcher::Field | Matcher::Geohash) {
            continue;
        }
        for c in &d.context {
            let mut forms: Vec<String> = vec![c[0].clone()];
            for w in &c[1..] {
                let mut next = Vec::new();
                for p in &forms {
                    for sep in [" ", "-", "_", ""] {
                        next.push(format!("{p}{sep}{w}"));
                    }
                    if w == "s" {
                        next.push(format!("{p}'s"));
                    }
                }
                forms = next;
            }
            assert!(c.len() <= 4, "long phrases were spelled two ways only");
            for f in forms {
                match words.iter().position(|x| *x == f) {
                    Some(p) => masks[p] |= bit(i),
                    None => {
                        words.push(f);
                        masks.push(bit(i));
                    }
                }
            }
        }
    }
    let ac = AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::Standard)
        .build(&words)
        .unwrap();
    (ac, masks)
}

fn keyword_hits_reference(
    (ac, masks): &(AhoCorasick, Vec<DetMask>),
    v: &[u8],
) -> Vec<(usize, usize, DetMask)> {
    let mut out = Vec::new();
    for m in ac.find_overlapping_iter(v) {
        let (s, t) = (m.start(), m.end());
        let before_ok = s == 0 || !v[s - 1].is_ascii_alphanumeric();
        let after_ok = t == v.len() || !v[t].is_ascii_alphanumeric();
        if before_ok && after_ok {
            out.push((s, t, masks[m.pattern().as_usize()]));
        }
    }
    out
}

/// Keyword hits equal the fully spelled-out automaton's for every context
/// phrase of the catalog, written with every mix of separators and case.
#[test]
fn spaced_keywords_match_as_every_separator_spelled_out() {
    let e = eng();
    let mut texts: Vec<String> = vec!["".into(), "-_-".into(), "no keyword here".into()];
    let seps = [" ", "-", "_", "", "'", "  ", "-_", "."];
    let mut k = 0usize;
    for d in &e.catalog.detectors {
        for c in &d.context {
            for round in 0..6 {
                let mut t = String::from(["", "x ", "my-", "a_", "(", "9"][round]);
                for (j, w) in c.iter().enumerate() {
                    if j > 0 {
                        t.push_str(seps[(k + j * 3 + round) % seps.len()]);
                    }
                    if (k + j).is_multiple_of(3) {
                        t.push_str(&w.to_uppercase());
                    } else {
                        t.push_str(w);
                    }
                }
                t.push_str(["", " no", "-4111", "_x", "s", ": 123"][(k + round) % 6]);
                texts.push(t);
                k += 1;
            }
        }
    }
    assert!(texts.len() > 1000, "{}", texts.len());
    let reference = keyword_automaton_reference(&e);
    let mut hits = Vec::new();
    let mut found = 0;
    for t in &texts {
        e.keyword_hits(t.as_bytes(), &mut hits);
        let mut want = keyword_hits_reference(&reference, t.as_bytes());
        let mut got = hits.clone();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{t:?}");
        found += !got.is_empty() as usize;
    }
    // Both sides are exercised: spellings that match, and spellings (an
    // apostrophe, two spaces, a dot, a digit glued on) that must not.
    assert!(
        found > 1000 && texts.len() - found > 1000,
        "{found} of {}",
        texts.len()
    );
}

proptest::proptest! {
    /// Keyword hits equal the spelled-out automaton's on text strung from
    /// the catalog's own context phrases (cut short, glued, cased and
    /// separated every which way) and noise between them.
    #[test]
    fn keyword_hits_match_the_automaton_on_strung_phrases(
        parts in proptest::collection::vec(
            (proptest::num::u16::ANY, 0usize..12, 0usize..12, proptest::num::u8::ANY),
            0..10,
        ),
    ) {
        type Reference = (Engine, (AhoCorasick, Vec<DetMask>), Vec<Vec<String>>);
        static REF: std::sync::LazyLock<Reference> =
            std::sync::LazyLock::new(|| {
                let e = Engine::builtin();
                let r = keyword_automaton_reference(&e);
                let mut phrases: Vec<Vec<String>> = e
                    .catalog
                    .detectors
                    .iter()
                    .flat_map(|d| d.context.iter().cloned())
                    .collect();
                phrases.sort();
                phrases.dedup();
                (e, r, phrases)
            });
        let (e, reference, phrases) = &*REF;
        let seps = [" ", "-", "_", "", "'", "  ", ".", ": ", "9", "x", "'s ", "/"];
        let mut t = String::new();
        for &(p, inner, after, case) in &parts {
            let words = &phrases[p as usize % phrases.len()];
            for (j, w) in words.iter().enumerate() {
                if j > 0 {
                    t.push_str(seps[(inner + j * (case as usize >> 4)) % seps.len()]);
                }
                let mut w = w.clone();
                if (case >> j) & 1 == 1 {
                    w = w.to_uppercase();
                }
                if case & 8 == 8 && j + 1 == words.len() && w.len() > 1 {
                    w.truncate(w.len() - 1);
                }
                t.push_str(&w);
            }
            t.push_str(seps[after]);
        }
        let mut got = Vec::new();
        e.keyword_hits(t.as_bytes(), &mut got);
        let mut want = keyword_hits_reference(reference, t.as_bytes());
        got.sort();
        want.sort();
        proptest::prop_assert_eq!(got, want, "{:?}", t);
    }
}

/// `trim` answers untrimmed cells from their end bytes: every shape of
/// whitespace placement, against a reference that searches both ends.
#[test]
fn trim_agrees_with_a_search_from_both_ends() {
    fn reference(v: &[u8]) -> &[u8] {
        let s = v.iter().position(|b| !b.is_ascii_whitespace());
        let e = v.iter().rposition(|b| !b.is_ascii_whitespace());
        match (s, e) {
            (Some(s), Some(e)) => &v[s..=e],
            _ => &v[v.len()..],
        }
    }
    let cases: &[&[u8]] = &[
        b"",
        b" ",
        b"\t\r\n ",
        b"a",
        b" a",
        b"a ",
        b" a ",
        b"a b",
        b"  123-45-6789\t",
        b"x\n",
        b"\x0ca\x0c",
        b"\xc2\xa0a",
    ];
    for &c in cases {
        assert_eq!(trim(c), reference(c), "{:?}", String::from_utf8_lossy(c));
    }
}

/// Loops over a matcher's detectors walk its mask's bits lowest first, so
/// the mask must hold exactly its detectors, and the list must be in that
/// order (the first detector to accept a token wins).
#[test]
fn matcher_masks_hold_their_detectors_in_catalog_order() {
    let e = eng();
    for m in [
        Matcher::Token,
        Matcher::Digits,
        Matcher::Email,
        Matcher::Card,
    ] {
        let ds = e.dets(m);
        assert!(ds.windows(2).all(|w| w[0] < w[1]), "{m:?}: {ds:?}");
        let mask = ds.iter().fold(0, |acc, &d| acc | bit(d as usize));
        assert_eq!(e.mask(m), mask, "{m:?}");
    }
    assert_ne!(e.mask(Matcher::Token), 0);
    assert_ne!(e.mask(Matcher::Digits), 0);
}

/// Values that are one number, in every layout the whole-number path takes
/// and its near misses (other separators, signs, MAC and Cisco shapes,
/// bytes before or after), with digits that are valid SSNs, ITINs, routing
/// numbers, NPIs, phones, cards and IMEIs and digits that are not: the gated
/// walk finds what the full walk finds, under every column context here.
#[test]
fn whole_numbers_gated_and_full_agree() {
    let e = eng();
    let mut lcg = 0x2545_f491_4f6c_dd1du64;
    let mut random = |n: usize| -> Vec<u8> {
        (0..n)
            .map(|_| {
                lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                b'0' + ((lcg >> 33) % 10) as u8
            })
            .collect()
    };
    let luhn = |mut d: Vec<u8>| {
        let c = validate::luhn_check_digit(&d[..d.len() - 1]);
        *d.last_mut().unwrap() = c;
        d
    };
    let mut digits: Vec<Vec<u8>> = [
        "536221234",
        "912781234",
        "912931234",
        "078051120",
        "000221234",
        "021000021",
        "011000015",
        "1234567893",
        "2125550123",
        "6129977839",
        "2128675309",
        "1212867530",
        "12128675309",
        "00121286753",
        "4111111111111111",
        "4444444444444448",
        "378282246310005",
        "6011111111111117",
        "5555555555554444",
        "30569309025904",
        "490154203237518",
        "356938035643809",
        "353456789012343",
        "4111111111111",
        "89014103211118510720",
        "8901410321111851072",
        "5105105105105100123",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for n in 9..=19 {
        for _ in 0..12 {
            let d = random(n);
            digits.push(luhn(d.clone()));
            digits.push(d);
        }
    }
    let layouts: &[&[u8]] = &[
        b"###-##-####",
        b"### ## ####",
        b"#########",
        b"###.##.####",
        b"###-## ####",
        b"###-###-####",
        b"###.###.####",
        b"### ### ####",
        b"(###) ###-####",
        b"(###)###-####",
        b"(###) ###.####",
        b"##########",
        b"+##########",
        b"###-###.####",
        b"#-###-###-####",
        b"+# ### ### ####",
        b"+###########",
        b"###########",
        b"# (###) ###-####",
        b"(#-###-###-####",
        b"+#-###-###-####",
        b"###-###-###-####",
        b"#### #### #### ####",
        b"####-####-####-####",
        b"#### ###### #####",
        b"####-######-####",
        b"################",
        b"###############",
        b"##############",
        b"#############",
        b"############",
        b"##-######-######-#",
        b"#### #### #### #### ###",
        b"###################",
        b"####################",
        b"##-##-##-##-##-##",
        b"####.####.####",
        b"#### ####-#### ####",
        b"+#### #### #### ####",
        b"(#### #### #### ####",
        b" ###-##-####",
        b"###-##-####.",
        b"-###-##-####",
        b"###-##-####-",
        b"+(###) ###-####",
        b"####.####.####.####",
        b"#### #### #### #",
        // A second number after the first: the walk finds both.
        b"+###-###-####",
        b"+### ### ####",
        b"+(###) ### ####",
        b"+###-##-####",
        b"+#########",
        b"(#########",
        b"+################",
        b"(###) ##-####",
        b"###.###.###.###",
        b"##.##.##.###",
        b"###.##.##.###",
        b"###.###.##.###",
        b"#.###.###.####",
        b"###.###.###",
        b"###.###.###.###.#",
        b"###.###.###.###.",
        b"###-##-####,212-555-0123",
        b"###-###-####;536-22-1234",
        b"#########.5",
        b"################/12",
        b"(###) ###-####,2",
        b"#########, 1",
        // Two runs under twelve digits: a dash is nothing to the walk
        // (ZIP+4), a space may split off an SSN, a dot is a decimal.
        b"#####-####",
        b"####-#####",
        b"###-######",
        b"#########-##",
        b"##########-#",
        b"#-##########",
        b"#####-######",
        b"###-########",
        b"#####-#####",
        b"+#####-####",
        b"(#####-####",
        b"(#####)-####",
        b"#####-####-",
        b"-#####-####",
        b"#########-#",
        b"######### ##",
        b"######### #",
        b"## #########",
        b"#########.##",
        b"####.#####",
        b"#####.####",
    ];
    let (mut tried, mut found, mut decided) = (0, 0, 0);
    // One record kept across values, as a worker keeps it: its lexer's
    // layout cache then answers for the later values of each layout (a
    // fresh record lexes every value).
    let mut warm = RecordHits::default();
    for d in &digits {
        for layout in layouts {
            if layout.iter().filter(|&&c| c == b'#').count() != d.len() {
                continue;
            }
            let mut k = 0;
            let v: Vec<u8> = layout
                .iter()
                .map(|&c| {
                    if c == b'#' {
                        k += 1;
                        d[k - 1]
                    } else {
                        c
                    }
                })
                .collect();
            for col in GATE_COLUMNS {
                let c = ctx_of(&e, col);
                let (gated, full, any) = gated_and_full(&e, &c, &v);
                assert_eq!(gated, full, "{col:?} {:?}", String::from_utf8_lossy(&v));
                // The batch's shortcut for a number column, from the layouts
                // cached so far (this value's, or another's in its slot,
                // or none): what it decides is what the whole value scan
                // finds, and what it leaves has nothing pushed.
                if e.direct_numbers(&c) && trim(&v).len() == v.len() {
                    let mut whole = RecordHits::default();
                    e.scan_trimmed(&c, &v, &mut whole);
                    for cached in [false, true] {
                        if cached {
                            warm.clear();
                            warm.stateful = false;
                            lex::scan_tokens_gated::<true>(&e, &c, &v, &mut warm);
                        }
                        let mut fast = RecordHits::default();
                        if let Some(sc) = warm.lex.as_deref()
                            && e.scan_number(&c, &e.number_picks(&c), &v, sc, &mut fast)
                        {
                            decided += 1;
                        } else {
                            assert_eq!(hits_of(&fast), hits_of(&RecordHits::default()));
                            e.scan_trimmed(&c, &v, &mut fast);
                        }
                        assert_eq!(
                            hits_of(&fast),
                            hits_of(&whole),
                            "direct {col:?} {:?} cached {cached}",
                            String::from_utf8_lossy(&v)
                        );
                    }
                }
                warm.clear();
                warm.stateful = false;
                lex::scan_tokens_gated::<true>(&e, &c, &v, &mut warm);
                assert_eq!(
                    hits_of(&warm),
                    full,
                    "warm {col:?} {:?}",
                    String::from_utf8_lossy(&v)
                );
                tried += 1;
                found += usize::from(any);
            }
        }
    }
    // Both kinds are exercised: values with detections, and without.
    assert!(found > 1000 && tried - found > 1000, "{found} of {tried}");
    assert!(decided > 1000, "{decided} decided from a cached layout");
}

/// The first-byte filter turns away no placeholder: the check agrees with
/// the plain list comparison on every placeholder in every case mix, each
/// with one byte changed, and on noise.
#[test]
fn placeholder_filter_keeps_every_placeholder() {
    let plain = |v: &[u8]| PLACEHOLDERS.iter().any(|p| p.eq_ignore_ascii_case(v));
    let mut values: Vec<Vec<u8>> = vec![vec![], b"David".to_vec(), b"n".to_vec()];
    for p in PLACEHOLDERS {
        for mask in 0..1u32 << p.len() {
            let v: Vec<u8> = p
                .iter()
                .enumerate()
                .map(|(k, &c)| {
                    if mask >> k & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                })
                .collect();
            assert!(is_placeholder(&v), "{:?}", String::from_utf8_lossy(&v));
            values.push(v);
        }
        for k in 0..p.len() {
            for b in [b'a', b'Z', b'0', b' ', b'-', 0xc3] {
                let mut v = p.to_vec();
                v[k] = b;
                values.push(v.clone());
                v.push(b'x');
                values.push(v);
            }
        }
    }
    let mut lcg = 7u64;
    for _ in 0..20_000 {
        lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let n = (lcg >> 60) as usize;
        values.push(
            (0..n)
                .map(|k| {
                    b"-?0naNA\"lLuUxX*eErR[]dDyYoOtTfFi/ "[((lcg >> (k * 5 % 50)) % 34) as usize]
                })
                .collect(),
        );
    }
    for v in &values {
        assert_eq!(
            is_placeholder(v),
            plain(v),
            "{:?}",
            String::from_utf8_lossy(v)
        );
    }
}

/// A latitude or longitude cell that parses as a plain decimal with a dot
/// or of fewer than nine digits skips the token walk
/// (`Engine::scan_trimmed`): the walk, in full, finds nothing in it.
/// Every sign, digit count up to thirty and dot position, digits random
/// and Luhn-valid (cards are found under these columns too), under each
/// coordinate column here.
#[test]
fn coordinate_cells_skip_only_empty_walks() {
    let e = eng();
    let tokens_of = |r: &RecordHits| {
        let hits: Vec<(u8, &[u8])> = r.hits.iter().map(|h| (h.det, r.value(h))).collect();
        format!(
            "{hits:?} {:x} {} {} {}",
            r.matched, r.us_evidence, r.foreign_evidence, r.stateful
        )
    };
    let mut lcg = 0x9e37_79b9_7f4a_7c15u64;
    let mut found = 0;
    for col in ["latitude", "lon", "pickup_lat", "lng"] {
        let c = ctx_of(&e, col);
        assert!(matches!(c.geo, GeoRole::Lat | GeoRole::Lon), "{col}");
        for n in 1..=30 {
            let mut d: Vec<u8> = (0..n)
                .map(|_| {
                    lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    b'0' + ((lcg >> 33) % 10) as u8
                })
                .collect();
            let mut forms = vec![d.clone()];
            if n >= 2 {
                let last = validate::luhn_check_digit(&d[..n - 1]);
                d[n - 1] = last;
                forms.push(d);
            }
            for digits in forms {
                for dot in 0..n {
                    for sign in ["", "-", "+"] {
                        let mut v = sign.as_bytes().to_vec();
                        v.extend_from_slice(&digits[..n - dot]);
                        if dot > 0 {
                            v.push(b'.');
                            v.extend_from_slice(&digits[n - dot..]);
                        }
                        let (mut cell, mut walk) = (RecordHits::default(), RecordHits::default());
                        e.scan_trimmed(&c, &v, &mut cell);
                        lex::scan_tokens_gated::<false>(&e, &c, &v, &mut walk);
                        let kept = usize::from(!is_placeholder(&v));
                        let v = String::from_utf8_lossy(&v);
                        assert_eq!(tokens_of(&cell), tokens_of(&walk), "{col} {v}");
                        assert_eq!(cell.lats.len() + cell.lons.len(), kept, "{col} {v}");
                        found += usize::from(!walk.hits.is_empty());
                    }
                }
            }
        }
    }
    // Values the walk finds something in were among them.
    assert!(found > 0);
}

/// Asserts that the full walk finds nothing in `v` under every gate column.
fn walk_finds_nothing(e: &Engine, v: &[u8]) {
    for col in GATE_COLUMNS {
        let c = ctx_of(e, col);
        let mut walk = RecordHits::default();
        lex::scan_tokens_gated::<false>(e, &c, v, &mut walk);
        assert_eq!(
            hits_of(&walk),
            hits_of(&RecordHits::default()),
            "{col} {}",
            String::from_utf8_lossy(v)
        );
    }
}

/// `form` with each `#` a pseudo-random digit drawn from `lcg`.
fn fill_form(form: &str, lcg: &mut u64) -> Vec<u8> {
    form.bytes()
        .map(|c| {
            *lcg = lcg.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            if c == b'#' {
                b'0' + ((*lcg >> 33) % 10) as u8
            } else {
                c
            }
        })
        .collect()
}

/// A ZIP code cell skips the token walk under a ZIP column: the walk, in
/// full, finds nothing in one, under every column context here, whatever
/// its digits (nine of them in a ZIP+4 code).
#[test]
fn zip_codes_hold_nothing_for_the_walk() {
    let e = eng();
    let mut lcg = 0x2d35_8dcc_aa6c_78a5u64;
    let mut taken = 0;
    for form in [
        "#####",
        "#####-####",
        "##### ####",
        "#########",
        "####-#####",
    ] {
        for _ in 0..64 {
            let v = fill_form(form, &mut lcg);
            if !validate::zip_shape(&v) {
                continue;
            }
            assert!(matches!(form, "#####" | "#####-####"), "{form}");
            walk_finds_nothing(&e, &v);
            taken += 1;
        }
    }
    assert!(taken > 0);
}

/// A cell in a fixed ten-byte date form skips the token walk under a
/// column with a role: the walk, in full, finds nothing in one, under
/// every column context here, whatever its digits. Near misses (a dot,
/// mixed separators, a ninth digit) are not taken for one.
#[test]
fn fixed_dates_hold_nothing_for_the_walk() {
    let e = eng();
    let mut lcg = 0x51_7cc1_b727_220au64;
    let mut taken = 0;
    for form in [
        "####-##-##",
        "##/##/####",
        "##-##-####",
        "####/##/##",
        "##.##.####",
        "##/##-####",
        "###-##-####",
        "####-##-###",
        "#########-",
    ] {
        for _ in 0..64 {
            let v = fill_form(form, &mut lcg);
            let fixed = fixed_date_form(&v);
            assert_eq!(
                fixed,
                matches!(form, "####-##-##" | "##/##/####" | "##-##-####"),
                "{form}"
            );
            if !fixed {
                continue;
            }
            walk_finds_nothing(&e, &v);
            taken += 1;
        }
    }
    assert!(taken > 0);
}

/// Under a column named for e-mail, a value that is one address is
/// decided before the byte-class pass: what the full walk finds, for the
/// forms `mailbox::whole` takes and those it leaves.
#[test]
fn email_columns_decide_whole_addresses_as_the_walk() {
    let e = eng();
    let mut decided = 0;
    for v in [
        "John.Doe@Example.COM",
        "a@b.cc",
        "x-y@a-b.c-d.info",
        "Susan_Miller+tag%1@Example.COM",
        "david.jackson0@mail.example.org",
        "a@b.c",
        "a@@b.com",
        "john@doe.com.",
        ".a@b.com",
        "a@xn--p1ai",
        "a@b.c0m",
        "a@b.com 212-555-0123",
        "ssn 536-22-1234 a@b.com",
    ] {
        for col in ["email", "contact_email", "user.email", "", "notes", "ssn"] {
            let c = ctx_of(&e, col);
            let (gated, full, _) = gated_and_full(&e, &c, v.as_bytes());
            assert_eq!(gated, full, "{col} {v}");
            decided +=
                usize::from(c.pos & e.mask(Matcher::Email) != 0 && mailbox::whole(v.as_bytes()));
        }
    }
    assert!(decided > 0);
}

proptest::proptest! {
    /// Under a column named for e-mail, a value that is one address is
    /// decided before the byte-class pass: the gated walk finds what the
    /// full walk finds, for addresses, near misses (a second `@`, a dot or
    /// hyphen to trim, a digit in the TLD, a keyword or a number beside
    /// one) and other text, under e-mail columns and others.
    #[test]
    fn email_columns_gated_and_full_agree(
        v in "([a-zA-Z0-9._%+'-]{0,14}@[a-zA-Z0-9.-]{0,16}\\.(com|org|io|x|c0m|xn--p1ai)[.-]?|ssn [0-9]{3}-[0-9]{2}-[0-9]{4} |[a-z]{1,8}@[a-z]{1,8}\\.com |212-555-0123|[ -~]{0,20}){1,3}",
        col in proptest::sample::select(vec!["email", "contact_email", "user.email", "e-mail address", "", "notes", "ssn"]),
    ) {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let e = E.get_or_init(eng);
        let c = ctx_of(e, col);
        // (The first path is taken at all.)
        if col == "email" {
            proptest::prop_assert!(c.pos & e.mask(Matcher::Email) != 0);
        }
        let (gated, full, _) = gated_and_full(e, &c, v.as_bytes());
        proptest::prop_assert_eq!(gated, full, "{} {}", col, v);
    }
}

proptest::proptest! {
    /// The point key's rounding is `f64::round`: at every half and its
    /// neighbours, at the limits of exact integers and of `i64`, and on
    /// random doubles and micro-degrees.
    #[test]
    fn round_i64_is_round(x in proptest::num::f64::ANY, deg in -400.0f64..400.0) {
        for y in [x, deg * 1e6, deg] {
            proptest::prop_assert_eq!(round_i64(y), y.round() as i64, "{}", y);
        }
    }
}

#[test]
fn round_i64_edges() {
    let mut xs = vec![
        0.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        f64::MIN,
    ];
    for k in -300i64..300 {
        let half = k as f64 + 0.5;
        xs.extend([
            half,
            half.next_up(),
            half.next_down(),
            k as f64,
            (k as f64).next_up(),
        ]);
    }
    for e in 50..64 {
        let p = (1u64 << e) as f64;
        xs.extend([p, p.next_up(), p.next_down(), -p, p + 0.5, p - 0.5, p + 1.5]);
    }
    xs.extend([
        0.499_999_999_999_999_94,
        0.5,
        1.5,
        2.5,
        9.223_372_036_854_775e18,
    ]);
    for x in xs {
        assert_eq!(round_i64(x), x.round() as i64, "{x:?}");
        assert_eq!(round_i64(-x), (-x).round() as i64, "{:?}", -x);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
    /// Words and short numbers under a column with a field of its own are
    /// ended before the walk (`lex::plain_words`): the gated walk finds
    /// what the full walk finds, for addresses and values at each of that
    /// gate's bounds (five- and six-byte tokens with digits, words of 19
    /// and 20 letters, eight and nine digits, eleven-byte MBIs, ICD-10
    /// codes, 'omic ids and IBANs, with the keywords that give them
    /// context), under field columns and others.
    #[test]
    fn plain_words_gated_and_full_agree(
        words in proptest::collection::vec(
            proptest::prop_oneof![
                "[0-9]{1,6}",
                "[0-9]{1,4}[A-Za-z]{1,2}",
                "[A-Za-z]{1,8}",
                "[A-Za-z]{19,20}",
                "[ACGT]{19,21}",
                "[A-Z][0-9]{1,3}[A-Z0-9]{0,3}",
                proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                    "Broadway", "Apt", "Suite", "medicare", "diagnosis", "dx", "iban",
                    "passport", "ssn", "mbi", "rs1234", "rs12345", "E119", "E11", "1EG4TE5MK73",
                    "GB82WEST12345698765432", "ENSG00000141510", "cg00000029", "x123", "ext45",
                    "536", "22", "1234", "212", "555", "0123", "4111", "1111", "Rk1SAAAA",
                ]), |w: &str| w.to_owned()),
            ],
            1..7,
        ),
        col in proptest::sample::select(vec![
            "street_address", "first_name", "city", "dob", "address", "notes", "", "ssn",
        ]),
    ) {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let e = E.get_or_init(eng);
        let c = ctx_of(e, col);
        if col == "street_address" {
            proptest::prop_assert!(!c.fields.is_empty());
        }
        let v = words.join(" ");
        let (gated, full, _) = gated_and_full(e, &c, v.as_bytes());
        proptest::prop_assert_eq!(&gated, &full, "{} {}", col, v);
        // A whole cell: `scan_trimmed` ends an address the word gate would
        // end from the masks its field's shape computed; it must find
        // what its field recognisers and the walk find.
        let mut cell = RecordHits::default();
        e.scan_trimmed(&c, v.as_bytes(), &mut cell);
        let mut parts = RecordHits::default();
        if c.has_role() && !is_placeholder(v.as_bytes()) {
            for &d in &c.fields {
                lex::field_detector(e, d as usize, v.as_bytes(), &mut false, &mut parts);
            }
        }
        lex::scan_tokens_gated::<false>(e, &c, v.as_bytes(), &mut parts);
        proptest::prop_assert_eq!(hits_of(&cell), hits_of(&parts), "{} {}", col, v);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
    /// `plain_words` from bit masks answers as its byte loop, at every
    /// length the masks take (4 to 32 bytes, loaded as two overlapping
    /// halves) and around them: runs of digits and letters of every
    /// length across the halves' seams, single and double spaces, and
    /// bytes of no class (dots, tabs, UTF-8, NUL).
    #[test]
    fn plain_words_masks_agree_with_the_loop(
        v in proptest::collection::vec(
            proptest::prop_oneof![
                6 => proptest::sample::select(b"0123456789".to_vec()),
                6 => proptest::sample::select(b"aZmqAGTC".to_vec()),
                3 => proptest::strategy::Just(b' '),
                1 => proptest::sample::select(b".\t\x00\xc3\xa9@`{[/:".to_vec()),
            ],
            0..=40,
        ),
    ) {
        proptest::prop_assert_eq!(lex::plain_words(&v), lex::plain_words_loop(&v), "{:?}", String::from_utf8_lossy(&v));
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]
    /// An address's shape (five bytes or more, a digit, two letters) from
    /// bit masks answers as counting its bytes does.
    #[test]
    fn address_shape_masks_agree_with_counting(
        v in proptest::collection::vec(
            proptest::prop_oneof![
                2 => proptest::sample::select(b"0123456789".to_vec()),
                6 => proptest::sample::select(b"aZmq .#-".to_vec()),
                1 => proptest::sample::select(b"\x00\xc3\xa9@`{[/:".to_vec()),
            ],
            0..=40,
        ),
    ) {
        let counted = v.len() >= 5
            && v.iter().any(u8::is_ascii_digit)
            && v.iter().filter(|b| b.is_ascii_alphabetic()).count() >= 2;
        proptest::prop_assert_eq!(lex::shape_ok(ValueShape::Address, &v), counted, "{:?}", String::from_utf8_lossy(&v));
    }
}

/// The masks at each seam and bound the proptest may miss: runs of five
/// and six digits, nineteen and twenty letters, eight and nine digits,
/// letters then a digit, at every offset of every length 4 to 32.
#[test]
fn plain_words_masks_at_every_offset() {
    let pieces: [&[u8]; 9] = [
        b"12345",
        b"123456",
        b"abcdefghijklmnopqrs",
        b"abcdefghijklmnopqrst",
        b"12 34 5678",
        b"12 34 56789",
        b"ab1",
        b"1ab",
        b"a.b",
    ];
    let mut checked = 0;
    for n in 4..=32usize {
        for p in pieces.iter().filter(|p| p.len() <= n) {
            for at in 0..=n - p.len() {
                // Short words and numbers around the piece.
                let mut v: Vec<u8> = b"ab 1 ".iter().cycle().take(n).copied().collect();
                if at > 0 {
                    v[at - 1] = b' ';
                }
                if at + p.len() < n {
                    v[at + p.len()] = b' ';
                }
                v[at..at + p.len()].copy_from_slice(p);
                assert_eq!(
                    lex::plain_words(&v),
                    lex::plain_words_loop(&v),
                    "{:?}",
                    String::from_utf8_lossy(&v)
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
    /// One letter-led token of letters and digits shorter than an IBAN is
    /// ended before the walk unless its column gives an ICD-10 code or an
    /// MBI context: the gated walk finds what the full walk finds, for ids,
    /// ICD-10 codes, 'omic ids, IBAN and MBI shapes and template prefixes
    /// of 1 to 16 bytes, under id, diagnosis, Medicare, bank, passport and
    /// 'omic columns and free text.
    #[test]
    fn letter_led_ids_gated_and_full_agree(
        v in proptest::prop_oneof![
            "[A-Za-z][0-9]{1,13}",
            "[A-Za-z]{1,4}[0-9A-Za-z]{0,12}",
            "[A-Z][0-9]{2}[0-9A-Z]{0,4}",
            "(rs|cg|ENSG|ENST)[0-9]{1,12}",
            "[A-Z]{2}[0-9]{2}[A-Z0-9]{8,12}",
            "[1-9][A-Z][A-Z0-9][0-9][A-Z][A-Z0-9][0-9][A-Z]{2}[0-9]{2}",
            "(Rk1SA|FMR|MS4wMDE6|464d5200)[0-9A-Za-z]{0,10}",
            proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                "E119", "E11", "S72001A", "Z8711", "P0000000", "NO9386011117947", "NO938601111794",
                "GB82WEST1234569", "A12345678", "C1234567", "cg00000029", "rs1234",
            ]), |w: &str| w.to_owned()),
        ],
        col in proptest::sample::select(vec![
            "person_id", "customer_id", "", "diagnosis", "icd10", "dx_code", "mbi", "medicare_id",
            "iban", "account", "passport", "gene", "probe", "notes",
        ]),
    ) {
        static E: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        let e = E.get_or_init(eng);
        let c = ctx_of(e, col);
        let (gated, full, _) = gated_and_full(e, &c, v.as_bytes());
        proptest::prop_assert_eq!(gated, full, "{} {}", col, v);
    }
}

/// The letter-led id gate at its bounds: ICD-10 codes under a diagnosis
/// column and MBIs under a Medicare one are found (the gate lets them
/// through), a fifteen-byte IBAN is found wherever it stands, and the full
/// walk finds nothing in an id the gate ends.
#[test]
fn letter_led_ids_at_the_gate_bounds() {
    let e = eng();
    let found = |col: &str, v: &str| {
        let c = ctx_of(&e, col);
        let (gated, full, any) = gated_and_full(&e, &c, v.as_bytes());
        assert_eq!(gated, full, "{col} {v}");
        any
    };
    assert!(found("diagnosis", "E119"));
    assert!(found("icd10", "S72001A"));
    assert!(found("person_id", "NO9386011117947"));
    assert!(found("", "NO9386011117947"));
    for (col, v) in [
        ("person_id", "P0000000"),
        ("customer_id", "C1234567"),
        ("", "E119"),
        ("person_id", "A12345678"),
        ("person_id", "NO938601111794"),
        ("", "rs1234"),
    ] {
        assert!(!found(col, v), "{col} {v}");
    }
}

/// `plain_words` at each of its bounds, under a street column (a field of
/// its own): what the walk finds just past a bound (an SSN's nine digits
/// beside its keyword, an MBI's eleven bytes, a long nucleotide run) is
/// found, and the gated walk agrees with the full one on every value.
#[test]
fn plain_words_bounds() {
    let e = eng();
    let c = ctx_of(&e, "street_address");
    assert!(!c.fields.is_empty());
    let mut found = 0;
    for v in [
        "7657 Broadway",
        "650 Church Rd Apt 27B",
        "7157 Washington Blvd Apt 35B",
        "12345 Main St",
        "123456 Main St",
        "ssn 536 22 1234",
        "ssn 536 22 123",
        "ssn 536221234",
        "medicare 1EG4TE5MK73",
        "medicare 1EG4TE",
        "diagnosis E119",
        "dx E11 9",
        "sequence ACGTACGTACGTACGTACGT",
        "sequence ACGTACGTACGTACGTACG",
        "ACGTACGTACGTACGTACGTACGTACGTACGT",
        "iban GB82WEST12345698765432",
        "passport 123456789",
        "phone 212 555 0123",
        "212 867 5309x123",
        "rs1234 0.5",
        "1 2 3 4 5 6 7 8",
        "1 2 3 4 5 6 7 8 9",
    ] {
        let (gated, full, any) = gated_and_full(&e, &c, v.as_bytes());
        assert_eq!(gated, full, "{v}");
        found += usize::from(any);
    }
    assert!(found >= 2, "{found}");
}
