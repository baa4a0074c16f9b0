#![doc = include_str!("../README.md")]

mod config;
mod ees;
mod error;
mod http;
mod retry;
pub mod unzip;

pub use config::ClientConfig;
pub use ees::{
    DEFAULT_BASE_URL, DataSet, DataSetMeta, EesApi, LatestVersion, MetaFilter, MetaIndicator, Page, Paging, Publication,
};
pub use error::Error;
pub use http::{Download, Expect, HttpClient, Validators};

/// Installs rustls's ring provider once per process (reqwest is built without a default one).
pub fn ensure_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
