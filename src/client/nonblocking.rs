//! The async client, on tokio: [`Client`] (also exported as `strapi_kit::AsyncClient`,
//! feature `async`, the default).
//!
//! ## Which flavour?
//!
//! Pick this one inside an async (tokio) application, or to run many calls at once on few
//! threads; every I/O method is an `async fn`. Pick [`SyncClient`](crate::SyncClient)
//! (feature `sync`) for scripts, command-line tools and code without a runtime. Both have
//! the same methods, with the same names, arguments and errors.
//!
//! ## The runtime rule
//!
//! Any tokio runtime works, current-thread or multi-thread, and a client (cheap to clone)
//! can be shared between tasks. Outside a tokio runtime the calls fail (reqwest and the
//! client's timers need one); without a runtime, use the blocking client.
//!
//! ## Example
//!
//! ```no_run
//! use serde_json::Value;
//! use strapi_kit::{AsyncClient, StrapiConfig, StrapiQuery, UploadOptions};
//!
//! #[tokio::main]
//! async fn main() -> strapi_kit::Result<()> {
//!     // STRAPI_BASE_URL, STRAPI_API_TOKEN, ... (see `StrapiConfig::from_env`)
//!     let client = AsyncClient::new(StrapiConfig::from_env()?)?;
//!
//!     let page = client
//!         .get_many::<Value>("articles", &StrapiQuery::new().paginate(1, 10))
//!         .await?;
//!     for article in &page.data {
//!         println!("{}", article["title"]);
//!     }
//!
//!     let file = client
//!         .upload_file("hero.jpg", &UploadOptions::new().alternative_text("Hero"))
//!         .await?;
//!     println!("uploaded {} to {}", file.id, file.url);
//!     Ok(())
//! }
//! ```

/// A doc example in this flavour, for the shared body (`src/client/shared`), which is
/// compiled once per flavour: `#[doc = example!(sync: r#"..."#, async: r#"..."#)]` keeps
/// this flavour's code, wrapped in a hidden function that has a `client:
/// &strapi_kit::AsyncClient`. Each client page thus shows code in its own flavour.
macro_rules! example {
    (sync: $sync:literal, async: $async:literal $(,)?) => {
        concat!(
            "\n```no_run\n# async fn demo(client: &strapi_kit::AsyncClient) -> strapi_kit::Result<()> {",
            $async,
            "# Ok(())\n# }\n```\n",
        )
    };
}

#[path = "shared/mod.rs"]
#[allow(clippy::duplicate_mod)]
mod shared;

#[path = "all_entries_nonblocking.rs"]
mod all_entries;

pub use all_entries::AllEntries;
pub use flavour::UploadReader;
pub use shared::{Client, Collection, RawRequest, Single};

/// The flavour's I/O leaves and types, under the names the shared body uses.
mod flavour {
    pub(crate) use super::all_entries::AllEntries;
    use std::future::Future;
    use std::io;
    use std::path::Path;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::task::{Context, Poll};
    use std::time::Duration;

    use bytes::Bytes;
    use futures_util::Stream;
    use tokio::io::AsyncWriteExt;

    pub(crate) use maybe_async::must_be_async as maybe;
    pub(crate) use reqwest::multipart::{Form, Part};
    pub(crate) use reqwest::{Client as HttpClient, RequestBuilder, Response};

    use crate::client::common::BodyError;
    use crate::media::PartMeter;

    /// Read and write in 256 KiB pieces: every tokio file operation is a hop to the
    /// blocking pool, so small pieces cost throughput.
    const CHUNK: usize = 256 * 1024;

    /// A download target, buffered for the same reason.
    pub(crate) type File = tokio::io::BufWriter<tokio::fs::File>;

    /// A reader for `upload_reader`: any `AsyncRead` that can move between threads.
    pub type UploadReader = Box<dyn tokio::io::AsyncRead + Send + Unpin>;

    /// Runs `job(0..count)` with at most `limit` at a time on this task, in any order, and
    /// returns the results by index. Once `stop` is set no new job starts; running ones
    /// finish (their slots are `Some`, unstarted ones `None`).
    pub(crate) async fn bounded<T, F, Fut>(
        limit: usize,
        count: usize,
        stop: &AtomicBool,
        job: F,
    ) -> Vec<Option<T>>
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = T>,
    {
        use futures_util::stream::{self, StreamExt};
        let mut out: Vec<Option<T>> = (0..count).map(|_| None).collect();
        let job = &job;
        let mut running = stream::iter(0..count)
            .take_while(|_| std::future::ready(!stop.load(Ordering::SeqCst)))
            .map(|i| async move { (i, job(i).await) })
            .buffer_unordered(limit.max(1));
        while let Some((i, r)) = running.next().await {
            out[i] = Some(r);
        }
        out
    }

    /// Builds the reqwest client (`_uploads` is for the blocking flavour's upload bodies:
    /// this client sends them itself).
    pub(crate) fn build_client(
        b: reqwest::ClientBuilder,
        _uploads: impl FnOnce() -> reqwest::ClientBuilder,
    ) -> reqwest::Result<HttpClient> {
        b.build()
    }

    /// Sends a request (the blocking flavour refuses to block an async thread here).
    pub(crate) async fn send(
        rb: RequestBuilder,
    ) -> crate::error::Result<reqwest::Result<Response>> {
        Ok(rb.send().await)
    }

    pub(crate) async fn sleep(d: Duration) {
        tokio::time::sleep(d).await;
    }

    /// Up to `limit` bytes of the body; errors end the read (used for error bodies).
    pub(crate) async fn read_capped(mut resp: Response, limit: usize) -> Bytes {
        let mut out = Vec::new();
        while out.len() < limit {
            match resp.chunk().await {
                Ok(Some(c)) => out.extend_from_slice(&c[..c.len().min(limit - out.len())]),
                _ => break,
            }
        }
        Bytes::from(out)
    }

    /// The reqwest timeout of download requests: practically none, since reqwest's
    /// per-request timeout would also bound the body; `download.rs` bounds it instead.
    pub(crate) const STREAM_TIMEOUT: Option<Duration> =
        Some(Duration::from_secs(100 * 365 * 86_400));

    /// A download body being read.
    pub(crate) type Body = Response;

    pub(crate) fn body(resp: Response) -> io::Result<Body> {
        Ok(resp)
    }

    /// The next piece of the body, or `None` when nothing came within `wait`.
    /// (`chunk` is cancel-safe: a piece is never lost by giving up the wait.)
    pub(crate) async fn chunk_within(
        body: &mut Body,
        wait: Duration,
    ) -> Option<Result<Option<Bytes>, BodyError>> {
        tokio::time::timeout(wait, body.chunk())
            .await
            .ok()
            .map(|r| r.map_err(Into::into))
    }

    /// `f`'s output, or `None` when it takes longer than `wait`.
    pub(crate) async fn within<T>(wait: Duration, f: impl Future<Output = T>) -> Option<T> {
        tokio::time::timeout(wait, f).await.ok()
    }

    /// The body, at most `max` bytes of it (`Ok(Err(prefix))` when it is longer).
    pub(crate) async fn read_limited(
        mut resp: Response,
        max: usize,
        hint: usize,
    ) -> Result<Result<Vec<u8>, Vec<u8>>, BodyError> {
        let mut body = Vec::with_capacity(hint.min(max));
        while let Some(chunk) = resp.chunk().await? {
            if body.len() + chunk.len() > max {
                return Ok(Err(body));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Ok(body))
    }

    pub(crate) async fn metadata(path: &Path) -> io::Result<std::fs::Metadata> {
        tokio::fs::metadata(path).await
    }

    pub(crate) async fn file_part(path: &Path, len: u64, mut meter: PartMeter) -> io::Result<Part> {
        let file = tokio::fs::File::open(path).await?;
        meter.check_opened(file.metadata().await?.len())?;
        Ok(reader_part(Box::new(file), len, meter))
    }

    pub(crate) fn bytes_part(data: Bytes, meter: PartMeter) -> Part {
        let len = data.len() as u64;
        // In pieces, so that progress moves as the body goes out.
        let pieces: Vec<io::Result<Bytes>> = (0..data.len())
            .step_by(CHUNK)
            .map(|at| Ok(data.slice(at..(at + CHUNK).min(data.len()))))
            .collect();
        metered_part(futures_util::stream::iter(pieces), len, meter)
    }

    pub(crate) fn reader_part(reader: UploadReader, len: u64, meter: PartMeter) -> Part {
        let stream = tokio_util::io::ReaderStream::with_capacity(reader, CHUNK);
        metered_part(stream, len, meter)
    }

    fn metered_part<S>(inner: S, len: u64, meter: PartMeter) -> Part
    where
        S: Stream<Item = io::Result<Bytes>> + Send + Unpin + 'static,
    {
        let stream = Metered {
            inner,
            meter,
            ended: false,
        };
        Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
    }

    /// A stream that meters the bytes going through it (progress, and an error when the
    /// source gives more or fewer bytes than announced: hyper then aborts the request).
    struct Metered<S> {
        inner: S,
        meter: PartMeter,
        ended: bool,
    }

    impl<S> Stream for Metered<S>
    where
        S: Stream<Item = io::Result<Bytes>> + Unpin,
    {
        type Item = io::Result<Bytes>;

        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
            if self.ended {
                return Poll::Ready(None);
            }
            let this = &mut *self;
            let item = match std::task::ready!(Pin::new(&mut this.inner).poll_next(cx)) {
                Some(Ok(chunk)) => match this.meter.read(chunk.len()) {
                    Ok(()) => return Poll::Ready(Some(Ok(chunk))),
                    Err(e) => Some(Err(e)),
                },
                Some(Err(e)) => Some(Err(e)),
                None => this.meter.end().err().map(Err),
            };
            this.ended = true;
            Poll::Ready(item)
        }
    }

    /// Reads up to `n` bytes of `reader` (fewer only at its end) and gives them back with a
    /// reader that yields those bytes again, then the rest.
    pub(crate) async fn peek(
        mut reader: UploadReader,
        n: usize,
    ) -> io::Result<(Vec<u8>, UploadReader)> {
        use tokio::io::AsyncReadExt;
        let mut head = Vec::with_capacity(n);
        (&mut reader).take(n as u64).read_to_end(&mut head).await?;
        let again: UploadReader = Box::new(io::Cursor::new(head.clone()).chain(reader));
        Ok((head, again))
    }

    /// The first `n` bytes of a file (for type checks).
    pub(crate) async fn read_head(path: &Path, n: usize) -> io::Result<Vec<u8>> {
        use tokio::io::AsyncReadExt;
        let mut head = Vec::with_capacity(n);
        tokio::fs::File::open(path)
            .await?
            .take(n as u64)
            .read_to_end(&mut head)
            .await?;
        Ok(head)
    }

    /// Empties a partly written download that must start over.
    pub(crate) async fn truncate(file: &mut File) -> io::Result<()> {
        use tokio::io::AsyncSeekExt;
        file.flush().await?;
        file.get_mut().set_len(0).await?;
        file.seek(io::SeekFrom::Start(0)).await.map(|_| ())
    }

    pub(crate) async fn create_file(path: &Path) -> io::Result<File> {
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await?;
        Ok(tokio::io::BufWriter::with_capacity(CHUNK, file))
    }

    pub(crate) async fn write_chunk(file: &mut File, chunk: &[u8]) -> io::Result<()> {
        file.write_all(chunk).await
    }

    pub(crate) async fn finish_file(mut file: File, durable: bool) -> io::Result<()> {
        file.flush().await?;
        if durable {
            file.get_mut().sync_all().await?;
        }
        Ok(())
    }

    pub(crate) async fn rename(from: &Path, to: &Path) -> io::Result<()> {
        tokio::fs::rename(from, to).await
    }

    /// Bounds the requests in flight (`max_concurrent_requests`), shared by clones and views.
    pub(crate) struct Slots(tokio::sync::Semaphore);

    impl Slots {
        pub(crate) fn new(n: usize) -> Self {
            Slots(tokio::sync::Semaphore::new(
                n.min(tokio::sync::Semaphore::MAX_PERMITS),
            ))
        }

        /// A slot, or `None` when `deadline` passes first.
        pub(crate) async fn acquire(
            &self,
            deadline: Option<std::time::Instant>,
        ) -> Option<tokio::sync::SemaphorePermit<'_>> {
            let wait = self.0.acquire();
            match deadline {
                None => wait.await.ok(),
                Some(d) => tokio::time::timeout_at(d.into(), wait).await.ok()?.ok(),
            }
        }
    }

    /// A lock that may be held across an await (the admin login is single-flight).
    pub(crate) struct Lock<T>(tokio::sync::Mutex<T>);

    impl<T> Lock<T> {
        pub(crate) fn new(v: T) -> Self {
            Lock(tokio::sync::Mutex::new(v))
        }
        pub(crate) async fn lock(&self) -> tokio::sync::MutexGuard<'_, T> {
            self.0.lock().await
        }
    }
}
