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
    // (Uploads into a folder need admin credentials: see folders.rs.)
    let opts = UploadOptions::new()
        .alternative_text("Alt text")
        .caption("A caption")
        .name("stored-name.png");
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
// Each test has a runtime (or thread) of its own: waiting for the lock blocks only it.
#[allow(clippy::await_holding_lock)]
async fn image_formats_are_parsed() {
    let _settings = upload_settings_lock();
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
    assert_eq!(deleted.map(|f| f.id), Some(up.id));
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
    // Over Strapi's 1 MiB upload limit: the server refuses it (413).
    let big = dir.write("big.bin", &vec![1u8; 2 * 1024 * 1024]);
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
            &[a.clone(), b.clone(), big.clone(), d],
            &UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert!(err.is_payload_too_large(), "{err:?}");
    match err {
        Error::Media(m) => match *m {
            strapi_kit::MediaError::Batch {
                index,
                path,
                uploaded,
                ..
            } => {
                assert_eq!(index, 2);
                assert_eq!(path, big);
                let names: Vec<&str> = uploaded.iter().map(|f| f.name.as_str()).collect();
                assert!(names.starts_with(&["a.txt", "b.txt"]), "{names:?}");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

#[maybe]
#[the_test]
async fn batch_checks_every_file_before_uploading() {
    let c = client();
    let dir = TempDir::new("precheck");
    let tag = unique("pre");
    let a = dir.write(&format!("{tag}-a.txt"), b"a");
    let missing = dir.path().join(format!("{tag}-missing.txt"));
    let err = c
        .upload_files(&[a.clone(), missing.clone()], &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no such file"), "{err}");
    let q = StrapiQuery::new().filter(FilterBuilder::new().starts_with("name", &tag));
    let found = c.list_media(&q).await.unwrap();
    assert!(found.is_empty(), "nothing was uploaded");
}

#[maybe]
#[the_test]
async fn batch_report_rollback_and_keep_going() {
    let c = client();
    let dir = TempDir::new("rollback");
    let tag = unique("rb");
    let mut paths = Vec::new();
    for i in 0..5 {
        paths.push(dir.write(&format!("{tag}-{i}.txt"), format!("file {i}").as_bytes()));
    }
    paths.insert(
        2,
        dir.write(&format!("{tag}-big.bin"), &vec![0u8; 2 * 1024 * 1024]),
    );
    let all = StrapiQuery::new().filter(FilterBuilder::new().starts_with("name", &tag));

    // Keep going past the failure: every other file is uploaded.
    let report = c
        .upload_batch(
            &paths,
            &UploadOptions::new(),
            &strapi_kit::BatchOptions::new()
                .concurrency(3)
                .stop_on_error(false),
        )
        .await
        .unwrap();
    assert_eq!(report.items.len(), 6);
    let failures = report.failures();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, 2);
    assert!(failures[0].2.is_payload_too_large());
    assert_eq!(report.done().len(), 5);
    assert!(!report.is_complete());
    let names: Vec<&str> = report.done().iter().map(|f| f.name.as_str()).collect();
    let want: Vec<String> = [0, 1, 2, 3, 4]
        .iter()
        .map(|i| format!("{tag}-{i}.txt"))
        .collect();
    assert_eq!(names, want, "results stay in input order");
    for f in report.done() {
        c.delete_media(f.id).await.unwrap();
    }

    // Roll back: what this call uploaded is deleted again.
    let report = c
        .upload_batch(
            &paths,
            &UploadOptions::new(),
            &strapi_kit::BatchOptions::new()
                .concurrency(2)
                .rollback(true),
        )
        .await
        .unwrap();
    assert_eq!(report.failures().len(), 1);
    assert!(report.done().is_empty());
    let rolled_back: Vec<u64> = report
        .items
        .iter()
        .filter_map(|i| match &i.outcome {
            strapi_kit::BulkOutcome::RolledBack(f) => Some(f.id),
            _ => None,
        })
        .collect();
    assert!(!rolled_back.is_empty());
    let left = c.list_media(&all).await.unwrap();
    assert!(left.is_empty(), "rollback left {left:?}");
}

#[maybe]
#[the_test]
async fn progress_adds_up_to_the_sizes() {
    use std::sync::{Arc, Mutex};
    let c = client();
    let dir = TempDir::new("progress");
    let sizes = [300_000usize, 5, 70_000];
    let paths: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| dir.write(&format!("p{i}.bin"), &vec![i as u8; *n]))
        .collect();
    let seen: Arc<Mutex<Vec<strapi_kit::Progress>>> = Arc::default();
    let sink = seen.clone();
    let opts = UploadOptions::new().on_progress(move |p| sink.lock().unwrap().push(p));
    let files = c.upload_files(&paths, &opts).await.unwrap();
    assert_eq!(files.len(), 3);
    let seen = seen.lock().unwrap().clone();
    let total: u64 = sizes.iter().map(|n| *n as u64).sum();
    for (i, n) in sizes.iter().enumerate() {
        let last = seen
            .iter()
            .rfind(|p| p.index == i)
            .expect("progress per file");
        assert_eq!((last.bytes, last.total), (*n as u64, Some(*n as u64)));
    }
    assert_eq!(seen.iter().map(|p| p.batch_bytes).max(), Some(total));
    assert!(seen.iter().all(|p| p.batch_total == Some(total)));

    let down: Arc<Mutex<Vec<strapi_kit::Progress>>> = Arc::default();
    let sink = down.clone();
    let target = dir.path().join("back.bin");
    let n = c
        .download_file_to_with(
            &files[0].url,
            &target,
            &strapi_kit::DownloadOptions::new().on_progress(move |p| sink.lock().unwrap().push(p)),
        )
        .await
        .unwrap();
    assert_eq!(n, 300_000);
    let last = *down.lock().unwrap().last().unwrap();
    assert_eq!((last.bytes, last.total), (300_000, Some(300_000)));
}

#[maybe]
#[the_test]
async fn replace_file_content() {
    let c = client();
    let dir = TempDir::new("replace");
    let first = dir.write("doc.txt", b"first version");
    let up = c.upload_file(&first, &UploadOptions::new()).await.unwrap();
    let second = dir.write("doc-v2.txt", b"second, longer version of the document");
    let replaced = c
        .replace_media(up.id, &second, &UploadOptions::new().caption("v2"))
        .await
        .unwrap();
    assert_eq!(replaced.id, up.id);
    assert_eq!(replaced.url, up.url, "Strapi keeps the URL on replace");
    assert_eq!(replaced.caption.as_deref(), Some("v2"));
    let back = c.download_file(&up.url).await.unwrap();
    assert_eq!(&back[..], b"second, longer version of the document");
}

#[maybe]
#[the_test]
async fn validation_before_upload() {
    let c = client();
    let dir = TempDir::new("validate");
    let pdf_named_png = dir.write("sneaky.png", b"%PDF-1.7 not really a picture");
    let err = c
        .upload_file(
            &pdf_named_png,
            &UploadOptions::new().allowed_types(["image/*"]),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("application/pdf"), "{err}");
    let real_png = dir.write("fine.png", &png(4, 4));
    c.upload_file(
        &real_png,
        &UploadOptions::new()
            .allowed_types(["image/*"])
            .max_size(10_000),
    )
    .await
    .unwrap();
    let err = c
        .upload_file(&real_png, &UploadOptions::new().max_size(10))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("allowed"), "{err}");
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
    // Strapi keeps the refused upload's temp file: in the run's own folder, not /tmp.
    if let Some(tmp) = &server().tmp_dir {
        let kept = std::fs::read_dir(tmp).map(|d| d.count()).unwrap_or(0);
        assert!(kept > 0, "the server's temp files go to {}", tmp.display());
    }
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
