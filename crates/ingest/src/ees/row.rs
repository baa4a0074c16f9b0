//! Turns one data row into observations, collecting every problem in the row.

use std::collections::BTreeSet;

use domain::{Cell, SharedStr, TimePeriod};

use super::columns::Plan;
use super::fields::{Fields, Interner};
use super::levels::{check_code, level_by_label};
use super::mapping::Unmatched;
use super::{EesRow, Observation};
use crate::ImportIssue;
use crate::report::Severity;

/// What one row came to; `Unselected` rows belong to breakdowns the mapping does not import.
pub(crate) enum Outcome {
    Row(EesRow),
    Unselected { line: u64 },
}

pub(crate) struct RowInput<'a> {
    pub file: &'a str,
    pub line: u64,
    /// The row's fields, decoded and trimmed.
    pub fields: &'a Fields,
    pub plan: &'a Plan,
}

/// What the reader carries from row to row.
#[derive(Debug, Default)]
pub(crate) struct RowState {
    /// Per cohort rule, the rows it matched.
    pub rule_hits: Vec<u64>,
    pub strings: Interner,
    /// Scratch space for breakdowns.
    pub(super) pairs: Vec<(usize, usize)>,
    pub(super) text: String,
}

impl RowInput<'_> {
    fn get(&self, idx: usize) -> &str {
        self.fields.get(idx)
    }

    fn issue(&self, idx: usize, severity: Severity, code: &'static str, message: String) -> ImportIssue {
        let column = &self.plan.names[idx];
        match severity {
            Severity::Error => ImportIssue::row_error(self.file, self.line, column, code, message),
            Severity::Warning => ImportIssue::row_warning(self.file, self.line, column, code, message),
        }
    }

    fn reject(&self, idx: usize, code: &'static str, message: String) -> Outcome {
        Outcome::Row(EesRow::Rejected {
            line: self.line,
            issues: vec![self.issue(idx, Severity::Error, code, message)],
        })
    }
}

pub(crate) fn parse_row(row: &RowInput, state: &mut RowState) -> Outcome {
    let plan = row.plan;
    let line = row.line;
    if row.fields.len() != plan.names.len() {
        let message = format!("the row has {} fields but the header has {}", row.fields.len(), plan.names.len());
        let issue = ImportIssue { column: None, ..ImportIssue::row_error(row.file, line, "", "field_count", message) };
        return Outcome::Row(EesRow::Rejected { line, issues: vec![issue] });
    }
    let label = row.get(plan.geographic_level);
    let Some(level) = level_by_label(label) else {
        let message = format!("geographic_level is not a level EES defines ({label:?})");
        return row.reject(plan.geographic_level, "unknown_level", message);
    };
    let Some(&(_, code_idx)) = plan.levels.iter().find(|(l, _)| l.code == level.code) else {
        return Outcome::Row(EesRow::Skipped { line, level: label.to_owned() });
    };
    let period = match TimePeriod::parse(row.get(plan.time_period), row.get(plan.time_identifier)) {
        Ok(period) => period,
        Err(e) => return row.reject(plan.time_period, "bad_time_period", e.to_string()),
    };
    let geography_code = match check_code(level, &plan.names[code_idx], row.get(code_idx)) {
        Ok(code) => state.strings.get(&code),
        Err((code, message)) => return row.reject(code_idx, code, message),
    };
    let cohort = match cohort_of(row) {
        Ok(Some((rule, cohort))) => {
            if let Some(hits) = rule.and_then(|i| state.rule_hits.get_mut(i)) {
                *hits += 1;
            }
            cohort
        }
        Ok(None) => return Outcome::Unselected { line },
        Err(outcome) => return outcome,
    };
    let geographic_level = state.strings.get(level.code);
    let time_period = state.strings.get(period.code());
    let time_identifier = state.strings.get(period.identifier().unwrap_or_default());
    // Measures without conditions share one breakdown: work it out once per distinct `consumed`.
    let mut last_breakdown: Option<(&BTreeSet<usize>, SharedStr)> = None;
    let mut observations = Vec::with_capacity(plan.measures.len());
    let mut warnings = Vec::new();
    for measure in &plan.measures {
        if !measure.when.iter().all(|c| c.holds(row.fields)) {
            continue;
        }
        let (value, status) = match Cell::parse(row.get(measure.idx)) {
            Cell::Number(n) => (Some(n), None),
            Cell::Symbol(symbol) => {
                if domain::stats::symbol_meaning(&symbol).is_none() {
                    let message = format!("unknown symbol {symbol:?} kept as the value's status, with no value");
                    warnings.push(row.issue(measure.idx, Severity::Warning, "unknown_symbol", message));
                }
                (None, Some(state.strings.get(&symbol)))
            }
            Cell::Empty => {
                let message = format!("no value or symbol; no {} observation for this row", measure.code);
                warnings.push(row.issue(measure.idx, Severity::Warning, "empty_value", message));
                continue;
            }
        };
        let breakdown = match &last_breakdown {
            Some((consumed, b)) if *consumed == &measure.consumed => b.clone(),
            _ => {
                let b = breakdown(row, &measure.consumed, state);
                last_breakdown = Some((&measure.consumed, b.clone()));
                b
            }
        };
        observations.push(Observation {
            geographic_level: geographic_level.clone(),
            geography_code: geography_code.clone(),
            measure: measure.code.clone(),
            time_period: time_period.clone(),
            time_identifier: time_identifier.clone(),
            cohort: cohort.clone(),
            breakdown,
            value,
            status,
            line,
        });
    }
    Outcome::Row(EesRow::Observations { line, observations, warnings })
}

/// The first cohort rule that holds (its index, and the cohort); `Ok(None)` passes over the row,
/// `Err` rejects it.
fn cohort_of(row: &RowInput) -> Result<Option<(Option<usize>, SharedStr)>, Outcome> {
    let cohort = &row.plan.cohort;
    if cohort.rules.is_empty() {
        return Ok(Some((None, cohort.default.clone())));
    }
    if let Some(i) = cohort.rules.iter().position(|(_, when)| when.iter().all(|c| c.holds(row.fields))) {
        return Ok(Some((Some(i), cohort.rules[i].0.clone())));
    }
    match cohort.unmatched {
        Unmatched::Skip => Ok(None),
        Unmatched::Reject => {
            let values: Vec<_> =
                cohort.columns.iter().map(|&i| format!("{} = {:?}", row.plan.names[i], row.get(i))).collect();
            let first = cohort.columns.first().copied().unwrap_or(row.plan.geographic_level);
            let message = format!("no cohort rule of the mapping matches {}", values.join(", "));
            Err(row.reject(first, "unmapped_cohort", message))
        }
    }
}

/// Filter values the cohort and the measure do not stand for, as sorted `col=value` pairs;
/// `total` when none are left (a `Total` value counts as none).
fn breakdown(row: &RowInput, consumed: &BTreeSet<usize>, state: &mut RowState) -> SharedStr {
    let plan = row.plan;
    // (filter position in the plan, column): sorted by `name=value` below without allocating.
    let pairs = &mut state.pairs;
    pairs.clear();
    for (i, (_, idx)) in plan.filters.iter().enumerate() {
        if consumed.contains(idx) || plan.cohort.columns.contains(idx) {
            continue;
        }
        let value = row.get(*idx);
        if !value.is_empty() && !value.eq_ignore_ascii_case("total") {
            pairs.push((i, *idx));
        }
    }
    if pairs.is_empty() {
        return state.strings.get("total");
    }
    let key = |&(i, idx): &(usize, usize)| (plan.filters[i].0.as_str(), "=", row.get(idx));
    pairs.sort_by(|a, b| {
        let (an, _, av) = key(a);
        let (bn, _, bv) = key(b);
        // Compare as the joined `name=value` text would sort.
        an.bytes().chain([b'=']).chain(av.bytes()).cmp(bn.bytes().chain([b'=']).chain(bv.bytes()))
    });
    let text = &mut state.text;
    text.clear();
    for (n, pair) in pairs.iter().enumerate() {
        let (name, eq, value) = key(pair);
        if n > 0 {
            text.push(';');
        }
        text.push_str(name);
        text.push_str(eq);
        text.push_str(value);
    }
    state.strings.get(text)
}
