//! The JWT key ring, loaded from files and swapped whole when they change, so a key rotates
//! without a restart: publish the new key beside the old, then remove the old. HS256 secrets and
//! RS256 public keys (PEM) may sit side by side.

use crate::jwt::{Key, KeyParseError};
use crate::reload;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("JWT key file {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("JWT key file {0} is empty")]
    Empty(PathBuf),
    #[error("no JWT key files found under {0:?}")]
    None(Vec<PathBuf>),
    #[error("JWT key file {path}: {source}")]
    Pem { path: PathBuf, source: KeyParseError },
}

/// Shared, atomically replaced key list.
#[derive(Clone, Default)]
pub struct KeyRing {
    keys: Arc<RwLock<Arc<Vec<Key>>>>,
}

impl KeyRing {
    pub fn from_keys(keys: Vec<Key>) -> Self {
        KeyRing { keys: Arc::new(RwLock::new(Arc::new(keys))) }
    }

    pub fn current(&self) -> Arc<Vec<Key>> {
        self.keys.read().map(|keys| keys.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone())
    }

    fn replace(&self, keys: Vec<Key>) {
        let mut slot = self.keys.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = Arc::new(keys);
    }

    /// Reads every key file under `paths`: a PEM `PUBLIC KEY` is an RS256 key (an identity
    /// provider's), anything else is one HS256 secret (the file's trimmed content).
    pub fn load(paths: &[PathBuf]) -> Result<Vec<Key>, KeyError> {
        let mut keys = Vec::new();
        for path in reload::key_files(paths) {
            let text = std::fs::read(&path).map_err(|source| KeyError::Read { path: path.clone(), source })?;
            let secret = text.trim_ascii();
            if secret.is_empty() {
                return Err(KeyError::Empty(path));
            }
            let kid = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or("key").to_string();
            if secret.starts_with(b"-----BEGIN") {
                keys.push(Key::rsa_public_pem(kid, secret).map_err(|source| KeyError::Pem { path: path.clone(), source })?);
            } else {
                keys.push(Key::new(kid, secret));
            }
        }
        if keys.is_empty() {
            return Err(KeyError::None(paths.to_vec()));
        }
        Ok(keys)
    }

    /// Loads now and re-loads whenever the files change; a failed reload keeps the old ring.
    pub fn watched(paths: Vec<PathBuf>, interval: std::time::Duration) -> Result<(Self, tokio::task::JoinHandle<()>), KeyError> {
        let ring = KeyRing::from_keys(Self::load(&paths)?);
        let reloading = ring.clone();
        let watched_paths = paths.clone();
        let task = reload::watch(paths, interval, move || match Self::load(&watched_paths) {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "JWT keys reloaded");
                reloading.replace(keys);
            }
            Err(error) => tracing::warn!(%error, "JWT key reload failed; keeping the previous keys"),
        });
        Ok((ring, task))
    }
}
