//! `fetch_state`: what we last fetched from each URL (ETag, Last-Modified, sha256), kept even
//! when the import that followed failed, so the next run knows where it stands.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("fetch_state")
                .if_not_exists()
                .col(string("url").primary_key())
                .col(string_null("etag"))
                .col(string_null("last_modified"))
                .col(string_null("sha256"))
                .col(timestamp_with_time_zone("checked_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("fetch_state").if_exists().to_owned()).await
    }
}
