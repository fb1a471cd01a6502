//! Accounts end to end against the local LN Markets server and a real Secret Service:
//! add (secrets to the keychain, the rest to settings), test connection, restart, edit,
//! remove — and the secret never shows up in settings or in anything sent to the web view.
//! Needs a session bus with an unlocked gnome-keyring; scripts/test runs it that way (see
//! tests/keychain.rs). The no-keychain case runs with no session bus at all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_app::accounts::{AccountForm, Accounts, ConnectionState, SettingsView};
use kestrel_app::error::ErrorCode;
use kestrel_app::keychain::{Keychain, KeychainError};
use kestrel_app::settings::{Settings, SettingsStore};
use kestrel_core::engine::{Engine, EngineConfig};
use kestrel_core::{AccountId, Clock, FieldValue, Network, SystemClock, VenueId};
use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use kestrel_tests::server::Fault;
use rust_decimal_macros::dec;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SERVICE: &str = "kestrel-accounts-test";
const CANARY: &str = "canary-5ec7e7-never-leaks";

/// A settings store that keeps what was saved, serialised as the plugin would write it.
#[derive(Default)]
struct MemoryStore {
    saved: Mutex<Option<String>>,
}

impl SettingsStore for MemoryStore {
    fn save(&self, settings: &Settings) -> Result<(), String> {
        let map: serde_json::Map<String, serde_json::Value> = settings
            .to_entries()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        *self.saved.lock().unwrap() = Some(serde_json::to_string_pretty(&map).unwrap());
        Ok(())
    }
}

impl MemoryStore {
    fn text(&self) -> String {
        self.saved.lock().unwrap().clone().unwrap_or_default()
    }

    fn settings(&self) -> Settings {
        serde_json::from_str(&self.text()).unwrap()
    }
}

async fn server() -> LnmServer {
    let api = ApiKey {
        key: "kestrel-key-0001".into(),
        secret: CANARY.into(),
        passphrase: "pass-1".into(),
    };
    LnmServer::start(api, 1_234_567, dec!(50000), dec!(50001), 100)
        .await
        .unwrap()
}

fn form(server: &LnmServer, secret: &str) -> AccountForm {
    AccountForm {
        venue: VenueId::LnMarkets,
        label: "Signet".into(),
        network: Network::Testnet,
        rest_url: Some(server.base_url()),
        ws_url: Some(format!("{}/v1", server.server.ws_url())),
        fields: vec![
            FieldValue {
                name: "key".into(),
                value: "kestrel-key-0001".into(),
            },
            FieldValue {
                name: "secret".into(),
                value: secret.into(),
            },
            FieldValue {
                name: "passphrase".into(),
                value: "pass-1".into(),
            },
        ],
    }
}

/// A registry with every view it pushed recorded as JSON (what the web view receives).
async fn registry(
    store: Arc<MemoryStore>,
    settings: Settings,
) -> (Accounts, Engine, Arc<Mutex<Vec<String>>>) {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(clock.clone(), EngineConfig::default());
    let accounts = Accounts::new(engine.clone(), Keychain::start(SERVICE), clock)
        .with_retry_delays(vec![Duration::from_millis(100)]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    accounts.watch(Box::new(move |view: &SettingsView| {
        sink.lock()
            .unwrap()
            .push(serde_json::to_string(view).unwrap());
        true
    }));
    accounts.attach(store, settings, None).await;
    (accounts, engine, seen)
}

async fn until_state(accounts: &Accounts, id: &AccountId, state: ConnectionState) {
    for _ in 0..100 {
        if accounts
            .view()
            .accounts
            .iter()
            .any(|a| &a.id == id && a.state == state)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "account never reached {state:?}: {:?}",
        accounts.view().accounts
    );
}

#[tokio::test]
#[ignore = "needs a Secret Service: run by scripts/test inside dbus-run-session with gnome-keyring"]
async fn an_account_is_added_tested_restored_after_a_restart_and_removed_without_leaking_its_secret(
) {
    let server = server().await;
    let store = Arc::new(MemoryStore::default());
    let (accounts, engine, seen) = registry(store.clone(), Settings::default()).await;
    assert!(
        accounts.view().keychain.available,
        "{:?}",
        accounts.view().keychain
    );

    // Add: the entry comes back with a masked key id, and the account connects.
    let entry = accounts.add(form(&server, CANARY)).await.unwrap();
    assert_eq!(entry.masked_key_id.as_deref(), Some("kest…01"));
    until_state(&accounts, &entry.id, ConnectionState::Connected).await;
    assert!(
        engine.accounts().iter().any(|a| a.id == entry.id),
        "in the switcher"
    );

    // Test connection: one authenticated call; the server holds 1 234 567 sats.
    let balance = accounts.test(&entry.id).await.unwrap();
    assert_eq!(
        (balance.currency.as_str(), balance.wallet),
        ("BTC", dec!(0.01234567))
    );
    let keychain = Keychain::start(SERVICE);
    let stored = keychain.read(entry.id.as_str(), "secret").await.unwrap();
    assert_eq!(secrecy::ExposeSecret::expose_secret(&stored), CANARY);

    // Settings hold the account but none of its secrets.
    let saved = store.text();
    assert!(!saved.contains("kestrel-key-0001") && !saved.contains("pass-1"));
    assert!(!saved.contains(CANARY), "secret in settings: {saved}");
    assert!(saved.contains(entry.id.as_str()));

    // Restart: a new registry over the saved settings reconnects from the keychain.
    drop(accounts);
    let (accounts, engine, _) = registry(store.clone(), store.settings()).await;
    until_state(&accounts, &entry.id, ConnectionState::Connected).await;
    assert!(engine.accounts().iter().any(|a| a.id == entry.id));

    // Edit the label only: secrets stay.
    let mut edit = form(&server, "");
    edit.label = "Signet 2".into();
    accounts.update(&entry.id, edit).await.unwrap();
    until_state(&accounts, &entry.id, ConnectionState::Connected).await;
    assert_eq!(store.settings().accounts[0].label, "Signet 2");

    // Remove: out of the engine, the settings and the keychain.
    accounts.remove(&entry.id).await.unwrap();
    assert!(store.settings().accounts.is_empty());
    assert!(!engine.accounts().iter().any(|a| a.id == entry.id));
    for field in ["key", "secret", "passphrase"] {
        assert!(matches!(
            keychain.read(entry.id.as_str(), field).await,
            Err(KeychainError::NotFound(_))
        ));
    }

    // Nothing the web view was sent held the secret.
    let views = seen.lock().unwrap();
    assert!(views.len() >= 3);
    assert!(views.iter().all(|v| !v.contains(CANARY)));
}

#[tokio::test]
#[ignore = "needs a Secret Service: run by scripts/test inside dbus-run-session with gnome-keyring"]
async fn a_wrong_secret_is_a_typed_auth_error_and_bad_input_names_its_field() {
    let server = server().await;
    let store = Arc::new(MemoryStore::default());
    let (accounts, engine, _) = registry(store.clone(), Settings::default()).await;

    let entry = accounts.add(form(&server, "not-the-secret")).await.unwrap();
    until_state(&accounts, &entry.id, ConnectionState::Failed).await;
    let err = accounts.test(&entry.id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::AuthRejected, "{err:?}");
    assert!(
        !engine.accounts().iter().any(|a| a.id == entry.id),
        "a refused key never reaches the switcher"
    );
    accounts.remove(&entry.id).await.unwrap();

    let mut bad = form(&server, CANARY);
    bad.ws_url = Some("http://127.0.0.1:1/v1".into());
    let err = accounts.add(bad).await.unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::InvalidInput, Some("ws_url"))
    );
    let mut bad = form(&server, CANARY);
    bad.fields.retain(|f| f.name != "passphrase");
    let err = accounts.add(bad).await.unwrap_err();
    assert_eq!(err.field.as_deref(), Some("passphrase"));
    // A venue whose connector is not built is refused by name.
    let mut bad = form(&server, CANARY);
    bad.venue = VenueId::Levret;
    assert_eq!(
        accounts.add(bad).await.unwrap_err().field.as_deref(),
        Some("venue")
    );
    // LMEX is built: the LN Markets form's passphrase is a field it does not have.
    let mut bad = form(&server, CANARY);
    bad.venue = VenueId::Lmex;
    assert_eq!(
        accounts.add(bad).await.unwrap_err().field.as_deref(),
        Some("passphrase")
    );
    assert!(store.settings().accounts.is_empty());
}

#[tokio::test]
#[ignore = "needs a Secret Service: run by scripts/test inside dbus-run-session with gnome-keyring"]
async fn a_venue_that_is_down_at_startup_is_retried_until_it_answers() {
    let server = server().await;
    let store = Arc::new(MemoryStore::default());
    let (accounts, _, _) = registry(store.clone(), Settings::default()).await;
    let entry = accounts.add(form(&server, CANARY)).await.unwrap();
    until_state(&accounts, &entry.id, ConnectionState::Connected).await;
    drop(accounts);

    // The venue is down (503) for the first two attempts after the restart.
    for _ in 0..2 {
        server.state.faults.inject(
            "/v3/time",
            Fault::Status {
                status: 503,
                body: r#"{"message":"maintenance","code":"SERVICE_UNAVAILABLE"}"#.into(),
                retry_after_s: None,
            },
        );
    }
    let (accounts, engine, _) = registry(store.clone(), store.settings()).await;
    until_state(&accounts, &entry.id, ConnectionState::Connected).await;
    assert!(engine.accounts().iter().any(|a| a.id == entry.id));
    assert!(
        server.state.requests("GET", "/v3/time") >= 4,
        "two failed attempts, then one that passed"
    );
    accounts.remove(&entry.id).await.unwrap();
}

#[tokio::test]
#[ignore = "needs no session bus: run by scripts/test with DBUS_SESSION_BUS_ADDRESS unset"]
async fn without_a_keychain_the_view_says_so_and_nothing_is_stored() {
    assert!(
        std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none(),
        "run without a session bus"
    );
    let server = server().await;
    let store = Arc::new(MemoryStore::default());
    let (accounts, engine, seen) = registry(store.clone(), Settings::default()).await;
    let view = accounts.view();
    assert!(!view.keychain.available);
    assert!(view
        .keychain
        .message
        .unwrap()
        .starts_with("No OS keychain available"));

    let err = accounts.add(form(&server, CANARY)).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::KeychainUnavailable, "{err:?}");
    assert!(
        err.message.starts_with("No OS keychain available"),
        "{}",
        err.message
    );
    assert!(store.text().is_empty(), "nothing saved: {}", store.text());
    assert!(accounts.view().accounts.is_empty());
    assert_eq!(engine.accounts().len(), 0);
    assert!(seen.lock().unwrap().iter().all(|v| !v.contains(CANARY)));
}
