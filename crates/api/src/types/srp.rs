//! `Srp`: a Specialist Resource Provision inside a mainstream school.

use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use store::entity::srp;

use super::School;
use crate::disclosure::{Sensitivity, gate};
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

/// A Specialist Resource Provision (resourced provision or SEN unit) in a host school. The LA
/// register's figures (places, on roll, occupancy, SLA, provider) are restricted: another
/// school's token gets `FORBIDDEN` on them; GIAS's (capacity, GIAS on roll) are open.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Srp {
    /// The SRP's id in this database (stable across imports).
    pub id: i32,
    /// URN of the host school.
    pub host_urn: i32,
    /// A resourced provision or a SEN unit, as GIAS or the register says.
    pub kind: SrpKind,
    /// The provision's name from the LA register, e.g. `Kemsing SEMH base`.
    pub name: Option<String>,
    /// Type of need (ASD, SLCN, SEMH, …) from the LA's register; GIAS does not record it.
    pub need_type: Option<String>,
    /// Capacity as GIAS reports it.
    pub capacity: Option<i32>,
    /// When the provision opened, from the LA register.
    pub open_date: Option<Date>,
    /// When the provision closed (or was no longer in the register); null while open.
    pub close_date: Option<Date>,
    /// Whether GIAS, the LA register or both list it.
    pub source: SrpSource,
    #[graphql(skip)]
    pub record: srp::Model,
}

impl From<srp::Model> for Srp {
    fn from(m: srp::Model) -> Self {
        Self {
            id: m.id,
            host_urn: m.host_urn,
            kind: if m.kind == "sen_unit" { SrpKind::SenUnit } else { SrpKind::ResourcedProvision },
            name: m.name.clone(),
            need_type: m.need_type.clone(),
            capacity: m.gias_capacity,
            open_date: m.open_date.map(Date),
            close_date: m.close_date.map(Date),
            source: match (m.in_gias, m.in_register) {
                (true, true) => SrpSource::Both,
                (false, true) => SrpSource::Register,
                _ => SrpSource::Gias,
            },
            record: m,
        }
    }
}

/// Values the LA's register holds are restricted; GIAS's are open. Decided per value by its
/// source: a provision the register has ever listed (today or before it was dropped, when its
/// values are kept) has its register values, on roll and occupancy restricted, so neither a
/// dropped entry nor the difference between `FORBIDDEN` and a GIAS figure gives them away.
fn register_value(m: &srp::Model) -> Sensitivity {
    let from_register = m.in_register
        || m.register_hash.is_some()
        || m.commissioned_places.is_some()
        || m.register_on_roll.is_some()
        || m.sla_signed.is_some()
        || m.sla_date.is_some()
        || m.provider.is_some();
    if from_register { Sensitivity::Restricted } else { Sensitivity::Published }
}

#[ComplexObject]
impl Srp {
    /// The mainstream school that hosts the provision.
    async fn host(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        let loaders = loaders(ctx)?;
        Ok(loaders.schools.load_one(self.host_urn).await.map_err(internal)?.map(School::from))
    }

    /// Places commissioned by the LA (register; restricted).
    async fn places(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let m = &self.record;
        gate(ctx)?.school_value("Srp.places", m.host_urn, register_value(m), m.commissioned_places)
    }

    /// Pupils on roll: the register's figure, else GIAS's; restricted for a provision the
    /// register lists or listed.
    async fn on_roll(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        let m = &self.record;
        gate(ctx)?.school_value("Srp.onRoll", m.host_urn, register_value(m), m.register_on_roll.or(m.gias_on_roll))
    }

    /// Pupils on roll ÷ commissioned places, else ÷ GIAS capacity; null without both figures.
    /// Restricted for a provision the register lists or listed.
    async fn occupancy(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let m = &self.record;
        let on_roll = m.register_on_roll.or(m.gias_on_roll);
        let base = m.commissioned_places.or(m.gias_capacity);
        let value = match (on_roll, base) {
            (Some(r), Some(b)) if b > 0 => Some(f64::from(r) / f64::from(b)),
            _ => None,
        };
        gate(ctx)?.school_value("Srp.occupancy", m.host_urn, register_value(m), value)
    }

    /// Whether the service level agreement is signed (register; restricted).
    async fn sla_signed(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let m = &self.record;
        gate(ctx)?.school_value("Srp.slaSigned", m.host_urn, register_value(m), m.sla_signed)
    }

    /// When the service level agreement was signed (register; restricted).
    async fn sla_date(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        let m = &self.record;
        gate(ctx)?.school_value("Srp.slaDate", m.host_urn, register_value(m), m.sla_date.map(Date))
    }

    /// Who runs the provision (register; restricted).
    async fn provider(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let m = &self.record;
        gate(ctx)?.school_value("Srp.provider", m.host_urn, register_value(m), m.provider.clone())
    }
}
