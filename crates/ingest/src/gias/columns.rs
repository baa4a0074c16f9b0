//! Finds the columns we use by their published header names.

use crate::{Error, ImportIssue};

/// Columns without which an extract is refused.
pub const REQUIRED_COLUMNS: &[&str] = &[
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
];

/// Columns we read when present; a missing one is reported as a warning.
pub const OPTIONAL_COLUMNS: &[&str] = &[
    "EstablishmentNumber",
    "UKPRN",
    "AdmissionsPolicy (name)",
    "StatutoryLowAge",
    "StatutoryHighAge",
    "OpenDate",
    "CloseDate",
    "DistrictAdministrative (code)",
    "DistrictAdministrative (name)",
    "GSSLACode (name)",
    "SchoolCapacity",
    "NumberOfPupils",
    "Trusts (name)",
    "OfstedRating (name)",
    "Postcode",
    "Easting",
    "Northing",
    "TypeOfResourcedProvision (name)",
    "ResourcedProvisionOnRoll",
    "ResourcedProvisionCapacity",
    "SenUnitOnRoll",
    "SenUnitCapacity",
];

/// Index of each column we use; `None` when an optional column is absent.
#[derive(Debug)]
pub(crate) struct Columns {
    pub urn: usize,
    pub la_code: usize,
    pub la_name: usize,
    pub name: usize,
    pub type_of_establishment: usize,
    pub type_group: usize,
    pub status: usize,
    pub phase: usize,
    pub establishment_number: Option<usize>,
    pub ukprn: Option<usize>,
    pub admissions_policy: Option<usize>,
    pub low_age: Option<usize>,
    pub high_age: Option<usize>,
    pub open_date: Option<usize>,
    pub close_date: Option<usize>,
    pub district_code: Option<usize>,
    pub district_name: Option<usize>,
    pub gss_la_code: Option<usize>,
    pub capacity: Option<usize>,
    pub pupils: Option<usize>,
    pub trust: Option<usize>,
    pub ofsted: Option<usize>,
    pub postcode: Option<usize>,
    pub easting: Option<usize>,
    pub northing: Option<usize>,
    pub rp_type: Option<usize>,
    pub rp_on_roll: Option<usize>,
    pub rp_capacity: Option<usize>,
    pub unit_on_roll: Option<usize>,
    pub unit_capacity: Option<usize>,
    /// `SEN1 (name)` … `SEN13 (name)` with their rank.
    pub sen: Vec<(i32, usize)>,
    /// Header names by index, to name a column in a report.
    pub names: Vec<String>,
}

impl Columns {
    pub(crate) fn resolve(file: &str, headers: &[String]) -> Result<(Self, Vec<ImportIssue>), Error> {
        let find = |name: &str| {
            headers.iter().position(|h| h.trim_start_matches('\u{feff}').trim().eq_ignore_ascii_case(name))
        };
        let missing: Vec<String> =
            REQUIRED_COLUMNS.iter().filter(|c| find(c).is_none()).map(|c| (*c).to_owned()).collect();
        if !missing.is_empty() {
            return Err(Error::MissingColumns { file: file.to_owned(), columns: missing });
        }
        let mut issues = Vec::new();
        let mut optional = |name: &str| {
            let found = find(name);
            if found.is_none() {
                issues.push(ImportIssue::file_warning(
                    file,
                    Some(name),
                    "missing_column",
                    "optional column is missing; its values are left empty".to_owned(),
                ));
            }
            found
        };
        let required = |name: &str| find(name).expect("checked above");
        let columns = Columns {
            urn: required("URN"),
            la_code: required("LA (code)"),
            la_name: required("LA (name)"),
            name: required("EstablishmentName"),
            type_of_establishment: required("TypeOfEstablishment (name)"),
            type_group: required("EstablishmentTypeGroup (name)"),
            status: required("EstablishmentStatus (name)"),
            phase: required("PhaseOfEducation (name)"),
            establishment_number: optional("EstablishmentNumber"),
            ukprn: optional("UKPRN"),
            admissions_policy: optional("AdmissionsPolicy (name)"),
            low_age: optional("StatutoryLowAge"),
            high_age: optional("StatutoryHighAge"),
            open_date: optional("OpenDate"),
            close_date: optional("CloseDate"),
            district_code: optional("DistrictAdministrative (code)"),
            district_name: optional("DistrictAdministrative (name)"),
            gss_la_code: optional("GSSLACode (name)"),
            capacity: optional("SchoolCapacity"),
            pupils: optional("NumberOfPupils"),
            trust: optional("Trusts (name)"),
            ofsted: optional("OfstedRating (name)"),
            postcode: optional("Postcode"),
            easting: optional("Easting"),
            northing: optional("Northing"),
            rp_type: optional("TypeOfResourcedProvision (name)"),
            rp_on_roll: optional("ResourcedProvisionOnRoll"),
            rp_capacity: optional("ResourcedProvisionCapacity"),
            unit_on_roll: optional("SenUnitOnRoll"),
            unit_capacity: optional("SenUnitCapacity"),
            sen: (1..=13).filter_map(|rank| find(&format!("SEN{rank} (name)")).map(|i| (rank, i))).collect(),
            names: headers.to_vec(),
        };
        if columns.sen.is_empty() {
            issues.push(ImportIssue::file_warning(
                file,
                Some("SEN1 (name)"),
                "missing_column",
                "no SEN1..SEN13 columns; SEN provision is left empty".to_owned(),
            ));
        }
        Ok((columns, issues))
    }
}
