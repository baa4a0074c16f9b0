//! `access_log`: one row per request that read restricted data: who, as what, which fields and
//! which schools or groups. Kept for the audit retention period.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "access_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub token_id: Option<i32>,
    pub role: String,
    /// The token's school scope.
    pub school_urn: Option<i32>,
    pub operation: Option<String>,
    /// `Type.field` names read, comma-separated.
    pub fields: String,
    /// URNs whose restricted figures were shown, as `,118265,118312,` (so one can be searched).
    pub schools: String,
    /// Groups whose restricted aggregates were shown (`DISTRICT:E07000105`), comma-separated.
    pub groups: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
