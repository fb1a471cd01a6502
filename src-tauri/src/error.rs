//! The one error type that crosses IPC. The UI switches on `code`, never on message text.

use kestrel_core::{Error, ErrorKind};
use serde::Serialize;

/// What the UI can do something about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    AuthRejected,
    PermissionDenied,
    RateLimited,
    InsufficientFunds,
    InvalidOrder,
    NotFound,
    ClockSkew,
    Network,
    VenueUnavailable,
    Protocol,
    Unsupported,
    /// A form field breaks a rule; `field` names it.
    InvalidInput,
    /// No OS keychain: secrets cannot be kept.
    KeychainUnavailable,
    /// The OS keychain is locked or refused access.
    KeychainLocked,
    Internal,
}

/// An error as the web view receives it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Whether trying the same thing again later may work.
    pub retryable: bool,
    pub venue_code: Option<String>,
    /// For invalid orders and form input: the field at fault.
    pub field: Option<String>,
    /// For rate limits: how long to wait.
    pub retry_after_ms: Option<u32>,
}

impl From<Error> for AppError {
    fn from(e: Error) -> Self {
        let retryable = e.is_retryable();
        let (code, field, retry_after_ms) = match e.kind {
            ErrorKind::Auth => (ErrorCode::AuthRejected, None, None),
            ErrorKind::Permission => (ErrorCode::PermissionDenied, None, None),
            ErrorKind::RateLimited { retry_after_ms } => (
                ErrorCode::RateLimited,
                None,
                retry_after_ms.map(|ms| u32::try_from(ms).unwrap_or(u32::MAX)),
            ),
            ErrorKind::InsufficientFunds => (ErrorCode::InsufficientFunds, None, None),
            ErrorKind::InvalidOrder { field } => (ErrorCode::InvalidOrder, Some(field), None),
            ErrorKind::NotFound => (ErrorCode::NotFound, None, None),
            ErrorKind::ClockSkew => (ErrorCode::ClockSkew, None, None),
            ErrorKind::Network => (ErrorCode::Network, None, None),
            ErrorKind::VenueUnavailable => (ErrorCode::VenueUnavailable, None, None),
            ErrorKind::Protocol => (ErrorCode::Protocol, None, None),
            ErrorKind::Unsupported => (ErrorCode::Unsupported, None, None),
        };
        Self {
            code,
            message: e.message,
            retryable,
            venue_code: e.venue_code,
            field,
            retry_after_ms,
        }
    }
}

impl AppError {
    /// A failure inside the app itself.
    pub fn internal(message: impl Into<String>) -> Self {
        Self {
            code: ErrorCode::Internal,
            message: message.into(),
            retryable: false,
            venue_code: None,
            field: None,
            retry_after_ms: None,
        }
    }
}
