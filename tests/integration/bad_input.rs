//! Bad input: a clear reason naming the file, listed in `skipped`, never a
//! crash, never a clean verdict from an incomplete scan.

use crate::util::*;
use std::io::Write;

fn skipped_reason(v: &serde_json::Value, name: &str) -> Option<String> {
    v["skipped"].as_array().unwrap().iter().find_map(|s| {
        s["path"]
            .as_str()
            .unwrap()
            .ends_with(name)
            .then(|| s["reason"].as_str().unwrap().to_string())
    })
}

#[test]
fn truncated_gzip_makes_the_scan_incomplete() {
    let d = tmp();
    let good = write(d.path(), "good.csv", "first_name,ssn\nAna,536-22-1234\n");
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    for i in 0..5000 {
        enc.write_all(format!("row {i} with some words\n").as_bytes())
            .unwrap();
    }
    let mut bytes = enc.finish().unwrap();
    bytes.truncate(bytes.len() - 20);
    let bad = write(d.path(), "bad.log.gz", bytes);
    let (v, code) = scan(&[s(&good), s(&bad)]);
    let r = skipped_reason(&v, "bad.log.gz").expect("listed in skipped");
    assert!(r.contains("truncated gzip"), "{r}");
    assert_eq!(v["complete"], false);
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(code, 2);
    // The good file was still counted.
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 1);
}

/// The records of a truncated stream before the damage are all scanned,
/// whatever the block size or thread count: a block that met the error
/// used to be dropped whole, so what was counted depended on where the
/// blocks fell.
#[test]
fn truncated_stream_counts_every_record_before_the_damage() {
    let d = tmp();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let rows = 20_000u64;
    enc.write_all(b"id,ssn,notes\n").unwrap();
    for i in 0..rows {
        enc.write_all(format!("{i},{},row {i} with some words\n", ssn(i)).as_bytes())
            .unwrap();
    }
    let mut bytes = enc.finish().unwrap();
    bytes.truncate(bytes.len() * 3 / 4);
    let bad = write(d.path(), "cut.csv.gz", bytes);
    let (base, code) = scan(&["-j", "1", s(&bad)]);
    assert_eq!(code, 2);
    assert_eq!(base["complete"], false);
    let records = base["scanned"]["records"].as_u64().unwrap();
    // Three quarters of the compressed bytes hold most of the rows, less
    // what the decoder still held when the input ended.
    assert!(records > rows / 2 && records < rows, "{records}");
    for args in [
        ["-j", "1", "--chunk-size", "4096"],
        ["-j", "2", "--chunk-size", "4096"],
        ["-j", "2", "--chunk-size", "65536"],
        ["-j", "2", "--chunk-size", "1073741824"],
    ] {
        let mut a = args.to_vec();
        a.push(s(&bad));
        let (v, _) = scan(&a);
        assert_eq!(stable(v), stable(base.clone()), "{args:?}");
    }
}

#[test]
fn binary_empty_missing_and_invalid_utf8() {
    let d = tmp();
    let bin = write(d.path(), "blob.bin", [0u8, 1, 2, 3, 0, 255, 254, 0]);
    let empty = write(d.path(), "empty.csv", "");
    let latin1 = write(
        d.path(),
        "latin1.txt",
        b"Jos\xe9 paid 4111 1111 1111 1111\n",
    );
    let missing = d.path().join("missing.csv");
    let (v, code) = scan(&[s(&bin), s(&empty), s(&latin1), s(&missing)]);
    assert!(skipped_reason(&v, "blob.bin").unwrap().contains("binary"));
    assert!(skipped_reason(&v, "empty.csv").unwrap().contains("empty"));
    assert!(
        skipped_reason(&v, "latin1.txt")
            .unwrap()
            .contains("invalid UTF-8")
    );
    assert!(
        skipped_reason(&v, "missing.csv")
            .unwrap()
            .contains("no such file")
    );
    // The Latin-1 file is still scanned as bytes: its card is found.
    assert_eq!(v["detectors"]["payment_card"]["matches"], 1);
    assert_eq!(v["verdict"], "incomplete");
    assert_eq!(code, 2);
}

#[test]
fn an_empty_file_alone_is_a_complete_scan() {
    let d = tmp();
    let empty = write(d.path(), "empty.csv", "");
    let (v, code) = scan(&[s(&empty)]);
    assert_eq!(v["complete"], true);
    assert_eq!(code, 0);
}

#[test]
fn overlong_lines_are_reported_not_scanned() {
    let d = tmp();
    let mut t = String::from("short line 536-22-1234\n");
    t += &"x".repeat(5000);
    t += "\nanother 536-22-1235\n";
    let f = write(d.path(), "long.txt", t);
    let (v, code) = scan(&["--max-record-bytes", "1000", s(&f)]);
    let r = skipped_reason(&v, "long.txt").unwrap();
    assert!(r.contains("longer than"), "{r}");
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 2);
    assert_eq!(code, 2);
}

#[test]
fn bulk_found_in_an_incomplete_scan_is_still_bulk() {
    let d = tmp();
    let mut csv = String::from("email,sequence\n");
    for i in 0..101 {
        csv += &format!("p{i}@example.com,ACGTACGTTGCAACGTACGTTGCAAC\n");
    }
    let f = write(d.path(), "g.csv", csv);
    let missing = d.path().join("nope.csv");
    let (v, code) = scan(&[s(&f), s(&missing)]);
    assert_eq!(v["complete"], false);
    assert_eq!(v["verdict"], "bulk");
    assert_eq!(code, 1);
}

#[test]
fn malformed_json_lines_are_scanned_as_text() {
    let d = tmp();
    let f = write(
        d.path(),
        "e.jsonl",
        "{\"email\":\"a@example.com\"}\n{\"email\": broken a2@example.com\n{\"email\":\"b@example.com\"}\n",
    );
    let (v, _) = scan(&[s(&f)]);
    assert_eq!(v["detectors"]["email_address"]["matches"], 3);
    assert!(
        v["notes"][0]["note"]
            .as_str()
            .unwrap()
            .contains("not valid JSON")
    );
}

#[test]
fn directories_are_walked() {
    let d = tmp();
    std::fs::create_dir_all(d.path().join("a/b")).unwrap();
    write(&d.path().join("a"), "one.csv", "ssn\n536-22-1234\n");
    write(&d.path().join("a/b"), "two.txt", "ssn 536-22-1235\n");
    let (v, _) = scan(&[s(d.path())]);
    assert_eq!(v["scanned"]["files"], 2);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 2);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&["scan"]).code, 2);
    assert_eq!(run(&["scan", "--format", "xml", "x"]).code, 2);
    assert_eq!(run(&["scan", "--threads", "0", "x"]).code, 2);
    let o = run(&["scan", "--geofence", "/no/such/file.geojson", "x"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("--geofence"), "{}", o.stderr);
}

#[test]
fn symbolic_links_are_followed_and_loops_reported() {
    let d = tmp();
    let data = d.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let outside = tmp();
    write(outside.path(), "linked.csv", "ssn\n536-22-1234\n");
    std::os::unix::fs::symlink(outside.path().join("linked.csv"), data.join("linked.csv")).unwrap();
    std::os::unix::fs::symlink(&data, data.join("loop")).unwrap();
    let (v, code) = scan(&[s(&data)]);
    assert_eq!(v["detectors"]["us_ssn"]["matches"], 1);
    assert!(
        v["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["reason"].as_str().unwrap().contains("loop"))
    );
    // The loop hides nothing: the scan is complete.
    assert_eq!(v["complete"], true);
    assert_eq!(code, 0);
}
