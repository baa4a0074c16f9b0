//! The normalised establishment record that the GIAS parser produces and the store writes.

use chrono::NaiveDate;

use crate::{DistrictCode, LaCode, Laestab, Urn};

/// One establishment as the register of schools describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Establishment {
    pub urn: Urn,
    /// `None` for establishments outside any LA (overseas schools carry LA code 0).
    pub la: Option<LaCode>,
    pub la_name: Option<String>,
    pub laestab: Option<Laestab>,
    pub ukprn: Option<String>,
    pub name: String,
    pub type_of_establishment: String,
    pub type_group: String,
    pub status: String,
    pub phase: String,
    pub admissions_policy: Option<String>,
    pub statutory_low_age: Option<i32>,
    pub statutory_high_age: Option<i32>,
    pub open_date: Option<NaiveDate>,
    pub close_date: Option<NaiveDate>,
    pub district: Option<DistrictCode>,
    pub district_name: Option<String>,
    pub gss_la_code: Option<String>,
    pub school_capacity: Option<i32>,
    pub number_of_pupils: Option<i32>,
    pub trust: Option<String>,
    pub ofsted_rating: Option<String>,
    pub postcode: Option<String>,
    pub easting: Option<i32>,
    pub northing: Option<i32>,
    /// GIAS SEN1..SEN13 in rank order; gaps are kept as their rank.
    pub sen_provision: Vec<(i32, String)>,
    pub srps: Vec<GiasSrp>,
}

impl Establishment {
    /// Special schools are those GIAS groups as such, plus special academies and free schools.
    pub fn is_special(&self) -> bool {
        self.type_group == "Special schools" || self.type_of_establishment.to_lowercase().contains("special")
    }
}

/// The two ways GIAS records specialist provision inside a mainstream school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SrpKind {
    ResourcedProvision,
    SenUnit,
}

impl SrpKind {
    pub fn code(self) -> &'static str {
        match self {
            SrpKind::ResourcedProvision => "resourced_provision",
            SrpKind::SenUnit => "sen_unit",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "resourced_provision" => Some(SrpKind::ResourcedProvision),
            "sen_unit" => Some(SrpKind::SenUnit),
            _ => None,
        }
    }
}

/// A resourced provision or SEN unit as GIAS reports it: no need type, just places and pupils.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiasSrp {
    pub kind: SrpKind,
    pub capacity: Option<i32>,
    pub on_roll: Option<i32>,
}
