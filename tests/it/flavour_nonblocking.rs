//! The async flavour of every test.

mod prelude {
    pub(crate) use maybe_async::must_be_async as maybe;

    /// Requests in flight at once in the load test: all of them, on one task.
    pub(crate) const LOAD_CONCURRENCY: usize = 500;

    /// Runs `job(0..count)` with at most `limit` in flight on this task; results by index.
    pub(crate) async fn concurrently<T, F: std::future::Future<Output = T>>(
        count: usize,
        limit: usize,
        job: impl Fn(usize) -> F,
    ) -> Vec<T> {
        use futures_util::stream::{self, StreamExt};
        let mut got: Vec<(usize, T)> = stream::iter(0..count)
            .map(|i| {
                let f = job(i);
                async move { (i, f.await) }
            })
            .buffer_unordered(limit.max(1))
            .collect()
            .await;
        got.sort_by_key(|(i, _)| *i);
        got.into_iter().map(|(_, t)| t).collect()
    }
    pub(crate) use strapi_kit::AsyncClient as Client;
    pub(crate) use strapi_kit::nonblocking::UploadReader;
    pub(crate) use tokio::test as the_test;
}

#[path = "server.rs"]
mod v5;

#[path = "server.rs"]
mod v4;

#[path = "mock.rs"]
mod mock;
