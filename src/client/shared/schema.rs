//! Schema introspection through the content-type builder's content API, typed
//! (`crate::schema`).

use reqwest::Method;
use serde_json::Value;

use super::Client;
use super::content::FCall;
use super::flavour::maybe;
use crate::client::common::from_slice;
use crate::error::Result;
use crate::schema::{Component, ContentType, check_uid};

/// # Schema: content types and components
#[maybe]
impl Client {
    async fn builder_get(&self, segments: &[&str]) -> Result<Value> {
        let mut path = vec!["content-type-builder"];
        path.extend_from_slice(segments);
        let call = FCall::new(Method::GET, self.core.api_url(&path, None));
        let got = self.fetch(&call).await?;
        from_slice(got.status, &got.body)
    }

    /// Every content type, yours (`api::…`, see [`ContentType::is_api`]) and those of
    /// plugins and the admin (`GET /api/content-type-builder/content-types`).
    ///
    /// Needs a token allowed to read the content-type builder (full access): a read-only
    /// token or the public role gets [`Error::Authorization`](crate::Error::Authorization).
    #[doc = example!(
        sync: r#"
for ct in client.content_types()?.iter().filter(|ct| ct.is_api()) {
    println!("{} at /api/{} (draft & publish: {})", ct.uid, ct.route(), ct.draft_and_publish);
}
"#,
        async: r#"
for ct in client.content_types().await?.iter().filter(|ct| ct.is_api()) {
    println!("{} at /api/{} (draft & publish: {})", ct.uid, ct.route(), ct.draft_and_publish);
}
"#,
    )]
    pub async fn content_types(&self) -> Result<Vec<ContentType>> {
        let body = self.builder_get(&["content-types"]).await?;
        ContentType::list_from_json(&body)
    }

    /// One content type by uid (`api::article.article`;
    /// `GET /api/content-type-builder/content-types/{uid}`). An unknown uid is
    /// [`Error::NotFound`](crate::Error::NotFound).
    #[doc = example!(
        sync: r#"
let article = client.content_type("api::article.article")?;
println!("{}", article.uid);
"#,
        async: r#"
let article = client.content_type("api::article.article").await?;
println!("{}", article.uid);
"#,
    )]
    pub async fn content_type(&self, uid: &str) -> Result<ContentType> {
        check_uid(uid)?;
        let body = self.builder_get(&["content-types", uid]).await?;
        ContentType::from_json(&body)
    }

    /// [`content_type`](Self::content_type), remembered per client (the media attach path
    /// asks for the same schema for every file; `reset_version_detection` forgets it).
    pub(crate) async fn content_type_cached(&self, uid: &str) -> Result<ContentType> {
        if let Some(hit) = self.core.schema_cache(uid) {
            return Ok(hit);
        }
        let ct = self.content_type(uid).await?;
        self.core.cache_schema(uid, &ct);
        Ok(ct)
    }

    /// Every component (`GET /api/content-type-builder/components`).
    #[doc = example!(
        sync: r#"
for c in client.components()? {
    println!("{}", c.uid);
}
"#,
        async: r#"
for c in client.components().await? {
    println!("{}", c.uid);
}
"#,
    )]
    pub async fn components(&self) -> Result<Vec<Component>> {
        let body = self.builder_get(&["components"]).await?;
        Component::list_from_json(&body)
    }

    /// One component by uid (`shared.seo`;
    /// `GET /api/content-type-builder/components/{uid}`).
    #[doc = example!(
        sync: r#"
let seo = client.component("shared.seo")?;
"#,
        async: r#"
let seo = client.component("shared.seo").await?;
"#,
    )]
    pub async fn component(&self, uid: &str) -> Result<Component> {
        check_uid(uid)?;
        let body = self.builder_get(&["components", uid]).await?;
        Component::from_json(&body)
    }
}
