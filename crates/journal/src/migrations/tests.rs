use super::*;

#[test]
fn versions_are_unique_and_ascending() {
    let versions: Vec<u32> = MIGRATIONS
        .iter()
        .map(|migration| migration.version)
        .collect();
    let mut sorted = versions.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(versions, sorted);
    assert_eq!(latest_version(), *versions.last().unwrap_or(&0));
}

#[test]
fn serial_keys_render_per_dialect() {
    let step = "CREATE TABLE t (id {serial_pk}, body TEXT)";
    assert_eq!(
        render(step, Dialect::Sqlite),
        "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)"
    );
    assert_eq!(
        render(step, Dialect::Postgres),
        "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, body TEXT)"
    );
    for migration in MIGRATIONS {
        for step in migration.steps {
            for dialect in [Dialect::Sqlite, Dialect::Postgres] {
                assert!(!render(step, dialect).contains('{'), "{step}");
            }
        }
    }
}
