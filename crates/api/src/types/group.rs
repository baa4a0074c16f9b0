//! `GroupBy`: the one enum of every grouped field.

use async_graphql::Enum;
use store::aggregate::GroupLevel;

use crate::error::bad_input;

/// A level schools are grouped at.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum GroupBy {
    /// Each school on its own (analysts only for restricted figures).
    School,
    /// Locality clusters; schools in none form one group, `none`.
    Cluster,
    /// Local authority districts.
    District,
    /// Phase of education, within the LA.
    Phase,
    /// Phase within each district (`E07000105/Primary`).
    PhaseInDistrict,
    /// The local authority.
    La,
    /// The LA's region.
    Region,
    /// The mean of the LA's statistical neighbours.
    StatisticalNeighbours,
    /// England.
    National,
}

impl GroupBy {
    /// The school grouping behind it, for figures the LA holds per school; `what` names them in
    /// the error for the levels above the LA.
    pub(crate) fn school_level(self, what: &str) -> async_graphql::Result<GroupLevel> {
        Ok(match self {
            Self::School => GroupLevel::School,
            Self::Cluster => GroupLevel::Cluster,
            Self::District => GroupLevel::District,
            Self::Phase => GroupLevel::Phase,
            Self::PhaseInDistrict => GroupLevel::PhaseInDistrict,
            Self::La => GroupLevel::La,
            Self::Region | Self::StatisticalNeighbours | Self::National => {
                return Err(bad_input(format!(
                    "{what} is held by the LA for its own schools: group by SCHOOL, CLUSTER, DISTRICT, PHASE, PHASE_IN_DISTRICT or LA"
                )));
            }
        })
    }

    pub(crate) fn of_level(level: GroupLevel) -> Self {
        match level {
            GroupLevel::School => Self::School,
            GroupLevel::Cluster => Self::Cluster,
            GroupLevel::District => Self::District,
            GroupLevel::Phase => Self::Phase,
            GroupLevel::PhaseInDistrict => Self::PhaseInDistrict,
            GroupLevel::La => Self::La,
        }
    }
}
