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

pub use flavour::UploadReader;
pub use shared::{Client, RawRequest};

/// The flavour's I/O leaves and types, under the names the shared body uses.
mod flavour {
    use std::io::{self, Read, Write};
    use std::path::Path;
    use std::time::Duration;

    use bytes::Bytes;

    pub(crate) use maybe_async::must_be_sync as maybe;
    pub(crate) use reqwest::blocking::multipart::{Form, Part};
    pub(crate) use reqwest::blocking::{Client as HttpClient, RequestBuilder, Response};

    use crate::client::common::BodyError;

    /// A reader for `upload_reader`: any `Read` that can move between threads.
    pub type UploadReader = Box<dyn Read + Send>;

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
        let mut buf = vec![0u8; 64 * 1024];
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

    pub(crate) fn file_part(path: &Path, len: u64) -> io::Result<Part> {
        let file = std::fs::File::open(path)?;
        Ok(Part::reader_with_length(file, len))
    }

    pub(crate) fn bytes_part(data: Bytes) -> Part {
        let len = data.len() as u64;
        Part::reader_with_length(io::Cursor::new(data), len)
    }

    pub(crate) fn reader_part(reader: UploadReader, len: u64) -> Part {
        Part::reader_with_length(reader, len)
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

    pub(crate) fn finish_file(file: std::fs::File) -> io::Result<()> {
        file.sync_all()
    }

    pub(crate) fn rename(from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    pub(crate) fn remove_file(path: &Path) {
        let _ = std::fs::remove_file(path);
    }
}
