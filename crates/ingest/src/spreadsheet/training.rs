//! Training engagement: which schools take part in which inclusion programme, at what stage. One row
//! per school and programme; programme and status names are normalised, unknown ones kept as written.

use std::collections::HashMap;

use domain::{SchoolRef, TrainingEntry, TrainingStatus};

use super::header::{Field, Need, Template, normalise};
use super::row::Row;

const URN: usize = 0;
const LAESTAB: usize = 1;
const SCHOOL_NAME: usize = 2;
const PROGRAMME: usize = 3;
const STATUS: usize = 4;
const DATE: usize = 5;

pub(crate) const TEMPLATE: Template = Template {
    name: "training engagement",
    fields: &[
        Field { label: "URN", synonyms: &["school URN"], need: Need::OneOf(1) },
        Field {
            label: "LAESTAB",
            synonyms: &["DfE number", "DfE no", "LA estab", "school LAESTAB"],
            need: Need::OneOf(1),
        },
        Field { label: "School name", synonyms: &["school", "establishment name", "setting"], need: Need::Quiet },
        Field {
            label: "Programme",
            synonyms: &["program", "course", "training", "training programme", "programme name", "course name"],
            need: Need::Required,
        },
        Field {
            label: "Status",
            synonyms: &["enrolment status", "progress", "stage", "engagement", "engagement status"],
            need: Need::Optional,
        },
        Field {
            label: "Date",
            synonyms: &["enrolment date", "enrolled date", "date enrolled", "enrolled on", "status date", "start date"],
            need: Need::Optional,
        },
    ],
};

/// Canonical programme names and the other ways they are written (compared after `normalise`).
pub(crate) const PROGRAMMES: &[(&str, &[&str])] = &[
    (
        "Whole School Nurture",
        &[
            "WSN",
            "whole-school nurture",
            "whole school nurturing",
            "nurturing schools",
            "whole school nurture approach",
        ],
    ),
    ("Inclusion Leadership", &["ILP", "inclusion leadership programme", "inclusion leaders", "leading inclusion"]),
    ("Mainstream Core Standards", &["MCS", "core standards", "mainstream core standard"]),
    ("Emotion Coaching", &["emotion coaching training"]),
    ("Trauma Informed Practice", &["TIP", "trauma informed", "trauma-informed schools", "trauma informed schools"]),
    ("Autism Education Trust", &["AET", "autism education trust training"]),
];

const STATUSES: &[(TrainingStatus, &[&str])] = &[
    (TrainingStatus::Interested, &["interested", "expression of interest", "eoi", "invited"]),
    (TrainingStatus::Enrolled, &["enrolled", "registered", "signed up", "booked"]),
    (TrainingStatus::InProgress, &["in progress", "started", "ongoing", "active", "attending"]),
    (TrainingStatus::Completed, &["completed", "complete", "achieved", "accredited", "awarded", "finished"]),
    (TrainingStatus::Withdrawn, &["withdrawn", "withdrew", "dropped out", "left", "cancelled"]),
];

/// Reads training rows; `seen` rejects a second row for one school and programme.
pub(crate) struct TrainingRows {
    seen: HashMap<(SchoolRef, String), u64>,
}

impl TrainingRows {
    pub(crate) fn new() -> Self {
        Self { seen: HashMap::new() }
    }

    pub(crate) fn parse(&mut self, row: &mut Row) -> Option<TrainingEntry> {
        let school = row.school(URN, LAESTAB);
        let programme = row.required_text(PROGRAMME).map(|text| {
            programme_name(&text).map(str::to_owned).unwrap_or_else(|| {
                row.warning(
                    PROGRAMME,
                    "unknown_programme",
                    format!("Programme {text:?} is not a known programme; kept as written"),
                );
                text
            })
        });
        let status = row.text(STATUS).map(|text| {
            status(&text).unwrap_or_else(|| {
                let message = format!(
                    "Status {text:?} is not one of Interested, Enrolled, In progress, Completed, Withdrawn; kept as written"
                );
                row.warning(STATUS, "unknown_status", message);
                TrainingStatus::Other(text)
            })
        });
        let date = row.date(DATE);
        let (school, programme) = (school?, programme?);
        if row.rejected {
            return None;
        }
        let key = (school.clone(), programme.to_lowercase());
        if let Some(first) = self.seen.get(&key) {
            row.error(PROGRAMME, "duplicate_row", format!("{school} is already listed for {programme} (row {first})"));
            return None;
        }
        self.seen.insert(key, row.number);
        Some(TrainingEntry { school, school_name: row.text(SCHOOL_NAME), programme, status, date })
    }
}

/// The canonical name of a programme, ignoring case, spacing and punctuation, and a trailing
/// "programme", "training" or "course".
pub(crate) fn programme_name(text: &str) -> Option<&'static str> {
    let written = normalise(text);
    let trimmed = ["programme", "program", "training", "course"]
        .iter()
        .find_map(|suffix| written.strip_suffix(suffix).filter(|rest| !rest.is_empty()))
        .unwrap_or(&written);
    PROGRAMMES
        .iter()
        .find(|(name, others)| {
            std::iter::once(name).chain(others.iter()).any(|n| {
                let n = normalise(n);
                n == written || n == trimmed
            })
        })
        .map(|(name, _)| *name)
}

fn status(text: &str) -> Option<TrainingStatus> {
    let written = normalise(text);
    STATUSES.iter().find(|(_, names)| names.iter().any(|n| normalise(n) == written)).map(|(status, _)| status.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programmes_are_named_ignoring_case_and_suffixes() {
        assert_eq!(programme_name("whole school NURTURE"), Some("Whole School Nurture"));
        assert_eq!(programme_name("Inclusion Leadership Programme"), Some("Inclusion Leadership"));
        assert_eq!(programme_name("MCS"), Some("Mainstream Core Standards"));
        assert_eq!(programme_name("Mainstream core standards training"), Some("Mainstream Core Standards"));
        assert_eq!(programme_name("Forest school"), None);
    }

    #[test]
    fn statuses_are_normalised() {
        assert_eq!(status("In Progress"), Some(TrainingStatus::InProgress));
        assert_eq!(status("complete"), Some(TrainingStatus::Completed));
        assert_eq!(status("paused"), None);
    }
}
