//! A TCP proxy on loopback that counts the connections it accepts, to show how many
//! connections a client opened, and the bytes that go through (bytes on the wire).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

/// Forwards `127.0.0.1:<port>` to a target address; stops when dropped.
pub struct CountingProxy {
    pub url: String,
    connections: Arc<AtomicUsize>,
    /// Bytes from the client to the server, and back.
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl CountingProxy {
    /// Proxies to `target` (`host:port`).
    pub fn start(target: &str) -> CountingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let connections = Arc::new(AtomicUsize::new(0));
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let stop = Arc::new(AtomicBool::new(false));
        let target = target.to_owned();
        {
            let connections = connections.clone();
            let (up, down) = (up.clone(), down.clone());
            let stop = stop.clone();
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let Ok(server) = TcpStream::connect(&target) else {
                        continue;
                    };
                    connections.fetch_add(1, Ordering::SeqCst);
                    pipe_counted(client, server, up.clone(), down.clone());
                }
            });
        }
        CountingProxy {
            url: format!("http://127.0.0.1:{port}"),
            connections,
            up,
            down,
            stop,
            port,
        }
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Bytes the server sent to the client so far (headers included).
    pub fn bytes_down(&self) -> u64 {
        self.down.load(Ordering::SeqCst)
    }

    /// Bytes the client sent to the server so far.
    pub fn bytes_up(&self) -> u64 {
        self.up.load(Ordering::SeqCst)
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn pipe(a: TcpStream, b: TcpStream) {
    let unused = Arc::new(AtomicU64::new(0));
    pipe_counted(a, b, unused.clone(), unused);
}

/// Pipes client `a` and server `b` both ways, counting the bytes each way.
fn pipe_counted(a: TcpStream, b: TcpStream, up: Arc<AtomicU64>, down: Arc<AtomicU64>) {
    let (Ok(a2), Ok(b2)) = (a.try_clone(), b.try_clone()) else {
        return;
    };
    std::thread::spawn(move || copy(a, b2, &up));
    std::thread::spawn(move || copy(b, a2, &down));
}

fn copy(mut from: TcpStream, mut to: TcpStream, count: &AtomicU64) {
    let mut buf = [0u8; 32 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                count.fetch_add(n as u64, Ordering::SeqCst);
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

/// A proxy that loses answers: the first `faults` requests of `method` reach the server,
/// which carries them out, but the connection is cut as the answer comes back, so the
/// client sees a broken connection after a request that did happen. Every other request
/// passes through. Use it with `pool_max_idle_per_host(0)`: it looks at the first request of
/// each connection only.
pub struct LosingProxy {
    pub url: String,
    lost: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    port: u16,
}

impl LosingProxy {
    pub fn start(target: &str, method: &str, faults: usize) -> LosingProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let lost = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let target = target.to_owned();
        let prefix = format!("{method} ").into_bytes();
        {
            let lost = lost.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(mut client) = client else { continue };
                    let Ok(mut server) = TcpStream::connect(&target) else {
                        continue;
                    };
                    let mut first = vec![0u8; 64 * 1024];
                    let n = match client.read(&mut first) {
                        Ok(n) if n > 0 => n,
                        _ => continue,
                    };
                    first.truncate(n);
                    if server.write_all(&first).is_err() {
                        continue;
                    }
                    let lose = first.starts_with(&prefix)
                        && lost
                            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |l| {
                                (l < faults).then_some(l + 1)
                            })
                            .is_ok();
                    if lose {
                        std::thread::spawn(move || lose_answer(client, server));
                    } else {
                        pipe(client, server);
                    }
                }
            });
        }
        LosingProxy {
            url: format!("http://127.0.0.1:{port}"),
            lost,
            stop,
            port,
        }
    }

    /// Answers lost so far.
    pub fn lost(&self) -> usize {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for LosingProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Forwards the rest of the request; once the server starts answering (it has done the
/// work), cuts the client's connection without a byte of the answer.
fn lose_answer(client: TcpStream, mut server: TcpStream) {
    let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    std::thread::spawn(move || copy(c2, s2, &AtomicU64::new(0)));
    let mut byte = [0u8; 1];
    let _ = server.read(&mut byte);
    let _ = client.shutdown(Shutdown::Both);
    let _ = server.shutdown(Shutdown::Both);
}
