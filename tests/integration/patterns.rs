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
