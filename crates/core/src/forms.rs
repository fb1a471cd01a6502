//! What each venue needs to connect an account: the fields of its Settings form. The UI
//! renders these; the backend validates the same rules before anything is stored.

use crate::ids::VenueId;
use serde::{Deserialize, Serialize};

/// How a form field is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Email,
    Url,
    /// 32 bytes of hex (an Ethereum private key), with or without `0x`.
    HexPrivateKey,
    /// A whole number of seconds within the field's limits (10 to 3600).
    Seconds,
}

/// One input of a venue's account form. Secret fields go to the OS keychain and never
/// come back from the backend.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FormField {
    pub name: String,
    pub label: String,
    pub kind: FieldKind,
    pub secret: bool,
    pub required: bool,
    pub help: Option<String>,
}

impl FormField {
    /// A required field.
    pub fn new(name: &str, label: &str, kind: FieldKind, secret: bool) -> Self {
        Self {
            name: name.into(),
            label: label.into(),
            kind,
            secret,
            required: true,
            help: None,
        }
    }

    /// The same field, optional.
    #[must_use]
    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    /// The same field, with a line of help under it.
    #[must_use]
    pub fn help(mut self, help: &str) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// What an account on one venue needs. `available` is false while Kestrel has no
/// connector for the venue: the form is listed but cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VenueForm {
    pub venue: VenueId,
    pub name: String,
    pub available: bool,
    pub unavailable_reason: Option<String>,
    pub fields: Vec<FormField>,
    pub mainnet_rest: Option<String>,
    pub mainnet_ws: Option<String>,
    pub testnet_rest: Option<String>,
    pub testnet_ws: Option<String>,
}

impl VenueForm {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&FormField> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// A named value entered in a form (public fields only, when it comes back).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FieldValue {
    pub name: String,
    pub value: String,
}

impl std::fmt::Debug for FieldValue {
    // Form values may be secrets: a Debug print never shows them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}=<{} chars>", self.name, self.value.chars().count())
    }
}
