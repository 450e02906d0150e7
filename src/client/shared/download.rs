//! Downloads: to memory (bounded), or streamed to a file that appears only when complete,
//! resuming with `Range` + `If-Range` after a broken or stalled connection.
//!
//! Time bounds are enforced here, not by reqwest: its per-request timeout covers the whole
//! body in the async flavour (cutting a large download) and each read in the blocking one
//! (never ending a trickle). Download requests therefore carry `flavour::STREAM_TIMEOUT`,
//! and the body is read through `flavour::chunk_within`, which waits at most as long as
//! [`Pace`] allows.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{
    CONTENT_LENGTH, CONTENT_RANGE, ETAG, HeaderMap, HeaderValue, IF_RANGE, LAST_MODIFIED, RANGE,
};

use super::Client;
use super::content::FCall;
use super::flavour::{self, maybe};
use crate::client::common::body_error;
use crate::error::{Error, Result, UnexpectedReason};
use crate::media::{DownloadOptions, SendToken, Tracker};

impl Client {
    fn download_call(&self, url: &str, options: &DownloadOptions) -> Result<FCall> {
        check_options(options)?;
        let url = self.core.media_url(url)?;
        let mut call = FCall::new(Method::GET, url);
        call.auth = match options.send_token {
            SendToken::SameOrigin => self.core.same_origin(&call.url),
            SendToken::Always => true,
            SendToken::Never => false,
        };
        call.accept = "*/*";
        call.exact = true;
        Ok(call)
    }

    /// This client with the request timeout downloads need (see the module docs).
    fn streaming_view(&self) -> Client {
        let mut c = self.clone();
        c.opts.timeout = flavour::STREAM_TIMEOUT;
        c
    }
}

/// A response whose body is being read.
struct Opened {
    status: u16,
    headers: HeaderMap,
    body: flavour::Body,
}

/// # Downloads
#[maybe]
impl Client {
    /// Downloads a file into memory. `url` is a media URL as Strapi gives it: relative
    /// (`/uploads/x.png`, joined to the base URL, sub-path kept) or absolute (CDN, S3), used
    /// as it is. The token goes only to the configured server (see [`DownloadOptions`]).
    ///
    /// At most [`DownloadOptions::max_bytes`] (256 MiB by default) are kept: a larger body
    /// fails with [`UnexpectedReason::TooLarge`]. A body shorter or longer than its
    /// `Content-Length` fails with [`UnexpectedReason::SizeMismatch`].
    #[doc = example!(
        sync: r#"
let file = client.get_media(42u64)?;
let bytes = client.download_file(&file.url)?;
"#,
        async: r#"
let file = client.get_media(42u64).await?;
let bytes = client.download_file(&file.url).await?;
"#,
    )]
    pub async fn download_file(&self, url: &str) -> Result<Bytes> {
        self.download_file_with(url, &DownloadOptions::default())
            .await
    }

    /// [`download_file`](Self::download_file) with options.
    #[doc = example!(
        sync: r#"
use strapi_kit::DownloadOptions;
let opts = DownloadOptions::new().max_bytes(10 * 1024 * 1024);
let bytes = client.download_file_with("/uploads/hero.jpg", &opts)?;
"#,
        async: r#"
use strapi_kit::DownloadOptions;
let opts = DownloadOptions::new().max_bytes(10 * 1024 * 1024);
let bytes = client.download_file_with("/uploads/hero.jpg", &opts).await?;
"#,
    )]
    pub async fn download_file_with(&self, url: &str, options: &DownloadOptions) -> Result<Bytes> {
        let call = self.download_call(url, options)?;
        let mut pace = Pace::within(options, self.opts.timeout);
        let mut got = self.open_body(&call, &pace).await?;
        let total = content_length(&got.headers);
        let too_large = || Error::unexpected(got.status, UnexpectedReason::TooLarge, b"");
        if total.is_some_and(|n| n > options.max_bytes) {
            return Err(too_large());
        }
        let tracker = options
            .progress
            .clone()
            .map(|f| Tracker::new(f, 0, total, None));
        let cap = total.unwrap_or(0).min(options.max_bytes).min(64 << 20);
        let mut out = Vec::with_capacity(cap as usize);
        loop {
            match flavour::chunk_within(&mut got.body, pace.wait()).await {
                Some(Ok(Some(chunk))) => {
                    if (out.len() + chunk.len()) as u64 > options.max_bytes {
                        return Err(too_large());
                    }
                    out.extend_from_slice(&chunk);
                    if let Some(t) = &tracker {
                        t.add(chunk.len() as u64);
                    }
                    pace.check(chunk.len() as u64)
                        .map_err(|s| stall_error(&call, s))?;
                }
                Some(Ok(None)) => break,
                Some(Err(e)) => return Err(body_error(&call, e)),
                None => pace.check(0).map_err(|s| stall_error(&call, s))?,
            }
        }
        check_size(total, out.len() as u64)?;
        Ok(Bytes::from(out))
    }

    /// Downloads a file to `path`, streamed: memory stays flat whatever the size.
    ///
    /// The body goes to a temporary file beside `path` that is renamed into place only when
    /// it is complete and as long as announced (Strapi's media objects carry no content
    /// checksum — their `hash` is a file-name stem — so the size is what is verified). A
    /// failed, cancelled (future dropped) or panicking download never leaves a truncated
    /// file at `path` nor its temporary file. With [`DownloadOptions::durable`] the data is
    /// also flushed to disk before the rename (crash-safe, slower).
    ///
    /// When the connection breaks or stalls, the download resumes with a `Range` request
    /// guarded by `If-Range` (a strong `ETag`, else `Last-Modified`) if the server honours
    /// ranges (Strapi's local provider does); a server that answers with the whole body, a
    /// changed version or a changed length makes it start over, as does a server that names
    /// no version. So the file is always one version of the resource. Up to
    /// [`DownloadOptions::max_resumes`] times. Returns the bytes written.
    #[doc = example!(
        sync: r#"
let written = client
    .download_file_to("/uploads/report.pdf", "report.pdf")?;
println!("{written} bytes");
"#,
        async: r#"
let written = client
    .download_file_to("/uploads/report.pdf", "report.pdf")
    .await?;
println!("{written} bytes");
"#,
    )]
    pub async fn download_file_to(&self, url: &str, path: impl AsRef<Path>) -> Result<u64> {
        self.download_file_to_with(url, path, &DownloadOptions::default())
            .await
    }

    /// [`download_file_to`](Self::download_file_to) with options.
    #[doc = example!(
        sync: r#"
use strapi_kit::DownloadOptions;
let opts = DownloadOptions::new()
    .durable(true)
    .on_progress(|p| eprintln!("{} / {:?}", p.bytes, p.total));
client
    .download_file_to_with("/uploads/video.mp4", "video.mp4", &opts)?;
"#,
        async: r#"
use strapi_kit::DownloadOptions;
let opts = DownloadOptions::new()
    .durable(true)
    .on_progress(|p| eprintln!("{} / {:?}", p.bytes, p.total));
client
    .download_file_to_with("/uploads/video.mp4", "video.mp4", &opts)
    .await?;
"#,
    )]
    pub async fn download_file_to_with(
        &self,
        url: &str,
        path: impl AsRef<Path>,
        options: &DownloadOptions,
    ) -> Result<u64> {
        let path = path.as_ref();
        let tmp = temp_path_for(path)?;
        let call = self.download_call(url, options)?;
        let mut file = flavour::create_file(&tmp)
            .await
            .map_err(|e| Error::io(&tmp, e))?;
        // Declared after `file`, so dropped before it: on every exit but a successful rename
        // (an error, a panic in the progress callback, a dropped future) the part file goes.
        let mut part = PartFile {
            path: tmp.clone(),
            keep: false,
        };
        let n = self.stream_to(&call, &mut file, &tmp, options).await?;
        flavour::finish_file(file, options.durable)
            .await
            .map_err(|e| Error::io(&tmp, e))?;
        flavour::rename(&tmp, path)
            .await
            .map_err(|e| Error::io(path, e))?;
        part.keep = true;
        Ok(n)
    }

    /// Sends `call` and waits for its headers, bounded by the client's timeout (and the
    /// download's deadline), then hands back the body to read.
    async fn open_body(&self, call: &FCall, pace: &Pace) -> Result<Opened> {
        let view = self.streaming_view();
        let wait = pace.bound(self.core.config.timeout());
        let resp = match flavour::within(wait, view.open(call)).await {
            Some(r) => r?,
            None => return Err(stall_error(call, Stall::Headers)),
        };
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = flavour::body(resp).map_err(|e| body_error(call, e.into()))?;
        Ok(Opened {
            status,
            headers,
            body,
        })
    }

    /// Writes the body of `call` to `file`, resuming after broken or stalled connections.
    async fn stream_to(
        &self,
        call: &FCall,
        file: &mut flavour::File,
        tmp: &Path,
        options: &DownloadOptions,
    ) -> Result<u64> {
        let mut pace = Pace::within(options, self.opts.timeout);
        let mut got = self.open_body(call, &pace).await?;
        let mut version = Version::of(&got.headers);
        let mut tracker = options
            .progress
            .clone()
            .map(|f| Tracker::new(f, 0, version.total, None));
        let mut written = 0u64;
        let mut resumes = 0u32;
        loop {
            let broke = match flavour::chunk_within(&mut got.body, pace.wait()).await {
                Some(Ok(Some(chunk))) => {
                    flavour::write_chunk(file, &chunk)
                        .await
                        .map_err(|e| Error::io(tmp, e))?;
                    written += chunk.len() as u64;
                    if let Some(t) = &tracker {
                        t.add(chunk.len() as u64);
                    }
                    pace.check(chunk.len() as u64)
                        .err()
                        .map(|s| stall_error(call, s))
                }
                Some(Ok(None)) => {
                    check_size(version.total, written)?;
                    return Ok(written);
                }
                Some(Err(e)) => Some(body_error(call, e)),
                None => pace.check(0).err().map(|s| stall_error(call, s)),
            };
            let Some(err) = broke else { continue };
            if resumes >= options.max_resumes || pace.past_deadline() {
                return Err(err);
            }
            resumes += 1;
            tracing::info!(url = %call.url_str(), written, resumes, error = %err, "download broke; resuming");
            let (again, restarted) = self.reopen(call, &version, written, &pace).await?;
            got = again;
            pace.restart_body();
            if restarted {
                // A whole body again (perhaps a new version): start over.
                flavour::truncate(file)
                    .await
                    .map_err(|e| Error::io(tmp, e))?;
                written = 0;
                version = Version::of(&got.headers);
                tracker = options
                    .progress
                    .clone()
                    .map(|f| Tracker::new(f, 0, version.total, None));
            }
        }
    }

    /// Asks for the rest of the body after `written` bytes; `true` when what came back is
    /// the whole body, to be written from the start.
    async fn reopen(
        &self,
        call: &FCall,
        version: &Version,
        written: u64,
        pace: &Pace,
    ) -> Result<(Opened, bool)> {
        let fresh = || {
            let mut again = FCall::new(call.method.clone(), call.url.clone());
            again.auth = call.auth;
            again.accept = call.accept;
            again.exact = call.exact;
            again
        };
        if let Some(guard) = version.if_range().filter(|_| written > 0) {
            let mut again = fresh();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes={written}-")) {
                again.headers.insert(RANGE, v);
                again.headers.insert(IF_RANGE, guard);
                let got = self.open_body(&again, pace).await?;
                if got.status == 206 {
                    if version.continued_by(&got.headers, written) {
                        return Ok((got, false));
                    }
                    // A range of something else: fetch the whole body below.
                    tracing::info!(url = %call.url_str(), "resource changed; restarting download");
                } else {
                    return Ok((got, true));
                }
            }
        }
        Ok((self.open_body(&fresh(), pace).await?, true))
    }
}

/// The version of a resource a download started with, to resume only that version.
struct Version {
    /// The body length of the full response, from `Content-Length`.
    total: Option<u64>,
    ranges: bool,
    /// A strong `ETag` (a weak one cannot guard a range: RFC 9110 §13.1.5).
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
}

impl Version {
    fn of(headers: &HeaderMap) -> Self {
        let etag = headers
            .get(ETAG)
            .filter(|v| v.as_bytes().starts_with(b"\""))
            .cloned();
        Version {
            total: content_length(headers),
            ranges: headers
                .get(reqwest::header::ACCEPT_RANGES)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("bytes")),
            etag,
            last_modified: headers.get(LAST_MODIFIED).cloned(),
        }
    }

    /// The `If-Range` value, when a resume is safe: ranges, a known length, a validator.
    fn if_range(&self) -> Option<HeaderValue> {
        if !self.ranges || self.total.is_none() {
            return None;
        }
        self.etag.clone().or_else(|| self.last_modified.clone())
    }

    /// Whether a 206 continues this version exactly at `written`.
    fn continued_by(&self, headers: &HeaderMap, written: u64) -> bool {
        let same = |name, mine: &Option<HeaderValue>| match (headers.get(name), mine) {
            (Some(theirs), Some(mine)) => theirs == mine,
            _ => true,
        };
        content_range(headers) == Some((written, self.total))
            && same(ETAG, &self.etag)
            && same(LAST_MODIFIED, &self.last_modified)
    }
}

/// Why a body was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stall {
    /// No response headers within the client's timeout.
    Headers,
    Idle,
    Slow,
    Deadline,
}

/// The time bounds of one download: idle, low speed, deadline (see [`DownloadOptions`]).
struct Pace {
    idle: Duration,
    low_speed: Option<(u64, Duration)>,
    deadline: Option<Instant>,
    last_byte: Instant,
    /// The start of the current low-speed window and the bytes seen in it.
    window: (Instant, u64),
}

impl Pace {
    #[cfg(test)]
    fn new(options: &DownloadOptions) -> Self {
        Self::within(options, None)
    }

    /// The bounds of `options`, with `view_timeout` (a `with_timeout` view's) as a
    /// deadline too: a timeout the caller set bounds the whole download.
    fn within(options: &DownloadOptions, view_timeout: Option<Duration>) -> Self {
        let now = Instant::now();
        let deadline = match (options.deadline, view_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Pace {
            idle: options.idle_timeout,
            low_speed: options.low_speed,
            deadline: deadline.and_then(|d| now.checked_add(d)),
            last_byte: now,
            window: (now, 0),
        }
    }

    /// A new body starts: idle and speed are measured afresh.
    fn restart_body(&mut self) {
        let now = Instant::now();
        self.last_byte = now;
        self.window = (now, 0);
    }

    /// `limit`, shortened to what is left before the deadline.
    fn bound(&self, limit: Duration) -> Duration {
        match self.deadline {
            Some(d) => limit.min(d.saturating_duration_since(Instant::now())),
            None => limit,
        }
    }

    fn past_deadline(&self) -> bool {
        self.deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// How long the next read may wait before [`check`](Self::check) must look again.
    fn wait(&self) -> Duration {
        let now = Instant::now();
        let mut wait = self.idle.saturating_sub(now - self.last_byte);
        if let Some((_, period)) = self.low_speed {
            wait = wait.min((self.window.0 + period).saturating_duration_since(now));
        }
        self.bound(wait)
    }

    /// Records `n` new bytes (0 after a wait that saw none) and tells whether to give up.
    fn check(&mut self, n: u64) -> std::result::Result<(), Stall> {
        let now = Instant::now();
        if n > 0 {
            self.last_byte = now;
            self.window.1 += n;
        }
        if self.deadline.is_some_and(|d| now >= d) {
            return Err(Stall::Deadline);
        }
        if now - self.last_byte >= self.idle {
            return Err(Stall::Idle);
        }
        if let Some((rate, period)) = self.low_speed {
            if now - self.window.0 >= period {
                if (self.window.1 as f64) < rate as f64 * period.as_secs_f64() {
                    return Err(Stall::Slow);
                }
                self.window = (now, 0);
            }
        }
        Ok(())
    }
}

fn stall_error(call: &FCall, stall: Stall) -> Error {
    tracing::debug!(url = %call.url_str(), ?stall, "download stalled");
    Error::Timeout {
        method: call.method.to_string(),
        url: call.url_str().to_owned(),
        source: None,
    }
}

/// Options a download cannot work with, refused before any request.
fn check_options(options: &DownloadOptions) -> Result<()> {
    if options.idle_timeout.is_zero() {
        return Err(Error::InvalidInput(
            "the idle timeout must be positive".into(),
        ));
    }
    if options.low_speed.is_some_and(|(_, p)| p.is_zero()) {
        return Err(Error::InvalidInput(
            "the low-speed period must be positive".into(),
        ));
    }
    if options.deadline.is_some_and(|d| d.is_zero()) {
        return Err(Error::InvalidInput("the deadline must be positive".into()));
    }
    Ok(())
}

/// Fails when fewer (or more) bytes arrived than announced.
fn check_size(expected: Option<u64>, received: u64) -> Result<()> {
    match expected {
        Some(n) if n != received => Err(Error::unexpected(
            200,
            UnexpectedReason::SizeMismatch {
                expected: n,
                received,
            },
            b"",
        )),
        _ => Ok(()),
    }
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// The first byte and the total of a `Content-Range: bytes a-b/n` answer (total `None`
/// for `*`).
fn content_range(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let v = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let (range, total) = v.trim().strip_prefix("bytes ")?.split_once('/')?;
    let start = range.split('-').next()?.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// A part file that is removed when dropped, unless kept.
struct PartFile {
    path: PathBuf,
    keep: bool,
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if !self.keep {
            // Synchronous even in the async flavour: Drop cannot wait, and unlinking is quick.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A temporary name beside `path`, in the same directory so the final rename is atomic.
fn temp_path_for(path: &Path) -> Result<PathBuf> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = path
        .file_name()
        .ok_or_else(|| Error::InvalidInput(format!("{} is not a file path", path.display())))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(Error::io(
            &dir,
            std::io::Error::new(std::io::ErrorKind::NotFound, "directory does not exist"),
        ));
    }
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}-{n}.strapi-kit.part", std::process::id()));
    Ok(dir.join(tmp_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn if_range_prefers_a_strong_etag_and_refuses_a_weak_one() {
        let base = [("content-length", "10"), ("accept-ranges", "bytes")];
        let strong = headers(&[base[0], base[1], ("etag", "\"v-A\"")]);
        assert_eq!(Version::of(&strong).if_range().unwrap(), "\"v-A\"");
        let weak = headers(&[base[0], base[1], ("etag", "W/\"v-A\"")]);
        assert_eq!(Version::of(&weak).if_range(), None);
        let dated = headers(&[
            base[0],
            base[1],
            ("etag", "W/\"v-A\""),
            ("last-modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ]);
        assert_eq!(
            Version::of(&dated).if_range().unwrap(),
            "Wed, 21 Oct 2015 07:28:00 GMT"
        );
        let no_ranges = headers(&[base[0], ("etag", "\"v-A\"")]);
        assert_eq!(Version::of(&no_ranges).if_range(), None);
    }

    #[test]
    fn a_range_continues_only_the_same_version_and_length() {
        let first = Version::of(&headers(&[
            ("content-length", "10"),
            ("accept-ranges", "bytes"),
            ("etag", "\"v-A\""),
        ]));
        let ok = headers(&[("content-range", "bytes 4-9/10"), ("etag", "\"v-A\"")]);
        assert!(first.continued_by(&ok, 4));
        assert!(!first.continued_by(&ok, 5), "wrong offset");
        let longer = headers(&[("content-range", "bytes 4-10/11"), ("etag", "\"v-A\"")]);
        assert!(!first.continued_by(&longer, 4), "other total");
        let other = headers(&[("content-range", "bytes 4-9/10"), ("etag", "\"v-B\"")]);
        assert!(!first.continued_by(&other, 4), "other ETag");
        let unknown = headers(&[("content-range", "bytes 4-9/*")]);
        assert!(!first.continued_by(&unknown, 4), "unknown total");
    }

    #[test]
    fn pace_flags_idle_slow_and_deadline() {
        let opts = DownloadOptions::new()
            .idle_timeout(Duration::from_millis(40))
            .no_low_speed();
        let mut p = Pace::new(&opts);
        assert_eq!(p.check(1), Ok(()));
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(p.check(0), Err(Stall::Idle));
        assert!(p.wait().is_zero());

        let opts = DownloadOptions::new().low_speed(1000, Duration::from_millis(30));
        let mut p = Pace::new(&opts);
        std::thread::sleep(Duration::from_millis(35));
        assert_eq!(p.check(5), Err(Stall::Slow));

        let opts = DownloadOptions::new().deadline(Duration::from_millis(10));
        let mut p = Pace::new(&opts);
        std::thread::sleep(Duration::from_millis(15));
        assert_eq!(p.check(100), Err(Stall::Deadline));
        assert!(p.past_deadline());
    }
}
