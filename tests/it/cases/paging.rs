//! All pages: `get_all` and `get_all_iter` (iterator / stream) against the real servers,
//! through Strapi's silent page-size clamp.

use super::*;
use strapi_kit::BulkOptions;

/// `n` articles titled `{p} 0000` … with views `i % 7` (lots of ties), created in bulk.
#[maybe]
async fn dataset(c: &Client, tag: &str, n: usize) -> (String, Vec<String>) {
    let p = unique(tag);
    let titles: Vec<String> = (0..n).map(|i| format!("{p} {i:04}")).collect();
    let rows: Vec<Value> = titles
        .iter()
        .enumerate()
        .map(|(i, t)| json!({"title": t, "views": i % 7}))
        .collect();
    let report = c
        .bulk_create::<Value, _>("articles", rows, &BulkOptions::new().concurrency(8))
        .await
        .expect("bulk create");
    assert!(report.is_complete(), "{:?}", report.failures());
    (p, titles)
}

fn only(p: &str) -> FilterBuilder {
    FilterBuilder::new().starts_with("title", p)
}

fn title_of(v: &Value) -> String {
    v["title"].as_str().expect("title").to_owned()
}

/// Each expected title exactly once, nothing else.
fn assert_each_once(got: &[String], want: &[String]) {
    let mut sorted = got.to_vec();
    sorted.sort();
    let mut uniq = sorted.clone();
    uniq.dedup();
    assert_eq!(
        uniq.len(),
        sorted.len(),
        "duplicates in {} entries",
        got.len()
    );
    assert_eq!(sorted, want, "missing or extra entries");
}

#[maybe]
#[the_test]
#[allow(clippy::while_let_on_iterator)]
async fn all_250_once_through_a_clamped_page_size() {
    let c = client();
    let (p, want) = dataset(&c, "paging", 250).await;

    // The premise: Strapi clamps 500 to 100 and says so only in meta.
    let page: ListResponse<Value> = c
        .get_many(
            "articles",
            &StrapiQuery::new().filter(only(&p)).paginate(1, 500),
        )
        .await
        .unwrap();
    assert_eq!(page.data.len(), 100);
    let echo = page.meta.pagination.unwrap();
    assert_eq!((echo.page_size, echo.total), (Some(100), Some(250)));

    // get_all with page pagination asking for 500.
    let q = StrapiQuery::new().filter(only(&p)).paginate(1, 500);
    let all: Vec<Value> = c.get_all("articles", &q).await.unwrap();
    let got: Vec<String> = all.iter().map(title_of).collect();
    assert_each_once(&got, &want);
    // No sort given: the pager sorts by id.
    let ids: Vec<u64> = all.iter().map(|e| e["id"].as_u64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted by id");

    // The iterator / stream, with offset pagination asking for 500.
    let q = StrapiQuery::new().filter(only(&p)).offset(0, 500);
    let mut entries = c.get_all_iter::<Value>("articles", &q).unwrap();
    assert_eq!(entries.total(), None);
    let mut got = Vec::new();
    while let Some(e) = entries.next().await {
        got.push(title_of(&e.unwrap()));
    }
    assert_eq!(entries.total(), Some(250));
    assert_each_once(&got, &want);
    // Exhausted stays exhausted.
    let after_end = entries.next().await;
    assert!(after_end.is_none());
}

#[maybe]
#[the_test]
async fn ties_in_the_callers_sort_neither_skip_nor_repeat() {
    let c = client();
    let (p, want) = dataset(&c, "paging-ties", 60).await;
    // views has 7 values for 60 rows: page boundaries fall inside ties. id breaks them.
    let q = StrapiQuery::new()
        .filter(only(&p))
        .sort_desc("views")
        .paginate(1, 7);
    let all: Vec<Value> = c.get_all("articles", &q).await.unwrap();
    let got: Vec<String> = all.iter().map(title_of).collect();
    assert_each_once(&got, &want);
    let views: Vec<u64> = all.iter().map(|e| e["views"].as_u64().unwrap()).collect();
    assert!(views.windows(2).all(|w| w[0] >= w[1]), "{views:?}");
    for w in all.windows(2) {
        if w[0]["views"] == w[1]["views"] {
            assert!(w[0]["id"].as_u64() < w[1]["id"].as_u64(), "ties by id");
        }
    }
    // Starting at a later page reads from there on; fields and locale are kept.
    let q = StrapiQuery::new()
        .filter(only(&p))
        .sort_asc("title")
        .fields(["title"])
        .paginate(3, 25);
    let rest: Vec<Value> = c.get_all("articles", &q).await.unwrap();
    let got: Vec<String> = rest.iter().map(title_of).collect();
    assert_eq!(got, want[50..].to_vec());
    assert!(
        rest[0].get("views").is_none(),
        "fields were kept: {}",
        rest[0]
    );
}

#[maybe]
#[the_test]
#[allow(clippy::while_let_on_iterator)]
async fn empty_results_errors_and_early_drop() {
    let c = client();
    let none: Vec<Value> = c
        .get_all(
            "articles",
            &StrapiQuery::new().filter(FilterBuilder::new().eq("title", unique("nothing"))),
        )
        .await
        .unwrap();
    assert!(none.is_empty());

    // Bad input fails before any request.
    for bad in ["", "a/b", ".."] {
        let err = c
            .get_all_iter::<Value>(bad, &StrapiQuery::new())
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    let mixed = StrapiQuery::new().paginate(1, 10).offset(0, 10);
    let err = c.get_all::<Value>("articles", &mixed).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");

    // A server error is yielded once, then the walk ends.
    let bad_field = StrapiQuery::new().filter(FilterBuilder::new().eq("nope", 1));
    let mut entries = c.get_all_iter::<Value>("articles", &bad_field).unwrap();
    let first = entries.next().await.expect("an error item");
    assert!(first.unwrap_err().is_validation());
    let after_error = entries.next().await;
    assert!(after_error.is_none());

    // Forbidden for the public role: the error, not an empty list.
    let err = anon_client()
        .get_all::<Value>("authors", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_authorization(), "{err:?}");

    // Dropping a stream with a page in flight is fine.
    let (p, _) = dataset(&c, "paging-drop", 12).await;
    let q = StrapiQuery::new().filter(only(&p)).paginate(1, 5);
    let mut entries = c.get_all_iter::<Value>("articles", &q).unwrap();
    let mut n = 0;
    while let Some(e) = entries.next().await {
        e.unwrap();
        n += 1;
        if n == 6 {
            break;
        }
    }
    drop(entries);
    assert_eq!(n, 6);
}
