//! The official ICD-10-CM code list, so a diagnosis code is counted only if
//! it exists: `E11.9` is a code, `E11.99` and `A10` are not.
//!
//! The list is every category and subcategory of the CMS/NCHS ICD-10-CM
//! tabular list (April 2026 release: 98,186 codes; chapters and blocks such
//! as `A00-A09` are ranges, not codes; `C50` and `B20` are categories). It ships as
//! `patterns/icd10cm.txt.gz` (about 17 KB) and is compiled into the binary,
//! like the pattern files, so a copied binary needs no data directory.
//!
//! File format (gzip of UTF-8 lines): lines starting with `#` are comments;
//! every other line is one code, uppercase and without its dot, in sorted
//! order, front-coded: one decimal digit saying how many leading characters
//! it shares with the previous code, then the rest (`E119` after `E118` is
//! `39`). The tests rebuild the list from the CMS table in
//! `../shared/data/health/icd10cm_codes.tsv` and check they agree;
//! `cargo test --lib regenerate_icd10cm_list -- --ignored` rewrites the file
//! from that table after a CMS update.

use std::io::Read;
use std::sync::LazyLock;

const LIST_GZ: &[u8] = include_bytes!("../../patterns/icd10cm.txt.gz");

/// Codes packed into integers (see `pack`), sorted: loaded once, on the
/// first ICD-10 candidate, then shared by every thread.
static CODES: LazyLock<Vec<u64>> =
    LazyLock::new(|| decode(LIST_GZ).expect("the built-in ICD-10-CM list is valid"));

/// A dotless code of 3 to 7 ASCII alphanumerics as one integer, upper-cased,
/// big-endian and zero-padded, so integer order is the codes' sort order.
fn pack(code: &[u8]) -> Option<u64> {
    if !(3..=7).contains(&code.len()) {
        return None;
    }
    let mut x: u64 = 0;
    for i in 0..7 {
        let b = match code.get(i) {
            Some(&c) if c.is_ascii_alphanumeric() => c.to_ascii_uppercase(),
            Some(_) => return None,
            None => 0,
        };
        x = (x << 8) | b as u64;
    }
    Some(x)
}

/// Whether `code` (with or without its dot, either case) is an ICD-10-CM
/// category or subcategory.
pub fn contains(code: &[u8]) -> bool {
    let mut buf = [0u8; 7];
    let mut n = 0;
    for (i, &c) in code.iter().enumerate() {
        if c == b'.' {
            // Only the dot after the three-character category, and only
            // with more after it.
            if i != 3 || i + 1 == code.len() {
                return false;
            }
            continue;
        }
        if n == buf.len() {
            return false;
        }
        buf[n] = c;
        n += 1;
    }
    match pack(&buf[..n]) {
        Some(k) => CODES.binary_search(&k).is_ok(),
        None => false,
    }
}

/// Number of codes in the built-in list.
pub fn len() -> usize {
    CODES.len()
}

/// Decodes the compact list (gzip'd, front-coded) into sorted packed codes.
pub fn decode(gz: &[u8]) -> Result<Vec<u64>, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .map_err(|e| format!("ICD-10-CM list: {e}"))?;
    let mut out = Vec::with_capacity(100_000);
    let mut prev: Vec<u8> = Vec::new();
    for (ln, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let b = line.as_bytes();
        let shared = (b[0] as char)
            .to_digit(10)
            .ok_or_else(|| format!("ICD-10-CM list line {}: no prefix digit", ln + 1))?
            as usize;
        if shared > prev.len() {
            return Err(format!("ICD-10-CM list line {}: bad prefix", ln + 1));
        }
        prev.truncate(shared);
        prev.extend_from_slice(&b[1..]);
        let k = pack(&prev).ok_or_else(|| format!("ICD-10-CM list line {}: bad code", ln + 1))?;
        if out.last().is_some_and(|&l| l >= k) {
            return Err(format!("ICD-10-CM list line {}: not sorted", ln + 1));
        }
        out.push(k);
    }
    Ok(out)
}

/// The compact list's text (before gzip) for a set of codes given in any
/// form (`E11.9`, `e119`): de-duplicated, sorted, front-coded.
pub fn encode<S: AsRef<str>>(codes: &[S]) -> String {
    let mut v: Vec<String> = codes
        .iter()
        .map(|c| c.as_ref().replace('.', "").to_ascii_uppercase())
        .collect();
    v.sort();
    v.dedup();
    let mut out = String::from(
        "# ICD-10-CM codes (CMS/NCHS tabular list, categories and subcategories): \
         sorted, dotless, front-coded (leading digit = characters shared with the previous line)\n",
    );
    let mut prev = "";
    for c in &v {
        let shared = prev
            .bytes()
            .zip(c.bytes())
            .take_while(|(a, b)| a == b)
            .count()
            .min(9);
        out.push_str(&shared.to_string());
        out.push_str(&c[shared..]);
        out.push('\n');
        prev = c;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSV: &str = "../shared/data/health/icd10cm_codes.tsv";

    /// Codes (categories and subcategories) of the CMS table, or None when
    /// the shared data folder is absent (a fresh clone).
    fn official() -> Option<Vec<String>> {
        let text = std::fs::read_to_string(TSV).ok()?;
        // Chapters (`1`) and block ranges (`A00-A09`) are not codes; a
        // block that holds a single category shares the category's code
        // (`C50`, `B20`) and is kept as that category.
        Some(
            text.lines()
                .skip(1)
                .filter_map(|l| l.split('\t').next())
                .filter(|c| crate::detect::validate::icd10cm_shape(c.as_bytes()))
                .map(str::to_string)
                .collect(),
        )
    }

    #[test]
    fn known_codes() {
        for ok in [
            "E11", "E11.9", "E119", "e11.9", "I10", "J45.909", "S72.001A", "U07.1", "Z3A.01",
            "F32.A", "O09.A0", "C50", "C50.911", "B20",
        ] {
            assert!(contains(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "E11.99",
            "A10",
            "E1",
            "E11.",
            "E1.19",
            "A00-A09",
            "ZZZ",
            "E11.9X",
            "",
            "E11..9",
            "S72.001AA",
        ] {
            assert!(!contains(bad.as_bytes()), "{bad}");
        }
        assert_eq!(len(), 98_186);
    }

    #[test]
    fn encode_decode_round_trip() {
        let codes = ["E11.9", "E11", "e118", "A00.0", "A00"];
        let text = encode(&codes);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let dec = decode(&gz.finish().unwrap()).unwrap();
        let want: Vec<u64> = ["A00", "A000", "E11", "E118", "E119"]
            .iter()
            .map(|c| pack(c.as_bytes()).unwrap())
            .collect();
        assert_eq!(dec, want);
        assert!(decode(b"not gzip").is_err());
    }

    /// The shipped list is exactly the CMS table's categories and
    /// subcategories. Skipped when `../shared` is absent.
    #[test]
    fn shipped_list_matches_official_table() {
        let Some(codes) = official() else {
            eprintln!("skipped: {TSV} not found");
            return;
        };
        let mut want: Vec<u64> = codes
            .iter()
            .map(|c| pack(c.replace('.', "").as_bytes()).expect(c))
            .collect();
        want.sort();
        want.dedup();
        assert_eq!(want.len(), 98_186);
        assert!(*CODES == want, "patterns/icd10cm.txt.gz differs from {TSV}");
    }

    /// Rewrites `patterns/icd10cm.txt.gz` from the CMS table:
    /// `cargo test --lib regenerate_icd10cm_list -- --ignored`.
    #[test]
    #[ignore]
    fn regenerate_icd10cm_list() {
        let codes = official().expect("../shared/data/health/icd10cm_codes.tsv");
        let text = encode(&codes);
        let mut gz = flate2::GzBuilder::new()
            .mtime(0)
            .write(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        std::fs::write("patterns/icd10cm.txt.gz", gz.finish().unwrap()).unwrap();
    }
}
