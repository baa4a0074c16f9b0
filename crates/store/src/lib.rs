#![doc = include_str!("../README.md")]

pub mod aggregate;
pub mod alerts;
pub mod audit;
pub mod backup;
pub mod bulk;
mod connect;
pub mod entity;
mod error;
pub mod freshness;
pub mod gias;
pub mod indicators;
pub mod links;
pub mod migration;
pub mod neighbours;
pub mod population;
pub mod provenance;
pub mod query;
pub mod regions;
pub mod registers;
mod rows;
pub mod runs;
pub mod stats;
pub mod ticks;
pub mod tokens;

pub use connect::{Backend, begin_write, connect, migrate};
pub use error::Error;
pub use sea_orm::{DatabaseConnection, DbErr};

/// FNV-1a of `text` as 16 hex digits: a row's content hash, to tell an unchanged row from a
/// changed one without reading it back.
pub(crate) fn fnv_hex(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}
