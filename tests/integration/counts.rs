//! Counts against data with known truth.

use crate::util::*;

#[test]
fn one_person_per_row() {
    let d = tmp();
    let mut csv = String::from("first_name,ssn,email,card_number\n");
    for i in 0..300 {
        csv += &format!("{},{},p{i}@example.com,{}\n", name(i), ssn(i), card(i));
    }
    let f = write(d.path(), "people.csv", csv);
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 300);
    assert_eq!(count(&v, "personal_financial"), 300);
    assert_eq!(count(&v, "precise_geolocation"), 0);
    assert_eq!(v["scanned"]["records"], 300);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 300);
    assert_eq!(v["verdict"], "below_threshold");
    assert_eq!(v["complete"], true);
    assert_eq!(code, 0);
}

#[test]
fn repeated_persons_with_person_key() {
    let d = tmp();
    let mut csv = String::from("member_id,first_name,ssn\n");
    for i in 0..500 {
        let p = i % 100;
        csv += &format!("M{p:05},{},{}\n", name(p), ssn(p));
    }
    let f = write(d.path(), "members.csv", csv);
    let (v, _) = scan(&["--person-key", "member_id", s(&f)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 100);
    assert_eq!(v["assumptions"]["identity"], "person_key");
    // Without a key the SSN is the identity: the same 100 persons.
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 100);
    assert_eq!(v["identity"]["records_without_identity"], 0);
}

#[test]
fn json_lines_with_a_device_key() {
    let d = tmp();
    let mut jl = String::new();
    // 1,500 events from 1,200 devices; devices 0..1100 report precise
    // fixes (4 decimals), the others only 2 decimals (about 1.1 km).
    for e in 0..1500u64 {
        let dev = e % 1200;
        let (lat, lon) = if dev < 1100 {
            (
                format!("{:.4}", 40.0 + dev as f64 / 10_000.0),
                format!("{:.4}", -74.0 - dev as f64 / 10_000.0),
            )
        } else {
            ("40.71".to_string(), "-74.01".to_string())
        };
        jl += &format!(
            "{{\"event\":\"e{e}\",\"device\":{{\"id\":\"dev-{dev:05}\"}},\"geo\":{{\"lat\":{lat},\"lon\":{lon}}}}}\n"
        );
    }
    let f = write(d.path(), "events.jsonl", jl);
    let (v, code) = scan(&["--device-key", "device.id", s(&f)]);
    assert_eq!(count(&v, "precise_geolocation"), 1100);
    assert_eq!(v["categories"]["precise_geolocation"]["unit"], "us_devices");
    assert_eq!(v["categories"]["precise_geolocation"]["bulk"], true);
    assert_eq!(v["verdict"], "bulk");
    assert_eq!(v["bulk_categories"][0], "precise_geolocation");
    assert_eq!(code, 1);
}

/// JSON keyed by user id: a new key path per record, far more than a
/// worker keeps (4,096). Every record past that bound is judged and
/// counted like the first ones; the paths' roles come from their last
/// segments (`ssn`, `email`, `lat`/`lon`), not from the ids above them.
#[test]
fn json_keyed_by_id_counts_every_record() {
    let d = tmp();
    let n = 10_000u64;
    let mut jl = String::new();
    for i in 0..n {
        jl += &format!(
            "{{\"users\":{{\"u{i:07}\":{{\"email\":\"p{i}@example.com\",\"ssn\":\"{}\",\"lat\":{:.5},\"lon\":{:.5}}}}}}}\n",
            ssn(i),
            40.0 + (i % 500) as f64 / 1000.0,
            -74.0 - (i % 500) as f64 / 1000.0,
        );
    }
    let f = write(d.path(), "by_id.jsonl", jl);
    let (base, _) = scan(&["-j", "1", s(&f)]);
    assert_eq!(base["scanned"]["records"], n);
    assert_eq!(base["detectors"]["email_address"]["matches"], n);
    assert_eq!(base["detectors"]["us_ssn"]["matches"], n);
    assert_eq!(count(&base, "covered_personal_identifiers"), n);
    assert_eq!(count(&base, "precise_geolocation"), n);
    let (two, _) = scan(&["-j", "2", "--chunk-size", "65536", s(&f)]);
    assert_eq!(stable(two), stable(base));
}

#[test]
fn nothing_personal_counts_zero() {
    let d = tmp();
    let mut csv = String::from("sku,product_name,price,quantity,updated_at\n");
    for i in 0..200 {
        csv += &format!(
            "SKU-{i:05},Widget {i},{}.99,{},2026-01-{:02}\n",
            i % 50,
            i % 7,
            1 + i % 28
        );
    }
    let f = write(d.path(), "inventory.csv", csv);
    let (v, code) = scan(&[s(&f)]);
    for (_, c) in v["categories"].as_object().unwrap() {
        assert_eq!(c["count"], 0, "{v}");
    }
    assert_eq!(v["categories"].as_object().unwrap().len(), 7);
    assert_eq!(v["verdict"], "below_threshold");
    assert_eq!(code, 0);
}

#[test]
fn invalid_numbers_are_never_counted() {
    let d = tmp();
    let mut csv = String::from("first_name,ssn,card_number,order_id\n");
    let bad = [
        "000-12-3456",
        "666-12-3456",
        "900-12-3456",
        "987-65-4321",
        "536-00-3456",
        "536-12-0000",
    ];
    for (i, b) in bad.iter().enumerate() {
        csv += &format!("N{i},{b},{},536221234\n", bad_card(i as u64));
    }
    let f = write(d.path(), "bad.csv", csv);
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 0);
    assert_eq!(v["detectors"]["payment_card"]["matches"], 0);
    assert_eq!(count(&v, "covered_personal_identifiers"), 0);
    assert_eq!(count(&v, "personal_financial"), 0);
}

#[test]
fn nine_digits_without_ssn_context_are_not_ssns() {
    let d = tmp();
    let f = write(
        d.path(),
        "orders.csv",
        "customer,order_number,amount\nAna,536221234,10\nBo,536221235,12\n",
    );
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 0);
    let g = write(
        d.path(),
        "ssns.csv",
        "customer,ssn\nAna,536221234\nBo,536221235\n",
    );
    let (v, _) = scan(&[s(&g)]);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 2);
}

/// One worker scans both files in turn: what it kept for the first
/// file's second column (its memo, its number shortcut's detector picks)
/// must not carry over to the second file's, which has another name.
#[test]
fn a_columns_context_does_not_outlive_its_file() {
    let (mut ssns, mut orders) = (
        String::from("customer,ssn\n"),
        String::from("customer,order_number\n"),
    );
    for i in 0..300u64 {
        let nine = ssn(i).replace('-', "");
        ssns += &format!("{},{nine}\n", name(i));
        orders += &format!("{},{nine}\n", name(i));
    }
    for (first, second) in [("a.csv", "b.csv"), ("b.csv", "a.csv")] {
        let e = tmp();
        write(e.path(), first, &ssns);
        write(e.path(), second, &orders);
        let (v, _) = scan(&["-j", "1", s(e.path())]);
        assert_eq!(v["detectors"]["us_ssn"]["matches"], 300, "{first} first");
    }
}

#[test]
fn demographic_only_and_lone_identifiers_are_not_cpi() {
    let d = tmp();
    // Names, e-mails, phones and ZIPs: all class (d), excluded (202.212(b)(1)).
    let mut a = String::from("first_name,email,phone,zip\n");
    // A bare list of SSNs: a lone listed identifier (202.212(c) Example 1).
    let mut b = String::from("ssn\n");
    for i in 0..50 {
        a += &format!(
            "N{i},p{i}@example.com,(212) 867-{:04},021{:02}\n",
            5000 + i,
            i
        );
        b += &format!("{}\n", ssn(i));
    }
    let fa = write(d.path(), "contacts.csv", a);
    let fb = write(d.path(), "ssns.csv", b);
    let (v, _) = scan(&[s(&fa)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 0);
    assert_eq!(v["detectors"]["email_address"]["matches"], 50);
    let (v, _) = scan(&[s(&fb)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 0);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 50);
}

#[test]
fn one_identifier_with_sensitive_data_is_cpi_and_combined() {
    let d = tmp();
    let mut csv = String::from("email,sequence\n");
    for i in 0..120 {
        // An e-mail (class d) linked to genomic data: CPI, and combined.
        let seq: String = (0..30)
            .map(|k| b"ACGT"[((i * 7 + k * 3) % 4) as usize] as char)
            .collect();
        csv += &format!("p{i}@example.com,{seq}\n");
    }
    let f = write(d.path(), "reads.csv", csv);
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(count(&v, "human_genomic"), 120);
    assert_eq!(count(&v, "covered_personal_identifiers"), 120);
    assert_eq!(v["categories"]["human_genomic"]["bulk"], true);
    assert_eq!(code, 1);
    // Off: genomic alone is still over its own threshold of 100.
    let (v, _) = scan(&["--combined", "off", s(&f)]);
    assert_eq!(v["verdict"], "bulk");
    assert_eq!(v["combined"]["threshold"], serde_json::Value::Null);
}

/// A card number is a listed identifier (class b) and personal financial
/// data at once: alone it is a lone identifier, linked with a second
/// sensitive value (a diagnosis) it is CPI, whichever column comes first.
#[test]
fn card_with_another_sensitive_value_is_cpi() {
    let d = tmp();
    let (mut lone, mut linked, mut linked_after) = (
        String::from("card_number\n"),
        String::from("card_number,diagnosis_code\n"),
        String::from("diagnosis_code,card_number\n"),
    );
    for i in 0..40 {
        lone += &format!("{}\n", card(i));
        linked += &format!("{},E11.9\n", card(i));
        linked_after += &format!("E11.9,{}\n", card(i));
    }
    let (v, _) = scan(&[s(&write(d.path(), "lone.csv", lone))]);
    assert_eq!(count(&v, "personal_financial"), 40);
    assert_eq!(count(&v, "covered_personal_identifiers"), 0);
    for (name, csv) in [("linked.csv", linked), ("after.csv", linked_after)] {
        let (v, _) = scan(&[s(&write(d.path(), name, csv))]);
        assert_eq!(count(&v, "personal_health"), 40, "{name}");
        assert_eq!(count(&v, "covered_personal_identifiers"), 40, "{name}");
    }
}

#[test]
fn combined_lowest_uses_the_lowest_threshold_present() {
    let d = tmp();
    let mut csv = String::from("first_name,ssn,sequence\n");
    for i in 0..150u64 {
        // 150 CPI persons; only 5 of them with a sequence (genomic 5 <= 100).
        let seq = if i < 5 {
            "ACGTTGCAACGTTGCAACGTTGCAACGT"
        } else {
            ""
        };
        csv += &format!("{},{},{seq}\n", name(i), ssn(i));
    }
    let f = write(d.path(), "mixed.csv", csv);
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(count(&v, "human_genomic"), 5);
    assert_eq!(count(&v, "covered_personal_identifiers"), 150);
    assert_eq!(v["combined"]["mode"], "lowest");
    assert_eq!(v["combined"]["threshold"], 100);
    assert_eq!(v["combined"]["bulk"], true);
    assert_eq!(v["verdict"], "bulk");
    assert_eq!(code, 1);
    let (v, code) = scan(&["--combined", "off", s(&f)]);
    assert_eq!(v["verdict"], "below_threshold");
    assert_eq!(code, 0);
}

/// A NANP phone is U.S. evidence only outside Canada and the Caribbean:
/// under `infer`, a record whose only evidence is a Toronto number is left
/// out, one with a New York number counted.
#[test]
fn us_persons_infer_reads_phone_area_codes() {
    let d = tmp();
    let mut csv = String::from("phone,card_number\n");
    for i in 0..30u64 {
        let area = if i < 10 { 212 } else { 416 };
        csv += &format!("({area}) 867-{:04},{}\n", 5000 + i, card(i));
    }
    let f = write(d.path(), "phones.csv", csv);
    let (v, _) = scan(&["--us-persons", "infer", s(&f)]);
    assert_eq!(count(&v, "personal_financial"), 10);
    assert_eq!(v["identity"]["records_not_us"], 20);
}

#[test]
fn us_persons_infer_needs_evidence() {
    let d = tmp();
    let f = write(
        d.path(),
        "mixed.csv",
        format!(
            "email,card_number,country\na@example.com,{},US\nb@example.com,{},Canada\nc@example.com,{},\n",
            card(1),
            card(2),
            card(3)
        ),
    );
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(count(&v, "personal_financial"), 3);
    let (v, _) = scan(&["--us-persons", "infer", s(&f)]);
    assert_eq!(count(&v, "personal_financial"), 1);
    assert_eq!(v["assumptions"]["us_persons"], "infer");
    assert_eq!(v["identity"]["records_not_us"], 2);
}

#[test]
fn records_without_identity_are_an_upper_bound() {
    let d = tmp();
    let f = write(
        d.path(),
        "cards.csv",
        format!("card_number\n{}\n{}\n", card(1), card(2)),
    );
    let (v, _) = scan(&[s(&f)]);
    // Cards are identities (the weakest): two persons, no upper-bound note.
    assert_eq!(count(&v, "personal_financial"), 2);
    let g = write(
        d.path(),
        "geo.csv",
        "latitude,longitude\n40.7128,-74.0060\n40.7128,-74.0060\n",
    );
    let (v, _) = scan(&[s(&g)]);
    assert_eq!(count(&v, "precise_geolocation"), 2);
    assert_eq!(v["identity"]["upper_bound"], true);
    assert_eq!(v["identity"]["records_without_identity"], 2);
}

#[test]
fn stdin_is_scanned() {
    let o = run_stdin(
        &["scan", "--format", "json", "-"],
        format!("first_name,ssn\nAna,{}\n", ssn(7)).as_bytes(),
    );
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(count(&v, "covered_personal_identifiers"), 1);
    assert_eq!(o.code, 0);
}

#[test]
fn table_is_readable_in_80_columns() {
    let d = tmp();
    let f = write(
        d.path(),
        "p.csv",
        format!("first_name,ssn\nAna,{}\n", ssn(1)),
    );
    let o = run(&["scan", s(&f)]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("covered_personal_identifiers"));
    assert!(o.stdout.contains("VERDICT: below every threshold"));
    for line in o.stdout.lines() {
        if !line.contains(d.path().to_str().unwrap()) {
            assert!(line.chars().count() <= 80, "too wide: {line}");
        }
    }
}

/// Regression: one value claimed by two detectors (an e-mail used as a
/// login: contact data and authentication data) was counted as two linked
/// listed identifiers, making a bare list of logins CPI.
#[test]
fn one_value_two_detectors_is_one_identifier() {
    let d = tmp();
    let f = write(
        d.path(),
        "logins.csv",
        "login\nana@example.com\nbo@example.com\n",
    );
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(v["detectors"]["email_address"]["matches"], 2);
    assert_eq!(count(&v, "covered_personal_identifiers"), 0);
}

/// Issue 3's acceptance shapes through the binary: ICD-10 codes in a
/// diagnosis column keyed by member (several rows per member, some codes
/// not on the official list), face embeddings keyed by person, device ids
/// linked to contact data, and IBAN / bank-account data.
#[test]
fn health_biometric_device_and_bank_counts_are_exact() {
    let d = tmp();
    let codes = ["E11.9", "I10", "J45.909", "F32.A", "Z79.4", "E78.5"];
    let mut claims = String::from("member_id,service_date,diagnosis_code\n");
    for m in 0..600u64 {
        for k in 0..(1 + m % 3) {
            // Members 0, 10, 20...: only codes that are not ICD-10-CM codes.
            let code = if m % 10 == 0 {
                "E11.99"
            } else {
                codes[((m + k) % 6) as usize]
            };
            claims += &format!("M{m:06},2026-0{}-1{k},{code}\n", 1 + k % 9);
        }
    }
    // Named neutrally: a file named for claims is health data row by row.
    let f = write(d.path(), "member_rows.csv", claims);
    let (v, _) = scan(&["--person-key", "member_id", s(&f)]);
    assert_eq!(count(&v, "personal_health"), 540);

    let mut faces = String::from("person_id,face_embedding\n");
    for p in 0..150u64 {
        let vec: Vec<String> = (0..128)
            .map(|k| format!("{:.4}", ((p * 31 + k * 7) % 200) as f64 / 100.0 - 1.0))
            .collect();
        faces += &format!("U{p:05},\"[{}]\"\n", vec.join(", "));
    }
    let g = write(d.path(), "faces.csv", faces);
    let (v, _) = scan(&["--person-key", "person_id", s(&g)]);
    assert_eq!(count(&v, "biometric_identifiers"), 150);

    let mut devices = String::from("imei,email\n");
    for p in 0..200u64 {
        let body = format!("35{:012}", 100_000_000 + p * 7);
        let check = bulkscan::detect::validate::luhn_check_digit(body.as_bytes()) as char;
        devices += &format!("{body}{check},{}@example.com\n", name(p).to_lowercase());
    }
    let h = write(d.path(), "devices.csv", devices);
    let (v, _) = scan(&[s(&h)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 200);

    let mut bank = String::from("customer_id,first_name,iban,routing_number,account_number\n");
    for p in 0..60u64 {
        let iban = if p % 2 == 0 {
            "DE89370400440532013000"
        } else {
            ""
        };
        bank += &format!(
            "C{p:04},{},{iban},021000021,{}\n",
            name(p),
            10_000_000 + p * 13
        );
    }
    let b = write(d.path(), "bank.csv", bank);
    let (v, _) = scan(&["--person-key", "customer_id", s(&b)]);
    assert_eq!(count(&v, "personal_financial"), 60);
    assert_eq!(count(&v, "covered_personal_identifiers"), 60);
}

/// A clinical record table (`conditions.csv`, as Synthea and EHR exports
/// name them) is health data about the patient on each row, whatever code
/// system its codes use; a person key missing from a header is reported.
#[test]
fn clinical_tables_count_their_patients() {
    let d = tmp();
    let mut c = String::from("START,STOP,PATIENT,ENCOUNTER,CODE,DESCRIPTION\n");
    for i in 0..90u64 {
        c += &format!("2020-01-01,,pat-{:03},enc-{i},44054006,Diabetes\n", i % 30);
    }
    let f = write(d.path(), "conditions.csv", c.clone());
    let (v, _) = scan(&["--person-key", "PATIENT", s(&f)]);
    assert_eq!(count(&v, "personal_health"), 30);
    // The same rows in a file not named for clinical records: codes alone
    // say nothing.
    let g = write(d.path(), "export.csv", c);
    let (v, _) = scan(&["--person-key", "PATIENT", s(&g)]);
    assert_eq!(count(&v, "personal_health"), 0);
    // A key the header lacks is named in the notes.
    let (v, _) = scan(&["--person-key", "member", s(&f)]);
    assert!(
        v["notes"][0]["note"]
            .as_str()
            .unwrap()
            .contains("--person-key")
    );
}

#[test]
fn geofence_points_are_government_related_at_any_volume() {
    let d = tmp();
    let fence = write(
        d.path(),
        "fence.geojson",
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Pentagon"},
        "geometry":{"type":"Polygon","coordinates":[[[-77.0600,38.8680],[-77.0500,38.8680],[-77.0500,38.8750],[-77.0600,38.8750],[-77.0600,38.8680]]]}}]}"#,
    );
    let f = write(
        d.path(),
        "pings.csv",
        "device_id,latitude,longitude\nd1,38.8712,-77.0559\nd2,40.7128,-74.0060\nd3,38.87,-77.06\n",
    );
    let (v, code) = scan(&["--geofence", s(&fence), s(&f)]);
    // d1 is inside; d3 is inside too but only to 2 decimals (not precise).
    assert_eq!(v["government_related"]["records"], 1);
    assert_eq!(v["verdict"], "government_related");
    assert_eq!(code, 1);
    let (v, code) = scan(&[s(&f)]);
    assert_eq!(v["government_related"]["records"], 0);
    assert_eq!(code, 0);
}

#[test]
fn combined_union_counts_persons_with_any_category() {
    let d = tmp();
    // 600 persons with a card (financial) and 500 others with a precise
    // location: lowest threshold 1,000; union = 1,100 persons > 1,000.
    let mut csv = String::from("email,card_number,latitude,longitude\n");
    for i in 0..1100u64 {
        if i < 600 {
            csv += &format!("u{i}@example.com,{},,\n", card(i));
        } else {
            csv += &format!(
                "u{i}@example.com,,{:.4},{:.4}\n",
                40.0 + i as f64 / 1e4,
                -74.0
            );
        }
    }
    let f = write(d.path(), "mix.csv", csv);
    let (v, code) = scan(&["--combined", "union", s(&f)]);
    assert_eq!(count(&v, "personal_financial"), 600);
    assert_eq!(count(&v, "precise_geolocation"), 500);
    assert_eq!(v["combined"]["mode"], "union");
    assert_eq!(v["combined"]["threshold"], 1000);
    assert_eq!(v["combined"]["bulk"], true);
    assert_eq!(code, 1);
    // Lowest: the 1,100 persons with covered personal identifiers (e-mail
    // linked to a card or a location) exceed the lowest threshold present.
    let (v, _) = scan(&["--combined", "lowest", s(&f)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 1100);
    assert_eq!(v["combined"]["bulk"], true);
    assert_eq!(v["bulk_categories"][0], "covered_personal_identifiers");
    let (v, code) = scan(&["--combined", "off", s(&f)]);
    assert_eq!(v["combined"]["bulk"], false);
    assert_eq!(v["verdict"], "below_threshold");
    assert_eq!(code, 0);
}

/// Regression: an export wrapped in an object (`{"users": [...]}`) was one
/// record, so a thousand users holding SSNs counted as one person.
#[test]
fn json_exports_wrapped_in_an_object_are_one_record_per_element() {
    let d = tmp();
    let users: Vec<String> = (0..300u64)
        .map(|i| {
            format!(
                "{{\"id\":\"u{i}\",\"name\":\"{}\",\"ssn\":\"{}\"}}",
                name(i),
                ssn(i)
            )
        })
        .collect();
    let doc = format!(
        "{{\"count\":300,\"users\":[{}],\"next\":null}}",
        users.join(",")
    );
    let one_line = write(d.path(), "export.json", &doc);
    let (v, _) = scan(&[s(&one_line)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 300);
    assert_eq!(v["scanned"]["records"], 301);
    let (v, _) = scan(&["--person-key", "id", s(&one_line)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 300);
    let pretty = write(d.path(), "pretty.json", doc.replace(",{", ",\n  {"));
    let (v, _) = scan(&[s(&pretty)]);
    assert_eq!(count(&v, "covered_personal_identifiers"), 300);
}
