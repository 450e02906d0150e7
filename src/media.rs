//! The media library's non-I/O parts: upload options, the multipart layout (`files`,
//! `fileInfo`, `ref`/`refId`/`field`), MIME guessing and local-file checks.
//!
//! The I/O methods (`upload_file`, `download_file`, …) live on the clients.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::client::common::EntryId;
use crate::error::{Error, Result};

/// Metadata and attachment settings for an upload.
///
/// ```
/// use strapi_kit::UploadOptions;
/// let opts = UploadOptions::new()
///     .alternative_text("A red bicycle")
///     .caption("Amsterdam, 2024")
///     .name("bike.jpg")
///     .folder(3)
///     .attach("api::article.article", "kx9c2lq0z8yq7d3n1m5v4b6a", "cover");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UploadOptions {
    pub(crate) alternative_text: Option<String>,
    pub(crate) caption: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) folder: Option<u64>,
    pub(crate) reference: Option<String>,
    pub(crate) ref_id: Option<EntryId>,
    pub(crate) field: Option<String>,
    pub(crate) mime: Option<String>,
}

impl UploadOptions {
    /// No metadata, no attachment.
    pub fn new() -> Self {
        Self::default()
    }
    /// The alternative text (`fileInfo.alternativeText`).
    pub fn alternative_text(mut self, text: impl Into<String>) -> Self {
        self.alternative_text = Some(text.into());
        self
    }
    /// The caption (`fileInfo.caption`).
    pub fn caption(mut self, text: impl Into<String>) -> Self {
        self.caption = Some(text.into());
        self
    }
    /// The stored file name, instead of the local one (`fileInfo.name`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// The media-library folder id (`fileInfo.folder`).
    pub fn folder(mut self, folder_id: u64) -> Self {
        self.folder = Some(folder_id);
        self
    }
    /// The model the file is attached to (`ref`, e.g. `api::article.article`).
    pub fn reference(mut self, model_uid: impl Into<String>) -> Self {
        self.reference = Some(model_uid.into());
        self
    }
    /// The entry the file is attached to: a v5 `documentId` or a v4 id (`refId`).
    pub fn ref_id(mut self, id: impl Into<EntryId>) -> Self {
        self.ref_id = Some(id.into());
        self
    }
    /// The media field of the entry (`field`, e.g. `cover`).
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
    /// Attaches the file to `field` of entry `id` of model `model_uid` once uploaded.
    ///
    /// On Strapi 5 the client does not use Strapi's `refId` (a row id that the next
    /// publish drops); it sets the field through the entry instead, so the attachment
    /// lasts. A multiple-media field keeps its other files.
    pub fn attach(
        self,
        model_uid: impl Into<String>,
        id: impl Into<EntryId>,
        field: impl Into<String>,
    ) -> Self {
        self.reference(model_uid).ref_id(id).field(field)
    }
    /// The MIME type to send, instead of the one guessed from the file name.
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// Whether an attachment is requested (all three of ref, refId, field).
    pub(crate) fn attachment(&self) -> Result<Option<(&str, &EntryId, &str)>> {
        match (&self.reference, &self.ref_id, &self.field) {
            (None, None, None) => Ok(None),
            (Some(r), Some(id), Some(f)) => {
                if !r.contains("::") {
                    return Err(Error::InvalidInput(format!(
                        "ref {r:?} must be a model uid such as `api::article.article`"
                    )));
                }
                id.checked()?;
                if f.is_empty() {
                    return Err(Error::InvalidInput("the attach field is empty".into()));
                }
                Ok(Some((r, id, f)))
            }
            _ => Err(Error::InvalidInput(
                "attaching needs all of ref, ref_id and field".into(),
            )),
        }
    }

    /// The `fileInfo` JSON: only the fields that were set.
    pub(crate) fn file_info(&self) -> Option<String> {
        file_info(
            self.alternative_text.as_deref(),
            self.caption.as_deref(),
            self.name.as_deref(),
            self.folder,
        )
    }

    fn check(&self) -> Result<()> {
        if let Some(m) = &self.mime {
            if m.parse::<mime_guess::mime::Mime>().is_err() {
                return Err(Error::InvalidInput(format!("{m:?} is not a MIME type")));
            }
        }
        self.attachment().map(|_| ())
    }
}

/// Changes to a file's metadata; fields left unset keep their value.
///
/// ```
/// use strapi_kit::MediaUpdate;
/// let change = MediaUpdate::new().caption("New caption");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MediaUpdate {
    pub(crate) alternative_text: Option<String>,
    pub(crate) caption: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) folder: Option<u64>,
}

impl MediaUpdate {
    /// No change yet.
    pub fn new() -> Self {
        Self::default()
    }
    /// New alternative text (an empty string clears it).
    pub fn alternative_text(mut self, text: impl Into<String>) -> Self {
        self.alternative_text = Some(text.into());
        self
    }
    /// New caption (an empty string clears it).
    pub fn caption(mut self, text: impl Into<String>) -> Self {
        self.caption = Some(text.into());
        self
    }
    /// New file name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
    /// Moves the file to a folder.
    pub fn folder(mut self, folder_id: u64) -> Self {
        self.folder = Some(folder_id);
        self
    }
    pub(crate) fn file_info(&self) -> Option<String> {
        file_info(
            self.alternative_text.as_deref(),
            self.caption.as_deref(),
            self.name.as_deref(),
            self.folder,
        )
    }
}

fn file_info(
    alternative_text: Option<&str>,
    caption: Option<&str>,
    name: Option<&str>,
    folder: Option<u64>,
) -> Option<String> {
    let mut m = Map::new();
    if let Some(v) = alternative_text {
        m.insert("alternativeText".into(), Value::from(v));
    }
    if let Some(v) = caption {
        m.insert("caption".into(), Value::from(v));
    }
    if let Some(v) = name {
        m.insert("name".into(), Value::from(v));
    }
    if let Some(v) = folder {
        m.insert("folder".into(), Value::from(v));
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

/// Whether a download sends the client's credentials.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SendToken {
    /// Only to the configured server (the default): a CDN never sees the token.
    #[default]
    SameOrigin,
    /// To any host (private S3 buckets behind a proxy that checks it, say).
    Always,
    /// Never.
    Never,
}

/// Options for downloads.
#[derive(Clone, Debug, Default)]
pub struct DownloadOptions {
    pub(crate) send_token: SendToken,
}

impl DownloadOptions {
    /// Defaults: the token goes only to the configured server.
    pub fn new() -> Self {
        Self::default()
    }
    /// When to send the token.
    pub fn send_token(mut self, policy: SendToken) -> Self {
        self.send_token = policy;
        self
    }
}

/// The content of the `files` part.
pub(crate) enum FileSource<R> {
    /// A local file, reopened for each attempt and streamed.
    Path {
        path: PathBuf,
        len: u64,
        file_name: String,
        mime: String,
    },
    /// Bytes in memory.
    Bytes {
        data: Bytes,
        file_name: String,
        mime: String,
    },
    /// A reader of known length; it can be sent only once.
    Reader {
        reader: Mutex<Option<R>>,
        len: u64,
        file_name: String,
        mime: String,
    },
}

/// The multipart body of `POST /api/upload`, described without I/O.
pub(crate) struct UploadSpec<R> {
    /// Text parts in order: `ref`, `refId`, `field`, `fileInfo`.
    pub texts: Vec<(&'static str, String)>,
    pub file: Option<FileSource<R>>,
}

impl<R> UploadSpec<R> {
    pub fn replayable(&self) -> bool {
        !matches!(self.file, Some(FileSource::Reader { .. }))
    }

    /// An upload of `file` with `options`; `native_ref` sends Strapi's own
    /// `ref`/`refId`/`field` parts (v4), otherwise the client attaches afterwards.
    pub fn upload(file: FileSource<R>, options: &UploadOptions, native_ref: bool) -> Self {
        let mut texts = Vec::new();
        if native_ref {
            if let Ok(Some((r, id, f))) = options.attachment() {
                texts.push(("ref", r.to_owned()));
                texts.push(("refId", id.as_str().to_owned()));
                texts.push(("field", f.to_owned()));
            }
        }
        if let Some(info) = options.file_info() {
            texts.push(("fileInfo", info));
        }
        UploadSpec {
            texts,
            file: Some(file),
        }
    }

    /// A metadata update (`POST /api/upload?id=…` with only `fileInfo`).
    pub fn update(change: &MediaUpdate) -> Self {
        // Strapi needs a fileInfo part even when nothing changes.
        let info = change.file_info().unwrap_or_else(|| "{}".to_owned());
        UploadSpec {
            texts: vec![("fileInfo", info)],
            file: None,
        }
    }
}

/// The MIME type for a file name (`application/octet-stream` when unknown).
pub fn guess_mime(file_name: &str) -> String {
    mime_guess::from_path(file_name)
        .first_raw()
        .unwrap_or("application/octet-stream")
        .to_owned()
}

/// The name sent in the multipart header: the path's last component, with control
/// characters (which cannot appear in a header) replaced.
pub(crate) fn file_name_of(path: &Path) -> Result<String> {
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid_file(path, "the path has no file name"))?
        .to_string_lossy();
    Ok(sanitize_file_name(&name))
}

pub(crate) fn sanitize_file_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_control() { '_' } else { c })
        .collect()
}

/// Checks a local file's metadata before anything is sent: it must exist, be a regular
/// file and be readable. Returns its length.
pub(crate) fn check_local_file(
    path: &Path,
    meta: std::io::Result<std::fs::Metadata>,
) -> Result<u64> {
    let meta = meta.map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            _ => e.to_string(),
        };
        Error::invalid_file(path, reason)
    })?;
    if meta.is_dir() {
        return Err(Error::invalid_file(path, "is a directory"));
    }
    if !meta.is_file() {
        return Err(Error::invalid_file(path, "is not a regular file"));
    }
    Ok(meta.len())
}

/// Builds the file part description for a local path whose length is known.
pub(crate) fn path_source<R>(
    path: &Path,
    len: u64,
    options: &UploadOptions,
) -> Result<FileSource<R>> {
    options.check()?;
    let file_name = file_name_of(path)?;
    let mime = options
        .mime
        .clone()
        .unwrap_or_else(|| guess_mime(&file_name));
    Ok(FileSource::Path {
        path: path.to_owned(),
        len,
        file_name,
        mime,
    })
}

/// Builds the file part description for bytes or a reader.
pub(crate) fn named_source<R>(
    file_name: &str,
    options: &UploadOptions,
    make: impl FnOnce(String, String) -> FileSource<R>,
) -> Result<FileSource<R>> {
    options.check()?;
    let file_name = sanitize_file_name(file_name.trim());
    if file_name.is_empty() {
        return Err(Error::InvalidInput("the file name is empty".into()));
    }
    let mime = options
        .mime
        .clone()
        .unwrap_or_else(|| guess_mime(&file_name));
    Ok(make(file_name, mime))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_info_has_only_set_fields() {
        let o = UploadOptions::new().alternative_text("alt").folder(3);
        assert_eq!(
            o.file_info().unwrap(),
            r#"{"alternativeText":"alt","folder":3}"#
        );
        assert_eq!(UploadOptions::new().file_info(), None);
        assert_eq!(
            UploadSpec::<()>::update(&MediaUpdate::new()).texts,
            [("fileInfo", "{}".to_owned())]
        );
    }

    #[test]
    fn attachment_needs_all_three() {
        assert!(
            UploadOptions::new()
                .reference("api::a.a")
                .attachment()
                .is_err()
        );
        assert!(
            UploadOptions::new()
                .attach("article", "x", "cover")
                .attachment()
                .is_err()
        );
        let o = UploadOptions::new().attach("api::article.article", 5u64, "cover");
        let spec = UploadSpec::<()>::upload(
            FileSource::Bytes {
                data: Bytes::new(),
                file_name: "a".into(),
                mime: "text/plain".into(),
            },
            &o,
            true,
        );
        assert_eq!(
            spec.texts,
            [
                ("ref", "api::article.article".to_owned()),
                ("refId", "5".to_owned()),
                ("field", "cover".to_owned())
            ]
        );
    }

    #[test]
    fn mime_and_names() {
        assert_eq!(guess_mime("a.PNG"), "image/png");
        assert_eq!(guess_mime("noext"), "application/octet-stream");
        assert_eq!(sanitize_file_name("a\nb\r.txt"), "a_b_.txt");
        assert_eq!(
            file_name_of(Path::new("/tmp/été photo.jpg")).unwrap(),
            "été photo.jpg"
        );
        assert!(file_name_of(Path::new("/")).is_err());
    }
}
