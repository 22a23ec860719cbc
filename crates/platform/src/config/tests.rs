use super::*;

fn login_for(base: &str) -> String {
    ClientConfig::new(base, "id", "secret").login_base().unwrap_or_else(|error| error.to_string())
}

#[test]
fn login_host_is_derived_like_the_official_sdks() {
    assert_eq!(login_for("https://api.mypurecloud.com"), "https://login.mypurecloud.com");
    assert_eq!(login_for("https://api.mypurecloud.de/"), "https://login.mypurecloud.de");
    assert_eq!(login_for("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    assert_eq!(login_for("http://localhost:9/"), "http://localhost:9");
}

#[test]
fn explicit_login_url_wins_and_bad_urls_name_the_field() {
    let mut config = ClientConfig::new("https://api.mypurecloud.com", "id", "secret");
    config.login_url = Some("https://sso.example.com/".into());
    assert_eq!(config.login_base().ok().as_deref(), Some("https://sso.example.com"));
    let error = login_for("not a url");
    assert!(error.contains("base_url"), "{error}");
}

#[test]
fn secrets_never_print() {
    let config = ClientConfig::new("http://h", "client-abc", "s3cr3t-value");
    let printed = format!("{config:?} {}", config.client_secret);
    assert!(!printed.contains("s3cr3t-value"), "{printed}");
    assert!(printed.contains("***"));
}
