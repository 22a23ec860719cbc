//! Where a journal lives, parsed from the one string users pass (`--journal`, `switchboard.yaml`).

use crate::error::{JournalError, JournalResult};
use std::fmt;
use std::path::PathBuf;

#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// An embedded SQLite file: a plain path or `sqlite:PATH`.
    Sqlite(PathBuf),
    /// A PostgreSQL server: a `postgres://` or `postgresql://` URL (credentials may be in it).
    Postgres(String),
}

impl Location {
    pub fn parse(location: &str) -> JournalResult<Location> {
        let trimmed = location.trim();
        let refuse = |reason: &str| JournalError::Location {
            location: redact(trimmed),
            reason: reason.to_string(),
        };
        if trimmed.is_empty() {
            return Err(refuse(
                "empty; give a file path, sqlite:PATH or a postgres:// URL",
            ));
        }
        if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
            return Ok(Location::Postgres(trimmed.to_string()));
        }
        if let Some(path) = trimmed.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            if path.is_empty() {
                return Err(refuse("sqlite: needs a path"));
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = trimmed.split_once("://") {
            return Err(refuse(&format!(
                "unknown scheme `{scheme}`; the journal is SQLite (a path) or PostgreSQL (postgres://)"
            )));
        }
        Ok(Location::Sqlite(PathBuf::from(trimmed)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Location::Sqlite(_) => "sqlite",
            Location::Postgres(_) => "postgres",
        }
    }
}

/// A URL with any password replaced, for messages and logs.
pub fn redact(location: &str) -> String {
    let Some((scheme, rest)) = location.split_once("://") else {
        return location.to_string();
    };
    let (authority, tail) = match rest.find('/') {
        Some(slash) => rest.split_at(slash),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((user_info, host)) => {
            let user = user_info.split(':').next().unwrap_or("");
            if user_info.contains(':') {
                format!("{scheme}://{user}:***@{host}{tail}")
            } else {
                location.to_string()
            }
        }
        None => location.to_string(),
    }
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(formatter, "sqlite:{}", path.display()),
            Location::Postgres(url) => formatter.write_str(&redact(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse() {
        assert_eq!(
            Location::parse("journal.db").ok(),
            Some(Location::Sqlite(PathBuf::from("journal.db")))
        );
        assert_eq!(
            Location::parse("sqlite:/var/lib/j.db").ok(),
            Some(Location::Sqlite(PathBuf::from("/var/lib/j.db")))
        );
        assert_eq!(
            Location::parse("postgresql://u:p@db:5432/journal").ok(),
            Some(Location::Postgres(
                "postgresql://u:p@db:5432/journal".to_string()
            ))
        );
        let refused = Location::parse("redis://u:secret@host/0")
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(refused.contains("unknown scheme `redis`"), "{refused}");
        assert!(!refused.contains("secret"), "{refused}");
        assert!(Location::parse("  ").is_err());
        assert!(Location::parse("sqlite:").is_err());
    }

    #[test]
    fn passwords_never_print() {
        let location = Location::parse("postgres://deploy:hunter2@db.internal/journal")
            .map(|location| location.to_string())
            .unwrap_or_default();
        assert_eq!(location, "postgres://deploy:***@db.internal/journal");
        assert_eq!(redact("postgres://deploy@db/j"), "postgres://deploy@db/j");
    }
}
