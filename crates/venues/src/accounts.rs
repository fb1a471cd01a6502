//! Connecting configured accounts: each venue's Settings form, the checks on what was
//! entered, and the connector an account gets. The app stores the public part of an
//! account in its settings and the secret part in the OS keychain; this module sees both
//! only long enough to build a connector.

use crate::lmex::{self, Lmex, LmexConfig};
use crate::lnmarkets::{self, LnMarkets, LnmConfig};
use kestrel_core::{
    AccountId, AccountInfo, Balance, Clock, Error, FieldKind, FieldValue, FormField, MarketData,
    Network, Result, Trading, VenueForm, VenueId,
};
use secrecy::{ExposeSecret, SecretString};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Longest account label.
pub const MAX_LABEL_CHARS: usize = 40;

/// The public part of an account: everything but its secrets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSpec {
    pub id: AccountId,
    pub venue: VenueId,
    pub label: String,
    pub network: Network,
    /// Overrides the venue's REST base for the network.
    pub rest_url: Option<String>,
    /// Overrides the venue's WebSocket URL for the network.
    pub ws_url: Option<String>,
    /// Non-secret form fields (user id, e-mail, wallet address).
    pub public: Vec<FieldValue>,
}

/// An account's secrets by field name. `Debug` lists the names only.
#[derive(Default)]
pub struct Credentials(BTreeMap<String, SecretString>);

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Credentials {
    /// Adds or replaces one secret.
    pub fn insert(&mut self, field: &str, secret: SecretString) {
        self.0.insert(field.to_owned(), secret);
    }

    /// The secret for `field`.
    pub fn get(&self, field: &str) -> Option<&SecretString> {
        self.0.get(field)
    }

    fn require(&self, field: &str) -> Result<&SecretString> {
        self.get(field)
            .filter(|s| !s.expose_secret().is_empty())
            .ok_or_else(|| Error::auth(format!("the account has no {field} stored")))
    }
}

/// A field entered in the form that breaks a rule.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FieldError {
    /// `label`, `rest_url`, `ws_url`, or one of the venue form's field names.
    pub field: String,
    pub message: String,
}

impl FieldError {
    fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Every venue's form, in the order the UI lists venues (the Demo needs none).
pub fn forms() -> Vec<VenueForm> {
    VenueId::ALL.into_iter().filter_map(form).collect()
}

/// The form for `venue`, or `None` for the built-in Demo.
pub fn form(venue: VenueId) -> Option<VenueForm> {
    use FieldKind::{Email, HexPrivateKey, Seconds, Text, Url};
    let unbuilt = |venue: VenueId, fields: Vec<FormField>| VenueForm {
        venue,
        name: venue.name().into(),
        available: false,
        unavailable_reason: Some(format!(
            "Kestrel cannot trade on {} yet: its connector is not built.",
            venue.name()
        )),
        fields,
        mainnet_rest: None,
        mainnet_ws: None,
        testnet_rest: None,
        testnet_ws: None,
    };
    Some(match venue {
        VenueId::Demo => return None,
        VenueId::LnMarkets => VenueForm {
            venue,
            name: venue.name().into(),
            available: true,
            unavailable_reason: None,
            fields: vec![
                FormField::new("key", "API key", Text, true)
                    .help("Create one under Settings → API on LN Markets (v3)."),
                FormField::new("secret", "API secret", Text, true),
                FormField::new("passphrase", "Passphrase", Text, true),
            ],
            mainnet_rest: Some(lnmarkets::rest::MAINNET.into()),
            mainnet_ws: Some(lnmarkets::ws::MAINNET.into()),
            testnet_rest: Some(lnmarkets::rest::SIGNET.into()),
            testnet_ws: Some(lnmarkets::ws::SIGNET.into()),
        },
        VenueId::Lmex => VenueForm {
            venue,
            name: venue.name().into(),
            available: true,
            unavailable_reason: None,
            fields: vec![
                FormField::new("key", "API key", Text, true)
                    .help("Create one under Account → API Management on LMEX (futures, trading allowed)."),
                FormField::new("secret", "API secret", Text, true),
                FormField::new(CANCEL_AFTER_FIELD, "Cancel orders if disconnected (s)", Seconds, false)
                    .optional()
                    .help("LMEX's dead-man switch: while Kestrel is connected it re-arms cancelAllAfter; if Kestrel goes silent this many seconds, the venue cancels every working order. Empty: off."),
            ],
            mainnet_rest: Some(lmex::rest::MAINNET.into()),
            mainnet_ws: Some(lmex::ws::MAINNET.into()),
            testnet_rest: Some(lmex::rest::TESTNET.into()),
            testnet_ws: Some(lmex::ws::TESTNET.into()),
        },
        VenueId::Levret => unbuilt(
            venue,
            vec![
                FormField::new("key", "Key id", Text, true),
                FormField::new("secret", "Key secret", Text, true),
                FormField::new("user_id", "User id", Text, false)
                    .optional()
                    .help("Needed by the position routes."),
                FormField::new("jwt", "JWT", Text, true).optional(),
            ],
        ),
        VenueId::Limora => unbuilt(
            venue,
            vec![
                FormField::new("private_key", "Wallet private key", HexPrivateKey, true)
                    .help("Prefer a key made only for trading."),
            ],
        ),
        VenueId::LightCx => unbuilt(
            venue,
            vec![
                FormField::new("email", "E-mail", Email, false),
                FormField::new("password", "Password", Text, true),
                FormField::new("api_url", "API base URL", Url, false),
            ],
        ),
    })
}

/// LMEX's dead-man switch timeout, in seconds (a public form field).
const CANCEL_AFTER_FIELD: &str = "cancel_after_s";
/// Its limits.
const CANCEL_AFTER_SECONDS: std::ops::RangeInclusive<u64> = 10..=3_600;

/// The field whose value the UI may show masked as the account's key id.
pub fn key_field(venue: VenueId) -> Option<&'static str> {
    match venue {
        VenueId::LnMarkets | VenueId::Lmex | VenueId::Levret => Some("key"),
        VenueId::Limora => Some("private_key"),
        VenueId::LightCx => Some("email"),
        VenueId::Demo => None,
    }
}

/// What an add or edit asks for, before anything is stored.
pub struct Entered<'a> {
    pub label: &'a str,
    pub rest_url: Option<&'a str>,
    pub ws_url: Option<&'a str>,
    pub values: &'a [FieldValue],
    /// Editing an account: blank secrets keep the stored ones.
    pub editing: bool,
}

/// Checks what was entered against the venue's form: the first rule broken, by field.
pub fn validate(form: &VenueForm, entered: &Entered<'_>) -> std::result::Result<(), FieldError> {
    let label = entered.label.trim();
    if label.is_empty() {
        return Err(FieldError::new("label", "Give the account a name."));
    }
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(FieldError::new(
            "label",
            format!("Keep the name within {MAX_LABEL_CHARS} characters."),
        ));
    }
    if let Some(extra) = entered
        .values
        .iter()
        .find(|v| form.field(&v.name).is_none())
    {
        return Err(FieldError::new(
            &extra.name,
            format!("{} has no field called {}.", form.name, extra.name),
        ));
    }
    for field in &form.fields {
        let value = entered
            .values
            .iter()
            .find(|v| v.name == field.name)
            .map_or("", |v| v.value.trim());
        if value.is_empty() {
            if field.required && !(entered.editing && field.secret) {
                return Err(FieldError::new(
                    &field.name,
                    format!("Enter the {}.", field.label.to_lowercase()),
                ));
            }
            continue;
        }
        check_kind(field, value)?;
    }
    if let Some(url) = entered.rest_url {
        check_url(
            "rest_url",
            url,
            &["http", "https"],
            "A REST URL starts with http:// or https://.",
        )?;
    }
    if let Some(url) = entered.ws_url {
        check_url(
            "ws_url",
            url,
            &["ws", "wss"],
            "A WebSocket URL starts with ws:// or wss://.",
        )?;
    }
    Ok(())
}

fn check_kind(field: &FormField, value: &str) -> std::result::Result<(), FieldError> {
    match field.kind {
        FieldKind::Text => Ok(()),
        FieldKind::Seconds => value
            .parse::<u64>()
            .ok()
            .filter(|s| CANCEL_AFTER_SECONDS.contains(s))
            .map(|_| ())
            .ok_or_else(|| {
                FieldError::new(
                    &field.name,
                    format!(
                        "Enter whole seconds from {} to {}.",
                        CANCEL_AFTER_SECONDS.start(),
                        CANCEL_AFTER_SECONDS.end()
                    ),
                )
            }),
        FieldKind::Email => {
            let ok = value.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !value.contains(' ')
            });
            ok.then_some(()).ok_or_else(|| {
                FieldError::new(
                    &field.name,
                    "Enter an e-mail address like name@example.com.",
                )
            })
        }
        FieldKind::Url => check_url(
            &field.name,
            value,
            &["http", "https", "ws", "wss"],
            "Enter a full URL, like https://example.com.",
        ),
        FieldKind::HexPrivateKey => {
            let hex = value.strip_prefix("0x").unwrap_or(value);
            if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                Ok(())
            } else {
                Err(FieldError::new(
                    &field.name,
                    format!(
                        "A private key is 64 hexadecimal characters (optionally after 0x); this has {}.",
                        hex.len()
                    ),
                ))
            }
        }
    }
}

fn check_url(
    field: &str,
    value: &str,
    schemes: &[&str],
    wrong_scheme: &str,
) -> std::result::Result<(), FieldError> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| FieldError::new(field, format!("This is not a URL ({e}).")))?;
    if !schemes.contains(&url.scheme()) {
        return Err(FieldError::new(field, wrong_scheme));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(FieldError::new(field, "The URL has no host."));
    }
    Ok(())
}

/// A connected account: one connector per venue kind.
#[derive(Clone)]
pub enum Connector {
    LnMarkets(Arc<LnMarkets>),
    Lmex(Arc<Lmex>),
}

impl fmt::Debug for Connector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Connector::LnMarkets(c) => write!(f, "LnMarkets({})", c.account_info().id),
            Connector::Lmex(c) => write!(f, "Lmex({})", c.account_info().id),
        }
    }
}

impl Connector {
    /// Builds the connector for `spec` with its secrets. Nothing is sent until asked.
    pub fn new(
        spec: &AccountSpec,
        credentials: &Credentials,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        match spec.venue {
            VenueId::LnMarkets => {
                let credentials = lnmarkets::auth::LnmCredentials {
                    key: credentials.require("key")?.expose_secret().to_owned(),
                    secret: credentials.require("secret")?.clone(),
                    passphrase: credentials.require("passphrase")?.clone(),
                };
                let mut config = LnmConfig::for_network(
                    spec.id.clone(),
                    spec.label.clone(),
                    spec.network,
                    Some(credentials),
                );
                if let Some(url) = &spec.rest_url {
                    config.rest_url = url.clone();
                }
                if let Some(url) = &spec.ws_url {
                    config.stream_url = url.clone();
                }
                Ok(Connector::LnMarkets(LnMarkets::new(config, clock)?))
            }
            VenueId::Lmex => {
                let credentials = lmex::auth::LmexCredentials {
                    key: credentials.require("key")?.expose_secret().to_owned(),
                    secret: credentials.require("secret")?.clone(),
                };
                let mut config = LmexConfig::for_network(
                    spec.id.clone(),
                    spec.label.clone(),
                    spec.network,
                    Some(credentials),
                );
                if let Some(url) = &spec.rest_url {
                    config.rest_url = url.clone();
                }
                if let Some(url) = &spec.ws_url {
                    config.ws_url = url.clone();
                }
                config.cancel_all_after = spec
                    .public
                    .iter()
                    .find(|v| v.name == CANCEL_AFTER_FIELD)
                    .and_then(|v| v.value.trim().parse::<u64>().ok())
                    .filter(|s| CANCEL_AFTER_SECONDS.contains(s))
                    .map(std::time::Duration::from_secs);
                Ok(Connector::Lmex(Lmex::new(config, clock)?))
            }
            other => Err(Error::unsupported(format!(
                "Kestrel cannot trade on {other} yet: its connector is not built."
            ))),
        }
    }

    /// The account as the switcher lists it.
    pub fn info(&self) -> AccountInfo {
        match self {
            Connector::LnMarkets(c) => c.account_info(),
            Connector::Lmex(c) => c.account_info(),
        }
    }

    /// Public market data through this account's endpoints.
    pub fn market(&self) -> Arc<dyn MarketData> {
        match self {
            Connector::LnMarkets(c) => c.clone(),
            Connector::Lmex(c) => c.clone(),
        }
    }

    /// Trading on this account.
    pub fn trading(&self) -> Arc<dyn Trading> {
        match self {
            Connector::LnMarkets(c) => c.clone(),
            Connector::Lmex(c) => c.clone(),
        }
    }

    /// One authenticated call (after a clock sync): the balance, or why not.
    pub async fn test_connection(&self) -> Result<Balance> {
        match self {
            Connector::LnMarkets(c) => c.test_connection().await,
            Connector::Lmex(c) => c.test_connection().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pairs: &[(&str, &str)]) -> Vec<FieldValue> {
        pairs
            .iter()
            .map(|(n, v)| FieldValue {
                name: (*n).into(),
                value: (*v).into(),
            })
            .collect()
    }

    fn check(venue: VenueId, label: &str, pairs: &[(&str, &str)], editing: bool) -> Option<String> {
        let form = form(venue).unwrap_or_else(|| unreachable!("{venue} has a form"));
        let values = values(pairs);
        validate(
            &form,
            &Entered {
                label,
                rest_url: None,
                ws_url: None,
                values: &values,
                editing,
            },
        )
        .err()
        .map(|e| e.field)
    }

    const LNM: &[(&str, &str)] = &[("key", "k"), ("secret", "s"), ("passphrase", "p")];

    #[test]
    fn the_lmex_dead_man_switch_takes_whole_seconds_within_its_limits() {
        let with = |s: &str| {
            check(
                VenueId::Lmex,
                "LMEX",
                &[("key", "k"), ("secret", "s"), (CANCEL_AFTER_FIELD, s)],
                false,
            )
        };
        assert_eq!(with(""), None, "blank: off");
        assert_eq!(with("10"), None);
        assert_eq!(with("3600"), None);
        for bad in ["9", "3601", "30.5", "30s", "-10"] {
            assert_eq!(with(bad).as_deref(), Some(CANCEL_AFTER_FIELD), "{bad}");
        }
        let form = form(VenueId::Lmex).unwrap_or_else(|| unreachable!());
        let values = values(&[("key", "k"), ("secret", "s"), (CANCEL_AFTER_FIELD, "9")]);
        let entered = Entered {
            label: "LMEX",
            rest_url: None,
            ws_url: None,
            values: &values,
            editing: false,
        };
        assert_eq!(
            validate(&form, &entered)
                .err()
                .map(|e| e.message)
                .as_deref(),
            Some("Enter whole seconds from 10 to 3600.")
        );
    }

    #[test]
    fn every_venue_but_the_demo_has_a_form_and_only_built_connectors_are_available() {
        let all = forms();
        assert_eq!(all.len(), 5);
        let available: Vec<VenueId> = all
            .iter()
            .filter(|f| f.available)
            .map(|f| f.venue)
            .collect();
        assert_eq!(available, vec![VenueId::LnMarkets, VenueId::Lmex]);
        assert!(all
            .iter()
            .filter(|f| !f.available)
            .all(|f| f.unavailable_reason.is_some()));
    }

    #[test]
    fn a_complete_form_passes_and_each_missing_piece_is_named() {
        assert_eq!(check(VenueId::LnMarkets, "Main", LNM, false), None);
        assert_eq!(
            check(VenueId::LnMarkets, "  ", LNM, false).as_deref(),
            Some("label")
        );
        let long = "x".repeat(MAX_LABEL_CHARS + 1);
        assert_eq!(
            check(VenueId::LnMarkets, &long, LNM, false).as_deref(),
            Some("label")
        );
        let no_secret = &[("key", "k"), ("secret", " "), ("passphrase", "p")];
        assert_eq!(
            check(VenueId::LnMarkets, "Main", no_secret, false).as_deref(),
            Some("secret")
        );
        // Editing: a blank secret keeps the stored one.
        assert_eq!(check(VenueId::LnMarkets, "Main", no_secret, true), None);
        let extra = &[
            ("key", "k"),
            ("secret", "s"),
            ("passphrase", "p"),
            ("pin", "1"),
        ];
        assert_eq!(
            check(VenueId::LnMarkets, "Main", extra, false).as_deref(),
            Some("pin")
        );
    }

    #[test]
    fn private_keys_emails_and_urls_are_checked_by_kind() {
        let key = "ab".repeat(32);
        assert_eq!(
            check(VenueId::Limora, "W", &[("private_key", &key)], false),
            None
        );
        let prefixed = format!("0x{key}");
        assert_eq!(
            check(VenueId::Limora, "W", &[("private_key", &prefixed)], false),
            None
        );
        for bad in ["ab".repeat(31), format!("{}zz", "ab".repeat(31))] {
            assert_eq!(
                check(VenueId::Limora, "W", &[("private_key", &bad)], false).as_deref(),
                Some("private_key")
            );
        }
        let lightcx = |email: &str, url: &str| {
            check(
                VenueId::LightCx,
                "L",
                &[("email", email), ("password", "pw"), ("api_url", url)],
                false,
            )
        };
        assert_eq!(lightcx("me@example.com", "https://api.lightcx.test"), None);
        assert_eq!(
            lightcx("me@", "https://api.lightcx.test").as_deref(),
            Some("email")
        );
        assert_eq!(
            lightcx("me@example.com", "api.lightcx").as_deref(),
            Some("api_url")
        );

        let form = form(VenueId::LnMarkets).unwrap_or_else(|| unreachable!());
        let values = values(LNM);
        let urls = |rest: Option<&str>, ws: Option<&str>| {
            validate(
                &form,
                &Entered {
                    label: "Main",
                    rest_url: rest,
                    ws_url: ws,
                    values: &values,
                    editing: false,
                },
            )
            .err()
            .map(|e| e.field)
        };
        assert_eq!(
            urls(
                Some("http://127.0.0.1:8080"),
                Some("ws://127.0.0.1:8080/v1")
            ),
            None
        );
        assert_eq!(
            urls(Some("ws://127.0.0.1:8080"), None).as_deref(),
            Some("rest_url")
        );
        assert_eq!(
            urls(None, Some("https://x.test")).as_deref(),
            Some("ws_url")
        );
        assert_eq!(urls(Some("not a url"), None).as_deref(), Some("rest_url"));
    }

    #[test]
    fn credentials_never_print_their_values() {
        let mut c = Credentials::default();
        c.insert("secret", SecretString::from("hunter2-canary"));
        let printed = format!("{c:?}");
        assert!(
            printed.contains("secret") && !printed.contains("hunter2"),
            "{printed}"
        );
        let v = FieldValue {
            name: "secret".into(),
            value: "hunter2-canary".into(),
        };
        assert!(!format!("{v:?}").contains("hunter2"));
    }
}
