#![doc = include_str!("../README.md")]

mod error;
mod establishment;
mod ids;
mod observation;
pub mod register;
pub mod stats;

pub use error::Error;
pub use establishment::{Establishment, GiasSrp, SrpKind};
pub use ids::{DistrictCode, LaCode, Laestab, Urn};
pub use observation::{Observation, SharedStr};
pub use register::{
    AgeRange, ClusterMembership, DesignationEntry, NeedType, SchoolRef, SrpRegisterEntry, TrainingEntry, TrainingStatus,
};
pub use stats::{Cell, TimePeriod, TimePeriodError};
