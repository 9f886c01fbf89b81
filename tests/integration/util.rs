//! Running the binary and building data with known truth.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

pub fn run(args: &[&str]) -> Out {
    let o = Command::new(env!("CARGO_BIN_EXE_bulkscan"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run bulkscan");
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

pub fn run_stdin(args: &[&str], input: &[u8]) -> Out {
    use std::io::Write;
    let mut c = Command::new(env!("CARGO_BIN_EXE_bulkscan"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn bulkscan");
    c.stdin.take().unwrap().write_all(input).unwrap();
    let o = c.wait_with_output().unwrap();
    Out {
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        code: o.status.code().unwrap_or(-1),
    }
}

/// `scan --format json ARGS...`: the report and the exit code.
pub fn scan(args: &[&str]) -> (Value, i32) {
    let mut a = vec!["scan", "--format", "json"];
    a.extend_from_slice(args);
    let o = run(&a);
    let v: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", o.stdout, o.stderr));
    (v, o.code)
}

pub fn count(v: &Value, cat: &str) -> u64 {
    v["categories"][cat]["count"]
        .as_u64()
        .unwrap_or_else(|| panic!("no category {cat} in {v}"))
}

/// The report without what legitimately varies between runs.
pub fn stable(mut v: Value) -> Value {
    v["scanned"]["elapsed_seconds"] = Value::Null;
    v["scanned"]["threads"] = Value::Null;
    v
}

pub fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

pub fn write(dir: &Path, name: &str, data: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).unwrap();
    p
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The shared third-party data, when the checkout has it beside it.
pub fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("skipping: ../shared/data is absent");
        None
    }
}

/// A valid, distinct SSN for each i < 32,000 (areas 200-599, groups
/// 10-89: never a sample or never-issued number).
pub fn ssn(i: u64) -> String {
    format!(
        "{:03}-{:02}-{:04}",
        200 + i % 400,
        10 + (i / 400) % 80,
        1000 + i % 9000
    )
}

/// A Luhn-valid 16-digit Visa number, distinct per i.
pub fn card(i: u64) -> String {
    let body = format!("4{:014}", 31_000_000 + i);
    let check = bulkscan::detect::validate::luhn_check_digit(body.as_bytes()) as char;
    format!("{body}{check}")
}

/// The same number with its check digit broken.
pub fn bad_card(i: u64) -> String {
    let mut c = card(i).into_bytes();
    let last = c.len() - 1;
    c[last] = b'0' + (c[last] - b'0' + 1) % 10;
    String::from_utf8(c).unwrap()
}

/// A letters-only name, distinct per i (a name with digits is not a name).
pub fn name(i: u64) -> String {
    let mut n = String::from("Nam");
    let mut x = i;
    loop {
        n.push((b'a' + (x % 26) as u8) as char);
        x /= 26;
        if x == 0 {
            break;
        }
    }
    n
}
