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

/// Operations one document may hold (every one is walked by async-graphql's own checks).
pub const MAX_OPERATIONS: usize = 20;
/// Nesting of introspection queries (GraphiQL's is 13 levels deep).
pub const MAX_INTROSPECTION_DEPTH: usize = 20;
/// Brackets a query text may nest before it is parsed: the parser recurses per bracket.
pub const MAX_TEXT_NESTING: usize = 64;

/// (fields once expanded, deepest nesting outside introspection, deepest nesting in all) of a
/// selection set.
#[derive(Clone, Copy, Default)]
struct Size {
    fields: u64,
    depth: usize,
    all_depth: usize,
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
                    Size {
                        fields: 1 + inner.fields,
                        depth: if introspection { 0 } else { 1 + inner.depth },
                        all_depth: 1 + inner.all_depth,
                    }
                }
                Selection::InlineFragment(i) => self.set(&i.node.selection_set.node),
                Selection::FragmentSpread(s) => self.fragment(s.node.fragment_name.node.as_str()),
            };
            size.fields = size.fields.saturating_add(s.fields);
            size.depth = size.depth.max(s.depth);
            size.all_depth = size.all_depth.max(s.all_depth);
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
    let operations = doc.operations.iter().count();
    if operations > MAX_OPERATIONS {
        return Err(refuse(format!(
            "the document holds {operations} operations; at most {MAX_OPERATIONS} are allowed"
        )));
    }
    // Summed over every operation: each is expanded by the checks that follow, not only the one run.
    let mut total: u64 = 0;
    for (_, op) in doc.operations.iter() {
        let size = walker.set(&op.node.selection_set.node);
        total = total.saturating_add(size.fields);
        if total > MAX_EXPANDED_FIELDS {
            return Err(refuse(format!(
                "the query expands to {total} fields once its fragments are spread; at most {MAX_EXPANDED_FIELDS} are allowed"
            )));
        }
        if size.all_depth > max_depth.max(MAX_INTROSPECTION_DEPTH) {
            return Err(refuse(format!(
                "the query nests {} levels deep with introspection; at most {} are allowed",
                size.all_depth,
                max_depth.max(MAX_INTROSPECTION_DEPTH)
            )));
        }
        if size.depth > max_depth {
            return Err(refuse(format!("the query nests {} levels deep; at most {max_depth} are allowed", size.depth)));
        }
    }
    Ok(())
}

/// Refuses a query text whose brackets nest deeper than [`MAX_TEXT_NESTING`] before the parser,
/// which recurses once per level, sees it (strings and comments are passed over).
pub fn check_text(query: &str) -> Result<(), ServerError> {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' || c == '\r' {
                        break;
                    }
                }
            }
            '"' => {
                let mut escaped = false;
                for c in chars.by_ref() {
                    match (escaped, c) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => escaped = false,
                    }
                }
            }
            '{' | '[' | '(' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_TEXT_NESTING {
                    return Err(refuse(format!("the query text nests brackets more than {MAX_TEXT_NESTING} deep")));
                }
            }
            '}' | ']' | ')' => depth = depth.saturating_sub(1),
            _ => {}
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
    fn many_operations_share_one_budget_and_deep_text_is_refused_before_parsing() {
        let mut q = String::from("fragment F on Query { me { role } }\n");
        for i in 0..15 {
            q.push_str(&format!("query Q{i} {{ ...F }}\n"));
        }
        assert!(shape(&q, 12).is_ok());
        for i in 15..30 {
            q.push_str(&format!("query Q{i} {{ ...F }}\n"));
        }
        assert!(shape(&q, 12).unwrap_err().contains("operations"));
        let deep = format!("{}{}", "{a".repeat(100_000), "}".repeat(100_000));
        assert!(check_text(&deep).unwrap_err().message.contains("nests brackets"));
        let args = format!("{{ a(x: {}1{}) }}", "[".repeat(200), "]".repeat(200));
        assert!(check_text(&args).is_err());
        assert!(
            check_text("{ a(x: \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\") }").is_ok(),
            "brackets in strings do not count"
        );
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
