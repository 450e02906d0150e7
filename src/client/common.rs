//! The parts of a client that do no I/O, compiled once and shared by both flavours:
//! URL building, id encoding, retry decisions, rate limiting, response decoding and
//! v4/v5 detection.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::config::{Auth, RetryPolicy, StrapiConfig};
use crate::error::{Error, Result, UnexpectedReason, parse_error_body};
use crate::ids::check_url_len;
pub(crate) use crate::ids::{EntryId, check_name};
use crate::models::{EntryResponse, ListResponse};
use crate::version::{self, ApiVersion};

/// Error bodies are read up to this size; the rest is discarded.
pub(crate) const MAX_ERROR_BODY: usize = 64 * 1024;

/// The request body of a call, kept so that it can be rebuilt for a retry.
///
/// `R` is the flavour's reader type for uploads from a reader (which cannot be replayed).
pub(crate) enum CallBody<R> {
    None,
    Json(Bytes),
    Multipart(std::sync::Arc<crate::media::UploadSpec<R>>),
}

/// One request, described without I/O: built once, sent once per attempt.
pub(crate) struct Call<R> {
    pub method: Method,
    pub url: Url,
    pub body: CallBody<R>,
    /// Send the credentials (false for downloads from another host).
    pub auth: bool,
    /// The `Accept` header.
    pub accept: &'static str,
    /// Extra headers of this call (e.g. `Range`).
    pub headers: HeaderMap,
    /// An admin API route: sent with the admin credentials instead of the API token.
    pub admin: bool,
    /// The body's bytes exactly as the server sends them (media downloads): no compression
    /// is asked for, none is decoded.
    pub exact: bool,
}

impl<R> Call<R> {
    pub fn new(method: Method, url: Url) -> Self {
        Call {
            method,
            url,
            body: CallBody::None,
            auth: true,
            accept: "application/json",
            headers: HeaderMap::new(),
            admin: false,
            exact: false,
        }
    }

    /// The same call, for an admin API route.
    pub fn admin(mut self) -> Self {
        self.admin = true;
        self
    }

    pub fn json(mut self, body: &(impl serde::Serialize + ?Sized)) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidInput(format!("the body cannot be serialised: {e}")))?;
        self.body = CallBody::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Whether sending this twice is harmless.
    pub fn idempotent(&self) -> bool {
        matches!(
            self.method,
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS
        )
    }

    /// Whether the body can be sent again (a reader can be read only once).
    pub fn replayable(&self) -> bool {
        match &self.body {
            CallBody::Multipart(spec) => spec.replayable(),
            _ => true,
        }
    }

    /// The URL for messages and logs.
    pub fn url_str(&self) -> &str {
        self.url.as_str()
    }
}

/// Path segments that are words of Strapi's routes, kept in a route template; any other
/// segment is a name or an id and becomes a placeholder.
const ROUTE_WORDS: &[&str] = &[
    "actions",
    "admin",
    "auth",
    "bulk-delete",
    "bulk-move",
    "bulkDelete",
    "bulkPublish",
    "bulkUnpublish",
    "callback",
    "change-password",
    "collection-types",
    "components",
    "connect",
    "content-manager",
    "content-type-builder",
    "content-types",
    "count",
    "discard",
    "email-confirmation",
    "files",
    "folder-structure",
    "folders",
    "forgot-password",
    "i18n",
    "local",
    "locales",
    "localizations",
    "login",
    "logout",
    "me",
    "publish",
    "refresh",
    "register",
    "relations",
    "renew-token",
    "reset-password",
    "roles",
    "send-email-confirmation",
    "sessions",
    "settings",
    "single-types",
    "unpublish",
    "upload",
    "users",
    "users-permissions",
];

/// Roots of `/api` routes that are not content types (plugins).
const API_ROOTS: &[&str] = &[
    "auth",
    "connect",
    "content-type-builder",
    "i18n",
    "upload",
    "users",
    "users-permissions",
];

/// The route template of a URL: `/api/:plural/:id`, `/api/upload/files/:id`,
/// `/content-manager/collection-types/:uid/:id/actions/publish`, `/uploads/:file`; other
/// origins are `:external`. Names, ids and the query never appear in it.
pub(crate) fn route_template(base: &Url, url: &Url) -> String {
    if !same_origin(url, base) {
        return ":external".to_owned();
    }
    let base_len = base
        .path_segments()
        .map_or(0, |s| s.filter(|p| !p.is_empty()).count());
    let segs: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).skip(base_len).collect())
        .unwrap_or_default();
    let mut out = String::with_capacity(48);
    match segs.first() {
        None => return "/".to_owned(),
        Some(&"uploads") => return "/uploads/:file".to_owned(),
        _ => {}
    }
    let mut prev = "";
    for (i, seg) in segs.iter().enumerate() {
        out.push('/');
        let word = ROUTE_WORDS.contains(seg);
        if i == 0 && *seg == "api" {
            out.push_str("api");
        } else if i == 1 && segs[0] == "api" {
            out.push_str(if API_ROOTS.contains(seg) {
                seg
            } else {
                ":plural"
            });
        } else if word {
            out.push_str(seg);
        } else if seg.contains("::") {
            out.push_str(":uid");
        } else if matches!(prev, "auth" | "connect") {
            out.push_str(":provider");
        } else {
            out.push_str(":id");
        }
        prev = seg;
    }
    out
}

/// A URL for logs: the query's values are replaced by `*` unless `values` (names stay, so a
/// reader sees which filters a call used, not the personal data they may hold).
pub(crate) fn loggable_url(url: &Url, values: bool) -> String {
    let Some(query) = url.query().filter(|_| !values) else {
        return url.as_str().to_owned();
    };
    let mut out = String::with_capacity(url.as_str().len());
    out.push_str(url.as_str().split('?').next().unwrap_or_default());
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((k, _)) => {
                // Names shown decoded (`filters[email][$eq]`), as a reader expects them.
                out.extend(
                    percent_encoding::percent_decode_str(k)
                        .decode_utf8_lossy()
                        .chars()
                        .filter(|c| !c.is_control()),
                );
                out.push_str("=*");
            }
            None => out.push_str(pair),
        }
    }
    out
}

/// Per-call overrides that a client view carries (see `Client::with_timeout`).
#[derive(Clone, Debug, Default)]
pub(crate) struct CallOptions {
    pub timeout: Option<Duration>,
    pub retry: Option<RetryPolicy>,
}

/// State shared by all clones of one client.
pub(crate) struct Core {
    pub config: StrapiConfig,
    auth_header: Option<HeaderValue>,
    version: AtomicU8,
    limiter: Option<RateLimiter>,
    rng: AtomicU64,
    schemas: Mutex<std::collections::HashMap<String, crate::schema::ContentType>>,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("config", &self.config)
            .field("version", &self.version())
            .finish_non_exhaustive()
    }
}

impl Core {
    pub fn new(config: StrapiConfig) -> Result<Self> {
        let auth_header = match config.auth() {
            Auth::None => None,
            Auth::ApiToken(s) | Auth::Jwt(s) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", s.expose()))
                    .map_err(|_| Error::Config("the token cannot be sent in a header".into()))?;
                v.set_sensitive(true);
                Some(v)
            }
        };
        let limiter = config.rate_limit().map(RateLimiter::new);
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            | 1;
        Ok(Core {
            config,
            auth_header,
            version: AtomicU8::new(0),
            limiter,
            rng: AtomicU64::new(seed),
            schemas: Mutex::new(std::collections::HashMap::new()),
        })
    }

    pub fn auth_header(&self) -> Option<&HeaderValue> {
        self.auth_header.as_ref()
    }

    /// The configured version, or the detected one.
    pub fn version(&self) -> Option<ApiVersion> {
        self.config
            .api_version()
            .or(match self.version.load(Ordering::Relaxed) {
                4 => Some(ApiVersion::V4),
                5 => Some(ApiVersion::V5),
                _ => None,
            })
    }

    pub fn set_version(&self, v: ApiVersion) {
        let n = match v {
            ApiVersion::V4 => 4,
            ApiVersion::V5 => 5,
        };
        self.version.store(n, Ordering::Relaxed);
    }

    pub fn reset_version(&self) {
        self.version.store(0, Ordering::Relaxed);
        self.schemas
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// A cached content-type schema.
    pub fn schema_cache(&self, uid: &str) -> Option<crate::schema::ContentType> {
        self.schemas
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(uid)
            .cloned()
    }

    pub fn cache_schema(&self, uid: &str, schema: &crate::schema::ContentType) {
        self.schemas
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(uid.to_owned(), schema.clone());
    }

    /// Remembers the version a body shows, unless one is configured or already known.
    pub fn observe(&self, body: &Value) -> Option<ApiVersion> {
        if let Some(v) = self.version() {
            return Some(v);
        }
        let detected = version::detect(body)?;
        self.set_version(detected);
        Some(detected)
    }

    /// `{base}/api/{segments…}?{query}`; each segment percent-encoded as one segment.
    pub fn api_url(&self, segments: &[&str], query: Option<&str>) -> Url {
        let mut url = self.config.base_url().clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().push("api").extend(segments);
        }
        url.set_query(query.filter(|q| !q.is_empty()));
        url
    }

    /// `{base}/{segments…}?{query}`: the admin API's routes live outside `/api`.
    pub fn admin_url(&self, segments: &[&str], query: Option<&str>) -> Url {
        let mut url = self.config.base_url().clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url.set_query(query.filter(|q| !q.is_empty()));
        url
    }

    /// A path relative to the base URL (raw requests), e.g. `/api/custom/route`.
    pub fn raw_url(&self, path: &str, query: Option<&str>) -> Result<Url> {
        if path.contains(['?', '#']) {
            return Err(Error::InvalidInput(
                "the path must not contain '?' or '#'; pass a query instead".into(),
            ));
        }
        if path.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "the path {:?} contains a control character",
                crate::error::clip(path)
            )));
        }
        let mut url = self.config.base_url().clone();
        {
            let Ok(mut segs) = url.path_segments_mut() else {
                return Err(Error::InvalidInput(
                    "the base URL cannot take a path".into(),
                ));
            };
            segs.pop_if_empty();
            for s in path.split('/').filter(|s| !s.is_empty()) {
                if s == "." || s == ".." {
                    return Err(Error::InvalidInput(format!(
                        "the path {:?} must not contain '.' or '..' segments",
                        crate::error::clip(path)
                    )));
                }
                segs.push(s);
            }
        }
        url.set_query(query.filter(|q| !q.is_empty()));
        check_url_len(url.as_str())?;
        Ok(url)
    }

    /// A media URL: relative ones (`/uploads/x.png`) joined to the base URL, keeping its
    /// sub-path; absolute ones (CDN, S3) as they are.
    ///
    /// Refused before sending: control characters (URL parsers drop tab, CR and LF, which
    /// would fetch another file), `.` and `..` segments, also percent-encoded (`%2e%2E`) or
    /// after a `\` (which `http` URLs read as `/`), and URLs longer than
    /// [`MAX_URL_LEN`](crate::MAX_URL_LEN).
    pub fn media_url(&self, url: &str) -> Result<Url> {
        let url = url.trim();
        if url.is_empty() {
            return Err(Error::InvalidInput("the media URL is empty".into()));
        }
        let shown = crate::error::clip(url);
        if url.chars().any(char::is_control) {
            return Err(Error::InvalidInput(format!(
                "media URL {shown:?} contains a control character"
            )));
        }
        check_url_len(url)?;
        if has_dot_segment(url) {
            return Err(Error::InvalidInput(format!(
                "media URL {shown:?} must not contain '.' or '..' segments"
            )));
        }
        let invalid = |e| Error::InvalidInput(format!("invalid media URL {shown:?}: {e}"));
        if url.starts_with("http://") || url.starts_with("https://") {
            return Url::parse(url).map_err(invalid);
        }
        if let Some(rest) = url.strip_prefix("//") {
            let scheme = self.config.base_url().scheme();
            return Url::parse(&format!("{scheme}://{rest}")).map_err(invalid);
        }
        if url.contains("://") {
            return Err(Error::InvalidInput(format!(
                "media URL {shown:?} must use http or https"
            )));
        }
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (url, None),
        };
        let base = self.config.base_url();
        let joined = format!(
            "{}{}",
            base.as_str().trim_end_matches('/'),
            if path.starts_with('/') {
                path.to_owned()
            } else {
                format!("/{path}")
            }
        );
        let mut out = Url::parse(&joined).map_err(invalid)?;
        // The join must stay below the base URL (belt and braces: dot segments are refused
        // above, but the parser may know other ways up).
        if !out.path().starts_with(base.path()) || !self.same_origin(&out) {
            return Err(Error::InvalidInput(format!(
                "media URL {shown:?} leaves the base URL"
            )));
        }
        out.set_query(query);
        check_url_len(out.as_str())?;
        Ok(out)
    }

    /// Whether `url` points at the configured server (same scheme, host and port).
    pub fn same_origin(&self, url: &Url) -> bool {
        same_origin(url, self.config.base_url())
    }

    /// How long to wait before a request may go out (client-side rate limit).
    pub fn rate_limit_delay(&self) -> Option<Duration> {
        self.limiter.as_ref().and_then(RateLimiter::reserve)
    }

    /// The wait before another attempt, or `None` to give up.
    pub fn retry_delay<R>(
        &self,
        policy: &RetryPolicy,
        call: &Call<R>,
        attempt: u32,
        started: Instant,
        failure: &Failure,
    ) -> Option<Duration> {
        if attempt >= policy.max_attempts || !call.replayable() {
            return None;
        }
        let retryable = match failure {
            Failure::Status(s, _) => policy.retry_on_status.contains(s),
            Failure::Connect => policy.retry_on_connect,
            Failure::Transport => policy.retry_on_transport,
            Failure::Tls => false,
        };
        if !retryable {
            return None;
        }
        // A connect error never reached the server, so even a POST is safe to resend.
        // Anything else may have been processed: only idempotent calls, unless opted in.
        let safe =
            matches!(failure, Failure::Connect) || call.idempotent() || policy.retry_non_idempotent;
        if !safe {
            return None;
        }
        let exp = policy
            .base_delay
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(policy.max_delay);
        let mut delay = if policy.jitter {
            // `try_`: a policy given to `with_retry` is not validated, and `mul_f64` panics
            // when rounding carries a huge delay past `Duration::MAX`.
            Duration::try_from_secs_f64(exp.as_secs_f64() * self.random_unit()).unwrap_or(exp)
        } else {
            exp
        };
        if let Failure::Status(_, Some(hint)) = failure {
            delay = (*hint).min(policy.max_delay);
        }
        match started.elapsed().checked_add(delay) {
            Some(end) if end <= policy.budget => {}
            _ => return None,
        }
        Some(delay)
    }

    /// A number in `[0, 1)` (xorshift; jitter needs spread, not cryptographic quality).
    fn random_unit(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Turns an error status and its (bounded) body into the typed error.
    pub fn error_from<R>(
        &self,
        call: &Call<R>,
        status: u16,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Error {
        if (300..400).contains(&status) {
            // The redirect policy (see `Client::new`) stopped here: report where to.
            let location = headers.get(reqwest::header::LOCATION).map(|v| {
                let raw = String::from_utf8_lossy(v.as_bytes());
                call.url
                    .join(&raw)
                    .map_or_else(|_| raw.clone().into_owned(), String::from)
            });
            return Error::Redirected {
                status,
                method: call.method.to_string(),
                url: call.url_str().to_owned(),
                location,
            };
        }
        let retry_after = parse_retry_after(headers);
        Error::from_api(parse_error_body(
            status,
            call.method.as_str(),
            call.url_str(),
            retry_after,
            body,
        ))
    }

    /// Parses a JSON body, remembering the version it shows and normalising a v4 body.
    pub fn parse_body(&self, status: u16, body: &[u8]) -> Result<Value> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(Error::unexpected(status, UnexpectedReason::EmptyBody, body));
        }
        let mut value: Value = serde_json::from_slice(body)
            .map_err(|e| Error::unexpected(status, json_reason(&e), body))?;
        if self.observe(&value) == Some(ApiVersion::V4) {
            version::normalize_v4_body(&mut value);
        }
        Ok(value)
    }

    /// Decodes `{data: T, meta}`.
    pub fn decode_entry<T: DeserializeOwned>(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<EntryResponse<T>> {
        self.decode_envelope(status, body, false)
    }

    /// Decodes `{data: [T], meta}`.
    pub fn decode_list<T: DeserializeOwned>(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<ListResponse<T>> {
        self.decode_envelope(status, body, true)
    }

    fn decode_envelope<R: DeserializeOwned>(
        &self,
        status: u16,
        body: &[u8],
        list: bool,
    ) -> Result<R> {
        // Fast path: a v5 body needs no normalisation, so it is decoded straight from the
        // bytes without building a JSON tree first: on a known v5 server, and while the
        // version is unknown when the body's first entry shows v5 (and `data` the expected
        // shape; the version is remembered once the body decoded).
        // A v4 body is flattened while it is decoded, also without a tree, when its shape
        // allows (see `version::decode_v4`).
        let sniffed = || version::sniff(body).filter(|&(_, is_list)| is_list == list);
        let (fast, learned) = match self.version() {
            Some(ApiVersion::V5) => (Some(ApiVersion::V5), false),
            // The tree path checks the shape of `data` first: so does this one.
            Some(ApiVersion::V4) => (sniffed().map(|_| ApiVersion::V4), false),
            None => match sniffed() {
                Some((v, _)) => (Some(v), true),
                None => (None, false),
            },
        };
        if let Some(v) = fast {
            let decoded = match v {
                ApiVersion::V5 => direct::<R>(body),
                ApiVersion::V4 => version::decode_v4::<R>(body),
            };
            if let Some(r) = decoded {
                if learned {
                    self.set_version(v);
                }
                return Ok(r);
            }
            // Fall through for a precise error.
        }
        let value = self.parse_body(status, body)?;
        match value.get("data") {
            None => return Err(Error::unexpected(status, UnexpectedReason::NoData, body)),
            Some(Value::Array(_)) if !list => {
                return Err(Error::unexpected(
                    status,
                    UnexpectedReason::Shape("a list where one entry was expected"),
                    body,
                ));
            }
            Some(d) if list && !d.is_array() => {
                return Err(Error::unexpected(
                    status,
                    UnexpectedReason::Shape("one entry where a list was expected (a single type?)"),
                    body,
                ));
            }
            _ => {}
        }
        // Tracking the JSON path costs a quarter of the decode: do it only to explain a
        // failure, by decoding the body once more (a cold path).
        match R::deserialize(value) {
            Ok(r) => Ok(r),
            Err(_) => from_value(self.parse_body(status, body)?),
        }
    }
}

/// `body` decoded straight into `R` (no tree), if it decodes.
fn direct<R: DeserializeOwned>(body: &[u8]) -> Option<R> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let r = R::deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(r)
}

/// Deserialises a JSON tree into `T`, naming the path that failed.
pub(crate) fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| Error::Decode {
        path: e.path().to_string(),
        source: e.into_inner(),
    })
}

/// Deserialises bytes into `T`, naming the path that failed.
pub(crate) fn from_slice<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::unexpected(status, UnexpectedReason::EmptyBody, body));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let r = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        if inner.is_syntax() || inner.is_eof() {
            Error::unexpected(status, json_reason(inner), body)
        } else {
            Error::Decode {
                path: e.path().to_string(),
                source: e.into_inner(),
            }
        }
    })?;
    de.end()
        .map_err(|_| Error::unexpected(status, UnexpectedReason::NotJson, body))?;
    Ok(r)
}

/// Whether the path of `url` (before `?` or `#`) has a `.` or `..` segment, plain or
/// percent-encoded, with `/` or `\\` as separator.
pub(crate) fn has_dot_segment(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or_default();
    path.split(['/', '\\']).any(|seg| {
        let decoded = percent_encoding::percent_decode_str(seg).decode_utf8_lossy();
        decoded == "." || decoded == ".."
    })
}

/// Whether two URLs have the same origin (scheme, host and port).
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Why serde_json could not read a body: not JSON at all, or JSON the reader refuses.
pub(crate) fn json_reason(e: &serde_json::Error) -> UnexpectedReason {
    // serde_json has no error kinds for these two; its messages are stable.
    let msg = e.to_string();
    if msg.starts_with("number out of range") {
        UnexpectedReason::NumberOutOfRange
    } else if msg.starts_with("recursion limit exceeded") {
        UnexpectedReason::TooDeep
    } else {
        UnexpectedReason::NotJson
    }
}

/// The retry state of a write that is resent only after a look-up shows that no earlier
/// attempt stored it (`create_once`, `UploadOptions::unique_name`): the client's policy with
/// POST allowed, and one deadline for the whole call.
pub(crate) struct LookupRetry {
    policy: RetryPolicy,
    started: Instant,
    timeout: Duration,
    attempt: u32,
}

impl LookupRetry {
    pub fn new(policy: &RetryPolicy, timeout: Duration) -> Self {
        let mut policy = policy.clone();
        policy.retry_non_idempotent = true;
        LookupRetry {
            policy,
            started: Instant::now(),
            timeout,
            attempt: 0,
        }
    }

    /// The time left for the next request.
    pub fn left(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    /// The attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// After a failed attempt of `call`: the wait before the look-up and the next attempt,
    /// or `None` to give up with `err` (refused before sending, not retryable, or no time).
    pub fn after_failure<R>(
        &mut self,
        core: &Core,
        call: &Call<R>,
        err: &Error,
    ) -> Option<Duration> {
        self.attempt += 1;
        if matches!(
            err,
            Error::InvalidInput(_) | Error::Config(_) | Error::Io { .. }
        ) {
            return None;
        }
        let delay = core.retry_delay(
            &self.policy,
            call,
            self.attempt,
            self.started,
            &Failure::of(err),
        )?;
        (self.started.elapsed() + delay < self.timeout).then_some(delay)
    }
}

/// Why an attempt failed, for the retry decision.
pub(crate) enum Failure {
    Status(u16, Option<Duration>),
    Connect,
    Transport,
    /// A failed TLS handshake: trying again cannot help.
    Tls,
}

impl Failure {
    /// The failure behind a finished call's error.
    pub fn of(e: &Error) -> Failure {
        match e.status() {
            Some(s) if e.api_error().is_some() => Failure::Status(s, e.retry_after()),
            _ if e.is_connect() => Failure::Connect,
            _ if e.is_tls() => Failure::Tls,
            _ => Failure::Transport,
        }
    }
}

/// What a TLS library said, when `e` is a failed handshake (found down its source chain;
/// I/O errors carry the TLS error inside, not as their source).
fn tls_failure(e: &reqwest::Error) -> Option<String> {
    fn tls_text(err: &(dyn std::error::Error + 'static)) -> Option<String> {
        #[cfg(feature = "rustls")]
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.to_string());
        }
        #[cfg(feature = "native-tls")]
        if let Some(t) = err.downcast_ref::<native_tls_crate::Error>() {
            return Some(t.to_string());
        }
        let _ = err;
        None
    }
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    // Bounded: a chain is a few links long.
    for _ in 0..32 {
        let err = cur?;
        if let Some(t) = tls_text(err) {
            return Some(t);
        }
        // An I/O error wraps its cause (`get_ref`) rather than naming it as its source.
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
                None => err.source(),
            },
            None => err.source(),
        };
    }
    None
}

/// Maps a reqwest error to ours, keeping timeout, TLS and connect apart.
pub(crate) fn transport_error<R>(call: &Call<R>, e: reqwest::Error) -> (Error, Failure) {
    let method = call.method.to_string();
    let url = call.url_str().to_owned();
    if e.is_timeout() {
        (
            Error::Timeout {
                method,
                url,
                source: Some(e),
            },
            Failure::Transport,
        )
    } else if let Some(reason) = tls_failure(&e) {
        (
            Error::Tls {
                method,
                url,
                reason,
                source: e,
            },
            Failure::Tls,
        )
    } else if e.is_connect() {
        (
            Error::Connect {
                method,
                url,
                source: e,
            },
            Failure::Connect,
        )
    } else {
        (
            Error::Transport {
                method,
                url,
                source: Box::new(e),
            },
            Failure::Transport,
        )
    }
}

/// The error of a broken response body (reqwest's, or the I/O error wrapping it).
pub(crate) type BodyError = Box<dyn std::error::Error + Send + Sync>;

/// Maps a failure while reading a body, keeping timeouts apart.
pub(crate) fn body_error<R>(call: &Call<R>, e: BodyError) -> Error {
    let method = call.method.to_string();
    let url = call.url_str().to_owned();
    let timed_out = match e.downcast_ref::<reqwest::Error>() {
        Some(re) => re.is_timeout(),
        None => match e.downcast_ref::<std::io::Error>() {
            Some(io) => {
                io.kind() == std::io::ErrorKind::TimedOut
                    || io
                        .get_ref()
                        .and_then(|i| i.downcast_ref::<reqwest::Error>())
                        .is_some_and(reqwest::Error::is_timeout)
            }
            None => false,
        },
    };
    if timed_out {
        Error::Timeout {
            method,
            url,
            source: None,
        }
    } else {
        Error::Transport {
            method,
            url,
            source: e,
        }
    }
}

/// `Retry-After` in seconds or as an HTTP date.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// A client-side limit of requests per second: each request reserves the next free slot.
struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `per_second` is validated by the config builder (at least one a day).
    fn new(per_second: f64) -> Self {
        RateLimiter {
            interval: Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(Duration::ZERO),
            next: Mutex::new(None),
        }
    }

    fn reserve(&self) -> Option<Duration> {
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let slot = match *next {
            Some(t) if t > now => t,
            _ => now,
        };
        *next = Some(slot.checked_add(self.interval).unwrap_or(slot));
        let wait = slot.saturating_duration_since(now);
        (!wait.is_zero()).then_some(wait)
    }
}

/// Installs rustls' `ring` provider as the process default if nothing else did: reqwest's
/// `rustls-no-provider` build needs one, and a provider the application installed wins.
#[cfg(feature = "rustls")]
pub(crate) fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err means another thread installed one first: fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(feature = "rustls"))]
pub(crate) fn ensure_crypto_provider() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn core(base: &str) -> Core {
        Core::new(StrapiConfig::new(base, "t").unwrap()).unwrap()
    }

    #[test]
    fn ids_are_one_segment() {
        let c = core("https://host/cms");
        let url = c.api_url(&["articles", "a/b?c#d%e"], Some("x=1"));
        assert_eq!(
            url.as_str(),
            "https://host/cms/api/articles/a%2Fb%3Fc%23d%25e?x=1"
        );
        let url = c.api_url(&["articles"], None);
        assert_eq!(url.as_str(), "https://host/cms/api/articles");
        for bad in ["", " ", ".", ".."] {
            assert!(EntryId::from(bad).checked().is_err());
        }
        assert!(check_name("collection", "articles").is_ok());
        for bad in ["", "a/b", "a?b", "..", "a b"] {
            assert!(check_name("collection", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn route_templates_hide_names_and_ids() {
        let base = Url::parse("http://h:1337/cms").unwrap();
        let t = |p: &str| {
            route_template(
                &base,
                &Url::parse(&format!("http://h:1337/cms{p}")).unwrap(),
            )
        };
        assert_eq!(t("/api/articles?filters[title][$eq]=x"), "/api/:plural");
        assert_eq!(t("/api/articles/abc123"), "/api/:plural/:id");
        assert_eq!(
            t("/api/articles/abc123/localizations"),
            "/api/:plural/:id/localizations"
        );
        assert_eq!(t("/api/upload/files/7"), "/api/upload/files/:id");
        assert_eq!(t("/api/upload"), "/api/upload");
        assert_eq!(t("/api/users/me"), "/api/users/me");
        assert_eq!(t("/api/users/12"), "/api/users/:id");
        assert_eq!(t("/api/auth/local/register"), "/api/auth/local/register");
        assert_eq!(
            t("/api/auth/github/callback"),
            "/api/auth/:provider/callback"
        );
        assert_eq!(t("/api/connect/github"), "/api/connect/:provider");
        assert_eq!(
            t("/api/users-permissions/roles/3"),
            "/api/users-permissions/roles/:id"
        );
        assert_eq!(
            t("/content-manager/collection-types/api::article.article/d1/actions/unpublish"),
            "/content-manager/collection-types/:uid/:id/actions/unpublish"
        );
        assert_eq!(t("/admin/login"), "/admin/login");
        assert_eq!(t("/upload/folders/4"), "/upload/folders/:id");
        assert_eq!(t("/uploads/a_b.png"), "/uploads/:file");
        assert_eq!(t(""), "/");
        let cdn = Url::parse("https://cdn.example/x/y.png").unwrap();
        assert_eq!(route_template(&base, &cdn), ":external");
    }

    #[test]
    fn logged_urls_leave_query_values_out() {
        let u = Url::parse(
            "http://h/api/users?filters[email][$eq]=ada%40x.org&flag&pagination[page]=2",
        )
        .unwrap();
        assert_eq!(
            loggable_url(&u, false),
            "http://h/api/users?filters[email][$eq]=*&flag&pagination[page]=*"
        );
        assert_eq!(loggable_url(&u, true), u.as_str());
        let plain = Url::parse("http://h/api/users/1").unwrap();
        assert_eq!(loggable_url(&plain, false), "http://h/api/users/1");
    }

    #[test]
    fn media_urls() {
        let c = core("https://host/cms/");
        assert_eq!(
            c.media_url("/uploads/a b.jpg").unwrap().as_str(),
            "https://host/cms/uploads/a%20b.jpg"
        );
        assert_eq!(
            c.media_url("https://cdn.example/x.jpg?sig=1")
                .unwrap()
                .as_str(),
            "https://cdn.example/x.jpg?sig=1"
        );
        assert_eq!(
            c.media_url("//cdn.example/x.jpg").unwrap().as_str(),
            "https://cdn.example/x.jpg"
        );
        assert!(c.media_url("/uploads/../../etc/passwd").is_err());
        assert!(c.media_url("ftp://x/y").is_err());
        assert!(c.media_url("").is_err());
        assert!(c.same_origin(&c.media_url("/uploads/x").unwrap()));
        assert!(!c.same_origin(&c.media_url("https://cdn.example/x").unwrap()));
    }

    #[test]
    fn media_urls_refuse_dots_and_control_characters() {
        // A root base URL: climbing "above the base" is not the only danger there.
        let c = core("http://h:1337");
        for bad in [
            "/uploads/../../etc/passwd",
            "/uploads/./x.png",
            "/uploads/%2e%2E/x",
            "/uploads/.%2e/x",
            "/uploads/%2E/x",
            "/uploads/..\\x",
            "..",
            "uploads/..",
            "http://h:1337/uploads/../admin",
            "https://cdn.example/a/%2e%2e/b",
            "//cdn.example/./x",
            "/uploads/a\tb.bin",
            "/uploads/a\r\nb.bin",
            "/uploads/a\u{0b}b",
            "/uploads/x?sig=\n1",
        ] {
            let err = c.media_url(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
            assert!(!err.to_string().contains(['\n', '\r', '\t']), "{err}");
        }
        for good in [
            "/uploads/x..y.png",
            "/uploads/...",
            "/uploads/.hidden",
            "/uploads/x.png?a=..",
        ] {
            assert!(c.media_url(good).is_ok(), "{good:?}");
        }
        let long = format!("/uploads/{}", "x".repeat(crate::MAX_URL_LEN));
        assert!(matches!(c.media_url(&long), Err(Error::InvalidInput(_))));
        assert!(c.raw_url("/api/a\tb", None).is_err());
    }

    #[test]
    fn redirects_become_typed_errors() {
        let c = core("http://h/cms/");
        let call = Call::<()>::new(Method::POST, c.api_url(&["articles"], None));
        let mut h = HeaderMap::new();
        h.insert(
            reqwest::header::LOCATION,
            HeaderValue::from_static("/elsewhere"),
        );
        match c.error_from(&call, 302, &h, b"") {
            Error::Redirected {
                status,
                method,
                location,
                ..
            } => {
                assert_eq!(status, 302);
                assert_eq!(method, "POST");
                assert_eq!(location.as_deref(), Some("http://h/elsewhere"));
            }
            other => panic!("{other:?}"),
        }
        let e = c.error_from(&call, 307, &HeaderMap::new(), b"");
        assert!(
            matches!(e, Error::Redirected { location: None, .. }),
            "{e:?}"
        );
        assert_eq!(e.status(), Some(307));
        assert!(!e.is_retryable());
    }

    #[test]
    fn json_failures_name_their_reason() {
        let c = core("http://h");
        let deep = format!("{}{}", "[".repeat(180), "]".repeat(180));
        for (body, want) in [
            (
                r#"{"data":1e999}"#.to_owned(),
                UnexpectedReason::NumberOutOfRange,
            ),
            (format!(r#"{{"data":{deep}}}"#), UnexpectedReason::TooDeep),
            ("<html>".to_owned(), UnexpectedReason::NotJson),
        ] {
            for e in [
                c.decode_entry::<Value>(200, body.as_bytes()).unwrap_err(),
                from_slice::<Value>(200, body.as_bytes()).unwrap_err(),
            ] {
                match e {
                    Error::UnexpectedResponse { reason, .. } => assert_eq!(reason, want),
                    other => panic!("{other:?}"),
                }
            }
        }
        c.set_version(ApiVersion::V5);
        let e = c
            .decode_entry::<Value>(200, br#"{"data":-1e999}"#)
            .unwrap_err();
        assert!(
            matches!(
                e,
                Error::UnexpectedResponse {
                    reason: UnexpectedReason::NumberOutOfRange,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    #[test]
    fn extreme_policies_do_not_panic() {
        // `with_retry` takes a policy without validation: huge delays must not overflow.
        let c = core("http://h");
        let get = Call::<()>::new(Method::GET, c.api_url(&["a"], None));
        let policy = RetryPolicy {
            max_delay: Duration::MAX,
            base_delay: Duration::MAX,
            budget: Duration::MAX,
            ..RetryPolicy::default()
        };
        let t0 = Instant::now();
        for attempt in 1..3 {
            let _ = c.retry_delay(&policy, &get, attempt, t0, &Failure::Status(503, None));
            let hint = Failure::Status(429, Some(Duration::MAX));
            let _ = c.retry_delay(&policy, &get, attempt, t0, &hint);
        }
        let slow = RateLimiter::new(crate::config::MIN_RATE_LIMIT);
        assert_eq!(slow.reserve(), None);
        assert!(slow.reserve().unwrap() > Duration::from_secs(86_000));
        let fast = RateLimiter::new(1e300);
        assert_eq!(fast.reserve(), None);
    }

    #[test]
    fn raw_urls() {
        let c = core("http://h:1337");
        assert_eq!(
            c.raw_url("/api/custom/route", Some("a=1"))
                .unwrap()
                .as_str(),
            "http://h:1337/api/custom/route?a=1"
        );
        assert!(c.raw_url("/api/../admin", None).is_err());
        assert!(c.raw_url("/api/x?y=1", None).is_err());
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("3"));
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(3)));
        let future = SystemTime::now() + Duration::from_secs(120);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(future)).unwrap(),
        );
        let d = parse_retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(100) && d <= Duration::from_secs(120),
            "{d:?}"
        );
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&h), None);
    }

    #[test]
    fn retry_decisions() {
        let c = core("http://h");
        let policy = RetryPolicy::default().jitter(false);
        let get = Call::<()>::new(Method::GET, c.api_url(&["a"], None));
        let post = Call::<()>::new(Method::POST, c.api_url(&["a"], None));
        let t0 = Instant::now();
        let s503 = Failure::Status(503, None);
        assert_eq!(
            c.retry_delay(&policy, &get, 1, t0, &s503),
            Some(policy.base_delay)
        );
        assert_eq!(
            c.retry_delay(&policy, &get, 2, t0, &s503),
            Some(policy.base_delay * 2)
        );
        assert_eq!(c.retry_delay(&policy, &get, 3, t0, &s503), None);
        assert_eq!(c.retry_delay(&policy, &post, 1, t0, &s503), None);
        assert!(
            c.retry_delay(&policy, &post, 1, t0, &Failure::Connect)
                .is_some()
        );
        assert_eq!(
            c.retry_delay(&policy, &post, 1, t0, &Failure::Transport),
            None
        );
        let opted = policy.clone().retry_non_idempotent(true);
        assert!(c.retry_delay(&opted, &post, 1, t0, &s503).is_some());
        assert_eq!(
            c.retry_delay(&policy, &get, 1, t0, &Failure::Status(500, None)),
            None
        );
        let hint = Failure::Status(429, Some(Duration::from_secs(3600)));
        assert_eq!(
            c.retry_delay(
                &policy.clone().budget(Duration::from_secs(7200)),
                &get,
                1,
                t0,
                &hint
            ),
            Some(policy.max_delay)
        );
        let jittered = RetryPolicy::default();
        for _ in 0..100 {
            let d = c.retry_delay(&jittered, &get, 2, t0, &s503).unwrap();
            assert!(d <= jittered.base_delay * 2);
        }
    }

    #[test]
    fn rate_limiter_spaces_requests() {
        let l = RateLimiter::new(10.0);
        assert_eq!(l.reserve(), None);
        let second = l.reserve().unwrap();
        assert!(second > Duration::from_millis(80) && second <= Duration::from_millis(100));
        let third = l.reserve().unwrap();
        assert!(third > Duration::from_millis(180));
    }

    #[test]
    fn decodes_v4_and_v5_into_one_shape() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Author {
            name: String,
        }
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Article {
            id: u64,
            title: String,
            author: Option<Author>,
        }
        let v4 = br#"{"data":[{"id":1,"attributes":{"title":"A","author":{"data":{"id":2,"attributes":{"name":"Ada"}}}}}],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":1,"total":1}}}"#;
        let c4 = core("http://h");
        let r: ListResponse<Article> = c4.decode_list(200, v4).unwrap();
        assert_eq!(c4.version(), Some(ApiVersion::V4));
        let v5 = br#"{"data":[{"id":1,"documentId":"d","title":"A","author":{"id":2,"documentId":"e","name":"Ada"}}],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":1,"total":1}}}"#;
        let c5 = core("http://h");
        let r5: ListResponse<Article> = c5.decode_list(200, v5).unwrap();
        assert_eq!(c5.version(), Some(ApiVersion::V5));
        assert_eq!(r.data, r5.data);
        assert_eq!(r.meta.pagination.unwrap().total, Some(1));
        // The v5 fast path, second time round.
        let again: ListResponse<Article> = c5.decode_list(200, v5).unwrap();
        assert_eq!(again.data, r5.data);
    }

    #[test]
    fn decode_errors_are_typed() {
        let c = core("http://h");
        let e = c.decode_entry::<Value>(200, b"").unwrap_err();
        assert!(matches!(
            e,
            Error::UnexpectedResponse {
                reason: UnexpectedReason::EmptyBody,
                ..
            }
        ));
        let e = c.decode_entry::<Value>(200, b"<html>").unwrap_err();
        assert!(matches!(
            e,
            Error::UnexpectedResponse {
                reason: UnexpectedReason::NotJson,
                ..
            }
        ));
        let e = c.decode_entry::<Value>(200, br#"{"ok":true}"#).unwrap_err();
        assert!(matches!(
            e,
            Error::UnexpectedResponse {
                reason: UnexpectedReason::NoData,
                ..
            }
        ));
        let e = c
            .decode_list::<Value>(200, br#"{"data":{"id":1}}"#)
            .unwrap_err();
        assert!(matches!(
            e,
            Error::UnexpectedResponse {
                reason: UnexpectedReason::Shape(_),
                ..
            }
        ));
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            views: u32,
        }
        let e = c
            .decode_list::<T>(200, br#"{"data":[{"views":1},{"views":"x"}]}"#)
            .unwrap_err();
        match e {
            Error::Decode { path, .. } => assert_eq!(path, "data[1].views"),
            other => panic!("{other:?}"),
        }
        c.set_version(ApiVersion::V5);
        let e = c
            .decode_list::<T>(200, br#"{"data":[{"views":1},{"views":"x"}]}"#)
            .unwrap_err();
        assert!(matches!(e, Error::Decode { .. }), "{e:?}");
    }
}
