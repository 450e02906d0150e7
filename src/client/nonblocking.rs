//! The async client, on tokio: [`Client`] (also exported as `strapi_kit::AsyncClient`).
//!
//! Same methods, names and docs as [`blocking::Client`](crate::blocking::Client); every
//! I/O method is `async`.
//!
//! ```no_run
//! use strapi_kit::{AsyncClient, StrapiConfig, StrapiQuery};
//! # async fn demo() -> strapi_kit::Result<()> {
//! let client = AsyncClient::new(StrapiConfig::new("http://localhost:1337", "token")?)?;
//! let list = client
//!     .get_many::<serde_json::Value>("articles", &StrapiQuery::new())
//!     .await?;
//! # Ok(()) }
//! ```

#[path = "shared/mod.rs"]
#[allow(clippy::duplicate_mod)]
mod shared;

pub use flavour::UploadReader;
pub use shared::{Client, RawRequest};

/// The flavour's I/O leaves and types, under the names the shared body uses.
mod flavour {
    use std::io;
    use std::path::Path;
    use std::time::Duration;

    use bytes::Bytes;
    use futures_util::TryStreamExt;
    use tokio::io::AsyncWriteExt;

    pub(crate) use maybe_async::must_be_async as maybe;
    pub(crate) use reqwest::multipart::{Form, Part};
    pub(crate) use reqwest::{Client as HttpClient, RequestBuilder, Response};

    use crate::client::common::BodyError;

    /// A reader for `upload_reader`: any `AsyncRead` that can move between threads.
    pub type UploadReader = Box<dyn tokio::io::AsyncRead + Send + Unpin>;

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

    pub(crate) async fn next_chunk(resp: &mut Response) -> Result<Option<Bytes>, BodyError> {
        resp.chunk().await.map_err(Into::into)
    }

    pub(crate) async fn metadata(path: &Path) -> io::Result<std::fs::Metadata> {
        tokio::fs::metadata(path).await
    }

    pub(crate) async fn file_part(path: &Path, len: u64) -> io::Result<Part> {
        let file = tokio::fs::File::open(path).await?;
        Ok(Part::stream_with_length(file, len))
    }

    pub(crate) fn bytes_part(data: Bytes) -> Part {
        let len = data.len() as u64;
        Part::stream_with_length(data, len)
    }

    pub(crate) fn reader_part(reader: UploadReader, len: u64) -> Part {
        let stream = tokio_util::io::ReaderStream::new(reader).map_err(io::Error::other);
        Part::stream_with_length(reqwest::Body::wrap_stream(stream), len)
    }

    pub(crate) async fn create_file(path: &Path) -> io::Result<tokio::fs::File> {
        tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .await
    }

    pub(crate) async fn write_chunk(file: &mut tokio::fs::File, chunk: &[u8]) -> io::Result<()> {
        file.write_all(chunk).await
    }

    pub(crate) async fn finish_file(mut file: tokio::fs::File) -> io::Result<()> {
        file.flush().await?;
        file.sync_all().await
    }

    pub(crate) async fn rename(from: &Path, to: &Path) -> io::Result<()> {
        tokio::fs::rename(from, to).await
    }

    pub(crate) async fn remove_file(path: &Path) {
        let _ = tokio::fs::remove_file(path).await;
    }
}
