//! Writing relations: Strapi's `connect` / `disconnect` / `set` syntax, for v4 and v5.
//!
//! Strapi 5 addresses related documents by `documentId` (a string; it also takes numeric row
//! ids), Strapi 4 by numeric id. [`Relation::to_json`] writes the value of a relation field
//! for a server version and checks the ids against it; the clients'
//! `relation` method does the same for the server they talk to.
//!
//! ```
//! use serde_json::json;
//! use strapi_kit::{ApiVersion, Position, Relation, RelationTarget};
//!
//! let categories = Relation::connect(["k8yq2b0d5x1c3v7n9m4p6l2j"])
//!     .and_disconnect(["a1b2c3d4e5f6g7h8i9j0k1l2"]);
//! assert_eq!(
//!     categories.to_json(ApiVersion::V5).unwrap(),
//!     json!({"connect": ["k8yq2b0d5x1c3v7n9m4p6l2j"], "disconnect": ["a1b2c3d4e5f6g7h8i9j0k1l2"]})
//! );
//!
//! // Strapi 4: numeric ids, and a position among the existing ones.
//! let ordered = Relation::connect([RelationTarget::new(7).position(Position::Before(3.into()))]);
//! assert_eq!(
//!     ordered.to_json(ApiVersion::V4).unwrap(),
//!     json!({"connect": [{"id": 7, "position": {"before": 3}}]})
//! );
//!
//! // `set` replaces the whole relation; an empty set clears it.
//! assert_eq!(Relation::set([4, 5]).to_json(ApiVersion::V4).unwrap(), json!({"set": [4, 5]}));
//! assert_eq!(Relation::clear().to_json(ApiVersion::V5).unwrap(), json!({"set": []}));
//!
//! // A documentId cannot address a Strapi 4 entry: an error before anything is sent.
//! assert!(Relation::connect(["k8yq2b0d5x1c3v7n9m4p6l2j"]).to_json(ApiVersion::V4).is_err());
//! ```

use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::ids::EntryId;
use crate::version::ApiVersion;

/// Where a connected entry goes among the existing ones of an ordered (to-many) relation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Position {
    /// First.
    Start,
    /// Last (Strapi's default).
    End,
    /// Before this related entry.
    Before(EntryId),
    /// After this related entry.
    After(EntryId),
}

/// One related entry to connect, disconnect or set: its id, and optionally the locale of
/// the target (Strapi 5) and a [`Position`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationTarget {
    id: EntryId,
    locale: Option<String>,
    position: Option<Position>,
}

impl RelationTarget {
    /// The entry with this id: a v5 `documentId` or a v4 numeric id.
    pub fn new(id: impl Into<EntryId>) -> Self {
        RelationTarget {
            id: id.into(),
            locale: None,
            position: None,
        }
    }

    /// The locale version of the target document (Strapi 5, for a localized target type;
    /// ignored by Strapi 4, whose ids already name one locale).
    pub fn locale(mut self, code: impl Into<String>) -> Self {
        self.locale = Some(code.into());
        self
    }

    /// Where it goes among the existing entries (only with `connect`).
    pub fn position(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    fn has_options(&self) -> bool {
        self.locale.is_some() || self.position.is_some()
    }
}

macro_rules! target_from {
    ($($t:ty),*) => {$(
        impl From<$t> for RelationTarget {
            fn from(v: $t) -> Self { RelationTarget::new(v) }
        }
    )*};
}
target_from!(
    &str, String, &String, u32, u64, i32, i64, usize, EntryId, &EntryId
);

/// The value of a relation field in a create or update: entries to connect and disconnect,
/// or the complete new set.
///
/// `connect`/`disconnect` change a relation relative to what it holds; `set` replaces it
/// (and cannot be combined with them: Strapi would ignore one or the other). For a
/// to-one relation, `connect` with one target replaces the current one and
/// `disconnect` (or [`clear`](Self::clear)) removes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Relation {
    connect: Vec<RelationTarget>,
    disconnect: Vec<RelationTarget>,
    set: Option<Vec<RelationTarget>>,
}

impl Relation {
    /// Connects these entries (keeping the others).
    pub fn connect<T: Into<RelationTarget>>(targets: impl IntoIterator<Item = T>) -> Self {
        Relation::default().and_connect(targets)
    }

    /// Disconnects these entries (keeping the others).
    pub fn disconnect<T: Into<RelationTarget>>(targets: impl IntoIterator<Item = T>) -> Self {
        Relation::default().and_disconnect(targets)
    }

    /// Replaces the relation with exactly these entries, in this order.
    pub fn set<T: Into<RelationTarget>>(targets: impl IntoIterator<Item = T>) -> Self {
        Relation {
            set: Some(targets.into_iter().map(Into::into).collect()),
            ..Relation::default()
        }
    }

    /// Removes every related entry (`{"set": []}`).
    pub fn clear() -> Self {
        Relation::set(Vec::<RelationTarget>::new())
    }

    /// Connects these entries too.
    pub fn and_connect<T: Into<RelationTarget>>(
        mut self,
        targets: impl IntoIterator<Item = T>,
    ) -> Self {
        self.connect.extend(targets.into_iter().map(Into::into));
        self
    }

    /// Disconnects these entries too.
    pub fn and_disconnect<T: Into<RelationTarget>>(
        mut self,
        targets: impl IntoIterator<Item = T>,
    ) -> Self {
        self.disconnect.extend(targets.into_iter().map(Into::into));
        self
    }

    /// The JSON for a relation field on a server `version`.
    ///
    /// Strapi 5: a `documentId` is written as a string, a numeric id as a number (Strapi 5
    /// reads it as a row id). Strapi 4: ids must be numeric ([`Error::InvalidInput`]
    /// otherwise). Targets with a locale or position become objects
    /// (`{"documentId"|"id", "locale", "position"}`).
    pub fn to_json(&self, version: ApiVersion) -> Result<Value> {
        let mut out = Map::new();
        match &self.set {
            Some(set) => {
                if !self.connect.is_empty() || !self.disconnect.is_empty() {
                    return Err(Error::InvalidInput(
                        "a relation cannot combine set with connect or disconnect".into(),
                    ));
                }
                if set.iter().any(|t| t.position.is_some()) {
                    return Err(Error::InvalidInput(
                        "positions apply to connect, not to set (set keeps its order)".into(),
                    ));
                }
                out.insert("set".into(), targets(set, version)?);
            }
            None => {
                if self.connect.is_empty() && self.disconnect.is_empty() {
                    return Err(Error::InvalidInput(
                        "an empty relation change: give entries to connect, disconnect or set \
                         (Relation::clear() empties a relation)"
                            .into(),
                    ));
                }
                if self.disconnect.iter().any(|t| t.position.is_some()) {
                    return Err(Error::InvalidInput(
                        "positions apply to connect, not to disconnect".into(),
                    ));
                }
                if !self.connect.is_empty() {
                    out.insert("connect".into(), targets(&self.connect, version)?);
                }
                if !self.disconnect.is_empty() {
                    out.insert("disconnect".into(), targets(&self.disconnect, version)?);
                }
            }
        }
        Ok(Value::Object(out))
    }
}

fn targets(list: &[RelationTarget], version: ApiVersion) -> Result<Value> {
    list.iter()
        .map(|t| target(t, version))
        .collect::<Result<Vec<_>>>()
        .map(Value::Array)
}

fn target(t: &RelationTarget, version: ApiVersion) -> Result<Value> {
    let id = id_value(&t.id, version)?;
    if !t.has_options() {
        return Ok(id);
    }
    let mut obj = Map::new();
    let key = if id.is_number() { "id" } else { "documentId" };
    obj.insert(key.into(), id);
    if let (Some(locale), ApiVersion::V5) = (&t.locale, version) {
        if locale.trim().is_empty() {
            return Err(Error::InvalidInput("empty locale in a relation".into()));
        }
        obj.insert("locale".into(), json!(locale));
    }
    if let Some(p) = &t.position {
        let pos = match p {
            Position::Start => json!({"start": true}),
            Position::End => json!({"end": true}),
            Position::Before(other) => json!({"before": id_value(other, version)?}),
            Position::After(other) => json!({"after": id_value(other, version)?}),
        };
        obj.insert("position".into(), pos);
    }
    Ok(Value::Object(obj))
}

fn id_value(id: &EntryId, version: ApiVersion) -> Result<Value> {
    let s = id.checked()?.trim();
    if let Ok(n) = s.parse::<u64>() {
        return Ok(json!(n));
    }
    match version {
        ApiVersion::V5 => Ok(json!(s)),
        ApiVersion::V4 => Err(Error::InvalidInput(format!(
            "Strapi 4 relations take numeric ids, not {s:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v5_documents_and_options() {
        let r = Relation::connect([
            RelationTarget::new("doc-a"),
            RelationTarget::new("doc-b").locale("fr"),
            RelationTarget::new("doc-c").position(Position::After("doc-a".into())),
            RelationTarget::new("doc-d").position(Position::Start),
        ])
        .and_disconnect(["doc-z"]);
        assert_eq!(
            r.to_json(ApiVersion::V5).unwrap(),
            json!({
                "connect": [
                    "doc-a",
                    {"documentId": "doc-b", "locale": "fr"},
                    {"documentId": "doc-c", "position": {"after": "doc-a"}},
                    {"documentId": "doc-d", "position": {"start": true}}
                ],
                "disconnect": ["doc-z"]
            })
        );
        // Numeric ids stay numbers (row ids), on v5 too.
        assert_eq!(
            Relation::set([3u64]).to_json(ApiVersion::V5).unwrap(),
            json!({"set": [3]})
        );
    }

    #[test]
    fn v4_numbers_and_checks() {
        assert_eq!(
            Relation::connect(["12", " 13 "])
                .to_json(ApiVersion::V4)
                .unwrap(),
            json!({"connect": [12, 13]})
        );
        // The locale means nothing to v4 ids; the position does.
        assert_eq!(
            Relation::connect([RelationTarget::new(1).locale("fr").position(Position::End)])
                .to_json(ApiVersion::V4)
                .unwrap(),
            json!({"connect": [{"id": 1, "position": {"end": true}}]})
        );
        assert!(Relation::connect(["abc"]).to_json(ApiVersion::V4).is_err());
        assert!(
            Relation::connect([RelationTarget::new(1).position(Position::Before("x".into()))])
                .to_json(ApiVersion::V4)
                .is_err()
        );
    }

    #[test]
    fn invalid_combinations_are_input_errors() {
        for bad in [
            Relation::set([1]).and_connect([2]),
            Relation::default(),
            Relation::disconnect([RelationTarget::new(1).position(Position::Start)]),
            Relation::set([RelationTarget::new(1).position(Position::Start)]),
            Relation::connect([""]),
            Relation::connect([".."]),
            Relation::connect([RelationTarget::new("d").locale(" ")]),
        ] {
            let e = bad.to_json(ApiVersion::V5).unwrap_err();
            assert!(matches!(e, Error::InvalidInput(_)), "{bad:?}: {e:?}");
        }
        assert_eq!(
            Relation::clear().to_json(ApiVersion::V4).unwrap(),
            json!({"set": []})
        );
    }
}
