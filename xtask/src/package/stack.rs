//! The compose stack of `deploy/compose/compose.yaml`, run under its own project name with the
//! images `cargo xtask package` built, and the health of every service in it.

use super::docker::{Docker, run_output, run_status};
use anyhow::{Context, bail};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The project name: its own, so a developer's `switchboard` stack is left alone.
pub const PROJECT: &str = "switchboard-package";

/// Each service and the URL that answers 200 once it is ready (Redis has none: its container
/// health check is `redis-cli ping`).
pub const SERVICES: &[(&str, Option<&str>)] = &[
    ("emulator", Some("http://127.0.0.1:18080/health/ready")),
    ("redis", None),
    ("bridge-blue", Some("http://127.0.0.1:18081/health/live")),
    ("bridge-green", Some("http://127.0.0.1:18082/health/live")),
    ("gateway", Some("http://127.0.0.1:19464/health/ready")),
];

pub const EMULATOR: &str = "http://127.0.0.1:18080";
pub const BRIDGES: &[(&str, &str)] = &[("bridge-blue", "http://127.0.0.1:18081"), ("bridge-green", "http://127.0.0.1:18082")];

pub struct Stack<'a> {
    pub docker: &'a Docker,
    pub file: PathBuf,
    pub image: String,
    pub redis_image: String,
    /// The emulator's control credential (the stack's dev secret file).
    pub control_token: String,
}

impl Stack<'_> {
    fn compose(&self) -> Command {
        let mut command = Command::new(&self.docker.compose[0]);
        command.args(&self.docker.compose[1..]).arg("-p").arg(PROJECT).arg("-f").arg(&self.file);
        command.env("SWITCHBOARD_IMAGE", &self.image).env("REDIS_IMAGE", &self.redis_image).env("DOCKER_BUILDKIT", "1");
        command
    }

    /// Removes the project's containers and volumes (a previous run's state included).
    pub fn down(&self) -> anyhow::Result<()> {
        run_status(self.compose().args(["down", "--volumes", "--remove-orphans", "--timeout", "5"]))
    }

    pub fn up(&self) -> anyhow::Result<()> {
        run_status(self.compose().args(["up", "--detach", "--no-build"]))
    }

    /// Starts one service again (after it was killed).
    pub fn start(&self, service: &str) -> anyhow::Result<()> {
        run_status(self.compose().args(["up", "--detach", "--no-build", "--no-deps", service]))
    }

    pub fn container(&self, service: &str) -> anyhow::Result<String> {
        let id = run_output(self.compose().args(["ps", "-q", service]))?;
        let id = id.trim().to_string();
        if id.is_empty() {
            bail!("service {service} has no container");
        }
        Ok(id)
    }

    /// `docker inspect`'s view of a container: its state and health.
    pub fn state(&self, service: &str) -> anyhow::Result<String> {
        let id = self.container(service)?;
        let format = "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}";
        Ok(run_output(self.docker.command().args(["inspect", "--format", format, &id]))?.trim().to_string())
    }

    pub fn logs(&self, service: &str) -> String {
        run_output(self.compose().args(["logs", "--no-color", "--tail", "40", service])).unwrap_or_else(|error| error.to_string())
    }

    /// Every container running and healthy by its own health check, and every health URL
    /// answering 200 from the host.
    pub async fn wait_healthy(&self, http: &reqwest::Client, limit: Duration) -> anyhow::Result<Duration> {
        let started = Instant::now();
        loop {
            let mut waiting = Vec::new();
            for (service, url) in SERVICES {
                let state = self.state(service).unwrap_or_else(|error| error.to_string());
                if state != "running healthy" {
                    waiting.push(format!("{service}: {state}"));
                    continue;
                }
                if let Some(url) = url {
                    let status = http.get(*url).send().await.map(|response| response.status().as_u16()).unwrap_or(0);
                    if status != 200 {
                        waiting.push(format!("{service}: {url} answered {status}"));
                    }
                }
            }
            if waiting.is_empty() {
                return Ok(started.elapsed());
            }
            if started.elapsed() > limit {
                let logs: Vec<String> = SERVICES.iter().map(|(service, _)| self.logs(service)).collect();
                bail!("not healthy after {limit:?}: {}\n{}", waiting.join("; "), logs.join("\n"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// A bridge's role from its readiness body (`active` or `standby`), if it answers.
pub async fn bridge_role(http: &reqwest::Client, base: &str) -> Option<String> {
    let response = http.get(format!("{base}/health/ready")).send().await.ok()?;
    let body: serde_json::Value = response.json().await.ok()?;
    body["role"].as_str().map(str::to_string)
}

/// Waits until exactly one of the live bridges is active; returns its service name.
pub async fn active_bridge(http: &reqwest::Client, limit: Duration) -> anyhow::Result<&'static str> {
    let started = Instant::now();
    loop {
        let mut active = Vec::new();
        for (service, base) in BRIDGES {
            if bridge_role(http, base).await.as_deref() == Some("active") {
                active.push(*service);
            }
        }
        match active.as_slice() {
            [one] => return Ok(one),
            [_, _] => bail!("both bridges are active at once"),
            _ if started.elapsed() > limit => bail!("no bridge became active within {limit:?}"),
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

pub fn compose_file(root: &std::path::Path) -> anyhow::Result<PathBuf> {
    let file = root.join("deploy/compose/compose.yaml");
    file.canonicalize().with_context(|| format!("{}", file.display()))
}
