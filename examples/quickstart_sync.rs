//! Quick start, blocking flavour: configure from the environment, create, read, update,
//! list and delete an entry.
//!
//! `scripts/demo.sh quickstart_sync`, or `STRAPI_BASE_URL=… STRAPI_API_TOKEN=…
//! cargo run --example quickstart_sync --features sync`.

use serde_json::{Value, json};
use strapi_kit::{EntryResponse, FilterBuilder, StrapiQuery, SyncClient};

fn main() -> strapi_kit::Result<()> {
    let client = SyncClient::from_env()?;

    let created: EntryResponse<Value> =
        client.create("articles", &json!({"title": "Hello from Rust", "views": 1}))?;
    // v5 addresses entries by documentId, v4 by id; the client tells you which it talks to.
    let id = created
        .data
        .get("documentId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| created.data["id"].to_string());
    println!("created {id} on Strapi {:?}", client.api_version());

    let one: EntryResponse<Value> = client.get_one("articles", id.as_str(), &StrapiQuery::new())?;
    println!("read back: {}", one.data["title"]);

    let updated: EntryResponse<Value> =
        client.update("articles", id.as_str(), &json!({"views": 2}))?;
    println!("views now {}", updated.data["views"]);

    let list = client.get_many::<Value>(
        "articles",
        &StrapiQuery::new()
            .filter(FilterBuilder::new().containsi("title", "hello"))
            .sort_desc("updatedAt")
            .paginate(1, 5),
    )?;
    println!(
        "{} matching articles (first page of {:?})",
        list.data.len(),
        list.meta.pagination.and_then(|p| p.total)
    );

    client.remove("articles", id.as_str())?;
    println!("deleted {id}");
    Ok(())
}
