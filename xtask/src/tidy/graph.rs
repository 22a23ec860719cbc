//! The crate graph's allowed arrows, read from each crate's `Cargo.toml`.
//!
//! Checked: which `switchboard-*` crates a crate may depend on (normal dependencies; dev
//! dependencies are free, so tests may start an emulator), and which I/O crates the pure crates
//! (`model`, `simulation`, `api`) may not depend on at all. No one depends on the CLI.

use super::Violation;

/// A dependency as the manifest lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    /// `false` for `[dev-dependencies]`.
    pub normal: bool,
}

/// The switchboard crates each crate may depend on in `[dependencies]` (by folder name).
pub const ALLOWED_ARROWS: &[(&str, &[&str])] = &[
    ("model", &[]),
    ("simulation", &["model"]),
    ("api", &["model"]),
    ("platform", &["api", "model"]),
    ("journal", &[]),
    // Server plumbing (accept loop, health and metrics, signals): below every server, above nothing.
    ("service", &[]),
    // What tests share (a dev-dependency only, so it may read the environment and files).
    ("testkit", &[]),
    // The emulator serves the wire types and drives the simulation; it never knows the client.
    ("emulator", &["api", "model", "simulation", "service"]),
    // Engines reach the platform only through the client; never the emulator (only their tests).
    ("deploy", &["model", "platform", "journal"]),
    ("rollout", &["model", "simulation", "platform", "journal"]),
    ("review", &["model", "platform", "simulation"]),
    ("gateway", &["api", "platform", "service"]),
    ("bridge", &["api", "platform", "service"]),
    // The binary is glue over everything, including the embedded emulator.
    ("cli", &["api", "model", "platform", "emulator", "simulation", "gateway", "bridge", "review", "rollout", "deploy", "journal", "service"]),
];

/// Crates that do I/O: the pure crates (`model`, `simulation`, `api`) never depend on them.
pub const IO_CRATES: &[&str] = &[
    "tokio", "reqwest", "hyper", "hyper-util", "axum", "tower", "rusqlite", "redis", "tokio-postgres", "tokio-tungstenite", "rustls",
    "tokio-rustls", "tracing-subscriber",
];

pub const PURE_CRATES: &[&str] = &["model", "simulation", "api"];

/// The dependencies a manifest names, by section.
pub fn parse_manifest(text: &str) -> Vec<Dependency> {
    let mut section: Option<bool> = None;
    let mut dependencies = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.starts_with('[') {
            // `[dependencies]`, `[dev-dependencies]`, `[target.'cfg(..)'.dependencies]`; build
            // dependencies count as normal ones (they run on the build machine with full rights).
            let header = line.trim_matches(|c| c == '[' || c == ']');
            section = if header.ends_with("dev-dependencies") {
                Some(false)
            } else if header.ends_with("dependencies") {
                Some(true)
            } else {
                None
            };
            continue;
        }
        let Some(normal) = section else { continue };
        let Some((key, _)) = line.split_once('=') else { continue };
        let name = key.trim().split('.').next().unwrap_or("").trim().trim_matches('"');
        if !name.is_empty() {
            dependencies.push(Dependency { name: name.to_string(), normal });
        }
    }
    dependencies
}

/// Violations of the allowed arrows for one crate (by folder name) and its manifest.
pub fn check_manifest(krate: &str, path: &str, text: &str) -> Vec<Violation> {
    let mut violations = Vec::new();
    let allowed = ALLOWED_ARROWS.iter().find(|(name, _)| *name == krate).map(|(_, allowed)| *allowed);
    for dependency in parse_manifest(text) {
        let target = dependency.name.strip_prefix("switchboard-");
        if target == Some("cli") {
            violations.push(Violation::new("crate-graph", path, 0, format!("`{krate}` depends on the CLI; nothing may")));
            continue;
        }
        if dependency.normal {
            match (target, allowed) {
                (Some(target), Some(allowed)) if !allowed.contains(&target) && target != krate => violations.push(Violation::new(
                    "crate-graph",
                    path,
                    0,
                    format!("`{krate}` → `{target}` is not an allowed arrow (only as a dev-dependency; ARCHITECTURE.md)"),
                )),
                (Some(target), None) => violations.push(Violation::new(
                    "crate-graph",
                    path,
                    0,
                    format!("`{krate}` is not in tidy's crate graph (add it to ALLOWED_ARROWS before depending on `{target}`)"),
                )),
                _ => {}
            }
        }
        if dependency.normal && PURE_CRATES.contains(&krate) && IO_CRATES.contains(&dependency.name.as_str()) {
            violations.push(Violation::new("crate-graph", path, 0, format!("`{krate}` does no I/O but depends on `{}`", dependency.name)));
        }
    }
    violations
}
