//! Alerts sent: one row per incident (a failed run, a run that rejected rows, a source gone
//! stale), claimed by the one worker that sends it, so each is posted once however many workers
//! look and however often.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("alert_sent")
                .if_not_exists()
                .col(string("kind"))
                .col(string("subject"))
                .col(string("incident"))
                .col(string("claimed_by"))
                .col(timestamp_with_time_zone("claimed_at"))
                .primary_key(Index::create().col("kind").col("subject").col("incident"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("alert_sent").if_exists().to_owned()).await
    }
}
