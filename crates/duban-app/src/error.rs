//! What a use case refuses, in the words the caller sees; the web maps each kind to its HTTP
//! status, the command line prints it.

use duban_store::StoreError;

/// A use case's refusal.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not there, or not visible to the caller (the same answer, so nothing leaks).
    #[error("{0}")]
    NotFound(String),
    /// Visible, but the caller's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The input is wrong; the message says what would be valid.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type AppResult<T> = Result<T, AppError>;
