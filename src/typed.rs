//! Typed content types: the traits behind `client.collection::<T>()` and
//! `client.single::<T>()`, and [`Related`], the value of a relation field.
//!
//! A type that implements [`CollectionType`] (or [`SingleType`]) carries its content type's
//! uid and API names, so the client knows its route:
//!
//! - `client.collection::<Article>()` gives a handle with `find`, `get`, `create`, `update`,
//!   `delete` and the all-pages `all` (an iterator on the blocking client, a stream on the
//!   async one), typed by `Article`;
//! - `client.single::<Homepage>()` gives `get`, `update` and `delete` of a single type;
//! - without the traits, `client.collection_named::<MyStruct>("articles")` and
//!   `client.single_named::<MyStruct>("homepage")` give the same handles for any
//!   `Deserialize` type (or [`serde_json::Value`]).
//!
//! `strapi_kit::codegen` (feature `codegen`) writes these impls for every content type of a
//! schema; they are plain trait impls, so a hand-written type can implement them too:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use strapi_kit::typed::{CollectionType, Kind, StrapiType};
//!
//! #[derive(Deserialize)]
//! struct Article {
//!     id: u64,
//!     title: String,
//! }
//!
//! #[derive(Serialize, Default)]
//! struct ArticleInput {
//!     #[serde(skip_serializing_if = "Option::is_none")]
//!     title: Option<String>,
//! }
//!
//! impl StrapiType for Article {
//!     const UID: &'static str = "api::article.article";
//!     const SINGULAR_NAME: &'static str = "article";
//!     const PLURAL_NAME: &'static str = "articles";
//!     const KIND: Kind = Kind::Collection;
//!     type Input = ArticleInput;
//! }
//! impl CollectionType for Article {}
//!
//! assert_eq!(<Article as StrapiType>::route(), "articles");
//! ```

use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, Error as _, MapAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// Whether a content type is a collection type or a single type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Many entries, at `/api/{pluralName}`.
    Collection,
    /// One entry, at `/api/{singularName}`.
    Single,
}

/// A Rust type for the entries of one content type: its uid, API names and kind, and the
/// type written by `create` and `update`.
pub trait StrapiType: DeserializeOwned + Send + 'static {
    /// The content type's uid (`api::article.article`).
    const UID: &'static str;
    /// The singular API name (`article`; the route of a single type).
    const SINGULAR_NAME: &'static str;
    /// The plural API name (`articles`; the route of a collection type).
    const PLURAL_NAME: &'static str;
    /// Collection or single type.
    const KIND: Kind;
    /// What `create` and `update` send (the fields without the system ones).
    type Input: Serialize;

    /// The REST route name: the plural name of a collection type, the singular name of a
    /// single type.
    fn route() -> &'static str {
        match Self::KIND {
            Kind::Collection => Self::PLURAL_NAME,
            Kind::Single => Self::SINGULAR_NAME,
        }
    }
}

/// A collection type: `client.collection::<T>()`.
pub trait CollectionType: StrapiType {}

/// A single type: `client.single::<T>()`.
pub trait SingleType: StrapiType {}

/// The value of a to-one relation field, or one item of a to-many one, whether the server
/// populated it or not.
///
/// - a populated relation is the related entry ([`Related::Entry`]);
/// - a bare numeric id ([`Related::Id`]) or a bare `documentId` ([`Related::DocumentId`])
///   is kept as it is (relations written as ids, webhook payloads, `fields` selections);
/// - a Strapi 4 `{"data": …}` envelope is unwrapped (the client already flattens them in
///   its responses; this is for JSON you decode yourself).
///
/// An entry is decoded straight into `T`, without a `serde_json::Value` in between; only
/// an object whose first key is `data` is buffered (to tell an envelope from an entry).
///
/// A relation that was not populated is absent from the entry: the field is `None`.
///
/// ```
/// use serde::Deserialize;
/// use strapi_kit::typed::Related;
///
/// #[derive(Deserialize, Debug, PartialEq)]
/// struct Author { id: u64, name: String }
///
/// let populated: Related<Author> = serde_json::from_str(r#"{"id": 7, "name": "Ada"}"#).unwrap();
/// assert_eq!(populated.entry().map(|a| a.name.as_str()), Some("Ada"));
/// let id: Related<Author> = serde_json::from_str("7").unwrap();
/// assert_eq!(id, Related::Id(7));
/// let doc: Related<Author> = serde_json::from_str(r#""k8yq2b0d5x1c3v7n9m4p6l2j""#).unwrap();
/// assert_eq!(doc.document_id(), Some("k8yq2b0d5x1c3v7n9m4p6l2j"));
/// let v4: Related<Author> =
///     serde_json::from_str(r#"{"data": {"id": 7, "attributes": {"name": "Ada"}}}"#).unwrap();
/// assert_eq!(v4, populated);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Related<T> {
    /// The related entry, populated.
    Entry(Box<T>),
    /// A numeric id only.
    Id(u64),
    /// A `documentId` only (Strapi 5).
    DocumentId(String),
}

impl<T> Related<T> {
    /// The populated entry, if it is one.
    pub fn entry(&self) -> Option<&T> {
        match self {
            Related::Entry(e) => Some(e),
            _ => None,
        }
    }

    /// The populated entry, owned.
    pub fn into_entry(self) -> Option<T> {
        match self {
            Related::Entry(e) => Some(*e),
            _ => None,
        }
    }

    /// The numeric id, when the value is one.
    pub fn id(&self) -> Option<u64> {
        match self {
            Related::Id(id) => Some(*id),
            _ => None,
        }
    }

    /// The `documentId`, when the value is one.
    pub fn document_id(&self) -> Option<&str> {
        match self {
            Related::DocumentId(d) => Some(d),
            _ => None,
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Related<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RelatedVisitor(PhantomData))
    }
}

struct RelatedVisitor<T>(PhantomData<T>);

impl<'de, T: DeserializeOwned> Visitor<'de> for RelatedVisitor<T> {
    type Value = Related<T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a relation: an entry, an id or a documentId")
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Related<T>, E> {
        Ok(Related::Id(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Related<T>, E> {
        u64::try_from(v)
            .map(Related::Id)
            .map_err(|_| E::custom(format!("{v} is not a relation id")))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Related<T>, E> {
        Ok(Related::DocumentId(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Related<T>, E> {
        Ok(Related::DocumentId(v))
    }

    /// An entry is decoded straight into `T`; only an object whose first key is `data` (a
    /// v4 envelope, or an entry with a `data` attribute first) is buffered to tell which.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Related<T>, A::Error> {
        let Some(first) = map.next_key::<String>()? else {
            return T::deserialize(MapAccessDeserializer::new(map))
                .map(|e| Related::Entry(Box::new(e)));
        };
        if first != "data" {
            let replay = Replay {
                first: Some(first),
                map,
            };
            return T::deserialize(MapAccessDeserializer::new(replay))
                .map(|e| Related::Entry(Box::new(e)));
        }
        let mut object = serde_json::Map::new();
        object.insert(first, map.next_value::<Value>()?);
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value::<Value>()?;
            object.insert(key, value);
        }
        if object.len() > 1 {
            return T::deserialize(Value::Object(object))
                .map(|e| Related::Entry(Box::new(e)))
                .map_err(A::Error::custom);
        }
        let mut inner = object.remove("data").unwrap_or(Value::Null);
        crate::version::normalize_v4_value(&mut inner, 0);
        match inner {
            v @ (Value::Object(_) | Value::Number(_) | Value::String(_)) => {
                Related::deserialize(v).map_err(A::Error::custom)
            }
            other => Err(A::Error::custom(format!(
                "a relation envelope holding {} where one entry was expected",
                kind_of(&other)
            ))),
        }
    }
}

/// A map with its first key (already read) put back in front.
struct Replay<A> {
    first: Option<String>,
    map: A,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.first.take() {
            Some(key) => seed
                .deserialize(StringDeserializer::<A::Error>::new(key))
                .map(Some),
            None => self.map.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map
            .size_hint()
            .map(|n| n + usize::from(self.first.is_some()))
    }
}

/// Written back as the related entry's id (what Strapi takes in a relation field): the
/// `documentId` or numeric id it holds; a populated entry as itself.
impl<T: Serialize> Serialize for Related<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Related::Entry(e) => e.serialize(s),
            Related::Id(id) => s.serialize_u64(*id),
            Related::DocumentId(d) => s.serialize_str(d),
        }
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Serialize, Debug, PartialEq)]
    struct A {
        id: u64,
        name: String,
    }

    #[test]
    fn related_shapes() {
        let e: Related<A> = serde_json::from_value(json!({"id": 1, "name": "x"})).unwrap();
        assert_eq!(e.entry().unwrap().name, "x");
        assert_eq!(e.id(), None);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"id": 1, "name": "x"})
        );
        let many: Vec<Related<A>> = serde_json::from_value(json!([1, "d1"])).unwrap();
        assert_eq!(many, [Related::Id(1), Related::DocumentId("d1".into())]);
        assert_eq!(serde_json::to_value(&many).unwrap(), json!([1, "d1"]));
        let env: Related<A> = serde_json::from_value(json!({"data": 4})).unwrap();
        assert_eq!(env, Related::Id(4));
        // From bytes too (serde_json's own deserializer, not a Value), a `data` attribute
        // first in an entry, and an error path inside the entry.
        let e: Related<A> = serde_json::from_str(r#"{"name": "y", "id": 2}"#).unwrap();
        assert_eq!(e.entry().map(|a| a.id), Some(2));
        #[derive(Deserialize, Debug, PartialEq)]
        struct D {
            data: u8,
            id: u64,
        }
        let d: Related<D> = serde_json::from_str(r#"{"data": 1, "id": 3}"#).unwrap();
        assert_eq!(d.entry(), Some(&D { data: 1, id: 3 }));
        let err = serde_json::from_str::<Vec<Related<A>>>(r#"[{"id": 1, "name": 5}]"#).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        for bad in [
            json!(-1),
            json!(true),
            json!([1]),
            json!({"data": null}),
            json!({"data": [{"id": 1}]}),
            json!({"id": 1}),
        ] {
            assert!(
                serde_json::from_value::<Related<A>>(bad.clone()).is_err(),
                "{bad}"
            );
        }
        // `{"data": null}` is an unset to-one relation: an `Option` field reads it through
        // the client's normalisation as `null`, i.e. `None`.
        let mut body = json!({"data": {"id": 1, "attributes": {"rel": {"data": null}}}});
        crate::version::normalize_v4_body(&mut body);
        assert_eq!(body["data"]["rel"], Value::Null);
    }
}
