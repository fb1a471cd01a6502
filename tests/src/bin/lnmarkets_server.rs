//! Runs the LN Markets test server on 127.0.0.1 for peers written in other languages (the
//! official npm SDK in tests/peers/lnmarkets). Prints `READY <base-url>` and serves until
//! stdin closes.
//!
//! Usage: lnmarkets-server <key> <secret> <passphrase>

use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use rust_decimal::Decimal;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(key), Some(secret), Some(passphrase)) = (args.next(), args.next(), args.next())
    else {
        anyhow::bail!("usage: lnmarkets-server <key> <secret> <passphrase>");
    };
    let api = ApiKey {
        key,
        secret,
        passphrase,
    };
    let server = LnmServer::start(
        api,
        10_000_000,
        Decimal::from(50_000),
        Decimal::from(50_001),
        600,
    )
    .await?;
    println!("READY {}", server.base_url());
    // Serve until the parent closes our stdin.
    let mut sink = Vec::new();
    tokio::io::stdin().read_to_end(&mut sink).await?;
    Ok(())
}
