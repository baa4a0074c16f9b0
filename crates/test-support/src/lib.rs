#![doc = include_str!("../README.md")]

mod app;
mod db;
pub mod fake_dfe;
pub mod fixture;
pub mod gias_synth;

pub use app::{TestApp, make_token};
pub use db::{Backend, TestDb};
