//! Content CRUD with typed structs: one struct reads Strapi 4 and Strapi 5 alike (the
//! client flattens v4's `attributes`/`data` envelopes), relations and components included.
//!
//! `scripts/demo.sh content_typed` (add `STRAPI_DEMO_VERSION=v4` for Strapi 4).

use serde::{Deserialize, Serialize};
use strapi_kit::{Entry, EntryResponse, Error, Relation, StrapiQuery, SyncClient};

/// What we write.
#[derive(Serialize)]
struct NewArticle<'a> {
    title: &'a str,
    views: i64,
    seo: Seo,
}

/// What we read: the content fields; `Entry<T>` adds id, documentId, timestamps, locale.
#[derive(Debug, Deserialize)]
struct Article {
    title: String,
    views: Option<i64>,
    #[serde(default)]
    author: Option<Author>,
    #[serde(default)]
    seo: Option<Seo>,
}

#[derive(Debug, Deserialize)]
struct Author {
    name: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Seo {
    meta_title: String,
}

fn main() -> Result<(), Error> {
    let client = SyncClient::from_env()?;

    let author: EntryResponse<Entry<serde_json::Value>> =
        client.create("authors", &serde_json::json!({"name": "Ada Lovelace"}))?;
    let author_key = author.data.key().unwrap_or_default();

    let created: EntryResponse<Entry<Article>> = client.create(
        "articles",
        &NewArticle {
            title: "Typed articles",
            views: 3,
            seo: Seo {
                meta_title: "Typed".into(),
            },
        },
    )?;
    let key = created.data.key().unwrap_or_default();
    println!("created {key}: {:?}", created.data.attributes);

    // Relations are written the way the server's version expects.
    let link = Relation::connect([author_key.as_str()]);
    let payload = serde_json::json!({ "author": client.relation(&link)? });
    let _: EntryResponse<serde_json::Value> = client.update("articles", key.as_str(), &payload)?;

    let read: EntryResponse<Entry<Article>> = client.get_one(
        "articles",
        key.as_str(),
        &StrapiQuery::new().populate(["author", "seo"]),
    )?;
    let a = &read.data.attributes;
    println!(
        "{} ({} views) by {} with SEO title {:?}; created {}",
        a.title,
        a.views.unwrap_or(0),
        a.author.as_ref().map_or("nobody", |x| x.name.as_str()),
        a.seo.as_ref().map(|s| s.meta_title.as_str()),
        read.data.created_at.as_deref().unwrap_or("?")
    );

    // A validation error carries Strapi's field messages.
    match client.create::<serde_json::Value, _>("articles", &serde_json::json!({"views": 1})) {
        Err(e) if e.is_validation() => {
            for f in e.field_errors() {
                println!("refused as expected: {}: {}", f.path, f.message);
            }
        }
        other => println!("unexpected: {other:?}"),
    }

    client.remove("articles", key.as_str())?;
    client.remove("authors", author_key.as_str())?;
    Ok(())
}
