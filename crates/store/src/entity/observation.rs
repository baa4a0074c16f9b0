//! `observation`: One figure: a measure for a period, place and cohort; a DfE symbol when no number.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub geographic_level: String,
    pub geography_code: String,
    pub cohort: String,
    pub breakdown: String,
    pub value: Option<f64>,
    pub status: Option<String>,
    pub run_id: Option<i64>,
    pub source_sha256: Option<String>,
    pub source_line: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
