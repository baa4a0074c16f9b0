//! Statistics: measures and observations. Observations are written with prepared multi-row
//! `INSERT … ON CONFLICT` (below sea-orm, as DESIGN.md allows for bulk writes): an unchanged
//! figure is not rewritten, so counting what changed needs no read-back.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, Statement, Value};

use crate::Error;
use crate::entity::measure;

/// Rows per statement: 12 parameters each, under SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    pub code: String,
    pub label: String,
    pub unit: String,
    pub publication: Option<String>,
}

pub async fn upsert_measures(db: &impl ConnectionTrait, rows: &[MeasureRow]) -> Result<(), Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let models = rows.iter().map(|m| measure::ActiveModel {
        code: Set(m.code.clone()),
        label: Set(m.label.clone()),
        unit: Set(m.unit.clone()),
        publication: Set(m.publication.clone()),
    });
    measure::Entity::insert_many(models)
        .on_conflict(
            OnConflict::column(measure::Column::Code)
                .update_columns([measure::Column::Label, measure::Column::Unit, measure::Column::Publication])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// One figure to store.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservationRow {
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub geographic_level: String,
    pub geography_code: String,
    pub cohort: String,
    pub breakdown: String,
    pub value: Option<f64>,
    pub status: Option<String>,
    pub source_line: i64,
}

impl ObservationRow {
    /// The fields the unique index covers, borrowed: comparing them costs no allocation.
    fn key(&self) -> [&str; 7] {
        [
            &self.measure_code,
            &self.time_period,
            &self.time_identifier,
            &self.geographic_level,
            &self.geography_code,
            &self.cohort,
            &self.breakdown,
        ]
    }

    /// FNV-1a over the key, to find a repeat within a batch without cloning the key.
    fn key_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in self.key() {
            for b in part.bytes().chain([0xff]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }
}

/// What a finished write did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ObservationTotals {
    pub written: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Rows whose key repeated within one batch (the later one wins).
    pub duplicates: i64,
}

/// Streams observations into the store inside the caller's transaction.
pub struct ObservationWriter<'t> {
    txn: &'t DatabaseTransaction,
    run_id: i64,
    sha256: String,
    pending: Vec<ObservationRow>,
    /// Key hash → positions in `pending` with that hash (more than one only on a collision).
    index: HashMap<u64, Vec<usize>>,
    count_before: i64,
    totals: ObservationTotals,
}

impl<'t> ObservationWriter<'t> {
    pub async fn begin(txn: &'t DatabaseTransaction, run_id: i64, sha256: &str) -> Result<Self, Error> {
        let count_before = count_all(txn).await?;
        Ok(Self {
            txn,
            run_id,
            sha256: sha256.to_owned(),
            pending: Vec::with_capacity(CHUNK),
            index: HashMap::with_capacity(CHUNK),
            count_before,
            totals: ObservationTotals::default(),
        })
    }

    pub async fn write(&mut self, row: ObservationRow) -> Result<(), Error> {
        self.totals.written += 1;
        // PostgreSQL refuses one statement that touches a row twice: keep the later figure.
        let slots = self.index.entry(row.key_hash()).or_default();
        match slots.iter().copied().find(|&i| self.pending[i].key() == row.key()) {
            Some(i) => {
                self.totals.duplicates += 1;
                self.pending[i] = row;
            }
            None => {
                slots.push(self.pending.len());
                self.pending.push(row);
            }
        }
        if self.pending.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    pub async fn finish(mut self) -> Result<ObservationTotals, Error> {
        self.flush().await?;
        let inserted = count_all(self.txn).await? - self.count_before;
        let t = &mut self.totals;
        // `changed` counted inserts and real updates; unchanged figures were not touched.
        t.updated = t.inserted - inserted;
        t.inserted = inserted;
        t.unchanged = t.written - t.duplicates - t.inserted - t.updated;
        Ok(self.totals)
    }

    async fn flush(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let backend = self.txn.get_database_backend();
        let rows = std::mem::take(&mut self.pending);
        self.index.clear();
        let mut sql = String::with_capacity(rows.len() * 60 + 600);
        sql.push_str(
            "INSERT INTO observation (measure_code, time_period, time_identifier, geographic_level, geography_code, \
             cohort, breakdown, value, status, run_id, source_sha256, source_line) VALUES ",
        );
        let mut values: Vec<Value> = Vec::with_capacity(rows.len() * 12);
        for (r, row) in rows.into_iter().enumerate() {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..12 {
                if c > 0 {
                    sql.push(',');
                }
                match backend {
                    DbBackend::Postgres => sql.push_str(&format!("${}", r * 12 + c + 1)),
                    _ => sql.push('?'),
                }
            }
            sql.push(')');
            values.extend([
                row.measure_code.into(),
                row.time_period.into(),
                row.time_identifier.into(),
                row.geographic_level.into(),
                row.geography_code.into(),
                row.cohort.into(),
                row.breakdown.into(),
                row.value.into(),
                row.status.into(),
                self.run_id.into(),
                self.sha256.clone().into(),
                row.source_line.into(),
            ]);
        }
        sql.push_str(
            " ON CONFLICT (measure_code, time_period, time_identifier, geographic_level, geography_code, cohort, \
             breakdown) DO UPDATE SET value = excluded.value, status = excluded.status, run_id = excluded.run_id, \
             source_sha256 = excluded.source_sha256, source_line = excluded.source_line \
             WHERE observation.value IS DISTINCT FROM excluded.value \
             OR observation.status IS DISTINCT FROM excluded.status",
        );
        let result = self.txn.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        // Until `finish`, `inserted` holds every row the statements changed (inserted or updated).
        self.totals.inserted += result.rows_affected() as i64;
        Ok(())
    }
}

async fn count_all(db: &impl ConnectionTrait) -> Result<i64, Error> {
    let backend = db.get_database_backend();
    let row = db.query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM observation")).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}
