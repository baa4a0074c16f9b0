//! GraphQL objects and inputs. Objects are plain values built from store rows in one pass;
//! relations resolve through the batch loaders.

mod district;
mod group;
mod local_authority;
mod observation;
mod register;
mod school;
mod srp;

pub use district::District;
pub use group::GroupBy;
pub use local_authority::{England, LocalAuthority, Region};
pub use observation::{Measure, Observation};
pub(crate) use register::designation_as_of;
pub use register::{
    Cluster, Designation, EngagementCount, EngagementGroup, ProgrammeEngagement, SpecialSchool, TrainingEnrolment,
};
pub use school::{School, SchoolFilter, SchoolOrder, SchoolOrderField, SortDirection};
pub use srp::{Srp, SrpSource};
