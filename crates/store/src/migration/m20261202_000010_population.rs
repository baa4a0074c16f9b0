//! ONS mid-year population by area, year and single year of age (persons), the denominator of
//! per-head and per-1,000 indicators.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("population")
                .if_not_exists()
                .col(string("geography_code"))
                .col(integer("year"))
                .col(integer("age"))
                .col(string("geography_name"))
                .col(double("persons"))
                .col(big_integer("run_id"))
                .primary_key(Index::create().col("geography_code").col("year").col("age"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("population").if_exists().to_owned()).await
    }
}
