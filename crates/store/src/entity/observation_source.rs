//! `observation_source`: where one import run's figures came from, for citing them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, Default, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observation_source")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: i64,
    pub publication: String,
    /// The EES data set id, or the file's data set name.
    pub dataset: Option<String>,
    pub version: Option<String>,
    /// The release title, e.g. `2023/24` or `Spring term 2023/24`.
    pub release: Option<String>,
    /// When DfE published it (ISO 8601 date or date-time).
    pub published: Option<String>,
    /// `true` provisional, `false` revised or final; `None` when nobody said.
    pub provisional: Option<bool>,
    pub footnotes: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
