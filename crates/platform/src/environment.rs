//! `Environment`: the orgs of one target (org name or id → `OrgClient`), built from a
//! `CredentialsFile` (what the emulator writes) or from an `EnvironmentConfig` whose secrets come
//! from environment variables `SWITCHBOARD_ORG_<NAME>_CLIENT_ID` / `_CLIENT_SECRET` (name
//! upper-cased, every non-alphanumeric character replaced by `_`) or from a credentials file.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;
use switchboard_api::CredentialsFile;

use crate::client::OrgClient;
use crate::config::ClientConfig;
use crate::secret::Secret;
use crate::error::{PlatformError, Result};

/// The non-secret description of a target, as a config file holds it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentConfig {
    pub base_url: String,
    #[serde(default)]
    pub login_url: Option<String>,
    /// A `{"orgs":[...]}` credentials file; used for orgs whose variables are not set.
    #[serde(default)]
    pub credentials_file: Option<PathBuf>,
    /// Orgs to load; empty means every org in `credentials_file`.
    #[serde(default)]
    pub orgs: Vec<OrgEntry>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgEntry {
    pub name: String,
    #[serde(default)]
    pub id: Option<String>,
}

/// The emulator control credential from `SWITCHBOARD_EMULATOR_CONTROL_TOKEN`, or from the file
/// `SWITCHBOARD_EMULATOR_CONTROL_TOKEN_FILE` names (what `switchboard emulator
/// --control-token-file` writes), through the one `_FILE` reader; `None` when neither is set (a
/// real org needs none).
pub fn control_token_from(lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Secret>> {
    crate::secret::secret_from_env(switchboard_api::emulator::CONTROL_TOKEN_ENV, lookup).map_err(|message| PlatformError::Config { message })
}

/// The environment variable holding `field` (`CLIENT_ID`, `CLIENT_SECRET`) for an org.
pub fn env_var_name(org_name: &str, field: &str) -> String {
    let upper: String = org_name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("SWITCHBOARD_ORG_{upper}_{field}")
}

#[derive(Debug, Clone)]
pub struct Environment {
    /// By org name, in name order.
    clients: BTreeMap<String, OrgClient>,
    /// Org id → name, where known.
    ids: BTreeMap<String, String>,
}

impl Environment {
    /// Every org of a credentials file against one base URL; `tune` adjusts each org's config
    /// (timeouts, retry policy) before the client is built.
    pub fn from_credentials(base_url: &str, credentials: &CredentialsFile, tune: impl Fn(&mut ClientConfig)) -> Result<Self> {
        let mut environment = Self { clients: BTreeMap::new(), ids: BTreeMap::new() };
        for org in &credentials.orgs {
            let mut config = ClientConfig::new(base_url, org.client_id.clone(), org.client_secret.clone());
            config.org_label = org.name.clone();
            tune(&mut config);
            environment.insert(Some(org.id.clone()), OrgClient::new(config)?);
        }
        Ok(environment)
    }

    /// Builds from a config, taking secrets from `lookup` (pass `|name| std::env::var(name).ok()`),
    /// the emulator control credential included (`control_token_from`).
    pub fn from_config(config: &EnvironmentConfig, lookup: impl Fn(&str) -> Option<String>, tune: impl Fn(&mut ClientConfig)) -> Result<Self> {
        let control_token = control_token_from(&lookup)?;
        let file = match &config.credentials_file {
            Some(path) => Some(read_credentials(path)?),
            None => None,
        };
        let entries: Vec<OrgEntry> = if config.orgs.is_empty() {
            let Some(file) = &file else {
                return Err(PlatformError::Config { message: "environment lists no orgs and no credentials_file".into() });
            };
            file.orgs.iter().map(|org| OrgEntry { name: org.name.clone(), id: Some(org.id.clone()) }).collect()
        } else {
            config.orgs.clone()
        };
        let mut environment = Self { clients: BTreeMap::new(), ids: BTreeMap::new() };
        for entry in entries {
            let from_file = file.as_ref().and_then(|file| file.org(entry.id.as_deref().unwrap_or(&entry.name)).or_else(|| file.org(&entry.name)));
            let id_var = env_var_name(&entry.name, "CLIENT_ID");
            let secret_var = env_var_name(&entry.name, "CLIENT_SECRET");
            let client_id = lookup(&id_var).or_else(|| from_file.map(|org| org.client_id.clone()));
            // `ACME_CLIENT_SECRET`, or `ACME_CLIENT_SECRET_FILE` naming a mounted secret file.
            let secret = crate::secret::secret_from_env(&secret_var, &lookup)
                .map_err(|message| PlatformError::Config { message: format!("org {:?}: {message}", entry.name) })?
                .or_else(|| from_file.map(|org| Secret::from(org.client_secret.clone())));
            let (Some(client_id), Some(secret)) = (client_id, secret) else {
                return Err(PlatformError::Config { message: format!("org {:?}: set {id_var} and {secret_var} (or {secret_var}_FILE), or list it in credentials_file", entry.name) });
            };
            let mut client_config = ClientConfig::new(&config.base_url, client_id, secret);
            client_config.login_url = config.login_url.clone();
            client_config.org_label = entry.name.clone();
            client_config.control_token = control_token.clone();
            tune(&mut client_config);
            let id = entry.id.clone().or_else(|| from_file.map(|org| org.id.clone()));
            environment.insert(id, OrgClient::new(client_config)?);
        }
        Ok(environment)
    }

    fn insert(&mut self, id: Option<String>, client: OrgClient) {
        let name = client.config().org_label.clone();
        if let Some(id) = id {
            self.ids.insert(id, name.clone());
        }
        self.clients.insert(name, client);
    }

    /// The client of an org, by name or id.
    pub fn org(&self, name_or_id: &str) -> Result<&OrgClient> {
        let name = self.ids.get(name_or_id).map_or(name_or_id, String::as_str);
        self.clients.get(name).ok_or_else(|| PlatformError::Config {
            message: format!("unknown org {name_or_id:?}; known: {}", self.names().collect::<Vec<_>>().join(", ")),
        })
    }

    /// The org id behind an org name (or id), where the environment knows it.
    pub fn id_of(&self, name_or_id: &str) -> Option<&str> {
        if self.ids.contains_key(name_or_id) {
            return self.ids.get_key_value(name_or_id).map(|(id, _)| id.as_str());
        }
        self.ids.iter().find(|(_, name)| name.as_str() == name_or_id).map(|(id, _)| id.as_str())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.clients.keys().map(String::as_str)
    }

    /// (name, client) pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &OrgClient)> {
        self.clients.iter().map(|(name, client)| (name.as_str(), client))
    }
}

/// Older name kept for callers that think in "multi-org clients".
pub type MultiOrgClient = Environment;

pub fn read_credentials(path: &std::path::Path) -> Result<CredentialsFile> {
    let text = std::fs::read_to_string(path).map_err(|error| PlatformError::Config { message: format!("{}: {error}", path.display()) })?;
    serde_json::from_str(&text).map_err(|error| PlatformError::Config {
        message: format!("{}:{}:{}: {error}", path.display(), error.line(), error.column()),
    })
}

#[cfg(test)]
mod tests;
