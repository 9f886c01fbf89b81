//! `bulkscan patterns list | check | explain`, and user pattern files.

use crate::util::*;

#[test]
fn list_check_explain() {
    let o = run(&["patterns", "list"]);
    assert_eq!(o.code, 0);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("us_ssn\tcovered_personal_identifiers\ta"))
    );
    let o = run(&["patterns", "check"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains(" 0 failed"));
    let o = run(&["patterns", "explain", "us_ssn"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.contains("202.234(a)"));
    assert_eq!(run(&["patterns", "explain", "nope"]).code, 2);
}

#[test]
fn user_patterns_are_loaded_and_checked() {
    let d = tmp();
    write(
        d.path(),
        "employee.toml",
        r#"
[[detector]]
id = "acme_employee_id"
name = "ACME employee id"
category = "covered_personal_identifiers"
class = "a"
identity = "person"
strength = 2
matcher = "regex"
regex = "\\bACME-[0-9]{6}\\b"
reference = "internal"
explain = "ACME badge numbers"
positive = [{ text = "badge ACME-123456" }]
negative = [{ text = "ACME-12345" }]
"#,
    );
    let o = run(&["patterns", "check", "--patterns", s(d.path())]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let f = write(
        d.path(),
        "staff.csv",
        "name,badge\nAna,ACME-123456\nBo,ACME-654321\n",
    );
    let (v, _) = scan(&["--patterns", s(d.path()), s(&f)]);
    assert_eq!(v["detectors"]["acme_employee_id"]["matches"], 2);
    assert_eq!(count(&v, "covered_personal_identifiers"), 2);
    // A broken file is named in the error.
    write(d.path(), "broken.toml", "[[detector]]\nid = 1\n");
    let o = run(&["patterns", "list", "--patterns", s(d.path())]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("broken.toml"), "{}", o.stderr);
}

#[test]
fn user_patterns_can_name_a_validator() {
    let d = tmp();
    write(
        d.path(),
        "loyalty.toml",
        r#"
[[detector]]
id = "acme_member_card"
name = "ACME member card"
category = "personal_financial"
class = "b"
matcher = "regex"
regex = "\\bAC[0-9]{14}\\b"
validator = "luhn"
reference = "internal"
explain = "ACME member cards carry a Luhn check digit"
positive = [{ text = "card AC79927398713008" }]
negative = [{ text = "card AC79927398713001" }]
"#,
    );
    let o = run(&["patterns", "check", "--patterns", s(d.path())]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let o = run(&[
        "patterns",
        "explain",
        "acme_member_card",
        "--patterns",
        s(d.path()),
    ]);
    assert!(o.stdout.contains("validator:  Luhn"), "{}", o.stdout);
    write(
        d.path(),
        "zbad.toml",
        r#"
[[detector]]
id = "x"
name = "x"
category = "personal_financial"
matcher = "regex"
regex = "x"
validator = "crc32"
reference = "r"
explain = "e"
positive = [{ text = "x" }]
negative = [{ text = "y" }]
"#,
    );
    let o = run(&["patterns", "list", "--patterns", s(d.path())]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("zbad.toml"), "{}", o.stderr);
}

/// A user's keywords may be in another script: they are found in free text
/// as whole words (ASCII letters in either case), and a keyword with no
/// letter or digit is refused by name.
#[test]
fn user_keywords_beyond_ascii() {
    let d = tmp();
    let detector = |context: &str| {
        format!(
            r#"
[[detector]]
id = "school_id"
name = "School id"
category = "covered_personal_identifiers"
class = "a"
identity = "person"
strength = 2
matcher = "regex"
regex = "\\bS[0-9]{{7}}\\b"
needs_context = true
context = {context}
reference = "internal"
explain = "school ids"
positive = [{{ text = "l'école S1234567" }}]
negative = [{{ text = "S1234567" }}]
"#
        )
    };
    write(
        d.path(),
        "school.toml",
        detector(r#"["école", "número de matrícula"]"#),
    );
    let f = write(
        d.path(),
        "notes.log",
        "l'école S1234567\nNúmero-De_Matrícula: S7654321\nxécole S1111111\nS2222222\n",
    );
    let (v, _) = scan(&["--patterns", s(d.path()), s(&f)]);
    assert_eq!(v["detectors"]["school_id"]["matches"], 2);
    write(d.path(), "school.toml", detector(r#"["école", " - "]"#));
    let o = run(&["scan", "--patterns", s(d.path()), s(&f)]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("school.toml"), "{}", o.stderr);
}
