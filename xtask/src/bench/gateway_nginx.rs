//! nginx as seed 003's one-to-one baseline, started by `bench gateway` itself: Debian's package
//! (installed with apt-get when missing), configured as a plain WebSocket reverse proxy, one
//! worker process whose RSS is read from `/proc`.

use anyhow::Context;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

pub struct Nginx {
    child: tokio::process::Child,
    master: u32,
}

fn binary() -> Option<PathBuf> {
    ["/usr/sbin/nginx", "/usr/bin/nginx"].iter().map(PathBuf::from).find(|path| path.exists())
}

/// nginx's path, installing Debian's package when it is missing (the benchmark needs it, the
/// tests never do).
fn ensure_installed() -> Option<PathBuf> {
    if let Some(path) = binary() {
        return Some(path);
    }
    println!("nginx not found; installing Debian's nginx-light with apt-get");
    let installed = std::process::Command::new("apt-get")
        .args(["install", "-y", "nginx-light"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    if installed { binary() } else { None }
}

fn server_block(listen: SocketAddr, upstream: SocketAddr) -> String {
    format!(
        "  server {{\n    listen {listen};\n    location / {{\n      proxy_pass http://{upstream};\n      proxy_http_version 1.1;\n      proxy_set_header Upgrade $http_upgrade;\n      proxy_set_header Connection $connection_upgrade;\n      proxy_read_timeout 3600s;\n      proxy_send_timeout 3600s;\n    }}\n  }}\n"
    )
}

/// One `server` per (listen, upstream) route.
fn config(routes: &[(SocketAddr, SocketAddr)], dir: &Path) -> String {
    let servers: String = routes.iter().map(|(listen, upstream)| server_block(*listen, *upstream)).collect();
    let dir = dir.display();
    format!(
        "daemon off;\nmaster_process on;\nworker_processes 1;\nworker_rlimit_nofile 20000;\npid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;\n\
events {{ worker_connections 19000; }}\n\
http {{\n  access_log off;\n  client_body_temp_path {dir}/body;\n  proxy_temp_path {dir}/proxy;\n  fastcgi_temp_path {dir}/fastcgi;\n  uwsgi_temp_path {dir}/uwsgi;\n  scgi_temp_path {dir}/scgi;\n\
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}\n{servers}}}\n"
    )
}

impl Nginx {
    /// `None` when nginx cannot be installed (the comparison is then skipped, and said so).
    pub async fn start(routes: &[(SocketAddr, SocketAddr)], dir: &Path) -> anyhow::Result<Option<Nginx>> {
        let Some(nginx) = ensure_installed() else {
            println!("nginx unavailable: comparison skipped");
            return Ok(None);
        };
        std::fs::create_dir_all(dir)?;
        let conf = dir.join("nginx.conf");
        std::fs::write(&conf, config(routes, dir))?;
        let listen = routes.first().map(|(listen, _)| *listen).context("no nginx route")?;
        let child = tokio::process::Command::new(nginx).arg("-c").arg(&conf).arg("-p").arg(dir).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true).spawn()?;
        let master = child.id().context("nginx pid")?;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(listen).await.is_ok() {
                return Ok(Some(Nginx { child, master }));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("nginx did not start listening on {listen}; see {}/error.log", dir.display())
    }

    /// The worker process (the one holding connections).
    pub fn worker_pid(&self) -> anyhow::Result<u32> {
        let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.master))?;
        children.split_whitespace().next().context("nginx has no worker")?.parse().context("worker pid")
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}
