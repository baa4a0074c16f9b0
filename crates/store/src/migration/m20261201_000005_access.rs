//! Access and disclosure: token expiry and last use, each measure's disclosure class
//! (`published` or `restricted`), and the `access_log` of restricted reads.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter().table("api_token").add_column(timestamp_with_time_zone_null("expires_at")).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table("api_token").add_column(timestamp_with_time_zone_null("last_used_at")).to_owned(),
        )
        .await?;
        m.alter_table(Table::alter().table("measure").add_column(string("disclosure").default("published")).to_owned())
            .await?;
        m.create_table(
            Table::create()
                .table("access_log")
                .if_not_exists()
                .col(big_integer("id").auto_increment().primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(integer_null("token_id"))
                .col(string("role"))
                .col(integer_null("school_urn"))
                .col(string_null("operation"))
                .col(text("fields"))
                .col(text("schools"))
                .col(text("groups"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_access_log_at").table("access_log").col("at").if_not_exists().to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("ix_access_log_token").table("access_log").col("token_id").if_not_exists().to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("access_log").if_exists().to_owned()).await?;
        m.alter_table(Table::alter().table("measure").drop_column("disclosure").to_owned()).await?;
        m.alter_table(Table::alter().table("api_token").drop_column("last_used_at").to_owned()).await?;
        m.alter_table(Table::alter().table("api_token").drop_column("expires_at").to_owned()).await
    }
}
