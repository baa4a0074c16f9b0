//! Client settings, with defaults fit for DfE's services.

use std::time::Duration;

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub connect_timeout: Duration,
    /// Longest wait for the next bytes of a response.
    pub read_timeout: Duration,
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// First retry delay; doubles each time, with jitter, up to `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    /// Largest body accepted; a bigger one fails without being kept.
    pub max_bytes: u64,
    pub user_agent: String,
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            max_attempts: 5,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            max_bytes: 2 * 1024 * 1024 * 1024,
            user_agent: concat!("inclusion/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}
