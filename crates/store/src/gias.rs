//! Writes GIAS establishments inside the caller's transaction: batched upserts, a content hash per
//! school so a re-import of the same data is "unchanged", and no deletes: a school missing from a
//! full extract is flagged, an SRP GIAS no longer reports is marked `in_gias = false`.

use std::collections::{BTreeMap, HashMap};

use domain::{Establishment, GiasSrp};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use crate::Error;
use crate::entity::{district, local_authority, school, school_sen_provision, srp};

/// Rows buffered before one multi-row statement; 28 columns × 500 stays under SQLite's bind limit.
const CHUNK: usize = 500;

/// What happened to one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    Updated,
    Unchanged,
    /// The URN appeared earlier in the same file, on this line.
    Duplicate {
        first_line: u64,
    },
}

/// Totals of a finished GIAS write.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GiasTotals {
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    /// Schools of the extract's scope that the extract no longer lists (flagged, not deleted).
    pub flagged_missing: Vec<i32>,
}

struct Known {
    hash: String,
    in_latest: bool,
    la_code: Option<String>,
}

/// Streams establishments into the store within one transaction.
pub struct GiasWriter<'t> {
    txn: &'t DatabaseTransaction,
    run_id: i64,
    sha256: String,
    known: HashMap<i32, Known>,
    seen: HashMap<i32, u64>,
    pending: Vec<(Establishment, u64, String)>,
    las: BTreeMap<String, (Option<String>, Option<String>)>,
    /// code → (name, when the extract gave one; LA)
    districts: BTreeMap<String, (Option<String>, Option<String>)>,
    totals: GiasTotals,
}

impl<'t> GiasWriter<'t> {
    /// Loads what the store already knows (URN, hash, flag, LA: a few bytes a school).
    pub async fn begin(txn: &'t DatabaseTransaction, run_id: i64, sha256: &str) -> Result<Self, Error> {
        let rows: Vec<(i32, String, bool, Option<String>)> = school::Entity::find()
            .select_only()
            .columns([
                school::Column::Urn,
                school::Column::RowHash,
                school::Column::InLatestExtract,
                school::Column::LaCode,
            ])
            .into_tuple()
            .all(txn)
            .await?;
        let known =
            rows.into_iter().map(|(urn, hash, in_latest, la_code)| (urn, Known { hash, in_latest, la_code })).collect();
        Ok(Self {
            txn,
            run_id,
            sha256: sha256.to_owned(),
            known,
            seen: HashMap::new(),
            pending: Vec::with_capacity(CHUNK),
            las: BTreeMap::new(),
            districts: BTreeMap::new(),
            totals: GiasTotals::default(),
        })
    }

    pub async fn write(&mut self, e: Establishment, line: u64) -> Result<RowOutcome, Error> {
        let urn = e.urn.get();
        if let Some(&first_line) = self.seen.get(&urn) {
            return Ok(RowOutcome::Duplicate { first_line });
        }
        self.seen.insert(urn, line);
        if let Some(la) = &e.la {
            let entry = self.las.entry(la.as_str().to_owned()).or_default();
            entry.0 = entry.0.take().or_else(|| e.la_name.clone());
            entry.1 = entry.1.take().or_else(|| e.gss_la_code.clone());
        }
        // A school names its district by code; the district row must exist (a foreign key), so a
        // code given without a name still gets a row (named by its code until an extract names it).
        if let Some(d) = &e.district {
            let entry = self
                .districts
                .entry(d.as_str().to_owned())
                .or_insert_with(|| (None, e.la.as_ref().map(|l| l.as_str().to_owned())));
            entry.0 = entry.0.take().or_else(|| e.district_name.clone());
        }
        let hash = row_hash(&e);
        let outcome = match self.known.get(&urn) {
            None => RowOutcome::Inserted,
            Some(k) if k.hash == hash && k.in_latest => RowOutcome::Unchanged,
            Some(_) => RowOutcome::Updated,
        };
        match outcome {
            RowOutcome::Inserted => self.totals.inserted += 1,
            RowOutcome::Updated => self.totals.updated += 1,
            _ => self.totals.unchanged += 1,
        }
        if outcome != RowOutcome::Unchanged {
            self.pending.push((e, line, hash));
            if self.pending.len() >= CHUNK {
                self.flush().await?;
            }
        }
        Ok(outcome)
    }

    /// Flushes, writes LAs and districts, and flags the schools of `scope_la` (or of every LA
    /// when `None`) that this extract did not list.
    pub async fn finish(mut self, scope_la: Option<&str>) -> Result<GiasTotals, Error> {
        self.flush().await?;
        self.write_places().await?;
        let mut missing: Vec<i32> = self
            .known
            .iter()
            .filter(|(urn, k)| {
                k.in_latest
                    && !self.seen.contains_key(urn)
                    && scope_la.is_none_or(|la| k.la_code.as_deref() == Some(la))
            })
            .map(|(urn, _)| *urn)
            .collect();
        missing.sort_unstable();
        for chunk in missing.chunks(CHUNK) {
            school::Entity::update_many()
                .col_expr(school::Column::InLatestExtract, Expr::value(false))
                .col_expr(school::Column::RunId, Expr::value(self.run_id))
                .filter(school::Column::Urn.is_in(chunk.iter().copied()))
                .exec(self.txn)
                .await?;
        }
        self.totals.flagged_missing = missing;
        Ok(self.totals)
    }

    async fn flush(&mut self) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        let urns: Vec<i32> = batch.iter().map(|(e, _, _)| e.urn.get()).collect();

        let schools = batch.iter().map(|(e, line, hash)| school_model(e, *line, hash, &self.sha256, self.run_id));
        school::Entity::insert_many(schools)
            .on_conflict(OnConflict::column(school::Column::Urn).update_columns(SCHOOL_UPDATE).to_owned())
            .exec(self.txn)
            .await?;

        // SEN provision is a list owned by the school: replace it whole.
        school_sen_provision::Entity::delete_many()
            .filter(school_sen_provision::Column::Urn.is_in(urns.iter().copied()))
            .exec(self.txn)
            .await?;
        let sen: Vec<_> = batch
            .iter()
            .flat_map(|(e, _, _)| {
                e.sen_provision.iter().map(|(rank, need)| school_sen_provision::ActiveModel {
                    urn: Set(e.urn.get()),
                    rank: Set(*rank),
                    need: Set(need.clone()),
                })
            })
            .collect();
        for chunk in sen.chunks(CHUNK * 4) {
            school_sen_provision::Entity::insert_many(chunk.to_vec()).exec(self.txn).await?;
        }

        self.write_srps(&batch, &urns).await
    }

    async fn write_srps(&self, batch: &[(Establishment, u64, String)], urns: &[i32]) -> Result<(), Error> {
        let existing: Vec<(i32, i32, String)> = srp::Entity::find()
            .select_only()
            .columns([srp::Column::Id, srp::Column::HostUrn, srp::Column::Kind])
            .filter(srp::Column::HostUrn.is_in(urns.iter().copied()))
            .into_tuple()
            .all(self.txn)
            .await?;
        let by_key: HashMap<(i32, &str), i32> =
            existing.iter().map(|(id, urn, kind)| ((*urn, kind.as_str()), *id)).collect();
        let mut reported = Vec::new();
        let mut new_rows = Vec::new();
        for (e, _, _) in batch {
            for s in &e.srps {
                let key = (e.urn.get(), s.kind.code());
                match by_key.get(&key) {
                    Some(&id) => {
                        reported.push(id);
                        update_gias_srp(self.txn, id, s, self.run_id).await?;
                    }
                    None => new_rows.push(new_gias_srp(e.urn.get(), s, self.run_id)),
                }
            }
        }
        for chunk in new_rows.chunks(CHUNK) {
            srp::Entity::insert_many(chunk.to_vec()).exec(self.txn).await?;
        }
        // Provision GIAS stopped reporting stays on record, marked as such.
        let gone: Vec<i32> = existing.iter().map(|(id, _, _)| *id).filter(|id| !reported.contains(id)).collect();
        if !gone.is_empty() {
            srp::Entity::update_many()
                .col_expr(srp::Column::InGias, Expr::value(false))
                .col_expr(srp::Column::RunId, Expr::value(self.run_id))
                .filter(srp::Column::Id.is_in(gone))
                .filter(srp::Column::InGias.eq(true))
                .exec(self.txn)
                .await?;
        }
        Ok(())
    }

    async fn write_places(&self) -> Result<(), Error> {
        let las = self.las.iter().map(|(code, (name, gss))| local_authority::ActiveModel {
            code: Set(code.clone()),
            gss_code: Set(gss.clone()),
            name: Set(name.clone().unwrap_or_else(|| code.clone())),
            region_code: sea_orm::ActiveValue::NotSet,
        });
        if !self.las.is_empty() {
            local_authority::Entity::insert_many(las)
                .on_conflict(
                    OnConflict::column(local_authority::Column::Code)
                        .update_columns([local_authority::Column::Name, local_authority::Column::GssCode])
                        .to_owned(),
                )
                .exec(self.txn)
                .await?;
        }
        let district = |code: &String, name: &Option<String>, la: &Option<String>| district::ActiveModel {
            code: Set(code.clone()),
            name: Set(name.clone().unwrap_or_else(|| code.clone())),
            la_code: Set(la.clone()),
        };
        let (named, unnamed): (Vec<_>, Vec<_>) = self.districts.iter().partition(|(_, (name, _))| name.is_some());
        let named: Vec<_> = named.into_iter().map(|(c, (n, la))| district(c, n, la)).collect();
        for chunk in named.chunks(CHUNK) {
            district::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::column(district::Column::Code)
                        .update_columns([district::Column::Name, district::Column::LaCode])
                        .to_owned(),
                )
                .exec(self.txn)
                .await?;
        }
        // A code without a name never overwrites the name an earlier extract gave.
        let unnamed: Vec<_> = unnamed.into_iter().map(|(c, (n, la))| district(c, n, la)).collect();
        for chunk in unnamed.chunks(CHUNK) {
            district::Entity::insert_many(chunk.to_vec())
                .on_conflict_do_nothing_on([district::Column::Code])
                .exec(self.txn)
                .await?;
        }
        Ok(())
    }
}

const SCHOOL_UPDATE: [school::Column; 27] = [
    school::Column::Laestab,
    school::Column::Ukprn,
    school::Column::Name,
    school::Column::LaCode,
    school::Column::DistrictCode,
    school::Column::TypeOfEstablishment,
    school::Column::TypeGroup,
    school::Column::Status,
    school::Column::Phase,
    school::Column::IsSpecial,
    school::Column::AdmissionsPolicy,
    school::Column::StatutoryLowAge,
    school::Column::StatutoryHighAge,
    school::Column::OpenDate,
    school::Column::CloseDate,
    school::Column::SchoolCapacity,
    school::Column::NumberOfPupils,
    school::Column::Trust,
    school::Column::OfstedRating,
    school::Column::Postcode,
    school::Column::Easting,
    school::Column::Northing,
    school::Column::InLatestExtract,
    school::Column::RowHash,
    school::Column::SourceSha256,
    school::Column::SourceLine,
    school::Column::RunId,
];

fn school_model(e: &Establishment, line: u64, hash: &str, sha256: &str, run_id: i64) -> school::ActiveModel {
    school::ActiveModel {
        urn: Set(e.urn.get()),
        laestab: Set(e.laestab.as_ref().map(|l| l.as_str().to_owned())),
        ukprn: Set(e.ukprn.clone()),
        name: Set(e.name.clone()),
        la_code: Set(e.la.as_ref().map(|l| l.as_str().to_owned())),
        district_code: Set(e.district.as_ref().map(|d| d.as_str().to_owned())),
        type_of_establishment: Set(e.type_of_establishment.clone()),
        type_group: Set(e.type_group.clone()),
        status: Set(e.status.clone()),
        phase: Set(e.phase.clone()),
        is_special: Set(e.is_special()),
        admissions_policy: Set(e.admissions_policy.clone()),
        statutory_low_age: Set(e.statutory_low_age),
        statutory_high_age: Set(e.statutory_high_age),
        open_date: Set(e.open_date),
        close_date: Set(e.close_date),
        school_capacity: Set(e.school_capacity),
        number_of_pupils: Set(e.number_of_pupils),
        trust: Set(e.trust.clone()),
        ofsted_rating: Set(e.ofsted_rating.clone()),
        postcode: Set(e.postcode.clone()),
        easting: Set(e.easting),
        northing: Set(e.northing),
        in_latest_extract: Set(true),
        row_hash: Set(hash.to_owned()),
        source_sha256: Set(sha256.to_owned()),
        source_line: Set(line as i64),
        run_id: Set(run_id),
    }
}

fn new_gias_srp(host_urn: i32, s: &GiasSrp, run_id: i64) -> srp::ActiveModel {
    srp::ActiveModel {
        host_urn: Set(host_urn),
        kind: Set(s.kind.code().to_owned()),
        name: Set(None),
        need_type: Set(None),
        gias_capacity: Set(s.capacity),
        gias_on_roll: Set(s.on_roll),
        commissioned_places: Set(None),
        register_on_roll: Set(None),
        age_range: Set(None),
        provider: Set(None),
        sla_signed: Set(None),
        sla_date: Set(None),
        open_date: Set(None),
        close_date: Set(None),
        in_gias: Set(true),
        in_register: Set(false),
        run_id: Set(run_id),
        ..Default::default()
    }
}

async fn update_gias_srp(txn: &DatabaseTransaction, id: i32, s: &GiasSrp, run_id: i64) -> Result<(), Error> {
    srp::Entity::update_many()
        .col_expr(srp::Column::GiasCapacity, Expr::value(s.capacity))
        .col_expr(srp::Column::GiasOnRoll, Expr::value(s.on_roll))
        .col_expr(srp::Column::InGias, Expr::value(true))
        .col_expr(srp::Column::RunId, Expr::value(run_id))
        .filter(srp::Column::Id.eq(id))
        .exec(txn)
        .await?;
    Ok(())
}

/// A stable 64-bit FNV-1a hash of the record (std's hasher may change between Rust releases,
/// which would make every school look "updated" after an upgrade).
fn row_hash(e: &Establishment) -> String {
    crate::fnv_hex(&format!("{e:?}"))
}
