//! Batch loaders: each turns the keys one GraphQL execution asks for into one SQL statement.
//! A fresh set is made for every request (`crate::prepare`), with a cache that lives as long as
//! the request: list resolvers fill it in one query per relation (see `query::schools`), and a
//! request never sees another request's, or an older import's, data.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{Context, Result};
use sea_orm::DatabaseConnection;
use store::entity::{
    designation, district, local_authority, locality_cluster, measure, observation, school, school_sen_provision, srp,
    training_enrolment,
};
use store::query::stats::ObservationFilter;
use store::query::{places, registers, schools, srps, stats};

type LoadError = Arc<store::Error>;

type Cached<T> = DataLoader<T, HashMapCache>;

/// Every loader of the schema, for one request.
pub(crate) struct Loaders {
    pub districts: Cached<DistrictLoader>,
    pub las: Cached<LaLoader>,
    pub schools: Cached<SchoolLoader>,
    pub srps: Cached<SrpsByHost>,
    pub sen: Cached<SenByUrn>,
    pub district_schools: Cached<SchoolsByDistrict>,
    pub measures: Cached<MeasureLoader>,
    pub observations: Cached<ObservationLoader>,
    pub designations: Cached<DesignationsByUrn>,
    pub training: Cached<TrainingByUrn>,
    pub school_cluster: Cached<ClusterOfSchool>,
    pub cluster_schools: Cached<SchoolsOfCluster>,
    pub predecessors: Cached<LinksOf>,
    pub sources: Cached<SourceOfRun>,
    pub history: Cached<HistoryOf>,
    pub successors: Cached<LinksOf>,
    /// Codes of the restricted measures, read once per request when a figure needs them.
    restricted: tokio::sync::OnceCell<std::collections::BTreeSet<String>>,
    db: DatabaseConnection,
}

/// The request's loaders; an error (not a panic) if the request was not `prepare`d.
pub(crate) fn loaders<'a>(ctx: &Context<'a>) -> Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        let spawn = |f| tokio::spawn(f);
        Self {
            districts: DataLoader::with_cache(DistrictLoader(db.clone()), spawn, HashMapCache::default()),
            las: DataLoader::with_cache(LaLoader(db.clone()), spawn, HashMapCache::default()),
            schools: DataLoader::with_cache(SchoolLoader(db.clone()), spawn, HashMapCache::default()),
            srps: DataLoader::with_cache(SrpsByHost(db.clone()), spawn, HashMapCache::default()),
            sen: DataLoader::with_cache(SenByUrn(db.clone()), spawn, HashMapCache::default()),
            district_schools: DataLoader::with_cache(SchoolsByDistrict(db.clone()), spawn, HashMapCache::default()),
            measures: DataLoader::with_cache(MeasureLoader(db.clone()), spawn, HashMapCache::default()),
            observations: DataLoader::with_cache(ObservationLoader(db.clone()), spawn, HashMapCache::default()),
            designations: DataLoader::with_cache(DesignationsByUrn(db.clone()), spawn, HashMapCache::default()),
            training: DataLoader::with_cache(TrainingByUrn(db.clone()), spawn, HashMapCache::default()),
            school_cluster: DataLoader::with_cache(ClusterOfSchool(db.clone()), spawn, HashMapCache::default()),
            cluster_schools: DataLoader::with_cache(SchoolsOfCluster(db.clone()), spawn, HashMapCache::default()),
            predecessors: DataLoader::with_cache(LinksOf(db.clone(), true), spawn, HashMapCache::default()),
            sources: DataLoader::with_cache(SourceOfRun(db.clone()), spawn, HashMapCache::default()),
            history: DataLoader::with_cache(HistoryOf(db.clone()), spawn, HashMapCache::default()),
            successors: DataLoader::with_cache(LinksOf(db.clone(), false), spawn, HashMapCache::default()),
            restricted: tokio::sync::OnceCell::new(),
            db,
        }
    }

    /// The measures whose figures are restricted.
    pub async fn restricted_measures(&self) -> Result<&std::collections::BTreeSet<String>, Arc<store::Error>> {
        self.restricted
            .get_or_try_init(|| async {
                let all = stats::measures(&self.db).await.map_err(Arc::new)?;
                Ok(all.into_iter().filter(|m| m.disclosure != "published").map(|m| m.code).collect())
            })
            .await
    }
}

/// The source of each import run's figures.
pub(crate) struct SourceOfRun(DatabaseConnection);

impl Loader<i64> for SourceOfRun {
    type Value = store::entity::observation_source::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = store::provenance::sources(&self.0, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (s.run_id, s)).collect())
    }
}

/// The values later imports replaced, per figure.
pub(crate) struct HistoryOf(DatabaseConnection);

impl Loader<store::provenance::FigureKey> for HistoryOf {
    type Value = Vec<store::entity::observation_history::Model>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[store::provenance::FigureKey],
    ) -> Result<HashMap<store::provenance::FigureKey, Self::Value>, Self::Error> {
        let rows = store::provenance::history(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |r| store::provenance::FigureKey::from(r)))
    }
}

/// A school's predecessors (`true`) or successors, from GIAS's links.
pub(crate) struct LinksOf(DatabaseConnection, bool);

impl Loader<i32> for LinksOf {
    type Value = Vec<store::links::Linked>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = store::links::linked(&self.0, keys, self.1).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |l| l.urn))
    }
}

pub(crate) struct DistrictLoader(DatabaseConnection);

impl Loader<String> for DistrictLoader {
    type Value = district::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = places::districts_by_codes(&self.0, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|d| (d.code.clone(), d)).collect())
    }
}

pub(crate) struct LaLoader(DatabaseConnection);

impl Loader<String> for LaLoader {
    type Value = local_authority::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = places::las_by_codes(&self.0, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|l| (l.code.clone(), l)).collect())
    }
}

pub(crate) struct SchoolLoader(DatabaseConnection);

impl Loader<i32> for SchoolLoader {
    type Value = school::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = schools::by_urns(&self.0, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (s.urn, s)).collect())
    }
}

pub(crate) struct SrpsByHost(DatabaseConnection);

impl Loader<i32> for SrpsByHost {
    type Value = Vec<srp::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = srps::by_hosts(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |s| s.host_urn))
    }
}

pub(crate) struct SenByUrn(DatabaseConnection);

impl Loader<i32> for SenByUrn {
    type Value = Vec<school_sen_provision::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = schools::sen_provision_by_urns(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |s| s.urn))
    }
}

pub(crate) struct SchoolsByDistrict(DatabaseConnection);

impl Loader<String> for SchoolsByDistrict {
    type Value = Vec<school::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = schools::by_districts(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |s| s.district_code.clone().unwrap_or_default()))
    }
}

pub(crate) struct MeasureLoader(DatabaseConnection);

impl Loader<String> for MeasureLoader {
    type Value = measure::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = stats::measures_by_codes(&self.0, keys).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|m| (m.code.clone(), m)).collect())
    }
}

/// Observations of one place under one filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ObsKey {
    pub level: String,
    pub code: String,
    pub filter: ObservationFilter,
}

pub(crate) struct ObservationLoader(DatabaseConnection);

impl Loader<ObsKey> for ObservationLoader {
    type Value = Vec<observation::Model>;
    type Error = LoadError;

    /// One query per (level, filter) among the keys: usually one for a whole page of places.
    async fn load(&self, keys: &[ObsKey]) -> Result<HashMap<ObsKey, Self::Value>, Self::Error> {
        let mut groups: HashMap<(&str, &ObservationFilter), Vec<String>> = HashMap::new();
        for k in keys {
            groups.entry((k.level.as_str(), &k.filter)).or_default().push(k.code.clone());
        }
        let mut out: HashMap<ObsKey, Self::Value> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for ((level, filter), codes) in groups {
            for row in stats::for_places(&self.0, level, &codes, filter).await.map_err(Arc::new)? {
                let key = ObsKey { level: level.to_owned(), code: row.geography_code.clone(), filter: filter.clone() };
                if let Some(v) = out.get_mut(&key) {
                    v.push(row);
                }
            }
        }
        Ok(out)
    }
}

pub(crate) struct DesignationsByUrn(DatabaseConnection);

impl Loader<i32> for DesignationsByUrn {
    type Value = Vec<designation::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = registers::designations_by_urns(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |d| d.urn))
    }
}

pub(crate) struct TrainingByUrn(DatabaseConnection);

impl Loader<i32> for TrainingByUrn {
    type Value = Vec<training_enrolment::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = registers::training_by_urns(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(keys, rows, |t| t.urn))
    }
}

/// The cluster a school currently belongs to.
pub(crate) struct ClusterOfSchool(DatabaseConnection);

impl Loader<i32> for ClusterOfSchool {
    type Value = locality_cluster::Model;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let members = registers::open_memberships(&self.0, None, Some(keys)).await.map_err(Arc::new)?;
        let ids: Vec<i32> = members.iter().map(|m| m.cluster_id).collect();
        let clusters: HashMap<i32, locality_cluster::Model> =
            registers::clusters_by_ids(&self.0, &ids).await.map_err(Arc::new)?.into_iter().map(|c| (c.id, c)).collect();
        Ok(members.into_iter().filter_map(|m| clusters.get(&m.cluster_id).map(|c| (m.urn, c.clone()))).collect())
    }
}

/// A cluster's current member schools, by name.
pub(crate) struct SchoolsOfCluster(DatabaseConnection);

impl Loader<i32> for SchoolsOfCluster {
    type Value = Vec<school::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let members = registers::open_memberships(&self.0, Some(keys), None).await.map_err(Arc::new)?;
        let urns: Vec<i32> = members.iter().map(|m| m.urn).collect();
        let mut schools = schools::by_urns(&self.0, &urns).await.map_err(Arc::new)?;
        schools.sort_by(|a, b| a.name.cmp(&b.name).then(a.urn.cmp(&b.urn)));
        let cluster_of: HashMap<i32, i32> = members.iter().map(|m| (m.urn, m.cluster_id)).collect();
        Ok(group(keys, schools, |s| cluster_of.get(&s.urn).copied().unwrap_or_default()))
    }
}

/// Groups rows by key, keeping their order. Every key asked for gets an entry, empty when it has
/// no rows, so the cache remembers "none" and nothing is asked twice.
fn group<K: std::hash::Hash + Eq + Clone, V>(keys: &[K], rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}
