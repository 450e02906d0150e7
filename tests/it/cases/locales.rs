//! Locales with one API on both versions: create a localization (v5 `PUT ?locale=`, v4
//! `POST …/localizations` with its bare answer), read and update one locale, write in a
//! locale with `create_with`.

use super::*;

#[maybe]
#[the_test]
async fn localization_create_read_update() {
    let c = client();
    let t = unique("i18n");
    let en: EntryResponse<Entry> = c
        .create("articles", &json!({"title": t, "views": 1}))
        .await
        .unwrap();
    let en_id = en.data.key().unwrap();
    let fr_title = format!("{t} fr");
    let fr: EntryResponse<Entry> = c
        .create_localization(
            "articles",
            en_id.as_str(),
            "fr",
            &json!({"title": fr_title}),
        )
        .await
        .unwrap();
    assert_eq!(fr.data.locale.as_deref(), Some("fr"));
    assert_eq!(fr.data.attributes["title"], json!(fr_title));
    assert!(
        fr.data.published_at.is_some(),
        "published, like a create (v4 makes it a draft first)"
    );
    if is_v5() {
        assert_eq!(fr.data.document_id, en.data.document_id, "one document");
    } else {
        assert_ne!(fr.data.id, en.data.id, "v4: one entry per locale");
    }
    let fr_id = fr.data.key().unwrap();

    // Read each locale from either id.
    let got: EntryResponse<Value> = c
        .get_localization("articles", en_id.as_str(), "fr", &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(got.data["title"], json!(fr_title));
    let got: EntryResponse<Value> = c
        .get_localization("articles", fr_id.as_str(), "en", &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(got.data["title"], json!(t));

    // Update one locale; the other keeps its fields.
    let updated: EntryResponse<Value> = c
        .update_localization(
            "articles",
            en_id.as_str(),
            "fr",
            &json!({"views": 9}),
            &StrapiQuery::new(),
        )
        .await
        .unwrap();
    assert_eq!(updated.data["views"], json!(9));
    assert_eq!(updated.data["locale"], json!("fr"));
    let en_again: EntryResponse<Value> = c
        .get_localization("articles", en_id.as_str(), "en", &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(en_again.data["views"], json!(1));

    // Listing per locale and across locales.
    let only = StrapiQuery::new().filter(FilterBuilder::new().starts_with("title", &t));
    let fr_list: ListResponse<Value> = c
        .get_many("articles", &only.clone().locale("fr"))
        .await
        .unwrap();
    assert_eq!(titles(&fr_list), [fr_title.as_str()]);
    let all: ListResponse<Value> = c
        .get_many("articles", &only.clone().all_locales())
        .await
        .unwrap();
    assert_eq!(titles(&all), [t.clone(), fr_title.clone()]);

    // A locale the entry does not have.
    let err = c
        .get_localization::<Value>("articles", en_id.as_str(), "de", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let err = c
        .get_localization::<Value>("articles", en_id.as_str(), "f r", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}

#[maybe]
#[the_test]
async fn create_with_locale_and_draft_localizations() {
    let c = client();
    let t = unique("i18n-create");
    // create_with + locale works on v4 too (the locale goes into the data there), on a
    // client that has not seen the server yet.
    assert_eq!(c.api_version(), None);
    let fr: EntryResponse<Entry> = c
        .create_with(
            "articles",
            &json!({"title": t}),
            &StrapiQuery::new().locale("fr"),
        )
        .await
        .unwrap();
    assert_eq!(fr.data.locale.as_deref(), Some("fr"));
    assert!(fr.data.published_at.is_some());
    let only = StrapiQuery::new().filter(FilterBuilder::new().eq("title", &t));
    let en: ListResponse<Value> = c.get_many("articles", &only).await.unwrap();
    assert!(en.data.is_empty());
    let fr_list: ListResponse<Value> = c
        .get_many("articles", &only.clone().locale("fr"))
        .await
        .unwrap();
    assert_eq!(fr_list.data.len(), 1);

    // Locale and draft together.
    let t2 = unique("i18n-draft");
    let fr_draft: EntryResponse<Entry> = c
        .create_with(
            "articles",
            &json!({"title": t2}),
            &StrapiQuery::new()
                .locale("fr")
                .status(DocumentStatus::Draft),
        )
        .await
        .unwrap();
    assert_eq!(fr_draft.data.locale.as_deref(), Some("fr"));
    assert_eq!(fr_draft.data.published_at, None);

    // A draft localization, with the answer shaped by the query.
    let base: EntryResponse<Entry> = c
        .create(
            "articles",
            &json!({"title": unique("i18n-base"), "views": 3}),
        )
        .await
        .unwrap();
    let t3 = unique("i18n-fr-draft");
    let draft: EntryResponse<Value> = c
        .create_localization_with(
            "articles",
            base.data.key().unwrap().as_str(),
            "fr",
            &json!({"title": t3}),
            &StrapiQuery::new().status(DocumentStatus::Draft).fields([
                "title",
                "locale",
                "publishedAt",
            ]),
        )
        .await
        .unwrap();
    assert_eq!(draft.data["title"], json!(t3));
    assert_eq!(draft.data["locale"], json!("fr"));
    assert_eq!(draft.data["publishedAt"], Value::Null);
    assert!(
        draft.data.get("views").is_none(),
        "fields applied: {}",
        draft.data
    );
    if !is_v5() {
        // Strapi 4 refuses a second localization in the same locale.
        let err = c
            .create_localization::<Value, _>(
                "articles",
                base.data.key().unwrap().as_str(),
                "fr",
                &json!({"title": unique("again")}),
            )
            .await
            .unwrap_err();
        assert!(err.is_validation(), "{err:?}");
    }

    // The configured locales.
    let locales = c.locales().await.unwrap();
    let mut codes: Vec<(&str, bool)> = locales
        .iter()
        .map(|l| (l.code.as_str(), l.is_default))
        .collect();
    codes.sort();
    assert_eq!(codes, [("en", true), ("fr", false)]);
}
