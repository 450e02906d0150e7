//! What a call's `Ok` and `Err` promise, on the mock: timeouts bound the whole call, the
//! connection cap holds, bodies are bounded, an error says whether the write may have
//! happened, a DELETE whose answer was lost is done, and `create_once` never stores twice.

use std::time::{Duration, Instant};

use super::mock::{Mock, Reply};
use super::*;

const ENTRY: &str = r#"{"data":{"id":1,"documentId":"abc","title":"ok","slug":"s-1"},"meta":{}}"#;
const LIST: &str =
    r#"{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}"#;
const FOUND: &str = r#"{"data":[{"id":1,"documentId":"abc","title":"ok","slug":"s-1"}],"meta":{"pagination":{"page":1,"pageSize":1,"pageCount":1,"total":1}}}"#;

fn policy() -> strapi_kit::RetryPolicy {
    fast_retries()
}

fn client_with(mock: &Mock, timeout: Duration) -> Client {
    mock_client(mock, timeout)
}

fn slow(reply: Reply) -> Reply {
    Reply::Delay(Duration::from_secs(5), Box::new(reply))
}

#[maybe]
#[the_test]
async fn a_view_timeout_bounds_the_whole_call_not_each_attempt() {
    let mock = Mock::always(slow(Reply::json(200, LIST)));
    let c = client_with(&mock, Duration::from_secs(30));
    let started = Instant::now();
    let err = c
        .with_timeout(Duration::from_secs(1))
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(err.is_timeout(), "{err:?}");
    assert!(took < Duration::from_millis(1800), "took {took:?}");
    assert_eq!(mock.hits(), 1, "a timed-out call is not retried");
    assert!(
        err.may_have_applied(),
        "a timeout may come after the server acted"
    );
}

#[maybe]
#[the_test]
async fn the_client_timeout_bounds_the_whole_call_too() {
    let mock = Mock::always(slow(Reply::json(200, LIST)));
    let c = client_with(&mock, Duration::from_secs(1));
    let started = Instant::now();
    let err = c
        .get_one::<Value>("articles", "abc", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1800));
    assert_eq!(mock.hits(), 1);
}

#[maybe]
#[the_test]
async fn retries_and_their_waits_stay_inside_the_timeout() {
    // 503 at once, every time; the waits between attempts would add up to far more.
    let mock = Mock::always(Reply::json(503, "{}"));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .retry(
                policy()
                    .max_attempts(50)
                    .base_delay(Duration::from_millis(300))
                    .max_delay(Duration::from_millis(300)),
            )
            .timeout(Duration::from_secs(1))
            .build()
            .unwrap(),
    )
    .unwrap();
    let started = Instant::now();
    let err = c
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(err.is_server(), "the last answer is reported: {err:?}");
    assert!(took < Duration::from_millis(1300), "took {took:?}");
    assert!((2..=4).contains(&mock.hits()), "{} attempts", mock.hits());
}

#[maybe]
#[the_test]
async fn a_view_timeout_bounds_a_download_too() {
    let mock = Mock::always(Reply::Slow {
        status: 200,
        body: vec![7u8; 64],
        chunks: 8,
        pause: Duration::from_millis(400),
    });
    let c = client_with(&mock, Duration::from_secs(30));
    let started = Instant::now();
    let err = c
        .with_timeout(Duration::from_secs(1))
        .download_file("/uploads/a.bin")
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(1800));
}

#[maybe]
async fn list(c: &Client) -> strapi_kit::Result<ListResponse<Value>> {
    c.get_many("articles", &StrapiQuery::new()).await
}

#[maybe]
#[the_test]
async fn the_connection_cap_holds_under_a_burst() {
    let mock = Mock::always(Reply::Delay(
        Duration::from_millis(100),
        Box::new(Reply::json(200, LIST)),
    ));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .max_concurrent_requests(4)
            .build()
            .unwrap(),
    )
    .unwrap();
    let results = concurrently(40, 40, |_| list(&c)).await;
    assert!(
        results.iter().all(|r| r.is_ok()),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(mock.hits(), 40);
    assert!(
        mock.connections() <= 4,
        "{} connections",
        mock.connections()
    );
}

#[maybe]
#[the_test]
async fn json_bodies_are_bounded() {
    let big = format!(
        r#"{{"data":[],"meta":{{"pad":"{}"}}}}"#,
        "x".repeat(2 << 20)
    );
    let mock = Mock::always(Reply::json(200, &big));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .max_response_bytes(1 << 20)
            .build()
            .unwrap(),
    )
    .unwrap();
    let err = c
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::UnexpectedResponse {
                reason: strapi_kit::UnexpectedReason::TooLarge,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(mock.hits(), 1, "a body too large is not fetched again");
    // The same body under the default limit is fine.
    let ok = client_with(&mock, Duration::from_secs(10))
        .get_many::<Value>("articles", &StrapiQuery::new())
        .await;
    assert!(ok.is_ok(), "{ok:?}");
}

#[maybe]
#[the_test]
async fn an_error_says_whether_the_write_may_have_happened() {
    // The server read the create and closed without answering: it may have stored it.
    let mock = Mock::always(Reply::Close);
    let err = client_with(&mock, Duration::from_secs(5))
        .create::<Value, _>("articles", &json!({"title": "x"}))
        .await
        .unwrap_err();
    assert!(err.may_have_applied(), "{err:?}");
    assert_eq!(mock.hits(), 1, "a create is not resent");

    // The server said no: nothing happened.
    let mock = Mock::always(Reply::json(
        400,
        r#"{"error":{"status":400,"message":"no"}}"#,
    ));
    let err = client_with(&mock, Duration::from_secs(5))
        .create::<Value, _>("articles", &json!({"title": "x"}))
        .await
        .unwrap_err();
    assert!(!err.may_have_applied(), "{err:?}");

    // A 2xx with a body that is not JSON: the create happened.
    let mock = Mock::always(Reply::raw(201, "text/html", b"<html>"));
    let err = client_with(&mock, Duration::from_secs(5))
        .create::<Value, _>("articles", &json!({"title": "x"}))
        .await
        .unwrap_err();
    assert!(err.may_have_applied(), "{err:?}");

    // Nothing listens: nothing happened.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let c = Client::new(config(&dead, Some("t"))).unwrap();
    let err = c
        .create::<Value, _>("articles", &json!({"title": "x"}))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    assert!(!err.may_have_applied());

    // Refused before sending.
    let mock = Mock::always(Reply::json(200, ENTRY));
    let err = client_with(&mock, Duration::from_secs(5))
        .remove("articles", "")
        .await
        .unwrap_err();
    assert!(!err.may_have_applied(), "{err:?}");
    assert_eq!(mock.hits(), 0);
}

#[maybe]
#[the_test]
async fn a_delete_whose_answer_was_lost_is_done() {
    // First attempt: the server deleted and the answer was lost; the retry finds nothing.
    let mock = Mock::script(vec![Reply::Close, Reply::json(404, "{}")]);
    let c = client_with(&mock, Duration::from_secs(5));
    c.remove("articles", "abc").await.unwrap();
    assert_eq!(mock.hits(), 2);

    let mock = Mock::script(vec![Reply::Close, Reply::json(404, "{}")]);
    let gone = client_with(&mock, Duration::from_secs(5))
        .delete_media(7u64)
        .await
        .unwrap();
    assert!(gone.is_none(), "deleted by the lost attempt: {gone:?}");

    // A 404 at the first attempt is still NotFound.
    let mock = Mock::always(Reply::json(404, "{}"));
    let err = client_with(&mock, Duration::from_secs(5))
        .remove("articles", "abc")
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(mock.hits(), 1);
}

#[maybe]
#[the_test]
async fn create_once_finds_what_a_lost_attempt_stored() {
    // POST: stored, answer lost. Then the look-up finds it: no second POST.
    let mock = Mock::start(|r, _| match r.method.as_str() {
        "POST" => Reply::Close,
        _ => Reply::json(200, FOUND),
    });
    let got: EntryResponse<Value> = client_with(&mock, Duration::from_secs(5))
        .create_once("articles", &json!({"title": "ok", "slug": "s-1"}), "slug")
        .await
        .unwrap();
    assert_eq!(got.data["slug"], json!("s-1"));
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1, "{:?}", mock.requests());
    let lookup = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "GET")
        .expect("a look-up");
    assert!(
        lookup.target.contains("filters[slug][$eq]=s-1")
            || lookup.target.contains("filters%5Bslug%5D%5B%24eq%5D=s-1"),
        "{}",
        lookup.target
    );
}

#[maybe]
#[the_test]
async fn create_once_resends_when_nothing_was_stored() {
    let mock = Mock::start(|r, i| match (r.method.as_str(), i) {
        ("POST", 0) => Reply::Close,
        ("POST", _) => Reply::json(201, ENTRY),
        _ => Reply::json(200, LIST),
    });
    let got: EntryResponse<Value> = client_with(&mock, Duration::from_secs(5))
        .create_once("articles", &json!({"title": "ok", "slug": "s-1"}), "slug")
        .await
        .unwrap();
    assert_eq!(got.data["documentId"], json!("abc"));
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2);
}

#[maybe]
#[the_test]
async fn create_once_needs_a_scalar_key() {
    let mock = Mock::always(Reply::json(201, ENTRY));
    let c = client_with(&mock, Duration::from_secs(5));
    for data in [
        json!({"title": "x"}),
        json!({"title": "x", "slug": null}),
        json!({"slug": ["a"]}),
    ] {
        let err = c
            .create_once::<Value, _>("articles", &data, "slug")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    }
    assert_eq!(mock.hits(), 0);
}

const FILE: &str = r#"[{"id":9,"name":"n.txt","hash":"h","ext":".txt","mime":"text/plain","size":0.01,"url":"/uploads/h.txt","provider":"local"}]"#;

#[maybe]
#[the_test]
async fn an_upload_with_a_unique_name_finds_what_a_lost_attempt_stored() {
    let mock = Mock::start(|r, _| match r.method.as_str() {
        "POST" => Reply::Close,
        _ => Reply::json(200, FILE),
    });
    let c = client_with(&mock, Duration::from_secs(5));
    let opts = UploadOptions::new().name("n.txt").unique_name(true);
    let up = c
        .upload_bytes(b"x".to_vec(), "local.txt", &opts)
        .await
        .unwrap();
    assert_eq!(up.id, 9);
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 1);
    // Without the promise, a lost answer is an error that says the upload may be stored.
    let err = c
        .upload_bytes(b"x".to_vec(), "local.txt", &UploadOptions::new())
        .await
        .unwrap_err();
    assert!(err.may_have_applied(), "{err:?}");
    let posts = mock
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2, "sent once, not resent");
}
