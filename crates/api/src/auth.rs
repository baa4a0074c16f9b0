//! Bearer tokens: made here (`inc_` + 32 random bytes in base64url), stored as a SHA-256 hash,
//! and resolved into a [`Viewer`] once per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use sha2::{Digest, Sha256};

use crate::viewer::{Role, Viewer};

/// Every token starts with this, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "inc_";
/// 32 bytes in unpadded base64url.
const TOKEN_BODY_LEN: usize = 43;
/// A token's last use is written at most this often, so reads do not write on every request.
const TOUCH_EVERY_SECONDS: i64 = 60;

/// Why a request is refused with 401, or could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("cannot check the token: {0}")]
    Store(#[from] store::Error),
}

/// A new random token; an error only if the operating system has no randomness to give.
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("{TOKEN_PREFIX}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// The stored form of a token: hex SHA-256. Tokens carry 256 random bits, so no salt or slow
/// hash is needed (as for GitHub's tokens); the hash only keeps a database dump from being a
/// list of working tokens.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The token of an `Authorization` header. Lenient where people are sloppy (the scheme's case,
/// spaces, a pasted newline), strict on the token's shape, so garbage never reaches the database.
pub fn bearer_token(header: &str) -> Result<&str, AuthError> {
    let header = header.trim();
    let (scheme, rest) = header
        .split_once([' ', '\t'])
        .ok_or(AuthError::Unauthenticated("the Authorization header must be `Bearer <token>`"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Unauthenticated("the Authorization header must be `Bearer <token>`"));
    }
    let token = rest.trim();
    let body = token.strip_prefix(TOKEN_PREFIX).ok_or(AuthError::Unauthenticated("malformed token"))?;
    let well_formed =
        body.len() == TOKEN_BODY_LEN && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if well_formed { Ok(token) } else { Err(AuthError::Unauthenticated("malformed token")) }
}

/// Resolves requests' tokens into viewers, remembering a token it has checked for `ttl` so a
/// request costs no database round trip for it. Expiry is checked on every request; a revocation
/// reaches a replica within `ttl` (`INCLUSION_TOKEN_CACHE_SECONDS`; 0 checks every request).
pub struct Authenticator {
    db: DatabaseConnection,
    require_token: bool,
    ttl: Duration,
    cache: Mutex<HashMap<String, Cached>>,
}

#[derive(Clone)]
struct Cached {
    viewer: Viewer,
    expires_at: Option<DateTime<Utc>>,
    checked: Instant,
}

/// Tokens remembered at most; past it the cache starts again (a flood of distinct valid tokens
/// cannot grow memory).
const CACHE_MAX: usize = 10_000;

impl Authenticator {
    pub fn new(db: DatabaseConnection, require_token: bool, ttl: Duration) -> Self {
        Self { db, require_token, ttl, cache: Mutex::new(HashMap::new()) }
    }

    /// The viewer of a request with this `Authorization` header (raw bytes, as they came).
    pub async fn resolve(&self, header: Option<&[u8]>, now: DateTime<Utc>) -> Result<Viewer, AuthError> {
        let Some(raw) = header else {
            return if self.require_token {
                Err(AuthError::Unauthenticated("this server requires a token: send `Authorization: Bearer <token>`"))
            } else {
                Ok(Viewer::anonymous())
            };
        };
        let text = std::str::from_utf8(raw).map_err(|_| AuthError::Unauthenticated("malformed token"))?;
        let hash = hash_token(bearer_token(text)?);
        if let Some(hit) = self.cached(&hash) {
            if hit.expires_at.is_some_and(|at| at <= now) {
                return Err(AuthError::Unauthenticated("this token has expired"));
            }
            return Ok(hit.viewer);
        }
        let row = store::tokens::by_hash(&self.db, &hash).await?.ok_or(AuthError::Unauthenticated("unknown token"))?;
        if row.revoked_at.is_some() {
            return Err(AuthError::Unauthenticated("this token has been revoked"));
        }
        if row.expires_at.is_some_and(|at| at <= now) {
            return Err(AuthError::Unauthenticated("this token has expired"));
        }
        let role = Role::parse(&row.role).ok_or(AuthError::Unauthenticated("unknown token"))?;
        if role == Role::School && row.school_urn.is_none() {
            // A school token without its school would see nothing as its own; refuse it plainly.
            return Err(AuthError::Unauthenticated("this school token has no school"));
        }
        if row.last_used_at.is_none_or(|at| (now - at).num_seconds() >= TOUCH_EVERY_SECONDS) {
            // Last use is bookkeeping: a busy database must not turn a valid token into an error.
            if let Err(e) = store::tokens::touch(&self.db, row.id, now).await {
                tracing::warn!(token = row.id, error = %e, "cannot record the token's last use");
            }
        }
        let viewer = Viewer { role, urn: row.school_urn, label: row.label, token_id: Some(row.id) };
        self.remember(hash, Cached { viewer: viewer.clone(), expires_at: row.expires_at, checked: Instant::now() });
        Ok(viewer)
    }

    fn cached(&self, hash: &str) -> Option<Cached> {
        if self.ttl.is_zero() {
            return None;
        }
        let cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.get(hash).filter(|c| c.checked.elapsed() < self.ttl).cloned()
    }

    fn remember(&self, hash: String, entry: Cached) {
        if self.ttl.is_zero() {
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(hash, entry);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_well_formed() {
        let (a, b) = (new_token().unwrap(), new_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), TOKEN_PREFIX.len() + TOKEN_BODY_LEN);
        assert_eq!(bearer_token(&format!("Bearer {a}")).unwrap(), a);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), hash_token(&b));
    }

    #[test]
    fn sloppy_headers_are_read_and_hostile_ones_refused() {
        let t = new_token().unwrap();
        for ok in [format!("bearer {t}"), format!("  BEARER   {t}\n"), format!("Bearer\t{t} ")] {
            assert_eq!(bearer_token(&ok).unwrap(), t, "{ok:?}");
        }
        let long = "x".repeat(10_000);
        for bad in [
            String::new(),
            "Bearer".to_owned(),
            format!("Basic {t}"),
            format!("Bearer {}", &t[4..]),
            format!("Bearer {t}x"),
            format!("Bearer {}'; DROP TABLE api_token;--", &t[..20]),
            format!("Bearer inc_{long}"),
            format!("Bearer {t} {t}"),
        ] {
            assert!(matches!(bearer_token(&bad), Err(AuthError::Unauthenticated(_))), "{bad:?}");
        }
    }
}
