//! A real HTTP server on 127.0.0.1 standing in for DfE: scripted responses per path, so tests
//! cover retries, timeouts, 429, 304, 404, truncated bodies and wrong content types over a real
//! socket. Raw HTTP/1.1 on tokio, so a response can lie about its length or stall mid-way.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted response.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before sending anything (to trip a read timeout).
    pub delay: Duration,
    /// Announce the full length but send only this many body bytes, then close.
    pub cut_at: Option<usize>,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
            cut_at: None,
        }
    }

    pub fn json(value: &serde_json::Value) -> Self {
        Self::ok("application/json; charset=utf-8", value.to_string())
    }

    pub fn status(status: u16) -> Self {
        Self { status, ..Self::ok("application/json", format!("{{\"status\":{status},\"title\":\"scripted\"}}")) }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    pub fn cut_at(mut self, bytes: usize) -> Self {
        self.cut_at = Some(bytes);
        self
    }
}

/// A request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub path: String,
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    /// Path (with query) → replies in order; the last one repeats.
    routes: HashMap<String, Vec<Reply>>,
    hits: HashMap<String, usize>,
    seen: Vec<Seen>,
}

/// The fake DfE server; stops when dropped.
pub struct FakeDfe {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeDfe {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind fake DfE");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Self { addr, state, task }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Scripts `path` (including any query string) to answer `replies` in turn.
    pub fn route(&self, path: &str, replies: Vec<Reply>) {
        self.state.lock().unwrap().routes.insert(path.to_owned(), replies);
    }

    /// How many requests reached `path`.
    pub fn hits(&self, path: &str) -> usize {
        self.state.lock().unwrap().hits.get(path).copied().unwrap_or(0)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }
}

impl Drop for FakeDfe {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    // Read the request head; bodies are not used by DfE's GET endpoints.
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    let head = String::from_utf8_lossy(&buf).into_owned();
    let mut lines = head.split("\r\n");
    let path = lines.next().and_then(|l| l.split_whitespace().nth(1)).unwrap_or("/").to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let reply = {
        let mut s = state.lock().unwrap();
        s.seen.push(Seen { path: path.clone(), headers: headers.clone() });
        let n = *s.hits.entry(path.clone()).and_modify(|h| *h += 1).or_insert(1);
        match s.routes.get(&path) {
            Some(replies) if !replies.is_empty() => replies[(n - 1).min(replies.len() - 1)].clone(),
            _ => Reply::status(404),
        }
    };
    tokio::time::sleep(reply.delay).await;
    // A conditional request whose ETag matches gets 304, as a real server does.
    let etag = reply.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("etag")).map(|(_, v)| v.clone());
    let not_modified = reply.status == 200 && etag.is_some() && headers.get("if-none-match") == etag.as_ref();
    let (status, body): (u16, &[u8]) = if not_modified { (304, b"") } else { (reply.status, &reply.body) };
    let mut out =
        format!("HTTP/1.1 {status} {}\r\nConnection: close\r\nContent-Length: {}\r\n", reason(status), body.len());
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    let sent = reply.cut_at.unwrap_or(body.len()).min(body.len());
    bytes.extend_from_slice(&body[..sent]);
    let _ = stream.write_all(&bytes).await;
    let _ = stream.shutdown().await;
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Scripted",
    }
}
