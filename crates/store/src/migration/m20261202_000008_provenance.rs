//! Provenance and revisions. `observation_source` says, per import run, where its figures came
//! from (publication, data set and version, release, when published, provisional or revised).
//! `observation_history` keeps every value a later import replaced: a trigger on `observation`
//! copies the old row whenever its value or symbol changes, whichever writer changes it, so the
//! observation key stays as it is and a superseded figure stays queryable.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY: &str = "geographic_level, geography_code, measure_code, time_period, time_identifier, cohort, breakdown";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("observation_source")
                .if_not_exists()
                .col(big_integer("run_id").primary_key())
                .col(string("publication"))
                .col(string_null("dataset"))
                .col(string_null("version"))
                .col(string_null("release"))
                .col(string_null("published"))
                .col(boolean_null("provisional"))
                .col(text_null("footnotes"))
                .to_owned(),
        )
        .await?;
        let mut history = Table::create();
        history.table("observation_history").if_not_exists().col(big_pk_auto("id"));
        for c in KEY.split(", ") {
            history.col(string(c));
        }
        history
            .col(double_null("value"))
            .col(string_null("status"))
            .col(big_integer_null("run_id"))
            .col(big_integer("replaced_by_run"));
        m.create_table(history.to_owned()).await?;
        m.create_index(
            Index::create()
                .name("ix_observation_history_key")
                .table("observation_history")
                .col("geographic_level")
                .col("geography_code")
                .col("measure_code")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_observation_history_run")
                .table("observation_history")
                .col("replaced_by_run")
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        let old: Vec<String> = KEY.split(", ").map(|c| format!("OLD.{c}")).collect();
        let (cols, olds) = (format!("{KEY}, value, status, run_id, replaced_by_run"), old.join(", "));
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER IF NOT EXISTS observation_keeps_history BEFORE UPDATE OF value, status ON observation \
                     WHEN OLD.value IS NOT NEW.value OR OLD.status IS NOT NEW.status \
                     BEGIN INSERT INTO observation_history ({cols}) \
                     VALUES ({olds}, OLD.value, OLD.status, OLD.run_id, COALESCE(NEW.run_id, 0)); END"
                ))
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION observation_keeps_history() RETURNS trigger AS $$ BEGIN \
                     IF OLD.value IS DISTINCT FROM NEW.value OR OLD.status IS DISTINCT FROM NEW.status THEN \
                     INSERT INTO observation_history ({cols}) \
                     VALUES ({olds}, OLD.value, OLD.status, OLD.run_id, COALESCE(NEW.run_id, 0)); \
                     END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER observation_keeps_history BEFORE UPDATE ON observation \
                     FOR EACH ROW EXECUTE FUNCTION observation_keeps_history()",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS observation_keeps_history").await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS observation_keeps_history ON observation").await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS observation_keeps_history()").await?;
            }
        }
        m.drop_table(Table::drop().table("observation_history").if_exists().to_owned()).await?;
        m.drop_table(Table::drop().table("observation_source").if_exists().to_owned()).await
    }
}
