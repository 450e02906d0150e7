//! Writes whose answer is lost on the way back (a proxy cuts the connection once the real
//! server has done the work), with the server's contents counted after.

use super::*;
use crate::support::proxy::LosingProxy;

/// A client through `proxy`: a new connection per request (the proxy judges each by its
/// first request), fast retries, the default retry rules.
fn through(proxy: &LosingProxy) -> Client {
    let policy = strapi_kit::RetryPolicy::default()
        .jitter(false)
        .base_delay(std::time::Duration::from_millis(20));
    Client::new(
        StrapiConfig::builder(&proxy.url)
            .api_token(&server().full_token)
            .pool_max_idle_per_host(0)
            .retry(policy)
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn target() -> String {
    server().url.trim_start_matches("http://").to_owned()
}

#[maybe]
async fn count_slug(slug: &str) -> usize {
    let q = StrapiQuery::new().filter(FilterBuilder::new().eq("slug", slug));
    let got: ListResponse<Value> = client().get_many("articles", &q).await.unwrap();
    got.data.len()
}

#[maybe]
#[the_test]
async fn a_lost_create_says_it_may_have_happened_and_create_once_stores_once() {
    let proxy = LosingProxy::start(&target(), "POST", 1);
    let title = unique("lost-create");
    let data = json!({"title": title, "slug": slug(&title)});
    let err = through(&proxy)
        .create::<Value, _>("articles", &data)
        .await
        .unwrap_err();
    assert_eq!(proxy.lost(), 1);
    assert!(err.may_have_applied(), "{err:?}");
    let n = count_slug(&slug(&title)).await;
    assert_eq!(n, 1, "stored exactly once");

    let proxy = LosingProxy::start(&target(), "POST", 1);
    let title = unique("once");
    let data = json!({"title": title, "slug": slug(&title)});
    let created: EntryResponse<Value> = through(&proxy)
        .create_once("articles", &data, "slug")
        .await
        .unwrap();
    assert_eq!(proxy.lost(), 1, "the first answer was lost");
    assert_eq!(created.data["title"], json!(title));
    let n = count_slug(&slug(&title)).await;
    assert_eq!(n, 1, "no duplicate");
}

#[maybe]
#[the_test]
async fn a_delete_whose_answer_was_lost_is_ok_and_done() {
    let title = unique("lost-delete");
    let created: EntryResponse<Value> = client()
        .create("articles", &json!({"title": title, "slug": slug(&title)}))
        .await
        .unwrap();
    let proxy = LosingProxy::start(&target(), "DELETE", 1);
    through(&proxy)
        .remove("articles", key(&created.data))
        .await
        .unwrap();
    assert_eq!(proxy.lost(), 1);
    let n = count_slug(&slug(&title)).await;
    assert_eq!(n, 0);

    let up = client()
        .upload_bytes(b"gone".to_vec(), "gone.txt", &UploadOptions::new())
        .await
        .unwrap();
    let proxy = LosingProxy::start(&target(), "DELETE", 1);
    let deleted = through(&proxy).delete_media(up.id).await.unwrap();
    assert_eq!(proxy.lost(), 1);
    assert!(deleted.is_none(), "{deleted:?}");
    let err = client().get_media(up.id).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[maybe]
#[the_test]
async fn an_upload_with_a_unique_name_is_stored_once_though_its_answer_was_lost() {
    let proxy = LosingProxy::start(&target(), "POST", 1);
    let name = format!("{}.txt", unique("once-upload"));
    let up = through(&proxy)
        .upload_bytes(
            b"only once".to_vec(),
            &name,
            &UploadOptions::new().unique_name(true),
        )
        .await
        .unwrap();
    assert_eq!(proxy.lost(), 1, "the first answer was lost");
    assert_eq!(up.name, name);
    let q = StrapiQuery::new().filter(FilterBuilder::new().eq("name", name.as_str()));
    let stored = client().list_media(&q).await.unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
    client().delete_media(up.id).await.unwrap();
}
