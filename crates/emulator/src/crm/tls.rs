//! The CRM on its own TLS listener, optionally requiring client certificates (mutual TLS), for
//! the bridge's certificate handling. Same routes, same fault rules and counters as `/crm/*` on
//! the main port. It starts through `switchboard-service` (the emulator's connection timeouts,
//! the TLS handshake under its own deadline, `shutdown` drains it).

use super::routes::ClientCertificate;
use crate::error::EmulatorError;
use crate::middleware::edge;
use crate::state::AppState;
use axum::Router;
use axum::http::Extensions;
use axum::middleware::from_fn_with_state;
use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use switchboard_service::{Handshake, ServeConfig, Server};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// PEM text of the server's certificate chain and key; `client_ca_pem` turns on mutual TLS
/// (clients must present a certificate signed by it).
#[derive(Debug, Clone)]
pub struct CrmTlsConfig {
    pub listen: SocketAddr,
    pub cert_pem: String,
    pub key_pem: String,
    pub client_ca_pem: Option<String>,
}

/// A running TLS listener; `shutdown` drains it, dropping it closes it at once.
pub struct CrmTlsServer {
    addr: SocketAddr,
    server: Server,
}

impl CrmTlsServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// `https://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("https://{}", self.addr)
    }
    /// Stops accepting (new connections are refused), lets requests in flight finish within
    /// the drain deadline, then closes what is left.
    pub async fn shutdown(self) {
        self.server.shutdown().await;
    }
}

/// The TLS handshake under its deadline; requests carry whether the peer's certificate verified.
struct CrmHandshake {
    acceptor: TlsAcceptor,
    deadline: Duration,
}

impl Handshake for CrmHandshake {
    type Io = TlsStream<TcpStream>;

    async fn handshake(&self, stream: TcpStream, peer: SocketAddr) -> Option<(Self::Io, Extensions)> {
        let stream = match tokio::time::timeout(self.deadline, self.acceptor.accept(stream)).await {
            Ok(Ok(stream)) => stream,
            Ok(Err(error)) => {
                tracing::debug!("CRM TLS handshake with {peer} failed: {error}");
                return None;
            }
            Err(_) => {
                tracing::debug!("CRM TLS handshake with {peer} timed out");
                return None;
            }
        };
        let verified = stream.get_ref().1.peer_certificates().is_some_and(|certs| !certs.is_empty());
        let mut extensions = Extensions::new();
        extensions.insert(ClientCertificate(verified));
        Some((stream, extensions))
    }
}

fn invalid(message: String) -> EmulatorError {
    EmulatorError::Internal(format!("CRM TLS: {message}"))
}

fn server_config(config: &CrmTlsConfig) -> Result<rustls::ServerConfig, EmulatorError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(config.cert_pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|error| invalid(format!("certificate PEM: {error}")))?;
    if certs.is_empty() {
        return Err(invalid("certificate PEM holds no certificate".to_string()));
    }
    let key = PrivateKeyDer::from_pem_slice(config.key_pem.as_bytes()).map_err(|error| invalid(format!("key PEM: {error}")))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|error| invalid(error.to_string()))?;
    let builder = match &config.client_ca_pem {
        None => builder.with_no_client_auth(),
        Some(ca_pem) => {
            let mut roots = RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
                let cert = cert.map_err(|error| invalid(format!("client CA PEM: {error}")))?;
                roots.add(cert).map_err(|error| invalid(format!("client CA: {error}")))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|error| invalid(format!("client verifier: {error}")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    builder.with_single_cert(certs, key).map_err(|error| invalid(format!("certificate and key: {error}")))
}

/// Starts the CRM on a TLS listener.
pub async fn serve_crm_tls(state: AppState, config: CrmTlsConfig) -> Result<CrmTlsServer, EmulatorError> {
    let acceptor = TlsAcceptor::from(Arc::new(server_config(&config)?));
    let timeouts = state.settings().connections;
    let listener = TcpListener::bind(config.listen).await.map_err(|source| EmulatorError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| EmulatorError::Bind { addr: config.listen, source })?;
    let router: Router = super::routes()
        .fallback(|| async { crate::error::ApiError::no_route() })
        .layer(from_fn_with_state(edge::Edge::new(&state), edge::edge))
        .merge(crate::routes::control::health_routes())
        .with_state(state);
    let serve = ServeConfig {
        header_read: timeouts.header_read,
        body_read: timeouts.body_read,
        write_stall: timeouts.write_stall,
        // The same outer cap on a request head as the main listener (see `connection::http1`).
        max_header_bytes: Some(crate::limits::HEADER_BYTES_HARD_MAX),
        ..ServeConfig::default()
    };
    let handshake = CrmHandshake { acceptor, deadline: timeouts.tls_handshake };
    let server = Server::start(listener, router, serve, handshake).map_err(|source| EmulatorError::Bind { addr: config.listen, source })?;
    Ok(CrmTlsServer { addr, server })
}
