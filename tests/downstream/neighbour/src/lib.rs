//! An unrelated crate that uses maybe-async in async mode.

/// Async unless someone turns on `maybe-async/is_sync` for the whole build.
#[maybe_async::maybe_async]
pub async fn answer() -> u32 {
    42
}
