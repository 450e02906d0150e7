//! The query builder: filters with every kind of operator and group, relation paths, sort,
//! pagination, deep populate with fields, locale and draft status. Prints each query as
//! Strapi's `qs` parser reads it, then runs it.
//!
//! `scripts/demo.sh query_builder`.

use serde_json::{Value, json};
use strapi_kit::{
    DocumentStatus, FilterBuilder, Populate, PopulateField, SortDirection, StrapiQuery, SyncClient,
};

fn show(name: &str, q: &StrapiQuery) -> strapi_kit::Result<()> {
    println!("{name}:");
    for (k, v) in q.to_pairs()? {
        println!("  {k} = {}", v.unwrap_or_else(|| "(null)".into()));
    }
    Ok(())
}

fn main() -> strapi_kit::Result<()> {
    let client = SyncClient::from_env()?;

    // Something to find: an author and articles that match (or miss) the queries below.
    let tag = format!("qb-{}", std::process::id());
    let ada: strapi_kit::EntryResponse<Value> =
        client.create("authors", &json!({"name": format!("Ada {tag}")}))?;
    let ada_key = key(&ada.data);
    let mut created = Vec::new();
    for (i, (title, views)) in [
        ("Rust in production", 250),
        ("Rusty hinges", 40),
        ("Go tips", 900),
    ]
    .into_iter()
    .enumerate()
    {
        let a: strapi_kit::EntryResponse<Value> = client.create(
            "articles",
            &json!({
                "title": format!("{title} {tag}"),
                "slug": format!("{tag}-{i}"),
                "views": views,
                "author": ada_key,
            }),
        )?;
        created.push(key(&a.data));
    }
    println!("seeded 3 articles by one author ({tag})\n");

    let popular = StrapiQuery::new()
        .filter(
            FilterBuilder::new()
                .gte("views", 100)
                .containsi("title", "rust")
                .ends_with("title", &tag)
                .or_group([
                    FilterBuilder::new().starts_with("author.name", "Ada"),
                    FilterBuilder::new().null("author"),
                ])
                .not_group(FilterBuilder::new().in_("slug", ["draft-1", "draft-2"])),
        )
        .sort_desc("views")
        .sort_asc("title")
        .paginate(1, 20)
        .fields(["title", "views"]);
    show("popular articles", &popular)?;

    let deep = StrapiQuery::new().populate_with(
        Populate::new().field("cover").field_with(
            "author",
            PopulateField::new().fields(["name"]).populate(
                Populate::new().field_with(
                    "articles",
                    PopulateField::new()
                        .fields(["title"])
                        .sort_by("publishedAt", SortDirection::Desc),
                ),
            ),
        ),
    );
    show("deep populate", &deep)?;

    let drafts_in_french = StrapiQuery::new()
        .locale("fr")
        .status(DocumentStatus::Draft)
        .offset(0, 10);
    show(
        "French drafts (v5 spelling; v4 gets publicationState)",
        &drafts_in_french,
    )?;

    // Mistakes are caught before anything is sent.
    let bad = StrapiQuery::new().paginate(1, 10).offset(0, 10);
    println!("mixing paginations: {}", bad.to_query_string().unwrap_err());

    for (name, q) in [
        ("popular", &popular),
        ("deep", &deep),
        ("drafts", &drafts_in_french),
    ] {
        let page = client.get_many::<Value>("articles", q)?;
        let titles: Vec<&str> = page
            .data
            .iter()
            .filter_map(|e| e["title"].as_str())
            .filter(|t| t.ends_with(&tag))
            .collect();
        println!("{name}: {} entries, ours: {titles:?}", page.data.len());
    }

    for k in created {
        client.remove("articles", k)?;
    }
    client.remove("authors", ada_key)?;
    Ok(())
}

/// The id to address an entry by: `documentId` on Strapi 5, `id` on Strapi 4.
fn key(entry: &Value) -> String {
    match entry.get("documentId").and_then(Value::as_str) {
        Some(d) => d.to_owned(),
        None => entry["id"].to_string(),
    }
}
