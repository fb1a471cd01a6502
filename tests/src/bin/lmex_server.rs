//! Runs the LMEX test server on 127.0.0.1 for people, the app's Settings, and peers written
//! in other languages (tests/peers/lmex). Prints its URLs and credentials, then
//! `READY <rest-url>`, and serves until stdin closes or the process is killed.
//!
//! Usage:
//! - `cargo run -p kestrel-tests --bin lmex-server [--static] [key secret]` serves BTC-PERP
//!   and ETH-PERP (USDT-margined, integer contracts) to one account holding 100 000 USDT.
//!   The market is live (a `kestrel-sim` step every 100 ms); `--static` holds it still for
//!   tests that check exact values, while positions are still pushed every second.
//! - `lmex-server sign <secret> <path> <nonce> <body>` prints the connector's own
//!   `request-sign` for that request (`kestrel_venues::lmex::auth::sign`), so a peer can
//!   compare its signature with ours. `<body>` is the exact JSON text, `""` for none.

use kestrel_tests::lmex::{ApiKey, LmexServer};
use secrecy::SecretString;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("sign") {
        let [secret, path, nonce, body] = match &all[1..] {
            [s, p, n, b] => [s, p, n, b],
            [s, p, n] => [s, p, n, &String::new()],
            _ => anyhow::bail!("usage: lmex-server sign <secret> <path> <nonce> <body>"),
        };
        let secret = SecretString::from(secret.clone());
        println!(
            "{}",
            kestrel_venues::lmex::auth::sign(&secret, path, nonce, body)
        );
        return Ok(());
    }
    let (flags, args): (Vec<String>, Vec<String>) =
        all.into_iter().partition(|a| a.starts_with("--"));
    let live = !flags.iter().any(|f| f == "--static");
    let mut args = args.into_iter();
    let api = match (args.next(), args.next()) {
        (Some(key), Some(secret)) => ApiKey { key, secret },
        _ => ApiKey {
            key: "kestrel-lmex-key".into(),
            secret: "kestrel-lmex-secret".into(),
        },
    };
    let server = LmexServer::start(api.clone()).await?;
    if live {
        server.drive();
    }
    println!("LMEX test server (BTSE futures API v2.3), account wallet 100 000 USDT");
    println!("  markets:         BTC-PERP (contract 0.0001 BTC, tick 0.5), ETH-PERP (contract 0.001 ETH, tick 0.05)");
    println!(
        "  market:          {}",
        if live {
            "live (kestrel-sim, a step every 100 ms)"
        } else {
            "static (held still; positions still pushed every second)"
        }
    );
    println!("  REST mount:      {}", server.base_url());
    println!("  main WS:         {}/ws/futures", server.ws_url());
    println!("  book WS:         {}/ws/oss/futures", server.ws_url());
    println!("  test control:    {}/__kestrel/", server.root_url());
    println!("  API key:         {}", api.key);
    println!("  API secret:      {}", api.secret);
    println!("READY {}", server.base_url());
    // Serve until the parent closes our stdin (or kill the process).
    let mut sink = Vec::new();
    tokio::io::stdin().read_to_end(&mut sink).await?;
    if sink.is_empty() {
        // stdin was already closed (e.g. started with </dev/null): serve on.
        std::future::pending::<()>().await;
    }
    Ok(())
}
