//! `school_sen_provision`: GIAS SEN1..SEN13: the types of need a school provides for, by rank.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "school_sen_provision")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub urn: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub rank: i32,
    pub need: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
