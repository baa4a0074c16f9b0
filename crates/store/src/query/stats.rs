//! Observations by place, and measures.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Error;
use crate::entity::{measure, observation};

/// Narrows observations; `None` leaves a dimension open.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ObservationFilter {
    pub measures: Option<Vec<String>>,
    pub cohorts: Option<Vec<String>>,
    /// Raw EES time periods, e.g. `202223`.
    pub periods: Option<Vec<String>>,
    /// `total` by default callers pass `Some(vec!["total"])`; `None` returns every breakdown.
    pub breakdowns: Option<Vec<String>>,
}

/// Observations of many places of one level at once, in a stable order.
pub async fn for_places(
    db: &impl ConnectionTrait,
    level: &str,
    codes: &[String],
    f: &ObservationFilter,
) -> Result<Vec<observation::Model>, Error> {
    use observation::Column as C;
    let mut q = observation::Entity::find()
        .filter(C::GeographicLevel.eq(level))
        .filter(C::GeographyCode.is_in(codes.iter().cloned()));
    if let Some(m) = &f.measures {
        q = q.filter(C::MeasureCode.is_in(m.iter().cloned()));
    }
    if let Some(c) = &f.cohorts {
        q = q.filter(C::Cohort.is_in(c.iter().cloned()));
    }
    if let Some(p) = &f.periods {
        q = q.filter(C::TimePeriod.is_in(p.iter().cloned()));
    }
    if let Some(b) = &f.breakdowns {
        q = q.filter(C::Breakdown.is_in(b.iter().cloned()));
    }
    Ok(q.order_by_asc(C::GeographyCode)
        .order_by_asc(C::MeasureCode)
        .order_by_asc(C::TimePeriod)
        .order_by_asc(C::TimeIdentifier)
        .order_by_asc(C::Cohort)
        .order_by_asc(C::Breakdown)
        .all(db)
        .await?)
}

pub async fn measures(db: &impl ConnectionTrait) -> Result<Vec<measure::Model>, Error> {
    Ok(measure::Entity::find().order_by_asc(measure::Column::Code).all(db).await?)
}

pub async fn measures_by_codes(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<measure::Model>, Error> {
    Ok(measure::Entity::find().filter(measure::Column::Code.is_in(codes.iter().cloned())).all(db).await?)
}
