//! The blocking client: [`Client`] (also exported as `strapi_kit::SyncClient`).
//!
//! Same methods, names and docs as [`nonblocking::Client`](crate::nonblocking::Client),
//! without `async`. Like `reqwest::blocking`, it runs its own small runtime: do not create
//! or drop it inside an async runtime.
//!
//! ```no_run
//! use strapi_kit::{StrapiConfig, StrapiQuery, SyncClient};
//! # fn demo() -> strapi_kit::Result<()> {
//! let client = SyncClient::new(StrapiConfig::new("http://localhost:1337", "token")?)?;
//! let list = client.get_many::<serde_json::Value>("articles", &StrapiQuery::new())?;
//! # Ok(()) }
//! ```

#[path = "shared/mod.rs"]
#[allow(clippy::duplicate_mod)]
mod shared;

#[path = "all_entries_blocking.rs"]
mod all_entries;

pub use all_entries::AllEntries;
pub use flavour::UploadReader;
pub use shared::{Client, RawRequest};

/// The flavour's I/O leaves and types, under the names the shared body uses.
mod flavour {
    pub(crate) use super::all_entries::AllEntries;
    use std::io::{self, Read, Write};
    use std::path::Path;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::time::Duration;

    use bytes::Bytes;

    pub(crate) use maybe_async::must_be_sync as maybe;
    pub(crate) use reqwest::blocking::multipart::{Form, Part};
    pub(crate) use reqwest::blocking::{Client as HttpClient, RequestBuilder, Response};

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

    pub(crate) fn sleep(d: Duration) {
        std::thread::sleep(d);
    }

    /// Up to `limit` bytes of the body; errors end the read (used for error bodies).
    pub(crate) fn read_capped(resp: Response, limit: usize) -> Bytes {
        let mut out = Vec::new();
        let _ = resp.take(limit as u64).read_to_end(&mut out);
        Bytes::from(out)
    }

    pub(crate) fn next_chunk(resp: &mut Response) -> Result<Option<Bytes>, BodyError> {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            match resp.read(&mut buf) {
                Ok(0) => return Ok(None),
                Ok(n) => {
                    buf.truncate(n);
                    return Ok(Some(Bytes::from(buf)));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
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
        Part::reader_with_length(
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
    struct Metered {
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

    pub(crate) fn remove_file(path: &Path) {
        let _ = std::fs::remove_file(path);
    }
}
