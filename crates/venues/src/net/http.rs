//! HTTP for connectors: timeouts on every request, the exact query string the caller signed,
//! and errors that say whether the request may have reached the venue — the difference
//! between "rejected" and "unknown" for an order.

use kestrel_core::Error;
use std::time::Duration;

/// The HTTP methods venues use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    /// `GET`, `POST`, …
    pub fn upper(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// `get`, `post`, …
    pub fn lower(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Delete => "delete",
        }
    }

    /// Whether repeating the request cannot change anything at the venue.
    pub fn is_idempotent(self) -> bool {
        matches!(self, Method::Get | Method::Put | Method::Delete)
    }
}

/// One request, already signed by the caller.
#[derive(Clone, Debug)]
pub struct HttpRequest {
    pub method: Method,
    /// Path below the host, starting with `/` (e.g. `/v3/futures/ticker`).
    pub path: String,
    /// The url-encoded query without `?`, exactly as signed; empty for none.
    pub query: String,
    /// The body, exactly as signed; sent as `application/json`.
    pub body: Option<String>,
    pub headers: Vec<(&'static str, String)>,
}

impl HttpRequest {
    /// A request with no query, body or headers.
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: String::new(),
            body: None,
            headers: Vec::new(),
        }
    }
}

/// A venue's answer, whatever its status.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub body: String,
    /// From `Retry-After` (seconds), when the venue sent it.
    pub retry_after_ms: Option<u64>,
    /// The venue's clock from its `Date` header (whole seconds), when it sent one.
    pub date_ms: Option<i64>,
}

impl HttpResponse {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Why no answer came back.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// The connection was never made: the venue cannot have seen the request.
    #[error("could not connect to the venue: {0}")]
    Connect(String),
    /// No answer in time: the venue may have acted on the request.
    #[error("the venue did not answer within {0:?}")]
    Timeout(Duration),
    /// The connection broke after the request went out: the venue may have acted.
    #[error("the connection to the venue failed: {0}")]
    Transport(String),
}

impl HttpError {
    /// Whether the venue may have received (and acted on) the request.
    pub fn may_have_reached_venue(&self) -> bool {
        !matches!(self, HttpError::Connect(_))
    }
}

impl From<HttpError> for Error {
    fn from(e: HttpError) -> Self {
        Error::network(e.to_string())
    }
}

/// Builds a query string the way browsers' `URLSearchParams` do (what venues' own SDKs
/// sign), in the order given.
pub fn encode_query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k.as_ref(), v.as_ref());
    }
    s.finish()
}

/// An HTTP client bound to one venue base URL.
#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    base: String,
    timeout: Duration,
}

impl HttpClient {
    /// A client for `base_url` (scheme and host, e.g. `https://api.lnmarkets.com`) whose
    /// requests fail after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, Error> {
        let parsed = url::Url::parse(base_url)
            .map_err(|e| Error::unsupported(format!("'{base_url}' is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::unsupported(format!(
                "'{base_url}' must start with http:// or https://"
            )));
        }
        let client = reqwest::Client::builder()
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("kestrel/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::network(format!("HTTP client: {e}")))?;
        Ok(Self {
            client,
            base: base_url.trim_end_matches('/').to_owned(),
            timeout,
        })
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Sends once. Never retries: whether a retry is safe is the caller's decision.
    pub async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        let mut url = format!("{}{}", self.base, request.path);
        if !request.query.is_empty() {
            url.push('?');
            url.push_str(&request.query);
        }
        let method = match request.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let mut builder = self.client.request(method, &url);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value);
        }
        if let Some(body) = &request.body {
            builder = builder
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let response = builder.send().await.map_err(|e| self.classify(&e))?;
        let status = response.status().as_u16();
        let retry_after_ms = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(|s| s.saturating_mul(1_000));
        let date_ms = response
            .headers()
            .get("date")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| httpdate::parse_http_date(v).ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_millis()).ok());
        let body = response.text().await.map_err(|e| self.classify(&e))?;
        Ok(HttpResponse {
            status,
            body,
            retry_after_ms,
            date_ms,
        })
    }

    fn classify(&self, e: &reqwest::Error) -> HttpError {
        if e.is_connect() {
            HttpError::Connect(root_cause(e))
        } else if e.is_timeout() {
            HttpError::Timeout(self.timeout)
        } else {
            HttpError::Transport(root_cause(e))
        }
    }
}

fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause: &(dyn std::error::Error + 'static) = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded_like_url_search_params() {
        let q = encode_query(&[
            ("from", "1699990000000"),
            ("cursor", "abc/1 +x"),
            ("ok", "true"),
        ]);
        assert_eq!(q, "from=1699990000000&cursor=abc%2F1+%2Bx&ok=true");
        assert_eq!(encode_query::<&str, &str>(&[]), "");
    }

    #[test]
    fn only_a_refused_connection_is_known_not_to_have_reached_the_venue() {
        assert!(!HttpError::Connect("refused".into()).may_have_reached_venue());
        assert!(HttpError::Timeout(Duration::from_secs(1)).may_have_reached_venue());
        assert!(HttpError::Transport("reset".into()).may_have_reached_venue());
    }

    #[test]
    fn a_base_url_must_be_http() {
        assert!(HttpClient::new("ftp://x", Duration::from_secs(1)).is_err());
        assert!(HttpClient::new("not a url", Duration::from_secs(1)).is_err());
        assert!(HttpClient::new("http://127.0.0.1:1", Duration::from_secs(1)).is_ok());
    }

    #[tokio::test]
    async fn a_closed_port_is_a_connect_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let client =
            HttpClient::new(&format!("http://127.0.0.1:{port}"), Duration::from_secs(2)).unwrap();
        let err = client
            .send(&HttpRequest::new(Method::Get, "/v3/time"))
            .await
            .unwrap_err();
        assert!(matches!(err, HttpError::Connect(_)), "{err:?}");
    }
}
