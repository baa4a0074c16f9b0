//! `srp`: A Specialist Resource Provision (resourced provision or SEN unit) in a host school.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "srp")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub host_urn: i32,
    /// `resourced_provision` or `sen_unit`.
    pub kind: String,
    pub name: Option<String>,
    pub need_type: Option<String>,
    pub gias_capacity: Option<i32>,
    pub gias_on_roll: Option<i32>,
    pub commissioned_places: Option<i32>,
    pub register_on_roll: Option<i32>,
    pub age_range: Option<String>,
    pub provider: Option<String>,
    pub sla_signed: Option<bool>,
    pub sla_date: Option<Date>,
    pub open_date: Option<Date>,
    pub close_date: Option<Date>,
    /// Reported by the latest GIAS extract.
    pub in_gias: bool,
    /// Listed in the LA's SRP register.
    pub in_register: bool,
    pub run_id: i64,
    /// Hash of the register's fields as last imported (`None` for GIAS-only provisions).
    pub register_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
