//! Downloads: to memory, or streamed to a file that appears only when complete, resuming
//! with `Range` after a broken connection.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{CONTENT_RANGE, HeaderValue, RANGE};

use super::Client;
use super::content::FCall;
use super::flavour::{self, maybe};
use crate::client::common::body_error;
use crate::error::{Error, Result, UnexpectedReason};
use crate::media::{DownloadOptions, SendToken, Tracker};

impl Client {
    fn download_call(&self, url: &str, options: &DownloadOptions) -> Result<FCall> {
        let url = self.core.media_url(url)?;
        let mut call = FCall::new(Method::GET, url);
        call.auth = match options.send_token {
            SendToken::SameOrigin => self.core.same_origin(&call.url),
            SendToken::Always => true,
            SendToken::Never => false,
        };
        call.accept = "*/*";
        Ok(call)
    }
}

#[maybe]
impl Client {
    /// Downloads a file into memory. `url` is a media URL as Strapi gives it: relative
    /// (`/uploads/x.png`, joined to the base URL, sub-path kept) or absolute (CDN, S3), used
    /// as it is. The token goes only to the configured server (see [`DownloadOptions`]).
    pub async fn download_file(&self, url: &str) -> Result<Bytes> {
        self.download_file_with(url, &DownloadOptions::default())
            .await
    }

    /// [`download_file`](Self::download_file) with options.
    pub async fn download_file_with(&self, url: &str, options: &DownloadOptions) -> Result<Bytes> {
        let call = self.download_call(url, options)?;
        match &options.progress {
            None => Ok(self.fetch(&call).await?.body),
            Some(f) => {
                let mut response = self.open(&call).await?;
                let total = response.content_length();
                let tracker = Tracker::new(f.clone(), 0, total, None);
                let mut out = Vec::with_capacity(total.unwrap_or(0).min(64 << 20) as usize);
                while let Some(chunk) = flavour::next_chunk(&mut response)
                    .await
                    .map_err(|e| body_error(&call, e))?
                {
                    out.extend_from_slice(&chunk);
                    tracker.add(chunk.len() as u64);
                }
                check_size(total, out.len() as u64)?;
                Ok(Bytes::from(out))
            }
        }
    }

    /// Downloads a file to `path`, streamed: memory stays flat whatever the size.
    ///
    /// The body goes to a temporary file beside `path` that is renamed into place only when
    /// it is complete (and as long as announced), so a failed download never leaves a
    /// truncated file at `path`. With [`DownloadOptions::durable`] the data is also flushed
    /// to disk before the rename (crash-safe, slower). When the connection breaks, the download resumes with a
    /// `Range` request if the server honours it (Strapi's local provider does), and starts
    /// over otherwise, up to [`DownloadOptions::max_resumes`] times. Returns the bytes
    /// written.
    pub async fn download_file_to(&self, url: &str, path: impl AsRef<Path>) -> Result<u64> {
        self.download_file_to_with(url, path, &DownloadOptions::default())
            .await
    }

    /// [`download_file_to`](Self::download_file_to) with options.
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
        let result = self.stream_to(&call, &mut file, &tmp, options).await;
        let result = match result {
            Ok(n) => flavour::finish_file(file, options.durable)
                .await
                .map(|()| n)
                .map_err(|e| Error::io(&tmp, e)),
            Err(e) => {
                drop(file);
                Err(e)
            }
        };
        match result {
            Ok(n) => match flavour::rename(&tmp, path).await {
                Ok(()) => Ok(n),
                Err(e) => {
                    flavour::remove_file(&tmp).await;
                    Err(Error::io(path, e))
                }
            },
            Err(e) => {
                flavour::remove_file(&tmp).await;
                Err(e)
            }
        }
    }

    /// Writes the body of `call` to `file`, resuming after broken connections.
    async fn stream_to(
        &self,
        call: &FCall,
        file: &mut flavour::File,
        tmp: &Path,
        options: &DownloadOptions,
    ) -> Result<u64> {
        let mut response = self.open(call).await?;
        let total = response.content_length();
        let mut ranges_ok = accepts_ranges(response.headers());
        let tracker = options
            .progress
            .clone()
            .map(|f| Tracker::new(f, 0, total, None));
        let mut written = 0u64;
        let mut resumes = 0u32;
        loop {
            match flavour::next_chunk(&mut response).await {
                Ok(Some(chunk)) => {
                    flavour::write_chunk(file, &chunk)
                        .await
                        .map_err(|e| Error::io(tmp, e))?;
                    written += chunk.len() as u64;
                    if let Some(t) = &tracker {
                        t.add(chunk.len() as u64);
                    }
                }
                Ok(None) => {
                    check_size(total, written)?;
                    return Ok(written);
                }
                Err(e) => {
                    let err = body_error(call, e);
                    if resumes >= options.max_resumes {
                        return Err(err);
                    }
                    resumes += 1;
                    tracing::info!(url = %call.url_str(), written, resumes, "download broke; resuming");
                    let mut again = FCall::new(call.method.clone(), call.url.clone());
                    again.auth = call.auth;
                    again.accept = call.accept;
                    if ranges_ok && written > 0 {
                        if let Ok(v) = HeaderValue::from_str(&format!("bytes={written}-")) {
                            again.headers.insert(RANGE, v);
                        }
                    }
                    response = self.open(&again).await?;
                    let resumed = response.status().as_u16() == 206
                        && content_range_start(response.headers()) == Some(written);
                    if !resumed {
                        // A full body again: start over.
                        flavour::truncate(file)
                            .await
                            .map_err(|e| Error::io(tmp, e))?;
                        written = 0;
                        if let Some(t) = &tracker {
                            t.restart();
                        }
                        ranges_ok = accepts_ranges(response.headers());
                    }
                }
            }
        }
    }
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

fn accepts_ranges(headers: &reqwest::header::HeaderMap) -> bool {
    headers
        .get(reqwest::header::ACCEPT_RANGES)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("bytes"))
}

/// The first byte of a `Content-Range: bytes a-b/n` answer.
fn content_range_start(headers: &reqwest::header::HeaderMap) -> Option<u64> {
    let v = headers.get(CONTENT_RANGE)?.to_str().ok()?;
    let range = v.trim().strip_prefix("bytes ")?;
    range.split(['-', '/']).next()?.trim().parse().ok()
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
