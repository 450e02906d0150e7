//! Export and import of a whole Strapi over its REST API (`crate::transfer` has the format,
//! the journal and the planning).
//!
//! Files are written with `std::fs`: lines are small and appended as pages arrive, and the
//! journal must be on disk (in the page cache) before the next request goes out.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::Client;
use super::flavour::maybe;
use crate::config::AdminAuth;
use crate::documents::now_iso8601;
use crate::error::{Error, Result};
use crate::ids::EntryId;
use crate::models::EntryResponse;
use crate::query::{DocumentStatus, FilterBuilder, StrapiQuery};
use crate::schema::{AttributeType, Component, ContentType, ContentTypeKind};
use crate::transfer::format::{
    Checksum, FORMAT_VERSION, FileEntry, Manifest, MediaRecord, Record, RecordStatus, RelRef,
    TypeEntry, component_json, content_type_json, entries_path,
};
use crate::transfer::plan::{check_schema, component_links, components_used, order_types};
use crate::transfer::state::{ImportState, StateEvent};
use crate::transfer::{
    ConflictPolicy, ExportOptions, ExportReport, ImportOptions, ImportReport, Phase,
    TransferProgress, TransferProgressFn, TypeCounts,
};
use crate::version::ApiVersion;

/// A JSONL file being written: counted and checksummed as it goes.
struct Lines {
    path: PathBuf,
    rel: String,
    out: BufWriter<File>,
    sum: Checksum,
    records: u64,
}

impl Lines {
    fn create(dir: &Path, rel: &str) -> Result<Lines> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
        Ok(Lines {
            out: BufWriter::new(file),
            path,
            rel: rel.to_owned(),
            sum: Checksum::default(),
            records: 0,
        })
    }

    fn push<T: serde::Serialize>(&mut self, item: &T) -> Result<()> {
        let mut line = serde_json::to_vec(item)
            .map_err(|e| Error::InvalidInput(format!("a record cannot be written: {e}")))?;
        line.push(b'\n');
        self.sum.update(&line);
        self.records += 1;
        self.out
            .write_all(&line)
            .map_err(|e| Error::io(&self.path, e))
    }

    fn finish(mut self) -> Result<FileEntry> {
        self.out.flush().map_err(|e| Error::io(&self.path, e))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(FileEntry::new(self.rel, self.records, self.sum.hex()))
    }
}

/// Writes `bytes` to `path` atomically (a temp file renamed over it).
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let mut f = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(&tmp, e))?;
    f.sync_all().map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// The export's own journal: finished parts, so that a rerun skips them.
const EXPORT_JOURNAL: &str = "export-progress.jsonl";

fn read_export_journal(dir: &Path) -> Result<HashMap<String, FileEntry>> {
    let path = dir.join(EXPORT_JOURNAL);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashMap::new()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    // A torn last line (a crash while writing it) is a part to redo; it is cut off so that
    // the next line starts on a line of its own.
    let valid = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if valid < bytes.len() {
        let f = OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        f.set_len(valid as u64).map_err(|e| Error::io(&path, e))?;
    }
    let mut done = HashMap::new();
    for line in bytes.split(|&b| b == b'\n') {
        if let Ok(v) = serde_json::from_slice::<Value>(line) {
            if let (Some(part), Some(file)) = (v.get("part").and_then(Value::as_str), v.get("file"))
            {
                if let Ok(file) = serde_json::from_value::<FileEntry>(file.clone()) {
                    done.insert(part.to_owned(), file);
                }
            }
        }
    }
    Ok(done)
}

fn append_line(path: &Path, line: &str) -> Result<()> {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    // One write per line: a crash leaves whole lines and at most one torn last line.
    f.write_all(line.as_bytes()).map_err(|e| Error::io(path, e))
}

fn report(
    progress: &Option<TransferProgressFn>,
    phase: Phase,
    uid: Option<&str>,
    done: u64,
    total: Option<u64>,
) {
    if let Some(f) = progress {
        f(&TransferProgress {
            phase,
            uid: uid.map(str::to_owned),
            done,
            total,
        });
    }
}

/// Reads a JSONL file of the export, one item at a time.
fn read_lines<T: serde::de::DeserializeOwned>(
    dir: &Path,
    rel: &str,
) -> Result<impl Iterator<Item = Result<T>>> {
    let path = dir.join(rel);
    let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
    let rel = rel.to_owned();
    Ok(BufReader::new(file)
        .lines()
        .enumerate()
        .map(move |(n, line)| {
            let line = line.map_err(|e| Error::io(&path, e))?;
            serde_json::from_str(&line).map_err(|e| {
                Error::InvalidInput(format!(
                    "{rel} line {}: not a record of this format: {e}",
                    n + 1
                ))
            })
        }))
}

fn checksum_file(path: &Path) -> Result<(u64, String)> {
    let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut sum = Checksum::default();
    let mut lines = 0;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
        sum.update(&buf[..n]);
    }
    Ok((lines, sum.hex()))
}

fn doc_key(uid: &str, doc: &str) -> String {
    format!("doc|{uid}|{doc}")
}

fn entry_key(key: &str) -> String {
    format!("e|{key}")
}

/// The fields an import may look an entry up by: unique scalars (conflicts), or every
/// plain scalar (finding an entry created just before a crash).
fn lookup_fields(
    ct: &ContentType,
    data: &Map<String, Value>,
    unique_only: bool,
) -> Vec<(String, Value)> {
    ct.attributes
        .iter()
        .filter(|(_, a)| {
            let plain = matches!(
                a.kind,
                AttributeType::String
                    | AttributeType::Email
                    | AttributeType::Uid
                    | AttributeType::Integer
                    | AttributeType::Boolean
                    | AttributeType::Enumeration
            );
            plain && (!unique_only || a.unique || a.kind == AttributeType::Uid)
        })
        .filter_map(|(name, _)| {
            let v = data.get(name)?;
            (v.is_string() || v.is_number() || v.is_boolean()).then(|| (name.clone(), v.clone()))
        })
        .take(6)
        .collect()
}

/// What an import knows while it runs.
struct Run<'a> {
    dir: &'a Path,
    opts: &'a ImportOptions,
    state: ImportState,
    journal: Option<PathBuf>,
    types: BTreeMap<String, ContentType>,
    /// Strapi 4 sources: (uid, entry id) → (doc, locale), from the records.
    v4_ids: HashMap<(String, u64), (String, Option<String>)>,
    /// Keys seen with a published record (dry runs cannot ask the journal).
    published_keys: HashSet<String>,
    report: ImportReport,
    /// Fields already warned about.
    warned: HashSet<String>,
}

impl Run<'_> {
    fn record(&mut self, event: StateEvent) -> Result<()> {
        if let Some(j) = &self.journal {
            append_line(j, &event.line())?;
        }
        self.state.apply(event);
        Ok(())
    }

    fn map(&mut self, k: String, v: String) -> Result<()> {
        self.record(StateEvent::Map { k, v })
    }

    fn resolve(&self, target_uid: &str, r: &RelRef) -> Option<Value> {
        let target = self.types.get(target_uid)?;
        let (doc, locale) = match (&r.doc, r.id) {
            (Some(doc), _) => (doc.clone(), r.locale.clone()),
            (None, Some(id)) => self.v4_ids.get(&(target_uid.to_owned(), id))?.clone(),
            _ => return None,
        };
        let new = self.state.map.get(&doc_key(target_uid, &doc))?;
        match locale.filter(|_| target.localized) {
            Some(l) => Some(json!({"documentId": new, "locale": l})),
            None => Some(json!(new)),
        }
    }

    /// The record's data with its media (new ids) and, when asked, its relations.
    fn payload(&mut self, ct: &ContentType, rec: &Record, with_rels: bool) -> Map<String, Value> {
        let mut data = rec.data.clone();
        for (field, ids) in &rec.media {
            let new: Vec<Value> = ids
                .iter()
                .filter_map(|id| self.state.map.get(&format!("m|{id}")))
                .filter_map(|v| v.parse::<u64>().ok())
                .map(Value::from)
                .collect();
            let multiple = ct.attributes.get(field).is_some_and(|a| a.multiple);
            let v = if multiple {
                Value::Array(new)
            } else {
                new.into_iter().next().unwrap_or(Value::Null)
            };
            data.insert(field.clone(), v);
        }
        if with_rels {
            data.extend(self.relations(ct, rec));
        }
        data
    }

    fn relations(&mut self, ct: &ContentType, rec: &Record) -> Map<String, Value> {
        let mut out = Map::new();
        for (field, refs) in &rec.rels {
            let Some(target) = ct.attributes.get(field).and_then(|a| a.target.clone()) else {
                continue;
            };
            if !self.types.contains_key(&target) {
                // A type that is not in the export: the field is left as the target has it.
                if self.warned.insert(format!("{}.{field}", ct.uid)) {
                    self.report.warnings.push(format!(
                        "{}.{field} points at {target}, which is not in the export: not written",
                        ct.uid
                    ));
                }
                continue;
            }
            let mut set = Vec::new();
            for r in refs {
                match self.resolve(&target, r) {
                    Some(v) => set.push(v),
                    None => self.report.warnings.push(format!(
                        "{} {} ({}): a link in {field} to {target} points at an entry that is not in the export; dropped",
                        ct.uid,
                        rec.doc,
                        rec.locale.as_deref().unwrap_or("-")
                    )),
                }
            }
            out.insert(field.clone(), json!({"set": set}));
        }
        out
    }
}

fn version_query(ct: &ContentType, locale: Option<&str>, status: RecordStatus) -> StrapiQuery {
    let mut q = StrapiQuery::new();
    if let Some(l) = locale {
        q = q.locale(l);
    }
    if ct.draft_and_publish {
        q = q.status(match status {
            RecordStatus::Published => DocumentStatus::Published,
            RecordStatus::Draft => DocumentStatus::Draft,
        });
    }
    // No `fields` here: on Strapi 5.54 a publish with `fields` loses the unidirectional
    // relations other published entries have to the one published (verified).
    q
}

/// # Export and import
#[maybe]
impl Client {
    /// Exports content types, media and the schema into `dir` (see
    /// [`crate::transfer`] and [`format`](mod@crate::transfer::format) for the layout).
    ///
    /// Every locale, draft and published versions, components and dynamic zones;
    /// relations as references; media metadata and, with
    /// [`include_files`](ExportOptions::include_files), the files; the folders when the
    /// client has admin credentials. Records are written as pages arrive, so memory
    /// stays flat. An interrupted export resumes when run again into the same directory
    /// (finished parts are kept); a directory holding a finished export is refused.
    #[doc = example!(
        sync: r#"
use strapi_kit::transfer::ExportOptions;
let report = client.export(&ExportOptions::new().include_files(true), "backup")?;
println!("{} media, {:?}", report.media, report.types);
"#,
        async: r#"
use strapi_kit::transfer::ExportOptions;
let report = client
    .export(&ExportOptions::new().include_files(true), "backup")
    .await?;
println!("{} media, {:?}", report.media, report.types);
"#,
    )]
    pub async fn export(
        &self,
        options: &ExportOptions,
        dir: impl AsRef<Path>,
    ) -> Result<ExportReport> {
        let dir = dir.as_ref();
        for name in &options.types {
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'-' | b'_'))
            {
                return Err(Error::InvalidInput(format!(
                    "{name:?} is not a content type uid or route"
                )));
            }
        }
        if dir.join("manifest.json").exists() {
            return Err(Error::InvalidInput(format!(
                "{} already holds a finished export; export into a new directory",
                dir.display()
            )));
        }
        let progress = &options.progress;
        report(progress, Phase::Schema, None, 0, None);
        let version = self.detect_version().await?;
        let all = self.content_types().await?;
        let mut chosen: Vec<ContentType> = Vec::new();
        if options.types.is_empty() {
            chosen.extend(all.iter().filter(|c| c.is_api()).cloned());
        } else {
            for name in &options.types {
                match all.iter().find(|c| &c.uid == name || c.route() == name) {
                    Some(c) => chosen.push(c.clone()),
                    None => {
                        return Err(Error::InvalidInput(format!(
                            "the server has no content type {name:?}"
                        )));
                    }
                }
            }
        }
        let order = order_types(&chosen);
        chosen.sort_by_key(|c| order.iter().position(|u| u == &c.uid));
        let all_components = self.components().await?;
        let used = components_used(&chosen, &all_components);
        let components: Vec<Component> = all_components
            .into_iter()
            .filter(|c| used.contains(&c.uid))
            .collect();

        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let journal_path = dir.join(EXPORT_JOURNAL);
        let done = read_export_journal(dir)?;
        let mut out = ExportReport {
            dir: dir.to_owned(),
            server_version: version.to_string(),
            ..ExportReport::default()
        };
        for link in component_links(&components) {
            out.warnings
                .push(format!("{link}: links inside components are not exported"));
        }
        let finish_part = |part: &str, file: &FileEntry| -> Result<()> {
            let line = json!({"part": part, "file": file}).to_string() + "\n";
            append_line(&journal_path, &line)
        };

        // The schema.
        let schema = json!({
            "contentTypes": chosen.iter().map(content_type_json).collect::<Vec<_>>(),
            "components": components.iter().map(component_json).collect::<Vec<_>>(),
        });
        let schema_bytes = serde_json::to_vec_pretty(&schema)
            .map_err(|e| Error::InvalidInput(format!("the schema cannot be written: {e}")))?;
        write_atomic(&dir.join("schema.json"), &schema_bytes)?;
        let schema_entry = FileEntry::new("schema.json", 0, Checksum::of(&schema_bytes));

        let localized = chosen.iter().any(|c| c.localized);
        let (locales, default_locale) = if localized {
            let l = self.locales().await?;
            let default = l.iter().find(|x| x.is_default).map(|x| x.code.clone());
            (l.into_iter().map(|x| x.code).collect::<Vec<_>>(), default)
        } else {
            (Vec::new(), None)
        };

        // With admin credentials: the folders, and which folder each file is in (the
        // content API does not say), so an import can put the files back.
        let has_admin = !matches!(self.core.config.admin_auth(), AdminAuth::None);
        let folders = if has_admin {
            Some(self.list_folders().await?)
        } else {
            None
        };

        // Media first: entries only point at them.
        report(progress, Phase::Media, None, 0, None);
        let media_entry = match done.get("media") {
            Some(f) => {
                out.resumed_parts += 1;
                f.clone()
            }
            None => {
                let mut folder_of: HashMap<u64, String> = HashMap::new();
                for f in folders.iter().flatten() {
                    if f.files == Some(0) {
                        continue;
                    }
                    for m in self.folder_media(Some(f.id)).await? {
                        folder_of.insert(m.id, f.path.clone());
                    }
                }
                let mut lines = Lines::create(dir, "media.jsonl")?;
                let page = 100u64;
                let mut start = 0u64;
                loop {
                    let q = StrapiQuery::new().offset(start, page).sort_asc("id");
                    let files = self.list_media(&q).await?;
                    for f in &files {
                        lines.push(&MediaRecord {
                            id: f.id,
                            name: f.name.clone(),
                            hash: f.hash.clone(),
                            ext: f.ext.clone().unwrap_or_default(),
                            mime: f.mime.clone(),
                            size: f.size,
                            url: f.url.clone(),
                            alternative_text: f.alternative_text.clone(),
                            caption: f.caption.clone(),
                            folder_path: folder_of.get(&f.id).cloned(),
                        })?;
                    }
                    report(progress, Phase::Media, None, lines.records, None);
                    if (files.len() as u64) < page {
                        break;
                    }
                    start += page;
                }
                let f = lines.finish()?;
                finish_part("media", &f)?;
                f
            }
        };
        out.media = media_entry.records;
        if options.files {
            let files_dir = dir.join("files");
            fs::create_dir_all(&files_dir).map_err(|e| Error::io(&files_dir, e))?;
            let mut n = 0;
            for m in read_lines::<MediaRecord>(dir, &media_entry.path)? {
                let m = m?;
                let target = files_dir.join(m.file_name()?);
                n += 1;
                if !target.exists() {
                    // Atomic (a part file renamed at the end): an existing file is whole.
                    self.download_file_to(&m.url, &target).await?;
                    out.files_downloaded += 1;
                }
                report(progress, Phase::Media, None, n, Some(media_entry.records));
            }
        }
        let folders_entry = if let Some(folders) = &folders {
            out.folders = Some(folders.len() as u64);
            let list: Vec<Value> = folders
                .iter()
                .map(|f| json!({"id": f.id, "name": f.name, "path": f.path, "parent": f.parent}))
                .collect();
            let bytes = serde_json::to_vec_pretty(&list)
                .map_err(|e| Error::InvalidInput(format!("the folders cannot be written: {e}")))?;
            write_atomic(&dir.join("folders.json"), &bytes)?;
            Some(FileEntry::new(
                "folders.json",
                list.len() as u64,
                Checksum::of(&bytes),
            ))
        } else {
            None
        };

        // Entries, type by type.
        let mut types = Vec::new();
        for ct in &chosen {
            report(progress, Phase::Entries, Some(&ct.uid), 0, None);
            let pub_path = entries_path(&ct.uid, false);
            let draft_path = entries_path(&ct.uid, true);
            let (published, drafts) = match (
                done.get(&format!("published:{}", ct.uid)),
                done.get(&format!("drafts:{}", ct.uid)),
            ) {
                (Some(p), Some(d)) => {
                    out.resumed_parts += 2;
                    (p.clone(), d.clone())
                }
                (p, _) => {
                    let (p, d) = self
                        .export_type(
                            ct,
                            version,
                            &locales,
                            dir,
                            &pub_path,
                            &draft_path,
                            p,
                            progress,
                        )
                        .await?;
                    if done.contains_key(&format!("published:{}", ct.uid)) {
                        out.resumed_parts += 1;
                    }
                    finish_part(&format!("published:{}", ct.uid), &p)?;
                    finish_part(&format!("drafts:{}", ct.uid), &d)?;
                    (p, d)
                }
            };
            out.types.push(TypeCounts {
                uid: ct.uid.clone(),
                published: published.records,
                drafts: drafts.records,
            });
            types.push(TypeEntry {
                uid: ct.uid.clone(),
                route: ct.route().to_owned(),
                single: ct.kind == ContentTypeKind::Single,
                published,
                drafts,
            });
        }

        let manifest = Manifest {
            format: FORMAT_VERSION,
            tool: format!("strapi-kit {}", env!("CARGO_PKG_VERSION")),
            server_version: version.to_string(),
            source: self.core.config.base_url().as_str().to_owned(),
            exported_at: now_iso8601(),
            locales,
            default_locale,
            types,
            schema: schema_entry,
            media: media_entry,
            folders: folders_entry,
            files_included: options.files,
        };
        let bytes = serde_json::to_vec_pretty(&manifest)
            .map_err(|e| Error::InvalidInput(format!("the manifest cannot be written: {e}")))?;
        write_atomic(&dir.join("manifest.json"), &bytes)?;
        Ok(out)
    }

    /// One type's records. Strapi 5: the published versions, then the drafts that differ
    /// from them (an unmodified draft is its published version). Strapi 4: one read of
    /// every entry, each to the file of its state. `published` is a finished published
    /// file of an earlier run (Strapi 5), read back for the comparison.
    #[allow(clippy::too_many_arguments, clippy::while_let_on_iterator)]
    async fn export_type(
        &self,
        ct: &ContentType,
        version: ApiVersion,
        locales: &[String],
        dir: &Path,
        pub_path: &str,
        draft_path: &str,
        published: Option<&FileEntry>,
        progress: &Option<TransferProgressFn>,
    ) -> Result<(FileEntry, FileEntry)> {
        let single = ct.kind == ContentTypeKind::Single;
        let mut base = StrapiQuery::new().populate_all();
        if ct.localized && !single {
            base = base.all_locales();
        }
        let mut count = 0u64;
        match version {
            ApiVersion::V4 => {
                let mut p = Lines::create(dir, pub_path)?;
                let mut d = Lines::create(dir, draft_path)?;
                let q = if ct.draft_and_publish {
                    base.status(DocumentStatus::Draft)
                } else {
                    base
                };
                let entries = self.read_type(ct, locales, &q).await?;
                for e in entries {
                    let rec = Record::from_entry(&e, ct, version, RecordStatus::Published)?;
                    match rec.status {
                        RecordStatus::Published => p.push(&rec)?,
                        RecordStatus::Draft => d.push(&rec)?,
                    }
                    count += 1;
                    report(progress, Phase::Entries, Some(&ct.uid), count, None);
                }
                Ok((p.finish()?, d.finish()?))
            }
            ApiVersion::V5 => {
                let mut hashes: HashMap<String, String> = HashMap::new();
                let pub_entry = match published {
                    Some(f) => {
                        for rec in read_lines::<Record>(dir, &f.path)? {
                            let rec = rec?;
                            hashes.insert(rec.key(&ct.uid), rec.content_hash());
                        }
                        f.clone()
                    }
                    None => {
                        let mut p = Lines::create(dir, pub_path)?;
                        let q = if ct.draft_and_publish {
                            base.clone().status(DocumentStatus::Published)
                        } else {
                            base.clone()
                        };
                        if single {
                            for e in self.read_type(ct, locales, &q).await? {
                                let rec =
                                    Record::from_entry(&e, ct, version, RecordStatus::Published)?;
                                hashes.insert(rec.key(&ct.uid), rec.content_hash());
                                p.push(&rec)?;
                            }
                        } else {
                            let mut all =
                                self.get_all_iter::<Value>(ct.route(), &q.paginate(1, 100))?;
                            while let Some(e) = all.next().await {
                                let rec =
                                    Record::from_entry(&e?, ct, version, RecordStatus::Published)?;
                                hashes.insert(rec.key(&ct.uid), rec.content_hash());
                                p.push(&rec)?;
                                count += 1;
                                report(progress, Phase::Entries, Some(&ct.uid), count, None);
                            }
                        }
                        p.finish()?
                    }
                };
                let mut d = Lines::create(dir, draft_path)?;
                if ct.draft_and_publish {
                    let q = base.status(DocumentStatus::Draft);
                    let keep = |e: Value, d: &mut Lines| -> Result<()> {
                        let rec = Record::from_entry(&e, ct, version, RecordStatus::Draft)?;
                        if hashes.get(&rec.key(&ct.uid)) != Some(&rec.content_hash()) {
                            d.push(&rec)?;
                        }
                        Ok(())
                    };
                    if single {
                        for e in self.read_type(ct, locales, &q).await? {
                            keep(e, &mut d)?;
                        }
                    } else {
                        let mut all =
                            self.get_all_iter::<Value>(ct.route(), &q.paginate(1, 100))?;
                        while let Some(e) = all.next().await {
                            keep(e?, &mut d)?;
                            count += 1;
                            report(progress, Phase::Entries, Some(&ct.uid), count, None);
                        }
                    }
                }
                Ok((pub_entry, d.finish()?))
            }
        }
    }

    /// Strapi 4 collection types (all pages), and single types of either version (one
    /// read per locale): the entries, collected. A single type has one entry per locale;
    /// Strapi 4 collections are read through the pager, page by page, as they come.
    #[allow(clippy::while_let_on_iterator)]
    async fn read_type(
        &self,
        ct: &ContentType,
        locales: &[String],
        q: &StrapiQuery,
    ) -> Result<Vec<Value>> {
        if ct.kind != ContentTypeKind::Single {
            let mut all = self.get_all_iter::<Value>(ct.route(), &q.clone().paginate(1, 100))?;
            let mut out = Vec::new();
            while let Some(e) = all.next().await {
                out.push(e?);
            }
            return Ok(out);
        }
        let per_locale: Vec<Option<&String>> = if ct.localized {
            locales.iter().map(Some).collect()
        } else {
            vec![None]
        };
        let mut out = Vec::new();
        for l in per_locale {
            let q = match l {
                Some(l) => q.clone().locale(l),
                None => q.clone(),
            };
            match self.get_single::<Value>(ct.route(), &q).await {
                Ok(r) => out.push(r.data),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }

    /// Imports an export made by [`export`](Self::export) into this client's server
    /// (Strapi 5; from a Strapi 4 or 5 export).
    ///
    /// Before anything is written: every file's checksum is verified and the target's
    /// schema is checked against the export's (missing types and fields, changed fields:
    /// all listed in one [`Error::InvalidInput`]). Then media are uploaded, entries created
    /// without relations (the locales of one document as one target document, drafts as
    /// drafts, published versions published), relations set in a second pass (cycles
    /// are fine), and drafts that differ from their published version written last.
    ///
    /// Every step is journaled in the state file (old → new ids); a rerun skips what is
    /// done, also after a crash: an entry created just before the crash is found on the
    /// target, not created twice. A unique field that already holds the value on the
    /// target follows the [`ConflictPolicy`].
    #[doc = example!(
        sync: r#"
use strapi_kit::transfer::{ConflictPolicy, ImportOptions};
let plan = client.import("backup", &ImportOptions::new().dry_run(true))?;
println!("would create {}", plan.created);
let done = client.import("backup", &ImportOptions::new().conflict(ConflictPolicy::Update))?;
println!("created {}, relations {}", done.created, done.relations);
"#,
        async: r#"
use strapi_kit::transfer::{ConflictPolicy, ImportOptions};
let plan = client
    .import("backup", &ImportOptions::new().dry_run(true))
    .await?;
println!("would create {}", plan.created);
let done = client
    .import("backup", &ImportOptions::new().conflict(ConflictPolicy::Update))
    .await?;
println!("created {}, relations {}", done.created, done.relations);
"#,
    )]
    pub async fn import(
        &self,
        dir: impl AsRef<Path>,
        options: &ImportOptions,
    ) -> Result<ImportReport> {
        let dir = dir.as_ref();
        let manifest_path = dir.join("manifest.json");
        let bytes = fs::read(&manifest_path).map_err(|e| Error::io(&manifest_path, e))?;
        let manifest = Manifest::from_json(&bytes)?;
        manifest.api_version()?;
        for f in manifest.files() {
            let path = dir.join(&f.path);
            if f.path.contains("..") || Path::new(&f.path).is_absolute() {
                return Err(Error::InvalidInput(format!(
                    "the manifest names a file outside the export: {:?}",
                    f.path
                )));
            }
            let (_, sum) = checksum_file(&path)?;
            if sum != f.checksum {
                return Err(Error::InvalidInput(format!(
                    "{} does not match the manifest's checksum (a changed or cut file)",
                    f.path
                )));
            }
        }
        let progress = &options.progress;
        report(progress, Phase::Schema, None, 0, None);
        if self.detect_version().await? == ApiVersion::V4 {
            return Err(Error::InvalidInput(
                "import writes to Strapi 5 servers only; this target is a Strapi 4 \
                 (a v4 → v4 or v5 → v4 import is not supported)"
                    .into(),
            ));
        }
        let schema: Value = serde_json::from_slice(
            &fs::read(dir.join("schema.json"))
                .map_err(|e| Error::io(dir.join("schema.json"), e))?,
        )
        .map_err(|e| Error::InvalidInput(format!("schema.json cannot be read: {e}")))?;
        let exported = ContentType::list_from_json(&schema["contentTypes"])?;
        let exported_components = Component::list_from_json(&schema["components"])?;
        let target = self.content_types().await?;
        let target_components = self.components().await?;
        let problems = check_schema(&exported, &exported_components, &target, &target_components);
        if !problems.is_empty() {
            let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
            return Err(Error::InvalidInput(format!(
                "the target's schema does not match the export: {}",
                list.join("; ")
            )));
        }
        // The target's own schema is what writes go to (its unique flags).
        let types: BTreeMap<String, ContentType> = target
            .into_iter()
            .filter(|t| exported.iter().any(|e| e.uid == t.uid))
            .map(|t| (t.uid.clone(), t))
            .collect();

        // The journal.
        let journal = options
            .state_file
            .clone()
            .unwrap_or_else(|| dir.join("import-state.jsonl"));
        let url = self.core.config.base_url().as_str().to_owned();
        let state = match fs::read(&journal) {
            Ok(bytes) => {
                let (state, valid) = ImportState::parse(&bytes)?;
                if state.target.as_deref().is_some_and(|t| t != url) {
                    return Err(Error::InvalidInput(format!(
                        "the state file {} belongs to an import into another server",
                        journal.display()
                    )));
                }
                if valid < bytes.len() && !options.dry_run {
                    // Cut the torn last line, so the next append starts a line of its own.
                    let f = OpenOptions::new()
                        .write(true)
                        .open(&journal)
                        .map_err(|e| Error::io(&journal, e))?;
                    f.set_len(valid as u64)
                        .map_err(|e| Error::io(&journal, e))?;
                }
                state
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ImportState::default(),
            Err(e) => return Err(Error::io(&journal, e)),
        };
        let mut run = Run {
            dir,
            opts: options,
            state,
            journal: (!options.dry_run).then(|| journal.clone()),
            types,
            v4_ids: HashMap::new(),
            published_keys: HashSet::new(),
            warned: HashSet::new(),
            report: ImportReport {
                dry_run: options.dry_run,
                ..ImportReport::default()
            },
        };
        if run.state.target.is_none() {
            run.record(StateEvent::Target { url })?;
        }
        for link in component_links(&exported_components) {
            run.report
                .warnings
                .push(format!("{link}: links inside components are not imported"));
        }

        self.import_media(&mut run, &manifest).await?;
        self.import_entries(&mut run, &manifest).await?;
        self.import_relations(&mut run, &manifest).await?;
        self.import_drafts(&mut run, &manifest).await?;
        Ok(run.report)
    }

    async fn import_media(&self, run: &mut Run<'_>, manifest: &Manifest) -> Result<()> {
        // Folders (in an export made with admin credentials) need them on the target too.
        let into_folders = match &manifest.folders {
            Some(_) if matches!(self.core.config.admin_auth(), AdminAuth::None) => {
                run.report.warnings.push(
                    "the export's folders are not restored: the target client has no admin \
                     credentials, so files go to \"API Uploads\""
                        .to_owned(),
                );
                false
            }
            Some(entry) => {
                let bytes = fs::read(run.dir.join(&entry.path))
                    .map_err(|e| Error::io(run.dir.join(&entry.path), e))?;
                let list: Vec<Value> = serde_json::from_slice(&bytes).map_err(|e| {
                    Error::InvalidInput(format!("{} is not a folder list: {e}", entry.path))
                })?;
                let mut paths: Vec<&str> = list
                    .iter()
                    .filter_map(|f| f.get("path").and_then(Value::as_str))
                    .collect();
                paths.sort_unstable();
                for path in paths {
                    if !run.opts.dry_run {
                        // Like `mkdir -p`: a folder already there is used as it is.
                        self.create_folder_all(path).await?;
                    }
                    run.report.folders += 1;
                }
                true
            }
            None => false,
        };
        let total = manifest.media.records;
        let mut n = 0;
        for m in read_lines::<MediaRecord>(run.dir, &manifest.media.path)? {
            let m = m?;
            n += 1;
            report(&run.opts.progress, Phase::Media, None, n, Some(total));
            let key = format!("m|{}", m.id);
            if run.state.map.contains_key(&key) {
                run.report.resumed += 1;
                continue;
            }
            let path = run.dir.join("files").join(m.file_name()?);
            let pending = run.state.pending.contains(&key);
            if pending || !path.exists() {
                // The same file on the target (same server), or one uploaded just before
                // a crash (same name and size).
                let q = if pending {
                    StrapiQuery::new().filter(FilterBuilder::new().eq("name", m.name.as_str()))
                } else {
                    StrapiQuery::new().filter(FilterBuilder::new().eq("hash", m.hash.as_str()))
                };
                let found = self.list_media(&q).await?;
                if let Some(f) = found.iter().find(|f| {
                    !run.state.taken.contains(&f.id.to_string()) && (!pending || f.mime == m.mime)
                }) {
                    run.map(key, f.id.to_string())?;
                    if pending {
                        run.report.recovered += 1;
                    } else {
                        run.report.media_reused += 1;
                    }
                    continue;
                }
                if !path.exists() {
                    run.report.media_missing.push(m.id);
                    continue;
                }
            }
            if run.opts.dry_run {
                run.report.media_uploaded += 1;
                continue;
            }
            let mut up = crate::media::UploadOptions::new().name(m.name.clone());
            if let Some(a) = &m.alternative_text {
                up = up.alternative_text(a.clone());
            }
            if let Some(c) = &m.caption {
                up = up.caption(c.clone());
            }
            if let (true, Some(folder)) = (into_folders, &m.folder_path) {
                up = up.folder_path(folder.clone());
            }
            run.record(StateEvent::Intent { k: key.clone() })?;
            let file = self.upload_file(&path, &up).await?;
            run.map(key, file.id.to_string())?;
            run.report.media_uploaded += 1;
        }
        Ok(())
    }

    async fn import_entries(&self, run: &mut Run<'_>, manifest: &Manifest) -> Result<()> {
        for t in &manifest.types {
            let Some(ct) = run.types.get(&t.uid).cloned() else {
                continue;
            };
            let total = t.published.records + t.drafts.records;
            let mut n = 0;
            for file in [&t.published, &t.drafts] {
                for rec in read_lines::<Record>(run.dir, &file.path)? {
                    let rec = rec?;
                    n += 1;
                    report(
                        &run.opts.progress,
                        Phase::Entries,
                        Some(&t.uid),
                        n,
                        Some(total),
                    );
                    run.v4_ids.insert(
                        (t.uid.clone(), rec.id),
                        (rec.doc.clone(), rec.locale.clone()),
                    );
                    let key = rec.key(&t.uid);
                    if rec.status == RecordStatus::Published {
                        run.published_keys.insert(key.clone());
                    } else if run.published_keys.contains(&key) {
                        // A draft that differs from its published version: the last pass.
                        continue;
                    }
                    if run.state.map.contains_key(&entry_key(&key)) {
                        run.report.resumed += 1;
                        continue;
                    }
                    self.import_entry(run, &ct, t.single, &rec, &key).await?;
                }
            }
        }
        Ok(())
    }

    async fn import_entry(
        &self,
        run: &mut Run<'_>,
        ct: &ContentType,
        single: bool,
        rec: &Record,
        key: &str,
    ) -> Result<()> {
        let data = Value::Object(run.payload(ct, rec, false));
        let q = version_query(ct, rec.locale.as_deref(), rec.status);
        let ekey = entry_key(key);
        let dkey = doc_key(&ct.uid, &rec.doc);
        if single {
            if !run.opts.dry_run {
                let _: EntryResponse<Value> =
                    self.update_single_with(ct.route(), &data, &q).await?;
                run.map(ekey, "single".into())?;
                if rec.status == RecordStatus::Draft {
                    run.record(StateEvent::Done {
                        k: format!("c|{key}"),
                    })?;
                }
            }
            run.report.created += 1;
            return Ok(());
        }
        let obj = data.as_object().cloned().unwrap_or_default();
        // An entry already there: a unique field's value (the conflict policy), or the
        // entry this import created just before a crash.
        let unique = lookup_fields(ct, &obj, true);
        let pending = run.state.pending.contains(&ekey);
        let mut found: Option<(String, bool)> = None;
        for (fields, recovering) in [
            (unique.clone(), false),
            (
                if pending {
                    lookup_fields(ct, &obj, false)
                } else {
                    Vec::new()
                },
                true,
            ),
        ] {
            if fields.is_empty() || found.is_some() {
                continue;
            }
            let mut f = FilterBuilder::new();
            for (name, v) in &fields {
                f = match v {
                    Value::String(s) => f.eq(name.as_str(), s.as_str()),
                    Value::Bool(b) => f.eq(name.as_str(), *b),
                    Value::Number(n) => match n.as_i64() {
                        Some(i) => f.eq(name.as_str(), i),
                        None => f.eq(name.as_str(), n.as_f64().unwrap_or_default()),
                    },
                    _ => f,
                };
            }
            let mut lq = StrapiQuery::new()
                .filter(f)
                .fields(["documentId"])
                .paginate(1, 10);
            if let Some(l) = &rec.locale {
                lq = lq.locale(l.as_str());
            }
            if ct.draft_and_publish {
                lq = lq.status(DocumentStatus::Draft);
            }
            let hits = self.get_many::<Value>(ct.route(), &lq).await?;
            let own = run.state.map.get(&dkey).cloned();
            for h in &hits.data {
                let Some(d) = h.get("documentId").and_then(Value::as_str) else {
                    continue;
                };
                // Our own document (another locale of it) or one nobody else claimed.
                if own.as_deref() == Some(d) || !run.state.taken.contains(d) {
                    // After a crash with this create under way, what matches is taken to
                    // be that create (it cannot be told from a conflict).
                    found = Some((d.to_owned(), recovering || pending));
                    break;
                }
            }
            if found.is_none()
                && !recovering
                && !hits.data.is_empty()
                && run.opts.conflict == ConflictPolicy::Fail
            {
                return Err(crate::documents::conflict(
                    "POST",
                    ct.route(),
                    format!(
                        "{} {}: a unique field already holds this value on the target",
                        ct.uid, rec.doc
                    ),
                ));
            }
        }
        if let Some((doc, recovering)) = found {
            if !recovering && run.opts.conflict == ConflictPolicy::Fail {
                return Err(crate::documents::conflict(
                    "POST",
                    ct.route(),
                    format!(
                        "{} {} ({}): a unique field already holds this value on the target (entry {doc})",
                        ct.uid,
                        rec.doc,
                        rec.locale.as_deref().unwrap_or("-")
                    ),
                ));
            }
            let overwrite = recovering || run.opts.conflict == ConflictPolicy::Update;
            if overwrite && !recovering {
                // An entry that was there before: its relations are replaced, emptied ones
                // included (entries this import made have none to empty).
                run.record(StateEvent::Done {
                    k: format!("u|{key}"),
                })?;
            }
            if !run.opts.dry_run {
                if overwrite {
                    let _: EntryResponse<Value> = self
                        .update_with(ct.route(), EntryId::from(doc.as_str()), &data, &q)
                        .await?;
                }
                if !run.state.map.contains_key(&dkey) {
                    run.map(dkey, doc.clone())?;
                }
                run.map(ekey, doc)?;
                if rec.status == RecordStatus::Draft {
                    run.record(StateEvent::Done {
                        k: format!("c|{key}"),
                    })?;
                }
            }
            if recovering {
                run.report.recovered += 1;
            } else if overwrite {
                run.report.updated += 1;
            } else {
                // Kept as it is: its relations and draft are not written either (in a dry
                // run only remembered, the journal is not written).
                run.record(StateEvent::Done {
                    k: format!("s|{key}"),
                })?;
                run.report.skipped += 1;
            }
            return Ok(());
        }
        run.report.created += 1;
        if run.opts.dry_run {
            return Ok(());
        }
        run.record(StateEvent::Intent { k: ekey.clone() })?;
        let doc = match run.state.map.get(&dkey).cloned() {
            // Another locale of the document exists: this locale joins it.
            Some(doc) => {
                let _: EntryResponse<Value> = self
                    .update_with(ct.route(), EntryId::from(doc.as_str()), &data, &q)
                    .await?;
                doc
            }
            None => {
                let made: EntryResponse<Value> = self.create_with(ct.route(), &data, &q).await?;
                let doc = made
                    .data
                    .get("documentId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "{} answered a create without documentId",
                            ct.uid
                        ))
                    })?
                    .to_owned();
                run.map(dkey, doc.clone())?;
                doc
            }
        };
        run.map(ekey, doc)?;
        if rec.status == RecordStatus::Draft {
            run.record(StateEvent::Done {
                k: format!("c|{key}"),
            })?;
        }
        Ok(())
    }

    async fn import_relations(&self, run: &mut Run<'_>, manifest: &Manifest) -> Result<()> {
        for t in &manifest.types {
            let Some(ct) = run.types.get(&t.uid).cloned() else {
                continue;
            };
            let mut n = 0;
            for file in [&t.published, &t.drafts] {
                for rec in read_lines::<Record>(run.dir, &file.path)? {
                    let rec = rec?;
                    n += 1;
                    report(&run.opts.progress, Phase::Relations, Some(&t.uid), n, None);
                    if rec.rels.is_empty() {
                        continue;
                    }
                    let key = rec.key(&t.uid);
                    let modified =
                        rec.status == RecordStatus::Draft && run.published_keys.contains(&key);
                    if modified || run.state.done.contains(&format!("s|{key}")) {
                        continue; // written whole in the drafts pass, or kept as it was
                    }
                    let step = format!(
                        "r|{}|{key}",
                        if rec.status == RecordStatus::Draft {
                            "d"
                        } else {
                            "p"
                        }
                    );
                    if run.state.done.contains(&step) {
                        run.report.resumed += 1;
                        continue;
                    }
                    let mut rels = run.relations(&ct, &rec);
                    let existed = t.single || run.state.done.contains(&format!("u|{key}"));
                    if !existed {
                        // Nothing to empty on an entry this import created.
                        rels.retain(|_, v| v["set"].as_array().is_none_or(|a| !a.is_empty()));
                        if rels.is_empty() {
                            continue;
                        }
                    }
                    let rels = Value::Object(rels);
                    run.report.relations += 1;
                    if run.opts.dry_run {
                        continue;
                    }
                    let q = version_query(&ct, rec.locale.as_deref(), rec.status);
                    if t.single {
                        let _: EntryResponse<Value> =
                            self.update_single_with(ct.route(), &rels, &q).await?;
                    } else {
                        let Some(doc) = run.state.map.get(&entry_key(&key)).cloned() else {
                            continue;
                        };
                        let _: EntryResponse<Value> = self
                            .update_with(ct.route(), EntryId::from(doc.as_str()), &rels, &q)
                            .await?;
                    }
                    run.record(StateEvent::Done { k: step })?;
                }
            }
        }
        Ok(())
    }

    async fn import_drafts(&self, run: &mut Run<'_>, manifest: &Manifest) -> Result<()> {
        for t in &manifest.types {
            let Some(ct) = run.types.get(&t.uid).cloned() else {
                continue;
            };
            let mut n = 0;
            for rec in read_lines::<Record>(run.dir, &t.drafts.path)? {
                let rec = rec?;
                n += 1;
                report(
                    &run.opts.progress,
                    Phase::Drafts,
                    Some(&t.uid),
                    n,
                    Some(t.drafts.records),
                );
                let key = rec.key(&t.uid);
                if !run.published_keys.contains(&key)
                    || run.state.done.contains(&format!("s|{key}"))
                {
                    continue; // created as a draft in the entries pass, or kept as it was
                }
                let step = format!("d|{key}");
                if run.state.done.contains(&step) {
                    run.report.resumed += 1;
                    continue;
                }
                let data = Value::Object(run.payload(&ct, &rec, true));
                run.report.drafts += 1;
                if run.opts.dry_run {
                    continue;
                }
                let q = version_query(&ct, rec.locale.as_deref(), RecordStatus::Draft);
                if t.single {
                    let _: EntryResponse<Value> =
                        self.update_single_with(ct.route(), &data, &q).await?;
                } else {
                    let Some(doc) = run.state.map.get(&entry_key(&key)).cloned() else {
                        continue;
                    };
                    let _: EntryResponse<Value> = self
                        .update_with(ct.route(), EntryId::from(doc.as_str()), &data, &q)
                        .await?;
                }
                run.record(StateEvent::Done { k: step })?;
            }
        }
        Ok(())
    }
}
