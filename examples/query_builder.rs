//! The query builder: filters with every kind of operator and group, relation paths, sort,
//! pagination, deep populate with fields, locale and draft status. Prints each query as
//! Strapi's `qs` parser reads it, then runs it.
//!
//! `scripts/demo.sh query_builder`.

use serde_json::Value;
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

    let popular = StrapiQuery::new()
        .filter(
            FilterBuilder::new()
                .gte("views", 100)
                .containsi("title", "rust")
                .or_group([
                    FilterBuilder::new().eq("author.name", "Ada"),
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
        println!("{name}: {} entries", page.data.len());
    }
    Ok(())
}
