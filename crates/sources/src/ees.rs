//! The Explore Education Statistics public data API v1 (`https://api.education.gov.uk/statistics`).

use std::path::Path;

use serde::Deserialize;

use crate::{Download, Error, Expect, HttpClient, Validators};

/// The real service; tests and mirrors pass their own.
pub const DEFAULT_BASE_URL: &str = "https://api.education.gov.uk/statistics";

/// A page of results, as every EES list endpoint returns them.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub results: Vec<T>,
    pub paging: Paging,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    pub page: u32,
    pub page_size: u32,
    pub total_results: u64,
    pub total_pages: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Publication {
    pub id: String,
    pub title: String,
    pub slug: String,
    pub summary: String,
    pub last_published: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSet {
    pub id: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    /// The data set that replaces this one, when DfE deprecated it.
    #[serde(default)]
    pub superseding_data_set_id: Option<String>,
    pub latest_version: Option<LatestVersion>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestVersion {
    pub version: String,
    pub published: String,
    pub total_results: u64,
}

/// What a data set's columns mean.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSetMeta {
    pub filters: Vec<MetaFilter>,
    pub indicators: Vec<MetaIndicator>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetaFilter {
    pub id: String,
    pub column: String,
    pub label: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetaIndicator {
    pub id: String,
    pub column: String,
    pub label: String,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub decimal_places: Option<u32>,
}

/// The EES API over one HTTP client.
#[derive(Debug, Clone)]
pub struct EesApi {
    http: HttpClient,
    base: String,
}

impl EesApi {
    pub fn new(http: HttpClient, base_url: &str) -> Self {
        Self { http, base: base_url.trim_end_matches('/').to_owned() }
    }

    fn url(&self, path: &str, params: &[(&str, String)]) -> Result<String, Error> {
        let raw = format!("{}{path}", self.base);
        let parsed =
            if params.is_empty() { reqwest::Url::parse(&raw) } else { reqwest::Url::parse_with_params(&raw, params) };
        let url = parsed.map_err(|e| Error::Decode { url: raw.clone(), message: e.to_string() })?;
        Ok(url.to_string())
    }

    pub async fn publications(&self, search: Option<&str>, page: u32) -> Result<Page<Publication>, Error> {
        let mut params = vec![("page", page.to_string()), ("pageSize", "40".to_owned())];
        if let Some(s) = search {
            params.push(("search", s.to_owned()));
        }
        self.http.get_json(&self.url("/v1/publications", &params)?).await
    }

    pub async fn data_sets(&self, publication_id: &str, page: u32) -> Result<Page<DataSet>, Error> {
        let params = [("page", page.to_string()), ("pageSize", "40".to_owned())];
        self.http.get_json(&self.url(&format!("/v1/publications/{publication_id}/data-sets"), &params)?).await
    }

    pub async fn data_set(&self, id: &str) -> Result<DataSet, Error> {
        self.http.get_json(&self.url(&format!("/v1/data-sets/{id}"), &[])?).await
    }

    pub async fn meta(&self, id: &str, version: Option<&str>) -> Result<DataSetMeta, Error> {
        let params: Vec<_> = version.map(|v| ("dataSetVersion", v.to_owned())).into_iter().collect();
        self.http.get_json(&self.url(&format!("/v1/data-sets/{id}/meta"), &params)?).await
    }

    /// The data set (latest version, or `version`) as CSV, into `dir` named by sha256.
    pub async fn csv(
        &self,
        id: &str,
        version: Option<&str>,
        dir: &Path,
        known: Option<&Validators>,
    ) -> Result<Download, Error> {
        self.http.download(&self.csv_url(id, version)?, dir, Expect::Csv, known).await
    }

    /// Where `csv` downloads from: the key under which its ETag is remembered.
    pub fn csv_url(&self, id: &str, version: Option<&str>) -> Result<String, Error> {
        let params: Vec<_> = version.map(|v| ("dataSetVersion", v.to_owned())).into_iter().collect();
        self.url(&format!("/v1/data-sets/{id}/csv"), &params)
    }
}
