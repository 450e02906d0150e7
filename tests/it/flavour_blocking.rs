//! The blocking flavour of every test.

mod prelude {
    pub(crate) use maybe_async::must_be_sync as maybe;
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
