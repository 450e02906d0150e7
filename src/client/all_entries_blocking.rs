//! The blocking `AllEntries`: an [`Iterator`] over every entry of a query, page after page.
//! The paging rules are `crate::paging::Pager`'s; this only does the fetching.

use std::collections::VecDeque;

use serde::de::DeserializeOwned;

use super::shared::Client;
use crate::error::Result;
use crate::paging::Pager;

/// Every entry of a query, fetched page by page as you iterate (from
/// [`Client::get_all_iter`]). Yields `Result<T>`; after an error it ends.
#[must_use = "an iterator does nothing until iterated"]
pub struct AllEntries<T> {
    client: Client,
    collection: String,
    pager: Pager,
    buffered: VecDeque<T>,
}

impl<T> std::fmt::Debug for AllEntries<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllEntries")
            .field("collection", &self.collection)
            .field("buffered", &self.buffered.len())
            .field("total", &self.pager.total())
            .field("done", &self.pager.is_done())
            .finish_non_exhaustive()
    }
}

impl<T> AllEntries<T> {
    pub(crate) fn new(client: Client, collection: String, pager: Pager) -> Self {
        AllEntries {
            client,
            collection,
            pager,
            buffered: VecDeque::new(),
        }
    }

    /// The number of matching entries the server reported, once the first page has
    /// arrived (`None` before, or with `with_count(false)`).
    ///
    /// ```no_run
    /// # fn demo(client: &strapi_kit::SyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new())?;
    /// while let Some(article) = all.next() {
    ///     article?;
    ///     if let Some(total) = all.total() {
    ///         println!("{} pages of {total} entries so far", all.pages_fetched());
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn total(&self) -> Option<u64> {
        self.pager.total()
    }

    /// Pages fetched so far.
    ///
    /// ```no_run
    /// # fn demo(client: &strapi_kit::SyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new())?;
    /// for article in all.by_ref() {
    ///     article?;
    /// }
    /// println!("{} requests", all.pages_fetched());
    /// # Ok(())
    /// # }
    /// ```
    pub fn pages_fetched(&self) -> u64 {
        self.pager.pages()
    }

    /// The page size the walk uses: the one asked for, until the server's answer shows that
    /// it clamped it (Strapi's `maxLimit`, 100 by default); then the server's.
    ///
    /// ```no_run
    /// # fn demo(client: &strapi_kit::SyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// // Asks for 500 a page; a server with maxLimit 100 sends 100.
    /// let q = StrapiQuery::new().paginate(1, 500);
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &q)?;
    /// for article in all.by_ref() {
    ///     article?;
    /// }
    /// println!("pages of {}", all.page_size());
    /// # Ok(())
    /// # }
    /// ```
    pub fn page_size(&self) -> u64 {
        self.pager.page_size()
    }
}

impl<T: DeserializeOwned> Iterator for AllEntries<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(entry) = self.buffered.pop_front() {
                return Some(Ok(entry));
            }
            let query = self.pager.next_query()?;
            let page = match self.client.get_many::<T>(&self.collection, &query) {
                Ok(page) => page,
                Err(e) => {
                    self.pager.stop();
                    return Some(Err(e));
                }
            };
            if let Err(e) = self
                .pager
                .record(page.meta.pagination.as_ref(), page.data.len())
            {
                return Some(Err(e));
            }
            self.buffered.extend(page.data);
        }
    }
}
