//! Writes the access log entry of a request that showed restricted data, after it has run. If
//! the entry cannot be written the response is withheld: an unlogged restricted read must not
//! happen.

use async_graphql::Response;
use sea_orm::DatabaseConnection;

use crate::disclosure::Gate;
use crate::error::internal_response;

/// The operation's name: the request's `operationName`, else the first named operation.
fn operation_name(query: &str, given: Option<&str>) -> Option<String> {
    if let Some(g) = given {
        return Some(g.to_owned());
    }
    let doc = async_graphql::parser::parse_query(query).ok()?;
    match doc.operations {
        async_graphql::parser::types::DocumentOperations::Single(_) => None,
        async_graphql::parser::types::DocumentOperations::Multiple(ops) => ops.keys().next().map(|n| n.to_string()),
    }
}

pub(crate) async fn log_access(
    db: &DatabaseConnection,
    gate: &Gate,
    query: &str,
    operation: Option<&str>,
    response: Response,
) -> Response {
    let Some(entry) = gate.access_entry(operation_name(query, operation)) else { return response };
    match store::audit::record(db, entry, chrono::Utc::now()).await {
        Ok(()) => response,
        Err(e) => internal_response(&format_args!("cannot write the access log: {e}")),
    }
}
