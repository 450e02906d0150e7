//! The client body, written once.
//!
//! This directory is compiled twice: inside `nonblocking` (with `maybe` =
//! `maybe_async::must_be_async` and reqwest's async types) and inside `blocking` (with
//! `maybe` = `maybe_async::must_be_sync` and `reqwest::blocking`). Each flavour module
//! provides the same names in its `flavour` module; nothing here may name a flavour.
//! Logic that does no I/O belongs in `client::common`, compiled once.
//!
//! Doc examples are written for both flavours, `#[doc = example!(sync: r#"..."#, async:
//! r#"..."#)]`: each flavour module defines `example!` to keep its own text, so each
//! client page shows (and doctests) code in its own flavour. The `mod` lines below are in
//! the order the client pages list the methods.

// rustdoc lists the methods in the order the compiler meets the `impl` blocks, so these
// modules come in a newcomer's reading order (blank lines keep rustfmt from sorting them).
mod setup;

mod content;

mod documents;

mod media;

mod download;

mod folders;

mod paging;

mod bulk;

mod schema;

#[cfg(feature = "codegen")]
mod codegen;

mod typed;

mod transfer;

mod users;

mod admin;
mod transport;

use std::sync::{Arc, OnceLock};

use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::redirect::Policy;

use super::flavour::{self, maybe};
use crate::client::common::{CallOptions, Core, same_origin};
use crate::config::StrapiConfig;
use crate::error::{Error, Result};

pub use content::RawRequest;
pub use typed::{Collection, Single};

/// A Strapi client.
///
/// Cheap to clone (clones share one connection pool and one detected version) and safe to
/// share between threads. Views made by [`with_timeout`](Self::with_timeout),
/// [`with_header`](Self::with_header) and [`with_retry`](Self::with_retry) share them too.
#[derive(Clone)]
pub struct Client {
    http: Http,
    core: Arc<Core>,
    opts: CallOptions,
    slots: Arc<flavour::Slots>,
    /// The admin JWT of an `admin_login`, once logged in.
    admin_session: Arc<flavour::Lock<Option<HeaderValue>>>,
    /// The end user this view acts for (`as_user`): its session, shared by the view's
    /// clones, replaces the client's credentials.
    user: Option<Arc<users::UserState>>,
}

/// The HTTP clients behind a [`Client`], one per redirect policy, and the custom headers.
///
/// reqwest's redirect policy sees neither the method nor the headers of a request, and it
/// keeps custom headers on a hop to another host, so the policy is chosen per request by
/// picking the client. Requests to the configured server follow no redirect: a write
/// must never be re-sent elsewhere or turned into a GET, and a read must not carry the
/// credentials and custom headers to another origin; the 3xx becomes
/// [`Error::Redirected`]. Requests to other origins (media on a CDN) go without the custom
/// headers (added here, for the configured server only) through a client that follows
/// redirects, built on first use.
#[derive(Clone)]
struct Http {
    home: flavour::HttpClient,
    foreign: Arc<Foreign>,
    base: reqwest::Url,
    headers: HeaderMap,
}

/// The client for other origins, built when first needed (most clients never need it).
struct Foreign {
    config: StrapiConfig,
    client: OnceLock<Option<flavour::HttpClient>>,
}

impl Http {
    fn new(config: &StrapiConfig) -> Result<Self> {
        Ok(Http {
            home: build_http(config, Policy::none)?,
            foreign: Arc::new(Foreign {
                config: config.clone(),
                client: OnceLock::new(),
            }),
            base: config.base_url().clone(),
            headers: config.default_headers.clone(),
        })
    }

    fn request(&self, method: reqwest::Method, url: reqwest::Url) -> flavour::RequestBuilder {
        if !same_origin(&url, &self.base) {
            let foreign = self.foreign.client.get_or_init(|| {
                build_http(&self.foreign.config, || Policy::limited(MAX_REDIRECTS)).ok()
            });
            // Should that build ever fail (it succeeded once with the same settings), the
            // home client still sends the request, following no redirect: safe.
            return foreign.as_ref().unwrap_or(&self.home).request(method, url);
        }
        let rb = self.home.request(method, url);
        if self.headers.is_empty() {
            rb
        } else {
            rb.headers(self.headers.clone())
        }
    }
}

/// Hops followed for another origin (reqwest's default limit).
const MAX_REDIRECTS: usize = 10;

/// The HTTP settings, applied to a reqwest client builder of either kind (they have the same
/// methods): the blocking flavour builds an async client too, lazily, for upload bodies.
macro_rules! http_settings {
    ($builder:expr, $config:expr, $redirect:expr) => {
        $builder
            .timeout($config.timeout())
            .connect_timeout($config.connect_timeout())
            .pool_max_idle_per_host($config.pool_max_idle_per_host)
            .pool_idle_timeout($config.pool_idle_timeout)
            .user_agent($config.user_agent.clone())
            .redirect($redirect)
    };
}

fn build_http(config: &StrapiConfig, redirect: fn() -> Policy) -> Result<flavour::HttpClient> {
    let builder = http_settings!(flavour::HttpClient::builder(), config, redirect());
    // The async flavour ignores the second builder (its client sends uploads itself).
    flavour::build_client(builder, || {
        http_settings!(reqwest::Client::builder(), config, redirect())
    })
    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.core.config.base_url().as_str())
            .field("api_version", &self.core.version())
            .finish_non_exhaustive()
    }
}
