//! No raw sensitive value in any output: table, JSON, or error messages.

use crate::util::*;

#[test]
fn no_raw_values_in_any_output() {
    let d = tmp();
    let the_ssn = ssn(42);
    let the_card = card(42);
    let email = "very.private.person@example.com";
    let f = write(
        d.path(),
        "p.csv",
        format!("first_name,ssn,card_number,email\nZebulon,{the_ssn},{the_card},{email}\n"),
    );
    // A second file that fails mid-way: its error message must not quote it.
    let bad = d.path().join("bad.csv.gz");
    {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        for _ in 0..2000 {
            enc.write_all(format!("ssn,{the_ssn},{the_card},{email}\n").as_bytes())
                .unwrap();
        }
        let mut bytes = enc.finish().unwrap();
        bytes.truncate(bytes.len() / 2);
        std::fs::write(&bad, bytes).unwrap();
    }
    let digits = |x: &str| x.chars().filter(|c| c.is_ascii_digit()).collect::<String>();
    for format in ["table", "json"] {
        let o = run(&["scan", "--format", format, s(&f), s(&bad)]);
        for out in [&o.stdout, &o.stderr] {
            for secret in [
                the_ssn.as_str(),
                &digits(&the_ssn),
                the_card.as_str(),
                email,
                "Zebulon",
            ] {
                assert!(
                    !out.contains(secret),
                    "{format} output leaks {secret}:\n{out}"
                );
            }
        }
    }
}
