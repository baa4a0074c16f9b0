//! What a viewer may see of a figure: the one place the access rules live (DESIGN.md "Access and
//! disclosure rules"). Resolvers hand each figure over with the sensitivity of its source and
//! get back the value, `c` (suppressed) or a `FORBIDDEN` error; every restricted figure shown is
//! noted for the access log ([`crate::audit`]). Resolvers hold no rules of their own.

pub mod fields;
mod groups;
pub mod recover;

use std::collections::BTreeSet;
use std::sync::Mutex;

use async_graphql::{Context, Enum, Result};
use store::aggregate::GroupLevel;
use store::audit::AccessEntry;

use crate::error::forbidden;
use crate::viewer::{Role, Viewer};

pub(crate) use groups::GroupCounts;

/// The settings of the rules.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Restricted group figures are shown only for groups of at least this many schools.
    pub min_group_schools: usize,
    /// Restricted counts from 1 to this less one are shown as `c`.
    pub suppress_below: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Self { min_group_schools: 5, suppress_below: 5 }
    }
}

/// Who may read a figure, decided by where it came from.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(name = "Disclosure")]
pub enum Sensitivity {
    /// DfE open data, shown as DfE published it (its symbols kept).
    Published,
    /// The LA's own records, and anything derived from pupil-level data.
    Restricted,
}

impl Sensitivity {
    /// From `measure.disclosure`: anything but `published` is restricted, so a value nobody
    /// expected fails closed.
    pub fn of_measure(disclosure: &str) -> Self {
        if disclosure == "published" { Self::Published } else { Self::Restricted }
    }
}

/// A figure as the viewer may see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Shown<T> {
    Value(T),
    /// Shown as DfE's `c`, with no value.
    Suppressed,
}

impl<T> Shown<T> {
    pub(crate) fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Suppressed => None,
        }
    }

    pub(crate) fn status(&self) -> Option<String> {
        matches!(self, Self::Suppressed).then(|| "c".to_owned())
    }
}

/// The rules for one request: its viewer, the policy, and what restricted data it has shown.
pub(crate) struct Gate {
    viewer: Viewer,
    policy: Policy,
    log: Mutex<Log>,
}

#[derive(Default)]
struct Log {
    fields: BTreeSet<&'static str>,
    schools: BTreeSet<i32>,
    groups: BTreeSet<String>,
}

/// The request's gate; an error (not a panic) if the request was not `prepare`d.
pub(crate) fn gate<'a>(ctx: &Context<'a>) -> Result<&'a Gate> {
    ctx.data::<std::sync::Arc<Gate>>().map(AsRef::as_ref)
}

impl Gate {
    pub(crate) fn new(viewer: Viewer, policy: Policy) -> Self {
        Self { viewer, policy, log: Mutex::new(Log::default()) }
    }

    pub(crate) fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    fn note(&self, field: &'static str, school: Option<i32>, group: Option<String>) {
        let mut log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.fields.insert(field);
        log.schools.extend(school);
        log.groups.extend(group);
    }

    /// One school's value of `field`: published values pass; restricted ones only to the school
    /// itself and analysts, in full.
    pub(crate) fn school_value<T>(
        &self,
        field: &'static str,
        urn: i32,
        sensitivity: Sensitivity,
        value: T,
    ) -> Result<T> {
        match sensitivity {
            Sensitivity::Published => Ok(value),
            Sensitivity::Restricted if self.viewer.sees_school(urn) => {
                self.note(field, Some(urn), None);
                Ok(value)
            }
            Sensitivity::Restricted => Err(forbidden(format!(
                "{field} of school {urn} is restricted: {}",
                match self.viewer.role {
                    Role::School => "a school token reads only its own school's restricted figures",
                    _ => "it is shown only to the school itself and to analysts",
                }
            ))),
        }
    }

    /// A stored figure of a place above school level (`lad`, `la`, `regional`, `national`).
    /// Restricted ones: districts for analysts only (a stored district figure says nothing of
    /// how many schools it covers, so neither the minimum group size nor differencing against the
    /// LA can be checked); LA and above for all, small counts suppressed for all but analysts.
    pub(crate) fn place_value(
        &self,
        field: &'static str,
        level: &str,
        code: &str,
        sensitivity: Sensitivity,
        unit: &str,
        value: Option<f64>,
    ) -> Result<Shown<Option<f64>>> {
        if sensitivity == Sensitivity::Published {
            return Ok(Shown::Value(value));
        }
        let role = self.viewer.role;
        if role != Role::Analyst && !matches!(level, "la" | "regional" | "national") {
            return Err(forbidden(format!(
                "{field} of {level} {code} is restricted: the LA's own figures below LA level are for analysts; read them by group (trainingEngagement) or at LA level"
            )));
        }
        let group = match level {
            "lad" => "DISTRICT",
            "la" => "LA",
            "regional" => "REGION",
            "national" => "NATIONAL",
            other => other,
        };
        self.note(field, None, Some(format!("{group}:{code}")));
        if role != Role::Analyst
            && unit == "count"
            && value.is_some_and(|v| v >= 1.0 && v < self.policy.suppress_below as f64)
        {
            return Ok(Shown::Suppressed);
        }
        Ok(Shown::Value(value))
    }

    /// An indicator figure (`Query.indicators`) of a group at `level` (its `GroupBy` name, e.g.
    /// `DISTRICT`) computed from `contributing` schools, or published for it. Published figures
    /// pass. Restricted: analysts see all; a school its own school's row; every viewer the LA,
    /// region, neighbours and England once at least the minimum number of schools contribute,
    /// small counts as `c`. Restricted groups below the LA are for analysts (and, counted with
    /// differencing checks, `trainingEngagement`): an indicator group of a district or cluster
    /// could be differenced against the LA's, so it is refused rather than shown.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn indicator_value(
        &self,
        field: &'static str,
        level: &'static str,
        code: &str,
        sensitivity: Sensitivity,
        unit: &str,
        contributing: Option<i64>,
        value: Option<f64>,
    ) -> Result<Shown<Option<f64>>> {
        if sensitivity == Sensitivity::Published {
            return Ok(Shown::Value(value));
        }
        let role = self.viewer.role;
        let school = code.parse::<i32>().ok().filter(|_| level == "SCHOOL");
        self.note(field, school, Some(format!("{level}:{code}")));
        if role == Role::Analyst {
            return Ok(Shown::Value(value));
        }
        match level {
            "SCHOOL" if school.is_some_and(|urn| self.viewer.sees_school(urn)) => return Ok(Shown::Value(value)),
            "LA" | "REGION" | "STATISTICAL_NEIGHBOURS" | "NATIONAL" => {}
            _ => {
                return Err(forbidden(format!(
                    "{field}: a restricted measure by {level} is for analysts; read it at LA level or above, or your own school"
                )));
            }
        }
        if contributing.is_some_and(|n| (n as usize) < self.policy.min_group_schools) {
            return Ok(Shown::Suppressed);
        }
        if unit == "count" && value.is_some_and(|v| v >= 1.0 && v < self.policy.suppress_below as f64) {
            return Ok(Shown::Suppressed);
        }
        Ok(Shown::Value(value))
    }

    /// The group levels whose restricted aggregates the viewer may read.
    pub(crate) fn group_levels(&self) -> &'static [GroupLevel] {
        match self.viewer.role {
            Role::Analyst => &GroupLevel::ALL,
            Role::School => &[
                GroupLevel::Cluster,
                GroupLevel::District,
                GroupLevel::Phase,
                GroupLevel::PhaseInDistrict,
                GroupLevel::La,
            ],
            Role::Operator | Role::Public => &[GroupLevel::La],
        }
    }

    /// `FORBIDDEN` unless the viewer may read restricted aggregates at `level`.
    pub(crate) fn check_group_level(&self, field: &'static str, level: GroupLevel) -> Result<()> {
        if self.group_levels().contains(&level) {
            return Ok(());
        }
        let allowed: Vec<String> = self.group_levels().iter().map(|l| groups::level_name(*l).to_owned()).collect();
        Err(forbidden(format!(
            "{field} by {} is not open to a {} viewer (allowed: {})",
            groups::level_name(level),
            self.viewer.role.as_str(),
            allowed.join(", ")
        )))
    }

    /// `FORBIDDEN` unless the viewer may filter a list on restricted values (analysts only: a
    /// filter is a question about every row, whoever's they are).
    pub(crate) fn check_restricted_filter(&self, field: &'static str, argument: &str) -> Result<()> {
        if self.viewer.role == Role::Analyst {
            self.note(field, None, None);
            return Ok(());
        }
        Err(forbidden(format!("{field}: filtering on {argument} reads restricted data; analysts only")))
    }

    /// Notes restricted facts about these schools shown by `field` (e.g. through a filter).
    pub(crate) fn note_schools(&self, field: &'static str, urns: impl Iterator<Item = i32>) {
        let mut log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        log.fields.insert(field);
        log.schools.extend(urns);
    }

    /// What the request has shown of restricted data, for the access log; `None` if nothing.
    pub(crate) fn access_entry(&self, operation: Option<String>) -> Option<AccessEntry> {
        let log = self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.fields.is_empty() {
            return None;
        }
        Some(AccessEntry {
            token_id: self.viewer.token_id,
            role: self.viewer.role.as_str().to_owned(),
            school_urn: self.viewer.urn,
            operation,
            fields: log.fields.iter().map(|f| (*f).to_owned()).collect(),
            schools: log.schools.iter().copied().collect(),
            groups: log.groups.iter().cloned().collect(),
        })
    }
}
