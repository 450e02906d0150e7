//! A recording HTTP/1.1 proxy on loopback: every request it forwards is kept (method, path,
//! `Authorization`, body), to check on the wire which credentials a client sent. One request
//! per connection (the answer says `Connection: close`), so nothing is pooled past it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One request as it went through.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    /// The request's head as sent (request line and headers).
    pub head: String,
    pub body: String,
}

/// Forwards to a server URL (`http://host:port`); stops when dropped.
pub struct RecordingProxy {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl RecordingProxy {
    pub fn start(target_url: &str) -> RecordingProxy {
        let target = target_url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let (seen, stop) = (seen.clone(), stop.clone());
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let (seen, target) = (seen.clone(), target.clone());
                    std::thread::spawn(move || {
                        let _ = relay(client, &target, &seen);
                    });
                }
            });
        }
        RecordingProxy {
            url: format!("http://127.0.0.1:{port}"),
            seen,
            stop,
            port,
        }
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Requests so far whose path starts with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.seen()
            .iter()
            .filter(|s| s.path.starts_with(prefix))
            .count()
    }
}

impl Drop for RecordingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn relay(mut client: TcpStream, target: &str, seen: &Mutex<Vec<Seen>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i + 4;
        }
        let n = client.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut parts = request_line.split(' ');
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut length = 0usize;
    let mut authorization = None;
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let lower = name.trim().to_ascii_lowercase();
        let value = value.trim();
        match lower.as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "authorization" => authorization = Some(value.to_owned()),
            "connection" => continue,
            _ => {}
        }
        headers.push(line.to_owned());
    }
    while buf.len() < head_end + length {
        let n = client.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = buf[head_end..].to_vec();
    seen.lock().unwrap().push(Seen {
        method,
        path,
        authorization,
        head: head.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let mut upstream = TcpStream::connect(target)?;
    let mut out = format!(
        "{request_line}\r\n{}\r\nConnection: close\r\n\r\n",
        headers.join("\r\n")
    )
    .into_bytes();
    out.extend_from_slice(&body);
    upstream.write_all(&out)?;
    let mut answer = Vec::new();
    upstream.read_to_end(&mut answer)?;
    // The answer's own `Connection` header is replaced: the client must not reuse this.
    let split = find(&answer, b"\r\n\r\n").map_or(answer.len(), |i| i + 4);
    let ahead = String::from_utf8_lossy(&answer[..split]).into_owned();
    let kept: Vec<&str> = ahead
        .split("\r\n")
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    let mut back = format!("{}\r\nConnection: close\r\n\r\n", kept.join("\r\n")).into_bytes();
    back.extend_from_slice(&answer[split..]);
    client.write_all(&back)?;
    client.flush()
}
