//! `Secret`: a string that never prints. Client secrets and bearer tokens live in it so a stray
//! `{:?}` in a log line or an error cannot leak them. [`secret_from_env`] is the one reader of a
//! secret given as `NAME` or as a file named by `NAME_FILE` (a mounted Kubernetes Secret).

use std::fmt;

#[derive(Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The raw value, for the one place that must send it (the token request, the bearer header).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// `NAME`, or the trimmed contents of the file named by `NAME_FILE`, through `lookup` (pass
/// `|name| std::env::var(name).ok()`). Both set is an error, so a stale variable cannot shadow a
/// rotated file; an empty value or file is an error too. `Ok(None)`: neither is set. Errors name
/// the variable and the file, never the value.
pub fn secret_from_env(name: &str, lookup: impl Fn(&str) -> Option<String>) -> Result<Option<Secret>, String> {
    let file_name = format!("{name}_FILE");
    let plain = |key: &str| lookup(key).map(|value| value.trim().to_string()).filter(|value| !value.is_empty());
    match (plain(name), plain(&file_name)) {
        (Some(_), Some(_)) => Err(format!("set {name} or {file_name}, not both")),
        (Some(value), None) => Ok(Some(Secret(value))),
        (None, Some(path)) => {
            let text = std::fs::read_to_string(&path).map_err(|error| format!("{file_name}: cannot read {path}: {error}"))?;
            let value = text.trim();
            if value.is_empty() {
                return Err(format!("{file_name}: {path} is empty"));
            }
            Ok(Some(Secret(value.to_string())))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests;
