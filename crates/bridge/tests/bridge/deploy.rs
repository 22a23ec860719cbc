//! The packaging under `deploy/`: every Kubernetes manifest validates against the Kubernetes
//! schemas (`kubernetes-validate --strict`, installed into `.venv` by `cargo xtask test`) and
//! follows the rollout rules; the compose file passes `docker compose config` (or v1's
//! `docker-compose config`) where Docker Compose exists, and a schema check of the compose
//! format always. `cargo xtask package` runs it on a real engine (docs/packaging.md).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn deploy_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

fn manifests() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(deploy_dir().join("k8s")).expect("deploy/k8s").filter_map(Result::ok).map(|entry| entry.path()).collect();
    files.sort();
    files
}

fn documents(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).expect("manifest");
    serde_saphyr::from_multiple::<Value>(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// The Python with `kubernetes_validate`, if any.
fn validator() -> Option<String> {
    let python = std::env::var("SWITCHBOARD_PYTHON").unwrap_or_else(|_| "python3".to_string());
    let found = Command::new(&python).args(["-c", "import kubernetes_validate"]).output().is_ok_and(|output| output.status.success());
    found.then_some(python)
}

#[test]
fn kubernetes_manifests_validate_against_the_schemas() {
    let Some(python) = validator() else {
        eprintln!("skipped: kubernetes_validate is not installed for SWITCHBOARD_PYTHON (cargo xtask test installs it into .venv)");
        return;
    };
    let files = manifests();
    assert_eq!(files.len(), 3, "one manifest per server: {files:?}");
    let output = Command::new(&python).args(["-m", "kubernetes_validate", "--strict", "--quiet"]).args(&files).output().expect("validator runs");
    assert!(output.status.success(), "{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));

    // The validator is not a rubber stamp: a misspelt field fails.
    let dir = crate::support::TempDir::new("k8s-invalid");
    let broken = std::fs::read_to_string(&files[0]).expect("manifest").replace("maxUnavailable", "maxUnavailabel");
    let broken_path = dir.path("broken.yaml");
    std::fs::write(&broken_path, broken).expect("write");
    let output = Command::new(&python).args(["-m", "kubernetes_validate", "--strict", "--quiet"]).arg(&broken_path).output().expect("validator runs");
    assert!(!output.status.success(), "a misspelt field must fail validation");
}

fn seconds(text: &str) -> u64 {
    text.trim_matches('"').parse::<u64>().unwrap_or(0)
}

#[test]
fn every_deployment_rolls_without_unavailability_and_drains_within_its_grace() {
    for path in manifests() {
        let docs = documents(&path);
        let name = path.display().to_string();
        let deployment = docs.iter().find(|doc| doc["kind"] == "Deployment").unwrap_or_else(|| panic!("{name}: no Deployment"));
        assert_eq!(deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"], 0, "{name}");
        let pod = &deployment["spec"]["template"]["spec"];
        let container = &pod["containers"][0];
        let ready_path = container["readinessProbe"]["httpGet"]["path"].as_str().unwrap_or_default();
        let live_path = container["livenessProbe"]["httpGet"]["path"].as_str().unwrap_or_default();
        assert_eq!((ready_path, live_path), ("/health/ready", "/health/live"), "{name}");
        assert_eq!(pod["securityContext"]["runAsNonRoot"], true, "{name}");
        let pre_stop = container["lifecycle"]["preStop"]["exec"]["command"].as_array().expect("preStop");
        let pre_stop_seconds = pre_stop.last().and_then(Value::as_str).map(seconds).unwrap_or(0);
        assert!(pre_stop_seconds > 0, "{name}: preStop must wait for endpoints to update");
        let grace = pod["terminationGracePeriodSeconds"].as_u64().unwrap_or(30);
        let config_map = docs.iter().find(|doc| doc["kind"] == "ConfigMap").unwrap_or_else(|| panic!("{name}: no ConfigMap"));
        assert!(container["envFrom"].as_array().is_some_and(|sources| sources.iter().any(|source| source["configMapRef"]["name"] == config_map["metadata"]["name"])), "{name}: config from the ConfigMap");
        // The drain each server does after SIGTERM, from its config.
        let drain_seconds = config_map["data"]["BRIDGE_DRAIN_MS"].as_str().map(|ms| seconds(ms) / 1_000).or_else(|| {
            container["args"].as_array()?.iter().filter_map(Value::as_str).find_map(|arg| arg.strip_prefix("--drain-seconds=")).map(seconds)
        });
        assert!(grace > pre_stop_seconds + drain_seconds.unwrap_or(0), "{name}: grace {grace}s must cover preStop {pre_stop_seconds}s + drain {drain_seconds:?}s");
        if let Some(secret) = docs.iter().find(|doc| doc["kind"] == "Secret") {
            let secret_name = &secret["metadata"]["name"];
            let mounted = pod["volumes"].as_array().is_some_and(|volumes| volumes.iter().any(|volume| &volume["secret"]["secretName"] == secret_name));
            assert!(mounted, "{name}: the Secret is mounted as files");
            let as_env = container["env"].as_array().into_iter().flatten().chain(container["envFrom"].as_array().into_iter().flatten());
            assert!(!as_env.into_iter().any(|entry| entry["secretRef"]["name"] == *secret_name), "{name}: secrets as files, not a bulk env import");
        }
    }
}

/// The compose format, the parts this file uses: unknown keys, missing images, dangling
/// references (services, secrets, named volumes) are errors.
fn compose_problems(compose: &Value, base: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let object = |value: &Value| value.as_object().cloned().unwrap_or_default();
    for key in object(compose).keys() {
        if !["name", "services", "secrets", "volumes", "networks", "configs"].contains(&key.as_str()) && !key.starts_with("x-") {
            problems.push(format!("unknown top-level key `{key}`"));
        }
    }
    let services = object(&compose["services"]);
    let secrets = object(&compose["secrets"]);
    let volumes = object(&compose["volumes"]);
    const SERVICE_KEYS: &[&str] = &[
        "image", "build", "command", "entrypoint", "environment", "env_file", "ports", "volumes", "secrets", "depends_on", "healthcheck", "restart",
        "stop_grace_period", "user", "working_dir", "networks", "labels", "configs", "network_mode",
    ];
    for (name, service) in &services {
        for key in object(service).keys().filter(|key| !SERVICE_KEYS.contains(&key.as_str())) {
            problems.push(format!("service {name}: unknown key `{key}`"));
        }
        if service.get("image").is_none() && service.get("build").is_none() {
            problems.push(format!("service {name}: needs image or build"));
        }
        if let Some(restart) = service["restart"].as_str().filter(|restart| !["no", "always", "on-failure", "unless-stopped"].contains(restart)) {
            problems.push(format!("service {name}: restart `{restart}`"));
        }
        for (dependency, condition) in object(&service["depends_on"]) {
            if !services.contains_key(&dependency) {
                problems.push(format!("service {name}: depends on unknown service {dependency}"));
            }
            let condition = condition["condition"].as_str().unwrap_or("service_started");
            if !["service_started", "service_healthy", "service_completed_successfully"].contains(&condition) {
                problems.push(format!("service {name}: condition `{condition}`"));
            }
        }
        for secret in service["secrets"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !secrets.contains_key(secret) {
                problems.push(format!("service {name}: unknown secret {secret}"));
            }
        }
        for volume in service["volumes"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let source = volume.split(':').next().unwrap_or_default();
            let named = !source.starts_with('.') && !source.starts_with('/');
            if named && !volumes.contains_key(source) {
                problems.push(format!("service {name}: unknown volume {source}"));
            }
        }
        for (variable, value) in object(&service["environment"]) {
            if value.is_object() || value.is_array() {
                problems.push(format!("service {name}: environment {variable} must be a scalar"));
            }
        }
    }
    for (name, secret) in &secrets {
        match secret["file"].as_str() {
            Some(file) if base.join(file).is_file() => {}
            other => problems.push(format!("secret {name}: file {other:?} does not exist")),
        }
    }
    problems
}

#[test]
fn the_compose_file_is_valid_and_runs_the_bridge_with_redis_from_secret_files() {
    let path = deploy_dir().join("compose/compose.yaml");
    let succeeds = |program: &str, arguments: &[&str]| Command::new(program).args(arguments).output().is_ok_and(|output| output.status.success());
    let compose: Option<Vec<&str>> = if succeeds("docker", &["compose", "version"]) {
        Some(vec!["docker", "compose"])
    } else if succeeds("docker-compose", &["version"]) {
        Some(vec!["docker-compose"])
    } else {
        None
    };
    if let Some(compose) = compose {
        let output = Command::new(compose[0]).args(&compose[1..]).arg("-f").arg(&path).args(["config", "--quiet"]).output().expect("compose config");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    } else {
        eprintln!("neither docker compose nor docker-compose is installed: checking the compose schema only");
    }
    let compose: Value = serde_saphyr::from_str(&std::fs::read_to_string(&path).expect("compose file")).expect("compose YAML");
    assert_eq!(compose_problems(&compose, path.parent().expect("dir")), Vec::<String>::new());
    let services = compose["services"].as_object().expect("services");
    for server in ["emulator", "redis", "bridge-blue", "bridge-green", "gateway"] {
        assert!(services.contains_key(server), "compose runs {server}");
    }
    for (name, service) in services {
        assert_eq!(service["network_mode"], "host", "{name}: host networking, loopback ports (docs/packaging.md)");
    }
    for bridge in ["bridge-blue", "bridge-green"] {
        let environment = &services[bridge]["environment"];
        assert_eq!(environment["BRIDGE_STATE_URL"], "redis://127.0.0.1:16379");
        assert!(environment.get("BRIDGE_CLIENT_SECRET").is_none() && environment["BRIDGE_CLIENT_SECRET_FILE"].is_string(), "secrets only as files");
    }
    // And the checker is not a rubber stamp.
    let mut broken = compose.clone();
    broken["services"]["bridge-blue"]["depends_on"]["postgres"] = serde_json::json!({"condition": "service_healthy"});
    broken["services"]["gateway"]["secretz"] = serde_json::json!([]);
    assert_eq!(compose_problems(&broken, path.parent().expect("dir")).len(), 2);
}
