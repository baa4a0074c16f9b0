//! `local_authority`: A local authority by its old three-digit code.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "local_authority")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub gss_code: Option<String>,
    pub name: String,
    /// The region's GSS code (`E12000008`), from statistics rows or DfE's LA–region lookup.
    pub region_code: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
