//! Construction, configuration views and version detection.

use std::sync::Arc;
use std::time::Duration;

use super::{Client, Http, flavour, maybe};
use crate::client::common::{CallOptions, Core, ensure_crypto_provider};
use crate::config::{RetryPolicy, StrapiConfig};
use crate::error::{Error, Result};
use crate::version::ApiVersion;

/// # Construction and configuration
impl Client {
    /// Builds a client from a validated configuration.
    ///
    /// Fails only if the HTTP stack cannot be set up (e.g. no TLS backend).
    #[doc = example!(
        sync: r#"
use strapi_kit::{SyncClient, StrapiConfig};
let client = SyncClient::new(StrapiConfig::new("http://localhost:1337", "api-token")?)?;
"#,
        async: r#"
use strapi_kit::{AsyncClient, StrapiConfig};
let client = AsyncClient::new(StrapiConfig::new("http://localhost:1337", "api-token")?)?;
"#,
    )]
    pub fn new(config: StrapiConfig) -> Result<Self> {
        ensure_crypto_provider();
        Ok(Client {
            http: Http::new(&config)?,
            slots: Arc::new(flavour::Slots::new(config.max_concurrent_requests())),
            admin_session: Arc::new(flavour::Lock::new(None)),
            user: None,
            core: Arc::new(Core::new(config)?),
            opts: CallOptions::default(),
        })
    }

    /// Builds a client from `STRAPI_*` environment variables
    /// (see [`StrapiConfig::from_env`]).
    #[doc = example!(
        sync: r#"
use strapi_kit::SyncClient;
// reads STRAPI_BASE_URL, STRAPI_API_TOKEN, ...
let client = SyncClient::from_env()?;
"#,
        async: r#"
use strapi_kit::AsyncClient;
// reads STRAPI_BASE_URL, STRAPI_API_TOKEN, ...
let client = AsyncClient::from_env()?;
"#,
    )]
    pub fn from_env() -> Result<Self> {
        Self::new(StrapiConfig::from_env()?)
    }

    /// The configuration.
    #[doc = example!(
        sync: r#"
println!("talking to {}", client.config().base_url());
"#,
        async: r#"
println!("talking to {}", client.config().base_url());
"#,
    )]
    pub fn config(&self) -> &StrapiConfig {
        &self.core.config
    }

    /// The server's API version: configured, or detected from a response so far.
    #[doc = example!(
        sync: r#"
if let Some(v) = client.api_version() {
    println!("Strapi {v:?}");
}
"#,
        async: r#"
if let Some(v) = client.api_version() {
    println!("Strapi {v:?}");
}
"#,
    )]
    pub fn api_version(&self) -> Option<ApiVersion> {
        self.core.version()
    }

    /// Forgets the detected version (for a server upgraded while the client lives).
    #[doc = example!(
        sync: r#"
client.reset_version_detection();
let v = client.detect_version()?;
"#,
        async: r#"
client.reset_version_detection();
let v = client.detect_version().await?;
"#,
    )]
    pub fn reset_version_detection(&self) {
        self.core.reset_version();
    }

    /// A view of this client whose calls use another overall timeout (for a large upload,
    /// say). It shares the connection pool.
    ///
    /// The timeout bounds each call as a whole: every attempt, the waits between retries
    /// and reading the answer (for downloads too). When it runs out the call fails with
    /// [`Error::Timeout`] and is not retried.
    #[doc = example!(
        sync: r#"
use std::time::Duration;
let slow = client.with_timeout(Duration::from_secs(600));
slow.upload_file("video.mp4", &Default::default())?;
"#,
        async: r#"
use std::time::Duration;
let slow = client.with_timeout(Duration::from_secs(600));
slow.upload_file("video.mp4", &Default::default()).await?;
"#,
    )]
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        let mut c = self.clone();
        c.opts.timeout = Some(timeout);
        c
    }

    /// A view of this client that sends one more header with each call to the configured
    /// server (never to another origin, such as a CDN a media URL points to). A header of
    /// the same name, from the configuration or an outer view, is replaced. Refused with
    /// [`Error::InvalidInput`]: the headers [`StrapiConfigBuilder::default_header`](crate::StrapiConfigBuilder::default_header)
    /// refuses.
    #[doc = example!(
        sync: r#"
let traced = client.with_header("x-request-id", "import-42")?;
let list = traced
    .get_many::<serde_json::Value>("articles", &Default::default())?;
"#,
        async: r#"
let traced = client.with_header("x-request-id", "import-42")?;
let list = traced
    .get_many::<serde_json::Value>("articles", &Default::default())
    .await?;
"#,
    )]
    pub fn with_header(&self, name: &str, value: &str) -> Result<Self> {
        let (n, v) = crate::config::custom_header(
            name,
            value,
            // A user view has credentials of its own too.
            self.core.auth_header().is_some() || self.user.is_some(),
        )
        .map_err(Error::InvalidInput)?;
        let mut c = self.clone();
        // Replaces a header of the same name (the config's or an outer view's).
        c.http.headers.insert(n, v);
        Ok(c)
    }

    /// A view of this client with another retry policy.
    #[doc = example!(
        sync: r#"
use strapi_kit::RetryPolicy;
let once = client.with_retry(RetryPolicy::none());
once.remove("articles", "abc123")?;
"#,
        async: r#"
use strapi_kit::RetryPolicy;
let once = client.with_retry(RetryPolicy::none());
once.remove("articles", "abc123").await?;
"#,
    )]
    pub fn with_retry(&self, policy: RetryPolicy) -> Self {
        let mut c = self.clone();
        c.opts.retry = Some(policy);
        c
    }

    pub(super) fn retry_policy(&self) -> &RetryPolicy {
        self.opts.retry.as_ref().unwrap_or(self.core.config.retry())
    }
}

/// # Server version
#[maybe]
impl Client {
    /// The server's API version, asking the server when it is not yet known.
    ///
    /// Strapi 5 lists its locales (`/api/i18n/locales`, always present in v5) with
    /// `documentId`s; Strapi 4 without. When the probe is inconclusive (no permission,
    /// i18n not installed) the answer is v4 if the plugin is missing and v5 otherwise,
    /// and it is not remembered.
    #[doc = example!(
        sync: r#"
let version = client.detect_version()?;
println!("Strapi {version:?}");
"#,
        async: r#"
let version = client.detect_version().await?;
println!("Strapi {version:?}");
"#,
    )]
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
