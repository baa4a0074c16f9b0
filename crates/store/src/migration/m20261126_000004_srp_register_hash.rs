//! `srp.register_hash`: a hash of the register's fields as last imported, so a re-import finds an
//! unchanged entry by comparing one column instead of reading back every field. Entries stored
//! before it have none and are rewritten once by the next register import.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("srp").add_column(string_null("register_hash")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table("srp").drop_column("register_hash").to_owned()).await
    }
}
