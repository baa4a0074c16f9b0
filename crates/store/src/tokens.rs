//! API tokens: only a hash of each is stored; the token itself is shown once when made.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Error;
use crate::entity::api_token;

/// A token to store, already hashed.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub hash: String,
    pub role: String,
    pub school_urn: Option<i32>,
    pub label: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub async fn insert(db: &impl ConnectionTrait, t: NewToken, now: DateTime<Utc>) -> Result<api_token::Model, Error> {
    let row = api_token::ActiveModel {
        token_hash: Set(t.hash),
        role: Set(t.role),
        school_urn: Set(t.school_urn),
        label: Set(t.label),
        created_at: Set(now),
        revoked_at: Set(None),
        expires_at: Set(t.expires_at),
        last_used_at: Set(None),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// Every token, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<api_token::Model>, Error> {
    Ok(api_token::Entity::find().order_by_asc(api_token::Column::Id).all(db).await?)
}

/// Revokes token `id`; `None` when there is no such token. Revoking twice keeps the first time.
pub async fn revoke(db: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<Option<api_token::Model>, Error> {
    let Some(row) = api_token::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    if row.revoked_at.is_some() {
        return Ok(Some(row));
    }
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    Ok(Some(active.update(db).await?))
}

pub async fn by_hash(db: &impl ConnectionTrait, hash: &str) -> Result<Option<api_token::Model>, Error> {
    Ok(api_token::Entity::find().filter(api_token::Column::TokenHash.eq(hash)).one(db).await?)
}

/// Records a use of token `id`.
pub async fn touch(db: &impl ConnectionTrait, id: i32, now: DateTime<Utc>) -> Result<(), Error> {
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
        .filter(api_token::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}
