//! The media library's non-I/O parts: upload options, the multipart layout (`files`,
//! `fileInfo`, `ref`/`refId`/`field`), MIME guessing and local-file checks.
//!
//! The I/O methods (`upload_file`, `download_file`, …) live on the clients.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::bulk::{BulkOutcome, BulkReport};
use crate::error::{Error, MediaError, Result};
use crate::ids::EntryId;
use crate::models::{FocalPoint, MediaFile};

/// A MIME type without its parameters (`text/plain; charset=utf-8` → `text/plain`).
fn essence(mime: &str) -> &str {
    mime.split(';').next().unwrap_or(mime).trim()
}

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
#[derive(Clone, Default)]
pub struct UploadOptions {
    pub(crate) alternative_text: Option<String>,
    pub(crate) caption: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) folder: Option<u64>,
    pub(crate) folder_path: Option<String>,
    pub(crate) focal_point: Option<FocalPoint>,
    pub(crate) reference: Option<String>,
    pub(crate) ref_id: Option<EntryId>,
    pub(crate) field: Option<String>,
    pub(crate) attach_published: bool,
    pub(crate) unique_name: bool,
    pub(crate) mime: Option<String>,
    pub(crate) max_size: Option<u64>,
    pub(crate) allowed_types: Vec<String>,
    pub(crate) progress: Option<ProgressFn>,
}

impl fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadOptions")
            .field("alternative_text", &self.alternative_text)
            .field("caption", &self.caption)
            .field("name", &self.name)
            .field("folder", &self.folder)
            .field("folder_path", &self.folder_path)
            .field("focal_point", &self.focal_point)
            .field("reference", &self.reference)
            .field("ref_id", &self.ref_id)
            .field("field", &self.field)
            .field("attach_published", &self.attach_published)
            .field("unique_name", &self.unique_name)
            .field("mime", &self.mime)
            .field("max_size", &self.max_size)
            .field("allowed_types", &self.allowed_types)
            .field("progress", &self.progress.as_ref().map(|_| "Fn(Progress)"))
            .finish()
    }
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
    /// Puts the file into the media-library folder with this id.
    ///
    /// Strapi's content API puts every upload into its "API Uploads" folder whatever it is
    /// asked, so a file for a folder goes through the admin upload API instead: this needs
    /// admin credentials ([`StrapiConfigBuilder::admin_token`] or
    /// [`admin_login`](crate::StrapiConfigBuilder::admin_login)); without them the upload
    /// fails with [`Error::AdminRequired`] before anything is sent. An unknown folder is
    /// refused by the server ([`Error::Validation`]). The last of `folder` and
    /// [`folder_path`](Self::folder_path) wins.
    ///
    /// [`StrapiConfigBuilder::admin_token`]: crate::StrapiConfigBuilder::admin_token
    pub fn folder(mut self, folder_id: u64) -> Self {
        self.folder = Some(folder_id);
        self.folder_path = None;
        self
    }
    /// Puts the file into the folder at this path of names (`"/gallery/2026"`), creating
    /// the folders that are missing (like `create_folder_all`). Needs admin credentials,
    /// like [`folder`](Self::folder); a path Strapi cannot hold is refused before sending.
    ///
    /// ```no_run
    /// # #[cfg(feature = "sync")]
    /// # fn demo(client: &strapi_kit::SyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::UploadOptions;
    /// let files = client.upload_files(
    ///     &["a.jpg", "b.jpg", "c.jpg"],
    ///     &UploadOptions::new().folder_path("/gallery/2026"),
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn folder_path(mut self, path: impl Into<String>) -> Self {
        self.folder_path = Some(path.into());
        self.folder = None;
        self
    }

    /// Whether the file goes into a folder (so through the admin API).
    pub(crate) fn wants_folder(&self) -> bool {
        self.folder.is_some() || self.folder_path.is_some()
    }
    /// The focal point of the image (`fileInfo.focalPoint`, Strapi 5). Strapi 4 has no focal
    /// point and would drop it silently, so there the upload is refused with
    /// [`Error::InvalidInput`] before anything is sent; so is a coordinate that is not a
    /// finite number.
    pub fn focal_point(mut self, point: FocalPoint) -> Self {
        self.focal_point = Some(point);
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
    /// publish drops); it adds the file through the entry instead (`connect` for a
    /// multiple-media field, which keeps its other files, also when other attaches run at
    /// the same time), then checks the field: `Ok` means the file is in it. When a
    /// concurrent write keeps removing it, the upload fails with [`MediaError::Attach`]
    /// holding an [`Error::Conflict`]. A single-media field is set to the file.
    ///
    /// On Strapi 5 with draft & publish, the file goes into the entry's **draft** only:
    /// attaching never publishes anything (a published version keeps its fields; the file
    /// is published with the next publish). See
    /// [`attach_published`](Self::attach_published) to put it into the published version
    /// too. Strapi 4 uses its own `refId` attach: the entry (draft or published, Strapi 4
    /// keeps one version) gets the file and nothing else changes.
    pub fn attach(
        self,
        model_uid: impl Into<String>,
        id: impl Into<EntryId>,
        field: impl Into<String>,
    ) -> Self {
        self.reference(model_uid).ref_id(id).field(field)
    }

    /// Promises that the stored name (the [`name`](Self::name), else the file's) is unique
    /// in the media library, so that the upload can be retried without ever storing the
    /// file twice: when an attempt's answer is lost (or the server fails), the client looks
    /// the name up before it sends again, and returns the file an earlier attempt stored.
    /// The client's retry policy decides when to try again; its timeout bounds the whole
    /// upload. A reader (`upload_reader`) cannot be sent twice, so it is not retried.
    ///
    /// Without this, an upload is never resent after its request went out (it could be
    /// stored twice); `RetryPolicy::retry_non_idempotent` resends it anyway and duplicates.
    pub fn unique_name(mut self, on: bool) -> Self {
        self.unique_name = on;
        self
    }
    /// With an attachment on Strapi 5 (draft & publish): puts the file into the entry's
    /// published version too, not only its draft. That is done by publishing the draft,
    /// so it is allowed only when the draft has no unpublished edits (its `updatedAt` is
    /// the published version's, Strapi's own test for "modified"): then the published
    /// version changes by the file alone. Otherwise the call fails with
    /// [`Error::Conflict`] before the upload (publish or discard the draft's edits first);
    /// a draft edit made in the instant between that check and the publish would be
    /// published with the file. An entry that was never published stays a draft.
    ///
    /// Strapi 4 keeps one version per entry, so there this changes nothing: a published
    /// entry shows the file at once, a draft stays a draft.
    pub fn attach_published(mut self, on: bool) -> Self {
        self.attach_published = on;
        self
    }
    /// The MIME type to send, instead of the one guessed from the file name.
    pub fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = Some(mime.into());
        self
    }

    /// Refuses files larger than `bytes`, before anything is sent.
    pub fn max_size(mut self, bytes: u64) -> Self {
        self.max_size = Some(bytes);
        self
    }

    /// Accepts only these MIME types (`image/png`) or families (`image/*`), checked before
    /// anything is sent, on the type from the file name (or [`mime`](Self::mime)) and on the
    /// file's first bytes, so that a renamed file is caught:
    ///
    /// - bytes of a recognised format (common image, video and audio formats, PDF, SVG) must
    ///   be of an allowed type: JPEG or PDF bytes named `.png` are refused under `image/png`;
    /// - a file whose name says it is of a recognised format must show that format's
    ///   signature (a text file named `notes.png` is refused). SVG, being text, must start
    ///   (after an XML declaration, comments and a doctype) with an `<svg` element.
    ///
    /// [`upload_reader`](crate::nonblocking::Client::upload_reader) peeks at the reader's
    /// first bytes for this and sends them with the rest.
    pub fn allowed_types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.allowed_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Calls `f` as the upload proceeds: bytes sent and total, for the file and the batch,
    /// at most every 64 KiB and 50 ms and once at the end of each file (see [`Progress`]).
    /// Called from the thread or task doing the upload; keep it cheap.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    /// use strapi_kit::UploadOptions;
    /// let sent = Arc::new(AtomicU64::new(0));
    /// let seen = sent.clone();
    /// let opts = UploadOptions::new().on_progress(move |p| seen.store(p.batch_bytes, Ordering::Relaxed));
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Whether size or type checks are configured (they need the file's first bytes).
    pub(crate) fn has_checks(&self) -> bool {
        self.max_size.is_some() || !self.allowed_types.is_empty()
    }

    /// Whether the type check looks at the content (then a reader's first bytes are peeked).
    pub(crate) fn checks_content(&self) -> bool {
        !self.allowed_types.is_empty()
    }

    /// Checks size and type; `head` is the start of the content ([`SNIFF_LEN`] bytes, or
    /// the whole content when shorter).
    pub(crate) fn check_content(&self, name: &str, len: u64, head: &[u8]) -> Result<(), String> {
        if let Some(max) = self.max_size {
            if len > max {
                return Err(format!("{len} bytes is more than the {max} allowed"));
            }
        }
        if self.allowed_types.is_empty() {
            return Ok(());
        }
        let by_name = self.mime.clone().unwrap_or_else(|| guess_mime(name));
        if !self.type_allowed(&by_name) {
            return Err(format!(
                "type {by_name} is not allowed (allowed: {})",
                self.allowed_types.join(", ")
            ));
        }
        match detect(head) {
            Some(found) => {
                if !found.names().any(|m| self.type_allowed(m)) {
                    return Err(format!(
                        "the content is {}, which is not allowed (the name says {by_name})",
                        found.mime
                    ));
                }
            }
            None => {
                // The name claims a format whose signature is known, and it is not there.
                let essence = essence(&by_name);
                if ALL
                    .iter()
                    .any(|s| s.names().any(|m| m.eq_ignore_ascii_case(essence)))
                {
                    return Err(format!(
                        "the content is not {essence}: its first bytes match no known format"
                    ));
                }
            }
        }
        Ok(())
    }

    fn type_allowed(&self, mime: &str) -> bool {
        let mime = essence(mime);
        self.allowed_types.iter().any(|pattern| {
            let pattern = pattern.trim();
            match pattern.strip_suffix("/*") {
                Some(family) => mime
                    .split_once('/')
                    .is_some_and(|(f, _)| f.eq_ignore_ascii_case(family)),
                None => pattern == "*/*" || pattern.eq_ignore_ascii_case(mime),
            }
        })
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
        check_focal_point(self.focal_point)?;
        if let Some(p) = &self.folder_path {
            crate::folders::split_path(p)?;
        }
        if self.attach_published && self.attachment()?.is_none() {
            return Err(Error::InvalidInput(
                "attach_published needs an attachment (attach)".into(),
            ));
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
    pub(crate) focal_point: Option<FocalPoint>,
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
    /// Moves the file into the folder with this id (through the admin API, after the
    /// metadata change): needs admin credentials, else [`Error::AdminRequired`] before
    /// anything is sent.
    pub fn folder(mut self, folder_id: u64) -> Self {
        self.folder = Some(folder_id);
        self
    }
    /// New focal point (Strapi 5; refused on Strapi 4, which has none, with
    /// [`Error::InvalidInput`] before anything is sent, as is a coordinate that is not a
    /// finite number). Other changes keep the focal point a file has.
    pub fn focal_point(mut self, point: FocalPoint) -> Self {
        self.focal_point = Some(point);
        self
    }
    /// The checks that need no request.
    pub(crate) fn check(&self) -> Result<()> {
        check_focal_point(self.focal_point)
    }
    pub(crate) fn file_info(&self) -> Option<String> {
        file_info(
            self.alternative_text.as_deref(),
            self.caption.as_deref(),
            self.name.as_deref(),
            self.folder,
            self.focal_point,
        )
    }
}

/// A focal point must be two finite numbers (JSON has no NaN or infinity).
fn check_focal_point(point: Option<FocalPoint>) -> Result<()> {
    match point {
        Some(p) if !(p.x.is_finite() && p.y.is_finite()) => Err(Error::InvalidInput(format!(
            "the focal point ({}, {}) is not two finite numbers",
            p.x, p.y
        ))),
        _ => Ok(()),
    }
}

fn file_info(
    alternative_text: Option<&str>,
    caption: Option<&str>,
    name: Option<&str>,
    folder: Option<u64>,
    focal_point: Option<FocalPoint>,
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
    if let Some(p) = focal_point {
        m.insert("focalPoint".into(), serde_json::json!({"x": p.x, "y": p.y}));
    }
    (!m.is_empty()).then(|| Value::Object(m).to_string())
}

/// How a batch upload runs.
///
/// ```
/// use strapi_kit::BatchOptions;
/// let opts = BatchOptions::new().concurrency(8).stop_on_error(false).rollback(true);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchOptions {
    pub(crate) concurrency: usize,
    pub(crate) stop_on_error: bool,
    pub(crate) rollback: bool,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            concurrency: 4,
            stop_on_error: true,
            rollback: false,
        }
    }
}

impl BatchOptions {
    /// Four uploads at a time, stop scheduling at the first failure, no rollback.
    pub fn new() -> Self {
        Self::default()
    }
    /// Uploads in flight at once (at least 1; default 4).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }
    /// Whether a failure stops the scheduling of further files (default on). Uploads in
    /// flight always finish.
    pub fn stop_on_error(mut self, on: bool) -> Self {
        self.stop_on_error = on;
        self
    }
    /// Whether a batch with a failure deletes the files it uploaded (default off).
    pub fn rollback(mut self, on: bool) -> Self {
        self.rollback = on;
        self
    }
}

/// The report of [`upload_batch`](crate::AsyncClient::upload_batch): the one per-item
/// report of the crate, with the file's path as input and the uploaded [`MediaFile`] as
/// answer. A file deleted again by [`BatchOptions::rollback`] is
/// [`BulkOutcome::RolledBack`].
///
/// ```
/// # fn show(report: strapi_kit::BatchReport) {
/// for file in report.done() {
///     println!("{} -> {}", file.name, file.url);
/// }
/// for (index, path, error) in report.failures() {
///     eprintln!("#{index} {}: {error}", path.display());
/// }
/// # }
/// ```
pub type BatchReport = BulkReport<PathBuf, MediaFile>;

impl BulkReport<PathBuf, MediaFile> {
    /// All files, or the first failure as [`MediaError::Batch`] (with the files uploaded
    /// around it, which are not deleted unless the batch rolled back).
    pub fn into_uploaded(self) -> Result<Vec<MediaFile>> {
        let mut uploaded = Vec::new();
        let mut first_failure = None;
        for item in self.items {
            match item.outcome {
                BulkOutcome::Done(f) => uploaded.push(f),
                BulkOutcome::Failed(e) if first_failure.is_none() => {
                    first_failure = Some((item.index, item.input, e));
                }
                _ => {}
            }
        }
        match first_failure {
            None => Ok(uploaded),
            Some((index, path, source)) => Err(Error::Media(Box::new(MediaError::Batch {
                index,
                path,
                uploaded,
                source: Box::new(source),
            }))),
        }
    }
}

/// Progress of an upload or download.
///
/// The callback is called at most once per 64 KiB and at most once per 50 ms (both must
/// have passed since the previous call, so a fast transfer makes about 20 calls a second
/// and a slow one a call per 64 KiB), and once more when a file of known size is complete,
/// with `bytes == total`. The rule is the same in both flavours, for uploads and
/// downloads. The calls of one transfer or batch never overlap, and `batch_bytes` never
/// decreases from one call to the next, even with uploads running in parallel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Position of the file in its batch (0 for a single transfer).
    pub index: usize,
    /// Bytes of this file transferred so far (back to 0 when a retry sends it again).
    pub bytes: u64,
    /// Size of this file, when known (file length, `Content-Length`).
    pub total: Option<u64>,
    /// Bytes of the whole batch transferred so far. It never decreases: a file sent again
    /// counts once, so during a retry it stays ahead of `bytes` until the retry catches up.
    /// For a single transfer it equals `bytes` otherwise.
    pub batch_bytes: u64,
    /// Size of the whole batch, when known.
    pub batch_total: Option<u64>,
}

/// A progress callback.
pub type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

/// Progress is reported at most once per this many bytes …
pub(crate) const PROGRESS_STEP: u64 = 64 * 1024;
/// … and at most once per this long (whichever allows the later call).
pub(crate) const PROGRESS_INTERVAL: Duration = Duration::from_millis(50);

/// Byte totals shared by the files of a batch.
#[derive(Debug)]
pub(crate) struct BatchCounter {
    total: Option<u64>,
    state: Mutex<BatchState>,
}

#[derive(Debug)]
struct BatchState {
    /// Bytes of the batch, each file counted up to the most it ever reached.
    done: u64,
    /// `done` and the time at the last call of the callback.
    reported: u64,
    reported_at: Instant,
}

impl BatchCounter {
    pub fn new(total: Option<u64>) -> Arc<Self> {
        Arc::new(BatchCounter {
            total,
            state: Mutex::new(BatchState {
                done: 0,
                reported: 0,
                reported_at: Instant::now(),
            }),
        })
    }
}

/// Counts the bytes of one transfer and reports them (see [`Progress`] for the cadence).
///
/// All counting and the call itself happen under the batch's lock: parallel transfers
/// can then neither report out of order nor call the callback at the same time.
pub(crate) struct Tracker {
    f: ProgressFn,
    index: usize,
    total: Option<u64>,
    file: Mutex<FileState>,
    batch: Arc<BatchCounter>,
}

#[derive(Default)]
struct FileState {
    /// Bytes of the current attempt.
    done: u64,
    /// The most any attempt reached: what this file adds to the batch.
    high: u64,
    /// Whether the call for the complete file was made (this attempt).
    finished: bool,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A callback that panicked poisons nothing that matters: the counts stay valid.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Tracker {
    pub fn new(
        f: ProgressFn,
        index: usize,
        total: Option<u64>,
        batch: Option<Arc<BatchCounter>>,
    ) -> Arc<Self> {
        Arc::new(Tracker {
            f,
            index,
            total,
            file: Mutex::new(FileState::default()),
            batch: batch.unwrap_or_else(|| BatchCounter::new(total)),
        })
    }

    /// `n` more bytes went through.
    pub fn add(&self, n: u64) {
        if n == 0 {
            return;
        }
        let mut batch = lock(&self.batch.state);
        let mut file = lock(&self.file);
        file.done += n;
        if file.done > file.high {
            batch.done += file.done - file.high;
            file.high = file.done;
        }
        let complete = self.total.is_some_and(|t| file.done >= t);
        if complete && !file.finished {
            file.finished = true;
            self.report(&mut batch, &file, Instant::now());
        } else if batch.done - batch.reported >= PROGRESS_STEP {
            let now = Instant::now();
            if now.duration_since(batch.reported_at) >= PROGRESS_INTERVAL {
                self.report(&mut batch, &file, now);
            }
        }
    }

    /// The source ended: reports the final count unless that was done already (a file of
    /// unknown size, an empty file).
    pub fn finish(&self) {
        let mut batch = lock(&self.batch.state);
        let mut file = lock(&self.file);
        if !file.finished {
            file.finished = true;
            self.report(&mut batch, &file, Instant::now());
        }
    }

    /// The transfer starts over (a retry, a download restarted without `Range`).
    pub fn restart(&self) {
        let _batch = lock(&self.batch.state);
        let mut file = lock(&self.file);
        file.done = 0;
        file.finished = false;
    }

    fn report(&self, batch: &mut BatchState, file: &FileState, now: Instant) {
        batch.reported = batch.done;
        batch.reported_at = now;
        (self.f)(Progress {
            index: self.index,
            bytes: file.done,
            total: self.total,
            batch_bytes: batch.done,
            batch_total: self.batch.total,
        });
    }
}

/// Bytes of a file's start read to tell its type (an SVG may open with a long XML prolog).
pub(crate) const SNIFF_LEN: usize = 4096;

/// A format recognised by its first bytes: the MIME type reported for it and the other
/// types the same bytes go by (an `.m4a` is an MP4 container, an `.ogv` an Ogg one).
struct Signature {
    mime: &'static str,
    also: &'static [&'static str],
}

impl Signature {
    fn names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.mime).chain(self.also.iter().copied())
    }
}

const fn sig(mime: &'static str, also: &'static [&'static str]) -> Signature {
    Signature { mime, also }
}

const PNG: Signature = sig("image/png", &["image/apng", "image/x-png"]);
const JPEG: Signature = sig("image/jpeg", &["image/pjpeg", "image/jpg"]);
const GIF: Signature = sig("image/gif", &[]);
const WEBP: Signature = sig("image/webp", &[]);
const BMP: Signature = sig("image/bmp", &["image/x-bmp", "image/x-ms-bmp"]);
const TIFF: Signature = sig("image/tiff", &[]);
const ICO: Signature = sig("image/x-icon", &["image/vnd.microsoft.icon"]);
const AVIF: Signature = sig("image/avif", &[]);
const HEIC: Signature = sig(
    "image/heic",
    &["image/heif", "image/heic-sequence", "image/heif-sequence"],
);
// Generic HEIF brands: the file may be HEIC or AVIF.
const HEIF: Signature = sig(
    "image/heif",
    &[
        "image/heic",
        "image/avif",
        "image/heif-sequence",
        "image/heic-sequence",
    ],
);
const JXL: Signature = sig("image/jxl", &[]);
const PSD: Signature = sig("image/vnd.adobe.photoshop", &[]);
const SVG: Signature = sig("image/svg+xml", &[]);
const PDF: Signature = sig("application/pdf", &[]);
const MP4: Signature = sig(
    "video/mp4",
    &[
        "video/x-m4v",
        "audio/mp4",
        "audio/m4a",
        "audio/x-m4a",
        "video/quicktime",
        "video/3gpp",
        "video/3gpp2",
        "audio/3gpp",
        "audio/3gpp2",
    ],
);
const M4A: Signature = sig("audio/mp4", &["audio/m4a", "audio/x-m4a", "video/mp4"]);
const QUICKTIME: Signature = sig("video/quicktime", &["video/mp4"]);
const GPP: Signature = sig(
    "video/3gpp",
    &["video/3gpp2", "audio/3gpp", "audio/3gpp2", "video/mp4"],
);
const WEBM: Signature = sig(
    "video/webm",
    &["video/x-matroska", "audio/webm", "audio/x-matroska"],
);
const AVI: Signature = sig("video/x-msvideo", &["video/avi", "video/msvideo"]);
const MPEG: Signature = sig("video/mpeg", &[]);
const FLV: Signature = sig("video/x-flv", &[]);
const ASF: Signature = sig("video/x-ms-asf", &["video/x-ms-wmv", "audio/x-ms-wma"]);
const WAV: Signature = sig(
    "audio/wav",
    &["audio/x-wav", "audio/wave", "audio/vnd.wave"],
);
const OGG: Signature = sig(
    "audio/ogg",
    &["video/ogg", "application/ogg", "audio/opus", "audio/vorbis"],
);
// An ID3 tag also opens AAC files.
const MP3: Signature = sig(
    "audio/mpeg",
    &["audio/mp3", "audio/mpeg3", "audio/x-mpeg", "audio/aac"],
);
const AAC: Signature = sig("audio/aac", &["audio/x-aac", "audio/aacp"]);
const FLAC: Signature = sig("audio/flac", &["audio/x-flac"]);
const MIDI: Signature = sig("audio/mid", &["audio/midi", "audio/x-midi"]);
const AIFF: Signature = sig("audio/aiff", &["audio/x-aiff"]);

/// Every recognised format, for the question "could this type be checked at all?".
const ALL: &[&Signature] = &[
    &PNG, &JPEG, &GIF, &WEBP, &BMP, &TIFF, &ICO, &AVIF, &HEIC, &HEIF, &JXL, &PSD, &SVG, &PDF, &MP4,
    &M4A, &QUICKTIME, &GPP, &WEBM, &AVI, &MPEG, &FLV, &ASF, &WAV, &OGG, &MP3, &AAC, &FLAC, &MIDI,
    &AIFF,
];

/// The image, video, audio or PDF format that `head` (a file's first bytes) shows.
fn detect(head: &[u8]) -> Option<&'static Signature> {
    let at = |off: usize, sig: &[u8]| head.get(off..off + sig.len()) == Some(sig);
    Some(if at(0, b"\x89PNG\r\n\x1a\n") {
        &PNG
    } else if at(0, &[0xFF, 0xD8, 0xFF]) {
        &JPEG
    } else if at(0, b"GIF87a") || at(0, b"GIF89a") {
        &GIF
    } else if at(0, b"RIFF") && at(8, b"WEBP") {
        &WEBP
    } else if at(0, b"RIFF") && at(8, b"WAVE") {
        &WAV
    } else if at(0, b"RIFF") && at(8, b"AVI ") {
        &AVI
    } else if at(0, b"BM") && head.len() > 14 {
        &BMP
    } else if at(0, b"II*\0") || at(0, b"MM\0*") {
        &TIFF
    } else if at(0, &[0, 0, 1, 0]) || at(0, &[0, 0, 2, 0]) {
        &ICO
    } else if at(0, &[0xFF, 0x0A]) || at(0, b"\0\0\0\x0CJXL \r\n\x87\n") {
        &JXL
    } else if at(0, b"8BPS") {
        &PSD
    } else if at(0, b"%PDF-") {
        &PDF
    } else if at(4, b"ftyp") {
        match head.get(8..12) {
            Some(b"avif") | Some(b"avis") => &AVIF,
            Some(b"heic") | Some(b"heix") | Some(b"hevc") | Some(b"hevx") | Some(b"heim")
            | Some(b"heis") => &HEIC,
            Some(b"mif1") | Some(b"msf1") => &HEIF,
            Some(b"qt  ") => &QUICKTIME,
            Some(b"M4A ") | Some(b"M4B ") | Some(b"M4P ") => &M4A,
            Some([b'3', b'g', ..]) => &GPP,
            _ => &MP4,
        }
    } else if at(0, &[0x1A, 0x45, 0xDF, 0xA3]) {
        &WEBM
    } else if at(0, &[0, 0, 1, 0xBA]) || at(0, &[0, 0, 1, 0xB3]) {
        &MPEG
    } else if at(0, b"FLV\x01") {
        &FLV
    } else if at(0, &[0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) {
        &ASF
    } else if at(0, b"OggS") {
        &OGG
    } else if at(0, b"fLaC") {
        &FLAC
    } else if at(0, b"MThd") {
        &MIDI
    } else if at(0, b"FORM") && (at(8, b"AIFF") || at(8, b"AIFC")) {
        &AIFF
    } else if at(0, b"ID3") {
        &MP3
    } else if let Some(&[0xFF, b1, ..]) = head.get(..2) {
        // An MPEG audio frame: 11 sync bits, then version and layer. Layer I is left out,
        // so that the UTF-16 byte-order mark FF FE is not taken for audio.
        match (b1 & 0xE0 == 0xE0, (b1 >> 1) & 3) {
            (true, 1 | 2) => &MP3,
            (true, 0) if b1 & 0xF6 == 0xF0 => &AAC,
            _ => return None,
        }
    } else if looks_like_svg(head) {
        &SVG
    } else {
        return None;
    })
}

/// Whether the text starts, after a byte-order mark, an XML declaration, comments and a
/// doctype, with an `<svg` element.
fn looks_like_svg(head: &[u8]) -> bool {
    let mut rest = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    loop {
        rest = rest.trim_ascii_start();
        let skip = if rest.starts_with(b"<?") {
            find(rest, b"?>").map(|i| i + 2)
        } else if rest.starts_with(b"<!--") {
            find(rest, b"-->").map(|i| i + 3)
        } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!doctype") {
            // An internal subset (`[ <!ENTITY …> ]`) holds `>` of its own.
            let close = find(rest, b">");
            match find(rest, b"[") {
                Some(open) if close.is_some_and(|c| open < c) => find(&rest[open..], b"]")
                    .and_then(|i| find(&rest[open + i..], b">").map(|j| open + i + j + 1)),
                _ => close.map(|i| i + 1),
            }
        } else {
            break;
        };
        match skip {
            Some(n) => rest = &rest[n..],
            None => return false,
        }
    }
    let tag = rest
        .strip_prefix(b"<svg:svg")
        .or_else(|| rest.strip_prefix(b"<svg"));
    tag.is_some_and(|after| {
        after
            .first()
            .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
    })
}

/// Identifies common image, video, audio and PDF formats (and SVG and ZIP) by their first
/// bytes.
pub fn sniff_mime(head: &[u8]) -> Option<&'static str> {
    match detect(head) {
        Some(s) => Some(s.mime),
        None if head.starts_with(b"PK\x03\x04") => Some("application/zip"),
        None => None,
    }
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
///
/// Time bounds, like curl's: the client's [`timeout`](crate::StrapiConfig::timeout) bounds
/// only the wait for the response headers; once the body flows, a download is bounded by
/// [`idle_timeout`](Self::idle_timeout) (default 30 s), [`low_speed`](Self::low_speed)
/// (default: slower than 1 KiB/s for 30 s) and [`deadline`](Self::deadline) (default none,
/// so that a large download never fails for being large). Both flavours measure them
/// the same way.
#[derive(Clone)]
pub struct DownloadOptions {
    pub(crate) send_token: SendToken,
    pub(crate) progress: Option<ProgressFn>,
    pub(crate) max_resumes: u32,
    pub(crate) durable: bool,
    pub(crate) idle_timeout: Duration,
    pub(crate) low_speed: Option<(u64, Duration)>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) max_bytes: u64,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        DownloadOptions {
            send_token: SendToken::default(),
            progress: None,
            max_resumes: 5,
            durable: false,
            idle_timeout: Duration::from_secs(30),
            low_speed: Some((1024, Duration::from_secs(30))),
            deadline: None,
            max_bytes: 256 << 20,
        }
    }
}

impl fmt::Debug for DownloadOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DownloadOptions")
            .field("send_token", &self.send_token)
            .field("progress", &self.progress.as_ref().map(|_| "Fn(Progress)"))
            .field("max_resumes", &self.max_resumes)
            .field("durable", &self.durable)
            .field("idle_timeout", &self.idle_timeout)
            .field("low_speed", &self.low_speed)
            .field("deadline", &self.deadline)
            .field("max_bytes", &self.max_bytes)
            .finish()
    }
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

    /// Calls `f` as bytes arrive (total from `Content-Length`, when the server sends it),
    /// at most every 64 KiB and 50 ms, and at the end when the size is known (see
    /// [`Progress`]).
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Flushes a download to disk (`fsync`) before renaming it into place, so that even a
    /// power cut cannot leave a partial file under the final name. Off by default (like
    /// curl and wget); the rename alone already guarantees that a failed download leaves
    /// nothing behind.
    pub fn durable(mut self, on: bool) -> Self {
        self.durable = on;
        self
    }

    /// How often a download to a file may resume after the connection breaks or stalls
    /// (past [`idle_timeout`](Self::idle_timeout) or [`low_speed`](Self::low_speed)). It
    /// resumes with a `Range` request guarded by `If-Range` when the server supports ranges
    /// and names the version it sends (a strong `ETag`, or `Last-Modified`), and starts over
    /// otherwise, so two versions of a file are never mixed. Default 5; 0 turns resuming
    /// off.
    pub fn max_resumes(mut self, n: u32) -> Self {
        self.max_resumes = n;
        self
    }

    /// Fails (or, for a download to a file, resumes) when no byte of the body arrives for
    /// `d`. Default 30 s. Zero is refused by the download calls as invalid input.
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Treats the body as stalled when fewer than `bytes_per_sec` bytes per second arrive
    /// over a period of `period` (curl's `--speed-limit` and `--speed-time`); a stall is
    /// handled like [`idle_timeout`](Self::idle_timeout). Default: 1024 B/s over 30 s, so
    /// that a server trickling bytes cannot hold a download forever.
    pub fn low_speed(mut self, bytes_per_sec: u64, period: Duration) -> Self {
        self.low_speed = Some((bytes_per_sec, period));
        self
    }

    /// Turns the [`low_speed`](Self::low_speed) limit off.
    pub fn no_low_speed(mut self) -> Self {
        self.low_speed = None;
        self
    }

    /// Fails the whole download (resumes included) with [`Error::Timeout`] once `d` has
    /// passed since its first request. Default none: a legitimate large download must not
    /// fail because it is large.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = Some(d);
        self
    }

    /// The most bytes a download into memory (`download_file`, `download_file_with`) keeps;
    /// a larger body fails with [`Error::UnexpectedResponse`] and
    /// [`UnexpectedReason::TooLarge`](crate::UnexpectedReason::TooLarge), as soon as
    /// `Content-Length` announces it or the bytes received pass it. Default 256 MiB. Downloads to a file are not bounded by it
    /// (their memory stays flat).
    pub fn max_bytes(mut self, n: u64) -> Self {
        self.max_bytes = n;
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

impl<R> FileBody<R> {
    /// The announced length.
    pub fn len(&self) -> u64 {
        match self {
            FileBody::Path { len, .. } | FileBody::Reader { len, .. } => *len,
            FileBody::Bytes(b) => b.len() as u64,
        }
    }
}

/// The `files` part: its body, the file name and MIME type of its header, and the name
/// Strapi should store when the header's name had to be made acceptable to Strapi.
pub(crate) struct FilePart<R> {
    pub body: FileBody<R>,
    pub file_name: String,
    pub mime: String,
    pub stored_name: Option<String>,
    pub tracker: Option<Arc<Tracker>>,
    /// Where the body stream records that the source gave more or fewer bytes than
    /// announced (the upload then fails with [`MediaError::SourceChanged`]).
    pub size_watch: Arc<SizeWatch>,
}

/// The size difference a body stream found, shared with the upload that turns the broken
/// request into [`MediaError::SourceChanged`].
#[derive(Debug, Default)]
pub(crate) struct SizeWatch {
    /// Bytes read from the source when the difference showed.
    found: Mutex<Option<u64>>,
}

impl SizeWatch {
    /// A new attempt starts: what an earlier one found no longer counts.
    pub fn reset(&self) {
        *lock(&self.found) = None;
    }

    fn record(&self, read: u64) {
        *lock(&self.found) = Some(read);
    }

    /// The error for a size difference, if one was found.
    pub fn error(&self, path: &Path, expected: u64) -> Option<Error> {
        let read = (*lock(&self.found))?;
        Some(Error::Media(Box::new(MediaError::SourceChanged {
            path: path.to_owned(),
            expected,
            read,
        })))
    }
}

/// Meters the bytes of a file part as the body stream reads them from the source: counts
/// progress, and fails the stream as soon as the source gives more bytes than announced
/// or ends early. Failing the stream aborts the request before the last bytes and the
/// closing boundary go out, so the server never sees a complete body.
pub(crate) struct PartMeter {
    expected: u64,
    seen: u64,
    tracker: Option<Arc<Tracker>>,
    watch: Arc<SizeWatch>,
}

impl PartMeter {
    pub fn new(expected: u64, tracker: Option<Arc<Tracker>>, watch: Arc<SizeWatch>) -> Self {
        PartMeter {
            expected,
            seen: 0,
            tracker,
            watch,
        }
    }

    /// `n` bytes were read from the source; an error when that is more than announced.
    pub fn read(&mut self, n: usize) -> std::io::Result<()> {
        let seen = self.seen + n as u64;
        if seen > self.expected {
            return Err(self.fail(seen));
        }
        self.seen = seen;
        if let Some(t) = &self.tracker {
            t.add(n as u64);
        }
        Ok(())
    }

    /// The source ended; an error when that is before the announced length.
    pub fn end(&mut self) -> std::io::Result<()> {
        if self.seen < self.expected {
            return Err(self.fail(self.seen));
        }
        if let Some(t) = &self.tracker {
            t.finish();
        }
        Ok(())
    }

    /// Checks the size of a file as opened for sending (it may have changed since it was
    /// checked); an error when it differs, so that nothing is sent.
    pub fn check_opened(&mut self, actual: u64) -> std::io::Result<()> {
        if actual != self.expected {
            return Err(self.fail(actual));
        }
        Ok(())
    }

    fn fail(&self, read: u64) -> std::io::Error {
        self.watch.record(read);
        let what = if read > self.expected {
            format!("more than the {} bytes announced", self.expected)
        } else {
            format!("{read} of the {} bytes announced", self.expected)
        };
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the upload source changed size: it gave {what}"),
        )
    }
}

impl<R> FilePart<R> {
    /// The path or file name, for messages.
    pub fn source_path(&self) -> PathBuf {
        match &self.body {
            FileBody::Path { path, .. } => path.clone(),
            _ => PathBuf::from(&self.file_name),
        }
    }

    /// A meter for one attempt at sending this part's body.
    pub fn meter(&self) -> PartMeter {
        self.size_watch.reset();
        PartMeter::new(
            self.body.len(),
            self.tracker.clone(),
            self.size_watch.clone(),
        )
    }

    /// Reports this part's progress as file `index` of a batch.
    pub fn in_batch(mut self, index: usize, batch: &Arc<BatchCounter>) -> Self {
        if let Some(t) = &self.tracker {
            self.tracker = Some(Tracker::new(
                t.f.clone(),
                index,
                t.total,
                Some(batch.clone()),
            ));
        }
        self
    }

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
        let len = body.len();
        let tracker = options
            .progress
            .clone()
            .map(|f| Tracker::new(f, 0, Some(len), None));
        Ok(FilePart {
            body,
            file_name,
            mime,
            stored_name,
            tracker,
            size_watch: Arc::default(),
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
            options.focal_point,
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
            [("fileInfo", r#"{"name":"a\"b:c.txt"}"#.to_owned())]
        );
        assert!(path_part::<()>(Path::new("/"), 1, &o).is_err());
        assert!(named_part::<()>(FileBody::Bytes(Bytes::new()), " ", &o).is_err());
        assert!(named_part::<()>(FileBody::Bytes(Bytes::new()), &"x".repeat(300), &o).is_err());
    }

    #[test]
    fn focal_point_goes_into_file_info() {
        let p = FocalPoint::new(12.5, 80.0);
        let o = UploadOptions::new().caption("c").focal_point(p);
        let part = named_part::<()>(FileBody::Bytes(Bytes::new()), "a.png", &o).unwrap();
        let spec = UploadSpec::upload(part, &o, false);
        assert_eq!(
            spec.texts,
            [(
                "fileInfo",
                r#"{"caption":"c","focalPoint":{"x":12.5,"y":80.0}}"#.to_owned()
            )]
        );
        let update = UploadSpec::<()>::update(&MediaUpdate::new().focal_point(p));
        assert_eq!(
            update.texts,
            [(
                "fileInfo",
                r#"{"focalPoint":{"x":12.5,"y":80.0}}"#.to_owned()
            )]
        );
        let nan = UploadOptions::new().focal_point(FocalPoint::new(f64::NAN, 0.0));
        assert!(named_part::<()>(FileBody::Bytes(Bytes::new()), "a.png", &nan).is_err());
        assert!(
            MediaUpdate::new()
                .focal_point(FocalPoint::new(0.0, f64::INFINITY))
                .check()
                .is_err()
        );
        // attach_published belongs to an attachment.
        let alone = UploadOptions::new().attach_published(true);
        assert!(named_part::<()>(FileBody::Bytes(Bytes::new()), "a.png", &alone).is_err());
    }

    #[test]
    fn content_must_match_the_claimed_format() {
        let png = UploadOptions::new().allowed_types(["image/png"]);
        let png_head = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert!(png.check_content("a.png", 100, png_head).is_ok());
        // A renamed text file: nothing PNG about its bytes.
        let err = png
            .check_content("notes.png", 10, b"just notes")
            .unwrap_err();
        assert!(err.contains("not image/png"), "{err}");
        assert!(png.check_content("empty.png", 0, b"").is_err());
        // Bytes of another known format that is not allowed.
        let err = png
            .check_content("a.png", 9, b"\xFF\xD8\xFF\xE0xxxx")
            .unwrap_err();
        assert!(err.contains("image/jpeg"), "{err}");
        let err = png.check_content("a.png", 9, b"%PDF-1.7 x").unwrap_err();
        assert!(err.contains("application/pdf"), "{err}");
        // `mime` is the claim when set.
        let claimed = png.clone().mime("image/png");
        assert!(claimed.check_content("notes", 4, b"text").is_err());
        // A JPEG under a family that allows it keeps passing, whatever its name says.
        let images = UploadOptions::new().allowed_types(["image/*"]);
        assert!(
            images
                .check_content("a.png", 9, b"\xFF\xD8\xFF\xE0xxxx")
                .is_ok()
        );
        // Formats without a known signature are checked by name only.
        assert!(images.check_content("a.ppm", 4, b"P6 1").is_ok());
        let text = UploadOptions::new().allowed_types(["text/plain"]);
        assert!(text.check_content("a.txt", 4, b"text").is_ok());
        // A UTF-16 text file is not MPEG audio.
        assert!(text.check_content("a.txt", 4, b"\xFF\xFEa\0").is_ok());
        // ZIP-based documents are not taken for something else.
        let docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        let docs = UploadOptions::new().allowed_types([docx]);
        assert!(docs.check_content("a.docx", 9, b"PK\x03\x04xxxxx").is_ok());
        // Containers go by several names.
        let ogv = UploadOptions::new().allowed_types(["video/ogg"]);
        assert!(ogv.check_content("a.ogv", 9, b"OggS\0\x02xxx").is_ok());
        let m4a = UploadOptions::new().allowed_types(["audio/m4a"]);
        assert!(
            m4a.check_content("a.m4a", 12, b"\0\0\0\x20ftypM4A ")
                .is_ok()
        );
        assert!(m4a.check_content("a.m4a", 12, b"not audio at all").is_err());
    }

    #[test]
    fn svg_is_recognised_as_text() {
        let svg = UploadOptions::new().allowed_types(["image/svg+xml"]);
        let plain = b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert!(svg.check_content("a.svg", 9, plain).is_ok());
        let prolog = b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- Generator: x > y -->\n\
            <!DOCTYPE svg PUBLIC \"-//W3C//DTD SVG 1.1//EN\" \"svg11.dtd\" [\n\
            <!ENTITY ns \"http://ns\">\n]>\n<svg version=\"1.1\">";
        assert!(svg.check_content("a.svg", 9, prolog).is_ok());
        assert_eq!(sniff_mime(prolog), Some("image/svg+xml"));
        assert!(svg.check_content("a.svg", 9, b"not a drawing").is_err());
        assert!(
            svg.check_content("a.svg", 9, b"<?xml version=\"1.0\"?><feed>")
                .is_err()
        );
        // An HTML page with an inline drawing is not an SVG file.
        let html = b"<!DOCTYPE html><html><body><svg></svg>";
        assert_eq!(sniff_mime(html), None);
        // SVG bytes under a PNG name are caught.
        let png = UploadOptions::new().allowed_types(["image/png"]);
        let err = png.check_content("a.png", 9, plain).unwrap_err();
        assert!(err.contains("image/svg+xml"), "{err}");
    }

    fn recorder() -> (ProgressFn, Arc<Mutex<Vec<Progress>>>) {
        let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let sink = seen.clone();
        (Arc::new(move |p| sink.lock().unwrap().push(p)), seen)
    }

    #[test]
    fn progress_is_throttled_by_bytes_and_time_and_ends_with_the_total() {
        let (f, seen) = recorder();
        let started = Instant::now();
        let total = 900 * 1024;
        let t = Tracker::new(f, 0, Some(total), None);
        for _ in 0..total / 8192 {
            t.add(8192);
        }
        t.add(total % 8192);
        t.finish();
        let calls = seen.lock().unwrap().clone();
        let windows = (started.elapsed().as_millis() / 50) as usize;
        assert!(calls.len() <= windows + 1, "{} calls", calls.len());
        let last = calls.last().unwrap();
        assert_eq!((last.bytes, last.batch_bytes), (total, total));

        // Once 50 ms and 64 KiB have passed, the next bytes are reported.
        let (f, seen) = recorder();
        let t = Tracker::new(f, 0, Some(1 << 20), None);
        t.add(1000);
        std::thread::sleep(PROGRESS_INTERVAL + Duration::from_millis(10));
        t.add(PROGRESS_STEP);
        assert!(!seen.lock().unwrap().is_empty());
        // An empty transfer still reports its end.
        let (f, seen) = recorder();
        Tracker::new(f, 0, Some(0), None).finish();
        assert_eq!(seen.lock().unwrap().len(), 1);
    }

    #[test]
    fn batch_progress_never_goes_back() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (record, seen) = recorder();
        let inside = Arc::new(AtomicBool::new(false));
        let f: ProgressFn = Arc::new(move |p| {
            assert!(!inside.swap(true, Ordering::SeqCst), "calls overlap");
            record(p);
            std::thread::yield_now();
            inside.store(false, Ordering::SeqCst);
        });
        let per_file = 2u64 << 20;
        let batch = BatchCounter::new(Some(8 * per_file));
        std::thread::scope(|s| {
            for i in 0..8 {
                let t = Tracker::new(f.clone(), i, Some(per_file), Some(batch.clone()));
                s.spawn(move || {
                    for _ in 0..per_file / 4096 {
                        t.add(4096);
                        if i == 3 {
                            std::thread::yield_now();
                        }
                    }
                });
            }
        });
        let calls = seen.lock().unwrap().clone();
        assert!(
            calls
                .windows(2)
                .all(|w| w[0].batch_bytes <= w[1].batch_bytes)
        );
        assert_eq!(calls.last().unwrap().batch_bytes, 8 * per_file);

        // A retry sends the file again: its bytes start over, the batch does not go back.
        let (f, seen) = recorder();
        let t = Tracker::new(f, 0, Some(10), None);
        t.add(10);
        t.restart();
        t.add(4);
        t.add(6);
        let calls = seen.lock().unwrap().clone();
        let got: Vec<_> = calls.iter().map(|p| (p.bytes, p.batch_bytes)).collect();
        assert_eq!(got, [(10, 10), (10, 10)]);
    }

    #[test]
    fn part_meter_fails_on_a_size_change() {
        let watch = Arc::new(SizeWatch::default());
        let mut m = PartMeter::new(10, None, watch.clone());
        m.read(6).unwrap();
        m.read(4).unwrap();
        m.end().unwrap();
        assert!(watch.error(Path::new("a"), 10).is_none());
        let mut m = PartMeter::new(10, None, watch.clone());
        m.read(8).unwrap();
        assert!(m.read(8).is_err());
        let err = watch.error(Path::new("a"), 10).unwrap();
        assert!(matches!(
            &err,
            Error::Media(m) if matches!(**m, MediaError::SourceChanged { expected: 10, read: 16, .. })
        ));
        assert!(err.to_string().contains("more than the 10 bytes"), "{err}");
        watch.reset();
        let mut m = PartMeter::new(10, None, watch.clone());
        m.read(3).unwrap();
        assert!(m.end().is_err());
        let err = watch.error(Path::new("a"), 10).unwrap();
        assert!(err.to_string().contains("ended after 3 of the 10"), "{err}");
    }
}
