//! `POST /graphql` as the GraphQL-over-HTTP spec asks: `application/json` bodies only (a
//! `text/plain` or untyped POST, which any web page can send to an intranet server, is refused),
//! `application/graphql-response+json` answers when the client accepts it (request errors then
//! get 400 and no `data`), a body-size cap, a time limit, and a request id on every response and
//! every logged cause.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use poem::http::{HeaderMap, StatusCode, header};
use poem::web::Data;
use poem::{Body, Response, handler};
use serde_json::{Value, json};
use tracing::Instrument;

/// Limits on one HTTP request.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    pub max_body_bytes: usize,
    /// From the first byte of the body to the last byte of the answer.
    pub timeout: Duration,
    /// GraphQL requests executed at once; more wait their turn (within `timeout`), so a flood
    /// of heavy queries cannot take every database connection from `/healthz` and the others.
    pub max_concurrent: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self { max_body_bytes: 1024 * 1024, timeout: Duration::from_secs(30), max_concurrent: 8 }
    }
}

/// What the client takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// `application/graphql-response+json`: the status says whether the request ran.
    GraphqlResponse,
    /// `application/json`: 200 for every GraphQL response (the spec's legacy mode).
    Json,
}

impl Answer {
    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// From `Accept`: the media type listed first among those we speak; none listed means JSON.
fn negotiate(headers: &HeaderMap) -> Option<Answer> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else { return Some(Answer::Json) };
    if accept.trim().is_empty() {
        return Some(Answer::Json);
    }
    for part in accept.split(',') {
        let mut params = part.split(';');
        let media = params.next().unwrap_or("").trim().to_ascii_lowercase();
        // `q=0` says "not this one".
        let refused = params.any(|p| {
            p.split_once('=').is_some_and(|(k, v)| k.trim() == "q" && v.trim().parse::<f32>().is_ok_and(|q| q <= 0.0))
        });
        if refused {
            continue;
        }
        match media.as_str() {
            "application/graphql-response+json" => return Some(Answer::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => return Some(Answer::Json),
            _ => {}
        }
    }
    None
}

/// `Content-Type` must be JSON in UTF-8 (a charset other than UTF-8 is refused, none assumed).
fn json_body(headers: &HeaderMap) -> Result<(), &'static str> {
    let Some(ct) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return Err("send the query as JSON with `Content-Type: application/json`");
    };
    let mut parts = ct.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    if media != "application/json" {
        return Err("only `Content-Type: application/json` is accepted (a form or text/plain POST is refused)");
    }
    for p in parts {
        if let Some((k, v)) = p.split_once('=')
            && k.trim().eq_ignore_ascii_case("charset")
            && !v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err("the body must be UTF-8");
        }
    }
    Ok(())
}

fn request_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut salt = [0u8; 4];
    let _ = getrandom::fill(&mut salt);
    format!("{}-{}", hex::encode(salt), NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A response with one error and no data.
fn refusal(status: StatusCode, answer: Answer, code: &str, message: &str, id: &str) -> Response {
    let body = json!({"errors": [{"message": message, "extensions": {"code": code, "requestId": id}}]});
    Response::builder()
        .status(status)
        .content_type(answer.content_type())
        .header("x-request-id", id)
        .body(body.to_string())
}

/// Whether a response is a request error (parse, validation, variables, our shape checks): no
/// error has a path, nothing ran, and none is the server's own fault.
fn is_request_error(body: &Value) -> bool {
    body.get("data").is_none_or(Value::is_null)
        && body["errors"].as_array().is_some_and(|errs| {
            !errs.is_empty() && errs.iter().all(|e| e.get("path").is_none() && e["extensions"]["code"] != "INTERNAL")
        })
}

/// Whether the response is an internal failure that ran nothing (the access log could not be
/// written, say): 500, whatever the client accepts.
fn is_internal_failure(body: &Value) -> bool {
    body.get("data").is_none_or(Value::is_null)
        && body["errors"]
            .as_array()
            .is_some_and(|errs| errs.iter().any(|e| e["extensions"]["code"] == "INTERNAL" && e.get("path").is_none()))
}

/// Everything the handler needs, shared by the routes.
pub struct GraphqlEndpoint {
    pub api: api::Api,
    pub auth: Arc<api::auth::Authenticator>,
    pub limits: HttpLimits,
    pub in_flight: tokio::sync::Semaphore,
    pub metrics: Arc<crate::http_metrics::HttpMetrics>,
}

#[handler]
pub async fn post(Data(ep): Data<&Arc<GraphqlEndpoint>>, headers: &HeaderMap, body: Body) -> Response {
    let id = request_id();
    let span = tracing::info_span!("graphql", request_id = %id);
    let started = std::time::Instant::now();
    let operation = std::sync::OnceLock::new();
    let response =
        match tokio::time::timeout(ep.limits.timeout, run(ep, headers, body, &id, &operation).instrument(span)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(request_id = %id, timeout = ?ep.limits.timeout, "request timed out");
                let answer = negotiate(headers).unwrap_or(Answer::Json);
                let message =
                    format!("the request took longer than {} s and was stopped", ep.limits.timeout.as_secs_f64());
                refusal(StatusCode::SERVICE_UNAVAILABLE, answer, "TIMEOUT", &message, &id)
            }
        };
    // Requests refused before their body was read count as `unparsed`.
    let label = operation.get().map(String::as_str).unwrap_or("unparsed");
    ep.metrics.record(label, response.status().as_u16(), started.elapsed());
    response
}

async fn run(
    ep: &GraphqlEndpoint,
    headers: &HeaderMap,
    body: Body,
    id: &str,
    operation: &std::sync::OnceLock<String>,
) -> Response {
    let Some(answer) = negotiate(headers) else {
        let message = "answers are application/graphql-response+json or application/json";
        return refusal(StatusCode::NOT_ACCEPTABLE, Answer::Json, "NOT_ACCEPTABLE", message, id);
    };
    if let Err(why) = json_body(headers) {
        return refusal(StatusCode::UNSUPPORTED_MEDIA_TYPE, answer, "UNSUPPORTED_MEDIA_TYPE", why, id);
    }
    let too_large = || {
        let message = format!("the request body is larger than {} bytes", ep.limits.max_body_bytes);
        refusal(StatusCode::PAYLOAD_TOO_LARGE, answer, "PAYLOAD_TOO_LARGE", &message, id)
    };
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > ep.limits.max_body_bytes as u64) {
        return too_large();
    }
    let bytes = match body.into_bytes_limit(ep.limits.max_body_bytes).await {
        Ok(b) => b,
        Err(poem::error::ReadBodyError::PayloadTooLarge) => return too_large(),
        Err(e) => {
            return refusal(StatusCode::BAD_REQUEST, answer, "BAD_REQUEST", &format!("cannot read the body: {e}"), id);
        }
    };
    // A turn before any database work: token lookups count too, so a flood of random tokens
    // cannot take the connections `/healthz` needs.
    let Ok(_turn) = ep.in_flight.acquire().await else {
        return refusal(StatusCode::SERVICE_UNAVAILABLE, answer, "SHUTTING_DOWN", "the server is stopping", id);
    };
    // The header first, so an unauthenticated caller learns nothing about its body.
    let mut auth_headers = headers.get_all(header::AUTHORIZATION).iter();
    let auth_header = auth_headers.next().map(|v| v.as_bytes());
    let viewer = if auth_headers.next().is_some() {
        Err(api::auth::AuthError::Unauthenticated("send one Authorization header"))
    } else {
        ep.auth.resolve(auth_header, chrono::Utc::now()).await
    };
    let viewer = match viewer {
        Ok(v) => v,
        Err(api::auth::AuthError::Unauthenticated(why)) => {
            let mut r = refusal(StatusCode::UNAUTHORIZED, answer, "UNAUTHENTICATED", why, id);
            r.headers_mut()
                .insert(header::WWW_AUTHENTICATE, poem::http::HeaderValue::from_static("Bearer realm=\"inclusion\""));
            return r;
        }
        Err(api::auth::AuthError::Store(e)) => {
            tracing::error!(request_id = %id, error = %e, "cannot check the token");
            return refusal(StatusCode::INTERNAL_SERVER_ERROR, answer, "INTERNAL", "internal error", id);
        }
    };
    let request: async_graphql::Request = match parse_request(&bytes) {
        Ok(r) => r,
        Err(why) => return refusal(StatusCode::BAD_REQUEST, answer, "BAD_REQUEST", &why, id),
    };
    let named = request.operation_name.as_deref().or_else(|| crate::http_metrics::named_in_document(&request.query));
    let _ = operation.set(crate::http_metrics::operation_label(named));
    let response = ep.api.execute(request, viewer).await;
    let mut body =
        serde_json::to_value(&response).unwrap_or_else(|_| json!({"errors": [{"message": "internal error"}]}));
    // Internal errors carry the request id, so an officer's report finds the logged cause.
    if let Some(errors) = body.get_mut("errors").and_then(Value::as_array_mut) {
        for e in errors.iter_mut().filter(|e| e["extensions"]["code"] == "INTERNAL") {
            e["extensions"]["requestId"] = json!(id);
        }
    }
    let status = if is_internal_failure(&body) {
        StatusCode::INTERNAL_SERVER_ERROR
    } else if is_request_error(&body) && answer == Answer::GraphqlResponse {
        if let Some(map) = body.as_object_mut() {
            map.remove("data");
        }
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Response::builder()
        .status(status)
        .content_type(answer.content_type())
        .header("x-request-id", id)
        .body(body.to_string())
}

/// The JSON body: `query` a string, `variables` and `extensions` maps or null, `operationName` a
/// string or null; anything else is a 400 that says which.
fn parse_request(bytes: &[u8]) -> Result<async_graphql::Request, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Value::Object(map) = &value else { return Err("the body must be a JSON object with a `query`".into()) };
    match map.get("query") {
        Some(Value::String(_)) => {}
        Some(_) => return Err("`query` must be a string".into()),
        None => return Err("the body has no `query`".into()),
    }
    for key in ["variables", "extensions"] {
        if !matches!(map.get(key), None | Some(Value::Null | Value::Object(_))) {
            return Err(format!("`{key}` must be an object or null"));
        }
    }
    if !matches!(map.get("operationName"), None | Some(Value::Null | Value::String(_))) {
        return Err("`operationName` must be a string or null".into());
    }
    serde_json::from_value(value).map_err(|e| format!("the body is not a GraphQL request: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, poem::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn accept_is_negotiated() {
        assert_eq!(negotiate(&headers(&[])), Some(Answer::Json));
        assert_eq!(negotiate(&headers(&[("accept", "*/*")])), Some(Answer::Json));
        assert_eq!(
            negotiate(&headers(&[("accept", "application/graphql-response+json, application/json;q=0.9")])),
            Some(Answer::GraphqlResponse)
        );
        assert_eq!(negotiate(&headers(&[("accept", "application/json")])), Some(Answer::Json));
        assert_eq!(negotiate(&headers(&[("accept", "text/html")])), None);
        assert_eq!(
            negotiate(&headers(&[("accept", "application/graphql-response+json;q=0, application/json")])),
            Some(Answer::Json)
        );
    }

    #[test]
    fn only_json_bodies_are_read() {
        assert!(json_body(&headers(&[("content-type", "application/json")])).is_ok());
        assert!(json_body(&headers(&[("content-type", "Application/JSON; charset=UTF-8")])).is_ok());
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json; charset=latin1",
        ] {
            assert!(json_body(&headers(&[("content-type", bad)])).is_err(), "{bad}");
        }
        assert!(json_body(&headers(&[])).is_err());
    }

    #[test]
    fn request_bodies_are_checked_field_by_field() {
        assert!(parse_request(br#"{"query": "{ me { role } }", "variables": null, "operationName": null}"#).is_ok());
        assert_eq!(parse_request(b"{").unwrap_err().split(':').next(), Some("the body is not valid JSON"));
        assert_eq!(parse_request(br#"{"query": 1}"#).unwrap_err(), "`query` must be a string");
        assert_eq!(
            parse_request(br#"{"query": "{a}", "variables": "x"}"#).unwrap_err(),
            "`variables` must be an object or null"
        );
        assert_eq!(
            parse_request(br#"[{"query": "{a}"}]"#).unwrap_err(),
            "the body must be a JSON object with a `query`"
        );
        assert_eq!(parse_request(br#"{"variables": {}}"#).unwrap_err(), "the body has no `query`");
    }
}
