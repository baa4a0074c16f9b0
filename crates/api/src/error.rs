//! Which error goes where: a store failure is logged once here with its cause and reaches the
//! client as a fixed "internal error" (`extensions.code = INTERNAL`); a bad argument reaches the
//! client as it is (`BAD_USER_INPUT`); a figure the viewer may not read is `FORBIDDEN` on its
//! field; a bad or missing token is refused before execution with HTTP 401 (`UNAUTHENTICATED`,
//! [`unauthenticated_response`]).

use async_graphql::{Error, ErrorExtensions};

pub(crate) fn internal(err: impl std::fmt::Display) -> Error {
    tracing::error!(error = %err, "GraphQL resolver failed");
    Error::new("internal error").extend_with(|_, e| e.set("code", "INTERNAL"))
}

pub(crate) fn bad_input(message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"))
}

/// A field the viewer may not read (`extensions.code = FORBIDDEN`), on that field alone.
pub(crate) fn forbidden(message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", "FORBIDDEN"))
}

/// The body of a 401: a GraphQL response with no data and one `UNAUTHENTICATED` error.
pub fn unauthenticated_response(message: &str) -> async_graphql::Response {
    let err = async_graphql::ServerError::new(message, None);
    let mut err = err;
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "UNAUTHENTICATED");
    err.extensions = Some(ext);
    async_graphql::Response::from_errors(vec![err])
}

/// The body of a request that failed before execution for a reason the client cannot mend
/// (the database is down): the cause is logged, the client gets a fixed message.
pub fn internal_response(cause: &dyn std::fmt::Display) -> async_graphql::Response {
    tracing::error!(error = %cause, "request failed before execution");
    let mut err = async_graphql::ServerError::new("internal error", None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "INTERNAL");
    err.extensions = Some(ext);
    async_graphql::Response::from_errors(vec![err])
}

/// The server cannot do it now (no job queue, the queue refused): `UNAVAILABLE`.
pub(crate) fn unavailable(message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, e| e.set("code", "UNAVAILABLE"))
}
