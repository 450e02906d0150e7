//! A tiny scripted HTTP/1.1 server on loopback, for what a real Strapi cannot be made to do:
//! 5xx, 429, dropped connections, slow or truncated bodies, malformed JSON.
//!
//! Plain threads and `std::net`, so the same mock serves the blocking and the async tests.
//! Every request is recorded and counted, so tests can assert that nothing was sent.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request as the mock saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Close,
    /// Headers announcing `declared` bytes, then only `body`, then close.
    Truncated {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        declared: usize,
    },
    /// Wait, then answer.
    Delay(Duration, Box<Reply>),
    /// Headers at once, then the body in `chunks` pieces, `pause` apart.
    Slow {
        status: u16,
        body: Vec<u8>,
        chunks: usize,
        pause: Duration,
    },
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }
    pub fn raw(status: u16, content_type: &str, body: &[u8]) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.to_vec(),
        }
    }
    pub fn with_header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Full {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Full {
                    status,
                    headers,
                    body,
                }
            }
            other => other,
        }
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// A running mock server; stops when dropped.
pub struct Mock {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    connections: Arc<Mutex<usize>>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl Mock {
    /// Starts a mock whose `handler` gets each request and its 0-based index.
    pub fn start(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Mock {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind mock");
        let port = listener.local_addr().expect("addr").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(Mutex::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let handler: Arc<Handler> = Arc::new(handler);
        {
            let requests = requests.clone();
            let connections = connections.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for conn in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    *connections.lock().unwrap() += 1;
                    let requests = requests.clone();
                    let handler = handler.clone();
                    std::thread::spawn(move || serve(conn, &requests, &*handler));
                }
            });
        }
        Mock {
            url: format!("http://127.0.0.1:{port}"),
            requests,
            connections,
            stop,
            port,
        }
    }

    /// Always the same answer.
    pub fn always(reply: Reply) -> Mock {
        Mock::start(move |_, _| reply.clone())
    }

    /// Answers from a script, repeating the last entry.
    pub fn script(replies: Vec<Reply>) -> Mock {
        Mock::start(move |_, i| replies[i.min(replies.len() - 1)].clone())
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn serve(conn: TcpStream, requests: &Mutex<Vec<Recorded>>, handler: &Handler) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    });
    let mut out = conn;
    loop {
        let Some(req) = read_request(&mut reader) else {
            return;
        };
        let index = {
            let mut all = requests.lock().unwrap();
            all.push(req.clone());
            all.len() - 1
        };
        let keep_alive = !req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        if !respond(&mut out, handler(&req, index)) || !keep_alive {
            let _ = out.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Writes the reply; false when the connection must close.
fn respond(out: &mut TcpStream, reply: Reply) -> bool {
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let _ = out.write_all(&head(status, &headers, body.len()));
            let _ = out.write_all(&body);
            let _ = out.flush();
            true
        }
        Reply::Close => false,
        Reply::Truncated {
            status,
            headers,
            body,
            declared,
        } => {
            let _ = out.write_all(&head(status, &headers, declared));
            let _ = out.write_all(&body);
            let _ = out.flush();
            false
        }
        Reply::Delay(d, inner) => {
            std::thread::sleep(d);
            respond(out, *inner)
        }
        Reply::Slow {
            status,
            body,
            chunks,
            pause,
        } => {
            let _ = out.write_all(&head(status, &[], body.len()));
            let size = body.len().div_ceil(chunks.max(1)).max(1);
            for piece in body.chunks(size) {
                std::thread::sleep(pause);
                if out.write_all(piece).is_err() {
                    return false;
                }
                let _ = out.flush();
            }
            true
        }
    }
}

fn head(status: u16, headers: &[(String, String)], len: usize) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} X\r\nContent-Length: {len}\r\n");
    for (k, v) in headers {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn read_request(r: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = get("content-length").and_then(|v| v.parse::<usize>().ok()) {
        body.resize(len, 0);
        r.read_exact(&mut body).ok()?;
    } else if get("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size_line = String::new();
            r.read_line(&mut size_line).ok()?;
            let size = usize::from_str_radix(size_line.trim(), 16).ok()?;
            let mut chunk = vec![0; size + 2];
            r.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}
