#![doc = include_str!("../README.md")]

pub mod app;
pub mod cli;
mod commands;
mod graphiql;
mod graphql_http;
mod http_metrics;
pub mod jobs_control;
mod metrics;
mod progress;

pub use app::{App, AppConfig, HttpLimits};
pub use cli::{Cli, run};
