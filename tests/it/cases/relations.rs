//! Writing relations with `Relation` (connect / disconnect / set / positions) on both
//! versions: article.author (many-to-one) and article.categories (many-to-many).

use super::*;
use strapi_kit::{Position, Relation, RelationTarget};

#[maybe]
async fn make(c: &Client, collection: &str, name: &str) -> String {
    let created: EntryResponse<Value> = c
        .create(collection, &json!({"name": name}))
        .await
        .expect("create related entry");
    key(&created.data)
}

/// The article's author name and category names (in Strapi's order).
#[maybe]
async fn related(c: &Client, article: &str) -> (Option<String>, Vec<String>) {
    let q = StrapiQuery::new().fields(["title"]).populate_with(
        Populate::new()
            .field_with("author", PopulateField::new().fields(["name"]))
            .field_with("categories", PopulateField::new().fields(["name"])),
    );
    let got: EntryResponse<Value> = c.get_one("articles", article, &q).await.unwrap();
    let author = got.data["author"]["name"].as_str().map(str::to_owned);
    let cats = got.data["categories"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["name"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    (author, cats)
}

#[maybe]
async fn write(c: &Client, article: &str, field: &str, rel: Relation) {
    let value = c.relation(&rel).await.unwrap();
    let mut data = serde_json::Map::new();
    data.insert(field.to_owned(), value);
    let _: EntryResponse<Value> = c.update("articles", article, &data).await.unwrap();
}

#[maybe]
#[the_test]
async fn connect_disconnect_set_and_positions() {
    let c = client();
    let n = unique("rel");
    let (a1n, a2n) = (format!("{n} a1"), format!("{n} a2"));
    let a1 = make(&c, "authors", &a1n).await;
    let a2 = make(&c, "authors", &a2n).await;
    let cn: Vec<String> = (1..=3).map(|i| format!("{n} c{i}")).collect();
    let c1 = make(&c, "categories", &cn[0]).await;
    let c2 = make(&c, "categories", &cn[1]).await;
    let c3 = make(&c, "categories", &cn[2]).await;
    // Ids of the right kind per version: documentIds on v5, numbers on v4.
    assert_eq!(c1.parse::<u64>().is_ok(), !is_v5());

    // Create with connect.
    let author = c.relation(&Relation::connect([a1.as_str()])).await.unwrap();
    let cats = c
        .relation(&Relation::connect([c1.as_str(), c2.as_str()]))
        .await
        .unwrap();
    let created: EntryResponse<Value> = c
        .create(
            "articles",
            &json!({"title": unique("rel-article"), "author": author, "categories": cats}),
        )
        .await
        .unwrap();
    let art = key(&created.data);
    let now = related(&c, &art).await;
    assert_eq!(now, (Some(a1n.clone()), vec![cn[0].clone(), cn[1].clone()]));

    // Connect + disconnect in one change; set on a to-one replaces.
    write(
        &c,
        &art,
        "categories",
        Relation::connect([c3.as_str()]).and_disconnect([c1.as_str()]),
    )
    .await;
    write(&c, &art, "author", Relation::set([a2.as_str()])).await;
    let now = related(&c, &art).await;
    assert_eq!(now, (Some(a2n.clone()), vec![cn[1].clone(), cn[2].clone()]));

    // Positions: c1 before c3, then c3 first.
    write(
        &c,
        &art,
        "categories",
        Relation::connect([
            RelationTarget::new(c1.as_str()).position(Position::Before(c3.as_str().into()))
        ]),
    )
    .await;
    let now = related(&c, &art).await;
    assert_eq!(now.1, [cn[1].clone(), cn[0].clone(), cn[2].clone()]);
    write(
        &c,
        &art,
        "categories",
        Relation::connect([RelationTarget::new(c3.as_str()).position(Position::Start)]),
    )
    .await;
    let now = related(&c, &art).await;
    assert_eq!(now.1, [cn[2].clone(), cn[1].clone(), cn[0].clone()]);

    // Set replaces the whole to-many relation, in the given order; clear empties it.
    write(
        &c,
        &art,
        "categories",
        Relation::set([c2.as_str(), c1.as_str()]),
    )
    .await;
    let now = related(&c, &art).await;
    assert_eq!(now.1, [cn[1].clone(), cn[0].clone()]);
    write(&c, &art, "categories", Relation::clear()).await;
    write(&c, &art, "author", Relation::disconnect([a2.as_str()])).await;
    let now = related(&c, &art).await;
    assert_eq!(now, (None, vec![]));

    // The wrong kind of id for the version is refused before sending.
    if !is_v5() {
        let r = c
            .relation(&Relation::connect(["k8yq2b0d5x1c3v7n9m4p6l2j"]))
            .await;
        assert!(matches!(r, Err(Error::InvalidInput(_))), "{r:?}");
    }
    let err = c
        .relation(&Relation::set([1]).and_connect([2]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
}
