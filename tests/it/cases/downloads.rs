//! The download fault matrix on the mock: resumes that must not mix two versions of a
//! file, time bounds (idle, low speed, deadline, none from the client's timeout), the
//! memory bound, and no part file left behind whatever happens.

use std::time::{Duration, Instant};

use strapi_kit::{DownloadOptions, UnexpectedReason};

use super::mock::{Mock, Reply};
use super::*;

/// A client for `mock` with the given request timeout and fast retries.
fn client_with(mock: &Mock, timeout: Duration) -> Client {
    mock_client(mock, timeout)
}

fn client(mock: &Mock) -> Client {
    client_with(mock, Duration::from_secs(5))
}

/// Version A and version B of one file: same size, different bytes.
fn version(tag: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8 ^ tag).collect()
}

fn h(k: &str, v: &str) -> (String, String) {
    (k.into(), v.into())
}

/// The first answer of every versioned scenario: version A with `validators`, cut half-way.
fn first_half(a: &[u8], validators: &[(String, String)]) -> Reply {
    let mut headers = vec![h("Accept-Ranges", "bytes")];
    headers.extend_from_slice(validators);
    Reply::Truncated {
        status: 200,
        headers,
        body: a[..a.len() / 2].to_vec(),
        declared: a.len(),
    }
}

fn full(body: &[u8], headers: Vec<(String, String)>) -> Reply {
    Reply::Full {
        status: 200,
        headers,
        body: body.to_vec(),
    }
}

/// A 206 with the rest of `body` from `start`, announcing `total`.
fn partial(body: &[u8], start: usize, total: usize, headers: Vec<(String, String)>) -> Reply {
    let mut headers = headers;
    headers.push(h(
        "Content-Range",
        &format!("bytes {start}-{}/{total}", body.len() - 1),
    ));
    Reply::Full {
        status: 206,
        headers,
        body: body[start..].to_vec(),
    }
}

/// No file but the target in `dir`: no part file left behind.
fn only_target(dir: &TempDir, target: &std::path::Path) {
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p != target)
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

const LEN: usize = 1_000_000;

// --- Resumes never mix two versions ---

#[maybe]
#[the_test]
async fn resume_sends_if_range_and_takes_a_changed_file_whole() {
    let (a, b) = (version(1, LEN), version(2, LEN * 7 / 10));
    let (a2, b2) = (a.clone(), b.clone());
    // A server that honours If-Range: the file changed, so the whole new version (shorter,
    // so that a missing truncation would show).
    let mock = Mock::start(move |_, i| match i {
        0 => first_half(&a2, &[h("ETag", "\"v-A\"")]),
        _ => full(&b2, vec![h("ETag", "\"v-B\""), h("Accept-Ranges", "bytes")]),
    });
    let dir = TempDir::new("if-range");
    let target = dir.path().join("f.bin");
    let n = client(&mock)
        .download_file_to("/uploads/f.bin", &target)
        .await
        .unwrap();
    assert_eq!(n, b.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), b, "only version B");
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].header("range"), Some("bytes=500000-"));
    assert_eq!(reqs[1].header("if-range"), Some("\"v-A\""));
    only_target(&dir, &target);
    let _ = a;
}

#[maybe]
#[the_test]
async fn resume_refuses_a_range_of_another_version() {
    let (a, b) = (version(1, LEN), version(2, LEN));
    let b2 = b.clone();
    // A server that ignores If-Range and sends a range of version B: the client sees the
    // other ETag and fetches the whole file again.
    let mock = Mock::start(move |req, i| match i {
        0 => first_half(&a, &[h("ETag", "\"v-A\"")]),
        _ if req.header("range").is_some() => {
            partial(&b2, LEN / 2, LEN, vec![h("ETag", "\"v-B\"")])
        }
        _ => full(&b2, vec![h("ETag", "\"v-B\"")]),
    });
    let dir = TempDir::new("other-version");
    let target = dir.path().join("f.bin");
    let n = client(&mock)
        .download_file_to("/uploads/f.bin", &target)
        .await
        .unwrap();
    assert_eq!(n, LEN as u64);
    assert_eq!(std::fs::read(&target).unwrap(), b);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        reqs[2].header("range"),
        None,
        "the restart asks for everything"
    );
}

#[maybe]
#[the_test]
async fn resume_refuses_a_range_of_another_length() {
    let a = version(1, LEN);
    let b = version(2, LEN + 100_000);
    let b2 = b.clone();
    let date = h("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
    let d2 = date.clone();
    // Same Last-Modified (a clock-resolution accident), but Content-Range's total differs
    // from the first response's length: restart.
    let mock = Mock::start(move |req, i| match i {
        0 => first_half(&a, std::slice::from_ref(&d2)),
        _ if req.header("range").is_some() => partial(&b2, LEN / 2, b2.len(), vec![d2.clone()]),
        _ => full(&b2, vec![d2.clone()]),
    });
    let dir = TempDir::new("other-length");
    let target = dir.path().join("f.bin");
    client(&mock)
        .download_file_to("/uploads/f.bin", &target)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), b);
    let reqs = mock.requests();
    assert_eq!(reqs[1].header("if-range"), Some(date.1.as_str()));
    assert_eq!(reqs.len(), 3);
}

#[maybe]
#[the_test]
async fn resume_without_a_strong_validator_starts_over() {
    for validators in [vec![h("ETag", "W/\"v-A\"")], vec![]] {
        let a = version(1, LEN);
        let a2 = a.clone();
        let v2 = validators.clone();
        let mock = Mock::start(move |_, i| match i {
            0 => first_half(&a2, &v2),
            _ => full(&a2, v2.clone()),
        });
        let dir = TempDir::new("no-validator");
        let target = dir.path().join("f.bin");
        client(&mock)
            .download_file_to("/uploads/f.bin", &target)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), a);
        let reqs = mock.requests();
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[1].header("range"), None, "{validators:?}");
        assert_eq!(reqs[1].header("if-range"), None);
    }
}

// --- Time bounds ---

/// A body of `n` bytes, one byte per `pause`.
fn drip(n: usize, pause: Duration) -> Reply {
    Reply::Slow {
        status: 200,
        body: vec![b'x'; n],
        chunks: n,
        pause,
    }
}

#[maybe]
#[the_test]
async fn a_trickle_fails_on_the_low_speed_limit() {
    let mock = Mock::always(drip(1000, Duration::from_millis(50)));
    let c = client(&mock);
    let opts = DownloadOptions::new()
        .low_speed(1000, Duration::from_millis(400))
        .max_resumes(1);
    let dir = TempDir::new("trickle");
    let target = dir.path().join("t.bin");
    let started = Instant::now();
    let err = c
        .download_file_to_with("/uploads/t.bin", &target, &opts)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(mock.hits(), 2, "a stall is resumed like a cut");
    let err = c
        .download_file_with("/uploads/t.bin", &opts)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    assert!(!target.exists());
    only_target(&dir, &target);
}

#[maybe]
#[the_test]
async fn the_default_low_speed_limit_ends_a_trickle() {
    // One byte each 0.5 s: the defaults (no byte for 30 s / below 1 KiB/s over 30 s) end it
    // after one period per attempt instead of never; one attempt here.
    let mock = Mock::always(drip(1000, Duration::from_millis(500)));
    let started = Instant::now();
    let err = client_with(&mock, Duration::from_secs(60))
        .download_file_with("/uploads/t.bin", &DownloadOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(29) && took < Duration::from_secs(40),
        "{took:?}"
    );
}

#[maybe]
#[the_test]
async fn the_default_idle_timeout_is_30_seconds() {
    // Headers, then silence with the connection open; the client's timeout is longer.
    let mock = Mock::always(Reply::Stalled {
        status: 200,
        headers: vec![],
        body: b"x".to_vec(),
        declared: 10,
        hold: Duration::from_secs(60),
    });
    let started = Instant::now();
    let err = client_with(&mock, Duration::from_secs(60))
        .download_file_with("/uploads/i.bin", &DownloadOptions::new().no_low_speed())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_secs(29) && took < Duration::from_secs(40),
        "{took:?}"
    );
}

#[maybe]
#[the_test]
async fn an_idle_body_times_out_and_a_stalled_one_resumes() {
    let opts = DownloadOptions::new()
        .idle_timeout(Duration::from_millis(300))
        .max_resumes(0);
    let mock = Mock::always(drip(4, Duration::from_secs(2)));
    let started = Instant::now();
    let err = client(&mock)
        .download_file_with("/uploads/i.bin", &opts)
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1500));

    // Half the body, then silence with the connection open: resumed with a range.
    let body = version(3, LEN);
    let b2 = body.clone();
    let date = h("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT");
    let mock = Mock::start(move |_, i| match i {
        0 => Reply::Stalled {
            status: 200,
            headers: vec![h("Accept-Ranges", "bytes"), date.clone()],
            body: b2[..LEN / 2].to_vec(),
            declared: LEN,
            hold: Duration::from_secs(10),
        },
        _ => partial(&b2, LEN / 2, LEN, vec![date.clone()]),
    });
    let dir = TempDir::new("stalled");
    let target = dir.path().join("s.bin");
    let started = Instant::now();
    client(&mock)
        .download_file_to_with("/uploads/s.bin", &target, &opts.max_resumes(1))
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert_eq!(
        mock.requests()[1].header("range"),
        Some(format!("bytes={}-", LEN / 2).as_str())
    );
}

#[maybe]
#[the_test]
async fn the_client_timeout_does_not_cut_a_long_download() {
    // 2.4 s of steady body under a 1 s client timeout: it bounds only the headers.
    let body = version(4, 240_000);
    let slow = Reply::Slow {
        status: 200,
        body: body.clone(),
        chunks: 24,
        pause: Duration::from_millis(100),
    };
    let mock = Mock::always(slow);
    let c = client_with(&mock, Duration::from_secs(1));
    let got = c.download_file("/uploads/l.bin").await.unwrap();
    assert_eq!(&got[..], &body[..]);
    let dir = TempDir::new("long");
    let target = dir.path().join("l.bin");
    c.download_file_to("/uploads/l.bin", &target).await.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert_eq!(mock.hits(), 2, "no resume was needed");
}

#[maybe]
#[the_test]
async fn the_client_timeout_bounds_the_headers() {
    let mock = Mock::always(Reply::Delay(
        Duration::from_secs(3),
        Box::new(Reply::raw(200, "image/png", b"png")),
    ));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .retry(strapi_kit::RetryPolicy::none())
            .timeout(Duration::from_millis(500))
            .build()
            .unwrap(),
    )
    .unwrap();
    let started = Instant::now();
    let err = c.download_file("/uploads/a.png").await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[maybe]
#[the_test]
async fn a_deadline_ends_the_whole_download() {
    let mock = Mock::always(Reply::Slow {
        status: 200,
        body: vec![b'y'; 100_000],
        chunks: 20,
        pause: Duration::from_millis(100),
    });
    let dir = TempDir::new("deadline");
    let target = dir.path().join("d.bin");
    let started = Instant::now();
    let err = client(&mock)
        .download_file_to_with(
            "/uploads/d.bin",
            &target,
            &DownloadOptions::new().deadline(Duration::from_millis(500)),
        )
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert_eq!(mock.hits(), 1, "no resume past the deadline");
    only_target(&dir, &target);
}

#[maybe]
#[the_test]
async fn unusable_time_bounds_are_refused_before_sending() {
    let mock = Mock::always(Reply::raw(200, "image/png", b"png"));
    let c = client(&mock);
    for opts in [
        DownloadOptions::new().idle_timeout(Duration::ZERO),
        DownloadOptions::new().low_speed(10, Duration::ZERO),
        DownloadOptions::new().deadline(Duration::ZERO),
    ] {
        let err = c
            .download_file_with("/uploads/a.png", &opts)
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert_eq!(mock.hits(), 0);
}

// --- Memory bound ---

fn too_large(err: &Error) -> bool {
    matches!(
        err,
        Error::UnexpectedResponse {
            reason: UnexpectedReason::TooLarge,
            ..
        }
    )
}

#[maybe]
#[the_test]
async fn an_endless_body_in_memory_stops_at_max_bytes() {
    let mock = Mock::always(Reply::Endless { declared: None });
    let started = Instant::now();
    let err = client(&mock)
        .download_file_with("/uploads/e.bin", &DownloadOptions::new().max_bytes(4 << 20))
        .await
        .unwrap_err();
    assert!(too_large(&err), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[maybe]
#[the_test]
async fn an_endless_body_in_memory_stops_at_the_default_bound() {
    let mock = Mock::always(Reply::Endless { declared: None });
    let err = client_with(&mock, Duration::from_secs(60))
        .download_file("/uploads/e.bin")
        .await
        .unwrap_err();
    assert!(too_large(&err), "{err:?}");
}

#[maybe]
#[the_test]
async fn an_announced_size_over_max_bytes_fails_before_reading() {
    // 16 GiB announced: refused from Content-Length, long before 16 GiB could arrive.
    let mock = Mock::always(Reply::Endless {
        declared: Some(16 << 30),
    });
    let started = Instant::now();
    let err = client(&mock)
        .download_file("/uploads/e.bin")
        .await
        .unwrap_err();
    assert!(too_large(&err), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

// --- No part file left behind ---
// Cancelling is a flavour's own act (dropping a future, unwinding a thread), so these two
// name their flavour; each runs under both mounts, which costs a second or so.

fn slow_file() -> Mock {
    Mock::always(Reply::Slow {
        status: 200,
        body: vec![b'z'; 200_000],
        chunks: 100,
        pause: Duration::from_millis(50),
    })
}

fn plain_config(mock: &Mock) -> StrapiConfig {
    StrapiConfig::builder(&mock.url).build().unwrap()
}

#[cfg(feature = "async")]
#[tokio::test]
async fn a_cancelled_async_download_leaves_no_part_file() {
    let mock = slow_file();
    let c = strapi_kit::AsyncClient::new(plain_config(&mock)).unwrap();
    let dir = TempDir::new("cancel");
    let target = dir.path().join("c.bin");

    // The future dropped mid-body.
    let dropped = tokio::time::timeout(
        Duration::from_millis(500),
        c.download_file_to("/c.bin", &target),
    )
    .await;
    assert!(dropped.is_err(), "still running when dropped");
    assert!(!target.exists());
    only_target(&dir, &target);

    // The task aborted mid-body.
    let (c2, t2) = (c.clone(), target.clone());
    let task = tokio::spawn(async move { c2.download_file_to("/c.bin", &t2).await });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        std::fs::read_dir(dir.path()).unwrap().count() == 1,
        "a part file while it runs"
    );
    task.abort();
    assert!(task.await.unwrap_err().is_cancelled());
    assert!(!target.exists());
    only_target(&dir, &target);
}

#[cfg(feature = "sync")]
#[test]
fn a_panicking_progress_callback_leaves_no_part_file() {
    let mock = slow_file();
    let c = strapi_kit::SyncClient::new(plain_config(&mock)).unwrap();
    let dir = TempDir::new("panic");
    let target = dir.path().join("p.bin");
    let opts = DownloadOptions::new().on_progress(|p| {
        if p.bytes > 10_000 {
            panic!("the callback fails");
        }
    });
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        c.download_file_to_with("/p.bin", &target, &opts)
    }));
    assert!(result.is_err(), "the panic reached the caller");
    assert!(!target.exists());
    only_target(&dir, &target);
}

/// Peak memory is measured in a child process (this test binary, running only this test),
/// from its own `VmHWM`: timing says nothing about memory.
#[maybe]
#[the_test]
async fn an_endless_body_in_memory_keeps_peak_rss_near_max_bytes() {
    const NAME: &str = "an_endless_body_in_memory_keeps_peak_rss_near_max_bytes";
    if std::env::var_os("STRAPI_KIT_RSS_CHILD").is_some() {
        let mock = Mock::always(Reply::Endless { declared: None });
        // The deadline only ends a broken bound before it eats the machine.
        let opts = DownloadOptions::new()
            .max_bytes(64 << 20)
            .deadline(Duration::from_secs(20));
        let err = client(&mock)
            .download_file_with("/uploads/e.bin", &opts)
            .await
            .unwrap_err();
        assert!(too_large(&err), "{err:?}");
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let hwm = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
        println!("PEAK {}", hwm.trim_start_matches("VmHWM:").trim());
        return;
    }
    let (_, path) = module_path!().split_once("::").unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([&format!("{path}::{NAME}"), "--exact", "--nocapture"])
        .args(["--test-threads", "1"])
        .env("STRAPI_KIT_RSS_CHILD", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kib: u64 = stdout
        .lines()
        .find_map(|l| l.split_once("PEAK ").map(|(_, v)| v))
        .and_then(|v| v.trim_end_matches("kB").trim().parse().ok())
        .expect("the child reports its peak");
    // 64 MiB kept, plus the test binary's own footprint.
    assert!(kib < 160 * 1024, "peak RSS {} MiB", kib / 1024);
}
