//! Response models: the envelopes of entries and lists, pagination metadata, and the media
//! library's [`MediaFile`] and [`MediaFormat`]. Identical for Strapi v4 and v5: v4 bodies are
//! normalised to the v5 shape before they reach these types.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The response to a request for one entry (`get_one`, `create`, `update`, single types).
///
/// `T` is your type for the entry, or [`serde_json::Value`] for untyped access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryResponse<T> {
    /// The entry, flat (v4's `attributes` envelope removed).
    pub data: T,
    /// Response metadata.
    #[serde(default)]
    pub meta: Meta,
}

/// The response to a list request (`get_many`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListResponse<T> {
    /// The entries, flat.
    pub data: Vec<T>,
    /// Response metadata, with the pagination.
    #[serde(default)]
    pub meta: Meta,
}

/// The `meta` member of a response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Meta {
    /// Pagination, on list responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Anything else Strapi (or a plugin) put in `meta`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Pagination metadata: `page`/`pageSize`/`pageCount` for page-based queries,
/// `start`/`limit` for offset-based ones; `total` with either.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Pagination {
    /// Current page (1-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u64>,
    /// Page size the server used (it clamps requests above its `maxLimit`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u64>,
    /// Number of pages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_count: Option<u64>,
    /// Offset of the first entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// Maximum entries returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Total matching entries (absent when `withCount=false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// An entry with its system fields split from your own.
///
/// Use it when your type describes only the content fields:
/// `client.get_many::<Entry<Article>>("articles", &q)`. The system fields are consumed here
/// and not passed on to `T`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry<T = Value> {
    /// Numeric row id (v4 entry id; v5 row id, which changes on publish).
    #[serde(default)]
    pub id: Option<u64>,
    /// v5 document id, stable across publish and locales. `None` on v4.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<String>,
    /// Creation time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// Last update time (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Publication time; `None` for drafts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    /// Locale code, when i18n is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Your fields.
    #[serde(flatten)]
    pub attributes: T,
}

/// `Entry<T>` is decoded by hand: with `#[serde(flatten)]` serde first buffers every field in
/// its internal `Content` and then decodes `T` from that, about half the cost of the whole
/// decode. Here the system fields are taken as they come and everything else goes straight
/// to `T` (for `Value`: straight into one JSON object).
impl<'de, T: DeserializeOwned + 'static> Deserialize<'de> for Entry<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if std::any::TypeId::of::<T>() == std::any::TypeId::of::<Value>() {
            let entry: Box<dyn std::any::Any> = Box::new(d.deserialize_map(ValueEntryVisitor)?);
            return entry
                .downcast::<Entry<T>>()
                .map(|e| *e)
                .map_err(|_| serde::de::Error::custom("internal: entry type"));
        }
        d.deserialize_map(TypedEntryVisitor(std::marker::PhantomData))
    }
}

/// The system fields of an entry, as they are met.
#[derive(Default)]
struct System {
    id: Option<u64>,
    document_id: Option<String>,
    created_at: Option<String>,
    updated_at: Option<String>,
    published_at: Option<String>,
    locale: Option<String>,
}

impl System {
    /// Takes the value of `key` if it is a system field (`Ok(false)` otherwise: the value is
    /// still to be read).
    fn take<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
    ) -> Result<bool, A::Error> {
        match key {
            "id" => self.id = map.next_value()?,
            "documentId" => self.document_id = map.next_value()?,
            "createdAt" => self.created_at = map.next_value()?,
            "updatedAt" => self.updated_at = map.next_value()?,
            "publishedAt" => self.published_at = map.next_value()?,
            "locale" => self.locale = map.next_value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn with<T>(self, attributes: T) -> Entry<T> {
        Entry {
            id: self.id,
            document_id: self.document_id,
            created_at: self.created_at,
            updated_at: self.updated_at,
            published_at: self.published_at,
            locale: self.locale,
            attributes,
        }
    }
}

/// A key, borrowed from the input when it has no escapes.
struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a field name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

struct TypedEntryVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for TypedEntryVisitor<T> {
    type Value = Entry<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an entry object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Entry<T>, A::Error> {
        let mut rest = Rest {
            map,
            system: System::default(),
        };
        let attributes = T::deserialize(RestDeserializer(&mut rest))?;
        // What `T` left unread (a `T` that stops early): system fields are still taken.
        while let Some(Key(key)) = rest.map.next_key::<Key<'de>>()? {
            if !rest.system.take(&key, &mut rest.map)? {
                rest.map.next_value::<serde::de::IgnoredAny>()?;
            }
        }
        Ok(rest.system.with(attributes))
    }
}

/// An entry's map without its system fields (taken aside as they pass), for `T`.
struct Rest<A> {
    map: A,
    system: System,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for Rest<A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        use serde::de::IntoDeserializer;
        while let Some(Key(key)) = self.map.next_key::<Key<'de>>()? {
            if !self.system.take(&key, &mut self.map)? {
                let key: serde::de::value::CowStrDeserializer<'de, A::Error> =
                    key.into_deserializer();
                return seed.deserialize(key).map(Some);
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// [`Rest`] as a deserializer: a map, whatever `T` asks for (as `#[serde(flatten)]` does).
struct RestDeserializer<'a, A>(&'a mut Rest<A>);

impl<'de, A: serde::de::MapAccess<'de>> serde::Deserializer<'de> for RestDeserializer<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        visitor.visit_map(self.0)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(
        self,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct ValueEntryVisitor;

impl<'de> serde::de::Visitor<'de> for ValueEntryVisitor {
    type Value = Entry<Value>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an entry object")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Entry<Value>, A::Error> {
        let mut system = System::default();
        let mut rest = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if !system.take(&key, &mut map)? {
                let v: Value = map.next_value()?;
                rest.insert(key, v);
            }
        }
        Ok(system.with(Value::Object(rest)))
    }
}

impl<T> Entry<T> {
    /// The id to address this entry with: the `documentId` on v5, the numeric id on v4.
    pub fn key(&self) -> Option<String> {
        self.document_id
            .clone()
            .or_else(|| self.id.map(|i| i.to_string()))
    }
}

/// A file of the media library, as `/api/upload` returns it (v4 and v5 alike).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaFile {
    /// Numeric id (used by the upload API on both versions).
    pub id: u64,
    /// v5 document id.
    #[serde(
        rename = "documentId",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub document_id: Option<String>,
    /// File name.
    #[serde(default)]
    pub name: String,
    /// Alternative text.
    #[serde(rename = "alternativeText", default)]
    pub alternative_text: Option<String>,
    /// Caption.
    #[serde(default)]
    pub caption: Option<String>,
    /// The focal point of an image (Strapi 5's `focalPoint`); always `None` on Strapi 4,
    /// which has none.
    #[serde(
        rename = "focalPoint",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub focal_point: Option<FocalPoint>,
    /// Image width in pixels.
    #[serde(default)]
    pub width: Option<u32>,
    /// Image height in pixels.
    #[serde(default)]
    pub height: Option<u32>,
    /// Generated variants (`thumbnail`, `small`, `medium`, `large`), for images.
    #[serde(default)]
    pub formats: Option<BTreeMap<String, MediaFormat>>,
    /// Storage hash (file name without extension).
    #[serde(default)]
    pub hash: String,
    /// Extension with the dot (`.png`).
    #[serde(default)]
    pub ext: Option<String>,
    /// MIME type.
    #[serde(default)]
    pub mime: String,
    /// Size in **kilobytes**, as Strapi reports it.
    #[serde(default)]
    pub size: f64,
    /// URL: relative (`/uploads/x.png`) for the local provider, absolute for CDNs.
    #[serde(default)]
    pub url: String,
    /// Preview URL.
    #[serde(rename = "previewUrl", default)]
    pub preview_url: Option<String>,
    /// Upload provider (`local`, `aws-s3`, …).
    #[serde(default)]
    pub provider: String,
    /// Provider-specific metadata.
    #[serde(default)]
    pub provider_metadata: Option<Value>,
    /// The folder's path of ids (`/1/3`, see [`Folder::id_path`](crate::Folder::id_path)).
    /// Filled in by the admin API ([`folder_media`](crate::AsyncClient::folder_media));
    /// the content API leaves it out.
    #[serde(
        rename = "folderPath",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub folder_path: Option<String>,
    /// Creation time.
    #[serde(rename = "createdAt", default)]
    pub created_at: Option<String>,
    /// Last update time.
    #[serde(rename = "updatedAt", default)]
    pub updated_at: Option<String>,
}

impl MediaFile {
    /// Size in bytes (Strapi reports kilobytes with two decimals, so this is approximate).
    pub fn size_bytes(&self) -> u64 {
        (self.size * 1000.0).round().max(0.0) as u64
    }
}

/// The point of an image to keep in view when it is cropped (Strapi 5's `focalPoint`):
/// `x` and `y` as Strapi stores them, sent and read back unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FocalPoint {
    /// Horizontal position.
    pub x: f64,
    /// Vertical position.
    pub y: f64,
}

impl FocalPoint {
    /// A focal point at `x`, `y`.
    pub fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
}

/// One generated variant of an image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaFormat {
    /// File name.
    #[serde(default)]
    pub name: String,
    /// Storage hash.
    #[serde(default)]
    pub hash: String,
    /// Extension with the dot.
    #[serde(default)]
    pub ext: Option<String>,
    /// MIME type.
    #[serde(default)]
    pub mime: String,
    /// Width in pixels.
    #[serde(default)]
    pub width: Option<u32>,
    /// Height in pixels.
    #[serde(default)]
    pub height: Option<u32>,
    /// Size in kilobytes.
    #[serde(default)]
    pub size: f64,
    /// Exact size in bytes (newer Strapi versions).
    #[serde(
        rename = "sizeInBytes",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub size_in_bytes: Option<u64>,
    /// URL.
    #[serde(default)]
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Article {
        title: String,
        views: u32,
    }

    #[test]
    fn entry_splits_system_fields() {
        let v = json!({"id": 3, "documentId": "d", "createdAt": "c", "publishedAt": null,
                       "locale": "fr", "title": "T", "views": 2});
        let e: Entry<Article> = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(
            (e.id, e.document_id.as_deref(), e.locale.as_deref()),
            (Some(3), Some("d"), Some("fr"))
        );
        assert_eq!(e.published_at, None);
        assert_eq!(
            e.attributes,
            Article {
                title: "T".into(),
                views: 2
            }
        );
        let raw: Entry = serde_json::from_value(v).unwrap();
        assert_eq!(raw.attributes, json!({"title": "T", "views": 2}));
        assert_eq!(raw.key().as_deref(), Some("d"));
    }

    #[test]
    fn typed_entries_take_system_fields_wherever_they_are() {
        #[derive(Debug, Deserialize, PartialEq)]
        struct Partial {
            title: String,
        }
        let v = json!({"title": "T", "views": 2, "extra": {"deep": [1]}, "id": 4,
                       "documentId": "d", "updatedAt": "u"});
        let e: Entry<Partial> = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(e.attributes, Partial { title: "T".into() });
        assert_eq!((e.id, e.updated_at.as_deref()), (Some(4), Some("u")));
        let raw = serde_json::to_vec(&v).unwrap();
        let e: Entry<Partial> = serde_json::from_slice(&raw).unwrap();
        assert_eq!(e.document_id.as_deref(), Some("d"));
        // A map type sees the content fields only; an optional one is `Some`.
        let m: Entry<std::collections::BTreeMap<String, Value>> =
            serde_json::from_value(v.clone()).unwrap();
        assert_eq!(
            m.attributes.keys().collect::<Vec<_>>(),
            ["extra", "title", "views"]
        );
        let o: Entry<Option<Partial>> = serde_json::from_value(v).unwrap();
        assert_eq!(o.attributes, Some(Partial { title: "T".into() }));
    }

    #[test]
    fn entry_errors_are_reported() {
        let bad_type =
            serde_json::from_value::<Entry<Article>>(json!({"id": 1, "title": "T", "views": "x"}));
        assert!(bad_type.is_err());
        let list: Result<ListResponse<Entry<Article>>, _> =
            serde_json::from_str(r#"{"data":[{"id":1,"title":"T"}]}"#);
        assert!(list.unwrap_err().to_string().contains("views"));
        let not_an_object = serde_json::from_value::<Entry>(json!([1, 2]));
        assert!(not_an_object.is_err());
    }
}
