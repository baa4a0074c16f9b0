//! Set-based reads for the API: each takes many keys and costs one statement, so DataLoaders can
//! batch a whole GraphQL selection into a bounded number of queries.

pub mod places;
pub mod registers;
pub mod schools;
pub mod srps;
pub mod stats;
