//! Batch loaders: each turns the keys one GraphQL execution asks for into one SQL statement.
//! They keep no cache, so a request never sees another request's (or an older import's) data.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::DatabaseConnection;
use store::entity::{district, local_authority, school, school_sen_provision, srp};
use store::query::{places, schools, srps};

type LoadError = Arc<store::Error>;

/// Every loader of the schema, shared by all requests.
pub(crate) struct Loaders {
    pub districts: DataLoader<DistrictLoader>,
    pub las: DataLoader<LaLoader>,
    pub schools: DataLoader<SchoolLoader>,
    pub srps: DataLoader<SrpsByHost>,
    pub sen: DataLoader<SenByUrn>,
    pub district_schools: DataLoader<SchoolsByDistrict>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection) -> Self {
        let spawn = |f| tokio::spawn(f);
        Self {
            districts: DataLoader::new(DistrictLoader(db.clone()), spawn),
            las: DataLoader::new(LaLoader(db.clone()), spawn),
            schools: DataLoader::new(SchoolLoader(db.clone()), spawn),
            srps: DataLoader::new(SrpsByHost(db.clone()), spawn),
            sen: DataLoader::new(SenByUrn(db.clone()), spawn),
            district_schools: DataLoader::new(SchoolsByDistrict(db), spawn),
        }
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
        Ok(group(rows, |s| s.host_urn))
    }
}

pub(crate) struct SenByUrn(DatabaseConnection);

impl Loader<i32> for SenByUrn {
    type Value = Vec<school_sen_provision::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[i32]) -> Result<HashMap<i32, Self::Value>, Self::Error> {
        let rows = schools::sen_provision_by_urns(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(rows, |s| s.urn))
    }
}

pub(crate) struct SchoolsByDistrict(DatabaseConnection);

impl Loader<String> for SchoolsByDistrict {
    type Value = Vec<school::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[String]) -> Result<HashMap<String, Self::Value>, Self::Error> {
        let rows = schools::by_districts(&self.0, keys).await.map_err(Arc::new)?;
        Ok(group(rows, |s| s.district_code.clone().unwrap_or_default()))
    }
}

/// Groups rows by key, keeping their order.
fn group<K: std::hash::Hash + Eq, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut map: HashMap<K, Vec<V>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}
