//! `strapi-kit`: the command-line tool, written on the library's public API only.
//!
//! Each command group is one module with an `Args` type and a `run(&Ctx, Args)`; a new group
//! (export, import, codegen) is one module plus one variant of [`Command`].

mod codegen;
mod config;
mod content;
mod exit;
mod info;
mod login;
mod media;
mod output;
mod progress;
mod schema;
mod transfer;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use clap::{CommandFactory, Parser, Subcommand};
use strapi_kit::SyncClient;

use exit::{CmdResult, Failure};
use output::Out;

const AFTER_HELP: &str = "\
Exit codes: 0 ok, 1 other error, 2 usage or configuration, 3 partial failure (some items failed),
4 authentication/authorization, 5 not found, 6 server error or unreachable, 7 conflict (import
--conflict fail), 130 interrupted.

Settings come from flags, then STRAPI_* variables (STRAPI_BASE_URL, STRAPI_API_TOKEN,
STRAPI_ADMIN_EMAIL, STRAPI_ADMIN_PASSWORD, STRAPI_ADMIN_TOKEN, STRAPI_API_VERSION, ...), then the
profile in $XDG_CONFIG_HOME/strapi-kit/config.toml (or ~/.config/strapi-kit/config.toml).";

#[derive(Parser, Debug)]
#[command(name = "strapi-kit", version, about = "Work with a Strapi v4/v5 server from the shell", after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Strapi URL (default: STRAPI_BASE_URL, then the profile).
    #[arg(long, global = true)]
    pub url: Option<String>,
    /// API token (default: STRAPI_API_TOKEN, then the profile). Prefer the variable: flags show in `ps`.
    #[arg(long, global = true)]
    pub token: Option<String>,
    /// Admin e-mail for the admin API (folders, v5 unpublish); the password comes from STRAPI_ADMIN_PASSWORD or the profile.
    #[arg(long, global = true)]
    pub admin_email: Option<String>,
    /// Profile in the config file (default: STRAPI_PROFILE, then `default_profile`, then "default").
    #[arg(long, short = 'p', global = true)]
    pub profile: Option<String>,
    /// Config file to use instead of the default.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// Machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// No messages or progress on stderr (errors still print).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show the settings in effect (secrets masked), or set one with `config set KEY VALUE`.
    Config {
        #[command(subcommand)]
        action: Option<ConfigAction>,
    },
    /// Server URL, version, reachability, what the credentials may read, content types.
    Info,
    /// Upload, list, download and manage media files.
    #[command(subcommand)]
    Media(media::MediaCmd),
    /// Query and change entries.
    #[command(subcommand)]
    Content(content::ContentCmd),
    /// Content types and components with their fields.
    Schema(schema::SchemaArgs),
    /// Log in as a users-permissions user and keep the JWT in the profile.
    Login(login::LoginArgs),
    /// Export content types, media metadata (and files) into a directory.
    Export(transfer::ExportArgs),
    /// Import a directory written by `export` into a Strapi 5 server (resumable).
    Import(transfer::ImportArgs),
    /// Rust types (serde structs, enums, typed-handle impls) from the server's schema.
    Codegen(codegen::CodegenArgs),
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
}

#[derive(Subcommand, Debug)]
pub enum ConfigAction {
    /// Set KEY (url, token, api_version, timeout, admin_email, admin_password, admin_token, jwt) in the profile; an empty VALUE removes it.
    Set { key: String, value: String },
}

/// What every command gets: settings, output, the Ctrl-C flags.
pub struct Ctx {
    pub settings: config::Effective,
    pub out: Out,
    pub interrupted: Arc<AtomicBool>,
    pub interrupt: Arc<Interrupt>,
}

/// What Ctrl-C does: by default it sets `interrupted` (commands stop starting work and
/// report); a command whose work is journaled (export, import) asks to exit at once instead.
#[derive(Default)]
pub struct Interrupt {
    exit_hint: std::sync::Mutex<Option<String>>,
}

impl Ctx {
    pub fn client(&self) -> Result<SyncClient, Failure> {
        self.settings.client()
    }
    pub fn stopped(&self) -> bool {
        self.interrupted.load(Ordering::SeqCst)
    }
    /// From now on Ctrl-C exits with 130 at once, printing `hint`.
    pub fn exit_on_interrupt(&self, hint: &str) {
        if let Ok(mut h) = self.interrupt.exit_hint.lock() {
            *h = Some(hint.to_owned());
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            });
        }
    };
    let interrupted = Arc::new(AtomicBool::new(false));
    let interrupt = Arc::new(Interrupt::default());
    {
        let (flag, how) = (interrupted.clone(), interrupt.clone());
        // First Ctrl-C: stop starting work, finish or drop what runs (downloads never leave
        // a half-written file), print what was done. A second one exits at once.
        let _ = ctrlc::set_handler(move || {
            let hint = how.exit_hint.lock().ok().and_then(|h| h.clone());
            if let Some(hint) = hint {
                eprintln!("\ninterrupted: {hint}");
                std::process::exit(exit::INTERRUPTED as i32);
            }
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(exit::INTERRUPTED as i32);
            }
            eprintln!(
                "\ninterrupted: stopping after the transfers in flight (Ctrl-C again to quit now)"
            );
        });
    }
    let out = Out::new(cli.global.json, cli.global.quiet);
    let code = match run(cli, out, interrupted, interrupt) {
        Ok(code) => code,
        Err(f) => {
            eprintln!("error: {}", f.message);
            f.code
        }
    };
    ExitCode::from(code)
}

fn run(cli: Cli, out: Out, interrupted: Arc<AtomicBool>, interrupt: Arc<Interrupt>) -> CmdResult {
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(
            shell,
            &mut Cli::command(),
            "strapi-kit",
            &mut std::io::stdout(),
        );
        return Ok(exit::OK);
    }
    let settings = config::resolve(&cli.global)?;
    let ctx = Ctx {
        settings,
        out,
        interrupted,
        interrupt,
    };
    let code = match cli.command {
        Command::Config { action: None } => config::show(&ctx),
        Command::Config {
            action: Some(ConfigAction::Set { key, value }),
        } => config::set(&ctx, &key, &value),
        Command::Info => info::run(&ctx),
        Command::Media(cmd) => media::run(&ctx, cmd),
        Command::Content(cmd) => content::run(&ctx, cmd),
        Command::Schema(args) => schema::run(&ctx, args),
        Command::Login(args) => login::run(&ctx, args),
        Command::Export(args) => transfer::export(&ctx, args),
        Command::Import(args) => transfer::import(&ctx, args),
        Command::Codegen(args) => codegen::run(&ctx, args),
        Command::Completions { .. } => unreachable!("handled above"),
    }?;
    if ctx.stopped() && code == exit::OK {
        return Ok(exit::INTERRUPTED);
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_definition_is_valid() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
