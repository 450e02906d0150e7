//! Compiles only if strapi-kit's `sync` feature leaves other maybe-async users async.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn main() {
    // Still a future: maybe-async stayed in async mode for the neighbour.
    let answer: u32 = block_on(neighbour::answer());
    assert_eq!(answer, 42);
    let config = strapi_kit::StrapiConfig::new("http://127.0.0.1:1", "token").expect("config");
    let client = strapi_kit::SyncClient::new(config).expect("client");
    println!("neighbour answered {answer}; {client:?}");
}
