//! `cargo xtask test`: prepares what the tests need on a fresh machine, then runs every test.
//!
//! The official Python SDK contract test needs `purecloudplatformclientv2` in `.venv`; we create
//! the venv and install it from PyPI here so `.ci/run` and a developer run the same thing.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const SDK_PACKAGE: &str = "purecloudplatformclientv2";

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

fn workspace_root() -> PathBuf {
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
    let has_sdk = Command::new(&python)
        .args(["-c", "import PureCloudPlatformClientV2"])
        .output()
        .map(|output| output.status.success())
        .unwrap_or(false);
    if !has_sdk {
        eprintln!("installing {SDK_PACKAGE} from PyPI");
        let status = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", SDK_PACKAGE])
            .status()
            .context("pip install of the Genesys Cloud Python SDK")?;
        if !status.success() {
            bail!("pip install {SDK_PACKAGE} failed ({status})");
        }
    }
    Ok(())
}
