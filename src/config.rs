//! Client configuration: [`StrapiConfig`], its builder, [`RetryPolicy`] and environment
//! variables.
//!
//! Everything is validated when the configuration is built, so a client never starts with
//! a base URL it cannot use or an empty token.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::version::ApiVersion;

/// A credential that never shows in `Debug` output, logs or error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret itself. Call this only to send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Credentials for Strapi's admin API, which serves the admin half of the media library
/// (folders, uploads into a folder, image settings) and Strapi 5's unpublish.
///
/// One client can hold an API token and admin credentials: each request uses the one its
/// route needs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AdminAuth {
    /// None: admin-only calls fail with [`Error::AdminRequired`] before sending.
    None,
    /// A Strapi 5 admin token (Settings → Admin Tokens), or an admin JWT you obtained.
    Token(Secret),
    /// An admin user's email and password: the client logs in (`POST /admin/login`) on the
    /// first admin call, and again when the session has expired.
    Login {
        /// The admin's email.
        email: String,
        /// The admin's password.
        password: Secret,
    },
}

/// How the client authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// No credentials: requests run as Strapi's *public* role.
    None,
    /// An API token (Settings → API Tokens), sent as `Authorization: Bearer …`.
    ApiToken(Secret),
    /// A users-permissions JWT (from `/api/auth/local`), sent as `Authorization: Bearer …`.
    Jwt(Secret),
}

/// When and how the client retries a failed request.
///
/// Only idempotent requests (GET, PUT, DELETE, HEAD) are retried by default: a POST that
/// reached the server may have created something, and sending it again would create it
/// twice. For creates that must be retried, use `create_once` (it looks a unique key up
/// before resending, so it never duplicates). [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent)
/// resends every POST and does duplicate each write whose answer was lost.
///
/// A call's timeout bounds its retries too: no attempt starts, and no wait is taken, past
/// the call's deadline (see [`StrapiConfigBuilder::timeout`]).
///
/// Waits grow exponentially from `base_delay`, capped at `max_delay`, with "full jitter"
/// (a uniformly random wait between zero and the cap) when `jitter` is on. A server's
/// `Retry-After` (seconds or HTTP date) is honoured, capped at `max_delay`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts, the first included. `1` disables retries.
    pub max_attempts: u32,
    /// Delay before the first retry (before jitter).
    pub base_delay: Duration,
    /// Upper bound of any single wait.
    pub max_delay: Duration,
    /// Full jitter: wait a random time in `[0, delay]` instead of `delay`.
    pub jitter: bool,
    /// Statuses that are retried. Default: 429, 502, 503, 504.
    pub retry_on_status: Vec<u16>,
    /// Retry connect errors (the request never reached the server). Default: on.
    pub retry_on_connect: bool,
    /// Retry broken connections (reset, closed before the answer) of idempotent requests.
    /// Default: on. Timeouts are never retried: the client's timeout bounds the whole call,
    /// so when it fires the time is spent.
    pub retry_on_transport: bool,
    /// Also retry POST (creates and uploads). Default: off, since it can duplicate writes.
    pub retry_non_idempotent: bool,
    /// Stop retrying once this much time has passed since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            jitter: true,
            retry_on_status: vec![429, 502, 503, 504],
            retry_on_connect: true,
            retry_on_transport: true,
            retry_non_idempotent: false,
            budget: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// Sets the total number of attempts (at least 1).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }
    /// Sets the delay before the first retry.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }
    /// Sets the cap of any single wait.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }
    /// Turns full jitter on or off.
    pub fn jitter(mut self, on: bool) -> Self {
        self.jitter = on;
        self
    }
    /// Sets the retried statuses.
    pub fn retry_on_status(mut self, statuses: impl IntoIterator<Item = u16>) -> Self {
        self.retry_on_status = statuses.into_iter().collect();
        self
    }
    /// Allows retrying POST requests (creates, uploads). Off by default. This duplicates
    /// every write whose first attempt was stored but whose answer was lost; prefer
    /// `create_once`, which cannot.
    pub fn retry_non_idempotent(mut self, on: bool) -> Self {
        self.retry_non_idempotent = on;
        self
    }
    /// Sets the total time budget for retries.
    pub fn budget(mut self, d: Duration) -> Self {
        self.budget = d;
        self
    }

    /// Checks the policy as [`StrapiConfigBuilder::build`] does: at least one attempt,
    /// `base_delay <= max_delay <= 1 day`, a budget of at most a day, and only error
    /// statuses (400–599) to retry on.
    pub fn validate(&self) -> Result<()> {
        if self.max_attempts == 0 {
            return Err(Error::Config(
                "retry max_attempts must be at least 1".into(),
            ));
        }
        if self.max_delay < self.base_delay {
            return Err(Error::Config(
                "retry max_delay must not be smaller than base_delay".into(),
            ));
        }
        for (name, d) in [("max_delay", self.max_delay), ("budget", self.budget)] {
            if d > MAX_WAIT {
                return Err(Error::Config(format!(
                    "retry {name} must be at most one day, got {d:?}"
                )));
            }
        }
        if let Some(s) = self
            .retry_on_status
            .iter()
            .find(|s| !(400..=599).contains(*s))
        {
            return Err(Error::Config(format!(
                "retry_on_status takes error statuses (400-599), got {s}"
            )));
        }
        Ok(())
    }
}

/// The longest retry wait or budget accepted (one day).
const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// The slowest client-side rate limit accepted, in requests per second (one a day).
pub const MIN_RATE_LIMIT: f64 = 1.0 / (24.0 * 60.0 * 60.0);

/// Headers the client sets itself, refused as custom headers (two values would be sent).
const MANAGED_HEADERS: &[&str] = &[
    "accept",
    "content-type",
    "content-length",
    "transfer-encoding",
    "host",
    "range",
    "connection",
];

/// Checks a custom header (config default header or a view's): a valid name and value,
/// not one the client sets itself, and not `Authorization` when credentials are set.
pub(crate) fn custom_header(
    name: &str,
    value: &str,
    has_auth: bool,
) -> std::result::Result<(HeaderName, HeaderValue), String> {
    let n = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("invalid header name {:?}", crate::error::clip(name)))?;
    if MANAGED_HEADERS.contains(&n.as_str()) {
        return Err(format!("the client sets {n} itself"));
    }
    if has_auth && n == reqwest::header::AUTHORIZATION {
        return Err(
            "an Authorization header would conflict with the configured credentials".into(),
        );
    }
    // Do not echo the value: it may be a credential.
    let mut v =
        HeaderValue::from_str(value).map_err(|_| format!("invalid value for header {n}"))?;
    v.set_sensitive(true);
    Ok((n, v))
}

/// Everything a client needs to talk to one Strapi server.
///
/// ```
/// use std::time::Duration;
/// use strapi_kit::{ApiVersion, StrapiConfig};
///
/// // The short form: base URL and API token.
/// let config = StrapiConfig::new("https://cms.example.com/api/", "my-token")?;
/// assert_eq!(config.base_url().as_str(), "https://cms.example.com/");
///
/// // The builder, for everything else.
/// let config = StrapiConfig::builder("http://localhost:1337")
///     .api_token("my-token")
///     .api_version(ApiVersion::V5)
///     .timeout(Duration::from_secs(60))
///     .build()?;
/// # Ok::<(), strapi_kit::Error>(())
/// ```
#[derive(Clone)]
pub struct StrapiConfig {
    pub(crate) base_url: Url,
    pub(crate) auth: Auth,
    pub(crate) api_version: Option<ApiVersion>,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    pub(crate) pool_max_idle_per_host: usize,
    pub(crate) pool_idle_timeout: Duration,
    pub(crate) user_agent: String,
    pub(crate) default_headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_limit: Option<f64>,
    pub(crate) max_response_bytes: usize,
    pub(crate) max_concurrent_requests: usize,
    pub(crate) admin: AdminAuth,
    pub(crate) compression: bool,
    pub(crate) hooks: crate::hooks::Hooks,
    pub(crate) log_query_values: bool,
    pub(crate) tls: TlsSettings,
    pub(crate) proxy: ProxySetting,
}

/// Which TLS library a client uses (see [`StrapiConfigBuilder::tls_backend`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsBackend {
    /// rustls with the `ring` provider (feature `rustls`, the default).
    Rustls,
    /// The platform's library, OpenSSL on Linux (feature `native-tls`).
    NativeTls,
}

#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub(crate) type TlsCert = reqwest::Certificate;
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub(crate) type TlsIdentity = reqwest::Identity;
/// No certificate exists in a build without TLS.
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
#[derive(Clone)]
pub(crate) enum TlsCert {}
#[cfg(not(any(feature = "rustls", feature = "native-tls")))]
#[derive(Clone)]
pub(crate) enum TlsIdentity {}

/// The TLS settings, validated and ready for reqwest.
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    pub backend: Option<TlsBackend>,
    #[cfg_attr(not(any(feature = "rustls", feature = "native-tls")), allow(dead_code))]
    pub roots: Vec<TlsCert>,
    #[cfg_attr(not(any(feature = "rustls", feature = "native-tls")), allow(dead_code))]
    pub roots_only: bool,
    pub identity: Option<TlsIdentity>,
}

/// The proxy setting, validated.
#[derive(Clone)]
pub(crate) enum ProxySetting {
    /// The environment's `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (reqwest's
    /// default).
    FromEnv,
    /// No proxy at all, whatever the environment says.
    Off,
    /// This proxy (credentials inside, hence never shown).
    Explicit(Box<reqwest::Proxy>),
}

impl fmt::Debug for ProxySetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProxySetting::FromEnv => "FromEnv",
            ProxySetting::Off => "Off",
            ProxySetting::Explicit(_) => "Explicit",
        })
    }
}

impl fmt::Debug for StrapiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may carry credentials too: show only their names.
        let header_names: Vec<&str> = self.default_headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("StrapiConfig")
            .field("base_url", &self.base_url.as_str())
            .field("auth", &self.auth)
            .field("admin", &self.admin)
            .field("api_version", &self.api_version)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("pool_max_idle_per_host", &self.pool_max_idle_per_host)
            .field("pool_idle_timeout", &self.pool_idle_timeout)
            .field("user_agent", &self.user_agent)
            .field("default_headers", &header_names)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("compression", &self.compression)
            .field("hooks", &self.hooks)
            .field("log_query_values", &self.log_query_values)
            .field("tls_backend", &self.tls.backend)
            .field("tls_custom_roots", &self.tls.roots.len())
            .field("tls_identity", &self.tls.identity.is_some())
            .field("proxy", &self.proxy)
            .finish()
    }
}

/// The default of [`StrapiConfigBuilder::max_response_bytes`]: 64 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// The default of [`StrapiConfigBuilder::max_concurrent_requests`].
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

/// The default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = concat!("strapi-kit-rust/", env!("CARGO_PKG_VERSION"));

impl StrapiConfig {
    /// A configuration with an API token and every other setting at its default.
    ///
    /// Fails with [`Error::Config`] when the URL is not `http(s)://host[/path]` or the token
    /// is blank. A trailing `/` and a final `/api` segment are removed:
    /// `https://x/api/` becomes `https://x`; `https://host/cms` keeps its sub-path.
    pub fn new(base_url: impl AsRef<str>, api_token: impl Into<String>) -> Result<Self> {
        Self::builder(base_url.as_ref())
            .api_token(api_token)
            .build()
    }

    /// A builder, for the settings beyond URL and token.
    pub fn builder(base_url: impl Into<String>) -> StrapiConfigBuilder {
        StrapiConfigBuilder {
            base_url: base_url.into(),
            auth: AuthInput::None,
            api_version: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            pool_max_idle_per_host: 32,
            // Strapi runs on Node, whose keep-alive timeout is 5 s: a connection idle for
            // longer may be closed by the server just as a request goes out on it.
            pool_idle_timeout: Duration::from_secs(4),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            default_headers: Vec::new(),
            retry: RetryPolicy::default(),
            rate_limit: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            admin: AdminInput::None,
            compression: true,
            hooks: crate::hooks::Hooks::default(),
            log_query_values: false,
            tls_backend: None,
            roots_pem: Vec::new(),
            roots_only: false,
            identity_pem: None,
            proxy: ProxyInput::FromEnv,
        }
    }

    /// Reads the configuration from the process environment.
    ///
    /// | variable | meaning | default |
    /// |---|---|---|
    /// | `STRAPI_BASE_URL` | server URL (required) | |
    /// | `STRAPI_API_TOKEN` | API token (required) | |
    /// | `STRAPI_API_VERSION` | `auto`, `v4` or `v5` | `auto` |
    /// | `STRAPI_TIMEOUT` | request timeout, seconds | 30 |
    /// | `STRAPI_CONNECT_TIMEOUT` | connect timeout, seconds | 10 |
    /// | `STRAPI_RETRY_MAX_ATTEMPTS` | total attempts | 3 |
    /// | `STRAPI_RETRY_BASE_DELAY` | first retry delay, seconds | 0.25 |
    /// | `STRAPI_RETRY_MAX_DELAY` | cap of one wait, seconds | 10 |
    /// | `STRAPI_RATE_LIMIT` | requests per second, client-side | none |
    /// | `STRAPI_ADMIN_TOKEN` | admin token for the admin API (folders, settings) | none |
    /// | `STRAPI_ADMIN_EMAIL`, `STRAPI_ADMIN_PASSWORD` | an admin's login, instead of a token | none |
    ///
    /// A blank optional variable counts as unset. A required one that is missing or blank
    /// is an [`Error::Config`] naming it: `STRAPI_API_TOKEN is not set` or `… is empty`.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|key| std::env::var(key).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests,
    /// or a configuration source of your own).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self> {
        // A blank optional variable counts as unset; a blank required one is an error
        // that says so (an empty `STRAPI_API_TOKEN=` in a .env file is "empty", not missing).
        let get = |key: &str| lookup(key).filter(|v| !v.trim().is_empty());
        let required = |key: &str| match lookup(key) {
            None => Err(Error::Config(format!("{key} is not set"))),
            Some(v) if v.trim().is_empty() => Err(Error::Config(format!("{key} is empty"))),
            Some(v) => Ok(v),
        };
        let base_url = required("STRAPI_BASE_URL")?;
        let token = required("STRAPI_API_TOKEN")?;
        let mut b = Self::builder(base_url).api_token(token);
        if let Some(v) = get("STRAPI_API_VERSION") {
            b = b.api_version_setting(&v)?;
        }
        let secs = |key: &str| -> Result<Option<Duration>> {
            get(key)
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|s| s.is_finite() && *s > 0.0 && *s < 1e9)
                        .map(Duration::from_secs_f64)
                        .ok_or_else(|| {
                            Error::Config(format!(
                                "{key} must be a positive number of seconds, got {v:?}"
                            ))
                        })
                })
                .transpose()
        };
        if let Some(d) = secs("STRAPI_TIMEOUT")? {
            b = b.timeout(d);
        }
        if let Some(d) = secs("STRAPI_CONNECT_TIMEOUT")? {
            b = b.connect_timeout(d);
        }
        let mut retry = RetryPolicy::default();
        if let Some(v) = get("STRAPI_RETRY_MAX_ATTEMPTS") {
            retry.max_attempts = v.trim().parse().map_err(|_| {
                Error::Config(format!(
                    "STRAPI_RETRY_MAX_ATTEMPTS must be a whole number, got {v:?}"
                ))
            })?;
        }
        if let Some(d) = secs("STRAPI_RETRY_BASE_DELAY")? {
            retry.base_delay = d;
        }
        if let Some(d) = secs("STRAPI_RETRY_MAX_DELAY")? {
            retry.max_delay = d;
        }
        b = b.retry(retry);
        if let Some(v) = get("STRAPI_RATE_LIMIT") {
            let rate = v.trim().parse::<f64>().map_err(|_| {
                Error::Config(format!("STRAPI_RATE_LIMIT must be a number, got {v:?}"))
            })?;
            b = b.rate_limit(rate);
        }
        match (
            get("STRAPI_ADMIN_TOKEN"),
            get("STRAPI_ADMIN_EMAIL"),
            get("STRAPI_ADMIN_PASSWORD"),
        ) {
            (Some(t), None, None) => b = b.admin_token(t),
            (None, Some(e), Some(p)) => b = b.admin_login(e, p),
            (None, None, None) => {}
            (Some(_), _, _) => {
                return Err(Error::Config(
                    "set STRAPI_ADMIN_TOKEN or STRAPI_ADMIN_EMAIL + STRAPI_ADMIN_PASSWORD, not both"
                        .into(),
                ));
            }
            _ => {
                return Err(Error::Config(
                    "STRAPI_ADMIN_EMAIL and STRAPI_ADMIN_PASSWORD go together".into(),
                ));
            }
        }
        b.build()
    }

    /// The normalised base URL (always ends with `/`).
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }
    /// The admin credentials.
    pub fn admin_auth(&self) -> &AdminAuth {
        &self.admin
    }
    /// The credentials.
    pub fn auth(&self) -> &Auth {
        &self.auth
    }
    /// The configured API version (`None` = detect automatically).
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.api_version
    }
    /// The overall request timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }
    /// The retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }
    /// The client-side rate limit in requests per second, if any.
    pub fn rate_limit(&self) -> Option<f64> {
        self.rate_limit
    }
    /// The largest JSON response body the client reads.
    pub fn max_response_bytes(&self) -> usize {
        self.max_response_bytes
    }
    /// Whether JSON calls negotiate compression.
    pub fn compression(&self) -> bool {
        self.compression
    }
    /// How many requests one client (with its clones and views) has in flight at most.
    pub fn max_concurrent_requests(&self) -> usize {
        self.max_concurrent_requests
    }
}

enum AuthInput {
    None,
    ApiToken(String),
    Jwt(String),
}

enum AdminInput {
    None,
    Token(String),
    Login(String, String),
}

/// Builds a [`StrapiConfig`]; see [`StrapiConfig::builder`].
pub struct StrapiConfigBuilder {
    base_url: String,
    auth: AuthInput,
    api_version: Option<ApiVersion>,
    timeout: Duration,
    connect_timeout: Duration,
    pool_max_idle_per_host: usize,
    pool_idle_timeout: Duration,
    user_agent: String,
    default_headers: Vec<(String, String)>,
    retry: RetryPolicy,
    rate_limit: Option<f64>,
    max_response_bytes: usize,
    max_concurrent_requests: usize,
    admin: AdminInput,
    compression: bool,
    hooks: crate::hooks::Hooks,
    log_query_values: bool,
    tls_backend: Option<TlsBackend>,
    roots_pem: Vec<Vec<u8>>,
    roots_only: bool,
    identity_pem: Option<(Vec<u8>, Secret)>,
    proxy: ProxyInput,
}

enum ProxyInput {
    FromEnv,
    Off,
    Explicit {
        url: String,
        credentials: Option<(String, Secret)>,
        no_proxy: Option<String>,
    },
}

impl fmt::Debug for StrapiConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StrapiConfigBuilder")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl StrapiConfigBuilder {
    /// Authenticates with an API token. Without one, requests run as the public role.
    pub fn api_token(mut self, token: impl Into<String>) -> Self {
        self.auth = AuthInput::ApiToken(token.into());
        self
    }
    /// Admin credentials as a token: a Strapi 5 admin token (Settings → Admin Tokens) or an
    /// admin JWT. Used only for the admin API's routes (folders, uploads into a folder,
    /// image settings, Strapi 5's unpublish); other requests keep the API token.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin = AdminInput::Token(token.into());
        self
    }
    /// Admin credentials as an admin user's email and password (Strapi 4 and 5): the client
    /// logs in on the first admin call and again when the session has expired. Used only
    /// for the admin API's routes, like [`admin_token`](Self::admin_token).
    pub fn admin_login(mut self, email: impl Into<String>, password: impl Into<String>) -> Self {
        self.admin = AdminInput::Login(email.into(), password.into());
        self
    }
    /// Authenticates with a users-permissions JWT.
    pub fn jwt(mut self, jwt: impl Into<String>) -> Self {
        self.auth = AuthInput::Jwt(jwt.into());
        self
    }
    /// Fixes the API version instead of detecting it.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = Some(version);
        self
    }
    /// Detects the API version from responses (the default).
    pub fn api_version_auto(mut self) -> Self {
        self.api_version = None;
        self
    }
    fn api_version_setting(self, v: &str) -> Result<Self> {
        match v.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(self.api_version_auto()),
            "v4" | "4" => Ok(self.api_version(ApiVersion::V4)),
            "v5" | "5" => Ok(self.api_version(ApiVersion::V5)),
            _ => Err(Error::Config(format!(
                "STRAPI_API_VERSION must be auto, v4 or v5, got {v:?}"
            ))),
        }
    }
    /// The overall timeout of one call (default 30 s): from the first attempt until the
    /// whole answer is read, retries and their waits included. A call that has not finished
    /// by then fails with [`Error::Timeout`]; a timed-out call is never retried, since the
    /// time it was given is spent.
    ///
    /// Media downloads are the exception: a large file may legitimately take longer, so
    /// for them this bounds the wait for the response and each wait for the next piece of
    /// the body, not the whole transfer (see
    /// [`DownloadOptions`](crate::DownloadOptions) for their own limits). A view made with
    /// `with_timeout` bounds a download as a whole too.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }
    /// The connect timeout (default 10 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Idle connections kept per host (default 32).
    pub fn pool_max_idle_per_host(mut self, n: usize) -> Self {
        self.pool_max_idle_per_host = n;
        self
    }
    /// How long an idle connection stays in the pool (default 4 s, below the 5 s keep-alive
    /// timeout of Node, which Strapi runs on; raise it for servers that keep connections
    /// longer).
    pub fn pool_idle_timeout(mut self, d: Duration) -> Self {
        self.pool_idle_timeout = d;
        self
    }
    /// The `User-Agent` header.
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// A header sent with every request to the configured server (never to another
    /// origin). Refused at [`build`](Self::build): an invalid name or value, a header the
    /// client sets itself (`Accept`, `Content-Type`, `Content-Length`, `Range`, `Host`, …)
    /// and `Authorization` when a token or JWT is set.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }
    /// The retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
    /// A client-side rate limit in requests per second, applied to every call. At least
    /// [`MIN_RATE_LIMIT`] (one a day), checked at [`build`](Self::build).
    pub fn rate_limit(mut self, per_second: f64) -> Self {
        self.rate_limit = Some(per_second);
        self
    }
    /// The largest JSON response body the client reads (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`], 64 MiB). A larger answer, announced by its
    /// `Content-Length` or found while reading, fails with
    /// [`UnexpectedReason::TooLarge`](crate::UnexpectedReason::TooLarge) without reading
    /// the rest, so a hostile or broken server cannot make the client hold an unbounded
    /// body. Media downloads have their own limit.
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }
    /// How many requests one client has in flight at most (default
    /// [`DEFAULT_MAX_CONCURRENT_REQUESTS`], 64), shared by all its clones and views: a call
    /// beyond that waits for a free slot (the wait counts against its timeout). This bounds
    /// the connections the client opens, which reqwest alone does not.
    pub fn max_concurrent_requests(mut self, n: usize) -> Self {
        self.max_concurrent_requests = n;
        self
    }
    /// Whether JSON calls ask for a compressed answer (default on): they send
    /// `Accept-Encoding: gzip, br, zstd` and the answer is decoded before it is read, so
    /// [`max_response_bytes`](Self::max_response_bytes) bounds the decoded body. Strapi
    /// compresses when its `strapi::compression` middleware is on, and so do most reverse
    /// proxies in front of it. Media downloads never ask for compression, whatever this
    /// says: they send `Accept-Encoding: identity` and keep the bytes as they come, so sizes,
    /// ranges and resumed downloads stay exact.
    pub fn compression(mut self, on: bool) -> Self {
        self.compression = on;
        self
    }
    /// Adds a [`RequestHook`](crate::hooks::RequestHook): it may add headers to each
    /// request to the configured server and observes each attempt's outcome (see
    /// [`hooks`](crate::hooks)). Hooks run in the order they were added.
    pub fn hook(mut self, hook: impl crate::hooks::RequestHook) -> Self {
        self.hooks.0.push(std::sync::Arc::new(hook));
        self
    }
    /// Whether logs show the query's values (default off): the `url.full` of the client's
    /// tracing span, and its events, show `?filters[email][$eq]=*` rather than the email,
    /// since filter values can be personal data. Turn on while debugging.
    pub fn log_query_values(mut self, on: bool) -> Self {
        self.log_query_values = on;
        self
    }
    /// The TLS library, when the crate is built with both `rustls` and `native-tls`
    /// (default: rustls when built in, else the native one). Choosing one that is not built
    /// in fails at [`build`](Self::build).
    pub fn tls_backend(mut self, backend: TlsBackend) -> Self {
        self.tls_backend = Some(backend);
        self
    }
    /// Trusts the certificates of a PEM bundle (one or more `-----BEGIN CERTIFICATE-----`
    /// blocks) as roots, besides the built-in ones: for a server whose certificate a
    /// private CA signed. May be called more than once. A bundle without a certificate
    /// fails at [`build`](Self::build).
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        self.roots_pem.push(pem.as_ref().to_vec());
        self
    }
    /// Trusts only the roots given with
    /// [`root_certificates_pem`](Self::root_certificates_pem), not the built-in ones (not
    /// even for media on a public CDN).
    pub fn only_custom_roots(mut self, on: bool) -> Self {
        self.roots_only = on;
        self
    }
    /// A client certificate for mutual TLS: the certificate chain and its private key, both
    /// PEM (the key PKCS#8, `-----BEGIN PRIVATE KEY-----`, which both TLS libraries read).
    /// Checked at [`build`](Self::build); the key never appears in `Debug` output.
    pub fn client_identity_pem(
        mut self,
        cert_chain: impl AsRef<[u8]>,
        private_key: impl AsRef<[u8]>,
    ) -> Self {
        let key = String::from_utf8_lossy(private_key.as_ref()).into_owned();
        self.identity_pem = Some((cert_chain.as_ref().to_vec(), Secret(key)));
        self
    }
    /// Sends every request through this proxy (`http://`, `https://` or `socks5://` URL;
    /// HTTPS requests tunnel through it with `CONNECT`) instead of the environment's.
    ///
    /// Without this setting the client follows the environment, as curl does:
    /// `HTTPS_PROXY` for `https` URLs, `HTTP_PROXY` for `http` ones, `ALL_PROXY` for
    /// both, and `NO_PROXY` (a comma-separated list of hosts, domains, IPs and CIDR ranges)
    /// for the hosts to reach directly; lower-case names work too.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        let (credentials, no_proxy) = match self.proxy {
            ProxyInput::Explicit {
                credentials,
                no_proxy,
                ..
            } => (credentials, no_proxy),
            _ => (None, None),
        };
        self.proxy = ProxyInput::Explicit {
            url: url.into(),
            credentials,
            no_proxy,
        };
        self
    }
    /// Basic credentials for the [`proxy`](Self::proxy) (`Proxy-Authorization`); the
    /// password never appears in `Debug` output or errors. Without a `proxy` this fails
    /// at [`build`](Self::build).
    pub fn proxy_credentials(
        mut self,
        username: impl Into<String>,
        password: impl Into<String>,
    ) -> Self {
        let creds = Some((username.into(), Secret(password.into())));
        match &mut self.proxy {
            ProxyInput::Explicit { credentials, .. } => *credentials = creds,
            _ => {
                self.proxy = ProxyInput::Explicit {
                    url: String::new(),
                    credentials: creds,
                    no_proxy: None,
                }
            }
        }
        self
    }
    /// Hosts the [`proxy`](Self::proxy) is not used for, in `NO_PROXY` syntax:
    /// `localhost,.internal.example,10.0.0.0/8`.
    pub fn no_proxy(mut self, hosts: impl Into<String>) -> Self {
        let list = Some(hosts.into());
        match &mut self.proxy {
            ProxyInput::Explicit { no_proxy, .. } => *no_proxy = list,
            _ => {
                self.proxy = ProxyInput::Explicit {
                    url: String::new(),
                    credentials: None,
                    no_proxy: list,
                }
            }
        }
        self
    }
    /// Ignores the environment's proxy variables (and any [`proxy`](Self::proxy)): every
    /// request goes directly.
    pub fn proxy_off(mut self) -> Self {
        self.proxy = ProxyInput::Off;
        self
    }

    /// Validates and builds the configuration: every value is checked here, so that a
    /// built configuration cannot fail (or panic) later.
    pub fn build(self) -> Result<StrapiConfig> {
        let base_url = normalize_base_url(&self.base_url)?;
        let auth = match self.auth {
            AuthInput::None => Auth::None,
            AuthInput::ApiToken(t) => Auth::ApiToken(Secret(checked_token(t, "API token")?)),
            AuthInput::Jwt(t) => Auth::Jwt(Secret(checked_token(t, "JWT")?)),
        };
        for (name, d) in [
            ("timeout", self.timeout),
            ("connect timeout", self.connect_timeout),
        ] {
            if d.is_zero() {
                return Err(Error::Config(format!("{name} must be positive")));
            }
        }
        self.retry.validate()?;
        let admin = match self.admin {
            AdminInput::None => AdminAuth::None,
            AdminInput::Token(t) => AdminAuth::Token(Secret(checked_token(t, "admin token")?)),
            AdminInput::Login(email, password) => {
                let email = email.trim().to_owned();
                if email.is_empty() || password.is_empty() {
                    return Err(Error::Config(
                        "admin login needs an email and a password".into(),
                    ));
                }
                AdminAuth::Login {
                    email,
                    password: Secret(password),
                }
            }
        };
        if self.max_response_bytes == 0 {
            return Err(Error::Config("max response bytes must be positive".into()));
        }
        if self.max_concurrent_requests == 0 {
            return Err(Error::Config(
                "max concurrent requests must be at least 1".into(),
            ));
        }
        if let Some(r) = self.rate_limit {
            // The limiter waits 1/r seconds between requests: that must be a usable wait.
            if !(r.is_finite() && r >= MIN_RATE_LIMIT) {
                return Err(Error::Config(format!(
                    "rate limit must be a number of requests per second of at least one a day ({MIN_RATE_LIMIT:e}), got {r}"
                )));
            }
        }
        if self.user_agent.is_empty() || HeaderValue::from_str(&self.user_agent).is_err() {
            return Err(Error::Config(
                "user agent must be a non-empty header value".into(),
            ));
        }
        let tls = tls_settings(
            self.tls_backend,
            &self.roots_pem,
            self.roots_only,
            self.identity_pem.as_ref(),
        )?;
        let proxy = match self.proxy {
            ProxyInput::FromEnv => ProxySetting::FromEnv,
            ProxyInput::Off => ProxySetting::Off,
            ProxyInput::Explicit {
                url,
                credentials,
                no_proxy,
            } => ProxySetting::Explicit(Box::new(proxy_setting(
                &url,
                credentials.as_ref(),
                no_proxy,
            )?)),
        };
        let mut default_headers = HeaderMap::new();
        let has_auth = auth != Auth::None;
        for (name, value) in self.default_headers {
            let (n, v) = custom_header(&name, &value, has_auth).map_err(Error::Config)?;
            default_headers.append(n, v);
        }
        Ok(StrapiConfig {
            base_url,
            auth,
            api_version: self.api_version,
            timeout: self.timeout,
            connect_timeout: self.connect_timeout,
            pool_max_idle_per_host: self.pool_max_idle_per_host,
            pool_idle_timeout: self.pool_idle_timeout,
            user_agent: self.user_agent,
            default_headers,
            retry: self.retry,
            rate_limit: self.rate_limit,
            max_response_bytes: self.max_response_bytes,
            max_concurrent_requests: self.max_concurrent_requests,
            admin,
            compression: self.compression,
            hooks: self.hooks,
            log_query_values: self.log_query_values,
            tls,
            proxy,
        })
    }
}

/// The TLS backend to use, refused when not built in.
fn tls_backend(chosen: Option<TlsBackend>) -> Result<TlsBackend> {
    let built = |b: TlsBackend| match b {
        TlsBackend::Rustls => cfg!(feature = "rustls"),
        TlsBackend::NativeTls => cfg!(feature = "native-tls"),
    };
    let backend = match chosen {
        Some(b) => b,
        None if cfg!(feature = "rustls") => TlsBackend::Rustls,
        None if cfg!(feature = "native-tls") => TlsBackend::NativeTls,
        None => {
            return Err(Error::Config(
                "no TLS backend is built in: enable the `rustls` or `native-tls` feature".into(),
            ));
        }
    };
    if !built(backend) {
        return Err(Error::Config(format!(
            "the TLS backend {backend:?} is not built in (cargo feature {})",
            match backend {
                TlsBackend::Rustls => "`rustls`",
                TlsBackend::NativeTls => "`native-tls`",
            }
        )));
    }
    Ok(backend)
}

/// Parses the TLS inputs into what reqwest takes.
fn tls_settings(
    chosen: Option<TlsBackend>,
    roots_pem: &[Vec<u8>],
    roots_only: bool,
    identity_pem: Option<&(Vec<u8>, Secret)>,
) -> Result<TlsSettings> {
    let custom = !roots_pem.is_empty() || roots_only || identity_pem.is_some();
    // Without any TLS setting a client builds without a backend (plain http still works).
    let backend = match (chosen, custom) {
        (None, false) => return Ok(TlsSettings::default()),
        _ => tls_backend(chosen)?,
    };
    #[cfg(not(any(feature = "rustls", feature = "native-tls")))]
    {
        // `tls_backend` refused already: no backend is built in.
        let _ = (backend, roots_only, identity_pem);
        Err(Error::Config("no TLS backend is built in".into()))
    }
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    {
        let mut roots = Vec::new();
        for pem in roots_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .map_err(|e| Error::Config(format!("the root certificates cannot be read: {e}")))?;
            if certs.is_empty() {
                return Err(Error::Config(
                    "the root certificate bundle holds no certificate".into(),
                ));
            }
            roots.extend(certs);
        }
        if roots_only && roots.is_empty() {
            return Err(Error::Config(
                "only custom roots, but no root certificate was given".into(),
            ));
        }
        let identity = match identity_pem {
            None => None,
            Some((cert, key)) => Some(identity(backend, cert, key.expose().as_bytes())?),
        };
        Ok(TlsSettings {
            backend: Some(backend),
            roots,
            roots_only,
            identity,
        })
    }
}

/// A client identity for `backend` from a PEM chain and a PEM PKCS#8 key.
#[cfg(any(feature = "rustls", feature = "native-tls"))]
fn identity(backend: TlsBackend, cert: &[u8], key: &[u8]) -> Result<reqwest::Identity> {
    // The message names the problem, never the key's bytes.
    let bad = |e: reqwest::Error| {
        Error::Config(format!(
            "the client certificate or its key cannot be used: {e}"
        ))
    };
    if !String::from_utf8_lossy(key).contains("-----BEGIN PRIVATE KEY-----") {
        return Err(Error::Config(
            "the client key must be PEM PKCS#8 (-----BEGIN PRIVATE KEY-----)".into(),
        ));
    }
    match backend {
        #[cfg(feature = "rustls")]
        TlsBackend::Rustls => {
            let mut both = cert.to_vec();
            both.push(b'\n');
            both.extend_from_slice(key);
            reqwest::Identity::from_pem(&both).map_err(bad)
        }
        #[cfg(feature = "native-tls")]
        TlsBackend::NativeTls => reqwest::Identity::from_pkcs8_pem(cert, key).map_err(bad),
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (cert, bad);
            Err(Error::Config("no TLS backend is built in".into()))
        }
    }
}

/// The explicit proxy, checked.
fn proxy_setting(
    url: &str,
    credentials: Option<&(String, Secret)>,
    no_proxy: Option<String>,
) -> Result<reqwest::Proxy> {
    if url.trim().is_empty() {
        return Err(Error::Config(
            "proxy credentials or a no-proxy list need a proxy URL (`proxy`)".into(),
        ));
    }
    let parsed =
        Url::parse(url.trim()).map_err(|e| Error::Config(format!("invalid proxy URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https" | "socks5" | "socks5h") {
        return Err(Error::Config(format!(
            "the proxy URL must be http, https or socks5, got {}",
            parsed.scheme()
        )));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::Config(
            "put the proxy's credentials in `proxy_credentials`, not in its URL".into(),
        ));
    }
    let mut proxy = reqwest::Proxy::all(parsed.as_str())
        .map_err(|e| Error::Config(format!("invalid proxy URL: {e}")))?;
    if let Some((user, pass)) = credentials {
        if user.contains(':') || user.chars().any(char::is_control) {
            return Err(Error::Config(
                "the proxy user name must not contain ':' or control characters".into(),
            ));
        }
        proxy = proxy.basic_auth(user, pass.expose());
    }
    if let Some(list) = no_proxy {
        proxy = proxy.no_proxy(reqwest::NoProxy::from_string(&list));
    }
    Ok(proxy)
}

/// A token or JWT, trimmed; refused when blank or not sendable in a header.
pub(crate) fn checked_token(token: String, what: &str) -> Result<String> {
    let trimmed = token.trim();
    if trimmed.is_empty() {
        return Err(Error::Config(format!("{what} is empty")));
    }
    if HeaderValue::from_str(&format!("Bearer {trimmed}")).is_err() {
        // Do not echo the value: it is a secret.
        return Err(Error::Config(format!(
            "{what} contains characters that cannot be sent in a header"
        )));
    }
    Ok(trimmed.to_owned())
}

/// `https://x/api/` → `https://x/`; `https://host/cms` → `https://host/cms/`.
fn normalize_base_url(input: &str) -> Result<Url> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(Error::Config("base URL is empty".into()));
    }
    let mut url = Url::parse(trimmed)
        .map_err(|e| Error::Config(format!("base URL {trimmed:?} is not a valid URL: {e}")))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(Error::Config(format!(
                "base URL must use http or https, not {other:?}"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Error::Config(format!("base URL {trimmed:?} has no host")));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "base URL must not contain credentials; use an API token".into(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(
            "base URL must not have a query or fragment".into(),
        ));
    }
    let mut segments: Vec<String> = url
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    if segments.last().is_some_and(|s| s == "api") {
        segments.pop();
    }
    let mut path = String::from("/");
    for s in &segments {
        path.push_str(s);
        path.push('/');
    }
    url.set_path(&path);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_base_urls() {
        let cases = [
            ("https://x/api/", "https://x/"),
            ("https://x/api", "https://x/"),
            ("https://x", "https://x/"),
            ("http://localhost:1337/", "http://localhost:1337/"),
            ("https://host/cms", "https://host/cms/"),
            ("https://host/cms/api/", "https://host/cms/"),
            ("https://host/api/v1", "https://host/api/v1/"),
            ("  https://x//  ", "https://x/"),
        ];
        for (input, want) in cases {
            let c = StrapiConfig::new(input, "t").unwrap();
            assert_eq!(c.base_url().as_str(), want, "{input}");
        }
    }

    #[test]
    fn rejects_bad_configuration() {
        for url in [
            "",
            "localhost:1337",
            "ftp://x",
            "file:///tmp",
            "http://",
            "not a url",
            "https://u:p@x",
            "https://x?a=1",
        ] {
            let err = StrapiConfig::new(url, "t").unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
        }
        for token in ["", "   ", "\n"] {
            let err = StrapiConfig::new("http://x", token).unwrap_err();
            assert!(matches!(err, Error::Config(_)));
        }
        let err = StrapiConfig::builder("http://x")
            .timeout(Duration::ZERO)
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("timeout"));
        let err = StrapiConfig::builder("http://x")
            .retry(RetryPolicy::default().max_attempts(0))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)));
        assert!(
            StrapiConfig::builder("http://x")
                .rate_limit(-1.0)
                .build()
                .is_err()
        );
    }

    #[test]
    fn every_value_is_checked_at_build() {
        let b = || StrapiConfig::builder("http://x").api_token("t");
        for r in [
            1e-20,
            0.0,
            -1.0,
            f64::NAN,
            f64::INFINITY,
            MIN_RATE_LIMIT / 2.0,
        ] {
            let err = b().rate_limit(r).build().unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{r}");
        }
        assert!(b().rate_limit(MIN_RATE_LIMIT).build().is_ok());
        assert!(b().rate_limit(1e300).build().is_ok());
        let huge = RetryPolicy::default()
            .base_delay(Duration::MAX)
            .max_delay(Duration::MAX);
        assert!(b().retry(huge).build().is_err());
        assert!(
            b().retry(RetryPolicy::default().budget(Duration::MAX))
                .build()
                .is_err()
        );
        assert!(
            b().retry(RetryPolicy::default().retry_on_status([503, 200]))
                .build()
                .is_err()
        );
        assert!(b().connect_timeout(Duration::ZERO).build().is_err());
        assert!(b().user_agent("a\nb").build().is_err());
        assert!(b().user_agent("").build().is_err());
        for name in ["Accept", "content-type", "Content-Length", "Range", "Host"] {
            let err = b().default_header(name, "x").build().unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{name}");
        }
        assert!(
            b().default_header("Authorization", "Basic x")
                .build()
                .is_err()
        );
        assert!(
            StrapiConfig::builder("http://x")
                .default_header("Authorization", "Basic x")
                .build()
                .is_ok()
        );
        assert!(b().default_header("bad name", "x").build().is_err());
        let err = b()
            .default_header("X-Key", "v\r\nsecret")
            .build()
            .unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
        assert!(b().default_header("X-Api-Key", "k").build().is_ok());
        assert!(RetryPolicy::default().validate().is_ok());
    }

    #[test]
    fn token_never_in_debug_or_errors() {
        let c = StrapiConfig::new("http://x", "super-secret-token").unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("super-secret-token"), "{dbg}");
        let err = StrapiConfig::new("http://x", "bad\ntoken-secret\u{7f}").unwrap_err();
        assert!(!err.to_string().contains("token-secret"));
    }

    #[test]
    fn from_lookup_reads_everything() {
        let env = |k: &str| {
            Some(
                match k {
                    "STRAPI_BASE_URL" => "http://localhost:1337/api",
                    "STRAPI_API_TOKEN" => "tok",
                    "STRAPI_API_VERSION" => "V4",
                    "STRAPI_TIMEOUT" => "2.5",
                    "STRAPI_RETRY_MAX_ATTEMPTS" => "5",
                    "STRAPI_RETRY_MAX_DELAY" => "3",
                    _ => return None,
                }
                .to_owned(),
            )
        };
        let c = StrapiConfig::from_lookup(env).unwrap();
        assert_eq!(c.base_url().as_str(), "http://localhost:1337/");
        assert_eq!(c.api_version(), Some(ApiVersion::V4));
        assert_eq!(c.timeout(), Duration::from_millis(2500));
        assert_eq!(c.retry().max_attempts, 5);
        assert_eq!(c.retry().max_delay, Duration::from_secs(3));

        let missing = StrapiConfig::from_lookup(|_| None).unwrap_err();
        assert!(missing.to_string().contains("STRAPI_BASE_URL"));
        let bad = StrapiConfig::from_lookup(|k| match k {
            "STRAPI_BASE_URL" => Some("http://x".into()),
            "STRAPI_API_TOKEN" => Some("t".into()),
            "STRAPI_TIMEOUT" => Some("-3".into()),
            _ => None,
        })
        .unwrap_err();
        assert!(bad.to_string().contains("STRAPI_TIMEOUT"));
    }

    #[test]
    fn from_lookup_says_blank_required_variables_are_empty() {
        let with = |url: &'static str, token: Option<&'static str>| {
            move |k: &str| match k {
                "STRAPI_BASE_URL" => Some(url.to_owned()),
                "STRAPI_API_TOKEN" => token.map(str::to_owned),
                _ => None,
            }
        };
        let msg = |e: Error| e.to_string();
        let blank_token = msg(StrapiConfig::from_lookup(with("http://x", Some("  "))).unwrap_err());
        assert!(
            blank_token.contains("STRAPI_API_TOKEN is empty"),
            "{blank_token}"
        );
        let no_token = msg(StrapiConfig::from_lookup(with("http://x", None)).unwrap_err());
        assert!(
            no_token.contains("STRAPI_API_TOKEN is not set"),
            "{no_token}"
        );
        let blank_url = msg(StrapiConfig::from_lookup(with("", Some("t"))).unwrap_err());
        assert!(
            blank_url.contains("STRAPI_BASE_URL is empty"),
            "{blank_url}"
        );
        let no_url = msg(StrapiConfig::from_lookup(|_| None).unwrap_err());
        assert!(no_url.contains("STRAPI_BASE_URL is not set"), "{no_url}");
    }
}
