//! `cargo xtask test`: prepares what the tests need on a fresh machine, runs `tidy`, then every test.
//!
//! The official Python SDK contract test needs `purecloudplatformclientv2` in `.venv`, the
//! deploy tests need `kubernetes-validate` and the review's JUnit test `xmlschema`; we create the
//! venv and install them from PyPI here so `.ci/run` and a developer run the same thing.
//!
//! Some groups need a program or data this cannot install (Redis, PostgreSQL, the shared Archy
//! corpus). Their tests fail when it is missing, so nothing passes without testing. On a
//! newcomer's machine this run declares the missing groups (`SWITCHBOARD_UNAVAILABLE`), runs
//! everything else, and ends by naming each group it could not run and how to get it; with
//! `--ci` (what `.ci/run` passes) a missing group fails the run before any test starts.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (module to import, PyPI package) for every Python tool the tests use.
const PYTHON_PACKAGES: &[(&str, &str)] = &[("PureCloudPlatformClientV2", "purecloudplatformclientv2"), ("kubernetes_validate", "kubernetes-validate"), ("xmlschema", "xmlschema")];

/// A test group that needs something installed: (group, what, how to get it).
struct Prerequisite {
    group: &'static str,
    what: &'static str,
    how: &'static str,
    present: fn(&Path) -> bool,
}

const PREREQUISITES: &[Prerequisite] = &[
    Prerequisite {
        group: "redis",
        what: "redis-server (the bridge's Redis store tests)",
        how: "apt-get install -y redis-server, or set SWITCHBOARD_REDIS_SERVER",
        present: |_| program_runs(&std::env::var("SWITCHBOARD_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into()), "--version"),
    },
    Prerequisite {
        group: "postgres",
        what: "PostgreSQL's initdb and pg_ctl (the journal's, deploy's and rollout's PostgreSQL tests)",
        how: "apt-get install -y postgresql, or set SWITCHBOARD_PG_BIN",
        present: |_| postgres_installed(),
    },
    Prerequisite {
        group: "corpus",
        what: "the shared Archy corpus (model, simulation and review corpus tests)",
        how: "place shared/archy-corpus in a folder above the repository, or set SWITCHBOARD_ARCHY_CORPUS",
        present: |root| match std::env::var_os("SWITCHBOARD_ARCHY_CORPUS") {
            Some(folder) => Path::new(&folder).is_dir(),
            None => root.ancestors().any(|folder| folder.join("shared/archy-corpus").is_dir()),
        },
    },
];

fn program_runs(program: &str, argument: &str) -> bool {
    Command::new(program).arg(argument).output().map(|output| output.status.success()).unwrap_or(false)
}

fn postgres_installed() -> bool {
    if let Some(bin) = std::env::var_os("SWITCHBOARD_PG_BIN") {
        return Path::new(&bin).join("initdb").is_file();
    }
    program_runs("initdb", "--version")
        || std::fs::read_dir("/usr/lib/postgresql")
            .map(|versions| versions.flatten().any(|version| version.path().join("bin/initdb").is_file()))
            .unwrap_or(false)
}

pub fn run(arguments: &[String]) -> anyhow::Result<()> {
    let ci = arguments.iter().any(|argument| argument == "--ci");
    let extra_arguments: Vec<String> = arguments.iter().filter(|argument| *argument != "--ci").cloned().collect();
    let root = workspace_root();
    crate::tidy::run(&[])?;
    let missing: Vec<&Prerequisite> = PREREQUISITES.iter().filter(|prerequisite| !(prerequisite.present)(&root)).collect();
    if ci && !missing.is_empty() {
        bail!("missing in CI (every group must run):\n{}", describe(&missing));
    }
    ensure_python_sdk(&root)?;
    let use_nextest = Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .map(|output| output.status.success())
        .unwrap_or(false);
    let mut command = Command::new("cargo");
    if use_nextest {
        command.args(["nextest", "run", "--workspace", "--no-fail-fast"]);
    } else {
        eprintln!("cargo-nextest not found; falling back to cargo test");
        command.args(["test", "--workspace", "--no-fail-fast"]);
    }
    command.args(&extra_arguments).current_dir(&root);
    command.env("SWITCHBOARD_PYTHON", root.join(".venv/bin/python"));
    // Declares exactly the missing groups; a test of any other group fails when its
    // prerequisite is missing.
    command.env("SWITCHBOARD_UNAVAILABLE", missing.iter().map(|prerequisite| prerequisite.group).collect::<Vec<_>>().join(","));
    let status = command.status().context("running the test suite")?;
    if !missing.is_empty() {
        eprintln!("\nNOT RUN: {} test group(s) had what they need missing, so their tests did not run:\n{}", missing.len(), describe(&missing));
    }
    if !status.success() {
        bail!("tests failed ({status})");
    }
    if !missing.is_empty() {
        eprintln!("the run passed WITHOUT these groups; CI (`cargo xtask test --ci`) runs them all");
    }
    Ok(())
}

fn describe(missing: &[&Prerequisite]) -> String {
    missing.iter().map(|prerequisite| format!("  - {}: {} is missing; get it with: {}", prerequisite.group, prerequisite.what, prerequisite.how)).collect::<Vec<_>>().join("\n")
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn ensure_python_sdk(root: &Path) -> anyhow::Result<()> {
    let python = root.join(".venv/bin/python");
    if !python.exists() {
        eprintln!("creating .venv for the Python SDK contract test");
        let status = Command::new("python3")
            .args(["-m", "venv", ".venv"])
            .current_dir(root)
            .status()
            .context("python3 -m venv (install python3 and python3-venv)")?;
        if !status.success() {
            bail!("python3 -m venv .venv failed ({status})");
        }
    }
    for (module, package) in PYTHON_PACKAGES {
        let installed = Command::new(&python)
            .args(["-c", &format!("import {module}")])
            .output()
            .map(|output| output.status.success())
            .unwrap_or(false);
        if installed {
            continue;
        }
        eprintln!("installing {package} from PyPI");
        let status = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", package])
            .status()
            .with_context(|| format!("pip install {package}"))?;
        if !status.success() {
            bail!("pip install {package} failed ({status})");
        }
    }
    Ok(())
}
