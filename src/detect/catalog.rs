//! Detectors as data. `patterns/*.toml` says what each detector is (category,
//! listed-identifier class, identity kind, context words, vetoes, examples);
//! the code says only how each built-in matcher recognises a value. A rule
//! amendment or a new context word is then a data change with its examples
//! checked by `bulkscan patterns check`.

use crate::category::{Category, IdClass};
use serde::Deserialize;
use std::path::Path;

/// The built-in recognisers. Each is a shape found by the lexer (with a
/// validator) or a field recogniser that needs the column/key name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Matcher {
    Ssn,
    Itin,
    Card,
    Iban,
    Email,
    PhoneNanp,
    Ipv4,
    Ipv6,
    Mac,
    Imei,
    Iccid,
    AbaRouting,
    /// A run of digits of a length range, meaningful only under context
    /// (bank account, passport, driver's license, alien number...).
    Digits,
    /// An alphanumeric token of a length range under context (driver's
    /// licenses, passports with a letter prefix, usernames...).
    Token,
    Uuid,
    Mbi,
    Npi,
    Ndc,
    Icd10,
    GeoPair,
    Geohash,
    Nucleotide,
    /// An Illumina methylation array probe id (`cg00000029`, `ch.1.1234R`
    /// is not counted): epigenomic at systems-level scale only.
    MethylationProbe,
    /// An Ensembl gene or transcript id (`ENSG00000141510`,
    /// `ENST00000269305.9`): transcriptomic at systems-level scale only.
    GeneId,
    /// A protein accession (UniProt `P04637`, Ensembl `ENSP00000269305`):
    /// proteomic at systems-level scale only.
    ProteinId,
    /// A biometric template or transaction record by its format magic:
    /// ISO/IEC 19794 (`FMR\0`, `FIR\0`, `FAC\0`, `IIR\0`) and ANSI/NIST-ITL
    /// (`1.001:`), raw, base64 or hex encoded.
    BiometricTemplate,
    /// Any non-empty value in a field whose name says what it is.
    Field,
    /// A user-supplied regular expression (`--patterns DIR`). Keep last:
    /// `MATCHER_COUNT` counts up to it.
    Regex,
}

/// Number of `Matcher` variants (the last one is `Regex`).
pub const MATCHER_COUNT: usize = Matcher::Regex as usize + 1;

/// Built-in validators a user's regex detector can name (`validator =
/// "luhn"`), so a custom pattern gets the same checks as the catalog's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// Luhn check digit over the digits.
    Luhn,
    /// Payment card: issuer range, length and Luhn.
    Card,
    /// SSA rules for a Social Security number.
    Ssn,
    Itin,
    /// ABA routing number checksum.
    Aba,
    /// North American phone number (10 digits, or 11 with a leading 1).
    Nanp,
    Imei,
    Iccid,
    /// ISO 13616 IBAN (spaces ignored).
    Iban,
    Email,
    Ipv4,
    Ipv6,
    Mac,
    /// Medicare Beneficiary Identifier (dashes ignored).
    Mbi,
    Npi,
}

impl Validator {
    /// Whether a regex match passes this check.
    pub fn check(self, m: &[u8]) -> bool {
        use crate::detect::validate as v;
        let mut digits = [0u8; 32];
        let mut nd = 0;
        for &c in m.iter().filter(|c| c.is_ascii_digit()) {
            if nd == digits.len() {
                return false;
            }
            digits[nd] = c;
            nd += 1;
        }
        let d = &digits[..nd];
        let mut compact = [0u8; 40];
        let mut nc = 0;
        for &c in m.iter().filter(|c| c.is_ascii_alphanumeric()) {
            if nc == compact.len() {
                return false;
            }
            compact[nc] = c.to_ascii_uppercase();
            nc += 1;
        }
        let c = &compact[..nc];
        match self {
            Validator::Luhn => v::luhn_valid(d),
            Validator::Card => v::card_valid(d),
            Validator::Ssn => v::ssn_valid(d),
            Validator::Itin => v::itin_valid(d),
            Validator::Aba => v::aba_valid(d),
            Validator::Nanp => match d.len() {
                10 => v::nanp_valid(d),
                11 if d[0] == b'1' => v::nanp_valid(&d[1..]),
                _ => false,
            },
            Validator::Imei => v::imei_valid(d),
            Validator::Iccid => v::iccid_valid(d),
            Validator::Iban => v::iban_valid(c),
            Validator::Email => v::email_valid(m),
            Validator::Ipv4 => v::ipv4_valid(m),
            Validator::Ipv6 => v::ipv6_valid(m),
            Validator::Mac => v::mac_valid(m),
            Validator::Mbi => v::mbi_valid(c),
            Validator::Npi => v::npi_valid(d),
        }
    }
}

/// What a field recogniser accepts as a value, so an empty or placeholder
/// cell in a `name` column is not a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ValueShape {
    /// Non-empty and not a placeholder (NULL, N/A, -, ...).
    #[default]
    Any,
    /// Has letters: a person's or a place's name.
    Name,
    /// A calendar date.
    Date,
    /// A 5-digit or ZIP+4 code.
    Zip,
    /// Has both a number and a word: a street address.
    Address,
    /// A number (integer or decimal).
    Number,
    /// A list of many numbers: an embedding vector or template.
    Vector,
    /// A measurement or an amount: starts with a number, optionally after a
    /// sign or currency symbol (`72 kg`, `120/80`, `$1,234.56`, `-12.5`).
    Quantity,
    /// Encoded binary data: a `data:` URI, or a long (200+ characters) run
    /// of base64 or hex. A URL pointing at a photo is not the photo.
    Binary,
    /// A secret typed by a person: at least 4 characters, not a boolean or
    /// a placeholder.
    Secret,
    /// A U.S. passport book number: 9 digits, or a letter and 8 digits.
    UsPassport,
    /// A USCIS alien registration number: optional `A`, 8 or 9 digits.
    AlienNumber,
    /// A U.S. driver's license number in one of the state formats.
    DriversLicense,
    /// An account handle: has a letter, and is not a date, a time or a
    /// status word (`true`, `failed`, `active`).
    Handle,
    /// A clinical entry: any value, except a lone ICD-10-CM-shaped code
    /// that is not on the official list (`E11.99` names no diagnosis).
    Clinical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    /// Identifies a person (SSN, email, ...).
    Person,
    /// Identifies a device (IMEI, MAID, MAC, ...): the unit of geolocation.
    Device,
    #[default]
    None,
}

/// One example in a pattern file: free text, or a record of named fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub text: Option<String>,
    pub field: Option<String>,
    pub value: Option<String>,
    pub fields: Option<Vec<[String; 2]>>,
}

impl Example {
    pub fn describe(&self) -> String {
        if let Some(t) = &self.text {
            format!("text {t:?}")
        } else if let (Some(f), Some(v)) = (&self.field, &self.value) {
            format!("field {f:?} = {v:?}")
        } else if let Some(fs) = &self.fields {
            let parts: Vec<String> = fs.iter().map(|[k, v]| format!("{k}={v:?}")).collect();
            format!("record {{{}}}", parts.join(", "))
        } else {
            "empty example".to_string()
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDetector {
    id: String,
    name: String,
    category: String,
    class: Option<String>,
    #[serde(default)]
    identity: IdentityKind,
    strength: Option<u8>,
    #[serde(default)]
    us_evidence: bool,
    matcher: Matcher,
    #[serde(default)]
    value: ValueShape,
    regex: Option<String>,
    validator: Option<Validator>,
    min_len: Option<usize>,
    max_len: Option<usize>,
    #[serde(default)]
    context: Vec<String>,
    #[serde(default)]
    veto: Vec<String>,
    #[serde(default)]
    needs_context: bool,
    #[serde(default)]
    supporting: bool,
    #[serde(default)]
    digest: bool,
    min_features: Option<usize>,
    reference: String,
    explain: String,
    #[serde(default)]
    positive: Vec<Example>,
    #[serde(default)]
    negative: Vec<Example>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    detector: Vec<RawDetector>,
}

/// A detector ready to run.
#[derive(Debug, Clone)]
pub struct Detector {
    pub id: String,
    pub name: String,
    /// The category a detection counts toward. `covered_personal_identifiers`
    /// for a detector that is only a listed identifier: it counts toward CPI
    /// through the linkage rule of SPEC 3, never alone.
    pub category: Category,
    pub class: Option<IdClass>,
    pub identity: IdentityKind,
    /// Rank for automatic identity (SPEC 5): lower is stronger.
    pub strength: Option<u8>,
    /// Whether a detection is evidence that the subject is a U.S. person
    /// (`--us-persons infer`).
    pub us_evidence: bool,
    pub matcher: Matcher,
    pub value: ValueShape,
    pub regex: Option<regex_lite_like::Pattern>,
    /// A built-in check a user regex's matches must also pass.
    pub validator: Option<Validator>,
    pub min_len: usize,
    pub max_len: usize,
    /// Normalised context terms: column/key names and free-text keywords.
    pub context: Vec<Vec<String>>,
    pub veto: Vec<Vec<String>>,
    pub needs_context: bool,
    /// Supporting evidence only (an ABA routing number names a bank, not a
    /// person): reported, but never a category or a listed identifier.
    pub supporting: bool,
    /// Keep only a digest of each value, never the value (passwords, PINs,
    /// security answers, templates): enough to tell two apart in a record.
    pub digest: bool,
    /// Systems-level scale for the 'omic matchers: the number of distinct
    /// features (probes, genes, proteins) one record must hold with values.
    pub min_features: usize,
    pub reference: String,
    pub explain: String,
    pub positive: Vec<Example>,
    pub negative: Vec<Example>,
    /// Where the detector came from (built-in file name or user path).
    pub source: String,
}

impl Detector {
    /// A detector whose category is not CPI contributes that category by
    /// itself (a card number is personal financial data); a CPI detector is a
    /// listed identifier only.
    /// A supporting detector contributes nothing by itself.
    pub fn sensitive_category(&self) -> Option<Category> {
        (!self.supporting && self.category != Category::CoveredPersonalIdentifiers)
            .then_some(self.category)
    }

    /// Whether the detector's matcher is one of the 'omic feature ids that
    /// count only at systems-level scale.
    pub fn is_omic(&self) -> bool {
        matches!(
            self.matcher,
            Matcher::MethylationProbe | Matcher::GeneId | Matcher::ProteinId
        )
    }
}

/// Pattern-file errors name the file and the detector, so a user's own
/// pattern directory can be fixed without reading our source.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{file}: {message}")]
    Parse { file: String, message: String },
    #[error("{file}: detector {id:?}: {message}")]
    Detector {
        file: String,
        id: String,
        message: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// The built-in pattern files, compiled into the binary so a copied binary
/// needs no data directory.
pub const BUILTIN_PATTERNS: &[(&str, &str)] = &[
    (
        "patterns/government.toml",
        include_str!("../../patterns/government.toml"),
    ),
    (
        "patterns/financial.toml",
        include_str!("../../patterns/financial.toml"),
    ),
    (
        "patterns/device_network.toml",
        include_str!("../../patterns/device_network.toml"),
    ),
    (
        "patterns/advertising.toml",
        include_str!("../../patterns/advertising.toml"),
    ),
    (
        "patterns/contact.toml",
        include_str!("../../patterns/contact.toml"),
    ),
    (
        "patterns/authentication.toml",
        include_str!("../../patterns/authentication.toml"),
    ),
    (
        "patterns/call_detail.toml",
        include_str!("../../patterns/call_detail.toml"),
    ),
    (
        "patterns/geolocation.toml",
        include_str!("../../patterns/geolocation.toml"),
    ),
    (
        "patterns/health.toml",
        include_str!("../../patterns/health.toml"),
    ),
    (
        "patterns/biometric.toml",
        include_str!("../../patterns/biometric.toml"),
    ),
    (
        "patterns/omic.toml",
        include_str!("../../patterns/omic.toml"),
    ),
    (
        "patterns/genomic.toml",
        include_str!("../../patterns/genomic.toml"),
    ),
];

pub const BUILTIN_THRESHOLDS: &str = include_str!("../../patterns/thresholds.toml");

/// Splits a column name, key path segment or keyword into lowercase word
/// tokens: `CustomerSSN` -> [customer, ssn], `social-security_no` ->
/// [social, security, no], `ssn4` -> [ssn, 4]. Context matching compares
/// token sequences, so `ssn` matches `customer_ssn` but not `lessons`.
pub fn tokens(name: &str) -> Vec<String> {
    if name.is_ascii() {
        return ascii_tokens(name.as_bytes());
    }
    unicode_tokens(name)
}

/// `tokens` of an ASCII name (every catalog word, nearly every column
/// name), a byte at a time: the general path's character list and
/// per-character case mapping made the catalog's 1,400 words a fifth of
/// start-up.
fn ascii_tokens(name: &[u8]) -> Vec<String> {
    // Each token is a run of the name, lowered and copied once.
    let token = |run: &[u8]| String::from_utf8(run.to_ascii_lowercase()).expect("ASCII");
    let mut out = Vec::new();
    // The open token's start, if one is open.
    let mut start = None;
    for (i, &c) in name.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if let Some(s) = start.take() {
                out.push(token(&name[s..i]));
            }
            continue;
        }
        let Some(s) = start else {
            start = Some(i);
            continue;
        };
        // `c` follows a letter or digit of the open token.
        let p = name[i - 1];
        let boundary = (p.is_ascii_lowercase() && c.is_ascii_uppercase())
            || (p.is_ascii_alphabetic() != c.is_ascii_alphabetic())
            || (p.is_ascii_uppercase()
                && c.is_ascii_uppercase()
                && name.get(i + 1).is_some_and(u8::is_ascii_lowercase));
        if boundary {
            out.push(token(&name[s..i]));
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(token(&name[s..]));
    }
    out
}

/// `tokens` of any name, a character at a time.
fn unicode_tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            let prev = if i > 0 { Some(chars[i - 1]) } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_alphanumeric() => {
                    (p.is_lowercase() && c.is_uppercase())
                        || (p.is_alphabetic() != c.is_alphabetic())
                        || (p.is_uppercase()
                            && c.is_uppercase()
                            && next.is_some_and(|n| n.is_lowercase()))
                }
                _ => false,
            };
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.extend(c.to_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `needle` occurs as a contiguous token run in `hay`, also allowing
/// the needle's tokens glued together (`dateofbirth` for `date of birth`).
pub fn tokens_contain(hay: &[String], needle: &[String]) -> bool {
    if needle.is_empty() || hay.is_empty() {
        return false;
    }
    if hay.windows(needle.len()).any(|w| w == needle) {
        return true;
    }
    if needle.len() > 1 {
        let glued: String = needle.concat();
        return hay.contains(&glued);
    }
    false
}

pub struct Catalog {
    pub detectors: Vec<Detector>,
}

impl Catalog {
    pub fn builtin() -> Result<Catalog, CatalogError> {
        let mut detectors = Vec::new();
        for (name, text) in BUILTIN_PATTERNS {
            detectors.extend(parse_file(name, text)?);
        }
        let cat = Catalog { detectors };
        cat.check_unique()?;
        Ok(cat)
    }

    /// Adds a user's detectors from every `*.toml` file in `dir` (sorted by
    /// name so the catalog order, and so the report, is stable).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), CatalogError> {
        let rd = std::fs::read_dir(dir).map_err(|e| CatalogError::Io {
            path: dir.display().to_string(),
            source: e,
        })?;
        let mut files: Vec<_> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|e| CatalogError::Io {
                path: f.display().to_string(),
                source: e,
            })?;
            let name = f.display().to_string();
            self.detectors.extend(parse_file(&name, &text)?);
        }
        self.check_unique()
    }

    fn check_unique(&self) -> Result<(), CatalogError> {
        let mut seen = std::collections::HashSet::new();
        for d in &self.detectors {
            if !seen.insert(d.id.as_str()) {
                return Err(CatalogError::Detector {
                    file: d.source.clone(),
                    id: d.id.clone(),
                    message: "duplicate detector id".into(),
                });
            }
        }
        if self.detectors.len() > crate::detect::MAX_DETECTORS {
            return Err(CatalogError::Parse {
                file: "patterns".into(),
                message: format!(
                    "at most {} detectors are supported",
                    crate::detect::MAX_DETECTORS
                ),
            });
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Detector> {
        self.detectors.iter().find(|d| d.id == id)
    }
}

fn parse_file(file: &str, text: &str) -> Result<Vec<Detector>, CatalogError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| CatalogError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })?;
    raw.detector.into_iter().map(|r| compile(file, r)).collect()
}

fn compile(file: &str, r: RawDetector) -> Result<Detector, CatalogError> {
    let err = |m: String| CatalogError::Detector {
        file: file.to_string(),
        id: r.id.clone(),
        message: m,
    };
    if r.id.is_empty()
        || !r
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(err("id must be lowercase letters, digits and _".into()));
    }
    let category = Category::from_id(&r.category)
        .ok_or_else(|| err(format!("unknown category {:?}", r.category)))?;
    let class = match &r.class {
        Some(c) => Some(
            IdClass::from_letter(c)
                .ok_or_else(|| err(format!("unknown listed-identifier class {c:?} (a-h)")))?,
        ),
        None => None,
    };
    if category == Category::CoveredPersonalIdentifiers && class.is_none() {
        return Err(err(
            "a covered_personal_identifiers detector needs a listed-identifier class".into(),
        ));
    }
    if r.validator.is_some() && r.matcher != Matcher::Regex {
        return Err(err(
            "validator is for matcher \"regex\" (built-in matchers validate already)".into(),
        ));
    }
    let regex = match (&r.matcher, &r.regex) {
        (Matcher::Regex, Some(p)) => Some(regex_lite_like::Pattern::new(p).map_err(err)?),
        (Matcher::Regex, None) => return Err(err("matcher \"regex\" needs a regex".into())),
        (_, Some(_)) => return Err(err("regex is only for matcher \"regex\"".into())),
        _ => None,
    };
    let context_only = matches!(
        r.matcher,
        Matcher::Field | Matcher::Digits | Matcher::Token | Matcher::Geohash
    );
    if context_only && r.context.is_empty() {
        return Err(err(format!(
            "matcher {:?} needs context words (it has no shape of its own)",
            r.matcher
        )));
    }
    // A term with no letter or digit (no tokens) would name no column and,
    // as a keyword, stand everywhere.
    if let Some(t) = r
        .context
        .iter()
        .chain(&r.veto)
        .find(|t| !t.chars().any(char::is_alphanumeric))
    {
        return Err(err(format!(
            "context and veto terms need a letter or digit ({t:?} has none)"
        )));
    }
    if r.supporting && (class.is_some() || r.strength.is_some()) {
        return Err(err(
            "a supporting detector is evidence only: no class and no strength".into(),
        ));
    }
    let omic = matches!(
        r.matcher,
        Matcher::MethylationProbe | Matcher::GeneId | Matcher::ProteinId
    );
    if r.min_features.is_some() && !omic {
        return Err(err("min_features is only for the 'omic matchers".into()));
    }
    if r.strength.is_some() && r.identity == IdentityKind::None {
        return Err(err(
            "a detector with a strength must say whose identity it is (person or device)".into(),
        ));
    }
    if r.positive.is_empty() || r.negative.is_empty() {
        return Err(err(
            "every detector needs positive and negative examples".into()
        ));
    }
    Ok(Detector {
        context: r.context.iter().map(|c| tokens(c)).collect(),
        veto: r.veto.iter().map(|c| tokens(c)).collect(),
        needs_context: r.needs_context || context_only,
        supporting: r.supporting,
        digest: r.digest
            || matches!(
                r.value,
                ValueShape::Secret | ValueShape::Binary | ValueShape::Vector
            ),
        min_features: r.min_features.unwrap_or(20).max(2),
        min_len: r.min_len.unwrap_or(1),
        max_len: r.max_len.unwrap_or(64),
        id: r.id,
        name: r.name,
        category,
        class,
        identity: r.identity,
        strength: r.strength,
        us_evidence: r.us_evidence,
        matcher: r.matcher,
        value: r.value,
        regex,
        validator: r.validator,
        reference: r.reference,
        explain: r.explain,
        positive: r.positive,
        negative: r.negative,
        source: file.to_string(),
    })
}

/// User regexes go through the `regex` engine only for user detectors; the
/// built-in catalog never runs a regex per byte.
pub mod regex_lite_like {
    #[derive(Debug, Clone)]
    pub struct Pattern(pub regex::bytes::Regex);
    impl Pattern {
        pub fn new(p: &str) -> Result<Pattern, String> {
            regex::bytes::Regex::new(p)
                .map(Pattern)
                .map_err(|e| format!("bad regex: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_splits_names() {
        let t = |s: &str| tokens(s);
        assert_eq!(t("CustomerSSN"), vec!["customer", "ssn"]);
        assert_eq!(t("social-security_no"), vec!["social", "security", "no"]);
        assert_eq!(t("ssn4"), vec!["ssn", "4"]);
        assert_eq!(t("user.address.zip"), vec!["user", "address", "zip"]);
        assert_eq!(t("dateOfBirth"), vec!["date", "of", "birth"]);
        assert_eq!(t("IMEINumber"), vec!["imei", "number"]);
        assert!(t("  ").is_empty());
    }

    proptest::proptest! {
        /// The ASCII path splits and lowers every ASCII name as the general
        /// one does: case changes (`HTTPServer`, `aB`), letters next to
        /// digits, separators of every kind, at either end and doubled.
        #[test]
        fn ascii_tokens_match_the_general_path(
            name in "[aAzZbYmN09_. \\-/:\\[\\]'$]{0,14}",
        ) {
            proptest::prop_assert_eq!(ascii_tokens(name.as_bytes()), unicode_tokens(&name));
        }
    }

    #[test]
    fn ascii_and_general_tokens_agree_on_case_runs() {
        for name in [
            "HTTPServer",
            "aB",
            "AbC",
            "ABc",
            "A",
            "a1B2",
            "IMEI2Number",
            "x__y",
            "-Zip-",
            "ZZz9",
        ] {
            assert_eq!(
                ascii_tokens(name.as_bytes()),
                unicode_tokens(name),
                "{name}"
            );
        }
        assert_eq!(tokens("HTTPServer"), vec!["http", "server"]);
        assert_eq!(tokens("Straße_Nr"), vec!["straße", "nr"]);
    }

    #[test]
    fn token_containment() {
        let hay = tokens("customer_ssn_last4");
        assert!(tokens_contain(&hay, &tokens("ssn")));
        assert!(!tokens_contain(&tokens("lessons"), &tokens("ssn")));
        assert!(tokens_contain(
            &tokens("dateofbirth"),
            &tokens("date of birth")
        ));
        assert!(!tokens_contain(&hay, &[]));
    }

    #[test]
    fn builtin_catalog_loads() {
        let c = Catalog::builtin().expect("builtin patterns parse");
        assert!(c.get("us_ssn").is_some());
        for d in &c.detectors {
            assert!(!d.positive.is_empty() && !d.negative.is_empty(), "{}", d.id);
        }
    }

    #[test]
    fn bad_pattern_files_are_named() {
        let e = parse_file("x.toml", "[[detector]]\nid = \"A\"").unwrap_err();
        assert!(e.to_string().starts_with("x.toml"), "{e}");
        let text = r#"
[[detector]]
id = "d"
name = "n"
category = "nope"
matcher = "ssn"
reference = "r"
explain = "e"
positive = [{ text = "1" }]
negative = [{ text = "2" }]
"#;
        let e = parse_file("y.toml", text).unwrap_err().to_string();
        assert!(e.contains("unknown category"), "{e}");
        let text = r#"
[[detector]]
id = "d"
name = "n"
category = "covered_personal_identifiers"
class = "a"
matcher = "regex"
regex = "\\bS[0-9]{7}\\b"
context = ["school id", " - "]
reference = "r"
explain = "e"
positive = [{ text = "school id S1234567" }]
negative = [{ text = "S1234567" }]
"#;
        let e = parse_file("z.toml", text).unwrap_err().to_string();
        assert!(e.starts_with("z.toml") && e.contains("\" - \""), "{e}");
    }
}
