//! A real `redis-server` on a free loopback port in a temp dir, stopped on drop. Tests skip with
//! a printed message when the binary is absent (`apt-get install -y redis-server`).

use crate::support::TempDir;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Child,
    pub url: String,
    _dir: TempDir,
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start() -> Option<RedisServer> {
    let binary = std::env::var("SWITCHBOARD_REDIS_SERVER").unwrap_or_else(|_| "redis-server".to_string());
    if Command::new(&binary).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_err() {
        eprintln!("skipped: {binary} is not installed (apt-get install -y redis-server)");
        return None;
    }
    let dir = TempDir::new("redis");
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("free port").port();
    let child = Command::new(&binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(&dir.0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-server starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "redis-server never listened");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(RedisServer { child, url: format!("redis://127.0.0.1:{port}"), _dir: dir })
}
