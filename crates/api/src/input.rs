//! Bounds on text arguments: a filter string is matched literally and is never longer than a
//! name could be, so a 1 MB argument is a bad-input error, not a database error.

use async_graphql::Result;

use crate::error::bad_input;

/// Characters a text argument may have.
pub(crate) const MAX_TEXT: usize = 200;
/// Values a list argument may have.
pub(crate) const MAX_LIST: usize = 100;

pub(crate) fn text(arg: &str, value: &str) -> Result<()> {
    let n = value.chars().count();
    if n > MAX_TEXT {
        return Err(bad_input(format!("{arg} is {n} characters long; at most {MAX_TEXT} are allowed")));
    }
    Ok(())
}

pub(crate) fn opt(arg: &str, value: Option<&String>) -> Result<()> {
    value.map_or(Ok(()), |v| text(arg, v))
}

pub(crate) fn list(arg: &str, values: Option<&Vec<String>>) -> Result<()> {
    let Some(values) = values else { return Ok(()) };
    if values.len() > MAX_LIST {
        return Err(bad_input(format!("{arg} has {} values; at most {MAX_LIST} are allowed", values.len())));
    }
    values.iter().try_for_each(|v| text(arg, v))
}
