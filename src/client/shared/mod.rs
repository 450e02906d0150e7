//! The client body, written once.
//!
//! This directory is compiled twice: inside `nonblocking` (with `maybe` =
//! `maybe_async::must_be_async` and reqwest's async types) and inside `blocking` (with
//! `maybe` = `maybe_async::must_be_sync` and `reqwest::blocking`). Each flavour module
//! provides the same names in its `flavour` module; nothing here may name a flavour.
//! Logic that does no I/O belongs in `client::common`, compiled once.

mod admin;
mod auth;
mod bulk;
mod content;
mod documents;
mod download;
mod folders;
mod media;
mod paging;
mod schema;
mod transport;

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue};

use super::flavour::{self, maybe};
use crate::client::common::{CallOptions, Core, ensure_crypto_provider};
use crate::config::{RetryPolicy, StrapiConfig};
use crate::error::{Error, Result};
use crate::version::ApiVersion;

pub use content::RawRequest;

/// A Strapi client.
///
/// Cheap to clone (clones share one connection pool and one detected version) and safe to
/// share between threads. Views made by [`with_timeout`](Self::with_timeout),
/// [`with_header`](Self::with_header) and [`with_retry`](Self::with_retry) share them too.
#[derive(Clone)]
pub struct Client {
    http: flavour::HttpClient,
    core: Arc<Core>,
    opts: CallOptions,
    slots: Arc<flavour::Slots>,
    /// The admin JWT of an `admin_login`, once logged in.
    admin_session: Arc<flavour::Lock<Option<HeaderValue>>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.core.config.base_url().as_str())
            .field("api_version", &self.core.version())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client from a validated configuration.
    ///
    /// Fails only if the HTTP stack cannot be set up (e.g. no TLS backend).
    pub fn new(config: StrapiConfig) -> Result<Self> {
        ensure_crypto_provider();
        let http = flavour::idle_timeout(flavour::HttpClient::builder(), config.timeout())
            .connect_timeout(config.connect_timeout())
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_idle_timeout(config.pool_idle_timeout)
            .user_agent(config.user_agent.clone())
            .default_headers(config.default_headers.clone())
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            slots: Arc::new(flavour::Slots::new(config.max_concurrent_requests())),
            admin_session: Arc::new(flavour::Lock::new(None)),
            core: Arc::new(Core::new(config)?),
            opts: CallOptions::default(),
        })
    }

    /// Builds a client from `STRAPI_*` environment variables
    /// (see [`StrapiConfig::from_env`]).
    pub fn from_env() -> Result<Self> {
        Self::new(StrapiConfig::from_env()?)
    }

    /// The configuration.
    pub fn config(&self) -> &StrapiConfig {
        &self.core.config
    }

    /// The server's API version: configured, or detected from a response so far.
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.core.version()
    }

    /// Forgets the detected version (for a server upgraded while the client lives).
    pub fn reset_version_detection(&self) {
        self.core.reset_version();
    }

    /// A view of this client whose calls use another overall timeout (for a large upload,
    /// say). It shares the connection pool.
    ///
    /// The timeout bounds each call as a whole: every attempt, the waits between retries
    /// and reading the answer (for downloads too). When it runs out the call fails with
    /// [`Error::Timeout`] and is not retried.
    ///
    /// ```no_run
    /// # #[cfg(feature = "sync")]
    /// # fn demo(client: &strapi_kit::SyncClient) -> strapi_kit::Result<()> {
    /// use std::time::Duration;
    /// let slow = client.with_timeout(Duration::from_secs(600));
    /// slow.upload_file("video.mp4", &Default::default())?;
    /// # Ok(()) }
    /// ```
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        let mut c = self.clone();
        c.opts.timeout = Some(timeout);
        c
    }

    /// A view of this client that sends one more header with each call.
    pub fn with_header(&self, name: &str, value: &str) -> Result<Self> {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Error::InvalidInput(format!("invalid header name {name:?}")))?;
        let mut v = HeaderValue::from_str(value)
            .map_err(|_| Error::InvalidInput(format!("invalid value for header {name:?}")))?;
        v.set_sensitive(true);
        let mut c = self.clone();
        c.opts.headers.append(n, v);
        Ok(c)
    }

    /// A view of this client with another retry policy.
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        let mut c = self.clone();
        c.opts.retry = Some(policy);
        c
    }

    fn retry_policy(&self) -> &RetryPolicy {
        self.opts.retry.as_ref().unwrap_or(self.core.config.retry())
    }
}

#[maybe]
impl Client {
    /// The server's API version, asking the server when it is not yet known.
    ///
    /// Strapi 5 lists its locales (`/api/i18n/locales`, always present in v5) with
    /// `documentId`s; Strapi 4 without. When the probe is inconclusive (no permission,
    /// i18n not installed) the answer is v4 if the plugin is missing and v5 otherwise,
    /// and it is not remembered.
    pub async fn detect_version(&self) -> Result<ApiVersion> {
        if let Some(v) = self.core.version() {
            return Ok(v);
        }
        let call = crate::client::common::Call::new(
            reqwest::Method::GET,
            self.core.api_url(&["i18n", "locales"], None),
        );
        match self.fetch(&call).await {
            Ok(got) => {
                let body: serde_json::Value = serde_json::from_slice(&got.body).unwrap_or_default();
                match body.as_array().and_then(|a| a.first()) {
                    Some(first) if first.get("documentId").is_some() => {
                        self.core.set_version(ApiVersion::V5);
                        Ok(ApiVersion::V5)
                    }
                    Some(_) => {
                        self.core.set_version(ApiVersion::V4);
                        Ok(ApiVersion::V4)
                    }
                    None => Ok(ApiVersion::V5),
                }
            }
            // In v5 i18n is part of the core, so a missing route means v4 without i18n.
            Err(e) if e.is_not_found() => Ok(ApiVersion::V4),
            Err(e) if e.is_authorization() || e.is_authentication() => Ok(ApiVersion::V5),
            Err(e) => Err(e),
        }
    }
}
