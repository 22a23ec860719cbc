//! Test helpers: start an emulator, get tokens, speak JSON to it.

use reqwest::{Method, Response};
use serde_json::Value;
use switchboard_emulator::{EmulatorOptions, RunningEmulator, spawn};

pub async fn start(options: EmulatorOptions) -> RunningEmulator {
    match spawn(options).await {
        Ok(emulator) => emulator,
        Err(error) => panic!("emulator did not start: {error}"),
    }
}

pub async fn start_default() -> RunningEmulator {
    start(EmulatorOptions::default()).await
}

/// A client speaking for one org with a fresh token.
pub struct OrgClient {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
    pub org_id: String,
}

pub async fn token_response(base: &str, client_id: &str, secret: &str) -> Response {
    reqwest::Client::new()
        .post(format!("{base}/oauth/token"))
        .basic_auth(client_id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token request reaches the emulator")
}

pub async fn login(emulator: &RunningEmulator, org_name: &str) -> OrgClient {
    let credentials = emulator.credentials().org(org_name).unwrap_or_else(|| panic!("no org {org_name}")).clone();
    let base = emulator.base_url();
    let response = token_response(&base, &credentials.client_id, &credentials.client_secret).await;
    assert_eq!(response.status(), 200, "token for {org_name}");
    let body: Value = response.json().await.expect("token body is JSON");
    let token = body["access_token"].as_str().expect("access_token").to_string();
    OrgClient { base, token, http: reqwest::Client::new(), org_id: credentials.id }
}

impl OrgClient {
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request reaches the emulator")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.call(Method::GET, path, None).await
    }

    /// GET that must succeed; returns the JSON body.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        let status = response.status();
        let body: Value = response.json().await.expect("JSON body");
        assert!(status.is_success(), "GET {path} → {status}: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> Response {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Response {
        self.call(Method::PUT, path, Some(body)).await
    }

    /// The id of the first entity of a listing whose name is `name`.
    pub async fn id_by_name(&self, listing_path: &str, name: &str) -> String {
        let listing = self.get_json(listing_path).await;
        let entities = listing["entities"].as_array().expect("entities");
        let found = entities.iter().find(|entity| entity["name"] == name).unwrap_or_else(|| panic!("{name} in {listing_path}"));
        found["id"].as_str().expect("id").to_string()
    }
}

/// Asserts a Genesys error body with the given status and code.
pub async fn assert_error(response: Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert!(body["message"].as_str().is_some_and(|message| !message.is_empty()), "{body}");
    body
}

/// A fresh directory under the system temp dir, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!("switchboard-emulator-{label}-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Requests to `app(state)` in-process (tower `oneshot`, no socket), for tests on paused tokio time
/// (`#[tokio::test(start_paused = true)]`), where real sockets would see timers jump.
pub struct InProcess {
    pub app: axum::Router,
    pub token: Option<String>,
    /// The emulator's control credential, sent on every request (only `/_emulator/*` reads it).
    pub control_token: String,
}

impl InProcess {
    pub fn new(emulator: &RunningEmulator) -> InProcess {
        InProcess { app: switchboard_emulator::app(emulator.state()), token: None, control_token: emulator.control_token().to_string() }
    }

    /// Signs in as `org_name` with its client credentials (`POST /oauth/token`).
    pub async fn login(emulator: &RunningEmulator, org_name: &str) -> InProcess {
        let mut client = InProcess::new(emulator);
        let credentials = emulator.credentials().org(org_name).unwrap_or_else(|| panic!("no org {org_name}")).clone();
        let basic = base64_basic(&credentials.client_id, &credentials.client_secret);
        let request = axum::http::Request::post("/oauth/token")
            .header("Authorization", format!("Basic {basic}"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(axum::body::Body::from("grant_type=client_credentials"))
            .expect("request");
        let (status, body) = client.send(request).await;
        assert_eq!(status, 200, "token for {org_name}: {body}");
        client.token = body["access_token"].as_str().map(str::to_string);
        client
    }

    /// Sends `method path` with an optional JSON body and the token; returns status and JSON body.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = axum::http::Request::builder().method(method).uri(path).header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        let body = body.map(|body| axum::body::Body::from(body.to_string())).unwrap_or_else(axum::body::Body::empty);
        self.send(request.body(body).expect("request")).await
    }

    /// Sends a text body with its content type, without the token (a presigned URL's request);
    /// `url` may be absolute (only its path and query are used).
    pub async fn upload(&self, method: &str, url: &str, content_type: &str, body: &str) -> (u16, Value) {
        let path = url.find("://").and_then(|scheme| url[scheme + 3..].find('/').map(|slash| &url[scheme + 3 + slash..])).unwrap_or(url);
        let request = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("Content-Type", content_type)
            .body(axum::body::Body::from(body.to_string()))
            .expect("request");
        self.send(request).await
    }

    async fn send(&self, mut request: axum::http::Request<axum::body::Body>) -> (u16, Value) {
        use tower::ServiceExt;
        // A loopback peer with the control credential, as the control routes (`/_emulator/*`) require.
        let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 40_000));
        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
        if let Ok(value) = axum::http::HeaderValue::from_str(&self.control_token) {
            request.headers_mut().insert(switchboard_api::emulator::CONTROL_TOKEN_HEADER, value);
        }
        let response = self.app.clone().oneshot(request).await.unwrap_or_else(|never| match never {});
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }
}

/// `user:password` in base64, for a Basic header.
fn base64_basic(user: &str, password: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
}

/// Polls `probe` until it answers `Some`, or panics naming `what` once `within` has passed on the
/// tokio clock. For state the real platform only lets a client poll (an Architect job's status);
/// the pause between polls doubles from 5 ms up to 100 ms, so a fast answer is seen at once.
pub async fn poll_until<T, F, Fut>(what: &str, within: std::time::Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + within;
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not within {within:?}");
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(std::time::Duration::from_millis(100));
    }
}
