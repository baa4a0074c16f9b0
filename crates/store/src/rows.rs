//! Multi-row `INSERT`s rendered once per shape, for imports that write tens of thousands of rows:
//! sea-orm's `insert_many` builds an ActiveModel per row and renders the SQL again per chunk, and
//! every bound value costs about a microsecond on its way through sea-orm and sqlx.

use sea_orm::sea_query::{PostgresQueryBuilder, QueryBuilder, SqliteQueryBuilder};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::Error;

/// Inserts `rows` (each one value per column, in order) into `table`.
pub(crate) async fn insert_rows(
    db: &impl ConnectionTrait,
    table: &Table<'_>,
    rows: Vec<Vec<Value>>,
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
    /// SQL after the rows, e.g. an `ON CONFLICT` clause.
    pub tail: &'a str,
}

/// The statements [`insert_rows`] runs: as few as the bind-parameter limits allow (SQLite's
/// 32,766 is the lower), the SQL of a full statement rendered once. A column holding the same
/// value in every row (a run id, a file name, a provider, an SLA date) becomes a literal too.
pub(crate) fn insert_statements(backend: DbBackend, table: &Table<'_>, rows: Vec<Vec<Value>>) -> Vec<Statement> {
    let Some(first) = rows.first() else { return Vec::new() };
    debug_assert!(rows.iter().all(|r| r.len() == table.columns.len()), "one value per column");
    let shared: Vec<bool> = (0..table.columns.len()).map(|c| rows.iter().all(|r| r[c] == first[c])).collect();
    let mut constants: Vec<(&str, Value)> = table.constants.to_vec();
    let mut bound: Vec<&str> = Vec::new();
    for (c, name) in table.columns.iter().enumerate() {
        if shared[c] {
            constants.push((name, first[c].clone()));
        } else {
            bound.push(name);
        }
    }
    let shape = Shape { backend, table: table.name, bound: &bound, constants: &constants, tail: table.tail };
    let per_statement = (30_000 / bound.len().max(1)).clamp(1, 1_000);
    let mut statements = Vec::new();
    let mut values = Vec::with_capacity(per_statement * bound.len());
    let mut in_statement = 0;
    let mut full: Option<String> = None;
    for row in rows {
        values.extend(row.into_iter().zip(&shared).filter(|(_, s)| !**s).map(|(v, _)| v));
        in_statement += 1;
        if in_statement == per_statement {
            let sql = full.get_or_insert_with(|| shape.render(per_statement)).clone();
            statements.push(Statement::from_sql_and_values(backend, sql, std::mem::take(&mut values)));
            in_statement = 0;
        }
    }
    if in_statement > 0 {
        statements.push(Statement::from_sql_and_values(backend, shape.render(in_statement), values));
    }
    statements
}

/// One statement's columns: bound ones first, then literals.
struct Shape<'a> {
    backend: DbBackend,
    table: &'a str,
    bound: &'a [&'a str],
    constants: &'a [(&'a str, Value)],
    tail: &'a str,
}

impl Shape<'_> {
    fn render(&self, rows: usize) -> String {
        // Quoted: `column` and `row` are SQL keywords.
        let names = self.bound.iter().chain(self.constants.iter().map(|(c, _)| c));
        let quoted: Vec<String> = names.map(|c| format!("\"{c}\"")).collect();
        let literals: Vec<String> = self
            .constants
            .iter()
            .map(|(_, v)| match self.backend {
                DbBackend::Postgres => PostgresQueryBuilder.value_to_string(v),
                _ => SqliteQueryBuilder.value_to_string(v),
            })
            .collect();
        let mut sql = format!("INSERT INTO {} ({}) VALUES ", self.table, quoted.join(", "));
        let mut n = 0;
        for r in 0..rows {
            sql.push_str(if r == 0 { "(" } else { ",(" });
            for c in 0..self.bound.len() {
                if c > 0 {
                    sql.push(',');
                }
                n += 1;
                match self.backend {
                    DbBackend::Postgres => {
                        sql.push('$');
                        sql.push_str(&n.to_string());
                    }
                    _ => sql.push('?'),
                }
            }
            for (i, literal) in literals.iter().enumerate() {
                if i > 0 || !self.bound.is_empty() {
                    sql.push(',');
                }
                sql.push_str(literal);
            }
            sql.push(')');
        }
        sql.push_str(self.tail);
        sql
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table<'a>(constants: &'a [(&'a str, Value)]) -> Table<'a> {
        Table { name: "t", columns: &["a", "b"], constants, tail: "" }
    }

    #[test]
    fn placeholders_follow_the_backend_and_constants_are_escaped_literals() {
        let constants = [("f", Value::from("O'Brien.xlsx")), ("n", Value::from(7i64))];
        let rows = || vec![vec![Value::from(1), Value::from("x")], vec![Value::from(2), Value::from("y")]];
        let sqlite = insert_statements(DbBackend::Sqlite, &table(&constants), rows());
        assert_eq!(
            sqlite[0].sql,
            r#"INSERT INTO t ("a", "b", "f", "n") VALUES (?,?,'O''Brien.xlsx',7),(?,?,'O''Brien.xlsx',7)"#
        );
        let pg = insert_statements(DbBackend::Postgres, &table(&constants), rows());
        assert_eq!(
            pg[0].sql,
            r#"INSERT INTO t ("a", "b", "f", "n") VALUES ($1,$2,E'O\'Brien.xlsx',7),($3,$4,E'O\'Brien.xlsx',7)"#
        );
        assert_eq!(pg[0].values.as_ref().map(|v| v.0.len()), Some(4));
    }

    #[test]
    fn a_column_every_row_shares_is_written_once_as_a_literal() {
        let rows = vec![
            vec![Value::from(1), Value::from("Kent County Council")],
            vec![Value::from(2), Value::from("Kent County Council")],
        ];
        let stmts = insert_statements(DbBackend::Sqlite, &table(&[]), rows);
        assert_eq!(
            stmts[0].sql,
            r#"INSERT INTO t ("a", "b") VALUES (?,'Kent County Council'),(?,'Kent County Council')"#
        );
        assert_eq!(stmts[0].values.as_ref().map(|v| v.0.clone()), Some(vec![Value::from(1), Value::from(2)]));
        let one =
            insert_statements(DbBackend::Sqlite, &table(&[]), vec![vec![Value::from(1), Value::from(None::<String>)]]);
        assert_eq!(one[0].sql, r#"INSERT INTO t ("a", "b") VALUES (1,NULL)"#);
        assert!(insert_statements(DbBackend::Sqlite, &table(&[]), Vec::new()).is_empty());
    }
}
