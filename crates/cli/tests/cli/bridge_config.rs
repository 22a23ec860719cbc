//! `switchboard bridge` with missing or invalid configuration: exit 1 and one line naming the
//! variable, never its value.

use std::process::Command;

fn bridge(vars: &[(&str, &str)]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command.args(["bridge", "--check-config"]);
    for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("BRIDGE_")) {
        command.env_remove(name);
    }
    command.envs(vars.iter().copied()).output().expect("the switchboard binary runs")
}

#[test]
fn missing_configuration_is_one_line_naming_the_variable() {
    let output = bridge(&[]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "error: BRIDGE_PLATFORM_URL is required\n");

    let output = bridge(&[
        ("BRIDGE_PLATFORM_URL", "http://127.0.0.1:9"),
        ("BRIDGE_CLIENT_ID", "id"),
        ("BRIDGE_CLIENT_SECRET_FILE", "/nonexistent/secret"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.starts_with("error: BRIDGE_CLIENT_SECRET_FILE: cannot read /nonexistent/secret"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1);

    let valid = [
        ("BRIDGE_PLATFORM_URL", "http://127.0.0.1:9"),
        ("BRIDGE_CLIENT_ID", "id"),
        ("BRIDGE_CLIENT_SECRET", "s3cr3t-value"),
        ("BRIDGE_CRM_URL", "http://127.0.0.1:9/crm"),
        ("BRIDGE_QUEUES", "Support"),
        ("BRIDGE_STATE_URL", "redis://:s3cr3t-value@"),
    ];
    let output = bridge(&valid);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let mut invalid = valid.to_vec();
    invalid[5] = ("BRIDGE_STATE_URL", "mysql://root:s3cr3t-value@db");
    let output = bridge(&invalid);
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(stderr.starts_with("error: BRIDGE_STATE_URL:") && !stderr.contains("s3cr3t"), "{stderr}");

    // A value the bridge cannot run with fails the check, not a task at run time.
    let mut zero_lease = valid.to_vec();
    zero_lease.push(("BRIDGE_LEASE_TTL_MS", "0"));
    let output = bridge(&zero_lease);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "error: BRIDGE_LEASE_TTL_MS: must be between 300 and 600000 milliseconds, got 0\n");
}
