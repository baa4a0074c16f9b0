//! A mapping file: which EES data set it serves and how its columns become observations
//! (measures, cohort, breakdown). New data sets need a new TOML file in `mappings/`, not code.

use std::collections::BTreeMap;

use crate::Error;

/// Units a measure may have; the API shows them as they are.
pub const UNITS: &[&str] = &["count", "percent", "score", "rate", "gbp"];

/// One measure read from one indicator column.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureDef {
    pub code: String,
    pub label: String,
    pub unit: String,
    /// The indicator column holding its values.
    pub column: String,
    /// A missing column is a header warning instead of an error.
    pub optional: bool,
    /// Filter values that must hold for a row to give this measure.
    pub(crate) when: Vec<Condition>,
    /// How school figures of this measure make a group's figure; `None`: not aggregated.
    pub aggregate: Option<Aggregate>,
    /// Which way is better, for ranks and quartiles; `None`: not ranked.
    pub better: Option<Better>,
}

/// How a measure's figures for schools become a group's figure (mapping key `aggregate`).
#[derive(Debug, Clone, PartialEq)]
pub enum Aggregate {
    /// Counts add up (the default for a `count`).
    Sum,
    /// `numerator` over `denominator` (two measures of the same mapping, summed over the schools
    /// that have both), times `scale` (100 for a percentage or a rate per 100 pupils).
    Rate { numerator: String, denominator: String, scale: f64 },
    /// A score or percentage averaged with each school's `weight` (a count measure of the same
    /// mapping, such as the pupils in the cohort).
    Weighted { weight: String },
}

impl Aggregate {
    /// As stored in `measure.aggregate`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Sum => "sum",
            Self::Rate { .. } => "rate",
            Self::Weighted { .. } => "weighted",
        }
    }
}

/// Which direction of a measure is better (mapping key `better`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
}

impl Better {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Higher => "higher",
            Self::Lower => "lower",
        }
    }
}

/// `column` must equal one of `values` (trimmed, case-insensitive: DfE capitalisation drifts
/// between years).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    pub column: String,
    pub values: Vec<String>,
}

/// What to do with a row no cohort rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unmatched {
    /// A value the mapping does not know: reject the row so the report says so.
    Reject,
    /// Rows of other breakdowns the mapping does not import (e.g. ethnicity): pass over them.
    Skip,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CohortRule {
    pub cohort: String,
    pub when: Vec<Condition>,
}

/// A validated mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub(crate) source: String,
    pub(crate) name: String,
    pub(crate) publication: String,
    pub(crate) datasets: Vec<String>,
    pub(crate) levels: Vec<String>,
    pub(crate) filters: Vec<String>,
    pub(crate) default_cohort: String,
    pub(crate) unmatched: Unmatched,
    pub(crate) cohort_rules: Vec<CohortRule>,
    pub(crate) code_columns: BTreeMap<String, String>,
    pub(crate) measures: Vec<MeasureDef>,
    pub(crate) disclosure: Disclosure,
}

/// Who may read a mapping's figures: DfE open data as published, or the LA's own records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Disclosure {
    #[default]
    Published,
    Restricted,
}

impl Disclosure {
    /// As stored in `measure.disclosure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Published => "published",
            Self::Restricted => "restricted",
        }
    }
}

impl Mapping {
    /// Parses and checks a mapping; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Self, Error> {
        super::mapping_toml::parse(file, text)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn publication(&self) -> &str {
        &self.publication
    }

    /// `published` unless the mapping says `disclosure = "restricted"`.
    pub fn disclosure(&self) -> Disclosure {
        self.disclosure
    }

    pub fn measures(&self) -> &[MeasureDef] {
        &self.measures
    }

    /// File stems and EES data-set ids this mapping serves.
    pub fn datasets(&self) -> &[String] {
        &self.datasets
    }

    /// Geographic level codes imported (`national`, `la`, …); other levels are skipped.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }

    pub fn filters(&self) -> &[String] {
        &self.filters
    }

    /// Where the mapping came from (`builtin:…` or a path), for reports.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether this mapping serves `dataset`: a data-set id, a file name or a path to one. A `*`
    /// in a mapping's entry stands for any text (DfE puts years in file names).
    pub fn serves(&self, dataset: &str) -> bool {
        let key = dataset_key(dataset);
        self.datasets.iter().any(|d| wildcard_match(&dataset_key(d), &key))
    }

    /// The mapping among `mappings` that serves `dataset`.
    pub fn for_dataset<'a>(mappings: &'a [Mapping], dataset: &str) -> Option<&'a Mapping> {
        mappings.iter().find(|m| m.serves(dataset))
    }
}

/// `data/ehc_plans__sen2_mi.csv` → `ehc_plans__sen2_mi`, ids lower-cased.
fn dataset_key(s: &str) -> String {
    let name = s.trim().rsplit(['/', '\\']).next().unwrap_or("").to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.strip_suffix(".csv").unwrap_or(name).to_owned()
}

fn wildcard_match(pattern: &str, text: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = text.strip_prefix(first) else { return false };
    let pieces: Vec<&str> = parts.collect();
    let Some((last, middle)) = pieces.split_last() else { return rest.is_empty() };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}
