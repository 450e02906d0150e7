//! Attaching uploads to entries against the real servers: concurrent attaches keep every
//! file, attaching never publishes a draft, `attach_published`, the focal point, and the
//! unpublish refusal naming its call.

use super::*;
use strapi_kit::{BatchOptions, FocalPoint};

const ARTICLE: &str = "api::article.article";

/// The ids of the files in a populated media field (a list, one object or null).
fn ids(entry: &Value, field: &str) -> Vec<u64> {
    match &entry[field] {
        Value::Array(files) => files.iter().filter_map(|f| f["id"].as_u64()).collect(),
        Value::Object(f) => f.get("id").and_then(Value::as_u64).into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The entry's draft (v5) or the entry itself (v4, drafts included), with `field` populated.
#[maybe]
async fn read_draft(c: &Client, id: &str, field: &str) -> Value {
    let q = StrapiQuery::new()
        .populate([field])
        .status(DocumentStatus::Draft);
    let got: EntryResponse<Value> = c.get_one("articles", id, &q).await.unwrap();
    got.data
}

/// The published version (v5) or the entry when it is published (v4).
#[maybe]
async fn read_published(c: &Client, id: &str, field: &str) -> Value {
    let q = StrapiQuery::new()
        .populate([field])
        .status(DocumentStatus::Published);
    let got: EntryResponse<Value> = c.get_one("articles", id, &q).await.unwrap();
    got.data
}

/// One upload attached to the gallery, on its own clone of the client.
#[maybe]
async fn attach_one(c: Client, id: String, i: usize) -> Result<MediaFile, Error> {
    c.upload_bytes(
        png(8 + i as u32, 8),
        &format!("par-{i}.png"),
        &UploadOptions::new().attach(ARTICLE, id.as_str(), "gallery"),
    )
    .await
}

#[maybe]
#[the_test]
async fn parallel_attaches_keep_every_file() {
    let c = client();
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": unique("par-attach")}))
        .await
        .unwrap();
    let id = key(&created.data);
    let results = concurrently(6, 3, |i| attach_one(c.clone(), id.clone(), i)).await;
    let mut uploaded: Vec<u64> = results.into_iter().map(|r| r.unwrap().id).collect();
    uploaded.sort_unstable();
    let entry = read_draft(&c, &id, "gallery").await;
    let mut held = ids(&entry, "gallery");
    held.sort_unstable();
    assert_eq!(held, uploaded, "{entry}");
}

/// A batch of two files attached to the gallery, on its own clone of the client.
#[maybe]
async fn attach_batch(c: Client, id: String, dir: std::path::PathBuf, b: usize) -> Vec<u64> {
    let paths: Vec<std::path::PathBuf> = (0..2)
        .map(|i| {
            let p = dir.join(format!("b{b}-{i}.png"));
            std::fs::write(&p, png(9 + i, 9 + b as u32)).unwrap();
            p
        })
        .collect();
    let report = c
        .upload_batch(
            &paths,
            &UploadOptions::new().attach(ARTICLE, id.as_str(), "gallery"),
            &BatchOptions::new().concurrency(2),
        )
        .await
        .unwrap();
    report.into_result().unwrap().iter().map(|f| f.id).collect()
}

#[maybe]
#[the_test]
async fn parallel_batch_attaches_keep_every_file() {
    let c = client();
    let dir = TempDir::new("par-batch");
    let created: EntryResponse<Value> = c
        .create_draft("articles", &json!({"title": unique("par-batch")}))
        .await
        .unwrap();
    let id = key(&created.data);
    let batches = concurrently(4, 4, |b| {
        attach_batch(c.clone(), id.clone(), dir.path().to_path_buf(), b)
    })
    .await;
    let mut uploaded: Vec<u64> = batches.into_iter().flatten().collect();
    uploaded.sort_unstable();
    assert_eq!(uploaded.len(), 8);
    let entry = read_draft(&c, &id, "gallery").await;
    let mut held = ids(&entry, "gallery");
    held.sort_unstable();
    assert_eq!(held, uploaded, "{entry}");
}

#[maybe]
#[the_test]
async fn attaching_never_publishes_a_draft_edit() {
    let c = client();
    let t = unique("att-pub");
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": format!("{t} pub")}))
        .await
        .unwrap();
    let id = key(&created.data);
    let edit = json!({"title": format!("{t} DRAFT EDIT")});
    // Strapi 5: a draft-only edit; Strapi 4 has one version, so the edit is the entry.
    let q = StrapiQuery::new().status(DocumentStatus::Draft);
    let _: EntryResponse<Value> = if is_v5() {
        c.update_with("articles", id.as_str(), &edit, &q)
            .await
            .unwrap()
    } else {
        created.clone()
    };
    let before = read_published(&c, &id, "cover").await;
    let file = c
        .upload_bytes(
            png(11, 11),
            "att-pub.png",
            &UploadOptions::new().attach(ARTICLE, id.as_str(), "cover"),
        )
        .await
        .unwrap();
    let published = read_published(&c, &id, "cover").await;
    assert_eq!(published["title"], before["title"], "{published}");
    assert_eq!(
        published["publishedAt"], before["publishedAt"],
        "{published}"
    );
    let draft = read_draft(&c, &id, "cover").await;
    assert_eq!(ids(&draft, "cover"), [file.id], "{draft}");
    if is_v5() {
        assert_eq!(published["title"], json!(format!("{t} pub")));
        assert_eq!(ids(&published, "cover"), Vec::<u64>::new(), "{published}");
        assert_eq!(draft["title"], json!(format!("{t} DRAFT EDIT")));
        // Into the published version too: only by publishing the draft, which has an edit,
        // so this is refused before the upload (no file is left behind).
        let name = format!("{}.png", unique("refused"));
        let err = c
            .upload_bytes(
                png(12, 12),
                &name,
                &UploadOptions::new()
                    .attach(ARTICLE, id.as_str(), "cover")
                    .attach_published(true),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Conflict(_)), "{err:?}");
        assert!(err.to_string().contains("not published"), "{err}");
        let left = c
            .list_media(&StrapiQuery::new().filter(FilterBuilder::new().eq("name", name.as_str())))
            .await
            .unwrap();
        assert!(left.is_empty(), "{left:?}");
        let published = read_published(&c, &id, "cover").await;
        assert_eq!(published["title"], json!(format!("{t} pub")));
    } else {
        // Strapi 4: the published entry shows the file and stays published, unchanged.
        assert_eq!(ids(&published, "cover"), [file.id], "{published}");
    }
}

#[maybe]
#[the_test]
async fn attaching_to_a_draft_keeps_it_a_draft() {
    let c = client();
    let t = unique("att-draft");
    let created: EntryResponse<Value> = c
        .create_draft("articles", &json!({"title": t}))
        .await
        .unwrap();
    let id = key(&created.data);
    // attach_published does not publish an entry that was never published.
    let file = c
        .upload_bytes(
            png(13, 13),
            "att-draft.png",
            &UploadOptions::new()
                .attach(ARTICLE, id.as_str(), "gallery")
                .attach_published(true),
        )
        .await
        .unwrap();
    let only = StrapiQuery::new().filter(FilterBuilder::new().eq("title", t.as_str()));
    let drafts: ListResponse<Value> = c.get_drafts("articles", &only).await.unwrap();
    assert_eq!(titles(&drafts), [t]);
    let published: ListResponse<Value> = c.get_published("articles", &only).await.unwrap();
    assert!(published.data.is_empty(), "{:?}", published.data);
    let draft = read_draft(&c, &id, "gallery").await;
    assert_eq!(ids(&draft, "gallery"), [file.id], "{draft}");
}

#[maybe]
#[the_test]
async fn attach_published_adds_the_file_to_an_unmodified_published_version() {
    let c = client();
    let t = unique("att-both");
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": t, "views": 3}))
        .await
        .unwrap();
    let id = key(&created.data);
    let opts = |field: &str| {
        UploadOptions::new()
            .attach(ARTICLE, id.as_str(), field)
            .attach_published(true)
    };
    let cover = c
        .upload_bytes(png(14, 14), "both-cover.png", &opts("cover"))
        .await
        .unwrap();
    let g1 = c
        .upload_bytes(png(15, 15), "both-g1.png", &opts("gallery"))
        .await
        .unwrap();
    let g2 = c
        .upload_bytes(png(16, 16), "both-g2.png", &opts("gallery"))
        .await
        .unwrap();
    let q = StrapiQuery::new()
        .populate(["cover", "gallery"])
        .status(DocumentStatus::Published);
    let published: EntryResponse<Value> = c.get_one("articles", id.as_str(), &q).await.unwrap();
    let p = &published.data;
    assert_eq!((&p["title"], &p["views"]), (&json!(t), &json!(3)), "{p}");
    assert_eq!(ids(p, "cover"), [cover.id], "{p}");
    assert_eq!(ids(p, "gallery"), [g1.id, g2.id], "{p}");
    let draft = read_draft(&c, &id, "gallery").await;
    assert_eq!(ids(&draft, "gallery"), [g1.id, g2.id], "{draft}");
}

#[maybe]
#[the_test]
async fn focal_point_round_trips_on_v5_and_is_refused_on_v4() {
    let c = client();
    let point = FocalPoint::new(12.5, 80.0);
    let opts = UploadOptions::new().focal_point(point);
    let name = format!("{}.png", unique("focal"));
    let got = c.upload_bytes(png(20, 10), &name, &opts).await;
    if !is_v5() {
        // Strapi 4 has no focal point: refused before anything is sent.
        let err = got.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        assert!(err.to_string().contains("focal point"), "{err}");
        let q = StrapiQuery::new().filter(FilterBuilder::new().eq("name", name.as_str()));
        let left = c.list_media(&q).await.unwrap();
        assert!(left.is_empty(), "{left:?}");
        let plain = c
            .upload_bytes(png(20, 10), &name, &UploadOptions::new())
            .await
            .unwrap();
        assert_eq!(plain.focal_point, None);
        let change = MediaUpdate::new().focal_point(point);
        let err = c.update_media(plain.id, &change).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
        return;
    }
    let up = got.unwrap();
    assert_eq!(up.focal_point, Some(point));
    let read = c.get_media(up.id).await.unwrap();
    assert_eq!(read.focal_point, Some(point));
    let moved = FocalPoint::new(1.0, 2.0);
    let changed = c
        .update_media(up.id, &MediaUpdate::new().focal_point(moved))
        .await
        .unwrap();
    assert_eq!(changed.focal_point, Some(moved));
    // Other metadata changes keep it.
    let captioned = c
        .update_media(up.id, &MediaUpdate::new().caption("c"))
        .await
        .unwrap();
    assert_eq!(captioned.focal_point, Some(moved));
    let read = c.get_media(up.id).await.unwrap();
    assert_eq!(read.focal_point, Some(moved));
    // Not a number: refused.
    let bad = MediaUpdate::new().focal_point(FocalPoint::new(f64::NAN, 1.0));
    let err = c.update_media(up.id, &bad).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

#[maybe]
#[the_test]
async fn unpublish_refusal_names_the_unpublish_call() {
    if !is_v5() {
        return; // Strapi 4 unpublishes through REST: no refusal to name.
    }
    let c = client();
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": unique("unpub-url")}))
        .await
        .unwrap();
    let id = key(&created.data);
    for collection in ["articles", ARTICLE] {
        let err = c.unpublish(collection, id.as_str()).await.unwrap_err();
        assert!(matches!(err, Error::Authentication(_)), "{err:?}");
        let api = err.api_error().expect("an API error");
        assert_eq!(api.method, "POST", "{err}");
        assert!(
            api.url.ends_with(&format!(
                "/content-manager/collection-types/{collection}/{id}/actions/unpublish"
            )),
            "{err}"
        );
        assert!(err.to_string().contains("admin token"), "{err}");
    }
}
