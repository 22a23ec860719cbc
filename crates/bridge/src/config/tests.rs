use super::*;
use std::collections::HashMap;

fn minimal() -> HashMap<&'static str, String> {
    HashMap::from([
        ("BRIDGE_PLATFORM_URL", "http://127.0.0.1:9".to_string()),
        ("BRIDGE_CLIENT_ID", "client".to_string()),
        ("BRIDGE_CLIENT_SECRET", "hunter2-secret".to_string()),
        ("BRIDGE_CRM_URL", "http://127.0.0.1:9/crm".to_string()),
        ("BRIDGE_QUEUES", "Support, Sales".to_string()),
    ])
}

fn load(vars: &HashMap<&'static str, String>) -> Result<BridgeConfig, ConfigError> {
    BridgeConfig::from_lookup(&|name| vars.get(name).cloned())
}

#[test]
fn minimal_environment_gives_defaults() {
    let config = load(&minimal()).expect("valid");
    assert_eq!(config.queues, vec!["Support", "Sales"]);
    assert_eq!(
        config.state,
        StateUrl::Sqlite(PathBuf::from("bridge-state.db"))
    );
    assert_eq!(config.migration_phase, MigrationPhase::Expand);
    assert_eq!(config.crm_url, "http://127.0.0.1:9/crm");
}

#[test]
fn each_missing_variable_is_named_in_one_line() {
    for name in [
        "BRIDGE_PLATFORM_URL",
        "BRIDGE_CLIENT_ID",
        "BRIDGE_CLIENT_SECRET",
        "BRIDGE_CRM_URL",
        "BRIDGE_QUEUES",
    ] {
        let mut vars = minimal();
        vars.remove(name);
        let message = load(&vars).expect_err("missing").to_string();
        assert!(
            message.starts_with(&format!("{name} is required")),
            "{message}"
        );
        assert!(!message.contains('\n'));
    }
}

#[test]
fn secrets_come_from_files_and_never_appear_in_errors() {
    let dir = std::env::temp_dir().join(format!("bridge-config-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let secret_file = dir.join("client-secret");
    std::fs::write(&secret_file, "from-a-file\n").expect("write");
    let mut vars = minimal();
    vars.remove("BRIDGE_CLIENT_SECRET");
    vars.insert(
        "BRIDGE_CLIENT_SECRET_FILE",
        secret_file.display().to_string(),
    );
    let config = load(&vars).expect("valid");
    assert_eq!(config.client_secret.expose(), "from-a-file");
    assert_eq!(
        format!("{config:?}").matches("from-a-file").count(),
        0,
        "Debug must not print the secret"
    );

    vars.insert("BRIDGE_CLIENT_SECRET", "hunter2-secret".to_string());
    let both = load(&vars).expect_err("both").to_string();
    assert!(
        both.contains("BRIDGE_CLIENT_SECRET_FILE") && !both.contains("hunter2"),
        "{both}"
    );

    let mut vars = minimal();
    vars.insert(
        "BRIDGE_STATE_URL",
        "postgres://user:pa55word@db".to_string(),
    );
    let bad_url = load(&vars).expect_err("bad url").to_string();
    assert!(
        bad_url.starts_with("BRIDGE_STATE_URL:") && !bad_url.contains("pa55word"),
        "{bad_url}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn invalid_values_name_the_variable() {
    let cases = [
        ("BRIDGE_PLATFORM_URL", "not a url"),
        ("BRIDGE_LISTEN", "everywhere"),
        ("BRIDGE_MIGRATION_PHASE", "yolo"),
        ("BRIDGE_LEASE_TTL_MS", "soon"),
        ("BRIDGE_CONCURRENCY", "0"),
    ];
    for (name, value) in cases {
        let mut vars = minimal();
        vars.insert(name, value.to_string());
        let message = load(&vars).expect_err(name).to_string();
        assert!(message.starts_with(name), "{message}");
    }
    let mut vars = minimal();
    vars.insert("BRIDGE_CRM_CERT_FILE", "/tls/tls.crt".to_string());
    assert_eq!(
        load(&vars).expect_err("half identity").to_string(),
        "BRIDGE_CRM_KEY_FILE is required (BRIDGE_CRM_CERT_FILE is set)"
    );
}

#[test]
fn done_key_retention_outlives_a_day_and_the_lookback() {
    let config = load(&minimal()).expect("valid");
    assert_eq!(config.done_retention, Duration::from_secs(7 * 24 * 3_600));
    assert_eq!(config.prune_interval, Duration::from_secs(600));
    for (retention, lookback) in [
        ("3600", None),
        ("90000", Some("90000")),
        ("86400", Some("100000")),
    ] {
        let mut vars = minimal();
        vars.insert("BRIDGE_DONE_RETENTION_SECONDS", retention.to_string());
        if let Some(lookback) = lookback {
            vars.insert("BRIDGE_RECONCILE_LOOKBACK_SECONDS", lookback.to_string());
        }
        let message = load(&vars).expect_err("too short").to_string();
        assert!(
            message.starts_with("BRIDGE_DONE_RETENTION_SECONDS: must be at least 86400"),
            "{message}"
        );
    }
    let mut vars = minimal();
    vars.insert("BRIDGE_DONE_RETENTION_SECONDS", "86400".to_string());
    assert_eq!(
        load(&vars).expect("a day").done_retention,
        Duration::from_secs(86_400)
    );
    vars.insert("BRIDGE_PRUNE_INTERVAL_SECONDS", "0".to_string());
    assert!(
        load(&vars)
            .expect_err("zero")
            .to_string()
            .starts_with("BRIDGE_PRUNE_INTERVAL_SECONDS")
    );
}

#[test]
fn every_numeric_setting_is_range_checked_at_start_up() {
    // Each of these passed `--check-config` before and failed only at run time (a zero lease
    // lifetime panicked the lease loop's timer while readiness still answered 200).
    for (name, value) in [
        ("BRIDGE_LEASE_TTL_MS", "0"),
        ("BRIDGE_LEASE_TTL_MS", "2"),
        ("BRIDGE_LEASE_TTL_MS", "18446744073709551615"),
        ("BRIDGE_CRM_TLS_RELOAD_MS", "0"),
        ("BRIDGE_DRAIN_MS", "99999999999"),
        ("BRIDGE_BACKOFF_BASE_MS", "0"),
        ("BRIDGE_BACKOFF_MAX_MS", "0"),
        ("BRIDGE_CONCURRENCY", "0"),
        ("BRIDGE_CONCURRENCY", "1000000"),
        ("BRIDGE_RECONCILE_LOOKBACK_SECONDS", "18446744073709551615"),
        ("BRIDGE_DONE_RETENTION_SECONDS", "99999999999"),
        ("BRIDGE_PRUNE_INTERVAL_SECONDS", "0"),
        ("BRIDGE_SEED", "-1"),
    ] {
        let mut vars = minimal();
        vars.insert(name, value.to_string());
        let message = load(&vars).expect_err(name).to_string();
        assert!(message.starts_with(&format!("{name}: ")), "{name}={value}: {message}");
        assert!(!message.contains('\n'), "{message}");
    }
}

#[test]
fn the_backoff_ceiling_may_not_sit_below_its_base() {
    let mut vars = minimal();
    vars.insert("BRIDGE_BACKOFF_BASE_MS", "2000".to_string());
    vars.insert("BRIDGE_BACKOFF_MAX_MS", "1000".to_string());
    let message = load(&vars).expect_err("max below base").to_string();
    assert!(message.starts_with("BRIDGE_BACKOFF_MAX_MS: "), "{message}");
}

#[test]
fn the_seed_comes_from_the_environment_or_the_instance_id() {
    let mut vars = minimal();
    vars.insert("BRIDGE_INSTANCE_ID", "bridge-blue-0".to_string());
    let blue = load(&vars).expect("valid").seed;
    assert_eq!(load(&vars).expect("valid").seed, blue, "the same instance draws the same sequence");
    vars.insert("BRIDGE_INSTANCE_ID", "bridge-green-0".to_string());
    assert_ne!(load(&vars).expect("valid").seed, blue, "instances spread their reconnects");
    vars.insert("BRIDGE_SEED", "42".to_string());
    assert_eq!(load(&vars).expect("valid").seed, 42);
}
