//! `school_link`: GIAS's links extract (conversions, mergers, splits), so a converted academy's
//! series can follow its predecessor's URN.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("school_link")
                .if_not_exists()
                .col(integer("urn"))
                .col(integer("link_urn"))
                .col(string("link_type"))
                .col(string("direction"))
                .col(string_null("link_name"))
                .col(date_null("established_on"))
                .col(big_integer("run_id"))
                .primary_key(Index::create().col("urn").col("link_urn").col("link_type"))
                .to_owned(),
        )
        .await?;
        // Successors are looked up by the URN they succeed.
        m.create_index(
            Index::create()
                .name("ix_school_link_link_urn")
                .table("school_link")
                .col("link_urn")
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("school_link").if_exists().to_owned()).await
    }
}
