//! The schema's history, applied in order by `Migrator` (see README.md beside this file).

use sea_orm_migration::prelude::*;

mod m20261126_000001_create_tables;
mod m20261126_000002_fetch_state;
mod m20261126_000003_observation_key;
mod m20261126_000004_srp_register_hash;
mod m20261201_000005_access;
mod m20261202_000006_foreign_keys;
mod m20261202_000007_school_links;
mod m20261202_000008_provenance;
mod m20261202_000009_indicators;
mod m20261202_000010_population;
mod m20261202_000011_jobs;
mod m20261203_000012_alerts;

#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_tables::Migration),
            Box::new(m20261126_000002_fetch_state::Migration),
            Box::new(m20261126_000003_observation_key::Migration),
            Box::new(m20261126_000004_srp_register_hash::Migration),
            Box::new(m20261201_000005_access::Migration),
            Box::new(m20261202_000006_foreign_keys::Migration),
            Box::new(m20261202_000007_school_links::Migration),
            Box::new(m20261202_000008_provenance::Migration),
            Box::new(m20261202_000009_indicators::Migration),
            Box::new(m20261202_000010_population::Migration),
            Box::new(m20261202_000011_jobs::Migration),
            Box::new(m20261203_000012_alerts::Migration),
        ]
    }
}
