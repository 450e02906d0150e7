//! Draft & publish with one API on both versions: create a draft, list drafts and
//! published entries, publish, unpublish (Strapi 5: through the admin API with an admin
//! token).

use super::*;

/// The titles of `query` restricted to drafts (no published version) and to published
/// entries, each sorted.
#[maybe]
async fn states(c: &Client, t: &str) -> (Vec<String>, Vec<String>) {
    let only = StrapiQuery::new().filter(FilterBuilder::new().starts_with("title", t));
    let drafts: ListResponse<Value> = c.get_drafts("articles", &only).await.unwrap();
    let published: ListResponse<Value> = c.get_published("articles", &only).await.unwrap();
    (titles(&drafts), titles(&published))
}

/// A client with a Strapi 5 admin token allowed to publish articles: `STRAPI_V5_ADMIN_TOKEN`,
/// or one made here (registering the first admin of the test server, or logging in as it).
#[maybe]
async fn admin_client() -> Client {
    if let Ok(token) = std::env::var("STRAPI_V5_ADMIN_TOKEN") {
        return Client::new(config(&server().url, Some(&token))).unwrap();
    }
    let anon = anon_client();
    let (email, password) = ("itest-admin@example.com", "Itest-admin-Passw0rd");
    let registered: Result<Value, Error> = anon
        .request(strapi_kit::Method::POST, "/admin/register-admin")
        .json(
            &json!({"firstname": "Itest", "lastname": "Admin", "email": email,
                       "password": password}),
        )
        .send()
        .await;
    let session = match registered {
        Ok(v) => v,
        // Registered before (by the other flavour's test): log in.
        Err(_) => anon
            .request(strapi_kit::Method::POST, "/admin/login")
            .json(&json!({"email": email, "password": password}))
            .send::<Value>()
            .await
            .expect(
                "cannot register or log in as the test admin; set STRAPI_V5_ADMIN_TOKEN to an \
                 admin token with Publish on articles",
            ),
    };
    let jwt = session["data"]["token"]
        .as_str()
        .expect("admin jwt")
        .to_owned();
    let as_admin = Client::new(config(&server().url, Some(&jwt))).unwrap();
    let locales = json!({"locales": ["en", "fr"]});
    let created: Value = as_admin
        .request(strapi_kit::Method::POST, "/admin/admin-tokens")
        .json(&json!({
            "name": unique("itest-admin-token"),
            "lifespan": null,
            "adminPermissions": [
                {"action": "plugin::content-manager.explorer.publish",
                 "subject": "api::article.article", "properties": locales},
                {"action": "plugin::content-manager.explorer.read",
                 "subject": "api::article.article", "properties": locales}
            ]
        }))
        .send()
        .await
        .expect("create an admin token");
    let token = created["data"]["accessKey"].as_str().expect("accessKey");
    Client::new(config(&server().url, Some(token))).unwrap()
}

#[maybe]
#[the_test]
async fn draft_publish_unpublish_round_trip() {
    let c = client();
    let t = unique("dp");
    let created: EntryResponse<Entry> = c
        .create_draft("articles", &json!({"title": t, "views": 7}))
        .await
        .unwrap();
    assert_eq!(created.data.published_at, None);
    let id = created.data.key().unwrap();
    let now = states(&c, &t).await;
    assert_eq!(now, (vec![t.clone()], vec![]));

    let published: EntryResponse<Entry> = c.publish("articles", id.as_str()).await.unwrap();
    assert!(published.data.published_at.is_some());
    assert_eq!(published.data.attributes["views"], json!(7));
    let now = states(&c, &t).await;
    assert_eq!(now, (vec![], vec![t.clone()]));

    // Unpublish: Strapi 4 with any token allowed to update; Strapi 5 only through the
    // admin API, with an admin token.
    if is_v5() {
        let err = c.unpublish("articles", id.as_str()).await.unwrap_err();
        assert!(matches!(err, Error::Authentication(_)), "{err:?}");
        assert!(err.to_string().contains("admin token"), "{err}");
        let now = states(&c, &t).await;
        assert_eq!(now, (vec![], vec![t.clone()]));
        admin_client()
            .await
            .unpublish("articles", id.as_str())
            .await
            .unwrap();
    } else {
        c.unpublish("articles", id.as_str()).await.unwrap();
    }
    let now = states(&c, &t).await;
    assert_eq!(now, (vec![t.clone()], vec![]));
    // The content is kept, as a draft.
    let draft: EntryResponse<Value> = c
        .get_one(
            "articles",
            id.as_str(),
            &StrapiQuery::new().status(DocumentStatus::Draft),
        )
        .await
        .unwrap();
    assert_eq!(draft.data["title"], json!(t));
    assert_eq!(draft.data["views"], json!(7));
    assert_eq!(draft.data["publishedAt"], Value::Null);

    // And it can be published again.
    let again: EntryResponse<Entry> = c.publish("articles", id.as_str()).await.unwrap();
    assert!(again.data.published_at.is_some());
    let now = states(&c, &t).await;
    assert_eq!(now, (vec![], vec![t.clone()]));
}

#[maybe]
#[the_test]
async fn drafts_list_excludes_published_and_pages() {
    let c = client();
    let t = unique("dl");
    for i in 0..3 {
        let _: EntryResponse<Value> = c
            .create_draft("articles", &json!({"title": format!("{t} draft {i}")}))
            .await
            .unwrap();
    }
    let _: EntryResponse<Value> = c
        .create("articles", &json!({"title": format!("{t} live")}))
        .await
        .unwrap();
    let (drafts, published) = states(&c, &t).await;
    assert_eq!(
        drafts,
        [
            format!("{t} draft 0"),
            format!("{t} draft 1"),
            format!("{t} draft 2")
        ]
    );
    assert_eq!(published, [format!("{t} live")]);
    // status(Draft) alone is wider: v5 draft versions of every document, v4 everything.
    let wide: ListResponse<Value> = c
        .get_many(
            "articles",
            &StrapiQuery::new()
                .filter(FilterBuilder::new().starts_with("title", &t))
                .status(DocumentStatus::Draft),
        )
        .await
        .unwrap();
    assert_eq!(wide.data.len(), 4);
    // drafts_query composes with get_all.
    let q = c
        .drafts_query(
            &StrapiQuery::new()
                .filter(FilterBuilder::new().starts_with("title", &t))
                .paginate(1, 2),
        )
        .await
        .unwrap();
    let all: Vec<Value> = c.get_all("articles", &q).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|e| e["publishedAt"].is_null()));
}

#[maybe]
#[the_test]
async fn publish_errors_are_typed() {
    let c = client();
    let missing = if is_v5() {
        "nosuchdocument0000000000"
    } else {
        "99999999"
    };
    let err = c.publish::<Value>("articles", missing).await.unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = c.publish::<Value>("articles", "..").await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    let err = c
        .unpublish_with("articles", "x", &StrapiQuery::new().all_locales())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    // The read-only token may not publish.
    let t = unique("dp-ro");
    let created: EntryResponse<Value> = c
        .create_draft("articles", &json!({"title": t}))
        .await
        .unwrap();
    let err = read_client()
        .publish::<Value>("articles", key(&created.data))
        .await
        .unwrap_err();
    assert!(err.is_authorization(), "{err:?}");
    if is_v5() {
        // Unpublishing a document that was never published: Strapi 5 says 404.
        let err = admin_client()
            .await
            .unpublish("articles", key(&created.data))
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err:?}");
    }
}

#[maybe]
#[the_test]
async fn unpublish_works_with_the_clients_admin_login() {
    // One client: the API token for content, the admin login for Strapi 5's unpublish.
    let c = Client::new(
        StrapiConfig::builder(&server().url)
            .api_token(&server().full_token)
            .admin_login(&server().admin_email, &server().admin_password)
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = unique("unpub-admin-login");
    let created: EntryResponse<Value> = c.create("articles", &json!({"title": t})).await.unwrap();
    let id = key(&created.data);
    c.unpublish("articles", id.as_str()).await.unwrap();
    let now = states(&c, &t).await;
    assert_eq!(now, (vec![t.clone()], vec![]));
}
