//! The shape of a query, checked right after parsing and before anything else looks at it
//! (`Api::execute`): how
//! deep it nests (introspection's own nesting aside, so GraphiQL's docs work under the default
//! limit) and how many fields it comes to once its fragments are expanded. A 1.5 KB query whose
//! fragments double at each level expands to millions of fields; counting with one memo per
//! fragment refuses it in microseconds, before validation would spend minutes on it.

use std::collections::HashMap;

use async_graphql::parser::types::{ExecutableDocument, FragmentDefinition, Selection, SelectionSet};
use async_graphql::{Name, Positioned, ServerError};

/// Fields a query may come to once fragments are expanded.
pub const MAX_EXPANDED_FIELDS: u64 = 20_000;

fn refuse(message: String) -> ServerError {
    let mut err = ServerError::new(message, None);
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", "QUERY_TOO_LARGE");
    err.extensions = Some(ext);
    err
}

/// (fields once expanded, deepest nesting outside introspection) of a selection set.
#[derive(Clone, Copy, Default)]
struct Size {
    fields: u64,
    depth: usize,
}

struct Walker<'a> {
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    /// Per fragment: its size, or `None` while it is being measured (a cycle, which validation
    /// reports; here it counts as empty).
    memo: HashMap<&'a str, Option<Size>>,
}

impl<'a> Walker<'a> {
    fn set(&mut self, set: &'a SelectionSet) -> Size {
        let mut size = Size::default();
        for item in &set.items {
            let s = match &item.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let inner = self.set(&f.node.selection_set.node);
                    let introspection = name == "__schema" || name == "__type";
                    Size { fields: 1 + inner.fields, depth: if introspection { 0 } else { 1 + inner.depth } }
                }
                Selection::InlineFragment(i) => self.set(&i.node.selection_set.node),
                Selection::FragmentSpread(s) => self.fragment(s.node.fragment_name.node.as_str()),
            };
            size.fields = size.fields.saturating_add(s.fields);
            size.depth = size.depth.max(s.depth);
        }
        size
    }

    fn fragment(&mut self, name: &'a str) -> Size {
        match self.memo.get(name) {
            Some(Some(size)) => return *size,
            Some(None) => return Size::default(),
            None => {}
        }
        let Some(def) = self.fragments.get(name) else { return Size::default() };
        self.memo.insert(name, None);
        let size = self.set(&def.node.selection_set.node);
        self.memo.insert(name, Some(size));
        size
    }
}

/// Checks a parsed document; the error says what is too big and by how much.
pub fn check(doc: &ExecutableDocument, max_depth: usize) -> Result<(), ServerError> {
    let mut walker = Walker { fragments: &doc.fragments, memo: HashMap::new() };
    for (_, op) in doc.operations.iter() {
        let size = walker.set(&op.node.selection_set.node);
        if size.fields > MAX_EXPANDED_FIELDS {
            return Err(refuse(format!(
                "the query expands to {} fields once its fragments are spread; at most {MAX_EXPANDED_FIELDS} are allowed",
                size.fields
            )));
        }
        if size.depth > max_depth {
            return Err(refuse(format!("the query nests {} levels deep; at most {max_depth} are allowed", size.depth)));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(query: &str, depth: usize) -> Result<(), String> {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        check(&doc, depth).map_err(|e| e.message)
    }

    #[test]
    fn doubling_fragments_are_refused_without_expanding_them() {
        let mut q = String::from("query { ...F0 }\n");
        for i in 0..40 {
            q.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1));
        }
        q.push_str("fragment F40 on Query { me { role } }\n");
        let err = shape(&q, 12).unwrap_err();
        assert!(err.starts_with("the query expands to"), "{err}");
    }

    #[test]
    fn introspection_nesting_is_not_counted_but_data_nesting_is() {
        let introspection = "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } } }";
        assert!(shape(introspection, 12).is_ok());
        let deep = "{ a { b { c { d { e } } } } }";
        assert_eq!(shape(deep, 4).unwrap_err(), "the query nests 5 levels deep; at most 4 are allowed");
        assert!(shape(deep, 5).is_ok());
        // Through a fragment, and through a cycle (validation's to report), without looping.
        assert!(shape("{ a { ...X } } fragment X on A { b { c { d { e } } } }", 4).is_err());
        assert!(shape("{ a { ...X } } fragment X on A { b { ...X } }", 4).is_ok());
    }
}
