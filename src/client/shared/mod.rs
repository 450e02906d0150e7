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

/// The HTTP clients behind a [`Client`], one per redirect policy and body handling, and the
/// custom headers.
///
/// reqwest's redirect policy sees neither the method nor the headers of a request, and it
/// keeps custom headers on a hop to another host, so the policy is chosen per request by
/// picking the client. Requests to the configured server follow no redirect: a write
/// must never be re-sent elsewhere or turned into a GET, and a read must not carry the
/// credentials and custom headers to another origin; the 3xx becomes
/// [`Error::Redirected`]. Requests to other origins (media on a CDN) go without the custom
/// headers (added here, for the configured server only) through a client that follows
/// redirects, built on first use.
///
/// reqwest decodes a compressed body whenever its client can, whatever the request asked
/// for, so calls whose bytes must stay exact (media downloads) go through clients built
/// without decompression: one for the configured server, built on first use, and the one
/// for other origins (only media goes there).
#[derive(Clone)]
struct Http {
    home: flavour::HttpClient,
    exact: Arc<Lazy>,
    foreign: Arc<Lazy>,
    base: reqwest::Url,
    headers: HeaderMap,
}

/// A client built when first needed (most clients never download).
struct Lazy {
    config: StrapiConfig,
    redirect: fn() -> Policy,
    client: OnceLock<Option<flavour::HttpClient>>,
}

impl Lazy {
    fn new(config: &StrapiConfig, redirect: fn() -> Policy) -> Arc<Self> {
        Arc::new(Lazy {
            config: config.clone(),
            redirect,
            client: OnceLock::new(),
        })
    }

    fn get(&self) -> Option<&flavour::HttpClient> {
        self.client
            .get_or_init(|| build_http(&self.config, self.redirect, false).ok())
            .as_ref()
    }
}

fn follow_redirects() -> Policy {
    Policy::limited(MAX_REDIRECTS)
}

impl Http {
    fn new(config: &StrapiConfig) -> Result<Self> {
        Ok(Http {
            home: build_http(config, Policy::none, config.compression())?,
            exact: Lazy::new(config, Policy::none),
            foreign: Lazy::new(config, follow_redirects),
            base: config.base_url().clone(),
            headers: config.default_headers.clone(),
        })
    }

    /// A request; `exact`: its body is wanted as sent (no compression asked for or decoded).
    fn request(
        &self,
        method: reqwest::Method,
        url: reqwest::Url,
        exact: bool,
    ) -> flavour::RequestBuilder {
        // Should a lazy build ever fail (the home client was built with the same settings),
        // the home client still sends the request, following no redirect: safe.
        if !same_origin(&url, &self.base) {
            let client = self.foreign.get().unwrap_or(&self.home);
            return client.request(method, url);
        }
        let client = match exact {
            true => self.exact.get().unwrap_or(&self.home),
            false => &self.home,
        };
        let rb = client.request(method, url);
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
/// Every transport setting goes here, so that both builders get it.
macro_rules! http_settings {
    ($builder:expr, $config:expr, $redirect:expr, $compress:expr) => {{
        let config: &StrapiConfig = $config;
        let mut b = $builder
            .timeout(config.timeout())
            .connect_timeout(config.connect_timeout())
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .pool_idle_timeout(config.pool_idle_timeout)
            .user_agent(config.user_agent.clone())
            .redirect($redirect)
            .gzip($compress)
            .brotli($compress)
            .zstd($compress);
        let tls = &config.tls;
        match tls.backend {
            #[cfg(feature = "rustls")]
            Some(crate::config::TlsBackend::Rustls) => b = b.tls_backend_rustls(),
            #[cfg(feature = "native-tls")]
            Some(crate::config::TlsBackend::NativeTls) => b = b.tls_backend_native(),
            _ => {}
        }
        #[cfg(any(feature = "rustls", feature = "native-tls"))]
        {
            if tls.roots_only {
                b = b.tls_certs_only(tls.roots.iter().cloned());
            } else if !tls.roots.is_empty() {
                b = b.tls_certs_merge(tls.roots.iter().cloned());
            }
            if let Some(id) = &tls.identity {
                b = b.identity(id.clone());
            }
        }
        match &config.proxy {
            crate::config::ProxySetting::FromEnv => {}
            crate::config::ProxySetting::Off => b = b.no_proxy(),
            crate::config::ProxySetting::Explicit(p) => b = b.proxy((**p).clone()),
        }
        b
    }};
}

/// A reqwest client with the configuration's settings; `compress`: ask for compressed
/// answers and decode them.
fn build_http(
    config: &StrapiConfig,
    redirect: fn() -> Policy,
    compress: bool,
) -> Result<flavour::HttpClient> {
    let builder = http_settings!(flavour::HttpClient::builder(), config, redirect(), compress);
    // The async flavour ignores the second builder (its client sends uploads itself).
    flavour::build_client(builder, || {
        http_settings!(reqwest::Client::builder(), config, redirect(), compress)
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
