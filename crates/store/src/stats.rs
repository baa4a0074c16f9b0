//! Statistics: measures and observations. Observations are written with prepared multi-row
//! `INSERT … ON CONFLICT` (below sea-orm, as DESIGN.md allows for bulk writes): an unchanged
//! figure is not rewritten, so counting what changed needs no read-back.

use std::collections::HashMap;

use domain::{Observation, SharedStr};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::sqlx::postgres::PgArguments;
use sea_orm::sqlx::sqlite::SqliteArguments;
use sea_orm::sqlx::{self, Arguments, AssertSqlSafe};
use sea_orm::{ActiveValue::Set, DbBackend, EntityTrait, QueryTrait, Statement};

use crate::Error;
use crate::bulk::BulkTxn;
use crate::entity::measure;

#[derive(Debug, Clone, PartialEq)]
pub struct MeasureRow {
    pub code: String,
    pub label: String,
    pub unit: String,
    pub publication: Option<String>,
    /// `published` or `restricted`, as the mapping declares.
    pub disclosure: String,
    /// The aggregation rule (`sum`, `rate`, `weighted`) and its parts; see `measure`.
    pub aggregate: Option<String>,
    pub numerator: Option<String>,
    pub denominator: Option<String>,
    pub scale: Option<f64>,
    pub weight: Option<String>,
    pub better: Option<String>,
}

/// The measures' upsert as one statement, run on the import's [`BulkTxn`].
pub fn upsert_measures_statement(backend: DbBackend, rows: &[MeasureRow]) -> Option<Statement> {
    if rows.is_empty() {
        return None;
    }
    let models = rows.iter().map(|m| measure::ActiveModel {
        code: Set(m.code.clone()),
        label: Set(m.label.clone()),
        unit: Set(m.unit.clone()),
        publication: Set(m.publication.clone()),
        disclosure: Set(m.disclosure.clone()),
        aggregate: Set(m.aggregate.clone()),
        numerator: Set(m.numerator.clone()),
        denominator: Set(m.denominator.clone()),
        scale: Set(m.scale),
        weight: Set(m.weight.clone()),
        better: Set(m.better.clone()),
    });
    let stmt = measure::Entity::insert_many(models)
        .on_conflict(
            OnConflict::column(measure::Column::Code)
                .update_columns([measure::Column::Label, measure::Column::Unit, measure::Column::Publication])
                // One figure may come from an LA-level and a school-level mapping; the one that
                // declares how it aggregates (or ranks) sets that, the other leaves it alone.
                .values(
                    [
                        (measure::Column::Aggregate, "aggregate"),
                        (measure::Column::Numerator, "numerator"),
                        (measure::Column::Denominator, "denominator"),
                        (measure::Column::Scale, "scale"),
                        (measure::Column::Weight, "weight"),
                    ]
                    .map(|(column, c)| {
                        let keep =
                            format!("CASE WHEN excluded.aggregate IS NULL THEN measure.{c} ELSE excluded.{c} END");
                        (column, Expr::cust(keep))
                    }),
                )
                .value(measure::Column::Better, Expr::cust("COALESCE(excluded.better, measure.better)"))
                // Restricted stays restricted: a later published import of the same codes must
                // not open the LA's own figures to everyone.
                .value(
                    measure::Column::Disclosure,
                    Expr::cust(
                        "CASE WHEN measure.disclosure = 'restricted' THEN 'restricted' ELSE excluded.disclosure END",
                    ),
                )
                .to_owned(),
        )
        .build(backend);
    Some(stmt)
}

/// A hash of an observation's key, eight bytes at a time (FxHash's mixing), to find a repeat within
/// a batch without cloning the key. Equal keys hash equal; collisions are settled by comparing.
fn key_hash(o: &Observation) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h: u64 = 0;
    let mut mix = |word: u64| h = (h.rotate_left(5) ^ word).wrapping_mul(K);
    for part in o.key() {
        let mut words = part.as_bytes().chunks_exact(8);
        for w in words.by_ref() {
            mix(u64::from_le_bytes(w.try_into().unwrap_or_default()));
        }
        let mut tail = [0u8; 8];
        let rest = words.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        // The length ends each part, so ("ab", "c") and ("a", "bc") differ.
        mix(u64::from_le_bytes(tail) ^ ((part.len() as u64) << 56));
    }
    h
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

const COLUMNS: &str = "geographic_level, geography_code, measure_code, time_period, time_identifier, cohort, \
                       breakdown, value, status, run_id, source_line";
/// An unchanged figure is not rewritten, so the statement's count is what changed.
const UPSERT: &str = " ON CONFLICT (geographic_level, geography_code, measure_code, time_period, time_identifier, \
                      cohort, breakdown) DO UPDATE SET value = excluded.value, status = excluded.status, \
                      run_id = excluded.run_id, source_line = excluded.source_line \
                      WHERE observation.value IS DISTINCT FROM excluded.value \
                      OR observation.status IS DISTINCT FROM excluded.status";
/// Rows per SQLite statement: 10 parameters each, under SQLite's 32,766.
const SQLITE_CHUNK: usize = 2_000;
/// Rows per PostgreSQL statement: column arrays, so only memory bounds it.
const PG_CHUNK: usize = 10_000;

/// A chunk of observations bound for one statement, ready to run.
pub struct PreparedChunk {
    rows: usize,
    args: ChunkArgs,
}

enum ChunkArgs {
    Sqlite(SqliteArguments),
    Postgres(PgArguments),
}

/// Deduplicates observations and binds them into [`PreparedChunk`]s. Plain synchronous work, so
/// it runs where the file is parsed (a blocking thread) while the database runs the chunk before.
pub struct ObservationBatcher {
    backend: DbBackend,
    chunk: usize,
    pending: Vec<Observation>,
    /// Key hash → positions in `pending` with that hash (more than one only on a collision).
    index: HashMap<u64, Vec<usize>>,
    written: i64,
    duplicates: i64,
}

impl ObservationBatcher {
    pub fn new(backend: DbBackend) -> Self {
        let chunk = if backend == DbBackend::Postgres { PG_CHUNK } else { SQLITE_CHUNK };
        Self {
            backend,
            chunk,
            pending: Vec::with_capacity(chunk),
            index: HashMap::with_capacity(chunk),
            written: 0,
            duplicates: 0,
        }
    }

    /// Adds one observation; returns a chunk when one is full.
    pub fn push(&mut self, row: Observation) -> Result<Option<PreparedChunk>, Error> {
        self.written += 1;
        // PostgreSQL refuses one statement that touches a row twice: keep the later figure.
        let slots = self.index.entry(key_hash(&row)).or_default();
        match slots.iter().copied().find(|&i| self.pending[i].key() == row.key()) {
            Some(i) => {
                self.duplicates += 1;
                self.pending[i] = row;
            }
            None => {
                slots.push(self.pending.len());
                self.pending.push(row);
            }
        }
        if self.pending.len() >= self.chunk { self.take().map(Some) } else { Ok(None) }
    }

    /// The last, partial chunk (if any), and how many observations came and repeated.
    pub fn finish(mut self) -> Result<(Option<PreparedChunk>, i64, i64), Error> {
        let last = if self.pending.is_empty() { None } else { Some(self.take()?) };
        Ok((last, self.written, self.duplicates))
    }

    fn take(&mut self) -> Result<PreparedChunk, Error> {
        self.index.clear();
        let rows = self.pending.len();
        let args = match self.backend {
            DbBackend::Postgres => ChunkArgs::Postgres(pg_arguments(&self.pending)?),
            _ => ChunkArgs::Sqlite(sqlite_arguments(&self.pending)?),
        };
        self.pending.clear();
        Ok(PreparedChunk { rows, args })
    }
}

fn encode_error(e: sqlx::error::BoxDynError) -> Error {
    Error::Sqlx(sqlx::Error::Encode(e))
}

/// Row by row, ten values each; shared strings are bound without copying.
fn sqlite_arguments(rows: &[Observation]) -> Result<SqliteArguments, Error> {
    let mut a = SqliteArguments::default();
    a.reserve(rows.len() * 10, 0);
    for o in rows {
        a.add(o.geographic_level.to_arc()).map_err(encode_error)?;
        a.add(o.geography_code.to_arc()).map_err(encode_error)?;
        a.add(o.measure.to_arc()).map_err(encode_error)?;
        a.add(o.time_period.to_arc()).map_err(encode_error)?;
        a.add(o.time_identifier.to_arc()).map_err(encode_error)?;
        a.add(o.cohort.to_arc()).map_err(encode_error)?;
        a.add(o.breakdown.to_arc()).map_err(encode_error)?;
        a.add(o.value).map_err(encode_error)?;
        a.add(o.status.as_ref().map(SharedStr::to_arc)).map_err(encode_error)?;
        a.add(o.line as i64).map_err(encode_error)?;
    }
    Ok(a)
}

/// Column by column, as ten arrays.
fn pg_arguments(rows: &[Observation]) -> Result<PgArguments, Error> {
    let mut a = PgArguments::default();
    let text = |f: fn(&Observation) -> &str| rows.iter().map(f).collect::<Vec<&str>>();
    a.add(text(|o| &o.geographic_level)).map_err(encode_error)?;
    a.add(text(|o| &o.geography_code)).map_err(encode_error)?;
    a.add(text(|o| &o.measure)).map_err(encode_error)?;
    a.add(text(|o| &o.time_period)).map_err(encode_error)?;
    a.add(text(|o| &o.time_identifier)).map_err(encode_error)?;
    a.add(text(|o| &o.cohort)).map_err(encode_error)?;
    a.add(text(|o| &o.breakdown)).map_err(encode_error)?;
    a.add(rows.iter().map(|o| o.value).collect::<Vec<Option<f64>>>()).map_err(encode_error)?;
    a.add(rows.iter().map(|o| o.status.as_deref()).collect::<Vec<Option<&str>>>()).map_err(encode_error)?;
    a.add(rows.iter().map(|o| o.line as i64).collect::<Vec<i64>>()).map_err(encode_error)?;
    Ok(a)
}

/// Runs [`PreparedChunk`]s in the caller's bulk transaction and counts what they changed.
pub struct ObservationWriter<'t> {
    txn: &'t mut BulkTxn,
    run_id: i64,
    /// The SQLite statement for a full chunk, built once.
    full_chunk_sql: Option<String>,
    changed: i64,
}

impl<'t> ObservationWriter<'t> {
    pub async fn begin(txn: &'t mut BulkTxn, run_id: i64) -> Result<Self, Error> {
        Ok(Self { txn, run_id, full_chunk_sql: None, changed: 0 })
    }

    pub async fn execute(&mut self, chunk: PreparedChunk) -> Result<(), Error> {
        let changed = match (&mut *self.txn, chunk.args) {
            (BulkTxn::Sqlite(t), ChunkArgs::Sqlite(args)) => {
                let run_id = self.run_id;
                let sql = if chunk.rows == SQLITE_CHUNK {
                    self.full_chunk_sql.get_or_insert_with(|| sqlite_insert(chunk.rows, run_id)).clone()
                } else {
                    sqlite_insert(chunk.rows, run_id)
                };
                sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut **t).await?.rows_affected()
            }
            (BulkTxn::Postgres(t), ChunkArgs::Postgres(args)) => {
                let sql = format!(
                    "INSERT INTO observation ({COLUMNS}) SELECT l, g, m, p, i, c, b, v, s, {}, n \
                     FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                     $7::text[], $8::float8[], $9::text[], $10::int8[]) AS u(l, g, m, p, i, c, b, v, s, n){UPSERT}",
                    self.run_id
                );
                sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut **t).await?.rows_affected()
            }
            (txn, _) => {
                return Err(Error::UnsupportedUrl(format!(
                    "a chunk bound for another backend than {:?}",
                    txn.backend()
                )));
            }
        };
        // Inserted or really updated: unchanged figures are not touched.
        self.changed += changed as i64;
        Ok(())
    }

    /// Totals, given what the batcher counted.
    pub async fn finish(self, written: i64, duplicates: i64) -> Result<ObservationTotals, Error> {
        // From the statements, not the table: what they changed, less what they replaced (the
        // history trigger's rows for this run), is what they inserted. A count of the whole
        // table before and after was a full scan, and wrong beside a concurrent import.
        // A key repeated in a later chunk rewrote this run's own figure: a duplicate.
        let (replaced, own) = self.txn.replaced_by(self.run_id).await?;
        let inserted = self.changed - replaced;
        let updated = replaced - own;
        let duplicates = duplicates + own;
        Ok(ObservationTotals {
            written,
            inserted,
            updated,
            unchanged: written - duplicates - inserted - updated,
            duplicates,
        })
    }
}

/// The run id is ours, not input: written into the statement, it saves a bound value per row.
fn sqlite_insert(rows: usize, run_id: i64) -> String {
    let row = format!("(?,?,?,?,?,?,?,?,?,{run_id},?)");
    let mut sql = String::with_capacity(rows * (row.len() + 1) + 600);
    sql.push_str("INSERT INTO observation (");
    sql.push_str(COLUMNS);
    sql.push_str(") VALUES ");
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push_str(&row);
    }
    sql.push_str(UPSERT);
    sql
}

/// A local authority named by statistics rows, with its region where the row gives one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedLa {
    pub code: String,
    pub gss_code: Option<String>,
    pub name: Option<String>,
    pub region_code: Option<String>,
    pub region_name: Option<String>,
}

/// Registers the LAs (and regions) a statistics import names: an LA or region already known
/// (from GIAS, the LA–region lookup or an earlier file) keeps its name; an LA without a region
/// gets the one the rows give. Run on the import's transaction, regions first.
pub fn register_las_statements(backend: DbBackend, las: &[NamedLa]) -> Vec<Statement> {
    use crate::entity::{local_authority, region};
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    let mut out = Vec::new();
    let mut regions: Vec<(&String, &Option<String>)> =
        las.iter().filter_map(|la| Some((la.region_code.as_ref()?, &la.region_name))).collect();
    regions.sort();
    regions.dedup_by(|a, b| a.0 == b.0);
    if !regions.is_empty() {
        let rows = regions.iter().map(|(code, name)| region::ActiveModel {
            code: Set((*code).clone()),
            name: Set((*name).clone().unwrap_or_else(|| (*code).clone())),
        });
        let insert = region::Entity::insert_many(rows)
            .on_conflict(OnConflict::column(region::Column::Code).do_nothing().to_owned());
        out.push(insert.build(backend));
    }
    if las.is_empty() {
        return out;
    }
    let rows = las.iter().map(|la| local_authority::ActiveModel {
        code: Set(la.code.clone()),
        gss_code: Set(la.gss_code.clone()),
        name: Set(la.name.clone().unwrap_or_else(|| la.code.clone())),
        region_code: Set(la.region_code.clone()),
    });
    let insert = local_authority::Entity::insert_many(rows)
        .on_conflict(OnConflict::column(local_authority::Column::Code).do_nothing().to_owned());
    out.push(insert.build(backend));
    for la in las {
        let Some(region) = &la.region_code else { continue };
        let update = Query::update()
            .table(local_authority::Entity)
            .value(local_authority::Column::RegionCode, region.clone())
            .and_where(Expr::col(local_authority::Column::Code).eq(la.code.clone()))
            .and_where(Expr::col(local_authority::Column::RegionCode).is_null())
            .to_owned();
        out.push(backend.build(&update));
    }
    out
}
