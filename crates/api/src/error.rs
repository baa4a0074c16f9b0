//! Which error goes where: a store failure is logged once here with its cause and reaches the
//! client as a fixed "internal error" (`extensions.code = INTERNAL`); a bad argument reaches the
//! client as it is (`BAD_USER_INPUT`).

use async_graphql::{Error, ErrorExtensions};

pub(crate) fn internal(err: impl std::fmt::Display) -> Error {
    tracing::error!(error = %err, "GraphQL resolver failed");
    Error::new("internal error").extend_with(|_, e| e.set("code", "INTERNAL"))
}

pub(crate) fn bad_input(message: impl Into<String>) -> Error {
    Error::new(message).extend_with(|_, e| e.set("code", "BAD_USER_INPUT"))
}
