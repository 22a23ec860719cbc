//! The notification channel's WebSocket as the bridge reads it: connect with `Last-Event-ID`
//! (the emulator replays; the real platform ignores it and the bridge reconciles instead), and
//! classify each message.

use futures_util::StreamExt;
use std::sync::Arc;
use switchboard_api::notifications::{
    CHANNEL_METADATA_TOPIC, GAP_MESSAGE, NotificationEvent, SOCKET_CLOSING_TOPIC,
};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

#[derive(Debug, Clone, PartialEq)]
pub enum ChannelMessage {
    /// A topic event; `id` only where the server supports replay.
    Event {
        id: Option<u64>,
        topic: String,
        body: serde_json::Value,
    },
    /// Events between `from` and `to` are no longer retained: reconcile.
    Gap,
    /// The server is about to close the socket (channel expiry).
    Closing,
    /// Heartbeats, pongs, anything else.
    Other,
}

#[derive(Debug, thiserror::Error)]
#[error("notification socket: {0}")]
pub struct SocketError(pub String);

pub fn classify(text: &str) -> ChannelMessage {
    let Ok(event) = serde_json::from_str::<NotificationEvent>(text) else {
        return ChannelMessage::Other;
    };
    if event.topic_name == CHANNEL_METADATA_TOPIC {
        let is_gap = event
            .event_body
            .get("message")
            .and_then(|message| message.as_str())
            == Some(GAP_MESSAGE);
        return if is_gap {
            ChannelMessage::Gap
        } else {
            ChannelMessage::Other
        };
    }
    if event.topic_name == SOCKET_CLOSING_TOPIC {
        return ChannelMessage::Closing;
    }
    let id = event.id.or_else(|| {
        event
            .metadata
            .as_ref()
            .and_then(|metadata| metadata.event_id)
    });
    ChannelMessage::Event {
        id,
        topic: event.topic_name,
        body: event.event_body,
    }
}

fn tls_connector() -> Result<tokio_tungstenite::Connector, SocketError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| SocketError(error.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_tungstenite::Connector::Rustls(Arc::new(config)))
}

pub async fn connect(uri: &str, last_event_id: Option<u64>) -> Result<Socket, SocketError> {
    let mut request = uri
        .into_client_request()
        .map_err(|error| SocketError(error.to_string()))?;
    if let Some(id) = last_event_id {
        let value = HeaderValue::from_str(&id.to_string())
            .map_err(|error| SocketError(error.to_string()))?;
        request.headers_mut().insert("Last-Event-ID", value);
    }
    let connector = if uri.starts_with("wss://") {
        Some(tls_connector()?)
    } else {
        None
    };
    let (socket, _) =
        tokio_tungstenite::connect_async_tls_with_config(request, None, false, connector)
            .await
            .map_err(|error| SocketError(error.to_string()))?;
    Ok(socket)
}

/// The next text message; `None` when the socket closed.
pub async fn next_text(socket: &mut Socket) -> Option<Result<String, SocketError>> {
    loop {
        match socket.next().await? {
            Ok(Message::Text(text)) => return Some(Ok(text.to_string())),
            Ok(Message::Close(_)) => return None,
            Ok(_) => continue,
            Err(error) => return Some(Err(SocketError(error.to_string()))),
        }
    }
}
