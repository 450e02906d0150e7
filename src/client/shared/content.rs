//! The content API: collection types, single types and raw requests.

use bytes::Bytes;
use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Client;
use super::flavour::{self, maybe};
use crate::client::common::{Call, EntryId, check_name, from_slice};
use crate::error::{Error, Result};
use crate::models::{EntryResponse, ListResponse};
use crate::query::StrapiQuery;
use crate::version::ApiVersion;

pub(crate) type FCall = Call<flavour::UploadReader>;

/// `{"data": …}`, the envelope Strapi expects for writes.
#[derive(Serialize)]
struct DataEnvelope<'a, D: ?Sized> {
    data: &'a D,
}

/// # Content: collection and single types
#[maybe]
impl Client {
    /// The version to encode `query` for; asks the server only when the encoding depends on
    /// it and it is not known yet.
    pub(super) async fn version_for(&self, query: &StrapiQuery) -> Result<ApiVersion> {
        match self.core.version() {
            Some(v) => Ok(v),
            None if query.needs_version() => self.detect_version().await,
            None => Ok(ApiVersion::V5),
        }
    }

    async fn content_url(
        &self,
        name: &str,
        id: Option<&EntryId>,
        query: &StrapiQuery,
    ) -> Result<reqwest::Url> {
        check_name("content type", name)?;
        let id = id.map(EntryId::checked).transpose()?;
        let version = self.version_for(query).await?;
        let qs = query.encode(version)?;
        let url = match id {
            Some(id) => self.core.api_url(&[name, id], Some(&qs)),
            None => self.core.api_url(&[name], Some(&qs)),
        };
        crate::ids::check_url_len(url.as_str())?;
        Ok(url)
    }

    /// Lists entries of a collection type (`GET /api/{collection}`).
    ///
    /// `T` is your entry type (or [`serde_json::Value`]); v4 entries are flattened first.
    #[doc = example!(
        sync: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
#[derive(serde::Deserialize)]
struct Article { title: String }

let q = StrapiQuery::new().filter(FilterBuilder::new().containsi("title", "rust"));
let page = client.get_many::<Article>("articles", &q)?;
for a in &page.data { println!("{}", a.title); }
"#,
        async: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
#[derive(serde::Deserialize)]
struct Article { title: String }

let q = StrapiQuery::new().filter(FilterBuilder::new().containsi("title", "rust"));
let page = client.get_many::<Article>("articles", &q).await?;
for a in &page.data { println!("{}", a.title); }
"#,
    )]
    pub async fn get_many<T: DeserializeOwned>(
        &self,
        collection: &str,
        query: &StrapiQuery,
    ) -> Result<ListResponse<T>> {
        let url = self.content_url(collection, None, query).await?;
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        self.core.decode_list(got.status, &got.body)
    }

    /// Gets one entry (`GET /api/{collection}/{id}`): a v5 `documentId` or a v4 id.
    #[doc = example!(
        sync: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().populate(["author"]);
let article = client.get_one::<Value>("articles", "abc123", &q)?;
println!("{}", article.data["title"]);
"#,
        async: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().populate(["author"]);
let article = client.get_one::<Value>("articles", "abc123", &q).await?;
println!("{}", article.data["title"]);
"#,
    )]
    pub async fn get_one<T: DeserializeOwned>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let id = id.into();
        let url = self.content_url(collection, Some(&id), query).await?;
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        self.core.decode_entry(got.status, &got.body)
    }

    /// Creates an entry (`POST /api/{collection}` with `{"data": data}`).
    ///
    /// On Strapi 5 with draft & publish, the entry is published at once; use
    /// [`create_with`](Self::create_with) and `status(Draft)` for a draft.
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
let created = client
    .create::<Value, _>("articles", &json!({"title": "Hello"}))?;
"#,
        async: r#"
use serde_json::{json, Value};
let created = client
    .create::<Value, _>("articles", &json!({"title": "Hello"}))
    .await?;
"#,
    )]
    pub async fn create<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        data: &D,
    ) -> Result<EntryResponse<T>> {
        self.create_with(collection, data, Self::empty_query())
            .await
    }

    /// Creates an entry with query parameters (locale, status, populate of the response).
    ///
    /// `locale("fr")` and `status(Draft)` work on both versions: Strapi 4 reads them from
    /// the data, so there they are sent as `"locale"` and `"publishedAt": null` (fields you
    /// set yourself win). Either settles the server version first (see
    /// [`detect_version`](Self::detect_version)).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
let created = client
    .create_with::<Value, _>("articles", &json!({"title": "Bonjour"}), &q)?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
let created = client
    .create_with::<Value, _>("articles", &json!({"title": "Bonjour"}), &q)
    .await?;
"#,
    )]
    pub async fn create_with<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        data: &D,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let url = self.content_url(collection, None, query).await?;
        // A status or a locale is written differently for Strapi 4 (into the data), so the
        // version is settled first (one probe, once per client).
        let version = if query.get_status().is_some() || query.get_locale().is_some() {
            Some(self.detect_version().await?)
        } else {
            self.core.version()
        };
        let v4_data = if version == Some(ApiVersion::V4) {
            crate::documents::v4_create_data(data, query)?
        } else {
            None
        };
        let call = match &v4_data {
            Some(d) => FCall::new(Method::POST, url).json(&DataEnvelope { data: d })?,
            None => FCall::new(Method::POST, url).json(&DataEnvelope { data })?,
        };
        let got = self.fetch(&call).await?;
        self.core.decode_entry(got.status, &got.body)
    }

    /// Creates an entry that is never stored twice, even when an answer is lost: `key` names
    /// a field whose value in `data` is unique (a slug, an external id, a uid field).
    ///
    /// A plain [`create`](Self::create) is not retried after the request went out, since
    /// resending it could store the entry twice. This one is retried by the client's retry
    /// policy (connect errors, broken connections, the retried statuses) like a read: before
    /// each resend it looks `key = value` up (published, then drafts), and when the earlier
    /// attempt did store the entry it returns that entry instead of sending again. The
    /// client's timeout bounds the whole call, look-ups included.
    ///
    /// The key must hold a string, a number or a boolean in `data` (else
    /// [`Error::InvalidInput`] before anything is sent), and should be unique in the
    /// collection (a `unique` attribute makes the server refuse a duplicate too).
    #[doc = example!(
        sync: r#"
use serde_json::json;
let data = json!({"title": "Hello", "slug": "hello-2026-12-02"});
let created = client
    .create_once::<serde_json::Value, _>("articles", &data, "slug")?;
"#,
        async: r#"
use serde_json::json;
let data = json!({"title": "Hello", "slug": "hello-2026-12-02"});
let created = client
    .create_once::<serde_json::Value, _>("articles", &data, "slug")
    .await?;
"#,
    )]
    pub async fn create_once<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        data: &D,
        key: &str,
    ) -> Result<EntryResponse<T>> {
        let value = serde_json::to_value(data)
            .map_err(|e| Error::InvalidInput(format!("the data cannot be serialised: {e}")))?;
        let key_value = match value.get(key) {
            Some(v @ (serde_json::Value::String(_) | serde_json::Value::Number(_)))
            | Some(v @ serde_json::Value::Bool(_)) => v.clone(),
            Some(_) => {
                return Err(Error::InvalidInput(format!(
                    "create_once: the key field {key:?} must hold a string, number or boolean"
                )));
            }
            None => {
                return Err(Error::InvalidInput(format!(
                    "create_once: the data has no key field {key:?}"
                )));
            }
        };
        let lookup = StrapiQuery::new()
            .filter(crate::query::FilterBuilder::new().eq(key, key_value))
            .paginate(1, 1);
        // Validates the key as a field name before anything is sent.
        self.content_url(collection, None, &lookup).await?;
        let timeout = self.opts.timeout.unwrap_or(self.core.config.timeout());
        let mut retry = crate::client::common::LookupRetry::new(self.retry_policy(), timeout);
        // One request per view, within what is left of the call's time: the decision to
        // resend is taken here, after the look-up.
        let one_attempt = |left| {
            self.with_timeout(left)
                .with_retry(crate::config::RetryPolicy::none())
        };
        let post = FCall::new(Method::POST, self.core.api_url(&[collection], None));
        loop {
            let err = match one_attempt(retry.left())
                .create::<T, _>(collection, &value)
                .await
            {
                Ok(created) => return Ok(created),
                Err(e) => e,
            };
            let Some(delay) = retry.after_failure(&self.core, &post, &err) else {
                return Err(err);
            };
            flavour::sleep(delay).await;
            if err.may_have_applied() || err.is_server() {
                let once = one_attempt(retry.left());
                for status in [None, Some(crate::query::DocumentStatus::Draft)] {
                    let q = match status {
                        Some(s) => lookup.clone().status(s),
                        None => lookup.clone(),
                    };
                    let found = once.get_many::<T>(collection, &q).await?;
                    if let Some(entry) = found.data.into_iter().next() {
                        tracing::info!(
                            collection,
                            attempts = retry.attempts(),
                            "create_once: an earlier attempt stored the entry; not sending again"
                        );
                        return Ok(EntryResponse {
                            data: entry,
                            meta: found.meta,
                        });
                    }
                }
            }
        }
    }

    /// Updates an entry (`PUT /api/{collection}/{id}`): only the given fields change.
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
let updated = client
    .update::<Value, _>("articles", "abc123", &json!({"title": "New title"}))?;
"#,
        async: r#"
use serde_json::{json, Value};
let updated = client
    .update::<Value, _>("articles", "abc123", &json!({"title": "New title"}))
    .await?;
"#,
    )]
    pub async fn update<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        data: &D,
    ) -> Result<EntryResponse<T>> {
        self.update_with(collection, id, data, Self::empty_query())
            .await
    }

    /// Updates an entry with query parameters (locale, status, populate of the response).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
client
    .update_with::<Value, _>("articles", "abc123", &json!({"title": "Salut"}), &q)?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
client
    .update_with::<Value, _>("articles", "abc123", &json!({"title": "Salut"}), &q)
    .await?;
"#,
    )]
    pub async fn update_with<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        data: &D,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let id = id.into();
        let url = self.content_url(collection, Some(&id), query).await?;
        let call = FCall::new(Method::PUT, url).json(&DataEnvelope { data })?;
        let got = self.fetch(&call).await?;
        self.core.decode_entry(got.status, &got.body)
    }

    /// Deletes an entry (`DELETE /api/{collection}/{id}`). Strapi 5 answers 204 and
    /// Strapi 4 the deleted entry; both are `Ok(())` here.
    #[doc = example!(
        sync: r#"
client.remove("articles", "abc123")?;
"#,
        async: r#"
client.remove("articles", "abc123").await?;
"#,
    )]
    pub async fn remove(&self, collection: &str, id: impl Into<EntryId>) -> Result<()> {
        self.remove_with(collection, id, Self::empty_query()).await
    }

    /// Deletes an entry with query parameters (e.g. one locale).
    #[doc = example!(
        sync: r#"
use strapi_kit::StrapiQuery;
client
    .remove_with("articles", "abc123", &StrapiQuery::new().locale("fr"))?;
"#,
        async: r#"
use strapi_kit::StrapiQuery;
client
    .remove_with("articles", "abc123", &StrapiQuery::new().locale("fr"))
    .await?;
"#,
    )]
    pub async fn remove_with(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        query: &StrapiQuery,
    ) -> Result<()> {
        let id = id.into();
        let url = self.content_url(collection, Some(&id), query).await?;
        self.fetch(&FCall::new(Method::DELETE, url)).await?;
        Ok(())
    }

    /// Reads a single type (`GET /api/{single}`). Strapi answers 404 until it has content.
    #[doc = example!(
        sync: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let home = client.get_single::<Value>("homepage", &StrapiQuery::new())?;
"#,
        async: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let home = client.get_single::<Value>("homepage", &StrapiQuery::new()).await?;
"#,
    )]
    pub async fn get_single<T: DeserializeOwned>(
        &self,
        single: &str,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let url = self.content_url(single, None, query).await?;
        let got = self.fetch(&FCall::new(Method::GET, url)).await?;
        self.core.decode_entry(got.status, &got.body)
    }

    /// Creates or updates a single type (`PUT /api/{single}`).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
client
    .update_single::<Value, _>("homepage", &json!({"headline": "Welcome"}))?;
"#,
        async: r#"
use serde_json::{json, Value};
client
    .update_single::<Value, _>("homepage", &json!({"headline": "Welcome"}))
    .await?;
"#,
    )]
    pub async fn update_single<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        single: &str,
        data: &D,
    ) -> Result<EntryResponse<T>> {
        self.update_single_with(single, data, Self::empty_query())
            .await
    }

    /// Creates or updates a single type with query parameters.
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
client
    .update_single_with::<Value, _>("homepage", &json!({"headline": "Bienvenue"}), &q)?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
client
    .update_single_with::<Value, _>("homepage", &json!({"headline": "Bienvenue"}), &q)
    .await?;
"#,
    )]
    pub async fn update_single_with<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        single: &str,
        data: &D,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let url = self.content_url(single, None, query).await?;
        let call = FCall::new(Method::PUT, url).json(&DataEnvelope { data })?;
        let got = self.fetch(&call).await?;
        self.core.decode_entry(got.status, &got.body)
    }

    /// Deletes a single type's content (`DELETE /api/{single}`).
    #[doc = example!(
        sync: r#"
client.delete_single("homepage")?;
"#,
        async: r#"
client.delete_single("homepage").await?;
"#,
    )]
    pub async fn delete_single(&self, single: &str) -> Result<()> {
        let url = self.content_url(single, None, Self::empty_query()).await?;
        self.fetch(&FCall::new(Method::DELETE, url)).await?;
        Ok(())
    }
}

/// # Raw requests: any route
impl Client {
    /// A raw request to any path of the server, for routes the client has no method for
    /// (custom controllers, plugins). The body is returned as it is: not normalised.
    #[doc = example!(
        sync: r#"
use strapi_kit::Method;
let roles: serde_json::Value = client
    .request(Method::GET, "/api/users-permissions/roles")
    .send()?;
"#,
        async: r#"
use strapi_kit::Method;
let roles: serde_json::Value = client
    .request(Method::GET, "/api/users-permissions/roles")
    .send()
    .await?;
"#,
    )]
    pub fn request(&self, method: Method, path: &str) -> RawRequest<'_> {
        RawRequest {
            client: self,
            method,
            path: path.to_owned(),
            query: None,
            body: Ok(None),
        }
    }

    pub(super) fn empty_query() -> &'static StrapiQuery {
        static EMPTY: std::sync::OnceLock<StrapiQuery> = std::sync::OnceLock::new();
        EMPTY.get_or_init(StrapiQuery::new)
    }
}

/// A raw request; see [`Client::request`].
pub struct RawRequest<'a> {
    client: &'a Client,
    method: Method,
    path: String,
    query: Option<StrapiQuery>,
    body: Result<Option<Bytes>>,
}

impl std::fmt::Debug for RawRequest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl RawRequest<'_> {
    /// Adds query parameters.
    #[doc = example!(
        sync: r#"
use strapi_kit::{Method, StrapiQuery};
let hits: serde_json::Value = client
    .request(Method::GET, "/api/search")
    .query(&StrapiQuery::new().paginate(1, 10))
    .send()?;
"#,
        async: r#"
use strapi_kit::{Method, StrapiQuery};
let hits: serde_json::Value = client
    .request(Method::GET, "/api/search")
    .query(&StrapiQuery::new().paginate(1, 10))
    .send()
    .await?;
"#,
    )]
    pub fn query(mut self, query: &StrapiQuery) -> Self {
        self.query = Some(query.clone());
        self
    }

    /// Sends `body` as JSON (as it is: wrap it in `{"data": …}` yourself where Strapi
    /// expects that).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::Method;
let reply: Value = client
    .request(Method::POST, "/api/newsletter/subscribe")
    .json(&json!({"email": "reader@example.com"}))
    .send()?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::Method;
let reply: Value = client
    .request(Method::POST, "/api/newsletter/subscribe")
    .json(&json!({"email": "reader@example.com"}))
    .send()
    .await?;
"#,
    )]
    pub fn json<B: Serialize + ?Sized>(mut self, body: &B) -> Self {
        self.body = serde_json::to_vec(body)
            .map(|v| Some(Bytes::from(v)))
            .map_err(|e| Error::InvalidInput(format!("the body cannot be serialised: {e}")));
        self
    }
}

#[maybe]
impl RawRequest<'_> {
    /// Sends the request and deserialises the JSON answer into `T` (an empty body reads as
    /// `null`, so `()` and `Option<_>` work for 204s).
    #[doc = example!(
        sync: r#"
use strapi_kit::Method;
let roles: serde_json::Value = client
    .request(Method::GET, "/api/users-permissions/roles")
    .send()?;
"#,
        async: r#"
use strapi_kit::Method;
let roles: serde_json::Value = client
    .request(Method::GET, "/api/users-permissions/roles")
    .send()
    .await?;
"#,
    )]
    pub async fn send<T: DeserializeOwned>(self) -> Result<T> {
        let (status, body) = self.send_bytes().await?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return from_slice(status, b"null");
        }
        from_slice(status, &body)
    }

    /// Sends the request and returns the status and the raw body.
    #[doc = example!(
        sync: r#"
use strapi_kit::Method;
let (status, body) = client
    .request(Method::GET, "/api/export.csv")
    .send_bytes()?;
println!("{status}: {} bytes", body.len());
"#,
        async: r#"
use strapi_kit::Method;
let (status, body) = client
    .request(Method::GET, "/api/export.csv")
    .send_bytes()
    .await?;
println!("{status}: {} bytes", body.len());
"#,
    )]
    pub async fn send_bytes(self) -> Result<(u16, Bytes)> {
        let client = self.client;
        let version = match &self.query {
            Some(q) => client.version_for(q).await?,
            None => ApiVersion::V5,
        };
        let qs = self.query.as_ref().map(|q| q.encode(version)).transpose()?;
        let url = client.core.raw_url(&self.path, qs.as_deref())?;
        let mut call = FCall::new(self.method, url);
        if let Some(bytes) = self.body? {
            call.body = crate::client::common::CallBody::Json(bytes);
        }
        let got = client.fetch(&call).await?;
        Ok((got.status, got.body))
    }
}
