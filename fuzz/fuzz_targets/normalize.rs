//! The v4/v5 normaliser and the response models.
//!
//! Input that parses as JSON is used as it is (the seeds are real Strapi bodies); any other
//! input drives a generator of JSON trees biased towards Strapi shapes (v4 entries,
//! `{"data": …}` wrappers, v5 entries, upload objects), including chains deeper than the
//! normaliser's depth limit. Nothing here may panic.
#![no_main]

use arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use strapi_kit::version::{detect, normalize_v4_body, normalize_v4_value};
use strapi_kit::{Entry, EntryResponse, ListResponse, MediaFile};

/// Keys Strapi bodies use, plus a few odd ones.
const KEYS: &[&str] = &[
    "data",
    "attributes",
    "id",
    "meta",
    "documentId",
    "hash",
    "mime",
    "url",
    "name",
    "formats",
    "thumbnail",
    "title",
    "author",
    "pagination",
    "page",
    "pageSize",
    "pageCount",
    "total",
    "start",
    "limit",
    "size",
    "width",
    "height",
    "__component",
    "error",
    "",
];

/// Depth of the random part of a generated tree (chains go deeper).
const GEN_DEPTH: usize = 10;
/// Longest generated chain of nested v4 relations (3 JSON levels each).
const MAX_CHAIN: usize = 400;

fuzz_target!(|data: &[u8]| {
    // The client's v5 fast path decodes straight from the bytes.
    let _ = serde_json::from_slice::<ListResponse<Value>>(data);
    let _ = serde_json::from_slice::<EntryResponse<Value>>(data);
    match serde_json::from_slice::<Value>(data) {
        Ok(v) => exercise(v),
        Err(_) => {
            let mut u = Unstructured::new(data);
            if let Ok(v) = gen_value(&mut u, 0) {
                exercise(v);
            }
        }
    }
});

fn exercise(mut v: Value) {
    let _ = detect(&v);
    let mut by_value = v.clone();
    normalize_v4_value(&mut by_value, 0);
    let _ = detect(&by_value);
    normalize_v4_body(&mut v);
    let _ = detect(&v);
    // A second pass (a v5-looking body) must be harmless too.
    let mut twice = v.clone();
    normalize_v4_body(&mut twice);

    // Decode into the public models, as the client does after normalising.
    if let Ok(list) = serde_json::from_value::<ListResponse<Value>>(v.clone()) {
        let _ = serde_json::to_vec(&list).expect("a decoded list serialises");
    }
    if let Ok(list) = serde_json::from_value::<ListResponse<Entry<Value>>>(v.clone()) {
        for e in &list.data {
            let _ = e.key();
        }
    }
    let _ = serde_json::from_value::<EntryResponse<Value>>(v.clone());
    let _ = serde_json::from_value::<EntryResponse<Entry<Value>>>(v.clone());
    media(&v);
    if let Some(d) = v.get("data") {
        media(d);
    }
    let _ = serde_json::to_vec(&v).expect("a JSON tree serialises");
}

fn media(v: &Value) {
    if let Ok(m) = serde_json::from_value::<MediaFile>(v.clone()) {
        let _ = m.size_bytes();
        let _ = serde_json::to_string(&m).expect("a MediaFile serialises");
    }
    if let Ok(files) = serde_json::from_value::<Vec<MediaFile>>(v.clone()) {
        for m in &files {
            let _ = m.size_bytes();
        }
    }
}

fn key(u: &mut Unstructured) -> Result<String> {
    if u.ratio(7, 8)? {
        Ok((*u.choose(KEYS)?).to_owned())
    } else {
        u.arbitrary()
    }
}

fn scalar(u: &mut Unstructured) -> Result<Value> {
    Ok(match u.int_in_range(0..=6)? {
        0 => Value::Null,
        1 => Value::Bool(u.arbitrary()?),
        2 => Value::from(u.arbitrary::<i64>()?),
        3 => Value::from(u.arbitrary::<u64>()?),
        // Non-finite floats become null in serde_json.
        4 => Value::from(u.arbitrary::<f64>()?),
        5 => Value::String(u.arbitrary()?),
        _ => Value::String((*u.choose(KEYS)?).to_owned()),
    })
}

fn object(u: &mut Unstructured, depth: usize) -> Result<Map<String, Value>> {
    let mut m = Map::new();
    for _ in 0..u.int_in_range(0..=5)? {
        let k = key(u)?;
        let v = gen_value(u, depth + 1)?;
        m.insert(k, v);
    }
    Ok(m)
}

fn v4_entry(u: &mut Unstructured, depth: usize) -> Result<Value> {
    let mut m = Map::new();
    if u.ratio(7, 8)? {
        m.insert("id".into(), scalar(u)?);
    }
    m.insert("attributes".into(), Value::Object(object(u, depth)?));
    if u.ratio(1, 8)? {
        m.insert("meta".into(), gen_value(u, depth + 1)?);
    }
    Ok(Value::Object(m))
}

fn wrapper(u: &mut Unstructured, depth: usize) -> Result<Value> {
    let data = match u.int_in_range(0..=3)? {
        0 => Value::Null,
        1 => v4_entry(u, depth + 1)?,
        2 => {
            let mut items = Vec::new();
            for _ in 0..u.int_in_range(0..=4)? {
                items.push(v4_entry(u, depth + 1)?);
            }
            Value::Array(items)
        }
        _ => gen_value(u, depth + 1)?,
    };
    let mut m = Map::new();
    m.insert("data".into(), data);
    if u.ratio(1, 4)? {
        m.insert("meta".into(), gen_value(u, depth + 1)?);
    }
    Ok(Value::Object(m))
}

/// `{"data": {"id": 1, "attributes": {"rel": {"data": … }}}}`, `n` times, built without
/// recursion so that it can go past the normaliser's limit.
fn chain(u: &mut Unstructured) -> Result<Value> {
    let n = u.int_in_range(0..=MAX_CHAIN)?;
    let as_list = u.arbitrary::<bool>()?;
    let mut inner = scalar(u)?;
    for i in 0..n {
        let mut attrs = Map::new();
        attrs.insert("rel".into(), inner);
        let mut entry = Map::new();
        entry.insert("id".into(), Value::from(i));
        entry.insert("attributes".into(), Value::Object(attrs));
        let entry = Value::Object(entry);
        let mut w = Map::new();
        w.insert(
            "data".into(),
            if as_list {
                Value::Array(vec![entry])
            } else {
                entry
            },
        );
        inner = Value::Object(w);
    }
    Ok(inner)
}

fn gen_value(u: &mut Unstructured, depth: usize) -> Result<Value> {
    if depth >= GEN_DEPTH || u.is_empty() {
        return scalar(u);
    }
    Ok(match u.int_in_range(0..=8)? {
        0 | 1 => scalar(u)?,
        2 => v4_entry(u, depth)?,
        3 => wrapper(u, depth)?,
        4 => {
            let mut m = object(u, depth)?;
            m.insert("documentId".into(), scalar(u)?);
            Value::Object(m)
        }
        5 => Value::Object(object(u, depth)?),
        6 => {
            let mut items = Vec::new();
            for _ in 0..u.int_in_range(0..=4)? {
                items.push(gen_value(u, depth + 1)?);
            }
            Value::Array(items)
        }
        7 if depth == 0 => chain(u)?,
        _ => {
            // An upload object, v4 or v5.
            let mut m = object(u, depth)?;
            for k in ["hash", "mime", "url"] {
                if u.ratio(3, 4)? {
                    m.insert(k.into(), scalar(u)?);
                }
            }
            Value::Object(m)
        }
    })
}
