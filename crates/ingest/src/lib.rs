#![doc = include_str!("../README.md")]

mod csv_lines;
pub mod ees;
mod error;
pub mod gias;
pub mod report;
pub mod sniff;
pub mod spreadsheet;

pub use error::Error;
pub use report::{ImportIssue, Severity};
pub use sniff::{TextEncoding, TextSniffer};
