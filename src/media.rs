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

/// Where the bytes of the `files` part come from.
pub(crate) enum FileBody<R> {
    /// A local file, reopened for each attempt and streamed.
    Path { path: PathBuf, len: u64 },
    /// Bytes in memory.
    Bytes(Bytes),
    /// A reader of known length; it can be sent only once.
    Reader { reader: Mutex<Option<R>>, len: u64 },
}

/// The `files` part: its body, the file name and MIME type of its header, and the name
/// Strapi should store when the header's name had to be made acceptable to Strapi.
pub(crate) struct FilePart<R> {
    pub body: FileBody<R>,
    pub file_name: String,
    pub mime: String,
    pub stored_name: Option<String>,
}

impl<R> FilePart<R> {
    /// Describes a part named `name`. Strapi refuses multipart file names with
    /// `< > : " / \ | ? *` or control characters ("File name contains invalid characters"),
    /// so such a name is sent with those characters replaced and kept intact as
    /// `fileInfo.name`: the stored name is the one the caller gave.
    fn new(body: FileBody<R>, name: &str, options: &UploadOptions) -> Result<Self> {
        let name = name.trim();
        if name.is_empty() || name == "." || name == ".." {
            return Err(Error::InvalidInput(format!("{name:?} is not a file name")));
        }
        if name.len() > 255 {
            return Err(Error::InvalidInput(format!(
                "the file name {name:?} is longer than the 255 bytes Strapi accepts"
            )));
        }
        let file_name = strapi_safe_file_name(name);
        let stored_name = (file_name != name && options.name.is_none()).then(|| name.to_owned());
        let mime = options.mime.clone().unwrap_or_else(|| guess_mime(name));
        Ok(FilePart {
            body,
            file_name,
            mime,
            stored_name,
        })
    }
}

/// The multipart body of `POST /api/upload`, described without I/O.
pub(crate) struct UploadSpec<R> {
    /// Text parts in order: `ref`, `refId`, `field`, `fileInfo`.
    pub texts: Vec<(&'static str, String)>,
    pub file: Option<FilePart<R>>,
}

impl<R> UploadSpec<R> {
    pub fn replayable(&self) -> bool {
        !matches!(
            self.file,
            Some(FilePart {
                body: FileBody::Reader { .. },
                ..
            })
        )
    }

    /// An upload of `file` with `options`; `native_ref` sends Strapi's own
    /// `ref`/`refId`/`field` parts (v4), otherwise the client attaches afterwards.
    pub fn upload(file: FilePart<R>, options: &UploadOptions, native_ref: bool) -> Self {
        let mut texts = Vec::new();
        if native_ref {
            if let Ok(Some((r, id, f))) = options.attachment() {
                texts.push(("ref", r.to_owned()));
                texts.push(("refId", id.as_str().to_owned()));
                texts.push(("field", f.to_owned()));
            }
        }
        let info = file_info(
            options.alternative_text.as_deref(),
            options.caption.as_deref(),
            options.name.as_deref().or(file.stored_name.as_deref()),
            options.folder,
        );
        if let Some(info) = info {
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

/// A multipart file name Strapi accepts: its reserved characters replaced by `_`.
pub(crate) fn strapi_safe_file_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
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

/// The `files` part for a local path whose length is known.
pub(crate) fn path_part<R>(path: &Path, len: u64, options: &UploadOptions) -> Result<FilePart<R>> {
    options.check()?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::invalid_file(path, "the path has no file name"))?
        .to_string_lossy();
    FilePart::new(
        FileBody::Path {
            path: path.to_owned(),
            len,
        },
        &name,
        options,
    )
}

/// The `files` part for bytes or a reader named `file_name`.
pub(crate) fn named_part<R>(
    body: FileBody<R>,
    file_name: &str,
    options: &UploadOptions,
) -> Result<FilePart<R>> {
    options.check()?;
    FilePart::new(body, file_name, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_info_has_only_set_fields() {
        let o = UploadOptions::new().alternative_text("alt").folder(3);
        let part = named_part::<()>(FileBody::Bytes(Bytes::new()), "a.txt", &o).unwrap();
        assert_eq!(
            UploadSpec::upload(part, &o, false).texts,
            [(
                "fileInfo",
                r#"{"alternativeText":"alt","folder":3}"#.to_owned()
            )]
        );
        let o = UploadOptions::new();
        let part = named_part::<()>(FileBody::Bytes(Bytes::new()), "a.txt", &o).unwrap();
        assert!(UploadSpec::upload(part, &o, false).texts.is_empty());
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
        let part = named_part::<()>(FileBody::Bytes(Bytes::new()), "a", &o).unwrap();
        let spec = UploadSpec::upload(part, &o, true);
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
        let o = UploadOptions::new();
        let p = path_part::<()>(Path::new("/tmp/été photo.jpg"), 1, &o).unwrap();
        assert_eq!(
            (p.file_name.as_str(), p.stored_name),
            ("été photo.jpg", None)
        );
        assert_eq!(p.mime, "image/jpeg");
        let q = named_part::<()>(FileBody::Bytes(Bytes::new()), "a\"b:c.txt", &o).unwrap();
        assert_eq!(q.file_name, "a_b_c.txt");
        assert_eq!(q.stored_name.as_deref(), Some("a\"b:c.txt"));
        let spec = UploadSpec::upload(q, &o, false);
        assert_eq!(
            spec.texts,
            [("fileInfo", r#"{"name":"a\\"b:c.txt"}"#.to_owned())]
        );
        assert!(path_part::<()>(Path::new("/"), 1, &o).is_err());
        assert!(named_part::<()>(FileBody::Bytes(Bytes::new()), " ", &o).is_err());
        assert!(named_part::<()>(FileBody::Bytes(Bytes::new()), &"x".repeat(300), &o).is_err());
    }
}
