//! The fast paths of issue 13 on the mock: blocking upload bodies go out in 256 KiB pieces
//! through a runtime thread of their own (progress, retries and deadlines as before; the
//! size checks are `uploads.rs`'s), and `get_all_iter` fetches up to two pages ahead in both
//! flavours (bounded; an error or an early drop starts nothing more).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use strapi_kit::{Progress, RetryPolicy, StrapiQuery};

use super::mock::{Mock, Recorded, Reply};
use super::*;

const FILE_JSON: &str = r#"[{"id":7,"name":"f.bin","hash":"f","mime":"application/octet-stream","url":"/uploads/f.bin","size":1.0,"provider":"local"}]"#;

/// A pause in either flavour: a thread sleep outside a runtime (blocking tests), a timer
/// inside one (async tests: the runtime keeps driving connections meanwhile).
struct Nap(Option<Pin<Box<tokio::time::Sleep>>>);

fn nap(d: Duration) -> Nap {
    if tokio::runtime::Handle::try_current().is_ok() {
        Nap(Some(Box::pin(tokio::time::sleep(d))))
    } else {
        std::thread::sleep(d);
        Nap(None)
    }
}

impl Future for Nap {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.0 {
            Some(s) => s.as_mut().poll(cx),
            None => Poll::Ready(()),
        }
    }
}

/// Waits (up to 10 s) until `mock` has seen `n` requests.
#[maybe]
async fn until_hits(mock: &Mock, n: usize) {
    let start = Instant::now();
    while mock.hits() < n {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{} of {n} requests",
            mock.hits()
        );
        nap(Duration::from_millis(5)).await;
    }
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 131 % 251) as u8).collect()
}

fn carries(r: &Recorded, content: &[u8]) -> bool {
    r.body.windows(content.len()).any(|w| w == content)
}

fn progress_recorder() -> (UploadOptions, Arc<Mutex<Vec<Progress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = UploadOptions::new().on_progress(move |p| sink.lock().unwrap().push(p));
    (opts, seen)
}

#[maybe]
#[the_test]
async fn a_body_of_many_pieces_arrives_whole_with_progress_to_the_end() {
    // 1 MiB and a bit: four full pieces and a short one.
    let content = pattern((1 << 20) + 17);
    let dir = TempDir::new("pieces");
    let path = dir.write("f.bin", &content);
    let mock = Mock::always(Reply::json(201, FILE_JSON));
    let client = mock_client(&mock, Duration::from_secs(20));
    let (opts, seen) = progress_recorder();
    let up = client.upload_file(&path, &opts).await.unwrap();
    assert_eq!(up.id, 7);
    let up = client
        .upload_bytes(content.clone(), "g.bin", &UploadOptions::new())
        .await
        .unwrap();
    assert_eq!(up.id, 7);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        assert!(carries(r, &content), "the whole content, in order");
        assert!(
            r.body.len() < content.len() + 2048,
            "and nothing more but the form"
        );
    }
    let seen = seen.lock().unwrap().clone();
    let total = content.len() as u64;
    assert_eq!(
        seen.last().map(|p| (p.bytes, p.total)),
        Some((total, Some(total)))
    );
    assert!(
        seen.windows(2).all(|w| w[0].bytes <= w[1].bytes),
        "{seen:?}"
    );
}

#[maybe]
#[the_test]
async fn a_retried_upload_sends_every_piece_again() {
    let content = pattern(700_000);
    let dir = TempDir::new("pieces-retry");
    let path = dir.write("f.bin", &content);
    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(201, FILE_JSON)]);
    let client = mock_client(&mock, Duration::from_secs(20)).with_retry(
        RetryPolicy::default()
            .jitter(false)
            .base_delay(Duration::from_millis(10))
            .retry_non_idempotent(true),
    );
    let (opts, seen) = progress_recorder();
    let up = client.upload_file(&path, &opts).await.unwrap();
    assert_eq!(up.id, 7);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert!(reqs.iter().all(|r| carries(r, &content)));
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!((last.bytes, last.batch_bytes), (700_000, 700_000));
}

#[maybe]
#[the_test]
async fn an_upload_answered_late_ends_at_the_call_deadline() {
    let content = pattern(600_000);
    let mock = Mock::always(Reply::Delay(
        Duration::from_secs(5),
        Box::new(Reply::json(201, FILE_JSON)),
    ));
    let client =
        mock_client(&mock, Duration::from_secs(20)).with_timeout(Duration::from_millis(400));
    let started = Instant::now();
    let err = client
        .upload_bytes(content, "f.bin", &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// A mock of `total` entries in pages of 3 (`pagination[start]`), page 2 answered with
/// `second`.
fn pages(total: u64, second: Option<Reply>) -> Mock {
    Mock::start(move |req, _| {
        let start: u64 = req
            .target
            .split("pagination%5Bstart%5D=")
            .nth(1)
            .and_then(|s| s.split('&').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(99);
        if start == 3 {
            if let Some(r) = &second {
                return r.clone();
            }
        }
        let data: Vec<String> = (start..(start + 3).min(total))
            .map(|i| format!(r#"{{"id":{i},"documentId":"d{i}"}}"#))
            .collect();
        Reply::json(
            200,
            &format!(
                r#"{{"data":[{}],"meta":{{"pagination":{{"start":{start},"limit":3,"total":{total}}}}}}}"#,
                data.join(",")
            ),
        )
    })
}

fn v5_client(mock: &Mock) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("t")
            .api_version(strapi_kit::ApiVersion::V5)
            .retry(RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap()
}

// The blocking flavour reads this `while let` as a loop over an `Iterator`.
#[allow(clippy::while_let_on_iterator)]
#[maybe]
#[the_test]
async fn the_next_pages_are_fetched_while_the_current_one_is_consumed_two_ahead_at_most() {
    let mock = pages(13, None);
    let client = v5_client(&mock);
    let mut all = client
        .get_all_iter::<Value>("articles", &StrapiQuery::new().offset(0, 3))
        .unwrap();
    let first = all.next().await.unwrap().unwrap();
    assert_eq!(first["id"], 0);
    // Entry 0 is in hand and the iterator is left alone: pages 2 and 3 are requested all
    // the same, page 4 not yet.
    until_hits(&mock, 3).await;
    nap(Duration::from_millis(100)).await;
    assert_eq!(mock.hits(), 3, "two pages ahead, no more");
    let mut ids = vec![0];
    while let Some(e) = all.next().await {
        ids.push(e.unwrap()["id"].as_u64().unwrap());
    }
    assert_eq!(ids, (0..13).collect::<Vec<u64>>());
    assert_eq!(mock.hits(), 5, "nothing is requested after the last page");
}

#[allow(clippy::while_let_on_iterator)]
#[maybe]
#[the_test]
async fn a_failed_page_ends_the_walk_and_nothing_is_fetched_after_it() {
    let mock = pages(
        13,
        Some(Reply::json(
            500,
            r#"{"error":{"status":500,"name":"InternalServerError","message":"boom"}}"#,
        )),
    );
    let client = v5_client(&mock);
    let mut all = client
        .get_all_iter::<Value>("articles", &StrapiQuery::new().offset(0, 3))
        .unwrap();
    let mut got = Vec::new();
    while let Some(e) = all.next().await {
        got.push(e.map(|v| v["id"].as_u64().unwrap()));
    }
    assert_eq!(got.len(), 4, "three entries, then the error once");
    assert!(got[..3].iter().all(Result::is_ok));
    assert!(got[3].as_ref().unwrap_err().is_server());
    // Pages 2 and 3 were asked for together; nothing after the error.
    nap(Duration::from_millis(100)).await;
    assert!(mock.hits() <= 3, "{}", mock.hits());
}

#[maybe]
#[the_test]
async fn dropping_the_walk_early_does_not_wait_for_the_page_ahead_nor_start_another() {
    let mock = pages(
        13,
        Some(Reply::Delay(
            Duration::from_millis(500),
            Box::new(Reply::json(200, r#"{"data":[],"meta":{}}"#)),
        )),
    );
    let client = v5_client(&mock);
    let mut all = client
        .get_all_iter::<Value>("articles", &StrapiQuery::new().offset(0, 3))
        .unwrap();
    let first = all.next().await.unwrap().unwrap();
    assert_eq!(first["id"], 0);
    until_hits(&mock, 3).await;
    let dropped = Instant::now();
    drop(all);
    assert!(
        dropped.elapsed() < Duration::from_millis(300),
        "drop waits for nothing"
    );
    // The pages ahead are answered (and dropped, or cancelled); nothing follows them.
    nap(Duration::from_millis(700)).await;
    assert_eq!(mock.hits(), 3);
    // The client is unharmed.
    let page = client
        .get_many::<Value>("articles", &StrapiQuery::new().offset(0, 3))
        .await
        .unwrap();
    assert_eq!(page.data.len(), 3);
}
