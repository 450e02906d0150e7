//! The query builder against a real server: every filter operator on real data (asserting
//! which entries come back), relation paths, groups, sort, both paginations, populate with
//! fields, field selection, locale.

use super::*;

/// Five articles titled `{p} alpha` … `{p} Epsilon`, views 10…50, and the prefix.
#[maybe]
async fn dataset(c: &Client, tag: &str) -> String {
    let p = unique(tag);
    let rows = [
        (
            "alpha",
            10,
            true,
            Some("Lorem ipsum"),
            "2024-01-10T00:00:00.000Z",
        ),
        (
            "Beta",
            20,
            false,
            Some("dolor sit"),
            "2024-02-10T00:00:00.000Z",
        ),
        ("gamma", 30, true, None, "2024-03-10T00:00:00.000Z"),
        (
            "delta",
            40,
            false,
            Some("amet LOREM"),
            "2024-04-10T00:00:00.000Z",
        ),
        ("Epsilon", 50, true, None, "2024-05-10T00:00:00.000Z"),
    ];
    for (name, views, featured, content, date) in rows {
        let _: EntryResponse<Value> = c
            .create(
                "articles",
                &json!({
                    "title": format!("{p} {name}"),
                    "views": views,
                    "featured": featured,
                    "content": content,
                    "publishedDate": date,
                }),
            )
            .await
            .expect("create dataset row");
    }
    p
}

/// Asserts that `filter` (within the dataset) returns exactly `want` (name parts, sorted).
#[maybe]
async fn expect(c: &Client, p: &str, filter: FilterBuilder, want: &[&str]) {
    let got = names(c, p, filter.clone()).await;
    assert_eq!(got, want, "filter {filter:?}");
}

/// The name part of the titles that `filter` (plus the dataset prefix) returns, sorted.
#[maybe]
async fn names(c: &Client, p: &str, filter: FilterBuilder) -> Vec<String> {
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("title", p))
        .filter(filter)
        .paginate(1, 100);
    let list: ListResponse<Value> = c.get_many("articles", &q).await.expect("get_many");
    let mut out: Vec<String> = titles(&list)
        .into_iter()
        .map(|t| t.trim_start_matches(p).trim().to_owned())
        .collect();
    out.sort();
    out
}

#[maybe]
#[the_test]
async fn equality_operators() {
    let c = client();
    let p = dataset(&c, "eq").await;
    let f = |s: &str| format!("{p} {s}");
    expect(
        &c,
        &p,
        FilterBuilder::new().eq("title", f("alpha")),
        &["alpha"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().eqi("title", f("BETA")),
        &["Beta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().ne("views", 10),
        &["Beta", "Epsilon", "delta", "gamma"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().nei("title", f("EPSILON")),
        &["Beta", "alpha", "delta", "gamma"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().eq("featured", true),
        &["Epsilon", "alpha", "gamma"],
    )
    .await;
}

#[maybe]
#[the_test]
async fn comparison_operators() {
    let c = client();
    let p = dataset(&c, "cmp").await;
    expect(&c, &p, FilterBuilder::new().lt("views", 20), &["alpha"]).await;
    expect(
        &c,
        &p,
        FilterBuilder::new().lte("views", 20),
        &["Beta", "alpha"],
    )
    .await;
    expect(&c, &p, FilterBuilder::new().gt("views", 40), &["Epsilon"]).await;
    expect(
        &c,
        &p,
        FilterBuilder::new().gte("views", 40),
        &["Epsilon", "delta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().between("views", 20, 40),
        &["Beta", "delta", "gamma"],
    )
    .await;
    let before_march = FilterBuilder::new().lt("publishedDate", "2024-03-01T00:00:00.000Z");
    expect(&c, &p, before_march, &["Beta", "alpha"]).await;
}

#[maybe]
#[the_test]
async fn list_operators() {
    let c = client();
    let p = dataset(&c, "in").await;
    expect(
        &c,
        &p,
        FilterBuilder::new().in_("views", [10, 50]),
        &["Epsilon", "alpha"],
    )
    .await;
    expect(&c, &p, FilterBuilder::new().in_("views", [30]), &["gamma"]).await;
    expect(
        &c,
        &p,
        FilterBuilder::new().not_in("views", [10, 20, 30]),
        &["Epsilon", "delta"],
    )
    .await;
    // 100 values: the most Strapi's parser keeps as an array.
    let many: Vec<i64> = (1000..1099).chain([40]).collect();
    expect(&c, &p, FilterBuilder::new().in_("views", many), &["delta"]).await;
}

#[maybe]
#[the_test]
async fn string_operators() {
    let c = client();
    let p = dataset(&c, "str").await;
    expect(
        &c,
        &p,
        FilterBuilder::new().contains("content", "ipsum"),
        &["alpha"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().containsi("content", "lorem"),
        &["alpha", "delta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().not_contains("content", "ipsum"),
        &["Beta", "delta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().not_containsi("content", "LOREM"),
        &["Beta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().starts_with("content", "dolor"),
        &["Beta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().starts_withi("content", "AMET"),
        &["delta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().ends_with("content", "sit"),
        &["Beta"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().ends_withi("content", "ipsUM"),
        &["alpha"],
    )
    .await;
}

#[maybe]
#[the_test]
async fn null_operators() {
    let c = client();
    let p = dataset(&c, "null").await;
    expect(
        &c,
        &p,
        FilterBuilder::new().null("content"),
        &["Epsilon", "gamma"],
    )
    .await;
    expect(
        &c,
        &p,
        FilterBuilder::new().not_null("content"),
        &["Beta", "alpha", "delta"],
    )
    .await;
}

#[maybe]
#[the_test]
async fn groups_or_and_not() {
    let c = client();
    let p = dataset(&c, "grp").await;
    let or = FilterBuilder::new().or_group([
        FilterBuilder::new().eq("views", 10),
        FilterBuilder::new().gte("views", 50),
    ]);
    expect(&c, &p, or, &["Epsilon", "alpha"]).await;
    let not = FilterBuilder::new().not_group(FilterBuilder::new().eq("featured", true));
    expect(&c, &p, not, &["Beta", "delta"]).await;
    let nested = FilterBuilder::new().and_group([
        FilterBuilder::new().gte("views", 20),
        FilterBuilder::new().or_group([
            FilterBuilder::new().eq("featured", true),
            FilterBuilder::new().null("content").lt("views", 0),
        ]),
    ]);
    expect(&c, &p, nested, &["Epsilon", "gamma"]).await;
}

#[maybe]
#[the_test]
async fn two_or_groups_both_apply() {
    // The Python client drops the first group; here both reach the server.
    let c = client();
    let p = dataset(&c, "or2").await;
    let f = FilterBuilder::new()
        .or_group([
            FilterBuilder::new().eq("views", 10),
            FilterBuilder::new().eq("views", 20),
            FilterBuilder::new().eq("views", 30),
        ])
        .or_group([
            FilterBuilder::new().eq("featured", true),
            FilterBuilder::new().eq("views", 20),
        ]);
    expect(&c, &p, f, &["Beta", "alpha", "gamma"]).await;
    let same_field_twice = FilterBuilder::new().ne("views", 10).ne("views", 50);
    expect(&c, &p, same_field_twice, &["Beta", "delta", "gamma"]).await;
}

#[maybe]
#[the_test]
async fn relation_path_filter() {
    let c = client();
    let author_name = unique("Grace");
    let author: EntryResponse<Value> = c
        .create("authors", &json!({"name": author_name}))
        .await
        .unwrap();
    let author_ref = author
        .data
        .get("documentId")
        .cloned()
        .unwrap_or_else(|| author.data["id"].clone());
    let p = unique("rel");
    for (i, with_author) in [(0, true), (1, false), (2, true)] {
        let mut data = json!({"title": format!("{p} {i}")});
        if with_author {
            data["author"] = author_ref.clone();
        }
        let _: EntryResponse<Value> = c.create("articles", &data).await.unwrap();
    }
    expect(
        &c,
        &p,
        FilterBuilder::new().eq("author.name", &author_name),
        &["0", "2"],
    )
    .await;
    expect(&c, &p, FilterBuilder::new().null("author.name"), &["1"]).await;
}

#[maybe]
#[the_test]
async fn sort_by_several_fields() {
    let c = client();
    let p = dataset(&c, "sort").await;
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("title", &p))
        .sort_desc("featured")
        .sort_asc("views");
    let list: ListResponse<Value> = c.get_many("articles", &q).await.unwrap();
    let views: Vec<i64> = list
        .data
        .iter()
        .map(|e| e["views"].as_i64().unwrap())
        .collect();
    assert_eq!(views, [10, 30, 50, 20, 40]);
}

#[maybe]
#[the_test]
async fn page_and_offset_pagination() {
    let c = client();
    let p = dataset(&c, "page").await;
    let base = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("title", &p))
        .sort_asc("views");
    let page2: ListResponse<Value> = c
        .get_many("articles", &base.clone().paginate(2, 2))
        .await
        .unwrap();
    let views: Vec<i64> = page2
        .data
        .iter()
        .map(|e| e["views"].as_i64().unwrap())
        .collect();
    assert_eq!(views, [30, 40]);
    let m = page2.meta.pagination.unwrap();
    assert_eq!(
        (m.page, m.page_size, m.page_count, m.total),
        (Some(2), Some(2), Some(3), Some(5))
    );

    let offset: ListResponse<Value> = c
        .get_many("articles", &base.clone().offset(3, 10))
        .await
        .unwrap();
    let views: Vec<i64> = offset
        .data
        .iter()
        .map(|e| e["views"].as_i64().unwrap())
        .collect();
    assert_eq!(views, [40, 50]);
    let m = offset.meta.pagination.unwrap();
    assert_eq!((m.start, m.limit, m.total), (Some(3), Some(10), Some(5)));

    let uncounted: ListResponse<Value> = c
        .get_many("articles", &base.paginate(1, 2).with_count(false))
        .await
        .unwrap();
    assert_eq!(uncounted.data.len(), 2);
    assert_eq!(uncounted.meta.pagination.and_then(|m| m.total), None);
}

#[maybe]
#[the_test]
async fn page_size_is_clamped_to_100() {
    let c = client();
    let list: ListResponse<Value> = c
        .get_many(
            "articles",
            &StrapiQuery::new().paginate(1, 1000).fields(["title"]),
        )
        .await
        .unwrap();
    let m = list.meta.pagination.unwrap();
    assert_eq!(m.page_size, Some(100), "the server echoes the clamped size");
    assert!(list.data.len() <= 100);
}

#[maybe]
#[the_test]
async fn deep_populate_fields() {
    let c = client();
    let author_name = unique("Hopper");
    let author: EntryResponse<Value> = c
        .create(
            "authors",
            &json!({"name": author_name, "email": "grace@example.com"}),
        )
        .await
        .unwrap();
    let author_ref = author
        .data
        .get("documentId")
        .cloned()
        .unwrap_or_else(|| author.data["id"].clone());
    let t = unique("deep");
    let created: EntryResponse<Value> = c
        .create(
            "articles",
            &json!({"title": t, "views": 7, "author": author_ref, "seo": {"metaTitle": "m"}}),
        )
        .await
        .unwrap();
    let q = StrapiQuery::new().fields(["title"]).populate_with(
        Populate::new().field("seo").field_with(
            "author",
            PopulateField::new().fields(["name"]).populate(
                Populate::new().field_with(
                    "articles",
                    PopulateField::new()
                        .fields(["title", "views"])
                        .filter(FilterBuilder::new().eq("title", &t))
                        .sort_by("views", SortDirection::Desc),
                ),
            ),
        ),
    );
    let got: EntryResponse<Value> = c.get_one("articles", key(&created.data), &q).await.unwrap();
    let d = &got.data;
    assert_eq!(d["title"], json!(t));
    assert!(d.get("views").is_none(), "only requested fields: {d}");
    let a = &d["author"];
    assert_eq!(a["name"], json!(author_name));
    assert!(a.get("email").is_none(), "only the author's name: {a}");
    let nested = a["articles"].as_array().expect("nested articles");
    assert_eq!(nested.len(), 1);
    assert_eq!(nested[0]["title"], json!(t));
    assert_eq!(nested[0]["views"], json!(7));
    assert!(nested[0].get("slug").is_none());
    assert_eq!(d["seo"]["metaTitle"], json!("m"));
}

#[maybe]
#[the_test]
async fn populate_all_and_list() {
    let c = client();
    let t = unique("popall");
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": t, "seo": {"metaTitle": "x"}}))
        .await
        .unwrap();
    let all: EntryResponse<Value> = c
        .get_one(
            "articles",
            key(&created.data),
            &StrapiQuery::new().populate_all(),
        )
        .await
        .unwrap();
    assert_eq!(all.data["seo"]["metaTitle"], json!("x"));
    assert!(
        all.data.get("author").is_some(),
        "populate=* includes relations"
    );
    let none: EntryResponse<Value> = c
        .get_one("articles", key(&created.data), &StrapiQuery::new())
        .await
        .unwrap();
    assert!(none.data.get("seo").is_none(), "not populated by default");
}

#[maybe]
#[the_test]
async fn field_selection() {
    let c = client();
    let t = unique("fields");
    let created: EntryResponse<Value> = c
        .create("articles", &json!({"title": t, "views": 5, "content": "c"}))
        .await
        .unwrap();
    let got: EntryResponse<Value> = c
        .get_one(
            "articles",
            key(&created.data),
            &StrapiQuery::new().fields(["views"]),
        )
        .await
        .unwrap();
    assert_eq!(got.data["views"], json!(5));
    assert!(got.data.get("title").is_none());
    assert!(got.data.get("content").is_none());
    assert!(got.data.get("id").is_some());
}

#[maybe]
#[the_test]
async fn locale_reading() {
    let c = client();
    let t = unique("locale");
    let _: EntryResponse<Value> = c
        .create_with(
            "articles",
            &json!({"title": t}),
            &StrapiQuery::new().locale("fr"),
        )
        .await
        .unwrap();
    let only = FilterBuilder::new().eq("title", &t);
    let en: ListResponse<Value> = c
        .get_many("articles", &StrapiQuery::new().filter(only.clone()))
        .await
        .unwrap();
    assert!(en.data.is_empty(), "the default locale is en");
    let fr: ListResponse<Value> = c
        .get_many(
            "articles",
            &StrapiQuery::new().filter(only.clone()).locale("fr"),
        )
        .await
        .unwrap();
    assert_eq!(fr.data.len(), 1);
    assert_eq!(fr.data[0]["locale"], json!("fr"));
    let all: ListResponse<Value> = c
        .get_many("articles", &StrapiQuery::new().filter(only).all_locales())
        .await
        .unwrap();
    assert_eq!(all.data.len(), 1);
}
