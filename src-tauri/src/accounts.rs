//! The accounts a user connected in Settings: their public part in the settings store,
//! their secrets in the OS keychain, their connectors in the engine. Every change is
//! pushed to the Settings screen as a fresh [`SettingsView`].
//!
//! An account joins the engine (and so the account switcher) once one authenticated call
//! has succeeded. A failure the venue may get over (network, outage, rate limit, clock)
//! is retried in the background; a refused key is not.

use crate::error::{AppError, ErrorCode};
use crate::keychain::{mask_key_id, Keychain, KeychainError};
use crate::settings::{Preferences, Selection, Settings, SettingsStore, StoredAccount};
use kestrel_core::engine::Engine;
use kestrel_core::{AccountId, Balance, Clock, FieldValue, Network, VenueForm, VenueId};
use kestrel_venues::accounts::{
    self as venue_accounts, AccountSpec, Connector, Credentials, Entered,
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What add and update receive from the form. Secret values are held only until they
/// are in the keychain; `Debug` shows field names and lengths, never values.
#[derive(Clone, Debug, Deserialize, specta::Type)]
pub struct AccountForm {
    pub venue: VenueId,
    pub label: String,
    pub network: Network,
    /// None: the venue's default for the network.
    pub rest_url: Option<String>,
    pub ws_url: Option<String>,
    pub fields: Vec<FieldValue>,
}

/// Where an account's connection stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Connected,
    Failed,
    /// Kestrel has no connector for the venue yet.
    Unsupported,
}

/// An account as the Settings screen lists it. Holds no secret.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct AccountEntry {
    pub id: AccountId,
    pub venue: VenueId,
    pub label: String,
    pub network: Network,
    pub rest_url: Option<String>,
    pub ws_url: Option<String>,
    pub public_fields: Vec<FieldValue>,
    pub masked_key_id: Option<String>,
    pub state: ConnectionState,
    pub error: Option<AppError>,
    pub balance: Option<Balance>,
    /// When the last connection test finished (ms).
    pub checked_at: Option<i64>,
}

/// Whether secrets can be kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, specta::Type)]
pub struct KeychainStatus {
    pub available: bool,
    /// Still probing at startup: neither available nor known to be missing.
    pub checking: bool,
    pub message: Option<String>,
}

/// Everything the Settings screen shows.
#[derive(Clone, Debug, Serialize, specta::Type)]
pub struct SettingsView {
    pub keychain: KeychainStatus,
    /// What happened to an unusable settings file, if anything.
    pub store_notice: Option<String>,
    pub accounts: Vec<AccountEntry>,
    pub selection: Selection,
    /// Rebound hotkeys (action → combination, `null` for none); defaults elsewhere.
    pub keymap: BTreeMap<String, Option<String>>,
    pub preferences: Preferences,
}

/// Receives every new view; returns false once its receiver is gone.
pub type ViewSink = Box<dyn Fn(&SettingsView) -> bool + Send + Sync>;

struct Live {
    connector: Option<Connector>,
    state: ConnectionState,
    error: Option<AppError>,
    balance: Option<Balance>,
    checked_at: Option<i64>,
    /// Bumped on every edit, so a test started before it does not report after it.
    generation: u64,
}

struct Inner {
    settings: Settings,
    live: HashMap<AccountId, Live>,
    keychain: KeychainStatus,
    store_notice: Option<String>,
    store: Option<Arc<dyn SettingsStore>>,
    sinks: Vec<ViewSink>,
    next_generation: u64,
}

/// The account registry. Cheap to clone.
#[derive(Clone)]
pub struct Accounts {
    inner: Arc<Mutex<Inner>>,
    keychain: Keychain,
    engine: Engine,
    clock: Arc<dyn Clock>,
    retry_delays: Arc<Vec<Duration>>,
}

fn lock(m: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl From<KeychainError> for AppError {
    fn from(e: KeychainError) -> Self {
        let code = match e {
            KeychainError::Unavailable(_) => ErrorCode::KeychainUnavailable,
            KeychainError::Locked(_) => ErrorCode::KeychainLocked,
            KeychainError::NotFound(_) | KeychainError::Failed(_) => ErrorCode::Internal,
        };
        AppError {
            code,
            message: e.to_string(),
            retryable: matches!(code, ErrorCode::KeychainLocked),
            venue_code: None,
            field: None,
            retry_after_ms: None,
        }
    }
}

fn no_account(id: &AccountId) -> AppError {
    kestrel_core::Error::not_found(format!("no account '{id}'")).into()
}

fn invalid_input(field: &str, message: impl Into<String>) -> AppError {
    AppError {
        code: ErrorCode::InvalidInput,
        message: message.into(),
        retryable: false,
        venue_code: None,
        field: Some(field.to_owned()),
        retry_after_ms: None,
    }
}

fn form_of(venue: VenueId) -> Result<VenueForm, AppError> {
    venue_accounts::form(venue)
        .ok_or_else(|| invalid_input("venue", format!("{venue} accounts are built in")))
}

fn clean_url(url: Option<&String>) -> Option<String> {
    url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty())
}

fn new_account_id(venue: VenueId) -> AccountId {
    let prefix = match venue {
        VenueId::Demo => "demo",
        VenueId::LnMarkets => "lnm",
        VenueId::Lmex => "lmex",
        VenueId::Levret => "levret",
        VenueId::Limora => "limora",
        VenueId::LightCx => "lightcx",
    };
    AccountId(format!("{prefix}-{:016x}", rand::random::<u64>()))
}

fn spec_of(stored: &StoredAccount) -> AccountSpec {
    AccountSpec {
        id: stored.id.clone(),
        venue: stored.venue,
        label: stored.label.clone(),
        network: stored.network,
        rest_url: stored.rest_url.clone(),
        ws_url: stored.ws_url.clone(),
        public: stored.public.clone(),
    }
}

impl Accounts {
    /// A registry with no settings attached yet (see [`Accounts::attach`]).
    pub fn new(engine: Engine, keychain: Keychain, clock: Arc<dyn Clock>) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                settings: Settings::default(),
                live: HashMap::new(),
                keychain: KeychainStatus {
                    available: false,
                    checking: true,
                    message: None,
                },
                store_notice: None,
                store: None,
                sinks: Vec::new(),
                next_generation: 1,
            })),
            keychain,
            engine,
            clock,
            retry_delays: Arc::new(
                [2, 5, 10, 30, 60]
                    .into_iter()
                    .map(Duration::from_secs)
                    .collect(),
            ),
        }
    }

    /// Sets how long to wait between background connection attempts (tests shorten it).
    #[must_use]
    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Self {
        self.retry_delays = Arc::new(delays);
        self
    }

    /// Takes the settings read at startup and the store to write them to, probes the
    /// keychain, then connects every stored account in the background.
    pub async fn attach(
        &self,
        store: Arc<dyn SettingsStore>,
        settings: Settings,
        notice: Option<String>,
    ) {
        self.engine.set_risk_limits(settings.risk.clone());
        {
            let mut inner = lock(&self.inner);
            inner.store = Some(store);
            inner.store_notice = notice;
            inner.settings = settings;
        }
        self.probe_keychain().await;
        let stored = lock(&self.inner).settings.accounts.clone();
        for account in stored {
            self.start(&account).await;
        }
        self.publish();
    }

    /// The settings store could not be opened: say so; accounts cannot be added.
    pub fn attach_failed(&self, problem: &str) {
        lock(&self.inner).store_notice = Some(format!(
            "Kestrel could not open its settings store ({problem}). Accounts cannot be added or changed until this is fixed."
        ));
        self.publish();
    }

    async fn probe_keychain(&self) -> bool {
        let result = self.keychain.probe().await;
        self.record_probe(result)
    }

    /// Reads an account's secrets and starts connecting it.
    async fn start(&self, stored: &StoredAccount) {
        let generation = self.new_live(&stored.id, ConnectionState::Connecting);
        let credentials = match self.read_credentials(stored).await {
            Ok(c) => c,
            Err(e) => {
                self.finish(&stored.id, generation, Err(e), None);
                return;
            }
        };
        match Connector::new(&spec_of(stored), &credentials, self.clock.clone()) {
            Ok(connector) => {
                if let Some(live) = lock(&self.inner).live.get_mut(&stored.id) {
                    live.connector = Some(connector);
                }
                self.spawn_connect(stored.id.clone(), generation);
            }
            Err(e) => {
                let unsupported = matches!(e.kind, kestrel_core::ErrorKind::Unsupported);
                let mut inner = lock(&self.inner);
                if let Some(live) = inner.live.get_mut(&stored.id) {
                    live.state = if unsupported {
                        ConnectionState::Unsupported
                    } else {
                        ConnectionState::Failed
                    };
                    live.error = Some(e.into());
                }
            }
        }
    }

    async fn read_credentials(&self, stored: &StoredAccount) -> Result<Credentials, AppError> {
        let mut credentials = Credentials::default();
        for field in &stored.secret_fields {
            match self.keychain.read(stored.id.as_str(), field).await {
                Ok(secret) => credentials.insert(field, secret),
                Err(KeychainError::NotFound(_)) => {
                    return Err(AppError {
                        code: ErrorCode::AuthRejected,
                        message: format!(
                            "The {field} of this account is missing from the OS keychain. Edit the account and enter it again."
                        ),
                        retryable: false,
                        venue_code: None,
                        field: Some(field.clone()),
                        retry_after_ms: None,
                    })
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(credentials)
    }

    fn new_live(&self, id: &AccountId, state: ConnectionState) -> u64 {
        let mut inner = lock(&self.inner);
        let generation = inner.next_generation;
        inner.next_generation += 1;
        inner.live.insert(
            id.clone(),
            Live {
                connector: None,
                state,
                error: None,
                balance: None,
                checked_at: None,
                generation,
            },
        );
        generation
    }

    /// Tests the connection in the background, retrying what may pass later.
    fn spawn_connect(&self, id: AccountId, generation: u64) {
        let this = self.clone();
        tauri::async_runtime::spawn(async move {
            let mut delays = this.retry_delays.iter().copied();
            let mut last = this
                .retry_delays
                .last()
                .copied()
                .unwrap_or(Duration::from_secs(60));
            loop {
                match this.test_generation(&id, generation).await {
                    Some(Err(e)) if e.retryable => {
                        let delay = delays.next().unwrap_or(last);
                        last = delay;
                        tokio::time::sleep(delay).await;
                    }
                    _ => return,
                }
            }
        });
    }

    /// One connection test for the current generation; None when the account changed.
    async fn test_generation(
        &self,
        id: &AccountId,
        generation: u64,
    ) -> Option<Result<Balance, AppError>> {
        let connector = {
            let inner = lock(&self.inner);
            let live = inner.live.get(id)?;
            if live.generation != generation {
                return None;
            }
            live.connector.clone()?
        };
        let result = connector.test_connection().await.map_err(AppError::from);
        self.finish(id, generation, result.clone(), Some(&connector));
        Some(result)
    }

    /// Records a connection outcome and, on success, puts the account in the engine.
    fn finish(
        &self,
        id: &AccountId,
        generation: u64,
        result: Result<Balance, AppError>,
        connector: Option<&Connector>,
    ) {
        let now = self.clock.now_ms();
        {
            let mut inner = lock(&self.inner);
            let Some(live) = inner.live.get_mut(id) else {
                return;
            };
            if live.generation != generation {
                return;
            }
            live.checked_at = Some(now);
            match &result {
                Ok(balance) => {
                    live.state = ConnectionState::Connected;
                    live.error = None;
                    live.balance = Some(balance.clone());
                }
                Err(e) => {
                    // A connected account stays in the switcher through a failed test
                    // (its stream reconnects on its own); the error is shown.
                    if live.state != ConnectionState::Connected {
                        live.state = ConnectionState::Failed;
                    }
                    live.error = Some(e.clone());
                }
            }
        }
        match (&result, connector) {
            (Ok(_), Some(connector)) if !self.engine.accounts().iter().any(|a| &a.id == id) => {
                self.engine.add_market(connector.market());
                self.engine
                    .add_account(connector.info(), connector.trading());
                tracing::info!(account = %id, "account connected");
            }
            (Err(e), _) => {
                tracing::warn!(account = %id, code = ?e.code, error = %e.message, "account connection failed")
            }
            _ => {}
        }
        self.publish();
    }

    /// The Settings screen's view.
    pub fn view(&self) -> SettingsView {
        view_of(&lock(&self.inner))
    }

    /// Sends the view to `sink` now and after every change.
    pub fn watch(&self, sink: ViewSink) {
        let mut inner = lock(&self.inner);
        if sink(&view_of(&inner)) {
            inner.sinks.push(sink);
        }
    }

    fn publish(&self) {
        let mut inner = lock(&self.inner);
        let view = view_of(&inner);
        inner.sinks.retain(|sink| sink(&view));
    }

    fn save(&self) -> Result<(), AppError> {
        let (store, settings) = {
            let inner = lock(&self.inner);
            (inner.store.clone(), inner.settings.clone())
        };
        let store = store.ok_or_else(|| AppError::internal("settings are not loaded yet"))?;
        store
            .save(&settings)
            .map_err(|e| AppError::internal(format!("could not save settings: {e}")))
    }

    /// Checks `form`, stores its secrets in the keychain and the rest in settings, then
    /// connects. Nothing is kept if any step before the connection fails.
    pub async fn add(&self, form: AccountForm) -> Result<AccountEntry, AppError> {
        let venue_form = form_of(form.venue)?;
        if !venue_form.available {
            return Err(invalid_input(
                "venue",
                venue_form.unavailable_reason.unwrap_or_default(),
            ));
        }
        check(&venue_form, &form, false)?;
        self.require_keychain().await?;
        let id = new_account_id(form.venue);
        let (stored, secrets) = split(&venue_form, &id, &form, None);
        self.store_secrets(&id, secrets).await?;
        {
            let mut inner = lock(&self.inner);
            inner.settings.accounts.push(stored.clone());
        }
        if let Err(e) = self.save() {
            lock(&self.inner).settings.accounts.retain(|a| a.id != id);
            self.delete_secrets(&stored).await;
            return Err(e);
        }
        tracing::info!(account = %id, venue = %form.venue, "account added");
        self.start(&stored).await;
        self.publish();
        self.entry(&id)
    }

    /// Changes an account. Blank secret fields keep the stored secrets.
    pub async fn update(
        &self,
        id: &AccountId,
        form: AccountForm,
    ) -> Result<AccountEntry, AppError> {
        let previous = self.stored(id)?;
        if previous.venue != form.venue {
            return Err(invalid_input(
                "venue",
                "An account cannot move to another venue; add a new one.",
            ));
        }
        let venue_form = form_of(form.venue)?;
        check(&venue_form, &form, true)?;
        let (stored, secrets) = split(&venue_form, id, &form, Some(&previous));
        if !secrets.is_empty() {
            self.require_keychain().await?;
            self.store_secrets(id, secrets).await?;
        }
        {
            let mut inner = lock(&self.inner);
            if let Some(slot) = inner.settings.accounts.iter_mut().find(|a| &a.id == id) {
                *slot = stored.clone();
            }
        }
        self.save()?;
        self.disconnect(id);
        tracing::info!(account = %id, "account changed");
        self.start(&stored).await;
        self.publish();
        self.entry(id)
    }

    /// Disconnects an account and deletes its secrets and its settings.
    pub async fn remove(&self, id: &AccountId) -> Result<(), AppError> {
        let stored = self.stored(id)?;
        // Every secret field the venue has, not only those recorded: nothing is left over.
        let mut fields = stored.secret_fields.clone();
        if let Some(form) = venue_accounts::form(stored.venue) {
            fields.extend(
                form.fields
                    .iter()
                    .filter(|f| f.secret)
                    .map(|f| f.name.clone()),
            );
        }
        fields.sort();
        fields.dedup();
        for field in &fields {
            self.keychain.delete(id.as_str(), field).await?;
        }
        self.disconnect(id);
        {
            let mut inner = lock(&self.inner);
            inner.settings.accounts.retain(|a| &a.id != id);
            inner.live.remove(id);
            if inner.settings.selection.account.as_ref() == Some(id) {
                inner.settings.selection = Selection::default();
            }
        }
        self.save()?;
        tracing::info!(account = %id, "account removed");
        self.publish();
        Ok(())
    }

    /// One authenticated call now: the balance or the typed error.
    pub async fn test(&self, id: &AccountId) -> Result<Balance, AppError> {
        let generation = {
            let inner = lock(&self.inner);
            let live = inner.live.get(id).ok_or_else(|| no_account(id))?;
            if live.connector.is_none() {
                return Err(live.error.clone().unwrap_or_else(|| {
                    AppError::internal("the account has no connection to test")
                }));
            }
            live.generation
        };
        self.test_generation(id, generation)
            .await
            .unwrap_or_else(|| {
                Err(AppError::internal(
                    "the account changed while it was tested",
                ))
            })
    }

    /// The connector of a connected account: for venue-only features.
    pub fn connector(&self, id: &AccountId) -> Result<Connector, AppError> {
        let inner = lock(&self.inner);
        let live = inner.live.get(id).ok_or_else(|| no_account(id))?;
        match (&live.connector, live.state) {
            (Some(c), ConnectionState::Connected) => Ok(c.clone()),
            _ => Err(live.error.clone().unwrap_or_else(|| {
                AppError::from(kestrel_core::Error::network(
                    "the account is not connected yet",
                ))
            })),
        }
    }

    /// Remembers what the user is looking at.
    pub fn remember(&self, selection: Selection) -> Result<(), AppError> {
        {
            let mut inner = lock(&self.inner);
            if inner.settings.selection == selection {
                return Ok(());
            }
            inner.settings.selection = selection;
        }
        self.save()
    }

    /// Saves the user's hotkeys. At most 64 actions, names and combinations under 64
    /// characters: the UI validates the meaning, this keeps the file sane.
    pub fn save_keymap(&self, keymap: BTreeMap<String, Option<String>>) -> Result<(), AppError> {
        let sane = keymap.len() <= 64
            && keymap
                .iter()
                .all(|(k, v)| k.len() < 64 && v.as_ref().is_none_or(|c| c.len() < 64));
        if !sane {
            return Err(invalid_input(
                "keymap",
                "too many or too long hotkey entries",
            ));
        }
        {
            let mut inner = lock(&self.inner);
            if inner.settings.keymap == keymap {
                return Ok(());
            }
            inner.settings.keymap = keymap;
        }
        self.save()?;
        self.publish();
        Ok(())
    }

    /// Saves how fills and rejections are announced.
    pub fn save_preferences(&self, preferences: Preferences) -> Result<(), AppError> {
        {
            let mut inner = lock(&self.inner);
            if inner.settings.preferences == preferences {
                return Ok(());
            }
            inner.settings.preferences = preferences;
        }
        self.save()?;
        self.publish();
        Ok(())
    }

    fn disconnect(&self, id: &AccountId) {
        let venue = lock(&self.inner)
            .live
            .get(id)
            .and_then(|l| l.connector.as_ref().map(|c| c.info().venue));
        if self.engine.accounts().iter().any(|a| &a.id == id) {
            self.engine.remove_account(id);
        }
        if let Some(venue) = venue {
            self.rehome_market(venue, id);
        }
        if let Some(live) = lock(&self.inner).live.get_mut(id) {
            live.connector = None;
            live.generation = 0;
        }
    }

    /// After `gone` leaves, the venue's market data comes from another connected account
    /// of the venue, or from none.
    fn rehome_market(&self, venue: VenueId, gone: &AccountId) {
        let other = {
            let inner = lock(&self.inner);
            inner
                .live
                .iter()
                .filter(|(id, l)| *id != gone && l.state == ConnectionState::Connected)
                .find_map(|(_, l)| l.connector.clone().filter(|c| c.info().venue == venue))
        };
        match other {
            Some(connector) => self.engine.add_market(connector.market()),
            None => self.engine.remove_market(venue),
        }
    }

    async fn require_keychain(&self) -> Result<(), AppError> {
        if lock(&self.inner).keychain.available {
            return Ok(());
        }
        // The user may have unlocked or started a keyring since the last probe.
        let result = self.keychain.probe().await;
        self.record_probe(result.clone());
        self.publish();
        result.map_err(AppError::from)
    }

    fn record_probe(&self, result: Result<(), KeychainError>) -> bool {
        let status = match result {
            Ok(()) => KeychainStatus {
                available: true,
                checking: false,
                message: None,
            },
            Err(e) => {
                tracing::warn!(error = %e, "OS keychain unavailable");
                KeychainStatus {
                    available: false,
                    checking: false,
                    message: Some(e.to_string()),
                }
            }
        };
        let available = status.available;
        lock(&self.inner).keychain = status;
        available
    }

    /// Stores secrets; on a failure, deletes those already written and reports it.
    async fn store_secrets(
        &self,
        id: &AccountId,
        secrets: Vec<(String, SecretString)>,
    ) -> Result<(), AppError> {
        let mut written: Vec<String> = Vec::new();
        for (field, secret) in secrets {
            if let Err(e) = self.keychain.store(id.as_str(), &field, secret).await {
                for done in &written {
                    let _ = self.keychain.delete(id.as_str(), done).await;
                }
                return Err(e.into());
            }
            written.push(field);
        }
        Ok(())
    }

    async fn delete_secrets(&self, stored: &StoredAccount) {
        for field in &stored.secret_fields {
            if let Err(e) = self.keychain.delete(stored.id.as_str(), field).await {
                tracing::warn!(account = %stored.id, %field, error = %e, "could not delete a secret");
            }
        }
    }

    fn stored(&self, id: &AccountId) -> Result<StoredAccount, AppError> {
        lock(&self.inner)
            .settings
            .accounts
            .iter()
            .find(|a| &a.id == id)
            .cloned()
            .ok_or_else(|| no_account(id))
    }

    fn entry(&self, id: &AccountId) -> Result<AccountEntry, AppError> {
        let inner = lock(&self.inner);
        inner
            .settings
            .accounts
            .iter()
            .find(|a| &a.id == id)
            .map(|a| entry_of(a, inner.live.get(id)))
            .ok_or_else(|| no_account(id))
    }
}

/// Checks the form's shape and values against the venue's rules.
fn check(venue_form: &VenueForm, form: &AccountForm, editing: bool) -> Result<(), AppError> {
    let rest_url = clean_url(form.rest_url.as_ref());
    let ws_url = clean_url(form.ws_url.as_ref());
    venue_accounts::validate(
        venue_form,
        &Entered {
            label: &form.label,
            rest_url: rest_url.as_deref(),
            ws_url: ws_url.as_deref(),
            values: &form.fields,
            editing,
        },
    )
    .map_err(|e| invalid_input(&e.field, e.message))
}

/// Splits a checked form into what settings keep and the secrets for the keychain.
fn split(
    venue_form: &VenueForm,
    id: &AccountId,
    form: &AccountForm,
    previous: Option<&StoredAccount>,
) -> (StoredAccount, Vec<(String, SecretString)>) {
    let mut public = Vec::new();
    let mut secrets = Vec::new();
    let mut secret_fields: Vec<String> = previous
        .map(|p| p.secret_fields.clone())
        .unwrap_or_default();
    let mut masked_key_id = previous.and_then(|p| p.masked_key_id.clone());
    let key_field = venue_accounts::key_field(form.venue);
    for value in &form.fields {
        let text = value.value.trim();
        let Some(field) = venue_form.field(&value.name) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        if Some(field.name.as_str()) == key_field {
            masked_key_id = Some(mask_key_id(text));
        }
        if field.secret {
            secrets.push((field.name.clone(), SecretString::from(text.to_owned())));
            if !secret_fields.contains(&field.name) {
                secret_fields.push(field.name.clone());
            }
        } else {
            public.push(FieldValue {
                name: field.name.clone(),
                value: text.to_owned(),
            });
        }
    }
    let stored = StoredAccount {
        id: id.clone(),
        venue: form.venue,
        label: form.label.trim().to_owned(),
        network: form.network,
        rest_url: clean_url(form.rest_url.as_ref()),
        ws_url: clean_url(form.ws_url.as_ref()),
        public,
        secret_fields,
        masked_key_id,
    };
    (stored, secrets)
}

fn entry_of(stored: &StoredAccount, live: Option<&Live>) -> AccountEntry {
    AccountEntry {
        id: stored.id.clone(),
        venue: stored.venue,
        label: stored.label.clone(),
        network: stored.network,
        rest_url: stored.rest_url.clone(),
        ws_url: stored.ws_url.clone(),
        public_fields: stored.public.clone(),
        masked_key_id: stored.masked_key_id.clone(),
        state: live.map_or(ConnectionState::Connecting, |l| l.state),
        error: live.and_then(|l| l.error.clone()),
        balance: live.and_then(|l| l.balance.clone()),
        checked_at: live.and_then(|l| l.checked_at),
    }
}

fn view_of(inner: &Inner) -> SettingsView {
    SettingsView {
        keychain: inner.keychain.clone(),
        store_notice: inner.store_notice.clone(),
        accounts: inner
            .settings
            .accounts
            .iter()
            .map(|a| entry_of(a, inner.live.get(&a.id)))
            .collect(),
        selection: inner.settings.selection.clone(),
        keymap: inner.settings.keymap.clone(),
        preferences: inner.settings.preferences.clone(),
    }
}
