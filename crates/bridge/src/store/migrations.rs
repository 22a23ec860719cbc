//! Versioned migrations with the expand/contract rule. Every migration says which phase it
//! belongs to: `Expand` steps only add (tables, columns, indexes, keys) so the release before
//! keeps working against the same store during a rolling deploy; `Contract` steps remove or
//! rename what no running release reads any more and run only when the operator sets
//! `BRIDGE_MIGRATION_PHASE=contract`. A destructive step inside an `Expand` migration is refused
//! outright: the label is wrong, and running it would break the release still serving traffic.

use crate::config::MigrationPhase;

/// One step of a migration: SQL for SQLite, a key operation for Redis.
pub trait Step {
    /// Drops or renames something an older release may still use.
    fn is_destructive(&self) -> bool;
    fn describe(&self) -> String;
}

impl Step for &str {
    fn is_destructive(&self) -> bool {
        sql_is_destructive(self)
    }
    fn describe(&self) -> String {
        self.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

#[derive(Debug, Clone)]
pub struct Migration<S> {
    pub version: u32,
    pub name: &'static str,
    pub phase: MigrationPhase,
    pub steps: Vec<S>,
}

/// What `plan` decided for one pending migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Run,
    /// A contract migration while the store is in the expand phase: left for an explicit contract run.
    Deferred,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "migration {version} ({name}) is labelled expand but its step `{step}` drops or renames; move it to a contract migration"
)]
pub struct DestructiveRefused {
    pub version: u32,
    pub name: String,
    pub step: String,
}

/// What a migration run did, for logs, `/health/ready` and tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MigrationReport {
    pub applied: Vec<u32>,
    pub deferred: Vec<u32>,
    pub current: Vec<u32>,
}

/// Decides, for every migration not in `applied`, whether it runs now. Pure; the stores apply.
pub fn plan<'m, S: Step>(
    migrations: &'m [Migration<S>],
    applied: &[u32],
    phase: MigrationPhase,
) -> Result<Vec<(&'m Migration<S>, Decision)>, DestructiveRefused> {
    let mut decisions = Vec::new();
    for migration in migrations
        .iter()
        .filter(|migration| !applied.contains(&migration.version))
    {
        if migration.phase == MigrationPhase::Expand
            && let Some(step) = migration.steps.iter().find(|step| step.is_destructive())
        {
            return Err(DestructiveRefused {
                version: migration.version,
                name: migration.name.to_string(),
                step: step.describe(),
            });
        }
        let decision = match (migration.phase, phase) {
            (MigrationPhase::Contract, MigrationPhase::Expand) => Decision::Deferred,
            _ => Decision::Run,
        };
        decisions.push((migration, decision));
    }
    Ok(decisions)
}

/// `DROP TABLE`, `DROP COLUMN`, `RENAME TO`, `RENAME COLUMN` (any case, any spacing).
pub fn sql_is_destructive(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect();
    words.windows(2).any(|pair| {
        matches!(
            (pair[0].as_str(), pair[1].as_str()),
            ("DROP", "TABLE" | "COLUMN") | ("RENAME", _)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migration(
        version: u32,
        phase: MigrationPhase,
        sql: &'static str,
    ) -> Migration<&'static str> {
        Migration {
            version,
            name: "test",
            phase,
            steps: vec![sql],
        }
    }

    #[test]
    fn destructive_sql_is_recognised() {
        for sql in [
            "DROP TABLE work",
            "alter table done drop column outcome",
            "ALTER TABLE a RENAME TO b",
            "alter table a rename column x to y",
        ] {
            assert!(sql_is_destructive(sql), "{sql}");
        }
        for sql in [
            "CREATE TABLE x (id TEXT)",
            "ALTER TABLE done ADD COLUMN note TEXT",
            "CREATE INDEX i ON done(done_ms)",
        ] {
            assert!(!sql_is_destructive(sql), "{sql}");
        }
    }

    #[test]
    fn expand_runs_additive_defers_contract_and_refuses_mislabelled() {
        let migrations = vec![
            migration(1, MigrationPhase::Expand, "CREATE TABLE a (id TEXT)"),
            migration(2, MigrationPhase::Contract, "DROP TABLE old"),
            migration(3, MigrationPhase::Expand, "ALTER TABLE a ADD COLUMN b TEXT"),
        ];
        let decided: Vec<(u32, Decision)> = plan(&migrations, &[1], MigrationPhase::Expand)
            .expect("plan")
            .into_iter()
            .map(|(m, d)| (m.version, d))
            .collect();
        assert_eq!(decided, vec![(2, Decision::Deferred), (3, Decision::Run)]);
        let contract: Vec<(u32, Decision)> = plan(&migrations, &[1, 3], MigrationPhase::Contract)
            .expect("plan")
            .into_iter()
            .map(|(m, d)| (m.version, d))
            .collect();
        assert_eq!(contract, vec![(2, Decision::Run)]);
        let mislabelled = vec![migration(
            4,
            MigrationPhase::Expand,
            "ALTER TABLE a DROP COLUMN b",
        )];
        let refused = plan(&mislabelled, &[], MigrationPhase::Contract).expect_err("refused");
        assert_eq!(refused.version, 4);
    }
}
