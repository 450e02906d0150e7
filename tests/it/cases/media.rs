//! The media library against a real server: upload with metadata, attach, batch, download,
//! list, get, update, delete, formats, limits, odd file names.

use super::*;

#[maybe]
async fn upload_png(c: &Client, dir: &TempDir, name: &str, w: u32, h: u32) -> MediaFile {
    let path = dir.write(name, &png(w, h));
    c.upload_file(&path, &UploadOptions::new())
        .await
        .expect("upload")
}

#[maybe]
#[the_test]
async fn upload_with_metadata_round_trips() {
    let c = client();
    let dir = TempDir::new("meta");
    let path = dir.write("local-name.png", &png(40, 30));
    let mut opts = UploadOptions::new()
        .alternative_text("Alt text")
        .caption("A caption")
        .name("stored-name.png");
    if let Some(folder) = server().folder_id {
        opts = opts.folder(folder);
    }
    let up = c.upload_file(&path, &opts).await.unwrap();
    assert_eq!(up.name, "stored-name.png");
    assert_eq!(up.alternative_text.as_deref(), Some("Alt text"));
    assert_eq!(up.caption.as_deref(), Some("A caption"));
    assert_eq!(up.mime, "image/png");
    assert_eq!(up.ext.as_deref(), Some(".png"));
    assert_eq!((up.width, up.height), (Some(40), Some(30)));
    assert_eq!(up.document_id.is_some(), is_v5());
    let got = c.get_media(up.id).await.unwrap();
    assert_eq!(got.id, up.id);
    assert_eq!(got.name, "stored-name.png");
    assert_eq!(got.alternative_text.as_deref(), Some("Alt text"));
    assert_eq!(got.caption.as_deref(), Some("A caption"));
    // Strapi's REST upload ignores fileInfo.folder (both versions): files go to
    // "API Uploads". The option must not break the upload.
    if let Some(doc) = &up.document_id {
        let by_doc = c.get_media(doc.as_str()).await.unwrap();
        assert_eq!(by_doc.id, up.id);
    }
}

#[maybe]
#[the_test]
async fn image_formats_are_parsed() {
    let c = client();
    let dir = TempDir::new("formats");
    let up = upload_png(&c, &dir, "wide.png", 640, 400).await;
    let formats = up.formats.clone().expect("formats for a 640px image");
    let thumb = &formats["thumbnail"];
    assert!(
        thumb.width.unwrap() <= 245 && thumb.height.unwrap() <= 156,
        "{thumb:?}"
    );
    assert!(thumb.url.contains("thumbnail_"));
    assert!(formats.contains_key("small"));
    let bytes = c.download_file(&thumb.url).await.unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
}

#[maybe]
#[the_test]
async fn upload_from_memory_and_reader() {
    let c = client();
    let data = b"hello from memory".to_vec();
    let mem = c
        .upload_bytes(
            data.clone(),
            "memo.txt",
            &UploadOptions::new().caption("mem"),
        )
        .await
        .unwrap();
    assert_eq!(mem.mime, "text/plain");
    assert_eq!(mem.caption.as_deref(), Some("mem"));
    let back = c.download_file(&mem.url).await.unwrap();
    assert_eq!(&back[..], &data[..]);

    let bytes = b"streamed from a reader".repeat(1000);
    let len = bytes.len() as u64;
    let reader: UploadReader = Box::new(std::io::Cursor::new(bytes.clone()));
    let from_reader = c
        .upload_reader(reader, len, "reader.txt", &UploadOptions::new())
        .await
        .unwrap();
    assert_eq!(from_reader.mime, "text/plain");
    let back = c.download_file(&from_reader.url).await.unwrap();
    assert_eq!(&back[..], &bytes[..]);
}

#[maybe]
#[the_test]
async fn odd_file_names() {
    let c = client();
    let dir = TempDir::new("names");
    for name in [
        "with space.txt",
        "été à Zürich – ünïcødé.txt",
        "quote\"and'apos.txt",
    ] {
        let path = dir.write(name, name.as_bytes());
        let up = c.upload_file(&path, &UploadOptions::new()).await.unwrap();
        if is_v5() || !name.contains('"') {
            assert_eq!(up.name, name);
        } else {
            // Strapi 4 refuses `"` in stored names: it is replaced.
            assert_eq!(up.name, name.replace('"', "_"));
        }
        let back = c.download_file(&up.url).await.unwrap();
        assert_eq!(&back[..], name.as_bytes());
    }
}

#[maybe]
#[the_test]
async fn download_relative_absolute_and_to_path() {
    let c = client();
    let dir = TempDir::new("dl");
    // Strapi re-encodes images, so a byte-exact round trip needs another kind of file.
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let path = dir.write("source.bin", &bytes);
    let up = c.upload_file(&path, &UploadOptions::new()).await.unwrap();
    assert!(up.url.starts_with("/uploads/"), "{}", up.url);
    let relative = c.download_file(&up.url).await.unwrap();
    assert_eq!(&relative[..], &bytes[..]);
    let absolute = format!("{}{}", server().url, up.url);
    let abs = c.download_file(&absolute).await.unwrap();
    assert_eq!(&abs[..], &bytes[..]);
    let target = dir.path().join("copy.bin");
    let n = c.download_file_to(&up.url, &target).await.unwrap();
    assert_eq!(n, bytes.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), bytes);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
    let missing = c
        .download_file("/uploads/does-not-exist.png")
        .await
        .unwrap_err();
    assert!(missing.is_not_found(), "{missing:?}");
    let into_missing_dir = c
        .download_file_to(&up.url, dir.path().join("no/such/dir/x.png"))
        .await
        .unwrap_err();
    assert!(
        matches!(into_missing_dir, Error::Io { .. }),
        "{into_missing_dir:?}"
    );
}

#[maybe]
#[the_test]
async fn update_each_field_alone() {
    let c = client();
    let up = c
        .upload_bytes(
            b"x".to_vec(),
            "upd.txt",
            &UploadOptions::new().alternative_text("a0").caption("c0"),
        )
        .await
        .unwrap();
    let a = c
        .update_media(up.id, &MediaUpdate::new().alternative_text("a1"))
        .await
        .unwrap();
    assert_eq!(
        (
            a.alternative_text.as_deref(),
            a.caption.as_deref(),
            a.name.as_str()
        ),
        (Some("a1"), Some("c0"), "upd.txt")
    );
    let b = c
        .update_media(up.id, &MediaUpdate::new().caption("c1"))
        .await
        .unwrap();
    assert_eq!(
        (b.alternative_text.as_deref(), b.caption.as_deref()),
        (Some("a1"), Some("c1"))
    );
    let n = c
        .update_media(up.id, &MediaUpdate::new().name("renamed.txt"))
        .await
        .unwrap();
    assert_eq!(
        (n.name.as_str(), n.caption.as_deref()),
        ("renamed.txt", Some("c1"))
    );
    let got = c.get_media(up.id).await.unwrap();
    assert_eq!(got.name, "renamed.txt");
    assert_eq!(got.url, up.url, "metadata updates keep the file");
}

#[maybe]
#[the_test]
async fn delete_then_get_is_not_found() {
    let c = client();
    let up = c
        .upload_bytes(b"bye".to_vec(), "bye.txt", &UploadOptions::new())
        .await
        .unwrap();
    let deleted = c.delete_media(up.id).await.unwrap();
    assert_eq!(deleted.id, up.id);
    let err = c.get_media(up.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = c.delete_media(up.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[maybe]
#[the_test]
async fn list_with_filters_sort_and_paging() {
    let c = client();
    let tag = unique("list");
    let mut ids = Vec::new();
    for i in 0..5 {
        let f = c
            .upload_bytes(
                format!("file {i}").into_bytes(),
                &format!("{tag}-{i}.txt"),
                &UploadOptions::new(),
            )
            .await
            .unwrap();
        ids.push(f.id);
    }
    let base = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("name", &tag))
        .sort_desc("id");
    let all = c.list_media(&base).await.unwrap();
    let got: Vec<u64> = all.iter().map(|f| f.id).collect();
    let mut want = ids.clone();
    want.reverse();
    assert_eq!(got, want);
    let page2 = c.list_media(&base.clone().paginate(2, 2)).await.unwrap();
    assert_eq!(page2.iter().map(|f| f.id).collect::<Vec<_>>(), want[2..4]);
    let offset = c.list_media(&base.offset(4, 10)).await.unwrap();
    assert_eq!(offset.iter().map(|f| f.id).collect::<Vec<_>>(), want[4..]);
}

#[maybe]
#[the_test]
async fn batch_upload_reports_the_failing_index() {
    let c = client();
    let dir = TempDir::new("batch");
    let a = dir.write("a.txt", b"a");
    let b = dir.write("b.txt", b"b");
    let missing = dir.path().join("missing.txt");
    let d = dir.write("d.txt", b"d");
    let ok = c
        .upload_files(&[&a, &b], &UploadOptions::new().caption("batch"))
        .await
        .unwrap();
    assert_eq!(ok.len(), 2);
    assert!(ok.iter().all(|f| f.caption.as_deref() == Some("batch")));
    assert_eq!(
        (ok[0].name.as_str(), ok[1].name.as_str()),
        ("a.txt", "b.txt")
    );

    let err = c
        .upload_files(
            &[a.clone(), b.clone(), missing.clone(), d],
            &UploadOptions::new(),
        )
        .await
        .unwrap_err();
    match err {
        Error::Media(m) => match *m {
            strapi_kit::MediaError::Batch {
                index,
                path,
                uploaded,
                ..
            } => {
                assert_eq!(index, 2);
                assert_eq!(path, missing);
                assert_eq!(uploaded.len(), 2);
                assert_eq!(uploaded[1].name, "b.txt");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[maybe]
#[the_test]
async fn upload_over_the_server_limit_is_payload_too_large() {
    let c = client();
    let big = vec![7u8; 2 * 1024 * 1024];
    let err = c
        .upload_bytes(big, "big.bin", &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_payload_too_large(), "{err:?}");
    let api = err.api_error().unwrap();
    assert!(
        api.message.contains("big.bin") || api.message.contains("size"),
        "{api:?}"
    );
}

#[maybe]
#[the_test]
async fn local_file_problems_are_refused() {
    let c = client();
    let dir = TempDir::new("bad");
    let missing = c
        .upload_file(dir.path().join("nope.png"), &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::Media(_)), "{missing:?}");
    assert!(missing.to_string().contains("no such file"));
    let directory = c
        .upload_file(dir.path(), &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(directory.to_string().contains("directory"), "{directory}");
}

#[maybe]
#[the_test]
async fn attach_survives_a_later_update() {
    let c = client();
    let dir = TempDir::new("attach");
    let t = unique("attach");
    let created: EntryResponse<Value> = c.create("articles", &json!({"title": t})).await.unwrap();
    let id = key(&created.data);
    let cover_path = dir.write("cover.png", &png(20, 20));
    let cover = c
        .upload_file(
            &cover_path,
            &UploadOptions::new().attach("api::article.article", id.as_str(), "cover"),
        )
        .await
        .unwrap();
    let g1 = c
        .upload_bytes(
            png(10, 10),
            "g1.png",
            &UploadOptions::new().attach("api::article.article", id.as_str(), "gallery"),
        )
        .await
        .unwrap();
    let g2 = c
        .upload_bytes(
            png(12, 12),
            "g2.png",
            &UploadOptions::new().attach("api::article.article", id.as_str(), "gallery"),
        )
        .await
        .unwrap();
    // A later, unrelated update of the entry must not drop the files.
    let _: EntryResponse<Value> = c
        .update("articles", id.as_str(), &json!({"views": 99}))
        .await
        .unwrap();
    let got: EntryResponse<Value> = c
        .get_one(
            "articles",
            id.as_str(),
            &StrapiQuery::new().populate(["cover", "gallery"]),
        )
        .await
        .unwrap();
    assert_eq!(got.data["cover"]["id"], json!(cover.id), "{}", got.data);
    let gallery: Vec<u64> = got.data["gallery"]
        .as_array()
        .expect("gallery")
        .iter()
        .map(|f| f["id"].as_u64().unwrap())
        .collect();
    assert_eq!(gallery, [g1.id, g2.id]);
    let typed: EntryResponse<CoverOnly> = c
        .get_one(
            "articles",
            id.as_str(),
            &StrapiQuery::new().populate(["cover"]),
        )
        .await
        .unwrap();
    assert_eq!(typed.data.cover.map(|f| f.id), Some(cover.id));
}

#[derive(Debug, Deserialize)]
struct CoverOnly {
    cover: Option<MediaFile>,
}

#[maybe]
#[the_test]
async fn attach_errors_are_typed() {
    let c = client();
    let err = c
        .upload_bytes(
            b"x".to_vec(),
            "x.txt",
            &UploadOptions::new().reference("api::article.article"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": unique("attach-bad")}))
        .await
        .unwrap();
    let err = c
        .upload_bytes(
            b"x".to_vec(),
            "x.txt",
            &UploadOptions::new().attach(
                "api::article.article",
                key(&created.data).as_str(),
                "title",
            ),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().contains("no media field"), "{err}");
    let missing_entry = if is_v5() {
        "doesnotexist000000000000"
    } else {
        "999999"
    };
    let before = c.list_media(&StrapiQuery::new()).await.unwrap().len();
    let err = c
        .upload_bytes(
            b"x".to_vec(),
            "x.txt",
            &UploadOptions::new().attach("api::article.article", missing_entry, "cover"),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let after = c.list_media(&StrapiQuery::new()).await.unwrap().len();
    assert!(
        after <= before + 2,
        "no orphan upload for a missing entry ({before} -> {after})"
    );
}
