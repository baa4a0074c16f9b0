//! What the indicator layer needs: each measure's aggregation rule and direction (from its
//! mapping), regions and the LA–region link, and DfE's statistical neighbours.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The measure columns a mapping's `aggregate` and `better` keys fill.
const MEASURE_RULE: [&str; 5] = ["aggregate", "numerator", "denominator", "weight", "better"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in MEASURE_RULE {
            if !m.has_column("measure", column).await? {
                m.alter_table(Table::alter().table("measure").add_column(string_null(column)).to_owned()).await?;
            }
        }
        if !m.has_column("measure", "scale").await? {
            m.alter_table(Table::alter().table("measure").add_column(double_null("scale")).to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("region")
                .if_not_exists()
                .col(string("code").primary_key())
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        if !m.has_column("local_authority", "region_code").await? {
            m.alter_table(Table::alter().table("local_authority").add_column(string_null("region_code")).to_owned())
                .await?;
        }
        m.create_table(
            Table::create()
                .table("statistical_neighbour")
                .if_not_exists()
                .col(string("la_code"))
                .col(integer("rank"))
                .col(string("neighbour_code"))
                .col(string_null("closeness"))
                .col(string("model"))
                .col(big_integer("run_id"))
                .primary_key(Index::create().col("la_code").col("rank"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("statistical_neighbour").if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table("region").if_exists().to_owned()).await?;
        m.alter_table(Table::alter().table("local_authority").drop_column("region_code").to_owned()).await?;
        for column in MEASURE_RULE.into_iter().chain(["scale"]) {
            m.alter_table(Table::alter().table("measure").drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
