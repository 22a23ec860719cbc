//! The one `NAME` / `NAME_FILE` secret reader.

use super::secret_from_env;
use std::collections::BTreeMap;

fn lookup<'a>(vars: &'a BTreeMap<&'a str, String>) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| vars.get(name).cloned()
}

#[test]
fn a_secret_comes_from_the_variable_or_the_file_never_both() {
    let path = std::env::temp_dir().join(format!("switchboard-secret-{}", std::process::id()));
    std::fs::write(&path, "from-file\n").unwrap_or_else(|error| panic!("{error}"));
    let file = path.to_string_lossy().to_string();

    let plain = BTreeMap::from([("X_SECRET", "plain".to_string())]);
    assert_eq!(secret_from_env("X_SECRET", lookup(&plain)).ok().flatten().map(|secret| secret.expose().to_string()), Some("plain".into()));
    let from_file = BTreeMap::from([("X_SECRET_FILE", file.clone())]);
    assert_eq!(secret_from_env("X_SECRET", lookup(&from_file)).ok().flatten().map(|secret| secret.expose().to_string()), Some("from-file".into()));
    let both = BTreeMap::from([("X_SECRET", "hunter2".to_string()), ("X_SECRET_FILE", file.clone())]);
    let error = secret_from_env("X_SECRET", lookup(&both)).err().unwrap_or_default();
    assert!(error.contains("not both") && !error.contains("hunter2"), "{error}");
    assert!(matches!(secret_from_env("X_SECRET", lookup(&BTreeMap::new())), Ok(None)));
    std::fs::write(&path, "  \n").unwrap_or_else(|error| panic!("{error}"));
    assert!(secret_from_env("X_SECRET", lookup(&from_file)).err().unwrap_or_default().contains("is empty"));
    let _ = std::fs::remove_file(&path);
    let missing = BTreeMap::from([("X_SECRET_FILE", file)]);
    assert!(secret_from_env("X_SECRET", lookup(&missing)).err().unwrap_or_default().contains("cannot read"));
}
