//! Opening what every deploy command needs: the rendered config of an environment, its journal,
//! and one provider per org on the environment's target (or the target flags' override).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context as _, bail};
use switchboard_deploy::config::{EnvironmentSpec, Repository};
use switchboard_deploy::genesys::GenesysProvider;
use switchboard_deploy::plan::Providers;
use switchboard_deploy::{Desired, Provider};
use switchboard_journal::Journal;
use switchboard_platform::{Environment, EnvironmentConfig, OrgEntry, Platform};

use crate::args::DeployArgs;
use crate::target::Target;

pub struct DeployContext {
    pub repository: Repository,
    pub desired: Desired,
    pub journal: Journal,
    pub providers: Providers,
    pub target: Target,
}

impl DeployContext {
    pub async fn open(arguments: &DeployArgs, environment: &str) -> anyhow::Result<Self> {
        let repository = Repository::load(&arguments.config)?;
        let desired = repository.render(environment)?;
        let spec = repository.manifest.environments.get(environment).cloned().context("environment vanished")?;
        let target = target(arguments, &spec, &desired).await?;
        let providers = providers(&target, &desired)?;
        let journal = open_journal(arguments, Some(&spec))?;
        let journal = Journal::open(&journal).await.with_context(|| format!("opening the journal {journal}"))?;
        Ok(Self { repository, desired, journal, providers, target })
    }

    pub async fn close(self) {
        self.target.shutdown().await;
    }
}

/// The journal location: `--journal` as given (a relative path is relative to the current
/// directory), else the environment's `journal` (relative to the repository), else
/// CONFIG/.switchboard/journal.db (its directory created).
pub fn open_journal(arguments: &DeployArgs, spec: Option<&EnvironmentSpec>) -> anyhow::Result<String> {
    let location = journal_location(arguments, spec);
    if arguments.journal.is_none() && spec.and_then(|spec| spec.journal.as_ref()).is_none() {
        let directory = arguments.config.join(".switchboard");
        std::fs::create_dir_all(&directory).with_context(|| format!("creating {}", directory.display()))?;
    }
    Ok(location)
}

/// [`open_journal`]'s answer without creating anything.
pub fn journal_location(arguments: &DeployArgs, spec: Option<&EnvironmentSpec>) -> String {
    if let Some(location) = &arguments.journal {
        return location.clone();
    }
    match spec.and_then(|spec| spec.journal.as_ref()) {
        Some(location) if location.contains("://") || Path::new(location).is_absolute() => location.clone(),
        Some(location) => arguments.config.join(location).display().to_string(),
        None => arguments.config.join(".switchboard").join("journal.db").display().to_string(),
    }
}

/// Every journal the repository's environments use (the default one too), for commands that
/// start from a deployment id rather than an environment; `--journal` alone when given. Only
/// journals that exist: a missing SQLite file is never created by looking.
pub fn known_journals(arguments: &DeployArgs) -> Vec<String> {
    if let Some(location) = &arguments.journal {
        return vec![location.clone()];
    }
    let mut locations = vec![journal_location(arguments, None)];
    if let Ok(repository) = Repository::load(&arguments.config) {
        for spec in repository.manifest.environments.values() {
            let location = journal_location(arguments, Some(spec));
            if !locations.contains(&location) {
                locations.push(location);
            }
        }
    }
    locations.retain(|location| location.contains("://") || Path::new(location.strip_prefix("sqlite:").unwrap_or(location)).exists());
    locations
}

pub(crate) fn overridden(arguments: &DeployArgs) -> bool {
    arguments.target.target.is_some() || arguments.target.base_url.is_some() || arguments.target.credentials.is_some()
}

pub async fn target(arguments: &DeployArgs, spec: &EnvironmentSpec, desired: &Desired) -> anyhow::Result<Target> {
    if overridden(arguments) {
        return Target::resolve(&arguments.target).await;
    }
    if spec.target.emulator {
        eprintln!("target: an embedded emulator (its state lives as long as this command; pass --base-url and --credentials for a running one)");
        return Target::embedded(switchboard_emulator::EmulatorOptions::default()).await;
    }
    let Some(base_url) = spec.target.base_url.clone() else { bail!("environment {}: target needs base_url or emulator: true", desired.environment) };
    let config = EnvironmentConfig {
        base_url: base_url.clone(),
        login_url: spec.target.login_url.clone(),
        credentials_file: spec.credentials.file.clone(),
        orgs: desired.orgs.iter().map(|org| OrgEntry { name: org.target_org.clone(), id: None }).collect(),
    };
    let environment = Environment::from_config(&config, |name| std::env::var(name).ok(), |_| {})?;
    Ok(Target { base_url, environment, known_parents: BTreeMap::new(), embedded: None })
}

/// Every org's platform client by config name (the org canary reads its calls through them).
pub fn platforms(target: &Target, desired: &Desired) -> anyhow::Result<BTreeMap<String, Arc<dyn Platform>>> {
    let mut platforms = BTreeMap::new();
    for org in &desired.orgs {
        let client = target.environment.org(&org.target_org).with_context(|| format!("org {}", org.org))?.clone();
        platforms.insert(org.org.clone(), Arc::new(client) as Arc<dyn Platform>);
    }
    Ok(platforms)
}

pub fn providers(target: &Target, desired: &Desired) -> anyhow::Result<Providers> {
    let mut providers = Providers::new();
    for org in &desired.orgs {
        let client = target.environment.org(&org.target_org).with_context(|| format!("org {}", org.org))?.clone();
        let platform: Arc<dyn Platform> = Arc::new(client);
        providers.insert(org.org.clone(), Arc::new(GenesysProvider::new(platform)) as Arc<dyn Provider>);
    }
    Ok(providers)
}
