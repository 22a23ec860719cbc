//! Fresh journals for tests: a SQLite file in a temp dir, or a new database on a throwaway
//! PostgreSQL server.

use std::path::PathBuf;
use switchboard_journal::testsupport::PostgresServer;

/// A temp dir removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "switchboard-journal-{label}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }

    pub fn sqlite_location(&self, name: &str) -> String {
        format!("sqlite:{}", self.0.join(name).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PostgreSQL server, or `None` (printed) when PostgreSQL is not installed.
pub fn postgres() -> Option<PostgresServer> {
    PostgresServer::start().expect("test postgres starts")
}
