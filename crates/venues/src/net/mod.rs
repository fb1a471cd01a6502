//! Plumbing every connector shares: an HTTP client that knows which failures may have
//! reached the venue, a rate limiter per metered scope, and the offset between our clock
//! and the venue's.

pub mod call;
pub mod clock;
pub mod http;
pub mod rate;
pub mod ws;

pub use call::CallError;
pub use clock::ClockOffset;
pub use http::{HttpClient, HttpError, HttpRequest, HttpResponse, Method};
pub use rate::RateLimiter;
pub use ws::{ReconnectingSocket, WsConfig, WsEvent};
