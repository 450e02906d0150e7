//! Test support shared by both flavours: the real Strapi servers, the mock server and
//! small helpers. No I/O through the clients here, so nothing depends on the flavour.
#![allow(dead_code)]

pub mod mock;
pub mod proxy;
pub mod strapi;
pub mod tls;
pub mod wire;

use std::sync::atomic::{AtomicU64, Ordering};

pub use serde::Deserialize;
pub use serde_json::{Value, json};
pub use strapi_kit::{
    DocumentStatus, Entry, EntryResponse, Error, FilterBuilder, ListResponse, MediaFile,
    MediaUpdate, Populate, PopulateField, SortDirection, StrapiConfig, StrapiQuery, UploadOptions,
};

/// A configuration for `url`, retries off so that failures show at once.
pub fn config(url: &str, token: Option<&str>) -> StrapiConfig {
    let mut b = StrapiConfig::builder(url).retry(strapi_kit::RetryPolicy::none());
    if let Some(t) = token {
        b = b.api_token(t);
    }
    b.build().expect("config")
}

/// A string no other test (or earlier run against the same server) uses.
pub fn unique(tag: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{tag}-{}-{}-{nanos:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A slug for `title` (Strapi's uid fields accept `A-Za-z0-9-_.~`).
pub fn slug(title: &str) -> String {
    title
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The id to address an entry with: `documentId` on v5, `id` on v4.
pub fn key(entry: &Value) -> String {
    match entry.get("documentId").and_then(Value::as_str) {
        Some(d) => d.to_owned(),
        None => entry["id"].as_u64().expect("entry id").to_string(),
    }
}

/// The titles of a list, sorted.
pub fn titles(list: &ListResponse<Value>) -> Vec<String> {
    let mut t: Vec<String> = list
        .data
        .iter()
        .map(|e| e["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    t.sort();
    t
}

/// A PNG of `w`×`h` pixels (a gradient, so it does not compress to nothing).
pub fn png(w: u32, h: u32) -> Vec<u8> {
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
    fn adler32(data: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &d in data {
            a = (a + d as u32) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend_from_slice(data);
        out.extend_from_slice(&c);
        out.extend_from_slice(&crc32(&c).to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0u8);
        for x in 0..w {
            raw.extend_from_slice(&[(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8]);
        }
    }
    // zlib, stored (uncompressed) blocks.
    let mut z = vec![0x78, 0x01];
    for (i, block) in raw.chunks(65535).enumerate() {
        let last = (i + 1) * 65535 >= raw.len();
        z.push(last as u8);
        z.extend_from_slice(&(block.len() as u16).to_le_bytes());
        z.extend_from_slice(&(!(block.len() as u16)).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A temporary directory removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let p = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("it-files")
            .join(unique(tag));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
    pub fn write(&self, name: &str, data: &[u8]) -> std::path::PathBuf {
        let p = self.0.join(name);
        std::fs::write(&p, data).expect("write temp file");
        p
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Held by tests that change the servers' upload settings or depend on them (image
/// formats): the settings are global to a server, and tests run in parallel.
pub fn upload_settings_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// Held by the tests that write the `showcase` single type (one entry per server, written by
/// both flavours' tests).
pub fn showcase_lock() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// The test process's metrics recorder (installed on first use; there is one per process).
#[cfg(feature = "metrics")]
pub fn metrics_snapshotter() -> &'static metrics_util::debugging::Snapshotter {
    static SNAP: std::sync::OnceLock<metrics_util::debugging::Snapshotter> =
        std::sync::OnceLock::new();
    SNAP.get_or_init(|| {
        let rec = metrics_util::debugging::DebuggingRecorder::new();
        let s = rec.snapshotter();
        rec.install()
            .expect("the only recorder of the test process");
        s
    })
}
