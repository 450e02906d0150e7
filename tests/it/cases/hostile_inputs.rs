//! Hostile or odd input, on the mock: ids and media URLs that could address another
//! resource, redirects, server text with control characters, extreme values. Each either
//! reaches the server exactly as given or is refused with zero requests.

use std::time::Duration;

use percent_encoding::percent_decode_str;

use super::mock::{Mock, Recorded, Reply};
use super::*;

const ENTRY: &str = r#"{"data":{"id":1,"documentId":"abc","title":"ok"},"meta":{}}"#;
const LIST: &str =
    r#"{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}"#;

fn client(mock: &Mock) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .api_version(strapi_kit::ApiVersion::V5)
            .retry(strapi_kit::RetryPolicy::none())
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn q() -> StrapiQuery {
    StrapiQuery::new()
}

fn assert_invalid<T: std::fmt::Debug>(r: Result<T, Error>, what: &str) {
    match r {
        Err(Error::InvalidInput(_)) => {}
        other => panic!("{what}: {other:?}"),
    }
}

/// The number of values a request carries for `name`.
fn header_count(r: &Recorded, name: &str) -> usize {
    r.headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .count()
}

#[maybe]
#[the_test]
async fn control_characters_in_ids_are_refused() {
    let mock = Mock::always(Reply::json(200, ENTRY));
    let c = client(&mock);
    for id in [
        "doc\r\n1",
        "doc\t1",
        "a\r\nX-Injected: 1",
        "a\u{0b}b",
        "\u{7f}",
    ] {
        let removed = c.remove("articles", id).await;
        assert_invalid(removed, id);
        let got = c.get_one::<Value>("articles", id, &q()).await;
        assert_invalid(got, id);
        let updated: Result<EntryResponse<Value>, Error> =
            c.update("articles", id, &json!({"a": 1})).await;
        assert_invalid(updated, id);
    }
    assert_eq!(mock.hits(), 0);
}

/// A seeded xorshift: the same ids on every run, so a failure can be replayed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn id(&mut self) -> String {
        const PIECES: &[&str] = &[
            "a", "Z", "0", "9", "-", "_", "~", "%", "%2e", "%2F", "%00", "/", "\\", "?", "#", ".",
            "..", " ", "+", "&", "=", ";", ":", "@", "'", "\"", "<", ">", "é", "ß", "😀",
            "\u{200b}", "\t", "\r", "\n", "\u{0b}", "\u{0}", "\u{1b}", "\u{7f}", "\u{85}", "[",
            "]", "{", "}", "|", "^", "`",
        ];
        let len = 1 + self.next() % 6;
        (0..len)
            .map(|_| PIECES[(self.next() % PIECES.len() as u64) as usize])
            .collect()
    }
}

#[maybe]
#[the_test]
async fn any_id_reaches_the_server_exactly_or_is_refused() {
    let mock = Mock::always(Reply::json(200, ENTRY));
    let c = client(&mock);
    let mut g = Gen(0x05ee_d1d5_0fc0_ffee);
    let (mut sent, mut refused) = (0, 0);
    let mut ids: Vec<String> = (0..300).map(|_| g.id()).collect();
    ids.extend([".", "..", "...", "%2e%2e", " ", " x", "x "].map(String::from));
    for id in ids {
        let before = mock.hits();
        let got = c.get_one::<Value>("articles", id.as_str(), &q()).await;
        match got {
            Ok(_) => {
                sent += 1;
                assert_eq!(mock.hits(), before + 1, "{id:?}");
                let target = mock.requests()[before].target.clone();
                let path = target.split('?').next().unwrap();
                let segment = path
                    .strip_prefix("/api/articles/")
                    .unwrap_or_else(|| panic!("{id:?} went to {target}"));
                assert!(!segment.contains('/'), "{id:?} went to {target}");
                let decoded = percent_decode_str(segment).decode_utf8().unwrap();
                assert_eq!(decoded, id, "{id:?} went to {target}");
            }
            Err(Error::InvalidInput(_)) => {
                refused += 1;
                assert_eq!(mock.hits(), before, "{id:?} was refused after sending");
                assert!(
                    id.trim().is_empty()
                        || id == "."
                        || id == ".."
                        || id.contains(char::is_control),
                    "{id:?} was refused"
                );
            }
            Err(other) => panic!("{id:?}: {other:?}"),
        }
    }
    // Both outcomes happened: the generator covers clean and control-laden ids.
    assert!(sent > 50 && refused > 50, "sent {sent}, refused {refused}");
}

#[maybe]
#[the_test]
async fn over_long_ids_and_urls_are_refused() {
    let mock = Mock::always(Reply::json(200, LIST));
    let c = client(&mock);
    let id = "x".repeat(100 * 1024);
    let err = c
        .get_one::<Value>("articles", id.as_str(), &q())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(err.to_string().len() < 200, "{}", err.to_string().len());
    let at_limit = "y".repeat(strapi_kit::MAX_ID_LEN);
    let too_long = format!("{at_limit}y");
    let removed = c.remove("articles", too_long.as_str()).await;
    assert_invalid(removed, "too long");
    let huge = q().filter(FilterBuilder::new().eq("title", "z".repeat(20_000)));
    let listed = c.get_many::<Value>("articles", &huge).await;
    assert_invalid(listed, "a 20 KB query");
    assert_eq!(mock.hits(), 0);
    // At the limit, the id goes out.
    let mock = Mock::always(Reply::json(200, ENTRY));
    let got: EntryResponse<Value> = client(&mock)
        .get_one("articles", at_limit.as_str(), &q())
        .await
        .unwrap();
    assert_eq!(got.data["title"], json!("ok"));
    assert_eq!(mock.hits(), 1);
}

#[maybe]
#[the_test]
async fn media_urls_with_control_characters_or_dot_segments_are_refused() {
    // The base URL is the server's root: nothing is "above the base" there.
    let mock = Mock::always(Reply::raw(200, "application/octet-stream", b"secret"));
    let c = client(&mock);
    let dir = TempDir::new("hostile");
    let abs = format!("{}/uploads/../etc/passwd", mock.url);
    for url in [
        "/uploads/../../etc/passwd",
        "/uploads/%2e%2E/%2e%2e/etc/passwd",
        "/uploads/.%2e/x",
        "/uploads/./x.bin",
        "/uploads/..\\x",
        "/uploads/a\tb.bin",
        "/uploads/a\r\nb.bin",
        abs.as_str(),
    ] {
        let got = c.download_file(url).await;
        assert_invalid(got, url);
        let to = c.download_file_to(url, dir.path().join("out.bin")).await;
        assert_invalid(to, url);
    }
    assert_eq!(mock.hits(), 0);
    assert!(!dir.path().join("out.bin").exists());
    // A name with dots that is not a dot segment still downloads.
    let got = c.download_file("/uploads/a..b.bin").await.unwrap();
    assert_eq!(&got[..], b"secret");
    assert_eq!(mock.requests()[0].target, "/uploads/a..b.bin");
}

/// A mock that answers everything with `status` and a `Location`.
fn redirecting(status: u16, location: &str) -> Mock {
    Mock::always(Reply::raw(status, "text/plain", b"").with_header("Location", location))
}

#[maybe]
#[the_test]
async fn redirected_writes_are_never_followed() {
    let other = Mock::always(Reply::json(200, LIST));
    let elsewhere = format!("{}/api/articles", other.url);
    for status in [301, 302, 303, 307, 308] {
        for location in [elsewhere.as_str(), "/api/articles-moved"] {
            let mock = redirecting(status, location);
            let c = client(&mock);
            let created: Result<EntryResponse<Value>, Error> =
                c.create("articles", &json!({"title": "t"})).await;
            match created {
                Err(Error::Redirected {
                    status: s,
                    method,
                    location: Some(l),
                    ..
                }) => {
                    assert_eq!(s, status);
                    assert_eq!(method, "POST");
                    assert!(l.ends_with("/api/articles") || l.ends_with("-moved"), "{l}");
                }
                other => panic!("{status} {location}: {other:?}"),
            }
            let updated: Result<EntryResponse<Value>, Error> =
                c.update("articles", "abc", &json!({})).await;
            assert!(
                matches!(updated, Err(Error::Redirected { .. })),
                "{updated:?}"
            );
            let removed = c.remove("articles", "abc").await;
            assert!(
                matches!(removed, Err(Error::Redirected { .. })),
                "{removed:?}"
            );
            assert_eq!(mock.hits(), 3, "{status} {location}: followed");
        }
    }
    assert_eq!(other.hits(), 0);
}

#[maybe]
#[the_test]
async fn reads_are_not_redirected() {
    // Within the origin: reported with the resolved Location, not followed.
    let mock = Mock::script(vec![
        Reply::raw(302, "text/plain", b"").with_header("Location", "/api/articles-v2"),
        Reply::json(200, LIST),
    ]);
    let err = client(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    let moved = format!("{}/api/articles-v2", mock.url);
    match &err {
        Error::Redirected {
            status, location, ..
        } => {
            assert_eq!(*status, 302);
            assert_eq!(location.as_deref(), Some(moved.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(mock.hits(), 1);

    // To another origin: reported, not followed.
    let other = Mock::always(Reply::json(200, LIST));
    let target = format!("{}/api/articles", other.url);
    let mock = redirecting(301, &target);
    let err = client(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    match &err {
        Error::Redirected {
            status, location, ..
        } => {
            assert_eq!(*status, 301);
            assert_eq!(location.as_deref(), Some(target.as_str()));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains(&target), "{err}");
    assert_eq!(other.hits(), 0);
}

#[maybe]
#[the_test]
async fn custom_headers_and_token_never_reach_another_origin() {
    let cdn2 = Mock::always(Reply::raw(200, "application/octet-stream", b"bytes"));
    let hop = format!("{}/final.bin", cdn2.url);
    let cdn = Mock::script(vec![
        Reply::raw(200, "application/octet-stream", b"bytes"),
        Reply::raw(302, "text/plain", b"").with_header("Location", &hop),
    ]);
    let server = Mock::always(Reply::json(200, LIST));
    let c = Client::new(
        StrapiConfig::builder(&server.url)
            .api_token("secret-token-value")
            .default_header("X-Api-Key", "k1")
            .retry(strapi_kit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap()
    .with_header("X-Tenant", "blue")
    .unwrap();
    // An absolute media URL on another origin, then one that redirects to a third.
    let url = format!("{}/x.bin", cdn.url);
    for _ in 0..2 {
        let got = c.download_file(&url).await.unwrap();
        assert_eq!(&got[..], b"bytes");
    }
    for r in cdn.requests().iter().chain(cdn2.requests().iter()) {
        for h in ["authorization", "x-api-key", "x-tenant"] {
            assert_eq!(r.header(h), None, "{h} went to {}", r.target);
        }
    }
    assert_eq!((cdn.hits(), cdn2.hits()), (2, 1));
    // The configured server gets them all.
    c.get_many::<Value>("articles", &q()).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-api-key"), Some("k1"));
    assert_eq!(r.header("x-tenant"), Some("blue"));
    assert_eq!(r.header("authorization"), Some("Bearer secret-token-value"));

    // A download from the server redirected to another origin is reported with its target.
    let mock = redirecting(302, &hop);
    let err = client(&mock)
        .download_file("/uploads/x.bin")
        .await
        .unwrap_err();
    match err {
        Error::Redirected { location, .. } => assert_eq!(location.as_deref(), Some(hop.as_str())),
        other => panic!("{other:?}"),
    }
    assert_eq!(cdn2.hits(), 1);
}

#[maybe]
#[the_test]
async fn with_header_replaces_a_header_of_the_same_name() {
    let mock = Mock::always(Reply::json(200, LIST));
    let base = Client::new(
        StrapiConfig::builder(&mock.url)
            .default_header("X-A", "config")
            .build()
            .unwrap(),
    )
    .unwrap();
    let view = base.with_header("X-A", "1").unwrap();
    let view = view.with_header("x-a", "2").unwrap();
    view.get_many::<Value>("articles", &q()).await.unwrap();
    base.get_many::<Value>("articles", &q()).await.unwrap();
    let reqs = mock.requests();
    assert_eq!(header_count(&reqs[0], "x-a"), 1);
    assert_eq!(reqs[0].header("x-a"), Some("2"));
    assert_eq!(header_count(&reqs[1], "x-a"), 1);
    assert_eq!(reqs[1].header("x-a"), Some("config"));
    // Headers the client sets itself are refused, not doubled.
    for name in ["Accept", "Content-Type", "Authorization"] {
        let with_token = client(&mock);
        let refused = with_token.with_header(name, "x");
        assert!(matches!(refused, Err(Error::InvalidInput(_))), "{name}");
    }
}

#[maybe]
#[the_test]
async fn json_reasons_are_accurate() {
    use strapi_kit::UnexpectedReason as R;
    let deep = format!("{{\"data\":{}1{}}}", "[".repeat(180), "]".repeat(180));
    for (body, want) in [
        (
            r#"{"data":{"id":1,"views":1e999}}"#.to_owned(),
            R::NumberOutOfRange,
        ),
        (deep, R::TooDeep),
    ] {
        let mock = Mock::always(Reply::json(200, &body));
        let err = client(&mock)
            .get_one::<Value>("articles", "abc", &q())
            .await
            .unwrap_err();
        match err {
            Error::UnexpectedResponse { reason, .. } => assert_eq!(reason, want),
            other => panic!("{other:?}"),
        }
    }
}

#[maybe]
#[the_test]
async fn v4_media_ids_must_be_numeric() {
    let mock = Mock::always(Reply::json(200, "[]"));
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("t")
            .api_version(strapi_kit::ApiVersion::V4)
            .build()
            .unwrap(),
    )
    .unwrap();
    let got = c.get_media("abc").await;
    assert_invalid(got, "get_media");
    let deleted = c.delete_media("abc").await;
    assert_invalid(deleted, "delete_media");
    let updated = c.update_media("abc", &MediaUpdate::default()).await;
    assert_invalid(updated, "update_media");
    assert_eq!(mock.hits(), 0);
}

#[maybe]
#[the_test]
async fn server_text_in_errors_is_escaped() {
    let body = "{\"error\":{\"status\":400,\"name\":\"ValidationError\",\"message\":\"bad\\r\\n2026-01-01 INFO forged\\u001b[31m\"}}";
    let mock = Mock::always(Reply::json(400, body));
    let err = client(&mock)
        .get_many::<Value>("articles", &q())
        .await
        .unwrap_err();
    let shown = err.to_string();
    assert!(!shown.contains(['\r', '\n', '\u{1b}']), "{shown:?}");
    assert!(shown.contains("forged"), "{shown}");
    // The raw text stays available to code that wants it.
    assert!(err.api_error().unwrap().message.contains('\u{1b}'));
}

#[maybe]
#[the_test]
async fn login_jwt_is_trimmed_like_a_configured_one() {
    let mock = Mock::script(vec![
        Reply::json(200, r#"{"jwt":"  abc.def.ghi \n","user":{"id":1}}"#),
        Reply::json(200, r#"{"id":1,"username":"u"}"#),
    ]);
    let anonymous = Client::new(
        StrapiConfig::builder(&mock.url)
            .retry(strapi_kit::RetryPolicy::none())
            .build()
            .unwrap(),
    )
    .unwrap();
    let (user, _) = anonymous.login("u@example.com", "pw").await.unwrap();
    user.me().await.unwrap();
    assert_eq!(
        mock.requests()[1].header("authorization"),
        Some("Bearer abc.def.ghi")
    );
}

/// A `SyncClient` created, used and dropped inside a tokio runtime (both flavours of
/// runtime): creation and drop on an async thread, calls on a blocking thread.
#[cfg(feature = "sync")]
mod sync_client_in_a_runtime {
    use super::*;

    fn use_it(url: String) {
        let c = strapi_kit::SyncClient::new(super::support_config(&url)).unwrap();
        let list = c
            .get_many::<Value>("articles", &StrapiQuery::new())
            .unwrap();
        assert!(list.data.is_empty());
    }

    async fn run() {
        let mock = Mock::always(Reply::json(200, LIST));
        // Built and dropped on the runtime's own thread: no panic.
        let c = strapi_kit::SyncClient::new(super::support_config(&mock.url)).unwrap();
        let moved = c.clone();
        // Used where blocking is allowed.
        let url = mock.url.clone();
        tokio::task::spawn_blocking(move || {
            let list = moved
                .get_many::<Value>("articles", &StrapiQuery::new())
                .unwrap();
            assert!(list.data.is_empty());
            use_it(url);
        })
        .await
        .unwrap();
        // Called on the runtime's own thread, where blocking would stall its tasks: a typed
        // error that says what to do, and nothing sent (the hit count below).
        let err = c
            .get_many::<Value>("articles", &StrapiQuery::new())
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(err.to_string().contains("spawn_blocking"), "{err}");
        drop(c);
        assert_eq!(mock.hits(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn multi_thread() {
        run().await;
    }

    #[tokio::test(flavor = "current_thread")]
    async fn current_thread() {
        run().await;
    }
}

#[cfg(feature = "sync")]
fn support_config(url: &str) -> StrapiConfig {
    config(url, Some("t"))
}
