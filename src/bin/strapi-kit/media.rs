//! `media`: upload, ls, get, download, update, mv, rm.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use clap::{Args, Subcommand};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use strapi_kit::{MediaFile, MediaUpdate, StrapiQuery, SyncClient, UploadOptions};

use crate::Ctx;
use crate::content::parse_filters;
use crate::exit::{CmdResult, Failure, OK, PARTIAL};
use crate::output::Format;
use crate::progress::Bar;

#[derive(Subcommand, Debug)]
pub enum MediaCmd {
    /// Upload files and directories.
    Upload(UploadArgs),
    /// List media files.
    Ls(LsArgs),
    /// Show one file.
    Get { id: String },
    /// Download files into a directory (a mirror: unchanged files are skipped).
    Download(DownloadArgs),
    /// Change a file's alt text, caption or name.
    Update {
        id: u64,
        #[arg(long)]
        alt: Option<String>,
        #[arg(long)]
        caption: Option<String>,
        #[arg(long)]
        name: Option<String>,
    },
    /// Move files into a folder (`/` for the root; made when missing). Needs admin credentials.
    Mv {
        #[arg(required = true)]
        ids: Vec<u64>,
        #[arg(long)]
        folder: String,
    },
    /// Delete files (asks for --yes).
    Rm {
        #[arg(required = true)]
        ids: Vec<u64>,
        /// Really delete.
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Args, Debug)]
pub struct UploadArgs {
    /// Files and directories.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Descend into directories (otherwise only their direct files).
    #[arg(long, short = 'r')]
    pub recursive: bool,
    /// Folder to upload into (`/a/b`, made when missing; needs admin credentials). With
    /// --recursive, sub-directories become sub-folders.
    #[arg(long)]
    pub folder: Option<String>,
    #[arg(long)]
    pub alt: Option<String>,
    #[arg(long)]
    pub caption: Option<String>,
    /// Uploads at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
    /// Skip files the target folder already holds with the same name and size (without
    /// --folder: anywhere in the library; images: the name alone, as Strapi re-encodes them).
    #[arg(long)]
    pub skip_existing: bool,
}

#[derive(Args, Debug)]
pub struct LsArgs {
    /// Filter in Strapi's bracket syntax, e.g. `mime[$contains]=image` (repeatable).
    #[arg(long)]
    pub filter: Vec<String>,
    /// Sort: `field` or `field:desc` (repeatable).
    #[arg(long)]
    pub sort: Vec<String>,
    /// Only the files directly in this folder (`/a/b`, `/` for the root; needs admin
    /// credentials; not with --filter or --sort: the files come sorted by id).
    #[arg(long, conflicts_with_all = ["filter", "sort"])]
    pub folder: Option<String>,
    /// At most this many files (default: all).
    #[arg(long)]
    pub limit: Option<u64>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct DownloadArgs {
    /// File ids.
    pub ids: Vec<u64>,
    /// Every file of the library.
    #[arg(long)]
    pub all: bool,
    /// Files matching this filter (bracket syntax, repeatable).
    #[arg(long)]
    pub filter: Vec<String>,
    /// Files directly in this folder (`/a/b`, `/` for the root; needs admin credentials).
    #[arg(long, conflicts_with_all = ["filter", "ids", "all"])]
    pub folder: Option<String>,
    /// Directory to download into.
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallel: u16,
}

pub fn run(ctx: &Ctx, cmd: MediaCmd) -> CmdResult {
    match cmd {
        MediaCmd::Upload(a) => upload(ctx, a),
        MediaCmd::Ls(a) => ls(ctx, a),
        MediaCmd::Get { id } => {
            let client = ctx.client()?;
            let f = client.get_media(id.as_str())?;
            ctx.out.pairs(&file_pairs(&f));
            Ok(OK)
        }
        MediaCmd::Download(a) => download(ctx, a),
        MediaCmd::Update {
            id,
            alt,
            caption,
            name,
        } => {
            let mut u = MediaUpdate::new();
            if alt.is_none() && caption.is_none() && name.is_none() {
                return Err(Failure::usage(
                    "nothing to change: pass --alt, --caption or --name",
                ));
            }
            if let Some(v) = alt {
                u = u.alternative_text(v);
            }
            if let Some(v) = caption {
                u = u.caption(v);
            }
            if let Some(v) = name {
                u = u.name(v);
            }
            let f = ctx.client()?.update_media(id, &u)?;
            ctx.out.pairs(&file_pairs(&f));
            Ok(OK)
        }
        MediaCmd::Mv { ids, folder } => {
            let client = ctx.client()?;
            let target = if folder.trim_matches('/').is_empty() {
                None
            } else {
                Some(client.create_folder_all(&folder)?.id)
            };
            client.move_media(&ids, target)?;
            ctx.out
                .note(format!("moved {} file(s) to {folder}", ids.len()));
            if ctx.out.json {
                ctx.out.json_value(&json!({"moved": ids, "folder": folder}));
            }
            Ok(OK)
        }
        MediaCmd::Rm { ids, yes } => {
            if !yes {
                return Err(Failure::usage(format!(
                    "would delete {} file(s); pass --yes to delete",
                    ids.len()
                )));
            }
            let client = ctx.client()?;
            let mut deleted = Vec::new();
            let mut failed = Vec::new();
            for id in &ids {
                if ctx.stopped() {
                    break;
                }
                match client.delete_media(*id) {
                    Ok(_) => deleted.push(*id),
                    Err(e) => {
                        eprintln!("error: {id}: {e}");
                        failed.push(json!({"id": id, "error": e.to_string()}));
                    }
                }
            }
            ctx.out.note(format!(
                "deleted {}, failed {}",
                deleted.len(),
                failed.len()
            ));
            if ctx.out.json {
                ctx.out
                    .json_value(&json!({"deleted": deleted, "failed": failed}));
            }
            outcome(deleted.len(), failed.len())
        }
    }
}

fn outcome(done: usize, failed: usize) -> CmdResult {
    if failed == 0 {
        Ok(OK)
    } else if done == 0 {
        Ok(crate::exit::ERROR)
    } else {
        Ok(PARTIAL)
    }
}

fn file_pairs(f: &MediaFile) -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!(f.id)),
        ("documentId", json!(f.document_id)),
        ("name", json!(f.name)),
        ("mime", json!(f.mime)),
        ("size_kb", json!(f.size)),
        ("url", json!(f.url)),
        ("alternativeText", json!(f.alternative_text)),
        ("caption", json!(f.caption)),
        ("folderPath", json!(f.folder_path)),
        ("updatedAt", json!(f.updated_at)),
    ]
}

fn file_row(f: &MediaFile) -> Value {
    Value::Object(
        file_pairs(f)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Every file matching `query`, page by page (`limit` caps the count).
fn list_all(
    client: &SyncClient,
    query: &StrapiQuery,
    limit: Option<u64>,
) -> Result<Vec<MediaFile>, Failure> {
    const PAGE: u64 = 100;
    let mut out = Vec::new();
    if limit == Some(0) {
        return Ok(out);
    }
    loop {
        let want = limit.map_or(PAGE, |l| PAGE.min(l - out.len() as u64));
        let page = client.list_media(&query.clone().offset(out.len() as u64, want))?;
        let n = page.len() as u64;
        out.extend(page);
        if n < want || limit.is_some_and(|l| out.len() as u64 >= l) {
            return Ok(out);
        }
    }
}

/// `--folder /a/b` as the folder's id (`None` for the root); the folder API is admin-only.
fn resolve_folder(client: &SyncClient, path: &str) -> Result<Option<u64>, Failure> {
    if path.trim_matches('/').is_empty() {
        return Ok(None);
    }
    match client.folder_by_path(path)? {
        Some(f) => Ok(Some(f.id)),
        None => Err(Failure {
            code: crate::exit::NOT_FOUND,
            message: format!("no folder {path:?}"),
        }),
    }
}

/// The files directly in `--folder` (Strapi's content API can neither filter nor show a
/// file's folder: this goes through the admin API).
fn files_in(client: &SyncClient, path: &str) -> Result<Vec<MediaFile>, Failure> {
    let id = resolve_folder(client, path)?;
    Ok(client.folder_media(id)?)
}

fn media_query(filters: &[String], sort: &[String]) -> Result<StrapiQuery, Failure> {
    let mut q = StrapiQuery::new();
    if let Some(f) = parse_filters(filters)? {
        q = q.filter(f);
    }
    for s in sort {
        q = crate::content::add_sort(q, s)?;
    }
    if sort.is_empty() {
        q = q.sort_asc("id");
    }
    // Checked before anything is sent.
    q.to_query_string()?;
    Ok(q)
}

fn ls(ctx: &Ctx, a: LsArgs) -> CmdResult {
    let q = media_query(&a.filter, &a.sort)?;
    let client = ctx.client()?;
    let files = match &a.folder {
        Some(path) => {
            let mut files = files_in(&client, path)?;
            files.truncate(a.limit.map_or(usize::MAX, |l| l as usize));
            files
        }
        None => list_all(&client, &q, a.limit)?,
    };
    let rows: Vec<Value> = files.iter().map(file_row).collect();
    ctx.out.rows(
        a.format,
        &rows,
        &["id", "name", "mime", "size_kb", "folderPath", "url"],
    );
    Ok(OK)
}

/// One file to upload and the folder it goes to.
struct Job {
    path: PathBuf,
    len: u64,
    folder: Option<String>,
}

fn collect(a: &UploadArgs) -> Result<Vec<Job>, Failure> {
    let mut jobs = Vec::new();
    let io = |p: &Path, e: std::io::Error| Failure::usage(format!("{}: {e}", p.display()));
    for root in &a.paths {
        let meta = std::fs::metadata(root).map_err(|e| io(root, e))?;
        if meta.is_file() {
            jobs.push(Job {
                path: root.clone(),
                len: meta.len(),
                folder: a.folder.clone(),
            });
            continue;
        }
        let mut dirs = VecDeque::from([(root.clone(), a.folder.clone())]);
        while let Some((dir, folder)) = dirs.pop_front() {
            let mut entries: Vec<_> = std::fs::read_dir(&dir)
                .map_err(|e| io(&dir, e))?
                .collect::<Result<_, _>>()
                .map_err(|e| io(&dir, e))?;
            entries.sort_by_key(|e| e.file_name());
            for e in entries {
                let p = e.path();
                let m = std::fs::metadata(&p).map_err(|err| io(&p, err))?;
                if m.is_file() {
                    jobs.push(Job {
                        path: p,
                        len: m.len(),
                        folder: folder.clone(),
                    });
                } else if m.is_dir() && a.recursive {
                    let name = e.file_name().to_string_lossy().into_owned();
                    let sub = folder
                        .as_ref()
                        .map(|f| format!("{}/{name}", f.trim_end_matches('/')));
                    dirs.push_back((p, sub));
                }
            }
        }
    }
    Ok(jobs)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Strapi stores sizes in kB with two decimals.
fn same_size(remote_kb: f64, local_bytes: u64) -> bool {
    (remote_kb - local_bytes as f64 / 1000.0).abs() < 0.006
}

fn upload(ctx: &Ctx, a: UploadArgs) -> CmdResult {
    let jobs = collect(&a)?;
    let client = ctx.client()?;
    let mut skipped = Vec::new();
    let jobs: Vec<Job> = if a.skip_existing {
        // Without --folder: any file of the library (content API). With it: the files of
        // each target folder (admin API); a folder that does not exist yet holds nothing.
        let mut have: BTreeMap<Option<String>, Vec<MediaFile>> = BTreeMap::new();
        for j in &jobs {
            if have.contains_key(&j.folder) {
                continue;
            }
            let files = match j.folder.as_deref() {
                None => list_all(&client, &StrapiQuery::new().sort_asc("id"), None)?,
                Some(f) if f.trim_matches('/').is_empty() => client.folder_media(None)?,
                Some(f) => match client.folder_by_path(f)? {
                    Some(folder) => client.folder_media(Some(folder.id))?,
                    None => Vec::new(),
                },
            };
            have.insert(j.folder.clone(), files);
        }
        jobs.into_iter()
            .filter(|j| {
                let name = file_name(&j.path);
                let dup = have.get(&j.folder).is_some_and(|files| {
                    files.iter().any(|f| {
                        f.name == name
                            // Strapi re-encodes images (size optimisation): their size changes.
                            && (f.mime.starts_with("image/") || same_size(f.size, j.len))
                    })
                });
                if dup {
                    skipped.push(j.path.display().to_string());
                }
                !dup
            })
            .collect()
    } else {
        jobs
    };
    let total: u64 = jobs.iter().map(|j| j.len).sum();
    let bar = Arc::new(Bar::new(ctx.out.fancy, "upload", total, jobs.len() as u64));
    let queue = Mutex::new(jobs.into_iter().collect::<VecDeque<_>>());
    let uploaded = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..a.parallel {
            s.spawn(|| {
                loop {
                    if ctx.stopped() {
                        return;
                    }
                    let Some(job) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                        return;
                    };
                    let mut opts = UploadOptions::new();
                    if let Some(t) = &a.alt {
                        opts = opts.alternative_text(t.clone());
                    }
                    if let Some(t) = &a.caption {
                        opts = opts.caption(t.clone());
                    }
                    if let Some(f) = &job.folder {
                        opts = opts.folder_path(f.clone());
                    }
                    let seen = Arc::new(AtomicU64::new(0));
                    let (seen2, bar2) = (seen.clone(), bar.clone());
                    opts = opts.on_progress(move |p| {
                        // `bytes` restarts on a retry: count only what is new.
                        let prev = seen2.fetch_max(p.bytes, Ordering::SeqCst);
                        if p.bytes > prev {
                            bar2.add_bytes(p.bytes - prev);
                        }
                    });
                    let r = client.upload_file(&job.path, &opts);
                    if r.is_ok() {
                        bar.add_bytes(job.len.saturating_sub(seen.load(Ordering::SeqCst)));
                    }
                    bar.file_done();
                    match r {
                        Ok(f) => {
                            if let Ok(mut u) = uploaded.lock() {
                                u.push(json!({"path": job.path.display().to_string(), "id": f.id, "url": f.url, "folder": job.folder}));
                            }
                        }
                        Err(e) => {
                            bar.println(format!("error: {}: {e}", job.path.display()), false);
                            if let Ok(mut f) = failed.lock() {
                                f.push(json!({"path": job.path.display().to_string(), "error": e.to_string()}));
                            }
                        }
                    }
                }
            });
        }
    });
    bar.finish();
    let uploaded = uploaded.into_inner().unwrap_or_default();
    let failed = failed.into_inner().unwrap_or_default();
    let not_started = queue.into_inner().map(|q| q.len()).unwrap_or(0);
    summary(ctx, "uploaded", &uploaded, &skipped, &failed, not_started);
    outcome(uploaded.len() + skipped.len(), failed.len())
}

fn summary(
    ctx: &Ctx,
    verb: &str,
    done: &[Value],
    skipped: &[String],
    failed: &[Value],
    not_started: usize,
) {
    let mut line = format!(
        "{verb} {}, skipped {}, failed {}",
        done.len(),
        skipped.len(),
        failed.len()
    );
    if not_started > 0 {
        line.push_str(&format!(", not started {not_started} (interrupted)"));
    }
    ctx.out.note(line);
    for f in failed {
        ctx.out.note(format!(
            "  failed: {}: {}",
            f["path"].as_str().unwrap_or(""),
            f["error"].as_str().unwrap_or("")
        ));
    }
    if ctx.out.json {
        ctx.out.json_value(
            &json!({verb: done, "skipped": skipped, "failed": failed, "not_started": not_started}),
        );
    }
}

/// What a mirror directory remembers of each file it downloaded, to skip it next time.
#[derive(Default, Serialize, Deserialize)]
struct Manifest {
    files: BTreeMap<String, ManifestEntry>,
}

#[derive(Serialize, Deserialize, Clone, PartialEq)]
struct ManifestEntry {
    id: u64,
    hash: String,
    updated_at: Option<String>,
    size: u64,
    sha256: String,
}

const MANIFEST: &str = ".strapi-kit-mirror.json";

fn sha256_file(p: &Path) -> std::io::Result<(u64, String)> {
    use std::io::Read;
    let mut f = std::fs::File::open(p)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Ok((n, hex))
}

/// The local name: `<hash><ext>` (Strapi's stored name, unique in the library).
fn local_name(f: &MediaFile) -> String {
    format!("{}{}", f.hash, f.ext.as_deref().unwrap_or(""))
}

fn download(ctx: &Ctx, a: DownloadArgs) -> CmdResult {
    if !a.all && a.ids.is_empty() && a.filter.is_empty() && a.folder.is_none() {
        return Err(Failure::usage(
            "say which files: IDs, --all, --filter or --folder",
        ));
    }
    let q = media_query(&a.filter, &[])?;
    let client = ctx.client()?;
    let files: Vec<MediaFile> = if let Some(path) = &a.folder {
        files_in(&client, path)?
    } else if a.ids.is_empty() {
        list_all(&client, &q, None)?
    } else {
        let mut v = Vec::new();
        for id in &a.ids {
            v.push(client.get_media(*id)?);
        }
        v
    };
    std::fs::create_dir_all(&a.out)
        .map_err(|e| Failure::other(format!("{}: {e}", a.out.display())))?;
    let manifest_path = a.out.join(MANIFEST);
    let manifest: Manifest = std::fs::read(&manifest_path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    // Skip what is on disk with the size and SHA-256 recorded when it was downloaded, for
    // the same remote version.
    let mut skipped = Vec::new();
    let mut todo = Vec::new();
    let mut seen = HashSet::new();
    for f in files {
        let name = local_name(&f);
        if !seen.insert(name.clone()) {
            continue;
        }
        let fresh = manifest.files.get(&name).is_some_and(|m| {
            m.id == f.id
                && m.hash == f.hash
                && m.updated_at == f.updated_at
                && sha256_file(&a.out.join(&name)).is_ok_and(|(n, h)| n == m.size && h == m.sha256)
        });
        if fresh {
            skipped.push(name);
        } else {
            todo.push(f);
        }
    }
    let total: u64 = todo.iter().map(|f| (f.size * 1000.0) as u64).sum();
    let bar = Bar::new(ctx.out.fancy, "download", total, todo.len() as u64);
    let queue = Mutex::new(todo.into_iter().collect::<VecDeque<_>>());
    let done = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    let manifest = Mutex::new(manifest);
    std::thread::scope(|s| {
        for _ in 0..a.parallel {
            s.spawn(|| {
                loop {
                    if ctx.stopped() {
                        return;
                    }
                    let Some(f) = queue.lock().ok().and_then(|mut q| q.pop_front()) else {
                        return;
                    };
                    let name = local_name(&f);
                    let path = a.out.join(&name);
                    // The library writes to a temporary file and renames it when complete:
                    // an interrupted download never leaves a half-written file.
                    let r = client
                        .download_file_to(&f.url, &path)
                        .map_err(|e| e.to_string())
                        .and_then(|_| sha256_file(&path).map_err(|e| e.to_string()));
                    bar.file_done();
                    match r {
                        Ok((size, sha256)) => {
                            bar.add_bytes(size);
                            if let Ok(mut m) = manifest.lock() {
                                m.files.insert(name.clone(), ManifestEntry { id: f.id, hash: f.hash.clone(), updated_at: f.updated_at.clone(), size, sha256 });
                            }
                            if let Ok(mut d) = done.lock() {
                                d.push(json!({"id": f.id, "name": f.name, "path": path.display().to_string(), "bytes": size}));
                            }
                        }
                        Err(e) => {
                            bar.println(format!("error: {} ({}): {e}", f.name, f.id), false);
                            if let Ok(mut v) = failed.lock() {
                                v.push(json!({"path": f.url, "id": f.id, "error": e}));
                            }
                        }
                    }
                }
            });
        }
    });
    bar.finish();
    if let Ok(m) = manifest.into_inner() {
        let tmp = a.out.join(format!("{MANIFEST}.tmp"));
        let ok = serde_json::to_vec_pretty(&m).ok().is_some_and(|b| {
            std::fs::write(&tmp, b).is_ok() && std::fs::rename(&tmp, &manifest_path).is_ok()
        });
        if !ok {
            eprintln!("warning: could not write {}", manifest_path.display());
        }
    }
    let done = done.into_inner().unwrap_or_default();
    let failed = failed.into_inner().unwrap_or_default();
    let not_started = queue.into_inner().map(|q| q.len()).unwrap_or(0);
    summary(ctx, "downloaded", &done, &skipped, &failed, not_started);
    outcome(done.len() + skipped.len(), failed.len())
}
