//! # strapi-kit
//!
//! A client for the [Strapi](https://strapi.io) headless CMS, versions 4 and 5, in two
//! flavours built from one source: a blocking [`SyncClient`] and an async [`AsyncClient`]
//! (tokio). Both share the query builder, the error type and the models.
//!
//! | cargo feature | gives | default |
//! |---|---|---|
//! | `async` | [`AsyncClient`] (= [`nonblocking::Client`]) | yes |
//! | `sync` | [`SyncClient`] (= [`blocking::Client`]) | no |
//! | `rustls` | TLS with rustls + ring | yes |
//! | `native-tls` | TLS with the platform library | no |
//! | `codegen` | [`codegen`]: Rust types from the server's schema | no |
//! | `webhook` | [`webhook`]: Strapi's webhook payloads parsed into typed events | no |
//! | `metrics` | [`hooks::MetricsHook`]: counters and latency histograms through the `metrics` facade | no |
//!
//! `async` and `sync` are additive: turn on both and both clients exist in one build.
//!
//! ## Quick start
//!
//! ```no_run
//! # #[cfg(feature = "sync")]
//! # fn main() -> strapi_kit::Result<()> {
//! use serde::Deserialize;
//! use serde_json::json;
//! use strapi_kit::{EntryResponse, FilterBuilder, StrapiConfig, StrapiQuery, SyncClient};
//!
//! #[derive(Deserialize)]
//! #[serde(rename_all = "camelCase")]
//! struct Article {
//!     document_id: Option<String>,
//!     title: String,
//! }
//!
//! let client = SyncClient::new(StrapiConfig::new("http://localhost:1337", "token")?)?;
//! let created: EntryResponse<Article> =
//!     client.create("articles", &json!({"title": "Hello"}))?;
//! let found = client.get_many::<Article>(
//!     "articles",
//!     &StrapiQuery::new().filter(FilterBuilder::new().eq("title", "Hello")),
//! )?;
//! assert_eq!(found.data[0].title, created.data.title);
//! # Ok(()) }
//! # #[cfg(not(feature = "sync"))]
//! # fn main() {}
//! ```
//!
//! ## Strapi 4 and 5
//!
//! The client detects the server's version from the first response that shows it (or
//! takes it from [`StrapiConfig`]), normalises Strapi 4's `attributes`/`data` envelopes at
//! every depth into Strapi 5's flat shape, and writes the few version-specific query
//! parameters (`status` vs `publicationState`, `locale=*` vs `locale=all`) for the server it
//! talks to. One struct deserialises both.
//!
//! ## Errors
//!
//! Every call returns [`Result`]; [`Error`] is one `#[non_exhaustive]` enum with Strapi's
//! error body parsed into it and predicates such as [`Error::is_not_found`]. Bad input is
//! reported before any byte is sent. The API token never appears in `Debug` output, logs or
//! error messages.

#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

#[cfg(not(any(feature = "async", feature = "sync")))]
compile_error!(
    "strapi-kit needs at least one client flavour: enable the `async` feature (the default), \
     the `sync` feature, or both"
);

pub mod bulk;
mod client;
#[cfg(feature = "codegen")]
#[cfg_attr(docsrs, doc(cfg(feature = "codegen")))]
pub mod codegen;
pub mod config;
mod documents;
pub mod error;
pub mod folders;
pub mod hooks;
mod ids;
pub mod media;
pub mod models;
mod paging;
pub mod query;
pub mod relations;
pub mod schema;
pub mod transfer;
pub mod typed;
pub mod users;
pub mod version;
#[cfg(feature = "webhook")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhook")))]
pub mod webhook;

#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub use client::blocking;
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use client::nonblocking;

/// The blocking client (feature `sync`): every call blocks until its answer is there.
///
/// For scripts, command-line tools, tests and code without an async runtime. Create, clone
/// and drop it anywhere; do not *call* it on an async task's thread (there a call fails with
/// [`Error::Config`] before sending): from async code use `tokio::task::spawn_blocking`, or
/// [`AsyncClient`]. The
/// [`blocking`] module page has the guide and a complete example.
///
/// ```no_run
/// use strapi_kit::{StrapiConfig, StrapiQuery, SyncClient, UploadOptions};
/// # fn main() -> strapi_kit::Result<()> {
/// let client = SyncClient::new(StrapiConfig::from_env()?)?;
/// let page = client.get_many::<serde_json::Value>("articles", &StrapiQuery::new())?;
/// let file = client.upload_file("hero.jpg", &UploadOptions::new())?;
/// # Ok(()) }
/// ```
#[cfg(feature = "sync")]
#[cfg_attr(docsrs, doc(cfg(feature = "sync")))]
pub type SyncClient = blocking::Client;

/// The async client on tokio (feature `async`, the default): every I/O method is `async`.
///
/// For tokio applications, and for many calls at once on few threads. Works on any tokio
/// runtime, current-thread or multi-thread. Without a runtime,
/// use [`SyncClient`]. The [`nonblocking`] module page has the guide and a complete
/// example.
///
/// ```no_run
/// use strapi_kit::{AsyncClient, StrapiConfig, StrapiQuery, UploadOptions};
/// # async fn demo() -> strapi_kit::Result<()> {
/// let client = AsyncClient::new(StrapiConfig::from_env()?)?;
/// let page = client
///     .get_many::<serde_json::Value>("articles", &StrapiQuery::new())
///     .await?;
/// let file = client.upload_file("hero.jpg", &UploadOptions::new()).await?;
/// # Ok(()) }
/// ```
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub type AsyncClient = nonblocking::Client;

pub use bulk::{BulkItem, BulkOptions, BulkOutcome, BulkReport};
pub use config::{
    AdminAuth, Auth, RetryPolicy, Secret, StrapiConfig, StrapiConfigBuilder, TlsBackend,
};
pub use documents::I18nLocale;
pub use error::{ApiError, Error, FieldError, MediaError, Result, UnexpectedReason};
pub use folders::{Folder, FolderNode, UploadSettings};
pub use ids::{EntryId, MAX_ID_LEN, MAX_URL_LEN};
pub use media::{
    BatchOptions, BatchReport, DownloadOptions, MediaUpdate, Progress, ProgressFn, SendToken,
    UploadOptions,
};
pub use models::{
    Entry, EntryResponse, FocalPoint, ListResponse, MediaFile, MediaFormat, Meta, Pagination,
};
pub use query::{
    DocumentStatus, Filter, FilterBuilder, FilterValue, Locale, Operator, Populate, PopulateField,
    PublicationState, SortDirection, StrapiQuery,
};
pub use relations::{Position, Relation, RelationTarget};
pub use reqwest::Method;
pub use schema::{Attribute, AttributeType, Component, ContentType, ContentTypeKind, RelationKind};
pub use users::{
    AuthFailure, RegisterInput, Registered, Role, SessionInfo, SignedIn, User, UserSession,
};
pub use version::ApiVersion;

/// The README's examples, compiled with the doctests so they cannot drift from the API.
#[cfg(all(doctest, feature = "sync", feature = "async"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
