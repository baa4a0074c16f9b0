//! `inclusion audit`: the access log, newest first, for information-governance questions such as
//! "who looked at this school's figures".

use std::process::ExitCode;

use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::cli::{AuditArgs, Format};

pub(crate) async fn run(db: &DatabaseConnection, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let filter = store::audit::AuditFilter {
        token_id: args.token,
        since: args.since.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc()),
        school: args.school,
        limit: Some(args.limit),
    };
    let rows = store::audit::list(db, &filter).await?;
    let schools = |s: &str| s.trim_matches(',').to_owned();
    match args.format {
        Format::Json => {
            for r in &rows {
                let line = json!({
                    "at": r.at.to_rfc3339(), "token": r.token_id, "role": r.role, "urn": r.school_urn,
                    "operation": r.operation, "fields": r.fields, "schools": schools(&r.schools), "groups": r.groups,
                });
                println!("{line}");
            }
        }
        Format::Text => {
            for r in &rows {
                let token = r.token_id.map_or_else(|| "anonymous".to_owned(), |t| format!("token {t}"));
                let scope = r.school_urn.map(|u| format!(" (URN {u})")).unwrap_or_default();
                println!(
                    "{}  {token} {}{scope}  {}  fields {}  schools {}  groups {}",
                    r.at.format("%Y-%m-%d %H:%M:%S"),
                    r.role,
                    r.operation.as_deref().unwrap_or("(unnamed operation)"),
                    r.fields,
                    if r.schools.is_empty() { "-".to_owned() } else { schools(&r.schools) },
                    if r.groups.is_empty() { "-" } else { &r.groups },
                );
            }
            eprintln!("{} entries", rows.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
