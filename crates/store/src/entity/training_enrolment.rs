//! `training_enrolment`: A school's engagement in an inclusion training programme.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "training_enrolment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub urn: i32,
    pub programme: String,
    pub status: Option<String>,
    pub enrolled_on: Option<Date>,
    pub run_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
