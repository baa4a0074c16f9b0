//! `observation` rebuilt around its key: the seven key columns, place first, are the primary key
//! (on SQLite a `WITHOUT ROWID` table), replacing the surrogate `id`, the unique index and the
//! place index. An import then maintains one B-tree instead of three, and a place's figures sit
//! together on disk. `source_sha256` goes: the run that wrote a figure names its source file.
//!
//! A rebuild, not expand-then-contract: stop binaries older than this migration before running it.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const KEY: [&str; 7] =
    ["geographic_level", "geography_code", "measure_code", "time_period", "time_identifier", "cohort", "breakdown"];
const KEPT: &str = "geographic_level, geography_code, measure_code, time_period, time_identifier, cohort, breakdown, \
                    value, status, run_id, source_line";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction on every backend: the copy, drop and rename happen together or not at all,
    /// and on one connection (SQLite's pool would otherwise spread them over several).
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table("observation_keyed");
        for c in KEY {
            t.col(string(c));
        }
        t.col(double_null("value"))
            .col(string_null("status"))
            .col(big_integer_null("run_id"))
            .col(big_integer_null("source_line"));
        let mut pk = Index::create();
        pk.name("pk_observation");
        for c in KEY {
            pk.col(c);
        }
        t.primary_key(&mut pk);
        if m.get_database_backend() == DbBackend::Sqlite {
            t.extra("WITHOUT ROWID");
        }
        m.create_table(t).await?;
        let db = m.get_connection();
        db.execute_unprepared(&format!("INSERT INTO observation_keyed ({KEPT}) SELECT {KEPT} FROM observation"))
            .await?;
        m.drop_table(Table::drop().table("observation").to_owned()).await?;
        m.rename_table(Table::rename().table("observation_keyed", "observation").to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("observation_by_id")
                .col(big_pk_auto("id"))
                .col(string("measure_code"))
                .col(string("time_period"))
                .col(string("time_identifier"))
                .col(string("geographic_level"))
                .col(string("geography_code"))
                .col(string("cohort"))
                .col(string("breakdown"))
                .col(double_null("value"))
                .col(string_null("status"))
                .col(big_integer_null("run_id"))
                .col(string_null("source_sha256"))
                .col(big_integer_null("source_line"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(&format!("INSERT INTO observation_by_id ({KEPT}) SELECT {KEPT} FROM observation"))
            .await?;
        m.drop_table(Table::drop().table("observation").to_owned()).await?;
        m.rename_table(Table::rename().table("observation_by_id", "observation").to_owned()).await?;
        let mut ux = Index::create().name("ux_observation_key").table("observation").unique().to_owned();
        for c in ["measure_code", "time_period", "time_identifier", "geographic_level", "geography_code", "cohort"] {
            ux.col(c);
        }
        ux.col("breakdown");
        m.create_index(ux).await?;
        m.create_index(
            Index::create()
                .name("ix_observation_geo")
                .table("observation")
                .col("geographic_level")
                .col("geography_code")
                .to_owned(),
        )
        .await
    }
}
