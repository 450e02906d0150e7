//! The blocking flavour of every test.

mod prelude {
    pub(crate) use maybe_async::must_be_sync as maybe;

    /// Requests in flight at once in the load test: threads sharing one client.
    pub(crate) const LOAD_CONCURRENCY: usize = 16;

    /// Runs `job(0..count)` on `limit` threads; results by index.
    pub(crate) fn concurrently<T: Send>(
        count: usize,
        limit: usize,
        job: impl Fn(usize) -> T + Sync,
    ) -> Vec<T> {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let out: Vec<std::sync::Mutex<Option<T>>> =
            (0..count).map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..limit.max(1) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        if i >= count {
                            break;
                        }
                        *out[i].lock().unwrap() = Some(job(i));
                    }
                });
            }
        });
        out.into_iter()
            .map(|m| m.into_inner().unwrap().expect("every job ran"))
            .collect()
    }
    pub(crate) use std::prelude::v1::test as the_test;
    pub(crate) use strapi_kit::SyncClient as Client;
    pub(crate) use strapi_kit::blocking::UploadReader;
}

#[path = "server.rs"]
mod v5;

#[path = "server.rs"]
mod v4;

#[path = "mock.rs"]
mod mock;

// The command-line tool: once per server, not once per flavour.
#[cfg(feature = "cli")]
#[path = "cases/cli.rs"]
mod cli;
