//! Non-secret settings — accounts (without their secrets), what the user last looked at,
//! risk limits — kept in `tauri-plugin-store`'s `settings.json` in the app data directory.
//!
//! The plugin silently starts empty when its file does not parse, and would overwrite the
//! file on the next save. So the file is checked first: one that cannot be read as
//! settings is moved aside (`settings.corrupt-<ms>.json`), reported to the UI, and
//! replaced by defaults. Keychain entries are never touched here.

use kestrel_core::risk::RiskLimits;
use kestrel_core::{AccountId, FieldValue, Network, Timeframe, VenueId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The store file's name, relative to the app data directory.
pub const FILE: &str = "settings.json";
/// The schema version written by this build.
pub const VERSION: u32 = 1;

/// An account as the settings file keeps it: everything but the secrets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAccount {
    pub id: AccountId,
    pub venue: VenueId,
    pub label: String,
    pub network: Network,
    #[serde(default)]
    pub rest_url: Option<String>,
    #[serde(default)]
    pub ws_url: Option<String>,
    /// Non-secret form fields.
    #[serde(default)]
    pub public: Vec<FieldValue>,
    /// The form fields whose secrets are in the keychain under `<id>/<field>`.
    #[serde(default)]
    pub secret_fields: Vec<String>,
    /// The key id as the UI may show it (`ab12…f9`).
    #[serde(default)]
    pub masked_key_id: Option<String>,
}

/// What the user was looking at, restored at the next start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Selection {
    pub account: Option<AccountId>,
    /// The instrument's symbol on the account's venue.
    pub instrument: Option<String>,
    pub timeframe: Option<Timeframe>,
}

/// Everything in the settings file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    #[serde(default = "current_version")]
    pub version: u32,
    #[serde(default)]
    pub accounts: Vec<StoredAccount>,
    #[serde(default)]
    pub selection: Selection,
    #[serde(default)]
    pub risk: RiskLimits,
    /// Hotkeys the user rebound: action → key combination (`null`: deliberately none).
    /// Actions not listed use the defaults; the UI validates what it reads back.
    #[serde(default)]
    pub keymap: BTreeMap<String, Option<String>>,
    #[serde(default)]
    pub preferences: Preferences,
}

/// How the terminal tells the trader about fills and rejections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
pub struct Preferences {
    /// A desktop notification (besides the toast) on fills and rejections.
    #[serde(default = "yes")]
    pub desktop_notifications: bool,
    /// A short sound on fills and rejections.
    #[serde(default)]
    pub sounds: bool,
}

fn yes() -> bool {
    true
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            desktop_notifications: true,
            sounds: false,
        }
    }
}

fn current_version() -> u32 {
    VERSION
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            version: VERSION,
            accounts: Vec::new(),
            selection: Selection::default(),
            risk: RiskLimits::default(),
            keymap: BTreeMap::new(),
            preferences: Preferences::default(),
        }
    }
}

impl Settings {
    /// The settings as the store's top-level keys.
    pub fn to_entries(&self) -> Vec<(&'static str, serde_json::Value)> {
        let value = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
        vec![
            ("version", serde_json::Value::from(self.version)),
            ("accounts", value(serde_json::to_value(&self.accounts))),
            ("selection", value(serde_json::to_value(&self.selection))),
            ("risk", value(serde_json::to_value(&self.risk))),
            ("keymap", value(serde_json::to_value(&self.keymap))),
            (
                "preferences",
                value(serde_json::to_value(&self.preferences)),
            ),
        ]
    }
}

/// Settings as read at startup, with what the user should be told about the file.
#[derive(Debug)]
pub struct Loaded {
    pub settings: Settings,
    /// Why the file was set aside, if it was.
    pub notice: Option<String>,
}

/// Reads the settings file at `path`. A missing file gives defaults; a file that cannot
/// be read as settings (or was written by a newer Kestrel) is moved aside, with a notice.
pub fn load(path: &Path, now_ms: i64) -> Loaded {
    let problem = match std::fs::read(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Loaded {
                settings: Settings::default(),
                notice: None,
            };
        }
        Err(e) => format!("it could not be read ({e})"),
        Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
            Ok(settings) if settings.version <= VERSION => {
                return Loaded {
                    settings,
                    notice: None,
                };
            }
            Ok(settings) => format!(
                "it was written by a newer Kestrel (settings version {})",
                settings.version
            ),
            Err(e) => format!("it is not valid settings ({e})"),
        },
    };
    let aside = aside_path(path, now_ms);
    let notice = match std::fs::rename(path, &aside) {
        Ok(()) => format!(
            "Your settings file could not be used: {problem}. It was moved to {} and Kestrel started with default settings. Secrets in the OS keychain were not touched; add the accounts again to use them.",
            aside.display()
        ),
        Err(e) => format!(
            "Your settings file could not be used: {problem}, and could not be moved aside ({e}). Kestrel started with default settings and will overwrite it when settings change."
        ),
    };
    tracing::warn!(path = %path.display(), %problem, "settings file set aside");
    Loaded {
        settings: Settings::default(),
        notice: Some(notice),
    }
}

fn aside_path(path: &Path, now_ms: i64) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "settings".into(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.corrupt-{now_ms}.json"))
}

/// Where settings are written: the plugin store in the app, a plain map in tests.
pub trait SettingsStore: Send + Sync {
    /// Writes every setting and flushes to disk.
    fn save(&self, settings: &Settings) -> Result<(), String>;
}

/// `tauri-plugin-store`'s store.
pub struct PluginStore<R: tauri::Runtime> {
    store: std::sync::Arc<tauri_plugin_store::Store<R>>,
}

impl<R: tauri::Runtime> PluginStore<R> {
    /// Checks the file (moving a corrupt one aside), then opens it through the plugin.
    pub fn open(app: &tauri::AppHandle<R>, now_ms: i64) -> Result<(Self, Loaded), String> {
        let path = tauri_plugin_store::resolve_store_path(app, FILE).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        let loaded = load(&path, now_ms);
        let store = tauri_plugin_store::StoreBuilder::new(app, &path)
            .disable_auto_save()
            .build()
            .map_err(|e| e.to_string())?;
        Ok((Self { store }, loaded))
    }
}

impl<R: tauri::Runtime> SettingsStore for PluginStore<R> {
    fn save(&self, settings: &Settings) -> Result<(), String> {
        for (key, value) in settings.to_entries() {
            self.store.set(key, value);
        }
        self.store.save().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "kestrel-settings-{}-{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        dir
    }

    #[test]
    fn a_missing_file_gives_defaults_without_a_notice() {
        let loaded = load(&temp_dir().join(FILE), 1);
        assert_eq!(loaded.settings, Settings::default());
        assert!(loaded.notice.is_none());
    }

    #[test]
    fn settings_survive_a_round_trip_through_the_store_layout() {
        let mut settings = Settings::default();
        settings.accounts.push(StoredAccount {
            id: "lnm-1".into(),
            venue: VenueId::LnMarkets,
            label: "Main".into(),
            network: Network::Testnet,
            rest_url: Some("http://127.0.0.1:1".into()),
            ws_url: None,
            public: vec![],
            secret_fields: vec!["key".into(), "secret".into()],
            masked_key_id: Some("ab12…f9".into()),
        });
        settings.selection.instrument = Some("BTCUSD".into());
        settings
            .keymap
            .insert("buyMarket".into(), Some("Ctrl+Shift+B".into()));
        settings.keymap.insert("flatten".into(), None);
        settings.preferences.sounds = true;
        let map: serde_json::Map<String, serde_json::Value> = settings
            .to_entries()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let path = temp_dir().join(FILE);
        std::fs::write(&path, serde_json::to_vec_pretty(&map).unwrap_or_default())
            .unwrap_or_default();
        let loaded = load(&path, 1);
        assert_eq!(loaded.settings, settings);
        assert!(loaded.notice.is_none());
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_and_reported() {
        let dir = temp_dir();
        let path = dir.join(FILE);
        std::fs::write(&path, b"{\"accounts\": [ this is not json").unwrap_or_default();
        let loaded = load(&path, 42);
        assert_eq!(loaded.settings, Settings::default());
        let notice = loaded.notice.unwrap_or_default();
        assert!(notice.contains("settings.corrupt-42.json"), "{notice}");
        assert!(!path.exists());
        let aside = std::fs::read(dir.join("settings.corrupt-42.json")).unwrap_or_default();
        assert!(aside.starts_with(b"{\"accounts\""));
    }

    #[test]
    fn a_file_of_the_wrong_shape_or_from_a_newer_build_is_set_aside() {
        let dir = temp_dir();
        let path = dir.join(FILE);
        std::fs::write(&path, br#"{"accounts": {"not": "a list"}}"#).unwrap_or_default();
        assert!(load(&path, 1).notice.is_some());
        std::fs::write(&path, br#"{"version": 99}"#).unwrap_or_default();
        let notice = load(&path, 2).notice.unwrap_or_default();
        assert!(notice.contains("newer Kestrel"), "{notice}");
    }
}
