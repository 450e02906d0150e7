//! Request hooks, tracing spans and metrics against the mock: retries, refused headers and
//! failures without an answer (what a real server cannot be made to do on demand).

use std::sync::{Arc, Mutex};

use std::time::Duration;

use super::*;
use crate::support::mock::{Mock, Reply};
use strapi_kit::hooks::{HeaderMap, RequestHook, RequestInfo, ResponseInfo};

const LIST: &str =
    r#"{"data":[],"meta":{"pagination":{"page":1,"pageSize":25,"pageCount":0,"total":0}}}"#;

/// One line per hook call: `req GET /api/:plural 1` / `resp GET /api/:plural Some(503) 1 2`.
#[derive(Default, Clone)]
struct Log(Arc<Mutex<Vec<String>>>);

impl RequestHook for Log {
    fn on_request(&self, r: &RequestInfo<'_>, headers: &mut HeaderMap) {
        self.0
            .lock()
            .unwrap()
            .push(format!("req {} {} {}", r.method, r.route, r.attempt));
        headers.insert(
            "x-request-id",
            format!("rid-{}", r.attempt).parse().unwrap(),
        );
        // Refused: the client manages these.
        headers.insert("authorization", "Bearer hijack".parse().unwrap());
        headers.insert("accept", "text/html".parse().unwrap());
    }
    fn on_response(&self, r: &ResponseInfo<'_>) {
        assert!(r.duration < Duration::from_secs(5));
        self.0.lock().unwrap().push(format!(
            "resp {} {} {:?} {} {} {:?}",
            r.method,
            r.route,
            r.status,
            r.attempt,
            r.retry(),
            r.bytes
        ));
    }
}

fn hooked(mock: &Mock, log: &Log) -> Client {
    Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("secret-token-value")
            .retry(fast_retries())
            .default_header("x-request-id", "from-config")
            .hook(log.clone())
            .build()
            .unwrap(),
    )
    .unwrap()
}

#[maybe]
#[the_test]
async fn hooks_add_headers_and_see_every_attempt() {
    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(200, LIST)]);
    let log = Log::default();
    let c = hooked(&mock, &log);
    let q = StrapiQuery::new().filter(FilterBuilder::new().eq("title", "x"));
    c.get_many::<Value>("articles", &q).await.unwrap();
    let lines = log.0.lock().unwrap().clone();
    assert_eq!(
        lines,
        vec![
            "req GET /api/:plural 1".to_owned(),
            "resp GET /api/:plural Some(503) 1 0 Some(2)".to_owned(),
            "req GET /api/:plural 2".to_owned(),
            format!("resp GET /api/:plural Some(200) 2 1 Some({})", LIST.len()),
        ]
    );
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    for (i, r) in reqs.iter().enumerate() {
        // The hook's value replaces the configured default header of that name.
        let ids: Vec<&str> = r
            .headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("x-request-id"))
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(ids, [format!("rid-{}", i + 1).as_str()]);
        assert_eq!(r.header("authorization"), Some("Bearer secret-token-value"));
        assert_eq!(r.header("accept"), Some("application/json"));
    }
}

#[maybe]
#[the_test]
async fn hooks_see_ids_as_placeholders_and_failures_without_status() {
    let mock = Mock::always(Reply::json(
        404,
        r#"{"data":null,"error":{"status":404,"name":"NotFoundError","message":"Not Found"}}"#,
    ));
    let log = Log::default();
    let c = hooked(&mock, &log);
    let e = c
        .get_one::<Value>("articles", "doc-secret-id", &StrapiQuery::new())
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    let lines = log.0.lock().unwrap().clone();
    assert_eq!(lines[0], "req GET /api/:plural/:id 1");
    assert!(
        lines[1].starts_with("resp GET /api/:plural/:id Some(404) 1 0 Some("),
        "{lines:?}"
    );
    assert!(!lines.join(" ").contains("doc-secret-id"));

    // Nothing listens: the attempt ends without a status.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let log = Log::default();
    let c = Client::new(
        StrapiConfig::builder(dead.as_str())
            .api_token("t")
            .retry(strapi_kit::RetryPolicy::none())
            .hook(log.clone())
            .build()
            .unwrap(),
    )
    .unwrap();
    let res = c.get_many::<Value>("articles", &StrapiQuery::new()).await;
    assert!(res.is_err());
    let lines = log.0.lock().unwrap().clone();
    assert_eq!(lines[1], "resp GET /api/:plural None 1 0 None", "{lines:?}");
}

#[cfg(feature = "metrics")]
#[maybe]
#[the_test]
async fn metrics_count_requests_and_retries() {
    use metrics_util::debugging::DebugValue;
    let snap = crate::support::metrics_snapshotter();
    let mock = Mock::script(vec![Reply::json(503, "{}"), Reply::json(200, LIST)]);
    let tag = unique("metrics");
    let c = Client::new(
        StrapiConfig::builder(&mock.url)
            .api_token("t")
            .retry(fast_retries())
            .hook(strapi_kit::hooks::MetricsHook::new().label("cms", tag.as_str()))
            .build()
            .unwrap(),
    )
    .unwrap();
    c.get_many::<Value>("articles", &StrapiQuery::new())
        .await
        .unwrap();
    let mut seen = Vec::new();
    for (key, _, _, value) in snap.snapshot().into_vec() {
        let labels: Vec<String> = key
            .key()
            .labels()
            .map(|l| format!("{}={}", l.key(), l.value()))
            .collect();
        if !labels.contains(&format!("cms={tag}")) {
            continue;
        }
        let v = match value {
            DebugValue::Counter(n) => format!("{n}"),
            DebugValue::Histogram(h) => format!("{} samples", h.len()),
            DebugValue::Gauge(g) => format!("{g}"),
        };
        seen.push(format!("{} {} = {v}", key.key().name(), labels.join(",")));
    }
    seen.sort();
    let want = [
        format!(
            "strapi_kit_request_duration_seconds method=GET,route=/api/:plural,status=200,cms={tag} = 1 samples"
        ),
        format!(
            "strapi_kit_request_duration_seconds method=GET,route=/api/:plural,status=503,cms={tag} = 1 samples"
        ),
        format!("strapi_kit_requests_total method=GET,route=/api/:plural,status=200,cms={tag} = 1"),
        format!("strapi_kit_requests_total method=GET,route=/api/:plural,status=503,cms={tag} = 1"),
        format!(
            "strapi_kit_response_bytes_total method=GET,route=/api/:plural,cms={tag} = {}",
            LIST.len() + 2
        ),
        format!("strapi_kit_retries_total method=GET,route=/api/:plural,cms={tag} = 1"),
    ];
    assert_eq!(seen, want);
}
