//! `statistical_neighbour`: DfE's children's services statistical neighbours, an LA's ten closest
//! LAs by rank (1 closest), from one model (e.g. `May 2025`). Codes are old three-digit LA codes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "statistical_neighbour")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub la_code: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub rank: i32,
    pub neighbour_code: String,
    /// DfE's closeness label (`Extremely close`, `Very close`, …), as the workbook words it.
    pub closeness: Option<String>,
    pub model: String,
    pub run_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
