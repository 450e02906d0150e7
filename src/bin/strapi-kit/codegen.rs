//! `codegen`: Rust types for the server's content types (`strapi_kit::codegen`), from the
//! live server or from a schema file saved earlier (so CI or a `build.rs` needs no server).

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;
use strapi_kit::codegen::{self, CodegenOptions, Schema};

use crate::Ctx;
use crate::exit::{CmdResult, Failure, OK};

#[derive(Args, Debug)]
pub struct CodegenArgs {
    /// Write the code to FILE (replaced whole, never half-written) instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Generate from a schema file written by `--save-schema` (no server is asked).
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Also save the server's schema to FILE, for `--schema` or a build.rs later.
    #[arg(long, value_name = "FILE", conflicts_with = "schema")]
    pub save_schema: Option<PathBuf>,
    /// Also generate this type (a plugin's, e.g. `plugin::users-permissions.user`); repeatable.
    #[arg(long, value_name = "UID")]
    pub include: Vec<String>,
    /// Leave this type or component out; repeatable.
    #[arg(long, value_name = "UID")]
    pub exclude: Vec<String>,
}

pub fn run(ctx: &Ctx, a: CodegenArgs) -> CmdResult {
    let schema = match &a.schema {
        Some(path) => Schema::load(path)?,
        None => ctx.client()?.codegen_schema()?,
    };
    if let Some(path) = &a.save_schema {
        schema.save(path)?;
    }
    let mut options = CodegenOptions::new();
    for uid in &a.include {
        options = options.include(uid.clone());
    }
    for uid in &a.exclude {
        options = options.exclude(uid.clone());
    }
    let code = codegen::generate(&schema, &options)?;
    match &a.out {
        Some(path) => {
            write_whole(path, code.as_bytes())?;
            let summary = json!({
                "out": path,
                "bytes": code.len(),
                "content_types": schema.content_types.len(),
                "components": schema.components.len(),
            });
            if ctx.out.json {
                ctx.out.json_value(&summary);
            } else {
                ctx.out.note(format!(
                    "wrote {} ({} content types, {} components)",
                    path.display(),
                    schema.content_types.len(),
                    schema.components.len()
                ));
            }
        }
        // The code itself is the data (also with --json: it is what a script asked for).
        None => {
            let mut o = std::io::stdout().lock();
            o.write_all(code.as_bytes())
                .map_err(|e| Failure::other(format!("stdout: {e}")))?;
        }
    }
    Ok(OK)
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let name = path
        .file_name()
        .ok_or_else(|| Failure::usage(format!("--out {}: not a file name", path.display())))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(".strapi-kit-tmp");
    let tmp = path.with_file_name(tmp_name);
    let fail = |e: std::io::Error| Failure::other(format!("{}: {e}", path.display()));
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}
