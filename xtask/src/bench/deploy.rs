//! `bench deploy`: reading live state for a plan of 50 orgs × ~200 resources (the emulator's
//! large-estate generator), the deploy engine's way (one paged listing per kind per org) against
//! one GET per resource with its sub-collections, the way per-resource refresh works
//! (Terraform's). Both adopt every queue, data table, integration, data action and IVR of the
//! estate, against one emulator in the same run; requests are counted by the emulator.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt, stream};
use switchboard_deploy::desired::{Desired, DesiredOrg, DesiredResource, Source};
use switchboard_deploy::genesys::GenesysProvider;
use switchboard_deploy::plan::{PlanOptions, Providers};
use switchboard_deploy::{Provider, ResourceKey};
use switchboard_emulator::EmulatorOptions;
use switchboard_emulator::{ScaleSpec, scaled};
use switchboard_platform::{ClientConfig, OrgClient, Platform};

const ORGS: usize = 50;
const RESOURCES: usize = 200;
const KINDS: [&str; 5] = ["queue", "datatable", "integration", "data_action", "ivr"];

async fn requests(base_url: &str) -> anyhow::Result<u64> {
    let counters: serde_json::Value = reqwest::get(format!("{base_url}/_emulator/counters")).await?.json().await?;
    Ok(counters["counters"].as_array().into_iter().flatten().filter(|counter| !counter["path"].as_str().unwrap_or_default().contains("oauth")).filter_map(|counter| counter["count"].as_u64()).sum())
}

pub async fn run() -> anyhow::Result<()> {
    println!("\n# deploy: live state of {ORGS} orgs x ~{RESOURCES} resources, listings vs one GET per resource");
    let topology = scaled(ScaleSpec { orgs: ORGS, resources: RESOURCES, seed: switchboard_emulator::DEFAULT_SCALE_SEED });
    let emulator = switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), rate_limit_per_minute: 10_000_000, ..EmulatorOptions::default() }).await?;
    let base_url = emulator.base_url();
    let mut providers = Providers::new();
    for org in &emulator.credentials().orgs {
        let mut config = ClientConfig::new(&base_url, org.client_id.clone(), org.client_secret.clone());
        config.org_label = org.name.clone();
        let platform: Arc<dyn Platform> = Arc::new(OrgClient::new(config)?);
        providers.insert(org.name.clone(), Arc::new(GenesysProvider::new(platform)) as Arc<dyn Provider>);
    }
    // The desired state adopts what is there (sub-collections included, as a config would).
    let mut orgs = Vec::new();
    let mut objects = Vec::new();
    for (name, provider) in &providers {
        let mut resources = Vec::new();
        for kind in KINDS {
            let listed = provider.list(kind, &[]).await.with_context(|| format!("{name} {kind}"))?;
            for object in listed {
                resources.push(DesiredResource { key: ResourceKey::new(kind, object.name.clone()), body: object.body.clone(), depends_on: Vec::new(), source: Source::default() });
                objects.push((name.clone(), object));
            }
        }
        orgs.push(DesiredOrg { org: name.clone(), target_org: name.clone(), group: "all".into(), stage: 0, parent: None, resources });
    }
    let desired = Desired { environment: "bench".into(), orgs };
    println!("estate: {} orgs, {} managed resources", desired.orgs.len(), objects.len());

    let before = requests(&base_url).await?;
    let started = Instant::now();
    let plan = switchboard_deploy::plan::plan(&desired, &providers, &Default::default(), &PlanOptions { concurrency: 8, ..PlanOptions::default() }).await?;
    let plan_time = started.elapsed();
    let plan_requests = requests(&base_url).await? - before;
    anyhow::ensure!(!plan.has_changes(), "an adopted estate must plan no changes");

    let before = requests(&base_url).await?;
    let started = Instant::now();
    let reads: Vec<usize> = stream::iter(objects.iter())
        .map(|(org, object)| {
            let provider = providers.get(org).cloned();
            async move {
                let provider = provider.context("provider")?;
                provider.read(&object.kind, &object.id).await?;
                Ok::<usize, anyhow::Error>(1)
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    let per_resource_time = started.elapsed();
    let per_resource_requests = requests(&base_url).await? - before;
    println!("deploy plan (listings):      {plan_requests} requests, {:.2} s", plan_time.as_secs_f64());
    println!("one GET per resource ({}):  {per_resource_requests} requests, {:.2} s", reads.len(), per_resource_time.as_secs_f64());
    println!(
        "ratio: the plan used {:.3}x the requests and {:.2}x the time of per-resource refresh",
        plan_requests as f64 / per_resource_requests.max(1) as f64,
        plan_time.as_secs_f64() / per_resource_time.as_secs_f64().max(f64::EPSILON)
    );
    emulator.shutdown().await;
    Ok(())
}
