//! Files the gateway re-reads when they change: JWT keys and the TLS certificate. A poll of
//! each path's fingerprint (resolved through symlinks) rather than inotify, because Kubernetes
//! rotates a mounted secret by swapping the `..data` symlink in the parent directory, which a
//! watch on the file itself never sees; comparing what the path resolves to catches it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What identifies one version of a file: its resolved target, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fingerprint {
    target: Option<PathBuf>,
    len: u64,
    modified: Option<SystemTime>,
}

fn fingerprint(path: &Path) -> Option<Fingerprint> {
    // `metadata` follows symlinks, so a swapped `..data` link shows up as a different target.
    let metadata = std::fs::metadata(path).ok()?;
    Some(Fingerprint { target: std::fs::canonicalize(path).ok(), len: metadata.len(), modified: metadata.modified().ok() })
}

/// Fingerprints of every file under `paths` (directories are listed one level deep).
fn snapshot(paths: &[PathBuf]) -> Vec<(PathBuf, Option<Fingerprint>)> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|entries| entries.filter_map(|entry| entry.ok().map(|entry| entry.path())).collect())
                .unwrap_or_default();
            entries.sort();
            for entry in entries {
                files.push((entry.clone(), fingerprint(&entry)));
            }
        } else {
            files.push((path.clone(), fingerprint(path)));
        }
    }
    files
}

/// Calls `reload` whenever anything under `paths` changes, every `interval`, until the task is
/// aborted. `reload` logs its own failures and keeps the previous version on error.
pub fn watch(paths: Vec<PathBuf>, interval: Duration, mut reload: impl FnMut() + Send + 'static) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = snapshot(&paths);
        let mut ticker = tokio::time::interval(interval.max(Duration::from_millis(10)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let now = snapshot(&paths);
            if now != seen {
                seen = now;
                reload();
            }
        }
    })
}

/// Key files under `paths`: a directory contributes every regular file not starting with `.`
/// (Kubernetes' `..data` and timestamped directories are skipped); the file stem is the `kid`.
pub fn key_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let Ok(entries) = std::fs::read_dir(path) else { continue };
            let mut found: Vec<PathBuf> = entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|entry| entry.is_file())
                .filter(|entry| !entry.file_name().and_then(|name| name.to_str()).is_some_and(|name| name.starts_with('.')))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    files
}
