//! Upload bodies on the mock: the content check refuses a renamed file before anything is
//! sent, a source that changes size aborts the body (the mock never receives a complete
//! one) with a typed error, and progress follows one rule in both flavours.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use strapi_kit::{BatchOptions, DownloadOptions, MediaError, Progress};

use super::mock::{Mock, Reply};
use super::*;

const FILE_JSON: &str = r#"[{"id":7,"name":"f.bin","hash":"f","mime":"application/octet-stream","url":"/uploads/f.bin","size":1.0,"provider":"local"}]"#;

/// The rule of [`Progress`]: calls at least this far apart, in bytes and in time.
const STEP: u64 = 64 * 1024;
const INTERVAL: Duration = Duration::from_millis(50);

fn client(mock: &Mock) -> Client {
    Client::new(config(&mock.url, Some("t"))).unwrap()
}

fn upload_mock() -> Mock {
    Mock::always(Reply::json(201, FILE_JSON))
}

/// A reader for either flavour: `limit` bytes cycling through `data`, at most `chunk` per
/// read, each read after `pause` (a slow source; in the async flavour it blocks the test's
/// own runtime thread, which only slows the upload down).
struct Source {
    data: Vec<u8>,
    limit: u64,
    at: u64,
    chunk: usize,
    pause: Duration,
}

impl Source {
    fn new(data: Vec<u8>, limit: u64) -> Source {
        Source {
            data,
            limit,
            at: 0,
            chunk: usize::MAX,
            pause: Duration::ZERO,
        }
    }
    fn zeros(limit: u64) -> Source {
        Source::new(vec![0], limit)
    }
    fn slow(mut self, chunk: usize, pause: Duration) -> Source {
        self.chunk = chunk;
        self.pause = pause;
        self
    }
    fn fill(&mut self, buf: &mut [u8]) -> usize {
        if !self.pause.is_zero() {
            std::thread::sleep(self.pause);
        }
        let n = (buf.len().min(self.chunk) as u64).min(self.limit - self.at) as usize;
        for b in &mut buf[..n] {
            *b = self.data[(self.at % self.data.len() as u64) as usize];
            self.at += 1;
        }
        n
    }
    fn boxed(self) -> UploadReader {
        Box::new(self)
    }
}

impl std::io::Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        Ok(self.fill(buf))
    }
}

impl tokio::io::AsyncRead for Source {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let n = self.fill(buf.initialize_unfilled());
        buf.advance(n);
        std::task::Poll::Ready(Ok(()))
    }
}

/// Every call of a progress callback, with its time.
type Calls = Arc<Mutex<Vec<(Instant, Progress)>>>;

/// A progress callback that records every call.
fn recorder() -> (UploadOptions, Calls) {
    let seen: Calls = Arc::default();
    let sink = seen.clone();
    let opts = UploadOptions::new().on_progress(move |p| {
        sink.lock().unwrap().push((Instant::now(), p));
    });
    (opts, seen)
}

/// Checks the rule: each call but the last comes at least 64 KiB and 50 ms after the one
/// before it (the first: after the start), and the last reports the complete file.
fn assert_cadence(calls: &[(Instant, Progress)], started: Instant, total: u64) {
    let last = calls.last().expect("at least the final call").1;
    assert_eq!((last.bytes, last.total), (total, Some(total)), "{calls:?}");
    let mut prev = (started, 0u64);
    for (i, (at, p)) in calls[..calls.len() - 1].iter().enumerate() {
        // The times are taken in the callback, a little after the client's own: allow for
        // a thread descheduled in between on a loaded machine (not for the first call,
        // whose start was taken before the upload began).
        let slack = if i == 0 {
            Duration::ZERO
        } else {
            Duration::from_millis(20)
        };
        assert!(
            at.duration_since(prev.0) + slack >= INTERVAL,
            "calls too close in time"
        );
        assert!(p.batch_bytes - prev.1 >= STEP, "calls too close in bytes");
        prev = (*at, p.batch_bytes);
    }
}

fn source_changed(err: &Error) -> Option<(u64, u64)> {
    match err {
        Error::Media(m) => match &**m {
            MediaError::SourceChanged { expected, read, .. } => Some((*expected, *read)),
            _ => None,
        },
        _ => None,
    }
}

fn invalid_file(err: &Error) -> bool {
    matches!(err, Error::Media(m) if matches!(**m, MediaError::InvalidFile { .. }))
}

#[maybe]
#[the_test]
async fn renamed_files_are_refused_before_sending() {
    let mock = upload_mock();
    let c = client(&mock);
    let dir = TempDir::new("renamed");
    let png_only = UploadOptions::new().allowed_types(["image/png"]);
    let notes = b"plain text notes, not a picture".to_vec();

    let path = dir.write("notes.png", &notes);
    let err = c.upload_file(&path, &png_only).await.unwrap_err();
    assert!(invalid_file(&err), "{err:?}");
    assert!(err.to_string().contains("not image/png"), "{err}");
    let err = c
        .upload_bytes(notes.clone(), "notes.png", &png_only)
        .await
        .unwrap_err();
    assert!(invalid_file(&err), "{err:?}");
    let reader = Source::new(notes.clone(), notes.len() as u64).boxed();
    let err = c
        .upload_reader(reader, notes.len() as u64, "notes.png", &png_only)
        .await
        .unwrap_err();
    assert!(invalid_file(&err), "{err:?}");
    // A long reader: only its first bytes are looked at.
    let reader = Source::zeros(1 << 20).boxed();
    let err = c
        .upload_reader(reader, 1 << 20, "zeros.png", &png_only)
        .await
        .unwrap_err();
    assert!(invalid_file(&err), "{err:?}");
    let images = UploadOptions::new().allowed_types(["image/*"]);
    let svg = dir.write("drawing.svg", b"no drawing in here");
    let err = c.upload_file(&svg, &images).await.unwrap_err();
    assert!(err.to_string().contains("image/svg+xml"), "{err}");
    assert_eq!(mock.hits(), 0, "nothing may reach the server");
    assert_eq!(mock.connections(), 0);

    // A real SVG passes, and a reader's peeked bytes are sent with the rest.
    let drawing = dir.write(
        "ok.svg",
        b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    c.upload_file(&drawing, &images).await.unwrap();
    let picture = png(64, 64);
    let reader = Source::new(picture.clone(), picture.len() as u64)
        .slow(100, Duration::ZERO)
        .boxed();
    c.upload_reader(reader, picture.len() as u64, "pic.png", &png_only)
        .await
        .unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    let sent = &reqs[1].body;
    let found = sent.windows(picture.len()).any(|w| w == picture.as_slice());
    assert!(found, "the whole PNG, first bytes included, was sent");
}

#[maybe]
#[the_test]
async fn reader_longer_than_announced_aborts_the_body() {
    let mock = upload_mock();
    let c = client(&mock);
    let len = 1u64 << 20;
    // Like /dev/zero: never ends.
    let err = c
        .upload_reader(
            Source::zeros(u64::MAX).boxed(),
            len,
            "z.bin",
            &UploadOptions::new(),
        )
        .await
        .unwrap_err();
    let (expected, read) = source_changed(&err).unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(expected, len);
    assert!(read > len, "{read}");
    assert!(
        err.to_string().contains("more than the 1048576 bytes"),
        "{err}"
    );
    assert!(!err.is_retryable());
    // Only a little longer.
    let err = c
        .upload_reader(
            Source::zeros(len + 1).boxed(),
            len,
            "z.bin",
            &UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(source_changed(&err), Some((len, len + 1)), "{err:?}");
    assert!(mock.connections() >= 1, "the requests went out");
    assert_eq!(mock.hits(), 0, "no complete body reached the server");

    // Found while peeking for the type check: nothing goes out.
    let mock = upload_mock();
    let any = UploadOptions::new().allowed_types(["*/*"]);
    let err = client(&mock)
        .upload_reader(Source::zeros(300).boxed(), 200, "z.bin", &any)
        .await
        .unwrap_err();
    assert_eq!(source_changed(&err), Some((200, 300)), "{err:?}");
    assert_eq!(mock.connections(), 0);
}

#[maybe]
#[the_test]
async fn reader_shorter_than_announced_aborts_the_body() {
    let mock = upload_mock();
    let c = client(&mock);
    let len = 1u64 << 20;
    let err = c
        .upload_reader(
            Source::zeros(len / 2).boxed(),
            len,
            "z.bin",
            &UploadOptions::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(source_changed(&err), Some((len, len / 2)), "{err:?}");
    assert!(
        err.to_string()
            .contains("ended after 524288 of the 1048576"),
        "{err}"
    );
    let err = c
        .upload_reader(Source::zeros(0).boxed(), 10, "z.bin", &UploadOptions::new())
        .await
        .unwrap_err();
    assert_eq!(source_changed(&err), Some((10, 0)), "{err:?}");
    assert!(mock.connections() >= 1, "the requests went out");
    assert_eq!(mock.hits(), 0, "no complete body reached the server");

    let mock = upload_mock();
    let any = UploadOptions::new().allowed_types(["*/*"]);
    let err = client(&mock)
        .upload_reader(Source::zeros(100).boxed(), 200, "z.bin", &any)
        .await
        .unwrap_err();
    assert_eq!(source_changed(&err), Some((200, 100)), "{err:?}");
    assert_eq!(mock.connections(), 0);
}

#[maybe]
#[the_test]
async fn file_growing_during_upload_aborts_the_body() {
    let mock = upload_mock();
    let c = client(&mock);
    let dir = TempDir::new("growing");
    let len = 4u64 << 20;
    let path = dir.write("grows.bin", &vec![7u8; len as usize]);
    // Once the announced bytes are read, something appends to the file.
    let target = path.clone();
    let opts = UploadOptions::new().on_progress(move |p| {
        if p.bytes == p.total.unwrap_or(0) {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&target)
                .unwrap();
            f.write_all(b"more").unwrap();
        }
    });
    let err = c.upload_file(&path, &opts).await.unwrap_err();
    let (expected, read) = source_changed(&err).unwrap_or_else(|| panic!("{err:?}"));
    assert_eq!(expected, len);
    assert!(read > len);
    assert!(err.to_string().contains("grows.bin"), "{err}");
    assert!(mock.connections() >= 1);
    assert_eq!(mock.hits(), 0, "no complete body reached the server");
}

#[maybe]
#[the_test]
async fn file_changed_before_a_retry_is_not_sent_again() {
    let dir = TempDir::new("changed");
    let path = dir.write("f.bin", &[1u8; 10_000]);
    let target = path.clone();
    // The server answers the first attempt with a 503 and, meanwhile, the file grows.
    let mock = Mock::start(move |_, i| {
        if i == 0 {
            std::fs::write(&target, [2u8; 20_000]).unwrap();
            Reply::json(503, "{}")
        } else {
            Reply::json(201, FILE_JSON)
        }
    });
    let c = client(&mock).with_retry(
        strapi_kit::RetryPolicy::default()
            .jitter(false)
            .base_delay(Duration::from_millis(10))
            .retry_non_idempotent(true),
    );
    let err = c
        .upload_file(&path, &UploadOptions::new())
        .await
        .unwrap_err();
    assert_eq!(source_changed(&err), Some((10_000, 20_000)), "{err:?}");
    assert_eq!(mock.hits(), 1, "the changed file is not sent");
}

#[maybe]
#[the_test]
async fn progress_follows_one_rule_in_both_flavours() {
    let mock = upload_mock();
    let c = client(&mock);
    let dir = TempDir::new("cadence");
    let len = 900 * 1024u64;
    let path = dir.write("f.bin", &vec![3u8; len as usize]);

    let (opts, seen) = recorder();
    let started = Instant::now();
    c.upload_file(&path, &opts).await.unwrap();
    assert_cadence(&seen.lock().unwrap(), started, len);

    let (opts, seen) = recorder();
    let started = Instant::now();
    c.upload_bytes(vec![3u8; len as usize], "f.bin", &opts)
        .await
        .unwrap();
    assert_cadence(&seen.lock().unwrap(), started, len);

    // A slow source (about 300 ms): calls come in between, each 64 KiB and 50 ms apart.
    let (opts, seen) = recorder();
    let started = Instant::now();
    let slow = Source::zeros(len)
        .slow(8192, Duration::from_millis(3))
        .boxed();
    c.upload_reader(slow, len, "f.bin", &opts).await.unwrap();
    let calls = seen.lock().unwrap().clone();
    assert_cadence(&calls, started, len);
    assert!(calls.len() >= 3, "{} calls", calls.len());
    assert!(calls.len() as u64 <= len / STEP + 1);
}

#[maybe]
#[the_test]
async fn download_progress_follows_the_same_rule() {
    let len = 900 * 1024u64;
    let mock = Mock::always(Reply::Generated {
        len,
        start: 0,
        cut_at: None,
    });
    let c = client(&mock);
    let seen: Calls = Arc::default();
    let sink = seen.clone();
    let opts =
        DownloadOptions::new().on_progress(move |p| sink.lock().unwrap().push((Instant::now(), p)));
    let started = Instant::now();
    let body = c.download_file_with("/uploads/f.bin", &opts).await.unwrap();
    assert_eq!(body.len() as u64, len);
    assert_cadence(&seen.lock().unwrap(), started, len);

    let dir = TempDir::new("down-cadence");
    seen.lock().unwrap().clear();
    let started = Instant::now();
    c.download_file_to_with("/uploads/f.bin", dir.path().join("f.bin"), &opts)
        .await
        .unwrap();
    assert_cadence(&seen.lock().unwrap(), started, len);
}

#[maybe]
#[the_test]
async fn parallel_batch_progress_never_decreases() {
    let mock = upload_mock();
    let c = client(&mock);
    let dir = TempDir::new("batch-progress");
    let sizes: Vec<usize> = (0..8).map(|i| 512 * 1024 + i * 1000).collect();
    let paths: Vec<_> = sizes
        .iter()
        .enumerate()
        .map(|(i, n)| dir.write(&format!("b{i}.bin"), &vec![i as u8; *n]))
        .collect();
    let total: u64 = sizes.iter().map(|n| *n as u64).sum();
    let (opts, seen) = recorder();
    let report = c
        .upload_batch(&paths, &opts, &BatchOptions::new().concurrency(8))
        .await
        .unwrap();
    assert!(report.is_complete());
    let calls: Vec<Progress> = seen.lock().unwrap().iter().map(|(_, p)| *p).collect();
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].batch_bytes <= w[1].batch_bytes),
        "batch progress went back: {calls:?}"
    );
    let last = calls.last().unwrap();
    assert_eq!((last.batch_bytes, last.batch_total), (total, Some(total)));
    for (i, n) in sizes.iter().enumerate() {
        let file_last = calls.iter().rfind(|p| p.index == i).unwrap();
        assert_eq!(file_last.bytes, *n as u64);
    }
}
