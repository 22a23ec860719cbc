//! Downstream TLS with a certificate that is swapped when its files change: a rustls
//! `ResolvesServerCert` holding the current `CertifiedKey`, so new handshakes use the new
//! certificate while established sessions keep theirs.

use crate::config::TlsFiles;
use crate::reload;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::sync::{Arc, RwLock};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("TLS file {path}: {message}")]
    File { path: String, message: String },
    #[error("TLS: {0}")]
    Config(String),
}

#[derive(Debug)]
struct Resolver {
    current: RwLock<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for Resolver {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.read().map(|key| key.clone()).unwrap_or_else(|poisoned| poisoned.into_inner().clone()))
    }
}

fn load(files: &TlsFiles, provider: &rustls::crypto::CryptoProvider) -> Result<Arc<CertifiedKey>, TlsError> {
    let file_error = |path: &std::path::Path, message: String| TlsError::File { path: path.display().to_string(), message };
    let cert_pem = std::fs::read(&files.cert).map_err(|error| file_error(&files.cert, error.to_string()))?;
    let key_pem = std::fs::read(&files.key).map_err(|error| file_error(&files.key, error.to_string()))?;
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(&cert_pem).collect::<Result<_, _>>().map_err(|error| file_error(&files.cert, error.to_string()))?;
    if certs.is_empty() {
        return Err(file_error(&files.cert, "no certificate".to_string()));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|error| file_error(&files.key, error.to_string()))?;
    let signing_key = provider.key_provider.load_private_key(key).map_err(|error| file_error(&files.key, error.to_string()))?;
    Ok(Arc::new(CertifiedKey::new(certs, signing_key)))
}

/// A TLS acceptor whose certificate follows the files, and the task that watches them.
pub fn acceptor(files: TlsFiles, interval: std::time::Duration) -> Result<(tokio_rustls::TlsAcceptor, tokio::task::JoinHandle<()>), TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let resolver = Arc::new(Resolver { current: RwLock::new(load(&files, &provider)?) });
    let mut config = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| TlsError::Config(error.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(resolver.clone());
    // Seed 003 edge case 3: no 0-RTT early data before the upgrade.
    config.max_early_data_size = 0;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let watched = vec![files.cert.clone(), files.key.clone()];
    let task = reload::watch(watched, interval, move || match load(&files, &provider) {
        Ok(key) => {
            tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded");
            let mut slot = resolver.current.write().unwrap_or_else(std::sync::PoisonError::into_inner);
            *slot = key;
        }
        Err(error) => tracing::warn!(%error, "TLS certificate reload failed; keeping the previous one"),
    });
    Ok((tokio_rustls::TlsAcceptor::from(Arc::new(config)), task))
}
