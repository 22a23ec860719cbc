use super::*;
use switchboard_api::OrgCredentials;

fn credentials() -> CredentialsFile {
    let org = |id: &str, name: &str| OrgCredentials {
        id: id.into(),
        name: name.into(),
        parent_id: None,
        client_id: format!("{name}-client"),
        client_secret: format!("{name}-secret"),
    };
    CredentialsFile { orgs: vec![org("o-1", "global"), org("o-2", "na-east-1")] }
}

#[test]
fn variable_names_are_upper_snake() {
    assert_eq!(env_var_name("na-east-1", "CLIENT_ID"), "SWITCHBOARD_ORG_NA_EAST_1_CLIENT_ID");
    assert_eq!(env_var_name("eu.central 2", "CLIENT_SECRET"), "SWITCHBOARD_ORG_EU_CENTRAL_2_CLIENT_SECRET");
}

#[test]
fn from_credentials_finds_orgs_by_name_and_id() {
    let environment = Environment::from_credentials("http://127.0.0.1:9", &credentials(), |config| config.retry.max_attempts = 2);
    let Ok(environment) = environment else { panic!("{environment:?}") };
    assert_eq!(environment.names().collect::<Vec<_>>(), ["global", "na-east-1"]);
    assert_eq!(environment.org("o-2").map(|client| client.config().client_id.clone()).ok(), Some("na-east-1-client".into()));
    assert_eq!(environment.org("global").map(|client| client.config().retry.max_attempts).ok(), Some(2));
    let unknown = environment.org("mars").err().map(|error| error.to_string()).unwrap_or_default();
    assert!(unknown.contains("mars") && unknown.contains("na-east-1"), "{unknown}");
}

#[test]
fn from_config_reads_secrets_from_variables() {
    let config = EnvironmentConfig {
        base_url: "https://api.mypurecloud.com".into(),
        orgs: vec![OrgEntry { name: "prod-east".into(), id: None }],
        ..EnvironmentConfig::default()
    };
    let lookup = |name: &str| match name {
        "SWITCHBOARD_ORG_PROD_EAST_CLIENT_ID" => Some("abc".to_owned()),
        "SWITCHBOARD_ORG_PROD_EAST_CLIENT_SECRET" => Some("shh".to_owned()),
        _ => None,
    };
    let environment = Environment::from_config(&config, lookup, |_| {});
    let Ok(environment) = environment else { panic!("{environment:?}") };
    let client = environment.org("prod-east").ok();
    assert_eq!(client.map(|c| c.config().client_id.as_str()), Some("abc"));
    assert_eq!(client.and_then(|c| c.config().login_base().ok()).as_deref(), Some("https://login.mypurecloud.com"));
}

#[test]
fn a_missing_secret_names_the_variables() {
    let config = EnvironmentConfig {
        base_url: "http://127.0.0.1:9".into(),
        orgs: vec![OrgEntry { name: "lab".into(), id: None }],
        ..EnvironmentConfig::default()
    };
    let error = Environment::from_config(&config, |_| None, |_| {}).err().map(|error| error.to_string()).unwrap_or_default();
    assert!(error.contains("SWITCHBOARD_ORG_LAB_CLIENT_ID") && error.contains("SWITCHBOARD_ORG_LAB_CLIENT_SECRET"), "{error}");
}

#[test]
fn a_bad_credentials_file_names_file_and_line() {
    let path = std::env::temp_dir().join(format!("switchboard-creds-{}.json", std::process::id()));
    let written = std::fs::write(&path, "{\n  \"orgs\": [\n    {\"id\": 3}\n  ]\n}\n");
    assert!(written.is_ok());
    let error = read_credentials(&path).err().map(|error| error.to_string()).unwrap_or_default();
    let _ = std::fs::remove_file(&path);
    assert!(error.contains(&path.display().to_string()) && error.contains(":3:"), "{error}");
}
