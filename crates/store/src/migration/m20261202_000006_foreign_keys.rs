//! The references between tables declared as foreign keys, with the indexes they need, on both
//! backends. Deferred to commit: an import writes a school before the district it names (the
//! districts are known only once the extract is read), and one transaction checks them together.
//!
//! PostgreSQL adds constraints in place. SQLite cannot add one to a table, so each table is rebuilt
//! from its own `CREATE` text plus the constraints, copied, and swapped in: parents before children,
//! so no table is dropped while another refers to it. Rows that would break a constraint stop the
//! migration with their table and count (a place code with no place row gets its row instead).
//!
//! A rebuild on SQLite: stop binaries older than this migration before running it.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (column, parent table, parent column)
type Reference = (&'static str, &'static str, &'static str);

/// (table, its references), parents before children.
pub(crate) const REFERENCES: &[(&str, &[Reference])] = &[
    ("district", &[("la_code", "local_authority", "code")]),
    ("school", &[("la_code", "local_authority", "code"), ("district_code", "district", "code")]),
    ("locality_cluster", &[("district_code", "district", "code")]),
    ("cluster_member", &[("cluster_id", "locality_cluster", "id"), ("urn", "school", "urn")]),
    ("school_sen_provision", &[("urn", "school", "urn")]),
    ("srp", &[("host_urn", "school", "urn")]),
    ("designation", &[("urn", "school", "urn")]),
    ("training_enrolment", &[("urn", "school", "urn")]),
    ("observation", &[("measure_code", "measure", "code")]),
    ("import_issue", &[("run_id", "import_run", "id")]),
];

/// Indexes the references need that the tables lacked (the others lead an index already).
const INDEXES: &[(&str, &str, &str)] =
    &[("ix_district_la", "district", "la_code"), ("ix_locality_cluster_district", "locality_cluster", "district_code")];

fn constraint(table: &str, column: &str) -> String {
    format!("fk_{table}_{column}")
}

fn clause(table: &str, (column, parent, parent_column): &Reference) -> String {
    format!(
        "CONSTRAINT \"{}\" FOREIGN KEY (\"{column}\") REFERENCES \"{parent}\" (\"{parent_column}\") DEFERRABLE INITIALLY DEFERRED",
        constraint(table, column)
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// One transaction: every table swapped in, or none.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        add_missing_places(db).await?;
        check_orphans(db).await?;
        for (name, table, column) in INDEXES {
            m.create_index(Index::create().name(*name).table(*table).col(*column).if_not_exists().to_owned()).await?;
        }
        for (table, refs) in REFERENCES {
            match db.get_database_backend() {
                DbBackend::Sqlite => {
                    let clauses: Vec<String> = refs.iter().map(|r| clause(table, r)).collect();
                    rebuild_sqlite(db, table, |sql| {
                        let close = sql.rfind(')').expect("a CREATE TABLE ends its columns with `)`");
                        format!("{}, {}{}", &sql[..close], clauses.join(", "), &sql[close..])
                    })
                    .await?;
                }
                _ => {
                    for r in *refs {
                        db.execute_unprepared(&format!("ALTER TABLE \"{table}\" ADD {}", clause(table, r))).await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for (table, refs) in REFERENCES.iter().rev() {
            match db.get_database_backend() {
                DbBackend::Sqlite => {
                    rebuild_sqlite(db, table, |sql| match sql.find(", CONSTRAINT \"fk_") {
                        Some(start) => {
                            let close = sql.rfind(')').expect("a CREATE TABLE ends its columns with `)`");
                            format!("{}{}", &sql[..start], &sql[close..])
                        }
                        None => sql.to_owned(),
                    })
                    .await?;
                }
                _ => {
                    for (column, _, _) in *refs {
                        let name = constraint(table, column);
                        db.execute_unprepared(&format!("ALTER TABLE \"{table}\" DROP CONSTRAINT IF EXISTS \"{name}\""))
                            .await?;
                    }
                }
            }
        }
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(*name).table(*table).to_owned()).await?;
        }
        Ok(())
    }
}

/// A school or district naming a local authority or district no row describes (an extract that gave
/// a code without a name) gets a row named by its code, as imports now write them.
async fn add_missing_places(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    for (child, column) in [("school", "la_code"), ("district", "la_code")] {
        db.execute_unprepared(&format!(
            "INSERT INTO local_authority (code, name) SELECT DISTINCT c.{column}, c.{column} FROM {child} c \
             WHERE c.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM local_authority p WHERE p.code = c.{column})"
        ))
        .await?;
    }
    for child in ["school", "locality_cluster"] {
        db.execute_unprepared(&format!(
            "INSERT INTO district (code, name) SELECT DISTINCT c.district_code, c.district_code FROM {child} c \
             WHERE c.district_code IS NOT NULL AND NOT EXISTS (SELECT 1 FROM district p WHERE p.code = c.district_code)"
        ))
        .await?;
    }
    Ok(())
}

/// Refuses to migrate over rows a constraint would reject, naming each table and how many.
async fn check_orphans(db: &SchemaManagerConnection<'_>) -> Result<(), DbErr> {
    let mut found = Vec::new();
    for (table, refs) in REFERENCES {
        for (column, parent, parent_column) in *refs {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM \"{table}\" c WHERE c.\"{column}\" IS NOT NULL AND NOT EXISTS \
                 (SELECT 1 FROM \"{parent}\" p WHERE p.\"{parent_column}\" = c.\"{column}\")"
            );
            let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
            let n: i64 = row.map(|r| r.try_get("", "n")).transpose()?.unwrap_or(0);
            if n > 0 {
                found.push(format!("{n} {table} rows whose {column} is no {parent}"));
            }
        }
    }
    if found.is_empty() {
        return Ok(());
    }
    Err(DbErr::Migration(format!(
        "cannot declare the foreign keys: {}; nothing changed. Delete or correct those rows, then migrate again",
        found.join(", ")
    )))
}

/// Rebuilds one SQLite table from its `CREATE` text as `edit` changes it, keeping its rows and indexes.
async fn rebuild_sqlite(
    db: &SchemaManagerConnection<'_>,
    table: &str,
    edit: impl Fn(&str) -> String,
) -> Result<(), DbErr> {
    let text = |sql: String| Statement::from_sql_and_values(DbBackend::Sqlite, sql, [table.into()]);
    let create: String = db
        .query_one_raw(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?".into()))
        .await?
        .ok_or_else(|| DbErr::Migration(format!("no table {table}")))?
        .try_get("", "sql")?;
    let indexes: Vec<String> = db
        .query_all_raw(text(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL".into(),
        ))
        .await?
        .iter()
        .map(|r| r.try_get("", "sql"))
        .collect::<Result<_, _>>()?;
    let quoted = format!("\"{table}\"");
    let Some(at) = create.find(&quoted) else {
        return Err(DbErr::Migration(format!("cannot read the definition of {table}: {create}")));
    };
    let staged = format!("{table}_rebuilt");
    let new = edit(&format!("{}\"{staged}\"{}", &create[..at], &create[at + quoted.len()..]));
    db.execute_unprepared(&new).await?;
    db.execute_unprepared(&format!("INSERT INTO \"{staged}\" SELECT * FROM {quoted}")).await?;
    db.execute_unprepared(&format!("DROP TABLE {quoted}")).await?;
    db.execute_unprepared(&format!("ALTER TABLE \"{staged}\" RENAME TO {quoted}")).await?;
    for index in indexes {
        db.execute_unprepared(&index).await?;
    }
    Ok(())
}
