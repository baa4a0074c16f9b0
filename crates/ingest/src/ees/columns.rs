//! Matches a file's header against its mapping once, so each row is read by column index.
//!
//! Columns are found by name (trimmed, case-insensitive), never by position. A column the mapping
//! needs and the file lacks refuses the file; an indicator nobody maps is simply not read.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use domain::SharedStr;

use super::fields::Fields;
use super::levels::{Level, level_by_code};
use super::mapping::{Condition, Mapping, Unmatched};
use crate::{Error, ImportIssue};

/// A mapping condition bound to a column of this file.
#[derive(Debug)]
pub(crate) struct BoundCondition {
    pub idx: usize,
    pub values: Vec<String>,
}

impl BoundCondition {
    pub fn holds(&self, fields: &Fields) -> bool {
        let value = fields.get(self.idx);
        self.values.iter().any(|v| v.trim().eq_ignore_ascii_case(value))
    }
}

#[derive(Debug)]
pub(crate) struct PlannedMeasure {
    pub code: SharedStr,
    pub idx: usize,
    pub when: Vec<BoundCondition>,
    /// Filters named by `when`: they choose the measure, so they are not part of the breakdown.
    pub consumed: BTreeSet<usize>,
}

#[derive(Debug)]
pub(crate) struct CohortPlan {
    pub default: SharedStr,
    pub unmatched: Unmatched,
    pub rules: Vec<(SharedStr, Vec<BoundCondition>)>,
    /// Every column a rule reads: the cohort stands for them in the breakdown.
    pub columns: BTreeSet<usize>,
}

/// Where every column the mapping needs sits in this file.
#[derive(Debug)]
pub(crate) struct Plan {
    pub names: Vec<String>,
    pub time_period: usize,
    pub time_identifier: usize,
    pub geographic_level: usize,
    /// Levels to import, with the column holding each one's geography code.
    pub levels: Vec<(&'static Level, usize)>,
    /// Filter columns by the name the mapping gives them, which the breakdown repeats.
    pub filters: Vec<(String, usize)>,
    pub cohort: CohortPlan,
    pub measures: Vec<PlannedMeasure>,
}

struct Resolver<'a> {
    index: HashMap<String, usize>,
    missing: Vec<String>,
    issues: Vec<ImportIssue>,
    file: &'a str,
}

impl Resolver<'_> {
    fn find(&mut self, name: &str) -> Option<usize> {
        let found = self.index.get(&name.trim().to_ascii_lowercase()).copied();
        if found.is_none() && !self.missing.iter().any(|m| m == name) {
            self.missing.push(name.to_owned());
        }
        found
    }

    fn conditions(&mut self, conditions: &[Condition]) -> Vec<BoundCondition> {
        conditions
            .iter()
            .filter_map(|c| Some(BoundCondition { idx: self.find(&c.column)?, values: c.values.clone() }))
            .collect()
    }
}

impl Plan {
    /// Resolves `names` (the header, BOM already stripped) against `mapping`.
    pub fn resolve(file: &str, names: Vec<String>, mapping: &Mapping) -> Result<(Plan, Vec<ImportIssue>), Error> {
        let mut r = Resolver { index: HashMap::new(), missing: Vec::new(), issues: Vec::new(), file };
        for (i, name) in names.iter().enumerate() {
            match r.index.entry(name.trim().to_ascii_lowercase()) {
                Entry::Occupied(_) => {
                    let message = format!("column {name:?} appears more than once; the first is read");
                    r.issues.push(ImportIssue::file_warning(r.file, Some(name), "duplicate_column", message));
                }
                Entry::Vacant(slot) => {
                    slot.insert(i);
                }
            }
        }
        let time_period = r.find("time_period");
        let time_identifier = r.find("time_identifier");
        let geographic_level = r.find("geographic_level");
        let mut levels = Vec::new();
        for code in &mapping.levels {
            let Some(level) = level_by_code(code) else { continue };
            let column = mapping.code_columns.get(code).map_or(level.code_column, String::as_str);
            if let Some(idx) = r.find(column) {
                levels.push((level, idx));
            }
        }
        let filters = mapping.filters.iter().filter_map(|f| Some((f.clone(), r.find(f)?))).collect();
        let rules: Vec<_> =
            mapping.cohort_rules.iter().map(|rule| (rule.cohort.as_str().into(), r.conditions(&rule.when))).collect();
        let cohort_columns = rules.iter().flat_map(|(_, when)| when.iter().map(|c| c.idx)).collect();
        let mut measures = Vec::new();
        for m in &mapping.measures {
            let idx = if m.optional {
                let idx = r.index.get(&m.column.trim().to_ascii_lowercase()).copied();
                if idx.is_none() {
                    let message = format!("optional column is missing; measure {} is not imported", m.code);
                    r.issues.push(ImportIssue::file_warning(
                        r.file,
                        Some(&m.column),
                        "missing_optional_column",
                        message,
                    ));
                }
                idx
            } else {
                r.find(&m.column)
            };
            let when = r.conditions(&m.when);
            if let Some(idx) = idx {
                let consumed = when.iter().map(|c| c.idx).collect();
                measures.push(PlannedMeasure { code: m.code.as_str().into(), idx, when, consumed });
            }
        }
        match (time_period, time_identifier, geographic_level) {
            (Some(time_period), Some(time_identifier), Some(geographic_level)) if r.missing.is_empty() => {
                let cohort = CohortPlan {
                    default: mapping.default_cohort.as_str().into(),
                    unmatched: mapping.unmatched,
                    rules,
                    columns: cohort_columns,
                };
                let plan =
                    Plan { names, time_period, time_identifier, geographic_level, levels, filters, cohort, measures };
                Ok((plan, r.issues))
            }
            _ => Err(Error::MissingColumns { file: file.to_owned(), columns: r.missing }),
        }
    }
}
