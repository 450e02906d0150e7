//! The media guide's complete example, async flavour (tokio).
//!
//! Upload a hero image with alt text and caption, upload a gallery in one batch (with error
//! handling), create an article that uses them, list images with a filter, download one, and
//! update its metadata.
//!
//! Run it against the bundled Strapi 5 with `scripts/demo.sh`, or against any server:
//! `STRAPI_BASE_URL=… STRAPI_API_TOKEN=… cargo run --example media_async`.

use std::path::PathBuf;

use serde_json::{Value, json};
use strapi_kit::{
    AsyncClient, BatchOptions, EntryResponse, FilterBuilder, MediaFile, MediaUpdate, StrapiQuery,
    UploadOptions,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = AsyncClient::from_env()?;
    let assets = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/assets");

    // 1. The hero image, with alternative text and a caption.
    let hero = client
        .upload_file(
            assets.join("hero.png"),
            &UploadOptions::new()
                .alternative_text("A gradient standing in for our team photo")
                .caption("The team, 2026"),
        )
        .await?;
    println!(
        "uploaded hero: id {} at {} ({}×{})",
        hero.id,
        hero.url,
        hero.width.unwrap_or(0),
        hero.height.unwrap_or(0)
    );
    for (name, format) in hero.formats.iter().flatten() {
        println!(
            "  format {name}: {}×{} at {}",
            format.width.unwrap_or(0),
            format.height.unwrap_or(0),
            format.url
        );
    }

    // 2. A gallery in one batch, four uploads at a time, with a progress line. One file is
    //    over the server's upload limit on purpose: the report says which one failed and
    //    keeps the others.
    let too_big = std::env::temp_dir().join("strapi-kit-demo-too-big.bin");
    std::fs::write(&too_big, vec![0u8; 2 * 1024 * 1024])?;
    let paths = [
        assets.join("gallery-1.png"),
        assets.join("gallery-2.png"),
        too_big.clone(),
        assets.join("gallery-3.png"),
    ];
    let options = UploadOptions::new().caption("Gallery").on_progress(|p| {
        if p.bytes == p.total.unwrap_or(0) {
            println!(
                "  file {} sent; batch {}/{} bytes",
                p.index,
                p.batch_bytes,
                p.batch_total.unwrap_or(0)
            );
        }
    });
    let report = client
        .upload_batch(&paths, &options, &BatchOptions::new().stop_on_error(false))
        .await?;
    for (index, path, error) in report.failures() {
        // Expected: this file is over the demo server's 1 MiB upload limit.
        println!(
            "file {index} ({}) failed, as intended (over the server's upload limit): {error}",
            path.display()
        );
    }
    let gallery: Vec<MediaFile> = report.done().into_iter().cloned().collect();
    println!(
        "uploaded {} of {} gallery files",
        gallery.len(),
        paths.len()
    );
    std::fs::remove_file(&too_big)?;

    // 3. An article that uses the hero as its cover and the gallery.
    let gallery_ids: Vec<u64> = gallery.iter().map(|f| f.id).collect();
    let article: EntryResponse<Value> = client
        .create(
            "articles",
            &json!({
                "title": "Media guide demo",
                "cover": hero.id,
                "gallery": gallery_ids,
            }),
        )
        .await?;
    let key = article
        .data
        .get("documentId")
        .cloned()
        .unwrap_or_else(|| article.data["id"].clone());
    let key = key
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| key.to_string());
    let read: EntryResponse<Value> = client
        .get_one(
            "articles",
            key.as_str(),
            &StrapiQuery::new().populate(["cover", "gallery"]),
        )
        .await?;
    println!(
        "article {key}: cover {} and {} gallery images",
        read.data["cover"]["name"],
        read.data["gallery"].as_array().map_or(0, Vec::len)
    );

    // 4. The ten newest images.
    let images = client
        .list_media(
            &StrapiQuery::new()
                .filter(FilterBuilder::new().starts_with("mime", "image/"))
                .sort_desc("createdAt")
                .paginate(1, 10),
        )
        .await?;
    println!(
        "newest images: {}",
        images
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );

    // 5. Download the hero: to memory, and streamed to a file.
    let bytes = client.download_file(&hero.url).await?;
    let target = std::env::temp_dir()
        .join(format!("strapi-kit-demo-{}", hero.hash))
        .with_extension("png");
    let written = client.download_file_to(&hero.url, &target).await?;
    println!(
        "downloaded {} bytes to memory and {written} bytes to {}",
        bytes.len(),
        target.display()
    );

    // 6. Update the hero's metadata: only the caption changes.
    let updated = client
        .update_media(
            hero.id,
            &MediaUpdate::new().caption("The team, summer 2026"),
        )
        .await?;
    println!(
        "caption now {:?}; alternative text still {:?}",
        updated.caption.unwrap_or_default(),
        updated.alternative_text.unwrap_or_default()
    );
    let _ = std::fs::remove_file(&target);
    Ok(())
}
