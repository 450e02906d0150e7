//! Compression against a real Strapi with its `strapi::compression` middleware on (a server
//! of its own, `ITEST_COMPRESSION=true`): JSON answers come compressed and decode the same,
//! downloads stay byte-exact. A counting proxy measures the bytes on the wire.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::*;
use crate::support::proxy::CountingProxy;

/// A server of this module's version that compresses its answers.
fn compressing() -> &'static strapi::Strapi {
    strapi::instance(
        server().version,
        "compression",
        &[("ITEST_COMPRESSION", "true")],
    )
}

fn host(srv: &strapi::Strapi) -> String {
    srv.url.trim_start_matches("http://").to_owned()
}

/// The head of the answer to a plain `GET path` asking for `encoding`, lower-cased.
fn head_of(srv: &strapi::Strapi, path: &str, encoding: &str) -> String {
    let mut s = TcpStream::connect(host(srv)).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nAccept-Encoding: {encoding}\r\nConnection: close\r\n\r\n",
        host(srv),
        srv.full_token
    )
    .unwrap();
    let mut all = Vec::new();
    let _ = s.read_to_end(&mut all);
    let text = String::from_utf8_lossy(&all).to_ascii_lowercase();
    text.split("\r\n\r\n").next().unwrap_or("").to_owned()
}

#[maybe]
#[the_test]
async fn json_answers_come_compressed_and_decode_the_same() {
    let srv = compressing();
    let c = Client::new(config(&srv.url, Some(&srv.full_token))).unwrap();
    let tag = unique("gz");
    let content = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40);
    for i in 0..20 {
        let _: EntryResponse<Value> = c
            .create(
                "articles",
                &json!({"title": format!("{tag}-{i:02}"), "content": content}),
            )
            .await
            .unwrap();
    }
    let q = StrapiQuery::new()
        .filter(FilterBuilder::new().starts_with("title", tag.as_str()))
        .sort_asc("title")
        .paginate(1, 50);

    // The server compresses when asked (the test would mean nothing otherwise).
    let path = format!("/api/articles?filters[title][$startsWith]={tag}&pagination[pageSize]=50");
    assert!(
        head_of(srv, &path, "gzip").contains("\r\ncontent-encoding: gzip"),
        "the server compresses"
    );

    let on_proxy = CountingProxy::start(&host(srv));
    let on = Client::new(config(&on_proxy.url, Some(&srv.full_token))).unwrap();
    let off_proxy = CountingProxy::start(&host(srv));
    let off_config = StrapiConfig::builder(off_proxy.url.as_str())
        .api_token(srv.full_token.as_str())
        .retry(strapi_kit::RetryPolicy::none())
        .compression(false)
        .build()
        .unwrap();
    assert!(!off_config.compression());
    let off = Client::new(off_config).unwrap();

    let a: ListResponse<Value> = on.get_many("articles", &q).await.unwrap();
    let b: ListResponse<Value> = off.get_many("articles", &q).await.unwrap();
    assert_eq!(a.data.len(), 20);
    assert_eq!(a.data, b.data, "the decoded bodies are the same");
    assert_eq!(a.data[0]["content"], json!(content));
    let (zipped, plain) = (on_proxy.bytes_down(), off_proxy.bytes_down());
    eprintln!(
        "[compression] {}: {zipped} bytes compressed, {plain} plain",
        module_path!()
    );
    assert!(
        zipped * 4 < plain,
        "compressed answer {zipped} bytes against {plain} plain"
    );
}

#[maybe]
#[the_test]
async fn downloads_are_never_compressed_or_decoded() {
    let srv = compressing();
    let c = Client::new(config(&srv.url, Some(&srv.full_token))).unwrap();
    // Very compressible, and served as text/plain (koa-compress compresses that type).
    let data = "0123456789 the same line again\n"
        .repeat(8_000)
        .into_bytes();
    let up = c
        .upload_bytes(
            data.clone(),
            &format!("{}.txt", unique("plain")),
            &UploadOptions::new(),
        )
        .await
        .unwrap();
    assert!(
        head_of(srv, &up.url, "gzip, br").contains("\r\ncontent-encoding: "),
        "the server compresses this file when asked"
    );

    let proxy = CountingProxy::start(&host(srv));
    let via = Client::new(config(&proxy.url, Some(&srv.full_token))).unwrap();
    assert!(via.config().compression(), "compression is on by default");
    let got = via.download_file(&up.url).await.unwrap();
    assert_eq!(got.as_ref(), data.as_slice(), "byte-identical");
    assert!(
        proxy.bytes_down() >= data.len() as u64,
        "{} bytes on the wire for a {}-byte file: it came compressed",
        proxy.bytes_down(),
        data.len()
    );
    let dir = TempDir::new("gz-download");
    let target = dir.path().join("back.txt");
    let n = via.download_file_to(&up.url, &target).await.unwrap();
    assert_eq!(n, data.len() as u64);
    assert_eq!(std::fs::read(&target).unwrap(), data);
    c.delete_media(up.id).await.unwrap();
}
