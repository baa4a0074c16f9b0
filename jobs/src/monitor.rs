//! What operators are told without asking: every worker looks, now and then, for runs that
//! failed or rejected rows and for sources gone stale, and posts each to the alert webhook (a
//! Teams or Slack incoming webhook) and the log, once per incident: the incident is claimed in
//! `alert_sent` first, so however many workers look, one sends it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tracing::{info, warn};

use crate::schedule::Schedule;

/// How far back a worker looks for runs to alert on (a worker started after a day's outage does
/// not replay older incidents).
pub const LOOK_BACK: chrono::Duration = chrono::Duration::hours(24);

/// Where alerts are posted. The URL carries the webhook's secret: it is never logged.
#[derive(Clone)]
pub struct Webhook {
    url: reqwest::Url,
    client: reqwest::Client,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({})", self.url.host_str().unwrap_or("?"))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error("INCLUSION_ALERT_WEBHOOK: not an http(s) URL")]
    BadUrl,
    #[error("alert webhook: {0}")]
    Client(String),
}

impl Webhook {
    pub fn new(url: &str) -> Result<Self, MonitorError> {
        let url = reqwest::Url::parse(url.trim()).map_err(|_| MonitorError::BadUrl)?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err(MonitorError::BadUrl);
        }
        sources::ensure_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            // A webhook that redirects is not followed: the message goes where it was configured.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| MonitorError::Client(e.to_string()))?;
        Ok(Self { url, client })
    }

    /// The host alone, for logs.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or("?")
    }

    async fn post(&self, body: &serde_json::Value) -> Result<(), String> {
        let r = self.client.post(self.url.clone()).json(body).send().await.map_err(|e| e.without_url().to_string())?;
        if r.status().is_success() { Ok(()) } else { Err(format!("HTTP {}", r.status().as_u16())) }
    }
}

/// The monitor's settings.
#[derive(Debug, Clone)]
pub struct Monitor {
    pub webhook: Option<Webhook>,
    pub schedules: Vec<Schedule>,
    pub worker: String,
    pub every: Duration,
}

/// One incident to tell.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// `run_failed`, `rows_rejected` or `source_stale`.
    pub kind: &'static str,
    /// The job or schedule it is about.
    pub subject: String,
    /// What makes it one incident: the run's id, or the time the source went stale.
    pub incident: String,
    pub text: String,
    pub run: Option<i64>,
}

impl Alert {
    /// The JSON posted: `text` is what Teams and Slack incoming webhooks show; the rest is for
    /// receivers that read fields.
    pub fn body(&self) -> serde_json::Value {
        json!({
            "text": self.text,
            "kind": self.kind,
            "subject": self.subject,
            "incident": self.incident,
            "run": self.run,
            "source": "inclusion",
        })
    }
}

/// The incidents at `now`: troubled runs of the last day, and stale sources.
async fn incidents(db: &DatabaseConnection, m: &Monitor, now: DateTime<Utc>) -> Result<Vec<Alert>, store::Error> {
    let mut out = Vec::new();
    for r in store::alerts::troubled_runs(db, now - LOOK_BACK, 100).await? {
        let what = r.source_name.clone().unwrap_or_else(|| r.job.clone());
        let (kind, text) = if r.status == "failed" {
            let attempt = r.attempt.map(|a| format!(" (attempt {a})")).unwrap_or_default();
            let why = r.error_summary.clone().unwrap_or_else(|| "no reason recorded".into());
            ("run_failed", format!("inclusion: run {} of {} failed{attempt}: {what}: {why}", r.id, r.job))
        } else {
            (
                "rows_rejected",
                format!(
                    "inclusion: run {} of {} rejected {} rows of {what} (`inclusion jobs show {}` lists them)",
                    r.id, r.job, r.rows_rejected, r.id
                ),
            )
        };
        out.push(Alert { kind, subject: r.job.clone(), incident: r.id.to_string(), text, run: Some(r.id) });
    }
    let expected: Vec<(String, chrono::Duration)> =
        m.schedules.iter().filter(|s| s.enabled).map(|s| (s.name.clone(), s.expected_every(now))).collect();
    if !expected.is_empty() {
        for s in store::freshness::sources(db, &expected, now).await?.into_iter().filter(|s| s.stale) {
            let Some(from) = s.stale_from else { continue };
            let last = s.last_success.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into());
            out.push(Alert {
                kind: "source_stale",
                subject: s.name.clone(),
                incident: from.to_rfc3339(),
                text: format!(
                    "inclusion: source {} is stale: last success {last}, expected every {} hours",
                    s.name,
                    s.expected_every.num_minutes() as f64 / 60.0
                ),
                run: None,
            });
        }
    }
    Ok(out)
}

/// One look: claims each new incident, logs it and posts it. Returns the alerts this worker sent
/// (or, with no webhook, logged).
pub async fn sweep(db: &DatabaseConnection, m: &Monitor, now: DateTime<Utc>) -> Result<Vec<Alert>, store::Error> {
    let mut sent = Vec::new();
    for a in incidents(db, m, now).await? {
        if !store::alerts::claim(db, a.kind, &a.subject, &a.incident, &m.worker, Utc::now()).await? {
            continue; // told already, here or by another worker
        }
        warn!(alert = a.kind, subject = %a.subject, run = ?a.run, "{}", a.text);
        if let Some(hook) = &m.webhook {
            if let Err(e) = hook.post(&a.body()).await {
                // Given back: the next look tries again (an alert is sent once, not lost).
                warn!(alert = a.kind, webhook = hook.host(), error = %e, "alert not delivered; trying again later");
                store::alerts::unclaim(db, a.kind, &a.subject, &a.incident).await?;
                continue;
            }
            info!(alert = a.kind, webhook = hook.host(), "alert posted");
        }
        sent.push(a);
    }
    Ok(sent)
}

/// Looks every `m.every` until `stop` is set.
pub async fn run(db: DatabaseConnection, m: Monitor, stop: tokio::sync::watch::Receiver<bool>) {
    let mut every = tokio::time::interval(m.every);
    while !*stop.borrow() {
        every.tick().await;
        if let Err(e) = sweep(&db, &m, Utc::now()).await {
            warn!(error = %e, "monitor: cannot read the run history");
        }
    }
}
