//! The one error type of the crate, shared by both flavours.
//!
//! Every failure is an [`Error`]. HTTP error responses are parsed from Strapi's
//! `{"error":{"status","name","message","details"}}` body into an [`ApiError`] and sorted
//! into a variant by status (validation, authentication, …); predicates such as
//! [`Error::is_not_found`] and [`Error::status`] work across all variants, including errors
//! wrapped by a media operation.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

use crate::models::MediaFile;

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in strapi-kit.
///
/// The enum is `#[non_exhaustive]`: match the variants you care about and keep a `_` arm,
/// or use the predicates ([`is_not_found`](Error::is_not_found), [`status`](Error::status), …),
/// which keep working as the enum grows.
///
/// ```
/// # fn handle(err: strapi_kit::Error) {
/// use strapi_kit::Error;
/// match err {
///     Error::NotFound(e) => eprintln!("gone: {}", e.message),
///     Error::Validation(e) => {
///         for f in &e.field_errors {
///             eprintln!("{}: {}", f.path, f.message);
///         }
///     }
///     other if other.is_retryable() => eprintln!("try again later: {other}"),
///     other => eprintln!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration is invalid (bad base URL, empty token, non-positive timeout, …).
    #[error("invalid configuration: {}", Escaped(.0))]
    Config(String),

    /// An argument is invalid; detected before any request was sent.
    #[error("invalid input: {}", Escaped(.0))]
    InvalidInput(String),

    /// The call needs Strapi's admin API and the client has no admin credentials; nothing
    /// was sent. Give them with `StrapiConfigBuilder::admin_token` / `admin_login` (or
    /// `STRAPI_ADMIN_TOKEN`, or `STRAPI_ADMIN_EMAIL` + `STRAPI_ADMIN_PASSWORD`).
    #[error(
        "{operation} needs admin credentials (Strapi serves it to admin users only): set \
         StrapiConfigBuilder::admin_token or admin_login, or STRAPI_ADMIN_TOKEN / \
         STRAPI_ADMIN_EMAIL + STRAPI_ADMIN_PASSWORD"
    )]
    AdminRequired {
        /// What was asked for (e.g. "uploading into a folder").
        operation: String,
    },

    /// HTTP 400 or 422: Strapi rejected the request. `field_errors` lists per-field messages.
    #[error("{0}")]
    Validation(Box<ApiError>),
    /// HTTP 401: missing or invalid credentials.
    #[error("{0}")]
    Authentication(Box<ApiError>),
    /// HTTP 403: the credentials may not do this.
    #[error("{0}")]
    Authorization(Box<ApiError>),
    /// HTTP 404: no such entry, file or route.
    #[error("{0}")]
    NotFound(Box<ApiError>),
    /// HTTP 409: conflict.
    #[error("{0}")]
    Conflict(Box<ApiError>),
    /// HTTP 413: the request body (usually an upload) is larger than the server accepts.
    #[error("{0}")]
    PayloadTooLarge(Box<ApiError>),
    /// HTTP 429: too many requests. [`ApiError::retry_after`] holds the server's hint.
    #[error("{0}")]
    RateLimited(Box<ApiError>),
    /// HTTP 5xx.
    #[error("{0}")]
    Server(Box<ApiError>),
    /// Any other non-success HTTP status (405, 418, …).
    #[error("{0}")]
    Http(Box<ApiError>),

    /// The request did not complete in time.
    #[error("request timed out: {method} {}", Escaped(url))]
    Timeout {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// The underlying transport error.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The connection could not be established (refused, DNS, TLS handshake).
    #[error("could not connect: {method} {}: {source}", Escaped(url))]
    Connect {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
    },
    /// A webhook delivery's body cannot be read (feature `webhook`): not JSON, no event
    /// name, or an event without its entry.
    #[error("invalid webhook payload: {}", Escaped(.0))]
    Webhook(String),
    /// The TLS handshake failed: the server's certificate is not trusted (unknown CA,
    /// expired, wrong host name), or it refused the client's certificate. Never retried.
    #[error("TLS handshake failed: {method} {}: {}", Escaped(url), Escaped(reason))]
    Tls {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// What the TLS library reported, e.g. `invalid peer certificate: UnknownIssuer`.
        reason: String,
        /// The underlying transport error.
        #[source]
        source: reqwest::Error,
    },
    /// Another transport failure (connection reset, broken body, protocol error).
    #[error("transport error: {method} {}: {}", Escaped(url), Escaped(&source.to_string()))]
    Transport {
        /// HTTP method.
        method: String,
        /// Request URL.
        url: String,
        /// The underlying error (from reqwest, or the I/O error of a broken body).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A successful response could not be deserialised into the requested type.
    #[error("could not decode the response at `{}`: {}", Escaped(path), Escaped(&source.to_string()))]
    Decode {
        /// The JSON path that failed (e.g. `data[3].author.name`), `.` for the root.
        path: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },

    /// A successful response whose body is not what a Strapi API returns.
    #[error("unexpected response (HTTP {status}): {reason}")]
    UnexpectedResponse {
        /// HTTP status of the response.
        status: u16,
        /// What was wrong with it.
        reason: UnexpectedReason,
        /// The first bytes of the body, lossily decoded, for diagnostics.
        body_preview: String,
    },

    /// A local I/O operation failed.
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A media-library operation failed; see [`MediaError`].
    #[error("{0}")]
    Media(Box<MediaError>),

    /// The server answered with a redirect (3xx), which the client does not follow.
    ///
    /// Requests to the configured server follow no redirect: re-sending a write elsewhere,
    /// or turning it into a GET as browsers do for 301–303, would report a success that did
    /// not happen, and a read would carry the credentials and custom headers to wherever
    /// the server points. A media download from another origin (a CDN) does follow
    /// redirects, without the token (by default) or custom headers. To fetch a media file
    /// the server redirects to, download `location` yourself.
    #[error("not following the redirect (HTTP {status}) of {method} {} to {}", Escaped(url), Escaped(location.as_deref().unwrap_or("(no Location)")))]
    Redirected {
        /// The 3xx status.
        status: u16,
        /// The request method.
        method: String,
        /// The request URL.
        url: String,
        /// The `Location` header, when the server sent one.
        location: Option<String>,
    },

    /// An end user's session is over: its refresh was refused (the refresh token expired,
    /// was revoked, or was rotated by another holder), or it was logged out. Nothing more is
    /// sent with it; sign the user in again.
    #[error("the user's session has ended: {}", Escaped(reason))]
    SessionEnded {
        /// Why (never a token).
        reason: String,
    },
}

/// Why a successful response was unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnexpectedReason {
    /// The body was empty where content was expected.
    EmptyBody,
    /// The body was not JSON (e.g. an HTML page from a proxy).
    NotJson,
    /// The JSON has a number outside the range of an `f64` (such as `1e999`).
    NumberOutOfRange,
    /// The JSON nests deeper than the client reads (128 arrays or objects).
    TooDeep,
    /// The JSON has no `data` member.
    NoData,
    /// The JSON has an unexpected shape (e.g. an object where a list was expected).
    Shape(&'static str),
    /// The body was larger than the client accepts for this kind of response.
    TooLarge,
    /// A download ended with fewer (or more) bytes than announced.
    SizeMismatch {
        /// Bytes announced by `Content-Length` or the media's size.
        expected: u64,
        /// Bytes received.
        received: u64,
    },
}

impl fmt::Display for UnexpectedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyBody => f.write_str("empty body"),
            Self::NotJson => f.write_str("body is not JSON"),
            Self::NumberOutOfRange => f.write_str("JSON body has a number out of range"),
            Self::TooDeep => f.write_str("JSON body nests too deep (more than 128 levels)"),
            Self::NoData => f.write_str("JSON body has no `data`"),
            Self::Shape(what) => write!(f, "unexpected JSON shape: {what}"),
            Self::TooLarge => f.write_str("body too large"),
            Self::SizeMismatch { expected, received } => {
                write!(f, "expected {expected} bytes, received {received}")
            }
        }
    }
}

/// An HTTP error response from Strapi, parsed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Strapi's error name (`ValidationError`, `NotFoundError`, …), when the body had one.
    pub name: Option<String>,
    /// Strapi's message, or the raw body (bounded) when it was not JSON.
    pub message: String,
    /// Strapi's `error.details` (`Value::Null` when absent).
    pub details: Value,
    /// Per-field messages from `details.errors` (validation errors).
    pub field_errors: Vec<FieldError>,
    /// The server's `Retry-After`, when given (429, 503).
    pub retry_after: Option<Duration>,
    /// The request method.
    pub method: String,
    /// The request URL (never contains credentials).
    pub url: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Everything here but the status may come from the server: control characters
        // are escaped so that a body cannot forge log lines or drive a terminal.
        write!(f, "HTTP {}", self.status)?;
        if let Some(name) = &self.name {
            write!(f, " {}", Escaped(name))?;
        }
        write!(
            f,
            ": {} ({} {})",
            Escaped(&self.message),
            Escaped(&self.method),
            Escaped(&self.url)
        )?;
        for fe in self.field_errors.iter().take(5) {
            write!(f, "; {}: {}", Escaped(&fe.path), Escaped(&fe.message))?;
        }
        if self.field_errors.len() > 5 {
            write!(f, "; … {} more", self.field_errors.len() - 5)?;
        }
        Ok(())
    }
}

/// One per-field validation message from `error.details.errors`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The field path, segments joined by `.` (e.g. `seo.metaTitle`); empty for the body root.
    pub path: String,
    /// The message.
    pub message: String,
    /// The validator's name, when given (`ValidationError`).
    pub name: Option<String>,
}

/// A media-library failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// A local file cannot be uploaded (missing, a directory, unreadable, too large or of a
    /// disallowed type). Detected before any byte was sent.
    #[error("cannot upload {}: {}", path.display(), Escaped(reason))]
    InvalidFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The file was uploaded but could not be attached to the entry. The file exists in
    /// the media library (it is not deleted): attach it yourself or delete it.
    #[error("uploaded {} (id {}) but could not attach it: {source}", Escaped(&file.name), file.id)]
    Attach {
        /// The uploaded file.
        file: Box<MediaFile>,
        /// Why attaching failed.
        #[source]
        source: Box<Error>,
    },
    /// The source of an upload gave more or fewer bytes than announced: a file that
    /// changed size since it was checked, or a reader longer or shorter than its `len`.
    /// The request was aborted before its body was complete, so the server stored nothing.
    #[error("cannot upload {}: {}", path.display(), size_change(*expected, *read))]
    SourceChanged {
        /// The file (for bytes and readers: the file name given).
        path: PathBuf,
        /// Bytes announced (the file's length when checked, or the reader's `len`).
        expected: u64,
        /// Bytes the source had given when the difference showed: more than `expected`
        /// when it was longer, fewer when it ended early.
        read: u64,
    },
    /// One file of a batch upload failed.
    #[error("batch upload failed at file {index} ({}) after {} succeeded: {source}", path.display(), uploaded.len())]
    Batch {
        /// Position of the failing file in the input.
        index: usize,
        /// The failing file.
        path: PathBuf,
        /// The files uploaded before the failure, in input order (not rolled back).
        uploaded: Vec<MediaFile>,
        /// The error of the failing file.
        #[source]
        source: Box<Error>,
    },
}

fn size_change(expected: u64, read: u64) -> String {
    if read > expected {
        format!(
            "the source changed during the upload: it gave more than the {expected} bytes announced"
        )
    } else {
        format!(
            "the source changed during the upload: it ended after {read} of the {expected} bytes announced"
        )
    }
}

impl Error {
    /// The HTTP status, when the error comes from an HTTP response (also through a
    /// batch media error).
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status).or(match self {
            Error::UnexpectedResponse { status, .. } | Error::Redirected { status, .. } => {
                Some(*status)
            }
            _ => None,
        })
    }

    /// The parsed Strapi error, for HTTP error responses.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Validation(e)
            | Error::Authentication(e)
            | Error::Authorization(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::PayloadTooLarge(e)
            | Error::RateLimited(e)
            | Error::Server(e)
            | Error::Http(e) => Some(e),
            Error::Media(m) => match &**m {
                MediaError::Batch { source, .. } | MediaError::Attach { source, .. } => {
                    source.api_error()
                }
                MediaError::InvalidFile { .. } | MediaError::SourceChanged { .. } => None,
            },
            _ => None,
        }
    }

    /// Per-field validation messages (empty unless a validation error).
    pub fn field_errors(&self) -> &[FieldError] {
        self.api_error().map_or(&[], |e| &e.field_errors)
    }

    /// HTTP 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
    /// HTTP 400 or 422.
    pub fn is_validation(&self) -> bool {
        matches!(self.status(), Some(400 | 422))
    }
    /// HTTP 401.
    pub fn is_authentication(&self) -> bool {
        self.status() == Some(401)
    }
    /// HTTP 403.
    pub fn is_authorization(&self) -> bool {
        self.status() == Some(403)
    }
    /// HTTP 413.
    pub fn is_payload_too_large(&self) -> bool {
        self.status() == Some(413)
    }
    /// HTTP 429.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }
    /// HTTP 5xx.
    pub fn is_server(&self) -> bool {
        matches!(self.status(), Some(500..=599))
    }
    /// The request timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
    /// The call needs admin credentials the client does not have.
    pub fn is_admin_required(&self) -> bool {
        matches!(self, Error::AdminRequired { .. })
    }
    /// Why Strapi refused an auth call ("Invalid identifier or password", "Your account
    /// email is not confirmed", the auth rate limit, …), from the status and message of its
    /// answer; `None` for other errors.
    ///
    /// ```
    /// # fn check(err: strapi_kit::Error) {
    /// use strapi_kit::AuthFailure;
    /// match err.auth_failure() {
    ///     Some(AuthFailure::InvalidCredentials) => eprintln!("wrong email or password"),
    ///     Some(AuthFailure::EmailNotConfirmed) => eprintln!("check your mailbox"),
    ///     Some(AuthFailure::RateLimited) => eprintln!("too many attempts, wait a minute"),
    ///     _ => eprintln!("{err}"),
    /// }
    /// # }
    /// ```
    pub fn auth_failure(&self) -> Option<crate::users::AuthFailure> {
        let e = self.api_error()?;
        crate::users::AuthFailure::classify(e.status, &e.message)
    }
    /// Strapi refused the identifier and password ("Invalid identifier or password").
    pub fn is_invalid_credentials(&self) -> bool {
        self.auth_failure() == Some(crate::users::AuthFailure::InvalidCredentials)
    }
    /// The user has not confirmed the email address yet ("Your account email is not
    /// confirmed").
    pub fn is_email_not_confirmed(&self) -> bool {
        self.auth_failure() == Some(crate::users::AuthFailure::EmailNotConfirmed)
    }
    /// An end user's session is over ([`Error::SessionEnded`]).
    pub fn is_session_ended(&self) -> bool {
        matches!(self, Error::SessionEnded { .. })
    }
    /// The TLS handshake failed ([`Error::Tls`]): an untrusted or invalid certificate.
    pub fn is_tls(&self) -> bool {
        matches!(self, Error::Tls { .. })
    }
    /// The connection could not be established.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Connect { .. })
    }
    /// A transient failure that may succeed when tried again later (connect errors,
    /// timeouts, 429, 502, 503, 504). Whether the client retries it by itself is up to
    /// the [`RetryPolicy`](crate::RetryPolicy).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Error::Connect { .. } | Error::Timeout { .. } | Error::Transport { .. }
        ) || matches!(self.status(), Some(429 | 502 | 503 | 504))
    }
    /// Whether the server may have carried out the request although the call failed: for a
    /// write, whether it may have happened.
    ///
    /// `true` when the request went out and no complete answer came back: a timeout or a
    /// broken connection after connecting ([`Error::Timeout`], [`Error::Transport`]), and a
    /// success status whose body was unusable ([`Error::Decode`],
    /// [`Error::UnexpectedResponse`]: the write did happen). Also an upload that could not
    /// be attached ([`MediaError::Attach`]: the file exists), and a batch that failed after
    /// uploading some files.
    ///
    /// `false` when nothing reached the server or the server said no: invalid input or
    /// configuration (refused before sending), a connect failure, and every error status
    /// the server answered (4xx, 5xx). Local I/O errors ([`Error::Io`]) are `false` too.
    ///
    /// A caller that retries a failed create only when this is `false` never makes a
    /// duplicate; when it is `true`, look the entry up first (or use
    /// [`create_once`](crate::AsyncClient::create_once), which does that for you).
    ///
    /// ```
    /// use strapi_kit::Error;
    /// let refused = Error::InvalidInput("bad id".into());
    /// assert!(!refused.may_have_applied());
    /// ```
    pub fn may_have_applied(&self) -> bool {
        match self {
            Error::Timeout { .. }
            | Error::Transport { .. }
            | Error::Decode { .. }
            | Error::UnexpectedResponse { .. } => true,
            Error::Media(m) => match &**m {
                MediaError::Attach { .. } => true,
                MediaError::Batch {
                    source, uploaded, ..
                } => !uploaded.is_empty() || source.may_have_applied(),
                _ => false,
            },
            _ => false,
        }
    }
    /// The server's `Retry-After` hint.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api_error().and_then(|e| e.retry_after)
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn invalid_file(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::Media(Box::new(MediaError::InvalidFile {
            path: path.into(),
            reason: reason.into(),
        }))
    }

    pub(crate) fn unexpected(status: u16, reason: UnexpectedReason, body: &[u8]) -> Self {
        Error::UnexpectedResponse {
            status,
            reason,
            body_preview: preview(body),
        }
    }

    /// Sorts a parsed error response into its variant by status (400/422 → `Validation`,
    /// 401 → `Authentication`, …, 5xx → `Server`, anything else → `Http`). With
    /// [`parse_error_body`], this turns any HTTP error response into the client's error.
    ///
    /// ```
    /// use strapi_kit::{Error, error::parse_error_body};
    /// let api = parse_error_body(404, "GET", "http://x/api/articles/1", None, b"");
    /// assert!(Error::from_api(api).is_not_found());
    /// ```
    pub fn from_api(api: ApiError) -> Self {
        let api = Box::new(api);
        match api.status {
            400 | 422 => Error::Validation(api),
            401 => Error::Authentication(api),
            403 => Error::Authorization(api),
            404 => Error::NotFound(api),
            409 => Error::Conflict(api),
            413 => Error::PayloadTooLarge(api),
            429 => Error::RateLimited(api),
            500..=599 => Error::Server(api),
            _ => Error::Http(api),
        }
    }
}

/// Displays a string with its control characters escaped (`\n`, `\u{1b}`, …), so that
/// server text in a message cannot forge log lines or send terminal escapes.
pub(crate) struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(char::is_control) {
            f.write_str(&rest[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            write!(f, "{}", c.escape_debug())?;
            rest = &rest[at + c.len_utf8()..];
        }
        f.write_str(rest)
    }
}

/// At most the first 64 characters of `s`, with `…` when cut (user input in messages).
pub(crate) fn clip(s: &str) -> String {
    match s.char_indices().nth(64) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

/// The first 512 bytes of a body, lossily decoded, for error messages.
pub(crate) fn preview(body: &[u8]) -> String {
    const MAX: usize = 512;
    let mut cut = body.len().min(MAX);
    // Cut before a UTF-8 character, not inside it (it has at most 3 continuation bytes), so
    // that a text body is shown without a made-up U+FFFD at the end.
    while cut < body.len() && cut > MAX - 3 && body[cut] & 0xC0 == 0x80 {
        cut -= 1;
    }
    let mut s = String::from_utf8_lossy(&body[..cut]).into_owned();
    if body.len() > MAX {
        s.push('…');
    }
    s
}

/// Parses an error response body into an [`ApiError`]. Never fails: a body that is not
/// Strapi's JSON envelope becomes the message (bounded), with `details` null.
pub fn parse_error_body(
    status: u16,
    method: &str,
    url: &str,
    retry_after: Option<Duration>,
    body: &[u8],
) -> ApiError {
    let mut api = ApiError {
        status,
        name: None,
        message: String::new(),
        details: Value::Null,
        field_errors: Vec::new(),
        retry_after,
        method: method.to_owned(),
        url: url.to_owned(),
    };
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    // Strapi wraps errors as {"data":null,"error":{…}}; some middlewares (and v3-era
    // plugins) answer with the error object at the root instead.
    let err_obj = parsed.as_ref().and_then(|v| match v.get("error") {
        Some(e) if e.is_object() => Some(e),
        _ if v.get("message").is_some() => Some(v),
        _ => None,
    });
    match err_obj {
        Some(e) => {
            api.name = e.get("name").and_then(Value::as_str).map(str::to_owned);
            api.message = match e.get("message") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => default_reason(status).to_owned(),
                Some(other) => other.to_string(),
            };
            if let Some(d) = e.get("details") {
                api.details = d.clone();
                api.field_errors = field_errors(d);
            }
        }
        None => {
            let text = preview(body);
            api.message = if text.trim().is_empty() {
                default_reason(status).to_owned()
            } else {
                text
            };
        }
    }
    api
}

/// Reads `details.errors` in both shapes Strapi uses: the REST list
/// `[{path: [..], message, name}]` and the admin/Yup map `{field: msg | [msgs]}`.
fn field_errors(details: &Value) -> Vec<FieldError> {
    let Some(errors) = details.get("errors") else {
        return Vec::new();
    };
    match errors {
        Value::Array(items) => items
            .iter()
            .map(|item| {
                let path = match item.get("path") {
                    Some(Value::Array(parts)) => parts
                        .iter()
                        .map(|p| match p {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .collect::<Vec<_>>()
                        .join("."),
                    Some(Value::String(s)) => s.clone(),
                    _ => String::new(),
                };
                FieldError {
                    path,
                    message: item
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    name: item.get("name").and_then(Value::as_str).map(str::to_owned),
                }
            })
            .collect(),
        Value::Object(map) => map
            .iter()
            .flat_map(|(field, msgs)| {
                let msgs: Vec<String> = match msgs {
                    Value::Array(a) => a
                        .iter()
                        .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                        .collect(),
                    Value::String(s) => vec![s.clone()],
                    other => vec![other.to_string()],
                };
                msgs.into_iter().map(move |message| FieldError {
                    path: field.clone(),
                    message,
                    name: None,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn default_reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_v5_validation_error() {
        let body = br#"{"data":null,"error":{"status":400,"name":"ValidationError","message":"2 errors occurred","details":{"errors":[{"path":["title"],"message":"title must be defined.","name":"ValidationError","value":null},{"path":["seo","metaTitle"],"message":"too long","name":"ValidationError"}]}}}"#;
        let api = parse_error_body(400, "POST", "http://x/api/articles", None, body);
        assert_eq!(api.name.as_deref(), Some("ValidationError"));
        assert_eq!(api.message, "2 errors occurred");
        assert_eq!(api.field_errors.len(), 2);
        assert_eq!(api.field_errors[1].path, "seo.metaTitle");
        let err = Error::from_api(api);
        assert!(err.is_validation());
        assert!(matches!(err, Error::Validation(_)));
        assert_eq!(err.field_errors()[0].message, "title must be defined.");
    }

    #[test]
    fn non_json_body_becomes_message() {
        let api = parse_error_body(502, "GET", "u", None, b"<html>Bad gateway</html>");
        assert_eq!(api.message, "<html>Bad gateway</html>");
        assert!(api.details.is_null());
        assert!(Error::from_api(api).is_server());
    }

    #[test]
    fn empty_and_invalid_utf8_bodies_do_not_panic() {
        let api = parse_error_body(503, "GET", "u", None, b"");
        assert_eq!(api.message, "Service Unavailable");
        let api = parse_error_body(500, "GET", "u", None, &[0xff, 0xfe, 0x00]);
        assert!(!api.message.is_empty());
        let api = parse_error_body(599, "GET", "u", None, b"{\"error\":42}");
        assert_eq!(api.status, 599);
    }

    #[test]
    fn fuzz_long_text_body_is_cut_at_a_char_boundary() {
        // Minimised by `fuzz/` (target `error_body`): a non-JSON body of more than 512 bytes
        // with "…" (3 bytes) across byte 512. The message ended in "\u{FFFD}…".
        let body = [&[b'G'; 510][..], "…GGGanoGGtatzs\"".as_bytes()].concat();
        let api = parse_error_body(400, "POST", "u", None, &body);
        assert_eq!(api.message, format!("{}…", "G".repeat(510)));
        // A 4-byte character straddling the cut, and invalid bytes, still stay bounded.
        let body = [&[b'a'; 509][..], "😀😀".as_bytes()].concat();
        let api = parse_error_body(500, "GET", "u", None, &body);
        assert_eq!(api.message, format!("{}…", "a".repeat(509)));
        let body = [&[b'a'; 508][..], "😀😀".as_bytes()].concat();
        let api = parse_error_body(500, "GET", "u", None, &body);
        assert_eq!(api.message, format!("{}😀…", "a".repeat(508)));
        let api = parse_error_body(500, "GET", "u", None, &[0x80; 600]);
        assert!(api.message.ends_with('…') && api.message.chars().count() <= 513);
    }

    #[test]
    fn server_text_is_escaped_in_messages() {
        let body = "{\"error\":{\"status\":400,\"name\":\"Bad\\u001b[2J\",\"message\":\"no\\r\\n2026-01-01 INFO forged \\u001b[31mred\",\"details\":{\"errors\":[{\"path\":[\"a\\nb\"],\"message\":\"m\\u0007\"}]}}}";
        let api = parse_error_body(400, "GET", "http://x/a", None, body.as_bytes());
        assert!(
            api.message.contains('\u{1b}'),
            "the field keeps the raw text"
        );
        for shown in [api.to_string(), Error::from_api(api.clone()).to_string()] {
            assert!(!shown.contains(['\u{1b}', '\r', '\n', '\u{7}']), "{shown}");
            assert!(shown.contains("\\u{1b}[31mred"), "{shown}");
            assert!(shown.contains("no\\r\\n2026"), "{shown}");
        }
        let plain = parse_error_body(502, "GET", "u", None, b"<h1>bad\r\n\x1b]0;title\x07</h1>");
        assert!(!plain.to_string().contains(['\u{1b}', '\r', '\n']));
        let r = Error::Redirected {
            status: 302,
            method: "GET".into(),
            url: "http://x/a".into(),
            location: Some("http://y/\r\nSet-Cookie: a".into()),
        };
        assert!(!r.to_string().contains(['\r', '\n']), "{r}");
        assert!(r.to_string().contains("302"), "{r}");
        let attach = Error::Media(Box::new(MediaError::Attach {
            file: Box::new(
                serde_json::from_value(serde_json::json!({"id": 1, "name": "a\u{1b}[2Jb"}))
                    .unwrap(),
            ),
            source: Box::new(Error::InvalidInput("x".into())),
        }));
        assert!(!attach.to_string().contains('\u{1b}'), "{attach}");
        assert_eq!(Escaped("plain é 😀").to_string(), "plain é 😀");
        assert_eq!(Escaped("a\tb\u{85}").to_string(), "a\\tb\\u{85}");
        assert_eq!(clip(&"x".repeat(100)).chars().count(), 65);
    }

    #[test]
    fn map_shaped_field_errors() {
        let body = br#"{"error":{"status":400,"name":"ValidationError","message":"bad","details":{"errors":{"slug":["must be unique","too short"],"title":"required"}}}}"#;
        let api = parse_error_body(400, "POST", "u", None, body);
        assert_eq!(api.field_errors.len(), 3);
        assert!(
            api.field_errors
                .iter()
                .any(|f| f.path == "title" && f.message == "required")
        );
    }

    #[test]
    fn status_variants() {
        for (status, check) in [
            (401u16, Error::is_authentication as fn(&Error) -> bool),
            (403, Error::is_authorization),
            (404, Error::is_not_found),
            (413, Error::is_payload_too_large),
            (429, Error::is_rate_limited),
            (503, Error::is_server),
        ] {
            let e = Error::from_api(parse_error_body(status, "GET", "u", None, b"{}"));
            assert!(check(&e), "{status}");
            assert_eq!(e.status(), Some(status));
        }
        let e = Error::from_api(parse_error_body(409, "GET", "u", None, b"{}"));
        assert!(matches!(e, Error::Conflict(_)));
        let e = Error::from_api(parse_error_body(
            405,
            "GET",
            "u",
            None,
            b"Method Not Allowed",
        ));
        assert!(matches!(e, Error::Http(_)));
    }
}
