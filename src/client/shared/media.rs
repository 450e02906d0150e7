//! The media library: upload (from a path, memory or a reader), attach, batch upload,
//! download (to memory or a file), list, get, update and delete.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use reqwest::Method;
use serde_json::{Value, json};

use super::Client;
use super::content::FCall;
use super::flavour::{self, maybe};
use crate::bulk::BulkOutcome;
use crate::client::common::{CallBody, EntryId, from_value};
use crate::documents::conflict;
use crate::error::{Error, MediaError, Result, UnexpectedReason};
use crate::media::{
    BatchCounter, BatchOptions, BatchReport, FileBody, FilePart, MediaUpdate, SNIFF_LEN,
    UploadOptions, UploadSpec, check_local_file, named_part, path_part,
};
use crate::models::EntryResponse;
use crate::models::MediaFile;
use crate::query::{DocumentStatus, FilterBuilder, Populate, PopulateField, StrapiQuery};
use crate::schema::AttributeType;
use crate::version::ApiVersion;

/// # Media: upload, list, update, delete
#[maybe]
impl Client {
    pub(crate) async fn multipart_form(
        &self,
        spec: &UploadSpec<flavour::UploadReader>,
    ) -> Result<flavour::Form> {
        let mut form = flavour::Form::new();
        for (name, value) in &spec.texts {
            form = form.text(*name, value.clone());
        }
        if let Some(file) = &spec.file {
            // Each attempt sends the body again: progress starts over with it.
            if let Some(t) = &file.tracker {
                t.restart();
            }
            let meter = file.meter();
            let part = match &file.body {
                FileBody::Path { path, len } => {
                    flavour::file_part(path, *len, meter).await.map_err(|e| {
                        // A file whose size changed since the check is not sent at all.
                        file.size_watch
                            .error(path, *len)
                            .unwrap_or_else(|| Error::io(path, e))
                    })?
                }
                FileBody::Bytes(data) => flavour::bytes_part(data.clone(), meter),
                FileBody::Reader { reader, len } => {
                    let taken = reader.lock().ok().and_then(|mut r| r.take());
                    let r = taken.ok_or_else(|| {
                        Error::InvalidInput("an upload reader can be sent only once".into())
                    })?;
                    flavour::reader_part(r, *len, meter)
                }
            };
            let part = part
                .file_name(file.file_name.clone())
                .mime_str(&file.mime)
                .map_err(|e| {
                    Error::InvalidInput(format!("invalid MIME type {:?}: {e}", file.mime))
                })?;
            form = form.part("files", part);
        }
        Ok(form)
    }

    /// Uploads a local file, streamed from disk, with metadata and an optional attachment.
    ///
    /// The file is checked first (exists, regular file, readable): a bad path is an
    /// [`Error::Media`] before any byte is sent. A file whose size changes before or during
    /// the upload fails with [`MediaError::SourceChanged`]; the request is aborted before
    /// its body is complete, so the server stores nothing.
    #[doc = example!(
        sync: r#"
use strapi_kit::UploadOptions;
let file = client
    .upload_file("hero.jpg", &UploadOptions::new().alternative_text("Our team"))?;
println!("{} at {}", file.id, file.url);
"#,
        async: r#"
use strapi_kit::UploadOptions;
let file = client
    .upload_file("hero.jpg", &UploadOptions::new().alternative_text("Our team"))
    .await?;
println!("{} at {}", file.id, file.url);
"#,
    )]
    pub async fn upload_file(
        &self,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<MediaFile> {
        let part = self.checked_path_part(path.as_ref(), options).await?;
        self.upload_part(part, options).await
    }

    /// The part for a local file, after every check that needs no request: exists, is a
    /// regular file, and passes the size and type limits of `options`.
    async fn checked_path_part(
        &self,
        path: &Path,
        options: &UploadOptions,
    ) -> Result<FilePart<flavour::UploadReader>> {
        let len = check_local_file(path, flavour::metadata(path).await)?;
        let part = path_part(path, len, options)?;
        if options.has_checks() {
            let head = flavour::read_head(path, SNIFF_LEN)
                .await
                .map_err(|e| Error::io(path, e))?;
            options
                .check_content(&part.file_name, len, &head)
                .map_err(|reason| Error::invalid_file(path, reason))?;
        }
        Ok(part)
    }

    /// Uploads bytes from memory under `file_name` (which also gives the MIME type, unless
    /// [`UploadOptions::mime`] is set).
    #[doc = example!(
        sync: r#"
use strapi_kit::UploadOptions;
let csv = "title\nHello\n".to_string();
let file = client
    .upload_bytes(csv.into_bytes(), "articles.csv", &UploadOptions::new().folder_path("/reports"))?;
"#,
        async: r#"
use strapi_kit::UploadOptions;
let csv = "title\nHello\n".to_string();
let file = client
    .upload_bytes(csv.into_bytes(), "articles.csv", &UploadOptions::new().folder_path("/reports"))
    .await?;
"#,
    )]
    pub async fn upload_bytes(
        &self,
        data: impl Into<Bytes>,
        file_name: &str,
        options: &UploadOptions,
    ) -> Result<MediaFile> {
        let data: Bytes = data.into();
        options
            .check_content(
                file_name,
                data.len() as u64,
                &data[..data.len().min(SNIFF_LEN)],
            )
            .map_err(|reason| Error::invalid_file(file_name, reason))?;
        let part = named_part(FileBody::Bytes(data), file_name, options)?;
        self.upload_part(part, options).await
    }

    /// Uploads `len` bytes from a reader under `file_name`. A reader cannot be replayed, so
    /// this upload is never retried.
    ///
    /// The reader must give exactly `len` bytes: one that gives more or ends early fails
    /// with [`MediaError::SourceChanged`], and the request is aborted before its body is
    /// complete, so the server stores nothing. With
    /// [`allowed_types`](UploadOptions::allowed_types) its first bytes are read before the
    /// request for the type check (and then sent with the rest).
    #[doc = example!(
        sync: r#"
use strapi_kit::UploadOptions;
let data = std::io::Cursor::new(vec![0u8; 4096]); // any `Read + Send`
let len = 4096;
let file = client.upload_reader(Box::new(data), len, "backup.bin", &UploadOptions::new())?;
"#,
        async: r#"
use strapi_kit::UploadOptions;
let data = std::io::Cursor::new(vec![0u8; 4096]); // any `AsyncRead + Send + Unpin`
let len = 4096;
let file = client
    .upload_reader(Box::new(data), len, "backup.bin", &UploadOptions::new())
    .await?;
"#,
    )]
    pub async fn upload_reader(
        &self,
        reader: flavour::UploadReader,
        len: u64,
        file_name: &str,
        options: &UploadOptions,
    ) -> Result<MediaFile> {
        let mut reader = reader;
        if options.checks_content() {
            // The first bytes are read for the type check and then sent ahead of the rest.
            let (head, rest) = flavour::peek(reader, SNIFF_LEN)
                .await
                .map_err(|e| Error::io(file_name, e))?;
            // A source that ended within `head` has a known length: check it now.
            let eof = head.len() < SNIFF_LEN;
            if (eof && head.len() as u64 != len) || head.len() as u64 > len {
                return Err(Error::Media(Box::new(MediaError::SourceChanged {
                    path: file_name.into(),
                    expected: len,
                    read: head.len() as u64,
                })));
            }
            options
                .check_content(file_name, len, &head)
                .map_err(|reason| Error::invalid_file(file_name, reason))?;
            reader = rest;
        } else {
            options
                .check_content(file_name, len, &[])
                .map_err(|reason| Error::invalid_file(file_name, reason))?;
        }
        let body = FileBody::Reader {
            reader: std::sync::Mutex::new(Some(reader)),
            len,
        };
        let part = named_part(body, file_name, options)?;
        self.upload_part(part, options).await
    }

    async fn upload_part(
        &self,
        part: FilePart<flavour::UploadReader>,
        options: &UploadOptions,
    ) -> Result<MediaFile> {
        // Everything about the attachment is checked before the upload, so a bad model,
        // field or entry costs no orphaned file.
        self.check_for_server(options).await?;
        let plan = match options.attachment()? {
            Some((uid, id, field)) => Some(self.plan_attachment(uid, id, field, options).await?),
            None => None,
        };
        let resolved = self.resolve_folder(options).await?;
        let options = resolved.as_ref().unwrap_or(options);
        let file = self.send_upload(part, options, plan.as_ref(), None).await?;
        if let Some(AttachPlan::ThroughEntry(target)) = &plan {
            if let Err(e) = self.attach_through_entry(target, &[file.id]).await {
                return Err(Error::Media(Box::new(MediaError::Attach {
                    file: Box::new(file),
                    source: Box::new(e),
                })));
            }
        }
        Ok(file)
    }

    /// `POST /api/upload` of one part (or `?id=` to replace a file's content).
    async fn send_upload(
        &self,
        mut part: FilePart<flavour::UploadReader>,
        options: &UploadOptions,
        plan: Option<&AttachPlan>,
        replace: Option<u64>,
    ) -> Result<MediaFile> {
        // Strapi 5 checks only the multipart file name, so a name it refuses is kept as
        // fileInfo.name; Strapi 4 checks the stored name too, so there it is stored with the
        // refused characters replaced.
        if part.stored_name.is_some() && self.detect_version().await? == ApiVersion::V4 {
            part.stored_name = None;
        }
        let native_ref = matches!(plan, Some(AttachPlan::Native));
        // The name Strapi stores, when the caller promised it is unique (see `unique_name`).
        let stored_name = options.unique_name.then(|| {
            options
                .name
                .clone()
                .or_else(|| part.stored_name.clone())
                .unwrap_or_else(|| part.file_name.clone())
        });
        let (source, expected, watch) =
            (part.source_path(), part.body.len(), part.size_watch.clone());
        let spec = UploadSpec::upload(part, options, native_ref);
        let query = replace.map(|id| format!("id={id}"));
        // Only the admin upload honours `fileInfo.folder`. Strapi 4's own attach (`ref`)
        // exists only in the content API: there the file is moved into its folder after.
        let into_folder = options.folder.filter(|_| replace.is_none());
        let mut call = match into_folder {
            Some(_) if !native_ref => {
                FCall::new(Method::POST, self.core.admin_url(&["upload"], None)).admin()
            }
            _ => FCall::new(
                Method::POST,
                self.core.api_url(&["upload"], query.as_deref()),
            ),
        };
        call.body = CallBody::Multipart(Arc::new(spec));
        // A source that changed size broke the body on purpose: say so, rather than report
        // the transport error the aborted request shows up as.
        let sent = match &stored_name {
            Some(name) => self.fetch_upload_once(&call, name).await,
            None => self.fetch(&call).await.map(Ok),
        };
        let file = match sent {
            Ok(Ok(got)) => self.decode_uploaded(got.status, &got.body)?,
            Ok(Err(earlier)) => earlier,
            Err(e) => return Err(watch.error(&source, expected).unwrap_or(e)),
        };
        match into_folder {
            Some(folder) if native_ref => match self.move_media(&[file.id], Some(folder)).await {
                Ok(()) => Ok(file),
                Err(e) => Err(Error::Media(Box::new(MediaError::Attach {
                    file: Box::new(file),
                    source: Box::new(e),
                }))),
            },
            _ => Ok(file),
        }
    }

    /// Sends an upload whose stored `name` is unique, retrying without duplicates: before
    /// each resend the name is looked up, and a file an earlier attempt stored is returned
    /// (`Ok(Err(file))`) instead of sending again.
    async fn fetch_upload_once(
        &self,
        call: &FCall,
        name: &str,
    ) -> Result<std::result::Result<super::transport::Fetched, MediaFile>> {
        let timeout = self.opts.timeout.unwrap_or(self.core.config.timeout());
        let mut retry = crate::client::common::LookupRetry::new(self.retry_policy(), timeout);
        let one_attempt = |left| {
            self.with_timeout(left)
                .with_retry(crate::config::RetryPolicy::none())
        };
        let lookup = StrapiQuery::new()
            .filter(FilterBuilder::new().eq("name", name))
            .offset(0, 1);
        loop {
            let err = match one_attempt(retry.left()).fetch(call).await {
                Ok(got) => return Ok(Ok(got)),
                Err(e) => e,
            };
            let Some(delay) = retry.after_failure(&self.core, call, &err) else {
                return Err(err);
            };
            flavour::sleep(delay).await;
            if err.may_have_applied() || err.is_server() {
                let found = one_attempt(retry.left()).list_media(&lookup).await?;
                if let Some(f) = found.into_iter().next() {
                    tracing::info!(
                        attempts = retry.attempts(),
                        "upload: an earlier attempt stored the file; not sending again"
                    );
                    return Ok(Err(f));
                }
            }
        }
    }

    /// Replaces the content of an existing file (`POST /api/upload?id={id}` with a new
    /// `files` part); metadata in `options` is updated too.
    ///
    /// Strapi keeps the file's `hash`, `ext` and URL on purpose (links keep working), so the
    /// new bytes are served under the old name; `mime`, `size` and `name` change.
    #[doc = example!(
        sync: r#"
use strapi_kit::UploadOptions;
let file = client
    .replace_media(42u64, "hero-v2.jpg", &UploadOptions::new())?;
"#,
        async: r#"
use strapi_kit::UploadOptions;
let file = client
    .replace_media(42u64, "hero-v2.jpg", &UploadOptions::new())
    .await?;
"#,
    )]
    pub async fn replace_media(
        &self,
        id: impl Into<EntryId>,
        path: impl AsRef<Path>,
        options: &UploadOptions,
    ) -> Result<MediaFile> {
        if options.attachment()?.is_some() {
            return Err(Error::InvalidInput(
                "replacing a file's content cannot attach it; attach separately".into(),
            ));
        }
        if options.wants_folder() {
            return Err(Error::InvalidInput(
                "replacing a file's content keeps its folder; move it with move_media".into(),
            ));
        }
        let part = self.checked_path_part(path.as_ref(), options).await?;
        self.check_for_server(options).await?;
        let numeric = self.media_numeric_id(id.into()).await?;
        self.send_upload(part, options, None, Some(numeric)).await
    }

    /// Uploads several files with the same options, four at a time, one request each
    /// (Strapi pairs several files of one request with their metadata by completion order,
    /// which swaps metadata now and then). Results are in input order.
    ///
    /// Every file is checked before the first upload starts. On a failure no new file is
    /// started and the error is [`MediaError::Batch`] with the first failing index and path
    /// and the files that were uploaded (not deleted). [`upload_batch`](Self::upload_batch)
    /// gives a report per file, other concurrency and rollback.
    #[doc = example!(
        sync: r#"
use strapi_kit::UploadOptions;
let files = client
    .upload_files(&["a.jpg", "b.jpg"], &UploadOptions::new())?;
println!("{} uploaded", files.len());
"#,
        async: r#"
use strapi_kit::UploadOptions;
let files = client
    .upload_files(&["a.jpg", "b.jpg"], &UploadOptions::new())
    .await?;
println!("{} uploaded", files.len());
"#,
    )]
    pub async fn upload_files<P: AsRef<Path>>(
        &self,
        paths: &[P],
        options: &UploadOptions,
    ) -> Result<Vec<MediaFile>> {
        self.upload_batch(paths, options, &BatchOptions::default())
            .await?
            .into_uploaded()
    }

    /// Uploads several files with bounded concurrency and reports per file.
    ///
    /// All files are checked (existence, size and type limits, attachment) before the first
    /// byte goes out; a bad file fails the whole call with nothing sent. Then up to
    /// `batch.concurrency` uploads run at once (async: on this task; blocking: on as many
    /// threads sharing the client). After a failure, with `stop_on_error`, no new file starts
    /// and those in flight finish; with `rollback`, the files this call uploaded are deleted
    /// again. An attachment is made once for the whole batch, after the uploads.
    #[doc = example!(
        sync: r#"
use strapi_kit::{BatchOptions, UploadOptions};
let report = client
    .upload_batch(
        &["a.jpg", "b.jpg", "c.jpg"],
        &UploadOptions::new().on_progress(|p| {
            eprintln!("{}/{:?} bytes", p.batch_bytes, p.batch_total)
        }),
        &BatchOptions::new().concurrency(8),
    )?;
for (index, path, error) in report.failures() {
    eprintln!("item {index} {}: {error}", path.display());
}
"#,
        async: r#"
use strapi_kit::{BatchOptions, UploadOptions};
let report = client
    .upload_batch(
        &["a.jpg", "b.jpg", "c.jpg"],
        &UploadOptions::new().on_progress(|p| {
            eprintln!("{}/{:?} bytes", p.batch_bytes, p.batch_total)
        }),
        &BatchOptions::new().concurrency(8),
    )
    .await?;
for (index, path, error) in report.failures() {
    eprintln!("item {index} {}: {error}", path.display());
}
"#,
    )]
    pub async fn upload_batch<P: AsRef<Path>>(
        &self,
        paths: &[P],
        options: &UploadOptions,
        batch: &BatchOptions,
    ) -> Result<BatchReport> {
        // Check everything first: nothing is sent for a batch with a bad file.
        let mut parts = Vec::with_capacity(paths.len());
        let mut total = 0u64;
        for path in paths {
            let part = self.checked_path_part(path.as_ref(), options).await?;
            if let FileBody::Path { len, .. } = &part.body {
                total += len;
            }
            parts.push(std::sync::Mutex::new(Some(part)));
        }
        self.check_for_server(options).await?;
        let plan = match options.attachment()? {
            Some((uid, id, field)) => {
                let plan = self.plan_attachment(uid, id, field, options).await?;
                if let AttachPlan::ThroughEntry(t) = &plan {
                    if !t.multiple && paths.len() > 1 {
                        return Err(Error::InvalidInput(format!(
                            "field {field:?} holds one file; cannot attach {} files to it",
                            paths.len()
                        )));
                    }
                }
                Some(plan)
            }
            None => None,
        };
        // One folder for the whole batch, created once.
        let resolved = self.resolve_folder(options).await?;
        let options = resolved.as_ref().unwrap_or(options);
        let counter = BatchCounter::new(Some(total));
        let stop = AtomicBool::new(false);
        let plan_ref = plan.as_ref();
        let results = flavour::bounded(batch.concurrency, parts.len(), &stop, |i| {
            let taken = parts[i].lock().ok().and_then(|mut p| p.take());
            let counter = &counter;
            let stop = &stop;
            async move {
                let part = taken
                    .ok_or_else(|| Error::InvalidInput("internal: batch part taken twice".into()))?
                    .in_batch(i, counter);
                let r = self.send_upload(part, options, plan_ref, None).await;
                if r.is_err() && batch.stop_on_error {
                    stop.store(true, Ordering::SeqCst);
                }
                r
            }
        })
        .await;
        let inputs = paths.iter().map(|p| p.as_ref().to_path_buf()).collect();
        let mut report = BatchReport::from_outcomes(inputs, results);
        let items = &mut report.items;
        let failed = items
            .iter()
            .any(|i| matches!(i.outcome, BulkOutcome::Failed(_)));
        if failed && batch.rollback {
            for item in items.iter_mut() {
                if let BulkOutcome::Done(f) = &item.outcome {
                    if self.delete_media(f.id).await.is_ok() {
                        let outcome = std::mem::replace(&mut item.outcome, BulkOutcome::Skipped);
                        if let BulkOutcome::Done(f) = outcome {
                            item.outcome = BulkOutcome::RolledBack(f);
                        }
                    }
                }
            }
        } else if let Some(AttachPlan::ThroughEntry(target)) = &plan {
            let ids: Vec<u64> = items
                .iter()
                .filter_map(|i| match &i.outcome {
                    BulkOutcome::Done(f) => Some(f.id),
                    _ => None,
                })
                .collect();
            if !ids.is_empty() {
                self.attach_through_entry(target, &ids).await?;
            }
        }
        Ok(report)
    }

    /// The options with the folder as an id: a `folder_path` is looked up, and created
    /// when missing. `None` when the options name no path.
    async fn resolve_folder(&self, options: &UploadOptions) -> Result<Option<UploadOptions>> {
        let Some(path) = &options.folder_path else {
            return Ok(None);
        };
        let folder = self.create_folder_all(path).await?;
        Ok(Some(options.clone().folder(folder.id)))
    }

    /// Refuses what the server cannot store, before anything is sent: a focal point on
    /// Strapi 4 (which has none and would drop it silently), a folder without admin
    /// credentials.
    async fn check_for_server(&self, options: &UploadOptions) -> Result<()> {
        if options.wants_folder() {
            self.require_admin("uploading into a folder")?;
        }
        self.check_focal_point_supported(options.focal_point.is_some())
            .await
    }

    async fn check_focal_point_supported(&self, wanted: bool) -> Result<()> {
        if wanted && self.detect_version().await? == ApiVersion::V4 {
            return Err(Error::InvalidInput(
                "Strapi 4 has no focal point (it would drop it silently); set one only on \
                 Strapi 5"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Checks an attachment and decides how to make it.
    ///
    /// Strapi 4's `refId` is the entry id and works. Strapi 5's is a row id: it attaches the
    /// file to one row (draft or published) and the next publish drops it, while a
    /// `documentId` there is a 500. So on v5 the field is set through the entry after the
    /// upload.
    async fn plan_attachment(
        &self,
        uid: &str,
        id: &EntryId,
        field: &str,
        options: &UploadOptions,
    ) -> Result<AttachPlan> {
        let version = self.detect_version().await?;
        let schema = match self.content_type_cached(uid).await {
            Ok(s) => s,
            // Without the content-type builder, v4 can still use Strapi's own mechanism.
            Err(e) if version == ApiVersion::V4 && (e.is_authorization() || e.is_not_found()) => {
                return Ok(AttachPlan::Native);
            }
            Err(e) => return Err(e),
        };
        let plural = schema.plural_name.clone();
        let Some(attr) = schema
            .attributes
            .get(field)
            .filter(|a| a.kind == AttributeType::Media)
        else {
            return Err(Error::InvalidInput(format!(
                "{uid} has no media field {field:?}"
            )));
        };
        let draft_and_publish = schema.draft_and_publish;
        if version == ApiVersion::V4 {
            // The entry must exist (Strapi 4 would upload and attach to nothing).
            let q = StrapiQuery::new()
                .fields(["id"])
                .status(DocumentStatus::Draft);
            self.get_one::<Value>(&plural, id, &q).await?;
            return Ok(AttachPlan::Native);
        }
        let document_id = self.resolve_document_id(&plural, id).await?;
        let mut target = EntryTarget {
            plural,
            document_id,
            field: field.to_owned(),
            multiple: attr.multiple,
            draft_and_publish,
            publish: false,
        };
        // The entry must exist (its draft, with draft & publish).
        let (draft, published) = self.draft_and_published(&target).await?;
        // Attaching never publishes the draft's other edits: the file goes into the draft,
        // and into the published version only when asked and the draft has no other edits.
        if options.attach_published && published.is_some() {
            target.publish = true;
            self.unmodified(&target, &draft, published.as_ref())?;
        }
        Ok(AttachPlan::ThroughEntry(target))
    }

    /// The `updatedAt` of the entry's draft (or only version, without draft & publish) and
    /// of its published version (`None`: never published). A missing entry is
    /// [`Error::NotFound`].
    async fn draft_and_published(&self, t: &EntryTarget) -> Result<(Value, Option<Value>)> {
        let q = StrapiQuery::new().fields(["updatedAt"]);
        if !t.draft_and_publish {
            let only: EntryResponse<Value> = self.get_one(&t.plural, &t.document_id, &q).await?;
            return Ok((only.data["updatedAt"].clone(), None));
        }
        let draft: EntryResponse<Value> = self
            .get_one(
                &t.plural,
                &t.document_id,
                &q.clone().status(DocumentStatus::Draft),
            )
            .await?;
        let published = match self
            .get_one::<Value>(
                &t.plural,
                &t.document_id,
                &q.status(DocumentStatus::Published),
            )
            .await
        {
            Ok(p) => Some(p.data["updatedAt"].clone()),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(e),
        };
        Ok((draft.data["updatedAt"].clone(), published))
    }

    /// Refuses to publish when the draft has edits that are not published: Strapi 5 can put
    /// the file into the published version only by publishing the whole draft. Unchanged
    /// since the last publish means the same `updatedAt` (Strapi's own "modified" test).
    async fn check_unmodified(&self, t: &EntryTarget) -> Result<()> {
        let (draft, published) = self.draft_and_published(t).await?;
        self.unmodified(t, &draft, published.as_ref())
    }

    fn unmodified(&self, t: &EntryTarget, draft: &Value, published: Option<&Value>) -> Result<()> {
        let url = self
            .core
            .api_url(&[&t.plural, t.document_id.as_str()], None);
        match published {
            Some(p) if p == draft && !p.is_null() => Ok(()),
            Some(_) => Err(conflict(
                "PUT",
                url.as_str(),
                format!(
                    "attach_published: the draft of {} {} has edits that are not published, \
                     and Strapi 5 can put the file into the published version only by \
                     publishing the whole draft; publish (or discard) those edits first, or \
                     attach to the draft only",
                    t.plural, t.document_id
                ),
            )),
            // Unpublished meanwhile: it stays a draft.
            None => Err(conflict(
                "PUT",
                url.as_str(),
                format!(
                    "attach_published: {} {} is no longer published; not publishing it",
                    t.plural, t.document_id
                ),
            )),
        }
    }

    /// Adds the files to the media field of the entry (to its other files, for a multiple
    /// field), then reads the field back: a concurrent write that removed them is answered
    /// by adding them again, a bounded number of times.
    async fn attach_through_entry(&self, t: &EntryTarget, file_ids: &[u64]) -> Result<()> {
        // `connect` adds on the server, so concurrent attaches do not overwrite each other
        // (a read-append-write of the list would: verified on 5.54).
        let value = if t.multiple {
            json!({ "connect": file_ids })
        } else {
            json!(file_ids.last())
        };
        let mut data = serde_json::Map::new();
        data.insert(t.field.clone(), value);
        let status = match (t.draft_and_publish, t.publish) {
            (false, _) => None,
            (true, false) => Some(DocumentStatus::Draft),
            (true, true) => Some(DocumentStatus::Published),
        };
        let field_ids = Populate::new().field_with(&t.field, PopulateField::new().fields(["id"]));
        let mut write = StrapiQuery::new()
            .fields(["id"])
            .populate_with(field_ids.clone());
        let mut read = StrapiQuery::new().fields(["id"]).populate_with(field_ids);
        if let Some(s) = status {
            write = write.status(s);
            read = read.status(s);
        }
        for _ in 0..ATTACH_ROUNDS {
            if t.publish {
                // The upload took time: the draft must still have no other edits.
                self.check_unmodified(t).await?;
            }
            let written: EntryResponse<Value> = self
                .update_with(&t.plural, &t.document_id, &data, &write)
                .await?;
            if !t.multiple {
                // One file: the last write wins, so what this write left is the answer.
                return match field_file_ids(&written.data, &t.field).last() {
                    Some(id) if Some(id) == file_ids.last() => Ok(()),
                    _ => Err(self.lost_attach(t, "the write did not set it")),
                };
            }
            let now: EntryResponse<Value> = self.get_one(&t.plural, &t.document_id, &read).await?;
            let held = field_file_ids(&now.data, &t.field);
            let missing: Vec<u64> = file_ids
                .iter()
                .copied()
                .filter(|id| !held.contains(id))
                .collect();
            if missing.is_empty() {
                return Ok(());
            }
            data.insert(t.field.clone(), json!({ "connect": missing }));
        }
        Err(self.lost_attach(
            t,
            &format!("concurrent writes removed it {ATTACH_ROUNDS} times"),
        ))
    }

    fn lost_attach(&self, t: &EntryTarget, why: &str) -> Error {
        let url = self
            .core
            .api_url(&[&t.plural, t.document_id.as_str()], None);
        conflict(
            "PUT",
            url.as_str(),
            format!(
                "the file is not in field {:?} of {} {}: {why}",
                t.field, t.plural, t.document_id
            ),
        )
    }

    /// A v5 `documentId` for `id` (a numeric id is looked up among drafts and published rows).
    async fn resolve_document_id(&self, plural: &str, id: &EntryId) -> Result<EntryId> {
        let s = id.checked()?;
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(id.clone());
        }
        for status in [DocumentStatus::Published, DocumentStatus::Draft] {
            let q = StrapiQuery::new()
                .filter(FilterBuilder::new().eq("id", s))
                .fields(["id"])
                .status(status);
            let found: crate::models::ListResponse<Value> = self.get_many(plural, &q).await?;
            if let Some(doc) = found
                .data
                .first()
                .and_then(|e| e.get("documentId"))
                .and_then(Value::as_str)
            {
                return Ok(EntryId::from(doc));
            }
        }
        Err(Error::InvalidInput(format!(
            "no {plural} entry has the id {s}"
        )))
    }

    fn decode_uploaded(&self, status: u16, body: &[u8]) -> Result<MediaFile> {
        let value = self.core.parse_body(status, body)?;
        let first = match value {
            Value::Array(mut items) if !items.is_empty() => items.swap_remove(0),
            Value::Object(_) => value,
            _ => {
                return Err(Error::unexpected(
                    status,
                    UnexpectedReason::Shape("no file in the upload response"),
                    body,
                ));
            }
        };
        from_value(first)
    }

    /// One file of the media library by numeric id (`GET /api/upload/files/{id}`). On
    /// Strapi 5 a `documentId` works too (looked up through the list endpoint, since the
    /// upload API itself only knows numeric ids).
    #[doc = example!(
        sync: r#"
let file = client.get_media(42u64)?;
println!("{} ({} bytes)", file.url, file.size);
"#,
        async: r#"
let file = client.get_media(42u64).await?;
println!("{} ({} bytes)", file.url, file.size);
"#,
    )]
    pub async fn get_media(&self, id: impl Into<EntryId>) -> Result<MediaFile> {
        let id = id.into();
        let s = id.checked()?;
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            self.check_media_document_id(s).await?;
            let q = StrapiQuery::new().filter(FilterBuilder::new().eq("documentId", s));
            let found = self.list_media(&q).await?;
            return found.into_iter().next().ok_or_else(|| {
                Error::from_api(crate::error::ApiError {
                    status: 404,
                    name: Some("NotFoundError".into()),
                    message: format!("no file has the documentId {s:?}"),
                    details: Value::Null,
                    field_errors: Vec::new(),
                    retry_after: None,
                    method: "GET".into(),
                    url: self.core.api_url(&["upload", "files"], None).to_string(),
                })
            });
        }
        let call = FCall::new(
            Method::GET,
            self.core.api_url(&["upload", "files", s], None),
        );
        let got = self.fetch(&call).await?;
        let value = self.core.parse_body(got.status, &got.body)?;
        from_value(value)
    }

    /// Lists files (`GET /api/upload/files`) with the content query builder: filters, sort,
    /// fields and pagination. Strapi ignores `pagination[…]` here, so the client sends the
    /// page as the top-level `start`/`limit` this endpoint reads.
    #[doc = example!(
        sync: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
let q = StrapiQuery::new().filter(FilterBuilder::new().eq("mime", "image/png"));
let pngs = client.list_media(&q)?;
"#,
        async: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
let q = StrapiQuery::new().filter(FilterBuilder::new().eq("mime", "image/png"));
let pngs = client.list_media(&q).await?;
"#,
    )]
    pub async fn list_media(&self, query: &StrapiQuery) -> Result<Vec<MediaFile>> {
        let version = self.version_for_media(query).await?;
        let qs = query.encode_for_upload_files(version)?;
        let call = FCall::new(
            Method::GET,
            self.core.api_url(&["upload", "files"], Some(&qs)),
        );
        let got = self.fetch(&call).await?;
        let value = self.core.parse_body(got.status, &got.body)?;
        if !value.is_array() {
            return Err(Error::unexpected(
                got.status,
                UnexpectedReason::Shape("the file list is not an array"),
                &got.body,
            ));
        }
        from_value(value)
    }

    async fn version_for_media(&self, query: &StrapiQuery) -> Result<ApiVersion> {
        match self.core.version() {
            Some(v) => Ok(v),
            None if query.needs_version() => self.detect_version().await,
            None => Ok(ApiVersion::V5),
        }
    }

    /// Changes a file's metadata (`POST /api/upload?id={id}` with `fileInfo`); fields not
    /// set in `change` keep their value.
    #[doc = example!(
        sync: r#"
use strapi_kit::MediaUpdate;
let file = client
    .update_media(42u64, &MediaUpdate::new().alternative_text("The team in 2026"))?;
"#,
        async: r#"
use strapi_kit::MediaUpdate;
let file = client
    .update_media(42u64, &MediaUpdate::new().alternative_text("The team in 2026"))
    .await?;
"#,
    )]
    pub async fn update_media(
        &self,
        id: impl Into<EntryId>,
        change: &MediaUpdate,
    ) -> Result<MediaFile> {
        change.check()?;
        if change.folder.is_some() {
            self.require_admin("moving a file into a folder")?;
        }
        self.check_focal_point_supported(change.focal_point.is_some())
            .await?;
        let numeric = self.media_numeric_id(id.into()).await?;
        let mut call = FCall::new(
            Method::POST,
            self.core
                .api_url(&["upload"], Some(&format!("id={numeric}"))),
        );
        call.body = CallBody::Multipart(Arc::new(UploadSpec::update(change)));
        let got = self.fetch(&call).await?;
        let file = self.decode_uploaded(got.status, &got.body)?;
        // The content API ignores `fileInfo.folder`: the admin API moves the file.
        if let Some(folder) = change.folder {
            self.move_media(&[file.id], Some(folder)).await?;
        }
        Ok(file)
    }

    /// Deletes a file (`DELETE /api/upload/files/{id}`) and returns what was deleted.
    ///
    /// `Ok(None)` when the file is gone but its record is not to be had: an attempt whose
    /// answer was lost deleted it, and the retry found nothing (a 404 after such an attempt
    /// is success, not [`Error::NotFound`]). An unknown id is still `NotFound`.
    #[doc = example!(
        sync: r#"
if let Some(gone) = client.delete_media(42u64)? {
    println!("deleted {}", gone.url);
}
"#,
        async: r#"
if let Some(gone) = client.delete_media(42u64).await? {
    println!("deleted {}", gone.url);
}
"#,
    )]
    pub async fn delete_media(&self, id: impl Into<EntryId>) -> Result<Option<MediaFile>> {
        let numeric = self.media_numeric_id(id.into()).await?;
        let call = FCall::new(
            Method::DELETE,
            self.core
                .api_url(&["upload", "files", &numeric.to_string()], None),
        );
        let got = self.fetch(&call).await?;
        if got.already_gone {
            return Ok(None);
        }
        self.decode_uploaded(got.status, &got.body).map(Some)
    }

    /// Strapi 4 files have numeric ids only: refuse anything else before sending it.
    async fn check_media_document_id(&self, s: &str) -> Result<()> {
        let version = match self.core.version() {
            Some(v) => v,
            None => self.detect_version().await?,
        };
        if version == ApiVersion::V4 {
            return Err(Error::InvalidInput(format!(
                "Strapi 4 media files have numeric ids, not {:?}",
                crate::error::clip(s)
            )));
        }
        Ok(())
    }

    async fn media_numeric_id(&self, id: EntryId) -> Result<u64> {
        let s = id.checked()?;
        match s.parse::<u64>() {
            Ok(n) => Ok(n),
            Err(_) => Ok(self.get_media(id.clone()).await?.id),
        }
    }
}

/// How an upload is attached to an entry.
enum AttachPlan {
    /// Strapi's own `ref`/`refId`/`field` parts (v4).
    Native,
    /// Set the field through the entry after the upload (v5).
    ThroughEntry(EntryTarget),
}

struct EntryTarget {
    plural: String,
    document_id: EntryId,
    field: String,
    multiple: bool,
    draft_and_publish: bool,
    /// Write the published version too (by publishing the unmodified draft).
    publish: bool,
}

/// How many times an attach is made again when a concurrent write removed the file.
const ATTACH_ROUNDS: usize = 3;

/// The ids of the files a populated media field holds (one object, a list, or null).
fn field_file_ids(entry: &Value, field: &str) -> Vec<u64> {
    match entry.get(field) {
        Some(Value::Array(files)) => files.iter().filter_map(|f| f.get("id")?.as_u64()).collect(),
        Some(file @ Value::Object(_)) => {
            file.get("id").and_then(Value::as_u64).into_iter().collect()
        }
        _ => Vec::new(),
    }
}
