//! `BridgeConfig`: everything the bridge needs, read only from environment variables and mounted
//! secret files (`NAME_FILE` for every secret), so one image serves every environment. Errors
//! are one line naming the variable; secret values never appear in them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use switchboard_platform::Secret;

/// Where state lives: an embedded SQLite file, or a Redis server shared by several instances.
#[derive(Debug, Clone, PartialEq)]
pub enum StateUrl {
    Sqlite(PathBuf),
    /// The URL may hold a password, so it is kept as a secret.
    Redis(Secret),
}

/// Mutual-TLS material for the CRM, read (and re-read on rotation) from these files.
#[derive(Debug, Clone, PartialEq)]
pub struct CrmTls {
    /// CA bundle that signs the CRM's server certificate (in addition to the system roots).
    pub ca_file: Option<PathBuf>,
    /// Client certificate chain and key, both or neither.
    pub identity: Option<(PathBuf, PathBuf)>,
    /// How often the files are checked for rotation.
    pub reload_interval: Duration,
}

/// Which migration phase this release may run (see `store::migrations`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationPhase {
    /// Additive steps only: the previous release still runs against the same store.
    Expand,
    /// Destructive steps too: the operator asserts no older release needs what they remove.
    Contract,
}

#[derive(Debug, Clone)]
pub struct BridgeConfig {
    pub platform_url: String,
    pub login_url: Option<String>,
    pub client_id: String,
    pub client_secret: Secret,
    pub crm_url: String,
    pub crm_tls: CrmTls,
    pub state: StateUrl,
    /// Queue ids or names to serve.
    pub queues: Vec<String>,
    pub listen: SocketAddr,
    pub log_level: String,
    /// This process's name in the lease; unique per live process, stable across its restarts.
    pub instance_id: String,
    pub lease_ttl: Duration,
    /// How long SIGTERM waits for in-flight effects.
    pub drain_deadline: Duration,
    pub migration_phase: MigrationPhase,
    /// How far back the first reconciliation reads when there is no cursor yet.
    pub reconcile_lookback: Duration,
    /// How long idempotency keys of finished work are kept before pruning.
    pub done_retention: Duration,
    /// How often the active instance prunes old idempotency keys.
    pub prune_interval: Duration,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// Effects run at once.
    pub concurrency: usize,
    /// Seeds every random draw (backoff jitter): `BRIDGE_SEED`, else derived from the instance id.
    pub seed: u64,
}

/// The shortest idempotency-key retention accepted: a day, longer than any conversation.
pub const MIN_DONE_RETENTION: Duration = Duration::from_secs(24 * 3_600);

/// A configuration problem, always naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{name} is required{hint}")]
    Missing { name: String, hint: String },
    #[error("{name}: {problem}")]
    Invalid { name: String, problem: String },
}

fn invalid(name: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        name: name.to_string(),
        problem: problem.into(),
    }
}

/// Reads variables through `lookup` (the process environment in production, a map in tests).
pub struct EnvReader<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl EnvReader<'_> {
    fn plain(&self, name: &str) -> Option<String> {
        (self.lookup)(name)
            .map(|value| value.trim().to_string())
            .filter(|value| !value.is_empty())
    }

    /// `NAME`, or the contents of the file named by `NAME_FILE` (a mounted Kubernetes Secret).
    /// Giving both is an error, so a stale variable cannot silently shadow a rotated file.
    fn secret_or_file(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let file_name = format!("{name}_FILE");
        match (self.plain(name), self.plain(&file_name)) {
            (Some(_), Some(_)) => Err(invalid(
                name,
                format!("set {name} or {file_name}, not both"),
            )),
            (Some(value), None) => Ok(Some(value)),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|error| invalid(&file_name, format!("cannot read {path}: {error}")))?;
                let value = text.trim().to_string();
                if value.is_empty() {
                    return Err(invalid(&file_name, format!("{path} is empty")));
                }
                Ok(Some(value))
            }
            (None, None) => Ok(None),
        }
    }

    fn required_secret(&self, name: &str) -> Result<String, ConfigError> {
        self.secret_or_file(name)?
            .ok_or_else(|| ConfigError::Missing {
                name: name.to_string(),
                hint: format!(" (or {name}_FILE)"),
            })
    }

    fn required(&self, name: &str) -> Result<String, ConfigError> {
        self.plain(name).ok_or_else(|| ConfigError::Missing {
            name: name.to_string(),
            hint: String::new(),
        })
    }

    fn parsed<T: std::str::FromStr>(
        &self,
        name: &str,
        default: T,
        expected: &str,
    ) -> Result<T, ConfigError> {
        match self.plain(name) {
            None => Ok(default),
            Some(text) => text
                .parse()
                .map_err(|_| invalid(name, format!("expected {expected}, got `{text}`"))),
        }
    }

    /// A whole number in `range` (the default when unset). Every numeric setting goes through a
    /// range: a value the process cannot run with (a zero period, an overflowing duration) must
    /// stop start-up, not panic a task later while the health endpoint still answers.
    fn ranged(
        &self,
        name: &str,
        default: u64,
        range: std::ops::RangeInclusive<u64>,
        unit: &str,
    ) -> Result<u64, ConfigError> {
        let value = self.parsed(name, default, &format!("{unit} (a whole number)"))?;
        if !range.contains(&value) {
            return Err(invalid(
                name,
                format!(
                    "must be between {} and {} {unit}, got {value}",
                    range.start(),
                    range.end()
                ),
            ));
        }
        Ok(value)
    }

    fn millis(
        &self,
        name: &str,
        default_ms: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Duration, ConfigError> {
        self.ranged(name, default_ms, range, "milliseconds")
            .map(Duration::from_millis)
    }

    fn seconds(
        &self,
        name: &str,
        default_seconds: u64,
        range: std::ops::RangeInclusive<u64>,
    ) -> Result<Duration, ConfigError> {
        self.ranged(name, default_seconds, range, "seconds")
            .map(Duration::from_secs)
    }
}

/// An hour, the ceiling of most periods: longer is a typo, not a policy.
const HOUR_MS: u64 = 3_600_000;
const DAY_SECONDS: u64 = 86_400;

/// A stable seed from the instance id (FNV-1a): distinct instances draw distinct backoff
/// sequences, so they do not reconnect in step, and a run can be repeated exactly.
fn seed_from(instance_id: &str) -> u64 {
    instance_id.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn http_url(name: &str, value: &str) -> Result<String, ConfigError> {
    let parsed = reqwest::Url::parse(value)
        .map_err(|error| invalid(name, format!("`{value}` is not a URL: {error}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid(
            name,
            format!("`{value}`: expected an http(s) URL with a host"),
        ));
    }
    Ok(value.trim_end_matches('/').to_string())
}

fn state_url(text: &str) -> Result<StateUrl, ConfigError> {
    const NAME: &str = "BRIDGE_STATE_URL";
    if let Some(path) = text.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(invalid(
                NAME,
                "sqlite:// needs a file path, e.g. sqlite:///var/lib/bridge/state.db",
            ));
        }
        return Ok(StateUrl::Sqlite(PathBuf::from(path)));
    }
    if text.starts_with("redis://") || text.starts_with("rediss://") {
        return Ok(StateUrl::Redis(Secret::new(text)));
    }
    // Never echo the value: a Redis URL may carry a password.
    Err(invalid(NAME, "expected sqlite://PATH or redis://HOST:PORT"))
}

impl BridgeConfig {
    /// The platform client's settings for this configuration. The caller (the CLI) builds the
    /// client and hands the bridge a `Platform` handle, as it does for the gateway.
    pub fn client_config(&self) -> switchboard_platform::ClientConfig {
        let mut client = switchboard_platform::ClientConfig::new(
            self.platform_url.clone(),
            self.client_id.clone(),
            self.client_secret.clone(),
        );
        client.login_url = self.login_url.clone();
        client.org_label = "bridge".to_string();
        client
    }

    /// From the process environment.
    pub fn from_env() -> Result<BridgeConfig, ConfigError> {
        BridgeConfig::from_lookup(&|name| std::env::var(name).ok())
    }

    pub fn from_lookup(
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<BridgeConfig, ConfigError> {
        let env = EnvReader { lookup };
        let platform_url = http_url("BRIDGE_PLATFORM_URL", &env.required("BRIDGE_PLATFORM_URL")?)?;
        let login_url = env
            .plain("BRIDGE_LOGIN_URL")
            .map(|url| http_url("BRIDGE_LOGIN_URL", &url))
            .transpose()?;
        let client_id = env.required_secret("BRIDGE_CLIENT_ID")?;
        let client_secret = Secret::new(env.required_secret("BRIDGE_CLIENT_SECRET")?);
        let crm_url = http_url("BRIDGE_CRM_URL", &env.required("BRIDGE_CRM_URL")?)?;
        let identity = match (
            env.plain("BRIDGE_CRM_CERT_FILE"),
            env.plain("BRIDGE_CRM_KEY_FILE"),
        ) {
            (Some(cert), Some(key)) => Some((PathBuf::from(cert), PathBuf::from(key))),
            (None, None) => None,
            (Some(_), None) => {
                return Err(ConfigError::Missing {
                    name: "BRIDGE_CRM_KEY_FILE".into(),
                    hint: " (BRIDGE_CRM_CERT_FILE is set)".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Missing {
                    name: "BRIDGE_CRM_CERT_FILE".into(),
                    hint: " (BRIDGE_CRM_KEY_FILE is set)".into(),
                });
            }
        };
        let crm_tls = CrmTls {
            ca_file: env.plain("BRIDGE_CRM_CA_FILE").map(PathBuf::from),
            identity,
            reload_interval: env.millis("BRIDGE_CRM_TLS_RELOAD_MS", 1_000, 100..=HOUR_MS)?,
        };
        let state = match env.secret_or_file("BRIDGE_STATE_URL")? {
            Some(text) => state_url(&text)?,
            None => StateUrl::Sqlite(PathBuf::from("bridge-state.db")),
        };
        let queues: Vec<String> = env
            .required("BRIDGE_QUEUES")?
            .split(',')
            .map(str::trim)
            .filter(|queue| !queue.is_empty())
            .map(str::to_string)
            .collect();
        if queues.is_empty() {
            return Err(invalid(
                "BRIDGE_QUEUES",
                "name at least one queue id or name, comma-separated",
            ));
        }
        let listen = env.parsed(
            "BRIDGE_LISTEN",
            SocketAddr::from(([0, 0, 0, 0], 8080)),
            "an address such as 0.0.0.0:8080",
        )?;
        let log_level = env
            .plain("BRIDGE_LOG")
            .unwrap_or_else(|| "info".to_string());
        let instance_id = env
            .plain("BRIDGE_INSTANCE_ID")
            .or_else(|| env.plain("HOSTNAME"))
            .unwrap_or_else(|| format!("bridge-{}", uuid::Uuid::new_v4().simple()));
        let migration_phase = match env.plain("BRIDGE_MIGRATION_PHASE").as_deref() {
            None | Some("expand") => MigrationPhase::Expand,
            Some("contract") => MigrationPhase::Contract,
            Some(other) => {
                return Err(invalid(
                    "BRIDGE_MIGRATION_PHASE",
                    format!("expected expand or contract, got `{other}`"),
                ));
            }
        };
        let concurrency = env.ranged("BRIDGE_CONCURRENCY", 16, 1..=4_096, "effects at once")? as usize;
        let reconcile_lookback =
            env.seconds("BRIDGE_RECONCILE_LOOKBACK_SECONDS", 3_600, 0..=30 * DAY_SECONDS)?;
        let done_retention = env.seconds(
            "BRIDGE_DONE_RETENTION_SECONDS",
            7 * DAY_SECONDS,
            0..=365 * DAY_SECONDS,
        )?;
        // A key must outlive every replay or reconciliation that can still return its
        // conversation: at least a day (longer than any call) and longer than the first lookback.
        if done_retention < MIN_DONE_RETENTION || done_retention <= reconcile_lookback {
            return Err(invalid(
                "BRIDGE_DONE_RETENTION_SECONDS",
                format!(
                    "must be at least {} (a day) and longer than BRIDGE_RECONCILE_LOOKBACK_SECONDS ({})",
                    MIN_DONE_RETENTION.as_secs(),
                    reconcile_lookback.as_secs()
                ),
            ));
        }
        let prune_interval = env.seconds("BRIDGE_PRUNE_INTERVAL_SECONDS", 600, 1..=DAY_SECONDS)?;
        // The lease is renewed every third of its lifetime: below 300 ms that is a busy loop
        // (and zero a panicking timer); above ten minutes a crashed holder stalls every call.
        let lease_ttl = env.millis("BRIDGE_LEASE_TTL_MS", 10_000, 300..=600_000)?;
        let drain_deadline = env.millis("BRIDGE_DRAIN_MS", 20_000, 0..=HOUR_MS)?;
        let backoff_base = env.millis("BRIDGE_BACKOFF_BASE_MS", 500, 1..=60_000)?;
        let backoff_max = env.millis("BRIDGE_BACKOFF_MAX_MS", 30_000, 1..=HOUR_MS)?;
        if backoff_max < backoff_base {
            return Err(invalid(
                "BRIDGE_BACKOFF_MAX_MS",
                format!(
                    "must be at least BRIDGE_BACKOFF_BASE_MS ({} ms)",
                    backoff_base.as_millis()
                ),
            ));
        }
        let seed = match env.plain("BRIDGE_SEED") {
            None => seed_from(&instance_id),
            Some(_) => env.ranged("BRIDGE_SEED", 0, 0..=u64::MAX, "a seed")?,
        };
        Ok(BridgeConfig {
            platform_url,
            login_url,
            client_id,
            client_secret,
            crm_url,
            crm_tls,
            state,
            queues,
            listen,
            log_level,
            instance_id,
            lease_ttl,
            drain_deadline,
            migration_phase,
            reconcile_lookback,
            done_retention,
            prune_interval,
            backoff_base,
            backoff_max,
            concurrency,
            seed,
        })
    }
}

#[cfg(test)]
mod tests;
