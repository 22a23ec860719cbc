//! `cargo xtask test`: prepares what the tests need on a fresh machine, then runs every test.
//!
//! The official Python SDK contract test needs `purecloudplatformclientv2` in `.venv`, the
//! deploy tests need `kubernetes-validate` and the review's JUnit test `xmlschema`; we create the
//! venv and install them from PyPI here so `.ci/run` and a developer run the same thing.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (module to import, PyPI package) for every Python tool the tests use.
const PYTHON_PACKAGES: &[(&str, &str)] = &[("PureCloudPlatformClientV2", "purecloudplatformclientv2"), ("kubernetes_validate", "kubernetes-validate"), ("xmlschema", "xmlschema")];

pub fn run(extra_arguments: &[String]) -> anyhow::Result<()> {
    let root = workspace_root();
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
    command.args(extra_arguments).current_dir(&root);
    command.env("SWITCHBOARD_PYTHON", root.join(".venv/bin/python"));
    let status = command.status().context("running the test suite")?;
    if !status.success() {
        bail!("tests failed ({status})");
    }
    Ok(())
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
