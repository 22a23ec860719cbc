//! `switchboard export --org O --dir D`.

use std::sync::Arc;

use anyhow::Context as _;
use switchboard_deploy::Provider;
use switchboard_deploy::config::{Repository, TargetSpec};
use switchboard_deploy::export::ExportTarget;
use switchboard_deploy::genesys::GenesysProvider;
use switchboard_platform::Platform;

use crate::args::ExportArgs;
use crate::output::OutputFormat;
use crate::target::Target;

pub async fn run(arguments: ExportArgs, output: OutputFormat) -> anyhow::Result<()> {
    // The environment's target (and logical → target org names), or the target flags; the
    // export records the target it actually read, so its repository plans as is.
    let overridden = super::context::overridden(&arguments.deploy);
    let override_spec = || TargetSpec { base_url: arguments.deploy.target.base_url.clone(), ..TargetSpec::default() };
    let (target, names, mut written) = match &arguments.env {
        Some(env) => {
            let repository = Repository::load(&arguments.deploy.config)?;
            let desired = repository.render(env)?;
            let spec = repository.manifest.environments.get(env).cloned().context("environment vanished")?;
            let target = super::context::target(&arguments.deploy, &spec, &desired).await?;
            let names = desired.orgs.iter().map(|org| (org.org.clone(), org.target_org.clone())).collect::<std::collections::BTreeMap<_, _>>();
            let written = if overridden {
                ExportTarget { target: override_spec(), credentials_file: arguments.deploy.target.credentials.clone(), org_names: names.clone() }
            } else {
                ExportTarget { target: spec.target.clone(), credentials_file: spec.credentials.file.clone(), org_names: names.clone() }
            };
            (target, names, written)
        }
        None => {
            let target = Target::resolve(&arguments.deploy.target).await?;
            let written = ExportTarget { target: override_spec(), credentials_file: arguments.deploy.target.credentials.clone(), org_names: Default::default() };
            (target, Default::default(), written)
        }
    };
    if written.target.base_url.is_none() && !written.target.emulator && arguments.deploy.target.target.is_none() {
        // No base URL given: the embedded emulator was read.
        written.target.emulator = true;
    }
    if arguments.deploy.target.target.is_some() {
        written.target = TargetSpec { base_url: Some(target.base_url.clone()), ..TargetSpec::default() };
    }
    if let Some(file) = &written.credentials_file {
        // The export lives elsewhere: a relative path would not resolve from there.
        written.credentials_file = Some(std::path::absolute(file).unwrap_or_else(|_| file.clone()));
    }
    let provider_for = |org: &str| -> anyhow::Result<GenesysProvider> {
        let name = names.get(org).cloned().unwrap_or_else(|| org.to_string());
        let platform: Arc<dyn Platform> = Arc::new(target.environment.org(&name)?.clone());
        Ok(GenesysProvider::new(platform))
    };
    let provider = provider_for(&arguments.org)?;
    let parents: Vec<(String, GenesysProvider)> = arguments.parents.iter().map(|parent| Ok((parent.clone(), provider_for(parent)?))).collect::<anyhow::Result<_>>()?;
    let parent_refs: Vec<(&str, &dyn Provider)> = parents.iter().map(|(name, provider)| (name.as_str(), provider as &dyn Provider)).collect();
    let report = switchboard_deploy::export::export(&arguments.org, &provider, &parent_refs, &arguments.dir, &written).await;
    target.shutdown().await;
    let report = report?;
    output.emit(&report, |report| {
        println!("exported {} resource(s) of org {} to {} ({} files)", report.resources, report.org, report.dir, report.files.len());
        println!("plan it as is: switchboard plan --env {} --config {}", switchboard_deploy::export::EXPORT_ENVIRONMENT, report.dir);
    })
}
