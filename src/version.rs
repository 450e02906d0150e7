//! Strapi v4/v5 detection and normalisation.
//!
//! Strapi 4 wraps every entry as `{"id", "attributes": {…}}` and every populated relation or
//! media field as `{"data": …}`. Strapi 5 returns entries flat, with a `documentId`. This
//! module turns v4 bodies, at every depth, into the v5 shape, so one user struct
//! deserialises the responses of both versions.

use serde_json::{Map, Value};

// A path of its own so that the CPU bench can compile this module in as it is.
#[path = "version/flat.rs"]
mod flat;

pub(crate) use flat::decode as decode_v4;

/// A Strapi major version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ApiVersion {
    /// Strapi 4: numeric ids, `attributes` envelopes, `publicationState`, `locale=all`.
    V4,
    /// Strapi 5: `documentId`s, flat entries, `status`, `locale=*`.
    V5,
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ApiVersion::V4 => "v4",
            ApiVersion::V5 => "v5",
        })
    }
}

/// Detects the version from a response body, when the body shows it.
///
/// `data` (or `data[0]`) with a `documentId` means v5; with `attributes` means v4. A bare
/// upload object (or array) shows v5 by its `documentId` and v4 by its absence. An empty
/// list, `null` data or an unrelated body says nothing and gives `None`.
///
/// ```
/// use serde_json::json;
/// use strapi_kit::{ApiVersion, version::detect};
/// assert_eq!(detect(&json!({"data": {"id": 1, "documentId": "abc"}})), Some(ApiVersion::V5));
/// assert_eq!(detect(&json!({"data": [{"id": 1, "attributes": {}}]})), Some(ApiVersion::V4));
/// assert_eq!(detect(&json!({"data": [], "meta": {}})), None);
/// ```
pub fn detect(body: &Value) -> Option<ApiVersion> {
    match body {
        Value::Object(map) => match map.get("data") {
            Some(data) => detect_entry(first(data)?),
            None => detect_media(map),
        },
        Value::Array(items) => match items.first()? {
            Value::Object(map) => detect_media(map),
            _ => None,
        },
        _ => None,
    }
}

fn first(data: &Value) -> Option<&Value> {
    match data {
        Value::Array(items) => items.first(),
        Value::Object(_) => Some(data),
        _ => None,
    }
}

fn detect_entry(entry: &Value) -> Option<ApiVersion> {
    let map = entry.as_object()?;
    if map.contains_key("documentId") {
        Some(ApiVersion::V5)
    } else if map.get("attributes").is_some_and(Value::is_object) {
        Some(ApiVersion::V4)
    } else {
        None
    }
}

/// Upload endpoints answer with bare file objects in both versions.
fn detect_media(map: &Map<String, Value>) -> Option<ApiVersion> {
    if map.contains_key("documentId") {
        Some(ApiVersion::V5)
    } else if map.contains_key("hash") && map.contains_key("mime") && map.contains_key("url") {
        Some(ApiVersion::V4)
    } else {
        None
    }
}

/// Normalises a whole v4 response body in place: `data` (one entry or a list) and
/// everything nested in it. A body that is already flat is left as it is, so calling this on
/// a v5 body is harmless (but a waste of time).
///
/// ```
/// use serde_json::json;
/// let mut body = json!({"data": {"id": 1, "attributes": {
///     "title": "Hi",
///     "author": {"data": {"id": 7, "attributes": {"name": "Ada"}}},
///     "gallery": {"data": null}
/// }}, "meta": {}});
/// strapi_kit::version::normalize_v4_body(&mut body);
/// assert_eq!(body, json!({"data": {"id": 1, "title": "Hi",
///     "author": {"id": 7, "name": "Ada"}, "gallery": null}, "meta": {}}));
/// ```
pub fn normalize_v4_body(body: &mut Value) {
    match body {
        Value::Object(map) => {
            if let Some(data) = map.get_mut("data") {
                normalize_v4_value(data, 0);
            } else {
                // bare upload objects (`/api/upload/files/:id`)
                normalize_fields(map, 0);
            }
        }
        Value::Array(items) => {
            for item in items {
                normalize_v4_value(item, 0);
            }
        }
        _ => {}
    }
}

/// Deeper than any real response; serde_json itself refuses to parse beyond 128 levels.
const MAX_DEPTH: usize = 256;

/// Normalises one v4 value in place: an entry, a relation wrapper, a list, a component.
pub fn normalize_v4_value(value: &mut Value, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(inner) = take_wrapper(map) {
                // {"data": …} relation / media wrapper → its content.
                *value = inner;
                normalize_v4_value(value, depth + 1);
            } else {
                unwrap_entry(map);
                normalize_fields(map, depth);
            }
        }
        Value::Array(items) => {
            for item in items {
                normalize_v4_value(item, depth + 1);
            }
        }
        _ => {}
    }
}

fn normalize_fields(map: &mut Map<String, Value>, depth: usize) {
    for v in map.values_mut() {
        if matches!(v, Value::Object(_) | Value::Array(_)) {
            normalize_v4_value(v, depth + 1);
        }
    }
}

/// `{"id": 1, "attributes": {…}}` → `{"id": 1, …}` (also keeps a sibling `meta`).
fn unwrap_entry(map: &mut Map<String, Value>) {
    let is_entry = map.get("attributes").is_some_and(Value::is_object)
        && map
            .keys()
            .all(|k| k == "id" || k == "attributes" || k == "meta");
    if !is_entry {
        return;
    }
    let Some(Value::Object(attrs)) = map.remove("attributes") else {
        return;
    };
    // Move the smaller map into the larger one.
    let mut merged = attrs;
    for (k, v) in std::mem::take(map) {
        merged.entry(k).or_insert(v);
    }
    *map = merged;
}

/// A v4 relation/media wrapper is an object whose only keys are `data` (and maybe `meta`),
/// with `data` null, an entry, or a list of entries.
fn take_wrapper(map: &mut Map<String, Value>) -> Option<Value> {
    let data = map.get("data")?;
    if !map.keys().all(|k| k == "data" || k == "meta") {
        return None;
    }
    let looks_like_entries = match data {
        Value::Null => true,
        Value::Object(o) => is_v4_entry(o),
        Value::Array(items) => items.iter().all(|i| i.as_object().is_some_and(is_v4_entry)),
        _ => false,
    };
    if looks_like_entries {
        map.remove("data")
    } else {
        None
    }
}

fn is_v4_entry(o: &Map<String, Value>) -> bool {
    o.get("attributes").is_some_and(Value::is_object)
}

/// What a body's first bytes show, without parsing it: the version its `data` (or first
/// `data` entry) shows, as [`detect`] would tell from the parsed body, and whether `data` is a
/// list. `None` when they show nothing (no `data`, an empty list, `null`), or anything this
/// quick look does not follow (escaped keys, repeated keys): the parsed body decides then.
/// The body is not validated here; decoding it does that.
pub(crate) fn sniff(body: &[u8]) -> Option<(ApiVersion, bool)> {
    let mut s = Scan { b: body, i: 0 };
    s.expect(b'{')?;
    if s.peek_is(b'}') {
        return None;
    }
    loop {
        let key = s.key()?;
        if key == b"data" {
            let list = s.peek_is(b'[');
            if list {
                s.i += 1;
            }
            return Some((s.entry_version()?, list));
        }
        s.skip_value()?;
        s.expect(b',')?;
    }
}

/// A forward scan over JSON bytes (no validation: a hint for the decoder).
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while self.b.get(self.i).is_some_and(u8::is_ascii_whitespace) {
            self.i += 1;
        }
    }

    fn peek_is(&mut self, c: u8) -> bool {
        self.ws();
        self.b.get(self.i) == Some(&c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        if self.peek_is(c) {
            self.i += 1;
            Some(())
        } else {
            None
        }
    }

    /// An object key and its `:`; `None` for an escaped one.
    fn key(&mut self) -> Option<&'a [u8]> {
        self.expect(b'"')?;
        let start = self.i;
        let len = self.b[start..]
            .iter()
            .position(|&c| c == b'"' || c == b'\\')?;
        if self.b[start + len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        self.expect(b':')?;
        Some(&self.b[start..start + len])
    }

    fn skip_string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            match *self.b.get(self.i)? {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                _ => self.i += 1,
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match *self.b.get(self.i)? {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match *self.b.get(self.i)? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|&c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }

    /// The version an entry object shows ([`detect_entry`]'s rule), reading all its keys.
    fn entry_version(&mut self) -> Option<ApiVersion> {
        self.expect(b'{')?;
        let (mut document_id, mut attributes) = (0u32, 0u32);
        let mut attributes_object = false;
        if !self.peek_is(b'}') {
            loop {
                let key = self.key()?;
                if key == b"documentId" {
                    document_id += 1;
                } else if key == b"attributes" {
                    attributes += 1;
                    attributes_object = self.peek_is(b'{');
                }
                self.skip_value()?;
                if self.expect(b',').is_none() {
                    break;
                }
            }
        }
        self.expect(b'}')?;
        match (document_id, attributes) {
            (1, _) => Some(ApiVersion::V5),
            (0, 1) if attributes_object => Some(ApiVersion::V4),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_nested_relations_media_and_components() {
        let mut body = json!({
            "data": [{
                "id": 1,
                "attributes": {
                    "title": "A",
                    "seo": {"id": 3, "metaTitle": "m", "image": {"data": {"id": 9, "attributes": {"url": "/u.png"}}}},
                    "author": {"data": {"id": 2, "attributes": {"name": "Ada",
                        "articles": {"data": [{"id": 1, "attributes": {"title": "A"}}]}}}},
                    "cover": {"data": null},
                    "gallery": {"data": []},
                    "blocks": [{"__component": "x.y", "id": 1, "pic": {"data": null}}],
                    "tags": {"data": "user json that only looks like a wrapper"}
                }
            }],
            "meta": {"pagination": {"page": 1}}
        });
        normalize_v4_body(&mut body);
        assert_eq!(
            body,
            json!({
                "data": [{
                    "id": 1,
                    "title": "A",
                    "seo": {"id": 3, "metaTitle": "m", "image": {"id": 9, "url": "/u.png"}},
                    "author": {"id": 2, "name": "Ada", "articles": [{"id": 1, "title": "A"}]},
                    "cover": null,
                    "gallery": [],
                    "blocks": [{"__component": "x.y", "id": 1, "pic": null}],
                    "tags": {"data": "user json that only looks like a wrapper"}
                }],
                "meta": {"pagination": {"page": 1}}
            })
        );
    }

    #[test]
    fn idempotent_on_v5() {
        let v5 =
            json!({"data": {"id": 1, "documentId": "d", "author": {"id": 2, "documentId": "e"}}});
        let mut copy = v5.clone();
        normalize_v4_body(&mut copy);
        assert_eq!(copy, v5);
    }

    #[test]
    fn detects_versions() {
        assert_eq!(detect(&json!({"data": null})), None);
        assert_eq!(
            detect(&json!([{"id": 1, "documentId": "x", "hash": "h"}])),
            Some(ApiVersion::V5)
        );
        assert_eq!(
            detect(&json!([{"id": 1, "hash": "h", "mime": "image/png", "url": "/u"}])),
            Some(ApiVersion::V4)
        );
        assert_eq!(
            detect(&json!({"id": 1, "hash": "h", "mime": "m", "url": "/u"})),
            Some(ApiVersion::V4)
        );
        assert_eq!(detect(&json!("nope")), None);
    }

    #[test]
    fn sniffs_the_version_from_the_first_bytes_as_detect_does() {
        let cases: &[(&str, Option<(ApiVersion, bool)>)] = &[
            (
                r#"{"data":[{"id":1,"documentId":"a"}],"meta":{}}"#,
                Some((ApiVersion::V5, true)),
            ),
            (
                r#" { "meta" : {"x": [1, "]}"]}, "data" : {"id": 1, "documentId": "a"} }"#,
                Some((ApiVersion::V5, false)),
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"documentId":"x","t":"\"}"}}]}"#,
                Some((ApiVersion::V4, true)),
            ),
            (
                r#"{"data":{"id":1,"attributes":{},"documentId":"a"}}"#,
                Some((ApiVersion::V5, false)),
            ),
            (r#"{"data":{"id":1,"attributes":"text"}}"#, None),
            (r#"{"data":[],"meta":{}}"#, None),
            (r#"{"data":null}"#, None),
            (r#"{"meta":{}}"#, None),
            (r#"{"d\u0061ta":[{"documentId":"a"}]}"#, None),
            (r#"{"data":[{"documentId":"a","documentId":"b"}]}"#, None),
            (r#"[{"id":1,"documentId":"a"}]"#, None),
            (r#"{"data":[{"documentId":"a""#, None),
            ("", None),
        ];
        for (body, want) in cases {
            assert_eq!(sniff(body.as_bytes()), *want, "{body}");
            if let (Some((v, _)), Ok(parsed)) = (want, serde_json::from_str::<Value>(body)) {
                assert_eq!(detect(&parsed), Some(*v), "{body}");
            }
        }
        let fixture = |name: &str| {
            std::fs::read(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("benches/data")
                    .join(name),
            )
            .unwrap()
        };
        assert_eq!(
            sniff(&fixture("v5_list_100.json")),
            Some((ApiVersion::V5, true))
        );
        assert_eq!(
            sniff(&fixture("v4_list_100.json")),
            Some((ApiVersion::V4, true))
        );
    }

    /// The tree's result for `body`: parsed, flattened when v4.
    fn tree(body: &str) -> Value {
        let mut v: Value = serde_json::from_str(body).unwrap();
        normalize_v4_body(&mut v);
        v
    }

    #[test]
    fn one_pass_v4_flattening_equals_the_tree_or_leaves_the_body_to_it() {
        // (body, whether the one pass takes it)
        let cases: &[(&str, bool)] = &[
            (
                r#"{"data":[{"id":1,"attributes":{"title":"A","author":{"data":{"id":2,"attributes":{"name":"Ada"}}},"cover":{"data":null},"gallery":{"data":[]},"tags":{"data":[{"id":3,"attributes":{"t":"x"}}],"meta":{"m":1}},"seo":{"id":4,"title":"s","image":{"data":{"id":5,"attributes":{"url":"/u"}}}},"blocks":[{"__component":"a.b","id":1,"pic":{"data":null}}]}}],"meta":{"pagination":{"page":1}}}"#,
                true,
            ),
            (
                r#"{"data":{"id":1,"attributes":{"title":"A"}},"meta":{}}"#,
                true,
            ),
            (r#"{"meta":{"p":1},"data":[{"attributes":{"x":1}}]}"#, true),
            (r#"{"data":[{"id":1,"attributes":{"id":9,"t":1}}]}"#, true),
            (
                r#"{"data":[{"id":1,"attributes":{"j":{"data":"just json"}}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"j":{"data":{"not":"an entry"}}}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"j":{"data":[{"id":1,"attributes":{}},5]}}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"r":{"data":null,"other":1}}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"r":{"meta":{},"data":null}}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"t":1},"meta":{"x":1}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"meta":{"x":1},"attributes":{"t":1}}]}"#,
                false,
            ),
            (
                r#"{"data":[{"id":1,"attributes":{"t":1},"extra":2}]}"#,
                false,
            ),
            (r#"{"data":[{"id":1,"attributes":"text"}]}"#, false),
            (r#"{"data":[{"id":{"a":1},"attributes":{}}]}"#, false),
            (
                r#"{"data":[{"title":"flat","id":3,"c":{"id":1,"k":{"data":{"id":2,"attributes":{"n":1}}}}}]}"#,
                true,
            ),
            (r#"{"data":[{"id":1,"documentId":"v5","title":"t"}]}"#, true),
            (
                r#"{"data":[{"id":1,"attributes":{"e":{},"l":[[1,{"data":null}]],"n":null}}]}"#,
                true,
            ),
            (r#"{"meta":{}}"#, false),
            (r#"[{"id":1}]"#, false),
        ];
        for (body, taken) in cases {
            let got = decode_v4::<Value>(body.as_bytes());
            assert_eq!(got.is_some(), *taken, "{body}");
            if let Some(got) = got {
                assert_eq!(got, tree(body), "{body}");
            }
        }
        let fixture = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/data/v4_list_100.json"),
        )
        .unwrap();
        assert_eq!(decode_v4::<Value>(fixture.as_bytes()), Some(tree(&fixture)));
    }

    #[test]
    fn one_pass_v4_flattening_decodes_entries_and_user_types_as_the_tree_does() {
        use crate::models::{Entry, ListResponse};
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Article {
            title: String,
            author: Option<Author>,
            cover: Option<Author>,
            tags: Vec<Author>,
            kind: Kind,
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Author {
            name: String,
        }
        #[derive(Debug, PartialEq, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        enum Kind {
            News,
        }
        let body = r#"{"data":[{"id":1,"attributes":{"title":"A","kind":"news","author":{"data":{"id":2,"attributes":{"name":"Ada"}}},"cover":{"data":null},"tags":{"data":[{"id":3,"attributes":{"name":"t"}}]}}},{"id":2,"attributes":{"title":"B","kind":"news","author":null,"cover":{"name":"c"},"tags":{"data":[]}}}],"meta":{}}"#;
        let typed: ListResponse<Entry<Article>> = decode_v4(body.as_bytes()).unwrap();
        let expected: ListResponse<Entry<Article>> = serde_json::from_value(tree(body)).unwrap();
        assert_eq!(typed.data, expected.data);
        assert_eq!(typed.data[0].id, Some(1));
        assert_eq!(
            typed.data[0].attributes.author,
            Some(Author { name: "Ada".into() })
        );
        assert_eq!(typed.data[0].attributes.cover, None);
        let raw: ListResponse<Entry<Value>> = decode_v4(body.as_bytes()).unwrap();
        let expected: ListResponse<Entry<Value>> = serde_json::from_value(tree(body)).unwrap();
        assert_eq!(raw.data, expected.data);
        // A shape the pass leaves to the tree, and a type error, are `None` (the client then
        // decodes through the tree, for the result or the precise error).
        let odd = r#"{"data":[{"id":1,"attributes":{"title":"A","kind":"news","author":{"data":"x"},"tags":[]}}]}"#;
        assert!(decode_v4::<ListResponse<Entry<Article>>>(odd.as_bytes()).is_none());
        let bad = r#"{"data":[{"id":1,"attributes":{"title":5,"kind":"news","tags":[]}}]}"#;
        assert!(decode_v4::<ListResponse<Entry<Article>>>(bad.as_bytes()).is_none());
    }
}
