//! `designation`: A special school designation, valid over [valid_from, valid_to).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "designation")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub urn: i32,
    pub name: String,
    pub admissions_guidance: Option<String>,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub run_id: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
