//! Bulk create / update / delete against the real servers: bounded concurrency and a
//! report per item.

use super::*;
use strapi_kit::{BulkOptions, BulkOutcome, EntryId};

fn prefixed(p: &str) -> StrapiQuery {
    StrapiQuery::new().filter(FilterBuilder::new().starts_with("title", p))
}

#[maybe]
async fn titles_on_server(c: &Client, p: &str) -> Vec<String> {
    let all: Vec<Value> = c.get_all("articles", &prefixed(p)).await.unwrap();
    let mut t: Vec<String> = all
        .iter()
        .map(|e| e["title"].as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

#[maybe]
#[the_test]
async fn create_50_with_one_invalid_update_and_delete() {
    let c = client();
    let p = unique("bulk");
    const BAD: usize = 17;
    let rows: Vec<Value> = (0..50)
        .map(|i| {
            if i == BAD {
                // maxLength is 120 on both versions.
                json!({"title": format!("{p} {}", "x".repeat(130))})
            } else {
                json!({"title": format!("{p} {i:02}"), "views": i})
            }
        })
        .collect();
    let report = c
        .bulk_create::<Value, _>("articles", rows.clone(), &BulkOptions::new().concurrency(6))
        .await
        .unwrap();
    assert_eq!(report.items.len(), 50);
    assert_eq!(report.successes().len(), 49);
    assert!(!report.is_complete());
    assert!(report.skipped().is_empty());
    let failures = report.failures();
    assert_eq!(failures.len(), 1);
    let (index, input, error) = failures[0];
    assert_eq!(index, BAD);
    assert_eq!(input, &rows[BAD]);
    assert!(matches!(error, Error::Validation(_)), "{error:?}");
    let fields = error.field_errors();
    assert_eq!(fields.len(), 1, "{fields:?}");
    assert_eq!(fields[0].path, "title");
    assert!(fields[0].message.contains("120"), "{}", fields[0].message);
    // Successes are in input order, each with its created entry.
    for (i, input, created) in report.successes() {
        assert_ne!(i, BAD);
        assert_eq!(created["title"], input["title"]);
        assert_eq!(created["views"], json!(i));
    }
    let mut want: Vec<String> = (0..50)
        .filter(|&i| i != BAD)
        .map(|i| format!("{p} {i:02}"))
        .collect();
    want.sort();
    let on_server = titles_on_server(&c, &p).await;
    assert_eq!(on_server, want);

    // Update the 49 (plus one id that does not exist): 49 updated, one 404.
    let mut updates: Vec<(EntryId, Value)> = report
        .successes()
        .iter()
        .map(|(i, _, e)| (EntryId::from(key(e)), json!({"views": 1000 + i})))
        .collect();
    let missing = if is_v5() {
        "nosuchdocument0000000000"
    } else {
        "99999999"
    };
    updates.insert(3, (EntryId::from(missing), json!({"views": 1})));
    let updated = c
        .bulk_update::<Value, _, _>("articles", updates, &BulkOptions::new().concurrency(5))
        .await
        .unwrap();
    assert_eq!(updated.successes().len(), 49);
    let failed = updated.failures();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].0, 3);
    assert_eq!(failed[0].1.0.as_str(), missing);
    assert!(failed[0].2.is_not_found(), "{:?}", failed[0].2);
    for (_, (_, data), entry) in updated.successes() {
        assert_eq!(entry["views"], data["views"]);
    }

    // Delete them all.
    let ids: Vec<EntryId> = report
        .successes()
        .iter()
        .map(|(_, _, e)| EntryId::from(key(e)))
        .collect();
    let deleted = c
        .bulk_delete("articles", ids.clone(), &BulkOptions::new())
        .await
        .unwrap();
    assert!(deleted.is_complete(), "{:?}", deleted.failures());
    assert_eq!(deleted.items.len(), 49);
    assert_eq!(deleted.items[5].input, ids[5]);
    let on_server = titles_on_server(&c, &p).await;
    assert!(on_server.is_empty());
}

#[maybe]
#[the_test]
async fn stop_on_error_skips_the_rest_and_bad_input_sends_nothing() {
    let c = client();
    let p = unique("bulk-stop");
    let rows = vec![
        json!({"title": format!("{p} a")}),
        json!({"views": 1}), // no title: required
        json!({"title": format!("{p} c")}),
        json!({"title": format!("{p} d")}),
    ];
    let opts = BulkOptions::new().concurrency(1).stop_on_error(true);
    let report = c
        .bulk_create::<Value, _>("articles", rows, &opts)
        .await
        .unwrap();
    assert!(matches!(report.items[0].outcome, BulkOutcome::Done(_)));
    assert!(matches!(&report.items[1].outcome, BulkOutcome::Failed(e) if e.is_validation()));
    assert_eq!(report.skipped(), vec![2, 3]);
    assert!(report.into_result().is_err());
    let on_server = titles_on_server(&c, &p).await;
    assert_eq!(on_server, [format!("{p} a")]);

    // A bad collection or id fails the whole call before any request.
    let err = c
        .bulk_create::<Value, _>("a/b", vec![json!({"title": "x"})], &BulkOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = c
        .bulk_delete("articles", ["ok", ".."], &BulkOptions::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    // Drafts in bulk, through the options' query (v4: publishedAt null in the data).
    let drafts = c
        .bulk_create::<Value, _>(
            "articles",
            (0..3).map(|i| json!({"title": format!("{p} draft {i}")})),
            &BulkOptions::new().query(StrapiQuery::new().status(DocumentStatus::Draft)),
        )
        .await
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!(drafts.len(), 3);
    assert!(
        drafts.iter().all(|d| d["publishedAt"].is_null()),
        "{drafts:?}"
    );
    // Still the one published entry only.
    let on_server = titles_on_server(&c, &p).await;
    assert_eq!(on_server, [format!("{p} a")]);

    // Read-only token: every item forbidden, reported per item.
    let report = read_client()
        .bulk_create::<Value, _>(
            "articles",
            vec![
                json!({"title": format!("{p} ro1")}),
                json!({"title": format!("{p} ro2")}),
            ],
            &BulkOptions::new(),
        )
        .await
        .unwrap();
    assert_eq!(report.failures().len(), 2);
    assert!(
        report
            .failures()
            .iter()
            .all(|(_, _, e)| e.is_authorization())
    );
}
