//! The attach path against the mock: a concurrent write that keeps removing the file ends
//! in a clear error after a bounded number of rounds, and options a server cannot honour
//! are refused with no request sent.

use super::mock::{Mock, Reply};
use super::*;
use strapi_kit::{ApiVersion, FocalPoint, MediaError};

const SCHEMA: &str = r#"{"data":{"uid":"api::article.article","schema":{"kind":"collectionType",
  "singularName":"article","pluralName":"articles","displayName":"Article","draftAndPublish":true,
  "attributes":{"title":{"type":"string"},
                "gallery":{"type":"media","multiple":true}}}}}"#;
const DRAFT: &str =
    r#"{"data":{"id":1,"documentId":"abc","updatedAt":"2026-01-01T00:00:00.000Z"},"meta":{}}"#;
const FILE: &str = r#"[{"id":7,"name":"a.png","hash":"a","mime":"image/png","url":"/uploads/a.png","size":0.01,"provider":"local"}]"#;
const NOT_FOUND: &str =
    r#"{"data":null,"error":{"status":404,"name":"NotFoundError","message":"Not Found"}}"#;

fn mock_client(mock: &Mock, version: ApiVersion) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .api_version(version)
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[maybe]
#[the_test]
async fn an_attach_undone_every_time_is_a_conflict_after_three_rounds() {
    // The draft exists, was never published, and every read-back shows an empty gallery
    // (as if another writer kept replacing the list).
    let mock = Mock::start(|r, _| {
        let t = r.target.as_str();
        match r.method.as_str() {
            "GET" if t.starts_with("/api/content-type-builder/") => Reply::json(200, SCHEMA),
            "GET" if t.contains("status=published") => Reply::json(404, NOT_FOUND),
            "GET" if t.contains("populate") => Reply::json(
                200,
                r#"{"data":{"id":1,"documentId":"abc","gallery":[]},"meta":{}}"#,
            ),
            "GET" => Reply::json(200, DRAFT),
            "POST" => Reply::json(201, FILE),
            _ => Reply::json(
                200,
                r#"{"data":{"id":1,"documentId":"abc","gallery":[{"id":7}]},"meta":{}}"#,
            ),
        }
    });
    let c = mock_client(&mock, ApiVersion::V5);
    let err = c
        .upload_bytes(
            b"\x89PNG".to_vec(),
            "a.png",
            &UploadOptions::new().attach("api::article.article", "abc", "gallery"),
        )
        .await
        .unwrap_err();
    let Error::Media(media) = &err else {
        panic!("{err:?}")
    };
    let MediaError::Attach { file, source } = media.as_ref() else {
        panic!("{err:?}")
    };
    assert_eq!(file.id, 7, "the uploaded file is reported");
    assert!(matches!(**source, Error::Conflict(_)), "{source:?}");
    assert!(err.to_string().contains("3 times"), "{err}");
    let puts: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.method == "PUT")
        .collect();
    assert_eq!(puts.len(), 3);
    for put in &puts {
        // Added on the server (connect), into the draft only.
        let body = String::from_utf8_lossy(&put.body);
        assert!(body.contains(r#"{"gallery":{"connect":[7]}}"#), "{body}");
        assert!(put.target.contains("status=draft"), "{}", put.target);
    }
}

#[maybe]
#[the_test]
async fn options_no_server_can_honour_send_nothing() {
    let mock = Mock::always(Reply::json(201, FILE));
    for version in [ApiVersion::V5, ApiVersion::V4] {
        let c = mock_client(&mock, version);
        let alone = UploadOptions::new().attach_published(true);
        let err = c.upload_bytes(b"x".to_vec(), "x.txt", &alone).await;
        assert!(matches!(err, Err(Error::InvalidInput(_))), "{err:?}");
        let nan = UploadOptions::new().focal_point(FocalPoint::new(f64::NAN, 1.0));
        let err = c.upload_bytes(b"x".to_vec(), "x.txt", &nan).await;
        assert!(matches!(err, Err(Error::InvalidInput(_))), "{err:?}");
        let change = MediaUpdate::new().focal_point(FocalPoint::new(1.0, f64::INFINITY));
        let err = c.update_media(7u64, &change).await;
        assert!(matches!(err, Err(Error::InvalidInput(_))), "{err:?}");
    }
    // Strapi 4 has no focal point.
    let v4 = mock_client(&mock, ApiVersion::V4);
    let point = UploadOptions::new().focal_point(FocalPoint::new(50.0, 50.0));
    let err = v4.upload_bytes(b"x".to_vec(), "x.txt", &point).await;
    assert!(matches!(err, Err(Error::InvalidInput(_))), "{err:?}");
    let change = MediaUpdate::new().focal_point(FocalPoint::new(50.0, 50.0));
    let err = v4.update_media(7u64, &change).await;
    assert!(matches!(err, Err(Error::InvalidInput(_))), "{err:?}");
    assert_eq!(mock.hits(), 0);
}
