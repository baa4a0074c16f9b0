//! With introspection switched off (`INCLUSION_INTROSPECTION=false`), asking for `__schema` or
//! `__type` is an error that says so, not a `null` a client would take for an empty schema.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{ExecutableDocument, Selection};
use async_graphql::{ServerError, ServerResult, Variables};

pub(crate) struct NoIntrospection;

impl ExtensionFactory for NoIntrospection {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NoIntrospection)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for NoIntrospection {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        let asks = doc.operations.iter().any(|(_, op)| {
            op.node.selection_set.node.items.iter().any(|s| {
                matches!(&s.node, Selection::Field(f) if matches!(f.node.name.node.as_str(), "__schema" | "__type"))
            })
        });
        if asks {
            let mut err = ServerError::new("introspection is switched off on this server", None);
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", "INTROSPECTION_DISABLED");
            err.extensions = Some(ext);
            return Err(err);
        }
        Ok(doc)
    }
}
