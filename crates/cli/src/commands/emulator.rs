//! `switchboard emulator`: runs the platform emulator until interrupted.

use crate::args::EmulatorArgs;
use crate::output::OutputFormat;
use anyhow::Context;
use std::time::Duration;
use switchboard_api::traffic::TrafficRequest;
use switchboard_emulator::{CrmTlsConfig, serve_crm_tls};
use switchboard_emulator::ScaleSpec;
use switchboard_emulator::{ControlTokenOption, EmulatorOptions, load_topology};

pub async fn run(arguments: EmulatorArgs, output: OutputFormat) -> anyhow::Result<()> {
    let topology = match (&arguments.config, arguments.topology_scale) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            Some(load_topology(&text, &path.display().to_string())?)
        }
        (None, Some(scale)) => Some(switchboard_emulator::scaled(ScaleSpec { seed: arguments.topology_seed, ..scale })),
        (None, None) => None,
    };
    if arguments.rate_limit == 0 {
        anyhow::bail!("--rate-limit must be at least 1 request per minute");
    }
    let control_token = switchboard_platform::control_token_from(|name| std::env::var(name).ok())?;
    let options = EmulatorOptions {
        control_token: control_token.map(|token| ControlTokenOption(token.expose().to_string())),
        listen: arguments.listen,
        topology,
        state_dir: arguments.state_dir.clone(),
        strict: arguments.strict,
        token_lifetime: Duration::from_secs(arguments.token_lifetime),
        rate_limit_per_minute: arguments.rate_limit,
        ..EmulatorOptions::default()
    };
    let emulator = switchboard_emulator::spawn(options)
        .await
        .with_context(|| format!("starting the emulator on {}", arguments.listen))?;
    let state = emulator.state();
    for spec in &arguments.traffic {
        let request = parse_traffic(spec, arguments.speed_up)?;
        state.start_traffic(request).with_context(|| format!("--traffic {spec}"))?;
    }
    let crm_tls = match (&arguments.crm_tls_listen, &arguments.crm_tls_cert, &arguments.crm_tls_key) {
        (Some(listen), Some(cert), Some(key)) => {
            let config = CrmTlsConfig {
                listen: *listen,
                cert_pem: read_pem(cert)?,
                key_pem: read_pem(key)?,
                client_ca_pem: arguments.crm_client_ca.as_deref().map(read_pem).transpose()?,
            };
            Some(serve_crm_tls(state.clone(), config).await.context("starting the CRM's TLS listener")?)
        }
        _ => None,
    };
    let credentials = emulator.credentials().clone();
    if let Some(path) = &arguments.credentials_out {
        let text = serde_json::to_string_pretty(&credentials)?;
        write_private(path, &text).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &arguments.control_token_file {
        write_private(path, emulator.control_token()).with_context(|| format!("writing {}", path.display()))?;
    }
    let summary = serde_json::json!({
        "baseUrl": emulator.base_url(),
        "strict": arguments.strict,
        "orgs": credentials.orgs,
        "crmTls": crm_tls.as_ref().map(|server| server.base_url()),
        "controlTokenFile": arguments.control_token_file,
    });
    output.emit(&summary, |_| {
        println!("switchboard emulator listening on {}", emulator.base_url());
        println!("development credentials (not secrets; deterministic per org name):");
        for org in &credentials.orgs {
            let parent = org.parent_id.as_deref().unwrap_or("-");
            println!("  {:<14} id={} parent={} clientId={} clientSecret={}", org.name, org.id, parent, org.client_id, org.client_secret);
        }
        if let Some(server) = &crm_tls {
            let mode = if arguments.crm_client_ca.is_some() { "mutual TLS" } else { "TLS" };
            println!("fake CRM over {mode} at {}/crm", server.base_url());
        }
        if arguments.strict {
            println!("strict: no /_emulator control surface");
        } else if let Some(path) = &arguments.control_token_file {
            println!("control credential for /_emulator/*: in {} (SWITCHBOARD_EMULATOR_CONTROL_TOKEN_FILE)", path.display());
        } else {
            println!("control credential for /_emulator/* (header x-switchboard-control-token): {}", emulator.control_token());
        }
        println!("press Ctrl-C to stop");
    })?;
    tokio::signal::ctrl_c().await.context("waiting for Ctrl-C")?;
    emulator.shutdown().await;
    Ok(())
}

fn read_pem(path: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

/// `ORG/DID=CALLS_PER_MINUTE` → a traffic request.
fn parse_traffic(spec: &str, speed_up: f64) -> anyhow::Result<TrafficRequest> {
    let (target, rate) = spec.split_once('=').with_context(|| format!("--traffic {spec}: expected ORG/DID=CALLS_PER_MINUTE"))?;
    let (org, did) = target.split_once('/').with_context(|| format!("--traffic {spec}: expected ORG/DID before '='"))?;
    let calls_per_minute: f64 =
        rate.trim().parse().with_context(|| format!("--traffic {spec}: rate {rate:?} is not a number of calls per minute"))?;
    Ok(TrafficRequest {
        org: org.trim().to_string(),
        did: did.trim().to_string(),
        calls_per_minute: Some(calls_per_minute),
        speed_up: Some(speed_up),
        ..TrafficRequest::default()
    })
}

/// Credentials files are readable by the owner only from the moment they exist (created 0600,
/// never written first and narrowed after), and appear whole (temp file + rename) so a script
/// polling for the file never reads half of it.
fn write_private(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let temporary = path.with_extension("tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Private from the first byte: the file is never readable by others, not even briefly.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(&temporary)?.write_all(text.as_bytes())?;
    std::fs::rename(&temporary, path)
}
