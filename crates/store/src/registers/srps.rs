//! The LA's SRP register, matched to the SRPs GIAS reports: on host school (and kind when the
//! register says it). The register is the authority on need type and places; where it and GIAS
//! disagree, or one lacks a provision the other has, a finding says so. Register entries missing
//! from a newer register are closed, never deleted.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use domain::SrpRegisterEntry;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value,
};

use super::{Finding, RegisterTotals, Schools};
use crate::Error;
use crate::entity::{school, srp};
use crate::rows::{Table, insert_rows};

fn need_key(r: &SrpRegisterEntry) -> String {
    if r.needs.is_empty() {
        r.need_as_written.clone()
    } else {
        r.needs.iter().map(|n| n.code()).collect::<Vec<_>>().join("/")
    }
}

/// What the writer needs of a stored SRP: matching, the GIAS comparison, and change detection.
type StoredRow = (i32, i32, String, Option<String>, bool, bool, Option<i32>, Option<String>);

#[derive(Debug, Clone)]
struct Stored {
    id: i32,
    host_urn: i32,
    kind: String,
    need_type: Option<String>,
    in_gias: bool,
    in_register: bool,
    gias_capacity: Option<i32>,
    register_hash: Option<String>,
}

impl From<StoredRow> for Stored {
    fn from((id, host_urn, kind, need_type, in_gias, in_register, gias_capacity, register_hash): StoredRow) -> Self {
        Self { id, host_urn, kind, need_type, in_gias, in_register, gias_capacity, register_hash }
    }
}

/// The columns the register is the authority on, in the order [`register_values`] gives them.
const REGISTER_COLUMNS: [&str; 11] = [
    "name",
    "need_type",
    "commissioned_places",
    "register_on_roll",
    "age_range",
    "provider",
    "sla_signed",
    "sla_date",
    "open_date",
    "close_date",
    "register_hash",
];

fn register_values(r: &SrpRegisterEntry, need: &str, hash: String) -> Vec<Value> {
    vec![
        r.name.clone().into(),
        Some(need.to_owned()).into(),
        r.commissioned_places.map(|n| n as i32).into(),
        r.on_roll.map(|n| n as i32).into(),
        r.age_range.map(|a| format!("{}-{}", a.low, a.high)).into(),
        r.provider.clone().into(),
        r.sla_signed.into(),
        r.sla_date.into(),
        r.open_date.into(),
        r.close_date.into(),
        Some(hash).into(),
    ]
}

/// Everything the register says of an entry: equal hashes mean nothing to rewrite.
fn register_hash(r: &SrpRegisterEntry, need: &str) -> String {
    let age = r.age_range.map(|a| (a.low, a.high));
    crate::fnv_hex(&format!(
        "{:?}|{need}|{:?}|{:?}|{age:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
        r.name, r.commissioned_places, r.on_roll, r.provider, r.sla_signed, r.sla_date, r.open_date, r.close_date
    ))
}

fn kind_label(kind: &str) -> &'static str {
    if kind == "sen_unit" { "SEN unit" } else { "resourced provision" }
}

pub async fn write(
    txn: &DatabaseTransaction,
    run_id: i64,
    records: &[(u32, SrpRegisterEntry)],
    today: NaiveDate,
    complete: bool,
) -> Result<RegisterTotals, Error> {
    let schools = Schools::load(txn, records.iter().map(|(_, r)| &r.host)).await?;
    let mut totals = RegisterTotals::default();
    let mut resolved = Vec::new();
    for (row, r) in records {
        match schools.resolve(*row, &r.host) {
            Ok(urn) => resolved.push((*row, urn, r)),
            Err(f) => {
                totals.rejected += 1;
                totals.findings.push(f);
            }
        }
    }
    // Each host once: a school with two provisions must not load its SRPs twice.
    let mut distinct_hosts: Vec<i32> = resolved.iter().map(|(_, u, _)| *u).collect();
    distinct_hosts.sort_unstable();
    distinct_hosts.dedup();
    let mut existing: Vec<Stored> = Vec::new();
    for chunk in distinct_hosts.chunks(1000) {
        let rows: Vec<StoredRow> = srp::Entity::find()
            .select_only()
            .columns([
                srp::Column::Id,
                srp::Column::HostUrn,
                srp::Column::Kind,
                srp::Column::NeedType,
                srp::Column::InGias,
                srp::Column::InRegister,
                srp::Column::GiasCapacity,
                srp::Column::RegisterHash,
            ])
            .filter(srp::Column::HostUrn.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        existing.extend(rows.into_iter().map(Stored::from));
    }
    let mut by_host: HashMap<i32, Vec<usize>> = HashMap::new();
    for (i, s) in existing.iter().enumerate() {
        by_host.entry(s.host_urn).or_default().push(i);
    }
    let mut matched: HashSet<i32> = HashSet::new();
    let mut new_rows: Vec<Vec<Value>> = Vec::new();
    // Matched entries whose register fields changed: rewritten together below.
    let mut updates: Vec<Vec<Value>> = Vec::new();
    for (row, urn, r) in &resolved {
        let need = need_key(r);
        let kind = r.kind.map(|k| k.code());
        let at_host: Vec<&Stored> = by_host
            .get(urn)
            .map(|ix| ix.iter().map(|&i| &existing[i]).filter(|s| !matched.contains(&s.id)).collect())
            .unwrap_or_default();
        // Same register entry as before, else a GIAS provision at the host not yet claimed.
        let found = at_host
            .iter()
            .find(|s| s.in_register && s.need_type.as_deref() == Some(need.as_str()))
            .or_else(|| at_host.iter().find(|s| s.in_gias && !s.in_register && kind.is_none_or(|k| s.kind == k)))
            .map(|s| (*s).clone());
        let hash = register_hash(r, &need);
        match found {
            Some(s) => {
                matched.insert(s.id);
                if s.in_gias
                    && let (Some(places), Some(capacity)) = (r.commissioned_places, s.gias_capacity)
                    && places as i32 != capacity
                {
                    totals.findings.push(Finding::warning(
                        Some(*row),
                        "capacity_mismatch",
                        format!(
                            "URN {urn} {need}: the register commissions {places} places, GIAS reports a {} with capacity {capacity}",
                            kind_label(&s.kind)
                        ),
                    ));
                }
                if s.in_register && s.register_hash.as_deref() == Some(hash.as_str()) {
                    totals.unchanged += 1;
                } else {
                    let mut row: Vec<Value> =
                        vec![s.id.into(), s.host_urn.into(), s.kind.as_str().into(), s.in_gias.into()];
                    row.extend(register_values(r, &need, hash));
                    updates.push(row);
                    totals.updated += 1;
                }
            }
            None => {
                let gias_at_host = by_host.get(urn).is_some_and(|ix| ix.iter().any(|&i| existing[i].in_gias));
                if !gias_at_host {
                    totals.findings.push(Finding::warning(
                        Some(*row),
                        "not_in_gias",
                        format!("URN {urn} {need}: GIAS reports no resourced provision or SEN unit at this school"),
                    ));
                }
                let mut row: Vec<Value> = vec![(*urn).into(), kind.unwrap_or("resourced_provision").into()];
                row.extend(register_values(r, &need, hash));
                new_rows.push(row);
                totals.inserted += 1;
            }
        }
    }
    let listed = [("in_register", Value::from(true)), ("run_id", run_id.into())];
    // An upsert on the id of rows that exist: one statement per thousand updates, not one each.
    let set: Vec<String> = REGISTER_COLUMNS
        .iter()
        .chain(["in_register", "run_id"].iter())
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let on_conflict = format!(" ON CONFLICT (id) DO UPDATE SET {}", set.join(", "));
    let columns: Vec<&str> = ["id", "host_urn", "kind", "in_gias"].into_iter().chain(REGISTER_COLUMNS).collect();
    insert_rows(txn, &Table { name: "srp", columns: &columns, constants: &listed, tail: &on_conflict }, updates)
        .await?;
    let constants = [("in_gias", Value::from(false)), listed[0].clone(), listed[1].clone()];
    let columns: Vec<&str> = ["host_urn", "kind"].into_iter().chain(REGISTER_COLUMNS).collect();
    insert_rows(txn, &Table { name: "srp", columns: &columns, constants: &constants, tail: "" }, new_rows).await?;
    // A rejected row may be an entry the register still lists: close nothing on its account.
    if complete && totals.rejected == 0 {
        close_missing(txn, &matched, run_id, today, &mut totals).await?;
    } else {
        totals.findings.push(Finding::warning(
            None,
            "closures_skipped",
            "some rows were rejected, so entries missing from this register were not closed".to_owned(),
        ));
    }
    report_gias_only(txn, &matched, &distinct_hosts, &mut totals).await?;
    Ok(totals)
}

/// Register entries the new register no longer lists: closed and reported.
async fn close_missing(
    txn: &DatabaseTransaction,
    matched: &HashSet<i32>,
    run_id: i64,
    today: NaiveDate,
    totals: &mut RegisterTotals,
) -> Result<(), Error> {
    // Rows this run inserted carry its id; the rest were listed before and must be matched now.
    // Only the columns needed: a register may list tens of thousands of provisions.
    type Listed = (i32, i32, String, Option<String>, bool, Option<NaiveDate>);
    let listed: Vec<Listed> = srp::Entity::find()
        .select_only()
        .columns([
            srp::Column::Id,
            srp::Column::HostUrn,
            srp::Column::Kind,
            srp::Column::NeedType,
            srp::Column::InGias,
            srp::Column::CloseDate,
        ])
        .filter(srp::Column::InRegister.eq(true))
        .filter(srp::Column::RunId.ne(run_id))
        .into_tuple()
        .all(txn)
        .await?;
    for (id, host_urn, kind, need_type, in_gias, old_close) in listed.into_iter().filter(|l| !matched.contains(&l.0)) {
        let what = need_type.unwrap_or_else(|| kind_label(&kind).to_owned());
        // Provision GIAS still reports stays open as GIAS-only; a register-only entry closes.
        let (close_date, message) = if in_gias {
            (old_close, format!("URN {host_urn} {what}: no longer in the register; GIAS still reports it"))
        } else {
            (
                old_close.or(Some(today)),
                format!("URN {host_urn} {what}: no longer in the register; closed as of {today}"),
            )
        };
        srp::Entity::update(srp::ActiveModel {
            id: Set(id),
            in_register: Set(false),
            close_date: Set(close_date),
            ..Default::default()
        })
        .exec(txn)
        .await?;
        totals.findings.push(Finding::warning(None, "srp_closed", message));
    }
    Ok(())
}

/// GIAS provisions in the register's LAs that no register row claims.
async fn report_gias_only(
    txn: &DatabaseTransaction,
    matched: &HashSet<i32>,
    distinct_hosts: &[i32],
    totals: &mut RegisterTotals,
) -> Result<(), Error> {
    // Only the columns needed: a register can name tens of thousands of schools.
    let mut las = HashSet::new();
    for chunk in distinct_hosts.chunks(1000) {
        let codes: Vec<Option<String>> = school::Entity::find()
            .select_only()
            .column(school::Column::LaCode)
            .distinct()
            .filter(school::Column::Urn.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        las.extend(codes.into_iter().flatten());
    }
    if las.is_empty() {
        return Ok(());
    }
    let in_las = Query::select()
        .column(school::Column::Urn)
        .from(school::Entity)
        .and_where(school::Column::LaCode.is_in(las))
        .to_owned();
    let gias: Vec<(i32, i32, String)> = srp::Entity::find()
        .select_only()
        .columns([srp::Column::Id, srp::Column::HostUrn, srp::Column::Kind])
        .filter(srp::Column::InGias.eq(true))
        .filter(srp::Column::HostUrn.in_subquery(in_las))
        .order_by_asc(srp::Column::HostUrn)
        .order_by_asc(srp::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    for (_, host_urn, kind) in gias.into_iter().filter(|(id, _, _)| !matched.contains(id)) {
        totals.findings.push(Finding::warning(
            None,
            "not_in_register",
            format!("URN {host_urn}: GIAS reports a {} that the register does not list", kind_label(&kind)),
        ));
    }
    Ok(())
}
