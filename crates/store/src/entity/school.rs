//! `school`: An establishment from the GIAS register, with provenance and a content hash.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "school")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub urn: i32,
    pub laestab: Option<String>,
    pub ukprn: Option<String>,
    pub name: String,
    pub la_code: Option<String>,
    pub district_code: Option<String>,
    pub type_of_establishment: String,
    pub type_group: String,
    pub status: String,
    pub phase: String,
    pub is_special: bool,
    pub admissions_policy: Option<String>,
    pub statutory_low_age: Option<i32>,
    pub statutory_high_age: Option<i32>,
    pub open_date: Option<Date>,
    pub close_date: Option<Date>,
    pub school_capacity: Option<i32>,
    pub number_of_pupils: Option<i32>,
    pub trust: Option<String>,
    pub ofsted_rating: Option<String>,
    pub postcode: Option<String>,
    pub easting: Option<i32>,
    pub northing: Option<i32>,
    /// False when the school was absent from the latest full extract of its LA.
    pub in_latest_extract: bool,
    /// Hash of everything GIAS said about the school, so a re-import can tell "unchanged".
    pub row_hash: String,
    pub source_sha256: String,
    pub source_line: i64,
    /// The import run that last wrote this row.
    pub run_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
