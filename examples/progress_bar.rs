//! A progress bar (indicatif) over a parallel batch upload: one bar per file and one for
//! the whole batch, fed by the client's progress callback.
//!
//! `scripts/demo.sh progress_bar`.

use std::sync::Arc;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use strapi_kit::{BatchOptions, SyncClient, UploadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = SyncClient::from_env()?;
    let dir = std::env::temp_dir().join(format!("strapi-kit-progress-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let paths: Vec<_> = (0..8)
        .map(|i| {
            let p = dir.join(format!("clip-{i}.bin"));
            std::fs::write(&p, vec![i as u8; 200_000 + i * 50_000])?;
            Ok(p)
        })
        .collect::<std::io::Result<_>>()?;

    let multi = MultiProgress::new();
    let style = ProgressStyle::with_template("{prefix:>10} [{bar:30}] {bytes}/{total_bytes}")?
        .progress_chars("=> ");
    let total: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
        .sum();
    let batch = multi.add(
        ProgressBar::new(total)
            .with_style(style.clone())
            .with_prefix("batch"),
    );
    let bars: Arc<Vec<ProgressBar>> = Arc::new(
        paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let len = std::fs::metadata(p).map_or(0, |m| m.len());
                multi.add(
                    ProgressBar::new(len)
                        .with_style(style.clone())
                        .with_prefix(format!("clip {i}")),
                )
            })
            .collect(),
    );

    let per_file = bars.clone();
    let whole = batch.clone();
    let options = UploadOptions::new().on_progress(move |p| {
        if let Some(bar) = per_file.get(p.index) {
            bar.set_position(p.bytes);
        }
        whole.set_position(p.batch_bytes);
    });
    let report = client.upload_batch(&paths, &options, &BatchOptions::new().concurrency(4))?;
    for bar in bars.iter() {
        bar.finish();
    }
    batch.finish_with_message("done");
    println!("uploaded {} of {} files", report.done().len(), paths.len());
    for f in report.done() {
        client.delete_media(f.id)?;
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
