//! Writers for the registers a local authority keeps in spreadsheets. Each takes a whole file's
//! records inside the caller's transaction and returns its own findings (matches, disagreements,
//! closures) as plain messages; the job turns them into report lines.

pub mod clusters;
pub mod designations;
pub mod srps;
pub mod training;

use std::collections::HashMap;

use domain::SchoolRef;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::Error;
use crate::entity::school;

/// A finding about one record (`row` as the file numbers it) or about the file (`row = None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub row: Option<u32>,
    pub error: bool,
    pub code: &'static str,
    pub message: String,
}

impl Finding {
    pub fn warning(row: Option<u32>, code: &'static str, message: String) -> Self {
        Self { row, error: false, code, message }
    }
    pub fn error(row: u32, code: &'static str, message: String) -> Self {
        Self { row: Some(row), error: true, code, message }
    }
}

/// What a register write did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterTotals {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Rows rejected here (e.g. a school not in the register of schools).
    pub rejected: i64,
    pub findings: Vec<Finding>,
}

/// Resolves the schools a register names to URNs known from GIAS, in one query per identifier kind.
pub(crate) struct Schools {
    known_urns: std::collections::HashSet<i32>,
    by_laestab: HashMap<String, i32>,
}

impl Schools {
    pub async fn load(db: &impl ConnectionTrait, refs: impl Iterator<Item = &SchoolRef>) -> Result<Self, Error> {
        // A school named on several rows is looked up once.
        let (mut urns, mut laestabs) = (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
        for r in refs {
            match r {
                SchoolRef::Urn(u) => urns.insert(u.get()),
                SchoolRef::Laestab(l) => laestabs.insert(l.as_str().to_owned()),
            };
        }
        let (urns, laestabs): (Vec<i32>, Vec<String>) = (urns.into_iter().collect(), laestabs.into_iter().collect());
        let mut known_urns = std::collections::HashSet::new();
        for chunk in urns.chunks(1000) {
            let found: Vec<i32> = school::Entity::find()
                .select_only()
                .column(school::Column::Urn)
                .filter(school::Column::Urn.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            known_urns.extend(found);
        }
        let mut by_laestab = HashMap::new();
        for chunk in laestabs.chunks(1000) {
            let found: Vec<(i32, Option<String>)> = school::Entity::find()
                .select_only()
                .columns([school::Column::Urn, school::Column::Laestab])
                .filter(school::Column::Laestab.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(db)
                .await?;
            by_laestab.extend(found.into_iter().filter_map(|(u, l)| l.map(|l| (l, u))));
        }
        Ok(Self { known_urns, by_laestab })
    }

    /// The URN, or a finding that rejects the row.
    pub fn resolve(&self, row: u32, r: &SchoolRef) -> Result<i32, Finding> {
        let found = match r {
            SchoolRef::Urn(u) => self.known_urns.contains(&u.get()).then_some(u.get()),
            SchoolRef::Laestab(l) => self.by_laestab.get(l.as_str()).copied(),
        };
        found.ok_or_else(|| {
            Finding::error(row, "unknown_school", format!("{r} is not in the register of schools (import GIAS first)"))
        })
    }
}
