//! A WebSocket that stays up: it reconnects with exponential backoff, sends its greeting
//! (authenticate, subscribe) on every connection, pings, and treats a silent connection as
//! dead. What arrives is handed over as text, in order, with the connection's ups and downs.

use futures::{SinkExt, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_util::sync::CancellationToken;

/// How a socket behaves.
#[derive(Clone, Debug)]
pub struct WsConfig {
    pub url: String,
    /// How often to ping.
    pub ping_every: Duration,
    /// A connection silent this long is dropped and reopened.
    pub stale_after: Duration,
    pub connect_timeout: Duration,
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// Venues that want a text heartbeat (LMEX's plain `ping`) instead of ping frames.
    pub ping_text: Option<String>,
    /// An `Origin` header for venues that check it.
    pub origin: Option<String>,
}

impl WsConfig {
    /// Defaults that suit most venues: ping every 15 s, stale after 45 s, backoff 250 ms…30 s.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ping_every: Duration::from_secs(15),
            stale_after: Duration::from_secs(45),
            connect_timeout: Duration::from_secs(10),
            backoff_min: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
            ping_text: None,
            origin: None,
        }
    }
}

/// What the socket reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WsEvent {
    /// Connected; the greeting has been sent.
    Open,
    /// A text frame.
    Text(String),
    /// The connection was lost (or could not be made); the next try is in `retry_in`.
    Closed { reason: String, retry_in: Duration },
}

/// Messages to send after each (re)connect, computed fresh each time (timestamps, nonces).
pub type Greeting = Arc<dyn Fn() -> Vec<String> + Send + Sync>;

/// The handle to a running socket; dropping it closes the socket.
pub struct ReconnectingSocket {
    out: mpsc::UnboundedSender<String>,
    cancel: CancellationToken,
}

impl ReconnectingSocket {
    /// Starts connecting; events arrive on the returned receiver until `close` or drop.
    pub fn spawn(config: WsConfig, greeting: Greeting) -> (Self, mpsc::Receiver<WsEvent>) {
        let (out, out_rx) = mpsc::unbounded_channel();
        let (events, events_rx) = mpsc::channel(4_096);
        let cancel = CancellationToken::new();
        tokio::spawn(run(config, greeting, out_rx, events, cancel.clone()));
        (Self { out, cancel }, events_rx)
    }

    /// Queues a text frame for the current (or next) connection.
    pub fn send(&self, text: String) -> bool {
        self.out.send(text).is_ok()
    }

    /// Closes the socket for good.
    pub fn close(&self) {
        self.cancel.cancel();
    }
}

impl Drop for ReconnectingSocket {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn run(
    config: WsConfig,
    greeting: Greeting,
    mut out: mpsc::UnboundedReceiver<String>,
    events: mpsc::Sender<WsEvent>,
    cancel: CancellationToken,
) {
    let mut backoff = config.backoff_min;
    loop {
        let reason = tokio::select! {
            () = cancel.cancelled() => return,
            reason = session(&config, &greeting, &mut out, &events, &mut backoff) => reason,
        };
        if events.is_closed() {
            return;
        }
        tracing::debug!(url = %config.url, %reason, retry_in = ?backoff, "socket closed");
        let closed = WsEvent::Closed {
            reason,
            retry_in: backoff,
        };
        if events.send(closed).await.is_err() {
            return;
        }
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(config.backoff_max);
    }
}

/// The opening handshake's request: the URL, plus `Origin` when configured.
fn open_request(
    config: &WsConfig,
) -> Result<
    tokio_tungstenite::tungstenite::handshake::client::Request,
    tokio_tungstenite::tungstenite::Error,
> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = config.url.as_str().into_client_request()?;
    if let Some(origin) = &config.origin {
        let value = origin.parse().map_err(|_| {
            tokio_tungstenite::tungstenite::Error::Url(
                tokio_tungstenite::tungstenite::error::UrlError::UnableToConnect(origin.clone()),
            )
        })?;
        request.headers_mut().insert("origin", value);
    }
    Ok(request)
}

/// One connection, from connect to loss; returns why it ended.
async fn session(
    config: &WsConfig,
    greeting: &Greeting,
    out: &mut mpsc::UnboundedReceiver<String>,
    events: &mpsc::Sender<WsEvent>,
    backoff: &mut Duration,
) -> String {
    let request = match open_request(config) {
        Ok(r) => r,
        Err(e) => return format!("bad socket URL {}: {e}", config.url),
    };
    let connect = tokio_tungstenite::connect_async(request);
    let socket = match tokio::time::timeout(config.connect_timeout, connect).await {
        Ok(Ok((socket, _))) => socket,
        Ok(Err(e)) => return format!("connect failed: {e}"),
        Err(_) => return format!("connect timed out after {:?}", config.connect_timeout),
    };
    let (mut sink, mut stream) = socket.split();
    // Requests queued while disconnected belong to the old connection; the greeting
    // re-establishes everything.
    while out.try_recv().is_ok() {}
    for message in greeting() {
        if let Err(e) = sink.send(Message::text(message)).await {
            return format!("send failed: {e}");
        }
    }
    if events.send(WsEvent::Open).await.is_err() {
        return "nobody is listening".into();
    }
    *backoff = config.backoff_min;
    let mut ping = tokio::time::interval(config.ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            queued = out.recv() => {
                let Some(text) = queued else { return "closed by the owner".into() };
                if let Err(e) = sink.send(Message::text(text)).await {
                    return format!("send failed: {e}");
                }
            }
            frame = stream.next() => {
                heard = Instant::now();
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        if events.send(WsEvent::Text(text.as_str().to_owned())).await.is_err() {
                            return "nobody is listening".into();
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        return frame.map_or_else(|| "closed by the venue".into(), |f| format!("closed by the venue: {} {}", f.code, f.reason));
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return format!("connection error: {e}"),
                    None => return "connection ended".into(),
                }
            }
            _ = ping.tick() => {
                if heard.elapsed() > config.stale_after {
                    return format!("nothing heard for {:?}", config.stale_after);
                }
                let beat = config.ping_text.as_ref().map_or_else(|| Message::Ping(Vec::new().into()), |t| Message::text(t.clone()));
                if let Err(e) = sink.send(beat).await {
                    return format!("ping failed: {e}");
                }
            }
        }
    }
}
