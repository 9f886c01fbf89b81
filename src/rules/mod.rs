//! Rules: thresholds (from `patterns/thresholds.toml`), combined data, the
//! verdict and the exit code.

pub mod geofence;

use crate::category::{CATEGORY_COUNT, Category};
use crate::count::Tally;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize)]
struct RawThreshold {
    rule: String,
    more_than: u64,
    unit: String,
}

#[derive(Debug, Deserialize)]
struct RawThresholds {
    categories: BTreeMap<String, RawThreshold>,
}

#[derive(Debug, Clone)]
pub struct Threshold {
    pub more_than: u64,
    pub unit: String,
    pub rule: String,
}

/// One threshold per counted category, indexed by `Category::index`.
#[derive(Debug, Clone)]
pub struct Thresholds(pub Vec<Threshold>);

impl Thresholds {
    pub fn builtin() -> Thresholds {
        Thresholds::parse(crate::detect::catalog::BUILTIN_THRESHOLDS)
            .expect("built-in thresholds are valid")
    }

    pub fn parse(text: &str) -> Result<Thresholds, String> {
        let raw: RawThresholds = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity(CATEGORY_COUNT);
        for c in Category::ALL {
            let t = raw
                .categories
                .get(c.id())
                .ok_or_else(|| format!("thresholds: missing category {}", c.id()))?;
            let want = if c.counts_devices() {
                "us_devices"
            } else {
                "us_persons"
            };
            if t.unit != want {
                return Err(format!("thresholds: {} must be counted in {want}", c.id()));
            }
            out.push(Threshold {
                more_than: t.more_than,
                unit: t.unit.clone(),
                rule: t.rule.clone(),
            });
        }
        if let Some(k) = raw
            .categories
            .keys()
            .find(|k| Category::from_id(k).is_none())
        {
            return Err(format!("thresholds: unknown category {k}"));
        }
        Ok(Thresholds(out))
    }

    pub fn get(&self, c: Category) -> &Threshold {
        &self.0[c.index()]
    }
}

/// `--combined` (SPEC 2, 202.205(g)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CombinedMode {
    /// Bulk when any present category's count is more than the lowest
    /// threshold among the categories present.
    Lowest,
    /// Bulk when the distinct persons having any category are more than that
    /// lowest threshold (the most conservative reading).
    Union,
    /// Each category against its own threshold only.
    Off,
}

impl CombinedMode {
    pub fn id(self) -> &'static str {
        match self {
            CombinedMode::Lowest => "lowest",
            CombinedMode::Union => "union",
            CombinedMode::Off => "off",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Bulk,
    GovernmentRelated,
    BelowThreshold,
    Incomplete,
}

impl Verdict {
    pub fn id(self) -> &'static str {
        match self {
            Verdict::Bulk => "bulk",
            Verdict::GovernmentRelated => "government_related",
            Verdict::BelowThreshold => "below_threshold",
            Verdict::Incomplete => "incomplete",
        }
    }

    /// SPEC 6: 1 when bulk or government-related data was found (even in an
    /// incomplete scan: what was found is enough), 2 when the scan was
    /// incomplete and found nothing bulk (it cannot certify "below"), else 0.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Bulk | Verdict::GovernmentRelated => 1,
            Verdict::Incomplete => 2,
            Verdict::BelowThreshold => 0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CategoryResult {
    pub category: Category,
    pub count: u64,
    pub exact: bool,
    pub threshold: u64,
    pub bulk: bool,
}

#[derive(Debug, Clone)]
pub struct CombinedResult {
    pub mode: CombinedMode,
    pub present: Vec<Category>,
    pub threshold: Option<u64>,
    /// The figure compared with the threshold: the largest present count
    /// (`lowest`) or the persons having any category (`union`).
    pub count: Option<u64>,
    pub bulk: bool,
}

#[derive(Debug, Clone)]
pub struct Evaluation {
    pub categories: Vec<CategoryResult>,
    pub combined: CombinedResult,
    pub gov_records: u64,
    pub verdict: Verdict,
    pub bulk_categories: Vec<Category>,
}

pub fn evaluate(t: &Tally, th: &Thresholds, mode: CombinedMode, complete: bool) -> Evaluation {
    let counts = t.counts();
    let categories: Vec<CategoryResult> = Category::ALL
        .iter()
        .map(|&c| {
            let (count, exact) = counts[c.index()];
            let threshold = th.get(c).more_than;
            CategoryResult {
                category: c,
                count,
                exact,
                threshold,
                bulk: count > threshold,
            }
        })
        .collect();
    let present: Vec<Category> = categories
        .iter()
        .filter(|r| r.count > 0)
        .map(|r| r.category)
        .collect();
    let lowest = present.iter().map(|&c| th.get(c).more_than).min();
    let (count, bulk) = match (mode, lowest) {
        (CombinedMode::Off, _) | (_, None) => (None, false),
        (CombinedMode::Lowest, Some(l)) => {
            let max = categories.iter().map(|r| r.count).max().unwrap_or(0);
            (Some(max), max > l)
        }
        (CombinedMode::Union, Some(l)) => {
            let (u, _) = t.union_count();
            (Some(u), u > l)
        }
    };
    let combined = CombinedResult {
        mode,
        present: present.clone(),
        threshold: if mode == CombinedMode::Off {
            None
        } else {
            lowest
        },
        count,
        bulk,
    };
    let mut bulk_categories: Vec<Category> = categories
        .iter()
        .filter(|r| r.bulk || (mode == CombinedMode::Lowest && bulk && Some(r.count) > lowest))
        .map(|r| r.category)
        .collect();
    if mode == CombinedMode::Union && bulk {
        for &c in &present {
            if !bulk_categories.contains(&c) {
                bulk_categories.push(c);
            }
        }
        bulk_categories.sort();
    }
    let verdict = if !bulk_categories.is_empty() || combined.bulk {
        Verdict::Bulk
    } else if t.gov_records > 0 {
        Verdict::GovernmentRelated
    } else if !complete {
        Verdict::Incomplete
    } else {
        Verdict::BelowThreshold
    };
    Evaluation {
        categories,
        combined,
        gov_records: t.gov_records,
        verdict,
        bulk_categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::IdentityKey;

    fn tally_with(counts: &[(Category, u64)]) -> Tally {
        let k = IdentityKey::default();
        let mut t = Tally::new(1, 1_000_000);
        for &(c, n) in counts {
            for i in 0..n {
                t.add_person(c, k.hash(b"t", &i.to_le_bytes()));
            }
        }
        t
    }

    #[test]
    fn thresholds_are_strict() {
        let th = Thresholds::builtin();
        let g = Category::HumanGenomic;
        assert_eq!(th.get(g).more_than, 100);
        let at = evaluate(&tally_with(&[(g, 100)]), &th, CombinedMode::Off, true);
        assert_eq!(at.verdict, Verdict::BelowThreshold);
        let over = evaluate(&tally_with(&[(g, 101)]), &th, CombinedMode::Off, true);
        assert_eq!(over.verdict, Verdict::Bulk);
        assert_eq!(over.bulk_categories, vec![g]);
    }

    #[test]
    fn combined_modes() {
        let th = Thresholds::builtin();
        // 5 genomic persons (lowest threshold 100) and 500 CPI persons, the
        // same people: lowest -> 500 > 100 is bulk; off -> nothing bulk.
        let t = tally_with(&[
            (Category::HumanGenomic, 5),
            (Category::CoveredPersonalIdentifiers, 500),
        ]);
        let low = evaluate(&t, &th, CombinedMode::Lowest, true);
        assert!(low.combined.bulk);
        assert_eq!(low.combined.threshold, Some(100));
        assert_eq!(low.verdict, Verdict::Bulk);
        assert_eq!(
            low.bulk_categories,
            vec![Category::CoveredPersonalIdentifiers]
        );
        let off = evaluate(&t, &th, CombinedMode::Off, true);
        assert_eq!(off.verdict, Verdict::BelowThreshold);
        assert_eq!(off.combined.threshold, None);
        let un = evaluate(&t, &th, CombinedMode::Union, true);
        assert!(un.combined.bulk);
        assert_eq!(un.combined.count, Some(500));
    }

    #[test]
    fn union_counts_persons_across_categories() {
        let th = Thresholds::builtin();
        let k = IdentityKey::default();
        let mut t = Tally::new(1, 1_000_000);
        // 600 persons with health only, 600 others with financial only:
        // lowest sees 600 <= 10,000; union sees 1,200 <= 10,000.
        for i in 0..600u64 {
            t.add_person(Category::PersonalHealth, k.hash(b"a", &i.to_le_bytes()));
            t.add_person(Category::PersonalFinancial, k.hash(b"b", &i.to_le_bytes()));
        }
        let un = evaluate(&t, &th, CombinedMode::Union, true);
        assert_eq!(un.combined.count, Some(1200));
        assert!(!un.combined.bulk);
    }

    #[test]
    fn verdict_and_exit_codes() {
        let th = Thresholds::builtin();
        let empty = tally_with(&[]);
        let e = evaluate(&empty, &th, CombinedMode::Lowest, false);
        assert_eq!(e.verdict, Verdict::Incomplete);
        assert_eq!(e.verdict.exit_code(), 2);
        let mut gov = tally_with(&[]);
        gov.gov_records = 1;
        let g = evaluate(&gov, &th, CombinedMode::Lowest, false);
        assert_eq!(g.verdict, Verdict::GovernmentRelated);
        assert_eq!(g.verdict.exit_code(), 1);
        let ok = evaluate(&empty, &th, CombinedMode::Lowest, true);
        assert_eq!(ok.verdict.exit_code(), 0);
        let bulk = tally_with(&[(Category::HumanGenomic, 101)]);
        assert_eq!(
            evaluate(&bulk, &th, CombinedMode::Lowest, false).verdict,
            Verdict::Bulk
        );
    }

    #[test]
    fn threshold_file_errors() {
        assert!(Thresholds::parse("[categories]").is_err());
        let bad = crate::detect::catalog::BUILTIN_THRESHOLDS.replace("us_devices", "us_persons");
        assert!(Thresholds::parse(&bad).unwrap_err().contains("us_devices"));
    }
}
