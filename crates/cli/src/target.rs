//! Resolves which platform a command talks to: a real org (or a running emulator) from a target
//! config file, flags and environment variables, or an embedded emulator when nothing is set.

use crate::args::TargetArgs;
use anyhow::{Context, bail};
use std::collections::BTreeMap;
use switchboard_api::credentials::{CredentialsFile, OrgCredentials};
use switchboard_emulator::{EmulatorOptions, RunningEmulator};
use switchboard_platform::{Environment, EnvironmentConfig, OrgClient, Secret, control_token_from};

/// A resolved target: one client per org, plus what is known of the org tree without asking.
pub struct Target {
    pub base_url: String,
    pub environment: Environment,
    /// Org id → parent id, from a credentials file; empty when the config does not say.
    pub known_parents: BTreeMap<String, Option<String>>,
    /// Kept alive for the command's lifetime when the target is embedded.
    pub embedded: Option<RunningEmulator>,
}

impl Target {
    pub async fn resolve(arguments: &TargetArgs) -> anyhow::Result<Target> {
        let connect = std::time::Duration::from_secs(arguments.connect_timeout);
        if let Some(path) = &arguments.target {
            return Target::from_config_file(path, connect);
        }
        let credentials = match (&arguments.credentials, single_org_from_env()?) {
            (Some(path), _) => Some(switchboard_platform::read_credentials(path)?),
            (None, Some(single)) => Some(CredentialsFile { orgs: vec![single] }),
            (None, None) => None,
        };
        match (&arguments.base_url, credentials) {
            (Some(base_url), Some(credentials)) => {
                let control_token = control_token_from(|name| std::env::var(name).ok())?;
                Target::from_credentials(base_url.trim_end_matches('/'), &credentials, None, control_token, connect)
            }
            (Some(_), None) => bail!(
                "--base-url needs credentials: --credentials FILE, SWITCHBOARD_CREDENTIALS, or SWITCHBOARD_CLIENT_ID and SWITCHBOARD_CLIENT_SECRET"
            ),
            (None, Some(_)) => bail!("credentials were given without --base-url (or SWITCHBOARD_BASE_URL)"),
            (None, None) => Target::embedded(EmulatorOptions::default()).await,
        }
    }

    pub async fn embedded(options: EmulatorOptions) -> anyhow::Result<Target> {
        let emulator = switchboard_emulator::spawn(options).await.context("starting the embedded emulator")?;
        let credentials = emulator.credentials().clone();
        let control_token = Some(Secret::new(emulator.control_token()));
        Target::from_credentials(&emulator.base_url(), &credentials, Some(emulator), control_token, switchboard_platform::Timeouts::default().connect)
    }

    /// `control_token`: the emulator's control credential, for commands that drive its control
    /// surface (`/_emulator/*`); `None` for a real org. `connect`: the platform client's connect
    /// timeout, which also bounds how long an unreachable target is retried
    /// (`switchboard_platform`'s `reach.rs`).
    fn from_credentials(
        base_url: &str,
        credentials: &CredentialsFile,
        embedded: Option<RunningEmulator>,
        control_token: Option<Secret>,
        connect: std::time::Duration,
    ) -> anyhow::Result<Target> {
        let environment = Environment::from_credentials(base_url, credentials, |config| {
            config.control_token = control_token.clone();
            config.timeouts.connect = connect;
            mix_os_seed(config);
        })?;
        let known_parents = credentials.orgs.iter().filter(|org| !org.id.is_empty()).map(|org| (org.id.clone(), org.parent_id.clone())).collect();
        Ok(Target { base_url: base_url.to_string(), environment, known_parents, embedded })
    }

    fn from_config_file(path: &std::path::Path, connect: std::time::Duration) -> anyhow::Result<Target> {
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let config: EnvironmentConfig = switchboard_model::load::parse_yaml(&text, &path.display().to_string())?;
        let environment = Environment::from_config(&config, |name| std::env::var(name).ok(), |client| {
            client.timeouts.connect = connect;
            mix_os_seed(client);
        })
            .with_context(|| format!("target {}", path.display()))?;
        Ok(Target { base_url: config.base_url.clone(), environment, known_parents: BTreeMap::new(), embedded: None })
    }

    /// (org name, client) pairs in name order.
    pub fn clients(&self) -> impl Iterator<Item = (&str, &OrgClient)> {
        self.environment.iter()
    }

    pub async fn shutdown(self) {
        if let Some(emulator) = self.embedded {
            emulator.shutdown().await;
        }
    }
}

/// One org's client from `SWITCHBOARD_CLIENT_ID` and `SWITCHBOARD_CLIENT_SECRET` (or `_FILE`).
fn single_org_from_env() -> anyhow::Result<Option<OrgCredentials>> {
    let Ok(client_id) = std::env::var("SWITCHBOARD_CLIENT_ID") else {
        return Ok(None);
    };
    let client_secret = switchboard_platform::secret_from_env("SWITCHBOARD_CLIENT_SECRET", |name| std::env::var(name).ok())
        .map_err(anyhow::Error::msg)?
        .context("SWITCHBOARD_CLIENT_ID is set but neither SWITCHBOARD_CLIENT_SECRET nor SWITCHBOARD_CLIENT_SECRET_FILE is")?
        .expose()
        .to_string();
    Ok(Some(OrgCredentials {
        id: String::new(),
        name: std::env::var("SWITCHBOARD_ORG_NAME").unwrap_or_else(|_| "default".to_string()),
        parent_id: None,
        client_id,
        client_secret,
    }))
}

/// The process edge: mixes randomness from the OS into each client's jitter seed, so several
/// `switchboard` processes with the same credentials do not retry in step. Libraries below take
/// the seed from their config and never draw from the OS themselves (`cargo xtask tidy`).
pub fn mix_os_seed(config: &mut switchboard_platform::ClientConfig) {
    use std::hash::{BuildHasher, Hasher};
    // std's `RandomState` keys come from the operating system's random source.
    config.jitter_seed ^= std::collections::hash_map::RandomState::new().build_hasher().finish();
}
