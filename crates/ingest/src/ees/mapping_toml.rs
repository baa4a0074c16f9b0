//! Reads a mapping's TOML and checks it, so an error names the file and the key at fault.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::levels::{is_location_column, level_by_code};
use super::mapping::{Aggregate, Better, CohortRule, Condition, Disclosure, Mapping, MeasureDef, UNITS, Unmatched};
use crate::Error;

pub(crate) fn parse(file: &str, text: &str) -> Result<Mapping, Error> {
    let raw: RawMapping = toml::from_str(text).map_err(|e| syntax_error(file, text, &e))?;
    Checker { file }.check(raw)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    name: String,
    publication: String,
    datasets: Vec<String>,
    levels: Vec<String>,
    #[serde(default)]
    filters: Vec<String>,
    #[serde(default)]
    cohort: RawCohort,
    #[serde(default)]
    code_columns: BTreeMap<String, String>,
    measures: Vec<RawMeasure>,
    /// `published` (default) or `restricted`.
    disclosure: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCohort {
    default: Option<String>,
    unmatched: Option<String>,
    #[serde(default)]
    rules: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    cohort: String,
    when: BTreeMap<String, OneOrMany>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    code: String,
    label: String,
    unit: String,
    column: String,
    #[serde(default)]
    when: BTreeMap<String, OneOrMany>,
    #[serde(default)]
    optional: bool,
    aggregate: Option<RawAggregate>,
    better: Option<String>,
}

/// `"sum"`, `"none"`, `{ numerator, denominator, per }` or `{ weighted_by }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawAggregate {
    Word(String),
    Rate { numerator: String, denominator: String, per: Option<f64> },
    Weighted { weighted_by: String },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

fn syntax_error(file: &str, text: &str, e: &toml::de::Error) -> Error {
    let at = e.span().map(|span| {
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        format!("line {line}, column {column}: ")
    });
    Error::MappingSyntax { file: file.to_owned(), message: format!("{}{}", at.unwrap_or_default(), e.message()) }
}

struct Checker<'a> {
    file: &'a str,
}

impl Checker<'_> {
    fn err(&self, key: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Mapping { file: self.file.to_owned(), key: key.into(), message: message.into() }
    }

    fn slug(&self, key: &str, value: &str) -> Result<String, Error> {
        let ok = !value.is_empty() && value.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if ok {
            Ok(value.to_owned())
        } else {
            Err(self.err(key, format!("{value:?} must be lower-case letters, digits and _")))
        }
    }

    fn text(&self, key: &str, value: String) -> Result<String, Error> {
        let value = value.trim().to_owned();
        if value.is_empty() { Err(self.err(key, "must not be empty")) } else { Ok(value) }
    }

    fn conditions(&self, key: &str, when: BTreeMap<String, OneOrMany>) -> Result<Vec<Condition>, Error> {
        when.into_iter()
            .map(|(column, values)| {
                let values = match values {
                    OneOrMany::One(v) => vec![v],
                    OneOrMany::Many(v) => v,
                };
                if values.is_empty() || values.iter().any(|v| v.trim().is_empty()) {
                    return Err(self.err(format!("{key}.{column}"), "needs at least one non-empty value"));
                }
                Ok(Condition { column: self.text(key, column)?, values })
            })
            .collect()
    }

    fn check(&self, raw: RawMapping) -> Result<Mapping, Error> {
        let name = self.slug("name", raw.name.trim())?;
        let publication = self.text("publication", raw.publication)?;
        if raw.datasets.is_empty() {
            return Err(self.err("datasets", "name at least one data set (file stem or EES data-set id)"));
        }
        let datasets = raw
            .datasets
            .into_iter()
            .enumerate()
            .map(|(i, d)| self.text(&format!("datasets[{i}]"), d))
            .collect::<Result<_, _>>()?;
        if raw.levels.is_empty() {
            return Err(self.err("levels", "name at least one geographic level"));
        }
        for (i, level) in raw.levels.iter().enumerate() {
            if level_by_code(level).is_none() {
                return Err(
                    self.err(format!("levels[{i}]"), format!("{level:?} is not a level code {}", known_levels()))
                );
            }
        }
        for (i, filter) in raw.filters.iter().enumerate() {
            if is_location_column(filter) {
                return Err(self.err(format!("filters[{i}]"), format!("{filter:?} is a location column, not a filter")));
            }
        }
        for (level, column) in &raw.code_columns {
            if level_by_code(level).is_none() {
                return Err(self.err(format!("code_columns.{level}"), format!("not a level code {}", known_levels())));
            }
            self.text(&format!("code_columns.{level}"), column.clone())?;
        }
        let disclosure = match raw.disclosure.as_deref().map(str::trim) {
            None | Some("published") => Disclosure::Published,
            Some("restricted") => Disclosure::Restricted,
            Some(other) => {
                return Err(self.err("disclosure", format!("{other:?} must be \"published\" or \"restricted\"")));
            }
        };
        let default_cohort = self.slug("cohort.default", raw.cohort.default.as_deref().unwrap_or("all"))?;
        let unmatched = match raw.cohort.unmatched.as_deref() {
            None | Some("reject") => Unmatched::Reject,
            Some("skip") => Unmatched::Skip,
            Some(other) => {
                return Err(self.err("cohort.unmatched", format!("{other:?} must be \"reject\" or \"skip\"")));
            }
        };
        let mut cohort_rules = Vec::new();
        for (i, rule) in raw.cohort.rules.into_iter().enumerate() {
            let key = format!("cohort.rules[{i}]");
            let cohort = self.slug(&format!("{key}.cohort"), rule.cohort.trim())?;
            if rule.when.is_empty() {
                return Err(self.err(format!("{key}.when"), "a rule needs at least one column = value"));
            }
            cohort_rules.push(CohortRule { cohort, when: self.conditions(&format!("{key}.when"), rule.when)? });
        }
        if raw.measures.is_empty() {
            return Err(self.err("measures", "a mapping needs at least one measure"));
        }
        let mut measures: Vec<MeasureDef> = Vec::new();
        for (i, m) in raw.measures.into_iter().enumerate() {
            let key = format!("measures[{i}]");
            let code = self.slug(&format!("{key}.code"), m.code.trim())?;
            if measures.iter().any(|other| other.code == code) {
                return Err(self.err(format!("{key}.code"), format!("{code:?} is defined twice")));
            }
            let unit = m.unit.trim().to_owned();
            if !UNITS.contains(&unit.as_str()) {
                return Err(self.err(format!("{key}.unit"), format!("{unit:?} must be one of {}", UNITS.join(", "))));
            }
            let aggregate = self.aggregate(&key, &unit, m.aggregate)?;
            let better = match m.better.as_deref().map(str::trim) {
                None => None,
                Some("higher") => Some(Better::Higher),
                Some("lower") => Some(Better::Lower),
                Some(other) => {
                    return Err(self.err(format!("{key}.better"), format!("{other:?} must be \"higher\" or \"lower\"")));
                }
            };
            measures.push(MeasureDef {
                aggregate,
                better,
                code,
                label: self.text(&format!("{key}.label"), m.label)?,
                unit,
                column: self.text(&format!("{key}.column"), m.column)?,
                optional: m.optional,
                when: self.conditions(&format!("{key}.when"), m.when)?,
            });
        }
        self.check_aggregate_references(&measures)?;
        Ok(Mapping {
            source: self.file.to_owned(),
            name,
            publication,
            datasets,
            levels: raw.levels,
            filters: raw.filters.into_iter().map(|f| f.trim().to_owned()).collect(),
            default_cohort,
            unmatched,
            cohort_rules,
            code_columns: raw.code_columns,
            measures,
            disclosure,
        })
    }
}

/// Counts and sums of money add up across schools and places; rates and scores do not.
fn additive(unit: &str) -> bool {
    matches!(unit, "count" | "gbp")
}

impl Checker<'_> {
    /// A count sums unless told otherwise; anything else is aggregated only as the mapping says.
    fn aggregate(&self, key: &str, unit: &str, raw: Option<RawAggregate>) -> Result<Option<Aggregate>, Error> {
        let key = format!("{key}.aggregate");
        Ok(match raw {
            None if additive(unit) => Some(Aggregate::Sum),
            None => None,
            Some(RawAggregate::Word(w)) => match w.trim() {
                "sum" if additive(unit) => Some(Aggregate::Sum),
                "sum" => return Err(self.err(key, format!("a {unit} does not add up; give a rate or a weight"))),
                "none" => None,
                other => {
                    return Err(self.err(
                        key,
                        format!("{other:?} must be \"sum\", \"none\", {{ numerator, denominator, per }} or {{ weighted_by }}"),
                    ));
                }
            },
            Some(RawAggregate::Rate { numerator, denominator, per }) => {
                let scale = per.unwrap_or(if unit == "count" { 1.0 } else { 100.0 });
                if !(scale.is_finite() && scale > 0.0) {
                    return Err(self.err(format!("{key}.per"), "must be a positive number"));
                }
                Some(Aggregate::Rate {
                    numerator: self.slug(&format!("{key}.numerator"), numerator.trim())?,
                    denominator: self.slug(&format!("{key}.denominator"), denominator.trim())?,
                    scale,
                })
            }
            Some(RawAggregate::Weighted { weighted_by }) => {
                Some(Aggregate::Weighted { weight: self.slug(&format!("{key}.weighted_by"), weighted_by.trim())? })
            }
        })
    }

    /// A rate's parts and a weight are count measures of the same mapping, so they arrive with it.
    fn check_aggregate_references(&self, measures: &[MeasureDef]) -> Result<(), Error> {
        for (i, m) in measures.iter().enumerate() {
            let parts: Vec<(&str, &String)> = match &m.aggregate {
                Some(Aggregate::Rate { numerator, denominator, .. }) => {
                    vec![("numerator", numerator), ("denominator", denominator)]
                }
                Some(Aggregate::Weighted { weight }) => vec![("weighted_by", weight)],
                _ => continue,
            };
            for (part, code) in parts {
                match measures.iter().find(|o| &o.code == code) {
                    Some(o) if additive(&o.unit) => {}
                    Some(o) => {
                        return Err(self.err(
                            format!("measures[{i}].aggregate.{part}"),
                            format!("{code:?} is a {}; it must be a count or a sum of money", o.unit),
                        ));
                    }
                    None => {
                        return Err(self.err(
                            format!("measures[{i}].aggregate.{part}"),
                            format!("{code:?} is not a measure of this mapping"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

fn known_levels() -> String {
    let codes: Vec<_> = super::levels::LEVELS.iter().map(|l| l.code).collect();
    format!("(one of {})", codes.join(", "))
}
