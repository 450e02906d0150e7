//! `client.export` and `client.import` (the blocking client) against the REST calls they
//! must make, and their peak RSS as the entry count grows. Linux only (peak RSS from
//! `wait4`). Starts two fresh Strapi 5 servers from `tests/strapi/v5` (Node.js and the
//! fixture's `node_modules` needed: `tests/strapi/install.sh v5`), seeds the source with
//! books that each have a cover, two gallery images, a component and a relation to a shelf,
//! then per size (default 1000, 2000, 4000):
//!
//! - `export`: our export (with the media files) in a child process: wall time, peak RSS;
//! - `import`: our import of that export into the target: wall time, peak RSS;
//! - at the middle size, the same REST calls made with plain reqwest (`rest-export`: the
//!   list pages, the media list, the file downloads; `rest-import`: the uploads, one create
//!   per entry, one relation update per entry), for the overhead of the library.
//!
//! ```sh
//! cargo bench --bench export_import --features sync -- [--sizes 1000,2000,4000]
//! ```
//! The table (Markdown) goes to stdout, progress to stderr.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use strapi_kit::transfer::{ExportOptions, ImportOptions, Record};
use strapi_kit::{BulkOptions, StrapiConfig, SyncClient, UploadOptions};

const TOKEN: &str = "bench-full-access-token";

fn client(base: &str) -> SyncClient {
    SyncClient::new(
        StrapiConfig::builder(base)
            .api_token(TOKEN)
            .timeout(Duration::from_secs(600))
            .build()
            .expect("config"),
    )
    .expect("client")
}

// ---------------------------------------------------------------------------------------
// Children.

fn child(args: &[String]) {
    let (what, base, dir) = (args[0].as_str(), args[1].as_str(), Path::new(&args[2]));
    match what {
        "export" => {
            client(base)
                .export(&ExportOptions::new().include_files(true), dir)
                .expect("export");
        }
        "import" => {
            let state = dir.join(format!("state-{}.jsonl", args[3]));
            client(base)
                .import(dir, &ImportOptions::new().state_file(state))
                .expect("import");
        }
        "rest-export" => rest_export(base, dir),
        "rest-import" => rest_import(base, dir),
        other => panic!("unknown child {other}"),
    }
}

fn http() -> reqwest::blocking::Client {
    // A strapi-kit client installs the rustls provider that reqwest (built without one)
    // needs.
    let _ = client("http://127.0.0.1:9");
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("reqwest")
}

fn get_json(http: &reqwest::blocking::Client, url: &str) -> Value {
    let r = http.get(url).bearer_auth(TOKEN).send().expect("GET");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    r.json().expect("json")
}

/// The reads an export makes: the schema, the locales, the media list, every file, and the
/// published and draft pages of each type (100 per page, `populate=*`, every locale).
fn rest_export(base: &str, dir: &Path) {
    let http = http();
    get_json(
        &http,
        &format!("{base}/api/content-type-builder/content-types"),
    );
    get_json(
        &http,
        &format!("{base}/api/content-type-builder/components"),
    );
    get_json(&http, &format!("{base}/api/i18n/locales"));
    let mut start = 0;
    loop {
        let page = get_json(
            &http,
            &format!("{base}/api/upload/files?start={start}&limit=100&sort=id:asc"),
        );
        let files = page.as_array().expect("files");
        for f in files {
            let url = format!("{base}{}", f["url"].as_str().expect("url"));
            let bytes = http.get(&url).send().expect("file").bytes().expect("body");
            std::fs::write(dir.join("rest-file"), &bytes).expect("write");
        }
        if files.len() < 100 {
            break;
        }
        start += 100;
    }
    for route in ["books", "shelves"] {
        for status in ["published", "draft"] {
            let mut page = 1;
            loop {
                let body = get_json(
                    &http,
                    &format!(
                        "{base}/api/{route}?populate=*&locale=*&status={status}&sort[0]=id:asc&pagination[page]={page}&pagination[pageSize]=100"
                    ),
                );
                let count = body["meta"]["pagination"]["pageCount"]
                    .as_u64()
                    .unwrap_or(0);
                if page >= count {
                    break;
                }
                page += 1;
            }
        }
    }
}

/// The writes an import makes, for the export in `dir`: one upload per file, one create per
/// record (its data, media as ids of the new files) and one update per record with
/// relations.
fn rest_import(base: &str, dir: &Path) {
    let http = http();
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(dir.join("files")).expect("files") {
        let path = entry.expect("entry").path();
        let form = reqwest::blocking::multipart::Form::new()
            .file("files", &path)
            .expect("file");
        let r = http
            .post(format!("{base}/api/upload"))
            .bearer_auth(TOKEN)
            .multipart(form)
            .send()
            .expect("upload");
        assert!(r.status().is_success(), "upload: {}", r.status());
        let v: Value = r.json().expect("json");
        ids.push(v[0]["id"].as_u64().expect("id"));
    }
    let mut shelf_doc = None;
    for (route, file) in [
        ("shelves", "entries/api__shelf.shelf.published.jsonl"),
        ("books", "entries/api__book.book.published.jsonl"),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).expect("records");
        for line in text.lines() {
            let rec: Record = serde_json::from_str(line).expect("record");
            let mut data = Value::Object(rec.data.clone());
            for (field, media) in &rec.media {
                let new: Vec<u64> = media.iter().map(|m| ids[*m as usize % ids.len()]).collect();
                data[field] = if field == "cover" {
                    json!(new.first())
                } else {
                    json!(new)
                };
            }
            let r = http
                .post(format!("{base}/api/{route}?status=published&locale=en"))
                .bearer_auth(TOKEN)
                .json(&json!({"data": data}))
                .send()
                .expect("create");
            assert!(r.status().is_success(), "create: {}", r.status());
            let made: Value = r.json().expect("json");
            let doc = made["data"]["documentId"].as_str().expect("doc").to_owned();
            if route == "shelves" {
                shelf_doc.get_or_insert(doc.clone());
            }
            if rec.rels.values().any(|v| !v.is_empty()) {
                let r = http
                    .put(format!("{base}/api/{route}/{doc}?status=published&locale=en"))
                    .bearer_auth(TOKEN)
                    .json(&if route == "books" {
                        json!({"data": {"shelf": {"set": [{"documentId": shelf_doc, "locale": "en"}]}}})
                    } else {
                        json!({"data": {"featured": {"set": []}}})
                    })
                    .send()
                    .expect("update");
                assert!(r.status().is_success(), "update: {}", r.status());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Measuring a child: wall time and peak RSS from wait4.

#[repr(C)]
#[derive(Default)]
struct Timeval {
    sec: i64,
    usec: i64,
}

/// `struct rusage` of Linux on 64-bit targets.
#[repr(C)]
#[derive(Default)]
struct Rusage {
    utime: Timeval,
    stime: Timeval,
    maxrss_kib: i64,
    rest: [i64; 13],
}

unsafe extern "C" {
    fn wait4(pid: i32, status: *mut i32, options: i32, rusage: *mut Rusage) -> i32;
}

/// Runs this binary as `child args…`: (wall seconds, peak RSS MiB).
fn measure(args: &[&str]) -> (f64, f64) {
    let mut cmd = Command::new(std::env::current_exe().expect("exe"));
    cmd.arg("child").args(args).stdout(Stdio::null());
    let started = Instant::now();
    let child = cmd.spawn().expect("spawn");
    let mut status = 0i32;
    let mut ru = Rusage::default();
    // SAFETY: our own child, not yet waited for (the Child is forgotten below); `status`
    // and `ru` are valid for writes.
    let r = unsafe { wait4(child.id() as i32, &mut status, 0, &mut ru) };
    let wall = started.elapsed().as_secs_f64();
    std::mem::forget(child);
    assert!(
        r > 0 && status & 0x7f == 0 && (status >> 8) & 0xff == 0,
        "{args:?} failed ({status:#x})"
    );
    (wall, ru.maxrss_kib as f64 / 1024.0)
}

// ---------------------------------------------------------------------------------------
// The servers.

struct Server {
    url: String,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

fn start(work: &Path, name: &str) -> Server {
    let app = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/strapi/v5");
    let port = free_port();
    let state = work.join(name);
    std::fs::create_dir_all(&state).expect("state dir");
    let child = Command::new("node")
        .arg("start.js")
        .current_dir(&app)
        .env("PORT", port.to_string())
        .env("DATABASE_FILENAME", state.join("data.db"))
        .env("ITEST_PUBLIC_DIR", state.join("public"))
        .env("ITEST_INFO_FILE", state.join("info.json"))
        .env("ITEST_FULL_ACCESS_TOKEN", TOKEN)
        .env("ITEST_WATCH_STDIN", "0")
        .env("ITEST_LOG_LEVEL", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("node start.js (Node.js 20+ and tests/strapi/install.sh v5)");
    let url = format!("http://127.0.0.1:{port}");
    let server = Server { url, child };
    let http = http();
    let deadline = Instant::now() + Duration::from_secs(120);
    while http
        .get(format!("{}/_health", server.url))
        .send()
        .map(|r| r.status().as_u16() != 204)
        .unwrap_or(true)
    {
        assert!(Instant::now() < deadline, "{name} did not start");
        std::thread::sleep(Duration::from_millis(200));
    }
    server
}

/// A PNG of 16×16 pixels with a seed in its colours (stored zlib blocks).
fn png(seed: u8) -> Vec<u8> {
    fn crc32(data: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in data {
            c ^= b as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let chunk = |out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]| {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    };
    let (w, h) = (16u32, 16u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0);
        for x in 0..w {
            raw.extend_from_slice(&[seed, x as u8 * 16, y as u8 * 16]);
        }
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &d in &raw {
        a = (a + d as u32) % 65521;
        b = (b + a) % 65521;
    }
    let mut z = vec![0x78, 0x01, 1];
    z.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    z.extend_from_slice(&raw);
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Seeds books `from..to` (each with a cover, two images, a note and a shelf).
fn seed(c: &SyncClient, media: &[u64], shelf: &str, from: usize, to: usize) {
    let items: Vec<Value> = (from..to)
        .map(|i| {
            json!({"title": format!("Book {i}"), "pages": i,
                "note": {"text": format!("note {i}"), "rating": i % 5},
                "cover": media[i % media.len()],
                "images": [media[(i + 1) % media.len()], media[(i + 2) % media.len()]],
                "shelf": {"set": [{"documentId": shelf, "locale": "en"}]}})
        })
        .collect();
    let report = c
        .bulk_create::<Value, _>("books", &items, &BulkOptions::new().concurrency(4))
        .expect("bulk create");
    assert!(
        report.is_complete(),
        "seeding failed: {:?}",
        report.failures().first()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("child") {
        return child(&args[1..]);
    }
    let mut sizes = vec![1000usize, 2000, 4000];
    if let Some(i) = args.iter().position(|a| a == "--sizes") {
        sizes = args[i + 1]
            .split(',')
            .map(|s| s.parse().expect("size"))
            .collect();
    }
    let work = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-export-import");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).expect("work dir");
    eprintln!("starting two Strapi 5 servers …");
    let source = start(&work, "source");
    let target = start(&work, "target");
    let src = client(&source.url);
    let media: Vec<u64> = (0..10u8)
        .map(|i| {
            src.upload_bytes(
                png(i),
                &format!("m{i}.png"),
                &UploadOptions::new().alternative_text(format!("alt {i}")),
            )
            .expect("upload")
            .id
        })
        .collect();
    let shelf: Value = src
        .create::<Value, _>("shelves", &json!({"name": "Shelf"}))
        .expect("shelf")
        .data;
    let shelf = shelf["documentId"].as_str().expect("doc").to_owned();

    println!(
        "| entries | export | export RSS | import | import RSS | REST calls: export | REST calls: import |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    let mut seeded = 0;
    let middle = sizes[sizes.len() / 2];
    for &n in &sizes {
        eprintln!("seeding to {n} books …");
        seed(&src, &media, &shelf, seeded, n);
        seeded = n;
        let dir = work.join(format!("export-{n}"));
        let d = dir.to_str().expect("utf-8 path");
        eprintln!("export of {n} …");
        let (ew, er) = measure(&["export", &source.url, d]);
        eprintln!("import of {n} …");
        let (iw, ir) = measure(&["import", &target.url, d, "ours"]);
        let (rest_e, rest_i) = if n == middle {
            eprintln!("the same REST calls with plain reqwest …");
            let (re, _) = measure(&["rest-export", &source.url, d]);
            let (ri, _) = measure(&["rest-import", &target.url, d]);
            (
                format!("{re:.1} s ({:.2}×)", ew / re),
                format!("{ri:.1} s ({:.2}×)", iw / ri),
            )
        } else {
            ("".into(), "".into())
        };
        println!(
            "| {n} | {ew:.1} s | {er:.1} MiB | {iw:.1} s | {ir:.1} MiB | {rest_e} | {rest_i} |"
        );
    }
}
