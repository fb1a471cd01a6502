//! The error taxonomy: kinds a user can act on. Every connector maps its venue's codes
//! onto these and keeps the venue's own code for display.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What went wrong, in terms a user can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErrorKind {
    /// Bad key, signature or passphrase.
    Auth,
    /// The key is valid but may not do this.
    Permission,
    /// Too many requests; wait before trying again.
    RateLimited { retry_after_ms: Option<u64> },
    /// Not enough margin or balance.
    InsufficientFunds,
    /// The order breaks a rule; `field` names the offending input.
    InvalidOrder { field: String },
    /// The thing asked for does not exist (or no longer does).
    NotFound,
    /// Our clock and the venue's disagree beyond its tolerance.
    ClockSkew,
    /// The connection failed before the venue answered.
    Network,
    /// The venue is down or in maintenance.
    VenueUnavailable,
    /// The venue said something we could not understand.
    Protocol,
    /// The venue does not offer this feature.
    Unsupported,
}

/// An error from a venue or from the engine's own checks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Error {
    pub kind: ErrorKind,
    /// A sentence for the user.
    pub message: String,
    /// The venue's own error code, when the venue gave one.
    pub venue_code: Option<String>,
}

/// Result with the core error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.venue_code {
            Some(code) => write!(f, "{} (venue code {code})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Error {
    /// An error of `kind` with a message.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            venue_code: None,
        }
    }

    /// Attaches the venue's own error code.
    pub fn with_venue_code(mut self, code: impl Into<String>) -> Self {
        self.venue_code = Some(code.into());
        self
    }

    /// An order rejected because `field` breaks a rule.
    pub fn invalid_order(field: &str, reason: impl Into<String>) -> Self {
        Self::new(
            ErrorKind::InvalidOrder {
                field: field.to_owned(),
            },
            reason,
        )
    }

    /// The venue's message could not be understood.
    pub fn protocol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Protocol, message)
    }

    /// The thing asked for does not exist.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// The key, signature or passphrase was refused (or is missing).
    pub fn auth(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Auth, message)
    }

    /// The venue does not offer this.
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }

    /// The connection failed.
    pub fn network(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Network, message)
    }

    /// Whether the same request may succeed if simply repeated later.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::RateLimited { .. }
                | ErrorKind::Network
                | ErrorKind::VenueUnavailable
                | ErrorKind::ClockSkew
        )
    }
}
