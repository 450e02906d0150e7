//! Exit codes (documented in `strapi-kit --help` and docs-draft/cli.md).

use strapi_kit::Error;

/// Everything done.
pub const OK: u8 = 0;
/// An error not covered below (bad local file, decode error, ...).
pub const ERROR: u8 = 1;
/// Bad usage: unknown flag, malformed `--filter`, missing configuration (clap also uses 2).
pub const USAGE: u8 = 2;
/// Some items of a batch failed, others were done.
pub const PARTIAL: u8 = 3;
/// The server refused the credentials (401/403, or admin credentials missing).
pub const AUTH: u8 = 4;
/// What was asked for does not exist (404).
pub const NOT_FOUND: u8 = 5;
/// The server failed or could not be reached (5xx, connect error, timeout).
pub const SERVER: u8 = 6;
/// An import met an entry whose unique field the target has already (`--conflict fail`).
pub const CONFLICT: u8 = 7;
/// Stopped by Ctrl-C.
pub const INTERRUPTED: u8 = 130;

/// The exit code for an error from the library.
pub fn for_error(e: &Error) -> u8 {
    if e.is_authentication()
        || e.is_authorization()
        || e.is_admin_required()
        || e.is_invalid_credentials()
    {
        AUTH
    } else if e.is_not_found() {
        NOT_FOUND
    } else if e.is_server() || e.is_connect() || e.is_timeout() || e.is_rate_limited() {
        SERVER
    } else if matches!(e, Error::Conflict(_)) {
        CONFLICT
    } else if matches!(e, Error::Config(_) | Error::InvalidInput(_)) {
        USAGE
    } else {
        ERROR
    }
}

/// A failure of a command: what to print and the exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: USAGE,
            message: message.into(),
        }
    }
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            code: ERROR,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure {
            code: for_error(&e),
            message: e.to_string(),
        }
    }
}

pub type CmdResult = Result<u8, Failure>;
