//! Scheduled jobs: one row per schedule tick, claimed once across every worker (the key is the
//! schedule and its scheduled time: apalis's cron alone starts a tick once per instance), and
//! what a queued run was (trigger's schedule, time, attempt, payload, worker) on `import_run`.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const RUN_COLUMNS: [&str; 4] = ["schedule_name", "scheduled_at", "payload", "worker_id"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("schedule_tick")
                .if_not_exists()
                .col(string("schedule"))
                .col(string("scheduled_at"))
                .col(string("claimed_by"))
                .col(timestamp_with_time_zone("claimed_at"))
                .primary_key(Index::create().col("schedule").col("scheduled_at"))
                .to_owned(),
        )
        .await?;
        for column in RUN_COLUMNS {
            if !m.has_column("import_run", column).await? {
                m.alter_table(Table::alter().table("import_run").add_column(string_null(column)).to_owned()).await?;
            }
        }
        if !m.has_column("import_run", "attempt").await? {
            m.alter_table(Table::alter().table("import_run").add_column(integer_null("attempt")).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("schedule_tick").if_exists().to_owned()).await?;
        for column in RUN_COLUMNS.into_iter().chain(["attempt"]) {
            if m.has_column("import_run", column).await? {
                m.alter_table(Table::alter().table("import_run").drop_column(column).to_owned()).await?;
            }
        }
        Ok(())
    }
}
