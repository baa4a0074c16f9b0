//! Where figures came from and what they replaced: the source of each import run's figures, and
//! the values later imports superseded.

use sea_orm::QueryTrait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::Error;
use crate::entity::{observation_history, observation_source};

/// What an import knows of the release it reads: a run's row of `observation_source`.
pub use crate::entity::observation_source::Model as Source;

/// The statement recording a run's source (on the import's own transaction).
pub fn record_statement(backend: sea_orm::DbBackend, s: &Source) -> sea_orm::Statement {
    let row = observation_source::ActiveModel {
        run_id: Set(s.run_id),
        publication: Set(s.publication.clone()),
        dataset: Set(s.dataset.clone()),
        version: Set(s.version.clone()),
        release: Set(s.release.clone()),
        published: Set(s.published.clone()),
        provisional: Set(s.provisional),
        footnotes: Set(s.footnotes.clone()),
    };
    let insert = observation_source::Entity::insert(row)
        .on_conflict(OnConflict::column(observation_source::Column::RunId).do_nothing().to_owned());
    insert.build(backend)
}

/// The sources of these runs.
pub async fn sources(db: &impl ConnectionTrait, runs: &[i64]) -> Result<Vec<observation_source::Model>, Error> {
    Ok(observation_source::Entity::find()
        .filter(observation_source::Column::RunId.is_in(runs.iter().copied()))
        .all(db)
        .await?)
}

/// The key of one figure.
/// The columns that name one figure, in [`FigureKey`]'s order.
pub const KEY_COLUMNS: [&str; 7] =
    ["geographic_level", "geography_code", "measure_code", "time_period", "time_identifier", "cohort", "breakdown"];

/// A figure a run would insert or change (a dry run's report).
#[derive(Debug, Clone, PartialEq)]
pub struct FigureChange {
    pub key: FigureKey,
    /// The value and status it replaces; `None` for a new figure.
    pub before: Option<(Option<f64>, Option<String>)>,
    pub value: Option<f64>,
    pub status: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FigureKey {
    pub geographic_level: String,
    pub geography_code: String,
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub cohort: String,
    pub breakdown: String,
}

impl From<&observation_history::Model> for FigureKey {
    fn from(r: &observation_history::Model) -> Self {
        Self {
            geographic_level: r.geographic_level.clone(),
            geography_code: r.geography_code.clone(),
            measure_code: r.measure_code.clone(),
            time_period: r.time_period.clone(),
            time_identifier: r.time_identifier.clone(),
            cohort: r.cohort.clone(),
            breakdown: r.breakdown.clone(),
        }
    }
}

/// The values replaced for these figures, oldest first.
pub async fn history(db: &impl ConnectionTrait, keys: &[FigureKey]) -> Result<Vec<observation_history::Model>, Error> {
    use observation_history::Column as C;
    let mut out = Vec::new();
    // One statement per place and measure (a figure list is one place's), filtered in memory.
    let mut places: Vec<(&str, &str, &str)> = keys
        .iter()
        .map(|k| (k.geographic_level.as_str(), k.geography_code.as_str(), k.measure_code.as_str()))
        .collect();
    places.sort_unstable();
    places.dedup();
    for (level, code, measure) in places {
        let rows = observation_history::Entity::find()
            .filter(C::GeographicLevel.eq(level))
            .filter(C::GeographyCode.eq(code))
            .filter(C::MeasureCode.eq(measure))
            .order_by_asc(C::Id)
            .all(db)
            .await?;
        out.extend(rows.into_iter().filter(|r| keys.contains(&FigureKey::from(r))));
    }
    Ok(out)
}

/// How many figures a run replaced, and how many of them came from a provisional release.
pub async fn revised_by(db: &impl ConnectionTrait, run_id: i64) -> Result<(u64, u64), Error> {
    let replaced = observation_history::Entity::find()
        .filter(observation_history::Column::ReplacedByRun.eq(run_id))
        .count(db)
        .await?;
    if replaced == 0 {
        return Ok((0, 0));
    }
    let provisional_runs: Vec<i64> = observation_source::Entity::find()
        .filter(observation_source::Column::Provisional.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.run_id)
        .collect();
    let from_provisional = observation_history::Entity::find()
        .filter(observation_history::Column::ReplacedByRun.eq(run_id))
        .filter(observation_history::Column::RunId.is_in(provisional_runs))
        .count(db)
        .await?;
    Ok((replaced, from_provisional))
}
