//! What came of one REST call, in the terms exactly-once trading needs: the venue answered
//! (with data or a refusal), or the request may have reached it and no answer came — an
//! *unknown* outcome, which a non-idempotent request must never be retried on.

use super::http::{HttpError, HttpResponse, Method};
use kestrel_core::Error;
use serde::de::DeserializeOwned;

/// Why a call produced no usable answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// The venue answered with an error, or never got the request: nothing happened.
    #[error("{0}")]
    Failed(Error),
    /// The request may have reached the venue but no answer came: the outcome is unknown.
    #[error("no answer from the venue: {0}")]
    Unknown(String),
}

impl From<CallError> for Error {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Failed(e) => e,
            CallError::Unknown(reason) => Error::network(reason),
        }
    }
}

/// Sorts a sent request's result: a refused connection never reached the venue; any other
/// transport failure of a non-idempotent request may have; a gateway error (502, 504) on one
/// may come after the venue acted. `venue_error` turns a non-2xx answer into the venue's
/// typed error.
pub fn answer(
    method: Method,
    sent: Result<HttpResponse, HttpError>,
    venue_error: impl FnOnce(&HttpResponse) -> Error,
) -> Result<HttpResponse, CallError> {
    let response = match sent {
        Ok(r) => r,
        Err(e @ HttpError::Connect(_)) => return Err(CallError::Failed(e.into())),
        Err(e) if method.is_idempotent() => return Err(CallError::Failed(e.into())),
        Err(e) => return Err(CallError::Unknown(e.to_string())),
    };
    if response.is_success() {
        return Ok(response);
    }
    let error = venue_error(&response);
    if matches!(response.status, 502 | 504) && !method.is_idempotent() {
        return Err(CallError::Unknown(error.message));
    }
    Err(CallError::Failed(error))
}

/// Reads a 2xx body. A body that does not parse after a non-idempotent request is an
/// unknown outcome: the venue said yes to something, in a shape we cannot read.
pub fn parse<T: DeserializeOwned>(
    method: Method,
    venue: &str,
    path: &str,
    body: &str,
) -> Result<T, CallError> {
    serde_json::from_str(body).map_err(|e| {
        let error = Error::protocol(format!("{venue} sent an unreadable answer to {path}: {e}"));
        if method.is_idempotent() {
            CallError::Failed(error)
        } else {
            CallError::Unknown(error.message)
        }
    })
}
