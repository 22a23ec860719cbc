use super::*;
use futures_util::future::BoxFuture;
use std::sync::Mutex;
use switchboard_api::notifications::ChannelTopicListing;
use switchboard_platform::{ApiRequest, ApiResponse, PlatformError};

/// A platform that answers 400 to any call holding a topic with `bad` in it (as the real one
/// refuses a whole request for one unknown topic), `Rejected` for topics with `foreign`, and
/// counts its calls.
#[derive(Default)]
struct Double {
    calls: Mutex<usize>,
}

impl Platform for Double {
    fn label(&self) -> &str {
        "double"
    }

    fn execute(&self, request: ApiRequest) -> BoxFuture<'_, switchboard_platform::Result<ApiResponse>> {
        Box::pin(async move {
            *self.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner) += 1;
            let topics: Vec<ChannelTopic> = request.body.map(serde_json::from_value).transpose().map_err(|error| PlatformError::BadRequest { message: error.to_string() })?.unwrap_or_default();
            if let Some(bad) = topics.iter().find(|topic| topic.id.contains("bad")) {
                return Err(PlatformError::BadRequest { message: format!("invalid topic(s): {}", bad.id) });
            }
            let entities = topics
                .into_iter()
                .map(|topic| {
                    let foreign = topic.id.contains("foreign");
                    ChannelTopic {
                        state: Some(if foreign { "Rejected" } else { "Permitted" }.to_string()),
                        rejection_reason: foreign.then(|| "belongs to another organization".to_string()),
                        ..topic
                    }
                })
                .collect();
            let body = serde_json::to_vec(&ChannelTopicListing { entities }).map_err(|error| PlatformError::Decode { what: "listing".into(), message: error.to_string() })?;
            Ok(ApiResponse { status: 200, etag: None, body, resource: "notification channel" })
        })
    }
}

fn topics(names: &[&str]) -> Vec<String> {
    names.iter().map(ToString::to_string).collect()
}

async fn run(requests: Vec<Vec<String>>) -> (Refused, usize) {
    let double = Arc::new(Double::default());
    let client: Arc<dyn Platform> = double.clone();
    let refused = add(&client, "channel", requests).await;
    let calls = *double.calls.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    (refused, calls)
}

#[tokio::test]
async fn one_desktop_s_bad_topic_does_not_fail_another_desktop_s_topics() {
    let (refused, calls) = run(vec![topics(&["v2.users.a.presence"]), topics(&["v2.users.bad.foo"]), topics(&["v2.users.c.presence"])]).await;
    assert_eq!(refused.keys().collect::<Vec<_>>(), vec!["v2.users.bad.foo"]);
    assert!(refused["v2.users.bad.foo"].contains("invalid topic"), "{refused:?}");
    assert!(calls <= 5, "{calls} calls");
}

#[tokio::test]
async fn within_one_request_the_bad_topic_is_found_and_the_rest_subscribed() {
    let (refused, _) = run(vec![topics(&["v2.users.a.presence", "v2.users.b.presence", "v2.users.bad.x", "v2.users.d.presence"])]).await;
    assert_eq!(refused.keys().collect::<Vec<_>>(), vec!["v2.users.bad.x"]);
}

#[tokio::test]
async fn splitting_one_request_is_bounded_and_what_is_left_stays_with_that_request() {
    let hostile: Vec<String> = (0..200).map(|index| format!("v2.users.bad{index}.x")).collect();
    let (refused, calls) = run(vec![topics(&["v2.users.a.presence"]), hostile]).await;
    assert_eq!(refused.len(), 200, "every hostile topic refused, the other desktop's not");
    assert!(!refused.contains_key("v2.users.a.presence"));
    assert!(calls <= 3 + 2 * SPLIT_BUDGET, "{calls} calls");
}

#[tokio::test]
async fn rejected_topics_are_refused_with_the_platform_s_reason() {
    let (refused, calls) = run(vec![topics(&["v2.users.a.presence", "v2.users.foreign.presence"])]).await;
    assert_eq!(refused.keys().collect::<Vec<_>>(), vec!["v2.users.foreign.presence"]);
    assert_eq!(refused["v2.users.foreign.presence"], "belongs to another organization");
    assert_eq!(calls, 1);
}

#[test]
fn a_topic_missing_from_the_channel_s_set_is_not_confirmed() {
    let listing = vec![ChannelTopic { id: "v2.users.a.presence".into(), state: Some("Permitted".into()), rejection_reason: None, self_uri: None }];
    let refused = unconfirmed(&topics(&["v2.users.a.presence", "v2.users.b.presence"]), &listing);
    assert_eq!(refused.keys().collect::<Vec<_>>(), vec!["v2.users.b.presence"]);
}
