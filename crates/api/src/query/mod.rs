//! The root `Query`.

mod access;
mod indicators;
mod operations;
mod per_population;
mod per_pupils;
mod places;
mod registers;
mod runs;
mod schools;
mod special_places;

use async_graphql::MergedObject;

/// Everything a client can read.
#[derive(MergedObject, Default)]
pub struct Query(
    schools::SchoolQuery,
    places::PlaceQuery,
    registers::RegisterQuery,
    access::AccessQuery,
    indicators::IndicatorQuery,
    runs::RunQuery,
    operations::OperationsQuery,
    special_places::SpecialPlacesQuery,
);

pub use operations::{Mutation, source_states};
