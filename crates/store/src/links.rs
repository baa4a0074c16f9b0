//! GIAS's links between establishments: written from the links extract, read as a school's
//! predecessors and successors. Links are upserted, never deleted: a link is history, and a links
//! file cut to one authority must not erase the others'.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::Error;
use crate::entity::school_link;

const CHUNK: usize = 500;

/// One link to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub urn: i32,
    pub link_urn: i32,
    pub link_type: String,
    /// `predecessor`, `successor` or `other`.
    pub direction: &'static str,
    pub link_name: Option<String>,
    pub established_on: Option<NaiveDate>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LinkTotals {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
}

/// Upserts the links; counts come from comparing with what is stored.
pub async fn write(txn: &DatabaseTransaction, run_id: i64, links: &[Link]) -> Result<LinkTotals, Error> {
    let stored: HashMap<(i32, i32, String), school_link::Model> = school_link::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|m| ((m.urn, m.link_urn, m.link_type.clone()), m))
        .collect();
    let mut totals = LinkTotals::default();
    let mut changed = Vec::new();
    for l in links {
        match stored.get(&(l.urn, l.link_urn, l.link_type.clone())) {
            Some(m)
                if m.link_name == l.link_name && m.established_on == l.established_on && m.direction == l.direction =>
            {
                totals.unchanged += 1
            }
            Some(_) => {
                totals.updated += 1;
                changed.push(l);
            }
            None => {
                totals.inserted += 1;
                changed.push(l);
            }
        }
    }
    for chunk in changed.chunks(CHUNK) {
        let rows = chunk.iter().map(|l| school_link::ActiveModel {
            urn: Set(l.urn),
            link_urn: Set(l.link_urn),
            link_type: Set(l.link_type.clone()),
            direction: Set(l.direction.to_owned()),
            link_name: Set(l.link_name.clone()),
            established_on: Set(l.established_on),
            run_id: Set(run_id),
        });
        school_link::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    school_link::Column::Urn,
                    school_link::Column::LinkUrn,
                    school_link::Column::LinkType,
                ])
                .update_columns([
                    school_link::Column::Direction,
                    school_link::Column::LinkName,
                    school_link::Column::EstablishedOn,
                    school_link::Column::RunId,
                ])
                .to_owned(),
            )
            .exec(txn)
            .await?;
    }
    Ok(totals)
}

/// A school's link to another, seen from the school: the other URN, its name and the link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub urn: i32,
    pub other: i32,
    pub other_name: Option<String>,
    pub link_type: String,
    pub established_on: Option<NaiveDate>,
}

/// The predecessors (`before`) or successors of each URN, from both sides of the file: B precedes A
/// when A lists B as `Predecessor…` or B lists A as `Successor…`.
pub async fn linked(db: &impl ConnectionTrait, urns: &[i32], before: bool) -> Result<Vec<Linked>, Error> {
    let (mine, theirs) = if before { ("predecessor", "successor") } else { ("successor", "predecessor") };
    let ids = urns.iter().copied().collect::<BTreeSet<_>>();
    let own = school_link::Entity::find()
        .filter(school_link::Column::Urn.is_in(ids.iter().copied()))
        .filter(school_link::Column::Direction.eq(mine))
        .all(db)
        .await?;
    let other_side = school_link::Entity::find()
        .filter(school_link::Column::LinkUrn.is_in(ids.iter().copied()))
        .filter(school_link::Column::Direction.eq(theirs))
        .all(db)
        .await?;
    let mut out: Vec<Linked> = own
        .into_iter()
        .map(|m| Linked {
            urn: m.urn,
            other: m.link_urn,
            other_name: m.link_name,
            link_type: m.link_type,
            established_on: m.established_on,
        })
        .collect();
    for m in other_side {
        if out.iter().any(|l| l.urn == m.link_urn && l.other == m.urn) {
            continue;
        }
        // Seen from the other side, the name GIAS gives is this school's: the other's is unknown here.
        out.push(Linked {
            urn: m.link_urn,
            other: m.urn,
            other_name: None,
            link_type: flip(&m.link_type),
            established_on: m.established_on,
        });
    }
    out.sort_by_key(|l| (l.urn, l.established_on, l.other));
    Ok(out)
}

/// `Successor - merged` seen from the other side is `Predecessor - merged`.
fn flip(link_type: &str) -> String {
    let lower = link_type.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("successor") {
        format!("Predecessor{}", &link_type[link_type.len() - rest.len()..])
    } else if let Some(rest) = lower.strip_prefix("predecessor") {
        format!("Successor{}", &link_type[link_type.len() - rest.len()..])
    } else {
        link_type.to_owned()
    }
}
