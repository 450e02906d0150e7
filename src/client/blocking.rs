//! The blocking client: [`Client`] (also exported as `strapi_kit::SyncClient`, feature
//! `sync`).
//!
//! ## Which flavour?
//!
//! Pick this one for scripts, command-line tools, build steps, tests and applications that
//! have no async runtime: every call blocks until its answer is there, and no executor
//! is needed. Pick [`AsyncClient`](crate::AsyncClient) (feature `async`) inside a tokio
//! application, or to run many calls at once on few threads. Both have the same methods,
//! with the same names, arguments and errors; here they are plain functions.
//!
//! ## The runtime rule
//!
//! Like `reqwest::blocking`, the client runs a small runtime on a thread of its own (and a
//! second one from its first upload: upload bodies go through an async HTTP client there).
//! Creating, cloning and dropping it is fine anywhere, inside a tokio runtime too. Its
//! *calls* block, so do not make them on an async task's thread: there a call fails with
//! [`Error::Config`](crate::Error::Config) saying so, before anything is sent (the check
//! triggers tokio's own refusal, which may print a panic message to stderr: it is caught).
//! From async code use `tokio::task::spawn_blocking` or a plain thread, or use the async
//! client.
//!
//! ## Example
//!
//! ```no_run
//! use serde_json::Value;
//! use strapi_kit::{StrapiConfig, StrapiQuery, SyncClient, UploadOptions};
//!
//! fn main() -> strapi_kit::Result<()> {
//!     // STRAPI_BASE_URL, STRAPI_API_TOKEN, ... (see `StrapiConfig::from_env`)
//!     let client = SyncClient::new(StrapiConfig::from_env()?)?;
//!
//!     let page = client.get_many::<Value>("articles", &StrapiQuery::new().paginate(1, 10))?;
//!     for article in &page.data {
//!         println!("{}", article["title"]);
//!     }
//!
//!     let file = client.upload_file("hero.jpg", &UploadOptions::new().alternative_text("Hero"))?;
//!     println!("uploaded {} to {}", file.id, file.url);
//!     Ok(())
//! }
//! ```

/// A doc example in this flavour, for the shared body (`src/client/shared`), which is
/// compiled once per flavour: `#[doc = example!(sync: r#"..."#, async: r#"..."#)]` keeps
/// this flavour's code, wrapped in a hidden function that has a `client:
/// &strapi_kit::SyncClient`. Each client page thus shows code in its own flavour.
macro_rules! example {
    (sync: $sync:literal, async: $async:literal $(,)?) => {
        concat!(
            "\n```no_run\n# fn demo(client: &strapi_kit::SyncClient) -> strapi_kit::Result<()> {",
            $sync,
            "# Ok(())\n# }\n```\n",
        )
    };
}

#[path = "shared/mod.rs"]
#[allow(clippy::duplicate_mod)]
mod shared;

#[path = "all_entries_blocking.rs"]
mod all_entries;

#[path = "upload_blocking.rs"]
mod upload;

pub use all_entries::AllEntries;
pub use flavour::UploadReader;
pub use shared::{Client, Collection, RawRequest, Single};

/// The flavour's I/O leaves and types, under the names the shared body uses.
mod flavour {
    pub(crate) use super::all_entries::AllEntries;
    use std::io::{self, Read, Write};
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex, mpsc};
    use std::time::Duration;

    use bytes::Bytes;

    pub(crate) use super::upload::{Form, HttpClient, Part, RequestBuilder};
    pub(crate) use maybe_async::must_be_sync as maybe;
    pub(crate) use reqwest::blocking::Response;

    use crate::client::common::BodyError;
    use crate::media::PartMeter;

    /// A download target.
    pub(crate) type File = std::fs::File;

    /// A reader for `upload_reader`: any `Read` that can move between threads.
    pub type UploadReader = Box<dyn Read + Send>;

    /// Runs `job(0..count)` on at most `limit` scoped threads sharing the client, and
    /// returns the results by index. Once `stop` is set no new job starts; running ones
    /// finish (their slots are `Some`, unstarted ones `None`).
    pub(crate) fn bounded<T, F>(
        limit: usize,
        count: usize,
        stop: &AtomicBool,
        job: F,
    ) -> Vec<Option<T>>
    where
        T: Send,
        F: Fn(usize) -> T + Sync,
    {
        let slots: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let worker = || {
            loop {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= count {
                    break;
                }
                let r = job(i);
                *slots[i].lock().unwrap_or_else(|p| p.into_inner()) = Some(r);
            }
        };
        let threads = limit.max(1).min(count);
        if threads <= 1 {
            worker();
        } else {
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(worker);
                }
            });
        }
        slots
            .into_iter()
            .map(|m| m.into_inner().unwrap_or_else(|p| p.into_inner()))
            .collect()
    }

    /// Builds the reqwest client, and keeps `uploads` (the same settings) for the client that
    /// sends upload bodies, built on the first upload. reqwest's blocking client waits for
    /// its runtime thread to start, and that wait panics when made on a thread inside a
    /// tokio runtime (debug builds check it); waiting on a plain thread of our own avoids it.
    pub(crate) fn build_client(
        b: reqwest::blocking::ClientBuilder,
        uploads: impl FnOnce() -> reqwest::ClientBuilder,
    ) -> reqwest::Result<HttpClient> {
        let inner = if !in_tokio_runtime() {
            b.build()?
        } else {
            std::thread::scope(|s| s.spawn(|| b.build()).join())
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?
        };
        Ok(HttpClient::new(inner, uploads()))
    }

    fn in_tokio_runtime() -> bool {
        tokio::runtime::Handle::try_current().is_ok()
    }

    /// Sends a request, unless the calling thread drives an async runtime: blocking there
    /// would stall every task of that thread (and reqwest would refuse it with a panic in debug
    /// builds, after the request went out). Nothing is sent then; the error says the way out.
    pub(crate) fn send(rb: RequestBuilder) -> crate::error::Result<reqwest::Result<Response>> {
        check_may_block()?;
        rb.send_checked()
    }

    /// An error when the calling thread drives an async runtime (see [`send`]).
    pub(crate) fn check_may_block() -> crate::error::Result<()> {
        if !blocking_allowed() {
            return Err(crate::error::Error::Config(
                "a SyncClient call cannot block a thread that runs async tasks: call it inside \
                 tokio::task::spawn_blocking (or on a thread of your own), or use AsyncClient"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Whether this thread may block: outside any tokio runtime, or where the runtime allows
    /// it (`spawn_blocking`). tokio tells only by refusing to drop a runtime where blocking
    /// is not allowed, so inside a runtime that is what is tried (as reqwest does).
    fn blocking_allowed() -> bool {
        if !in_tokio_runtime() {
            return true;
        }
        std::panic::catch_unwind(|| {
            if let Ok(shell) = tokio::runtime::Builder::new_current_thread().build() {
                drop(shell);
            }
        })
        .is_ok()
    }

    pub(crate) fn sleep(d: Duration) {
        std::thread::sleep(d);
    }

    /// Up to `limit` bytes of the body; errors end the read (used for error bodies).
    pub(crate) fn read_capped(resp: Response, limit: usize) -> Bytes {
        let mut out = Vec::new();
        let _ = resp.take(limit as u64).read_to_end(&mut out);
        Bytes::from(out)
    }

    /// The reqwest timeout of download requests: none, so that reqwest's blocking client
    /// applies its own (the configured timeout) to the wait for headers and to each read,
    /// with no bound on the whole body; `download.rs` bounds the body instead.
    pub(crate) const STREAM_TIMEOUT: Option<Duration> = None;

    type Piece = Result<Option<Bytes>, BodyError>;

    /// A download body, read by a thread of its own so that a wait can be given up: a
    /// blocking read cannot be interrupted, and reqwest's read timeout is the client's.
    pub(crate) struct Body {
        pieces: mpsc::Receiver<Piece>,
        stop: Arc<AtomicBool>,
    }

    impl Drop for Body {
        fn drop(&mut self) {
            // The reader ends at its next read (at most the client's timeout away) and
            // drops the response, closing the connection.
            self.stop.store(true, Ordering::SeqCst);
        }
    }

    pub(crate) fn body(mut resp: Response) -> io::Result<Body> {
        // One piece in the channel, one in hand: memory stays flat.
        let (tx, pieces) = mpsc::sync_channel::<Piece>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::Builder::new()
            .name("strapi-kit-download".into())
            .spawn(move || {
                let mut buf = vec![0u8; 256 * 1024];
                loop {
                    let piece: Piece = match resp.read(&mut buf) {
                        Ok(0) => Ok(None),
                        Ok(n) => Ok(Some(Bytes::copy_from_slice(&buf[..n]))),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        // reqwest's read timeout (the client's) only means "nothing yet":
                        // the body is intact, and how long to wait is the caller's call.
                        Err(e) if is_timeout(&e) => {
                            if stopped.load(Ordering::SeqCst) {
                                return;
                            }
                            continue;
                        }
                        Err(e) => Err(e.into()),
                    };
                    let more = matches!(piece, Ok(Some(_)));
                    if tx.send(piece).is_err() || !more || stopped.load(Ordering::SeqCst) {
                        return;
                    }
                }
            })?;
        Ok(Body { pieces, stop })
    }

    fn is_timeout(e: &io::Error) -> bool {
        e.kind() == io::ErrorKind::TimedOut
            || e.get_ref()
                .and_then(|i| i.downcast_ref::<reqwest::Error>())
                .is_some_and(reqwest::Error::is_timeout)
    }

    /// The next piece of the body, or `None` when nothing came within `wait`.
    pub(crate) fn chunk_within(body: &mut Body, wait: Duration) -> Option<Piece> {
        match body.pieces.recv_timeout(wait) {
            Ok(piece) => Some(piece),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Some(Err("the body reader stopped unexpectedly".into()))
            }
        }
    }

    /// `v` as it is: reqwest's blocking client already bounded the wait for the headers by
    /// the client's timeout.
    pub(crate) fn within<T>(_wait: Duration, v: T) -> Option<T> {
        Some(v)
    }

    /// The body, at most `max` bytes of it (`Ok(Err(prefix))` when it is longer).
    pub(crate) fn read_limited(
        resp: Response,
        max: usize,
        hint: usize,
    ) -> Result<Result<Vec<u8>, Vec<u8>>, BodyError> {
        let mut body = Vec::with_capacity(hint.min(max));
        // One byte past the limit tells "longer" from "exactly max".
        let mut limited = resp.take(max as u64 + 1);
        match limited.read_to_end(&mut body) {
            Ok(_) if body.len() > max => Ok(Err(body)),
            Ok(_) => Ok(Ok(body)),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) fn metadata(path: &Path) -> io::Result<std::fs::Metadata> {
        std::fs::metadata(path)
    }

    pub(crate) fn file_part(path: &Path, len: u64, mut meter: PartMeter) -> io::Result<Part> {
        let file = std::fs::File::open(path)?;
        meter.check_opened(file.metadata()?.len())?;
        Ok(reader_part(Box::new(file), len, meter))
    }

    pub(crate) fn bytes_part(data: Bytes, meter: PartMeter) -> Part {
        let len = data.len() as u64;
        reader_part(Box::new(io::Cursor::new(data)), len, meter)
    }

    pub(crate) fn reader_part(reader: UploadReader, len: u64, meter: PartMeter) -> Part {
        Part::new(
            Metered {
                inner: reader,
                meter,
                ended: false,
            },
            len,
        )
    }

    /// A reader that meters the bytes read through it (progress, and an error when the
    /// source gives more or fewer bytes than announced: reqwest then aborts the request).
    pub(crate) struct Metered {
        inner: UploadReader,
        meter: PartMeter,
        ended: bool,
    }

    impl Read for Metered {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.ended || buf.is_empty() {
                return Ok(0);
            }
            let n = loop {
                match self.inner.read(buf) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    r => break r?,
                }
            };
            if n == 0 {
                self.ended = true;
                self.meter.end()?;
            } else {
                self.meter.read(n)?;
            }
            Ok(n)
        }
    }

    /// Reads up to `n` bytes of `reader` (fewer only at its end) and gives them back with a
    /// reader that yields those bytes again, then the rest.
    pub(crate) fn peek(mut reader: UploadReader, n: usize) -> io::Result<(Vec<u8>, UploadReader)> {
        let mut head = Vec::with_capacity(n);
        (&mut reader).take(n as u64).read_to_end(&mut head)?;
        let again: UploadReader = Box::new(io::Cursor::new(head.clone()).chain(reader));
        Ok((head, again))
    }

    /// The first `n` bytes of a file (for type checks).
    pub(crate) fn read_head(path: &Path, n: usize) -> io::Result<Vec<u8>> {
        let mut head = Vec::with_capacity(n);
        std::fs::File::open(path)?
            .take(n as u64)
            .read_to_end(&mut head)?;
        Ok(head)
    }

    /// Empties a partly written download that must start over.
    pub(crate) fn truncate(file: &mut std::fs::File) -> io::Result<()> {
        use std::io::Seek;
        file.set_len(0)?;
        file.seek(io::SeekFrom::Start(0)).map(|_| ())
    }

    pub(crate) fn create_file(path: &Path) -> io::Result<std::fs::File> {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
    }

    pub(crate) fn write_chunk(file: &mut std::fs::File, chunk: &[u8]) -> io::Result<()> {
        file.write_all(chunk)
    }

    pub(crate) fn finish_file(file: std::fs::File, durable: bool) -> io::Result<()> {
        if durable {
            file.sync_all()?;
        }
        Ok(())
    }

    pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    /// Bounds the requests in flight (`max_concurrent_requests`), shared by clones and views.
    pub(crate) struct Slots {
        free: Mutex<usize>,
        freed: std::sync::Condvar,
    }

    /// A taken slot, given back on drop.
    pub(crate) struct Slot<'a>(&'a Slots);

    impl Drop for Slot<'_> {
        fn drop(&mut self) {
            *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
            self.0.freed.notify_one();
        }
    }

    impl Slots {
        pub(crate) fn new(n: usize) -> Self {
            Slots {
                free: Mutex::new(n),
                freed: std::sync::Condvar::new(),
            }
        }

        /// A slot, or `None` when `deadline` passes first.
        pub(crate) fn acquire(&self, deadline: Option<std::time::Instant>) -> Option<Slot<'_>> {
            let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
            while *free == 0 {
                free = match deadline {
                    None => self.freed.wait(free).unwrap_or_else(|p| p.into_inner()),
                    Some(d) => {
                        let left = d.checked_duration_since(std::time::Instant::now())?;
                        self.freed
                            .wait_timeout(free, left)
                            .unwrap_or_else(|p| p.into_inner())
                            .0
                    }
                };
            }
            *free -= 1;
            Some(Slot(self))
        }
    }

    /// A lock (the admin login is single-flight).
    pub(crate) struct Lock<T>(Mutex<T>);

    impl<T> Lock<T> {
        pub(crate) fn new(v: T) -> Self {
            Lock(Mutex::new(v))
        }
        pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|p| p.into_inner())
        }
    }
}
