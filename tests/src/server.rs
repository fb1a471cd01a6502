//! The framework every venue test server is built on: an axum app on an ephemeral
//! 127.0.0.1 port, a clock that can be skewed, and faults injected per route.

use axum::Router;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `router` on a free port of 127.0.0.1.
    pub async fn start(router: Router) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "test server stopped");
            }
        });
        Ok(Self {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `ws://127.0.0.1:<port>`.
    pub fn ws_url(&self) -> String {
        format!("ws://{}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// The server's clock: real time plus an offset a test sets to simulate skew.
#[derive(Default)]
pub struct ServerClock {
    offset_ms: AtomicI64,
}

impl ServerClock {
    /// Milliseconds since the epoch, as the server sees them.
    pub fn now_ms(&self) -> i64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        real + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the server's clock `ms` ahead of real time (negative: behind).
    pub fn skew(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
    }
}

/// What a fault does to a request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this status and body instead of handling the request.
    Status {
        status: u16,
        body: String,
        retry_after_s: Option<u64>,
    },
    /// Handle the request, then hold the answer this long (longer than the client's timeout
    /// makes an outcome the client cannot know).
    Delay(Duration),
    /// Handle the request, then answer 200 with this body instead.
    Garbage(String),
    /// Handle the request, then answer with this status (a gateway error after the
    /// venue acted).
    StatusAfter { status: u16, body: String },
}

/// Faults queued per route, each used once, in order.
#[derive(Clone, Default)]
pub struct Faults {
    queue: Arc<Mutex<VecDeque<(String, Fault)>>>,
}

impl Faults {
    /// The next request whose path is `path` gets `fault`.
    pub fn inject(&self, path: &str, fault: Fault) {
        self.lock().push_back((path.to_owned(), fault));
    }

    /// Takes the first fault queued for `path`.
    pub fn take(&self, path: &str) -> Option<Fault> {
        let mut queue = self.lock();
        let at = queue.iter().position(|(p, _)| p == path)?;
        queue.remove(at).map(|(_, f)| f)
    }

    fn lock(&self) -> MutexGuard<'_, VecDeque<(String, Fault)>> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A query string's pairs, decoded (`application/x-www-form-urlencoded`); a pair that does
/// not decode is left out.
pub fn url_params(query: &str) -> std::collections::HashMap<String, String> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding.
fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The next item of `stream` that `f` accepts, within 10 s (test code: panics otherwise).
#[allow(clippy::panic)]
pub async fn next_matching<S, T>(stream: &mut S, what: &str, mut f: impl FnMut(&T) -> bool) -> T
where
    S: futures::Stream<Item = T> + Unpin,
{
    use futures::StreamExt;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(Some(item)) if f(&item) => return item,
            Ok(Some(_)) => {}
            Ok(None) => panic!("stream ended waiting for {what}"),
            Err(_) => panic!("timed out waiting for {what}"),
        }
    }
}

/// Reads a test-control fault spec `{"path", "status", "body"?, "after"?}`: the next request
/// to `path` is answered with `status` (and `body`, a gateway page by default); with
/// `"after": true` it is carried out first (a lost answer). `None` without a path and status.
pub fn status_fault(spec: &serde_json::Value) -> Option<(String, Fault)> {
    use serde_json::Value;
    let path = spec.get("path").and_then(Value::as_str)?;
    let status = spec
        .get("status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())?;
    let body = spec
        .get("body")
        .and_then(Value::as_str)
        .unwrap_or("<html>Bad Gateway</html>")
        .to_owned();
    let fault = if spec.get("after").and_then(Value::as_bool).unwrap_or(false) {
        Fault::StatusAfter { status, body }
    } else {
        Fault::Status {
            status,
            body,
            retry_after_s: None,
        }
    };
    Some((path.to_owned(), fault))
}
