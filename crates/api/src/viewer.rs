//! Who is asking: the role and school scope of a request, resolved once at the HTTP edge
//! ([`crate::auth`]) and carried in the GraphQL context.

use async_graphql::{Enum, SimpleObject};

/// What a token may read.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Hash)]
pub enum Role {
    /// The whole database, unsuppressed.
    Analyst,
    /// One school: its own restricted figures, published figures of any school, groups of at
    /// least the minimum size.
    School,
    /// Job operators: what `PUBLIC` sees, plus import runs and jobs.
    Operator,
    /// Anyone: published figures; restricted data only as aggregates at LA level and above.
    Public,
}

impl Role {
    /// As stored in `api_token.role` and typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analyst => "analyst",
            Self::School => "school",
            Self::Operator => "operator",
            Self::Public => "public",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "analyst" => Some(Self::Analyst),
            "school" => Some(Self::School),
            "operator" => Some(Self::Operator),
            "public" => Some(Self::Public),
            _ => None,
        }
    }
}

/// The viewer of one request.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    /// What the token may see: `ANALYST`, `SCHOOL`, `OPERATOR` or `PUBLIC`.
    pub role: Role,
    /// The school a `SCHOOL` token is scoped to.
    pub urn: Option<i32>,
    /// The token's label, as given when it was made.
    pub label: Option<String>,
    /// The token's id (`inclusion token list`); none for anonymous requests.
    #[graphql(skip)]
    pub token_id: Option<i32>,
}

impl Viewer {
    /// A request without a token.
    pub fn anonymous() -> Self {
        Self { role: Role::Public, urn: None, label: None, token_id: None }
    }

    /// Whether the viewer may read school `urn`'s restricted figures, unsuppressed.
    pub fn sees_school(&self, urn: i32) -> bool {
        match self.role {
            Role::Analyst => true,
            Role::School => self.urn == Some(urn),
            Role::Operator | Role::Public => false,
        }
    }
}
