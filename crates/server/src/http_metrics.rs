//! GraphQL requests by operation, for `/metrics`: a count by operation and HTTP status, and a
//! latency histogram by operation, kept in this replica (Prometheus scrapes each). The operation
//! label is the request's `operationName` when it is a GraphQL name; a client cannot grow the
//! label set without bound: past [`MAX_OPERATIONS`] names, the rest count as `other`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Distinct operation names tracked; more are counted as `other`.
pub const MAX_OPERATIONS: usize = 64;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Latency {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Latency>,
}

#[derive(Default)]
pub struct HttpMetrics {
    inner: Mutex<Inner>,
}

/// The label for an `operationName`: the name if it is a GraphQL name of at most 64 characters,
/// `anonymous` when none was given, `invalid` otherwise.
pub fn operation_label(name: Option<&str>) -> String {
    match name {
        None | Some("") => "anonymous".to_owned(),
        Some(n)
            if n.len() <= 64
                && n.bytes().next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
        {
            n.to_owned()
        }
        Some(_) => "invalid".to_owned(),
    }
}

/// The operation's name as the document gives it (`query SchoolProfile { … }`), for requests
/// that send no `operationName`: a look at the first words, not a parse.
pub fn named_in_document(query: &str) -> Option<&str> {
    let rest = query.trim_start_matches(|c: char| c.is_whitespace() || c == ',' || c == '\u{feff}');
    let rest = ["query", "mutation", "subscription"].iter().find_map(|k| rest.strip_prefix(k))?;
    if !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let rest = rest.trim_start();
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
    (end > 0).then(|| &rest[..end])
}

impl HttpMetrics {
    /// Counts one request.
    pub fn record(&self, operation: &str, status: u16, took: Duration) {
        let Ok(mut inner) = self.inner.lock() else { return };
        let known = inner.latency.contains_key(operation);
        let operation = if known || inner.latency.len() < MAX_OPERATIONS { operation } else { "other" };
        *inner.requests.entry((operation.to_owned(), status)).or_default() += 1;
        let l = inner.latency.entry(operation.to_owned()).or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                l.buckets[i] += 1;
            }
        }
        l.count += 1;
        l.sum += secs;
    }

    /// The Prometheus text for these metrics.
    pub fn render(&self, out: &mut String) {
        let Ok(inner) = self.inner.lock() else { return };
        let _ = writeln!(out, "# HELP inclusion_http_requests_total GraphQL requests by operation and HTTP status.");
        let _ = writeln!(out, "# TYPE inclusion_http_requests_total counter");
        for ((op, status), n) in &inner.requests {
            let _ = writeln!(out, "inclusion_http_requests_total{{operation=\"{op}\",status=\"{status}\"}} {n}");
        }
        let _ = writeln!(out, "# HELP inclusion_http_request_duration_seconds GraphQL request latency by operation.");
        let _ = writeln!(out, "# TYPE inclusion_http_request_duration_seconds histogram");
        for (op, l) in &inner.latency {
            for (bound, n) in BUCKETS.iter().zip(l.buckets) {
                let _ = writeln!(
                    out,
                    "inclusion_http_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "inclusion_http_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                l.count
            );
            let _ = writeln!(out, "inclusion_http_request_duration_seconds_sum{{operation=\"{op}\"}} {}", l.sum);
            let _ = writeln!(out, "inclusion_http_request_duration_seconds_count{{operation=\"{op}\"}} {}", l.count);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_labels_only_when_they_are_names() {
        assert_eq!(operation_label(Some("SchoolProfile")), "SchoolProfile");
        assert_eq!(operation_label(None), "anonymous");
        for bad in ["a\"} 1\nevil{x=\"", "1abc", &"a".repeat(65), "dash-ed"] {
            assert_eq!(operation_label(Some(bad)), "invalid", "{bad}");
        }
    }

    #[test]
    fn a_document_names_its_operation() {
        assert_eq!(named_in_document("  query SchoolProfile($urn: Int!) { a }"), Some("SchoolProfile"));
        assert_eq!(named_in_document("mutation Run{ a }"), Some("Run"));
        assert_eq!(named_in_document("{ a }"), None);
        assert_eq!(named_in_document("query { a }"), None);
        assert_eq!(named_in_document("queryX { a }"), None);
    }

    #[test]
    fn a_flood_of_names_is_counted_as_other() {
        let m = HttpMetrics::default();
        for i in 0..1000 {
            m.record(&format!("op{i}"), 200, Duration::from_millis(3));
        }
        let mut out = String::new();
        m.render(&mut out);
        let names = out.lines().filter(|l| l.starts_with("inclusion_http_requests_total{")).count();
        assert_eq!(names, MAX_OPERATIONS + 1, "64 names and `other`");
        assert!(out.contains("inclusion_http_requests_total{operation=\"other\",status=\"200\"} 936"), "{out}");
        assert!(out.contains("inclusion_http_request_duration_seconds_bucket{operation=\"op0\",le=\"0.005\"} 1"));
    }
}
