//! Quick start, async flavour: the same calls as `quickstart_sync.rs`, with `.await`.
//!
//! `scripts/demo.sh quickstart_async`, or `STRAPI_BASE_URL=… STRAPI_API_TOKEN=…
//! cargo run --example quickstart_async`.

use serde_json::{Value, json};
use strapi_kit::{AsyncClient, EntryResponse, FilterBuilder, StrapiQuery};

#[tokio::main]
async fn main() -> strapi_kit::Result<()> {
    let client = AsyncClient::from_env()?;

    let created: EntryResponse<Value> = client
        .create(
            "articles",
            &json!({"title": "Hello from async Rust", "views": 1}),
        )
        .await?;
    let id = created
        .data
        .get("documentId")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| created.data["id"].to_string());
    println!("created {id} on Strapi {:?}", client.api_version());

    let updated: EntryResponse<Value> = client
        .update("articles", id.as_str(), &json!({"views": 2}))
        .await?;
    println!("views now {}", updated.data["views"]);

    let list = client
        .get_many::<Value>(
            "articles",
            &StrapiQuery::new()
                .filter(FilterBuilder::new().containsi("title", "hello"))
                .paginate(1, 5),
        )
        .await?;
    println!("{} matching articles", list.data.len());

    client.remove("articles", id.as_str()).await?;
    println!("deleted {id}");
    Ok(())
}
