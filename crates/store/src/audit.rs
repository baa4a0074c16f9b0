//! The access log: who read restricted data, when, and which fields, schools and groups.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::Error;
use crate::entity::access_log;

/// One request's restricted reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessEntry {
    pub token_id: Option<i32>,
    pub role: String,
    pub school_urn: Option<i32>,
    pub operation: Option<String>,
    pub fields: Vec<String>,
    pub schools: Vec<i32>,
    pub groups: Vec<String>,
}

pub async fn record(db: &impl ConnectionTrait, e: AccessEntry, at: DateTime<Utc>) -> Result<(), Error> {
    let schools = if e.schools.is_empty() {
        String::new()
    } else {
        format!(",{},", e.schools.iter().map(ToString::to_string).collect::<Vec<_>>().join(","))
    };
    access_log::ActiveModel {
        at: Set(at),
        token_id: Set(e.token_id),
        role: Set(e.role),
        school_urn: Set(e.school_urn),
        operation: Set(e.operation),
        fields: Set(e.fields.join(",")),
        schools: Set(schools),
        groups: Set(e.groups.join(",")),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// Which entries `list` returns; every field given narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub token_id: Option<i32>,
    pub since: Option<DateTime<Utc>>,
    /// Entries that showed this school's restricted figures.
    pub school: Option<i32>,
    pub limit: Option<u64>,
}

/// Entries, newest first.
pub async fn list(db: &impl ConnectionTrait, f: &AuditFilter) -> Result<Vec<access_log::Model>, Error> {
    let mut q = access_log::Entity::find().order_by_desc(access_log::Column::At).order_by_desc(access_log::Column::Id);
    if let Some(id) = f.token_id {
        q = q.filter(access_log::Column::TokenId.eq(id));
    }
    if let Some(since) = f.since {
        q = q.filter(access_log::Column::At.gte(since));
    }
    if let Some(urn) = f.school {
        q = q.filter(access_log::Column::Schools.contains(format!(",{urn},")));
    }
    if let Some(n) = f.limit {
        q = q.limit(n);
    }
    Ok(q.all(db).await?)
}

/// Deletes entries older than `before`; returns how many.
pub async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, Error> {
    Ok(access_log::Entity::delete_many().filter(access_log::Column::At.lt(before)).exec(db).await?.rows_affected)
}
