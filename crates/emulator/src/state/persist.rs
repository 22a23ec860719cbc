//! `--state-dir`: the store as one JSON file, loaded at start and written atomically (temp
//! file + rename) shortly after changes and at shutdown.

use super::{AppState, Store};
use crate::error::EmulatorError;
use std::path::{Path, PathBuf};
use std::time::Duration;

const FILE_NAME: &str = "emulator-state.json";
/// Bursts of writes (a deploy touching 50 objects) become one save.
const DEBOUNCE: Duration = Duration::from_millis(150);

pub fn state_file(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

/// The saved store, or `None` when the directory holds none yet.
pub fn load(dir: &Path) -> Result<Option<Store>, EmulatorError> {
    let path = state_file(dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(EmulatorError::Io { path, source }),
    };
    serde_json::from_str(&text).map(Some).map_err(|error| EmulatorError::State {
        path,
        message: format!("line {} column {}: {error}", error.line(), error.column()),
    })
}

pub fn save(dir: &Path, store: &Store) -> Result<(), EmulatorError> {
    std::fs::create_dir_all(dir).map_err(|source| EmulatorError::Io { path: dir.to_path_buf(), source })?;
    let path = state_file(dir);
    let temporary = dir.join(format!("{FILE_NAME}.tmp"));
    let text = serde_json::to_vec_pretty(store).map_err(|error| EmulatorError::Internal(error.to_string()))?;
    std::fs::write(&temporary, text).map_err(|source| EmulatorError::Io { path: temporary.clone(), source })?;
    std::fs::rename(&temporary, &path).map_err(|source| EmulatorError::Io { path, source })
}

/// Saves the current store.
pub fn save_now(state: &AppState, dir: &Path) -> Result<(), EmulatorError> {
    let mut snapshot = state.with_store(Store::clone);
    if let Some(own) = state.contact_center().own_base_url() {
        crate::crm::unpoint_integrations(&mut snapshot, &own);
    }
    save(dir, &snapshot)
}

/// Runs until the task is aborted: waits for a change, lets the burst settle, saves.
pub async fn run_saver(state: AppState, dir: PathBuf) {
    let mut saved_generation = state.generation();
    loop {
        state.changed().await;
        tokio::time::sleep(DEBOUNCE).await;
        let generation = state.generation();
        if generation == saved_generation {
            continue;
        }
        match save_now(&state, &dir) {
            Ok(()) => saved_generation = generation,
            Err(error) => tracing::warn!("saving emulator state failed: {error}"),
        }
    }
}
