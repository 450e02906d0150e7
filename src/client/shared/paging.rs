//! Every entry of a query, across pages: `get_all` and `get_all_iter`. The paging itself
//! (next query, clamp handling, termination) is `crate::paging::Pager`, compiled once; the
//! iterator (blocking) or stream (async) around it is the flavour's `AllEntries`.

use serde::de::DeserializeOwned;

use super::Client;
use super::flavour::{self, maybe};
use crate::client::common::check_name;
use crate::error::Result;
use crate::paging::Pager;
use crate::query::StrapiQuery;

/// # Paging: every entry of a collection
impl Client {
    /// Every entry matching `query`, page after page, as an iterator (blocking client) or a
    /// stream (async client) of `Result<T>`.
    ///
    /// - The page size is the query's (`paginate(1, 500)` or `offset(0, 500)`), else 100.
    ///   Strapi clamps it to its `maxLimit` (100 by default) and says so only in
    ///   `meta.pagination`: the echoed size is read after every page and used for the
    ///   next, so no entry is skipped or repeated. A page in the query is the first one read.
    /// - `id:asc` is appended as the last sort key unless the query already sorts by `id`:
    ///   without a total order the database may order rows differently from one page to the
    ///   next (ties on your sort keys included), which skips some and repeats others.
    /// - The requests for the next pages go out as soon as a page arrives (the blocking
    ///   iterator sends each from a thread of its own, the async stream as a task of its
    ///   tokio runtime), so they are under way while you consume the current one: the next
    ///   page, and once the first page has told the total, the one after it (two at most).
    ///   Dropping the iterator or stream starts nothing more: the async stream cancels the
    ///   requests ahead; the blocking iterator's threads finish theirs (within the client's
    ///   timeout), drop the pages and end.
    /// - An error (HTTP, decoding, or a server answering another page than asked) is yielded
    ///   once, after the entries already received, and ends the walk.
    ///
    /// Entries written by others while you page can still shift offsets; filter on
    /// something stable (e.g. `createdAt` before the start) when that matters.
    ///
    /// Bad input (collection name, query) fails here, before any request.
    #[doc = example!(
        sync: r#"
use strapi_kit::StrapiQuery;
#[derive(serde::Deserialize)]
struct Article { title: String }
for article in client.get_all_iter::<Article>("articles", &StrapiQuery::new())? {
    println!("{}", article?.title);
}
"#,
        async: r#"
use strapi_kit::StrapiQuery;
let mut all = client.get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new())?;
// `next` needs no trait import; it is also a `futures_util::Stream`.
while let Some(article) = all.next().await {
    println!("{}", article?["title"]);
}
"#,
    )]
    pub fn get_all_iter<T>(
        &self,
        collection: &str,
        query: &StrapiQuery,
    ) -> Result<flavour::AllEntries<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        check_name("content type", collection)?;
        let pager = Pager::new(query)?;
        Ok(flavour::AllEntries::new(
            self.clone(),
            collection.to_owned(),
            pager,
        ))
    }
}

#[maybe]
impl Client {
    /// Every entry matching `query`, all pages collected (see
    /// [`get_all_iter`](Self::get_all_iter) for the paging rules). Fails at the first error.
    #[doc = example!(
        sync: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
let q = StrapiQuery::new()
    .filter(FilterBuilder::new().eq("featured", true))
    .paginate(1, 100);
let all: Vec<serde_json::Value> = client.get_all("articles", &q)?;
"#,
        async: r#"
use strapi_kit::{FilterBuilder, StrapiQuery};
let q = StrapiQuery::new()
    .filter(FilterBuilder::new().eq("featured", true))
    .paginate(1, 100);
let all: Vec<serde_json::Value> = client.get_all("articles", &q).await?;
"#,
    )]
    // The blocking flavour reads this `while let` as a loop over an `Iterator`.
    #[allow(clippy::while_let_on_iterator)]
    pub async fn get_all<T>(&self, collection: &str, query: &StrapiQuery) -> Result<Vec<T>>
    where
        T: DeserializeOwned + Send + 'static,
    {
        let mut entries = self.get_all_iter::<T>(collection, query)?;
        let mut out = Vec::new();
        while let Some(entry) = entries.next().await {
            out.push(entry?);
        }
        Ok(out)
    }
}
