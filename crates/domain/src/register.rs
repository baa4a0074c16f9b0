//! Records from the registers a local authority keeps in its own spreadsheets: SRPs, special school
//! designations, locality clusters and training engagement. Plain values; the store resolves schools.

use std::fmt;

use chrono::NaiveDate;

use crate::{Laestab, SrpKind, Urn};

/// A school as a register names it. Officers write either the URN or the LAESTAB ("DfE number");
/// the store resolves a LAESTAB to its URN through GIAS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SchoolRef {
    Urn(Urn),
    Laestab(Laestab),
}

impl fmt::Display for SchoolRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchoolRef::Urn(urn) => write!(f, "URN {urn}"),
            SchoolRef::Laestab(laestab) => write!(f, "LAESTAB {}", laestab.as_str()),
        }
    }
}

/// The controlled list of need types, as the SEN2 return and the school census code them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NeedType {
    Asd,
    Slcn,
    Semh,
    Spld,
    Mld,
    Sld,
    Pmld,
    Pd,
    Hi,
    Vi,
    Msi,
    Oth,
}

impl NeedType {
    pub const ALL: [NeedType; 12] = [
        NeedType::Asd,
        NeedType::Slcn,
        NeedType::Semh,
        NeedType::Spld,
        NeedType::Mld,
        NeedType::Sld,
        NeedType::Pmld,
        NeedType::Pd,
        NeedType::Hi,
        NeedType::Vi,
        NeedType::Msi,
        NeedType::Oth,
    ];

    /// The code as the DfE writes it (`SpLD`, not `SPLD`).
    pub fn code(self) -> &'static str {
        match self {
            NeedType::Asd => "ASD",
            NeedType::Slcn => "SLCN",
            NeedType::Semh => "SEMH",
            NeedType::Spld => "SpLD",
            NeedType::Mld => "MLD",
            NeedType::Sld => "SLD",
            NeedType::Pmld => "PMLD",
            NeedType::Pd => "PD",
            NeedType::Hi => "HI",
            NeedType::Vi => "VI",
            NeedType::Msi => "MSI",
            NeedType::Oth => "OTH",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NeedType::Asd => "Autistic Spectrum Disorder",
            NeedType::Slcn => "Speech, Language and Communication Needs",
            NeedType::Semh => "Social, Emotional and Mental Health",
            NeedType::Spld => "Specific Learning Difficulty",
            NeedType::Mld => "Moderate Learning Difficulty",
            NeedType::Sld => "Severe Learning Difficulty",
            NeedType::Pmld => "Profound and Multiple Learning Difficulty",
            NeedType::Pd => "Physical Disability",
            NeedType::Hi => "Hearing Impairment",
            NeedType::Vi => "Visual Impairment",
            NeedType::Msi => "Multi-Sensory Impairment",
            NeedType::Oth => "Other Difficulty/Disability",
        }
    }

    /// Reads a code back, ignoring case (`spld`, `SPLD` and `SpLD` are one need).
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.code().eq_ignore_ascii_case(code.trim()))
    }
}

impl fmt::Display for NeedType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Statutory ages a provision takes, both inclusive (`4-11`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeRange {
    pub low: u8,
    pub high: u8,
}

/// One row of the LA's register of Specialist Resource Provision.
#[derive(Debug, Clone, PartialEq)]
pub struct SrpRegisterEntry {
    pub host: SchoolRef,
    /// The host school's name as the register writes it, for reports only.
    pub school_name: Option<String>,
    pub name: Option<String>,
    /// Resourced provision or SEN unit, when the register says which.
    pub kind: Option<SrpKind>,
    /// The need type cell exactly as written (trimmed).
    pub need_as_written: String,
    /// The controlled need types it maps to; empty when nothing known matched (a warning says so).
    pub needs: Vec<NeedType>,
    pub commissioned_places: Option<u32>,
    pub on_roll: Option<u32>,
    pub age_range: Option<AgeRange>,
    pub provider: Option<String>,
    pub sla_signed: Option<bool>,
    pub sla_date: Option<NaiveDate>,
    pub open_date: Option<NaiveDate>,
    pub close_date: Option<NaiveDate>,
}

/// One designation of a special school, in force from `effective_from` until the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesignationEntry {
    pub school: SchoolRef,
    pub school_name: Option<String>,
    pub designation: String,
    pub admissions_guidance: Option<String>,
    pub effective_from: NaiveDate,
}

/// One school's membership of a locality cluster (one row per membership).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterMembership {
    /// The cluster's name as first written in the file (rows are grouped ignoring case and spacing).
    pub cluster: String,
    pub district: Option<String>,
    pub primary_care_network: Option<String>,
    pub school: SchoolRef,
    pub school_name: Option<String>,
}

/// Where a school stands in a training programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrainingStatus {
    Interested,
    Enrolled,
    InProgress,
    Completed,
    Withdrawn,
    /// A status outside the list, kept as written (a warning says so).
    Other(String),
}

impl TrainingStatus {
    pub fn label(&self) -> &str {
        match self {
            TrainingStatus::Interested => "Interested",
            TrainingStatus::Enrolled => "Enrolled",
            TrainingStatus::InProgress => "In progress",
            TrainingStatus::Completed => "Completed",
            TrainingStatus::Withdrawn => "Withdrawn",
            TrainingStatus::Other(text) => text,
        }
    }
}

/// One school's engagement with one inclusion training programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingEntry {
    pub school: SchoolRef,
    pub school_name: Option<String>,
    /// The programme's canonical name (`Whole School Nurture`), or the text as written when unknown.
    pub programme: String,
    pub status: Option<TrainingStatus>,
    pub date: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_code_reads_back_ignoring_case() {
        assert_eq!(NeedType::from_code("spld"), Some(NeedType::Spld));
        assert_eq!(NeedType::from_code(" PMLD "), Some(NeedType::Pmld));
        assert_eq!(NeedType::from_code("autism"), None);
    }

    #[test]
    fn every_need_code_round_trips() {
        for need in NeedType::ALL {
            assert_eq!(NeedType::from_code(need.code()), Some(need));
        }
    }

    #[test]
    fn a_school_ref_says_which_identifier_it_is() {
        assert_eq!(SchoolRef::Urn(Urn::new(118049).unwrap()).to_string(), "URN 118049");
        assert_eq!(SchoolRef::Laestab(Laestab::parse("8862033").unwrap()).to_string(), "LAESTAB 8862033");
    }
}
