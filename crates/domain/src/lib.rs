#![doc = include_str!("../README.md")]

mod error;
mod establishment;
mod ids;

pub use error::Error;
pub use establishment::{Establishment, GiasSrp, SrpKind};
pub use ids::{DistrictCode, LaCode, Laestab, Urn};
