#![doc = include_str!("../README.md")]

pub mod app;
pub mod cli;
mod commands;
mod progress;

pub use app::{App, AppConfig};
pub use cli::{Cli, run};
