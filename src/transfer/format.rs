//! The export directory's format: the manifest, the schema snapshot, the checksum, and the
//! JSONL record of one entry version (with the v4 → v5 shape conversion).
//!
//! ```text
//! <dir>/manifest.json                    written last: its presence means a complete export
//! <dir>/schema.json                      the exported types and components, as Strapi gave them
//! <dir>/entries/<uid>.published.jsonl    one Record per line: published versions (and entries
//!                                        of types without draft & publish)
//! <dir>/entries/<uid>.draft.jsonl        drafts: never-published entries, and v5 drafts that
//!                                        differ from their published version
//! <dir>/media.jsonl                      one MediaRecord per line
//! <dir>/folders.json                     the media library's folders (admin credentials only)
//! <dir>/files/<hash><ext>                the files themselves (optional)
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::schema::{AttributeType, ContentType, ContentTypeKind};
use crate::version::ApiVersion;

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The 64-bit FNV-1a hash, fed in pieces: the manifest's checksum of each file (it detects
/// a truncated or edited file; it is not a defence against a forger).
#[derive(Clone, Copy, Debug)]
pub struct Checksum(u64);

impl Default for Checksum {
    fn default() -> Self {
        Checksum(0xcbf2_9ce4_8422_2325)
    }
}

impl Checksum {
    /// Adds bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    /// The hash as 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }

    /// The hash of one byte string.
    pub fn of(bytes: &[u8]) -> String {
        let mut c = Checksum::default();
        c.update(bytes);
        c.hex()
    }
}

/// One data file of the export, as the manifest lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileEntry {
    /// The path inside the export directory (`entries/api::book.book.published.jsonl`).
    pub path: String,
    /// Lines (records) in it.
    pub records: u64,
    /// Its [`Checksum`] (FNV-1a, 16 hex digits).
    pub checksum: String,
}

impl FileEntry {
    /// A file entry.
    pub fn new(path: impl Into<String>, records: u64, checksum: impl Into<String>) -> Self {
        FileEntry {
            path: path.into(),
            records,
            checksum: checksum.into(),
        }
    }
}

/// One exported content type in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TypeEntry {
    /// Its uid (`api::book.book`).
    pub uid: String,
    /// Its REST route (`books`; the singular name of a single type).
    pub route: String,
    /// Whether it is a single type.
    pub single: bool,
    /// The published versions (and entries of types without draft & publish).
    pub published: FileEntry,
    /// The drafts that the published file does not already hold.
    pub drafts: FileEntry,
}

/// `manifest.json`: what an export holds. Written last, so a directory without it is an
/// export still under way (or one that was interrupted: exporting again resumes it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// `strapi-kit <version>`.
    pub tool: String,
    /// The source server's major version: `v4` or `v5`.
    pub server_version: String,
    /// The source server's base URL.
    pub source: String,
    /// When the export finished (ISO 8601, UTC).
    pub exported_at: String,
    /// The locales configured on the source (codes).
    pub locales: Vec<String>,
    /// The default locale of the source, when i18n is on.
    pub default_locale: Option<String>,
    /// The content types, in export order.
    pub types: Vec<TypeEntry>,
    /// `schema.json`.
    pub schema: FileEntry,
    /// `media.jsonl`.
    pub media: FileEntry,
    /// `folders.json`, when admin credentials were given.
    pub folders: Option<FileEntry>,
    /// Whether the media files themselves are under `files/`.
    pub files_included: bool,
}

impl Manifest {
    /// The source version as an [`ApiVersion`].
    pub fn api_version(&self) -> Result<ApiVersion> {
        match self.server_version.as_str() {
            "v4" => Ok(ApiVersion::V4),
            "v5" => Ok(ApiVersion::V5),
            other => Err(Error::InvalidInput(format!(
                "the manifest names an unknown server version {other:?}"
            ))),
        }
    }

    /// Parses `manifest.json`, refusing a format this crate does not read.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| Error::InvalidInput(format!("manifest.json cannot be read: {e}")))?;
        if m.format != FORMAT_VERSION {
            return Err(Error::InvalidInput(format!(
                "manifest.json has format {} and this strapi-kit reads format {FORMAT_VERSION}",
                m.format
            )));
        }
        Ok(m)
    }

    /// Every data file it lists.
    pub fn files(&self) -> Vec<&FileEntry> {
        let mut out = vec![&self.schema, &self.media];
        out.extend(self.folders.as_ref());
        for t in &self.types {
            out.push(&t.published);
            out.push(&t.drafts);
        }
        out
    }
}

/// The name of a type's record file: `entries/<uid>.<published|draft>.jsonl`.
pub fn entries_path(uid: &str, drafts: bool) -> String {
    let which = if drafts { "draft" } else { "published" };
    // A uid has only letters, digits and `: . - _` (checked when it is read back), all safe
    // in a file name on Linux and macOS; `:` is replaced for Windows.
    format!("entries/{}.{which}.jsonl", uid.replace(':', "_"))
}

/// The schema snapshot (`schema.json`): a content type as a flat JSON object that
/// [`ContentType::from_json`] reads back.
pub fn content_type_json(ct: &ContentType) -> Value {
    let kind = match &ct.kind {
        ContentTypeKind::Single => "singleType".to_owned(),
        ContentTypeKind::Collection => "collectionType".to_owned(),
        ContentTypeKind::Other(o) => o.clone(),
    };
    let attributes: Map<String, Value> = ct
        .attributes
        .iter()
        .map(|(k, a)| (k.clone(), a.raw.clone()))
        .collect();
    json!({
        "uid": ct.uid,
        "kind": kind,
        "singularName": ct.singular_name,
        "pluralName": ct.plural_name,
        "displayName": ct.display_name,
        "draftAndPublish": ct.draft_and_publish,
        "pluginOptions": {"i18n": {"localized": ct.localized}},
        "attributes": attributes,
    })
}

/// A component as a flat JSON object that [`Component::from_json`](crate::schema::Component::from_json) reads back.
pub fn component_json(c: &crate::schema::Component) -> Value {
    let attributes: Map<String, Value> = c
        .attributes
        .iter()
        .map(|(k, a)| (k.clone(), a.raw.clone()))
        .collect();
    json!({"uid": c.uid, "category": c.category, "displayName": c.display_name,
           "attributes": attributes})
}

/// Whether a record is a draft or a published version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// A published version (or an entry of a type without draft & publish).
    Published,
    /// A draft.
    Draft,
}

/// A reference to a related entry, as exported: Strapi 5 sources name the document and
/// locale, Strapi 4 sources the entry's id (resolved at import through the records).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RelRef {
    /// Strapi 5: the target's documentId.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Strapi 4: the target entry's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// The target's locale, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
}

/// One line of an entries file: one version (draft or published) of one entry in one
/// locale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Record {
    /// The document: its documentId on Strapi 5; on Strapi 4 `v4-<id>` with the smallest id
    /// of the entry's localization group (every locale of one entry shares it).
    pub doc: String,
    /// The source's row id of this version.
    pub id: u64,
    /// The locale (`None` for a type without i18n).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Draft or published.
    pub status: RecordStatus,
    /// Every other field: scalars, components and dynamic zones (their ids removed).
    pub data: Map<String, Value>,
    /// Media fields: the source's file ids (one for a single field).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub media: BTreeMap<String, Vec<u64>>,
    /// Relation fields: the related entries, in order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub rels: BTreeMap<String, Vec<RelRef>>,
}

/// Fields Strapi manages; never exported as data.
const SYSTEM_FIELDS: &[&str] = &[
    "id",
    "documentId",
    "createdAt",
    "updatedAt",
    "publishedAt",
    "locale",
    "localizations",
    "createdBy",
    "updatedBy",
];

impl Record {
    /// The record of one entry as the client returns it (flat: Strapi 4 bodies are already
    /// normalised), read with `populate=*`. `ct` is the entry's schema; `status` is the
    /// version read on Strapi 5 (Strapi 4 has one version per entry: its `publishedAt` says).
    ///
    /// This is the v4 → v5 shape conversion: a Strapi 4 entry becomes a document named by
    /// its localization group, and its relations point at entry ids that the import
    /// resolves.
    pub fn from_entry(
        entry: &Value,
        ct: &ContentType,
        version: ApiVersion,
        status: RecordStatus,
    ) -> Result<Record> {
        let obj = entry.as_object().ok_or_else(|| {
            Error::InvalidInput(format!("an entry of {} is not an object", ct.uid))
        })?;
        let id = obj.get("id").and_then(Value::as_u64).ok_or_else(|| {
            Error::InvalidInput(format!("an entry of {} has no numeric id", ct.uid))
        })?;
        let (doc, status) = match version {
            ApiVersion::V5 => {
                let doc = obj
                    .get("documentId")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Error::InvalidInput(format!("an entry of {} has no documentId", ct.uid))
                    })?;
                (doc.to_owned(), status)
            }
            ApiVersion::V4 => {
                let group = obj
                    .get("localizations")
                    .and_then(Value::as_array)
                    .map(|l| l.iter().filter_map(|e| e.get("id")?.as_u64()).min())
                    .unwrap_or(None)
                    .map_or(id, |m| m.min(id));
                let draft =
                    ct.draft_and_publish && obj.get("publishedAt").is_none_or(Value::is_null);
                let status = if draft {
                    RecordStatus::Draft
                } else {
                    RecordStatus::Published
                };
                (format!("v4-{group}"), status)
            }
        };
        let locale = obj
            .get("locale")
            .and_then(Value::as_str)
            .filter(|_| ct.localized)
            .map(str::to_owned);
        let mut rec = Record {
            doc,
            id,
            locale,
            status,
            data: Map::new(),
            media: BTreeMap::new(),
            rels: BTreeMap::new(),
        };
        for (name, attr) in &ct.attributes {
            if SYSTEM_FIELDS.contains(&name.as_str()) {
                continue;
            }
            let Some(value) = obj.get(name) else {
                continue; // private, password, or not populated
            };
            match attr.kind {
                AttributeType::Relation => {
                    let refs = list(value)
                        .filter_map(|t| {
                            let locale = t.get("locale").and_then(Value::as_str).map(str::to_owned);
                            match version {
                                ApiVersion::V5 => Some(RelRef {
                                    doc: Some(t.get("documentId")?.as_str()?.to_owned()),
                                    id: None,
                                    locale,
                                }),
                                ApiVersion::V4 => Some(RelRef {
                                    doc: None,
                                    id: Some(t.get("id")?.as_u64()?),
                                    locale,
                                }),
                            }
                        })
                        .collect();
                    rec.rels.insert(name.clone(), refs);
                }
                AttributeType::Media => {
                    let ids = list(value).filter_map(|f| f.get("id")?.as_u64()).collect();
                    rec.media.insert(name.clone(), ids);
                }
                AttributeType::Component | AttributeType::DynamicZone => {
                    let mut v = value.clone();
                    strip_component_ids(&mut v);
                    rec.data.insert(name.clone(), v);
                }
                AttributeType::Password => {}
                _ => {
                    rec.data.insert(name.clone(), value.clone());
                }
            }
        }
        Ok(rec)
    }

    /// A hash of the content (data, media, relations): equal for a draft and a published
    /// version that do not differ. Relations are compared by document, so a draft that
    /// points at the draft of the same target as the published version does is equal.
    pub fn content_hash(&self) -> String {
        let body = json!({"data": self.data, "media": self.media, "rels": self.rels});
        Checksum::of(body.to_string().as_bytes())
    }

    /// The key of this record's document and locale in an import's state
    /// (`<uid>|<doc>|<locale>`).
    pub fn key(&self, uid: &str) -> String {
        format!(
            "{uid}|{}|{}",
            self.doc,
            self.locale.as_deref().unwrap_or("")
        )
    }
}

fn list(value: &Value) -> impl Iterator<Item = &Value> {
    let items: Vec<&Value> = match value {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    };
    items.into_iter()
}

/// Removes the `id` of every component (and dynamic zone item) at every depth: the target
/// makes its own, and a draft and its published version have different ones.
fn strip_component_ids(v: &mut Value) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(strip_component_ids),
        Value::Object(map) => {
            map.remove("id");
            map.remove("documentId");
            map.values_mut().for_each(strip_component_ids);
        }
        _ => {}
    }
}

/// One line of `media.jsonl`: a file's metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MediaRecord {
    /// The source's file id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its content hash as Strapi named it (`hero_a1b2c3`).
    pub hash: String,
    /// Its extension (`.png`).
    pub ext: String,
    /// Its MIME type.
    pub mime: String,
    /// Its size in KB, as Strapi gives it.
    pub size: f64,
    /// Its URL on the source.
    pub url: String,
    /// Alternative text.
    #[serde(default)]
    pub alternative_text: Option<String>,
    /// Caption.
    #[serde(default)]
    pub caption: Option<String>,
    /// The folder path (`/gallery/2026`), when exported with admin credentials.
    #[serde(default)]
    pub folder_path: Option<String>,
}

impl MediaRecord {
    /// The file's name under `files/`: its hash and extension (both checked, so that a
    /// hostile export cannot name a path outside the directory).
    pub fn file_name(&self) -> Result<String> {
        let safe = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        if self.hash.is_empty()
            || !safe(&self.hash)
            || !safe(&self.ext)
            || self.hash.starts_with('.')
        {
            return Err(Error::InvalidInput(format!(
                "media {} has a hash or extension that is not a plain file name",
                self.id
            )));
        }
        Ok(format!("{}{}", self.hash, self.ext))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> ContentType {
        ContentType::from_json(&json!({"uid": "api::book.book", "kind": "collectionType",
        "singularName": "book", "pluralName": "books", "draftAndPublish": true,
        "pluginOptions": {"i18n": {"localized": true}},
        "attributes": {
            "title": {"type": "string"},
            "note": {"type": "component", "component": "t.note"},
            "body": {"type": "dynamiczone", "components": ["t.note"]},
            "cover": {"type": "media"},
            "images": {"type": "media", "multiple": true},
            "sequel": {"type": "relation", "relation": "oneToOne", "target": "api::book.book"},
            "secret": {"type": "password"}
        }}))
        .unwrap()
    }

    #[test]
    fn v4_entry_becomes_a_v5_document_record() {
        let e = json!({"id": 7, "title": "T", "locale": "fr", "publishedAt": null,
            "note": {"id": 3, "text": "n"}, "body": [{"id": 4, "__component": "t.note"}],
            "cover": {"id": 9, "url": "/u"}, "images": [{"id": 10}, {"id": 11}],
            "sequel": {"id": 2, "locale": "en"}, "localizations": [{"id": 5}, {"id": 8}],
            "createdAt": "x"});
        let r = Record::from_entry(&e, &book(), ApiVersion::V4, RecordStatus::Published).unwrap();
        assert_eq!(r.doc, "v4-5");
        assert_eq!(r.status, RecordStatus::Draft);
        assert_eq!(r.locale.as_deref(), Some("fr"));
        assert_eq!(
            r.data,
            json!({"title": "T", "note": {"text": "n"},
            "body": [{"__component": "t.note"}]})
            .as_object()
            .unwrap()
            .clone()
        );
        assert_eq!(r.media["cover"], vec![9]);
        assert_eq!(r.media["images"], vec![10, 11]);
        assert_eq!(
            r.rels["sequel"],
            vec![RelRef {
                doc: None,
                id: Some(2),
                locale: Some("en".into())
            }]
        );
        assert_eq!(r.key("api::book.book"), "api::book.book|v4-5|fr");
        let line = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Record>(&line).unwrap(), r);
    }

    #[test]
    fn v5_draft_and_published_compare_equal_when_unmodified() {
        let p = json!({"id": 4, "documentId": "d", "title": "T", "locale": "en",
            "note": {"id": 3, "text": "n"}, "sequel": {"id": 4, "documentId": "d"}});
        let d = json!({"id": 1, "documentId": "d", "title": "T", "locale": "en",
            "note": {"id": 1, "text": "n"}, "sequel": {"id": 1, "documentId": "d"}});
        let ct = book();
        let p = Record::from_entry(&p, &ct, ApiVersion::V5, RecordStatus::Published).unwrap();
        let d = Record::from_entry(&d, &ct, ApiVersion::V5, RecordStatus::Draft).unwrap();
        assert_eq!(p.content_hash(), d.content_hash());
        assert_eq!(p.doc, "d");
        let mut changed = d.clone();
        changed.data.insert("title".into(), json!("U"));
        assert_ne!(p.content_hash(), changed.content_hash());
        assert!(
            Record::from_entry(&json!({"id": 1}), &ct, ApiVersion::V5, RecordStatus::Draft)
                .is_err()
        );
        assert!(Record::from_entry(&json!([1]), &ct, ApiVersion::V4, RecordStatus::Draft).is_err());
    }

    #[test]
    fn checksums_and_names() {
        assert_eq!(Checksum::of(b""), "cbf29ce484222325");
        assert_eq!(Checksum::of(b"a"), "af63dc4c8601ec8c");
        assert_eq!(
            entries_path("api::book.book", true),
            "entries/api__book.book.draft.jsonl"
        );
        let mut m = MediaRecord {
            id: 1,
            name: "n".into(),
            hash: "h_1".into(),
            ext: ".png".into(),
            mime: "image/png".into(),
            size: 1.0,
            url: "/u".into(),
            alternative_text: None,
            caption: None,
            folder_path: None,
        };
        assert_eq!(m.file_name().unwrap(), "h_1.png");
        m.hash = "../x".into();
        assert!(m.file_name().is_err());
        m.hash = "..".into();
        assert!(m.file_name().is_err());
    }

    #[test]
    fn schema_snapshot_round_trips() {
        let ct = book();
        let back = ContentType::from_json(&content_type_json(&ct)).unwrap();
        assert_eq!(back, ct);
    }
}
