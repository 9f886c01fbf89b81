//! The rule's vocabulary: the seven counted categories and the eight classes
//! of listed identifiers. Every stage speaks these ids, so they live here,
//! apart from any one stage.

use std::fmt;

/// The seven counted categories of 28 CFR 202.205 (a)-(f), in the order the
/// rule lists them. The discriminant is an index into per-category arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    HumanGenomic = 0,
    HumanOmic = 1,
    BiometricIdentifiers = 2,
    PreciseGeolocation = 3,
    PersonalHealth = 4,
    PersonalFinancial = 5,
    CoveredPersonalIdentifiers = 6,
}

pub const CATEGORY_COUNT: usize = 7;

impl Category {
    pub const ALL: [Category; CATEGORY_COUNT] = [
        Category::HumanGenomic,
        Category::HumanOmic,
        Category::BiometricIdentifiers,
        Category::PreciseGeolocation,
        Category::PersonalHealth,
        Category::PersonalFinancial,
        Category::CoveredPersonalIdentifiers,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::HumanGenomic => "human_genomic",
            Category::HumanOmic => "human_omic",
            Category::BiometricIdentifiers => "biometric_identifiers",
            Category::PreciseGeolocation => "precise_geolocation",
            Category::PersonalHealth => "personal_health",
            Category::PersonalFinancial => "personal_financial",
            Category::CoveredPersonalIdentifiers => "covered_personal_identifiers",
        }
    }

    pub fn from_id(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == s)
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }

    /// Precise geolocation is counted in devices (202.205(c)); everything
    /// else in persons.
    pub fn counts_devices(self) -> bool {
        self == Category::PreciseGeolocation
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A set of categories as a bitmask: records carry one, and it costs nothing
/// to copy or merge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategorySet(pub u8);

impl CategorySet {
    pub fn insert(&mut self, c: Category) {
        self.0 |= c.bit();
    }
    pub fn contains(self, c: Category) -> bool {
        self.0 & c.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Category> {
        Category::ALL.into_iter().filter(move |c| self.contains(*c))
    }
}

/// Listed-identifier classes of 28 CFR 202.234 (a)-(h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdClass {
    /// (a) government identification or account number, full or truncated
    Government,
    /// (b) full financial account numbers or PINs
    Financial,
    /// (c) device or hardware identifiers
    Device,
    /// (d) demographic or contact data
    Demographic,
    /// (e) advertising identifiers
    Advertising,
    /// (f) account-authentication data
    Authentication,
    /// (g) network-based identifiers
    Network,
    /// (h) call-detail data
    CallDetail,
}

impl IdClass {
    pub const ALL: [IdClass; 8] = [
        IdClass::Government,
        IdClass::Financial,
        IdClass::Device,
        IdClass::Demographic,
        IdClass::Advertising,
        IdClass::Authentication,
        IdClass::Network,
        IdClass::CallDetail,
    ];

    pub fn letter(self) -> char {
        match self {
            IdClass::Government => 'a',
            IdClass::Financial => 'b',
            IdClass::Device => 'c',
            IdClass::Demographic => 'd',
            IdClass::Advertising => 'e',
            IdClass::Authentication => 'f',
            IdClass::Network => 'g',
            IdClass::CallDetail => 'h',
        }
    }

    pub fn from_letter(s: &str) -> Option<IdClass> {
        IdClass::ALL
            .into_iter()
            .find(|c| s.len() == 1 && s.starts_with(c.letter()))
    }

    pub fn describe(self) -> &'static str {
        match self {
            IdClass::Government => "government identification number",
            IdClass::Financial => "financial account number",
            IdClass::Device => "device or hardware identifier",
            IdClass::Demographic => "demographic or contact data",
            IdClass::Advertising => "advertising identifier",
            IdClass::Authentication => "account-authentication data",
            IdClass::Network => "network-based identifier",
            IdClass::CallDetail => "call-detail data",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_id(c.id()), Some(c));
            assert_eq!(Category::ALL[c.index()], c);
        }
        for k in IdClass::ALL {
            assert_eq!(IdClass::from_letter(&k.letter().to_string()), Some(k));
        }
        assert_eq!(Category::from_id("nope"), None);
        assert_eq!(IdClass::from_letter("ab"), None);
    }

    #[test]
    fn set_ops() {
        let mut s = CategorySet::default();
        assert!(s.is_empty());
        s.insert(Category::PersonalHealth);
        s.insert(Category::HumanGenomic);
        assert!(s.contains(Category::PersonalHealth));
        assert!(!s.contains(Category::PersonalFinancial));
        let v: Vec<_> = s.iter().collect();
        assert_eq!(v, vec![Category::HumanGenomic, Category::PersonalHealth]);
    }
}
