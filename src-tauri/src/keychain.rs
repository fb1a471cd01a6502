//! The only code that touches the OS keychain (`keyring`: the Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows). One thread serialises every access —
//! the Secret Service dislikes concurrent calls — and secrets cross this boundary only as
//! `SecretString` (zeroized on drop, redacted in `Debug`, never `Serialize`).
//!
//! Entries: service `kestrel` (`kestrel-dev` for debug builds), user `<account-id>/<field>`.
//! When no keychain is usable the caller is told why, and nothing is stored anywhere else.

use secrecy::{ExposeSecret, SecretString};
use std::sync::mpsc as std_mpsc;
use tokio::sync::oneshot;

/// The service name entries are filed under.
pub const SERVICE: &str = if cfg!(debug_assertions) {
    "kestrel-dev"
} else {
    "kestrel"
};

/// Why the keychain could not do what was asked, in words for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// No keychain at all (no Secret Service, no session bus).
    #[error("No OS keychain available: {0}. Kestrel stores API secrets only in the OS keychain, so it cannot save this one.")]
    Unavailable(String),
    /// A keychain exists but is locked or refused access.
    #[error("The OS keychain is locked or refused access: {0}. Unlock it and try again.")]
    Locked(String),
    /// No such entry.
    #[error("no secret stored for {0}")]
    NotFound(String),
    /// Anything else the keychain reported.
    #[error("the OS keychain failed: {0}")]
    Failed(String),
}

type Reply<T> = oneshot::Sender<Result<T, KeychainError>>;

enum Job {
    Store(String, SecretString, Reply<()>),
    Read(String, Reply<SecretString>),
    Delete(String, Reply<()>),
}

/// A handle to the keychain thread.
#[derive(Clone)]
pub struct Keychain {
    jobs: std_mpsc::Sender<Job>,
    service: String,
}

fn entry_name(account: &str, field: &str) -> String {
    format!("{account}/{field}")
}

fn map_error(e: keyring::Error, what: &str) -> KeychainError {
    match e {
        keyring::Error::NoEntry => KeychainError::NotFound(what.to_owned()),
        keyring::Error::NoDefaultStore => KeychainError::Unavailable(
            "no Secret Service could be reached (is a keyring daemon running in this session?)"
                .into(),
        ),
        keyring::Error::PlatformFailure(p) => KeychainError::Unavailable(p.to_string()),
        keyring::Error::NoStorageAccess(p) => KeychainError::Locked(p.to_string()),
        other => KeychainError::Failed(other.to_string()),
    }
}

impl Keychain {
    /// Starts the keychain thread for `service` (normally [`SERVICE`]).
    pub fn start(service: &str) -> Self {
        let (jobs, rx) = std_mpsc::channel::<Job>();
        let owned = service.to_owned();
        let spawned = std::thread::Builder::new()
            .name("keychain".into())
            .spawn(move || serve(&owned, &rx));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the keychain thread");
        }
        Self {
            jobs,
            service: service.to_owned(),
        }
    }

    /// The service entries are filed under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Writes, reads back and deletes a probe entry: whether secrets can be kept at all.
    pub async fn probe(&self) -> Result<(), KeychainError> {
        let probe = SecretString::from("kestrel-probe");
        self.store("kestrel", "probe", probe).await?;
        let back = self.read("kestrel", "probe").await?;
        self.delete("kestrel", "probe").await?;
        if back.expose_secret() != "kestrel-probe" {
            return Err(KeychainError::Failed(
                "the probe entry read back differently".into(),
            ));
        }
        Ok(())
    }

    /// Stores a secret for `account`'s `field`, replacing any earlier one. Empty secrets
    /// are refused: an entry is never empty.
    pub async fn store(
        &self,
        account: &str,
        field: &str,
        secret: SecretString,
    ) -> Result<(), KeychainError> {
        if secret.expose_secret().is_empty() {
            return Err(KeychainError::Failed(format!("{field} is empty")));
        }
        self.ask(|reply| Job::Store(entry_name(account, field), secret, reply))
            .await
    }

    /// Reads a secret.
    pub async fn read(&self, account: &str, field: &str) -> Result<SecretString, KeychainError> {
        self.ask(|reply| Job::Read(entry_name(account, field), reply))
            .await
    }

    /// Deletes a secret; deleting one that is not there is not an error.
    pub async fn delete(&self, account: &str, field: &str) -> Result<(), KeychainError> {
        match self
            .ask(|reply| Job::Delete(entry_name(account, field), reply))
            .await
        {
            Err(KeychainError::NotFound(_)) => Ok(()),
            other => other,
        }
    }

    async fn ask<T>(&self, job: impl FnOnce(Reply<T>) -> Job) -> Result<T, KeychainError> {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(job(tx))
            .map_err(|_| KeychainError::Failed("the keychain thread has stopped".into()))?;
        rx.await
            .map_err(|_| KeychainError::Failed("the keychain thread has stopped".into()))?
    }
}

fn serve(service: &str, jobs: &std_mpsc::Receiver<Job>) {
    let entry = |name: &str| keyring::Entry::new(service, name).map_err(|e| map_error(e, name));
    while let Ok(job) = jobs.recv() {
        match job {
            Job::Store(name, secret, reply) => {
                let result = entry(&name).and_then(|e| {
                    e.set_password(secret.expose_secret())
                        .map_err(|err| map_error(err, &name))
                });
                let _ = reply.send(result);
            }
            Job::Read(name, reply) => {
                let result = entry(&name).and_then(|e| {
                    e.get_password()
                        .map(SecretString::from)
                        .map_err(|err| map_error(err, &name))
                });
                let _ = reply.send(result);
            }
            Job::Delete(name, reply) => {
                let result = entry(&name)
                    .and_then(|e| e.delete_credential().map_err(|err| map_error(err, &name)));
                let _ = reply.send(result);
            }
        }
    }
}

/// A key id as the UI may show it: the first four and last two characters.
pub fn mask_key_id(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() <= 6 {
        return "•".repeat(chars.len().max(4));
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_are_masked_to_their_ends() {
        assert_eq!(mask_key_id("ab12cd34ef56f9"), "ab12…f9");
        assert_eq!(mask_key_id("short"), "•••••");
        assert_eq!(mask_key_id(""), "••••");
    }

    #[test]
    fn errors_say_what_to_do_in_plain_words() {
        let e = map_error(keyring::Error::NoDefaultStore, "x");
        assert!(e.to_string().starts_with("No OS keychain available"), "{e}");
        assert!(matches!(
            map_error(keyring::Error::NoEntry, "a/b"),
            KeychainError::NotFound(_)
        ));
    }
}
