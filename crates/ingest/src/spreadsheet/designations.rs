//! Special school designations: what each special school is designated for, from which date. A school
//! may have several rows (its history); the store closes each at the next one's date.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::{DesignationEntry, SchoolRef};

use super::header::{Field, Need, Template};
use super::row::Row;

const URN: usize = 0;
const LAESTAB: usize = 1;
const SCHOOL_NAME: usize = 2;
const DESIGNATION: usize = 3;
const GUIDANCE: usize = 4;
const FROM: usize = 5;

pub(crate) const TEMPLATE: Template = Template {
    name: "special school designations",
    fields: &[
        Field { label: "URN", synonyms: &["school URN", "special school URN"], need: Need::OneOf(1) },
        Field {
            label: "LAESTAB",
            synonyms: &["DfE number", "DfE no", "LA estab", "school LAESTAB"],
            need: Need::OneOf(1),
        },
        Field {
            label: "School name",
            synonyms: &["school", "special school", "establishment name", "name"],
            need: Need::Quiet,
        },
        Field {
            label: "Designation",
            synonyms: &[
                "designation text",
                "current designation",
                "school designation",
                "specialist designation",
                "designated for",
            ],
            need: Need::Required,
        },
        Field {
            label: "Admissions guidance",
            synonyms: &["admissions", "admission guidance", "admissions criteria", "guidance", "admissions notes"],
            need: Need::Optional,
        },
        Field {
            label: "Effective from",
            synonyms: &[
                "valid from",
                "from",
                "effective date",
                "date effective",
                "start date",
                "date from",
                "from date",
                "designation date",
                "with effect from",
                "WEF",
            ],
            need: Need::Required,
        },
    ],
};

/// Reads designation rows; `seen` rejects a second designation for one school on one date.
pub(crate) struct DesignationRows {
    seen: HashMap<(SchoolRef, NaiveDate), u64>,
}

impl DesignationRows {
    pub(crate) fn new() -> Self {
        Self { seen: HashMap::new() }
    }

    pub(crate) fn parse(&mut self, row: &mut Row) -> Option<DesignationEntry> {
        let school = row.school(URN, LAESTAB);
        let designation = row.required_text(DESIGNATION);
        let admissions_guidance = row.text(GUIDANCE);
        let effective_from = row.required_date(FROM);
        let (school, designation, effective_from) = (school?, designation?, effective_from?);
        if row.rejected {
            return None;
        }
        if let Some(first) = self.seen.get(&(school.clone(), effective_from)) {
            let message = format!("{school} already has a designation effective from {effective_from} (row {first})");
            row.error(FROM, "duplicate_row", message);
            return None;
        }
        self.seen.insert((school.clone(), effective_from), row.number);
        Some(DesignationEntry {
            school,
            school_name: row.text(SCHOOL_NAME),
            designation,
            admissions_guidance,
            effective_from,
        })
    }
}
