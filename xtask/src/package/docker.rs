//! The Docker engine, client and Compose that `cargo xtask package` drives, and the local base
//! images for machines without Docker Hub. Nothing here skips: a missing engine is an error.

use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The runtime base made with debootstrap (Debian bookworm minbase + CA roots, curl, passwd).
pub const LOCAL_BASE: &str = "switchboard-base:bookworm";
/// Redis from Debian's `redis-server`, on the local base.
pub const LOCAL_REDIS: &str = "switchboard-redis:bookworm";

/// A Docker client that can build with BuildKit, and how to run Compose with it.
pub struct Docker {
    pub client: String,
    /// `["docker", "compose"]` (v2 plugin) or `["docker-compose"]` (v1).
    pub compose: Vec<String>,
}

impl Docker {
    /// Finds the client and Compose, and checks the engine answers.
    pub fn find() -> anyhow::Result<Docker> {
        let client = buildkit_client()?;
        let info = run_output(Command::new(&client).args(["info", "--format", "{{.ServerVersion}}"]))
            .with_context(|| format!("`{client} info`: is dockerd running? (docs/packaging.md: `dockerd --bridge=none --iptables=false`)"))?;
        println!("docker engine {} (client {client})", info.trim());
        let compose = if succeeds(Command::new(&client).args(["compose", "version"])) {
            vec![client.clone(), "compose".to_string()]
        } else if succeeds(Command::new("docker-compose").arg("version")) {
            vec!["docker-compose".to_string()]
        } else {
            bail!("neither `{client} compose` (v2) nor `docker-compose` (v1; Debian's docker-compose) is installed");
        };
        println!("compose: {}", compose.join(" "));
        Ok(Docker { client, compose })
    }

    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.client);
        command.env("DOCKER_BUILDKIT", "1");
        command
    }

    pub fn image_exists(&self, image: &str) -> bool {
        succeeds(self.command().args(["image", "inspect", image]))
    }

    /// The local runtime base: debootstrap's minbase of bookworm with CA roots and curl, imported.
    /// Made once; the engine keeps it (CI reuses it on the same machine).
    pub fn ensure_local_base(&self, scratch: &Path) -> anyhow::Result<()> {
        if self.image_exists(LOCAL_BASE) {
            println!("base image {LOCAL_BASE}: present");
            return Ok(());
        }
        println!("base image {LOCAL_BASE}: debootstrap --variant=minbase bookworm (about a minute)");
        let rootfs = scratch.join("rootfs");
        let mirror = std::env::var("SWITCHBOARD_DEBIAN_MIRROR").unwrap_or_else(|_| "http://deb.debian.org/debian".to_string());
        let status = Command::new("debootstrap")
            .args(["--variant=minbase", "--include=ca-certificates,curl,passwd", "bookworm"])
            .arg(&rootfs)
            .arg(&mirror)
            .stdout(Stdio::null())
            .status()
            .context("debootstrap (apt-get install debootstrap)")?;
        if !status.success() {
            bail!("debootstrap failed ({status})");
        }
        // The package cache and lists are not part of an image.
        for dir in ["var/cache/apt/archives", "var/lib/apt/lists"] {
            for entry in std::fs::read_dir(rootfs.join(dir)).into_iter().flatten().flatten() {
                if entry.path().is_file() {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        let tar = Command::new("tar").arg("-C").arg(&rootfs).args(["-c", "."]).stdout(Stdio::piped()).spawn().context("tar")?;
        let stdout = tar.stdout.context("tar's output")?;
        let status = self.command().args(["import", "-", LOCAL_BASE]).stdin(stdout).stdout(Stdio::null()).status().context("docker import")?;
        std::fs::remove_dir_all(&rootfs).context("removing the rootfs")?;
        if !status.success() {
            bail!("docker import failed ({status})");
        }
        Ok(())
    }

    /// Redis for the compose stack where Docker Hub's image cannot be pulled: Debian's
    /// `redis-server` package on the local base (the same Redis 7 the Redis tests run).
    pub fn ensure_local_redis(&self) -> anyhow::Result<()> {
        if self.image_exists(LOCAL_REDIS) {
            println!("redis image {LOCAL_REDIS}: present");
            return Ok(());
        }
        println!("redis image {LOCAL_REDIS}: Debian's redis-server on {LOCAL_BASE}");
        let dockerfile = format!(
            "FROM {LOCAL_BASE}\nRUN apt-get update && apt-get install -y --no-install-recommends redis-server \
             && rm -rf /var/lib/apt/lists/* && install -d -o redis -g redis /data\nUSER redis\nWORKDIR /data\n"
        );
        let mut child = self
            .command()
            .args(["build", "--network", "host", "-t", LOCAL_REDIS, "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .context("docker build (redis)")?;
        child.stdin.take().context("stdin")?.write_all(dockerfile.as_bytes())?;
        let status = child.wait()?;
        if !status.success() {
            bail!("building {LOCAL_REDIS} failed ({status})");
        }
        Ok(())
    }
}

/// The first client that builds with BuildKit: Docker 23+ needs the buildx plugin for that,
/// older clients (Debian bookworm's docker.io, 20.10) have it built in. `SWITCHBOARD_DOCKER`
/// names one explicitly.
fn buildkit_client() -> anyhow::Result<String> {
    if let Ok(client) = std::env::var("SWITCHBOARD_DOCKER") {
        return Ok(client);
    }
    let mut seen = Vec::new();
    for client in ["docker", "/usr/bin/docker"] {
        // `docker --version` answers without an engine: "Docker version 20.10.24+dfsg1, build …".
        let Ok(line) = run_output(Command::new(client).arg("--version")) else {
            continue;
        };
        let version = line.trim().strip_prefix("Docker version ").unwrap_or_default().split(',').next().unwrap_or_default().to_string();
        let major: u32 = version.split('.').next().and_then(|major| major.parse().ok()).unwrap_or(0);
        if major < 23 || succeeds(Command::new(client).args(["buildx", "version"])) {
            return Ok(client.to_string());
        }
        seen.push(format!("{client} {} (no buildx)", version.trim()));
    }
    if seen.is_empty() {
        bail!("no docker client found (apt-get install docker.io)");
    }
    bail!("no docker client builds with BuildKit: {}; install buildx or Debian's docker.io, or set SWITCHBOARD_DOCKER", seen.join(", "))
}

pub fn succeeds(command: &mut Command) -> bool {
    command.stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|status| status.success())
}

/// Runs a command and returns its stdout; its stderr in the error when it fails.
pub fn run_output(command: &mut Command) -> anyhow::Result<String> {
    let output: Output = command.stdin(Stdio::null()).output().with_context(|| format!("running {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed ({}): {}", output.status, String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Runs a command with its output shown; fails when it fails.
pub fn run_status(command: &mut Command) -> anyhow::Result<()> {
    let status = command.stdin(Stdio::null()).status().with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed ({status})");
    }
    Ok(())
}
