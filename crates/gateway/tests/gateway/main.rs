//! The gateway end to end: a real emulator, the gateway on 127.0.0.1:0 and real WebSocket
//! clients (one integration-test binary, one module per concern).

mod rsa_keys;
mod support;

mod auth;
mod backpressure;
mod drain;
mod fanout;
mod hostile;
mod pool;
mod recovery;
mod resilience;
mod subscriptions;
mod tls;
