//! The two clients, expanded from one source.
//!
//! `shared/` holds the client body, written once with `#[maybe]` on every I/O function.
//! `nonblocking.rs` mounts it with `maybe = maybe_async::must_be_async` and reqwest's async
//! types; `blocking.rs` mounts it with `maybe = maybe_async::must_be_sync` and
//! `reqwest::blocking`. Each flavour supplies a `flavour` module with the same names (a few
//! one-line I/O leaves: sleeping, file access, reading a body chunk). Everything without I/O
//! lives in `common.rs`, compiled once. Neither flavour turns on `maybe-async/is_sync`, so
//! the two features are additive and other maybe-async users in a build are unaffected.

pub(crate) mod common;

#[cfg(feature = "sync")]
pub mod blocking;
#[cfg(feature = "async")]
pub mod nonblocking;
