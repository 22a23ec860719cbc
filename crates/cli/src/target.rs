//! Resolves which platform a command talks to: a real org (or a running emulator) from flags and
//! environment variables, or an embedded emulator when nothing is configured.

use crate::args::TargetArgs;
use anyhow::{Context, bail};
use switchboard_api::credentials::{CredentialsFile, OrgCredentials};
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use switchboard_platform::{ClientConfig, OrgClient};

/// A resolved target: where to connect and with which org credentials.
pub struct Target {
    pub base_url: String,
    pub credentials: CredentialsFile,
    /// Kept alive for the command's lifetime when the target is embedded.
    pub embedded: Option<RunningEmulator>,
}

impl Target {
    pub async fn resolve(arguments: &TargetArgs) -> anyhow::Result<Target> {
        let credentials = match (&arguments.credentials, single_org_from_env()?) {
            (Some(path), _) => Some(read_credentials(path)?),
            (None, Some(single)) => Some(CredentialsFile { orgs: vec![single] }),
            (None, None) => None,
        };
        match (&arguments.base_url, credentials) {
            (Some(base_url), Some(credentials)) => Ok(Target {
                base_url: base_url.trim_end_matches('/').to_string(),
                credentials,
                embedded: None,
            }),
            (Some(_), None) => bail!(
                "--base-url needs credentials: --credentials FILE, SWITCHBOARD_CREDENTIALS, or SWITCHBOARD_CLIENT_ID and SWITCHBOARD_CLIENT_SECRET"
            ),
            (None, Some(_)) => bail!("credentials were given without --base-url (or SWITCHBOARD_BASE_URL)"),
            (None, None) => Target::embedded(EmulatorOptions::default()).await,
        }
    }

    pub async fn embedded(options: EmulatorOptions) -> anyhow::Result<Target> {
        let emulator = switchboard_emulator::spawn(options).await.context("starting the embedded emulator")?;
        Ok(Target {
            base_url: emulator.base_url(),
            credentials: emulator.credentials().clone(),
            embedded: Some(emulator),
        })
    }

    /// A client for each org in the credentials, in file order.
    pub fn clients(&self) -> anyhow::Result<Vec<(OrgCredentials, OrgClient)>> {
        self.credentials
            .orgs
            .iter()
            .map(|org| {
                let mut config =
                    ClientConfig::new(self.base_url.clone(), org.client_id.clone(), org.client_secret.clone());
                config.org_label = org.name.clone();
                let client = OrgClient::new(config).with_context(|| format!("client for org {}", org.name))?;
                Ok((org.clone(), client))
            })
            .collect()
    }

    pub async fn shutdown(self) {
        if let Some(emulator) = self.embedded {
            emulator.shutdown().await;
        }
    }
}

fn read_credentials(path: &std::path::Path) -> anyhow::Result<CredentialsFile> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a credentials file", path.display()))
}

/// One org's client from `SWITCHBOARD_CLIENT_ID` and `SWITCHBOARD_CLIENT_SECRET` (or `_FILE`).
fn single_org_from_env() -> anyhow::Result<Option<OrgCredentials>> {
    let Ok(client_id) = std::env::var("SWITCHBOARD_CLIENT_ID") else {
        return Ok(None);
    };
    let client_secret = match std::env::var("SWITCHBOARD_CLIENT_SECRET") {
        Ok(secret) => secret,
        Err(_) => {
            let path = std::env::var("SWITCHBOARD_CLIENT_SECRET_FILE").context(
                "SWITCHBOARD_CLIENT_ID is set but neither SWITCHBOARD_CLIENT_SECRET nor SWITCHBOARD_CLIENT_SECRET_FILE is",
            )?;
            std::fs::read_to_string(&path)
                .with_context(|| format!("reading SWITCHBOARD_CLIENT_SECRET_FILE {path}"))?
                .trim()
                .to_string()
        }
    };
    Ok(Some(OrgCredentials {
        id: String::new(),
        name: std::env::var("SWITCHBOARD_ORG_NAME").unwrap_or_else(|_| "default".to_string()),
        parent_id: None,
        client_id,
        client_secret,
    }))
}
