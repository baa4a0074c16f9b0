#![doc = include_str!("../README.md")]

mod archive;
mod error;
mod failure;
mod fetched;
pub mod import_ees;
pub mod import_gias;
pub mod import_la_regions;
pub mod import_links;
pub mod import_neighbours;
pub mod import_population;
pub mod import_register;
pub mod job;
pub mod monitor;
mod progress;
pub mod queue;
mod recorded;
pub mod rerun;
pub mod schedule;
pub mod scheduler;
mod summary;

pub use archive::{PruneReport, SourceFile, prune, set_archive_cap};
pub use error::Error;
pub use progress::{ImportProgress, NoProgress};
pub use summary::ImportSummary;
