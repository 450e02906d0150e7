//! v4 bodies flattened while they are deserialised, without a JSON tree: a serde
//! `Deserializer` adaptor over serde_json's that presents `{"id", "attributes": {…}}` entries
//! as flat objects and `{"data": …}` relation wrappers as their content, as
//! [`normalize_v4_body`](super::normalize_v4_body) does to a tree.
//!
//! The tree normaliser decides on an object after seeing all of it; a single pass cannot
//! always. So this pass takes the common shapes (entries whose keys are `id` then
//! `attributes`, wrappers whose first key is `data`), and gives up with an error wherever
//! the tree could decide otherwise (a key after `attributes`, a `data` that is not entries,
//! `meta` before `data`, …). The caller then decodes through the tree. A success therefore
//! always equals the tree's result; the tests compare both on every shape.

use std::borrow::Cow;
use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, Error as _, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use serde_json::Value;

/// `body` (a v4 response) decoded into `R`, flattened on the way; `None` when it has a shape
/// this pass leaves to the tree (or does not decode).
pub(crate) fn decode<R: de::DeserializeOwned>(body: &[u8]) -> Option<R> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let r = R::deserialize(Top(&mut de)).ok()?;
    de.end().ok()?;
    Some(r)
}

fn bail<E: de::Error>() -> E {
    E::custom("internal: a v4 shape left to the tree normaliser")
}

/// A key, borrowed from the input when it has no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

fn key_to<'de, K: DeserializeSeed<'de>, E: de::Error>(
    seed: K,
    key: Key<'de>,
) -> Result<K::Value, E> {
    let d: de::value::CowStrDeserializer<'de, E> = key.0.into_deserializer();
    seed.deserialize(d)
}

// ---------------------------------------------------------------------------------------
// The body: `data` is flattened, the other top-level keys (`meta`) are left as they are.

struct Top<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Top<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(TopVisitor(v))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct TopVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for TopVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(TopMap {
            map,
            data: false,
            in_data: false,
        })
    }
}

struct TopMap<A> {
    map: A,
    /// A `data` key was met (a body without one is normalised field by field: the tree's).
    data: bool,
    in_data: bool,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for TopMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        match self.map.next_key::<Key<'de>>()? {
            Some(k) => {
                self.in_data = k.0 == "data";
                if self.in_data {
                    if self.data {
                        return Err(bail());
                    }
                    self.data = true;
                }
                key_to(seed, k).map(Some)
            }
            None if self.data => Ok(None),
            None => Err(bail()),
        }
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        if self.in_data {
            self.map.next_value_seed(Flat(seed))
        } else {
            self.map.next_value_seed(seed)
        }
    }
}

// ---------------------------------------------------------------------------------------
// Any value inside `data`.

/// A seed whose value is read flattened.
struct Flat<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Flat<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(FlatDe(d))
    }
}

/// A value read flattened.
struct FlatDe<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for FlatDe<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(FlatVisitor(v))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(OptVisitor(v))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        // Unit variants (strings) only: a variant's content would not be flattened.
        self.0.deserialize_any(EnumVisitor(v))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_ignored_any(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier
    }
}

/// What a flattened value is presented as; `entry` when it must be a v4 entry (the items
/// of a relation wrapper).
struct FlatVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for FlatVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_bool<E: de::Error>(self, x: bool) -> Result<V::Value, E> {
        self.0.visit_bool(x)
    }
    fn visit_i64<E: de::Error>(self, x: i64) -> Result<V::Value, E> {
        self.0.visit_i64(x)
    }
    fn visit_u64<E: de::Error>(self, x: u64) -> Result<V::Value, E> {
        self.0.visit_u64(x)
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        self.0.visit_f64(x)
    }
    fn visit_str<E: de::Error>(self, x: &str) -> Result<V::Value, E> {
        self.0.visit_str(x)
    }
    fn visit_borrowed_str<E: de::Error>(self, x: &'de str) -> Result<V::Value, E> {
        self.0.visit_borrowed_str(x)
    }
    fn visit_string<E: de::Error>(self, x: String) -> Result<V::Value, E> {
        self.0.visit_string(x)
    }
    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(FlatSeq {
            seq,
            entries: false,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let first = map.next_key::<Key<'de>>()?;
        object(map, first, self.0, false)
    }
}

/// A list whose items are read flattened (`entries`: each must be a v4 entry).
struct FlatSeq<A> {
    seq: A,
    entries: bool,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for FlatSeq<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        if self.entries {
            self.seq.next_element_seed(EntrySeed(seed))
        } else {
            self.seq.next_element_seed(Flat(seed))
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// An object, its first key read: a relation wrapper (first key `data`), an entry (`id`
/// then `attributes`, or `attributes` first), or a plain object (a component, JSON).
/// With `entry`, anything but an entry gives up (the items of a wrapper).
fn object<'de, A: MapAccess<'de>, V: Visitor<'de>>(
    mut map: A,
    first: Option<Key<'de>>,
    v: V,
    entry: bool,
) -> Result<V::Value, A::Error> {
    let Some(first) = first else {
        if entry {
            return Err(bail());
        }
        return v.visit_map(Plain::new(map, None, None));
    };
    match &*first.0 {
        "data" if !entry => {
            let out = map.next_value_seed(Wrapped(v))?;
            end_of_wrapper(&mut map)?;
            Ok(out)
        }
        "attributes" => entry_object(map, None, v),
        "id" => {
            let id: Value = map.next_value()?;
            if id.is_object() || id.is_array() {
                return Err(bail());
            }
            match map.next_key::<Key<'de>>()? {
                Some(k) if k.0 == "attributes" => entry_object(map, Some(id), v),
                _ if entry => Err(bail()),
                next => v.visit_map(Plain::new(map, Some(id), next)),
            }
        }
        _ if entry => Err(bail()),
        _ => v.visit_map(Plain::new(map, None, Some(first))),
    }
}

/// After a wrapper's `data`: only `meta` may follow (dropped, as the tree drops it).
fn end_of_wrapper<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while let Some(k) = map.next_key::<Key<'de>>()? {
        if k.0 != "meta" {
            return Err(bail());
        }
        map.next_value::<IgnoredAny>()?;
    }
    Ok(())
}

/// An entry at its `attributes` value: presented as `id` and the attributes, flattened.
fn entry_object<'de, A: MapAccess<'de>, V: Visitor<'de>>(
    mut map: A,
    id: Option<Value>,
    v: V,
) -> Result<V::Value, A::Error> {
    let out = map.next_value_seed(Attributes { v, id })?;
    // A key after `attributes` would be merged in by the tree (`meta`), or make it no
    // entry at all.
    if map.next_key::<IgnoredAny>()?.is_some() {
        return Err(bail());
    }
    Ok(out)
}

struct Attributes<V> {
    v: V,
    id: Option<Value>,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for Attributes<V> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        // Not an object: the tree keeps such an entry as it is.
        d.deserialize_any(AttributesVisitor(self))
    }
}

struct AttributesVisitor<V>(Attributes<V>);

impl<'de, V: Visitor<'de>> Visitor<'de> for AttributesVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the attributes of an entry")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let Attributes { v, id } = self.0;
        // `id` first: an `id` among the attributes comes later and wins, as in the tree.
        v.visit_map(Plain {
            map,
            id,
            pending: None,
            id_value: false,
            special_only: false,
            checked: false,
        })
    }
}

/// A plain object: its keys as they come (after the ones already read), each value
/// flattened. Gives up on a key that could make it an entry or a wrapper in the tree.
struct Plain<'de, A> {
    map: A,
    id: Option<Value>,
    pending: Option<Key<'de>>,
    /// The `id` key was given: its value is next.
    id_value: bool,
    /// Every key so far is one of `id`, `meta` (the tree's entry and wrapper keys).
    special_only: bool,
    /// Whether keys are checked (not among an entry's attributes).
    checked: bool,
}

impl<'de, A> Plain<'de, A> {
    fn new(map: A, id: Option<Value>, pending: Option<Key<'de>>) -> Self {
        Plain {
            map,
            id,
            pending,
            id_value: false,
            special_only: true,
            checked: true,
        }
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Plain<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if self.id.is_some() {
            self.id_value = true;
            return key_to(seed, Key(Cow::Borrowed("id"))).map(Some);
        }
        let key = match self.pending.take() {
            Some(k) => k,
            None => match self.map.next_key::<Key<'de>>()? {
                Some(k) => k,
                None => return Ok(None),
            },
        };
        if self.checked {
            match &*key.0 {
                "data" | "attributes" if self.special_only => return Err(bail()),
                "id" | "meta" => {}
                _ => self.special_only = false,
            }
        }
        key_to(seed, key).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        if self.id_value {
            self.id_value = false;
            let id = self.id.take().unwrap_or(Value::Null);
            return seed.deserialize(id).map_err(A::Error::custom);
        }
        self.map.next_value_seed(Flat(seed))
    }
}

// ---------------------------------------------------------------------------------------
// A relation wrapper's `data`: null, an entry, or a list of entries.

struct Wrapped<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for Wrapped<V> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        d.deserialize_any(WrappedVisitor(self.0))
    }
}

struct WrappedVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for WrappedVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_unit()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let first = map.next_key::<Key<'de>>()?;
        object(map, first, self.0, true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_seq(FlatSeq { seq, entries: true })
    }

    // Anything else is no wrapper in the tree: left to it.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<V::Value, E> {
        Err(bail())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<V::Value, E> {
        Err(bail())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<V::Value, E> {
        Err(bail())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<V::Value, E> {
        Err(bail())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<V::Value, E> {
        Err(bail())
    }
}

/// A seed for one item of a wrapper's list: a v4 entry, flattened.
struct EntrySeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for EntrySeed<S> {
    type Value = S::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(EntryDe(d))
    }
}

struct EntryDe<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for EntryDe<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(EntryVisitor(v))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        v.visit_some(self)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.deserialize_any(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier
    }
}

struct EntryVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for EntryVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a v4 entry")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        let first = map.next_key::<Key<'de>>()?;
        object(map, first, self.0, true)
    }
}

// ---------------------------------------------------------------------------------------
// Options: `null` and a wrapper of `null` are `None`; anything else is `Some`, flattened.

struct OptVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<V::Value, A::Error> {
        match map.next_key::<Key<'de>>()? {
            Some(k) if k.0 == "data" => {
                let out = map.next_value_seed(OptWrapped(self.0))?;
                end_of_wrapper(&mut map)?;
                Ok(out)
            }
            first => self.0.visit_some(Resumed { map, first }),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.0.visit_some(ResumedSeq(seq))
    }

    fn visit_bool<E: de::Error>(self, x: bool) -> Result<V::Value, E> {
        self.0.visit_some(x.into_deserializer())
    }
    fn visit_i64<E: de::Error>(self, x: i64) -> Result<V::Value, E> {
        self.0.visit_some(x.into_deserializer())
    }
    fn visit_u64<E: de::Error>(self, x: u64) -> Result<V::Value, E> {
        self.0.visit_some(x.into_deserializer())
    }
    fn visit_f64<E: de::Error>(self, x: f64) -> Result<V::Value, E> {
        self.0.visit_some(x.into_deserializer())
    }
    fn visit_str<E: de::Error>(self, x: &str) -> Result<V::Value, E> {
        self.0.visit_some(x.into_deserializer())
    }
    fn visit_borrowed_str<E: de::Error>(self, x: &'de str) -> Result<V::Value, E> {
        self.0
            .visit_some(de::value::BorrowedStrDeserializer::new(x))
    }
    fn visit_string<E: de::Error>(self, x: String) -> Result<V::Value, E> {
        self.0.visit_some(x.into_deserializer())
    }
}

/// A wrapper's `data` for an option: `None` for `null`, else the entry or entries.
struct OptWrapped<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for OptWrapped<V> {
    type Value = V::Value;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        d.deserialize_option(OptWrappedVisitor(self.0))
    }
}

struct OptWrappedVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for OptWrappedVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.0.visit_none()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.0.visit_some(WrappedDe(d))
    }
}

/// A wrapper's non-null `data`, as a deserializer.
struct WrappedDe<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for WrappedDe<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        Wrapped(v).deserialize(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        v.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// An object whose first key was read already, as a deserializer.
struct Resumed<'de, A> {
    map: A,
    first: Option<Key<'de>>,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Resumed<'de, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        object(self.map, self.first, v, false)
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        v.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// A list already entered, as a deserializer.
struct ResumedSeq<A>(A);

impl<'de, A: SeqAccess<'de>> Deserializer<'de> for ResumedSeq<A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        v.visit_seq(FlatSeq {
            seq: self.0,
            entries: false,
        })
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, A::Error> {
        v.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

// ---------------------------------------------------------------------------------------
// Enums: unit variants (strings) only.

struct EnumVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for EnumVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_str<E: de::Error>(self, x: &str) -> Result<V::Value, E> {
        self.0.visit_enum(x.into_deserializer())
    }

    fn visit_borrowed_str<E: de::Error>(self, x: &'de str) -> Result<V::Value, E> {
        self.0.visit_enum(x.into_deserializer())
    }

    fn visit_string<E: de::Error>(self, x: String) -> Result<V::Value, E> {
        self.0.visit_enum(x.into_deserializer())
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<V::Value, A::Error> {
        Err(bail())
    }
}
