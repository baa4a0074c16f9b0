//! Why a value from outside is not a valid identifier of the field.

/// A value that does not parse as the identifier it claims to be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("URN is not a number ({0:?})")]
    UrnNotNumber(String),
    #[error("URN must be between 100000 and 999999 ({0})")]
    UrnOutOfRange(i64),
    #[error("LA code must be three digits ({0:?})")]
    LaCode(String),
    #[error("LAESTAB must be seven digits ({0:?})")]
    Laestab(String),
    #[error("district code must be a nine-character GSS code ({0:?})")]
    DistrictCode(String),
}
