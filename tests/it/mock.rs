//! Tests against the local mock server (faults a real Strapi cannot be made to produce).

pub(crate) use super::prelude::*;
pub(crate) use crate::support::*;

/// Fast retries for the mock (no jitter, 10 ms base, 50 ms cap), the default rules otherwise.
pub(crate) fn fast_retries() -> strapi_kit::RetryPolicy {
    strapi_kit::RetryPolicy::default()
        .jitter(false)
        .base_delay(std::time::Duration::from_millis(10))
        .max_delay(std::time::Duration::from_millis(50))
}

/// A client for `mock` with fast retries and the given timeout.
pub(crate) fn mock_client(
    mock: &crate::support::mock::Mock,
    timeout: std::time::Duration,
) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .retry(fast_retries())
            .timeout(timeout)
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[path = "cases/faults.rs"]
mod faults;

#[path = "cases/deadlines.rs"]
mod deadlines;

#[path = "cases/hostile_inputs.rs"]
mod hostile_inputs;

#[path = "cases/downloads.rs"]
mod downloads;

#[path = "cases/attach_faults.rs"]
mod attach_faults;

#[path = "cases/uploads.rs"]
mod uploads;

#[path = "cases/perf_paths.rs"]
mod perf_paths;

#[path = "cases/admin_auth.rs"]
mod admin_auth;

#[path = "cases/transfer_faults.rs"]
mod transfer_faults;
#[path = "cases/users_faults.rs"]
mod users_faults;

#[path = "cases/hooks_faults.rs"]
mod hooks_faults;

#[path = "cases/tls.rs"]
mod tls;
