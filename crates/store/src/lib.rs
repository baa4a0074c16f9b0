#![doc = include_str!("../README.md")]

pub mod bulk;
mod connect;
pub mod entity;
mod error;
pub mod gias;
pub mod migration;
pub mod query;
pub mod registers;
pub mod runs;
pub mod stats;

pub use connect::{Backend, connect, migrate};
pub use error::Error;
pub use sea_orm::{DatabaseConnection, DbErr};
