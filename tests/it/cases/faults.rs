//! Faults only a mock server can produce, each with its exact outcome: the typed error, or
//! success after a counted number of requests. Nothing here may panic.

use std::time::{Duration, Instant};

use super::mock::{Mock, Reply};
use super::*;

const ENTRY: &str = r#"{"data":{"id":1,"documentId":"abc","title":"ok"},"meta":{}}"#;
const LIST: &str =
    r#"{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}"#;

/// A client for `mock` with fast retries (no jitter, 10 ms base).
fn retrying(mock: &Mock) -> Client {
    mock_client(mock, Duration::from_secs(5))
}

fn q() -> StrapiQuery {
    StrapiQuery::new()
}

#[maybe]
#[the_test]
async fn retries_503_then_succeeds() {
    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(200, ENTRY)]);
    let got: EntryResponse<Value> = retrying(&mock)
        .get_one("articles", "abc", &q())
        .await
        .unwrap();
    assert_eq!(got.data["title"], json!("ok"));
    assert_eq!(mock.hits(), 2);
}

#[maybe]
#[the_test]
async fn retries_502_and_504() {
    for status in [502, 504] {
        let mock = Mock::script(vec![Reply::json(status, "{}"), Reply::json(200, LIST)]);
        retrying(&mock)
            .get_many::<Value>("articles", &q())
            .await
            .unwrap();
        assert_eq!(mock.hits(), 2, "{status}");
    }
}

#[maybe]
#[the_test]
async fn does_not_retry_500_by_default() {
    let body = r#"{"data":null,"error":{"status":500,"name":"InternalServerError","message":"Internal Server Error"}}"#;
    let mock = Mock::always(Reply::json(500, body));
    let err = retrying(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server(_)), "{err:?}");
    assert_eq!(
        err.api_error().unwrap().name.as_deref(),
        Some("InternalServerError")
    );
    assert_eq!(mock.hits(), 1);
}

#[maybe]
#[the_test]
async fn gives_up_after_max_attempts() {
    let mock = Mock::always(Reply::json(503, "{}"));
    let err = retrying(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(err.is_server(), "{err:?}");
    assert_eq!(mock.hits(), 3);
}

#[maybe]
#[the_test]
async fn rate_limited_honours_retry_after_seconds() {
    let mock = Mock::script(vec![
        Reply::json(429, "{}").with_header("Retry-After", "1"),
        Reply::json(200, LIST),
    ]);
    let c = retrying(&mock).with_retry(
        strapi_kit::RetryPolicy::default()
            .jitter(false)
            .max_delay(Duration::from_secs(2)),
    );
    let t = Instant::now();
    c.get_many::<Value>("articles", &q()).await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(900),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(mock.hits(), 2);
}

#[maybe]
#[the_test]
async fn rate_limited_error_carries_retry_after_date() {
    let when = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(30));
    let mock = Mock::always(Reply::json(429, "{}").with_header("Retry-After", &when));
    let c = retrying(&mock).with_retry(strapi_kit::RetryPolicy::none());
    let err = c.get_many::<Value>("articles", &q()).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)), "{err:?}");
    let hint = err.retry_after().unwrap();
    assert!(
        hint > Duration::from_secs(25) && hint <= Duration::from_secs(30),
        "{hint:?}"
    );
    assert_eq!(mock.hits(), 1);
}

#[maybe]
#[the_test]
async fn post_is_not_retried_unless_opted_in() {
    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(201, ENTRY)]);
    let err = retrying(&mock)
        .create::<Value, _>("articles", &json!({"title": "x"}))
        .await
        .unwrap_err();
    assert!(err.is_server());
    assert_eq!(
        mock.hits(),
        1,
        "a create must never be sent twice by default"
    );

    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(201, ENTRY)]);
    let c = retrying(&mock).with_retry(
        strapi_kit::RetryPolicy::default()
            .jitter(false)
            .base_delay(Duration::from_millis(10))
            .retry_non_idempotent(true),
    );
    c.create::<Value, _>("articles", &json!({"title": "x"}))
        .await
        .unwrap();
    assert_eq!(mock.hits(), 2);
}

#[maybe]
#[the_test]
async fn connection_refused_is_connect_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = Client::new(config(&format!("http://127.0.0.1:{port}"), Some("t"))).unwrap();
    let err = c.get_many::<Value>("articles", &q()).await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(err.is_retryable());
}

#[maybe]
#[the_test]
async fn reset_before_headers_is_transport_error_and_retried() {
    let mock = Mock::always(Reply::Close);
    let err = retrying(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(mock.hits(), 3);
}

#[maybe]
#[the_test]
async fn reset_mid_body_is_retried_for_get() {
    let cut = Reply::Truncated {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: ENTRY.as_bytes()[..20].to_vec(),
        declared: ENTRY.len(),
    };
    let mock = Mock::script(vec![cut.clone(), Reply::json(200, ENTRY)]);
    retrying(&mock)
        .get_one::<Value>("articles", "abc", &q())
        .await
        .unwrap();
    assert_eq!(mock.hits(), 2);
    let mock = Mock::always(cut);
    let err = retrying(&mock)
        .get_one::<Value>("articles", "abc", &q())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[maybe]
#[the_test]
async fn slow_headers_time_out_and_per_call_timeout_overrides() {
    let mock = Mock::always(Reply::Delay(
        Duration::from_millis(1500),
        Box::new(Reply::json(200, LIST)),
    ));
    let c = retrying(&mock).with_retry(strapi_kit::RetryPolicy::none());
    let err = c
        .with_timeout(Duration::from_millis(300))
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    // The client default (5 s) is enough.
    c.get_many::<Value>("articles", &q()).await.unwrap();
}

#[maybe]
#[the_test]
async fn slow_body_times_out() {
    let mock = Mock::always(Reply::Slow {
        status: 200,
        body: LIST.as_bytes().to_vec(),
        chunks: 4,
        pause: Duration::from_millis(400),
    });
    let c = retrying(&mock).with_retry(strapi_kit::RetryPolicy::none());
    let err = c
        .with_timeout(Duration::from_millis(600))
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[maybe]
#[the_test]
async fn unusable_success_bodies_are_typed() {
    use strapi_kit::UnexpectedReason as R;
    let cases = [
        (Reply::json(200, r#"{"data":{"id":1,"#), R::NotJson),
        (Reply::raw(200, "text/html", b"<html>hi</html>"), R::NotJson),
        (Reply::raw(200, "application/json", b""), R::EmptyBody),
        (Reply::json(200, r#"{"ok":true}"#), R::NoData),
        (
            Reply::raw(200, "application/json", &[0xff, 0xfe, b'{']),
            R::NotJson,
        ),
    ];
    for (reply, want) in cases {
        let mock = Mock::always(reply);
        let err = retrying(&mock)
            .get_one::<Value>("articles", "abc", &q())
            .await
            .unwrap_err();
        match &err {
            Error::UnexpectedResponse { reason, .. } => assert_eq!(*reason, want, "{err:?}"),
            other => panic!("{other:?}"),
        }
    }
}

#[maybe]
#[the_test]
async fn delete_accepts_204_and_200() {
    let mock = Mock::script(vec![
        Reply::raw(204, "text/plain", b""),
        Reply::json(200, ENTRY),
    ]);
    let c = retrying(&mock);
    c.remove("articles", "abc").await.unwrap();
    c.remove("articles", "abc").await.unwrap();
    assert_eq!(mock.hits(), 2);
    assert_eq!(mock.requests()[0].method, "DELETE");
    assert_eq!(mock.requests()[0].target, "/api/articles/abc");
}

#[maybe]
#[the_test]
async fn huge_and_odd_error_bodies_are_bounded() {
    let huge = vec![b'e'; 5 * 1024 * 1024];
    let mock = Mock::always(Reply::raw(500, "text/plain", &huge));
    let err = retrying(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(err.is_server());
    assert!(err.to_string().len() < 2048, "message is bounded");

    let mock = Mock::always(Reply::raw(418, "text/plain", &[0xc3, 0x28, 0xff]));
    let err = retrying(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Http(_)), "{err:?}");
    assert_eq!(err.status(), Some(418));

    let mock = Mock::always(Reply::raw(405, "text/plain", b"Method Not Allowed"));
    let err = retrying(&mock).remove("articles", "x").await.unwrap_err();
    assert_eq!(err.status(), Some(405));
}

#[maybe]
#[the_test]
async fn token_goes_to_server_only_and_never_into_errors() {
    let other = Mock::always(Reply::json(200, LIST));
    let target = format!("{}/api/articles", other.url);
    let mock = Mock::always(Reply::raw(302, "text/plain", b"").with_header("Location", &target));
    let c = retrying(&mock);
    let err = c.get_many::<Value>("articles", &q()).await.unwrap_err();
    assert!(matches!(err, Error::Redirected { .. }), "{err:?}");
    assert_eq!(
        mock.requests()[0].header("authorization"),
        Some("Bearer secret-token-value")
    );
    assert_eq!(
        other.hits(),
        0,
        "the token must not follow a redirect to another host"
    );
    let debug = format!("{c:?} {:?}", c.config());
    assert!(!debug.contains("secret-token-value"), "{debug}");
    let failing = Mock::always(Reply::json(
        401,
        r#"{"error":{"status":401,"message":"bad"}}"#,
    ));
    let err = retrying(&failing)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("secret-token-value"));
}

#[maybe]
#[the_test]
async fn per_call_headers_and_user_agent() {
    let mock = Mock::always(Reply::json(200, LIST));
    let c = retrying(&mock).with_header("X-Tenant", "blue").unwrap();
    c.get_many::<Value>("articles", &q()).await.unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.header("x-tenant"), Some("blue"));
    assert!(
        r.header("user-agent")
            .unwrap()
            .starts_with("strapi-kit-rust/")
    );
    assert_eq!(r.header("accept"), Some("application/json"));
}

#[maybe]
#[the_test]
async fn wire_format_of_queries_and_bodies() {
    let mock = Mock::always(Reply::json(201, ENTRY));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("t")
            .api_version(strapi_kit::ApiVersion::V5)
            .build()
            .unwrap(),
    )
    .unwrap();
    let query = StrapiQuery::new()
        .filter(FilterBuilder::new().eq("title", "a b&c"))
        .locale("fr");
    let _: EntryResponse<Value> = c
        .create_with("articles", &json!({"title": "é"}), &query)
        .await
        .unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.target,
        "/api/articles?filters%5Btitle%5D%5B%24eq%5D=a+b%26c&locale=fr"
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.body, r#"{"data":{"title":"é"}}"#.as_bytes());
}

#[maybe]
#[the_test]
async fn rate_limit_spaces_requests() {
    let mock = Mock::always(Reply::json(200, LIST));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("t")
            .rate_limit(20.0)
            .build()
            .unwrap(),
    )
    .unwrap();
    let t = Instant::now();
    for _ in 0..5 {
        c.get_many::<Value>("articles", &q()).await.unwrap();
    }
    // Five requests at 20/s need at least four intervals of 50 ms.
    assert!(
        t.elapsed() >= Duration::from_millis(190),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(mock.hits(), 5);
}

#[maybe]
#[the_test]
async fn connections_are_reused() {
    let mock = Mock::always(Reply::json(200, LIST));
    let c = retrying(&mock);
    for _ in 0..10 {
        c.get_many::<Value>("articles", &q()).await.unwrap();
    }
    assert_eq!(mock.hits(), 10);
    assert_eq!(mock.connections(), 1);
}

/// A file server that answers `Range: bytes=N-` with 206, and cuts the first full answer
/// half-way when `cut` is set. Without `ranges` it ignores `Range` and sends everything.
/// It names its version (`Last-Modified`), so that a client may resume with `If-Range`.
fn file_server(body: Vec<u8>, cut: bool, ranges: bool) -> Mock {
    Mock::start(move |req, i| {
        let len = body.len();
        let accept = if ranges { "bytes" } else { "none" };
        let dated = (
            "Last-Modified".into(),
            "Wed, 21 Oct 2015 07:28:00 GMT".into(),
        );
        let start = req
            .header("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.trim_end_matches('-').parse::<usize>().ok())
            .filter(|_| ranges);
        match start {
            Some(s) => Reply::Full {
                status: 206,
                headers: vec![
                    (
                        "Content-Range".into(),
                        format!("bytes {s}-{}/{len}", len - 1),
                    ),
                    ("Accept-Ranges".into(), accept.into()),
                    dated,
                ],
                body: body[s..].to_vec(),
            },
            None if cut && i == 0 => Reply::Truncated {
                status: 200,
                headers: vec![("Accept-Ranges".into(), accept.into()), dated],
                body: body[..len / 2].to_vec(),
                declared: len,
            },
            None => Reply::Full {
                status: 200,
                headers: vec![("Accept-Ranges".into(), accept.into()), dated],
                body: body.clone(),
            },
        }
    })
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

#[maybe]
#[the_test]
async fn download_resumes_with_range_after_a_cut() {
    let body = sample(3_000_000);
    let mock = file_server(body.clone(), true, true);
    let dir = TempDir::new("resume");
    let target = dir.path().join("big.bin");
    let n = retrying(&mock)
        .download_file_to("/uploads/big.bin", &target)
        .await
        .unwrap();
    assert_eq!(n, body.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), body);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("range"), None);
    let range = reqs[1].header("range").expect("resumed with Range");
    assert_eq!(range, format!("bytes={}-", body.len() / 2));
}

#[maybe]
#[the_test]
async fn download_starts_over_without_range_support() {
    let body = sample(1_000_000);
    let mock = file_server(body.clone(), true, false);
    let dir = TempDir::new("restart");
    let target = dir.path().join("big.bin");
    let n = retrying(&mock)
        .download_file_to("/uploads/big.bin", &target)
        .await
        .unwrap();
    assert_eq!(n, body.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert_eq!(mock.hits(), 2);
    assert_eq!(mock.requests()[1].header("range"), None);
}

#[maybe]
#[the_test]
async fn cut_download_leaves_no_file() {
    let body = sample(500_000);
    let mock = file_server(body, true, true);
    let dir = TempDir::new("cut");
    let target = dir.path().join("x.bin");
    let err = retrying(&mock)
        .download_file_to_with(
            "/uploads/x.bin",
            &target,
            &strapi_kit::DownloadOptions::new().max_resumes(0),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        !target.exists(),
        "no truncated file where the user expects the real one"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert!(left.is_empty(), "temporary file removed: {left:?}");
}

#[maybe]
#[the_test]
async fn download_token_policy() {
    let mock = Mock::always(Reply::raw(200, "image/png", b"png"));
    let c = retrying(&mock);
    c.download_file("/uploads/a.png").await.unwrap();
    c.download_file_with(
        "/uploads/a.png",
        &strapi_kit::DownloadOptions::new().send_token(strapi_kit::SendToken::Never),
    )
    .await
    .unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs[0].target, "/uploads/a.png");
    assert_eq!(
        reqs[0].header("authorization"),
        Some("Bearer secret-token-value")
    );
    assert_eq!(reqs[1].header("authorization"), None);

    // Another host (a CDN) never gets the token unless asked.
    let cdn = Mock::always(Reply::raw(200, "image/png", b"png"));
    c.download_file(&format!("{}/x.png", cdn.url))
        .await
        .unwrap();
    c.download_file_with(
        &format!("{}/x.png", cdn.url),
        &strapi_kit::DownloadOptions::new().send_token(strapi_kit::SendToken::Always),
    )
    .await
    .unwrap();
    assert_eq!(cdn.requests()[0].header("authorization"), None);
    assert_eq!(
        cdn.requests()[1].header("authorization"),
        Some("Bearer secret-token-value")
    );
}

#[maybe]
#[the_test]
async fn validation_and_bad_input_send_nothing() {
    let mock = Mock::always(Reply::json(201, "[]"));
    let c = retrying(&mock);
    let dir = TempDir::new("nothing-sent");
    let big = dir.write("big.png", &vec![0u8; 5000]);
    let renamed = dir.write("photo.jpg", b"%PDF-1.4 a document in disguise");
    let fine = dir.write("fine.txt", b"ok");

    let too_big = c
        .upload_file(&big, &UploadOptions::new().max_size(1000))
        .await
        .unwrap_err();
    assert!(matches!(too_big, Error::Media(_)), "{too_big:?}");
    let disallowed = c
        .upload_file(&fine, &UploadOptions::new().allowed_types(["image/*"]))
        .await
        .unwrap_err();
    assert!(
        disallowed.to_string().contains("text/plain"),
        "{disallowed}"
    );
    let disguised = c
        .upload_file(&renamed, &UploadOptions::new().allowed_types(["image/*"]))
        .await
        .unwrap_err();
    assert!(
        disguised.to_string().contains("application/pdf"),
        "{disguised}"
    );
    let batch = c
        .upload_files(&[&fine, &big], &UploadOptions::new().max_size(1000))
        .await
        .unwrap_err();
    assert!(batch.to_string().contains("big.png"), "{batch}");
    let missing = c
        .upload_file(dir.path().join("nope"), &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(missing.to_string().contains("no such file"));
    let directory = c
        .upload_file(dir.path(), &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(directory.to_string().contains("directory"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = dir.write("locked.txt", b"secret");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        // Root can read anything; only check when the file really is unreadable.
        if std::fs::read(&locked).is_err() {
            let err = c
                .upload_file(&locked, &UploadOptions::new())
                .await
                .unwrap_err();
            assert!(matches!(err, Error::Media(_) | Error::Io { .. }), "{err:?}");
        }
    }
    for id in ["..", ".", "", "  "] {
        let err = c.get_one::<Value>("articles", id, &q()).await.unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{id:?}: {err:?}");
    }
    let err = c
        .download_file_to("/uploads/a.png", dir.path().join("no/such/dir/a.png"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let bad_config = StrapiConfig::new("ftp://example.com", "t").unwrap_err();
    assert!(matches!(bad_config, Error::Config(_)));
    assert_eq!(mock.hits(), 0, "nothing may reach the server");
}

#[maybe]
#[the_test]
async fn upload_retry_is_opt_in_and_resends_the_whole_file() {
    let file_json = r#"[{"id":7,"name":"f.bin","hash":"f","mime":"application/octet-stream","url":"/uploads/f.bin","size":1.0,"provider":"local"}]"#;
    let dir = TempDir::new("reupload");
    let content = sample(200_000);
    let path = dir.write("f.bin", &content);

    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(201, file_json)]);
    let err = retrying(&mock)
        .upload_file(&path, &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(err.is_server());
    assert_eq!(mock.hits(), 1, "an upload is never sent twice by default");

    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(201, file_json)]);
    let c = retrying(&mock).with_retry(
        strapi_kit::RetryPolicy::default()
            .jitter(false)
            .base_delay(Duration::from_millis(10))
            .retry_non_idempotent(true),
    );
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let opts = UploadOptions::new().on_progress(move |p| sink.lock().unwrap().push(p));
    let up = c.upload_file(&path, &opts).await.unwrap();
    assert_eq!(up.id, 7);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    for r in &reqs {
        let found = r
            .body
            .windows(content.len())
            .any(|w| w == content.as_slice());
        assert!(found, "each attempt carries the whole file");
    }
    let last = *seen.lock().unwrap().last().unwrap();
    assert_eq!(
        last.bytes,
        content.len() as u64,
        "progress restarts with the retry"
    );
    assert_eq!(last.batch_bytes, content.len() as u64);
}

#[maybe]
#[the_test]
async fn multipart_layout() {
    let file_json = r#"[{"id":1,"name":"a b.txt","hash":"a","mime":"text/plain","url":"/uploads/a.txt","size":0.01,"provider":"local"}]"#;
    let mock = Mock::always(Reply::json(201, file_json));
    let c = retrying(&mock);
    let opts = UploadOptions::new()
        .alternative_text("Alt")
        .caption("Cap")
        .name("stored.txt");
    c.upload_bytes(b"hello".to_vec(), "a b.txt", &opts)
        .await
        .unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.target, "/api/upload");
    let ct = r.header("content-type").unwrap();
    assert!(ct.starts_with("multipart/form-data; boundary="), "{ct}");
    let body = String::from_utf8_lossy(&r.body);
    let info = body.find("name=\"fileInfo\"").expect("fileInfo part");
    let files = body
        .find("name=\"files\"; filename=\"a b.txt\"")
        .expect("files part");
    assert!(info < files, "metadata before the file");
    assert!(body.contains(r#"{"alternativeText":"Alt","caption":"Cap","name":"stored.txt"}"#));
    assert!(body.contains("Content-Type: text/plain"));
    assert!(!body.contains("name=\"ref\""), "no attachment parts");
}

/// Records every event and span field of the current thread as text.
#[derive(Default, Clone)]
struct Capture(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

struct FieldText<'a>(&'a mut String);

impl tracing::field::Visit for FieldText<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {}", span.metadata().name());
        span.record(&mut FieldText(&mut line));
        self.0.lock().unwrap().push(line);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::from("record");
        values.record(&mut FieldText(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("event {}", event.metadata().level());
        event.record(&mut FieldText(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[maybe]
#[the_test]
async fn tracing_shows_requests_but_never_the_token() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = Mock::script(vec![
        Reply::json(503, "{}"),
        Reply::json(200, LIST),
        Reply::json(
            401,
            r#"{"error":{"status":401,"message":"Missing or invalid credentials"}}"#,
        ),
    ]);
    let c = retrying(&mock);
    let personal = StrapiQuery::new().filter(FilterBuilder::new().eq("email", "ada@example.org"));
    c.get_many::<Value>("articles", &personal).await.unwrap();
    let err = c.get_many::<Value>("articles", &q()).await.unwrap_err();
    let (_, _) = (format!("{err}"), format!("{err:?} {c:?}"));
    let lines = capture.0.lock().unwrap().clone();
    let all = lines.join("\n");
    assert!(all.contains("status=503"), "{all}");
    assert!(all.contains("status=200"), "{all}");
    assert!(all.contains("attempt=2"), "{all}");
    assert!(all.contains("method=GET"), "{all}");
    assert!(all.contains("elapsed_ms="), "{all}");
    // A span per call, with OpenTelemetry's HTTP client field names.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("span strapi.request"))
            .count(),
        2,
        "{all}"
    );
    assert!(all.contains("http.request.method=GET"), "{all}");
    assert!(all.contains("url.template=\"/api/:plural\""), "{all}");
    assert!(all.contains("http.response.status_code=503"), "{all}");
    assert!(all.contains("http.response.status_code=401"), "{all}");
    assert!(all.contains("http.request.resend_count=1"), "{all}");
    assert!(all.contains("http.response.body.size="), "{all}");
    assert!(all.contains("error.type=\"401\""), "{all}");
    // The retry is a warning, the failed call too (a 4xx).
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event WARN") && l.contains("retrying")),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event WARN") && l.contains("strapi call failed")),
        "{all}"
    );
    // Query values stay out of logs; names stay in.
    assert!(
        !all.contains("ada@example.org") && !all.contains("ada%40example.org"),
        "{all}"
    );
    assert!(all.contains("filters[email][$eq]=*"), "{all}");
    assert!(
        !all.contains("secret-token-value"),
        "token leaked into tracing: {all}"
    );
    assert!(!all.to_ascii_lowercase().contains("authorization"), "{all}");
}

#[maybe]
#[the_test]
async fn tracing_shows_query_values_when_asked_and_errors_at_error() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let mock = Mock::always(Reply::json(500, "{}"));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .retry(strapi_kit::RetryPolicy::none())
            .log_query_values(true)
            .build()
            .unwrap(),
    )
    .unwrap();
    let personal = StrapiQuery::new().filter(FilterBuilder::new().eq("email", "ada@example.org"));
    let res = c.get_many::<Value>("articles", &personal).await;
    assert!(res.is_err());
    let lines = capture.0.lock().unwrap().clone();
    let all = lines.join("\n");
    assert!(
        all.contains("ada%40example.org") || all.contains("ada@example.org"),
        "{all}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("event ERROR") && l.contains("strapi call failed")),
        "a 5xx is an error: {all}"
    );
    assert!(!all.contains("secret-token-value"), "{all}");
}

#[maybe]
#[the_test]
async fn retry_500_when_configured() {
    let mock = Mock::script(vec![Reply::json(500, "{}"), Reply::json(200, LIST)]);
    let c = retrying(&mock).with_retry(
        strapi_kit::RetryPolicy::default()
            .jitter(false)
            .base_delay(Duration::from_millis(10))
            .retry_on_status([500, 502, 503, 504]),
    );
    c.get_many::<Value>("articles", &q()).await.unwrap();
    assert_eq!(mock.hits(), 2);
}

#[maybe]
#[the_test]
async fn ids_are_sent_as_one_encoded_segment() {
    let mock = Mock::always(Reply::json(200, ENTRY));
    let c = retrying(&mock);
    for (id, path) in [
        ("a/b", "/api/articles/a%2Fb"),
        ("x?status=draft", "/api/articles/x%3Fstatus=draft"),
        ("frag#ment", "/api/articles/frag%23ment"),
        ("100%", "/api/articles/100%25"),
        ("..%2F", "/api/articles/..%252F"),
    ] {
        c.get_one::<Value>("articles", id, &q()).await.unwrap();
        let last = mock.requests().last().unwrap().target.clone();
        assert_eq!(last, path, "{id}");
    }
}

#[maybe]
#[the_test]
async fn large_download_cut_half_way_resumes_byte_identical() {
    use std::io::Read;
    // 64 MiB by default; `STRAPI_KIT_RESUME_BYTES=1073741824` for the 1 GiB run of the bar.
    let len: u64 = std::env::var("STRAPI_KIT_RESUME_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64 << 20);
    let mock = Mock::start(move |req, i| {
        let start = req
            .header("range")
            .and_then(|r| r.strip_prefix("bytes="))
            .and_then(|r| r.trim_end_matches('-').parse::<u64>().ok())
            .unwrap_or(0);
        let cut_at = (i == 0).then_some(len / 2);
        Reply::Generated { len, start, cut_at }
    });
    let dir = TempDir::new("resume-large");
    let target = dir.path().join("large.bin");
    let n = retrying(&mock)
        .with_timeout(Duration::from_secs(600))
        .download_file_to("/uploads/large.bin", &target)
        .await
        .unwrap();
    assert_eq!(n, len);
    assert_eq!(mock.hits(), 2);
    assert_eq!(
        mock.requests()[1].header("range").map(str::to_owned),
        Some(format!("bytes={}-", len / 2))
    );
    let mut f = std::fs::File::open(&target).unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let mut at = 0u64;
    loop {
        let k = f.read(&mut buf).unwrap();
        if k == 0 {
            break;
        }
        for (j, b) in buf[..k].iter().enumerate() {
            assert_eq!(
                *b,
                super::mock::generated(at + j as u64),
                "byte {}",
                at + j as u64
            );
        }
        at += k as u64;
    }
    assert_eq!(at, len);
}
