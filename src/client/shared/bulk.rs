//! Bulk create, update and delete: one request per item, bounded concurrency, a report per
//! item (see `crate::bulk`).

use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Client;
use super::flavour::{self, maybe};
use crate::bulk::{BulkOptions, BulkReport};
use crate::client::common::{EntryId, check_name};
use crate::error::Result;
use crate::models::EntryResponse;
use crate::version::ApiVersion;

/// # Bulk create, update, delete
#[maybe]
impl Client {
    /// Creates one entry per item (`POST /api/{collection}` each), with at most
    /// `options.concurrency` requests in flight, and reports every item: the created entry,
    /// or the error (validation errors carry their [`field_errors`](crate::Error::field_errors)).
    ///
    /// The outer `Result` fails only for bad input found before any request (collection
    /// name, query). [`BulkOptions::query`] applies to every create (e.g.
    /// `status(Draft)` to create drafts, `locale("fr")`).
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::BulkOptions;
let rows = (0..50).map(|i| json!({"title": format!("Post {i}")}));
let report = client
    .bulk_create::<Value, _>("articles", rows, &BulkOptions::new())?;
for (index, _input, error) in report.failures() {
    eprintln!("row {index}: {error}");
}
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::BulkOptions;
let rows = (0..50).map(|i| json!({"title": format!("Post {i}")}));
let report = client
    .bulk_create::<Value, _>("articles", rows, &BulkOptions::new())
    .await?;
for (index, _input, error) in report.failures() {
    eprintln!("row {index}: {error}");
}
"#,
    )]
    pub async fn bulk_create<T, D>(
        &self,
        collection: &str,
        items: impl IntoIterator<Item = D>,
        options: &BulkOptions,
    ) -> Result<BulkReport<D, T>>
    where
        T: DeserializeOwned + Send,
        D: Serialize + Sync,
    {
        check_name("content type", collection)?;
        self.checked_bulk_query(options).await?;
        let items: Vec<D> = items.into_iter().collect();
        let stop = AtomicBool::new(false);
        let results = flavour::bounded(options.concurrency, items.len(), &stop, |i| {
            let item = &items[i];
            let stop = &stop;
            async move {
                let r = self
                    .create_with::<T, D>(collection, item, &options.query)
                    .await
                    .map(|e: EntryResponse<T>| e.data);
                if r.is_err() && options.stop_on_error {
                    stop.store(true, Ordering::SeqCst);
                }
                r
            }
        })
        .await;
        Ok(BulkReport::from_outcomes(items, results))
    }

    /// Updates one entry per `(id, data)` item (`PUT /api/{collection}/{id}` each; a v5
    /// `documentId` or a v4 id), like [`bulk_create`](Self::bulk_create). On Strapi 5 an
    /// update publishes (as [`update`](Self::update) does); put `status(Draft)` in
    /// [`BulkOptions::query`] to change drafts only.
    #[doc = example!(
        sync: r#"
use serde_json::{json, Value};
use strapi_kit::BulkOptions;
let changes = [("abc123", json!({"featured": true})), ("def456", json!({"featured": false}))];
let report = client
    .bulk_update::<Value, _, _>("articles", changes, &BulkOptions::new().concurrency(4))?;
"#,
        async: r#"
use serde_json::{json, Value};
use strapi_kit::BulkOptions;
let changes = [("abc123", json!({"featured": true})), ("def456", json!({"featured": false}))];
let report = client
    .bulk_update::<Value, _, _>("articles", changes, &BulkOptions::new().concurrency(4))
    .await?;
"#,
    )]
    pub async fn bulk_update<T, D, I>(
        &self,
        collection: &str,
        items: impl IntoIterator<Item = (I, D)>,
        options: &BulkOptions,
    ) -> Result<BulkReport<(EntryId, D), T>>
    where
        T: DeserializeOwned + Send,
        D: Serialize + Sync,
        I: Into<EntryId>,
    {
        check_name("content type", collection)?;
        self.checked_bulk_query(options).await?;
        let items: Vec<(EntryId, D)> = items
            .into_iter()
            .map(|(id, data)| (id.into(), data))
            .collect();
        for (id, _) in &items {
            id.checked()?;
        }
        let stop = AtomicBool::new(false);
        let results = flavour::bounded(options.concurrency, items.len(), &stop, |i| {
            let (id, data) = &items[i];
            let stop = &stop;
            async move {
                let r = self
                    .update_with::<T, D>(collection, id, data, &options.query)
                    .await
                    .map(|e: EntryResponse<T>| e.data);
                if r.is_err() && options.stop_on_error {
                    stop.store(true, Ordering::SeqCst);
                }
                r
            }
        })
        .await;
        Ok(BulkReport::from_outcomes(items, results))
    }

    /// Deletes one entry per id (`DELETE /api/{collection}/{id}` each), like
    /// [`bulk_create`](Self::bulk_create). Strapi 5 answers 204 for a `documentId` it does
    /// not have (a success here); Strapi 4 answers 404 (a failure).
    #[doc = example!(
        sync: r#"
use strapi_kit::BulkOptions;
let report = client
    .bulk_delete("articles", ["abc123", "def456"], &BulkOptions::new())?;
"#,
        async: r#"
use strapi_kit::BulkOptions;
let report = client
    .bulk_delete("articles", ["abc123", "def456"], &BulkOptions::new())
    .await?;
"#,
    )]
    pub async fn bulk_delete<I>(
        &self,
        collection: &str,
        ids: impl IntoIterator<Item = I>,
        options: &BulkOptions,
    ) -> Result<BulkReport<EntryId, ()>>
    where
        I: Into<EntryId>,
    {
        check_name("content type", collection)?;
        self.checked_bulk_query(options).await?;
        let ids: Vec<EntryId> = ids.into_iter().map(Into::into).collect();
        for id in &ids {
            id.checked()?;
        }
        let stop = AtomicBool::new(false);
        let results = flavour::bounded(options.concurrency, ids.len(), &stop, |i| {
            let id = &ids[i];
            let stop = &stop;
            async move {
                let r = self.remove_with(collection, id, &options.query).await;
                if r.is_err() && options.stop_on_error {
                    stop.store(true, Ordering::SeqCst);
                }
                r
            }
        })
        .await;
        Ok(BulkReport::from_outcomes(ids, results))
    }

    /// Checks the bulk query once (so that a bad one fails the call, not every item) and
    /// settles the server version before the requests fan out, when the query depends on
    /// it.
    async fn checked_bulk_query(&self, options: &BulkOptions) -> Result<()> {
        let q = &options.query;
        let version = match self.core.version() {
            Some(v) => v,
            None if q.needs_version() || q.get_locale().is_some() => self.detect_version().await?,
            None => ApiVersion::V5,
        };
        q.encode(version)?;
        Ok(())
    }
}
