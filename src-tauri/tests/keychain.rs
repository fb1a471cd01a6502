//! The keychain against a real Secret Service. Needs a session bus with an unlocked
//! gnome-keyring; scripts/test runs it that way:
//! `dbus-run-session -- sh -c 'echo -n x | gnome-keyring-daemon --unlock --components=secrets; cargo test -p kestrel-app --test keychain -- --ignored'`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_app::keychain::{Keychain, KeychainError};
use secrecy::{ExposeSecret, SecretString};

#[tokio::test]
#[ignore = "needs a Secret Service: run by scripts/test inside dbus-run-session with gnome-keyring"]
async fn stores_reads_back_and_deletes_a_credential_on_the_secret_service() {
    let keychain = Keychain::start("kestrel-test");
    keychain.probe().await.unwrap();
    let account = format!("acct-{}", std::process::id());
    keychain
        .store(
            &account,
            "secret",
            SecretString::from("s3cr3t-canary-value"),
        )
        .await
        .unwrap();
    let back = keychain.read(&account, "secret").await.unwrap();
    assert_eq!(back.expose_secret(), "s3cr3t-canary-value");
    // Another Secret Service client (libsecret's secret-tool) sees the same entry.
    let seen = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "kestrel-test",
            "username",
            &format!("{account}/secret"),
        ])
        .output()
        .expect("secret-tool (libsecret-tools) is installed by scripts/setup --test");
    assert_eq!(
        String::from_utf8_lossy(&seen.stdout).trim(),
        "s3cr3t-canary-value"
    );
    keychain.delete(&account, "secret").await.unwrap();
    assert!(matches!(
        keychain.read(&account, "secret").await,
        Err(KeychainError::NotFound(_))
    ));
    // Deleting twice is fine.
    keychain.delete(&account, "secret").await.unwrap();
}

#[tokio::test]
#[ignore = "needs no session bus: run by scripts/test with DBUS_SESSION_BUS_ADDRESS unset"]
async fn without_a_secret_service_nothing_is_stored_and_the_message_says_why() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none(),
        "run without a session bus"
    );
    let keychain = Keychain::start("kestrel-test");
    let err = keychain
        .store("acct", "secret", SecretString::from("never-stored"))
        .await
        .unwrap_err();
    assert!(matches!(err, KeychainError::Unavailable(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("No OS keychain available:"),
        "{err}"
    );
    assert!(keychain.probe().await.is_err());
}
