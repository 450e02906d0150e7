//! Load through one client against the real server: many concurrent requests, zero errors,
//! and the number of TCP connections the client opened (counted by a proxy).

use super::*;
use crate::support::proxy::CountingProxy;

/// Requests in the run.
const REQUESTS: usize = 500;

#[maybe]
async fn one(c: &Client) -> strapi_kit::Result<usize> {
    let q = StrapiQuery::new().paginate(1, 1).fields(["title"]);
    let list: ListResponse<Value> = c.get_many("articles", &q).await?;
    Ok(list.data.len())
}

#[maybe]
#[the_test]
async fn many_concurrent_requests_through_one_client() {
    let target = server().url.trim_start_matches("http://").to_owned();
    let proxy = CountingProxy::start(&target);
    let c = Client::new(config(&proxy.url, Some(&server().full_token))).unwrap();
    let started = std::time::Instant::now();
    // Async: all 500 in flight at once on one task. Blocking: 16 threads share the client.
    let results = concurrently(REQUESTS, LOAD_CONCURRENCY, |_| one(&c)).await;
    let errors: Vec<String> = results
        .iter()
        .filter_map(|r| r.as_ref().err().map(|e| e.to_string()))
        .collect();
    let opened = proxy.connections();
    eprintln!(
        "[load] {}: {REQUESTS} requests, {LOAD_CONCURRENCY} at a time: {} errors, {opened} TCP connections, {:.2} s",
        module_path!(),
        errors.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    assert_eq!(results.len(), REQUESTS);
    assert!(
        opened <= LOAD_CONCURRENCY,
        "{opened} connections for {LOAD_CONCURRENCY} in flight"
    );
    // One at a time, the client reuses a pooled connection (or opens one, if the pool's
    // connections have been idle past its timeout).
    let before = proxy.connections();
    let again = concurrently(20, 1, |_| one(&c)).await;
    let errors: Vec<_> = again.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(
        proxy.connections() - before <= 1,
        "sequential requests reuse one connection ({} new)",
        proxy.connections() - before
    );
}
