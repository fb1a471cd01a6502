//! LMEX request signing — BTSE's futures API v2.3 scheme (NOTES.md §2.3), which LMEX runs:
//! `request-sign = hex(HMAC-SHA384(secret, path + nonce + body))`, where `path` is the one
//! *below* the `/futures` mount (`/api/v2.3/user/open_orders`), the query string is not
//! signed, and `body` is the exact JSON sent (empty for GET and DELETE). The WebSocket
//! signs `"/ws/futures" + nonce` the same way for `authKeyExpires`. Checked against BTSE's
//! published vectors.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha384;
use std::fmt;

/// The path the WebSocket authentication signs.
pub const WS_AUTH_PATH: &str = "/ws/futures";

/// An LMEX API key. `Debug` shows the key id only.
#[derive(Clone)]
pub struct LmexCredentials {
    pub key: String,
    pub secret: SecretString,
}

impl fmt::Debug for LmexCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LmexCredentials")
            .field("key", &self.key)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The path a request signs: the URL path with the `/futures` mount (and anything before
/// it) removed, e.g. `/futures/api/v2.3/order` → `/api/v2.3/order`. The query is not part
/// of a path.
pub fn signed_path(url_path: &str) -> &str {
    let path = url_path.split('?').next().unwrap_or(url_path);
    match path.find("/api/") {
        Some(at) => &path[at..],
        None => path,
    }
}

/// Lowercase hex HMAC-SHA384 of `path + nonce + body`.
pub fn sign(secret: &SecretString, path: &str, nonce: &str, body: &str) -> String {
    // HMAC takes keys of any length; the error branch cannot occur.
    let Ok(mut mac) = Hmac::<Sha384>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return String::new();
    };
    mac.update(path.as_bytes());
    mac.update(nonce.as_bytes());
    mac.update(body.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// The three `request-*` headers of a signed REST request to `url_path` with `body`
/// (empty for GET/DELETE) at `nonce` (ms since the epoch, on the venue's clock).
pub fn rest_headers(
    credentials: &LmexCredentials,
    url_path: &str,
    nonce: i64,
    body: &str,
) -> [(&'static str, String); 3] {
    let nonce = nonce.to_string();
    let signature = sign(&credentials.secret, signed_path(url_path), &nonce, body);
    [
        ("request-api", credentials.key.clone()),
        ("request-nonce", nonce),
        ("request-sign", signature),
    ]
}

/// The WebSocket `authKeyExpires` request.
pub fn ws_auth(credentials: &LmexCredentials, nonce: i64) -> String {
    let nonce = nonce.to_string();
    let signature = sign(&credentials.secret, WS_AUTH_PATH, &nonce, "");
    serde_json::json!({ "op": "authKeyExpires", "args": [credentials.key, nonce, signature] })
        .to_string()
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// BTSE's documentation example key.
    fn secret() -> SecretString {
        SecretString::from("848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx")
    }

    #[test]
    fn btse_documentation_vectors() {
        assert_eq!(
            sign(&secret(), "/api/v2.1/user/wallet", "1624984297330", ""),
            "ea4f1f2b43a0f4d750ae560c5274d6214d140fcab3093da5f4a83e36828535bd2ba7b12160cd12199596f422c8883333"
        );
        let body = r#"{"postOnly":false,"price":8500.0,"reduceOnly":false,"side":"BUY","size":1,"stopPrice":0.0,"symbol":"BTCPFC","time_in_force":"GTC","trailValue":0.0,"triggerPrice":0.0,"txType":"LIMIT","type":"LIMIT"}"#;
        assert_eq!(
            sign(&secret(), "/api/v2.1/order", "1624985375123", body),
            "943adfce43b609a28506274976b96e08cf4bdc4ea53ca0b4cac0eb2cf0773a7d0807efc0aeab779d47fadcd9a60eea13"
        );
    }

    #[test]
    fn the_signed_path_is_below_the_futures_mount_without_the_query() {
        assert_eq!(
            signed_path("/futures/api/v2.3/user/open_orders?symbol=BTC-PERP"),
            "/api/v2.3/user/open_orders"
        );
        assert_eq!(signed_path("/api/v2.3/order"), "/api/v2.3/order");
        // A GET signs the same whatever its query.
        let creds = LmexCredentials {
            key: "k".into(),
            secret: secret(),
        };
        let a = rest_headers(&creds, "/futures/api/v2.3/user/open_orders?symbol=A", 1, "");
        let b = rest_headers(&creds, "/futures/api/v2.3/user/open_orders", 1, "");
        assert_eq!(a[2], b[2]);
        assert_eq!(a[1], ("request-nonce", "1".to_owned()));
        assert!(
            !format!("{creds:?}").contains("848db84"),
            "Debug hides the secret"
        );
    }

    #[test]
    fn the_websocket_signs_its_path_and_nonce() {
        let creds = LmexCredentials {
            key: "k".into(),
            secret: secret(),
        };
        let v: serde_json::Value =
            serde_json::from_str(&ws_auth(&creds, 1_624_984_297_330)).unwrap_or_default();
        assert_eq!(v["op"], "authKeyExpires");
        assert_eq!(v["args"][0], "k");
        assert_eq!(v["args"][1], "1624984297330");
        assert_eq!(
            v["args"][2],
            sign(&secret(), "/ws/futures", "1624984297330", "").as_str()
        );
    }
}
