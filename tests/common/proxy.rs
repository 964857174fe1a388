//! A small HTTP CONNECT proxy on 127.0.0.1 for the tests: it records every tunnel asked
//! of it, and can refuse with 407 or answer with an HTML error page, as corporate proxies
//! do. It only ever connects to loopback targets.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, PartialEq)]
pub enum ProxyMode {
    Tunnel,
    /// 407 Proxy Authentication Required.
    RequireAuth,
    /// 502 with an HTML page, instead of a tunnel.
    ErrorPage,
}

pub struct TestProxy {
    pub url: String,
    /// `host:port` of every CONNECT it was asked for.
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl TestProxy {
    pub fn start(mode: ProxyMode) -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let addr = super::serve_in_background(move |listener: TcpListener| async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    continue;
                };
                tokio::spawn(handle(client, mode, log.clone()));
            }
        });
        Self {
            url: format!("http://{addr}"),
            seen,
        }
    }

    pub fn tunnels(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

async fn handle(mut client: TcpStream, mode: ProxyMode, seen: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 8192 {
        match client.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    if words.next() != Some("CONNECT") {
        let _ = client
            .write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    let target = words.next().unwrap_or_default().to_string();
    seen.lock().unwrap().push(target.clone());
    match mode {
        ProxyMode::RequireAuth => {
            let _ = client
                .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n")
                .await;
        }
        ProxyMode::ErrorPage => {
            let page = "<html><body><h1>Access denied by corporate policy</h1></body></html>";
            let reply = format!(
                "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{page}",
                page.len()
            );
            let _ = client.write_all(reply.as_bytes()).await;
        }
        ProxyMode::Tunnel => {
            let port = target.rsplit(':').next().unwrap_or("0");
            // Loopback only, whatever name the client asked for.
            let Ok(mut upstream) = TcpStream::connect(format!("127.0.0.1:{port}")).await else {
                let _ = client
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                    .await;
                return;
            };
            if client
                .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                .await
                .is_err()
            {
                return;
            }
            let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        }
    }
}
