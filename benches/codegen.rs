//! Decoding cost of the generated types: a list of 100 articles, each with its author and
//! three categories populated, decoded (after JSON parsing, from bytes) into
//!
//! - `generated`: the generated `Article` (relations as `Related<T>`, which buffers each
//!   related entry as a `serde_json::Value` first, to tell ids, documentIds, entries and v4
//!   envelopes apart);
//! - `inline`: the same fields by hand, the relations typed as the related structs directly
//!   (what a hand-written struct for a populated query would do);
//! - `value`: `serde_json::Value`.
//!
//! ```sh
//! cargo bench --bench codegen            # 7 rounds; median per-round median, µs, and ratios
//! ```

use std::hint::black_box;
use std::time::Instant;

use serde::Deserialize;

#[path = "../tests/it/data/codegen/cms_v5.rs"]
#[allow(dead_code)]
mod cms;

/// `cms::Article` with the relations as the related structs.
#[derive(Deserialize)]
#[allow(dead_code)]
struct ArticleInline {
    id: u64,
    #[serde(rename = "documentId")]
    document_id: Option<String>,
    #[serde(rename = "createdAt")]
    created_at: Option<String>,
    #[serde(rename = "updatedAt")]
    updated_at: Option<String>,
    #[serde(rename = "publishedAt")]
    published_at: Option<String>,
    locale: Option<String>,
    author: Option<cms::Author>,
    categories: Option<Vec<cms::Category>>,
    content: Option<String>,
    featured: Option<bool>,
    published: Option<bool>,
    #[serde(rename = "publishedDate")]
    published_date: Option<String>,
    seo: Option<cms::SharedSeo>,
    slug: Option<String>,
    tags: Option<serde_json::Value>,
    title: String,
    views: Option<i64>,
}

#[derive(Deserialize)]
struct List<T> {
    data: Vec<T>,
}

fn body() -> Vec<u8> {
    let entries: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            serde_json::json!({
                "id": i, "documentId": format!("doc{i:021}"), "title": format!("Article {i}"),
                "slug": format!("article-{i}"), "content": "Lorem ipsum dolor sit amet. ".repeat(8),
                "views": i * 3, "published": true, "featured": i % 2 == 0,
                "publishedDate": "2026-12-03T10:11:12.000Z", "tags": ["a", "b"],
                "createdAt": "2026-12-03T10:11:12.000Z", "updatedAt": "2026-12-03T10:11:12.000Z",
                "publishedAt": "2026-12-03T10:11:12.000Z", "locale": "en",
                "seo": {"id": i, "metaTitle": "t", "metaDescription": "d"},
                "author": {"id": 7, "documentId": "author0000000000000000007", "name": "Ada",
                           "email": "ada@example.com", "createdAt": "2026-12-03T10:11:12.000Z",
                           "updatedAt": "2026-12-03T10:11:12.000Z", "publishedAt": "2026-12-03T10:11:12.000Z"},
                "categories": (0..3).map(|c| serde_json::json!({
                    "id": c, "documentId": format!("cat{c:022}"), "name": format!("Category {c}"),
                    "createdAt": "2026-12-03T10:11:12.000Z", "updatedAt": "2026-12-03T10:11:12.000Z",
                    "publishedAt": "2026-12-03T10:11:12.000Z"
                })).collect::<Vec<_>>()
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"data": entries, "meta": {}})).unwrap()
}

/// The median of `iters` timings of `f`, in µs.
fn median_us(iters: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..iters)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    t[t.len() / 2]
}

fn main() {
    let bytes = body();
    let rounds = 7;
    let mut results: Vec<[f64; 3]> = Vec::new();
    for _ in 0..rounds {
        let generated = median_us(50, || {
            let l: List<cms::Article> = serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(l.data.len());
        });
        let inline = median_us(50, || {
            let l: List<ArticleInline> = serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(l.data.len());
        });
        let value = median_us(50, || {
            let l: List<serde_json::Value> = serde_json::from_slice(black_box(&bytes)).unwrap();
            black_box(l.data.len());
        });
        results.push([generated, inline, value]);
    }
    let med = |k: usize| {
        let mut v: Vec<f64> = results.iter().map(|r| r[k]).collect();
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    let (g, i, v) = (med(0), med(1), med(2));
    println!(
        "| decode 100 populated articles ({} bytes) | µs | vs inline |",
        bytes.len()
    );
    println!("|---|---:|---:|");
    println!("| generated (`Related<T>`) | {g:.0} | {:.2}× |", g / i);
    println!("| inline (hand-written) | {i:.0} | 1.00× |");
    println!("| `serde_json::Value` | {v:.0} | {:.2}× |", v / i);
}
