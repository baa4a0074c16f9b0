//! `school_link`: GIAS's links between establishments (a conversion, merger or split), one row per
//! (URN, linked URN, link type) as the links extract lists it. Not a foreign key to `school`: most
//! links name schools of other authorities, or closed ones no extract imported.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "school_link")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub urn: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub link_urn: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub link_type: String,
    /// `predecessor`, `successor` or `other`, from the link type.
    pub direction: String,
    pub link_name: Option<String>,
    pub established_on: Option<Date>,
    pub run_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
