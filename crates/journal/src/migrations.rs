//! The journal's schema as one versioned list for both dialects. Every open applies what the
//! database lacks, one transaction per migration under a lock (so two processes opening one
//! PostgreSQL journal at once migrate it once), and records it in `schema_version`.
//! Never edit a released migration: append one. Only additive steps, so an older release keeps
//! working against a journal a newer one migrated (until it meets a version it does not know).

/// The SQL dialects; the list spells the one type that differs with `{serial_pk}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub steps: &'static [&'static str],
}

/// The schema, oldest first. JSON is stored as text; times are epoch milliseconds.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "deployments, orgs, steps, snapshots, last applied, leases, controller state and events",
    steps: &[
        "CREATE TABLE deployments (id TEXT PRIMARY KEY, env TEXT NOT NULL, plan_json TEXT NOT NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL)",
        "CREATE INDEX deployments_by_env ON deployments (env, created_ms)",
        "CREATE TABLE deployment_orgs (deployment_id TEXT NOT NULL REFERENCES deployments (id), org TEXT NOT NULL, position BIGINT NOT NULL, state TEXT NOT NULL, error TEXT, updated_ms BIGINT NOT NULL, PRIMARY KEY (deployment_id, org))",
        "CREATE TABLE steps (id {serial_pk}, deployment_id TEXT NOT NULL REFERENCES deployments (id), org TEXT NOT NULL, resource_key TEXT NOT NULL, action TEXT NOT NULL, state TEXT NOT NULL, error TEXT, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, UNIQUE (deployment_id, org, resource_key))",
        "CREATE TABLE snapshots (id {serial_pk}, deployment_id TEXT NOT NULL REFERENCES deployments (id), org TEXT NOT NULL, resource_key TEXT NOT NULL, before_json TEXT, taken_ms BIGINT NOT NULL, UNIQUE (deployment_id, org, resource_key))",
        "CREATE TABLE last_applied (env TEXT NOT NULL, org TEXT NOT NULL, resource_key TEXT NOT NULL, content_json TEXT NOT NULL, deployment_id TEXT, updated_ms BIGINT NOT NULL, PRIMARY KEY (env, org, resource_key))",
        "CREATE TABLE leases (scope TEXT PRIMARY KEY, holder TEXT NOT NULL, token TEXT NOT NULL, acquired_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL)",
        "CREATE TABLE controller_state (namespace TEXT NOT NULL, state_key TEXT NOT NULL, value_json TEXT NOT NULL, revision BIGINT NOT NULL, updated_ms BIGINT NOT NULL, PRIMARY KEY (namespace, state_key))",
        "CREATE TABLE controller_events (id {serial_pk}, namespace TEXT NOT NULL, state_key TEXT NOT NULL, at_ms BIGINT NOT NULL, value_json TEXT NOT NULL)",
        "CREATE INDEX controller_events_by_key ON controller_events (namespace, state_key, id)",
    ],
}];

/// The newest version this build knows.
pub fn latest_version() -> u32 {
    MIGRATIONS
        .iter()
        .map(|migration| migration.version)
        .max()
        .unwrap_or(0)
}

/// A step in the given dialect.
pub fn render(step: &str, dialect: Dialect) -> String {
    let serial = match dialect {
        Dialect::Sqlite => "INTEGER PRIMARY KEY AUTOINCREMENT",
        Dialect::Postgres => "BIGSERIAL PRIMARY KEY",
    };
    step.replace("{serial_pk}", serial)
}

/// The table both backends create first, outside the list.
pub const SCHEMA_VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_ms BIGINT NOT NULL)";

#[cfg(test)]
mod tests;
