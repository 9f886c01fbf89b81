//! Results must not depend on the thread count or the chunk size: a match
//! or a quoted record spanning a chunk boundary counts once.

use crate::util::*;

fn mixed_csv() -> String {
    mixed_csv_rows(400)
}

fn mixed_csv_rows(rows: u64) -> String {
    let mut csv = String::from("id,first_name,ssn,notes,card_number,latitude,longitude\n");
    for i in 0..rows {
        // Quoted fields with embedded newlines, delimiters and escaped
        // quotes, so chunk boundaries fall inside them.
        let notes = match i % 4 {
            0 => "\"line one\nline two, with comma\"".to_string(),
            1 => "\"she said \"\"hi\"\"\"".to_string(),
            2 => "plain".to_string(),
            _ => format!("\"card {} inside\nquotes\"", card(10_000 + i)),
        };
        csv += &format!(
            "{i},{},{},{notes},{},{:.5},{:.5}\r\n",
            name(i % 300),
            ssn(i % 300),
            card(i % 250),
            40.0 + (i % 280) as f64 / 1000.0,
            -74.0 - (i % 280) as f64 / 1000.0,
        );
    }
    csv
}

#[test]
fn identical_reports_for_threads_and_chunk_sizes() {
    let d = tmp();
    let f = write(d.path(), "mixed.csv", mixed_csv());
    let (base, _) = scan(&["-j", "1", s(&f)]);
    assert_eq!(base["scanned"]["records"], 400);
    assert_eq!(count(&base, "covered_personal_identifiers"), 300);
    for args in [
        vec!["-j", "2"],
        vec!["-j", "2", "--chunk-size", "1"],
        vec!["-j", "2", "--chunk-size", "7"],
        vec!["-j", "1", "--chunk-size", "64"],
        vec!["-j", "2", "--chunk-size", "4096"],
        vec!["-j", "2", "--no-mmap"],
    ] {
        let mut a = args.clone();
        a.push(s(&f));
        let (v, _) = scan(&a);
        assert_eq!(stable(v), stable(base.clone()), "{args:?}");
    }
}

/// A file large enough to be memory-mapped, in chunks that end inside
/// pages: each chunk releases only its whole pages, and a neighbour still
/// reading a shared page sees the same bytes (regression guard for the
/// page release that bounds a mapped scan's memory).
#[test]
fn mapped_file_with_released_pages_matches_a_streamed_read() {
    let d = tmp();
    let f = write(d.path(), "mapped.csv", mixed_csv_rows(4000));
    assert!(std::fs::metadata(&f).unwrap().len() > 200 * 1024);
    let (base, _) = scan(&["-j", "1", "--no-mmap", s(&f)]);
    assert_eq!(base["scanned"]["records"], 4000);
    for chunk in ["4096", "5000", "65537"] {
        for j in ["1", "2"] {
            let (v, _) = scan(&["-j", j, "--chunk-size", chunk, s(&f)]);
            assert_eq!(
                stable(v),
                stable(base.clone()),
                "-j {j} --chunk-size {chunk}"
            );
        }
    }
}

/// A CSV's chunks are cut by guess, at the line after each chunk's worth
/// (`csv::speculative_boundaries`), unless a quote comes near a cut: a
/// quoted field longer than that look-back can still hold a guessed cut.
/// The chunk before it then ends inside the quotes, and the scan is done
/// again with the quote pass's cuts. Here the only quoted field, opened
/// on the first record and closed 1.5 MB later, spans the first guessed
/// cut (a MiB in), and no quote is near either cut; without the second
/// scan, its lines after the cut counted as records of their own.
#[test]
fn a_guessed_cut_inside_a_long_quoted_field_is_scanned_again() {
    let d = tmp();
    let mut csv = format!("name,ssn,notes\n{},{},\"start\n", name(1), ssn(1));
    let mut k = 10_000;
    while csv.len() < 1_500_000 {
        csv += &format!("{},{},inside\n", name(k), ssn(k));
        k += 1;
    }
    csv += "end\"\n";
    let mut rows = 1;
    while csv.len() < 2_200_000 {
        csv += &format!("{},{},plain\n", name(rows + 2), ssn(rows + 2));
        rows += 1;
    }
    let f = write(d.path(), "long_quoted.csv", &csv);
    let mib = (1u64 << 20).to_string();
    let (one, _) = scan(&["-j", "1", "--chunk-size", "1073741824", s(&f)]);
    assert_eq!(one["scanned"]["records"], rows);
    for j in ["1", "2"] {
        let (v, _) = scan(&["-j", j, "--chunk-size", &mib, s(&f)]);
        assert_eq!(stable(v), stable(one.clone()), "-j {j}");
    }
}

#[test]
fn json_lines_and_text_are_chunk_invariant() {
    let d = tmp();
    let mut jl = String::new();
    let mut txt = String::new();
    for i in 0..300u64 {
        jl += &format!(
            "{{\"user\":{{\"email\":\"u{i}@example.com\",\"ssn\":\"{}\"}},\"n\":{i}}}\n",
            ssn(i)
        );
        txt += &format!(
            "user u{i}@example.com paid with {} from 10.0.{}.{}\n",
            card(i),
            i % 200,
            i % 250
        );
    }
    let a = write(d.path(), "a.jsonl", jl);
    let b = write(d.path(), "b.log", txt);
    let (base, _) = scan(&["-j", "1", s(&a), s(&b)]);
    assert_eq!(base["scanned"]["files"], 2);
    assert_eq!(base["detectors"]["email_address"]["matches"], 600);
    for chunk in ["1", "13", "1000"] {
        let (v, _) = scan(&["-j", "2", "--chunk-size", chunk, s(&a), s(&b)]);
        assert_eq!(stable(v), stable(base.clone()), "chunk {chunk}");
    }
}

#[test]
fn compressed_input_gives_the_same_counts() {
    use std::io::Write;
    let d = tmp();
    let plain = write(d.path(), "mixed.csv", mixed_csv());
    let gz_path = d.path().join("mixed.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz_path).unwrap(),
        flate2::Compression::fast(),
    );
    enc.write_all(mixed_csv().as_bytes()).unwrap();
    enc.finish().unwrap();
    let (a, _) = scan(&[s(&plain)]);
    let (b, _) = scan(&[s(&gz_path)]);
    assert_eq!(a["categories"], b["categories"]);
    assert_eq!(a["detectors"], b["detectors"]);
    assert_eq!(b["complete"], true);
}

/// Streams (read, not mapped: `--no-mmap`, compressed files) are cut into
/// record-aligned blocks that idle workers scan: the report must not depend
/// on who scanned which block, on the block size, or on the other inputs
/// sharing the workers.
#[test]
fn streamed_blocks_scanned_by_any_worker_give_the_same_report() {
    use std::io::Write;
    let d = tmp();
    let text = mixed_csv_rows(4000);
    let plain = write(d.path(), "mapped.csv", text.clone());
    let gz = |name: &str| {
        let p = d.path().join(name);
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&p).unwrap(),
            flate2::Compression::fast(),
        );
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap();
        p
    };
    let (base, _) = scan(&["-j", "1", s(&plain)]);
    assert_eq!(base["scanned"]["records"], 4000);
    for j in ["1", "2", "3"] {
        for chunk in ["4096", "10000", "4194304"] {
            let (v, _) = scan(&["-j", j, "--no-mmap", "--chunk-size", chunk, s(&plain)]);
            assert_eq!(
                stable(v),
                stable(base.clone()),
                "--no-mmap -j {j} --chunk-size {chunk}"
            );
        }
    }
    // Two compressed copies and the mapped file at once: the same persons
    // three times over, so the same counts, and three times the matches.
    let (a, b) = (gz("a.csv.gz"), gz("b.csv.gz"));
    let (one, _) = scan(&["-j", "1", "--chunk-size", "4096", s(&a), s(&b), s(&plain)]);
    assert_eq!(one["complete"], true);
    assert_eq!(one["categories"], base["categories"]);
    assert_eq!(one["scanned"]["records"], 12000);
    for j in ["2", "3"] {
        let (v, _) = scan(&["-j", j, "--chunk-size", "4096", s(&a), s(&b), s(&plain)]);
        assert_eq!(stable(v), stable(one.clone()), "-j {j}");
    }
}

/// A CSV with a header is scanned a batch of rows at a time, column by
/// column (`--batch-rows`, hidden). The report must be the row-by-row
/// scan's whatever the batch: this table has what could tell them apart.
/// The clinical file's patient column, 'omic probe columns whose features
/// count across a record's columns, coordinates paired across two
/// columns, values unescaped from quotes (held outside the mapped data),
/// cells past the header and rows short of it, padded and empty cells, an
/// over-long field, and repeated and unique values in every column, over
/// a row count no batch size divides.
#[test]
fn csv_batches_scan_as_rows_do() {
    let probes: Vec<String> = (0..22).map(|p| format!("cg{:08}", 29 + p * 7)).collect();
    let mut csv = format!(
        "patient_id,first_name,ssn,notes,card_number,latitude,longitude,{}\n",
        probes.join(",")
    );
    for i in 0..389u64 {
        let notes = match i % 6 {
            0 => format!("\"ssn \"\"{}\"\" on file\"", ssn(1000 + i)),
            1 => format!("\"line one\nphone 212-555-{:04}\"", i),
            2 => "  plain  ".to_string(),
            3 => "x".repeat(300),
            4 => String::new(),
            _ => format!("card {}", card(5000 + i)),
        };
        let ssn_cell = if i % 5 == 0 {
            String::new()
        } else {
            ssn(i % 211)
        };
        let mut row = format!(
            "P{:04},{},{ssn_cell},{notes},{},{:.5},{:.5}",
            i % 300,
            name(i % 37),
            card(i % 97),
            40.0 + (i % 150) as f64 / 1000.0,
            -74.0 - (i % 150) as f64 / 1000.0,
        );
        // Some rows carry a full 'omic profile, some a part of one, some
        // none; every seventh row runs past the header, every eleventh
        // stops short of it.
        let filled = match i % 3 {
            0 => 22,
            1 => 10,
            _ => 0,
        };
        for p in 0..22 {
            if p < filled {
                row += &format!(",0.{}", (i + p) % 89);
            } else {
                row.push(',');
            }
        }
        if i % 7 == 0 {
            row += &format!(",{},extra {}", ssn(3000 + i), card(7000 + i));
        }
        if i % 11 == 0 {
            row.truncate(row.find(",4").unwrap_or(row.len()));
        }
        csv += &row;
        csv += if i % 2 == 0 { "\n" } else { "\r\n" };
    }
    let d = tmp();
    let f = write(d.path(), "conditions.csv", csv);
    let args = |extra: &[&str]| {
        let mut a = vec!["--max-record-bytes", "200"];
        a.extend_from_slice(extra);
        a.push(s(&f));
        stable(scan(&a).0)
    };
    let rows = args(&["-j", "1", "--batch-rows", "0"]);
    for cat in [
        "covered_personal_identifiers",
        "personal_financial",
        "precise_geolocation",
        "personal_health",
        "human_omic",
    ] {
        assert!(count(&rows, cat) > 0, "{cat}: {rows}");
    }
    assert!(!rows["skipped"].as_array().unwrap().is_empty(), "{rows}");
    for batch in ["1", "2", "3", "64", "1000"] {
        for extra in [&["-j", "1"][..], &["-j", "2", "--chunk-size", "4096"]] {
            let mut a = extra.to_vec();
            a.extend(["--batch-rows", batch]);
            assert_eq!(args(&a), rows, "--batch-rows {batch} {extra:?}");
        }
    }
}

/// A table so wide that a batch of its rows would pass the bound on a
/// batch's cells is batched fewer rows at a time; its report is still
/// the row-by-row scan's.
#[test]
fn wide_csv_batches_scan_as_rows_do() {
    let cols = 17_000;
    let mut csv: String = (0..cols)
        .map(|c| match c % 4_000 {
            0 => "ssn".to_string(),
            1 => "card_number".to_string(),
            _ => format!("c{c}"),
        })
        .collect::<Vec<_>>()
        .join(",");
    csv.push('\n');
    for i in 0..70u64 {
        let mut row = vec![String::new(); cols];
        for k in 0..cols / 4_000 {
            if !(i + k as u64).is_multiple_of(3) {
                row[k * 4_000] = ssn(i * 5 + k as u64);
                row[k * 4_000 + 1] = card(i * 7 + k as u64);
            }
        }
        csv += &row.join(",");
        csv.push('\n');
    }
    let d = tmp();
    let f = write(d.path(), "wide.csv", csv);
    let args = |extra: &[&str]| {
        let mut a = vec!["-j", "1"];
        a.extend_from_slice(extra);
        a.push(s(&f));
        stable(scan(&a).0)
    };
    let rows = args(&["--batch-rows", "0"]);
    assert!(count(&rows, "covered_personal_identifiers") > 0, "{rows}");
    for batch in ["64", "1000"] {
        assert_eq!(args(&["--batch-rows", batch]), rows, "--batch-rows {batch}");
    }
}

/// A file's invalid UTF-8, over-long fields and broken JSON lines are
/// reported once per file, with the first offset and the total, however
/// the file is cut: each chunk used to add its own entry, so the report
/// changed with `--chunk-size` and the thread count.
#[test]
fn skip_entries_do_not_depend_on_chunks() {
    let d = tmp();
    let mut csv = b"id,ssn,notes\n".to_vec();
    for i in 0..300u64 {
        csv.extend_from_slice(format!("{i},{},", ssn(i)).as_bytes());
        match i % 50 {
            7 => csv.extend_from_slice(b"caf\xe9 latin-1"),
            9 => csv.extend_from_slice("y".repeat(150).as_bytes()),
            _ => csv.extend_from_slice(b"fine"),
        }
        csv.push(b'\n');
    }
    let long_at = csv.windows(3).position(|w| w == b"yyy").unwrap();
    let bad_at = csv.iter().position(|&b| b == 0xe9).unwrap();
    let f = write(d.path(), "mixed.csv", csv);
    let mut jsonl = String::new();
    for i in 0..300u64 {
        if i % 40 == 3 {
            jsonl += &format!("{{\"ssn\": \"{}\", broken\n", ssn(i));
        } else {
            jsonl += &format!("{{\"ssn\": \"{}\"}}\n", ssn(i));
        }
    }
    let j = write(d.path(), "events.jsonl", jsonl);
    let base = stable(scan(&["-j", "1", "--max-record-bytes", "100", s(&f), s(&j)]).0);
    let reasons: Vec<&str> = base["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    let utf8 = format!("invalid UTF-8 at byte {bad_at}; ");
    assert!(reasons.iter().any(|r| r.starts_with(&utf8)), "{reasons:?}");
    let long = format!(
        "6 field(s) or line(s) longer than the 100-byte limit not scanned (first at byte {long_at}, 150 bytes)"
    );
    assert!(reasons.contains(&long.as_str()), "{reasons:?}");
    let notes = base["notes"].to_string();
    assert!(notes.contains("8 line(s) were not valid JSON"), "{notes}");
    for args in [
        ["-j", "2", "--chunk-size", "64"],
        ["-j", "1", "--chunk-size", "1000"],
        ["-j", "2", "--chunk-size", "4096"],
    ] {
        let mut a = args.to_vec();
        a.extend(["--max-record-bytes", "100", s(&f), s(&j)]);
        assert_eq!(stable(scan(&a).0), base, "{args:?}");
    }
}

/// JSON records are batched too, grouped by key path when their paths
/// come in index order and scanned value by value otherwise. Here the two
/// e-mail keys swap places in every other pair of records: the person is
/// a record's first e-mail, so a swapped record scanned in path order
/// would name another person (the count tells). With escaped strings (held
/// outside the mapped data), arrays repeating a path, optional keys, a
/// device key, coordinates, broken lines scanned as text, and more key
/// paths than a worker keeps (records keyed by user id).
#[test]
fn json_batches_scan_as_records_do() {
    let d = tmp();
    let email = |i: u64| format!("user{i}@example.com");
    let mut jsonl = String::new();
    for i in 0..600u64 {
        let (a, b) = (email(i / 2), email(10_000 + i));
        let pair = if i % 4 < 2 {
            format!("\"e1\":\"{a}\",\"e2\":\"{b}\"")
        } else {
            format!("\"e2\":\"{a}\",\"e1\":\"{b}\"")
        };
        let extra = match i % 5 {
            0 => format!(",\"note\":\"ssn \\\"{}\\\" \\u0041\"", ssn(i)),
            1 => format!(",\"tags\":[\"{}\",\"{}\"]", card(i), ssn(i + 7)),
            2 => format!(
                ",\"geo\":{{\"lat\":{:.5},\"lon\":{:.5}}}",
                40.1 + i as f64 / 1e4,
                -74.2
            ),
            _ => String::new(),
        };
        jsonl += &format!(
            "{{{pair},\"device\":{{\"imei\":\"35{:013}\"}}{extra}}}\n",
            i % 90
        );
        if i % 97 == 5 {
            jsonl += &format!("{{\"broken\": \"{}\", \n", ssn(i + 1));
        }
    }
    for i in 0..4500u64 {
        jsonl += &format!(
            "{{\"u{i}\":{{\"email\":\"{}\"}}}}\n",
            email(50_000 + i % 700)
        );
    }
    let j = write(d.path(), "events.jsonl", &jsonl);
    let doc = format!(
        "[{}, {{\"email\": \"{}\"}}, oops",
        jsonl
            .lines()
            .take(300)
            .filter(|l| !l.contains("broken"))
            .collect::<Vec<_>>()
            .join(","),
        email(9)
    );
    let k = write(d.path(), "doc.json", doc);
    for f in [&j, &k] {
        for key in [None, Some("device.imei")] {
            let args = |extra: &[&str]| {
                let mut a = extra.to_vec();
                if let Some(key) = key {
                    a.extend(["--device-key", key]);
                }
                a.push(s(f));
                stable(scan(&a).0)
            };
            let rows = args(&["-j", "1", "--batch-rows", "0"]);
            assert!(count(&rows, "covered_personal_identifiers") > 0, "{rows}");
            for batch in ["2", "3", "64", "1000"] {
                for extra in [&["-j", "1"][..], &["-j", "2", "--chunk-size", "4096"]] {
                    let mut a = extra.to_vec();
                    a.extend(["--batch-rows", batch]);
                    assert_eq!(
                        args(&a),
                        rows,
                        "{f:?} {key:?} --batch-rows {batch} {extra:?}"
                    );
                }
            }
        }
    }
}
