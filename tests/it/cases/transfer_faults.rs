//! Import input checks that need no server: a bad export is refused before any request.

use strapi_kit::transfer::{ExportOptions, ImportOptions};

use super::*;
use crate::support::mock::{Mock, Reply};

fn export_dir(files: &[(&str, &[u8])]) -> TempDir {
    let dir = TempDir::new("bad-export");
    std::fs::create_dir_all(dir.path().join("entries")).unwrap();
    for (name, data) in files {
        dir.write(name, data);
    }
    dir
}

fn manifest(extra: Value) -> Vec<u8> {
    let sum = |b: &[u8]| strapi_kit::transfer::format::Checksum::of(b);
    let mut m = json!({
        "format": 1, "tool": "t", "serverVersion": "v5", "source": "http://x", "exportedAt": "now",
        "locales": [], "defaultLocale": null, "types": [],
        "schema": {"path": "schema.json", "records": 0, "checksum": sum(b"{}")},
        "media": {"path": "media.jsonl", "records": 0, "checksum": sum(b"")},
        "folders": null, "filesIncluded": false
    });
    for (k, v) in extra.as_object().unwrap() {
        m[k] = v.clone();
    }
    serde_json::to_vec(&m).unwrap()
}

#[maybe]
#[the_test]
async fn a_bad_export_is_refused_before_any_request() {
    let mock = Mock::always(Reply::json(200, r#"{"data": []}"#));
    let c = mock_client(&mock, std::time::Duration::from_secs(5));
    let cases: Vec<(&str, TempDir, &str)> = vec![
        ("no manifest", export_dir(&[]), "manifest.json"),
        (
            "a cut file",
            export_dir(&[
                ("manifest.json", &manifest(json!({}))),
                ("schema.json", b"{}"),
                ("media.jsonl", b"{\"id\":1}\n"),
            ]),
            "checksum",
        ),
        (
            "another format",
            export_dir(&[
                ("manifest.json", &manifest(json!({"format": 99}))),
                ("schema.json", b"{}"),
                ("media.jsonl", b""),
            ]),
            "format 99",
        ),
        (
            "a path outside",
            export_dir(&[
                (
                    "manifest.json",
                    &manifest(
                        json!({"media": {"path": "../media.jsonl", "records": 0, "checksum": "0"}}),
                    ),
                ),
                ("schema.json", b"{}"),
            ]),
            "outside the export",
        ),
    ];
    for (what, dir, says) in cases {
        let r = c.import(dir.path(), &ImportOptions::new()).await;
        let msg = match &r {
            Err(e) => e.to_string(),
            Ok(r) => panic!("{what}: imported {r:?}"),
        };
        assert!(msg.contains(says), "{what}: {msg}");
    }
    // Bad type names of an export, too.
    let dir = TempDir::new("bad-names");
    let r = c
        .export(&ExportOptions::new().types(["books?x=1"]), dir.path())
        .await;
    assert!(matches!(r, Err(Error::InvalidInput(_))), "{r:?}");
    assert_eq!(mock.hits(), 0);
}
