//! Draft & publish, locales and relation values, with one API for Strapi 4 and 5.
//!
//! | operation | Strapi 5 | Strapi 4 |
//! |---|---|---|
//! | create a draft | `POST ?status=draft` | `POST` with `"publishedAt": null` |
//! | publish | `PUT ?status=published` `{"data":{}}` | `PUT` `{"data":{"publishedAt": now}}` |
//! | unpublish | admin API, admin token: `POST /content-manager/collection-types/{uid}/{documentId}/actions/unpublish` | `PUT` `{"data":{"publishedAt": null}}` |
//! | drafts only | `status=draft&publicationFilter=never-published` | `publicationState=preview&filters[publishedAt][$null]=true` |
//! | create a localization | `PUT /api/{c}/{documentId}?locale=fr` | `POST /api/{c}/{id}/localizations` (bare body and answer) |
//! | read / update a locale | `?locale=fr` on the document | the localization's own id, found through `localizations` |

use reqwest::{Method, Url};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Client;
use super::content::FCall;
use super::flavour::maybe;
use crate::client::common::{EntryId, check_name, from_slice, from_value};
use crate::documents::{
    I18nLocale, check_locale, data_object, drafts_query, explain_unpublish_refusal, not_found,
    now_iso8601, v4_localization_envelope, v4_localized_id,
};
use crate::error::{Error, Result};
use crate::models::{EntryResponse, ListResponse};
use crate::query::{DocumentStatus, Locale, Populate, PopulateField, StrapiQuery};
use crate::relations::Relation;
use crate::schema::{ContentType, ContentTypeKind, check_uid};
use crate::version::ApiVersion;

impl Client {
    /// `{base}/{segments…}` (admin routes live outside `/api`), each segment encoded.
    /// `call` with the admin credentials when the client has them (else its own token is
    /// sent, which works when that is an admin token).
    fn as_admin(&self, call: FCall) -> FCall {
        match self.core.config.admin_auth() {
            crate::config::AdminAuth::None => call,
            // A user view sends its user's JWT only.
            _ if self.user.is_some() => call,
            _ => call.admin(),
        }
    }

    fn admin_url(&self, segments: &[&str]) -> Result<Url> {
        let mut url = self.core.config.base_url().clone();
        url.path_segments_mut()
            .map_err(|_| Error::InvalidInput("the base URL cannot take a path".into()))?
            .pop_if_empty()
            .extend(segments);
        url.set_query(None);
        Ok(url)
    }
}

/// # Drafts, publishing, locales and relations
#[maybe]
impl Client {
    // ----- draft & publish -------------------------------------------------------------

    /// Creates an entry as a draft (not published), on both versions: Strapi 5
    /// `POST ?status=draft`, Strapi 4 `"publishedAt": null` in the data. The same as
    /// [`create_with`](Self::create_with) and `status(Draft)`.
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
let draft = client
    .create_draft::<Value, _>("articles", &json!({"title": "Soon"}))?;
let key = draft.data["documentId"].as_str().map(str::to_owned)
    .unwrap_or_else(|| draft.data["id"].to_string());
client.publish::<Value>("articles", key.as_str())?;
"#,
        async: r#"
use serde_json::{json, Value};
let draft = client
    .create_draft::<Value, _>("articles", &json!({"title": "Soon"}))
    .await?;
let key = draft.data["documentId"].as_str().map(str::to_owned)
    .unwrap_or_else(|| draft.data["id"].to_string());
client.publish::<Value>("articles", key.as_str()).await?;
"#,
    )]
    pub async fn create_draft<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        data: &D,
    ) -> Result<EntryResponse<T>> {
        let q = StrapiQuery::new().status(DocumentStatus::Draft);
        self.create_with(collection, data, &q).await
    }

    /// Publishes an entry (its draft, on Strapi 5) and returns the published version.
    ///
    /// Strapi 5: `PUT /api/{c}/{documentId}?status=published` with empty data (a new
    /// published row, with a new numeric id, each time). Strapi 4: `PUT` with
    /// `"publishedAt"` set to now.
    #[doc = example!(
        sync: r#"
use serde_json::Value;
let published = client.publish::<Value>("articles", "abc123")?;
"#,
        async: r#"
use serde_json::Value;
let published = client.publish::<Value>("articles", "abc123").await?;
"#,
    )]
    pub async fn publish<T: DeserializeOwned>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
    ) -> Result<EntryResponse<T>> {
        self.publish_with(collection, id, &StrapiQuery::new()).await
    }

    /// [`publish`](Self::publish) with query parameters: `locale("fr")` publishes that
    /// locale (on Strapi 4 the localization of the entry is found first), `fields` and
    /// `populate` shape the answer.
    #[doc = example!(
        sync: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
client.publish_with::<Value>("articles", "abc123", &q)?;
"#,
        async: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().locale("fr");
client.publish_with::<Value>("articles", "abc123", &q).await?;
"#,
    )]
    pub async fn publish_with<T: DeserializeOwned>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let id = id.into();
        check_name("content type", collection)?;
        id.checked()?;
        match self.detect_version().await? {
            ApiVersion::V5 => {
                let q = query.clone().status(DocumentStatus::Published);
                self.update_with(collection, &id, &json!({}), &q).await
            }
            ApiVersion::V4 => {
                let target = self.v4_target(collection, &id, query).await?;
                let data = json!({"publishedAt": now_iso8601()});
                self.update_with(collection, &target, &data, query).await
            }
        }
    }

    /// Unpublishes an entry: it stays as a draft, with its content.
    ///
    /// **Strapi 4**: `PUT {"data":{"publishedAt":null}}`, with any token allowed to update.
    ///
    /// **Strapi 5 has no REST route for this** (verified on 5.54: `publishedAt` in the data
    /// is ignored, `DELETE ?status=published` deletes the whole document, `DELETE
    /// ?status=draft` is a 500). Only the admin API can, so on Strapi 5 this calls
    /// `POST /content-manager/collection-types/{uid}/{documentId}/actions/unpublish`, which
    /// needs **admin credentials**: the client's admin credentials when it has them
    /// ([`admin_login`](crate::StrapiConfigBuilder::admin_login) or
    /// [`admin_token`](crate::StrapiConfigBuilder::admin_token), with the content manager's
    /// Publish permission on the type and, for a localized type, its locales), else its own
    /// token, which then must be an admin token; an API token gets
    /// [`Error::Authentication`] saying so. `collection` is the plural API name (looked up in the admin
    /// API's list of content types) or the uid (`api::article.article`). A document that
    /// is not published answers [`Error::NotFound`] on Strapi 5. A refusal names the
    /// unpublish call (`POST /content-manager/…/actions/unpublish`), also when it came from
    /// the uid lookup before it.
    #[doc = example!(
        sync: r#"
client.unpublish("articles", "abc123")?;
"#,
        async: r#"
client.unpublish("articles", "abc123").await?;
"#,
    )]
    pub async fn unpublish(&self, collection: &str, id: impl Into<EntryId>) -> Result<()> {
        self.unpublish_with(collection, id, &StrapiQuery::new())
            .await
    }

    /// [`unpublish`](Self::unpublish) with query parameters: `locale("fr")` unpublishes
    /// that locale only.
    #[doc = example!(
        sync: r#"
use strapi_kit::StrapiQuery;
client
    .unpublish_with("articles", "abc123", &StrapiQuery::new().locale("fr"))?;
"#,
        async: r#"
use strapi_kit::StrapiQuery;
client
    .unpublish_with("articles", "abc123", &StrapiQuery::new().locale("fr"))
    .await?;
"#,
    )]
    pub async fn unpublish_with(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        query: &StrapiQuery,
    ) -> Result<()> {
        let id = id.into();
        id.checked()?;
        let locale = match query.get_locale() {
            Some(Locale::Code(c)) => {
                check_locale(c)?;
                Some(c.clone())
            }
            Some(Locale::All) => {
                return Err(Error::InvalidInput(
                    "unpublish takes one locale, not all".into(),
                ));
            }
            None => None,
        };
        if collection.contains("::") {
            check_uid(collection)?;
        } else {
            check_name("content type", collection)?;
        }
        match self.detect_version().await? {
            ApiVersion::V4 => {
                if collection.contains("::") {
                    return Err(Error::InvalidInput(
                        "on Strapi 4 unpublish takes the collection's API name, not a uid".into(),
                    ));
                }
                let target = self.v4_target(collection, &id, query).await?;
                let _: EntryResponse<Value> = self
                    .update_with(
                        collection,
                        &target,
                        &json!({"publishedAt": null}),
                        &StrapiQuery::new().fields(["publishedAt"]),
                    )
                    .await?;
                Ok(())
            }
            ApiVersion::V5 => {
                let unpublish_url = |uid: &str| {
                    self.admin_url(&[
                        "content-manager",
                        "collection-types",
                        uid,
                        id.as_str(),
                        "actions",
                        "unpublish",
                    ])
                };
                let uid = if collection.contains("::") {
                    collection.to_owned()
                } else {
                    match self.admin_uid(collection).await {
                        Ok(uid) => uid,
                        // The error names the call made, with the name as given (the uid
                        // is what could not be looked up).
                        Err(e) => {
                            let url = unpublish_url(collection)?;
                            let lookup = self.admin_url(&["content-manager", "content-types"])?;
                            return Err(explain_unpublish_refusal(
                                e,
                                url.as_str(),
                                Some(lookup.as_str()),
                            ));
                        }
                    }
                };
                let url = unpublish_url(&uid)?;
                let body = match locale {
                    Some(l) => json!({"locale": l}),
                    None => json!({}),
                };
                let call = self.as_admin(FCall::new(Method::POST, url.clone()).json(&body)?);
                self.fetch(&call)
                    .await
                    .map_err(|e| explain_unpublish_refusal(e, url.as_str(), None))?;
                Ok(())
            }
        }
    }

    /// The uid of a collection type from the admin API's list (Strapi 5, admin token).
    async fn admin_uid(&self, collection: &str) -> Result<String> {
        let url = self.admin_url(&["content-manager", "content-types"])?;
        let got = self
            .fetch(&self.as_admin(FCall::new(Method::GET, url)))
            .await?;
        let body: Value = from_slice(got.status, &got.body)?;
        ContentType::list_from_json(&body)?
            .into_iter()
            .find(|ct| ct.kind == ContentTypeKind::Collection && ct.plural_name == collection)
            .map(|ct| ct.uid)
            .ok_or_else(|| {
                Error::InvalidInput(format!("no collection type is named {collection:?}"))
            })
    }

    /// `query` restricted to entries that have no published version, for the server's
    /// version: Strapi 5 `status=draft&publicationFilter=never-published` (per document
    /// and locale), Strapi 4 `publicationState=preview&filters[publishedAt][$null]=true`.
    /// Use it with [`get_many`](Self::get_many), [`get_all`](Self::get_all) or
    /// [`get_all_iter`](Self::get_all_iter).
    ///
    /// (`status(Draft)` alone reads Strapi 5's draft *versions*: every document has one,
    /// published or not; on Strapi 4 it reads drafts and published entries alike.)
    #[doc = example!(
        sync: r#"
use strapi_kit::StrapiQuery;
let q = client.drafts_query(&StrapiQuery::new().paginate(1, 20))?;
let drafts = client.get_many::<serde_json::Value>("articles", &q)?;
"#,
        async: r#"
use strapi_kit::StrapiQuery;
let q = client.drafts_query(&StrapiQuery::new().paginate(1, 20)).await?;
let drafts = client.get_many::<serde_json::Value>("articles", &q).await?;
"#,
    )]
    pub async fn drafts_query(&self, query: &StrapiQuery) -> Result<StrapiQuery> {
        Ok(drafts_query(query, self.detect_version().await?))
    }

    /// One page of the entries that have no published version (see
    /// [`drafts_query`](Self::drafts_query)).
    #[doc = example!(
        sync: r#"
use strapi_kit::StrapiQuery;
let drafts = client
    .get_drafts::<serde_json::Value>("articles", &StrapiQuery::new())?;
println!("{} drafts", drafts.data.len());
"#,
        async: r#"
use strapi_kit::StrapiQuery;
let drafts = client
    .get_drafts::<serde_json::Value>("articles", &StrapiQuery::new())
    .await?;
println!("{} drafts", drafts.data.len());
"#,
    )]
    pub async fn get_drafts<T: DeserializeOwned>(
        &self,
        collection: &str,
        query: &StrapiQuery,
    ) -> Result<ListResponse<T>> {
        let q = self.drafts_query(query).await?;
        self.get_many(collection, &q).await
    }

    /// One page of published entries (their published versions; Strapi's default, made
    /// explicit: v5 `status=published`, v4 `publicationState=live`).
    #[doc = example!(
        sync: r#"
use strapi_kit::StrapiQuery;
let live = client
    .get_published::<serde_json::Value>("articles", &StrapiQuery::new())?;
"#,
        async: r#"
use strapi_kit::StrapiQuery;
let live = client
    .get_published::<serde_json::Value>("articles", &StrapiQuery::new())
    .await?;
"#,
    )]
    pub async fn get_published<T: DeserializeOwned>(
        &self,
        collection: &str,
        query: &StrapiQuery,
    ) -> Result<ListResponse<T>> {
        let q = query.clone().status(DocumentStatus::Published);
        self.get_many(collection, &q).await
    }

    // ----- locales ---------------------------------------------------------------------

    /// The locales configured in the i18n plugin (`GET /api/i18n/locales`).
    #[doc = example!(
        sync: r#"
for locale in client.locales()? {
    println!("{}", locale.code);
}
"#,
        async: r#"
for locale in client.locales().await? {
    println!("{}", locale.code);
}
"#,
    )]
    pub async fn locales(&self) -> Result<Vec<I18nLocale>> {
        let call = FCall::new(Method::GET, self.core.api_url(&["i18n", "locales"], None));
        let got = self.fetch(&call).await?;
        from_slice(got.status, &got.body)
    }

    /// Creates the `locale` version of an entry (published, like [`create`](Self::create)).
    ///
    /// Strapi 5: `PUT /api/{c}/{documentId}?locale=fr` (same `documentId`; if that locale
    /// exists already, Strapi 5 updates it). Strapi 4: `POST /api/{c}/{id}/localizations`,
    /// whose bare answer is normalised here; Strapi 4 creates it as a draft, so it is then
    /// published for the same result (when the type has draft & publish). Strapi 4 refuses
    /// a locale the entry already has (`locale is already used`).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
let fr = client
    .create_localization::<Value, _>("articles", "abc123", "fr", &json!({"title": "Bonjour"}))?;
assert_eq!(fr.data["locale"], "fr");
"#,
        async: r#"
use serde_json::{json, Value};
let fr = client
    .create_localization::<Value, _>("articles", "abc123", "fr", &json!({"title": "Bonjour"}))
    .await?;
assert_eq!(fr.data["locale"], "fr");
"#,
    )]
    pub async fn create_localization<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        locale: &str,
        data: &D,
    ) -> Result<EntryResponse<T>> {
        self.create_localization_with(collection, id, locale, data, &StrapiQuery::new())
            .await
    }

    /// [`create_localization`](Self::create_localization) with query parameters:
    /// `status(Draft)` keeps the new localization a draft; `fields`/`populate` shape the
    /// answer. The locale is the argument (a locale in `query` is ignored).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().populate(["cover"]);
let fr = client
    .create_localization_with::<Value, _>("articles", "abc123", "fr", &json!({"title": "Bonjour"}), &q)?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
let q = StrapiQuery::new().populate(["cover"]);
let fr = client
    .create_localization_with::<Value, _>("articles", "abc123", "fr", &json!({"title": "Bonjour"}), &q)
    .await?;
"#,
    )]
    pub async fn create_localization_with<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        locale: &str,
        data: &D,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let id = id.into();
        check_name("content type", collection)?;
        id.checked()?;
        check_locale(locale)?;
        let mut body = data_object(data)?;
        match self.detect_version().await? {
            ApiVersion::V5 => {
                let q = query.clone().locale(locale);
                self.update_with(collection, &id, &body, &q).await
            }
            ApiVersion::V4 => {
                body.insert("locale".into(), json!(locale));
                let url = self
                    .core
                    .api_url(&[collection, id.as_str(), "localizations"], None);
                let call = FCall::new(Method::POST, url).json(&body)?;
                let got = self.fetch(&call).await?;
                let created: Value = from_slice(got.status, &got.body)?;
                let envelope = v4_localization_envelope(created);
                let new_id = envelope["data"]["id"].as_u64().ok_or_else(|| {
                    Error::unexpected(
                        got.status,
                        crate::error::UnexpectedReason::Shape("a localization without id"),
                        &got.body,
                    )
                })?;
                // Strapi 4 creates localizations as drafts: publish, like a create would.
                let is_draft = envelope["data"]
                    .as_object()
                    .is_some_and(|d| d.get("publishedAt") == Some(&Value::Null));
                let wants_draft = query.get_status() == Some(DocumentStatus::Draft);
                if is_draft && !wants_draft {
                    let data = json!({"publishedAt": now_iso8601()});
                    return self.update_with(collection, new_id, &data, query).await;
                }
                if *query != StrapiQuery::new() {
                    // The localization route ignores the query: read it again with it.
                    return self.get_one(collection, new_id, query).await;
                }
                from_value(envelope)
            }
        }
    }

    /// Reads the `locale` version of an entry: Strapi 5 `?locale=fr` on the document;
    /// Strapi 4 the localization's own id (found through `localizations`), so `id` may be
    /// the id of any locale of the entry. [`Error::NotFound`] when it has no such locale.
    #[doc = example!(
        sync: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let fr = client
    .get_localization::<Value>("articles", "abc123", "fr", &StrapiQuery::new())?;
"#,
        async: r#"
use serde_json::Value;
use strapi_kit::StrapiQuery;
let fr = client
    .get_localization::<Value>("articles", "abc123", "fr", &StrapiQuery::new())
    .await?;
"#,
    )]
    pub async fn get_localization<T: DeserializeOwned>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        locale: &str,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let id = id.into();
        check_name("content type", collection)?;
        id.checked()?;
        check_locale(locale)?;
        let q = query.clone().locale(locale);
        match self.detect_version().await? {
            ApiVersion::V5 => self.get_one(collection, &id, &q).await,
            ApiVersion::V4 => {
                let target = self.v4_target(collection, &id, &q).await?;
                self.get_one(collection, &target, query).await
            }
        }
    }

    /// Updates the `locale` version of an entry (only the given fields change). Strapi 5:
    /// `PUT ?locale=fr` on the document (which publishes, like [`update`](Self::update);
    /// add `status(Draft)` to `query` to change the draft only; a missing locale is
    /// created). Strapi 4: `PUT` on the localization's own id ([`Error::NotFound`] when
    /// the entry has no such locale).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
client
    .update_localization::<Value, _>("articles", "abc123", "fr", &json!({"title": "Salut"}), &StrapiQuery::new())?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::StrapiQuery;
client
    .update_localization::<Value, _>("articles", "abc123", "fr", &json!({"title": "Salut"}), &StrapiQuery::new())
    .await?;
"#,
    )]
    pub async fn update_localization<T: DeserializeOwned, D: Serialize + ?Sized>(
        &self,
        collection: &str,
        id: impl Into<EntryId>,
        locale: &str,
        data: &D,
        query: &StrapiQuery,
    ) -> Result<EntryResponse<T>> {
        let id = id.into();
        check_name("content type", collection)?;
        id.checked()?;
        check_locale(locale)?;
        let q = query.clone().locale(locale);
        match self.detect_version().await? {
            ApiVersion::V5 => self.update_with(collection, &id, data, &q).await,
            ApiVersion::V4 => {
                let target = self.v4_target(collection, &id, &q).await?;
                self.update_with(collection, &target, data, query).await
            }
        }
    }

    /// Strapi 4: the id of the entry in the query's locale (the entry itself when the query
    /// has none).
    async fn v4_target(
        &self,
        collection: &str,
        id: &EntryId,
        query: &StrapiQuery,
    ) -> Result<EntryId> {
        let Some(Locale::Code(locale)) = query.get_locale() else {
            return Ok(id.clone());
        };
        check_locale(locale)?;
        let probe = StrapiQuery::new()
            .fields(["locale"])
            .populate_with(
                Populate::new()
                    .field_with("localizations", PopulateField::new().fields(["locale"])),
            )
            .status(DocumentStatus::Draft);
        let entry: EntryResponse<Value> = self.get_one(collection, id, &probe).await?;
        match v4_localized_id(&entry.data, locale) {
            Some(found) => Ok(EntryId::from(found)),
            None => {
                let url = self.core.api_url(&[collection, id.as_str()], None);
                Err(not_found(
                    "GET",
                    url.as_str(),
                    format!("{collection} entry {id} has no {locale:?} localization"),
                ))
            }
        }
    }

    // ----- relations -------------------------------------------------------------------

    /// The JSON of a relation field for the server this client talks to (see
    /// [`Relation::to_json`]).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::Relation;
let author = client.relation(&Relation::set(["author-doc-id"]))?;
let tags = client
    .relation(&Relation::connect(["tag-1"]).and_disconnect(["tag-2"]))?;
client
    .update::<Value, _>("articles", "abc123", &json!({"author": author, "tags": tags}))?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::Relation;
let author = client.relation(&Relation::set(["author-doc-id"])).await?;
let tags = client
    .relation(&Relation::connect(["tag-1"]).and_disconnect(["tag-2"]))
    .await?;
client
    .update::<Value, _>("articles", "abc123", &json!({"author": author, "tags": tags}))
    .await?;
"#,
    )]
    pub async fn relation(&self, relation: &Relation) -> Result<Value> {
        relation.to_json(self.detect_version().await?)
    }
}
