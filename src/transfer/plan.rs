//! Planning an import: the target's schema checked against the export's, and the order of
//! the types.

use std::collections::{BTreeMap, BTreeSet};

use crate::schema::{AttributeType, Component, ContentType};

/// A difference between the exported schema and the target's that stops an import.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SchemaProblem {
    /// The target has no content type with this uid.
    MissingType(String),
    /// The target's type lacks this field.
    MissingField {
        /// The type (or component) uid.
        uid: String,
        /// The field.
        field: String,
    },
    /// The field exists with another type (or relation target, or component).
    ChangedField {
        /// The type (or component) uid.
        uid: String,
        /// The field.
        field: String,
        /// What the export has.
        expected: String,
        /// What the target has.
        found: String,
    },
    /// The target has no component with this uid.
    MissingComponent(String),
}

impl std::fmt::Display for SchemaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MissingType(uid) => write!(f, "content type {uid} is missing on the target"),
            Self::MissingField { uid, field } => {
                write!(f, "{uid} has no field {field:?} on the target")
            }
            Self::ChangedField {
                uid,
                field,
                expected,
                found,
            } => write!(
                f,
                "{uid}.{field} is {found} on the target, {expected} in the export"
            ),
            Self::MissingComponent(uid) => write!(f, "component {uid} is missing on the target"),
        }
    }
}

/// A short name of what an attribute holds, for comparing two schemas.
fn shape(a: &crate::schema::Attribute) -> String {
    let kind = a.raw.get("type").and_then(|t| t.as_str()).unwrap_or("?");
    match a.kind {
        AttributeType::Relation => format!(
            "relation to {}{}",
            a.target.as_deref().unwrap_or("?"),
            if a.is_to_many() { " (many)" } else { "" }
        ),
        AttributeType::Media => format!("media{}", if a.multiple { " (multiple)" } else { "" }),
        AttributeType::Component => format!(
            "component {}{}",
            a.component.as_deref().unwrap_or("?"),
            if a.repeatable { " (repeatable)" } else { "" }
        ),
        // Strapi 4's and 5's text-like types are interchangeable for the data.
        AttributeType::String
        | AttributeType::Text
        | AttributeType::Email
        | AttributeType::Uid
        | AttributeType::RichText => "text".into(),
        _ => kind.to_owned(),
    }
}

/// Checks every exported type and component against the target's: each must exist with
/// every exported field, of the same shape. Extra types and fields on the target are fine.
pub fn check_schema(
    exported: &[ContentType],
    exported_components: &[Component],
    target: &[ContentType],
    target_components: &[Component],
) -> Vec<SchemaProblem> {
    let mut problems = Vec::new();
    let fields = |uid: &str,
                  ours: &BTreeMap<String, crate::schema::Attribute>,
                  theirs: &BTreeMap<String, crate::schema::Attribute>,
                  problems: &mut Vec<SchemaProblem>| {
        for (name, a) in ours {
            match theirs.get(name) {
                None => problems.push(SchemaProblem::MissingField {
                    uid: uid.to_owned(),
                    field: name.clone(),
                }),
                Some(t) if shape(t) != shape(a) => problems.push(SchemaProblem::ChangedField {
                    uid: uid.to_owned(),
                    field: name.clone(),
                    expected: shape(a),
                    found: shape(t),
                }),
                Some(_) => {}
            }
        }
    };
    for ct in exported {
        match target.iter().find(|t| t.uid == ct.uid) {
            None => problems.push(SchemaProblem::MissingType(ct.uid.clone())),
            Some(t) => fields(&ct.uid, &ct.attributes, &t.attributes, &mut problems),
        }
    }
    for c in exported_components {
        match target_components.iter().find(|t| t.uid == c.uid) {
            None => problems.push(SchemaProblem::MissingComponent(c.uid.clone())),
            Some(t) => fields(&c.uid, &c.attributes, &t.attributes, &mut problems),
        }
    }
    problems
}

/// The components a set of types uses, directly or through other components and dynamic
/// zones.
pub fn components_used(types: &[ContentType], all: &[Component]) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let mut todo: Vec<String> = Vec::new();
    let collect = |attrs: &BTreeMap<String, crate::schema::Attribute>, todo: &mut Vec<String>| {
        for a in attrs.values() {
            todo.extend(a.component.iter().cloned());
            todo.extend(a.components.iter().cloned());
        }
    };
    for ct in types {
        collect(&ct.attributes, &mut todo);
    }
    while let Some(uid) = todo.pop() {
        if used.insert(uid.clone()) {
            if let Some(c) = all.iter().find(|c| c.uid == uid) {
                collect(&c.attributes, &mut todo);
            }
        }
    }
    used
}

/// Fields inside components that hold relations or media: their links are not carried by
/// this format (a warning in the reports).
pub fn component_links(components: &[Component]) -> Vec<String> {
    let mut out = Vec::new();
    for c in components {
        for (name, a) in &c.attributes {
            if matches!(a.kind, AttributeType::Relation | AttributeType::Media) {
                out.push(format!("{}.{name}", c.uid));
            }
        }
    }
    out
}

/// The types in an order where a type comes after the types its relations point at, as far
/// as cycles allow (a cycle keeps the given order). Relations are written in a second pass
/// anyway; the order makes a partial import (stopped half-way) hold whole sub-graphs first.
pub fn order_types(types: &[ContentType]) -> Vec<String> {
    let uids: BTreeSet<&str> = types.iter().map(|t| t.uid.as_str()).collect();
    let mut placed: Vec<String> = Vec::new();
    let mut left: Vec<&ContentType> = types.iter().collect();
    while !left.is_empty() {
        let ready = left.iter().position(|t| {
            t.attributes.values().all(|a| match a.target.as_deref() {
                Some(target) if target != t.uid && uids.contains(target) => {
                    placed.iter().any(|p| p == target)
                }
                _ => true,
            })
        });
        // In a cycle nothing is ready: take the first left.
        let t = left.remove(ready.unwrap_or(0));
        placed.push(t.uid.clone());
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ct(uid: &str, attrs: serde_json::Value) -> ContentType {
        ContentType::from_json(&json!({"uid": uid, "attributes": attrs})).unwrap()
    }

    #[test]
    fn problems_are_named() {
        let ours = [
            ct(
                "api::a.a",
                json!({"t": {"type": "string"}, "n": {"type": "integer"},
                "r": {"type": "relation", "relation": "oneToMany", "target": "api::b.b"}}),
            ),
            ct("api::gone.gone", json!({})),
        ];
        let theirs = [ct(
            "api::a.a",
            json!({"t": {"type": "text"}, "extra": {"type": "string"},
            "r": {"type": "relation", "relation": "manyToOne", "target": "api::b.b"}}),
        )];
        let p = check_schema(&ours, &[], &theirs, &[]);
        assert_eq!(p.len(), 3, "{p:?}");
        assert!(p.contains(&SchemaProblem::MissingField {
            uid: "api::a.a".into(),
            field: "n".into()
        }));
        assert!(p.contains(&SchemaProblem::MissingType("api::gone.gone".into())));
        assert!(
            p.iter()
                .any(|x| matches!(x, SchemaProblem::ChangedField { field, .. } if field == "r"))
        );
        assert!(p[0].to_string().contains("api::a.a"));
        assert!(check_schema(&theirs, &[], &theirs, &[]).is_empty());
    }

    #[test]
    fn types_come_after_their_targets_and_cycles_terminate() {
        let rel = |t: &str| json!({"type": "relation", "relation": "manyToOne", "target": t});
        let types = [
            ct(
                "api::a.a",
                json!({"b": rel("api::b.b"), "me": rel("api::a.a")}),
            ),
            ct("api::b.b", json!({"c": rel("api::c.c")})),
            ct("api::c.c", json!({})),
            ct("api::x.x", json!({"y": rel("api::y.y")})),
            ct("api::y.y", json!({"x": rel("api::x.x")})),
        ];
        assert_eq!(
            order_types(&types),
            ["api::c.c", "api::b.b", "api::a.a", "api::x.x", "api::y.y"]
        );
    }
}
