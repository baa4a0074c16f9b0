//! `/metrics` in the Prometheus text format: import runs by job and status, rows by outcome, run
//! durations and the last success of each job, read from the run history at each scrape (so
//! every replica reports the same, whichever ran the import), and this replica's GraphQL
//! requests by operation (`http_metrics`).

use std::fmt::Write;
use std::sync::Arc;

use crate::http_metrics::HttpMetrics;

use poem::handler;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{IntoResponse, Response};
use sea_orm::DatabaseConnection;

/// A label value as the text format wants it: backslash, quote and newline escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

pub fn render(totals: &[store::runs::RunTotals]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# HELP inclusion_import_runs_total Import runs by job and how they ended.");
    let _ = writeln!(out, "# TYPE inclusion_import_runs_total counter");
    for t in totals {
        let _ = writeln!(
            out,
            "inclusion_import_runs_total{{job=\"{}\",status=\"{}\"}} {}",
            label(&t.job),
            label(&t.status),
            t.runs
        );
    }
    let _ = writeln!(out, "# HELP inclusion_import_rows_total Rows of import runs by outcome.");
    let _ = writeln!(out, "# TYPE inclusion_import_rows_total counter");
    let mut rows: std::collections::BTreeMap<(String, &str), i64> = Default::default();
    for t in totals {
        for (outcome, n) in [
            ("read", t.rows_read),
            ("inserted", t.rows_inserted),
            ("updated", t.rows_updated),
            ("unchanged", t.rows_unchanged),
            ("rejected", t.rows_rejected),
        ] {
            *rows.entry((t.job.clone(), outcome)).or_default() += n;
        }
    }
    for ((job, outcome), n) in &rows {
        let _ = writeln!(out, "inclusion_import_rows_total{{job=\"{}\",outcome=\"{outcome}\"}} {n}", label(job));
    }
    let _ = writeln!(out, "# HELP inclusion_import_run_duration_seconds Time from start to finish of finished runs.");
    let _ = writeln!(out, "# TYPE inclusion_import_run_duration_seconds summary");
    let mut durations: std::collections::BTreeMap<String, (f64, i64)> = Default::default();
    for t in totals {
        let d = durations.entry(t.job.clone()).or_default();
        d.0 += t.seconds;
        d.1 += t.finished;
    }
    for (job, (sum, count)) in &durations {
        let _ = writeln!(out, "inclusion_import_run_duration_seconds_sum{{job=\"{}\"}} {sum}", label(job));
        let _ = writeln!(out, "inclusion_import_run_duration_seconds_count{{job=\"{}\"}} {count}", label(job));
    }
    let _ = writeln!(out, "# HELP inclusion_import_last_success_timestamp_seconds When each job last committed.");
    let _ = writeln!(out, "# TYPE inclusion_import_last_success_timestamp_seconds gauge");
    let mut last: std::collections::BTreeMap<String, i64> = Default::default();
    for t in totals.iter().filter(|t| matches!(t.status.as_str(), "succeeded" | "succeeded_with_issues" | "unchanged"))
    {
        if let Some(at) = t.last_finished {
            let e = last.entry(t.job.clone()).or_insert(0);
            *e = (*e).max(at.timestamp());
        }
    }
    for (job, at) in &last {
        let _ = writeln!(out, "inclusion_import_last_success_timestamp_seconds{{job=\"{}\"}} {at}", label(job));
    }
    out
}

#[handler]
pub async fn metrics(Data(db): Data<&DatabaseConnection>, Data(http): Data<&Arc<HttpMetrics>>) -> Response {
    match store::runs::totals(db).await {
        Ok(totals) => {
            let mut text = render(&totals);
            http.render(&mut text);
            text.with_content_type("text/plain; version=0.0.4; charset=utf-8").into_response()
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the run history");
            StatusCode::SERVICE_UNAVAILABLE.into_response()
        }
    }
}
