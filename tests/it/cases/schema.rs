//! Schema introspection through the content-type builder, typed, on both versions.

use super::*;
use strapi_kit::{AttributeType, ContentTypeKind, RelationKind};

#[maybe]
#[the_test]
async fn content_types_and_one_schema() {
    let c = client();
    let all = c.content_types().await.unwrap();
    let mut api: Vec<(&str, &str, bool)> = all
        .iter()
        .filter(|ct| ct.is_api())
        .map(|ct| (ct.uid.as_str(), ct.route(), ct.draft_and_publish))
        .collect();
    api.sort();
    assert_eq!(
        api,
        [
            ("api::article.article", "articles", true),
            ("api::author.author", "authors", false),
            ("api::book.book", "books", true),
            ("api::category.category", "categories", false),
            ("api::homepage.homepage", "homepage", false),
            ("api::library.library", "library", true),
            ("api::shelf.shelf", "shelves", true),
            ("api::showcase.showcase", "showcase", false),
            ("api::specimen.specimen", "specimens", false),
        ]
    );
    let user = all
        .iter()
        .find(|ct| ct.uid == "plugin::users-permissions.user")
        .expect("plugin types are listed");
    assert_eq!(user.plugin.as_deref(), Some("users-permissions"));
    let home = all
        .iter()
        .find(|ct| ct.uid == "api::homepage.homepage")
        .unwrap();
    assert_eq!(home.kind, ContentTypeKind::Single);

    let article = c.content_type("api::article.article").await.unwrap();
    assert_eq!(article.kind, ContentTypeKind::Collection);
    assert_eq!(
        (
            article.singular_name.as_str(),
            article.plural_name.as_str(),
            article.display_name.as_str()
        ),
        ("article", "articles", "Article")
    );
    assert!(article.draft_and_publish);
    assert!(article.localized);
    let a = &article.attributes;
    let names: Vec<&str> = a.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "author",
            "categories",
            "content",
            "cover",
            "featured",
            "gallery",
            "published",
            "publishedDate",
            "seo",
            "slug",
            "tags",
            "title",
            "views"
        ]
    );
    assert_eq!(a["title"].kind, AttributeType::String);
    assert!(a["title"].required);
    assert_eq!(a["title"].raw["maxLength"], json!(120));
    assert_eq!(a["title"].localized, Some(true));
    assert!(!a["content"].required);
    assert_eq!(a["slug"].kind, AttributeType::Uid);
    assert_eq!(a["views"].default, Some(json!(0)));
    assert_eq!(a["publishedDate"].kind, AttributeType::DateTime);
    assert_eq!(a["tags"].kind, AttributeType::Json);
    assert_eq!(a["author"].kind, AttributeType::Relation);
    assert_eq!(a["author"].relation, Some(RelationKind::ManyToOne));
    assert_eq!(a["author"].target.as_deref(), Some("api::author.author"));
    assert_eq!(a["author"].inversed_by.as_deref(), Some("articles"));
    assert!(!a["author"].is_to_many());
    assert_eq!(a["categories"].relation, Some(RelationKind::ManyToMany));
    assert!(a["categories"].is_to_many());
    assert_eq!(a["seo"].kind, AttributeType::Component);
    assert_eq!(a["seo"].component.as_deref(), Some("shared.seo"));
    assert!(!a["seo"].repeatable);
    assert_eq!(a["cover"].kind, AttributeType::Media);
    assert!(!a["cover"].multiple);
    assert!(a["gallery"].multiple);
    assert_eq!(
        a["gallery"].allowed_types,
        ["images", "files", "videos", "audios"]
    );

    let author = c.content_type("api::author.author").await.unwrap();
    assert!(!author.localized && !author.draft_and_publish);
    assert_eq!(author.attributes["email"].kind, AttributeType::Email);
    assert_eq!(
        author.attributes["articles"].relation,
        Some(RelationKind::OneToMany)
    );
    assert_eq!(
        author.attributes["articles"].mapped_by.as_deref(),
        Some("author")
    );
}

#[maybe]
#[the_test]
async fn components_and_errors() {
    let c = client();
    let comps = c.components().await.unwrap();
    let mut uids: Vec<&str> = comps.iter().map(|c| c.uid.as_str()).collect();
    uids.sort_unstable();
    assert_eq!(
        uids,
        [
            "codegen.card",
            "shared.seo",
            "transfer.link",
            "transfer.note"
        ]
    );
    let seo = c.component("shared.seo").await.unwrap();
    assert_eq!(seo.category, "shared");
    assert_eq!(seo.display_name, "Seo");
    assert_eq!(seo.icon.as_deref(), Some("search"));
    let names: Vec<&str> = seo.attributes.keys().map(String::as_str).collect();
    assert_eq!(names, ["metaDescription", "metaTitle"]);
    assert_eq!(seo.attributes["metaDescription"].kind, AttributeType::Text);

    let err = c.content_type("api::nope.nope").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    for bad in ["articles", "api::a/b.c", "", "../x.y"] {
        let err = c.content_type(bad).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{bad:?}: {err:?}");
    }
    // Not allowed: the read-only token and the public role.
    let err = read_client().content_types().await.unwrap_err();
    assert!(matches!(err, Error::Authorization(_)), "{err:?}");
    let err = anon_client()
        .content_type("api::article.article")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Authorization(_)), "{err:?}");
    let err = anon_client().components().await.unwrap_err();
    assert!(err.is_authorization(), "{err:?}");
}
