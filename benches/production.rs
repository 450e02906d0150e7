//! Compression and hooks, measured (blocking client, loopback only, Linux or not):
//!
//! ```sh
//! cargo bench --bench production --features sync -- [--rounds 5]
//! ```
//!
//! - **compression**: a 100-entry list (`benches/data/v5_list_100.json`, as Strapi 5 sends
//!   it) and a 2,000-entry walk (20 pages of 100) from a local server that compresses per
//!   response with gzip level 1 when asked (nginx's default `gzip_comp_level`), once on
//!   loopback and once through a proxy in this file that limits the link to 10 Mbit/s each
//!   way; the client with compression on against the same client with it off (today's
//!   behaviour), rounds alternating the order. Bytes on the wire are counted by the proxy.
//! - **hooks**: 2,000 small list calls on loopback with no hook, a no-op hook, and a hook
//!   that counts; the cost per call.
//!
//! Tables (Markdown) go to stdout.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use strapi_kit::hooks::{RequestHook, ResponseInfo};
use strapi_kit::{ListResponse, StrapiConfig, StrapiQuery, SyncClient};

/// A keep-alive HTTP/1.1 server answering every GET with `body`, gzip-compressed (level 1,
/// per response) when the request accepts gzip.
fn serve(body: Arc<Vec<u8>>) -> String {
    serve_with(body, false)
}

/// `precompressed`: gzip once at start (a server that caches its compressed answers),
/// leaving the client's decoding as the only cost of compression.
fn serve_with(body: Arc<Vec<u8>>, precompressed: bool) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let cached = Arc::new(gzip(&body));
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let (body, cached) = (body.clone(), cached.clone());
            std::thread::spawn(move || {
                let _ = connection(s, &body, precompressed.then_some(&cached[..]));
            });
        }
    });
    addr
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(1));
    e.write_all(body).unwrap();
    e.finish().unwrap()
}

fn connection(mut s: TcpStream, body: &[u8], cached: Option<&[u8]>) -> std::io::Result<()> {
    s.set_nodelay(true)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let n = s.read(&mut chunk)?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        buf.drain(..end);
        let gzip = head
            .split("\r\n")
            .any(|l| l.starts_with("accept-encoding:") && l.contains("gzip"));
        let (payload, encoding) = if gzip {
            let zipped = match cached {
                Some(c) => c.to_vec(),
                None => self::gzip(body),
            };
            (
                zipped,
                "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n",
            )
        } else {
            (body.to_vec(), "")
        };
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n{encoding}Content-Length: {}\r\n\r\n",
            payload.len()
        )
        .into_bytes();
        out.extend_from_slice(&payload);
        s.write_all(&out)?;
    }
}

/// A TCP proxy to `target` limiting each direction to `bits_per_sec` (a token bucket with a
/// 16 KiB burst), counting the bytes from the server.
struct Link {
    url: String,
    down: Arc<AtomicU64>,
}

fn link(target: &str, bits_per_sec: Option<f64>) -> Link {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let down = Arc::new(AtomicU64::new(0));
    let (target, d) = (target.to_owned(), down.clone());
    std::thread::spawn(move || {
        for c in l.incoming().flatten() {
            let Ok(s) = TcpStream::connect(&target) else {
                continue;
            };
            let _ = (c.set_nodelay(true), s.set_nodelay(true));
            let (c2, s2) = (c.try_clone().unwrap(), s.try_clone().unwrap());
            let unused = Arc::new(AtomicU64::new(0));
            std::thread::spawn(move || pump(c2, s2, bits_per_sec, &unused));
            let d = d.clone();
            std::thread::spawn(move || pump(s, c, bits_per_sec, &d));
        }
    });
    Link { url, down }
}

fn pump(mut from: TcpStream, mut to: TcpStream, bps: Option<f64>, count: &AtomicU64) {
    let rate = bps.map(|b| b / 8.0); // bytes per second
    let burst = 16.0 * 1024.0;
    let mut tokens = burst;
    let mut last = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        count.fetch_add(n as u64, Ordering::Relaxed);
        if let Some(rate) = rate {
            let now = Instant::now();
            tokens = (tokens + now.duration_since(last).as_secs_f64() * rate).min(burst);
            last = now;
            tokens -= n as f64;
            if tokens < 0.0 {
                std::thread::sleep(Duration::from_secs_f64(-tokens / rate));
                tokens = 0.0;
                last = Instant::now();
            }
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Write);
}

fn client(
    url: &str,
    compression: bool,
    hook: Option<Box<dyn Fn(StrapiConfigB) -> StrapiConfigB>>,
) -> SyncClient {
    let mut b = StrapiConfig::builder(url)
        .api_token("bench")
        .compression(compression)
        .timeout(Duration::from_secs(120));
    if let Some(h) = hook {
        b = h(b);
    }
    SyncClient::new(b.build().unwrap()).unwrap()
}

type StrapiConfigB = strapi_kit::StrapiConfigBuilder;

/// Pages of 100 fetched one after another.
fn fetch(c: &SyncClient, pages: u64) -> usize {
    let mut n = 0;
    for page in 1..=pages {
        let q = StrapiQuery::new().paginate(page, 100);
        let list: ListResponse<serde_json::Value> = c.get_many("articles", &q).unwrap();
        n += list.data.len();
    }
    n
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let body = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/benches/data/v5_list_100.json"
    ))
    .expect("benches/data/v5_list_100.json");
    let server = serve(Arc::new(body.clone()));
    let cached = serve_with(Arc::new(body.clone()), true);

    println!("### Compression (gzip level 1 server; {rounds} rounds, medians)\n");
    println!(
        "| link | workload | off: time | on: time | on/off time | off: bytes | on: bytes | on/off bytes |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (link_name, bps, server) in [
        ("loopback", None, &server),
        ("loopback, precompressed", None, &cached),
        ("10 Mbit/s", Some(10e6), &server),
    ] {
        for (work, pages) in [("100-entry list", 1u64), ("2,000-entry walk", 20)] {
            let mut times = [Vec::new(), Vec::new()];
            let mut bytes = [0u64, 0u64];
            for r in 0..rounds {
                let order = if r % 2 == 0 {
                    [false, true]
                } else {
                    [true, false]
                };
                for on in order {
                    // A fresh link and client per measurement: the connection is opened
                    // inside the timed part in both cases.
                    let l = link(server, bps);
                    let c = client(&l.url, on, None);
                    let t = Instant::now();
                    let n = fetch(&c, pages);
                    let secs = t.elapsed().as_secs_f64();
                    assert_eq!(n as u64, 100 * pages);
                    times[on as usize].push(secs);
                    bytes[on as usize] = l.down.load(Ordering::Relaxed);
                }
            }
            let (off, on) = (median(times[0].clone()), median(times[1].clone()));
            println!(
                "| {link_name} | {work} | {:.1} ms | {:.1} ms | {:.2}x | {} | {} | {:.3}x |",
                off * 1e3,
                on * 1e3,
                on / off,
                bytes[0],
                bytes[1],
                bytes[1] as f64 / bytes[0] as f64
            );
        }
    }

    // Hooks: a tiny list answer, many calls.
    let tiny =
        br#"{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}"#;
    let small = serve(Arc::new(tiny.to_vec()));
    let url = format!("http://{small}");
    struct Noop;
    impl RequestHook for Noop {}
    struct Count(AtomicU64);
    impl RequestHook for Count {
        fn on_response(&self, r: &ResponseInfo<'_>) {
            self.0.fetch_add(r.bytes.unwrap_or(0), Ordering::Relaxed);
        }
    }
    let calls = 2_000;
    let variants: Vec<(&str, SyncClient)> = vec![
        ("no hook", client(&url, true, None)),
        (
            "no-op hook",
            client(&url, true, Some(Box::new(|b: StrapiConfigB| b.hook(Noop)))),
        ),
        (
            "counting hook",
            client(
                &url,
                true,
                Some(Box::new(|b: StrapiConfigB| {
                    b.hook(Count(AtomicU64::new(0)))
                })),
            ),
        ),
    ];
    // Warm up: each client's connection open and pooled before timing.
    for (_, c) in &variants {
        for _ in 0..200 {
            let _: ListResponse<serde_json::Value> =
                c.get_many("articles", &StrapiQuery::new()).unwrap();
        }
    }
    let mut per_call = vec![Vec::new(); variants.len()];
    for r in 0..rounds {
        for k in 0..variants.len() {
            let i = (k + r) % variants.len();
            let c = &variants[i].1;
            let t = Instant::now();
            for _ in 0..calls {
                let _: ListResponse<serde_json::Value> =
                    c.get_many("articles", &StrapiQuery::new()).unwrap();
            }
            per_call[i].push(t.elapsed().as_secs_f64() / calls as f64);
        }
    }
    println!("\n### Hooks ({calls} calls on loopback, {rounds} rounds, medians)\n");
    println!("| client | per call | vs no hook |");
    println!("|---|---|---|");
    let base = median(per_call[0].clone());
    for (i, (name, _)) in variants.iter().enumerate() {
        let m = median(per_call[i].clone());
        println!("| {name} | {:.1} µs | {:.3}x |", m * 1e6, m / base);
    }
}
