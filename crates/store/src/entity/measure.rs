//! `measure`: A statistical measure (count, percent, score or rate).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "measure")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub label: String,
    pub unit: String,
    pub publication: Option<String>,
    /// `published` (DfE open data) or `restricted` (the LA's own figures).
    pub disclosure: String,
    /// How school figures make a group figure: `sum`, `rate` (of `numerator` over `denominator`,
    /// times `scale`) or `weighted` (a score averaged by `weight`); none: not aggregated.
    pub aggregate: Option<String>,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub scale: Option<f64>,
    pub weight: Option<String>,
    /// `higher` or `lower` is better, for ranks and quartiles; none: not ranked.
    pub better: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
