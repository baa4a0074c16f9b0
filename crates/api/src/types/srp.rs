//! `Srp`: a Specialist Resource Provision inside a mainstream school.

use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use store::entity::srp;

use super::School;
use crate::error::internal;
use crate::loaders::loaders;
use crate::scalars::Date;

/// How GIAS records the provision.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SrpKind {
    /// A resourced provision: places reserved at the school for pupils with a type of SEN.
    ResourcedProvision,
    /// A SEN unit: a class for pupils with a type of SEN, taught mainly apart.
    SenUnit,
}

/// Where the record of the provision comes from.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum SrpSource {
    /// Only the GIAS extract reports it.
    Gias,
    /// Only the LA's SRP register lists it.
    Register,
    /// Both report it.
    Both,
}

/// A Specialist Resource Provision (resourced provision or SEN unit) in a host school.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Srp {
    pub id: i32,
    /// URN of the host school.
    pub host_urn: i32,
    pub kind: SrpKind,
    pub name: Option<String>,
    /// Type of need (ASD, SLCN, SEMH, …) from the LA's register; GIAS does not record it.
    pub need_type: Option<String>,
    /// Places commissioned by the LA (register).
    pub places: Option<i32>,
    /// Pupils on roll: the register's figure, else GIAS's.
    pub on_roll: Option<i32>,
    /// Capacity as GIAS reports it.
    pub capacity: Option<i32>,
    /// Pupils on roll ÷ commissioned places, else ÷ GIAS capacity; null without both figures.
    pub occupancy: Option<f64>,
    pub sla_signed: Option<bool>,
    pub sla_date: Option<Date>,
    pub provider: Option<String>,
    pub open_date: Option<Date>,
    pub close_date: Option<Date>,
    pub source: SrpSource,
}

impl From<srp::Model> for Srp {
    fn from(m: srp::Model) -> Self {
        let on_roll = m.register_on_roll.or(m.gias_on_roll);
        let base = m.commissioned_places.or(m.gias_capacity);
        let occupancy = match (on_roll, base) {
            (Some(r), Some(b)) if b > 0 => Some(f64::from(r) / f64::from(b)),
            _ => None,
        };
        Self {
            id: m.id,
            host_urn: m.host_urn,
            kind: if m.kind == "sen_unit" { SrpKind::SenUnit } else { SrpKind::ResourcedProvision },
            name: m.name,
            need_type: m.need_type,
            places: m.commissioned_places,
            on_roll,
            capacity: m.gias_capacity,
            occupancy,
            sla_signed: m.sla_signed,
            sla_date: m.sla_date.map(Date),
            provider: m.provider,
            open_date: m.open_date.map(Date),
            close_date: m.close_date.map(Date),
            source: match (m.in_gias, m.in_register) {
                (true, true) => SrpSource::Both,
                (false, true) => SrpSource::Register,
                _ => SrpSource::Gias,
            },
        }
    }
}

#[ComplexObject]
impl Srp {
    /// The mainstream school that hosts the provision.
    async fn host(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        let loaders = loaders(ctx)?;
        Ok(loaders.schools.load_one(self.host_urn).await.map_err(internal)?.map(School::from))
    }
}
