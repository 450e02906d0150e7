//! `export DIR` and `import DIR`: the library's `transfer` (a whole Strapi to a directory
//! and back, over REST).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use strapi_kit::transfer::{
    ConflictPolicy, ExportOptions, ExportReport, ImportOptions, ImportReport, TypeCounts,
};

use crate::Ctx;
use crate::exit::{CmdResult, OK, PARTIAL};
use crate::progress::Phases;

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Directory to write (made when missing; an export cut short resumes into it).
    pub dir: PathBuf,
    /// Only these content types (uids like `api::book.book` or routes like `books`), comma separated.
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,
    /// Also download every media file into DIR/files/.
    #[arg(long)]
    pub files: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Conflict {
    /// Link to the target's entry and leave it as it is.
    Skip,
    /// Overwrite the target's entry.
    Update,
    /// Stop (exit 7).
    Fail,
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// A directory written by `strapi-kit export` (or the library's `export`).
    pub dir: PathBuf,
    /// Check everything and report what would be done; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// What to do when an entry's unique field matches one on the target.
    #[arg(long, value_enum, default_value_t = Conflict::Skip)]
    pub conflict: Conflict,
    /// The journal of old → new ids (default DIR/import-state.jsonl); a rerun resumes from it.
    #[arg(long)]
    pub state_file: Option<PathBuf>,
}

fn counts(types: &[TypeCounts]) -> Value {
    types
        .iter()
        .map(|t| json!({"uid": t.uid, "published": t.published, "drafts": t.drafts}))
        .collect()
}

fn export_json(r: &ExportReport) -> Value {
    json!({
        "dir": r.dir.display().to_string(),
        "server_version": r.server_version,
        "types": counts(&r.types),
        "media": r.media,
        "files_downloaded": r.files_downloaded,
        "folders": r.folders,
        "resumed_parts": r.resumed_parts,
        "warnings": r.warnings,
    })
}

fn import_json(r: &ImportReport) -> Value {
    json!({
        "dry_run": r.dry_run,
        "created": r.created,
        "skipped": r.skipped,
        "updated": r.updated,
        "relations": r.relations,
        "drafts": r.drafts,
        "media_uploaded": r.media_uploaded,
        "media_reused": r.media_reused,
        "media_missing": r.media_missing,
        "resumed": r.resumed,
        "recovered": r.recovered,
        "warnings": r.warnings,
    })
}

/// The report: JSON with --json, else one `key value` line per field on stdout; warnings on
/// stderr.
fn report(ctx: &Ctx, v: &Value, warnings: &[String]) {
    for w in warnings {
        ctx.out.note(format!("warning: {w}"));
    }
    if ctx.out.json {
        ctx.out.json_value(v);
        return;
    }
    let pairs: Vec<(&str, Value)> = v
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(k, _)| *k != "warnings")
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    ctx.out.pairs(&pairs);
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> CmdResult {
    let client = ctx.client()?;
    // The library journals as it goes: Ctrl-C ends the process at once, a rerun resumes.
    ctx.exit_on_interrupt("run the same export again to resume");
    let bar = Arc::new(Phases::new(ctx.out.fancy, ctx.out.quiet, "export"));
    let b = bar.clone();
    let opts = ExportOptions::new()
        .types(a.types)
        .include_files(a.files)
        .on_progress(move |p| b.update(p));
    let r = client.export(&opts, &a.dir);
    bar.finish();
    let r = r?;
    report(ctx, &export_json(&r), &r.warnings);
    Ok(OK)
}

pub fn import(ctx: &Ctx, a: ImportArgs) -> CmdResult {
    let client = ctx.client()?;
    ctx.exit_on_interrupt("run the same import again to resume: nothing is created twice");
    let bar = Arc::new(Phases::new(
        ctx.out.fancy,
        ctx.out.quiet,
        if a.dry_run {
            "import (dry run)"
        } else {
            "import"
        },
    ));
    let b = bar.clone();
    let mut opts = ImportOptions::new()
        .dry_run(a.dry_run)
        .conflict(match a.conflict {
            Conflict::Skip => ConflictPolicy::Skip,
            Conflict::Update => ConflictPolicy::Update,
            Conflict::Fail => ConflictPolicy::Fail,
        })
        .on_progress(move |p| b.update(p));
    if let Some(p) = a.state_file {
        opts = opts.state_file(p);
    }
    let r = client.import(&a.dir, &opts);
    bar.finish();
    let r = r?;
    report(ctx, &import_json(&r), &r.warnings);
    if !r.media_missing.is_empty() {
        ctx.out.note(format!(
            "{} media file(s) neither in the export nor on the target: their links were dropped",
            r.media_missing.len()
        ));
        return Ok(PARTIAL);
    }
    Ok(OK)
}
