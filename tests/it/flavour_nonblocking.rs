//! The async flavour of every test.

mod prelude {
    pub(crate) use maybe_async::must_be_async as maybe;
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
