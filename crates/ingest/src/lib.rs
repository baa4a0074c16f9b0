#![doc = include_str!("../README.md")]

mod error;
pub mod gias;
pub mod report;
pub mod sniff;

pub use error::Error;
pub use report::{ImportIssue, Severity};
pub use sniff::{TextEncoding, TextSniffer};
