//! `inclusion serve`.

use sea_orm::DatabaseConnection;

use crate::app::{self, App};
use crate::cli::ServeArgs;

pub(crate) fn limits(args: &ServeArgs) -> api::Limits {
    api::Limits { depth: args.max_depth, complexity: args.max_complexity, page_max: args.page_max }
}

pub(crate) async fn run(db: DatabaseConnection, args: &ServeArgs) -> anyhow::Result<()> {
    let bound = app::bind(args.bind).await?;
    app::serve(bound, App::new(db, limits(args)), app::shutdown_signal()).await?;
    Ok(())
}
