//! Runs the LN Markets test server on 127.0.0.1 for people, the app's Settings, and peers
//! written in other languages (tests/peers/lnmarkets). Prints its URLs and credentials, then
//! `READY <rest-url>`, and serves until stdin closes or the process is killed.
//!
//! Usage: `cargo run -p kestrel-tests --bin lnmarkets-server [--static] [key secret passphrase]`
//!
//! The quote moves every second along a `kestrel-sim` price path; `--static` keeps it at
//! 50 000 / 50 001, still pushed every second (tests that check exact values use it).

use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use rust_decimal::Decimal;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (flags, args): (Vec<String>, Vec<String>) =
        std::env::args().skip(1).partition(|a| a.starts_with("--"));
    let live = !flags.iter().any(|f| f == "--static");
    let mut args = args.into_iter();
    let api = match (args.next(), args.next(), args.next()) {
        (Some(key), Some(secret), Some(passphrase)) => ApiKey {
            key,
            secret,
            passphrase,
        },
        _ => ApiKey {
            key: "kestrel-test-key".into(),
            secret: "kestrel-test-secret".into(),
            passphrase: "kestrel-test-passphrase".into(),
        },
    };
    let server = LnmServer::start(
        api.clone(),
        10_000_000,
        Decimal::from(50_000),
        Decimal::from(50_001),
        600,
    )
    .await?;
    // Quotes are pushed every second, as the venue does; `--static` only holds the price.
    server.drive(
        u64::from(std::process::id()),
        if live { 0.55 } else { 0.0 },
        std::time::Duration::from_secs(1),
    );
    println!("LN Markets test server (REST v3 + Stream v1), account balance 10 000 000 sats");
    println!(
        "  market:          {}",
        if live {
            "live (kestrel-sim price path, a step a second)"
        } else {
            "static at 50 000 / 50 001, quoted every second"
        }
    );
    println!("  REST base URL:   {}", server.base_url());
    println!("  stream URL:      {}/v1", server.server.ws_url());
    println!("  API key:         {}", api.key);
    println!("  API secret:      {}", api.secret);
    println!("  API passphrase:  {}", api.passphrase);
    println!("READY {}", server.base_url());
    // Serve until the parent closes our stdin (or kill the process).
    let mut sink = Vec::new();
    tokio::io::stdin().read_to_end(&mut sink).await?;
    if sink.is_empty() {
        // stdin was already closed (e.g. started from a terminal with </dev/null): serve on.
        std::future::pending::<()>().await;
    }
    Ok(())
}
