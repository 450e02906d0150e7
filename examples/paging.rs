//! Every entry of a collection, page by page, without skipping or repeating any (the
//! client adapts to Strapi's page-size cap and adds a stable sort): as a blocking iterator
//! and collected with `get_all`.
//!
//! `scripts/demo.sh paging`.

use serde::Deserialize;
use serde_json::json;
use strapi_kit::{BulkOptions, FilterBuilder, StrapiQuery, SyncClient};

#[derive(Debug, Deserialize)]
struct Article {
    title: String,
}

fn main() -> strapi_kit::Result<()> {
    let client = SyncClient::from_env()?;
    let tag = format!("paging-demo-{}", std::process::id());

    // 250 entries, 8 creates at a time.
    let rows = (0..250).map(|i| json!({"title": format!("{tag} {i:03}")}));
    let report = client.bulk_create::<serde_json::Value, _>(
        "articles",
        rows,
        &BulkOptions::new().concurrency(8),
    )?;
    println!("created {} entries", report.successes().len());

    // Ask for 500 a page: Strapi clamps to 100, the iterator notices and adapts.
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("title", &tag))
        .paginate(1, 500);
    let mut seen = 0;
    let mut pages = client.get_all_iter::<Article>("articles", &q)?;
    let mut last_page = 0;
    while let Some(article) = pages.next() {
        let article = article?;
        seen += 1;
        if pages.pages_fetched() != last_page {
            last_page = pages.pages_fetched();
            println!(
                "  page {last_page}: asked for 500 a page, the server sends {} (first: {})",
                pages.page_size(),
                article.title
            );
        }
    }
    println!(
        "iterated over {seen} entries in {} pages (total reported: {:?})",
        pages.pages_fetched(),
        pages.total()
    );

    let all = client.get_all::<serde_json::Value>("articles", &q)?;
    println!("get_all collected {}", all.len());

    let keys: Vec<String> = all
        .iter()
        .map(|e| match e.get("documentId").and_then(|d| d.as_str()) {
            Some(d) => d.to_owned(),
            None => e["id"].to_string(),
        })
        .collect();
    let deleted = client.bulk_delete("articles", keys, &BulkOptions::new().concurrency(8))?;
    println!("deleted {}", deleted.successes().len());
    Ok(())
}
