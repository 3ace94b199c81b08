//! 多台服务 — several `duban serve` processes on one database behind nginx (Debian's), as a
//! deployment runs them: started for `bench web --servers N` and for the consistency test,
//! each server on a free loopback port, nginx spreading requests between them (keep-alive
//! to the servers, the client in X-Forwarded-For, bodies up to the server's own limit).
//! Everything is stopped when the cluster is dropped.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncBufReadExt;
use tokio::process::{Child, Command};

/// The servers and the balancer in front of them.
pub struct Cluster {
    /// Where clients connect: the balancer, or the one server when there is none.
    pub addr: SocketAddr,
    /// Each server's own address and process id.
    pub servers: Vec<(SocketAddr, u32)>,
    children: Vec<Child>,
    _dir: tempfile::TempDir,
}

/// Starts one `duban serve` (the binary at `exe`) on `url`; its address once it listens.
pub async fn start_server(
    exe: &Path,
    url: &str,
    extra: &[&str],
) -> anyhow::Result<(Child, SocketAddr)> {
    let mut child = Command::new(exe)
        .args(["serve", "--addr", "127.0.0.1:0", "--database-url", url])
        .args(["--remind-every", "0", "--trusted-proxy", "127.0.0.1"])
        .args(extra)
        .env(
            "DUBAN_LOG",
            std::env::var("DUBAN_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("piped")).lines();
    let addr = loop {
        let line = lines
            .next_line()
            .await?
            .ok_or_else(|| anyhow::anyhow!("服务未能启动"))?;
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap_or_default().parse()?;
        }
    };
    // The rest of its output (its log, DUBAN_LOG) goes to our standard error, so the server
    // never blocks writing it and its warnings are seen.
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            eprintln!("{line}");
        }
    });
    Ok((child, addr))
}

/// A loopback port nobody listens on now.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// nginx's configuration: @DIR@ its files, @PORT@ where it listens, @UPSTREAM@ the servers.
const NGINX_CONF: &str = r#"worker_processes 1;
daemon off;
pid @DIR@/nginx.pid;
error_log @DIR@/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path @DIR@/body;
    proxy_temp_path @DIR@/proxy;
    fastcgi_temp_path @DIR@/fastcgi;
    uwsgi_temp_path @DIR@/uwsgi;
    scgi_temp_path @DIR@/scgi;
    client_max_body_size 32m;
    upstream duban {
@UPSTREAM@        keepalive 256;
    }
    server {
        listen 127.0.0.1:@PORT@;
        location / {
            proxy_pass http://duban;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 130s;
        }
    }
}
"#;

fn nginx_conf(dir: &Path, port: u16, servers: &[SocketAddr]) -> String {
    let upstream: String = servers
        .iter()
        .map(|a| format!("        server {a} max_fails=0;\n"))
        .collect();
    NGINX_CONF
        .replace("@DIR@", &dir.display().to_string())
        .replace("@PORT@", &port.to_string())
        .replace("@UPSTREAM@", &upstream)
}

/// Waits until something listens at `addr` (at most ten seconds).
async fn listening(addr: SocketAddr) -> anyhow::Result<()> {
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("{addr} 无人监听")
}

impl Cluster {
    /// `n` servers on `url`; with more than one, nginx (`nginx` on the PATH, or
    /// `DUBAN_NGINX`) in front.
    pub async fn start(exe: &Path, url: &str, n: usize) -> anyhow::Result<Cluster> {
        let dir = tempfile::tempdir()?;
        let mut children = Vec::new();
        let mut servers = Vec::new();
        for _ in 0..n.max(1) {
            let (child, addr) = start_server(exe, url, &[]).await?;
            servers.push((addr, child.id().unwrap_or_default()));
            children.push(child);
        }
        if n <= 1 {
            return Ok(Cluster {
                addr: servers[0].0,
                servers,
                children,
                _dir: dir,
            });
        }
        let port = free_port()?;
        let conf = dir.path().join("nginx.conf");
        let addrs: Vec<SocketAddr> = servers.iter().map(|(a, _)| *a).collect();
        std::fs::write(&conf, nginx_conf(dir.path(), port, &addrs))?;
        let nginx = std::env::var("DUBAN_NGINX").unwrap_or_else(|_| "nginx".into());
        let child = Command::new(&nginx)
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("无法启动负载均衡 {nginx}（apt-get install nginx）：{e}")
            })?;
        children.push(child);
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        listening(addr).await.map_err(|e| {
            let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
            anyhow::anyhow!("nginx 未能启动：{e}\n{log}")
        })?;
        Ok(Cluster {
            addr,
            servers,
            children,
            _dir: dir,
        })
    }

    /// Stops the balancer and the servers (SIGTERM, then waits).
    pub async fn stop(mut self) -> anyhow::Result<()> {
        for c in self.children.iter_mut().rev() {
            if let Some(pid) = c.id() {
                let _ = Command::new("kill")
                    .args(["-TERM", &pid.to_string()])
                    .status()
                    .await;
            }
            let _ = tokio::time::timeout(Duration::from_secs(35), c.wait()).await;
        }
        Ok(())
    }
}
