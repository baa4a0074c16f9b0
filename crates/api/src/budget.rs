//! The rows one request may produce, across every list in it: nested lists under a parent
//! (`District.schools` inside `School.district` inside …) multiply, and the complexity limit
//! cannot see how many rows a list without `first` returns. Every list charges what it returns.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::{Context, ErrorExtensions, Result};

/// Rows a request may return unless configured otherwise.
pub const DEFAULT_MAX_ROWS: usize = 50_000;

pub(crate) struct RowBudget {
    left: AtomicUsize,
    max: usize,
}

impl RowBudget {
    pub(crate) fn new(max: usize) -> Self {
        Self { left: AtomicUsize::new(max), max }
    }

    /// Takes `rows` from the budget, or fails the field when the request has used it up.
    pub(crate) fn charge(&self, rows: usize) -> Result<()> {
        let taken = self.left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(rows));
        taken.map(|_| ()).map_err(|_| {
            async_graphql::Error::new(format!(
                "this request returns more than {} rows; ask for fewer (use `first`) or split it",
                self.max
            ))
            .extend_with(|_, e| e.set("code", "ROW_BUDGET_EXCEEDED"))
        })
    }
}

/// Charges `rows` to the request's budget.
pub(crate) fn charge(ctx: &Context<'_>, rows: usize) -> Result<()> {
    ctx.data::<RowBudget>()?.charge(rows)
}

/// A list under a parent: at most `first` rows (capped at the page maximum), charged to the budget.
pub(crate) fn list<T>(ctx: &Context<'_>, mut rows: Vec<T>, first: Option<i32>) -> Result<Vec<T>> {
    if let Some(n) = first {
        let max = ctx.data::<crate::Limits>()?.page_max;
        if n < 0 || n as usize > max {
            return Err(crate::error::bad_input(format!("first must be between 0 and {max} (got {n})")));
        }
        rows.truncate(n as usize);
    }
    charge(ctx, rows.len())?;
    Ok(rows)
}
