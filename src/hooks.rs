//! Request hooks: decorate each request, observe each response.
//!
//! A [`RequestHook`] is given to [`StrapiConfigBuilder::hook`](crate::StrapiConfigBuilder::hook)
//! and serves both flavours (its methods are plain functions, called on the thread that
//! sends). For every attempt of every call, [`on_request`](RequestHook::on_request) may add
//! headers before it goes out and [`on_response`](RequestHook::on_response) sees how it
//! ended: method, route template, status, duration, body bytes and retry number.
//!
//! The route is a template (`/api/:plural/:id`, `/api/upload/files/:id`), never the ids
//! or the query, so it can label metrics without exploding their cardinality or leaking
//! personal data. A client without hooks pays one empty-list check per attempt.
//!
//! ```
//! use std::sync::atomic::{AtomicU64, Ordering};
//! use strapi_kit::StrapiConfig;
//! use strapi_kit::hooks::{HeaderMap, RequestHook, RequestInfo, ResponseInfo};
//!
//! #[derive(Default)]
//! struct Audit(AtomicU64);
//!
//! impl RequestHook for Audit {
//!     fn on_request(&self, _req: &RequestInfo<'_>, headers: &mut HeaderMap) {
//!         headers.insert("x-request-id", "req-42".parse().unwrap());
//!     }
//!     fn on_response(&self, resp: &ResponseInfo<'_>) {
//!         self.0.fetch_add(1, Ordering::Relaxed);
//!         eprintln!("{} {} -> {:?} in {:?}", resp.method, resp.route, resp.status, resp.duration);
//!     }
//! }
//!
//! let config = StrapiConfig::builder("http://localhost:1337")
//!     .api_token("token")
//!     .hook(Audit::default())
//!     .build()?;
//! # Ok::<(), strapi_kit::Error>(())
//! ```
//!
//! With the `metrics` feature, [`MetricsHook`] reports through the
//! [`metrics`](https://docs.rs/metrics) facade (the application installs the exporter).

use std::fmt;
use std::time::Duration;

pub use reqwest::Method;
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// Decorates requests and observes responses; see the [module docs](self).
///
/// Both methods have empty defaults. They run inline on the sending path: keep them quick
/// and never block on I/O in them. A panic in a hook is the application's panic.
pub trait RequestHook: Send + Sync + 'static {
    /// Called before each attempt to the configured server is sent (never for another
    /// origin, such as media on a CDN); `headers` are added to the request, replacing a
    /// [`default_header`](crate::StrapiConfigBuilder::default_header) of the same name.
    /// Headers the client manages are dropped: `Authorization`, `Accept`,
    /// `Accept-Encoding`, `Content-Type`, `Content-Length`, `Host`, `Range`, `If-Range`.
    fn on_request(&self, request: &RequestInfo<'_>, headers: &mut HeaderMap) {
        let _ = (request, headers);
    }

    /// Called once per attempt, when it has ended: answered (with the body read, or for
    /// streamed downloads, with the headers in), or failed without an answer.
    fn on_response(&self, response: &ResponseInfo<'_>) {
        let _ = response;
    }
}

/// A request about to be sent.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestInfo<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The route template, e.g. `/api/:plural/:id`.
    pub route: &'a str,
    /// Which attempt this is: 1 for the first, 2 for the first retry.
    pub attempt: u32,
}

impl RequestInfo<'_> {
    /// Retries before this attempt (0 for the first).
    pub fn retry(&self) -> u32 {
        self.attempt.saturating_sub(1)
    }
}

/// How one attempt ended.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResponseInfo<'a> {
    /// The HTTP method.
    pub method: &'a Method,
    /// The route template, e.g. `/api/:plural/:id`.
    pub route: &'a str,
    /// The status, or `None` when no answer came (connection refused, broken, timed out).
    pub status: Option<u16>,
    /// From sending the request to the end of the body read (to the headers for a streamed
    /// download).
    pub duration: Duration,
    /// Body bytes received, after decompression; for a streamed download, its announced
    /// `Content-Length` if any. `None` without an answer.
    pub bytes: Option<u64>,
    /// Which attempt this was: 1 for the first.
    pub attempt: u32,
}

impl ResponseInfo<'_> {
    /// Retries before this attempt (0 for the first).
    pub fn retry(&self) -> u32 {
        self.attempt.saturating_sub(1)
    }

    /// Whether the attempt got a 2xx answer.
    pub fn is_success(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The hooks of a configuration, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Hooks(pub(crate) Vec<std::sync::Arc<dyn RequestHook>>);

impl Hooks {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Hooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} hook(s)", self.0.len())
    }
}

/// Reports every attempt through the [`metrics`](https://docs.rs/metrics) facade (feature
/// `metrics`):
///
/// | metric | kind | labels |
/// |---|---|---|
/// | `strapi_kit_requests_total` | counter | `method`, `route`, `status` |
/// | `strapi_kit_request_duration_seconds` | histogram | `method`, `route`, `status` |
/// | `strapi_kit_response_bytes_total` | counter | `method`, `route` |
/// | `strapi_kit_retries_total` | counter | `method`, `route` |
///
/// `status` is the status code, or `error` when no answer came; `retries_total` counts
/// attempts after the first. Labels added with [`label`](Self::label) go on every metric
/// (e.g. which CMS a client talks to).
///
/// ```
/// use strapi_kit::StrapiConfig;
/// use strapi_kit::hooks::MetricsHook;
/// let config = StrapiConfig::builder("http://localhost:1337")
///     .api_token("token")
///     .hook(MetricsHook::new().label("cms", "blog"))
///     .build()?;
/// # Ok::<(), strapi_kit::Error>(())
/// ```
#[cfg(feature = "metrics")]
#[cfg_attr(docsrs, doc(cfg(feature = "metrics")))]
#[derive(Clone, Debug, Default)]
pub struct MetricsHook {
    labels: Vec<(String, String)>,
}

#[cfg(feature = "metrics")]
impl MetricsHook {
    /// A hook with no extra labels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a label to every metric.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((key.into(), value.into()));
        self
    }

    fn labels(&self, r: &ResponseInfo<'_>, status: bool) -> Vec<metrics::Label> {
        let mut out = Vec::with_capacity(self.labels.len() + 3);
        out.push(metrics::Label::new("method", r.method.as_str().to_owned()));
        out.push(metrics::Label::new("route", r.route.to_owned()));
        if status {
            let s = r
                .status
                .map_or_else(|| "error".to_owned(), |s| s.to_string());
            out.push(metrics::Label::new("status", s));
        }
        for (k, v) in &self.labels {
            out.push(metrics::Label::new(k.clone(), v.clone()));
        }
        out
    }
}

#[cfg(feature = "metrics")]
impl RequestHook for MetricsHook {
    fn on_response(&self, r: &ResponseInfo<'_>) {
        let with_status = self.labels(r, true);
        metrics::counter!("strapi_kit_requests_total", with_status.clone()).increment(1);
        metrics::histogram!("strapi_kit_request_duration_seconds", with_status)
            .record(r.duration.as_secs_f64());
        let plain = self.labels(r, false);
        if let Some(n) = r.bytes {
            metrics::counter!("strapi_kit_response_bytes_total", plain.clone()).increment(n);
        }
        if r.attempt > 1 {
            metrics::counter!("strapi_kit_retries_total", plain).increment(1);
        }
    }
}
