//! Multi-row `INSERT`s rendered once per shape, for imports that write tens of thousands of rows:
//! sea-orm's `insert_many` builds an ActiveModel per row and renders the SQL again per chunk.

use sea_orm::sea_query::{PostgresQueryBuilder, QueryBuilder, SqliteQueryBuilder};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::Error;

/// Inserts `rows` (each one value per column, in order) into `table`.
pub(crate) async fn insert_rows(
    db: &impl ConnectionTrait,
    table: &Table<'_>,
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Result<(), Error> {
    for stmt in insert_statements(db.get_database_backend(), table, rows) {
        db.execute_raw(stmt).await?;
    }
    Ok(())
}

/// Where rows go: the columns each row gives a value for, and columns every row shares.
pub(crate) struct Table<'a> {
    pub name: &'a str,
    pub columns: &'a [&'a str],
    /// Written into the SQL as literals (escaped by sea-query) instead of bound on every row.
    pub constants: &'a [(&'a str, Value)],
}

/// The statements [`insert_rows`] runs: as few as the bind-parameter limits allow (SQLite's
/// 32,766 is the lower), the SQL of a full statement rendered once.
pub(crate) fn insert_statements(
    backend: DbBackend,
    table: &Table<'_>,
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Vec<Statement> {
    let columns = table.columns;
    let per_statement = (30_000 / columns.len()).clamp(1, 1_000);
    let mut statements = Vec::new();
    let mut values = Vec::with_capacity(per_statement * columns.len());
    let mut in_statement = 0;
    let mut full: Option<String> = None;
    for row in rows {
        debug_assert_eq!(row.len(), columns.len(), "one value per column");
        values.extend(row);
        in_statement += 1;
        if in_statement == per_statement {
            let sql = full.get_or_insert_with(|| render(backend, table, per_statement)).clone();
            statements.push(Statement::from_sql_and_values(backend, sql, std::mem::take(&mut values)));
            in_statement = 0;
        }
    }
    if in_statement > 0 {
        statements.push(Statement::from_sql_and_values(backend, render(backend, table, in_statement), values));
    }
    statements
}

fn render(backend: DbBackend, table: &Table<'_>, rows: usize) -> String {
    // Quoted: `column` and `row` are SQL keywords.
    let names = table.columns.iter().chain(table.constants.iter().map(|(c, _)| c));
    let quoted: Vec<String> = names.map(|c| format!("\"{c}\"")).collect();
    let literals: String = table
        .constants
        .iter()
        .map(|(_, v)| match backend {
            DbBackend::Postgres => format!(",{}", PostgresQueryBuilder.value_to_string(v)),
            _ => format!(",{}", SqliteQueryBuilder.value_to_string(v)),
        })
        .collect();
    let mut sql = format!("INSERT INTO {} ({}) VALUES ", table.name, quoted.join(", "));
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ",(" });
        for c in 0..table.columns.len() {
            if c > 0 {
                sql.push(',');
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                _ => sql.push('?'),
            }
        }
        sql.push_str(&literals);
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_backend_and_constants_are_escaped_literals() {
        let constants = [("f", Value::from("O'Brien.xlsx")), ("n", Value::from(7i64))];
        let t = Table { name: "t", columns: &["a", "b"], constants: &constants };
        assert_eq!(
            render(DbBackend::Sqlite, &t, 2),
            r#"INSERT INTO t ("a", "b", "f", "n") VALUES (?,?,'O''Brien.xlsx',7),(?,?,'O''Brien.xlsx',7)"#
        );
        assert_eq!(
            render(DbBackend::Postgres, &t, 2),
            r#"INSERT INTO t ("a", "b", "f", "n") VALUES ($1,$2,E'O\'Brien.xlsx',7),($3,$4,E'O\'Brien.xlsx',7)"#
        );
    }
}
