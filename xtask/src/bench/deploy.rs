//! `bench deploy`, two figures, each with its baseline from the same run:
//!
//! 1. Reading live state for a plan of 50 orgs × ~200 resources (the emulator's large-estate
//!    generator), the deploy engine's way (one paged listing per kind per org) against one GET
//!    per resource with its sub-collections, the way per-resource refresh works (Terraform's).
//!    Both adopt every queue, data table, integration, data action and IVR of the estate, against
//!    one emulator; requests are counted by the emulator.
//! 2. Applying a change to every queue of every org (50 orgs × ~80 queues) under the emulator's
//!    default rate limit (300 requests per token per minute), all orgs at once: wall time against
//!    the lower bound that limit allows (each org's successful requests spread over as few
//!    windows as possible), failed orgs, and 429s that surfaced as errors.
//! 3. Rollback of a deployment of 3 orgs × 60 queue updates against the apply of the same
//!    updates, in the same run, under the default rate limit (goal: within 1.2x of the apply's
//!    time), with requests counted; and a plan of nothing changed: its requests.

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

async fn requests(emulator: &switchboard_emulator::RunningEmulator) -> anyhow::Result<u64> {
    let counters: serde_json::Value = emulator.control_client().get(format!("{}/_emulator/counters", emulator.base_url())).send().await?.json().await?;
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

    let before = requests(&emulator).await?;
    let started = Instant::now();
    let plan = switchboard_deploy::plan::plan(&desired, &providers, &Default::default(), &PlanOptions { concurrency: 8, ..PlanOptions::default() }).await?;
    let plan_time = started.elapsed();
    let plan_requests = requests(&emulator).await? - before;
    anyhow::ensure!(!plan.has_changes(), "an adopted estate must plan no changes");

    let before = requests(&emulator).await?;
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
    let per_resource_requests = requests(&emulator).await? - before;
    println!("deploy plan (listings):      {plan_requests} requests, {:.2} s", plan_time.as_secs_f64());
    println!("one GET per resource ({}):  {per_resource_requests} requests, {:.2} s", reads.len(), per_resource_time.as_secs_f64());
    println!(
        "ratio: the plan used {:.3}x the requests and {:.2}x the time of per-resource refresh",
        plan_requests as f64 / per_resource_requests.max(1) as f64,
        plan_time.as_secs_f64() / per_resource_time.as_secs_f64().max(f64::EPSILON)
    );
    emulator.shutdown().await;
    apply_under_the_rate_limit().await?;
    rollback_against_apply().await
}

/// Each org's client by name, to read its request statistics.
type Clients = Vec<(String, Arc<OrgClient>)>;

fn providers_for(emulator: &switchboard_emulator::RunningEmulator) -> anyhow::Result<(Providers, Clients)> {
    let mut providers = Providers::new();
    let mut clients = Vec::new();
    for org in &emulator.credentials().orgs {
        let mut config = ClientConfig::new(emulator.base_url(), org.client_id.clone(), org.client_secret.clone());
        config.org_label = org.name.clone();
        let client = Arc::new(OrgClient::new(config)?);
        providers.insert(org.name.clone(), Arc::new(GenesysProvider::new(client.clone() as Arc<dyn Platform>)) as Arc<dyn Provider>);
        clients.push((org.name.clone(), client));
    }
    Ok((providers, clients))
}

async fn apply_under_the_rate_limit() -> anyhow::Result<()> {
    const APPLY_RESOURCES: usize = 400;
    let options = EmulatorOptions::default();
    let (limit, window) = (options.rate_limit_per_minute, options.rate_limit_window);
    println!("\n# deploy: apply of a change to every queue of {ORGS} orgs (~{APPLY_RESOURCES} resources each) under {limit} requests per token per {} s", window.as_secs());
    let topology = scaled(ScaleSpec { orgs: ORGS, resources: APPLY_RESOURCES, seed: switchboard_emulator::DEFAULT_SCALE_SEED });
    let emulator = switchboard_emulator::spawn(EmulatorOptions { topology: Some(topology), ..options }).await?;
    // Planning reads with their own tokens; the apply gets fresh ones, so its windows start with it.
    let (planning, _) = providers_for(&emulator)?;
    let mut orgs = Vec::new();
    let mut queues = 0;
    for (name, provider) in &planning {
        let listed = provider.list("queue", &[]).await.with_context(|| format!("{name} queues"))?;
        let resources: Vec<DesiredResource> = listed
            .into_iter()
            .map(|object| {
                let mut body = object.body.clone();
                body["description"] = serde_json::json!(format!("{} (reviewed)", object.name));
                DesiredResource { key: ResourceKey::new("queue", object.name.clone()), body, depends_on: Vec::new(), source: Source::default() }
            })
            .collect();
        queues += resources.len();
        orgs.push(DesiredOrg { org: name.clone(), target_org: name.clone(), group: "all".into(), stage: 0, parent: None, resources });
    }
    let desired = Desired { environment: "bench".into(), orgs };
    let plan = switchboard_deploy::plan::plan(&desired, &planning, &Default::default(), &PlanOptions { concurrency: 8, ..PlanOptions::default() }).await?;
    anyhow::ensure!(plan.problems.is_empty(), "plan problems: {:?}", plan.problems);
    println!("change: {queues} queue descriptions in {} orgs", plan.orgs.len());

    let (applying, clients) = providers_for(&emulator)?;
    let path = std::env::temp_dir().join(format!("switchboard-bench-deploy-{}.db", std::process::id()));
    let journal = switchboard_journal::Journal::open(&path.display().to_string()).await?;
    let apply_options = switchboard_deploy::apply::ApplyOptions { concurrency: plan.orgs.len(), ..Default::default() };
    let started = Instant::now();
    let report = switchboard_deploy::apply::apply(&plan, &applying, &journal, &apply_options).await?;
    let elapsed = started.elapsed();
    drop(journal);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }

    let mut bound = std::time::Duration::ZERO;
    let (mut attempts, mut throttled, mut most) = (0, 0, 0);
    for (_, client) in &clients {
        let stats = client.stats();
        let succeeded = stats.attempts.saturating_sub(stats.throttled);
        // R requests need ceil(R / limit) windows; the last can start no earlier than (windows - 1) × window.
        let windows = succeeded.div_ceil(u64::from(limit).max(1)).max(1);
        bound = bound.max(window * u32::try_from(windows - 1).unwrap_or(u32::MAX));
        attempts += stats.attempts;
        throttled += stats.throttled;
        most = most.max(succeeded);
    }
    let surfaced = report.orgs.iter().filter(|org| org.error.as_deref().is_some_and(|error| error.contains("429") || error.to_lowercase().contains("rate"))).count();
    println!("apply: {:.1} s, {} written, {} failed orgs, {surfaced} 429s surfaced ({throttled} absorbed by retries, {attempts} attempts; the busiest org made {most} successful requests)", elapsed.as_secs_f64(), report.written(), report.failed());
    println!("lower bound the limit allows: {:.1} s", bound.as_secs_f64());
    if bound.is_zero() {
        // Every org's requests fit in one window: the limit imposes no wait, so no ratio.
        println!("ratio: every org stayed within one rate window; the limit imposed no wait");
    } else {
        println!("ratio: the apply took {:.2}x the lower bound (goal: within 1.2x)", elapsed.as_secs_f64() / bound.as_secs_f64().max(f64::EPSILON));
    }
    emulator.shutdown().await;
    Ok(())
}

/// A config repository of `orgs` × `queues` queues with two members each, in a temp dir.
fn queue_repository(orgs: &[&str], queues: usize) -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("switchboard-bench-deploy-repo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("components"))?;
    let names: Vec<String> = orgs.iter().map(|org| format!("  - name: {org}\n")).collect();
    let manifest = format!("environments:\n  bench:\n    target:\n      emulator: true\norgs:\n{}groups:\n  - group: all\n    org_ids: [{}]\n    components: [queues]\n", names.concat(), orgs.join(", "));
    std::fs::write(dir.join("switchboard.yaml"), manifest)?;
    let mut component = String::from("resources:\n");
    for index in 0..queues {
        component.push_str(&format!("  - queue:\n      name: Bench {index:03}\n      description: first\n      members:\n        - $ref{{user/agent1@{{{{ORG}}}}.example.com}}\n        - $ref{{user/agent2@{{{{ORG}}}}.example.com}}\n"));
    }
    std::fs::write(dir.join("components/queues.yaml"), component)?;
    Ok(dir)
}

fn render(dir: &std::path::Path, description: &str) -> anyhow::Result<Desired> {
    let repository = switchboard_deploy::config::Repository::load(dir)?;
    let mut desired = repository.render("bench")?;
    for resource in desired.orgs.iter_mut().flat_map(|org| org.resources.iter_mut()) {
        resource.body["description"] = serde_json::json!(description);
    }
    Ok(desired)
}

async fn last_applied(journal: &switchboard_journal::Journal, desired: &Desired) -> anyhow::Result<switchboard_deploy::plan::LastAppliedState> {
    Ok(switchboard_deploy::record::last_applied(journal, &desired.environment, desired.orgs.iter().map(|org| org.org.as_str())).await?)
}

async fn rollback_against_apply() -> anyhow::Result<()> {
    const QUEUES: usize = 60;
    let orgs = ["na-east-1", "na-east-2", "eu-central-1"];
    let options = EmulatorOptions::default();
    println!("\n# deploy: rollback of {} orgs x {QUEUES} queue updates vs the apply of the same updates, under {} requests per token per {} s", orgs.len(), options.rate_limit_per_minute, options.rate_limit_window.as_secs());
    let emulator = switchboard_emulator::spawn(options).await?;
    let dir = queue_repository(&orgs, QUEUES)?;
    let first = render(&dir, "first")?;
    let second = render(&dir, "second")?;
    let path = std::env::temp_dir().join(format!("switchboard-bench-deploy-rollback-{}.db", std::process::id()));
    let journal = switchboard_journal::Journal::open(&path.display().to_string()).await?;
    // Every phase gets fresh tokens, so its rate windows start with it.
    let fresh = || providers_for(&emulator).map(|(providers, _)| providers);

    let setup = fresh()?;
    let plan = switchboard_deploy::plan::plan(&first, &setup, &last_applied(&journal, &first).await?, &PlanOptions::default()).await?;
    let created = switchboard_deploy::apply::apply(&plan, &setup, &journal, &Default::default()).await?;
    anyhow::ensure!(created.failed() == 0, "creating the queues failed: {created:?}");

    let planning = fresh()?;
    let before = requests(&emulator).await?;
    let unchanged = switchboard_deploy::plan::plan(&first, &planning, &last_applied(&journal, &first).await?, &PlanOptions::default()).await?;
    let plan_requests = requests(&emulator).await? - before;
    anyhow::ensure!(!unchanged.has_changes(), "a plan of nothing changed has changes");
    let resources: usize = unchanged.orgs.iter().map(|org| org.changes.len()).sum();

    let plan = switchboard_deploy::plan::plan(&second, &planning, &last_applied(&journal, &second).await?, &PlanOptions::default()).await?;
    let applying = fresh()?;
    let before = requests(&emulator).await?;
    let started = Instant::now();
    let applied = switchboard_deploy::apply::apply(&plan, &applying, &journal, &switchboard_deploy::apply::ApplyOptions { concurrency: orgs.len(), ..Default::default() }).await?;
    let apply_time = started.elapsed();
    let apply_requests = requests(&emulator).await? - before;
    anyhow::ensure!(applied.failed() == 0 && applied.written() == orgs.len() * QUEUES, "the apply: {applied:?}");

    let rolling = fresh()?;
    let before = requests(&emulator).await?;
    let started = Instant::now();
    let options = switchboard_deploy::rollback::RollbackOptions { concurrency: orgs.len(), ..Default::default() };
    let rolled = switchboard_deploy::rollback::rollback_with(&applied.deployment, &rolling, &journal, &options).await?;
    let rollback_time = started.elapsed();
    let rollback_requests = requests(&emulator).await? - before;
    anyhow::ensure!(rolled.proven(), "the rollback is not proven: {rolled:?}");
    drop(journal);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!("plan of nothing changed ({resources} queues with members in {} orgs): {plan_requests} requests", orgs.len());
    println!("apply of {} updates:    {:.2} s, {apply_requests} requests", orgs.len() * QUEUES, apply_time.as_secs_f64());
    println!("rollback of the same:   {:.2} s, {rollback_requests} requests (proven)", rollback_time.as_secs_f64());
    println!("ratio: the rollback took {:.2}x the apply's time (goal: within 1.2x)", rollback_time.as_secs_f64() / apply_time.as_secs_f64().max(f64::EPSILON));
    emulator.shutdown().await;
    Ok(())
}
