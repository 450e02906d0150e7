//! The blocking `AllEntries`: an [`Iterator`] over every entry of a query, page after page,
//! with the next pages fetched on threads of their own while the current one is consumed.
//! The paging rules are `crate::paging::Pager`'s; this only does the fetching.

use std::collections::VecDeque;
use std::sync::mpsc;

use serde::de::DeserializeOwned;

use super::shared::Client;
use crate::error::{Error, Result};
use crate::models::ListResponse;
use crate::paging::{AHEAD, Pager};
use crate::query::StrapiQuery;

/// A page being fetched ahead, and its query: its fetching thread sends it here once.
type InFlight<T> = (StrapiQuery, mpsc::Receiver<Result<ListResponse<T>>>);

/// Every entry of a query, fetched page by page as you iterate (from
/// [`Client::get_all_iter`]), the next pages (two at most) while you consume the current
/// one. Yields `Result<T>`; after an error it ends.
#[must_use = "an iterator does nothing until iterated"]
pub struct AllEntries<T> {
    client: Client,
    collection: String,
    pager: Pager,
    buffered: VecDeque<T>,
    /// The pages ahead, in order: at most [`AHEAD`].
    in_flight: VecDeque<InFlight<T>>,
}

impl<T> std::fmt::Debug for AllEntries<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllEntries")
            .field("collection", &self.collection)
            .field("buffered", &self.buffered.len())
            .field("in_flight", &self.in_flight.len())
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
            in_flight: VecDeque::new(),
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

impl<T: DeserializeOwned + Send + 'static> AllEntries<T> {
    /// Starts fetching the next pages (up to [`AHEAD`] in flight), each on a thread of its
    /// own. Should the iterator be dropped first, each thread finishes its one request
    /// (bounded by the client's timeout), drops the page and ends.
    fn start_next(&mut self) {
        while self.in_flight.len() < AHEAD {
            let Some(query) = self.pager.query_ahead(self.in_flight.len() as u64) else {
                return;
            };
            let (tx, rx) = mpsc::sync_channel(1);
            let client = self.client.clone();
            let collection = self.collection.clone();
            let q = query.clone();
            let spawned = std::thread::Builder::new()
                .name("strapi-kit-page".into())
                .spawn(move || {
                    let _ = tx.send(client.get_many::<T>(&collection, &q));
                });
            // Without a thread the page is fetched when it is needed, as without prefetch.
            if spawned.is_err() {
                return;
            }
            self.in_flight.push_back((query, rx));
        }
    }

    /// The next page: the one fetched ahead, else fetched now.
    fn next_page(&mut self) -> Option<Result<ListResponse<T>>> {
        let query = self.pager.next_query()?;
        match self.in_flight.pop_front() {
            Some((asked, rx)) if asked == query => {
                // Waiting blocks like a request would: refused on an async task's thread.
                if let Err(e) = super::flavour::check_may_block() {
                    return Some(Err(e));
                }
                return Some(rx.recv().unwrap_or_else(|_| {
                    Err(Error::Config(
                        "the thread fetching the next page stopped unexpectedly".into(),
                    ))
                }));
            }
            // Fetched with a page size the server has since shown to be another: the pages
            // ahead are dropped (their threads end on their own) and fetched again.
            Some(_) => self.in_flight.clear(),
            None => {}
        }
        Some(self.client.get_many::<T>(&self.collection, &query))
    }
}

impl<T: DeserializeOwned + Send + 'static> Iterator for AllEntries<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(entry) = self.buffered.pop_front() {
                return Some(Ok(entry));
            }
            let page = match self.next_page()? {
                Ok(page) => page,
                Err(e) => {
                    self.pager.stop();
                    self.in_flight.clear();
                    return Some(Err(e));
                }
            };
            if let Err(e) = self
                .pager
                .record(page.meta.pagination.as_ref(), page.data.len())
            {
                self.in_flight.clear();
                return Some(Err(e));
            }
            self.buffered.extend(page.data);
            if self.pager.is_done() {
                self.in_flight.clear();
            }
            // The next pages are under way while this one is consumed.
            self.start_next();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;

    use crate::query::StrapiQuery;
    use crate::version::ApiVersion;
    use crate::{StrapiConfig, SyncClient};

    /// Serves 7 entries in pages of 3 (`pagination[start]`).
    fn serve() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(conn.try_clone().unwrap());
                    let mut out = conn;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        let mut header = String::new();
                        while reader.read_line(&mut header).unwrap_or(0) > 2 {
                            header.clear();
                        }
                        let start: u64 = line
                            .split("pagination%5Bstart%5D=")
                            .nth(1)
                            .and_then(|s| s.split(['&', ' ']).next())
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(99);
                        let data: Vec<String> = (start..(start + 3).min(7))
                            .map(|i| format!(r#"{{"id":{i},"documentId":"d{i}"}}"#))
                            .collect();
                        let body = format!(
                            r#"{{"data":[{}],"meta":{{"pagination":{{"start":{start},"limit":3,"total":7}}}}}}"#,
                            data.join(",")
                        );
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        if out.write_all(head.as_bytes()).is_err()
                            || out.write_all(body.as_bytes()).is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        url
    }

    #[test]
    fn waiting_for_the_page_ahead_on_an_async_thread_is_refused() {
        let config = StrapiConfig::builder(serve())
            .api_token("t")
            .api_version(ApiVersion::V5)
            .build()
            .unwrap();
        let client = SyncClient::new(config).unwrap();
        let mut all = client
            .get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new().offset(0, 3))
            .unwrap();
        // The first page, on this plain thread; the second is fetched ahead meanwhile.
        assert_eq!(all.next().unwrap().unwrap()["id"], 0);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let got: Vec<_> = rt.block_on(async { all.by_ref().take(3).collect() });
        // What is in hand is handed out; waiting for the page ahead would block the task.
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[1].is_ok());
        let err = got[2].as_ref().unwrap_err();
        assert!(
            matches!(err, crate::Error::Config(m) if m.contains("spawn_blocking")),
            "{err:?}"
        );
        assert!(all.next().is_none(), "the walk ended with the error");
    }
}
