//! Content-type schemas from the content-type builder, as one typed model for v4 and v5.
//!
//! `GET /api/content-type-builder/content-types[/{uid}]` and `/components[/{uid}]` answer
//! `{"data": {uid, apiID, schema: {…}}}`. Strapi 4.25 and 5.54 put `displayName`,
//! `singularName`, `pluralName` and `draftAndPublish` directly in `schema`; older releases
//! nest them in `schema.info` and `schema.options`. Both shapes parse into [`ContentType`] and
//! [`Component`]. Parsing never panics: unknown attribute types and relation kinds are kept
//! as [`AttributeType::Other`] / [`RelationKind::Other`], and every attribute keeps its raw
//! JSON.
//!
//! The routes need a token allowed to read the content-type builder (a full-access API
//! token); a read-only token and the public role get [`Error::Authorization`](crate::Error).
//!
//! ```
//! use serde_json::json;
//! use strapi_kit::schema::{AttributeType, ContentType, ContentTypeKind, RelationKind};
//!
//! let ct = ContentType::from_json(&json!({"data": {"uid": "api::article.article", "schema": {
//!     "kind": "collectionType", "displayName": "Article", "singularName": "article",
//!     "pluralName": "articles", "draftAndPublish": true,
//!     "pluginOptions": {"i18n": {"localized": true}},
//!     "attributes": {
//!         "title": {"type": "string", "required": true, "maxLength": 120},
//!         "author": {"type": "relation", "relation": "manyToOne", "target": "api::author.author"}
//!     }
//! }}})).unwrap();
//! assert_eq!(ct.kind, ContentTypeKind::Collection);
//! assert_eq!(ct.plural_name, "articles");
//! assert!(ct.draft_and_publish && ct.localized);
//! assert!(ct.attributes["title"].required);
//! let author = &ct.attributes["author"];
//! assert_eq!(author.kind, AttributeType::Relation);
//! assert_eq!(author.relation, Some(RelationKind::ManyToOne));
//! assert_eq!(author.target.as_deref(), Some("api::author.author"));
//! assert!(!author.is_to_many());
//! ```

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::error::{Error, Result, UnexpectedReason};

/// Collection or single type.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContentTypeKind {
    /// `collectionType`: many entries, at `/api/{pluralName}`.
    Collection,
    /// `singleType`: one entry, at `/api/{singularName}`.
    Single,
    /// Another kind, as Strapi named it.
    Other(String),
}

/// The type of an attribute (`type` in the schema).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttributeType {
    /// `string`.
    String,
    /// `text`.
    Text,
    /// `richtext` (Markdown).
    RichText,
    /// `blocks` (Strapi 5 rich text as JSON blocks).
    Blocks,
    /// `email`.
    Email,
    /// `password`.
    Password,
    /// `uid`.
    Uid,
    /// `enumeration` (see [`Attribute::enum_values`]).
    Enumeration,
    /// `integer`.
    Integer,
    /// `biginteger`.
    BigInteger,
    /// `float`.
    Float,
    /// `decimal`.
    Decimal,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// `datetime`.
    DateTime,
    /// `timestamp`.
    Timestamp,
    /// `boolean`.
    Boolean,
    /// `json`.
    Json,
    /// `media` (see [`Attribute::multiple`], [`Attribute::allowed_types`]).
    Media,
    /// `relation` (see [`Attribute::relation`], [`Attribute::target`]).
    Relation,
    /// `component` (see [`Attribute::component`], [`Attribute::repeatable`]).
    Component,
    /// `dynamiczone` (see [`Attribute::components`]).
    DynamicZone,
    /// `customField` (see [`Attribute::custom_field`]).
    CustomField,
    /// Any other type, as Strapi named it.
    Other(String),
}

impl AttributeType {
    fn parse(s: &str) -> AttributeType {
        match s {
            "string" => Self::String,
            "text" => Self::Text,
            "richtext" => Self::RichText,
            "blocks" => Self::Blocks,
            "email" => Self::Email,
            "password" => Self::Password,
            "uid" => Self::Uid,
            "enumeration" => Self::Enumeration,
            "integer" => Self::Integer,
            "biginteger" => Self::BigInteger,
            "float" => Self::Float,
            "decimal" => Self::Decimal,
            "date" => Self::Date,
            "time" => Self::Time,
            "datetime" => Self::DateTime,
            "timestamp" => Self::Timestamp,
            "boolean" => Self::Boolean,
            "json" => Self::Json,
            "media" => Self::Media,
            "relation" => Self::Relation,
            "component" => Self::Component,
            "dynamiczone" => Self::DynamicZone,
            "customField" => Self::CustomField,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// The kind of a relation (`relation` in the schema).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RelationKind {
    /// `oneToOne`.
    OneToOne,
    /// `oneToMany`.
    OneToMany,
    /// `manyToOne`.
    ManyToOne,
    /// `manyToMany`.
    ManyToMany,
    /// `oneWay` (one-to-one without the inverse side).
    OneWay,
    /// `manyWay` (one-to-many without the inverse side).
    ManyWay,
    /// `morphToOne`.
    MorphToOne,
    /// `morphToMany`.
    MorphToMany,
    /// `morphOne`.
    MorphOne,
    /// `morphMany`.
    MorphMany,
    /// Any other kind, as Strapi named it.
    Other(String),
}

impl RelationKind {
    fn parse(s: &str) -> RelationKind {
        match s {
            "oneToOne" => Self::OneToOne,
            "oneToMany" => Self::OneToMany,
            "manyToOne" => Self::ManyToOne,
            "manyToMany" => Self::ManyToMany,
            "oneWay" => Self::OneWay,
            "manyWay" => Self::ManyWay,
            "morphToOne" => Self::MorphToOne,
            "morphToMany" => Self::MorphToMany,
            "morphOne" => Self::MorphOne,
            "morphMany" => Self::MorphMany,
            other => Self::Other(other.to_owned()),
        }
    }

    /// Whether this side holds several entries.
    pub fn is_to_many(&self) -> bool {
        matches!(
            self,
            Self::OneToMany
                | Self::ManyToMany
                | Self::ManyWay
                | Self::MorphToMany
                | Self::MorphMany
        )
    }
}

/// One attribute (field) of a content type or component.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Attribute {
    /// Its type.
    pub kind: AttributeType,
    /// `required`.
    pub required: bool,
    /// `unique`.
    pub unique: bool,
    /// `private` (never returned by the REST API).
    pub private: bool,
    /// Relations: the kind.
    pub relation: Option<RelationKind>,
    /// Relations: the target content type's uid (`api::author.author`).
    pub target: Option<String>,
    /// Relations: the attribute of the target that owns the relation (`mappedBy`).
    pub mapped_by: Option<String>,
    /// Relations: the attribute of the target that is the inverse side (`inversedBy`).
    pub inversed_by: Option<String>,
    /// Media: whether the field holds several files.
    pub multiple: bool,
    /// Media: the allowed kinds (`images`, `files`, `videos`, `audios`).
    pub allowed_types: Vec<String>,
    /// Components: the component's uid (`shared.seo`).
    pub component: Option<String>,
    /// Components: whether the field holds a list of them.
    pub repeatable: bool,
    /// Dynamic zones: the allowed components' uids.
    pub components: Vec<String>,
    /// Enumerations: the allowed values.
    pub enum_values: Vec<String>,
    /// Custom fields: the custom field's uid (`plugin::color-picker.color`).
    pub custom_field: Option<String>,
    /// i18n: whether the field differs per locale (`pluginOptions.i18n.localized`), when
    /// the schema says.
    pub localized: Option<bool>,
    /// The default value, when the schema gives one.
    pub default: Option<Value>,
    /// The attribute as Strapi sent it (min/max, regex, targetField, …).
    pub raw: Value,
}

impl Attribute {
    fn parse(raw: &Value) -> Attribute {
        let s = |k: &str| raw.get(k).and_then(Value::as_str).map(str::to_owned);
        let b = |k: &str| raw.get(k).and_then(Value::as_bool) == Some(true);
        let list = |k: &str| -> Vec<String> {
            raw.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let kind = AttributeType::parse(raw.get("type").and_then(Value::as_str).unwrap_or(""));
        Attribute {
            relation: s("relation").map(|r| RelationKind::parse(&r)),
            target: s("target"),
            mapped_by: s("mappedBy"),
            inversed_by: s("inversedBy"),
            required: b("required"),
            unique: b("unique"),
            private: b("private"),
            multiple: b("multiple"),
            allowed_types: list("allowedTypes"),
            component: s("component"),
            repeatable: b("repeatable"),
            components: list("components"),
            enum_values: list("enum"),
            custom_field: s("customField"),
            localized: raw
                .pointer("/pluginOptions/i18n/localized")
                .and_then(Value::as_bool),
            default: raw.get("default").cloned(),
            kind,
            raw: raw.clone(),
        }
    }

    /// Whether the field holds several values: a to-many relation, a multiple media field,
    /// a repeatable component or a dynamic zone.
    pub fn is_to_many(&self) -> bool {
        match self.kind {
            AttributeType::Relation => self.relation.as_ref().is_some_and(RelationKind::is_to_many),
            AttributeType::Media => self.multiple,
            AttributeType::Component => self.repeatable,
            AttributeType::DynamicZone => true,
            _ => false,
        }
    }
}

/// A content type (collection or single type).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ContentType {
    /// Its uid: `api::article.article`, `plugin::users-permissions.user`.
    pub uid: String,
    /// Collection or single type.
    pub kind: ContentTypeKind,
    /// Singular API name (`article`; the route of a single type).
    pub singular_name: String,
    /// Plural API name (`articles`; the route of a collection type).
    pub plural_name: String,
    /// Name shown in the admin panel.
    pub display_name: String,
    /// Description, when not empty.
    pub description: Option<String>,
    /// Database table.
    pub collection_name: Option<String>,
    /// The plugin that defines it (`upload`, `users-permissions`; `None` for your types).
    pub plugin: Option<String>,
    /// Whether draft & publish is on.
    pub draft_and_publish: bool,
    /// Whether i18n is on (`pluginOptions.i18n.localized`).
    pub localized: bool,
    /// Whether the admin panel shows it (`visible`), when the schema says.
    pub visible: Option<bool>,
    /// The attributes by name.
    pub attributes: BTreeMap<String, Attribute>,
}

impl ContentType {
    /// Parses one content type: a builder answer (`{"data": {uid, schema}}`), the item itself
    /// (`{uid, schema}`), or an already flat schema with a `uid`.
    pub fn from_json(body: &Value) -> Result<ContentType> {
        let (item, uid, schema) = schema_parts(body)?;
        let info = |k: &str| info_str(schema, k);
        let flag = |k: &str| {
            schema
                .get(k)
                .or_else(|| schema.get("options").and_then(|o| o.get(k)))
                .and_then(Value::as_bool)
        };
        let kind = match info("kind").as_deref() {
            Some("collectionType") | None => ContentTypeKind::Collection,
            Some("singleType") => ContentTypeKind::Single,
            Some(other) => ContentTypeKind::Other(other.to_owned()),
        };
        Ok(ContentType {
            singular_name: info("singularName").unwrap_or_default(),
            plural_name: info("pluralName").unwrap_or_default(),
            display_name: info("displayName").unwrap_or_default(),
            description: info("description").filter(|d| !d.is_empty()),
            collection_name: info("collectionName"),
            plugin: item
                .get("plugin")
                .and_then(Value::as_str)
                .map(str::to_owned),
            draft_and_publish: flag("draftAndPublish") == Some(true),
            localized: schema
                .pointer("/pluginOptions/i18n/localized")
                .and_then(Value::as_bool)
                == Some(true),
            visible: flag("visible"),
            attributes: attributes(schema),
            kind,
            uid,
        })
    }

    /// Parses the list answer (`{"data": [...]}`) of the builder.
    pub fn list_from_json(body: &Value) -> Result<Vec<ContentType>> {
        items(body)?.iter().map(ContentType::from_json).collect()
    }

    /// The content type as a builder item (`{uid, plugin, schema: {…}}`), the shape
    /// [`from_json`](Self::from_json) reads back to an equal value (attributes as Strapi
    /// sent them).
    ///
    /// ```
    /// use serde_json::json;
    /// use strapi_kit::schema::ContentType;
    /// let ct = ContentType::from_json(&json!({"uid": "api::a.a", "schema": {
    ///     "kind": "singleType", "singularName": "a", "pluralName": "as",
    ///     "attributes": {"t": {"type": "string", "required": true}}}})).unwrap();
    /// assert_eq!(ContentType::from_json(&ct.to_json()).unwrap(), ct);
    /// ```
    pub fn to_json(&self) -> Value {
        let mut schema = Map::new();
        let kind = match &self.kind {
            ContentTypeKind::Collection => "collectionType",
            ContentTypeKind::Single => "singleType",
            ContentTypeKind::Other(o) => o.as_str(),
        };
        schema.insert("kind".into(), kind.into());
        schema.insert("singularName".into(), self.singular_name.clone().into());
        schema.insert("pluralName".into(), self.plural_name.clone().into());
        schema.insert("displayName".into(), self.display_name.clone().into());
        if let Some(d) = &self.description {
            schema.insert("description".into(), d.clone().into());
        }
        if let Some(c) = &self.collection_name {
            schema.insert("collectionName".into(), c.clone().into());
        }
        schema.insert("draftAndPublish".into(), self.draft_and_publish.into());
        if self.localized {
            schema.insert(
                "pluginOptions".into(),
                serde_json::json!({"i18n": {"localized": true}}),
            );
        }
        if let Some(v) = self.visible {
            schema.insert("visible".into(), v.into());
        }
        schema.insert("attributes".into(), raw_attributes(&self.attributes));
        let mut item = Map::new();
        item.insert("uid".into(), self.uid.clone().into());
        item.insert(
            "plugin".into(),
            self.plugin.clone().map_or(Value::Null, Value::String),
        );
        item.insert("schema".into(), Value::Object(schema));
        Value::Object(item)
    }

    /// Whether it is one of your API's types (`api::…`), not a plugin's or the admin's.
    pub fn is_api(&self) -> bool {
        self.uid.starts_with("api::")
    }

    /// The REST route name: `plural_name` for a collection type, `singular_name` for a
    /// single type.
    pub fn route(&self) -> &str {
        match self.kind {
            ContentTypeKind::Single => &self.singular_name,
            _ => &self.plural_name,
        }
    }
}

/// A component.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Component {
    /// Its uid: `shared.seo`.
    pub uid: String,
    /// Its category (`shared`).
    pub category: String,
    /// Name shown in the admin panel.
    pub display_name: String,
    /// Description, when not empty.
    pub description: Option<String>,
    /// Admin icon.
    pub icon: Option<String>,
    /// Database table.
    pub collection_name: Option<String>,
    /// The attributes by name.
    pub attributes: BTreeMap<String, Attribute>,
}

impl Component {
    /// Parses one component: a builder answer (`{"data": {uid, category, schema}}`) or the
    /// item itself.
    pub fn from_json(body: &Value) -> Result<Component> {
        let (item, uid, schema) = schema_parts(body)?;
        let info = |k: &str| info_str(schema, k);
        let category = item
            .get("category")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| uid.split_once('.').map(|(c, _)| c.to_owned()))
            .unwrap_or_default();
        Ok(Component {
            display_name: info("displayName").unwrap_or_default(),
            description: info("description").filter(|d| !d.is_empty()),
            icon: info("icon"),
            collection_name: info("collectionName"),
            attributes: attributes(schema),
            category,
            uid,
        })
    }

    /// The component as a builder item (`{uid, category, schema: {…}}`), the shape
    /// [`from_json`](Self::from_json) reads back to an equal value.
    ///
    /// ```
    /// use serde_json::json;
    /// use strapi_kit::schema::Component;
    /// let c = Component::from_json(&json!({"uid": "shared.seo", "category": "shared",
    ///     "schema": {"displayName": "Seo", "attributes": {"t": {"type": "text"}}}})).unwrap();
    /// assert_eq!(Component::from_json(&c.to_json()).unwrap(), c);
    /// ```
    pub fn to_json(&self) -> Value {
        let mut schema = Map::new();
        schema.insert("displayName".into(), self.display_name.clone().into());
        for (k, v) in [
            ("description", &self.description),
            ("icon", &self.icon),
            ("collectionName", &self.collection_name),
        ] {
            if let Some(v) = v {
                schema.insert(k.into(), v.clone().into());
            }
        }
        schema.insert("attributes".into(), raw_attributes(&self.attributes));
        serde_json::json!({"uid": self.uid, "category": self.category, "schema": schema})
    }

    /// Parses the list answer (`{"data": [...]}`) of the builder.
    pub fn list_from_json(body: &Value) -> Result<Vec<Component>> {
        items(body)?.iter().map(Component::from_json).collect()
    }
}

/// The item of a builder answer (`{"data": item}` or the item itself), its uid, and its
/// schema (`item.schema`, or the item when flat).
fn schema_parts(body: &Value) -> Result<(&Value, String, &Value)> {
    let item = body.get("data").unwrap_or(body);
    let uid = item_uid(item)?;
    let schema = item.get("schema").filter(|s| s.is_object()).unwrap_or(item);
    Ok((item, uid, schema))
}

/// A schema string at the top level or under `info` (v5 and v4 shapes).
fn info_str(schema: &Value, key: &str) -> Option<String> {
    schema
        .get(key)
        .or_else(|| schema.get("info").and_then(|i| i.get(key)))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn item_uid(item: &Value) -> Result<String> {
    item.get("uid")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| bad_shape("a schema without uid"))
}

fn items(body: &Value) -> Result<&Vec<Value>> {
    body.get("data")
        .unwrap_or(body)
        .as_array()
        .ok_or_else(|| bad_shape("a list of schemas was expected"))
}

fn attributes(schema: &Value) -> BTreeMap<String, Attribute> {
    schema
        .get("attributes")
        .and_then(Value::as_object)
        .map(|m: &Map<String, Value>| {
            m.iter()
                .map(|(k, v)| (k.clone(), Attribute::parse(v)))
                .collect()
        })
        .unwrap_or_default()
}

fn raw_attributes(attributes: &BTreeMap<String, Attribute>) -> Value {
    Value::Object(
        attributes
            .iter()
            .map(|(k, a)| (k.clone(), a.raw.clone()))
            .collect(),
    )
}

fn bad_shape(what: &'static str) -> Error {
    Error::unexpected(200, UnexpectedReason::Shape(what), b"")
}

/// Checks a content-type or component uid before it goes into a path: letters, digits and
/// `: . - _` only.
pub(crate) fn check_uid(uid: &str) -> Result<()> {
    let ok = uid.starts_with(|c: char| c.is_ascii_alphanumeric())
        && uid.contains('.')
        && uid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidInput(format!(
            "{uid:?} is not a content-type or component uid (like api::article.article or shared.seo)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn old_nested_shape_parses_like_the_flat_one() {
        let nested = json!({"data": {"uid": "api::page.page", "schema": {
            "kind": "singleType",
            "info": {"displayName": "Page", "singularName": "page", "pluralName": "pages",
                     "description": "A page"},
            "options": {"draftAndPublish": false},
            "attributes": {
                "blocks": {"type": "dynamiczone", "components": ["shared.seo", "shared.quote"]},
                "state": {"type": "enumeration", "enum": ["a", "b"], "default": "a"},
                "gallery": {"type": "media", "multiple": true, "allowedTypes": ["images"]},
                "seo": {"type": "component", "component": "shared.seo", "repeatable": true},
                "odd": {"type": "vector", "dims": 3},
                "broken": 42
            }
        }}});
        let ct = ContentType::from_json(&nested).unwrap();
        assert_eq!(ct.kind, ContentTypeKind::Single);
        assert_eq!(ct.route(), "page");
        assert_eq!(ct.display_name, "Page");
        assert_eq!(ct.description.as_deref(), Some("A page"));
        assert!(!ct.draft_and_publish && !ct.localized);
        let a = &ct.attributes;
        assert_eq!(a["blocks"].components, ["shared.seo", "shared.quote"]);
        assert!(a["blocks"].is_to_many());
        assert_eq!(a["state"].enum_values, ["a", "b"]);
        assert_eq!(a["state"].default, Some(json!("a")));
        assert!(a["gallery"].multiple && a["gallery"].is_to_many());
        assert!(a["seo"].repeatable);
        assert_eq!(a["odd"].kind, AttributeType::Other("vector".into()));
        assert_eq!(a["odd"].raw["dims"], json!(3));
        assert_eq!(a["broken"].kind, AttributeType::Other(String::new()));
    }

    #[test]
    fn lists_and_bad_shapes() {
        let list = json!({"data": [
            {"uid": "api::a.a", "plugin": null, "schema": {"pluralName": "as", "kind": "collectionType"}},
            {"uid": "plugin::upload.file", "plugin": "upload", "schema": {"pluralName": "files"}}
        ]});
        let cts = ContentType::list_from_json(&list).unwrap();
        assert_eq!(cts.len(), 2);
        assert!(cts[0].is_api() && !cts[1].is_api());
        assert_eq!(cts[1].plugin.as_deref(), Some("upload"));
        assert!(ContentType::list_from_json(&json!({"data": {}})).is_err());
        assert!(ContentType::list_from_json(&json!({"data": [{"schema": {}}]})).is_err());
        assert!(ContentType::from_json(&json!(null)).is_err());
        let comps = Component::list_from_json(&json!({"data": [
            {"uid": "shared.seo", "category": "shared", "schema": {"displayName": "Seo",
             "icon": "search", "attributes": {"metaTitle": {"type": "string"}}}}
        ]}))
        .unwrap();
        assert_eq!(comps[0].category, "shared");
        assert_eq!(comps[0].icon.as_deref(), Some("search"));
        assert_eq!(comps[0].attributes["metaTitle"].kind, AttributeType::String);
    }

    #[test]
    fn uids_are_checked() {
        for ok in [
            "api::article.article",
            "shared.seo",
            "plugin::users-permissions.user",
        ] {
            check_uid(ok).unwrap();
        }
        for bad in [
            "",
            "articles",
            "api::a/b",
            "api::a.a?x=1",
            "a b.c",
            "..",
            "%2F.x",
        ] {
            assert!(check_uid(bad).is_err(), "{bad}");
        }
    }
}
