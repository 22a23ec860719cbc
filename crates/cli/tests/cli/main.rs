//! End-to-end tests of the `switchboard` binary: exit codes, one-line errors, JSON output, and a
//! real `switchboard emulator` process driven by `switchboard orgs`.

mod durability;
mod errors;
mod emulator_process;
mod output;
mod review;
mod rollout;
mod bridge_config;
mod bridge_kill;
mod snapshots;
mod deploy_resume;
mod deploy_approval;
mod deploy_journal;

use std::path::PathBuf;
use std::process::{Command, Output};

pub fn switchboard(arguments: &[&str]) -> Output {
    switchboard_with(arguments, &[])
}

/// `switchboard` with extra environment variables (an emulator's control credential).
pub fn switchboard_with(arguments: &[&str], environment: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(arguments)
        .env_remove("SWITCHBOARD_BASE_URL")
        .env_remove("SWITCHBOARD_CREDENTIALS")
        .env_remove("SWITCHBOARD_CLIENT_ID")
        .env_remove(switchboard_api::emulator::CONTROL_TOKEN_ENV)
        .envs(environment.iter().copied())
        .output()
        .expect("the switchboard binary runs")
}

pub fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("switchboard-cli-{label}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write temp file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn repository_file(relative: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(relative).display().to_string()
}
