//! Export a whole Strapi into a directory and import it into another (or the same) one,
//! over the REST API: the parts without I/O. The clients' `export` and `import` run them.
//!
//! - [`format`](mod@format): the directory layout, the manifest, the JSONL records and the v4 → v5
//!   shape conversion;
//! - [`state`]: the import's journal of old → new ids, which makes an import resumable
//!   after a crash without duplicates;
//! - [`plan`]: the target's schema checked against the export, and the order of the types.
//!
//! An import writes to a Strapi 5 target (from a Strapi 4 or 5 export); a Strapi 4 target is
//! refused with [`Error::InvalidInput`](crate::Error::InvalidInput) before anything is sent.

pub mod format;
pub mod plan;
pub mod state;

use std::path::PathBuf;
use std::sync::Arc;

pub use format::{Manifest, MediaRecord, Record, RecordStatus, RelRef};
pub use plan::SchemaProblem;

/// What a transfer is doing, for a progress callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Reading the schema (export) or checking it against the target (import).
    Schema,
    /// Media files and their metadata.
    Media,
    /// Entries (an import creates them without relations).
    Entries,
    /// Import: relations, in a second pass.
    Relations,
    /// Import: drafts that differ from their published version.
    Drafts,
}

/// One progress report: the phase, the content type (for entries), and the count so far.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TransferProgress {
    /// The phase.
    pub phase: Phase,
    /// The content type's uid, in the entry phases.
    pub uid: Option<String>,
    /// Items done in this phase (and type), including those a resumed run skipped.
    pub done: u64,
    /// Items in this phase (and type), when known.
    pub total: Option<u64>,
}

/// A progress callback.
pub type TransferProgressFn = Arc<dyn Fn(&TransferProgress) + Send + Sync>;

/// Options of an export.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ExportOptions {
    pub(crate) types: Vec<String>,
    pub(crate) files: bool,
    pub(crate) progress: Option<TransferProgressFn>,
}

impl std::fmt::Debug for ExportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportOptions")
            .field("types", &self.types)
            .field("files", &self.files)
            .finish_non_exhaustive()
    }
}

impl ExportOptions {
    /// Every API content type (`api::…`), metadata of every media file, no file contents.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only these types (uids like `api::book.book`, or route names like `books`).
    pub fn types<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.types.extend(types.into_iter().map(Into::into));
        self
    }

    /// Also download every media file into `files/`, named by its hash.
    pub fn include_files(mut self, on: bool) -> Self {
        self.files = on;
        self
    }

    /// Calls `f` as the export goes.
    pub fn on_progress(mut self, f: impl Fn(&TransferProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// What to do when an entry to import has the same value in a unique field as an entry
/// already on the target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConflictPolicy {
    /// Keep the target's entry as it is and link to it (the default).
    #[default]
    Skip,
    /// Overwrite the target's entry with the imported data and link to it.
    Update,
    /// Stop with [`Error::Conflict`](crate::Error::Conflict).
    Fail,
}

/// Options of an import.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ImportOptions {
    pub(crate) dry_run: bool,
    pub(crate) conflict: ConflictPolicy,
    pub(crate) state_file: Option<PathBuf>,
    pub(crate) progress: Option<TransferProgressFn>,
}

impl std::fmt::Debug for ImportOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportOptions")
            .field("dry_run", &self.dry_run)
            .field("conflict", &self.conflict)
            .field("state_file", &self.state_file)
            .finish_non_exhaustive()
    }
}

impl ImportOptions {
    /// A real import, [`ConflictPolicy::Skip`], the state file `<dir>/import-state.jsonl`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks everything and reports what would be done, writing nothing (no request but
    /// reads, no state file).
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// What to do with unique-field conflicts.
    pub fn conflict(mut self, policy: ConflictPolicy) -> Self {
        self.conflict = policy;
        self
    }

    /// Where the journal of old → new ids goes (one per target: a journal made for another
    /// target is refused).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Calls `f` as the import goes.
    pub fn on_progress(mut self, f: impl Fn(&TransferProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }
}

/// Counts per content type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TypeCounts {
    /// The uid.
    pub uid: String,
    /// Published records (export) / entries created or linked with a published version.
    pub published: u64,
    /// Draft records.
    pub drafts: u64,
}

/// What an export did.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ExportReport {
    /// The directory.
    pub dir: PathBuf,
    /// The source's major version (`v4`, `v5`).
    pub server_version: String,
    /// Records per type.
    pub types: Vec<TypeCounts>,
    /// Media files listed.
    pub media: u64,
    /// Media files downloaded in this run (skipped when already there).
    pub files_downloaded: u64,
    /// Folders listed (with admin credentials).
    pub folders: Option<u64>,
    /// Parts (a type's file, the media list) a previous run had finished.
    pub resumed_parts: u64,
    /// Things to know (component fields whose links are not exported, …).
    pub warnings: Vec<String>,
}

/// What an import did (or, in a dry run, would do).
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct ImportReport {
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Entries (document and locale) created.
    pub created: u64,
    /// Entries already on the target whose unique field matched (policy skip) and were
    /// linked to.
    pub skipped: u64,
    /// Entries already on the target that were overwritten (policy update).
    pub updated: u64,
    /// Relation fields written (one count per entry version with relations).
    pub relations: u64,
    /// Drafts that differ from their published version, written.
    pub drafts: u64,
    /// Media files uploaded.
    pub media_uploaded: u64,
    /// Media found on the target already (same hash) and linked to.
    pub media_reused: u64,
    /// Media whose file is neither in the export nor on the target: their links are
    /// dropped (ids of the source).
    pub media_missing: Vec<u64>,
    /// Steps a previous run had done (skipped now).
    pub resumed: u64,
    /// Entries found on the target after a crash between a create and its journal line
    /// (adopted, not created again).
    pub recovered: u64,
    /// Things to know.
    pub warnings: Vec<String>,
}
