//! One statistical figure as the importers hand it to the store.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string that many records share: a file's million observations name a handful of
/// measures, periods, levels, cohorts and breakdowns, so each is allocated once and cloned by
/// reference count.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The shared allocation itself, for drivers that bind it without copying.
    pub fn to_arc(&self) -> Arc<str> {
        Arc::clone(&self.0)
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        Self(Arc::from(s))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        Self(Arc::from(s))
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One value of one measure for one place, period, cohort and breakdown. The first seven fields
/// are the key the store keeps it under.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    /// Normalised level code: `national`, `regional`, `la`, `lad`, `school`, …
    pub geographic_level: SharedStr,
    /// `E92000001` for England, the region code, the three-digit LA number, the district's GSS
    /// code, or the school's URN.
    pub geography_code: SharedStr,
    pub measure: SharedStr,
    /// As the file writes it, e.g. `202223` or `2014`.
    pub time_period: SharedStr,
    pub time_identifier: SharedStr,
    pub cohort: SharedStr,
    /// Filter values not turned into the measure or the cohort, `col=value;…`, or `total`.
    pub breakdown: SharedStr,
    /// `None` when the file gives a symbol instead of a number.
    pub value: Option<f64>,
    /// The DfE symbol (`c`, `x`, `z`, `low`, …) when there is no number.
    pub status: Option<SharedStr>,
    /// The line of the source file it came from.
    pub line: u64,
}

impl Observation {
    /// The fields the store's key covers, borrowed.
    pub fn key(&self) -> [&str; 7] {
        [
            &self.geographic_level,
            &self.geography_code,
            &self.measure,
            &self.time_period,
            &self.time_identifier,
            &self.cohort,
            &self.breakdown,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_str_compares_with_plain_strings_and_shares_its_allocation() {
        let a = SharedStr::from("ehcp");
        let b = a.clone();
        assert_eq!(a, "ehcp");
        assert_eq!(a.as_str(), "ehcp");
        assert!(Arc::ptr_eq(&a.to_arc(), &b.to_arc()));
        assert_eq!(format!("{a} {a:?}"), "ehcp \"ehcp\"");
    }
}
