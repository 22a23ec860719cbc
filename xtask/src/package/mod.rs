//! `cargo xtask package [--binary PATH | --release] [--hub] [--from-source] [--keep]`: builds the image from
//! `deploy/Dockerfile`, runs `deploy/compose/compose.yaml` (emulator, Redis, bridge blue and
//! green, gateway; host networking, loopback ports), checks every service's health, places calls,
//! kills the active bridge's container with SIGKILL mid-stream and checks every call still gets
//! exactly one CRM activity; then starts the killed bridge again and checks it comes back as the
//! standby. It fails (never skips) when Docker cannot run. docs/packaging.md.
//!
//! - default: the binary is the host's `cargo build -p switchboard-cli` (debug; `--release` for
//!   release), copied into the image through the Dockerfile's `prebuilt` stage; the runtime base
//!   and Redis are local images from Debian's packages (debootstrap), for machines without
//!   Docker Hub. `--binary PATH` packages that binary without building (CI passes the one its
//!   tests just built: `cargo build -p switchboard-cli` alone resolves features differently
//!   from the workspace's test build and would compile much of it again).
//! - `--hub`: the Dockerfile's default bases (`debian:bookworm-slim`) and `redis:7-alpine`.
//! - `--from-source`: the Dockerfile's default target, compiling the release binary in the build
//!   stage (`SWITCHBOARD_BUILD_IMAGE` overrides `rust:1-bookworm`; slow on a small machine).
//! - `--keep`: leave the stack running afterwards.

mod docker;
mod kill;
mod stack;

use anyhow::{Context, bail};
use docker::{Docker, LOCAL_BASE, LOCAL_REDIS, run_status};
use stack::{BRIDGES, Stack};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const IMAGE: &str = "switchboard:package";

struct Options {
    release: bool,
    binary: Option<PathBuf>,
    hub: bool,
    from_source: bool,
    keep: bool,
    calls: usize,
}

fn options(arguments: &[String]) -> anyhow::Result<Options> {
    let mut options = Options { release: false, binary: None, hub: false, from_source: false, keep: false, calls: 30 };
    let mut arguments = arguments.iter();
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--binary" => options.binary = Some(PathBuf::from(arguments.next().context("--binary needs a path")?)),
            "--release" => options.release = true,
            "--hub" => options.hub = true,
            "--from-source" => options.from_source = true,
            "--keep" => options.keep = true,
            other => bail!("unknown argument {other}: cargo xtask package [--binary PATH | --release] [--hub] [--from-source] [--keep]"),
        }
    }
    if let Ok(text) = std::env::var("SWITCHBOARD_PACKAGE_CALLS") {
        options.calls = text.parse().ok().filter(|calls| (6..=1_000).contains(calls)).context("SWITCHBOARD_PACKAGE_CALLS: 6 to 1000")?;
    }
    Ok(options)
}

pub fn run(arguments: &[String]) -> anyhow::Result<()> {
    let options = options(arguments)?;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let started = Instant::now();
    let docker = Docker::find()?;
    let (runtime_image, redis_image) = if options.hub {
        ("debian:bookworm-slim".to_string(), "redis:7-alpine".to_string())
    } else {
        let scratch = root.join("target/package");
        std::fs::create_dir_all(&scratch)?;
        docker.ensure_local_base(&scratch)?;
        docker.ensure_local_redis()?;
        (LOCAL_BASE.to_string(), LOCAL_REDIS.to_string())
    };
    // The previous run's image goes first, so repeated runs (CI on the same machine) do not pile
    // up untagged images; the base images are kept.
    let _ = docker::succeeds(docker.command().args(["image", "rm", "--force", IMAGE]));
    build_image(&docker, &root, &options, &runtime_image)?;
    println!("image {IMAGE} built ({} s so far)", started.elapsed().as_secs());

    let file = stack::compose_file(&root)?;
    let token_file = root.join("deploy/compose/dev-secrets/emulator-control-token");
    let control_token = std::fs::read_to_string(&token_file).with_context(|| format!("{}", token_file.display()))?.trim().to_string();
    let stack = Stack { docker: &docker, file, image: IMAGE.to_string(), redis_image, control_token };
    stack.down()?;
    let outcome = tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(exercise(&stack, &options));
    if !options.keep || outcome.is_err() {
        stack.down()?;
    }
    outcome?;
    println!("package: passed in {} s", started.elapsed().as_secs());
    Ok(())
}

/// The host's binary into the `prebuilt` stage, or the Dockerfile's own source build.
fn build_image(docker: &Docker, root: &Path, options: &Options, runtime_image: &str) -> anyhow::Result<()> {
    let mut build = docker.command();
    build.current_dir(root).args(["build", "--network", "host", "-f", "deploy/Dockerfile", "-t", IMAGE]);
    build.arg("--build-arg").arg(format!("RUNTIME_IMAGE={runtime_image}"));
    if options.from_source {
        if let Ok(image) = std::env::var("SWITCHBOARD_BUILD_IMAGE") {
            build.arg("--build-arg").arg(format!("BUILD_IMAGE={image}"));
        }
        return run_status(build.arg("."));
    }
    let source = match &options.binary {
        Some(path) => root.join(path),
        None => {
            let profile = if options.release { "release" } else { "debug" };
            let mut cargo = Command::new("cargo");
            cargo.current_dir(root).args(["build", "--quiet", "-p", "switchboard-cli"]);
            if options.release {
                cargo.arg("--release");
            }
            run_status(&mut cargo)?;
            root.join("target").join(profile).join("switchboard")
        }
    };
    let prebuilt = root.join("deploy/prebuilt");
    std::fs::create_dir_all(&prebuilt)?;
    let binary = prebuilt.join("switchboard");
    std::fs::copy(&source, &binary).with_context(|| format!("copying {} to deploy/prebuilt", source.display()))?;
    let outcome = run_status(build.args(["--build-arg", "BINARY_STAGE=prebuilt", "."]));
    // Not left in the source tree (it is ignored by git, but would swell a source build's context).
    let _ = std::fs::remove_dir_all(&prebuilt);
    outcome
}

async fn exercise(stack: &Stack<'_>, options: &Options) -> anyhow::Result<()> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(40)).build()?;
    stack.up()?;
    let healthy = stack.wait_healthy(&http, Duration::from_secs(120)).await?;
    println!("all five services healthy after {} ms (container health checks and /health from the host)", healthy.as_millis());

    let report = kill::run(stack, &http, options.calls).await?;
    println!(
        "kill test: {} calls ({} queued), {} killed after {} calls, standby active after {} ms; every queued call has exactly one CRM activity ({} activities in the CRM, {} activity POSTs)",
        report.calls,
        report.queued,
        report.killed,
        report.killed_after_calls,
        report.failover.as_millis(),
        report.activities_checked,
        report.activity_posts
    );

    // The killed bridge comes back (a restarted container) as the standby: one lease, one active.
    println!("{} after the kill: {}", report.killed, stack.state(report.killed).unwrap_or_default());
    stack.start(report.killed)?;
    stack.wait_healthy(&http, Duration::from_secs(60)).await?;
    let base = BRIDGES.iter().find(|(service, _)| *service == report.killed).map(|(_, base)| *base).context("bridge")?;
    let role = stack::bridge_role(&http, base).await.unwrap_or_default();
    let active = stack::active_bridge(&http, Duration::from_secs(10)).await?;
    if role != "standby" || active == report.killed {
        bail!("{} came back as {role:?} while {active} is active: one of them must stand by", report.killed);
    }
    println!("{} restarted: standby; {active} stays active", report.killed);
    Ok(())
}
