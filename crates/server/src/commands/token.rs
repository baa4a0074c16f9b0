//! `inclusion token create | list | revoke`.

use std::process::ExitCode;

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{DatabaseConnection, EntityTrait};
use store::entity::school;

use crate::cli::{TokenCommand, TokenCreateArgs, TokenRole};

pub(crate) async fn run(db: &DatabaseConnection, command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create(args) => create(db, args).await,
        TokenCommand::List => list(db).await,
        TokenCommand::Revoke { id } => revoke(db, id).await,
    }
}

fn role(r: TokenRole) -> api::Role {
    match r {
        TokenRole::Analyst => api::Role::Analyst,
        TokenRole::School => api::Role::School,
        TokenRole::Operator => api::Role::Operator,
        TokenRole::Public => api::Role::Public,
    }
}

/// The token works through `last_day` (UTC) and stops at the next midnight.
fn expiry(last_day: NaiveDate, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    let end =
        last_day.succ_opt().context("--expires is too far in the future")?.and_hms_opt(0, 0, 0).unwrap_or_default();
    let end = end.and_utc();
    if end <= now {
        bail!("--expires {last_day} is in the past: the token would never work");
    }
    Ok(end)
}

async fn create(db: &DatabaseConnection, args: TokenCreateArgs) -> anyhow::Result<ExitCode> {
    let role = role(args.role);
    match (role, args.urn) {
        (api::Role::School, None) => bail!("a school token needs --urn URN: the school whose data it may read"),
        (api::Role::School, Some(urn)) => {
            if school::Entity::find_by_id(urn).one(db).await?.is_none() {
                bail!("no school with URN {urn}: check the number, or import GIAS first");
            }
        }
        (_, Some(_)) => bail!("--urn is only for school tokens; a {} token is not scoped", role.as_str()),
        (_, None) => {}
    }
    let label = args.label.map(|l| l.trim().to_owned()).filter(|l| !l.is_empty());
    if label.as_ref().is_some_and(|l| l.chars().count() > 200 || l.chars().any(char::is_control)) {
        bail!("--label must be at most 200 characters, without control characters");
    }
    let now = Utc::now();
    let expires_at = args.expires.map(|d| expiry(d, now)).transpose()?;
    let token = api::auth::new_token().map_err(|e| anyhow::anyhow!("no randomness for the token: {e}"))?;
    let row = store::tokens::insert(
        db,
        store::tokens::NewToken {
            hash: api::auth::hash_token(&token),
            role: role.as_str().to_owned(),
            school_urn: args.urn,
            label,
            expires_at,
        },
        now,
    )
    .await?;
    println!("{token}");
    let scope = row.school_urn.map(|u| format!(" for URN {u}")).unwrap_or_default();
    let until = row.expires_at.map_or_else(|| "never expires".to_owned(), |e| format!("expires {}", e.to_rfc3339()));
    eprintln!("token {} ({}{scope}) made; {until}. It is shown once: store it now.", row.id, row.role);
    Ok(ExitCode::SUCCESS)
}

fn when(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

async fn list(db: &DatabaseConnection) -> anyhow::Result<ExitCode> {
    let rows = store::tokens::list(db).await?;
    println!(
        "{:>4}  {:<8}  {:>7}  {:<16}  {:<16}  {:<16}  {:<16}  label",
        "id", "role", "urn", "created", "last used", "expires", "revoked"
    );
    for t in rows {
        println!(
            "{:>4}  {:<8}  {:>7}  {:<16}  {:<16}  {:<16}  {:<16}  {}",
            t.id,
            t.role,
            t.school_urn.map_or_else(|| "-".to_owned(), |u| u.to_string()),
            when(Some(t.created_at)),
            when(t.last_used_at),
            when(t.expires_at),
            when(t.revoked_at),
            t.label.unwrap_or_default(),
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn revoke(db: &DatabaseConnection, id: i32) -> anyhow::Result<ExitCode> {
    match store::tokens::revoke(db, id, Utc::now()).await? {
        Some(t) => {
            println!("token {id} ({}) revoked at {}", t.role, when(t.revoked_at));
            Ok(ExitCode::SUCCESS)
        }
        None => bail!("no token with id {id} (see `inclusion token list`)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_works_through_its_last_day() {
        let now = "2026-12-01T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let last = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        assert_eq!(expiry(last, now).unwrap().to_rfc3339(), "2026-12-02T00:00:00+00:00");
        assert!(expiry(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(), now).is_err());
    }
}
