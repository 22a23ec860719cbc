//! REST endpoints of the notification service and the channels' WebSocket connect URI.

use super::hub::{ChannelInfo, NotificationError};
use super::topic;
use crate::contact_center::ContactCenter;
use crate::error::ApiError;
use crate::notifications::NotificationHub;
use crate::routes::extract::{ApiJson, Params};
use crate::state::{AppState, Caller, Directory};
use axum::Router;
use axum::extract::{Path, State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use switchboard_api::notifications::{
    AvailableTopicListing, Channel, ChannelListing, ChannelTopic, ChannelTopicListing,
};

/// The path of a channel's WebSocket; the real platform serves it on a streaming host as
/// `wss://streaming.<region>/channels/{id}`. Outside `/api/v2`: like the real one it takes no
/// bearer token (the unguessable channel id is the credential).
pub const SOCKET_PATH: &str = "/channels/{channel_id}";

/// `/api/v2/notifications/*`, to be served behind authentication.
pub fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/api/v2/notifications/availabletopics", get(available_topics))
        .route("/api/v2/notifications/channels", get(list_channels).post(create_channel))
        .route("/api/v2/notifications/channels/{channel_id}", axum::routing::head(channel_exists))
        .route(
            "/api/v2/notifications/channels/{channel_id}/subscriptions",
            get(list_subscriptions).put(replace_subscriptions).post(add_subscriptions).delete(remove_subscriptions),
        )
}

/// The channels' WebSocket endpoint, to be served without bearer authentication.
pub fn socket_routes() -> Router<AppState> {
    Router::new().route(SOCKET_PATH, get(connect))
}

impl From<NotificationError> for ApiError {
    fn from(error: NotificationError) -> Self {
        match error {
            NotificationError::ChannelNotFound(id) => ApiError::not_found("Channel", &id),
            other => ApiError::bad_request(other.to_string()),
        }
    }
}

/// `ws://HOST/channels/{id}` from the request's Host header, so the URI works from wherever
/// the client reached the emulator.
fn connect_uri(headers: &HeaderMap, channel_id: &str) -> String {
    let host = headers.get(header::HOST).and_then(|value| value.to_str().ok()).unwrap_or("127.0.0.1");
    format!("ws://{host}{}", SOCKET_PATH.replace("{channel_id}", channel_id))
}

fn channel(headers: &HeaderMap, info: ChannelInfo) -> Channel {
    Channel { connect_uri: connect_uri(headers, &info.id), id: info.id, expires: info.expires }
}

fn topic_listing(channel_id: &str, topics: Vec<String>) -> ChannelTopicListing {
    rejected_listing(channel_id, topics, Vec::new())
}

/// Subscribed topics as `Permitted`, then refused ones as `Rejected` with their reason.
fn rejected_listing(channel_id: &str, topics: Vec<String>, rejected: Vec<(String, String)>) -> ChannelTopicListing {
    let self_uri = || Some(format!("/api/v2/notifications/channels/{channel_id}/subscriptions"));
    let permitted = topics
        .into_iter()
        .map(|id| ChannelTopic { id, state: Some("Permitted".to_string()), rejection_reason: None, self_uri: self_uri() });
    let refused = rejected
        .into_iter()
        .map(|(id, reason)| ChannelTopic { id, state: Some("Rejected".to_string()), rejection_reason: Some(reason), self_uri: self_uri() });
    ChannelTopicListing { entities: permitted.chain(refused).collect() }
}

async fn available_topics() -> axum::Json<AvailableTopicListing> {
    axum::Json(AvailableTopicListing { entities: topic::available_topics() })
}

async fn create_channel(State(hub): State<NotificationHub>, caller: Caller, headers: HeaderMap) -> axum::Json<Channel> {
    let info = hub.create_channel(&caller.org_id, &caller.client_id);
    axum::Json(channel(&headers, info))
}

async fn list_channels(State(hub): State<NotificationHub>, caller: Caller, headers: HeaderMap) -> axum::Json<ChannelListing> {
    let channels = hub.list_channels(&caller.org_id, &caller.client_id);
    axum::Json(ChannelListing { entities: channels.into_iter().map(|info| channel(&headers, info)).collect() })
}

async fn channel_exists(State(hub): State<NotificationHub>, caller: Caller, Path(channel_id): Path<String>) -> Result<StatusCode, ApiError> {
    hub.subscriptions(&caller.org_id, &caller.client_id, &channel_id)?;
    Ok(StatusCode::OK)
}

async fn list_subscriptions(
    State(hub): State<NotificationHub>,
    caller: Caller,
    Path(channel_id): Path<String>,
) -> Result<axum::Json<ChannelTopicListing>, ApiError> {
    let topics = hub.subscriptions(&caller.org_id, &caller.client_id, &channel_id)?;
    Ok(axum::Json(topic_listing(&channel_id, topics)))
}

async fn subscribe(hub: &NotificationHub, directory: &Directory, center: &ContactCenter, caller: &Caller, channel_id: &str, body: Vec<ChannelTopic>, replace: bool) -> Result<axum::Json<ChannelTopicListing>, ApiError> {
    let mut requested = Vec::new();
    let mut rejected = Vec::new();
    for name in body.into_iter().flat_map(|topic| super::topic::expand(&topic.id)) {
        match super::scope::rejection(directory, center, &caller.org_id, &name) {
            Some(reason) => rejected.push((name, reason)),
            None => requested.push(name),
        }
    }
    let topics = hub.subscribe(&caller.org_id, &caller.client_id, channel_id, &requested, replace)?;
    Ok(axum::Json(rejected_listing(channel_id, topics, rejected)))
}

async fn replace_subscriptions(
    State(hub): State<NotificationHub>,
    State(directory): State<Directory>,
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    Path(channel_id): Path<String>,
    ApiJson(body): ApiJson<Vec<ChannelTopic>>,
) -> Result<axum::Json<ChannelTopicListing>, ApiError> {
    subscribe(&hub, &directory, &center, &caller, &channel_id, body, true).await
}

async fn add_subscriptions(
    State(hub): State<NotificationHub>,
    State(directory): State<Directory>,
    State(center): State<Arc<ContactCenter>>,
    caller: Caller,
    Path(channel_id): Path<String>,
    ApiJson(body): ApiJson<Vec<ChannelTopic>>,
) -> Result<axum::Json<ChannelTopicListing>, ApiError> {
    subscribe(&hub, &directory, &center, &caller, &channel_id, body, false).await
}

async fn remove_subscriptions(State(hub): State<NotificationHub>, caller: Caller, Path(channel_id): Path<String>) -> Result<StatusCode, ApiError> {
    hub.unsubscribe_all(&caller.org_id, &caller.client_id, &channel_id)?;
    Ok(StatusCode::OK)
}

/// Extension: the id to resume after, from `Last-Event-ID` or `?lastEventId=`.
fn last_event_id(headers: &HeaderMap, params: &Params) -> Result<Option<u64>, ApiError> {
    let header = headers.get("last-event-id").map(|value| value.to_str().unwrap_or("").to_string());
    match header.or_else(|| params.get("lastEventId").map(str::to_string)) {
        None => Ok(None),
        Some(text) => text
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| ApiError::invalid_value(format!("Last-Event-ID: expected an event id (a number), got `{text}`"))),
    }
}

async fn connect(
    State(hub): State<NotificationHub>,
    Path(channel_id): Path<String>,
    params: Params,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Result<Response, ApiError> {
    let hub = hub.clone();
    let resume_after = if hub.config().strict { None } else { last_event_id(&headers, &params)? };
    // Attaching before the upgrade answers an unknown channel with 404 instead of a socket
    // that closes at once; events published from here on queue for the new socket.
    let attached = hub.attach(&channel_id, resume_after)?;
    // Clients send only pings and small JSON: tight limits keep a socket from buffering
    // megabytes of unfinished fragments (issue 17: 64 MiB per socket by default).
    let upgrade = upgrade.max_message_size(crate::limits::SOCKET_MESSAGE_BYTES_MAX).max_frame_size(crate::limits::SOCKET_FRAME_BYTES_MAX);
    Ok(upgrade.on_upgrade(move |socket| super::socket::serve(socket, hub, channel_id, attached)).into_response())
}
