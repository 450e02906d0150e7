//! The admin half of the media library, without I/O: folders (their paths by name, the
//! tree), and the image-processing settings.
//!
//! Strapi keeps folders in its *admin* upload API (`/upload/folders`, `/upload/settings`,
//! `/upload/actions/bulk-move`), which refuses API tokens: the client needs admin
//! credentials for it (see [`StrapiConfigBuilder::admin_token`] and
//! [`StrapiConfigBuilder::admin_login`]).
//!
//! Strapi's own `path` of a folder is made of internal numbers (`/1/4`); the client adds
//! the path by names (`/gallery/2026`) that people use, and finds folders by it.
//!
//! [`StrapiConfigBuilder::admin_token`]: crate::StrapiConfigBuilder::admin_token
//! [`StrapiConfigBuilder::admin_login`]: crate::StrapiConfigBuilder::admin_login

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A folder of the media library.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Folder {
    /// The folder's id (what uploads and moves take).
    pub id: u64,
    /// Its name (no `/`, no spaces at either end; unique among its siblings).
    pub name: String,
    /// Its path by names from the root, e.g. `/gallery/2026`.
    pub path: String,
    /// The parent folder's id (`None` at the root).
    pub parent: Option<u64>,
    /// Strapi's internal path of ids (`/1/4`), as in [`MediaFile::folder_path`].
    ///
    /// [`MediaFile::folder_path`]: crate::MediaFile::folder_path
    pub id_path: String,
    /// Files directly in the folder, when the server counted them.
    pub files: Option<u64>,
    /// Folders directly in it, when the server counted them.
    pub children: Option<u64>,
    /// Creation time (ISO 8601).
    pub created_at: Option<String>,
    /// Last change (ISO 8601).
    pub updated_at: Option<String>,
}

impl Folder {
    /// Whether the folder holds neither files nor folders (`false` when not counted).
    pub fn is_empty(&self) -> bool {
        self.files == Some(0) && self.children == Some(0)
    }
}

/// A folder with the folders inside it, from [`folder_tree`](crate::AsyncClient::folder_tree).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FolderNode {
    /// The folder.
    pub folder: Folder,
    /// Its subfolders, by name.
    pub children: Vec<FolderNode>,
}

impl FolderNode {
    /// This node and everything below it, depth first.
    pub fn walk(&self) -> Vec<&Folder> {
        let mut out = vec![&self.folder];
        for c in &self.children {
            out.extend(c.walk());
        }
        out
    }
}

/// The media library's image processing (`/upload/settings`): what Strapi does to an
/// uploaded image.
///
/// ```
/// use strapi_kit::UploadSettings;
/// let s: UploadSettings = serde_json::from_value(serde_json::json!({
///     "sizeOptimization": true, "responsiveDimensions": false, "autoOrientation": true
/// })).unwrap();
/// assert!(!s.responsive_dimensions);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UploadSettings {
    /// Re-encode images to make them smaller ("size optimization").
    pub size_optimization: bool,
    /// Make the responsive formats (`large`, `medium`, `small`) of each image. The
    /// `thumbnail` format is made either way.
    pub responsive_dimensions: bool,
    /// Turn images upright from their EXIF orientation.
    #[serde(default)]
    pub auto_orientation: bool,
    /// Other settings of the server's version (kept as they are when written back).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

impl UploadSettings {
    /// Sets `size_optimization`.
    pub fn size_optimization(mut self, on: bool) -> Self {
        self.size_optimization = on;
        self
    }
    /// Sets `responsive_dimensions`.
    pub fn responsive_dimensions(mut self, on: bool) -> Self {
        self.responsive_dimensions = on;
        self
    }
    /// Sets `auto_orientation`.
    pub fn auto_orientation(mut self, on: bool) -> Self {
        self.auto_orientation = on;
        self
    }

    /// The body Strapi accepts: the known keys, and from the rest only what it stores (it
    /// echoes read-only values such as `concurrentUploadRequests` that it refuses back).
    pub(crate) fn to_body(&self) -> Value {
        let mut body = Map::new();
        body.insert("sizeOptimization".into(), self.size_optimization.into());
        body.insert(
            "responsiveDimensions".into(),
            self.responsive_dimensions.into(),
        );
        body.insert("autoOrientation".into(), self.auto_orientation.into());
        if let Some(ai) = self.other.get("aiMetadata") {
            body.insert("aiMetadata".into(), ai.clone());
        }
        Value::Object(body)
    }
}

/// A folder as the admin API sends it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RawFolder {
    id: u64,
    name: String,
    #[serde(default)]
    path_id: Option<u64>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    children: Option<Value>,
    #[serde(default)]
    files: Option<Value>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
}

/// `{"count": n}` (or a list, when populated) → n.
fn count(v: &Option<Value>) -> Option<u64> {
    match v {
        Some(Value::Object(o)) => o.get("count").and_then(Value::as_u64),
        Some(Value::Array(a)) => Some(a.len() as u64),
        _ => None,
    }
}

/// Turns the admin API's flat folder list into [`Folder`]s with parents and name paths,
/// sorted by path. Strapi's `path` is the chain of `pathId`s, so the parent of `/1/4` is
/// the folder whose `pathId` is 1.
pub(crate) fn assemble(raw: Vec<RawFolder>) -> Vec<Folder> {
    let by_path_id: HashMap<u64, usize> = raw
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.path_id.map(|p| (p, i)))
        .collect();
    let chain = |f: &RawFolder| -> Vec<u64> {
        f.path
            .as_deref()
            .unwrap_or("")
            .split('/')
            .filter_map(|s| s.parse::<u64>().ok())
            .collect()
    };
    let mut out: Vec<Folder> = raw
        .iter()
        .map(|f| {
            let ids = chain(f);
            // Every ancestor's name, then this one's; an unknown ancestor (not visible to
            // these credentials) shows as its number rather than vanishing.
            let mut names: Vec<String> = ids[..ids.len().saturating_sub(1)]
                .iter()
                .map(|p| match by_path_id.get(p) {
                    Some(&i) => raw[i].name.clone(),
                    None => p.to_string(),
                })
                .collect();
            names.push(f.name.clone());
            let parent = ids
                .len()
                .checked_sub(2)
                .and_then(|i| by_path_id.get(&ids[i]))
                .map(|&i| raw[i].id);
            Folder {
                id: f.id,
                name: f.name.clone(),
                path: format!("/{}", names.join("/")),
                parent,
                id_path: f.path.clone().unwrap_or_default(),
                files: count(&f.files),
                children: count(&f.children),
                created_at: f.created_at.clone(),
                updated_at: f.updated_at.clone(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The folders as a tree (roots first, children by name).
pub(crate) fn tree(folders: &[Folder]) -> Vec<FolderNode> {
    fn build(parent: Option<u64>, folders: &[Folder], depth: usize) -> Vec<FolderNode> {
        // Strapi refuses cycles; the depth bound keeps a broken answer from recursing
        // without end.
        if depth > 256 {
            return Vec::new();
        }
        let mut nodes: Vec<FolderNode> = folders
            .iter()
            .filter(|f| f.parent == parent)
            .map(|f| FolderNode {
                folder: f.clone(),
                children: build(Some(f.id), folders, depth + 1),
            })
            .collect();
        nodes.sort_by(|a, b| a.folder.name.cmp(&b.folder.name));
        nodes
    }
    build(None, folders, 0)
}

/// The names of a folder path: `"/gallery/2026"` → `["gallery", "2026"]`; `"/"` → `[]`.
///
/// Fails with [`Error::InvalidInput`] for a path that is not absolute or has a segment
/// Strapi cannot hold (empty, `.`, `..`, spaces at either end, control characters).
pub(crate) fn split_path(path: &str) -> Result<Vec<&str>> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(Error::InvalidInput(format!(
            "folder path {path:?} must start with `/` (e.g. \"/gallery/2026\")"
        )));
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() {
        return Ok(Vec::new());
    }
    rest.split('/')
        .map(|seg| {
            check_name(seg)
                .map(|()| seg)
                .map_err(|why| Error::InvalidInput(format!("folder path {path:?}: {why}")))
        })
        .collect()
}

/// Whether Strapi accepts `name` as a folder name; the reason when not.
pub(crate) fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.is_empty() {
        Err("a folder name cannot be empty".into())
    } else if name == "." || name == ".." {
        Err(format!("{name:?} is not a folder name"))
    } else if name.contains('/') {
        Err(format!("folder name {name:?} cannot contain `/`"))
    } else if name.trim() != name {
        Err(format!(
            "folder name {name:?} cannot start or end with white space"
        ))
    } else if name.chars().any(char::is_control) {
        Err(format!(
            "folder name {:?} cannot contain control characters",
            name.escape_debug().to_string()
        ))
    } else {
        Ok(())
    }
}

/// The folder at `names` below the root, if any.
pub(crate) fn find<'a>(folders: &'a [Folder], names: &[&str]) -> Option<&'a Folder> {
    let mut parent = None;
    let mut found = None;
    for name in names {
        let f = folders
            .iter()
            .find(|f| f.parent == parent && f.name == *name)?;
        parent = Some(f.id);
        found = Some(f);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(v: Value) -> Vec<RawFolder> {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn assemble_names_paths_and_parents() {
        let folders = assemble(raw(json!([
            {"id": 10, "name": "2026", "pathId": 2, "path": "/1/2", "files": {"count": 3}, "children": {"count": 0}},
            {"id": 7, "name": "gallery", "pathId": 1, "path": "/1", "files": {"count": 0}, "children": {"count": 1}},
            {"id": 11, "name": "API Uploads", "pathId": 3, "path": "/3"}
        ])));
        let paths: Vec<&str> = folders.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["/API Uploads", "/gallery", "/gallery/2026"]);
        let y = folders.iter().find(|f| f.id == 10).unwrap();
        assert_eq!(y.parent, Some(7));
        assert_eq!(y.files, Some(3));
        assert_eq!(y.id_path, "/1/2");
        assert!(!folders[1].is_empty());
        assert_eq!(find(&folders, &["gallery", "2026"]).map(|f| f.id), Some(10));
        assert!(find(&folders, &["2026"]).is_none());
        let t = tree(&folders);
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].children[0].folder.id, 10);
        assert_eq!(t[1].walk().len(), 2);
    }

    #[test]
    fn paths_are_checked() {
        assert_eq!(split_path("/").unwrap(), Vec::<&str>::new());
        assert_eq!(split_path("/a/b/").unwrap(), ["a", "b"]);
        for bad in ["a/b", "/a//b", "/a/../b", "/ a", "/a\nb", ""] {
            assert!(
                matches!(split_path(bad), Err(Error::InvalidInput(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn settings_body_keeps_only_what_strapi_stores() {
        let s: UploadSettings = serde_json::from_value(json!({
            "sizeOptimization": true, "responsiveDimensions": true, "autoOrientation": false,
            "aiMetadata": false, "concurrentUploadRequests": 3
        }))
        .unwrap();
        let body = s.responsive_dimensions(false).to_body();
        assert_eq!(
            body,
            json!({"sizeOptimization": true, "responsiveDimensions": false,
                   "autoOrientation": false, "aiMetadata": false})
        );
    }
}
