//! Tests against a real Strapi server. Mounted as `v5` and as `v4` in each flavour; the
//! module's name picks the server.

pub(crate) use super::prelude::*;
pub(crate) use crate::support::*;

/// The server of this module.
pub(crate) fn server() -> &'static strapi::Strapi {
    if module_path!().ends_with("::v4") {
        strapi::v4()
    } else {
        strapi::v5()
    }
}

/// A client with the full-access token.
pub(crate) fn client() -> Client {
    Client::new(config(&server().url, Some(&server().full_token))).expect("client")
}

/// A client with the read-only token.
pub(crate) fn read_client() -> Client {
    let token = server().read_token.as_deref().expect("read-only token");
    Client::new(config(&server().url, Some(token))).expect("client")
}

/// A client without credentials (Strapi's public role).
pub(crate) fn anon_client() -> Client {
    Client::new(config(&server().url, None)).expect("client")
}

/// Whether this module talks to Strapi 5.
pub(crate) fn is_v5() -> bool {
    server().version == strapi_kit::ApiVersion::V5
}

#[path = "cases/content.rs"]
mod content;

#[path = "cases/query.rs"]
mod query;

#[path = "cases/errors.rs"]
mod errors;

#[path = "cases/media.rs"]
mod media;

#[path = "cases/load.rs"]
mod load;

#[path = "cases/paging.rs"]
mod paging;

#[path = "cases/bulk.rs"]
mod bulk;

#[path = "cases/drafts.rs"]
mod drafts;

#[path = "cases/locales.rs"]
mod locales;

#[path = "cases/schema.rs"]
mod schema;

#[path = "cases/relations.rs"]
mod relations;

#[path = "cases/lost_answers.rs"]
mod lost_answers;

#[path = "cases/folders.rs"]
mod folders;

#[path = "cases/downloads_live.rs"]
mod downloads_live;

#[path = "cases/attach.rs"]
mod attach;

#[path = "cases/uploads_real.rs"]
mod uploads_real;

#[path = "cases/qs.rs"]
mod qs;

#[path = "cases/transfer.rs"]
mod transfer;
#[path = "cases/users.rs"]
mod users;

#[path = "cases/codegen.rs"]
mod codegen;

#[path = "cases/compression.rs"]
mod compression;

#[path = "cases/hooks.rs"]
mod hooks;

#[cfg(feature = "webhook")]
#[path = "cases/webhooks.rs"]
mod webhooks;
