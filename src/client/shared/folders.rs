//! The admin half of the media library: folders, moving files, image settings. Every call
//! here goes to Strapi's admin upload API with the admin credentials (see
//! `crate::folders` for the models and path rules).

use reqwest::Method;
use serde_json::{Value, json};

use super::Client;
use super::content::FCall;
use super::flavour::maybe;
use crate::client::common::from_value;
use crate::error::{Error, Result, UnexpectedReason};
use crate::folders::{self, Folder, FolderNode, RawFolder, UploadSettings};
use crate::models::MediaFile;

/// The `data` member of an admin answer.
fn data(status: u16, body: &[u8], value: Value) -> Result<Value> {
    match value {
        Value::Object(mut o) if o.contains_key("data") => Ok(o.remove("data").unwrap_or_default()),
        _ => Err(Error::unexpected(status, UnexpectedReason::NoData, body)),
    }
}

/// # Media folders and upload settings (admin credentials)
#[maybe]
impl Client {
    /// Sends an admin API call and returns its `data`.
    async fn admin_call(
        &self,
        operation: &str,
        method: Method,
        segments: &[&str],
        query: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value> {
        self.require_admin(operation)?;
        let mut call = FCall::new(method, self.core.admin_url(segments, query)).admin();
        if let Some(b) = body {
            call = call.json(&b)?;
        }
        let got = self.fetch(&call).await?;
        let value = self.core.parse_body(got.status, &got.body)?;
        data(got.status, &got.body, value)
    }

    /// Every folder of the media library, with its path by names, parent and counts
    /// (`GET /upload/folders`, admin API), sorted by path.
    ///
    /// Needs admin credentials ([`Error::AdminRequired`] otherwise, before sending).
    #[doc = example!(
        sync: r#"
for f in client.list_folders()? {
    println!("{} {}", f.id, f.path);
}
"#,
        async: r#"
for f in client.list_folders().await? {
    println!("{} {}", f.id, f.path);
}
"#,
    )]
    pub async fn list_folders(&self) -> Result<Vec<Folder>> {
        let raw = self
            .admin_call(
                "listing folders",
                Method::GET,
                &["upload", "folders"],
                None,
                None,
            )
            .await?;
        let raw: Vec<RawFolder> = from_value(raw)?;
        Ok(folders::assemble(raw))
    }

    /// The folders as a tree: root folders, each with its subfolders, by name.
    #[doc = example!(
        sync: r#"
let roots = client.folder_tree()?;
println!("{} top-level folders", roots.len());
"#,
        async: r#"
let roots = client.folder_tree().await?;
println!("{} top-level folders", roots.len());
"#,
    )]
    pub async fn folder_tree(&self) -> Result<Vec<FolderNode>> {
        Ok(folders::tree(&self.list_folders().await?))
    }

    /// The folder with this id; [`Error::NotFound`] when there is none.
    #[doc = example!(
        sync: r#"
let folder = client.get_folder(7)?;
println!("{}", folder.path);
"#,
        async: r#"
let folder = client.get_folder(7).await?;
println!("{}", folder.path);
"#,
    )]
    pub async fn get_folder(&self, id: u64) -> Result<Folder> {
        // The server's own answer gives the typed 404; the list gives the path by names.
        self.admin_call(
            "reading a folder",
            Method::GET,
            &["upload", "folders", &id.to_string()],
            None,
            None,
        )
        .await?;
        self.list_folders()
            .await?
            .into_iter()
            .find(|f| f.id == id)
            .ok_or_else(|| {
                Error::unexpected(
                    200,
                    UnexpectedReason::Shape("the folder is not listed"),
                    b"",
                )
            })
    }

    /// The folder at a path of names (`"/gallery/2026"`), or `None`.
    #[doc = example!(
        sync: r#"
if let Some(f) = client.folder_by_path("/gallery/2026")? {
    println!("{} is folder {}", f.path, f.id);
}
"#,
        async: r#"
if let Some(f) = client.folder_by_path("/gallery/2026").await? {
    println!("{} is folder {}", f.path, f.id);
}
"#,
    )]
    pub async fn folder_by_path(&self, path: &str) -> Result<Option<Folder>> {
        let names = folders::split_path(path)?;
        self.require_admin("finding a folder")?;
        if names.is_empty() {
            return Ok(None);
        }
        let all = self.list_folders().await?;
        Ok(folders::find(&all, &names).cloned())
    }

    /// Creates a folder named `name` under `parent` (`None`: at the root). Strapi refuses
    /// a name its siblings already use ([`Error::Validation`]).
    #[doc = example!(
        sync: r#"
let gallery = client.create_folder("gallery", None)?;
let year = client.create_folder("2026", Some(gallery.id))?;
"#,
        async: r#"
let gallery = client.create_folder("gallery", None).await?;
let year = client.create_folder("2026", Some(gallery.id)).await?;
"#,
    )]
    pub async fn create_folder(&self, name: &str, parent: Option<u64>) -> Result<Folder> {
        folders::check_name(name).map_err(Error::InvalidInput)?;
        let created = self
            .admin_call(
                "creating a folder",
                Method::POST,
                &["upload", "folders"],
                None,
                Some(json!({"name": name, "parent": parent})),
            )
            .await?;
        let id = created.get("id").and_then(Value::as_u64).ok_or_else(|| {
            Error::unexpected(201, UnexpectedReason::Shape("no id in the new folder"), b"")
        })?;
        self.get_folder(id).await
    }

    /// The folder at `path`, created with every missing folder above it (like
    /// `mkdir -p`). A folder that another client creates at the same moment is used, not
    /// doubled.
    #[doc = example!(
        sync: r#"
let folder = client.create_folder_all("/gallery/2026")?;
assert_eq!(folder.path, "/gallery/2026");
"#,
        async: r#"
let folder = client.create_folder_all("/gallery/2026").await?;
assert_eq!(folder.path, "/gallery/2026");
"#,
    )]
    pub async fn create_folder_all(&self, path: &str) -> Result<Folder> {
        let names = folders::split_path(path)?;
        self.require_admin("creating folders")?;
        if names.is_empty() {
            return Err(Error::InvalidInput(
                "the root is not a folder: give a path such as \"/gallery\"".into(),
            ));
        }
        let mut all = self.list_folders().await?;
        let mut parent: Option<u64> = None;
        let mut current: Option<Folder> = None;
        for (depth, name) in names.iter().enumerate() {
            if let Some(f) = folders::find(&all, &names[..=depth]) {
                parent = Some(f.id);
                current = Some(f.clone());
                continue;
            }
            let made = match self.create_folder(name, parent).await {
                Ok(f) => f,
                // Someone else made it in the meantime: take theirs.
                Err(e) if e.is_validation() => {
                    all = self.list_folders().await?;
                    match folders::find(&all, &names[..=depth]) {
                        Some(f) => f.clone(),
                        None => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            };
            parent = Some(made.id);
            all.push(made.clone());
            current = Some(made);
        }
        current.ok_or_else(|| Error::InvalidInput("empty folder path".into()))
    }

    /// Renames a folder (its files and subfolders stay in it).
    #[doc = example!(
        sync: r#"
let folder = client.rename_folder(7, "photos")?;
"#,
        async: r#"
let folder = client.rename_folder(7, "photos").await?;
"#,
    )]
    pub async fn rename_folder(&self, id: u64, name: &str) -> Result<Folder> {
        folders::check_name(name).map_err(Error::InvalidInput)?;
        self.admin_call(
            "renaming a folder",
            Method::PUT,
            &["upload", "folders", &id.to_string()],
            None,
            Some(json!({"name": name})),
        )
        .await?;
        self.get_folder(id).await
    }

    /// Moves a folder, with everything in it, under `parent` (`None`: to the root).
    /// Strapi refuses to move a folder into itself or below itself.
    #[doc = example!(
        sync: r#"
// Move folder 7 to the root.
client.move_folder(7, None)?;
"#,
        async: r#"
// Move folder 7 to the root.
client.move_folder(7, None).await?;
"#,
    )]
    pub async fn move_folder(&self, id: u64, parent: Option<u64>) -> Result<Folder> {
        self.admin_call(
            "moving a folder",
            Method::PUT,
            &["upload", "folders", &id.to_string()],
            None,
            Some(json!({"parent": parent})),
        )
        .await?;
        self.get_folder(id).await
    }

    /// Deletes a folder. A folder that holds files or folders is deleted only with
    /// `recursive` (then with all its files and subfolders, as Strapi does); otherwise it
    /// stays and the call fails with [`Error::InvalidInput`] saying what it holds.
    #[doc = example!(
        sync: r#"
// Refuses a non-empty folder unless `recursive` is true.
client.delete_folder(7, false)?;
"#,
        async: r#"
// Refuses a non-empty folder unless `recursive` is true.
client.delete_folder(7, false).await?;
"#,
    )]
    pub async fn delete_folder(&self, id: u64, recursive: bool) -> Result<()> {
        self.require_admin("deleting a folder")?;
        if !recursive {
            let f = self.get_folder(id).await?;
            if !f.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "folder {} holds {} file(s) and {} folder(s): delete it with recursive = true, \
                     or empty it first",
                    f.path,
                    f.files.unwrap_or(0),
                    f.children.unwrap_or(0)
                )));
            }
        }
        self.admin_call(
            "deleting a folder",
            Method::POST,
            &["upload", "actions", "bulk-delete"],
            None,
            Some(json!({"folderIds": [id], "fileIds": []})),
        )
        .await?;
        Ok(())
    }

    /// Moves files into a folder (`None`: to the root), in one request.
    #[doc = example!(
        sync: r#"
client.move_media(&[42, 43], Some(7))?;
"#,
        async: r#"
client.move_media(&[42, 43], Some(7)).await?;
"#,
    )]
    pub async fn move_media(&self, file_ids: &[u64], folder: Option<u64>) -> Result<()> {
        if file_ids.is_empty() {
            return Ok(());
        }
        self.admin_call(
            "moving files",
            Method::POST,
            &["upload", "actions", "bulk-move"],
            None,
            Some(json!({"destinationFolderId": folder, "fileIds": file_ids, "folderIds": []})),
        )
        .await?;
        Ok(())
    }

    /// Every file directly in a folder (`None`: at the root of the library), oldest
    /// first, read page by page from the admin API.
    #[doc = example!(
        sync: r#"
let files = client.folder_media(Some(7))?;
let at_root = client.folder_media(None)?;
"#,
        async: r#"
let files = client.folder_media(Some(7)).await?;
let at_root = client.folder_media(None).await?;
"#,
    )]
    pub async fn folder_media(&self, folder: Option<u64>) -> Result<Vec<MediaFile>> {
        self.require_admin("listing a folder's files")?;
        let filter = match folder {
            Some(id) => format!("filters[$and][0][folder][id][$eq]={id}"),
            None => "filters[$and][0][folder][id][$null]=true".to_owned(),
        };
        let mut out = Vec::new();
        for page in 1u64.. {
            let qs = format!("{filter}&sort[0]=id:asc&page={page}&pageSize=100");
            let call = FCall::new(
                Method::GET,
                self.core.admin_url(&["upload", "files"], Some(&qs)),
            )
            .admin();
            let got = self.fetch(&call).await?;
            let mut value = self.core.parse_body(got.status, &got.body)?;
            let results = value.get_mut("results").map(Value::take);
            let Some(Value::Array(files)) = results else {
                return Err(Error::unexpected(
                    got.status,
                    UnexpectedReason::Shape("no `results` list in the admin file list"),
                    &got.body,
                ));
            };
            let got_page = files.len();
            for f in files {
                out.push(from_value::<MediaFile>(f)?);
            }
            let page_count = value
                .pointer("/pagination/pageCount")
                .and_then(Value::as_u64)
                .unwrap_or(page);
            if got_page == 0 || page >= page_count {
                break;
            }
        }
        Ok(out)
    }

    /// The media library's image processing settings (`GET /upload/settings`).
    #[doc = example!(
        sync: r#"
let settings = client.upload_settings()?;
"#,
        async: r#"
let settings = client.upload_settings().await?;
"#,
    )]
    pub async fn upload_settings(&self) -> Result<UploadSettings> {
        let v = self
            .admin_call(
                "reading the upload settings",
                Method::GET,
                &["upload", "settings"],
                None,
                None,
            )
            .await?;
        from_value(v)
    }

    /// Changes the image processing settings and returns them as stored.
    #[doc = example!(
        sync: r#"
let settings = client.upload_settings()?.responsive_dimensions(false);
client.set_upload_settings(&settings)?;
"#,
        async: r#"
let settings = client.upload_settings().await?.responsive_dimensions(false);
client.set_upload_settings(&settings).await?;
"#,
    )]
    pub async fn set_upload_settings(&self, settings: &UploadSettings) -> Result<UploadSettings> {
        self.admin_call(
            "changing the upload settings",
            Method::PUT,
            &["upload", "settings"],
            None,
            Some(settings.to_body()),
        )
        .await?;
        self.upload_settings().await
    }
}
