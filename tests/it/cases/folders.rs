//! The admin half of the media library on the real servers: folders (create by path, find,
//! tree, rename, move, delete), files moved between folders, image-processing settings.

use super::*;

/// A client with the API token and the test server's admin login.
pub(crate) fn admin() -> Client {
    Client::new(
        StrapiConfig::builder(&server().url)
            .api_token(&server().full_token)
            .admin_login(&server().admin_email, &server().admin_password)
            .retry(strapi_kit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[maybe]
#[the_test]
async fn folders_by_path_tree_rename_move_and_delete() {
    let c = admin();
    let root = format!("/{}", unique("itest-folders"));
    let year = c
        .create_folder_all(&format!("{root}/gallery/2026"))
        .await
        .unwrap();
    assert_eq!(year.path, format!("{root}/gallery/2026"));
    assert_eq!(year.name, "2026");
    // Idempotent: the same path again is the same folder.
    let again = c
        .create_folder_all(&format!("{root}/gallery/2026/"))
        .await
        .unwrap();
    assert_eq!(again.id, year.id);

    let found = c
        .folder_by_path(&format!("{root}/gallery/2026"))
        .await
        .unwrap()
        .expect("found by path");
    assert_eq!(found.id, year.id);
    let missing = c.folder_by_path(&format!("{root}/nope")).await.unwrap();
    assert!(missing.is_none());

    let gallery = c
        .folder_by_path(&format!("{root}/gallery"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(year.parent, Some(gallery.id));
    let tree = c.folder_tree().await.unwrap();
    let top = tree
        .iter()
        .find(|n| n.folder.path == root)
        .expect("the root folder in the tree");
    let paths: Vec<&str> = top.walk().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            root.clone(),
            format!("{root}/gallery"),
            format!("{root}/gallery/2026")
        ]
    );

    let renamed = c.rename_folder(year.id, "2027").await.unwrap();
    assert_eq!(renamed.path, format!("{root}/gallery/2027"));
    let top_id = c.folder_by_path(&root).await.unwrap().unwrap().id;
    let moved = c.move_folder(year.id, Some(top_id)).await.unwrap();
    assert_eq!(moved.path, format!("{root}/2027"));
    assert_eq!(moved.parent, Some(top_id));

    // A folder that holds something stays unless asked.
    let err = c.delete_folder(top_id, false).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let kept = c.folder_by_path(&root).await.unwrap();
    assert!(kept.is_some());
    c.delete_folder(moved.id, false).await.unwrap();
    c.delete_folder(top_id, true).await.unwrap();
    let gone = c.folder_by_path(&root).await.unwrap();
    assert!(gone.is_none());
    let err = c.get_folder(top_id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[maybe]
#[the_test]
async fn folder_names_strapi_cannot_hold_are_refused_before_sending() {
    let c = admin();
    for bad in ["a/b", " lead", "trail ", "", ".."] {
        let err = c.create_folder(bad, None).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    let err = c.create_folder_all("relative/path").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

#[maybe]
#[the_test]
async fn files_move_between_folders() {
    let c = admin();
    let folder = c
        .create_folder_all(&format!("/{}", unique("itest-move")))
        .await
        .unwrap();
    let a = c
        .upload_bytes(b"a".to_vec(), "a.txt", &UploadOptions::new())
        .await
        .unwrap();
    let b = c
        .upload_bytes(b"b".to_vec(), "b.txt", &UploadOptions::new())
        .await
        .unwrap();
    c.move_media(&[a.id, b.id], Some(folder.id)).await.unwrap();
    let inside = c.folder_media(Some(folder.id)).await.unwrap();
    let ids: Vec<u64> = inside.iter().map(|f| f.id).collect();
    assert_eq!(ids, [a.id, b.id]);
    // The admin list shows where each file is (the content API hides the folder).
    assert_eq!(
        inside[0].folder_path.as_deref(),
        Some(folder.id_path.as_str())
    );
    let counted = c.get_folder(folder.id).await.unwrap();
    assert_eq!(counted.files, Some(2));

    c.move_media(&[b.id], None).await.unwrap();
    let inside = c.folder_media(Some(folder.id)).await.unwrap();
    assert_eq!(inside.len(), 1);
    c.delete_folder(folder.id, true).await.unwrap();
    let err = c.get_media(a.id).await.unwrap_err();
    assert!(err.is_not_found(), "deleted with its folder: {err:?}");
    c.delete_media(b.id).await.unwrap();
}

#[maybe]
#[the_test]
// Each test has a runtime (or thread) of its own: waiting for the lock blocks only it.
#[allow(clippy::await_holding_lock)]
async fn image_settings_round_trip_and_change_what_the_server_makes() {
    let _settings = upload_settings_lock();
    let c = admin();
    let before = c.upload_settings().await.unwrap();
    let dir = TempDir::new("settings");
    let path = dir.write("wide.png", &png(640, 400));

    let off = c
        .set_upload_settings(&before.clone().responsive_dimensions(false))
        .await
        .unwrap();
    assert!(!off.responsive_dimensions);
    let plain = c.upload_file(&path, &UploadOptions::new()).await.unwrap();
    let on = c
        .set_upload_settings(&before.clone().responsive_dimensions(true))
        .await
        .unwrap();
    assert!(on.responsive_dimensions);
    let responsive = c.upload_file(&path, &UploadOptions::new()).await.unwrap();
    c.set_upload_settings(&before).await.unwrap();
    let after = c.upload_settings().await.unwrap();
    assert_eq!(after.responsive_dimensions, before.responsive_dimensions);

    let keys = |f: &MediaFile| -> Vec<String> {
        let mut k: Vec<String> = f
            .formats
            .as_ref()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        k.sort();
        k
    };
    assert_eq!(keys(&plain), ["thumbnail"], "{plain:?}");
    assert!(
        keys(&responsive).contains(&"small".to_owned()),
        "{responsive:?}"
    );
    for f in [plain, responsive] {
        c.delete_media(f.id).await.unwrap();
    }
}

#[maybe]
#[the_test]
async fn admin_calls_without_admin_credentials_say_what_they_need() {
    let c = client();
    let err = c.list_folders().await.unwrap_err();
    assert!(err.is_admin_required(), "{err:?}");
    assert!(err.to_string().contains("admin_login"), "{err}");
    assert!(!err.may_have_applied());
}

#[maybe]
#[the_test]
async fn a_batch_lands_in_a_folder_made_on_the_fly() {
    let c = admin();
    let path = format!("/{}/gallery/2026", unique("itest-into"));
    let dir = TempDir::new("into-folder");
    let files: Vec<_> = (0..3)
        .map(|i| dir.write(&format!("g{i}.png"), &png(10 + i, 10)))
        .collect();
    let uploaded = c
        .upload_files(
            &files,
            &UploadOptions::new().folder_path(&path).caption("g"),
        )
        .await
        .unwrap();
    let folder = c
        .folder_by_path(&path)
        .await
        .unwrap()
        .expect("made on the fly");
    let inside = c.folder_media(Some(folder.id)).await.unwrap();
    let mut want: Vec<u64> = uploaded.iter().map(|f| f.id).collect();
    let mut got: Vec<u64> = inside.iter().map(|f| f.id).collect();
    want.sort_unstable();
    got.sort_unstable();
    assert_eq!(got, want);
    assert!(inside.iter().all(|f| f.caption.as_deref() == Some("g")));

    // Bytes and a folder given by id, with an attachment: in the folder and attached.
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": unique("into-attach")}))
        .await
        .unwrap();
    let id = key(&created.data);
    let one = c
        .upload_bytes(
            png(12, 12),
            "cover.png",
            &UploadOptions::new().folder(folder.id).attach(
                "api::article.article",
                id.as_str(),
                "cover",
            ),
        )
        .await
        .unwrap();
    let inside = c.folder_media(Some(folder.id)).await.unwrap();
    assert!(inside.iter().any(|f| f.id == one.id), "{inside:?}");
    let q = StrapiQuery::new()
        .populate(["cover"])
        .status(DocumentStatus::Draft);
    let entry: EntryResponse<Value> = c.get_one("articles", id.as_str(), &q).await.unwrap();
    assert_eq!(entry.data["cover"]["id"].as_u64(), Some(one.id));

    let top = path.split('/').nth(1).unwrap_or_default().to_owned();
    let top = c.folder_by_path(&format!("/{top}")).await.unwrap().unwrap();
    c.delete_folder(top.id, true).await.unwrap();
}

#[maybe]
#[the_test]
async fn a_folder_without_admin_credentials_is_refused_before_sending() {
    let c = client();
    let dir = TempDir::new("no-admin");
    let file = dir.write("x.png", &png(4, 4));
    for opts in [
        UploadOptions::new().folder(1),
        UploadOptions::new().folder_path("/gallery"),
    ] {
        let err = c.upload_file(&file, &opts).await.unwrap_err();
        assert!(err.is_admin_required(), "{err:?}");
        let err = c
            .upload_files(&[&file, &file, &file], &opts)
            .await
            .unwrap_err();
        assert!(err.is_admin_required(), "{err:?}");
    }
}

#[maybe]
#[the_test]
async fn update_media_moves_a_file_into_a_folder() {
    let c = admin();
    let folder = c
        .create_folder_all(&format!("/{}", unique("itest-update-move")))
        .await
        .unwrap();
    let up = c
        .upload_bytes(b"m".to_vec(), "m.txt", &UploadOptions::new())
        .await
        .unwrap();
    let changed = c
        .update_media(
            up.id,
            &MediaUpdate::new().caption("moved").folder(folder.id),
        )
        .await
        .unwrap();
    assert_eq!(changed.caption.as_deref(), Some("moved"));
    let inside = c.folder_media(Some(folder.id)).await.unwrap();
    assert_eq!(inside.iter().map(|f| f.id).collect::<Vec<_>>(), [up.id]);
    c.delete_folder(folder.id, true).await.unwrap();
}
