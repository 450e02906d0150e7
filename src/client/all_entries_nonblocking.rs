//! The async `AllEntries`: a [`Stream`] over every entry of a query, page after page, with
//! the next page requested while the current one is consumed. The paging rules are
//! `crate::paging::Pager`'s; this only does the fetching.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::Stream;
use serde::de::DeserializeOwned;

use super::shared::Client;
use crate::error::{Error, Result};
use crate::models::ListResponse;
use crate::paging::{AHEAD, Pager};
use crate::query::StrapiQuery;

type PageFuture<T> = Pin<Box<dyn Future<Output = Result<ListResponse<T>>> + Send>>;

/// A page requested ahead: its query, and the request until it is answered.
struct Ahead<T> {
    query: StrapiQuery,
    request: Option<Request<T>>,
    answer: Option<Result<ListResponse<T>>>,
}

/// A page request: a task of the tokio runtime the stream is polled on (it progresses, and
/// its page is decoded, while the stream is not polled), or, outside one, a future polled
/// with the stream.
enum Request<T> {
    Task(tokio::task::JoinHandle<Result<ListResponse<T>>>),
    Polled(PageFuture<T>),
}

impl<T> Drop for Ahead<T> {
    fn drop(&mut self) {
        // Dropping the stream (or a page asked with a stale page size) cancels the request.
        if let Some(Request::Task(task)) = &self.request {
            task.abort();
        }
    }
}

impl<T> Request<T> {
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<Result<ListResponse<T>>> {
        match self {
            Request::Polled(f) => f.as_mut().poll(cx),
            Request::Task(task) => Pin::new(task).poll(cx).map(|done| {
                done.unwrap_or_else(|e| {
                    if e.is_panic() {
                        std::panic::resume_unwind(e.into_panic());
                    }
                    Err(Error::Config(format!("the page request stopped: {e}")))
                })
            }),
        }
    }
}

/// Every entry of a query, fetched page by page as you consume it (from
/// [`Client::get_all_iter`]). A [`Stream`] of `Result<T>`, with an inherent
/// [`next`](Self::next) so that no trait import is needed; after an error it ends.
///
/// As soon as a page arrives the requests for the next ones are sent (at most two pages
/// ahead), as tasks of the tokio runtime the stream is polled on, so fetching and decoding
/// overlap with your processing. Dropping the stream cancels the requests in flight.
#[must_use = "a stream does nothing until polled"]
pub struct AllEntries<T> {
    client: Client,
    collection: String,
    pager: Pager,
    buffered: VecDeque<T>,
    /// The pages ahead, in order: at most [`AHEAD`].
    in_flight: VecDeque<Ahead<T>>,
    error: Option<Error>,
}

// Nothing is pinned structurally: the only future is boxed.
impl<T> Unpin for AllEntries<T> {}

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
            error: None,
        }
    }

    /// The number of matching entries the server reported, once the first page has
    /// arrived (`None` before, or with `with_count(false)`).
    ///
    /// ```no_run
    /// # async fn demo(client: &strapi_kit::AsyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new())?;
    /// while let Some(article) = all.next().await {
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
    /// # async fn demo(client: &strapi_kit::AsyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new())?;
    /// while let Some(article) = all.next().await {
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
    /// # async fn demo(client: &strapi_kit::AsyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// // Asks for 500 a page; a server with maxLimit 100 sends 100.
    /// let q = StrapiQuery::new().paginate(1, 500);
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &q)?;
    /// while let Some(article) = all.next().await {
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
    /// The next entry (`None` at the end): the same as `StreamExt::next`.
    ///
    /// ```no_run
    /// # async fn demo(client: &strapi_kit::AsyncClient) -> strapi_kit::Result<()> {
    /// use strapi_kit::StrapiQuery;
    /// let mut all = client.get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new())?;
    /// while let Some(article) = all.next().await {
    ///     println!("{}", article?["title"]);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn next(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Requests the next pages, up to [`AHEAD`] in flight (they are sent when first polled).
    fn start_next(&mut self) {
        while self.in_flight.len() < AHEAD {
            let Some(query) = self.pager.query_ahead(self.in_flight.len() as u64) else {
                return;
            };
            let client = self.client.clone();
            let collection = self.collection.clone();
            let q = query.clone();
            let fetch: PageFuture<T> =
                Box::pin(async move { client.get_many::<T>(&collection, &q).await });
            let request = match tokio::runtime::Handle::try_current() {
                Ok(rt) => Request::Task(rt.spawn(fetch)),
                Err(_) => Request::Polled(fetch),
            };
            self.in_flight.push_back(Ahead {
                query,
                request: Some(request),
                answer: None,
            });
        }
    }

    /// Takes in the answered front page, if its turn has come.
    fn take_front(&mut self) -> bool {
        if self.in_flight.front().is_none_or(|a| a.answer.is_none()) {
            return false;
        }
        let Some(mut front) = self.in_flight.pop_front() else {
            return false;
        };
        let answer = front.answer.take();
        if self.pager.next_query().as_ref() != Some(&front.query) {
            // Asked with a page size the server has since shown to be another: the pages
            // ahead are dropped (cancelled) and asked again.
            self.in_flight.clear();
            self.start_next();
            return true;
        }
        match answer
            .unwrap_or_else(|| Err(Error::Config("internal: no page".into())))
            .and_then(|page| {
                self.pager
                    .record(page.meta.pagination.as_ref(), page.data.len())
                    .map(|()| page.data)
            }) {
            Ok(entries) => {
                self.buffered.extend(entries);
                if self.pager.is_done() {
                    self.in_flight.clear();
                }
                self.start_next();
            }
            Err(e) => {
                self.pager.stop();
                self.in_flight.clear();
                self.error = Some(e);
            }
        }
        true
    }
}

impl<T: DeserializeOwned + Send + 'static> Stream for AllEntries<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        if this.in_flight.is_empty()
            && this.buffered.is_empty()
            && this.error.is_none()
            && !this.pager.is_done()
        {
            this.start_next();
        }
        // Drive the requests in flight, also while entries are buffered: that is what makes
        // the next pages arrive while the current one is consumed. Pages are taken in order;
        // new requests are polled once at once, which sends them.
        loop {
            for ahead in this.in_flight.iter_mut() {
                if let Some(request) = ahead.request.as_mut() {
                    if let Poll::Ready(answer) = request.poll(cx) {
                        ahead.request = None;
                        ahead.answer = Some(answer);
                    }
                }
            }
            if !this.take_front() {
                break;
            }
        }
        if let Some(entry) = this.buffered.pop_front() {
            return Poll::Ready(Some(Ok(entry)));
        }
        if let Some(e) = this.error.take() {
            return Poll::Ready(Some(Err(e)));
        }
        if this.in_flight.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.buffered.len(), None)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use crate::query::StrapiQuery;
    use crate::version::ApiVersion;
    use crate::{AsyncClient, StrapiConfig};

    /// A list route with 7 entries served 3 at a time; logs each request's start.
    fn serve(log: Arc<Mutex<Vec<String>>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { return };
                let log = Arc::clone(&log);
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
                        log.lock().unwrap().push(format!("request {start}"));
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

    /// Streams and the futures of the new calls can move to another task (`tokio::spawn`).
    #[test]
    fn streams_and_futures_are_send() {
        fn send<T: Send>(_: &T) {}
        let client =
            AsyncClient::new(StrapiConfig::new("http://127.0.0.1:9", "t").unwrap()).unwrap();
        let q = StrapiQuery::new();
        let stream = client
            .get_all_iter::<serde_json::Value>("articles", &q)
            .unwrap();
        send(&stream);
        send(&client.get_all::<serde_json::Value>("articles", &q));
        let rows = vec![serde_json::json!({"title": "x"})];
        let opts = crate::BulkOptions::new();
        send(&client.bulk_create::<serde_json::Value, _>("articles", rows, &opts));
        send(&client.bulk_delete("articles", ["a"], &opts));
        send(&client.publish::<serde_json::Value>("articles", "a"));
        send(&client.unpublish("articles", "a"));
        send(&client.create_localization::<serde_json::Value, _>(
            "articles",
            "a",
            "fr",
            &serde_json::json!({}),
        ));
        send(&client.content_types());
        let articles = client.collection_named::<serde_json::Value>("articles");
        send(&articles);
        send(&articles.find(&q));
        send(&articles.all(&q).unwrap());
        send(&client.single_named::<serde_json::Value>("homepage").get());
        send(&client.relation(&crate::Relation::connect(["a"])));
    }

    #[tokio::test]
    async fn the_next_page_is_requested_while_the_current_one_is_consumed() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let url = serve(Arc::clone(&log));
        let config = StrapiConfig::builder(url)
            .api_token("t")
            .api_version(ApiVersion::V5)
            .build()
            .unwrap();
        let client = AsyncClient::new(config).unwrap();
        let mut all = client
            .get_all_iter::<serde_json::Value>("articles", &StrapiQuery::new().offset(0, 3))
            .unwrap();
        let mut ids = Vec::new();
        while let Some(entry) = all.next().await {
            let id = entry.unwrap()["id"].as_u64().unwrap();
            log.lock().unwrap().push(format!("consumed {id}"));
            ids.push(id);
            // A slow consumer: the stream is not polled meanwhile.
            tokio::time::sleep(Duration::from_millis(50)).await;
            log.lock().unwrap().push(format!("woke {id}"));
        }
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6]);
        let log = log.lock().unwrap().clone();
        let pos = |s: &str| log.iter().position(|l| l == s).unwrap();
        // Page 2 reached the server while entry 0 was being processed (the stream was not
        // polled then), page 3 while entry 3 was.
        assert!(pos("request 3") < pos("woke 0"), "{log:?}");
        assert!(pos("request 6") < pos("woke 3"), "{log:?}");
        assert_eq!(log.iter().filter(|l| l.starts_with("request")).count(), 3);
    }
}
