//! Rust types from the server's schema (feature `codegen`).
//!
//! [`generate`] turns a [`Schema`] (the content types and components of the content-type
//! builder, v4 or v5) into Rust source, deterministic and in rustfmt's layout:
//!
//! - a struct per content type (with its system fields: `id`, `document_id`, `created_at`,
//!   `updated_at`, `published_at`, and `locale` when localized) and per component
//!   (`shared.seo` → `SharedSeo`);
//! - a field per attribute: `String` for string, text, richtext, email, uid, biginteger (a
//!   string on the wire), date, time, datetime and timestamp; `i64` for integer; `f64` for
//!   float and decimal; `bool`; [`serde_json::Value`] for json, blocks and custom fields;
//!   an enum per enumeration (serde renames, and `Unknown(String)` for a value added since);
//!   [`MediaFile`](crate::MediaFile) or `Vec<MediaFile>` for media;
//!   [`Related<T>`](crate::typed::Related) or `Vec<Related<T>>` for every relation kind
//!   (populated or not; `T` is the target's struct, or `Value` for a type not generated);
//!   the component's struct (or a `Vec` of it); for a dynamic zone a `Vec` of an enum told
//!   by `__component`, with `Unknown(Value)` for a component added since;
//! - `Option` where a field is not required, and always for media, relations, components
//!   and zones (absent until populated); password and private fields are left out (the
//!   REST API never returns them);
//! - doc comments from the schema's descriptions;
//! - an input struct per content type and component (`ArticleInput`): every field an
//!   `Option` left out of the JSON when `None`, no system fields; media as file ids,
//!   relations as JSON (ids, documentIds, or a client's `relation(&Relation::…)`);
//! - an impl of [`StrapiType`](crate::typed::StrapiType) and
//!   [`CollectionType`](crate::typed::CollectionType) or
//!   [`SingleType`](crate::typed::SingleType) per content type, for
//!   `client.collection::<Article>()` and `client.single::<Homepage>()`.
//!
//! The generated code needs `strapi-kit` (any features), `serde` (with `derive`) and
//! `serde_json` as dependencies. Your API's types (`api::…`) and every component are
//! generated; add plugin types with [`CodegenOptions::include`].
//!
//! A [`Schema`] comes from a server (`client.codegen_schema()`) or from a file saved with
//! [`Schema::save`], so that a `build.rs` can generate without a server:
//!
//! ```
//! use serde_json::json;
//! use strapi_kit::codegen::{self, CodegenOptions, Schema};
//!
//! let schema = Schema::from_json(&json!({
//!     "contentTypes": [{"uid": "api::article.article", "schema": {
//!         "kind": "collectionType", "singularName": "article", "pluralName": "articles",
//!         "displayName": "Article",
//!         "attributes": {
//!             "title": {"type": "string", "required": true},
//!             "status": {"type": "enumeration", "enum": ["draft", "in-review"]}
//!         }
//!     }}],
//!     "components": []
//! }))?;
//! let code = codegen::generate(&schema, &CodegenOptions::new())?;
//! assert!(code.contains("pub struct Article {"));
//! assert!(code.contains("    pub title: String,"));
//! assert!(code.contains("    pub status: Option<ArticleStatus>,"));
//! assert!(code.contains("    #[serde(rename = \"in-review\")]\n    InReview,"));
//! assert!(code.contains("pub struct ArticleInput {"));
//! # Ok::<(), strapi_kit::Error>(())
//! ```
//!
//! In a `build.rs` (with `strapi-kit` as a build dependency, feature `codegen`):
//!
//! ```no_run
//! use strapi_kit::codegen::{self, CodegenOptions, Schema};
//!
//! let schema = Schema::load("strapi-schema.json")?;
//! let code = codegen::generate(&schema, &CodegenOptions::new())?;
//! let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("cms.rs");
//! std::fs::write(out, code).unwrap();
//! // In the crate: `mod cms { include!(concat!(env!("OUT_DIR"), "/cms.rs")); }`
//! # Ok::<(), strapi_kit::Error>(())
//! ```

use std::path::Path;

use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::schema::{Component, ContentType};
use crate::version::ApiVersion;

mod emit;
mod names;

/// The content types and components to generate from: what the content-type builder says.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Schema {
    /// The server's version, when known (informational: the generated code reads both).
    pub version: Option<ApiVersion>,
    /// The content types (yours, and those of plugins and the admin).
    pub content_types: Vec<ContentType>,
    /// The components.
    pub components: Vec<Component>,
}

/// The `format` member of a schema file.
const FORMAT: &str = "strapi-kit-schema";

impl Schema {
    /// A schema from content types and components (e.g. from `client.content_types()` and
    /// `client.components()`), each list sorted by uid (so that equal schemas compare
    /// equal whatever order the server listed them in).
    ///
    /// ```
    /// use strapi_kit::codegen::Schema;
    /// let schema = Schema::new(Vec::new(), Vec::new());
    /// assert!(schema.content_types.is_empty() && schema.version.is_none());
    /// ```
    pub fn new(mut content_types: Vec<ContentType>, mut components: Vec<Component>) -> Schema {
        content_types.sort_by(|a, b| a.uid.cmp(&b.uid));
        components.sort_by(|a, b| a.uid.cmp(&b.uid));
        Schema {
            version: None,
            content_types,
            components,
        }
    }

    /// The same schema, noting the server's version.
    ///
    /// ```
    /// use strapi_kit::{ApiVersion, codegen::Schema};
    /// let schema = Schema::new(Vec::new(), Vec::new()).with_version(ApiVersion::V4);
    /// assert_eq!(schema.version, Some(ApiVersion::V4));
    /// ```
    pub fn with_version(mut self, version: ApiVersion) -> Schema {
        self.version = Some(version);
        self
    }

    /// The schema as JSON (the schema file's content): `{"format", "formatVersion",
    /// "strapiVersion", "contentTypes", "components"}`, items sorted by uid, each in the
    /// content-type builder's shape.
    ///
    /// ```
    /// use serde_json::json;
    /// use strapi_kit::codegen::Schema;
    /// let json = Schema::new(Vec::new(), Vec::new()).to_json();
    /// assert_eq!(json["contentTypes"], json!([]));
    /// assert_eq!(Schema::from_json(&json).unwrap(), Schema::new(Vec::new(), Vec::new()));
    /// ```
    pub fn to_json(&self) -> Value {
        let mut cts: Vec<&ContentType> = self.content_types.iter().collect();
        cts.sort_by(|a, b| a.uid.cmp(&b.uid));
        let mut comps: Vec<&Component> = self.components.iter().collect();
        comps.sort_by(|a, b| a.uid.cmp(&b.uid));
        json!({
            "format": FORMAT,
            "formatVersion": 1,
            "strapiVersion": self.version.map(|v| v.to_string()),
            "contentTypes": cts.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
            "components": comps.iter().map(|c| c.to_json()).collect::<Vec<_>>(),
        })
    }

    /// Reads a schema from JSON: what [`to_json`](Self::to_json) writes, or any object with
    /// `contentTypes` and `components` lists of builder items (or the builder's own
    /// `{"data": [...]}` answers). Anything else is [`Error::InvalidInput`].
    pub fn from_json(body: &Value) -> Result<Schema> {
        let bad = |what: &str| Error::InvalidInput(format!("not a strapi-kit schema: {what}"));
        let obj = body.as_object().ok_or_else(|| bad("not a JSON object"))?;
        if let Some(f) = obj.get("format") {
            if f.as_str() != Some(FORMAT) {
                return Err(bad("another format"));
            }
        }
        let version = match obj.get("strapiVersion").and_then(Value::as_str) {
            None => None,
            Some("v4") => Some(ApiVersion::V4),
            Some("v5") => Some(ApiVersion::V5),
            Some(_) => return Err(bad("strapiVersion is neither v4 nor v5")),
        };
        let list = |key: &str| -> Result<&Value> {
            obj.get(key)
                .ok_or_else(|| bad(&format!("no {key:?} member")))
        };
        let content_types = ContentType::list_from_json(list("contentTypes")?)
            .map_err(|e| bad(&format!("contentTypes: {e}")))?;
        let components = Component::list_from_json(list("components")?)
            .map_err(|e| bad(&format!("components: {e}")))?;
        let schema = Schema::new(content_types, components);
        Ok(match version {
            Some(v) => schema.with_version(v),
            None => schema,
        })
    }

    /// Reads a schema file written by [`save`](Self::save).
    pub fn load(path: impl AsRef<Path>) -> Result<Schema> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let body: Value = serde_json::from_slice(&bytes)
            .map_err(|e| Error::InvalidInput(format!("{} is not JSON: {e}", path.display())))?;
        Schema::from_json(&body)
    }

    /// Writes the schema as pretty JSON (deterministic: the same schema gives the same
    /// bytes), for [`load`](Self::load) in a build without a server.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut text = serde_json::to_string_pretty(&self.to_json())
            .map_err(|e| Error::InvalidInput(format!("the schema cannot be written: {e}")))?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| Error::io(path, e))
    }
}

/// What [`generate`] writes. The default: every API type (`api::…`) and every component.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodegenOptions {
    include: Vec<String>,
    exclude: Vec<String>,
}

impl CodegenOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Also generates this content type of a plugin (or the admin), by uid:
    /// `plugin::users-permissions.user`.
    ///
    /// ```
    /// use strapi_kit::codegen::CodegenOptions;
    /// let options = CodegenOptions::new().include("plugin::users-permissions.user");
    /// ```
    pub fn include(mut self, uid: impl Into<String>) -> Self {
        self.include.push(uid.into());
        self
    }

    /// Leaves this content type out (relations to it decode as
    /// [`Related<serde_json::Value>`](crate::typed::Related)).
    ///
    /// ```
    /// use strapi_kit::codegen::CodegenOptions;
    /// let options = CodegenOptions::new().exclude("api::legacy.legacy");
    /// ```
    pub fn exclude(mut self, uid: impl Into<String>) -> Self {
        self.exclude.push(uid.into());
        self
    }
}

/// Generates the Rust source for `schema` (see the [module docs](self)).
///
/// The output depends on the schema and the options only: the order of the schema's lists
/// does not matter. A content type without singular or plural name, or a uid listed twice,
/// is [`Error::InvalidInput`].
pub fn generate(schema: &Schema, options: &CodegenOptions) -> Result<String> {
    emit::generate(schema, options)
}

#[cfg(test)]
mod tests;
