//! The schema for `strapi_kit::codegen`, read from the server.

use super::Client;
use super::flavour::maybe;
use crate::codegen::Schema;
use crate::error::Result;

/// # Codegen: the schema to generate from
#[maybe]
impl Client {
    /// Every content type and component of the server, with its version, for
    /// [`codegen::generate`](crate::codegen::generate) or [`Schema::save`] (feature
    /// `codegen`). Needs a token allowed to read the content-type builder (full access).
    #[doc = example!(
        sync: r#"
use strapi_kit::codegen::{self, CodegenOptions};
let schema = client.codegen_schema()?;
schema.save("strapi-schema.json")?;
std::fs::write("src/cms.rs", codegen::generate(&schema, &CodegenOptions::new())?).unwrap();
"#,
        async: r#"
use strapi_kit::codegen::{self, CodegenOptions};
let schema = client.codegen_schema().await?;
schema.save("strapi-schema.json")?;
std::fs::write("src/cms.rs", codegen::generate(&schema, &CodegenOptions::new())?).unwrap();
"#,
    )]
    pub async fn codegen_schema(&self) -> Result<Schema> {
        let version = self.detect_version().await?;
        let content_types = self.content_types().await?;
        let components = self.components().await?;
        Ok(Schema::new(content_types, components).with_version(version))
    }
}
