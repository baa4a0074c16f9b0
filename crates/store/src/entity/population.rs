//! `population`: ONS mid-year estimate of persons of one single year of age (90: 90 and over)
//! in one area (GSS code: district, county or unitary, region, England) at one mid-year.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "population")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub geography_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub year: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub age: i32,
    pub geography_name: String,
    pub persons: f64,
    pub run_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
