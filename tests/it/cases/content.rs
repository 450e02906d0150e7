//! Content API against a real server: CRUD, typed results, relations, components, single
//! types, draft reading, raw requests, version detection.

use super::*;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Author {
    name: String,
    #[serde(default)]
    email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Seo {
    meta_title: Option<String>,
    meta_description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Article {
    id: u64,
    #[serde(default)]
    document_id: Option<String>,
    title: String,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    views: Option<i64>,
    #[serde(default)]
    tags: Option<Value>,
    #[serde(default)]
    author: Option<Author>,
    #[serde(default)]
    seo: Option<Seo>,
    #[serde(default)]
    published_at: Option<String>,
}

impl Article {
    fn key(&self) -> String {
        self.document_id
            .clone()
            .unwrap_or_else(|| self.id.to_string())
    }
}

#[maybe]
async fn new_author(c: &Client, name: &str) -> Value {
    let created: EntryResponse<Value> = c
        .create(
            "authors",
            &json!({"name": name, "email": format!("{}@example.com", slug(name))}),
        )
        .await
        .expect("create author");
    created.data
}

/// How to point a relation at `entry`: its documentId on v5, its id on v4.
fn relation(entry: &Value) -> Value {
    match entry.get("documentId") {
        Some(d) => d.clone(),
        None => entry["id"].clone(),
    }
}

#[maybe]
#[the_test]
async fn create_then_get_one() {
    let c = client();
    let t = unique("create");
    let created: EntryResponse<Article> = c
        .create(
            "articles",
            &json!({"title": t, "slug": slug(&t), "views": 3}),
        )
        .await
        .unwrap();
    assert_eq!(created.data.title, t);
    assert_eq!(created.data.views, Some(3));
    assert_eq!(created.data.document_id.is_some(), is_v5());
    let got: EntryResponse<Article> = c
        .get_one("articles", created.data.key(), &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(got.data.title, t);
    assert_eq!(got.data.slug.as_deref(), Some(slug(&t).as_str()));
    assert!(
        got.data.published_at.is_some(),
        "created entries are published"
    );
}

#[maybe]
#[the_test]
async fn version_is_detected_from_responses() {
    let c = client();
    assert_eq!(c.api_version(), None);
    let _: ListResponse<Value> = c
        .get_many("articles", &StrapiQuery::new().paginate(1, 1))
        .await
        .unwrap();
    // An empty list shows nothing; create one entry to be sure the detection had data.
    if c.api_version().is_none() {
        let _: EntryResponse<Value> = c
            .create("articles", &json!({"title": unique("detect")}))
            .await
            .unwrap();
    }
    assert_eq!(c.api_version(), Some(server().version));
    let fresh = client();
    let detected = fresh.detect_version().await.unwrap();
    assert_eq!(detected, server().version);
}

#[maybe]
#[the_test]
async fn update_changes_only_given_fields() {
    let c = client();
    let t = unique("update");
    let created: EntryResponse<Article> = c
        .create("articles", &json!({"title": t, "views": 1, "tags": ["a"]}))
        .await
        .unwrap();
    let updated: EntryResponse<Article> = c
        .update("articles", created.data.key(), &json!({"views": 42}))
        .await
        .unwrap();
    assert_eq!(updated.data.views, Some(42));
    assert_eq!(updated.data.title, t);
    assert_eq!(updated.data.tags, Some(json!(["a"])));
}

#[maybe]
#[the_test]
async fn remove_then_get_is_not_found() {
    let c = client();
    let created: EntryResponse<Article> = c
        .create("articles", &json!({"title": unique("remove")}))
        .await
        .unwrap();
    c.remove("articles", created.data.key()).await.unwrap();
    let err = c
        .get_one::<Value>("articles", created.data.key(), &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert!(matches!(err, Error::NotFound(_)));
    let again = c.remove("articles", created.data.key()).await;
    if is_v5() {
        // Strapi 5 answers 204 for a documentId it does not have (deletes are idempotent).
        again.unwrap();
    } else {
        assert!(again.unwrap_err().is_not_found());
    }
}

#[maybe]
#[the_test]
async fn relation_and_component_come_back_flat_on_both_versions() {
    let c = client();
    let name = unique("Ada");
    let author = new_author(&c, &name).await;
    let t = unique("related");
    let created: EntryResponse<Value> = c
        .create(
            "articles",
            &json!({
                "title": t,
                "author": relation(&author),
                "seo": {"metaTitle": "Meta", "metaDescription": "Desc"}
            }),
        )
        .await
        .unwrap();
    let got: EntryResponse<Article> = c
        .get_one(
            "articles",
            key(&created.data),
            &StrapiQuery::new().populate(["author", "seo"]),
        )
        .await
        .unwrap();
    assert_eq!(
        got.data.author.as_ref().map(|a| a.name.as_str()),
        Some(name.as_str())
    );
    assert_eq!(
        got.data.seo,
        Some(Seo {
            meta_title: Some("Meta".into()),
            meta_description: Some("Desc".into())
        })
    );
}

#[maybe]
#[the_test]
async fn get_many_typed_with_pagination_meta() {
    let c = client();
    let prefix = unique("many");
    for i in 0..3 {
        let _: EntryResponse<Value> = c
            .create(
                "articles",
                &json!({"title": format!("{prefix} {i}"), "views": i}),
            )
            .await
            .unwrap();
    }
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("title", &prefix))
        .sort_asc("views")
        .paginate(1, 2);
    let page: ListResponse<Article> = c.get_many("articles", &q).await.unwrap();
    assert_eq!(page.data.len(), 2);
    assert_eq!(page.data[0].views, Some(0));
    let p = page.meta.pagination.unwrap();
    assert_eq!(
        (p.page, p.page_size, p.page_count, p.total),
        (Some(1), Some(2), Some(2), Some(3))
    );
}

#[maybe]
#[the_test]
async fn entry_wrapper_splits_system_fields() {
    #[derive(Debug, Deserialize)]
    struct Fields {
        title: String,
    }
    let c = client();
    let t = unique("entry");
    let _: EntryResponse<Value> = c.create("articles", &json!({"title": t})).await.unwrap();
    let list: ListResponse<Entry<Fields>> = c
        .get_many(
            "articles",
            &StrapiQuery::new().filter(FilterBuilder::new().eq("title", &t)),
        )
        .await
        .unwrap();
    let e = &list.data[0];
    assert_eq!(e.attributes.title, t);
    assert!(e.id.is_some());
    assert!(e.created_at.is_some());
    assert_eq!(e.document_id.is_some(), is_v5());
    assert_eq!(e.locale.as_deref(), Some("en"));
}

#[maybe]
#[the_test]
async fn json_field_round_trips() {
    let c = client();
    let tags = json!({"nested": [1, "two", {"three": null}], "ok": true});
    let created: EntryResponse<Article> = c
        .create("articles", &json!({"title": unique("json"), "tags": tags}))
        .await
        .unwrap();
    let got: EntryResponse<Article> = c
        .get_one("articles", created.data.key(), &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(got.data.tags, Some(tags));
}

#[maybe]
#[the_test]
async fn single_type_update_get_delete() {
    let c = client();
    let t = unique("home");
    let put: EntryResponse<Value> = c
        .update_single("homepage", &json!({"title": t}))
        .await
        .unwrap();
    assert_eq!(put.data["title"], json!(t));
    // The public role may read the homepage.
    let got: EntryResponse<Value> = anon_client()
        .get_single("homepage", &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(got.data["title"], json!(t));
    c.delete_single("homepage").await.unwrap();
    let err = c
        .get_single::<Value>("homepage", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
}

#[maybe]
#[the_test]
async fn ids_with_reserved_characters_stay_one_segment() {
    let c = client();
    for id in ["a/b", "x?status=draft", "frag#ment", "%2F", "..a"] {
        let err = c
            .get_one::<Value>("articles", id, &StrapiQuery::new())
            .await
            .unwrap_err();
        // The route matched /api/articles/:id with the whole id: a 404 (or v4's 400/404),
        // never a list or another route.
        assert!(matches!(err.status(), Some(400 | 404)), "{id}: {err:?}");
    }
    for bad in ["", " ", ".", ".."] {
        let err = c
            .get_one::<Value>("articles", bad, &StrapiQuery::new())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
}

#[maybe]
#[the_test]
async fn raw_request_escape_hatch() {
    let c = client();
    let t = unique("raw");
    let _: EntryResponse<Value> = c.create("articles", &json!({"title": t})).await.unwrap();
    let body: Value = c
        .request(strapi_kit::Method::GET, "/api/articles")
        .query(&StrapiQuery::new().filter(FilterBuilder::new().eq("title", &t)))
        .send()
        .await
        .unwrap();
    let first = &body["data"][0];
    if is_v5() {
        assert_eq!(first["title"], json!(t));
    } else {
        // Raw means raw: the v4 envelope is kept.
        assert_eq!(first["attributes"]["title"], json!(t));
    }
    let (status, bytes) = c
        .request(strapi_kit::Method::GET, "/_health")
        .send_bytes()
        .await
        .unwrap();
    assert_eq!(status, 204);
    assert!(bytes.is_empty());
}

#[maybe]
#[the_test]
async fn drafts_are_read_with_status_draft() {
    let c = client();
    let t = unique("draft");
    let created: EntryResponse<Value> = c
        .create_with(
            "articles",
            &json!({"title": t}),
            &StrapiQuery::new().status(DocumentStatus::Draft),
        )
        .await
        .unwrap();
    assert_eq!(created.data["publishedAt"], Value::Null);
    let only_this = FilterBuilder::new().eq("title", &t);
    let published: ListResponse<Value> = c
        .get_many("articles", &StrapiQuery::new().filter(only_this.clone()))
        .await
        .unwrap();
    assert!(
        published.data.is_empty(),
        "drafts are not listed by default"
    );
    let drafts: ListResponse<Value> = c
        .get_many(
            "articles",
            &StrapiQuery::new()
                .filter(only_this)
                .status(DocumentStatus::Draft),
        )
        .await
        .unwrap();
    assert_eq!(titles(&drafts), [t]);
}

#[maybe]
#[the_test]
async fn typed_decode_error_names_the_path() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        title: u64,
    }
    let c = client();
    let t = unique("decode");
    let _: EntryResponse<Value> = c.create("articles", &json!({"title": t})).await.unwrap();
    let err = c
        .get_many::<Wrong>(
            "articles",
            &StrapiQuery::new().filter(FilterBuilder::new().eq("title", &t)),
        )
        .await
        .unwrap_err();
    match err {
        Error::Decode { path, .. } => assert_eq!(path, "data[0].title"),
        other => panic!("{other:?}"),
    }
}

#[maybe]
#[the_test]
async fn login_as_user_and_me() {
    let anon = anon_client();
    let (user, profile) = anon
        .login(&server().user_email, &server().user_password)
        .await
        .unwrap();
    assert_eq!(profile.email, server().user_email);
    let me = user.me().await.unwrap();
    assert_eq!(me.email, server().user_email);
    let err = anon
        .login(&server().user_email, "wrong-password")
        .await
        .unwrap_err();
    assert!(err.is_validation(), "{err:?}");
}
