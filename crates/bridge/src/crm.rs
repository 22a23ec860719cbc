//! The CRM client: caller lookup by phone number and idempotent activity creation
//! (`Idempotency-Key`), over plain HTTP, TLS or mutual TLS. Certificate, key and CA files are
//! re-read on an interval and the HTTP client is rebuilt when their bytes change, so a rotated
//! certificate (cert-manager, or Kubernetes swapping a Secret volume's `..data` symlink) is used
//! by the next connection without a restart (seed 000, edge case 3).

use crate::config::CrmTls;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;
use switchboard_api::crm::{Activity, Contact, CrmStatus, NewActivity};

#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    #[error("CRM TLS material: {0}")]
    Tls(String),
    #[error("CRM request failed: {0}")]
    Transport(String),
    #[error("CRM answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("CRM answer unreadable: {0}")]
    Decode(String),
}

impl CrmError {
    /// Worth another attempt: transport trouble, 408, 429 and 5xx.
    pub fn is_retryable(&self) -> bool {
        match self {
            CrmError::Transport(_) => true,
            CrmError::Status { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            CrmError::Tls(_) | CrmError::Decode(_) => false,
        }
    }
}

pub struct CrmClient {
    base: String,
    tls: CrmTls,
    http: RwLock<reqwest::Client>,
    /// The TLS files' bytes the current client was built from.
    loaded: Mutex<Vec<u8>>,
    reloads: AtomicU64,
}

fn read_material(tls: &CrmTls) -> Result<Vec<u8>, CrmError> {
    let mut bytes = Vec::new();
    let files = tls
        .ca_file
        .iter()
        .chain(tls.identity.iter().flat_map(|(cert, key)| [cert, key]));
    for path in files {
        // Read through the path each time: a `..data` symlink swap changes what it points at.
        let content = std::fs::read(path)
            .map_err(|error| CrmError::Tls(format!("cannot read {}: {error}", path.display())))?;
        bytes.extend_from_slice(&(content.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&content);
    }
    Ok(bytes)
}

fn build(tls: &CrmTls) -> Result<reqwest::Client, CrmError> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(15))
        .user_agent(concat!("switchboard-bridge/", env!("CARGO_PKG_VERSION")));
    if let Some(ca_file) = &tls.ca_file {
        let pem = std::fs::read(ca_file).map_err(|error| {
            CrmError::Tls(format!("cannot read {}: {error}", ca_file.display()))
        })?;
        for certificate in reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|error| CrmError::Tls(format!("{}: {error}", ca_file.display())))?
        {
            builder = builder.add_root_certificate(certificate);
        }
    }
    if let Some((cert_file, key_file)) = &tls.identity {
        let mut pem = std::fs::read(cert_file).map_err(|error| {
            CrmError::Tls(format!("cannot read {}: {error}", cert_file.display()))
        })?;
        pem.push(b'\n');
        pem.extend(std::fs::read(key_file).map_err(|error| {
            CrmError::Tls(format!("cannot read {}: {error}", key_file.display()))
        })?);
        // The key's bytes are never part of a message: only the file names are.
        let identity = reqwest::Identity::from_pem(&pem).map_err(|_| {
            CrmError::Tls(format!(
                "{} and {} are not a PEM certificate and key",
                cert_file.display(),
                key_file.display()
            ))
        })?;
        builder = builder.identity(identity);
    }
    builder
        .build()
        .map_err(|error| CrmError::Tls(format!("client: {error}")))
}

impl CrmClient {
    pub fn new(base: &str, tls: CrmTls) -> Result<CrmClient, CrmError> {
        let material = read_material(&tls)?;
        let http = build(&tls)?;
        Ok(CrmClient {
            base: base.trim_end_matches('/').to_string(),
            tls,
            http: RwLock::new(http),
            loaded: Mutex::new(material),
            reloads: AtomicU64::new(0),
        })
    }

    /// Rebuilds the client if the TLS files changed; `true` when it did. A half-written rotation
    /// (unreadable or mismatched files) keeps the current client and is retried next time.
    pub fn reload_if_changed(&self) -> Result<bool, CrmError> {
        let material = read_material(&self.tls)?;
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if *loaded == material {
            return Ok(false);
        }
        let http = build(&self.tls)?;
        *self
            .http
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = http;
        *loaded = material;
        self.reloads.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }

    /// How many times rotated material was loaded.
    pub fn reloads(&self) -> u64 {
        self.reloads.load(Ordering::Relaxed)
    }

    /// Watches the TLS files every `reload_interval` until the client is dropped.
    pub fn spawn_reloader(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        if self.tls.ca_file.is_none() && self.tls.identity.is_none() {
            return None;
        }
        let weak = Arc::downgrade(self);
        let interval = self.tls.reload_interval.max(Duration::from_millis(10));
        Some(tokio::spawn(async move {
            loop {
                tokio::time::sleep(interval).await;
                let Some(client) = weak.upgrade() else { return };
                match client.reload_if_changed() {
                    Ok(true) => tracing::info!("CRM TLS material changed; new connections use it"),
                    Ok(false) => {}
                    Err(error) => tracing::warn!("CRM TLS reload postponed: {error}"),
                }
            }
        }))
    }

    fn http(&self) -> reqwest::Client {
        self.http
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response, CrmError> {
        let response = request
            .send()
            .await
            .map_err(|error| CrmError::Transport(error.without_url().to_string()))?;
        let status = response.status().as_u16();
        if response.status().is_success() || status == 404 {
            return Ok(response);
        }
        let body = response.text().await.unwrap_or_default();
        Err(CrmError::Status {
            status,
            body: body.chars().take(200).collect(),
        })
    }

    /// The contact for a phone number; `None` when the CRM does not know it.
    pub async fn lookup(&self, phone: &str) -> Result<Option<Contact>, CrmError> {
        let response = self
            .send(
                self.http()
                    .get(format!("{}/lookup", self.base))
                    .query(&[("phone", phone)]),
            )
            .await?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        response
            .json()
            .await
            .map(Some)
            .map_err(|error| CrmError::Decode(error.to_string()))
    }

    /// Creates the activity once per key: a repeat with the same body returns the first record.
    pub async fn create_activity(
        &self,
        key: &str,
        activity: &NewActivity,
    ) -> Result<Activity, CrmError> {
        let request = self
            .http()
            .post(format!("{}/activities", self.base))
            .header("Idempotency-Key", key)
            .json(activity);
        let response = self.send(request).await?;
        if response.status().as_u16() == 404 {
            return Err(CrmError::Status {
                status: 404,
                body: "no activities endpoint".into(),
            });
        }
        response
            .json()
            .await
            .map_err(|error| CrmError::Decode(error.to_string()))
    }

    pub async fn status(&self) -> Result<CrmStatus, CrmError> {
        let response = self
            .send(self.http().get(format!("{}/status", self.base)))
            .await?;
        response
            .json()
            .await
            .map_err(|error| CrmError::Decode(error.to_string()))
    }
}
