//! Reading a config repository from disk: the manifest and every component it names. Rendering
//! (templates, references, cycles) is in `render.rs`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::error::{ConfigError, Diagnostic, from_load};
use super::manifest::Manifest;

pub const MANIFEST: &str = "switchboard.yaml";

#[derive(Debug, Clone)]
pub struct Repository {
    pub root: PathBuf,
    pub manifest: Manifest,
    /// Component name → (file name relative to the root, text).
    pub components: BTreeMap<String, (String, String)>,
}

impl Repository {
    /// Reads `DIR/switchboard.yaml` and `DIR/components/NAME.yaml` for every component a group
    /// names. Every problem is reported, each with its file and line.
    pub fn load(root: &Path) -> Result<Self, ConfigError> {
        let manifest_path = root.join(MANIFEST);
        let text = std::fs::read_to_string(&manifest_path).map_err(|error| Diagnostic::new(manifest_path.display().to_string(), 0, error.to_string()))?;
        let manifest: Manifest = switchboard_model::load::parse_yaml(&text, MANIFEST).map_err(from_load)?;
        let mut diagnostics = Vec::new();
        let mut components = BTreeMap::new();
        for group in &manifest.groups {
            for component in &group.components {
                if components.contains_key(&component.value) {
                    continue;
                }
                let file = format!("components/{}.yaml", component.value);
                match std::fs::read_to_string(root.join(&file)) {
                    Ok(text) => {
                        components.insert(component.value.clone(), (file, text));
                    }
                    Err(error) => diagnostics.push(Diagnostic::new(
                        MANIFEST,
                        component.referenced.line() as usize,
                        format!("component `{}`: cannot read {file}: {error}", component.value),
                    )),
                }
            }
        }
        if !diagnostics.is_empty() {
            return Err(ConfigError { diagnostics });
        }
        Ok(Self { root: root.to_path_buf(), manifest, components })
    }

    /// Reads a file the config names (a flow's Archy YAML), relative to the root.
    pub(crate) fn read(&self, relative: &str) -> std::io::Result<String> {
        std::fs::read_to_string(self.root.join(relative))
    }
}
