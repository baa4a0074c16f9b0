//! The root `Query`.

mod places;
mod schools;

use async_graphql::MergedObject;

/// Everything a client can read.
#[derive(MergedObject, Default)]
pub struct Query(schools::SchoolQuery, places::PlaceQuery);
