//! Upload checks and progress against a real server: a real PNG passes `allowed_types`
//! (also from a reader, whose peeked bytes must arrive), and batch progress never goes
//! back with eight uploads in parallel.

use std::sync::{Arc, Mutex};

use strapi_kit::{BatchOptions, MediaError, Progress};

use super::*;

#[maybe]
#[the_test]
async fn allowed_types_accept_a_real_png_and_refuse_a_renamed_file() {
    let c = client();
    let dir = TempDir::new("allowed-real");
    let picture = png(32, 16);
    let png_only = UploadOptions::new().allowed_types(["image/png"]);

    let path = dir.write("real.png", &picture);
    let from_file = c.upload_file(&path, &png_only).await.unwrap();
    assert_eq!(from_file.mime, "image/png");

    let reader: UploadReader = Box::new(std::io::Cursor::new(picture.clone()));
    let from_reader = c
        .upload_reader(reader, picture.len() as u64, "peeked.png", &png_only)
        .await
        .unwrap();
    assert_eq!(from_reader.mime, "image/png");
    // Strapi re-encodes images, so their size proves that the whole PNG arrived.
    assert_eq!(
        (from_reader.width, from_reader.height),
        (Some(32), Some(16))
    );
    // A PDF is stored as sent: byte for byte, peeked bytes included.
    let pdf = b"%PDF-1.4\n% a small document\n".repeat(500);
    let reader: UploadReader = Box::new(std::io::Cursor::new(pdf.clone()));
    let pdf_only = UploadOptions::new().allowed_types(["application/pdf"]);
    let doc = c
        .upload_reader(reader, pdf.len() as u64, "doc.pdf", &pdf_only)
        .await
        .unwrap();
    let back = c.download_file(&doc.url).await.unwrap();
    assert_eq!(&back[..], &pdf[..], "the peeked bytes were sent");

    let notes = dir.write("notes.png", b"plain text, renamed");
    let err = c.upload_file(&notes, &png_only).await.unwrap_err();
    assert!(
        matches!(&err, Error::Media(m) if matches!(**m, MediaError::InvalidFile { .. })),
        "{err:?}"
    );
    for id in [from_file.id, from_reader.id, doc.id] {
        c.delete_media(id).await.unwrap();
    }
}

#[maybe]
#[the_test]
async fn parallel_batch_progress_never_decreases() {
    let c = client();
    let dir = TempDir::new("batch-progress-real");
    let sizes: Vec<usize> = (0..8).map(|i| 300_000 + i * 10_000).collect();
    let paths: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| dir.write(&format!("par{i}.bin"), &vec![i as u8; *n]))
        .collect();
    let total: u64 = sizes.iter().map(|n| *n as u64).sum();
    let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
    let sink = seen.clone();
    let opts = UploadOptions::new().on_progress(move |p| sink.lock().unwrap().push(p));
    let report = c
        .upload_batch(&paths, &opts, &BatchOptions::new().concurrency(8))
        .await
        .unwrap();
    assert!(report.is_complete());
    let calls = seen.lock().unwrap().clone();
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].batch_bytes <= w[1].batch_bytes),
        "batch progress went back: {calls:?}"
    );
    let last = calls.last().unwrap();
    assert_eq!((last.batch_bytes, last.batch_total), (total, Some(total)));
    for f in report.done() {
        c.delete_media(f.id).await.unwrap();
    }
}
