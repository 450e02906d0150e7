//! Request hooks against the real server: route templates, statuses and body sizes of real
//! calls, the header a hook adds seen by the server's side (a recording proxy).

use std::sync::{Arc, Mutex};

use super::*;
use strapi_kit::hooks::{HeaderMap, RequestHook, RequestInfo, ResponseInfo};

/// One observed attempt: method, route, status, bytes.
type Attempt = (String, String, Option<u16>, Option<u64>);

#[derive(Default, Clone)]
struct Seen(Arc<Mutex<Vec<Attempt>>>);

impl RequestHook for Seen {
    fn on_request(&self, _: &RequestInfo<'_>, headers: &mut HeaderMap) {
        headers.insert("x-trace-hook", "on".parse().unwrap());
    }
    fn on_response(&self, r: &ResponseInfo<'_>) {
        self.0
            .lock()
            .unwrap()
            .push((r.method.to_string(), r.route.to_owned(), r.status, r.bytes));
    }
}

#[maybe]
#[the_test]
async fn hooks_see_route_templates_of_real_calls() {
    let seen = Seen::default();
    let c = Client::new(
        StrapiConfig::builder(server().url.as_str())
            .api_token(server().full_token.as_str())
            .retry(strapi_kit::RetryPolicy::none())
            .hook(seen.clone())
            .build()
            .unwrap(),
    )
    .unwrap();
    let title = unique("hooked");
    let made: EntryResponse<Value> = c
        .create("articles", &json!({"title": title}))
        .await
        .unwrap();
    let id = if is_v5() {
        made.data["documentId"].as_str().unwrap().to_owned()
    } else {
        made.data["id"].to_string()
    };
    let got: EntryResponse<Value> = c
        .get_one("articles", id.as_str(), &StrapiQuery::new())
        .await
        .unwrap();
    assert_eq!(got.data["title"], json!(title));
    let missing = c
        .get_one::<Value>("articles", "no-such-entry-999999", &StrapiQuery::new())
        .await;
    assert!(missing.unwrap_err().is_not_found());
    c.remove("articles", id.as_str()).await.unwrap();

    let calls = seen.0.lock().unwrap().clone();
    let shape: Vec<(&str, &str)> = calls
        .iter()
        .map(|(m, r, _, _)| (m.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        shape,
        vec![
            ("POST", "/api/:plural"),
            ("GET", "/api/:plural/:id"),
            ("GET", "/api/:plural/:id"),
            ("DELETE", "/api/:plural/:id"),
        ]
    );
    let ok = |s: Option<u16>| s.is_some_and(|s| (200..300).contains(&s));
    assert!(
        ok(calls[0].2) && ok(calls[1].2) && ok(calls[3].2),
        "{calls:?}"
    );
    assert_eq!(calls[2].2, Some(404));
    // The body sizes are the bytes read: the entry's JSON.
    assert!(calls[1].3.unwrap() > title.len() as u64, "{calls:?}");
    assert!(
        calls.iter().all(|c| !c.1.contains(&id)),
        "ids stay out of routes: {id} {calls:?}"
    );
}

#[maybe]
#[the_test]
async fn a_hook_header_reaches_the_server() {
    let proxy = crate::support::wire::RecordingProxy::start(&server().url);
    let c = Client::new(
        StrapiConfig::builder(proxy.url.as_str())
            .api_token(server().full_token.as_str())
            .retry(strapi_kit::RetryPolicy::none())
            .hook(Seen::default())
            .build()
            .unwrap(),
    )
    .unwrap();
    let list: ListResponse<Value> = c
        .get_many("articles", &StrapiQuery::new().paginate(1, 1))
        .await
        .unwrap();
    assert!(list.data.len() <= 1);
    let heads: Vec<String> = proxy.seen().into_iter().map(|s| s.head).collect();
    assert!(!heads.is_empty());
    assert!(
        heads
            .iter()
            .all(|h| h.to_ascii_lowercase().contains("\r\nx-trace-hook: on\r\n")),
        "{heads:?}"
    );
}
