//! `observation`: One figure: a measure for a period, place and cohort; a DfE symbol when no number.
//! Keyed by place first, so a place's figures are read together.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub geographic_level: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub geography_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub measure_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub time_period: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub time_identifier: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub cohort: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub breakdown: String,
    pub value: Option<f64>,
    pub status: Option<String>,
    pub run_id: Option<i64>,
    pub source_line: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
