//! The integration tests: one binary (link time matters on 2 cores).
//!
//! The same test bodies run for both flavours and, where they talk to Strapi, against both
//! server versions. Test names read as a matrix:
//! `blocking::v5::content::create_then_get_one`, `nonblocking::v4::query::deep_populate_fields`,
//! `blocking::mock::faults::retries_503_then_succeeds`.
//!
//! How: `flavour_blocking.rs` and `flavour_nonblocking.rs` each bring a `maybe` attribute
//! (`maybe_async::must_be_sync` / `must_be_async`), a `the_test` attribute (`#[test]` /
//! `#[tokio::test]`) and `Client`, then mount `server.rs` twice (as `v5` and `v4`) and
//! `mock.rs` once; those mount the files in `cases/`, written once with `#[maybe]`.
#![allow(clippy::duplicate_mod)]

mod support;

/// The code `strapi_kit::codegen` generates for the fixture servers' schema (a committed
/// snapshot; `cases/codegen.rs` checks that the live schemas still generate it).
#[path = "data/codegen/cms_v5.rs"]
#[allow(dead_code)]
mod cms;

/// The generated types without a server, and the scratch crate that compiles them.
#[path = "cases/codegen_offline.rs"]
mod codegen_offline;

#[cfg(feature = "sync")]
#[path = "flavour_blocking.rs"]
mod blocking;

#[cfg(feature = "async")]
#[path = "flavour_nonblocking.rs"]
mod nonblocking;
