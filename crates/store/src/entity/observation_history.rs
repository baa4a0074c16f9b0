//! `observation_history`: a value a later import replaced (kept by a trigger on `observation`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observation_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub geographic_level: String,
    pub geography_code: String,
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub cohort: String,
    pub breakdown: String,
    pub value: Option<f64>,
    pub status: Option<String>,
    /// The run that had written the replaced value.
    pub run_id: Option<i64>,
    /// The run that replaced it.
    pub replaced_by_run: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
