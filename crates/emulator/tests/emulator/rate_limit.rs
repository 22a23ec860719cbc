//! Per-token rate limiting with both header families; the token endpoint's 400.

use super::support::*;
use serde_json::Value;
use switchboard_emulator::EmulatorOptions;

#[tokio::test]
async fn past_the_limit_requests_get_429_with_retry_after_and_headers() {
    let emulator = start(EmulatorOptions { rate_limit_per_minute: 3, ..EmulatorOptions::default() }).await;
    let client = login(&emulator, "na-east-1").await;
    for count in 1..=3u32 {
        let response = client.get("/api/v2/organizations/me").await;
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(headers["inin-ratelimit-allowed"], "3");
        assert_eq!(headers["inin-ratelimit-count"], count.to_string().as_str());
        assert_eq!(headers["x-ratelimit-limit"], "3");
        assert_eq!(headers["x-ratelimit-remaining"], (3 - count).to_string().as_str());
        assert!(headers.contains_key("x-ratelimit-reset"));
    }
    let limited = client.get("/api/v2/organizations/me").await;
    let retry_after: u64 = limited.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!((1..=60).contains(&retry_after));
    assert_error(limited, 429, "too.many.requests.retry.after").await;

    // The same client's token requests are limited too, answered 400 invalid_request.
    let credentials = emulator.credentials().org("eu-central-2").expect("org").clone();
    for _ in 0..3 {
        assert_eq!(token_response(&emulator.base_url(), &credentials.client_id, &credentials.client_secret).await.status(), 200);
    }
    let refused = token_response(&emulator.base_url(), &credentials.client_id, &credentials.client_secret).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"], "invalid_request");
}
